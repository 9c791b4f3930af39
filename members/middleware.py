"""MFA before acting: allauth has no hook to require it for some users, so this gate does.

Association admins, reviewers, the secretariat and anyone with access to Django's admin must
have an authenticator app (TOTP) before they reach the pages where people act: the workspace,
the review, the steering pages, their account and the admin. Everything else — public pages,
allauth's account and MFA pages (/comptes/), invitations, static files — stays open, so the
setup itself can be reached.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from members.models import Membership
from members.permissions import actor_for

MFA_ROLES = frozenset(
    {Membership.Role.ADMIN, Membership.Role.REVIEWER, Membership.Role.SECRETARIAT}
)
GATED_PREFIXES = ("/espace/", "/instruction/", "/pilotage/", "/admin/", "/compte/")
ADMIN_LOGIN_PATH = "/admin/login/"


def requires_mfa(user) -> bool:
    """Whether this user must use MFA: a role that manages, reviews or administers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(role in MFA_ROLES for role in actor_for(user).roles.values())


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_missing(request) -> bool:
    """Whether the request's user must set up MFA first; computed once per request."""
    cached = getattr(request, "_mfa_missing", None)
    if cached is None:
        cached = requires_mfa(request.user) and not has_totp(request.user)
        request._mfa_missing = cached
    return cached


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(ADMIN_LOGIN_PATH):
            return self._admin_login(request)
        if path.startswith(GATED_PREFIXES) and mfa_missing(request):
            messages.warning(
                request,
                _(
                    "Votre rôle demande une double authentification : activez une application "
                    "d'authentification pour continuer."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _admin_login(self, request):
        """Django's admin login skips allauth's MFA step: everyone logs in through allauth."""
        if request.user.is_authenticated:
            if request.user.is_staff:
                return redirect("admin:index")
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
