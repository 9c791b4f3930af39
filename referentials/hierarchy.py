"""The territorial hierarchy: a territory's parents and children, its readable address key,
and what an address or a typed key stands for.

Commune → EPCI → département → région. An EPCI belongs to the département of its seat
(`parent`) but may span several: its parents are then every département (and région) where
its member communes lie. Every function here runs a constant number of queries, whatever
the territory (Paris or a commune of 50 inhabitants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from referentials.models import Territory, TerritoryAlias

Level = Territory.Level

# The level as it appears in addresses and keys: /territoires/communes/33063-bordeaux/,
# ?territory=commune-33063.
LEVEL_SLUGS = {
    Level.COMMUNE: "communes",
    Level.EPCI: "epci",
    Level.DEPARTMENT: "departements",
    Level.REGION: "regions",
}
SLUG_LEVELS = {slug: level for level, slug in LEVEL_SLUGS.items()}
KEY_PREFIXES = {
    Level.COMMUNE: "commune",
    Level.EPCI: "epci",
    Level.DEPARTMENT: "departement",
    Level.REGION: "region",
}
PREFIX_LEVELS = {prefix: level for level, prefix in KEY_PREFIXES.items()}
KEY_PATTERN = re.compile(r"^(commune|epci|departement|region)-([0-9][0-9AB][0-9]{0,7})$", re.I)
CODE_PATTERN = re.compile(r"^[0-9][0-9AaBb][0-9]{0,7}$")
COMMUNE_CODE_PATTERN = re.compile(r"^[0-9][0-9AB][0-9]{3}$")

# Overseas collectivities (COM) and New Caledonia have INSEE codes but are not in the COG
# file the portal loads (régions, départements, EPCI and communes only).
OUTSIDE_COG = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Île de Clipperton",
}

LEVEL_ORDER = {Level.COMMUNE: 0, Level.EPCI: 1, Level.DEPARTMENT: 2, Level.REGION: 3}

LEVEL_TITLES = {
    Level.COMMUNE: _("Commune"),
    Level.EPCI: _("Intercommunalité"),
    Level.DEPARTMENT: _("Département"),
    Level.REGION: _("Région"),
}


def territory_key(territory: Territory) -> str:
    """The stable key of a territory in parameters: "commune-33063", "region-75"."""
    return f"{KEY_PREFIXES[territory.level]}-{territory.code}"


def territory_slug(territory: Territory) -> str:
    """The last part of its address: "33063-bordeaux"."""
    return f"{territory.code}-{slugify(territory.name)}"[:120].rstrip("-")


def territory_path(territory: Territory) -> str:
    from django.urls import reverse

    return reverse(
        "territory",
        kwargs={"level": LEVEL_SLUGS[territory.level], "slug": territory_slug(territory)},
    )


def territory_by_key(key: str | None) -> Territory | None:
    """The territory of a key; a commune key with a former code gives the commune it is
    part of now (a key saved before a merger keeps working)."""
    match = KEY_PATTERN.match((key or "").strip())
    if not match:
        return None
    level, code = PREFIX_LEVELS[match[1].lower()], match[2].upper()
    territory = Territory.objects.filter(level=level, code=code).first()
    if territory is None and level == Level.COMMUNE:
        territory = successor_of(code)
    return territory


def successor_of(code: str) -> Territory | None:
    """The commune that a former commune (merged into a commune nouvelle, or associated) or
    an arrondissement municipal is part of now, as the COG says; its `former` attribute is
    the TerritoryAlias that says so. None for any other code (one indexed query)."""
    code = (code or "").strip().upper()
    if not COMMUNE_CODE_PATTERN.match(code):
        return None
    alias = (
        TerritoryAlias.objects.filter(value=code, kind__in=TerritoryAlias.CODE_KINDS)
        .select_related("territory")
        .order_by("kind", "pk")
        .first()
    )
    if alias is None:
        return None
    territory = alias.territory
    territory.former = alias
    return territory


def outside_cog_name(code: str) -> str:
    """The name of an overseas collectivity the COG file does not hold, or ""."""
    return OUTSIDE_COG.get((code or "")[:3], "")


@dataclass
class Lineage:
    """A territory with its parents (nearest first) and its ancestors' ids."""

    territory: Territory
    parents: list[Territory]  # commune: EPCI, département, région; EPCI: départements, régions

    @property
    def ancestor_ids(self) -> list[int]:
        return [parent.pk for parent in self.parents]

    @property
    def breadcrumb(self) -> list[Territory]:
        """The chain shown above the page: the widest first."""
        return sorted(self.parents, key=lambda t: (-LEVEL_ORDER[t.level], t.code))


def lineage(territory: Territory) -> Lineage:
    """The territory's parents, in one query."""
    if territory.level == Level.REGION:
        return Lineage(territory, [])
    departments = [territory.department_code] if territory.department_code else []
    regions = [territory.region_code] if territory.region_code else []
    condition = Q(level=Level.DEPARTMENT, code__in=departments) | Q(
        level=Level.REGION, code__in=regions
    )
    if territory.level == Level.EPCI:
        # Every département (and région) where a member commune lies: same single query.
        members = Territory.objects.filter(epci=territory).order_by()
        condition |= Q(level=Level.DEPARTMENT, code__in=members.values("department_code")) | Q(
            level=Level.REGION, code__in=members.values("region_code")
        )
    if territory.level == Level.COMMUNE and territory.epci_id:
        condition |= Q(pk=territory.epci_id)
    if territory.level == Level.DEPARTMENT:
        condition = Q(level=Level.REGION, code__in=regions)
    parents = list(Territory.objects.filter(condition).exclude(pk=territory.pk))
    parents.sort(key=lambda t: (LEVEL_ORDER[t.level], t.code != territory.department_code, t.code))
    return Lineage(territory, parents)


def descendants(territory: Territory):
    """Every territory inside this one (not itself), as a queryset."""
    if territory.level == Level.REGION:
        return Territory.objects.filter(region_code=territory.code).exclude(level=Level.REGION)
    if territory.level == Level.DEPARTMENT:
        return Territory.objects.filter(
            department_code=territory.code, level=Level.COMMUNE
        ) | Territory.objects.filter(level=Level.EPCI, parent=territory)
    if territory.level == Level.EPCI:
        return Territory.objects.filter(epci=territory)
    return Territory.objects.none()


def children(territory: Territory):
    """The next level down: départements of a région, communes of a département or EPCI."""
    if territory.level == Level.REGION:
        return Territory.objects.filter(level=Level.DEPARTMENT, region_code=territory.code)
    if territory.level == Level.DEPARTMENT:
        return Territory.objects.filter(level=Level.COMMUNE, department_code=territory.code)
    if territory.level == Level.EPCI:
        return Territory.objects.filter(epci=territory)
    return Territory.objects.none()
