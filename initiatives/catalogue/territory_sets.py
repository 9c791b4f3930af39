"""The territorial hierarchy in the catalogue's bitmaps (bitmaps.py): which published
initiatives are inside a territory or cover it, as sets of ranks, without reading an id list
from PostgreSQL on each request.

The index holds, besides the page's facets, one bitmap per territory an initiative is led by
(`lead`) or covers (`cover`), and the same grouped by the EPCI, département and région of
those territories. The sets are then those of `territories.inside_branches` and
`covering_branches`, whose SQL stays the reference (and the answer on SQLite):

- a commune: led by it or covering it;
- an EPCI: led by it or one of its communes, or covering one of them;
- a département or a région: led by a territory in it (the initiative's own code), or
  covering a territory in it;
- covering: led by or covering one of the territory's parents.
"""

from __future__ import annotations

from pyroaring import BitMap

from initiatives.catalogue.territories import ALL, COVERING, INSIDE
from referentials.hierarchy import Level

# Facets the index holds for the hierarchy (never shown as the page's facets).
LEAD, COVER = "lead", "cover"
LEAD_EPCI, COVER_EPCI = "lead_epci", "cover_epci"
COVER_DEPARTMENT, COVER_REGION = "cover_department", "cover_region"
HIERARCHY = (LEAD, COVER, LEAD_EPCI, COVER_EPCI, COVER_DEPARTMENT, COVER_REGION)


def hierarchy_sql(*, through: str, territory: str, source: str, target: str) -> list[str]:
    """The index build's statements for the hierarchy's bitmaps (rows: facet, key, ranks),
    read from the materialised `r` (the published initiatives with their rank)."""
    epci_of = "COALESCE({t}.epci_id, CASE WHEN {t}.level = 'epci' THEN {t}.id END)"
    covered = (
        f"FROM r JOIN {through} c ON c.{source} = r.id JOIN {territory} ct ON ct.id = c.{target}"
    )
    return [
        "SELECT 'lead', CAST(r.lead_collectivity_id AS TEXT), array_agg(r.rank) FROM r "
        "GROUP BY r.lead_collectivity_id",
        f"SELECT 'lead_epci', CAST({epci_of.format(t='lt')} AS TEXT), array_agg(r.rank) "  # noqa: S608
        f"FROM r JOIN {territory} lt ON lt.id = r.lead_collectivity_id "
        f"GROUP BY {epci_of.format(t='lt')}",
        f"SELECT 'cover', CAST(c.{target} AS TEXT), array_agg(r.rank) {covered} "  # noqa: S608
        f"GROUP BY c.{target}",
        f"SELECT 'cover_epci', CAST({epci_of.format(t='ct')} AS TEXT), "  # noqa: S608
        f"array_agg(DISTINCT r.rank) {covered} GROUP BY {epci_of.format(t='ct')}",
        f"SELECT 'cover_department', ct.department_code, array_agg(DISTINCT r.rank) {covered} "  # noqa: S608
        "GROUP BY ct.department_code",
        f"SELECT 'cover_region', ct.region_code, array_agg(DISTINCT r.rank) {covered} "  # noqa: S608
        "GROUP BY ct.region_code",
        # Who leads, by level and population band (the similar territories): one key per
        # lead collectivity, "level:band:lead id:région", no ranks.
        "SELECT 'leader', concat_ws(':', r.collectivity_level, r.population_band, "
        "r.lead_collectivity_id, r.region_code), '{}'::int[] FROM r "
        "GROUP BY r.collectivity_level, r.population_band, r.lead_collectivity_id, r.region_code",
    ]


def epci_key(territory_id, level, epci_id) -> str | None:
    """The EPCI a territory belongs to (itself for an EPCI), as the index's key."""
    if epci_id:
        return str(epci_id)
    return str(territory_id) if level == Level.EPCI else None


def _get(index, facet: str, key) -> BitMap:
    return index.values[facet].get(str(key)) or BitMap()


def inside(index, territory) -> BitMap:
    """Ranks of the published initiatives led by or covering this territory or one in it."""
    if territory.level == Level.REGION:
        return _get(index, "region", territory.code) | _get(index, COVER_REGION, territory.code)
    if territory.level == Level.DEPARTMENT:
        return _get(index, "department", territory.code) | _get(
            index, COVER_DEPARTMENT, territory.code
        )
    if territory.level == Level.EPCI:
        return _get(index, LEAD_EPCI, territory.pk) | _get(index, COVER_EPCI, territory.pk)
    return _get(index, LEAD, territory.pk) | _get(index, COVER, territory.pk)


def covering(index, ancestor_ids) -> BitMap:
    """Ranks of the published initiatives led by or covering one of these territories."""
    sets = [_get(index, facet, pk) for pk in ancestor_ids for facet in (LEAD, COVER)]
    return BitMap.union(*sets) if sets else BitMap()


def scoped(index, territory, ancestor_ids, scope: str) -> tuple[BitMap, BitMap]:
    """The selection for `territory_scope`, and the part of it inside the territory (the
    first tier of the "local first" order)."""
    inner = inside(index, territory)
    if scope == INSIDE:
        return inner, inner
    outer = covering(index, ancestor_ids) if ancestor_ids else BitMap()
    if scope == COVERING:
        return outer - inner, BitMap()
    assert scope == ALL
    return inner | outer, inner


def most_active(index, level: str, band: int, region: str, *, exclude: int, limit: int):
    """Up to `limit` (count, id) of the collectivities of this level and population band
    leading the most published initiatives, those of `region` first.

    Ranked once per index and band (thousands of communes share a band), then read."""
    group = f"{level}:{band}"
    ranking = index.memo.get(("leaders", group))
    if ranking is None:
        lead = index.values[LEAD]
        ranking = {"": []}
        for pk, place_region in index.leaders.get(group, {}).items():
            count = len(lead.get(str(pk)) or ())
            if count:
                ranking[""].append((-count, pk))
                ranking.setdefault(place_region, []).append((-count, pk))
        for ranked in ranking.values():
            ranked.sort()
        index.memo[("leaders", group)] = ranking
    picked: dict[int, int] = {}
    for key in (region, ""):  # the région's first, then everywhere
        for minus_count, pk in ranking.get(key, []):
            if len(picked) == limit:
                return list(picked.items())
            if pk != exclude:
                picked.setdefault(pk, -minus_count)
    return list(picked.items())


def parse_leader(key: str) -> tuple[str, int, str] | None:
    """("level:band", lead id, région) from a `leader` row's key."""
    parts = key.split(":")
    if len(parts) < 3 or not parts[2].isdigit():
        return None
    return f"{parts[0]}:{parts[1]}", int(parts[2]), parts[3] if len(parts) > 3 else ""
