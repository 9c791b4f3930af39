"""The links of a followed search: confirm and unsubscribe.

Their tokens are derived from the subscription and the secret key (so the alerts sent later
carry the same unsubscribe link, and a second request re-sends the same confirmation link);
only their hashes are stored, so reading the database does not give them. The emails rebuild
the links when they are rendered (committee.public.notifications).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from committee.public.models import SearchSubscription
from committee.public.selectors import CONFIRM, UNSUBSCRIBE
from members.services import token_hash


def _token(subscription: SearchSubscription, purpose: str) -> str:
    value = f"{subscription.pk}:{subscription.created_at.isoformat()}"
    return salted_hmac(
        f"committee.SearchSubscription.{purpose}", value, algorithm="sha256"
    ).hexdigest()


def links_and_changes(subscription: SearchSubscription) -> tuple[dict[str, str], list[str]]:
    """The links, and the hash fields set on the instance that need saving."""
    confirm, unsubscribe = _token(subscription, CONFIRM), _token(subscription, UNSUBSCRIBE)
    changed = []
    for name, value in (
        ("confirm_token_hash", token_hash(confirm)),
        ("unsubscribe_token_hash", token_hash(unsubscribe)),
    ):
        if getattr(subscription, name) != value:
            setattr(subscription, name, value)
            changed.append(name)
    links = {
        "confirm": settings.SITE_URL + reverse("follow_confirm", kwargs={"token": confirm}),
        "unsubscribe": settings.SITE_URL
        + reverse("follow_unsubscribe", kwargs={"token": unsubscribe}),
    }
    return links, changed


def subscription_links(*, subscription: SearchSubscription) -> dict[str, str]:
    """Absolute confirmation and unsubscribe URLs of a subscription, for its emails.

    Should the secret key have changed since the subscription was made, the stored hashes
    are brought up to date, so the links of the next emails work.
    """
    links, changed = links_and_changes(subscription)
    if changed:
        subscription.save(update_fields=changed)
    return links


CATALOGUE_URL = "/initiatives/"


def catalogue_link(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return CATALOGUE_URL + ("?" + urlencode(merged) if merged else "")
