"""The periodic jobs of the notifications (settings.CELERY_BEAT_SCHEDULE).

The delivery tasks themselves are in members.notifications.delivery, which the outbox queues;
these jobs sit above both. Each is idempotent (Celery delivers at least once). Task names are
those of members/tasks.py, where they were first: the beat schedule and queued messages know
them by these names.
"""

from celery import shared_task

from members.notifications.delivery import undelivered_sweep
from members.notifications.digests import digests_send


@shared_task(name="members.tasks.sweep_undelivered", acks_late=True)
def sweep_undelivered() -> dict[str, int]:
    """Every few minutes: queue again the emails still undelivered (lost message, dead
    worker, lost retry, broker down when they were written)."""
    return undelivered_sweep()


@shared_task(name="members.tasks.send_digests", acks_late=True)
def send_digests(period: str) -> dict[str, int]:
    """Daily or weekly: each user's digest of what they chose to receive that way."""
    return digests_send(period)
