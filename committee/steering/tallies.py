"""The steering figures' counts without grouping the published rows in SQL.

Published initiatives are counted from the catalogue's bitmaps (initiatives/catalogue/
bitmaps.py): the ranks of those meeting every filter but the status, intersected with the
ranks of each value (axis, région, lead organisation, quarter…). The other statuses
(submitted, in review, changes requested, refused, archived) are not in the bitmaps and
change at every step of the review: their few thousand rows are grouped in one SQL
statement, read from the partial index that holds them (initiative_reviewed). Coverage
(départements, rural communes) reads which territories the published initiatives lead or
cover from the same bitmaps; the referential's départements and rural communes, with what
reaches each commune, are read once per index (after a publication: some 70 ms at 30,000
rural communes, on the first page that needs them).

The definitions are those of statistics.py, whose grouped queries stay the answer when the
index is disabled (SQLite, CATALOGUE_BITMAPS=False) or steps aside (a text naming a
territory): the tests compare both on the same data.
"""

from __future__ import annotations

from functools import cached_property

from django.db import connection
from django.utils import timezone
from pyroaring import BitMap

from initiatives.catalogue import bitmaps, statistics_sets, territory_sets
from initiatives.models import REVIEWED, Initiative
from initiatives.models import Status as S
from members.models import Organisation
from referentials.models import Territory

ALL_STATUSES = "all"
PIPELINE = tuple(s for s in S if s != S.DRAFT)
OTHERS = tuple(REVIEWED)  # neither drafts nor published: not in the bitmaps
# The figures' breakdowns → the index's facets.
BREAKDOWNS = {
    "axis": "axis",
    "region": "region",
    "department": "department",
    "collectivity": "collectivity",
    "school_level": "school_level",
    "lead_organisation": statistics_sets.LEAD_ORGANISATION,
}
STATUS = "status"


def statuses_selected(value: str | None) -> tuple[str, ...]:
    """The statuses a value of the status filter selects (published when empty)."""
    if not value:
        return (S.PUBLISHED,)
    return PIPELINE if value == ALL_STATUSES else (value,)


class Tally:
    """The counts of one set of filters: published initiatives from the bitmaps, the
    others from one SQL statement (run on first use)."""

    def __init__(self, selection: bitmaps.Selection, filterset):
        self.index = selection.index
        self.selection = selection
        self.filterset = filterset
        self.selected = statuses_selected(filterset.cleaned.get("status"))

    @cached_property
    def published(self) -> BitMap:
        """Ranks of the published initiatives meeting every filter but the status."""
        return self.selection.result

    @cached_property
    def others(self) -> dict[tuple[str, str], dict[str, int]]:
        """(grouping, status) → key → count, over the initiatives neither drafts nor
        published meeting every filter but the status."""
        return other_counts(self.filterset, [s for s in self.selected if s != S.PUBLISHED])

    def _published_counts(self, facet: str) -> dict[str, int]:
        published = self.published
        return {
            key: n
            for key, ranks in self.index.values[facet].items()
            if (n := published.intersection_cardinality(ranks))
        }

    def _add_others(self, counts: dict[str, int], grouping: str, statuses) -> dict[str, int]:
        for status in statuses:
            for key, n in self.others.get((grouping, status), {}).items():
                counts[key] = counts.get(key, 0) + n
        return counts

    def breakdown(self, name: str) -> dict[str, int]:
        """Initiatives of the selected statuses by `name` (BREAKDOWNS), zeros left out."""
        counts = {}
        if S.PUBLISHED in self.selected:
            counts = self._published_counts(BREAKDOWNS[name])
            if name == "department":
                counts.pop("", None)  # led by a région: no département
        return self._add_others(counts, name, [s for s in self.selected if s != S.PUBLISHED])

    def by_status(self) -> dict[str, int]:
        """Every status but drafts, whatever the status filter."""
        counts = {S.PUBLISHED.value: len(self.published)} if self.published else {}
        return self._add_others(counts, STATUS, OTHERS)

    def quarters(self) -> dict[tuple[int, int], dict[str, int]]:
        """(year, quarter) → {"submitted": …, "published": …}, every status but drafts."""
        counts: dict[tuple[int, int], dict[str, int]] = {}
        for kind, facet in (
            ("submitted", statistics_sets.SUBMITTED_QUARTER),
            ("published", statistics_sets.PUBLISHED_QUARTER),
        ):
            per_key = self._add_others(self._published_counts(facet), facet, OTHERS)
            for key, n in per_key.items():
                entry = counts.setdefault(
                    statistics_sets.key_of(key), {"submitted": 0, "published": 0}
                )
                entry[kind] += n
        return counts

    def departments(self, region: str | None, department: str | None) -> tuple[int, int]:
        """(départements of the referential in the geography, those where a published
        initiative meeting the filters is led)."""
        places = _departments(self.index)
        chosen = [code for place, code in places if _in(place, region, department)]
        values, published = self.index.values["department"], self.published
        covered = sum(1 for code in chosen if published.intersect(values.get(code) or BitMap()))
        return len(chosen), covered

    def rural_communes(
        self, region: str | None, department: str | None, population_max: int
    ) -> tuple[int, int]:
        """(communes under `population_max` inhabitants in the geography, those a published
        initiative meeting the filters is led by or covers)."""
        groups = _rural(self.index, population_max)
        total = covered = 0
        published = self.published
        # Every published initiative (no filter): each commune reached by one is counted.
        everything = len(published) == len(self.index.published)
        for place, (count, reached) in groups.items():
            if _in(place, region, department):
                total += count
                if everything:
                    covered += len(reached)
                else:
                    covered += sum(1 for ranks in reached if ranks.intersect(published))
        return total, covered


