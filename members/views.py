"""Team management (/espace/equipe/), invitations (/invitation/) and my account (/compte/).

Objects are looked up inside what the user may manage first: someone else's team, member or
invitation is a 404, a member without the right gets a 403. State changes only by POST.
"""

from __future__ import annotations

import json

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.forms import (
    AccountDeleteForm,
    AccountForm,
    InvitationForm,
    InvitationSignupForm,
    RoleForm,
)
from members.models import Invitation, Membership, Organisation, User
from members.permissions import actor_for, team_organisations
from members.selectors import personal_data
from members.services import (
    InvitationError,
    MembershipError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_problem,
    invitation_revoke,
    invitation_signup,
    membership_change_role,
    membership_revoke,
    user_anonymise,
)

# --- team ----------------------------------------------------------------------------------


def _managed(request):
    """The organisations whose team the user manages; a member with none gets a 403."""
    managed = team_organisations(request.user)
    if not managed.exists():
        raise PermissionDenied
    return managed


def _team_organisation(request, acronym: str | None) -> Organisation:
    managed = _managed(request)
    if acronym:
        if "\x00" in acronym:  # no database text holds it: no such organisation
            raise Http404
        return get_object_or_404(managed, acronym__iexact=acronym)
    actor = actor_for(request.user)
    own = managed.filter(pk__in=actor.roles.keys()).order_by("acronym").first()
    return own or managed.order_by("acronym").first()


def _team_url(organisation: Organisation) -> str:
    return f"{reverse('members:team')}?{urlencode({'organisation': organisation.acronym})}"


def _team_page(request, organisation, *, invite_form=None, status=200):
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    invitations = (
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
    managed = team_organisations(request.user).order_by("kind", "acronym")
    rows = [
        {"membership": m, "form": RoleForm(initial={"role": m.role}, organisation=organisation)}
        for m in memberships
    ]
    return render(
        request,
        "members/team.html",
        {
            "organisation": organisation,
            "organisations": managed if managed.count() > 1 else None,
            "rows": rows,
            "invitations": invitations,
            "invite_form": invite_form or InvitationForm(organisation=organisation),
            "now": timezone.now(),
            "ttl_days": settings.INVITATION_TTL_DAYS,
        },
        status=status,
    )


@login_required
def team(request):
    organisation = _team_organisation(request, request.GET.get("organisation"))
    return _team_page(request, organisation)


@login_required
@require_POST
def team_invite(request):
    organisation = _team_organisation(request, request.POST.get("organisation"))
    form = InvitationForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            invitation, _token = invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s (%(role)s).")
                % {"email": invitation.email, "role": invitation.get_role_display()},
            )
            return redirect(_team_url(organisation))
    return _team_page(request, organisation, invite_form=form, status=400)


def _managed_membership(request, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("organisation", "user"),
        pk=pk,
        organisation__in=_managed(request),
    )


@login_required
@require_POST
def member_role(request, pk: int):
    membership = _managed_membership(request, pk)
    form = RoleForm(request.POST, organisation=membership.organisation)
    if not form.is_valid():
        messages.error(request, _("Ce rôle n'existe pas pour cette organisation."))
        return redirect(_team_url(membership.organisation))
    try:
        membership = membership_change_role(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s est désormais %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display().lower()},
        )
    return redirect(_team_url(membership.organisation))


@login_required
@require_POST
def member_revoke(request, pk: int):
    membership = _managed_membership(request, pk)
    organisation = membership.organisation
    try:
        membership_revoke(membership=membership, by=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s ne fait plus partie de %(organisation)s.")
            % {"person": membership.user, "organisation": organisation},
        )
    if membership.user_id == request.user.pk and not team_organisations(request.user).exists():
        return redirect("members:account")
    return redirect(_team_url(organisation))


@login_required
@require_POST
def invitation_cancel(request, pk: int):
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation"),
        pk=pk,
        organisation__in=_managed(request),
    )
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Invitation de %(email)s annulée.") % {"email": invitation.email}
        )
    return redirect(_team_url(invitation.organisation))


# --- invitation link -------------------------------------------------------------------------


def _landing(membership: Membership) -> str:
    """Where a new member starts: the review for officials, the workspace otherwise."""
    return "/instruction/" if membership.organisation.is_ministry else "/espace/"


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    invitation = invitation_for_token(token)
    problem = invitation_problem(invitation)
    if problem:
        return render(
            request,
            "members/invitation_invalid.html",
            {"problem": problem},
            status=404 if invitation is None else 410,
        )
    context = {"invitation": invitation, "token": token}
    user = request.user

    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            context["mismatch"] = True
            return render(request, "members/invitation.html", context, status=403)
        if request.method == "POST":
            try:
                membership = invitation_accept(token=token, user=user)
            except InvitationError as error:
                messages.error(request, str(error))
                return render(request, "members/invitation.html", context, status=409)
            messages.success(request, _joined_message(membership))
            return redirect(_landing(membership))
        return render(request, "members/invitation.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("account_login")
        context["login_url"] = f"{login_url}?{urlencode({'next': request.path})}"
        context["has_account"] = True
        return render(request, "members/invitation.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user, membership = invitation_signup(
                token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            # The password was typed a moment ago: it counts as a fresh authentication,
            # so setting up MFA next does not ask for it again.
            record_authentication(
                request, new_user, method="password", email=new_user.email, reauthenticated=True
            )
            messages.success(request, _joined_message(membership))
            return perform_login(request, new_user, redirect_url=_landing(membership))
    context["form"] = form
    return render(
        request,
        "members/invitation.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _joined_message(membership: Membership) -> str:
    return _("Bienvenue : vous agissez désormais pour %(organisation)s en tant que %(role)s.") % {
        "organisation": membership.organisation.name,
        "role": membership.get_role_display().lower(),
    }


# --- my account --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Vos informations ont été enregistrées."))
        response = redirect("members:account")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    from allauth.mfa.models import Authenticator

    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(
        request,
        "members/account.html",
        {
            "form": form,
            "memberships": memberships.order_by("organisation__acronym"),
            "mfa_enabled": Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists(),
            "manages_team": team_organisations(request.user).exists(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def account_data(request):
    """Everything the portal holds about me, as a JSON download (RGPD access/portability)."""
    data = personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user_anonymise(user=request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte a été supprimé. Ce que vous avez publié reste en ligne au nom de "
                "votre organisation, sans votre nom."
            ),
        )
        return redirect("home")
    return render(
        request,
        "members/account_delete.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
