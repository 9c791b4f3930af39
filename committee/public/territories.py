"""Reads of the territory pages: a territory, its parents, what is done in and around it.

Every figure comes from the catalogue's own search (same filter, same counts, same cache)
so that the page, the catalogue, the API and the exports agree. Only published initiatives
are counted. The number of queries is the same whatever the territory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.http import urlencode

from committee.axes import Axis
from committee.public.links import catalogue_link
from initiatives.catalogue import bitmaps, territory_sets
from initiatives.catalogue.choices import catalogue_choices
from initiatives.catalogue.selectors import card_rows, with_cards
from initiatives.catalogue.territories import (
    ALL,
    COVERING,
    INSIDE,
    covering_branches,
    covering_ids,
    inside_branches,
    inside_ids,
)
from initiatives.selectors import published_initiatives
from referentials.hierarchy import (
    CODE_PATTERN,
    LEVEL_SLUGS,
    SLUG_LEVELS,
    Level,
    Lineage,
    lineage,
    outside_cog_name,
    successor_of,
    territory_key,
    territory_path,
    territory_slug,
)
from referentials.models import Territory, TerritoryAlias

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
        # A former commune (merged into a commune nouvelle) or an arrondissement municipal:
        # the page of the commune it is part of now, permanently.
        successor = successor_of(code)
        if successor is not None:
            return Lookup(redirect_to=territory_path(successor))
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
    """Initiatives inside the territory, or covering it: the same selection as the
    catalogue's `?territory=<key>&territory_scope=<scope>`."""

    scope: str
    count: int
    url: str
    initiatives: list
    axes: list[dict] = field(default_factory=list)
    school_levels: list[dict] = field(default_factory=list)
    partners: list[dict] = field(default_factory=list)
    departments: dict[str, int] = field(default_factory=dict)


def _indexed_counts(index, territory: Territory, ancestors: list[int], scope: str) -> dict:
    """`_scope_counts` from the catalogue's bitmaps: intersections' cardinalities, and the
    lowest ranks for the latest (the index's order is the catalogue's)."""
    chosen, _local = territory_sets.scoped(index, territory, ancestors, scope)
    counts: dict[str, dict[str, int]] = {"total": {"": len(chosen)}}
    for name in ("axis", "school_level", "partner", "department"):
        counts[name] = {
            key: n
            for key, bitmap in index.values[name].items()
            if (n := chosen.intersection_cardinality(bitmap))
        }
    latest = [index.id_at(rank) for rank in itertools.islice(chosen, LISTED)]
    return {"counts": counts, "latest": latest}


def _scope_counts(territory: Territory, ancestors: list[int], scope: str, index) -> dict:
    """Total, per axis, school level, partner (lead or partner) and département, and the
    latest ids, in one statement: the selection is read once (a materialised CTE) rather
    than once per figure."""
    from django.db import connection

    from initiatives.models import Initiative, SchoolLevel

    if index is not None:
        return _indexed_counts(index, territory, ancestors, scope)
    # The ids first (ARRAY(…): computed once, then read through the primary key) rather than
    # "id IN (…)", which the planner answers by scanning every published initiative.
    table = Initiative._meta.db_table
    if scope == COVERING:
        wanted, params = covering_ids(ancestors).query.sql_with_params()
        unwanted, more = inside_ids(territory).query.sql_with_params()
        where = f"{_id_in(wanted)} AND NOT {_id_in(unwanted)}"
        params = [*params, *more]
    else:
        branches = inside_branches(territory)
        if scope == ALL and ancestors:
            branches += covering_branches(ancestors)
        ids = branches[0].union(*branches[1:])
        wanted, params = ids.query.sql_with_params()
        where = _id_in(wanted)
    base_sql = (
        "SELECT i.id, i.published_at, i.department_code, i.lead_organisation_id "  # noqa: S608
        f"FROM {table} i WHERE i.status = %s AND {where}"
    )
    params = [Initiative.Status.PUBLISHED, *params]
    axes = Initiative.axes.through._meta.db_table
    levels = Initiative.school_levels.through._meta.db_table
    partners = Initiative.partners.through._meta.db_table
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    # Our own table names; every value travels as a parameter.
    sql = (
        f"WITH b AS {materialized}({base_sql}) "  # noqa: S608
        "SELECT 'total', '', COUNT(*) FROM b "
        f"UNION ALL SELECT 'axis', CAST(a.number AS TEXT), COUNT(*) FROM b "
        f"JOIN {axes} t ON t.initiative_id = b.id JOIN {Axis._meta.db_table} a "
        "ON a.id = t.axis_id GROUP BY a.number "
        f"UNION ALL SELECT 'school_level', l.code, COUNT(*) FROM b "
        f"JOIN {levels} t ON t.initiative_id = b.id JOIN {SchoolLevel._meta.db_table} l "
        "ON l.id = t.schoollevel_id GROUP BY l.code "
        "UNION ALL SELECT 'partner', o.acronym, COUNT(*) FROM ("
        "SELECT b.lead_organisation_id AS org FROM b UNION ALL "
        f"SELECT t.organisation_id FROM b JOIN {partners} t ON t.initiative_id = b.id "
        "WHERE t.organisation_id <> b.lead_organisation_id"
        ") x JOIN members_organisation o ON o.id = x.org GROUP BY o.acronym "
        "UNION ALL SELECT 'department', b.department_code, COUNT(*) FROM b "
        "GROUP BY b.department_code "
        "UNION ALL SELECT 'latest', CAST(l.id AS TEXT), 0 FROM (SELECT b.id FROM b "
        f"ORDER BY b.published_at DESC, b.id DESC LIMIT {LISTED}) l"
    )
    counts: dict[str, dict[str, int]] = {
        name: {} for name in ("total", "axis", "school_level", "partner", "department")
    }
    latest: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, key, n in cursor.fetchall():
            if kind == "latest":
                latest.append(int(key))
            elif key is not None:
                counts[kind][key] = n
    return {"counts": counts, "latest": latest}


