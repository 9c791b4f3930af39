"""Who hears of what, and how: kinds, recipient rules, preferences and the outbox.

Apps register, for each kind of event, a rule naming its recipients (`register_rule`; the
initiatives' rules are registered by initiatives.apps, the committee's by committee.apps, so
this module imports no app above `members`). `event_record` (members.services) calls
`event_fan_out` in the caller's transaction, which writes:

- one in-app row per user recipient (the notification centre, /notifications/);
- one email row per recipient, unless the user turned that kind off: sent at once, or kept
  for the daily or weekly digest, as their preference says.

Email rows are the outbox: once the transaction commits, their delivery is queued on Celery
(members.tasks.deliver_notification); members.notifications_delivery renders and sends them,
and a periodic sweep queues again whatever is still undelivered. See docs/notifications.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import (
    Event,
    Notification,
    NotificationPreference,
    NotificationSettings,
    User,
)

logger = logging.getLogger(__name__)

Mode = NotificationPreference.Mode
MANDATORY_KINDS = frozenset({Event.Kind.INVITED, "security"})
DIGEST_PERIODS = (Notification.Digest.DAILY, Notification.Digest.WEEKLY)
# Publishing to an unreachable broker gives up quickly: the sweep sends it later.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Emails per delivery task: one mail-server connection for them, well within the time limit.
DELIVERY_BATCH = 20
UNREAD_CACHE_SECONDS = 60
UNSUBSCRIBE_SALT = "members.notifications.unsubscribe"


# --- kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindSpec:
    """What a kind of notification says. Texts are formatted with the notification's data."""

    kind: str
    label: str
    subject: str
    summary: str
    audience: str = ""
    mandatory: bool = False
    # Shown on the preferences page (kinds about accounts or visitors are not).
    preferences: bool = True
    # Subject of one email grouping several notifications of this kind (bulk actions).
    bundle_subject: str = _("%(count)s notifications")
    template: str = ""
    # Who may receive it, to offer the choice only to them: association staff, officials.
    sides: tuple[str, ...] = ("association", "ministry")

    @property
    def template_name(self) -> str:
        return self.template or self.kind


KINDS: dict[str, KindSpec] = {}


def register_kind(kind: str, **spec) -> KindSpec:
    spec.setdefault("mandatory", kind in MANDATORY_KINDS)
    KINDS[kind] = KindSpec(kind=kind, **spec)
    return KINDS[kind]


def kind_spec(kind: str) -> KindSpec:
    return KINDS.get(kind) or KindSpec(kind=kind, label=kind, subject=kind, summary=kind)


class Data(dict):
    """A notification's data for %-formatting: a missing key reads as an empty string."""

    def __missing__(self, key):
        return ""


def format_text(text, data: Mapping) -> str:
    try:
        return str(text) % Data(data)
    except (TypeError, ValueError):  # a translation with a broken placeholder
        return str(text)


_INITIATIVE_ASSOCIATION = _("L'auteur de l'initiative et les administrateurs de son association")
_OFFICIALS = _("Les instructeurs et le secrétariat du ministère")

