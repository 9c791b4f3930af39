"""The steering figures: one definition each, shared by /pilotage/, the reports and the API.

`FIGURES` is the registry. A figure has a name, a label, a description saying exactly what
is counted, and a function from a `Scope` (the catalogue's filters, read across statuses:
scope.py) to a plain value that pages, PDF and spreadsheet reports and the API all render.
Published initiatives are counted from the catalogue's bitmaps and the other statuses in one
statement shared by every figure (tallies.py); without the bitmaps (SQLite,
CATALOGUE_BITMAPS=False, a text naming a territory) each function runs one grouped query,
the reference the tests compare the bitmaps with.

What is counted:
- The scope is every initiative except the associations' drafts, narrowed by the catalogue's
  filters (the same parameters as /initiatives/) and by `status`: empty means published
  (what the catalogue shows), `all` means every status but draft.
- Figures about the review workflow (by status, per quarter, lead times) ignore the status
  filter: they describe the whole pipeline under the other filters.
- Coverage counts published initiatives only. A département is covered when the lead
  collectivity of a published initiative is in it. A commune is *rural* when its municipal
  population is under 2,000 (RURAL_POPULATION_MAX): the INSEE rural/urban density grid is
  not part of the referential, so the population threshold (the one of the rural communes'
  association) stands in for it. A rural commune is reached when it leads a published
  initiative or is one of its covered territories.
- The action plan's figures (late actions and milestones) follow only the axis and partner
  (lead partner of the action) filters: the plan is national.

Figures are cached for CACHE_SECONDS under a key made of the filters, the language and the
day; they are deliberately not keyed on the catalogue's version: steering figures may lag a
publication by up to a minute, and a publication does not make every official's next page
recompute them. At 100,000 initiatives the figures of a never-seen set of filters take a
few tens of milliseconds to compute (about a second with grouped queries only); the figures
without criteria are also recomputed every minute by a scheduled job (`statistics_warm`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Min, Q, Value
from django.db.models.functions import TruncQuarter
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committee.plan.models import Action, Milestone
from committee.steering.scope import (  # noqa: F401 - the statistics' public names
    ALL_STATUSES,
    Scope,
    StatisticsFilterSet,
    filter_params,
    statistics_filterset,
)
from initiatives.models import Initiative, StatusChange
from initiatives.models import Status as S
from referentials.models import Territory

CACHE_SECONDS = 60
RURAL_POPULATION_MAX = 2_000
DECISIONS = (S.PUBLISHED, S.REJECTED)
UNFINISHED_ACTION = ~Q(status__in=[Action.Status.DONE, Action.Status.ABANDONED])


# -- registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    description: str
    kind: str  # series | quarters | durations | coverage | late_actions | late_milestones
    compute: Callable[[Scope], dict]
    unit: str = ""

    @property
    def has_chart(self) -> bool:
        return self.kind in ("series", "quarters")


FIGURES: dict[str, Figure] = {}


def figure(name, label, description, kind, unit=""):
    def register(function):
        FIGURES[name] = Figure(name, label, description, kind, function, unit)
        return function

    return register


def _series(counts: dict[str, int], options: Sequence[tuple[str, str]], *, keep_zeros: bool):
    """Rows in the options' order (zeros kept) or by decreasing count (zeros dropped)."""
    known = dict(options)
    rows = [
        {"key": str(key), "label": str(label), "value": counts.get(str(key), 0)}
        for key, label in options
    ]
    # Values the reference lists do not know still count (a territory renamed, say).
    known_keys = {str(k) for k in known}
    rows += [
        {"key": key, "label": key or _("(non renseigné)"), "value": value}
        for key, value in counts.items()
        if key not in known_keys
    ]
    if not keep_zeros:
        rows = sorted((r for r in rows if r["value"]), key=lambda r: (-r["value"], r["label"]))
    return {"rows": rows, "total": sum(r["value"] for r in rows)}


def _grouped(queryset, key) -> dict[str, int]:
    rows = queryset.values(k=key).annotate(n=Count("*")).order_by().values_list("k", "n")
    return {str(k) if k is not None else "": n for k, n in rows}


@figure(
    "by_axis",
    gettext_lazy("Initiatives par axe de travail"),
    gettext_lazy("Une initiative rattachée à plusieurs axes compte pour chacun d'eux."),
    "series",
)
def by_axis(scope: Scope) -> dict:
    options = [(str(n), label) for n, label in scope.choices.axes]
    if scope.tally:
        counts = scope.tally.breakdown("axis")
    else:
        through = Initiative.axes.through.objects.filter(initiative__in=scope.selected.values("pk"))
        counts = _grouped(through, F("axis__number"))
    return _series(counts, options, keep_zeros=True)


