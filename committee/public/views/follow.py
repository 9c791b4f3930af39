"""Follow a search by email: request, double opt-in confirmation, one-click unsubscribe."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from committee.public import selectors
from committee.public.forms import FollowSearchForm
from committee.public.links import catalogue_link
from committee.public.services import (
    subscription_confirm,
    subscription_request,
    subscription_unsubscribe,
)
from initiatives.catalogue.filters import CatalogueFilterSet, normalise_params
from initiatives.selectors import published_initiatives


def _followed_params(data) -> tuple[dict[str, str], list[str]]:
    """The valid catalogue parameters of a request, normalised (no sort, no page)."""
    filterset = CatalogueFilterSet(data or None, queryset=published_initiatives())
    errors = [str(e) for errs in filterset.form.errors.values() for e in errs] if data else []
    cleaned = {k: str(v) for k, v in filterset.cleaned.items() if k not in ("sort", "page")}
    return normalise_params(cleaned), errors


def follow_refusal(request) -> str | None:
    """Requests to follow a search are limited per client and overall (each one may send an
    email to an address typed by anyone): the reason of a refusal, or None."""
    from allauth.core.internal.httpkit import get_client_ip
    from django.conf import settings

    from members.ratelimit_cache import allowance

    per_client = getattr(settings, "FOLLOW_REQUESTS_PER_CLIENT_PER_HOUR", 5)
    overall = getattr(settings, "FOLLOW_REQUESTS_PER_HOUR", 200)
    if not allowance(f"follow:client:{get_client_ip(request)}", limit=per_client, seconds=3600):
        return _("Trop de demandes de suivi depuis votre connexion : réessayez dans une heure.")
    if not allowance("follow:all", limit=overall, seconds=3600):
        return _("Le portail reçoit trop de demandes de suivi : réessayez dans une heure.")
    return None


def _private(response):
    """Pages reached through a personal link: not cached, not indexed, and their address
    (which holds the token) never sent to another site.

    `same-origin`, not `no-referrer`: under `no-referrer` browsers post the page's own form
    with `Origin: null`, which Django's CSRF check refuses (403).
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request):
    source = request.POST if request.method == "POST" else request.GET
    params, errors = _followed_params(source)
    criteria = selectors.search_description(params)
    form = FollowSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if (refusal := follow_refusal(request)) is not None:
            form.add_error("email", refusal)
        else:
            subscription_request(
                email=form.cleaned_data["email"], params=params, description=criteria
            )
            return redirect("follow_sent")
    return render(
        request,
        "committee/follow.html",
        {
            "form": form,
            "params": params,
            "criteria": criteria,
            "errors": errors,
            "catalogue_url": catalogue_link(params),
        },
    )


@never_cache
@require_GET
def follow_sent(request):
    return render(request, "committee/follow_sent.html")


def _subscription_or_404(purpose: str, token: str):
    subscription = selectors.subscription_by_token(purpose=purpose, token=token)
    if subscription is None:
        raise Http404("subscription")
    return subscription


@never_cache
@require_http_methods(["GET", "POST"])
def follow_confirm(request, token):
    """GET only shows a button: mail scanners open links, people press buttons."""
    subscription = _subscription_or_404(selectors.CONFIRM, token)
    done = None
    if request.method == "POST":
        done = "confirmed" if subscription_confirm(subscription=subscription) else "cancelled"
    return _private(
        render(
            request,
            "committee/follow_confirm.html",
            {
                "subscription": subscription,
                "criteria": selectors.search_description(subscription.params),
                "catalogue_url": catalogue_link(subscription.params),
                "follow_url": reverse("follow")
                + ("?" + urlencode(subscription.params) if subscription.params else ""),
                "done": done,
            },
        )
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a form token.
@never_cache
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request, token):
    subscription = _subscription_or_404(selectors.UNSUBSCRIBE, token)
    done = False
    if request.method == "POST":
        subscription_unsubscribe(subscription=subscription)
        done = True
    return _private(
        render(
            request,
            "committee/follow_unsubscribe.html",
            {
                "subscription": subscription,
                "criteria": selectors.search_description(subscription.params),
                "done": done,
            },
        )
    )