register_kind(
    Event.Kind.SUBMITTED,
    label=_("Initiative soumise à l'instruction"),
    subject=_("Initiative soumise à l'instruction : %(title)s"),
    summary=_("%(actor)s a soumis « %(title)s » (%(organisation)s) à l'instruction."),
    audience=_("Les administrateurs de l'association et les agents du ministère"),
    bundle_subject=_("%(count)s initiatives soumises à l'instruction"),
)
register_kind(
    Event.Kind.ASSIGNED,
    sides=("ministry",),
    label=_("Initiative à instruire"),
    subject=_("Initiative à instruire : %(title)s"),
    summary=_("%(actor)s vous a confié l'instruction de « %(title)s » (%(organisation)s)."),
    audience=_("L'agent du ministère à qui l'initiative est confiée"),
    bundle_subject=_("%(count)s initiative(s) à instruire"),
)
register_kind(
    Event.Kind.CHANGES_REQUESTED,
    sides=("association",),
    label=_("Modifications demandées"),
    subject=_("Modifications demandées : %(title)s"),
    summary=_("Le ministère demande des modifications de « %(title)s »."),
    audience=_INITIATIVE_ASSOCIATION,
)
register_kind(
    Event.Kind.PUBLISHED,
    sides=("association",),
    label=_("Initiative publiée"),
    subject=_("Initiative publiée : %(title)s"),
    summary=_("« %(title)s » est publiée dans le catalogue du comité."),
    audience=_INITIATIVE_ASSOCIATION,
)
register_kind(
    Event.Kind.REJECTED,
    sides=("association",),
    label=_("Initiative refusée"),
    subject=_("Initiative refusée : %(title)s"),
    summary=_("Le ministère a refusé de publier « %(title)s »."),
    audience=_INITIATIVE_ASSOCIATION,
)
register_kind(
    Event.Kind.UNPUBLISHED,
    sides=("association",),
    label=_("Initiative dépubliée pour réexamen"),
    subject=_("Initiative dépubliée pour réexamen : %(title)s"),
    summary=_("« %(title)s » est retirée du catalogue le temps d'un nouvel examen."),
    audience=_INITIATIVE_ASSOCIATION,
)
register_kind(
    Event.Kind.COMMENTED,
    label=_("Nouveau message dans une discussion"),
    subject=_("Nouveau message : %(title)s"),
    summary=_("%(actor)s a écrit dans la discussion de « %(title)s »."),
    audience=_("L'autre partie de la discussion privée d'une initiative"),
    bundle_subject=_("%(count)s nouveaux messages"),
)
register_kind(
    Event.Kind.REPORT_READY,
    sides=("ministry",),
    label=_("Rapport prêt"),
    subject=_("Votre rapport est prêt : %(report)s"),
    summary=_("Le rapport « %(report)s » que vous avez commandé est prêt."),
    audience=_("L'agent qui a commandé le rapport"),
)
register_kind(
    Event.Kind.INVITED,
    label=_("Invitation"),
    subject=_("Invitation à rejoindre %(organisation)s sur le portail du comité"),
    summary=_("Invitation à rejoindre %(organisation)s."),
    preferences=False,
)
register_kind(
    "security",
    label=_("Sécurité du compte"),
    subject=_("Sécurité de votre compte"),
    summary=_("Message sur la sécurité de votre compte."),
    audience=_("Vous"),
)
register_kind(
    "digest",
    label=_("Récapitulatif"),
    subject=_("Votre récapitulatif du comité : %(count)s notification(s)"),
    summary=_("Récapitulatif de %(count)s notification(s)."),
    preferences=False,
)
register_kind(
    "search_alert",
    label=_("Alerte de recherche"),
    subject=_("%(count)s nouvelle(s) initiative(s) pour votre recherche"),
    summary=_("%(count)s nouvelle(s) initiative(s) correspondent à votre recherche."),
    preferences=False,
)


# --- recipient rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: a user, or an address without an account (an invitee).

    `path` is the link to the object as this recipient sees it (the workspace for the
    association, the review for officials); `data` what the message says.
    """

    user: User | None = None
    email: str = ""
    path: str = ""
    data: Mapping = field(default_factory=dict)


class NotificationCancelled(Exception):
    """Raised by a context hook when the email no longer makes sense (e.g. the invitation
    was accepted meanwhile): the notification is cancelled, not sent."""


RULES: dict[str, Callable[[Event], Iterable[Recipient]]] = {}
CONTEXTS: dict[str, Callable[[Notification], dict]] = {}


def register_rule(
    kind: str,
    func: Callable[[Event], Iterable[Recipient]],
    *,
    context: Callable[[Notification], dict] | None = None,
) -> None:
    """Say who hears of events of `kind`. `context(notification)`, if given, adds to the
    email's template context when it is rendered (e.g. a link that must not be stored)."""
    RULES[kind] = func
    if context is not None:
        CONTEXTS[kind] = context


def event_target(event: Event):
    """The object an event is about (None if it was deleted since)."""
    cached = getattr(event, "_target_cache", None)
    if cached is not None:
        return cached
    if event.content_type_id is None or event.object_id is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    if model is None:
        return None
    event._target_cache = model._default_manager.filter(pk=event.object_id).first()
    return event._target_cache


def _person(user) -> str:
    if user is None:
        return str(_("Le secrétariat du comité"))
    return user.get_full_name() or user.email


def _recipients(event: Event, found: Iterable[Recipient]) -> list[Recipient]:
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
    rule = RULES.get(event.kind)
    if rule is None:
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
    base = {"actor": _person(event.actor)}
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


def enqueue(ids: list[int]) -> int:
    """Hand deliveries to the broker, DELIVERY_BATCH emails per task; never raises (what
    the broker refuses stays pending, and the sweep sends it later). Returns how many
    notifications were queued."""
    from kombu.exceptions import OperationalError as BrokerError

    from members.tasks import deliver_notifications

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


def notification_queue(
    *,
    kind: str,
    delivery_key: str,
    user: User | None = None,
    email: str = "",
    path: str = "",
    data: dict | None = None,
) -> Notification | None:
    """Queue one email of `kind` outside any event (digests, search alerts…): rendered
    from notifications/email/<kind>.txt|html with `data`, delivered after commit like every
    notification (retried, swept).

    At most one email per `delivery_key`: a second call with the same key does nothing and
    returns None, as does a kind the user turned off.
    """
    if user is None and not email:
        raise ValueError("a notification needs a user or an address")
    if user is not None and mode_for(user, kind) == Mode.OFF:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                email="" if user is not None else email.strip().lower(),
                kind=kind,
                channel=Notification.Channel.EMAIL,
                status=Notification.Status.PENDING,
                delivery_key=delivery_key[:200],
                path=path,
                data=data or {},
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


