"""Computed indicators: what an indicator of the plan may be computed from.

An indicator whose source is "computed" names one of the computations registered here (and,
when it needs one, an axis). The plan declares those on an action's own evidence (they count
only the linked initiatives that are published); the steering statistics declare those on the
whole published catalogue (committee/steering/computations.py), so a figure reads the same on
the plan, on /pilotage/ and in the reports.

Values are stored on the indicator (`current_value`) by
`committee.plan.services.indicators.indicators_refresh`, which also recomputes the actions'
progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from initiatives.models import Status as S


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


def _published_evidence(indicator):
    return indicator.action.initiatives.filter(status=S.PUBLISHED)


# -- the registry -----------------------------------------------------------------------------


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
