"""Computed indicators: what an indicator of the plan may be computed from.

An indicator whose source is "computed" names one of these computations (and, when it needs
one, an axis). Values come from the published catalogue, through the same definitions as
the steering statistics (committee.steering.statistics) where one exists, so a figure reads the same
on the plan, on /pilotage/ and in the reports. Evidence-based computations count only the
action's linked initiatives that are published.

Values are stored on the indicator (`current_value`) by
`committee.plan.services.indicators.indicators_refresh`, which also recomputes the actions'
progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from initiatives.models import Status as S
from referentials.models import Territory


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    description: str
    needs_axis: bool  # an axis is required
    compute: Callable[..., int]  # indicator → value
    axis_optional: bool = False  # an axis may narrow the figure

    @property
    def takes_axis(self) -> bool:
        return self.needs_axis or self.axis_optional


REGISTRY: dict[str, Computation] = {}


def computation(key: str, label, description, *, needs_axis=False, axis_optional=False):
    def register(function):
        REGISTRY[key] = Computation(
            key, label, description, needs_axis, function, axis_optional=axis_optional
        )
        return function

    return register


def choices() -> list[tuple[str, str]]:
    return [(key, str(item.label)) for key, item in REGISTRY.items()]


def compute(indicator) -> Decimal:
    """The value of a computed indicator now. Raises KeyError for an unknown computation."""
    return Decimal(REGISTRY[indicator.computation].compute(indicator))


def describe(indicator) -> str:
    """The computation in words, with its axis: shown next to the value."""
    item = REGISTRY.get(indicator.computation)
    if item is None:
        return ""
    text = str(item.label)
    if indicator.computation_axis_id:
        text += " — " + str(_("axe %(n)s") % {"n": indicator.computation_axis.number})
    return text


def _statistics_scope(indicator):
    from committee.steering import statistics

    params = {}
    if indicator.computation_axis_id:
        params["axis"] = str(indicator.computation_axis.number)
    return statistics, statistics.statistics_filterset(params)


def _published_evidence(indicator):
    return indicator.action.initiatives.filter(status=S.PUBLISHED)


# -- the registry -----------------------------------------------------------------------------


@computation(
    "departments_with_published_initiative_on_axis",
    _("Départements ayant au moins une initiative publiée sur l'axe"),
    _(
        "Nombre de départements où une collectivité porte au moins une initiative publiée "
        "rattachée à l'axe (même définition que la couverture des statistiques de pilotage)."
    ),
    needs_axis=True,
)
def departments_on_axis(indicator) -> int:
    statistics, filterset = _statistics_scope(indicator)
    return statistics.compute("department_coverage", filterset)["covered"]


@computation(
    "published_initiatives_on_axis",
    _("Initiatives publiées sur l'axe"),
    _("Nombre d'initiatives publiées rattachées à l'axe."),
    needs_axis=True,
)
def published_on_axis(indicator) -> int:
    _statistics, filterset = _statistics_scope(indicator)
    return filterset.qs.order_by().count()


@computation(
    "communes_reached",
    _("Communes touchées"),
    _(
        "Communes qui portent une initiative publiée ou font partie de ses territoires "
        "(sur l'axe choisi, s'il y en a un)."
    ),
    axis_optional=True,
)
def communes_reached(indicator) -> int:
    _statistics, filterset = _statistics_scope(indicator)
    published = filterset.qs.order_by()
    led = published.filter(collectivity_level=Territory.Level.COMMUNE).values(
        "lead_collectivity_id"
    )
    covered = Initiative.territories.through.objects.filter(
        initiative__in=published.values("pk")
    ).values("territory_id")
    return Territory.objects.filter(
        Q(pk__in=led) | Q(pk__in=covered), level=Territory.Level.COMMUNE
    ).count()


@computation(
    "rural_communes_reached",
    _("Communes rurales touchées"),
    _(
        "Communes de moins de 2 000 habitants qui portent une initiative publiée ou font "
        "partie de ses territoires (même définition que les statistiques de pilotage)."
    ),
    axis_optional=True,
)
def rural_communes_reached(indicator) -> int:
    statistics, filterset = _statistics_scope(indicator)
    return statistics.compute("rural_communes", filterset)["covered"]


@computation(
    "linked_published_initiatives",
    _("Initiatives publiées liées à l'action"),
    _("Nombre d'initiatives publiées rattachées à l'action comme preuves."),
)
def linked_published(indicator) -> int:
    return _published_evidence(indicator).count()


@computation(
    "departments_of_linked_initiatives",
    _("Départements des initiatives liées à l'action"),
    _("Nombre de départements des initiatives publiées rattachées à l'action comme preuves."),
)
def linked_departments(indicator) -> int:
    return (
        _published_evidence(indicator)
        .exclude(department_code="")
        .order_by()
        .values("department_code")
        .distinct()
        .count()
    )
