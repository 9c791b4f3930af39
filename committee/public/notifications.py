"""The kinds of notification of the public side; registered in CommitteeConfig.ready().

The search ones go to an address without an account (who follows a search), through the outbox like
every email (retried, swept, never to a failing address):

- the confirmation asked for when following a search (or, if it is already followed, a
  reminder that it is), with the links rebuilt when the email is rendered: the tokens are
  never stored, not even in the outbox;
- the daily alert listing the new initiatives matching a followed search
  (committee.public.alerts), with its one-click unsubscribe link;
- a message written to the secretariat from the contact form (committee.public.contact),
  prepared by the form and delivered to the secretariat's address.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from committee.public.links import subscription_links
from committee.public.models import SearchSubscription
from members.models import Notification
from members.notifications.registry import NotificationCancelled, register_kind


class Kinds:
    SEARCH_CONFIRM = "search_confirm"
    SEARCH_FOLLOWED = "search_followed"
    SEARCH_ALERT = "search_alert"
    CONTACT = "contact"


def confirmation_context(notification: Notification) -> dict:
    """The subscription's links; nothing is sent for a subscription cancelled meanwhile."""
    subscription = SearchSubscription.objects.filter(
        pk=(notification.data or {}).get("subscription"), unsubscribed_at__isnull=True
    ).first()
    if subscription is None:
        raise NotificationCancelled
    links = subscription_links(subscription=subscription)
    return {"confirm_link": links["confirm"], "unsubscribe_link": links["unsubscribe"]}


def register() -> None:
    visitors = {"preferences": False, "recap": False, "sides": ()}
    register_kind(
        Kinds.SEARCH_CONFIRM,
        label=_("Confirmation du suivi d'une recherche"),
        subject=_("Confirmez le suivi de votre recherche"),
        summary=_("Confirmez le suivi de votre recherche."),
        context=confirmation_context,
        **visitors,
    )
    register_kind(
        Kinds.SEARCH_FOLLOWED,
        label=_("Recherche déjà suivie"),
        subject=_("Vous suivez déjà cette recherche"),
        summary=_("Vous suivez déjà cette recherche."),
        context=confirmation_context,
        **visitors,
    )
    register_kind(
        Kinds.SEARCH_ALERT,
        label=_("Alerte de recherche"),
        subject=ngettext_lazy(
            "%(count)s nouvelle initiative pour votre recherche",
            "%(count)s nouvelles initiatives pour votre recherche",
            "count",
        ),
        summary=ngettext_lazy(
            "%(count)s nouvelle initiative correspond à votre recherche.",
            "%(count)s nouvelles initiatives correspondent à votre recherche.",
            "count",
        ),
        **visitors,
    )
    register_kind(
        Kinds.CONTACT,
        label=_("Message envoyé depuis le formulaire de contact"),
        subject=_("Message envoyé depuis le portail"),
        summary=_("Un message a été envoyé au secrétariat depuis le formulaire de contact."),
        **visitors,
    )
