"""Reads of the territory pages: a territory, its parents, what is done in and around it.

Every figure comes from the catalogue's own search (same filter, same counts, same cache)
so that the page, the catalogue, the API and the exports agree. Only published initiatives
are counted. The number of queries is the same whatever the territory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from initiatives.catalogue.selectors import CatalogueResult, catalogue_search
from initiatives.catalogue.territories import ALL, COVERING, INSIDE, inside_ids
from initiatives.selectors import published_initiatives
from referentials.hierarchy import (
    CODE_PATTERN,
    LEVEL_SLUGS,
    SLUG_LEVELS,
    Level,
    Lineage,
    lineage,
    outside_cog_name,
    territory_key,
    territory_path,
    territory_slug,
)
from referentials.models import Territory

LISTED = 5
SIMILAR = 6
ACTIONS = 8
POPULATION_YEAR = 2017  # INSEE populations légales in the COG file (referentials/data)


class TerritoryNotFound(Exception):
    """No territory at this address; `message` says why, in French, for the 404 page."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


@dataclass
class Lookup:
    territory: Territory | None = None
    redirect_to: str = ""


def territory_lookup(level_slug: str, slug: str) -> Lookup:
    """The territory at /territoires/<level>/<code>-<name>/, or where to redirect (wrong
    name, code of another level, lower-case Corsican code); TerritoryNotFound otherwise."""
    from django.utils.translation import gettext as _

    level = SLUG_LEVELS.get(level_slug)
    code = (slug or "").split("-", 1)[0].upper()
    if level is None:
        raise TerritoryNotFound()
    if not CODE_PATTERN.match(code):
        raise TerritoryNotFound(_("« %(code)s » n'est pas un code INSEE.") % {"code": code[:20]})
    territory = Territory.objects.filter(level=level, code=code).first()
    if territory is None:
        elsewhere = list(Territory.objects.filter(code=code)[:2])
        if len(elsewhere) == 1:  # a code of another level: its own page
            return Lookup(redirect_to=territory_path(elsewhere[0]))
        outside = outside_cog_name(code)
        if outside:
            raise TerritoryNotFound(
                _(
                    "%(name)s (%(code)s) est une collectivité d'outre-mer qui ne figure pas "
                    "dans le Code officiel géographique utilisé par le portail."
                )
                % {"name": outside, "code": code}
            )
        raise TerritoryNotFound(
            _("Aucun territoire de ce niveau n'a le code INSEE « %(code)s ».") % {"code": code}
        )
    if slug != territory_slug(territory):
        return Lookup(territory=territory, redirect_to=territory_path(territory))
    return Lookup(territory=territory)


def catalogue_url(territory: Territory, scope: str, **extra) -> str:
    params = {"territory": territory_key(territory), "territory_scope": scope, **extra}
    return reverse("initiatives:catalogue") + "?" + urlencode(params)


@dataclass
class Group:
    """Initiatives inside the territory, or covering it."""

    scope: str
    result: CatalogueResult
    url: str
    axes: list[dict] = field(default_factory=list)
    school_levels: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.result.count

    @property
    def initiatives(self):
        return self.result.page.object_list


def _group(territory: Territory, scope: str) -> Group:
    result = catalogue_search(
        {"territory": territory_key(territory), "territory_scope": scope}, page_size=LISTED
    )
    group = Group(scope=scope, result=result, url=catalogue_url(territory, scope))
    for name, target in (("axis", group.axes), ("school_level", group.school_levels)):
        for option in result.facets[name].options:
            if option["count"]:
                target.append(
                    {
                        **option,
                        "url": catalogue_url(territory, scope, **{name: option["value"]}),
                    }
                )
    return group


