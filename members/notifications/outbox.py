"""The outbox: every notification is a row, written in the caller's transaction.

`event_record` (members.services) calls `event_fan_out` in the caller's transaction, which
asks the event kind's `recipients` rule (registry) who is told, and writes:

- one in-app row per user recipient (the notification centre, /notifications/);
- one email row per recipient, unless the user turned that kind off: sent at once, or kept
  for the daily or weekly digest, as their preference says.

Emails outside any event (digests, search alerts and confirmations, account notices, the
officials' weekly digest) are rows too (`notification_queue`, `notification_send`), to a user
or to an address without an account. Once the transaction commits, the delivery of the
at-once emails is queued on Celery (members.notifications.delivery), which sends each once,
retries, and sweeps what was left. See docs/notifications.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from members.models import Event, Notification, User
from members.notifications.centre import forget_unread_counts
from members.notifications.delivery import enqueue
from members.notifications.preferences import Mode, mode_for, modes_for
from members.notifications.registry import Recipient, kind_spec, person, registered

logger = logging.getLogger(__name__)

DELIVERY_KEY_MAX_LENGTH = 200


# --- the notifications of an event ----------------------------------------------------------


def _recipients(event: Event, found) -> list[Recipient]:
    """Active people, each once, never the person who acted."""
    actor = event.actor
    seen: set = set()
    kept = []
    for recipient in found:
        user = recipient.user
        if user is not None:
            if not user.is_active or user.anonymised_at is not None or not user.email:
                continue
            key = user.email.lower()
            if actor is not None and user.pk == actor.pk:
                continue
        else:
            key = (recipient.email or "").strip().lower()
            if not key:
                continue
        if actor is not None and key == (actor.email or "").lower():
            continue
        if key in seen:
            continue
        seen.add(key)
        kept.append(recipient)
    return kept


def event_fan_out(event: Event) -> list[Notification]:
    """Write the notifications of an event, in the caller's transaction.

    A broken rule must not undo the change being recorded: it is logged, and the change
    goes through without its notifications.
    """
    rule = kind_spec(event.kind).recipients
    if rule is None:  # recorded, nobody is told
        return []
    try:
        with transaction.atomic():
            return _fan_out(event, rule)
    except Exception:
        logger.exception("Notifications of event %s (%s) not written", event.pk, event.kind)
        return []


def _fan_out(event: Event, rule) -> list[Notification]:
    recipients = _recipients(event, rule(event))
    if not recipients:
        return []
    spec = kind_spec(event.kind)
    user_ids = [r.user.pk for r in recipients if r.user is not None]
    modes = modes_for(user_ids, event.kind)
    now = timezone.now()
    base = {"actor": person(event.actor)}
    rows = []
    for recipient in recipients:
        data = {**base, **recipient.data}
        user = recipient.user
        if user is not None:
            who = f"u{user.pk}"
            rows.append(
                Notification(
                    recipient=user,
                    event=event,
                    kind=event.kind,
                    channel=Notification.Channel.IN_APP,
                    status=Notification.Status.SENT,
                    sent_at=now,
                    delivery_key=f"event:{event.pk}:in_app:{who}",
                    path=recipient.path,
                    data=data,
                    created_at=now,
                )
            )
            mode = Mode.IMMEDIATE if spec.mandatory else modes.get(user.pk, Mode.IMMEDIATE)
        else:
            who = recipient.email.strip().lower()
            mode = Mode.IMMEDIATE
        if mode == Mode.OFF:
            continue
        rows.append(
            Notification(
                recipient=user,
                email="" if user is not None else who,
                event=event,
                kind=event.kind,
                channel=Notification.Channel.EMAIL,
                digest="" if mode == Mode.IMMEDIATE else mode,
                status=Notification.Status.PENDING,
                delivery_key=f"event:{event.pk}:email:{who}",
                path=recipient.path,
                data=data,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows)
    schedule(
        [row.pk for row in rows if row.channel == Notification.Channel.EMAIL and not row.digest]
    )
    forget_unread_counts(user_ids)
    return rows


# --- sending later: after commit, or grouped -------------------------------------------------

_bundle: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "notification_bundle", default=None
)


def schedule(ids: list[int]) -> None:
    """Queue the delivery of these email rows once the transaction commits."""
    if not ids:
        return
    collected = _bundle.get()
    if collected is not None:
        collected.extend(ids)
        return
    transaction.on_commit(functools.partial(enqueue, list(ids)))


@contextlib.contextmanager
def bundled():
    """Group the at-once emails written inside the block: one email per recipient and kind.

    For bulk actions (assigning ten initiatives to a colleague sends one email listing
    them). Use inside the caller's transaction; in-app rows stay one per event.
    """
    if _bundle.get() is not None:  # already grouping
        yield
        return
    collected: list[int] = []
    token = _bundle.set(collected)
    try:
        yield
    finally:
        _bundle.reset(token)
    _bundle_flush(collected)


def _bundle_flush(ids: list[int]) -> None:
    # Rows written inside a savepoint that rolled back are gone: read what exists.
    rows = list(
        Notification.objects.filter(pk__in=ids, status=Notification.Status.PENDING).order_by("pk")
    )
    groups: dict[tuple, list[Notification]] = {}
    for row in rows:
        groups.setdefault((row.recipient_id, row.email, row.kind), []).append(row)
    single = []
    for (recipient_id, email, kind), items in groups.items():
        if len(items) == 1:
            single.append(items[0].pk)
            continue
        carrier = Notification.objects.create(
            recipient_id=recipient_id,
            email=email,
            kind=kind,
            channel=Notification.Channel.EMAIL,
            status=Notification.Status.PENDING,
            delivery_key=f"bundle:{uuid.uuid4().hex}",
            data={"count": len(items), "actor": items[0].data.get("actor", "")},
        )
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(
            status=Notification.Status.BUNDLED, bundle=carrier
        )
        single.append(carrier.pk)
    schedule(single)


# --- emails outside any event ---------------------------------------------------------------


def notification_queue(
    *,
    kind: str,
    delivery_key: str,
    user: User | None = None,
    email: str = "",
    language: str = "",
    path: str = "",
    data: dict | None = None,
) -> Notification | None:
    """Queue one email of a registered `kind` outside any event: rendered from
    notifications/email/<kind>.txt|html with `data`, delivered after commit like every
    notification (retried, swept, never to a failing address).

    To a user (their current address and language are read when sending), or to an
    address without an account, written in `language` (the active one by default).
    At most one email per `delivery_key`: a second call with the same key does nothing and
    returns None, as does a kind the user turned off.
    """
    registered(kind)
    address = (email or "").strip().lower()
    if user is None and not address:
        raise ValueError("a notification needs a user or an address")
    if user is not None and mode_for(user, kind) == Mode.OFF:
        return None
    data = dict(data or {})
    if user is None:
        data.setdefault("language", language or _active_language())
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                email="" if user is not None else address,
                kind=kind,
                channel=Notification.Channel.EMAIL,
                status=Notification.Status.PENDING,
                delivery_key=delivery_key[:DELIVERY_KEY_MAX_LENGTH],
                path=path,
                data=data,
            )
    except IntegrityError:
        return None
    schedule([notification.pk])
    return notification


def notification_send(
    *,
    kind: str,
    subject: str,
    text: str,
    delivery_key: str,
    html: str = "",
    user: User | None = None,
    email: str = "",
    path: str = "",
    headers: dict | None = None,
) -> Notification | None:
    """Queue one prepared email (subject and body already written, in the recipient's
    language), delivered like any notification; see `notification_queue`."""
    prepared = {"subject": subject, "text": text, "html": html, "headers": headers or {}}
    return notification_queue(
        kind=kind,
        delivery_key=delivery_key,
        user=user,
        email=email,
        path=path,
        data={"prepared": prepared},
    )


def _active_language() -> str:
    return (translation.get_language() or "").split("-")[0]
