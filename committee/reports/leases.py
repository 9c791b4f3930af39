"""How long a report may wait or build before it is taken for lost: the time limits of its
task and the lease a building worker renews on the row (read by the model, the services, the
task and the sweep)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

# Soft limit (the report fails cleanly) and hard limit (the worker process is killed).
SOFT_TIME_LIMIT = 10 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 60
# A running row older than this has no live worker any more (the hard limit killed it).
STALE_AFTER = timedelta(seconds=TIME_LIMIT + 5 * 60)
# Queued this long without a worker taking it: the message is presumed lost (sent again by
# the sweep, which runs every minute; a second message for the same report is harmless).
LOST_AFTER = timedelta(seconds=60)
# A building worker renews its lease on the row this often; a running report whose lease is
# older than HEARTBEAT_LEASE has lost its worker (killed, machine gone): the sweep, every
# minute, sends it again or fails it, so nothing stays stuck more than about two minutes.
HEARTBEAT_SECONDS = 10
HEARTBEAT_LEASE = timedelta(seconds=45)


def lease_lapsed_q(now) -> Q:
    return Q(heartbeat_at__lt=now - HEARTBEAT_LEASE) | Q(
        heartbeat_at__isnull=True, started_at__lt=now - HEARTBEAT_LEASE
    )


def stuck_reports(now=None):
    """Reports with no live worker: queued and never taken, or running with a lapsed lease."""
    from django.apps import apps

    Report = apps.get_model("committee", "Report")
    now = now or timezone.now()
    return Report.objects.filter(
        Q(status=Report.Status.QUEUED, created_at__lt=now - LOST_AFTER)
        | (
            Q(status=Report.Status.RUNNING)
            & (lease_lapsed_q(now) | Q(started_at__lt=now - STALE_AFTER))
        )
    )


def is_stuck(report, now=None) -> bool:
    """The same rule as `stuck_reports`, for one row already read (no query)."""
    now = now or timezone.now()
    if report.status == report.Status.QUEUED:
        return report.created_at < now - LOST_AFTER
    if report.status != report.Status.RUNNING:
        return False
    if report.started_at is not None and report.started_at < now - STALE_AFTER:
        return True
    if report.heartbeat_at is not None:
        return report.heartbeat_at < now - HEARTBEAT_LEASE
    return report.started_at is not None and report.started_at < now - HEARTBEAT_LEASE
