"""The kinds of members itself: invitations and team changes, account notices; registered in
MembersConfig.ready().

- an invitation → the invited address (no account yet), with the link rebuilt when the email
  is rendered (only the token's hash is stored);
- joining, role changes and removals are recorded, not notified;
- account security and inactivity notices → the account holder, always (mandatory).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from members.formats import long_date
from members.invitations import invitation_email_context
from members.models import Event, Invitation, Notification
from members.notifications.registry import (
    NotificationCancelled,
    Recipient,
    event_target,
    person,
    register_kind,
    register_recorded,
)


class Kinds:
    INVITED = "invited"
    MEMBER_JOINED = "member_joined"
    MEMBER_CHANGED = "member_changed"
    MEMBER_REVOKED = "member_revoked"
    SECURITY = "security"
    ACCOUNT_INACTIVE = "account_inactive"


def invited(event: Event) -> list[Recipient]:
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
                "inviter": person(invitation.invited_by) if invitation.invited_by else "",
            },
        )
    ]


def invited_context(notification: Notification) -> dict:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=(notification.data or {}).get("invitation"))
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise NotificationCancelled
    return invitation_email_context(invitation)


def inactive_context(notification: Notification) -> dict:
    """The deadline in the recipient's language, and where to log in."""
    deadline = parse_datetime((notification.data or {}).get("deadline") or "")
    return {
        "deadline": long_date(deadline) if deadline else "",
        "login_url": settings.SITE_URL + reverse("account_login"),
    }


def register() -> None:
    register_kind(
        Kinds.INVITED,
        label=_("Invitation"),
        subject=_("Invitation à rejoindre %(organisation)s sur le portail du comité"),
        summary=_("Invitation à rejoindre %(organisation)s."),
        recipients=invited,
        context=invited_context,
        mandatory=True,
        preferences=False,
    )
    register_recorded(Kinds.MEMBER_JOINED, label=_("Invitation acceptée"))
    register_recorded(Kinds.MEMBER_CHANGED, label=_("Rôle modifié"))
    register_recorded(Kinds.MEMBER_REVOKED, label=_("Membre retiré"))
    register_kind(
        Kinds.SECURITY,
        label=_("Sécurité du compte"),
        subject=_("Sécurité de votre compte"),
        summary=_("Message sur la sécurité de votre compte."),
        audience=_("Vous"),
        mandatory=True,
    )
    register_kind(
        Kinds.ACCOUNT_INACTIVE,
        label=_("Compte inactif"),
        subject=_("Votre compte sur le portail du comité sera anonymisé"),
        summary=_("Votre compte sera anonymisé s'il reste inactif."),
        context=inactive_context,
        mandatory=True,
        preferences=False,
    )
