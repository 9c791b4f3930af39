"""Writes of the committee's public side: following a catalogue search by email.

Double opt-in without an account. The links' tokens are derived from the subscription and
the secret key (so the alerts sent later can carry the same unsubscribe link, and a second
request re-sends the same confirmation link); only their hashes are stored, so reading the
database does not give them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from committee.public.models import SearchSubscription
from committee.public.selectors import CONFIRM, UNSUBSCRIBE, token_hash
from members.services import email_after_commit

# Confirmation emails sent to one address within an hour, whatever the searches.
EMAILS_PER_ADDRESS_PER_HOUR = 5
RESEND_AFTER_SECONDS = 60


def _token(subscription: SearchSubscription, purpose: str) -> str:
    value = f"{subscription.pk}:{subscription.created_at.isoformat()}"
    return salted_hmac(
        f"committee.SearchSubscription.{purpose}", value, algorithm="sha256"
    ).hexdigest()


def _links(subscription: SearchSubscription) -> tuple[dict[str, str], list[str]]:
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
    links, changed = _links(subscription)
    if changed:
        subscription.save(update_fields=changed)
    return links


def _address_allowance(email: str) -> bool:
    """At most a few confirmation emails an hour to one address (anyone may type it)."""
    key = f"follow:sent:{token_hash(email)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= EMAILS_PER_ADDRESS_PER_HOUR
    except ValueError:  # expired between add and incr
        return True


def email_criteria(description: list[tuple[str, str]], params: dict[str, str]) -> str:
    """The criteria as the confirmation email shows them: the portal's own labels only.

    Anyone can ask for a confirmation to be sent to any address, so the email carries none
    of the visitor's words: text searched for is announced, not quoted, and a value the
    portal has no label for is left out.
    """
    from committee.public.selectors import search_labels

    lines = []
    own = search_labels()
    for name, (label, _value) in zip(_described_names(params), description, strict=False):
        if name == "q":
            lines.append(f"- {label} : " + _("une recherche par mots (visible sur le portail)"))
        elif (shown := own.get(name, {}).get(str(params[name]))) is not None:
            lines.append(f"- {label} : {shown}")
        else:
            lines.append(f"- {label}")
    return "\n".join(lines) or _("- toutes les initiatives publiées")


def _described_names(params: dict[str, str]) -> list[str]:
    from initiatives.catalogue.filters import CatalogueFilterSet

    return [
        name
        for name in CatalogueFilterSet.base_filters
        if name not in ("sort", "page") and params.get(name)
    ]


def _send_confirmation(
    subscription: SearchSubscription, description: list[tuple[str, str]], links: dict
) -> None:
    criteria = email_criteria(description, subscription.params)
    if subscription.confirmed_at:
        subject = _("Vous suivez déjà cette recherche")
        intro = _(
            "Vous suivez déjà cette recherche d'initiatives territoriales ; vous recevrez un "
            "courriel lorsque de nouvelles initiatives y correspondront."
        )
        action = ""
    else:
        subject = _("Confirmez le suivi de votre recherche")
        intro = _(
            "Vous avez demandé à être prévenu par courriel des nouvelles initiatives "
            "territoriales correspondant à cette recherche."
        )
        action = _(
            "Pour confirmer, ouvrez ce lien puis validez :\n%(link)s\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
            "aucun courriel ne vous sera envoyé."
        ) % {"link": links["confirm"]}
    body = "\n\n".join(
        part
        for part in (
            intro,
            _("Critères :") + "\n" + criteria,
            action,
            _("Pour ne plus suivre cette recherche :") + "\n" + links["unsubscribe"],
            _("Comité des partenaires du numérique pour l'éducation"),
        )
        if part
    )
    email_after_commit(to=[subscription.email], subject=subject, body=body)


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
    links, changed = _links(subscription)
    now = timezone.now()
    recently = (
        subscription.confirmation_sent_at
        and (now - subscription.confirmation_sent_at).total_seconds() < RESEND_AFTER_SECONDS
    )
    if not recently and _address_allowance(email):
        _send_confirmation(subscription, description, links)
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
