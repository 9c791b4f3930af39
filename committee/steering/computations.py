"""Computed indicators on the published catalogue, declared into the plan's registry
(committee.plan.computations) with the same definitions as the steering statistics, so a
figure reads the same on the plan, on /pilotage/ and in the reports."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committee.plan.computations import computation
from committee.steering import statistics
from initiatives.models import Initiative
from referentials.models import Territory


def _filterset(indicator):
    """The steering statistics' filters for the indicator's axis (or none)."""
    params = {}
    if indicator.computation_axis_id:
        params["axis"] = str(indicator.computation_axis.number)
    return statistics.statistics_filterset(params)


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
    return statistics.compute("department_coverage", _filterset(indicator))["covered"]


@computation(
    "published_initiatives_on_axis",
    _("Initiatives publiées sur l'axe"),
    _("Nombre d'initiatives publiées rattachées à l'axe."),
    needs_axis=True,
)
def published_on_axis(indicator) -> int:
    return _filterset(indicator).qs.order_by().count()


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
    published = _filterset(indicator).qs.order_by()
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
    return statistics.compute("rural_communes", _filterset(indicator))["covered"]
