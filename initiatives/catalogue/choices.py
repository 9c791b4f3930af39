"""The reference lists the catalogue's filters offer (axes, places, levels, partners,
years): small tables, cached with the catalogue version. Read by the filters and the pages."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from initiatives.models import SchoolLevel, axis_model
from initiatives.selectors import CACHE_SECONDS, catalogue_version
from members.models import Organisation
from referentials.models import Territory


@dataclass(frozen=True)
class CatalogueChoices:
    axes: list[tuple[int, str]]
    regions: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    department_region: dict[str, str]
    school_levels: list[tuple[str, str]]
    partners: list[tuple[str, str]]
    years: list[int]


# This process's last choices: (catalogue version, when read, choices). Every catalogue page
# needs them; read from the shared cache once per version and CACHE_SECONDS, not per request.
_memo: tuple[str, float, CatalogueChoices] | None = None


def catalogue_choices() -> CatalogueChoices:
    """Reference lists of the filters (small tables), cached with the catalogue version."""
    global _memo
    version = catalogue_version()
    memo = _memo
    if memo is not None and memo[0] == version and time.monotonic() - memo[1] < CACHE_SECONDS:
        return memo[2]
    choices = _shared_choices(version)
    _memo = (version, time.monotonic(), choices)
    return choices


def _shared_choices(version: str) -> CatalogueChoices:
    key = f"catalogue:choices:{version}"
    choices = cache.get(key)
    if choices is None:
        Axis = axis_model()

        places = list(
            Territory.objects.filter(
                level__in=[Territory.Level.REGION, Territory.Level.DEPARTMENT]
            ).values_list("level", "code", "name", "region_code")
        )
        departments = sorted((c, n, r) for lvl, c, n, r in places if lvl == "department")
        this_year = timezone.now().year
        choices = CatalogueChoices(
            axes=[(a.number, f"{a.number}. {a.short_title}") for a in Axis.objects.all()],
            regions=sorted(
                ((c, n) for lvl, c, n, _r in places if lvl == "region"), key=lambda x: x[1]
            ),
            departments=[(code, f"{code} — {name}") for code, name, _r in departments],
            department_region={code: region for code, _n, region in departments},
            school_levels=list(SchoolLevel.objects.values_list("code", "label")),
            partners=list(Organisation.objects.order_by("acronym").values_list("acronym", "name")),
            years=list(range(this_year + 1, 2009, -1)),
        )
        cache.set(key, choices, CACHE_SECONDS)
    return choices
