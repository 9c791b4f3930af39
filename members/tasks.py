"""Background jobs of members' accounts (RGPD); those of the notifications are in
members.notifications (delivery, tasks).

Scheduled ones are listed in settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task

from members.services import inactive_accounts_sweep


@shared_task(name="members.tasks.sweep_inactive_accounts")
def sweep_inactive_accounts() -> dict[str, int]:
    """Daily: warn inactive accounts, anonymise those still inactive after the grace period."""
    return inactive_accounts_sweep()
