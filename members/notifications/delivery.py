"""Sending notification emails: queued on Celery, claimed, sent, retried, swept.

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

The delivery tasks live here, beside what they run, because the outbox (which writes the
rows) queues them: members.notifications.tasks holds the periodic jobs, which sit above both.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from members.models import FailingAddress, Notification
from members.notifications.registry import NotificationCancelled
from members.notifications.rendering import build_message

logger = logging.getLogger(__name__)

Status = Notification.Status
EMAIL = Notification.Channel.EMAIL
ERROR_MAX_LENGTH = 2000
FAILURES_BEFORE_BLOCK = 3
RETRY_MAX_SECONDS = 60 * 60
# A retry message may arrive a little before the time written on the row (clock skew).
CLAIM_SLACK = timedelta(seconds=2)
SWEEP_BATCH = 2000
# Publishing to an unreachable broker gives up quickly: the sweep sends it later.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Emails per delivery task: one mail-server connection for them, well within the time limit.
DELIVERY_BATCH = 20
DELIVERY_SOFT_TIME_LIMIT = 60
DELIVERY_TIME_LIMIT = 90  # below NOTIFICATION_LEASE_SECONDS: a killed run's lease runs out


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
        transaction.on_commit(functools.partial(enqueue, rows))
    return len(rows)


# --- the tasks, and handing them to the broker ---------------------------------------------
# Every task here is idempotent: Celery delivers at least once (acks late, rejected on
# worker loss). Countdowns stay far below the broker's visibility timeout (settings).
# Task names are those of members/tasks.py, where they were first: messages already queued
# (a retry waits up to an hour) still find their task.


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


def enqueue(ids: list[int]) -> int:
    """Hand deliveries to the broker, DELIVERY_BATCH emails per task; never raises (what
    the broker refuses stays pending, and the sweep sends it later). Returns how many
    notifications were queued."""
    ids = list(ids)
    queued = 0
    for start in range(0, len(ids), DELIVERY_BATCH):
        batch = ids[start : start + DELIVERY_BATCH]
        try:
            deliver_notifications.apply_async(
                (batch,), retry=True, retry_policy=ENQUEUE_RETRY_POLICY
            )
        except (BrokerError, ConnectionError, OSError):
            logger.warning(
                "Broker unavailable: %s notification(s) left for the sweep",
                len(ids) - queued,
                exc_info=True,
            )
            return queued
        except Exception:  # eager mode runs the task here: its failure is not the caller's
            logger.exception("Delivery of notifications %s failed", batch)
        queued += len(batch)
    return queued