@figure(
    "by_region",
    gettext_lazy("Initiatives par région"),
    gettext_lazy("Région de la collectivité porteuse."),
    "series",
)
def by_region(scope: Scope) -> dict:
    if scope.tally:
        counts = scope.tally.breakdown("region")
    else:
        counts = _grouped(scope.selected, F("region_code"))
    return _series(counts, scope.choices.regions, keep_zeros=False)


@figure(
    "by_department",
    gettext_lazy("Initiatives par département"),
    gettext_lazy(
        "Département de la collectivité porteuse ; les initiatives portées par une région "
        "n'ont pas de département."
    ),
    "series",
)
def by_department(scope: Scope) -> dict:
    if scope.tally:
        counts = scope.tally.breakdown("department")
    else:
        counts = _grouped(scope.selected.exclude(department_code=""), F("department_code"))
    return _series(counts, scope.choices.departments, keep_zeros=False)


@figure(
    "by_collectivity_level",
    gettext_lazy("Initiatives par niveau de collectivité porteuse"),
    gettext_lazy("Commune, intercommunalité, département ou région qui porte l'initiative."),
    "series",
)
def by_collectivity_level(scope: Scope) -> dict:
    options = [(value, label) for value, label in Territory.Level.choices]
    if scope.tally:
        counts = scope.tally.breakdown("collectivity")
    else:
        counts = _grouped(scope.selected, F("collectivity_level"))
    return _series(counts, options, keep_zeros=True)


@figure(
    "by_partner",
    gettext_lazy("Initiatives par association porteuse"),
    gettext_lazy("Partenaire du comité qui a partagé l'initiative."),
    "series",
)
def by_partner(scope: Scope) -> dict:
    if scope.tally:
        counts = scope.tally.breakdown("lead_organisation")
    else:
        counts = _grouped(scope.selected, F("lead_organisation__acronym"))
    options = [(acronym, acronym) for acronym, _name in scope.choices.partners]
    return _series(counts, options, keep_zeros=False)


@figure(
    "by_school_level",
    gettext_lazy("Initiatives par niveau scolaire"),
    gettext_lazy("Une initiative qui concerne plusieurs niveaux compte pour chacun d'eux."),
    "series",
)
def by_school_level(scope: Scope) -> dict:
    if scope.tally:
        counts = scope.tally.breakdown("school_level")
    else:
        through = Initiative.school_levels.through.objects.filter(
            initiative__in=scope.selected.values("pk")
        )
        counts = _grouped(through, F("schoollevel__code"))
    return _series(counts, scope.choices.school_levels, keep_zeros=True)


@figure(
    "by_status",
    gettext_lazy("Initiatives par statut"),
    gettext_lazy(
        "Toutes les initiatives sauf les brouillons des associations, quel que soit le "
        "filtre de statut."
    ),
    "series",
)
def by_status(scope: Scope) -> dict:
    options = [(s.value, s.label) for s in S if s != S.DRAFT]
    counts = scope.tally.by_status() if scope.tally else _grouped(scope.pipeline, F("status"))
    return _series(counts, options, keep_zeros=True)


def _quarter_counts(scope: Scope) -> dict[tuple[int, int], dict[str, int]]:
    """Both series in one statement (UNION ALL of two grouped counts)."""
    parts = []
    for kind, field in (("submitted", "submitted_at"), ("published", "published_at")):
        parts.append(
            scope.pipeline.filter(**{f"{field}__isnull": False})
            .annotate(q=TruncQuarter(field), kind=Value(kind))
            .values("q", "kind")
            .annotate(n=Count("*"))
            .values_list("q", "kind", "n")
        )
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for quarter, kind, n in parts[0].union(parts[1], all=True):
        entry = counts.setdefault(_quarter_key(quarter), {"submitted": 0, "published": 0})
        entry[kind] += n
    return counts


def _quarter_key(moment: datetime.datetime) -> tuple[int, int]:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.year, (local.month - 1) // 3 + 1


