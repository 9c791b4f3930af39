"""The notification centre (/notifications/), preferences and one-click unsubscribe.

The centre and the preferences are the signed-in user's own; officials and admins pass the
MFA gate first, as on their other pages (what a notification says comes from the review).
Unsubscribing needs no login: the signed link is the proof, and mail clients POST to it
without a form token (RFC 8058), hence csrf_exempt on that view only.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from members.middleware import mfa_missing
from members.models import NotificationPreference, NotificationSettings
from members.notifications.centre import in_app_for, notification_mark_read, unread_count
from members.notifications.preferences import (
    preference_set,
    preferences_for,
    recap_set,
    settings_for,
    unsubscribe,
    unsubscribe_label,
    unsubscribe_target,
)
from members.notifications.registry import kind_spec, summary

PAGE_SIZE = 30


def _gate(request):
    """Roles that must use MFA set it up before reading what the review tells them."""
    if mfa_missing(request):
        messages.warning(
            request,
            _(
                "Votre rôle demande une double authentification : activez une application "
                "d'authentification pour continuer."
            ),
        )
        return redirect("mfa_activate_totp")
    return None


@login_required
def notification_list(request):
    if (gated := _gate(request)) is not None:
        return gated
    rows = in_app_for(request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {"notification": row, "summary": summary(row), "label": kind_spec(row.kind).label}
        for row in page
    ]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": items, "unread": unread_count(request.user)},
    )


def _back(request):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("members:notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    if not in_app_for(request.user).filter(pk=pk).exists():
        raise Http404
    notification_mark_read(user=request.user, pk=pk)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request):
    count = notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return _back(request)


class PreferencesForm(forms.Form):
    """One choice per kind of notification, and the recap of at-once emails."""

    recap = forms.ChoiceField(
        label=gettext_lazy("Récapitulatif des courriels déjà reçus"),
        help_text=gettext_lazy(
            "Ajoute à vos récapitulatifs un rappel des notifications déjà reçues tout de suite."
        ),
        choices=NotificationSettings._meta.get_field("recap").choices,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = []
        for spec, mode in preferences_for(user):
            if spec.mandatory:
                continue
            self.fields[f"kind_{spec.kind}"] = forms.ChoiceField(
                label=spec.label,
                help_text=spec.audience,
                choices=NotificationPreference.Mode.choices,
                initial=mode,
                widget=forms.RadioSelect,
            )
            self.specs.append(spec)
        self.fields["recap"].initial = settings_for(user).recap
        self.mandatory = [spec for spec, _mode in preferences_for(user) if spec.mandatory]

    def kind_fields(self):
        return [self[f"kind_{spec.kind}"] for spec in self.specs]


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    if (gated := _gate(request)) is not None:
        return gated
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST, user=user)
        if form.is_valid():
            for spec in form.specs:
                preference_set(
                    user=user, kind=spec.kind, mode=form.cleaned_data[f"kind_{spec.kind}"]
                )
            recap_set(user=user, recap=form.cleaned_data.get("recap") or "")
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("members:notification_preferences")
        status = 400
    else:
        form = PreferencesForm(user=user)
        status = 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a form token.
@never_cache
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token: str):
    """GET shows what the link stops and a button; POST (the button, or the mail client's
    one-click) stops it."""
    target = unsubscribe_target(token)
    if target is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    user, kind = target
    done = False
    if request.method == "POST":
        unsubscribe(user=user, kind=kind)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": unsubscribe_label(kind), "done": done, "token": token},
    )