def _id_in(ids_sql: str) -> str:
    """`i.id` among the ids of a subquery: on PostgreSQL through ARRAY(…), computed once then
    read by primary key (an IN is answered by scanning every published initiative)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"i.id = ANY(ARRAY({ids_sql}))"
    return f"i.id IN ({ids_sql})"


def _groups(territory: Territory, lineage_: Lineage, index) -> tuple[Group, Group | None]:
    """Both groups; their initiatives read in one query (on SQLite, their axes in one more)."""
    choices = catalogue_choices()
    scopes = [INSIDE] + ([COVERING] if lineage_.parents else [])
    computed = {
        scope: _scope_counts(territory, lineage_.ancestor_ids, scope, index) for scope in scopes
    }
    wanted = [pk for scope in scopes for pk in computed[scope]["latest"]]
    rows = {}
    if wanted and connection.vendor == "postgresql":  # one statement, no model instances
        rows = {row.pk: row for row in card_rows(wanted)}
    elif wanted:
        rows = {
            row.pk: row
            for row in with_cards(
                published_initiatives()
                .filter(pk__in=wanted)
                .select_related("lead_organisation", "lead_collectivity")
                .prefetch_related(
                    Prefetch("axes", queryset=Axis.objects.only("number", "short_title"))
                )
            )
        }
    groups = []
    for scope in scopes:
        counts = computed[scope]["counts"]

        def options(name, pairs, scope=scope, counts=counts):
            return [
                {
                    "value": str(value),
                    "label": label,
                    "count": counts[name][str(value)],
                    "url": catalogue_url(territory, scope, **{name: str(value)}),
                }
                for value, label in pairs
                if counts[name].get(str(value))
            ]

        partners = options("partner", [(acronym, acronym) for acronym, _n in choices.partners])
        partners.sort(key=lambda option: (-option["count"], option["value"]))
        groups.append(
            Group(
                scope=scope,
                count=counts["total"].get("", 0),
                url=catalogue_url(territory, scope),
                initiatives=sorted(
                    (rows[pk] for pk in computed[scope]["latest"] if pk in rows),
                    key=lambda row: (row.published_at, row.pk),
                    reverse=True,
                ),
                axes=options("axis", choices.axes),
                school_levels=options("school_level", choices.school_levels),
                partners=partners,
                departments={k: n for k, n in counts["department"].items() if k},
            )
        )
    return groups[0], (groups[1] if len(groups) > 1 else None)


SIMILAR_SAMPLE = 3_000


def similar_territories(territory: Territory, index=None) -> list[dict]:
    """Territories of the same level and population band that lead published initiatives,
    those of the same région first, then the most active: two queries, whatever the band.

    The candidates come from the band's latest initiatives (a bounded sample read along
    the index), their counts from all of them; with the catalogue's bitmaps, every leader
    of the band is a candidate and its count is its bitmap's size (one query)."""
    band = Territory.band_of(territory.population)
    if index is not None:
        return _indexed_similar(index, territory, band)
    latest = (
        published_initiatives()
        .filter(collectivity_level=territory.level, population_band=band)
        .order_by("-published_at", "-id")
        .values("id")[:SIMILAR_SAMPLE]
    )
    candidates = list(
        published_initiatives()
        .filter(pk__in=latest)
        .exclude(lead_collectivity_id=territory.pk)
        .order_by()
        .values("lead_collectivity_id")
        .annotate(
            n=Count("*"), same_region=Count("pk", filter=Q(region_code=territory.region_code))
        )
        .order_by("-same_region", "-n", "lead_collectivity_id")
        .values_list("lead_collectivity_id", flat=True)[:SIMILAR]
    )
    places = {
        place.pk: place
        for place in Territory.objects.filter(pk__in=candidates).annotate(
            n=Count("led_initiatives", filter=Q(led_initiatives__status="published"))
        )
    }
    similar = []
    for pk in candidates:
        place = places[pk]
        similar.append(
            {
                "territory": place,
                "count": place.n,
                "url": territory_path(place),
                "same_region": place.region_code == territory.region_code,
            }
        )
    similar.sort(key=lambda row: (not row["same_region"], -row["count"], row["territory"].name))
    return similar


