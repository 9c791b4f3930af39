"""Background jobs of the committee: reports, the weekly digest, sweeps.

Thin wrappers: the work is in report_services and digest, which tests call directly too.
Scheduled jobs are listed in settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task

from committee import digest, report_services, selectors, statistics
from committee.report_services import (
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
    name="committee.tasks.build_report",
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


@shared_task(name="committee.tasks.sweep_reports")
def sweep_reports() -> dict[str, int]:
    """Hourly: delete expired report files, send again lost or stuck report jobs."""
    return report_services.reports_sweep()


@shared_task(name="committee.tasks.send_weekly_digest", acks_late=True)
def send_weekly_digest() -> dict[str, int]:
    """Monday morning: the officials' digest, at most once per official and week."""
    return digest.digest_send()


@shared_task(name="committee.tasks.warm_statistics", ignore_result=True)
def warm_statistics() -> None:
    """Every minute: the figures of /pilotage/ without criteria, computed ahead of readers."""
    statistics.statistics_warm()


@shared_task(name="committee.tasks.warm_public_pages", ignore_result=True, time_limit=120)
def warm_public_pages() -> None:
    """Every minute: what the home page, the map and the catalogue without criteria read
    from the cache, computed again if a publication made it stale (else a few reads)."""
    from initiatives.selectors import catalogue_warm

    catalogue_warm()
    selectors.key_figures()
    selectors.department_counts()
