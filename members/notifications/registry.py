"""The kinds of notification, as the apps declare them.

Each app declares the kinds it records or sends in its own `notifications.py` (members' own in
members.notifications.accounts) and registers them from its AppConfig.ready(): the label,
what the email and the notification centre say, who is told (`recipients`), whether people may
choose how to hear of it. This module imports no app and no model: the kinds of the apps above
`members` plug into it without `members` knowing them.

An `Event` of a kind nobody registered is refused (members.services.event_record): the kind
column has no fixed list of choices, the registry is the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from members.models import Event, Notification, User

# The width of the kind columns (Event, Notification, NotificationPreference).
KIND_MAX_LENGTH = 30
ASSOCIATION = "association"
MINISTRY = "ministry"


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


class UnknownKind(ValueError):
    """A kind no app registered."""


@dataclass(frozen=True)
class Kind:
    """What a kind of notification says and who hears of it.

    Texts are %-formatted with the notification's data. A kind without `subject` is only
    recorded (an Event kind nobody is told of). Emails are rendered from
    templates/notifications/email/<template or kind>.txt|html.
    """

    kind: str
    label: Any
    subject: Any = ""
    summary: Any = ""
    # recipients(event) → Recipients: who is told of an event of this kind.
    recipients: Callable[[Event], Iterable[Recipient]] | None = None
    # context(notification) → dict: added to the email's template context when it is
    # rendered (what must not be stored, such as a link with a token); may raise
    # NotificationCancelled.
    context: Callable[[Notification], dict] | None = None
    audience: Any = ""
    mandatory: bool = False
    # Offered on the preferences page (kinds about accounts or visitors are not).
    preferences: bool = True
    # Listed in the recap of at-once emails that digests may carry.
    recap: bool = True
    # Subject of one email grouping several notifications of this kind (bulk actions).
    bundle_subject: Any = _("%(count)s notifications")
    template: str = ""
    # Who may receive it, to offer the choice only to them: association staff, officials.
    sides: tuple[str, ...] = (ASSOCIATION, MINISTRY)

    @property
    def template_name(self) -> str:
        return self.template or self.kind

    @property
    def notified(self) -> bool:
        return bool(self.subject)


KINDS: dict[str, Kind] = {}


def register_kind(kind: str, *, label, **spec) -> Kind:
    """Declare a kind (from an AppConfig.ready()). Registering it again replaces it."""
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"a kind is 1 to {KIND_MAX_LENGTH} characters: {kind!r}")
    spec.setdefault("preferences", bool(spec.get("subject")))
    KINDS[kind] = Kind(kind=kind, label=label, **spec)
    return KINDS[kind]


def register_recorded(kind: str, *, label) -> Kind:
    """Declare an event kind that is recorded (history, audit) and that nobody is told of."""
    return register_kind(kind, label=label, preferences=False, recap=False)


def registered(kind: str) -> Kind:
    """The declaration of `kind`; raises UnknownKind if no app registered it."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(
            f"unknown notification kind {kind!r}: declare it in its app's notifications.py "
            "and register it from the app's ready()"
        ) from None


def kind_spec(kind: str) -> Kind:
    """The declaration of `kind`, or a stand-in naming it (rows written before a kind was
    withdrawn still display)."""
    return KINDS.get(kind) or Kind(kind=kind, label=kind, subject=kind, summary=kind)


def kind_label(kind: str) -> str:
    return str(kind_spec(kind).label)


# --- texts ----------------------------------------------------------------------------------


class Data(dict):
    """A notification's data for %-formatting: a missing key reads as an empty string."""

    def __missing__(self, key):
        return ""


def format_text(text, data: Mapping) -> str:
    """`text` %-formatted with `data`. A text made with `ngettext_lazy(singular, plural,
    "count")` takes the form that `data["count"]` asks for ("1 nouvelle initiative")."""
    try:
        return str(text % Data(data))
    except (TypeError, ValueError, KeyError):  # a translation with a broken placeholder
        return str(text)


def summary(notification: Notification) -> str:
    """One line saying what happened, in the active language."""
    data = dict(notification.data or {})
    data.setdefault("count", 1)
    return format_text(kind_spec(notification.kind).summary, data)


def person(user) -> str:
    """How a message names someone who acted (the secretariat when nobody did)."""
    if user is None:
        return str(_("Le secrétariat du comité"))
    return user.get_full_name() or user.email


# --- what recipient rules read --------------------------------------------------------------


def event_target(event: Event):
    """The object an event is about (None if it was deleted since)."""
    cached = getattr(event, "_target_cache", None)
    if cached is not None:
        return cached
    if event.content_type_id is None or event.object_id is None:
        return None
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    if model is None:
        return None
    event._target_cache = model._default_manager.filter(pk=event.object_id).first()
    return event._target_cache
