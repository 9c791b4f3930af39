"""Reports ordered by officials: ordering, retrying, building (in a worker), expiring.

A report is a row (`committee.reports.models.Report`) that a Celery task turns into a file. The
row is the source of truth, so the task is idempotent under Celery's at-least-once
delivery:
- a run first *claims* the row with a conditional UPDATE (queued → running, or a running
  row whose run has outlived the task's hard time limit, i.e. whose worker died); a run that
  claims nothing does nothing, so a message delivered twice builds once;
- the file is written, then the row is marked done by another conditional UPDATE on the
  claim (status and start time); a run that lost its claim deletes its file;
- a problem that will happen again (bad parameters, a bug) ends the report `failed` with its
  message; a transient one (database or storage unreachable) gives the claim back and the
  task retries with a backoff; after MAX_ATTEMPTS claims the report fails.
The hourly sweep deletes expired files and sends again the jobs whose message was lost.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from datetime import timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from committee.reports.builders import BUILDERS, ReportBuildError
from committee.reports.leases import (  # noqa: F401 - the timings, read by tasks and tests
    HEARTBEAT_LEASE,
    HEARTBEAT_SECONDS,
    LOST_AFTER,
    SOFT_TIME_LIMIT,
    STALE_AFTER,
    TIME_LIMIT,
    stuck_reports,
)
from committee.reports.models import Report
from committee.reports.notifications import Kinds
from committee.steering import statistics
from members.models import User
from members.notifications.delivery import ENQUEUE_RETRY_POLICY
from members.permissions import Perm, require
from members.services import event_record
from referentials.models import Territory

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_PENDING_PER_USER = 5
ERROR_MAX_LENGTH = 2000
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class ReportError(Exception):
    """A report that cannot be ordered or retried; the message is meant for the user."""


class TransientReportError(Exception):
    """The run could not finish for a reason that may go away; the task retries."""


# -- ordering ---------------------------------------------------------------------------------


def clean_params(*, kind: str, params: dict | None) -> dict:
    """The parameters a report of this kind keeps, checked; ReportError lists the problems."""
    params = params or {}
    if kind == Report.Kind.INITIATIVES_XLSX:
        filterset = statistics.statistics_filterset(params.get("filters") or {})
        if filterset.is_bound and not filterset.form.is_valid():
            errors = [str(e) for errs in filterset.form.errors.values() for e in errs]
            raise ReportError(_("Critères invalides : %s") % " ; ".join(errors))
        return {"filters": statistics.filter_params(filterset)}
    if kind == Report.Kind.REGION_SUMMARY_PDF:
        region = str(params.get("region") or "").strip()
        if not region:
            raise ReportError(_("Choisissez la région de la synthèse."))
        if not Territory.objects.filter(level=Territory.Level.REGION, code=region).exists():
            raise ReportError(_("Région inconnue : « %s ».") % region)
        return {"region": region}
    if kind == Report.Kind.ACTION_PLAN_PDF:
        review_id = params.get("review_id")
        if review_id in (None, ""):
            return {}
        from committee.plan.models import PlanReview

        try:
            review_id = int(review_id)
        except (TypeError, ValueError):
            raise ReportError(_("Revue du plan inconnue.")) from None
        if not PlanReview.objects.filter(pk=review_id).exists():
            raise ReportError(_("Revue du plan inconnue."))
        return {"review_id": review_id}
    raise ReportError(_("Ce type de rapport n'existe pas."))


def report_request(*, kind: str, params: dict | None, by: User) -> Report:
    """Order a report: a queued row, and its job sent to the workers once committed."""
    require(
        by,
        Perm.REPORT_ORDER,
        message=_("Seuls les agents du ministère peuvent commander des rapports."),
    )
    params = clean_params(kind=kind, params=params)
    with transaction.atomic():
        pending = Report.objects.filter(
            requested_by=by, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]
        ).count()
        if pending >= MAX_PENDING_PER_USER:
            raise ReportError(
                _(
                    "Vous avez déjà %(n)s rapports en préparation : attendez qu'ils soient "
                    "prêts avant d'en commander d'autres."
                )
                % {"n": pending}
            )
        report = Report.objects.create(kind=kind, params=params, requested_by=by)
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report


BUILD_TASK = "committee.reports.tasks.build_report"


def _build_task():
    """The build task, found by its name in the app's registry (committee.reports.tasks calls
    this module: importing it back would make a cycle)."""
    return current_app.tasks[BUILD_TASK]


def report_enqueue(*, report_id: int) -> bool:
    """Hand a report to the workers; never raises into the user's request.

    With the broker down the report stays queued and the hourly sweep sends it again.
    """
    from kombu.exceptions import OperationalError as BrokerError

    try:
        _build_task().apply_async((report_id,), retry=True, retry_policy=ENQUEUE_RETRY_POLICY)
    except (BrokerError, ConnectionError, OSError):
        logger.warning("Broker unavailable: report %s left for the sweep", report_id)
        return False
    return True


def report_retry(*, report: Report, by: User) -> Report:
    """Send a failed or stuck report (no live worker) back to the workers, from scratch."""
    require(by, Perm.REPORT_ORDER, report)  # its requester or the secretariat
    with transaction.atomic():
        retryable = Q(status=Report.Status.FAILED) | Q(pk__in=stuck_reports().values("pk"))
        updated = Report.objects.filter(retryable, pk=report.pk).update(
            heartbeat_at=None,
            status=Report.Status.QUEUED,
            progress=0,
            error="",
            attempts=0,
            started_at=None,
            finished_at=None,
            expires_at=None,
        )
        if not updated:
            raise ReportError(
                _(
                    "Seul un rapport en échec, ou bloqué sans traitement en cours, peut être "
                    "relancé."
                )
            )
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    report.refresh_from_db()
    return report


# -- building (in the worker) -----------------------------------------------------------------


def _claim(report_id: int, now) -> Report | None:
    claimable = Q(status=Report.Status.QUEUED) | Q(pk__in=stuck_reports(now).values("pk"))
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=Report.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress=0,
        error="",
        attempts=F("attempts") + 1,
    )
    return Report.objects.get(pk=report_id) if claimed else None


def _mine(report: Report):
    """The row, as long as this run still holds its claim."""
    return Report.objects.filter(
        pk=report.pk, status=Report.Status.RUNNING, started_at=report.started_at
    )


class _Progress:
    """Writes the percentage when it moves: one cheap conditional UPDATE each time."""

    def __init__(self, report: Report):
        self.report = report
        self.last = 0

    def __call__(self, percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent > self.last:
            self.last = percent
            _mine(self.report).update(progress=percent, heartbeat_at=timezone.now())


class _Heartbeat:
    """Renews the run's lease every HEARTBEAT_SECONDS from a thread while the report builds
    (a long step may not move the percentage for minutes)."""

    def __init__(self, report: Report):
        self.report = report
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="report-heartbeat")

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                _mine(self.report).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.warning("Report %s: heartbeat failed", self.report.pk, exc_info=True)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=2)


def _fail(report: Report, message: str) -> None:
    _mine(report).update(
        status=Report.Status.FAILED,
        error=message[:ERROR_MAX_LENGTH],
        finished_at=timezone.now(),
    )


def report_fail(*, report_id: int, message: str) -> None:
    """Mark an unfinished report failed (the task's last word after its retries)."""
    Report.objects.filter(
        pk=report_id, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]
    ).update(
        status=Report.Status.FAILED, error=message[:ERROR_MAX_LENGTH], finished_at=timezone.now()
    )


