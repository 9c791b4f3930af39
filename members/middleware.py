"""MFA before anything private: allauth has no hook to require it for some users, so this gate
does, deny-by-default.

Association admins, reviewers, the secretariat and anyone with access to Django's admin must
have an authenticator app (TOTP). Until they have one, every request of theirs is refused (sent
to the TOTP setup page) except on an explicit allowlist:

- `AUTHENTICATION_VIEWS`: MFA set-up and authentication, login, logout, reauthentication and
  password reset (allauth, under /comptes/), served to them as themselves;
- `PUBLIC_VIEWS`: the public pages, the open data and the open API, served to them **as to an
  anonymous visitor** (`request.user` is anonymous for the view): a public page then cannot
  reveal anything private, whatever its view does with the user.

Static files are served by WhiteNoise before this middleware. A new URL is therefore closed to
them until it is added to a list here (tests/members/test_mfa_gate_walk.py walks every URL).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from members.models import Membership
from members.permissions import actor_for

MFA_ROLES = frozenset(
    {Membership.Role.ADMIN, Membership.Role.REVIEWER, Membership.Role.SECRETARIAT}
)
ADMIN_LOGIN_PATH = "/admin/login/"

# allauth's views needed to set up MFA, authenticate, or leave (served to the user as such).
AUTHENTICATION_VIEWS = frozenset(
    {
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_confirm_login_code",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
# Pages anyone may see: served to a gated user exactly as to an anonymous visitor.
PUBLIC_VIEWS = frozenset(
    {
        "home",
        "healthz",
        "map",
        "referentials",
        "referential_detail",
        "partners",
        "partner_detail",
        "action_plan",
        "contributions",
        "contribution_detail",
        "contribution_pdf",
        "contribution_document",
        # The committee's sessions (public ones, their documents, the public calendar); the
        # replies, remarks, minutes' drafts and personal calendars are not public.
        "sessions",
        "sessions_feed",
        "session_detail",
        "session_ics",
        "session_document",
        "territories",
        "territory",
        "territory_autocomplete",
        "contact",
        "contact_sent",
        "follow",
        "follow_sent",
        "follow_confirm",
        "follow_unsubscribe",
        "initiatives:catalogue",
        "initiatives:export_csv",
        "initiatives:export_xlsx",
        "initiatives:export_json",
        "initiatives:schema",
        "initiatives:feed",
        "initiatives:document",
        "initiatives:detail",
        "members:notification_unsubscribe",
        "set_language",
        "opendata",
        "robots",
        "sitemap",
        "sitemap_section",
        "accessibility",
        "legal",
        "privacy",
        "sitemap_page",
        "favicon",
    }
)
PUBLIC_NAMESPACES = frozenset({"api"})  # the open data API: read-only, AllowAny


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
    """Whether the request's user must set up MFA first; computed once per request (before
    the gate serves public pages to that user as to an anonymous visitor)."""
    cached = getattr(request, "_mfa_missing", None)
    if cached is None:
        cached = requires_mfa(request.user) and not has_totp(request.user)
        request._mfa_missing = cached
    return cached


def gate_decision(path_info: str) -> str:
    """`"authentication"`, `"public"` or `"deny"` for a gated user on this path."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return "public"  # the 404 page, as anyone gets it
    if match.view_name in AUTHENTICATION_VIEWS:
        return "authentication"
    if match.view_name in PUBLIC_VIEWS or (
        match.namespaces and match.namespaces[0] in PUBLIC_NAMESPACES
    ):
        return "public"
    return "deny"


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(ADMIN_LOGIN_PATH):
            return self._admin_login(request)
        if not mfa_missing(request):
            return self.get_response(request)
        decision = gate_decision(path)
        if decision == "authentication":
            return self.get_response(request)
        if decision == "public":
            # Identical to what an anonymous visitor gets; the header still offers the setup.
            request.mfa_pending_user = request.user
            request.user = AnonymousUser()

            async def auser():
                return request.user

            request.auser = auser
            return self.get_response(request)
        messages.warning(
            request,
            _(
                "Votre rôle demande une double authentification : activez une application "
                "d'authentification pour continuer."
            ),
        )
        return redirect("mfa_activate_totp")

    def _admin_login(self, request):
        """Django's admin login skips allauth's MFA step: everyone logs in through allauth."""
        if request.user.is_authenticated:
            if request.user.is_staff:
                return redirect("admin:index")  # where the gate applies, as everywhere
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
