"""Writes of the committee's public side: following a catalogue search by email.

Double opt-in without an account. The links' tokens are derived from the subscription and
the secret key (committee.public.links); only their hashes are stored. The confirmation
email goes through the notification outbox (committee.public.notifications).
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.public.links import links_and_changes
from committee.public.models import SearchSubscription
from committee.public.notifications import Kinds
from members.notifications.outbox import notification_queue
from members.services import token_hash

# Confirmation emails sent to one address within an hour, whatever the searches.
EMAILS_PER_ADDRESS_PER_HOUR = 5
RESEND_AFTER_SECONDS = 60


def _address_allowance(email: str) -> bool:
    """At most a few confirmation emails an hour to one address (anyone may type it)."""
    key = f"follow:sent:{token_hash(email)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= EMAILS_PER_ADDRESS_PER_HOUR
    except ValueError:  # expired between add and incr
        return True


def email_criteria(description: list[tuple[str, str]], params: dict[str, str]) -> list[list[str]]:
    """The criteria as the confirmation email shows them: [label, value] in the portal's own
    words only (value "" when there is none to show).

    Anyone can ask for a confirmation to be sent to any address, so the email carries none
    of the visitor's words: text searched for is announced, not quoted, and a value the
    portal has no label for is left out.
    """
    from committee.public.selectors import search_labels

    criteria = []
    own = search_labels()
    for name, (label, _value) in zip(_described_names(params), description, strict=False):
        if name == "q":
            criteria.append([str(label), _("une recherche par mots (visible sur le portail)")])
        else:
            criteria.append([str(label), str(own.get(name, {}).get(str(params[name]), ""))])
    return criteria


def _described_names(params: dict[str, str]) -> list[str]:
    from initiatives.catalogue.filters import CatalogueFilterSet

    return [
        name
        for name in CatalogueFilterSet.base_filters
        if name not in ("sort", "page") and params.get(name)
    ]


def _send_confirmation(
    subscription: SearchSubscription, description: list[tuple[str, str]], *, now
) -> None:
    """Queue the confirmation (or, for a search already followed, the reminder that it is),
    in the visitor's language; its links are rebuilt when it is rendered, never stored."""
    notification_queue(
        kind=Kinds.SEARCH_FOLLOWED if subscription.confirmed_at else Kinds.SEARCH_CONFIRM,
        email=subscription.email,
        delivery_key=f"search-confirm:{subscription.pk}:{now.isoformat()}",
        data={
            "subscription": subscription.pk,
            "criteria": email_criteria(description, subscription.params),
        },
    )


def _active(email: str, params: dict):
    return SearchSubscription.objects.annotate(email_lower=Lower("email")).filter(
        email_lower=email, params=params, unsubscribed_at__isnull=True
    )


@transaction.atomic
def subscription_request(
    *, email: str, params: dict[str, str], description: list[tuple[str, str]]
) -> SearchSubscription:
    """Ask to follow a search: creates the subscription (pending) or reuses the one that
    exists for this address and search, and emails the confirmation link.

    A repeated request creates no second row and re-sends the same link, at most once every
    RESEND_AFTER_SECONDS and a few times an hour per address.
    """
    email = email.strip().lower()
    subscription = _active(email, params).select_for_update().first()
    if subscription is None:
        placeholder = secrets.token_hex(32)  # replaced by the derived tokens' hashes below
        try:
            with transaction.atomic():
                subscription = SearchSubscription.objects.create(
                    email=email,
                    params=params,
                    confirm_token_hash=placeholder,
                    unsubscribe_token_hash=secrets.token_hex(32),
                )
        except IntegrityError:  # a concurrent identical request won
            subscription = _active(email, params).get()
    changed = links_and_changes(subscription)[1]  # the hashes of the links, if not set yet
    now = timezone.now()
    recently = (
        subscription.confirmation_sent_at
        and (now - subscription.confirmation_sent_at).total_seconds() < RESEND_AFTER_SECONDS
    )
    if not recently and _address_allowance(email):
        _send_confirmation(subscription, description, now=now)
        subscription.confirmation_sent_at = now
        changed.append("confirmation_sent_at")
    if changed:
        subscription.save(update_fields=changed)
    return subscription


def subscription_confirm(*, subscription: SearchSubscription) -> bool:
    """Activate a pending subscription; True if it is active afterwards.

    Confirming twice changes nothing; a cancelled subscription is never revived (the visitor
    asks again instead).
    """
    if subscription.unsubscribed_at is not None:
        return False
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return True


def subscription_unsubscribe(*, subscription: SearchSubscription) -> None:
    """Stop the alerts of a subscription (idempotent)."""
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