def tally(filterset) -> Tally | None:
    """The counts of these filters from the bitmaps, or None (the grouped queries answer)."""
    selection = bitmaps.selection(filterset, ignore=(STATUS,))
    return None if selection is None else Tally(selection, filterset)


def _in(place: tuple[str, str], region: str | None, department: str | None) -> bool:
    """Whether a territory of (région, département) is in the geography chosen (a
    département if any, else a région, else everywhere)."""
    if department:
        return place[1] == department
    return not region or place[0] == region


def _departments(index) -> list[tuple[tuple[str, str], str]]:
    """The referential's départements: ((région, département), code), read once per index
    (territories change only with a full rebuild of the index)."""
    key = "steering:departments"
    if key not in index.memo:
        index.memo[key] = [
            ((region, department), code)
            for code, region, department in Territory.objects.filter(
                level=Territory.Level.DEPARTMENT
            ).values_list("code", "region_code", "department_code")
        ]
    return index.memo[key]


def _rural(index, population_max: int) -> dict[tuple[str, str], tuple[int, list[BitMap]]]:
    """(région, département) → (its communes under `population_max` inhabitants, the
    ranks reaching each of them: led by it at the commune level, or covering it). Read
    once per index."""
    key = ("steering:rural", population_max)
    if key in index.memo:
        return index.memo[key]
    lead, cover = index.values[territory_sets.LEAD], index.values[territory_sets.COVER]
    communes = index.bitmap("collectivity", Territory.Level.COMMUNE)
    groups: dict[tuple[str, str], tuple[int, list[BitMap]]] = {}
    rows = Territory.objects.filter(
        level=Territory.Level.COMMUNE, population__lt=population_max
    ).values_list("pk", "region_code", "department_code")
    for pk, region, department in rows:
        count, reached = groups.get((region, department)) or (0, [])
        led, covering = lead.get(str(pk)), cover.get(str(pk))
        ranks = (led & communes) if led else BitMap()
        if covering:
            ranks |= covering
        if ranks:
            reached.append(ranks)
        groups[(region, department)] = (count + 1, reached)
    index.memo[key] = groups
    return groups