@figure(
    "per_quarter",
    gettext_lazy("Soumissions et publications par trimestre"),
    gettext_lazy(
        "Soumises : initiatives dont la dernière soumission date du trimestre. Publiées : "
        "initiatives publiées au cours du trimestre (date de leur dernière publication). "
        "Hors filtre de statut."
    ),
    "quarters",
)
def per_quarter(scope: Scope) -> dict:
    counts = scope.tally.quarters() if scope.tally else _quarter_counts(scope)
    rows = []
    if counts:
        year, number = min(counts)
        last = max(counts)
        while (year, number) <= last:  # every quarter in between, empty ones included
            entry = counts.get((year, number), {"submitted": 0, "published": 0})
            rows.append(
                {
                    "key": f"{year}-T{number}",
                    "label": _("T%(n)s %(year)s") % {"n": number, "year": year},
                    **entry,
                }
            )
            year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return {
        "rows": rows,
        "series": [("submitted", _("Soumises")), ("published", _("Publiées"))],
        "total_submitted": sum(r["submitted"] for r in rows),
        "total_published": sum(r["published"] for r in rows),
    }


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _lead_time_pairs(scope: Scope):
    """Per initiative: its first submission and its first decision (published or refused)."""
    return (
        StatusChange.objects.filter(initiative__in=scope.pipeline.values("pk"))
        .values("initiative_id")
        .annotate(
            first_submitted=Min("at", filter=Q(to_status=S.SUBMITTED)),
            first_decided=Min("at", filter=Q(to_status__in=DECISIONS)),
        )
        .order_by()
    )


