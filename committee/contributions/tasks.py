"""Contribution tasks (thin: they call a service). Idempotent: run twice, the same result."""

from celery import shared_task

from committee.contributions.drafting import signature_reminders_send


@shared_task(
    name="committee.contributions.tasks.send_signature_reminders",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    max_retries=0,
)
def send_signature_reminders() -> int:
    """Every hour: reminders of the signature rounds (once per organisation and reminder)."""
    return signature_reminders_send()
