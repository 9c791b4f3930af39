"""How each person wants to hear of each kind: at once, in a daily or weekly digest, or never
by email; the recap of at-once emails; the signed one-click unsubscribe links.

No row means at once. Mandatory kinds (invitations, account security) are always sent at once
and have no unsubscribe link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from members.models import Notification, NotificationPreference, NotificationSettings, User
from members.notifications.registry import ASSOCIATION, KINDS, MINISTRY, Kind, kind_spec
from members.permissions import actor_for

Mode = NotificationPreference.Mode
DIGEST_PERIODS = (Notification.Digest.DAILY, Notification.Digest.WEEKLY)
UNSUBSCRIBE_SALT = "members.notifications.unsubscribe"


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


def preference_kinds(user: User | None = None) -> list[Kind]:
    """The kinds a user may choose for (those their roles can receive), in the order they
    were registered."""
    sides = _sides(user) if user is not None else set()
    return [
        spec
        for spec in KINDS.values()
        if spec.preferences and (not sides or sides & set(spec.sides))
    ]


def _sides(user: User) -> set[str]:
    actor = actor_for(user)
    sides = set()
    if actor.is_official:
        sides.add(MINISTRY)
    if actor.staff_organisation_ids:
        sides.add(ASSOCIATION)
    return sides


def preferences_for(user: User) -> list[tuple[Kind, str]]:
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
