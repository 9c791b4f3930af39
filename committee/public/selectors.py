"""Reads of the public pages: key figures, the map, referentials, partners, and the search
subscriptions' tokens."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, Concat, RowNumber
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committee.plan.models import Action
from committee.public.models import SearchSubscription
from initiatives.catalogue import bitmaps
from initiatives.catalogue.choices import catalogue_choices
from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.models import Initiative
from initiatives.selectors import catalogue_version, published_initiatives
from members.models import Organisation
from members.services import token_hash
from referentials.models import Referential, ReferentialItem, Territory

CACHE_SECONDS = 600


LATEST_COUNT = 6


ITEM_INITIATIVES_SHOWN = 5


def _versioned(name: str, compute, *, params: dict | None = None):
    """A value cached until the catalogue changes (or CACHE_SECONDS at most)."""
    digest = ""
    if params:
        raw = json.dumps({k: str(v) for k, v in params.items()}, sort_keys=True)
        digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    key = f"committee:{name}:{catalogue_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


@dataclass(frozen=True)
class KeyFigures:
    initiatives: int
    departments: int
    communes: int
    partners: int


def _compute_key_figures() -> KeyFigures:
    published = published_initiatives()
    totals = published.aggregate(
        initiatives=Count("*"),
        departments=Count("department_code", distinct=True, filter=~Q(department_code="")),
    )
    covered = (
        Initiative.territories.through.objects.filter(
            initiative__in=published.values("pk"), territory__level=Territory.Level.COMMUNE
        )
        .order_by()
        .values("territory_id")
    )
    # Distinct commune ids of both kinds (UNION), not "id IN (…) OR id IN (…)" over 35,000
    # communes.
    communes = (
        published.filter(collectivity_level=Territory.Level.COMMUNE)
        .order_by()  # a UNION's branches are unordered (SQLite refuses an ORDER BY there)
        .values("lead_collectivity_id")
        .union(covered)
        .count()
    )
    return KeyFigures(
        initiatives=totals["initiatives"],
        departments=totals["departments"],
        communes=communes,
        partners=Organisation.objects.count(),
    )


def key_figures() -> KeyFigures:
    """Published initiatives, départements and communes reached, charter signatories.

    A commune is reached when it leads a published initiative or is among its territories.
    """
    return _versioned("key-figures", _compute_key_figures)


def latest_initiatives(limit: int = LATEST_COUNT) -> list[Initiative]:
    return list(
        published_initiatives()
        .select_related("lead_collectivity", "lead_organisation")
        .order_by("-published_at", "-pk")[:limit]
    )


@dataclass
class MapCounts:
    counts: dict[str, int]
    params: dict[str, str]
    errors: list[str]
    # Initiatives led by a région itself (no département), per région: the map's région layer.
    by_region: dict[str, int] = field(default_factory=dict)

    @property
    def without_department(self) -> int:
        """Initiatives led by a région have no département: they are not on the map."""
        return self.counts.get("", 0)

    @property
    def by_department(self) -> dict[str, int]:
        return {code: n for code, n in self.counts.items() if code}


def department_counts(data=None, *, use_bitmaps: bool = True) -> MapCounts:
    """Published initiatives per département under the catalogue filters: from the
    process's bitmaps (intersections' cardinalities), or one grouped query without them
    (`use_bitmaps=False`: a background job, which keeps no index of its own).

    The count of a département equals the catalogue's count for the same filters plus that
    département (the département filter itself is ignored: it is what the map shows).
    """
    filterset, params, errors = None, {}, []
    if data:
        filterset = CatalogueFilterSet(data, queryset=published_initiatives())
        errors = [str(e) for errs in filterset.form.errors.values() for e in errs]
        params = {
            name: str(value)
            for name, value in filterset.cleaned.items()
            if name not in ("department", "sort")
        }

    def compute():
        if filterset is None:  # every published initiative: no filters, no reference lists
            index = bitmaps.catalogue_index() if use_bitmaps else None
            if index is not None:
                return _bitmap_department_counts(index, index.published)
            return _sql_department_counts(published_initiatives())
        selection = bitmaps.selection(filterset) if use_bitmaps else None
        if selection is not None:
            return _bitmap_department_counts(selection.index, selection.without("department"))
        return _sql_department_counts(filterset.filtered_without("department", counting=True))

    computed = _versioned("map", compute, params=params)
    counts = {k: n for k, n in computed.items() if not k.startswith("region:")}
    by_region = {
        k.removeprefix("region:"): n for k, n in computed.items() if k.startswith("region:")
    }
    return MapCounts(counts=counts, params=params, errors=errors, by_region=by_region)


def _bitmap_department_counts(index, chosen) -> dict[str, int]:
    """`_sql_department_counts` from the bitmaps: the ranks chosen by the filters (the
    département's left out) intersected with each département's, and with each région's
    for the initiatives a région leads."""
    counts = {
        code: n
        for code, ranks in index.values["department"].items()
        if (n := chosen.intersection_cardinality(ranks))
    }
    regional = chosen & index.bitmap("collectivity", Territory.Level.REGION)
    if regional:
        for code, ranks in index.values["region"].items():
            if n := regional.intersection_cardinality(ranks):
                counts[f"region:{code}"] = n
    return counts


def _sql_department_counts(queryset) -> dict[str, int]:
    """One statement: COUNT(*), not COUNT(id) (an index-only scan of (status,
    department_code)); the région-led rows (a few) grouped by région in the same statement."""
    departments = (
        queryset.order_by()
        .values("department_code")
        .annotate(n=Count("*"))
        .values_list("department_code", "n")
    )
    regions = (
        queryset.order_by()
        .filter(collectivity_level=Territory.Level.REGION)
        .annotate(key=Concat(Value("region:"), F("region_code")))
        .values("key")
        .annotate(n=Count("*"))
        .values_list("key", "n")
    )
    counts: dict[str, int] = {}
    for key, n in departments.union(regions, all=True):
        counts[key] = counts.get(key, 0) + n
    return counts


TIE_NAMES = 4  # above, tied départements are counted rather than named


def ranked_departments(map_data: dict) -> list[tuple[str, list[str]]]:
    """The départements that have initiatives, grouped by count, most first: [(count shown,
    [names in alphabetical order]), …]. Equal counts are one group: a tie, not a ranking."""
    groups: dict[int, tuple[str, list[str]]] = {}
    for dep in map_data["departments"]:
        if dep["count"] > 0:
            groups.setdefault(dep["count"], (dep["count_display"], []))[1].append(dep["name"])
    return [
        (shown, sorted(names)) for _count, (shown, names) in sorted(groups.items(), reverse=True)
    ]


def _names(names: list[str]) -> str:
    """`Ain, Finistère et Rhône`."""
    if len(names) == 1:
        return names[0]
    return _("%(first)s et %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _leaders(groups: list[tuple[str, list[str]]]) -> str:
    count, names = groups[0]
    if len(names) == 1:
        text = _("Le département qui compte le plus d'initiatives : %(name)s (%(count)s).") % {
            "name": names[0],
            "count": count,
        }
    elif len(names) <= TIE_NAMES:
        return _(
            "%(n)s départements comptent le plus d'initiatives, à égalité : %(names)s "
            "(%(count)s chacun)."
        ) % {"n": len(names), "names": _names(names), "count": count}
    else:
        return _(
            "%(n)s départements comptent le plus d'initiatives, à égalité (%(count)s chacun)."
        ) % {"n": len(names), "count": count}
    if len(groups) > 1:
        count, names = groups[1]
        if len(names) == 1:
            text += " " + _("Vient ensuite %(name)s (%(count)s).") % {
                "name": names[0],
                "count": count,
            }
        elif len(names) <= TIE_NAMES:
            text += " " + _("Viennent ensuite, à égalité, %(names)s (%(count)s chacun).") % {
                "names": _names(names),
                "count": count,
            }
        else:
            text += " " + _("Viennent ensuite %(n)s départements à égalité (%(count)s chacun).") % {
                "n": len(names),
                "count": count,
            }
    return text


def map_summary(map_data: dict, *, without_department: int = 0) -> str:
    """A sentence saying what the map shows, read instead of the picture. Départements with
    the same count are said to be tied, never ranked by their names."""
    shown = [dep for dep in map_data["departments"] if dep["count"] > 0]
    if not shown:
        text = _("Aucune initiative publiée ne correspond à ces critères.")
    else:
        text = _leaders(ranked_departments(map_data))
        total = ngettext(
            "%(total)s initiative publiée", "%(total)s initiatives publiées", map_data["total"]
        ) % {"total": map_data["total"]}
        text += " " + ngettext(
            "%(initiatives)s dans %(departments)s département.",
            "%(initiatives)s dans %(departments)s départements.",
            len(shown),
        ) % {"initiatives": total, "departments": len(shown)}
    if without_department:
        text += " " + ngettext(
            "%(n)s initiative portée par une région n'est rattachée à aucun département.",
            "%(n)s initiatives portées par une région ne sont rattachées à aucun département.",
            without_department,
        ) % {"n": without_department}
    return text


def search_labels() -> dict[str, dict[str, str]]:
    """The portal's own label of each value of the catalogue's choice filters."""
    choices = catalogue_choices()
    return {
        "axis": dict((str(n), label) for n, label in choices.axes),
        "region": dict(choices.regions),
        "department": dict(choices.departments),
        "collectivity": {k: str(v) for k, v in Territory.Level.choices},
        "school_level": dict(choices.school_levels),
        "partner": {acronym: acronym for acronym, _name in choices.partners},
    }


def search_description(params: dict[str, str]) -> list[tuple[str, str]]:
    """Human-readable criteria of catalogue parameters: [(label, value), …]."""
    labels = search_labels()
    labels.update(territory_labels(params))
    filters = CatalogueFilterSet.base_filters
    described = []
    for name in filters:
        if name in ("sort", "page") or not params.get(name):
            continue
        value = str(params[name])
        if name == "q":
            value = f"« {value} »"
        described.append((str(filters[name].label), labels.get(name, {}).get(value, value)))
    return described


def territory_labels(params: dict[str, str]) -> dict[str, dict[str, str]]:
    """The territory chosen by its readable label, and the scope by its wording."""
    from initiatives.catalogue.territories import SCOPES
    from referentials.hierarchy import territory_by_key
    from referentials.search import territory_label

    labels = {"territory_scope": {value: str(label) for value, label in SCOPES}}
    key = params.get("territory")
    place = territory_by_key(key) if key else None
    if place is not None:
        labels["territory"] = {key: territory_label(place)}
    return labels


@dataclass
class ReferentialGroup:
    kind: str
    label: str
    referentials: list[list[Referential]] = field(default_factory=list)  # versions per slug


def referentials_by_kind() -> list[ReferentialGroup]:
    """The four kinds, each with its referentials and their versions (newest first)."""
    rows = Referential.objects.annotate(item_count=Count("items")).order_by(
        "kind", "name", "slug", "-version"
    )
    groups = {kind: ReferentialGroup(kind, str(label)) for kind, label in Referential.Kind.choices}
    by_slug: dict[str, list[Referential]] = {}
    for referential in rows:
        versions = by_slug.get(referential.slug)
        if versions is None:
            versions = by_slug[referential.slug] = []
            groups[referential.kind].referentials.append(versions)
        versions.append(referential)
    return list(groups.values())


@dataclass
class ItemNode:
    item: ReferentialItem
    children: list[ItemNode] = field(default_factory=list)
    initiatives: list[dict] = field(default_factory=list)
    total: int = 0


def referential_tree(slug: str, version: str) -> tuple[Referential, list[ItemNode]]:
    """A referential version's items as a tree, each with the published initiatives
    implementing it (the latest few and their number): three queries in all."""
    referential = Referential.objects.filter(slug=slug, version=version).first()
    if referential is None:
        raise Http404("referential")
    items = list(referential.items.order_by("depth", "position", "code"))
    through = Initiative.referential_items.through
    partition = [F("referentialitem_id")]
    links = (
        through.objects.filter(
            referentialitem__referential=referential,
            initiative_id__in=published_initiatives().values("pk"),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[
                    F("initiative__published_at").desc(nulls_last=True),
                    F("initiative_id").desc(),
                ],
            ),
            total=Window(Count("*"), partition_by=partition),
        )
        .filter(rank__lte=ITEM_INITIATIVES_SHOWN)
        .values(
            "referentialitem_id",
            "total",
            "rank",
            title=F("initiative__title"),
            slug=F("initiative__slug"),
        )
    )
    nodes = {item.pk: ItemNode(item) for item in items}
    for link in sorted(links, key=lambda row: (row["referentialitem_id"], row["rank"])):
        node = nodes[link["referentialitem_id"]]
        node.total = link["total"]
        node.initiatives.append({"title": link["title"], "slug": link["slug"]})
    roots = []
    for item in sorted(items, key=lambda i: (i.position, i.code)):
        node = nodes[item.pk]
        parent = nodes.get(item.parent_id)
        (parent.children if parent else roots).append(node)
    return referential, roots


def partners_with_counts():
    """Signatories with their numbers of published initiatives led and partnered: one query."""
    published = published_initiatives()
    led = (
        published.filter(lead_organisation=OuterRef("pk"))
        .order_by()
        .values("lead_organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partnered = (
        Initiative.partners.through.objects.filter(
            organisation=OuterRef("pk"), initiative__in=published.values("pk")
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Organisation.objects.annotate(
        led_count=Coalesce(Subquery(led), 0), partner_count=Coalesce(Subquery(partnered), 0)
    ).order_by("acronym")


@dataclass
class PartnerPage:
    organisation: Organisation
    latest: list[Initiative]
    total: int
    led: int
    by_axis: list[dict]
    by_region: list[dict]
    actions: list[Action]


def partner_page(slug: str) -> PartnerPage:
    """A signatory's public figures, with the same selection as `/initiatives/?partner=…`."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("organisation")
    involving = CatalogueFilterSet(
        {"partner": organisation.acronym}, queryset=published_initiatives()
    ).qs
    latest = list(
        involving.select_related("lead_collectivity", "lead_organisation").order_by(
            F("published_at").desc(nulls_last=True), "-pk"
        )[:LATEST_COUNT]
    )
    region_names = dict(catalogue_choices().regions)
    by_region = [
        {
            "code": row["region_code"],
            "name": region_names.get(row["region_code"], row["region_code"]),
            "count": row["n"],
            "led": row["led"],
        }
        for row in involving.order_by()
        .values("region_code")
        .annotate(n=Count("pk"), led=Count("pk", filter=Q(lead_organisation=organisation)))
    ]
    by_region.sort(key=lambda row: (-row["count"], row["name"]))
    by_axis = list(
        Initiative.axes.through.objects.filter(initiative__in=involving.values("pk"))
        .values(number=F("axis__number"), title=F("axis__short_title"))
        .annotate(count=Count("*"))
        .order_by("number")
    )
    actions = list(organisation.led_actions.select_related("axis").order_by("axis__number", "code"))
    return PartnerPage(
        organisation=organisation,
        latest=latest,
        total=sum(row["count"] for row in by_region),
        led=sum(row["led"] for row in by_region),
        by_axis=by_axis,
        by_region=by_region,
        actions=actions,
    )


CONFIRM = "confirm"


UNSUBSCRIBE = "unsubscribe"


def subscription_by_token(*, purpose: str, token: str) -> SearchSubscription | None:
    """The subscription a confirmation or unsubscribe link points to, if any."""
    field_name = "confirm_token_hash" if purpose == CONFIRM else "unsubscribe_token_hash"
    if not token or len(token) > 128:
        return None
    return SearchSubscription.objects.filter(**{field_name: token_hash(token)}).first()
