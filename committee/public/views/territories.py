"""Territory pages: /territoires/ (find one), /territoires/<level>/<code>-<name>/ (its page),
and the public autocomplete the territory inputs use."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from committee.public import territories as selectors
from committee.public.links import catalogue_link
from referentials.hierarchy import LEVEL_TITLES, territory_key, territory_path
from referentials.maps import choropleth, territory_minimap
from referentials.models import Territory
from referentials.search import resolve_territory, territory_label, territory_search


@require_GET
def territory_index(request):
    """What was typed resolved to one territory (redirect to its page), or the choice."""
    text = request.GET.get("q", "")
    resolution = resolve_territory(text[:200], picked_id=request.GET.get("choix"))
    if resolution.territory is not None:
        return redirect(territory_path(resolution.territory))
    for candidate in resolution.candidates:
        candidate.url = territory_path(candidate)
    regions = Territory.objects.filter(level=Territory.Level.REGION).order_by("name")
    for region in regions:
        region.url = territory_path(region)
    return render(
        request,
        "territories/index.html",
        {"resolution": resolution, "regions": regions, "text": resolution.text},
    )


@require_GET
def territory_detail(request, level, slug):
    try:
        lookup = selectors.territory_lookup(level, slug)
    except selectors.TerritoryNotFound as error:
        return render(request, "territories/not_found.html", {"message": error.message}, status=404)
    if lookup.redirect_to:
        return redirect(lookup.redirect_to, permanent=True)
    territory = lookup.territory
    page = selectors.territory_page(territory)
    key = territory_key(territory)
    params = {"territory": key, "territory_scope": "all"}
    query = "?" + urlencode(params)
    if territory.level == Territory.Level.REGION:
        departments_map = choropleth(
            page.departments,
            url_for=lambda code: (
                catalogue_link({**params, "territory_scope": "inside"})
                + "&"
                + urlencode({"department": code})
            ),
            title=_("Initiatives par département : %(name)s") % {"name": territory.name},
            description="",
            dom_id="carte-region",
        )
        minimap = None
    else:
        departments_map = None
        minimap = territory_minimap(territory.department_code)
    return render(
        request,
        "territories/detail.html",
        {
            "page": page,
            "territory": territory,
            "level_title": LEVEL_TITLES[territory.level],
            "breadcrumb": [
                {"label": parent.name, "url": territory_path(parent)}
                for parent in page.lineage.breadcrumb
            ],
            "minimap": minimap,
            "departments_map": departments_map,
            "follow_url": reverse("follow") + query,
            "feed_url": reverse("initiatives:feed") + query,
            "exports": [
                ("CSV", reverse("initiatives:export_csv") + query),
                ("XLSX", reverse("initiatives:export_xlsx") + query),
                ("JSON", reverse("initiatives:export_json") + query),
            ],
            "catalogue_url": catalogue_link(params),
            "api_url": reverse(
                "api:territory-detail", kwargs={"level": territory.level, "code": territory.code}
            ),
        },
    )


@require_GET
def territory_autocomplete(request):
    """Territories matching ?q= (name, postcode or INSEE code), for the combobox: at most
    20, or every commune of a postcode; `match` says why a code finds a commune that does
    not bear it ("code postal 33000")."""
    results = territory_search(request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "id": t.pk,
                    "label": territory_label(t),
                    "key": territory_key(t),
                    "url": territory_path(t),
                    "name": t.name,
                    "code": t.code,
                    "level": t.level,
                    "match": t.match_note,
                }
                for t in results
            ]
        }
    )
