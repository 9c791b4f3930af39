"""Periodic jobs on accounts (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services import inactive_accounts_sweep


@shared_task(name="members.tasks.sweep_inactive_accounts")
def sweep_inactive_accounts() -> dict[str, int]:
    """Daily: warn inactive accounts, anonymise those still inactive after the grace period."""
    return inactive_accounts_sweep()
