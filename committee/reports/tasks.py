"""Report tasks: build one (retried, time-limited), sweep lost and expired ones."""

from celery import shared_task

from committee.reports import services as report_services
from committee.reports.services import (
    MAX_ATTEMPTS,
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    TransientReportError,
    report_build,
    report_fail,
)

RETRY_BASE_SECONDS = 30


@shared_task(
    bind=True,
    name="committee.reports.tasks.build_report",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    max_retries=MAX_ATTEMPTS - 1,
)
def build_report(self, report_id: int) -> str:
    """Build one report; idempotent (see report_services). Transient errors retry with a
    growing delay (30 s, 60 s…), well under the broker's visibility timeout."""
    try:
        return report_build(report_id=report_id)
    except TransientReportError as error:
        if self.request.retries >= self.max_retries:
            report_fail(report_id=report_id, message=str(error))
            return "failed"
        raise self.retry(
            exc=error, countdown=RETRY_BASE_SECONDS * 2**self.request.retries
        ) from error


@shared_task(name="committee.reports.tasks.sweep_reports")
def sweep_reports() -> dict[str, int]:
    """Hourly: delete expired report files, send again lost or stuck report jobs."""
    return report_services.reports_sweep()
