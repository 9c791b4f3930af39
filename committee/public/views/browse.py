"""Public pages to browse: the map, the referentials, the partners."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from committee.public import selectors
from committee.public.links import catalogue_link
from committee.public.territories import region_layer
from initiatives.catalogue.choices import catalogue_choices
from initiatives.catalogue.filters import CatalogueFilterSet
from referentials.maps import choropleth
from referentials.models import Territory

# Filters offered on the map (the département is what the map shows).
MAP_FILTERS = ("q", "axis", "region", "collectivity", "school_level", "partner", "year")


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
            "regions": region_layer(counts),
        },
    )


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