@figure(
    "lead_times",
    gettext_lazy("Délais d'instruction"),
    gettext_lazy(
        "Jours entre la première soumission d'une initiative et la première décision "
        "(publication ou refus) : médiane et 90e centile (9 décisions sur 10 sont prises "
        "en moins de temps). Hors filtre de statut."
    ),
    "durations",
    unit=gettext_lazy("jours"),
)
def lead_times(scope: Scope) -> dict:
    pairs = _lead_time_pairs(scope)
    if connection.vendor == "postgresql":
        sql, params = pairs.query.sql_with_params()
        # Composed of Django-compiled SQL only; values travel as parameters.
        statement = (
            "SELECT COUNT(*), "  # noqa: S608
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY d) FROM ("
            "SELECT EXTRACT(EPOCH FROM (t.first_decided - t.first_submitted)) / 86400.0 AS d "
            f"FROM ({sql}) t WHERE t.first_submitted IS NOT NULL "
            "AND t.first_decided >= t.first_submitted) durations"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            count, median, p90 = cursor.fetchone()
        median = float(median) if median is not None else None
        p90 = float(p90) if p90 is not None else None
    else:  # SQLite: the same definition, computed here
        durations = [
            (row["first_decided"] - row["first_submitted"]).total_seconds() / 86400
            for row in pairs
            if row["first_submitted"] and row["first_decided"]
            if row["first_decided"] >= row["first_submitted"]
        ]
        count = len(durations)
        median, p90 = percentile_cont(durations, 0.5), percentile_cont(durations, 0.9)
    return {
        "count": count,
        "median_days": round(median, 1) if median is not None else None,
        "p90_days": round(p90, 1) if p90 is not None else None,
    }


def _geography(scope: Scope) -> Q:
    params = scope.filterset.cleaned
    if params.get("department"):
        return Q(department_code=params["department"])
    if params.get("region"):
        return Q(region_code=params["region"])
    return Q()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@figure(
    "department_coverage",
    gettext_lazy("Départements couverts"),
    gettext_lazy(
        "Part des départements du référentiel (101 avec le Code officiel géographique "
        "complet, ou ceux de la région choisie) où une collectivité porte au moins une "
        "initiative publiée."
    ),
    "coverage",
)
def department_coverage(scope: Scope) -> dict:
    if scope.tally:
        total, covered = scope.tally.departments(*scope.geography)
        totals = {"total": total, "covered": covered}
    else:
        covered = scope.published.exclude(department_code="").values("department_code")
        totals = Territory.objects.filter(
            _geography(scope), level=Territory.Level.DEPARTMENT
        ).aggregate(total=Count("pk"), covered=Count("pk", filter=Q(code__in=covered)))
    return totals | {"share": _share(totals["covered"], totals["total"])}


@figure(
    "rural_communes",
    gettext_lazy("Communes rurales touchées"),
    gettext_lazy(
        "Communes de moins de 2 000 habitants qui portent une initiative publiée ou font "
        "partie de ses territoires, rapportées à toutes les communes de moins de 2 000 "
        "habitants du référentiel (ou de la région, du département choisi)."
    ),
    "coverage",
)
def rural_communes(scope: Scope) -> dict:
    if scope.tally:
        total, covered = scope.tally.rural_communes(*scope.geography, RURAL_POPULATION_MAX)
        return {"total": total, "covered": covered, "share": _share(covered, total)}
    published = scope.published
    led = published.filter(collectivity_level=Territory.Level.COMMUNE).values(
        "lead_collectivity_id"
    )
    covered = Initiative.territories.through.objects.filter(
        initiative__in=published.values("pk")
    ).values("territory_id")
    totals = Territory.objects.filter(
        _geography(scope),
        level=Territory.Level.COMMUNE,
        population__lt=RURAL_POPULATION_MAX,
    ).aggregate(total=Count("pk"), covered=Count("pk", filter=Q(pk__in=led) | Q(pk__in=covered)))
    return totals | {"share": _share(totals["covered"], totals["total"])}


def late_actions_queryset(today: datetime.date, actions=None):
    """Actions past their due date and neither done nor abandoned."""
    actions = Action.objects.all() if actions is None else actions
    return actions.filter(UNFINISHED_ACTION, due_date__lt=today)


def late_milestones_queryset(today: datetime.date, actions=None):
    """Milestones past their due date and not reached."""
    milestones = Milestone.objects.filter(due_date__lt=today, reached_on__isnull=True)
    if actions is not None:
        milestones = milestones.filter(action__in=actions.values("pk"))
    return milestones


@figure(
    "late_actions",
    gettext_lazy("Actions en retard"),
    gettext_lazy("Actions du plan dont l'échéance est passée, ni réalisées ni abandonnées."),
    "late_actions",
)
def late_actions(scope: Scope) -> dict:
    rows = [
        {
            "code": code,
            "title": title,
            "axis": axis,
            "status": str(Action.Status(status).label),
            "due_date": due,
            "days_late": (scope.today - due).days,
        }
        for code, title, axis, status, due in late_actions_queryset(scope.today, scope.actions())
        .order_by("due_date", "code")
        .values_list("code", "title", "axis__number", "status", "due_date")
    ]
    return {"count": len(rows), "rows": rows}


@figure(
    "late_milestones",
    gettext_lazy("Jalons en retard"),
    gettext_lazy("Jalons du plan dont l'échéance est passée et qui ne sont pas atteints."),
    "late_milestones",
)
def late_milestones(scope: Scope) -> dict:
    rows = [
        {
            "action_code": code,
            "action_title": action_title,
            "title": title,
            "due_date": due,
            "days_late": (scope.today - due).days,
        }
        for code, action_title, title, due in late_milestones_queryset(scope.today, scope.actions())
        .order_by("due_date", "action__code", "pk")
        .values_list("action__code", "action__title", "title", "due_date")
    ]
    return {"count": len(rows), "rows": rows}


# -- computing --------------------------------------------------------------------------------


def compute(name: str, filterset: StatisticsFilterSet, *, today=None, use_bitmaps=True) -> dict:
    """One figure, uncached."""
    scope = Scope(filterset, today or timezone.localdate(), use_bitmaps=use_bitmaps)
    return FIGURES[name].compute(scope)


def _cache_key(filterset: StatisticsFilterSet, names: Sequence[str], today) -> str:
    raw = json.dumps(
        {"params": filter_params(filterset), "names": list(names), "today": str(today)},
        sort_keys=True,
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    language = translation.get_language() or ""
    return f"statistics:v1:{language}:{digest}"


def compute_all(
    filterset: StatisticsFilterSet,
    *,
    names: Sequence[str] | None = None,
    cached: bool = True,
    refresh: bool = False,
    use_bitmaps: bool = True,
) -> dict[str, dict]:
    """The figures (all by default) for these filters, cached CACHE_SECONDS.

    Keyed by figure name, plus `_computed_at` (when they were computed: pages cache their
    rendering under it). `refresh` recomputes and stores them whatever the cache holds
    (the warming job). `use_bitmaps=False`: grouped queries only (Scope.use_bitmaps).
    """
    names = list(names or FIGURES)
    today = timezone.localdate()
    key = _cache_key(filterset, names, today)
    values = cache.get(key) if cached and not refresh else None
    if values is None:
        scope = Scope(filterset, today, use_bitmaps=use_bitmaps)
        values = {name: FIGURES[name].compute(scope) for name in names}
        values["_computed_at"] = timezone.now().isoformat()
        if cached:
            cache.set(key, values, CACHE_SECONDS)
    return values


def statistics_warm() -> None:
    """Recompute the figures of /pilotage/ without criteria (the page officials open first).

    Scheduled every minute (settings.CELERY_BEAT_SCHEDULE). In a worker, with the grouped
    queries (about a second at 100,000 initiatives) rather than an index of the whole
    catalogue built and kept in the worker's memory for one page.
    """
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        compute_all(statistics_filterset(), refresh=True, use_bitmaps=False)
