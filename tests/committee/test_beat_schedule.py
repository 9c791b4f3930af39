"""Every periodic task of the beat schedule exists, has valid options, and runs on a worker.

`warm_public_pages` once had `time_limit=120` under the global soft limit (840 s): Celery
refused it at every beat tick and it never ran.
"""

import importlib
import uuid

import pytest
from celery.beat import ScheduleEntry, Scheduler
from celery.signals import task_postrun
from django.conf import settings

from committee.celery import app as project_app
from tests.members.notifications.celery_support import (
    SHARED_BROKER,
    celery_app,
    embedded_worker,
    wait_until,
)

TASK_MODULES = (
    "members.tasks",
    "committee.public.tasks",
    "committee.public.alerts",
    "committee.reports.tasks",
    "committee.steering.tasks",
)
SCHEDULE = settings.CELERY_BEAT_SCHEDULE


def _limits(task):
    return task.soft_time_limit, task.time_limit


@pytest.fixture(autouse=True)
def _task_modules():
    for module in TASK_MODULES:
        importlib.import_module(module)


@pytest.mark.parametrize("entry", sorted(SCHEDULE))
def test_each_beat_entry_names_a_registered_task_with_valid_limits(entry):
    project_app.loader.import_default_modules()
    name = SCHEDULE[entry]["task"]
    assert name in project_app.tasks, f"{entry}: {name} is not a registered task"
    task = project_app.tasks[name]
    soft, hard = _limits(task)
    assert soft and hard, f"{name}: soft and hard time limits are both needed"
    assert soft < hard, f"{name}: soft limit {soft} s is not below the hard limit {hard} s"
    options = SCHEDULE[entry].get("options", {})
    assert set(options) <= {"expires", "queue", "priority"}, options
    if "expires" in options:
        schedule = SCHEDULE[entry]["schedule"]
        seconds = getattr(schedule, "total_seconds", lambda: schedule)()
        if isinstance(seconds, int | float):
            assert 0 < options["expires"] <= seconds


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_periodic_task_runs_once_on_a_real_worker():
    """Beat's own sending path (Scheduler.apply_async), then a real worker runs each task."""
    ran: dict[str, str] = {}

    def after(sender=None, state=None, **kwargs):
        ran[sender.name] = state

    task_postrun.connect(after, weak=False)
    try:
        with (
            celery_app(SHARED_BROKER, queue=f"cnpe-test-beat-{uuid.uuid4().hex}") as app,
            embedded_worker(app),
        ):
            scheduler = Scheduler(app, schedule={}, lazy=True)
            for name, spec in SCHEDULE.items():
                entry = ScheduleEntry(
                    name=name,
                    task=spec["task"],
                    schedule=spec["schedule"],
                    args=spec.get("args", ()),
                    kwargs=spec.get("kwargs", {}),
                    options=spec.get("options", {}),
                    app=app,
                )
                scheduler.apply_async(entry, advance=False)
            expected = {spec["task"] for spec in SCHEDULE.values()}
            wait_until(lambda: expected <= set(ran), timeout=60, what=f"{expected - set(ran)}")
    finally:
        task_postrun.disconnect(after)
    assert {name: state for name, state in ran.items() if name in expected} == dict.fromkeys(
        expected, "SUCCESS"
    )