# --- preferences ----------------------------------------------------------------------------


def modes_for(user_ids: list[int], kind: str) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "mode"
        )
    )


def mode_for(user: User, kind: str) -> str:
    if kind_spec(kind).mandatory:
        return Mode.IMMEDIATE
    return modes_for([user.pk], kind).get(user.pk, Mode.IMMEDIATE)


def preference_kinds(user: User | None = None) -> list[KindSpec]:
    """The kinds a user may choose for (those their roles can receive), in the order they
    were registered."""
    sides = _sides(user) if user is not None else set()
    return [
        spec
        for spec in KINDS.values()
        if spec.preferences and (not sides or sides & set(spec.sides))
    ]


def _sides(user: User) -> set[str]:
    from members.permissions import actor_for

    actor = actor_for(user)
    sides = set()
    if actor.is_official:
        sides.add("ministry")
    if actor.staff_organisation_ids:
        sides.add("association")
    return sides


def preferences_for(user: User) -> list[tuple[KindSpec, str]]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return [
        (spec, Mode.IMMEDIATE if spec.mandatory else chosen.get(spec.kind, Mode.IMMEDIATE))
        for spec in preference_kinds(user)
    ]


def preference_set(*, user: User, kind: str, mode: str) -> None:
    """Choose how to hear of `kind`; mandatory kinds are always sent at once."""
    if mode not in Mode.values:
        raise ValueError(f"unknown mode {mode!r}")
    if kind_spec(kind).mandatory:
        return
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def settings_for(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def recap_set(*, user: User, recap: str) -> None:
    if recap not in ("", *DIGEST_PERIODS):
        raise ValueError(f"unknown recap {recap!r}")
    NotificationSettings.objects.update_or_create(user=user, defaults={"recap": recap})


# --- one-click unsubscribe ------------------------------------------------------------------


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str) -> str:
    token = unsubscribe_token(user, kind)
    return settings.SITE_URL + reverse("members:notification_unsubscribe", args=[token])


def unsubscribe_target(token: str) -> tuple[User, str] | None:
    """The user and kind a link was made for, or None if it was tampered with."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not isinstance(kind, str):
        return None
    if not kind.startswith("digest:") and kind not in KINDS:
        return None
    return user, kind


def unsubscribe_label(kind: str) -> str:
    if kind.startswith("digest:"):
        period = kind.split(":", 1)[1]
        return str(Notification.Digest(period).label) if period in DIGEST_PERIODS else kind
    return str(kind_spec(kind).label)


@transaction.atomic
def unsubscribe(*, user: User, kind: str) -> None:
    """Stop emails of `kind` (a digest link stops that digest). Idempotent."""
    if kind.startswith("digest:"):
        period = kind.split(":", 1)[1]
        NotificationPreference.objects.filter(user=user, mode=period).update(mode=Mode.OFF)
        NotificationSettings.objects.filter(user=user, recap=period).update(recap="")
        return
    preference_set(user=user, kind=kind, mode=Mode.OFF)


# --- the notification centre ----------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    """In-app notifications not read yet: one indexed COUNT, cached for a minute."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(
            recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
        ).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    keys = [_unread_key(pk) for pk in set(user_ids)]
    if not keys:
        return

    def forget():
        try:
            cache.delete_many(keys)
        except Exception:  # a cache outage only delays the badge by a minute
            logger.warning("Unread counts not invalidated", exc_info=True)

    # Now, and again once committed (a page read in between may have cached the old count).
    forget()
    transaction.on_commit(forget)


def in_app_for(user: User):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one (or every) in-app notification of the user as read; returns how many."""
    unread = in_app_for(user).filter(read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    with transaction.atomic():
        count = unread.update(read_at=timezone.now())
        forget_unread_counts([user.pk])
    return count


def summary(notification: Notification) -> str:
    """One line saying what happened, in the active language."""
    data = dict(notification.data or {})
    data.setdefault("count", 1)
    return format_text(kind_spec(notification.kind).summary, data)


# --- the rules of members' own events -------------------------------------------------------


def _invited(event: Event) -> list[Recipient]:
    """The invitee, at the invited address: they have no account yet."""
    invitation = event_target(event)
    if invitation is None:
        return []
    organisation = invitation.organisation
    return [
        Recipient(
            email=invitation.email,
            data={
                "organisation": organisation.acronym,
                "organisation_name": organisation.name,
                "invitation": invitation.pk,
                "inviter": _person(invitation.invited_by) if invitation.invited_by else "",
            },
        )
    ]


def _invited_context(notification: Notification) -> dict:
    from members.models import Invitation
    from members.services import invitation_email_context

    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=(notification.data or {}).get("invitation"))
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise NotificationCancelled
    return invitation_email_context(invitation)


register_rule(Event.Kind.INVITED, _invited, context=_invited_context)
