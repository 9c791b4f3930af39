"""Search alerts: followers of a catalogue search hear of new initiatives that match it.

Once a day (settings.CELERY_BEAT_SCHEDULE), each confirmed subscription gets one email
listing the initiatives published since its last alert that match *exactly* its saved
criteria: the catalogue's own filters (initiatives.catalogue.filters.CatalogueFilterSet) over the
published initiatives. Saved criteria that no longer validate (a code that disappeared)
send nothing rather than a broader list.

The email goes through the notification outbox (members.notifications.outbox; its kind is
declared in committee.public.notifications): retried, swept, never sent to a failing
address. Idempotent: each subscription is handled under a row lock, and `last_notified_at`
moves in the same transaction as the email is written, so a second run finds nothing new.
Initiatives published in the last few minutes wait for the next run (a publication still
committing must not be skipped).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from committee.public.links import subscription_links
from committee.public.models import SearchSubscription
from committee.public.notifications import Kinds
from committee.public.selectors import search_description
from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.selectors import published_initiatives
from members.notifications.outbox import notification_queue

logger = logging.getLogger(__name__)

ALERT_LAG = timedelta(minutes=5)
LISTED = 20


def subscription_matches(subscription: SearchSubscription, *, since, until):
    """Published initiatives matching the saved search, published in (since, until];
    None when the saved criteria are no longer valid."""
    filterset = CatalogueFilterSet(
        dict(subscription.params or {}), queryset=published_initiatives()
    )
    if not filterset.form.is_valid():
        return None
    return (
        filterset.qs.filter(published_at__gt=since, published_at__lte=until)
        .select_related("lead_organisation", "lead_collectivity")
        .order_by("published_at", "pk")
    )


def search_alerts_send(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    until = now - ALERT_LAG
    active = SearchSubscription.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).order_by("pk")
    counts = {"subscriptions": 0, "sent": 0, "invalid": 0}
    for pk in active.values_list("pk", flat=True).iterator():
        counts["subscriptions"] += 1
        try:
            result = _alert(pk, until)
        except Exception:  # one broken subscription must not stop the others
            logger.exception("Search alert of subscription %s failed", pk)
            continue
        if result in counts:
            counts[result] += 1
    return counts


def _alert(pk: int, until) -> str:
    with transaction.atomic():
        subscription = (
            SearchSubscription.objects.select_for_update()
            .filter(pk=pk, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
            .first()
        )
        if subscription is None:
            return "gone"
        since = subscription.last_notified_at or subscription.confirmed_at
        if since >= until:
            return "nothing"
        matches = subscription_matches(subscription, since=since, until=until)
        if matches is None:
            logger.warning("Subscription %s: saved criteria no longer valid", pk)
            return "invalid"
        found = list(matches[: LISTED + 1])
        if not found:
            return "nothing"
        total = len(found) if len(found) <= LISTED else matches.count()
        with translation.override(settings.LANGUAGE_CODE):
            criteria = [
                [str(label), str(value)] for label, value in search_description(subscription.params)
            ]
        links = subscription_links(subscription=subscription)
        notification_queue(
            kind=Kinds.SEARCH_ALERT,
            email=subscription.email,
            language=settings.LANGUAGE_CODE,
            delivery_key=f"search:{subscription.pk}:{until.isoformat()}",
            data={
                "count": total,
                "criteria": criteria,
                "unsubscribe_url": links["unsubscribe"],
                "catalogue_url": _catalogue_url(subscription.params),
                "initiatives": [
                    {
                        "title": initiative.title,
                        "organisation": initiative.lead_organisation.acronym,
                        "place": initiative.lead_collectivity.name
                        if initiative.lead_collectivity_id
                        else "",
                        "summary": initiative.summary,
                        "url": settings.SITE_URL + initiative.get_absolute_url(),
                    }
                    for initiative in found[:LISTED]
                ],
            },
        )
        subscription.last_notified_at = until
        subscription.save(update_fields=["last_notified_at"])
    return "sent"


def _catalogue_url(params: dict) -> str:
    query = urlencode(sorted((params or {}).items()))
    return settings.SITE_URL + reverse("initiatives:catalogue") + (f"?{query}" if query else "")


@shared_task(name="committee.public.alerts.send_search_alerts", acks_late=True)
def send_search_alerts() -> dict[str, int]:
    """Daily: each followed search's new matching initiatives, in one email."""
    return search_alerts_send()