def _indexed_similar(index, territory: Territory, band: int) -> list[dict]:
    wanted = dict(
        territory_sets.most_active(
            index,
            territory.level,
            band,
            territory.region_code,
            exclude=territory.pk,
            limit=SIMILAR,
        )
    )
    similar = [
        {
            "territory": place,
            "count": wanted[place.pk],
            "url": territory_path(place),
            "same_region": place.region_code == territory.region_code,
        }
        for place in Territory.objects.filter(pk__in=wanted)
    ]
    similar.sort(key=lambda row: (not row["same_region"], -row["count"], row["territory"].name))
    return similar


def related_actions(territory: Territory, lineage_: Lineage, index=None) -> list:
    """Actions of the plan that cite, as evidence, a published initiative inside the
    territory or covering it."""
    from committee.plan.models import Action

    if index is not None:
        return _indexed_actions(index, territory, lineage_)
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


def _indexed_actions(index, territory: Territory, lineage_: Lineage) -> list:
    """The plan's actions with the published initiatives they cite (a few hundred pairs at
    most), tested against the territory's bitmap: one query."""
    from django.contrib.postgres.aggregates import ArrayAgg

    from committee.plan.models import Action

    inner = territory_sets.inside(index, territory)
    ancestors = set(lineage_.ancestor_ids)
    actions = (
        Action.objects.filter(initiatives__status="published")
        .select_related("axis")
        .annotate(
            cited=ArrayAgg("initiatives__id", distinct=True),
            leads=ArrayAgg("initiatives__lead_collectivity_id", distinct=True),
        )
        .order_by("axis__number", "code")
    )
    related = []
    for action in actions:
        if any(index.rank_of(pk) in inner for pk in action.cited) or ancestors.intersection(
            action.leads
        ):
            related.append(action)
            if len(related) == ACTIONS:
                break
    return related


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
    # A commune's other codes: postcodes, former communes, arrondissements municipaux.
    postcodes: list[str] = field(default_factory=list)
    former_communes: list = field(default_factory=list)
    districts: list = field(default_factory=list)

    @property
    def level_slug(self) -> str:
        return LEVEL_SLUGS[self.territory.level]

    def link(self, name: str, scope: str = ALL) -> str:
        params = urlencode({"territory": self.key, "territory_scope": scope})
        return reverse(name) + "?" + params


def territory_page(territory: Territory) -> TerritoryPage:
    lineage_ = lineage(territory)
    # The catalogue's bitmaps (None: SQL answers), looked up once for the whole page.
    index = bitmaps.catalogue_index()
    inside, covering = _groups(territory, lineage_, index)
    commune = territory.level == Level.COMMUNE
    aliases = list(territory.aliases.order_by("kind", "value")) if commune else []
    return TerritoryPage(
        postcodes=[a.value for a in aliases if a.kind == TerritoryAlias.Kind.POSTCODE],
        former_communes=[a for a in aliases if a.kind == TerritoryAlias.Kind.FORMER_CODE],
        districts=[a for a in aliases if a.kind == TerritoryAlias.Kind.DISTRICT_CODE],
        territory=territory,
        lineage=lineage_,
        key=territory_key(territory),
        inside=inside,
        covering=covering,
        total=inside.count + (covering.count if covering else 0),
        similar=similar_territories(territory, index),
        partners=inside.partners,
        actions=related_actions(territory, lineage_, index),
        departments=inside.departments if territory.level == Level.REGION else {},
    )


def region_layer(counts) -> list[dict]:
    """The map's région layer: initiatives led by a région itself (which no département
    holds), per région, under the map's filters (counted with the map, `MapCounts`)."""

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