def other_counts(filterset, breakdown_statuses) -> dict[tuple[str, str], dict[str, int]]:
    """One statement over the initiatives neither drafts nor published meeting every
    filter but the status: counts by status and by quarter (submission, publication) for
    each status, and, for `breakdown_statuses`, by axis, région, département, level, lead
    organisation and school level."""
    # The partial index initiative_reviewed holds these rows and the columns read; each
    # condition is tested on those few rows (`counting=False`: the partner's, say, is not
    # an id list of every status to build first).
    queryset = filterset.filter_queryset(
        Initiative.objects.filter(status__in=REVIEWED), exclude=STATUS, counting=False
    )
    base_sql, params = (
        queryset.order_by()
        .values(
            "id",
            "status",
            "region_code",
            "department_code",
            "collectivity_level",
            "lead_organisation_id",
            *statistics_sets.QUARTERS.values(),
        )
        .query.sql_with_params()
    )
    params = list(params)
    parts = ["SELECT 'status', b.status, b.status, COUNT(*) FROM b GROUP BY b.status"]
    # Truncated as TruncQuarter does (in the current time zone), grouped, then named as the
    # index names quarters (20241: the first of 2024), the few groups only.
    zone = timezone.get_current_timezone_name()
    for name, field in statistics_sets.QUARTERS.items():
        trunc, trunc_params = connection.ops.datetime_trunc_sql("quarter", f"b.{field}", (), zone)
        parts.append(
            f"SELECT '{name}', q.status, to_char(q.quarter, 'YYYYQ'), q.n FROM ("  # noqa: S608
            f"SELECT b.status, {trunc} AS quarter, COUNT(*) AS n FROM b "
            f"WHERE b.{field} IS NOT NULL GROUP BY b.status, quarter) q"
        )
        params += trunc_params
    if breakdown_statuses:
        parts += _breakdown_sql()
        params += [list(breakdown_statuses)] * len(BREAKDOWNS)
    # Composed of Django-compiled SQL and our own table and column names; every value
    # travels as a parameter.
    sql = f"WITH b AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)  # noqa: S608
    counts: dict[tuple[str, str], dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, status, key, n in cursor.fetchall():
            if key is not None:
                per_key = counts.setdefault((grouping, status), {})
                per_key[str(key)] = per_key.get(str(key), 0) + n
    return counts


def _breakdown_sql() -> list[str]:
    """The breakdowns' parts of `other_counts`, one `= ANY(%s)` (the statuses) each. Those
    keyed by a related row are grouped by its id first, then named (a few rows joined)."""

    def grouped(name: str, column: str, *, where: str = "") -> str:
        return (
            f"SELECT '{name}', b.status, CAST({column} AS TEXT), COUNT(*) FROM b "  # noqa: S608
            f"WHERE b.status = ANY(%s) {where} GROUP BY b.status, {column}"
        )

    def named(name: str, target: str, other: str, key: str, *, join: str = "") -> str:
        return (
            f"SELECT '{name}', x.status, CAST(o.{key} AS TEXT), x.n FROM ("  # noqa: S608
            f"SELECT b.status, {target} AS target, COUNT(*) AS n FROM b {join} "
            f"WHERE b.status = ANY(%s) GROUP BY b.status, {target}"
            f") x JOIN {other} o ON o.id = x.target"
        )

    def through(name: str, field: str, key: str) -> str:
        m2m = Initiative._meta.get_field(field)
        table = m2m.remote_field.through._meta
        source = table.get_field(m2m.m2m_field_name()).column
        target = table.get_field(m2m.m2m_reverse_field_name()).column
        join = f"JOIN {table.db_table} t ON t.{source} = b.id"
        return named(name, f"t.{target}", m2m.related_model._meta.db_table, key, join=join)

    organisations = Organisation._meta.db_table
    return [
        through("axis", "axes", "number"),
        grouped("region", "b.region_code"),
        grouped("department", "b.department_code", where="AND b.department_code <> ''"),
        grouped("collectivity", "b.collectivity_level"),
        named("lead_organisation", "b.lead_organisation_id", organisations, "acronym"),
        through("school_level", "school_levels", "code"),
    ]
