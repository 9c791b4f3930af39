"""Background jobs of members: accounts (RGPD) and notification deliveries.

Scheduled ones are listed in settings.CELERY_BEAT_SCHEDULE.
"""

import logging

from celery import shared_task

from members.services import inactive_accounts_sweep

logger = logging.getLogger(__name__)


@shared_task(name="members.tasks.sweep_inactive_accounts")
def sweep_inactive_accounts() -> dict[str, int]:
    """Daily: warn inactive accounts, anonymise those still inactive after the grace period."""
    return inactive_accounts_sweep()


# --- notifications (members.notifications, members.notifications_delivery) ----------------
# Every task here is idempotent: Celery delivers at least once (acks late, rejected on
# worker loss). Countdowns stay far below the broker's visibility timeout (settings).

DELIVERY_SOFT_TIME_LIMIT = 60
DELIVERY_TIME_LIMIT = 90  # below NOTIFICATION_LEASE_SECONDS: a killed run's lease runs out


@shared_task(
    bind=True,
    name="members.tasks.deliver_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
    max_retries=None,  # the row counts the attempts (NOTIFICATION_MAX_ATTEMPTS)
)
def deliver_notification(self, notification_id: int) -> str:
    """Send one email notification, once, whatever the number of times this task runs."""
    from members.notifications_delivery import TransientDeliveryError, deliver

    try:
        return deliver(notification_id)
    except TransientDeliveryError as error:
        if self.request.is_eager:  # no broker to wait on: the sweep tries again later
            return "retry"
        raise self.retry(countdown=error.countdown, exc=error) from error


@shared_task(
    bind=True,
    name="members.tasks.deliver_notifications",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
)
def deliver_notifications(self, notification_ids: list[int]) -> dict[str, int]:
    """Send a few email notifications (at most DELIVERY_BATCH) through one mail-server
    connection, each once. Those to try again are queued again with their delay."""
    from members.notifications_delivery import deliver_many

    outcomes, retries = deliver_many(notification_ids)
    if retries and not self.request.is_eager:  # eager: no broker to wait on, the sweep will
        by_delay: dict[float, list[int]] = {}
        for pk, countdown in retries.items():
            by_delay.setdefault(countdown, []).append(pk)
        for countdown, ids in by_delay.items():
            try:
                self.apply_async((ids,), countdown=countdown)
            except Exception:  # the rows wait as pending, with their time: the sweep sends them
                logger.warning("Retry of notifications %s not queued", ids, exc_info=True)
    return outcomes


@shared_task(name="members.tasks.sweep_undelivered", acks_late=True)
def sweep_undelivered() -> dict[str, int]:
    """Every few minutes: queue again the emails still undelivered (lost message, dead
    worker, lost retry, broker down when they were written)."""
    from members.notifications_delivery import undelivered_sweep

    return undelivered_sweep()


@shared_task(name="members.tasks.send_digests", acks_late=True)
def send_digests(period: str) -> dict[str, int]:
    """Daily or weekly: each user's digest of what they chose to receive that way."""
    from members.notifications_delivery import digests_send

    return digests_send(period)
