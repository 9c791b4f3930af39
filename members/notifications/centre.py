"""The notification centre (/notifications/): in-app rows, read marks, the header's unread badge."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from members.models import Notification, User

logger = logging.getLogger(__name__)

UNREAD_CACHE_SECONDS = 60


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
