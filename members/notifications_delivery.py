"""Sending notification emails: claimed, rendered, sent, retried, swept; and the digests.

Celery delivers a task at least once (acks late, rejected on worker loss), so a delivery is
idempotent: it first *claims* its row with a conditional UPDATE (pending → sending, with a
lease until `NOTIFICATION_LEASE_SECONDS` from now); a run that claims nothing does nothing.
A row whose lease ran out (its worker died mid-send) can be claimed again, by the sweep's
new message. The sent mark is another conditional UPDATE on the claim.

Failures: a transient SMTP error (disconnection, 4xx, timeout) puts the row back to pending
with a growing delay and the task retries; after NOTIFICATION_MAX_ATTEMPTS the row is
`failed`. A permanent refusal of the address (5xx on the recipient) marks the address as
failing (`FailingAddress`): nothing more is sent to it until an operator clears it; other
5xx answers count against the address, which is blocked after a few.
"""

from __future__ import annotations

import logging
import smtplib
from collections import OrderedDict
from datetime import timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from members.models import FailingAddress, Notification, NotificationSettings
from members.notifications import (
    CONTEXTS,
    DIGEST_PERIODS,
    Data,
    NotificationCancelled,
    enqueue,
    format_text,
    kind_spec,
    schedule,
    summary,
    unsubscribe_url,
)

logger = logging.getLogger(__name__)

Status = Notification.Status
EMAIL = Notification.Channel.EMAIL
ERROR_MAX_LENGTH = 2000
FAILURES_BEFORE_BLOCK = 3
RETRY_MAX_SECONDS = 60 * 60
# A retry message may arrive a little before the time written on the row (clock skew).
CLAIM_SLACK = timedelta(seconds=2)
SWEEP_BATCH = 2000
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
RECAP_EXCLUDED = ("digest", "search_alert")


def lease_seconds() -> int:
    return settings.NOTIFICATION_LEASE_SECONDS


def max_attempts() -> int:
    return settings.NOTIFICATION_MAX_ATTEMPTS


