"""Day-before reminders run by a real Celery worker on the real Redis broker: run twice (as
beat does every hour, or as a redelivered message), each person is reminded once."""

import os
import threading
import time
import uuid

import pytest
import redis
from django.db import connections

from members.models import Notification

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_worker,
]

BROKER_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
TIMEOUT = 60
TASK = "committee.sessions.tasks.send_session_reminders"


@pytest.fixture
def worker():
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    import committee.sessions.tasks  # noqa: F401
    from committee.celery import app as project_app

    queue = f"cnpe-test-sessions-{uuid.uuid4().hex}"
    app = Celery(
        "committee-sessions-test",
        task_cls="celery.contrib.django.task:DjangoTask",
        set_as_current=False,
    )
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=BROKER_URL,
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
    )
    app.autodiscover_tasks(force=True)
    results: list = []
    lock = threading.Lock()

    def after_task(sender=None, retval=None, **kwargs):
        connections.close_all()
        if getattr(sender, "name", "") == TASK:
            with lock:
                results.append(retval)

    task_postrun.connect(after_task, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            app.results = results
            yield app
    finally:
        task_postrun.disconnect(after_task)
        project_app.set_current()
        project_app.set_default()
        client = redis.Redis.from_url(BROKER_URL)
        client.delete(queue, *client.scan_iter(match=f"*{queue}*"))


def wait(condition):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def test_the_worker_reminds_each_representative_once(
    worker, make_session, representative, other_representative, mailoutbox
):
    session = make_session(days=1, convene=True)
    mailoutbox.clear()
    worker.send_task(TASK)
    wait(lambda: len(worker.results) == 1)
    worker.send_task(TASK)
    worker.send_task(TASK)
    wait(lambda: len(worker.results) == 3)
    assert sorted(worker.results) == [0, 0, 2]
    reminders = Notification.objects.filter(kind="session_reminder")
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        [representative.pk, other_representative.pk]
    )
    wait(lambda: reminders.filter(status=Notification.Status.SENT).count() == 2)
    reminded = [m for m in mailoutbox if m.subject.startswith("Demain")]
    assert len(reminded) == 2 and all(session.title in m.body for m in reminded)
