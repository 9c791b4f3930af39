"""Writes on people and organisations, and the event record every app writes to."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction

from .models import Event, Organisation

logger = logging.getLogger(__name__)


def event_record(
    *,
    kind: str,
    actor=None,
    organisation: Organisation | None = None,
    target=None,
    data: dict | None = None,
) -> Event:
    """Record an event in the caller's transaction (the notifications' outbox)."""
    return Event.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        data=data or {},
    )


def email_after_commit(*, to: list[str], subject: str, body: str) -> None:
    """Send a plain email once the transaction has committed; never fail the request.

    A stopgap until notifications are delivered from the event outbox.
    """
    recipients = sorted({address for address in to if address})
    if not recipients:
        return

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # an SMTP failure must not reach the user's request
            logger.exception("Email %r to %s not sent", subject, recipients)

    transaction.on_commit(send)
