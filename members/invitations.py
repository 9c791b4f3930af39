"""Invitation links: a token derived from the invitation and the secret key, of which only
the hash is stored; the link built from it, and what the invitation email says with it.

Below both members.services (which creates and accepts invitations) and the invitation's
notification (members.notifications.accounts, which rebuilds the link when the email is
rendered), so neither imports the other.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from members.formats import long_datetime
from members.models import Invitation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    """The invitation's token, derived from the row and the secret key.

    So the email can be written (or written again, by a retry) without the token ever being
    stored: the database holds only its hash, and the hash alone does not give the link.
    """
    value = f"{invitation.pk}:{invitation.created_at.isoformat()}:{invitation.email}"
    return salted_hmac("members.Invitation.token", value, algorithm="sha256").hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("members:invitation", args=[token])


def invitation_email_context(invitation: Invitation) -> dict:
    """What the invitation email needs beyond the notification's data: the link (rebuilt,
    never stored) and dates in the active language."""
    token = invitation_token(invitation)
    if invitation.token_hash != token_hash(token):  # the secret key changed since
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(token))
    return {
        "invitation_url": invitation_url(token),
        "expires": long_datetime(invitation.expires_at),
        "role": invitation.get_role_display(),
    }
