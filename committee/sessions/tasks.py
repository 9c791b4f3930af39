"""Session tasks (thin: they call a service). Idempotent: run twice, the same result."""

from celery import shared_task

from committee.sessions import services


@shared_task(
    name="committee.sessions.tasks.send_session_reminders",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    max_retries=0,
)
def send_session_reminders() -> int:
    """Every hour: the day-before reminders not yet queued (one per person and session)."""
    return services.reminders_send()
