"""How django-allauth behaves on this portal.

Nobody gains rights by signing up, so allauth's open signup is closed: accounts are created
from an invitation link (members.views.invitation), which proves the address. MFA, once set
up by someone who must have it, stays on.
"""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from members.middleware import requires_mfa

logger = logging.getLogger(__name__)

# Failed logins on one account, from all sources, before its owner is told by email (at most
# once per FAILED_LOGIN_WARNING_SECONDS).
FAILED_LOGIN_WARNING_THRESHOLD = 5
FAILED_LOGIN_WARNING_SECONDS = 60 * 60


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts come only from invitations (see members.views.invitation)."""
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The per-account limit of failed logins (5 in 5 minutes) counts per account *and*
        source address: someone who knows an official's address cannot lock them out by
        failing on purpose; their own address is what gets blocked (and 10 failures a minute
        per address, whatever the account)."""
        from allauth.core.internal.httpkit import get_client_ip

        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{get_client_ip(request)}"

    def authentication_failed(self, request, **credentials) -> None:
        """Failed logins on an account are counted; past a threshold its owner gets an email."""
        from members.ratelimit_cache import rate_limit_cache as cache

        super().authentication_failed(request, **credentials)
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        if not login:
            return
        counter = f"members:login-failures:{login}"
        failures = (cache.get(counter) or 0) + 1
        cache.set(counter, failures, FAILED_LOGIN_WARNING_SECONDS)
        if failures >= FAILED_LOGIN_WARNING_THRESHOLD and cache.add(
            f"members:login-warning:{login}", 1, FAILED_LOGIN_WARNING_SECONDS
        ):
            _warn_owner(login, failures)


def _warn_owner(login: str, failures: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    user = get_user_model().objects.filter(email__iexact=login, is_active=True).first()
    if user is None:
        return
    body = "\n\n".join(
        [
            ngettext(
                "%(count)d tentative de connexion a échoué sur votre compte du portail du "
                "comité numérique pour l'éducation au cours de la dernière heure.",
                "%(count)d tentatives de connexion ont échoué sur votre compte du portail du "
                "comité numérique pour l'éducation au cours de la dernière heure.",
                failures,
            )
            % {"count": failures},
            _(
                "Si ce n'était pas vous, rien n'est à faire : les adresses d'où viennent ces "
                "tentatives sont bloquées, et vous pouvez toujours vous connecter. Si votre mot "
                "de passe sert aussi ailleurs, changez-le."
            ),
        ]
    )
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Tentatives de connexion sur votre compte"),
        body,
        None,
        [user.email],
        fail_silently=True,
    )
    logger.warning("Failed logins on an account: its owner was told (%d failures)", failures)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Those who must use MFA cannot switch their authenticator app off."""
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
