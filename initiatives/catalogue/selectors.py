"""Reads of the public catalogue: filtered, faceted, searched, paginated.

Public reads only ever start from `published_initiatives()`. Facet counts and totals are
cached under a key that includes the catalogue's version, which every publication or
unpublication bumps, so a cache hit is never stale."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline
from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import Cast

from initiatives.catalogue import bitmaps
from initiatives.catalogue.filters import SEARCH_CONFIG, CatalogueFilterSet
from initiatives.models import Initiative, axis_model
from initiatives.selectors import CACHE_SECONDS, catalogue_version, published_initiatives
from members.models import Organisation
from referentials.models import Territory

PAGE_SIZE = 20


@dataclass
class Facet:
    name: str
    label: str
    options: list[dict] = field(default_factory=list)


@dataclass
class CatalogueResult:
    filterset: CatalogueFilterSet
    page: object
    count: int
    facets: dict[str, Facet]
    errors: list[str]
    approximate: bool = False


TOTAL = "__total__"


def facet_counts(filterset: CatalogueFilterSet) -> dict[str, dict[str, int]]:
    """Every facet's counts, and the total, by SQL (with the bitmaps, `Selection.counts`
    gives the same from memory).

    Each facet is one grouped aggregate over the initiatives meeting every *other*
    parameter (UNION ALL of them): each a condition on an indexed column or an id list,
    which the planner drives from its index. An organisation counts the
    initiatives it leads plus those it partners in without leading them (nothing to
    de-duplicate). `counts[TOTAL][""]` is the number of results.

    With a full-text search, the matching rows are read once instead (see
    `_search_facet_counts`): testing the text on each of them once per facet would cost
    more than the facets themselves.
    """
    if filterset.cleaned.get("q") and connection.vendor == "postgresql":
        return _search_facet_counts(filterset)
    return _grouped_facet_counts(filterset)


def _grouped_facet_counts(filterset: CatalogueFilterSet) -> dict[str, dict[str, int]]:
    facets = CatalogueFilterSet.FACETS
    params: list = []

    def narrowed(facet: str | None):
        queryset = filterset.filter_queryset(filterset.queryset.all(), exclude=facet, counting=True)
        return queryset.order_by()

    def related(field: str, facet: str, key: str):
        through = Initiative._meta.get_field(field).remote_field.through
        return (
            through.objects.filter(initiative__in=narrowed(facet).values("pk"))
            .order_by()
            .values(key=Cast(key, CharField()))
            .annotate(n=Count("*"))
        )

    parts = {
        TOTAL: narrowed(None)
        .values(key=Value("", output_field=CharField()))
        .annotate(n=Count("*")),
        "axis": related("axes", "axis", "axis__number"),
        "region": narrowed("region").values(key=F("region_code")).annotate(n=Count("*")),
        "department": narrowed("department")
        .values(key=F("department_code"))
        .annotate(n=Count("*")),
        "collectivity": narrowed("collectivity")
        .values(key=F("collectivity_level"))
        .annotate(n=Count("*")),
        "school_level": related("school_levels", "school_level", "schoollevel__code"),
        "year": narrowed("year")
        .filter(start_year__isnull=False)
        .values(key=F("start_year"))
        .annotate(n=Count("*")),
    }
    statements = []
    for name, part in parts.items():
        part_sql, part_params = part.query.sql_with_params()
        statements.append(f"SELECT '{name}', CAST(f.key AS TEXT), f.n FROM ({part_sql}) f")  # noqa: S608
        params.extend(part_params)
    # The partners' base is read twice (leads, then partner rows): once, as a CTE.
    partner_sql, partner_params = (
        narrowed("partner").values("id", "lead_organisation_id").query
    ).sql_with_params()
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    partners = Initiative.partners.through._meta.db_table
    statements.append(
        "SELECT 'partner', o.acronym, x.n FROM (SELECT x.org, COUNT(*) AS n FROM ("  # noqa: S608
        "SELECT b.lead_organisation_id AS org FROM partner_base b UNION ALL "
        f"SELECT t.organisation_id FROM {partners} t JOIN partner_base b "
        "ON b.id = t.initiative_id WHERE t.organisation_id <> b.lead_organisation_id"
        ") x GROUP BY x.org) x JOIN members_organisation o ON o.id = x.org"
    )
    sql = f"WITH partner_base (id, lead_organisation_id) AS {materialized}({partner_sql}) "  # noqa: S608
    params = [*partner_params, *params]
    counts: dict[str, dict[str, int]] = {name: {} for name in (*facets, TOTAL)}
    with connection.cursor() as cursor:
        cursor.execute(sql + " UNION ALL ".join(statements), params)
        for facet, key, n in cursor.fetchall():
            if key is not None:
                counts[facet][str(key)] = n
    return counts


SEARCH_BASE_COLUMNS = (
    "id",
    "lead_organisation_id",
    "region_code",
    "department_code",
    "collectivity_level",
    "start_year",
)


def _search_facet_counts(filterset: CatalogueFilterSet) -> dict[str, dict[str, int]]:
    """The facets of a full-text search in one pass over its matches.

    The rows meeting the text (and the commune and item, if given) are read once into a
    materialised CTE, with the columns the facets group on and one boolean per facet
    parameter given; each facet then counts the CTE's rows meeting every *other* facet
    parameter. Same counts as facet_counts, a single full-text scan instead of eight.
    """
    facets = CatalogueFilterSet.FACETS
    cleaned = filterset.cleaned
    active = [name for name in facets if name in cleaned]
    flags = {
        f"f_{name}": ExpressionWrapper(
            filterset.condition(name, cleaned[name]), output_field=BooleanField()
        )
        for name in active
    }
    base = (
        filterset.filter_queryset(filterset.queryset.all(), exclude=set(facets))
        .annotate(**flags)
        .order_by()
        .values(*SEARCH_BASE_COLUMNS, *flags)
    )
    base_sql, params = base.query.sql_with_params()

    def where(facet: str | None, *extra: str) -> str:
        conditions = [f"b.f_{name}" for name in active if name != facet] + list(extra)
        return f"WHERE {' AND '.join(conditions)}" if conditions else ""

    def grouped(facet: str, column: str, *extra: str) -> str:
        return (
            f"SELECT '{facet}', CAST(b.{column} AS TEXT), COUNT(*) FROM base b "  # noqa: S608
            f"{where(facet, *extra)} GROUP BY b.{column}"
        )

    def related(facet: str, field: str, key: str) -> str:
        """Grouped on the many-to-many table's ids, then named (a handful of rows)."""
        m2m = Initiative._meta.get_field(field)
        through = m2m.remote_field.through._meta
        source = through.get_field(m2m.m2m_field_name()).column
        target = through.get_field(m2m.m2m_reverse_field_name()).column
        table = m2m.related_model._meta.db_table
        return (
            f"SELECT '{facet}', CAST(r.{key} AS TEXT), x.n FROM ("  # noqa: S608
            f"SELECT t.{target} AS id, COUNT(*) AS n FROM base b "
            f"JOIN {through.db_table} t ON t.{source} = b.id {where(facet)} GROUP BY t.{target}"
            f") x JOIN {table} r ON r.id = x.id"
        )

    partners = Initiative.partners.through._meta.db_table
    parts = [
        f"SELECT '{TOTAL}', '', COUNT(*) FROM base b {where(None)}",  # noqa: S608
        related("axis", "axes", "number"),
        grouped("region", "region_code"),
        grouped("department", "department_code"),
        grouped("collectivity", "collectivity_level"),
        related("school_level", "school_levels", "code"),
        grouped("year", "start_year", "b.start_year IS NOT NULL"),
        "SELECT 'partner', o.acronym, COUNT(*) FROM ("  # noqa: S608
        f"SELECT b.lead_organisation_id AS org FROM base b {where('partner')} UNION ALL "
        f"SELECT t.organisation_id FROM base b JOIN {partners} t ON t.initiative_id = b.id "
        f"{where('partner', 't.organisation_id <> b.lead_organisation_id')}"
        ") x JOIN members_organisation o ON o.id = x.org GROUP BY o.acronym",
    ]
    # Composed of Django-compiled SQL and our own table and column names; every value
    # travels as a parameter.
    sql = f"WITH base AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)  # noqa: S608
    counts: dict[str, dict[str, int]] = {name: {} for name in (*facets, TOTAL)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, key, n in cursor.fetchall():
            if key is not None:
                counts[facet][str(key)] = n
    return counts


def _cache_key(kind: str, filterset: CatalogueFilterSet) -> str:
    params = {k: str(v) for k, v in filterset.cleaned.items() if k != "sort"}
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
    return f"catalogue:{kind}:{catalogue_version()}:{digest}"


def _cached(kind: str, filterset: CatalogueFilterSet, compute):
    key = _cache_key(kind, filterset)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _counts(filterset: CatalogueFilterSet) -> dict[str, dict[str, int]]:
    """The facets and total of these parameters by SQL, from the cache or computed (and
    cached, the total also under the key `catalogue_count` reads)."""
    keys = {kind: _cache_key(kind, filterset) for kind in ("count", "facets")}
    counts = cache.get(keys["facets"])
    if counts is None:
        counts = facet_counts(filterset)
        total = counts[TOTAL].get("", 0)
        cache.set_many({keys["facets"]: counts, keys["count"]: total}, CACHE_SECONDS)
    return counts


def catalogue_count(data, queryset) -> int:
    """The count of a catalogue queryset built from these parameters, cached as the page's."""
    filterset = CatalogueFilterSet(data or None, queryset=published_initiatives())
    selection = bitmaps.selection(filterset)
    if selection is None:
        return _cached("count", filterset, queryset.order_by().count)
    return len(selection.result)


class CountedPaginator(Paginator):
    """A paginator told its count (cached) instead of running COUNT(*) each time.

    `page_ids(queryset, bottom, top)` gives the primary keys of a page as a subquery
    (CatalogueFilterSet.page_ids); by default, the queryset's own order, sliced.
    `rows(ids)` reads those rows in full, in order; by default the queryset restricted to
    them (which applies its filters a second time: the catalogue passes the published
    initiatives instead, its filters having chosen the ids).
    """

    def __init__(self, *args, count: int, page_ids=None, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count
        self._page_ids = page_ids
        self._rows = rows or (lambda ids: self.object_list.filter(pk__in=ids))

    @property
    def count(self):
        return self._known_count

    def page(self, number):
        """Deferred join: the page's ids come from the indexes (cheap even at page 2,000),
        then only those rows are read in full."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self._page_ids is None:
            ids = self.object_list.values("pk")[bottom:top]
        else:
            ids = self._page_ids(self.object_list, bottom, top)
        return self._get_page(self._rows(ids), number, self)


def _build_facets(filterset: CatalogueFilterSet, counts: dict[str, dict[str, int]]):
    choices = filterset.choices
    options = {
        "axis": [(str(n), label) for n, label in choices.axes],
        "region": choices.regions,
        "department": filterset.department_choices_shown,
        "collectivity": list(Territory.Level.choices),
        "school_level": choices.school_levels,
        "partner": [(acronym, acronym) for acronym, _name in choices.partners],
        "year": [(str(y), str(y)) for y in choices.years if counts["year"].get(str(y))],
    }
    current = {k: str(v) for k, v in filterset.cleaned.items()}
    facets = {}
    for name in CatalogueFilterSet.FACETS:
        facet = Facet(name=name, label=str(filterset.filters[name].label))
        for value, label in options[name]:
            facet.options.append(
                {
                    "value": str(value),
                    "label": label,
                    "count": counts[name].get(str(value), 0),
                    "selected": current.get(name) == str(value),
                }
            )
        facets[name] = facet
    return facets


# What a list of initiatives shows: not the long texts nor the search vectors.
LIST_FIELDS = (
    "title",
    "slug",
    "summary",
    "start_date",
    "collectivity_level",
    "published_at",
    "lead_organisation__acronym",
    "lead_organisation__name",
    "lead_collectivity__level",
    "lead_collectivity__code",
    "lead_collectivity__name",
    "lead_collectivity__department_code",
)


def page_rows(queryset, filterset: CatalogueFilterSet):
    """Rows of a page with what the list shows, in a constant number of queries (the SQL
    answer; a page from the bitmaps is read by `card_rows`)."""
    Axis = axis_model()

    queryset = (
        filterset.ordered(queryset)
        .select_related("lead_organisation", "lead_collectivity")
        .only(*LIST_FIELDS)
        .prefetch_related(Prefetch("axes", queryset=Axis.objects.only("number", "short_title")))
    )
    query = filterset.search_query()
    if query is not None:
        queryset = queryset.annotate(
            headline=SearchHeadline(
                "summary",
                query,
                config=SEARCH_CONFIG,
                start_sel="<mark>",
                stop_sel="</mark>",
                max_words=40,
                min_words=20,
            )
        )
    return queryset


@dataclass(frozen=True)
class Card:
    """What a catalogue card shows of an initiative, computed once here rather than by the
    template for each row."""

    url: str
    excerpt: str  # the highlighted excerpt (safe HTML) or the summary
    tags: list[str]
    detail: str


def _card(*, slug, summary, headline, lead: str, level: str, acronym, start, axes) -> Card:
    """A card from what it shows: `axes` as "number · short title" each."""
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.safestring import SafeString
    from django.utils.translation import gettext

    detail = [lead, level, acronym] + ([str(start.year)] if start else [])
    axis = gettext("Axe")
    return Card(
        url=reverse("initiatives:detail", kwargs={"slug": slug}),
        # SearchHeadline escapes nothing: the summary is plain text, the marks ours.
        excerpt=SafeString(_marked(escape(headline))) if headline else summary,
        tags=[f"{axis} {tag}" for tag in axes],
        detail=" · ".join(detail),
    )


def with_cards(rows) -> list[Initiative]:
    """The rows of a page, each with its `card`."""
    rows = list(rows)
    for row in rows:
        row.card = _card(
            slug=row.slug,
            summary=row.summary,
            headline=getattr(row, "headline", None),
            lead=str(row.lead_collectivity),
            level=row.get_collectivity_level_display(),
            acronym=row.lead_organisation.acronym,
            start=row.start_date,
            axes=[f"{a.number} · {a.short_title}" for a in row.axes.all()],
        )
    return rows


@dataclass
class CardRow:
    """A catalogue row as the page shows it (what `page_rows` + `with_cards` give, without
    building three model instances per row)."""

    pk: int
    title: str
    slug: str
    summary: str
    headline: str | None
    published_at: datetime.datetime
    card: Card

    @property
    def id(self) -> int:
        return self.pk


def card_rows(ids: list[int], filterset: CatalogueFilterSet | None = None) -> list[CardRow]:
    """The cards of a page whose ids (in order) came from the bitmaps: one statement, the
    axes as an array, the excerpt highlighted by PostgreSQL when there is a search.
    The same cards as `with_cards(page_rows(…))` (tests compare them); PostgreSQL only."""
    if not ids:
        return []
    Axis = axis_model()
    q = None
    if filterset is not None and filterset.search_query() is not None:
        q = filterset.cleaned["q"]
    headline = (
        "ts_headline(%s::regconfig, i.summary, websearch_to_tsquery(%s::regconfig, %s), "
        "'StartSel=''<mark>'', StopSel=''</mark>'', MaxWords=40, MinWords=20')"
        if q
        else "NULL"
    )
    axes = Initiative.axes.through._meta.db_table
    sql = (
        f"SELECT i.id, i.title, i.slug, i.summary, i.start_date, i.collectivity_level, "  # noqa: S608
        f"{headline}, i.published_at, o.acronym, t.level, t.code, t.name, t.department_code, "
        f"ARRAY(SELECT a.number::text || ' · ' || a.short_title FROM {axes} x "
        f"JOIN {Axis._meta.db_table} a ON a.id = x.axis_id "
        "WHERE x.initiative_id = i.id ORDER BY a.number) "
        f"FROM {Initiative._meta.db_table} i "
        f"JOIN {Organisation._meta.db_table} o ON o.id = i.lead_organisation_id "
        f"JOIN {Territory._meta.db_table} t ON t.id = i.lead_collectivity_id "
        "WHERE i.id = ANY(%s::bigint[]) AND i.status = %s"
    )
    params = [SEARCH_CONFIG, SEARCH_CONFIG, q] if q else []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, list(ids), Initiative.Status.PUBLISHED])
        found = {row[0]: row for row in cursor.fetchall()}
    levels = dict(Territory.Level.choices)
    rows = []
    for pk in ids:
        if pk not in found:  # withdrawn since the index was read: not shown
            continue
        _pk, title, slug, summary, start, level, marked, published, acronym, *place, axes_ = found[
            pk
        ]
        lead = Territory(level=place[0], code=place[1], name=place[2], department_code=place[3])
        card = _card(
            slug=slug,
            summary=summary,
            headline=marked,
            lead=str(lead),
            level=str(levels.get(level, level)),
            acronym=acronym,
            start=start,
            axes=axes_,
        )
        rows.append(CardRow(pk, title, slug, summary, marked, published, card))
    return rows


def _marked(escaped: str) -> str:
    """An escaped headline with its <mark> elements back."""
    return escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")


def catalogue_search(data, *, page_number=1, page_size: int = PAGE_SIZE) -> CatalogueResult:
    """The catalogue for the given parameters; raises EmptyPage for a page beyond the end."""
    filterset = CatalogueFilterSet(data or None, queryset=published_initiatives())
    errors = [str(e) for errs in filterset.form.errors.values() for e in errs] if data else []
    selection = bitmaps.selection(filterset)
    # From the bitmaps (a search too: its frequent words are held in memory, lexemes.py),
    # the counts take a couple of milliseconds: computed, not cached. Otherwise from SQL,
    # cached with the catalogue's version.
    counts = selection.counts() if selection is not None else _counts(filterset)
    count = counts[TOTAL].get("", 0)
    approximate = False
    page_ids, queryset = filterset.page_ids, None
    if selection is not None:
        if filterset.sort_order != "title":
            page_ids = selection.paginate
        elif count <= bitmaps.TITLE_ORDER_MAX:  # a few thousand rows: sorted by PostgreSQL
            page_ids = selection.paginate_by_title
    if (
        count == 0
        and filterset.cleaned.get("q")
        and connection.vendor == "postgresql"
        and not _words_found_alone(filterset, selection)
    ):
        queryset, count = _typo_tolerant(filterset)
        approximate = count > 0
        page_ids = filterset.page_ids
    facets = _build_facets(filterset, counts)
    if queryset is None and page_ids == filterset.page_ids:  # the page read by SQL
        queryset = filterset.qs
    paginator = CountedPaginator(
        # The page's ids from the bitmaps: no queryset of the filters needed.
        () if queryset is None else filterset.ordered(queryset),
        page_size,
        count=count,
        page_ids=page_ids,
        rows=lambda ids: (
            card_rows(ids, filterset)
            if isinstance(ids, list)  # from the bitmaps, which imply PostgreSQL
            else with_cards(page_rows(published_initiatives().filter(pk__in=ids), filterset))
        ),
    )
    try:
        page = paginator.page(page_number)
    except PageNotAnInteger:
        raise EmptyPage("page") from None
    except EmptyPage:
        if count or str(page_number) != "1":
            raise
        page = Page([], 1, paginator)  # an empty catalogue still has its first page
    return CatalogueResult(filterset, page, count, facets, errors, approximate)


def catalogue_warm() -> None:
    """Compute the count and facets of the catalogue without criteria, if the cache lacks
    them (after a publication): the page most visitors open then answers from the cache.
    Scheduled every minute (committee.public.tasks.warm_public_pages)."""
    _counts(CatalogueFilterSet(None, queryset=published_initiatives()))


def _words_found_alone(filterset: CatalogueFilterSet, selection) -> bool:
    """Whether the words typed match published initiatives when the other criteria are
    left out. If so they are not a typo: nothing meets every criterion, and close
    spellings would only mislead (and cost a trigram scan of every title)."""
    if set(filterset.cleaned) <= {"q", "sort"}:
        return False
    if selection is not None and selection.search is not None:
        return bool(selection.search.matches)
    return published_initiatives().filter(filterset.condition("q", filterset.cleaned["q"])).exists()


def _typo_tolerant(filterset: CatalogueFilterSet):
    """Titles and territory names close to the words typed (pg_trgm), when nothing matched."""
    q = filterset.cleaned["q"]
    queryset = filterset.filtered_without("q").filter(
        Q(title__trigram_word_similar=q)
        | Q(
            lead_collectivity__in=Territory.objects.filter(name__trigram_word_similar=q).values(
                "pk"
            )
        )
    )
    return queryset, queryset.count()