def similar_territories(territory: Territory) -> list[dict]:
    """Territories of the same level and population band that lead published initiatives,
    those of the same région first, then the most active: one query."""
    band = Territory.band_of(territory.population)
    rows = (
        published_initiatives()
        .filter(collectivity_level=territory.level, population_band=band)
        .exclude(lead_collectivity_id=territory.pk)
        .order_by()
        .values(
            "lead_collectivity_id",
            "lead_collectivity__name",
            "lead_collectivity__code",
            "lead_collectivity__level",
            "lead_collectivity__department_code",
            "lead_collectivity__population",
        )
        .annotate(
            n=Count("*"),
            same_region=Count("pk", filter=Q(region_code=territory.region_code)),
        )
        .order_by("-same_region", "-n", "lead_collectivity__name")[:SIMILAR]
    )
    similar = []
    for row in rows:
        place = Territory(
            pk=row["lead_collectivity_id"],
            name=row["lead_collectivity__name"],
            code=row["lead_collectivity__code"],
            level=row["lead_collectivity__level"],
            department_code=row["lead_collectivity__department_code"],
            population=row["lead_collectivity__population"],
        )
        similar.append(
            {
                "territory": place,
                "count": row["n"],
                "url": territory_path(place),
                "same_region": bool(row["same_region"]),
            }
        )
    return similar


def related_actions(territory: Territory, lineage_: Lineage) -> list:
    """Actions of the plan that cite, as evidence, a published initiative inside the
    territory or covering it."""
    from committee.plan.models import Action

    ids = inside_ids(territory)
    condition = Q(initiatives__in=ids)
    if lineage_.ancestor_ids:
        condition |= Q(initiatives__lead_collectivity_id__in=lineage_.ancestor_ids)
    return list(
        Action.objects.filter(condition, initiatives__status="published")
        .select_related("axis")
        .distinct()
        .order_by("axis__number", "code")[:ACTIONS]
    )


@dataclass
class TerritoryPage:
    territory: Territory
    lineage: Lineage
    key: str
    inside: Group
    covering: Group | None
    total: int
    similar: list[dict]
    partners: list[dict]
    actions: list
    departments: dict[str, int]
    population_year: int = POPULATION_YEAR

    @property
    def level_slug(self) -> str:
        return LEVEL_SLUGS[self.territory.level]

    def link(self, name: str, scope: str = ALL) -> str:
        params = urlencode({"territory": self.key, "territory_scope": scope})
        return reverse(name) + "?" + params


def territory_page(territory: Territory) -> TerritoryPage:
    lineage_ = lineage(territory)
    inside = _group(territory, INSIDE)
    covering = _group(territory, COVERING) if lineage_.parents else None
    partners = [option for option in inside.result.facets["partner"].options if option["count"]]
    partners.sort(key=lambda option: (-option["count"], option["value"]))
    departments = {}
    if territory.level == Level.REGION:
        departments = {
            option["value"]: option["count"]
            for option in inside.result.facets["department"].options
        }
    return TerritoryPage(
        territory=territory,
        lineage=lineage_,
        key=territory_key(territory),
        inside=inside,
        covering=covering,
        total=inside.count + (covering.count if covering else 0),
        similar=similar_territories(territory),
        partners=partners,
        actions=related_actions(territory, lineage_),
        departments=departments,
    )


def region_layer(counts) -> list[dict]:
    """The map's région layer: initiatives led by a région itself (which no département
    holds), per région, under the map's filters (counted with the map, `MapCounts`)."""
    from committee.public.views.browse import catalogue_link
    from initiatives.catalogue.selectors import catalogue_choices

    names = dict(catalogue_choices().regions)
    layer = []
    for code, n in counts.by_region.items():
        region = Territory(level=Level.REGION, code=code, name=names.get(code, code))
        layer.append(
            {
                "code": code,
                "name": region.name,
                "count": n,
                "url": catalogue_link(counts.params, collectivity=Level.REGION, region=code),
                "page": territory_path(region),
            }
        )
    layer.sort(key=lambda row: (-row["count"], row["name"]))
    return layer