def backoff(attempt: int) -> float:
    """Delay before the next try: base × 2^(attempt − 1), at most an hour."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempt - 1, 0), RETRY_MAX_SECONDS)


class TransientDeliveryError(Exception):
    """Sending failed for a reason that may go away; try again in `countdown` seconds."""

    def __init__(self, message: str, countdown: float):
        super().__init__(message)
        self.countdown = countdown


# --- delivering ---------------------------------------------------------------------------


def _claim(ids, now) -> list[Notification]:
    """Take the rows no other run holds, with a lease; returns those this run took."""
    lease_until = now + timedelta(seconds=lease_seconds())
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_SLACK)
    claimable = (Q(status=Status.PENDING, digest="") & due) | Q(
        status=Status.SENDING, lease_expires_at__lt=now
    )
    claimed = Notification.objects.filter(claimable, pk__in=list(ids), channel=EMAIL).update(
        status=Status.SENDING, lease_expires_at=lease_until, attempts=F("attempts") + 1
    )
    if not claimed:
        return []
    return list(
        Notification.objects.select_related("recipient")
        .filter(pk__in=list(ids), status=Status.SENDING, lease_expires_at=lease_until)
        .order_by("pk")
    )


def _mine(notification: Notification):
    """The row, as long as this run still holds its claim."""
    return Notification.objects.filter(
        pk=notification.pk,
        status=Status.SENDING,
        lease_expires_at=notification.lease_expires_at,
    )


def _error_text(error: BaseException) -> str:
    return f"{error.__class__.__name__}: {error}"[:ERROR_MAX_LENGTH]


def classify(error: BaseException) -> str:
    """'address' (the address is refused for good), 'transient' (try again later) or
    'permanent' (trying again gives the same answer)."""
    if isinstance(error, SoftTimeLimitExceeded):
        return "transient"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return "address" if codes and all(code >= 500 for code in codes) else "transient"
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return "transient"
    if isinstance(error, smtplib.SMTPResponseException):
        return "permanent" if error.smtp_code >= 500 else "transient"
    if isinstance(error, OSError):  # sockets, timeouts, refused connections
        return "transient"
    return "permanent"


def _counts_against_address(error: BaseException) -> bool:
    """A 5xx answer about the message (mailbox full, content refused) rather than about us."""
    return isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError
    )


def _failing(rows) -> dict[str, FailingAddress]:
    addresses = {(row.address or "").strip().lower() for row in rows} - {""}
    if not addresses:
        return {}
    return {row.email: row for row in FailingAddress.objects.filter(email__in=addresses)}


def deliver(notification_id: int, *, connection=None) -> str:
    """Send one email notification if no other run holds it; returns what happened.

    Raises TransientDeliveryError when it should be tried again later (the row is back to
    pending, with its next attempt's time).
    """
    claimed = _claim([notification_id], timezone.now())
    if not claimed:
        return "skipped"
    return _send(claimed[0], connection=connection, failing=_failing(claimed))


def deliver_many(ids, *, connection=None) -> tuple[dict[str, int], dict[int, float]]:
    """Send several email notifications through one mail-server connection.

    Returns the count of each outcome, and the notifications to try again later with
    their delay. Each row is claimed and marked on its own, so a run killed half-way
    leaves the sent ones sent, and the others to the sweep.
    """
    from django.core.mail import get_connection

    outcomes: dict[str, int] = {}
    retries: dict[int, float] = {}
    claimed = _claim(ids, timezone.now())
    outcomes["skipped"] = len(set(ids)) - len(claimed)
    if not claimed:
        return outcomes, retries
    failing = _failing(claimed)
    connection = connection or get_connection()
    try:
        for index, notification in enumerate(claimed):
            try:
                outcome = _send(notification, connection=connection, failing=failing)
            except SoftTimeLimitExceeded:
                # Out of time: what this run has not sent goes back, to be sent again soon.
                for rest in claimed[index:]:
                    _mine(rest).update(status=Status.PENDING, lease_expires_at=None)
                    retries[rest.pk] = 0
                break
            except TransientDeliveryError as error:
                retries[notification.pk] = error.countdown
                outcome = "retry"
                _close_quietly(connection)  # the next message opens a fresh connection
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        _close_quietly(connection)
    return outcomes, retries


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a connection already broken
        logger.debug("Mail connection not closed cleanly", exc_info=True)


def _send(notification: Notification, *, connection, failing: dict) -> str:
    """Send one claimed notification (raises TransientDeliveryError to be retried)."""
    recipient = notification.recipient
    if recipient is not None and (not recipient.is_active or recipient.anonymised_at):
        _mine(notification).update(status=Status.CANCELLED, lease_expires_at=None)
        return "cancelled"
    address = (notification.address or "").strip().lower()
    if not address:
        _mine(notification).update(status=Status.CANCELLED, lease_expires_at=None)
        return "cancelled"
    known = failing.get(address)
    if known is not None and known.blocked_at is not None:
        _mine(notification).update(
            status=Status.DEAD,
            lease_expires_at=None,
            last_error=f"Adresse en échec depuis le {known.blocked_at:%Y-%m-%d}",
        )
        return "dead"
    try:
        message = build_message(notification, address, connection=connection)
    except NotificationCancelled:
        _mine(notification).update(status=Status.CANCELLED, lease_expires_at=None)
        return "cancelled"
    except Exception as error:  # a bug in a template: trying again gives the same result
        logger.exception("Notification %s could not be rendered", notification.pk)
        _mine(notification).update(
            status=Status.FAILED, lease_expires_at=None, last_error=_error_text(error)
        )
        return "failed"
    try:
        message.send()
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        outcome = _failed(notification, address, error)
        failing.pop(address, None)
        failing.update(_failing([notification]))  # blocked now: skip its other emails
        return outcome
    marked = _mine(notification).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        lease_expires_at=None,
        next_attempt_at=None,
        last_error="",
    )
    if not marked:
        logger.warning("Notification %s sent after its lease ran out", notification.pk)
    if known is not None:  # it works again: forget the earlier failures
        FailingAddress.objects.filter(pk=known.pk, blocked_at__isnull=True).delete()
        failing.pop(address, None)
    return "sent"


def _failed(notification: Notification, address: str, error: BaseException) -> str:
    kind = classify(error)
    text = _error_text(error)
    logger.warning("Notification %s to %s: %s (%s)", notification.pk, address, text, kind)
    if kind == "transient":
        if notification.attempts >= max_attempts():
            _mine(notification).update(status=Status.FAILED, lease_expires_at=None, last_error=text)
            return "failed"
        countdown = backoff(notification.attempts)
        _mine(notification).update(
            status=Status.PENDING,
            lease_expires_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=countdown),
            last_error=text,
        )
        raise TransientDeliveryError(text, countdown) from error
    status = Status.DEAD if kind == "address" else Status.FAILED
    _mine(notification).update(status=status, lease_expires_at=None, last_error=text)
    if kind == "address" or _counts_against_address(error):
        address_failure(address, text, block=kind == "address")
    return "dead" if kind == "address" else "failed"


def address_failure(address: str, error: str, *, block: bool) -> FailingAddress:
    """Count a failure of `address`; block it at once (hard bounce) or after a few."""
    now = timezone.now()
    with transaction.atomic():
        FailingAddress.objects.get_or_create(email=address.lower())
        failing = FailingAddress.objects.select_for_update().get(email=address.lower())
        failing.failures += 1
        failing.last_error = error[:ERROR_MAX_LENGTH]
        failing.last_failed_at = now
        if failing.blocked_at is None and (block or failing.failures >= FAILURES_BEFORE_BLOCK):
            failing.blocked_at = now
        failing.save()
    return failing


# --- rendering ------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    if not path:
        return ""
    return path if "://" in path else settings.SITE_URL + path


def _language(notification: Notification) -> str:
    recipient = notification.recipient
    language = (recipient.language if recipient is not None else "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _template(notification: Notification) -> str:
    if notification.kind in ("digest", "search_alert"):
        return notification.kind
    if notification.delivery_key.startswith("bundle:"):
        return "bundle"
    return kind_spec(notification.kind).template_name


def _unsubscribe(notification: Notification) -> str:
    prepared = (notification.data or {}).get("prepared") or {}
    if notification.kind == "search_alert":
        return notification.data.get("unsubscribe_url", "")
    if prepared.get("headers", {}).get("List-Unsubscribe"):
        return ""  # the prepared message brings its own
    recipient = notification.recipient
    if recipient is None:
        return ""
    if notification.kind == "digest":
        return unsubscribe_url(recipient, f"digest:{notification.data.get('period', 'daily')}")
    if kind_spec(notification.kind).mandatory:
        return ""
    return unsubscribe_url(recipient, notification.kind)


def _item(row: Notification) -> dict:
    data = row.data or {}
    return {
        "summary": summary(row),
        "url": _absolute(row.path),
        "comment": data.get("comment", ""),
        "at": row.created_at,
    }


def _groups(rows) -> list[dict]:
    """Notifications grouped by what they are about (an initiative, a report…), in order."""
    groups: OrderedDict = OrderedDict()
    for row in rows:
        event = row.event
        if event is not None and event.object_id is not None:
            key = (event.content_type_id, event.object_id)
        else:
            key = ("kind", row.kind)
        data = row.data or {}
        group = groups.get(key)
        if group is None:
            title = data.get("title") or data.get("report") or str(kind_spec(row.kind).label)
            group = groups[key] = {
                "title": title,
                "organisation": data.get("organisation", ""),
                "url": _absolute(row.path),
                "items": [],
            }
        group["items"].append(_item(row))
    return list(groups.values())


def _context(notification: Notification, address: str) -> dict:
    spec = kind_spec(notification.kind)
    data = Data(notification.data or {})
    recipient = notification.recipient
    context = {
        "notification": notification,
        "data": data,
        "kind_label": spec.label,
        "summary": summary(notification),
        "url": _absolute(notification.path),
        "site_url": settings.SITE_URL,
        "portal_name": settings.PORTAL_NAME,
        "recipient": recipient,
        "address": address,
        "unsubscribe_url": _unsubscribe(notification),
        "preferences_url": (
            settings.SITE_URL + reverse("members:notification_preferences") if recipient else ""
        ),
        "mandatory": spec.mandatory,
    }
    if notification.kind == "digest":
        items = notification.items.select_related("event").order_by("created_at", "pk")
        recap = (
            Notification.objects.filter(pk__in=data.get("recap") or [])
            .select_related("event")
            .order_by("created_at", "pk")
        )
        context["groups"] = _groups(items)
        context["recap_groups"] = _groups(recap)
        context["period"] = data.get("period", "daily")
    elif notification.delivery_key.startswith("bundle:"):
        context["items"] = [_item(row) for row in notification.items.order_by("created_at", "pk")]
    hook = CONTEXTS.get(notification.kind)
    if hook is not None:
        context.update(hook(notification))
    return context


def _subject(notification: Notification) -> str:
    spec = kind_spec(notification.kind)
    data = dict(notification.data or {})
    if notification.delivery_key.startswith("bundle:"):
        return format_text(spec.bundle_subject, data)
    return format_text(spec.subject, data)


def _message_id(notification: Notification) -> str:
    """The same on every attempt, so a mailbox that got it twice can tell."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{host}>"


def build_message(
    notification: Notification, address: str, *, connection=None
) -> EmailMultiAlternatives:
    """The email of a notification, in the recipient's language (French by default)."""
    prepared = (notification.data or {}).get("prepared")
    with translation.override(_language(notification)):
        context = _context(notification, address)
        if prepared:
            subject, text = prepared["subject"], prepared["text"]
            html = prepared.get("html") or render_to_string(
                "notifications/email/message.html",
                {**context, "body_html": mark_safe(linebreaks(text, autoescape=True))},  # noqa: S308 - escaped
            )
        else:
            template = _template(notification)
            subject = _subject(notification)
            text = render_to_string(f"notifications/email/{template}.txt", context)
            html = render_to_string(f"notifications/email/{template}.html", context)
    headers = {"Message-ID": _message_id(notification), "Auto-Submitted": "auto-generated"}
    if prepared:
        headers.update(prepared.get("headers") or {})
    unsubscribe = context["unsubscribe_url"]
    if unsubscribe:
        # RFC 8058: mail clients offer a button that POSTs to this address.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split()),  # one header line, whatever a title holds
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    # A context hook may add files, e.g. a calendar invitation: (filename, content, mimetype).
    for filename, content, mimetype in context.get("attachments") or ():
        message.attach(filename, content, mimetype)
    return message


# --- the sweep, resending -------------------------------------------------------------------


def undelivered(now=None, older_than: timedelta | None = None):
    """Email rows that should have gone out by now: never picked up (the broker was down,
    the message was lost), a retry that never came, or a send whose worker died."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    cutoff = now - older_than
    waiting = Q(status=Status.PENDING, digest="", created_at__lte=cutoff) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff)
    )
    stale = Q(status=Status.SENDING, lease_expires_at__lt=now)
    return Notification.objects.filter(waiting | stale, channel=EMAIL)


def undelivered_sweep(*, now=None, older_than: timedelta | None = None) -> dict[str, int]:
    """Queue again what is still undelivered (oldest first, in batches)."""
    ids = list(
        undelivered(now, older_than)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return {"found": len(ids), "queued": enqueue(ids) if ids else 0}


def resend(ids) -> int:
    """Send failed (or any) email notifications again, from a fresh count of attempts."""
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(pk__in=list(ids), channel=EMAIL)
            .exclude(status__in=[Status.BUNDLED, Status.SENDING])
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=rows).update(
            status=Status.PENDING,
            digest="",
            attempts=0,
            next_attempt_at=None,
            lease_expires_at=None,
        )
        schedule(rows)
    return len(rows)


# --- digests --------------------------------------------------------------------------------


def digests_send(period: str, *, now=None) -> dict[str, int]:
    """Send the daily or weekly digests: for each user, what was kept for this digest since
    the last one, grouped by initiative, plus a recap of the at-once emails if they asked.

    Idempotent: each user's digest is written under a lock on their settings row, and what
    it carries leaves the pending state, so a second run finds nothing to send.
    """
    if period not in DIGEST_PERIODS:
        raise ValueError(f"unknown digest period {period!r}")
    now = now or timezone.now()
    users = set(
        Notification.objects.filter(channel=EMAIL, digest=period, status=Status.PENDING)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    users |= set(
        NotificationSettings.objects.filter(recap=period).values_list("user_id", flat=True)
    )
    users.discard(None)
    sent = 0
    for user_id in sorted(users):
        if _digest_for(user_id, period, now):
            sent += 1
    return {"users": len(users), "sent": sent}


def _digest_for(user_id: int, period: str, now) -> bool:
    field = f"last_{period}_digest_at"
    with transaction.atomic():
        NotificationSettings.objects.get_or_create(user_id=user_id)
        state = (
            NotificationSettings.objects.select_for_update()
            .select_related("user")
            .get(user_id=user_id)
        )
        since = getattr(state, field) or (now - PERIOD_LENGTH[period])
        kept = Notification.objects.filter(
            recipient_id=user_id,
            channel=EMAIL,
            digest=period,
            status=Status.PENDING,
            created_at__lte=now,
        )
        user = state.user
        if not user.is_active or user.anonymised_at is not None:
            kept.update(status=Status.CANCELLED)
            return False
        items = list(kept.values_list("pk", flat=True))
        recap: list[int] = []
        if state.recap == period:
            recap = list(
                Notification.objects.filter(
                    recipient_id=user_id,
                    channel=EMAIL,
                    digest="",
                    created_at__gt=since,
                    created_at__lte=now,
                    status__in=[Status.SENT, Status.BUNDLED, Status.PENDING, Status.SENDING],
                )
                .exclude(kind__in=RECAP_EXCLUDED)
                .exclude(delivery_key__startswith="bundle:")
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
        setattr(state, field, now)
        state.save(update_fields=[field])
        if not items and not recap:
            return False
        carrier = Notification.objects.create(
            recipient_id=user_id,
            kind="digest",
            channel=EMAIL,
            status=Status.PENDING,
            delivery_key=f"digest:{user_id}:{period}:{now.isoformat()}",
            data={
                "period": period,
                "count": len(items) + len(recap),
                "recap": recap,
                "since": since.isoformat(),
            },
        )
        Notification.objects.filter(pk__in=items).update(status=Status.BUNDLED, bundle=carrier)
        schedule([carrier.pk])
    return True
