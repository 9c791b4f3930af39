"""A report whose worker is gone is retried or failed within two minutes, and "Relancer" works
on a stuck one.

Once, a worker SIGKILLed during a plan PDF left it "En préparation 60 %" for 26 minutes while
"Relancer" was refused, and a report ordered while Redis was down stayed "En attente" for 20+
minutes. The building worker now renews a lease on the row (`heartbeat_at`); the sweep, every
minute, sends again (or fails) the reports without a live worker.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from committee.reports import builders as report_builders
from committee.reports import services as report_services
from committee.reports.models import Report
from committee.reports.services import reports_sweep

pytestmark = pytest.mark.django_db

PLAN = Report.Kind.ACTION_PLAN_PDF
S = Report.Status


def fake_pdf(params, out, progress) -> str:
    progress(50)
    out.write(b"%PDF-1.4\n%%EOF\n")
    return "plan.pdf"


@pytest.fixture(autouse=True)
def _fake_builder(monkeypatch):
    monkeypatch.setitem(report_builders.BUILDERS, PLAN, fake_pdf)


def _ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


def _killed(reviewer_with_mfa, *, beat_ago=90, attempts=1):
    """A report whose worker was killed at 60 %: running, its lease lapsed."""
    return Report.objects.create(
        kind=PLAN,
        requested_by=reviewer_with_mfa,
        status=S.RUNNING,
        progress=60,
        attempts=attempts,
        started_at=_ago(beat_ago + 30),
        heartbeat_at=_ago(beat_ago),
    )


def test_the_sweep_runs_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["sweep-reports"]["schedule"] == 60.0


def test_lease_and_sweep_together_stay_under_two_minutes():
    worst = report_services.HEARTBEAT_LEASE + datetime.timedelta(seconds=60)
    assert worst <= datetime.timedelta(minutes=2)
    assert report_services.LOST_AFTER + datetime.timedelta(seconds=60) <= datetime.timedelta(
        minutes=2
    )


def test_a_report_whose_worker_was_killed_is_built_again_by_the_sweep(reviewer_with_mfa):
    report = _killed(reviewer_with_mfa, beat_ago=50)
    assert reports_sweep()["resent"] == 1
    report.refresh_from_db()
    assert report.status == S.DONE
    assert report.attempts == 2


def test_a_report_whose_worker_is_alive_is_left_alone(reviewer_with_mfa):
    report = Report.objects.create(
        kind=PLAN,
        requested_by=reviewer_with_mfa,
        status=S.RUNNING,
        progress=60,
        attempts=1,
        started_at=_ago(600),  # a long build…
        heartbeat_at=_ago(5),  # …whose worker is alive
    )
    assert reports_sweep()["resent"] == 0
    report.refresh_from_db()
    assert (report.status, report.progress) == (S.RUNNING, 60)


def test_a_report_queued_while_the_broker_was_down_is_sent_again_after_a_minute(reviewer_with_mfa):
    report = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    Report.objects.filter(pk=report.pk).update(created_at=_ago(70))
    assert reports_sweep()["resent"] == 1
    report.refresh_from_db()
    assert report.status == S.DONE


def test_a_report_that_keeps_losing_its_worker_is_shown_failed(reviewer_with_mfa):
    report = _killed(reviewer_with_mfa, attempts=report_services.MAX_ATTEMPTS)
    assert reports_sweep()["failed"] == 1
    report.refresh_from_db()
    assert report.status == S.FAILED
    assert "interrompu" in report.error


def test_relancer_works_on_a_stuck_report(
    client, reviewer_with_mfa, django_capture_on_commit_callbacks
):
    report = _killed(reviewer_with_mfa)
    client.force_login(reviewer_with_mfa)
    page = client.get("/pilotage/rapports/").content.decode()
    assert f"/pilotage/rapports/{report.pk}/relancer/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pilotage/rapports/{report.pk}/relancer/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == S.DONE


def test_relancer_is_refused_while_the_worker_is_alive(client, reviewer_with_mfa):
    report = _killed(reviewer_with_mfa, beat_ago=5)
    client.force_login(reviewer_with_mfa)
    client.post(f"/pilotage/rapports/{report.pk}/relancer/")
    report.refresh_from_db()
    assert (report.status, report.progress) == (S.RUNNING, 60)
