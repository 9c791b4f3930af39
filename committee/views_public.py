"""Public pages of the committee: map, referentials, partners, action plan, contributions,
and following a catalogue search by email. Only published content is ever shown."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from committee import selectors
from committee.forms import FollowSearchForm
from committee.services import subscription_confirm, subscription_request, subscription_unsubscribe
from initiatives.filters import CatalogueFilterSet, normalise_params
from initiatives.markdown import render_markdown
from initiatives.selectors import catalogue_choices, published_initiatives
from referentials.maps import choropleth
from referentials.models import Territory

CATALOGUE_URL = "/initiatives/"
# Filters offered on the map (the département is what the map shows).
MAP_FILTERS = ("q", "axis", "region", "collectivity", "school_level", "partner", "year")


def catalogue_link(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return CATALOGUE_URL + ("?" + urlencode(merged) if merged else "")


def department_choropleth(counts: selectors.MapCounts, *, dom_id: str = "carte-departements"):
    """The map of `counts`, each département linking to the catalogue with the same filters."""
    params = counts.params
    data = choropleth(
        counts.by_department,
        url_for=lambda code: catalogue_link(params, department=code),
        title=_("Nombre d'initiatives publiées par département"),
        description="",
        dom_id=dom_id,
    )
    data["description"] = selectors.map_summary(data, without_department=counts.without_department)
    return data


# -- map -----------------------------------------------------------------------------------


@require_GET
def map_page(request):
    counts = selectors.department_counts(request.GET)
    data = department_choropleth(counts)
    choices = catalogue_choices()
    rows = sorted(
        (dep for dep in data["departments"] if dep["count"] > 0),
        key=lambda dep: (-dep["count"], dep["code"]),
    )
    filters = {
        "axis": [(str(n), label) for n, label in choices.axes],
        "region": choices.regions,
        "collectivity": list(Territory.Level.choices),
        "school_level": choices.school_levels,
        "partner": [(acronym, f"{acronym} — {name}") for acronym, name in choices.partners],
        "year": [(str(y), str(y)) for y in choices.years],
    }
    labels = CatalogueFilterSet.base_filters
    return render(
        request,
        "map/map.html",
        {
            "map": data,
            "rows": rows,
            "params": counts.params,
            "errors": counts.errors,
            "criteria": selectors.search_description(counts.params),
            "selects": [
                {
                    "name": name,
                    "label": labels[name].label,
                    "options": options,
                    "current": counts.params.get(name, ""),
                }
                for name, options in filters.items()
            ],
            "hidden": {k: v for k, v in counts.params.items() if k not in MAP_FILTERS},
            "catalogue_url": catalogue_link(counts.params),
            "follow_url": reverse("follow")
            + ("?" + urlencode(counts.params) if counts.params else ""),
            "without_department": counts.without_department,
        },
    )


# -- referentials --------------------------------------------------------------------------


@require_GET
def referentials_index(request):
    return render(request, "referentials/index.html", {"groups": selectors.referentials_by_kind()})


@require_GET
def referential_detail(request, slug, version):
    referential, tree = selectors.referential_tree(slug, version)
    return render(
        request,
        "referentials/detail.html",
        {"referential": referential, "tree": tree, "shown": selectors.ITEM_INITIATIVES_SHOWN},
    )


# -- partners ------------------------------------------------------------------------------


@require_GET
def partners_index(request):
    return render(request, "partners/index.html", {"partners": selectors.partners_with_counts()})


@require_GET
def partner_detail(request, slug):
    page = selectors.partner_page(slug)
    return render(
        request,
        "partners/detail.html",
        {
            "page": page,
            "organisation": page.organisation,
            "catalogue_url": catalogue_link({"partner": page.organisation.acronym}),
        },
    )


# -- action plan ---------------------------------------------------------------------------


@require_GET
def action_plan(request):
    from committee.plan_services import plan_refresh_if_stale

    # Computed indicators follow the published catalogue (one cache read when unchanged).
    plan_refresh_if_stale()
    return render(request, "plan/index.html", {"axes": selectors.action_plan()})


# -- contributions -------------------------------------------------------------------------


@require_GET
def contributions_index(request):
    return render(
        request,
        "contributions/index.html",
        {"contributions": selectors.published_contributions()},
    )


@require_GET
def contribution_detail(request, slug):
    contribution = get_object_or_404(selectors.published_contributions(), slug=slug)
    return render(
        request,
        "contributions/detail.html",
        {"contribution": contribution, "body_html": render_markdown(contribution.body)},
    )


# -- follow a search -----------------------------------------------------------------------


def _followed_params(data) -> tuple[dict[str, str], list[str]]:
    """The valid catalogue parameters of a request, normalised (no sort, no page)."""
    filterset = CatalogueFilterSet(data or None, queryset=published_initiatives())
    errors = [str(e) for errs in filterset.form.errors.values() for e in errs] if data else []
    cleaned = {k: str(v) for k, v in filterset.cleaned.items() if k not in ("sort", "page")}
    return normalise_params(cleaned), errors


def _private(response):
    """Pages reached through a personal link: not cached, not indexed, no referrer."""
    response["Referrer-Policy"] = "no-referrer"
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
        subscription_request(email=form.cleaned_data["email"], params=params, description=criteria)
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
