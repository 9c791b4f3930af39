"""Reports built by a real Celery worker on the real Redis broker (not eager mode).

An embedded worker thread (celery.contrib.testing) consumes a queue of its own on the broker
of REDIS_URL (database 14 by default), so parallel test processes never take each other's
jobs. The worker does not see a test's open transaction: these tests commit for real.
"""

import io
import os
import threading
import time
import uuid

import pytest
import redis
from django.db import connections
from openpyxl import load_workbook
from pypdf import PdfReader

from committee.reports import builders as report_builders
from committee.reports.models import Report
from committee.reports.notifications import Kinds
from committee.reports.services import report_request, report_retry
from initiatives.models import Status as S
from members.models import Event
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_worker,
]

BROKER_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
TIMEOUT = 60


@pytest.fixture
def worker():
    """A Celery app on the real broker with its own queue, and a worker thread consuming it."""
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    import committee.reports.tasks  # noqa: F401 - the shared tasks register with every app
    from committee.celery import app as project_app

    queue = f"cnpe-test-reports-{uuid.uuid4().hex}"
    app = Celery(
        "committee-worker-test",
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
    # Every app's tasks, as the real worker has them (the requester's email is one).
    app.autodiscover_tasks(force=True)
    results: list[str] = []
    lock = threading.Lock()

    def after_task(sender=None, retval=None, **kwargs):
        # The worker thread's own database connection must not outlive its task.
        connections.close_all()
        if getattr(sender, "name", "") == "committee.reports.tasks.build_report":
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


def wait_for(report: Report, *statuses: str) -> Report:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(0.1)
    raise AssertionError(f"report still {report.status} after {TIMEOUT} s")


def wait_for_results(app, count: int) -> list[str]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and len(app.results) < count:
        time.sleep(0.1)
    return list(app.results)


def wait_for_mail(outbox, count: int) -> list:
    """The requester's email goes through the notifications' outbox: a task of its own."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and len(outbox) < count:
        time.sleep(0.1)
    return list(outbox)


def read(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def test_worker_builds_the_initiatives_spreadsheet(worker, reviewer_with_mfa, dataset, mailoutbox):
    organisation = f.OrganisationFactory(acronym="AMRF")
    for n in range(23):
        f.InitiativeFactory(
            title=f"Écoles rurales connectées {n}",
            lead_organisation=organisation,
            status=S.PUBLISHED,
        )
    f.InitiativeFactory(title="Brouillon", lead_organisation=organisation, status=S.DRAFT)

    report = report_request(kind=Report.Kind.INITIATIVES_XLSX, params={}, by=reviewer_with_mfa)
    report = wait_for(report, Report.Status.DONE, Report.Status.FAILED)

    assert report.status == Report.Status.DONE, report.error
    assert report.progress == 100 and report.attempts == 1
    workbook = load_workbook(io.BytesIO(read(report)), read_only=True)
    table = list(workbook["initiatives"].values)
    assert list(table[0]) == report_builders.xlsx_headers()
    assert len(table) - 1 == 4 + 23  # the dataset's four published ones and these
    titles = {row[table[0].index("Titre")] for row in table[1:]}
    assert "Écoles rurales connectées 22" in titles and "Brouillon" not in titles
    assert [message.to for message in wait_for_mail(mailoutbox, 1)] == [[reviewer_with_mfa.email]]
    assert Event.objects.filter(kind=Kinds.REPORT_READY, object_id=report.pk).exists()


def test_worker_builds_the_action_plan_pdf(worker, reviewer_with_mfa, dataset):
    report = report_request(kind=Report.Kind.ACTION_PLAN_PDF, params={}, by=reviewer_with_mfa)
    report = wait_for(report, Report.Status.DONE, Report.Status.FAILED)

    assert report.status == Report.Status.DONE, report.error
    reader = PdfReader(io.BytesIO(read(report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Plan d'action du comité" in text
    for title in ("A1 — Recenser les équipements", "Questionnaire diffusé"):
        assert title in text


def test_a_failing_job_ends_failed_then_succeeds_when_retried(
    worker, reviewer_with_mfa, dataset, monkeypatch
):
    def broken(params, out, progress):
        raise ValueError("gabarit introuvable")

    monkeypatch.setitem(report_builders.BUILDERS, Report.Kind.ACTION_PLAN_PDF, broken)
    report = report_request(kind=Report.Kind.ACTION_PLAN_PDF, params={}, by=reviewer_with_mfa)
    report = wait_for(report, Report.Status.DONE, Report.Status.FAILED)
    assert report.status == Report.Status.FAILED
    assert "gabarit introuvable" in report.error and not report.file

    monkeypatch.undo()
    report_retry(report=report, by=reviewer_with_mfa)
    report = wait_for(report, Report.Status.DONE, Report.Status.FAILED)
    assert report.status == Report.Status.DONE, report.error
    assert report.error == "" and report.file


def test_a_job_delivered_twice_builds_once(worker, reviewer_with_mfa, monkeypatch):
    from committee.reports.tasks import build_report

    built = []

    def builder(params, out, progress):
        built.append(1)
        time.sleep(0.3)
        out.write(b"%PDF-1.7")
        return "plan.pdf"

    monkeypatch.setitem(report_builders.BUILDERS, Report.Kind.ACTION_PLAN_PDF, builder)
    report = Report.objects.create(kind=Report.Kind.ACTION_PLAN_PDF, requested_by=reviewer_with_mfa)
    build_report.delay(report.pk)
    build_report.delay(report.pk)

    assert sorted(wait_for_results(worker, 2)) == ["done", "skipped"]
    assert built == [1]
    assert wait_for(report, Report.Status.DONE).attempts == 1
