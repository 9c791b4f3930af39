"""Daily and weekly digests: what each person chose to hear of that way, in one email.

A digest is itself a notification (kind `digest`), delivered like any other (retried, swept);
the notifications it carries are marked as bundled into it. Sent by
members.notifications.tasks.send_digests (settings.CELERY_BEAT_SCHEDULE).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from members.models import Notification, NotificationSettings
from members.notifications.outbox import schedule
from members.notifications.preferences import DIGEST_PERIODS, unsubscribe_url
from members.notifications.registry import KINDS, register_kind
from members.notifications.rendering import BUNDLE_PREFIX, groups

DIGEST = "digest"
Status = Notification.Status
EMAIL = Notification.Channel.EMAIL
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# At-once emails a digest recaps for those who asked: all but those to keep out of a recap.
RECAP_STATUSES = [Status.SENT, Status.BUNDLED, Status.PENDING, Status.SENDING]


def digest_context(notification: Notification) -> dict:
    """What the digest templates show: its notifications grouped by what they are about,
    the recap, and the link stopping this digest."""
    data = notification.data or {}
    period = data.get("period", "daily")
    items = notification.items.select_related("event").order_by("created_at", "pk")
    recap = (
        Notification.objects.filter(pk__in=data.get("recap") or [])
        .select_related("event")
        .order_by("created_at", "pk")
    )
    context = {"groups": groups(items), "recap_groups": groups(recap), "period": period}
    if notification.recipient is not None:
        context["unsubscribe_url"] = unsubscribe_url(notification.recipient, f"digest:{period}")
    return context


def register() -> None:
    register_kind(
        DIGEST,
        label=_("Récapitulatif"),
        subject=ngettext_lazy(
            "Votre récapitulatif du comité : %(count)s notification",
            "Votre récapitulatif du comité : %(count)s notifications",
            "count",
        ),
        summary=ngettext_lazy(
            "Récapitulatif de %(count)s notification.",
            "Récapitulatif de %(count)s notifications.",
            "count",
        ),
        context=digest_context,
        preferences=False,
        recap=False,
    )


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
                    status__in=RECAP_STATUSES,
                )
                .exclude(kind__in=[kind for kind, spec in KINDS.items() if not spec.recap])
                .exclude(delivery_key__startswith=BUNDLE_PREFIX)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
        setattr(state, field, now)
        state.save(update_fields=[field])
        if not items and not recap:
            return False
        carrier = Notification.objects.create(
            recipient_id=user_id,
            kind=DIGEST,
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