def report_build(*, report_id: int) -> str:
    """Build a report if no other run holds it; returns what happened (for the task's log)."""
    now = timezone.now()
    report = _claim(report_id, now)
    if report is None:
        return "skipped"
    if report.attempts > MAX_ATTEMPTS:
        _fail(report, _("Abandon après %(n)s tentatives.") % {"n": MAX_ATTEMPTS})
        return "failed"
    builder = BUILDERS[report.kind]
    try:
        with (
            _Heartbeat(report),
            tempfile.TemporaryFile() as out,
            translation.override(_language(report)),
        ):
            filename = builder(report.params, out, _Progress(report))
            out.seek(0)
            stored = report.file.storage.save(
                report.file.field.generate_filename(report, filename), File(out)
            )
    except ReportBuildError as error:
        _fail(report, str(error))
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(
            report,
            _("Le rapport a dépassé la durée maximale de préparation (%(minutes)s minutes).")
            % {"minutes": SOFT_TIME_LIMIT // 60},
        )
        return "failed"
    except (*TRANSIENT_ERRORS, OSError) as error:
        logger.warning("Report %s: transient error, will retry", report_id, exc_info=True)
        _mine(report).update(status=Report.Status.QUEUED, started_at=None, progress=0)
        raise TransientReportError(str(error)) from error
    except Exception as error:  # deterministic: trying again gives the same result
        logger.exception("Report %s failed", report_id)
        _fail(
            report,
            _("Erreur inattendue (%(kind)s) : %(message)s")
            % {
                "kind": error.__class__.__name__,
                "message": error,
            },
        )
        return "failed"
    return _finish(report, stored)


def _language(report: Report) -> str:
    user = report.requested_by
    return (user.language if user else None) or settings.LANGUAGE_CODE


def _finish(report: Report, stored: str) -> str:
    now = timezone.now()
    storage = report.file.storage
    try:
        with transaction.atomic():
            done = _mine(report).update(
                status=Report.Status.DONE,
                file=stored,
                progress=100,
                finished_at=now,
                expires_at=now + timedelta(hours=settings.REPORT_TTL_HOURS),
            )
            if not done:  # another run took over: its file is the one kept
                transaction.on_commit(lambda: storage.delete(stored))
                return "superseded"
            report.refresh_from_db()
            _announce(report)
    except DatabaseError:
        storage.delete(stored)
        raise
    return "done"


def _announce(report: Report) -> None:
    """Record REPORT_READY, in the transaction that marks the report done.

    The notifications' outbox (members.notifications, kind in committee.reports.notifications)
    turns it into the requester's email, with the link to their reports, once committed.
    """
    event_record(
        kind=Kinds.REPORT_READY,
        target=report,
        data={"kind": report.kind, "report_id": report.pk},
    )


# -- sweeping ---------------------------------------------------------------------------------


def reports_sweep(*, now=None) -> dict[str, int]:
    """Delete expired files (rows kept, `purged_at` set); send again lost or stuck jobs."""
    build_report = _build_task()

    now = now or timezone.now()
    purged = 0
    expired = Report.objects.filter(
        status=Report.Status.DONE, expires_at__lte=now, purged_at__isnull=True
    )
    for report in expired.only("pk", "file"):
        name = report.file.name
        if name:
            report.file.storage.delete(name)
        purged += Report.objects.filter(pk=report.pk, purged_at__isnull=True).update(
            file="", purged_at=now
        )
    resent = failed = 0
    for report in stuck_reports(now).only("pk", "status", "attempts"):
        if report.attempts >= MAX_ATTEMPTS:
            failed += Report.objects.filter(pk=report.pk, status=report.status).update(
                status=Report.Status.FAILED,
                error=_("Le traitement a été interrompu %(n)s fois : relancez le rapport.")
                % {"n": report.attempts},
                finished_at=now,
            )
            continue
        if report.status == Report.Status.RUNNING:  # shown as waiting again, not frozen
            Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(
                status=Report.Status.QUEUED, progress=0, heartbeat_at=None
            )
        try:
            build_report.delay(report.pk)
            resent += 1
        except Exception:  # noqa: BLE001 - broker down: the next sweep tries again
            logger.warning("Report %s: could not be sent again", report.pk, exc_info=True)
    return {"purged": purged, "resent": resent, "failed": failed}
