"""How django-allauth behaves on this portal.

Nobody gains rights by signing up, so allauth's open signup is closed: accounts are created
from an invitation link (members.views.invitation), which proves the address. MFA, once set
up by someone who must have it, stays on.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from members.middleware import requires_mfa


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts come only from invitations (see members.views.invitation)."""
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Those who must use MFA cannot switch their authenticator app off."""
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
