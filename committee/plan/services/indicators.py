"""Writes on indicators: typed values, and computed ones kept in step with the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.plan import computations
from committee.plan.models import (
    Action,
    ActionUpdate,
    Indicator,
)
from committee.plan.services.base import log_update, number_text
from committee.plan.services.progress import action_progress_recompute
from initiatives.selectors import catalogue_version
from members.permissions import Perm, require

REFRESH_KEY = "plan:indicators:catalogue-version"


@dataclass(frozen=True)
class IndicatorData:
    label: str
    target: Decimal
    unit: str = ""
    baseline: Decimal = Decimal(0)
    source: str = Indicator.Source.MANUAL
    computation: str = ""
    computation_axis: Axis | None = None


def _check_indicator_data(data: IndicatorData) -> None:
    errors = {}
    if not data.label.strip():
        errors["label"] = _("L'intitulé de l'indicateur est obligatoire.")
    if data.target is None:
        errors["target"] = _("La cible est obligatoire.")
    if data.source == Indicator.Source.COMPUTED:
        item = computations.REGISTRY.get(data.computation)
        if item is None:
            errors["computation"] = _("Choisissez le calcul de cet indicateur.")
        elif item.needs_axis and data.computation_axis is None:
            errors["computation_axis"] = _("Ce calcul porte sur un axe : choisissez-le.")
        elif not item.takes_axis and data.computation_axis is not None:
            errors["computation_axis"] = _("Ce calcul ne porte pas sur un axe.")
    elif data.source != Indicator.Source.MANUAL:
        errors["source"] = _("Source inconnue.")
    if errors:
        raise ValidationError(errors)


def _indicator_fields(data: IndicatorData) -> dict:
    computed = data.source == Indicator.Source.COMPUTED
    return {
        "label": data.label.strip()[:255],
        "unit": data.unit.strip()[:40],
        "baseline": data.baseline if data.baseline is not None else Decimal(0),
        "target": data.target,
        "source": data.source,
        "computation": data.computation if computed else "",
        "computation_axis": data.computation_axis if computed else None,
    }


def _refresh_one(indicator: Indicator, *, memo: dict | None = None) -> bool:
    """Store a computed indicator's value now; True when it changed."""
    if indicator.source != Indicator.Source.COMPUTED:
        return False
    key = (indicator.computation, indicator.computation_axis_id)
    evidence_based = indicator.computation in EVIDENCE_COMPUTATIONS
    if memo is not None and not evidence_based and key in memo:
        value = memo[key]
    else:
        value = computations.compute(indicator)
        if memo is not None and not evidence_based:
            memo[key] = value
    if indicator.current_value is not None and Decimal(indicator.current_value) == value:
        return False
    indicator.current_value = value
    indicator.value_updated_at = timezone.now()
    indicator.save(update_fields=["current_value", "value_updated_at"])
    return True


EVIDENCE_COMPUTATIONS = {"linked_published_initiatives", "departments_of_linked_initiatives"}


@transaction.atomic
def indicator_create(*, action: Action, by, data: IndicatorData) -> Indicator:
    require(by, Perm.PLAN_MANAGE)
    _check_indicator_data(data)
    last = Indicator.objects.filter(action=action).order_by("-position").first()
    indicator = Indicator.objects.create(
        action=action, position=(last.position + 1) if last else 0, **_indicator_fields(data)
    )
    _refresh_one(indicator)
    log_update(
        action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur ajouté : « %(label)s » (cible %(target)s %(unit)s).")
        % {
            "label": indicator.label,
            "target": number_text(indicator.target),
            "unit": indicator.unit,
        },
    )
    action_progress_recompute(action=action)
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, data: IndicatorData) -> Indicator:
    """Change an indicator's definition (label, unit, baseline, target, source)."""
    require(by, Perm.PLAN_MANAGE)
    _check_indicator_data(data)
    fields = _indicator_fields(data)
    changed = [name for name, value in fields.items() if getattr(indicator, name) != value]
    if not changed:
        return indicator
    was_computed = indicator.source == Indicator.Source.COMPUTED
    for name, value in fields.items():
        setattr(indicator, name, value)
    if was_computed and indicator.source == Indicator.Source.MANUAL:
        indicator.current_value = None  # a computed value is not a measure anyone typed
    indicator.save()
    _refresh_one(indicator)
    log_update(
        indicator.action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur « %(label)s » redéfini : cible %(target)s, départ %(baseline)s.")
        % {
            "label": indicator.label,
            "target": number_text(indicator.target),
            "baseline": number_text(indicator.baseline),
        },
    )
    action_progress_recompute(action=indicator.action)
    return indicator


def store_value(indicator: Indicator, value: Decimal) -> Decimal | None:
    """Store a typed value; return the previous one (unchanged: no write)."""
    previous = indicator.current_value
    indicator.current_value = value
    indicator.value_updated_at = timezone.now()
    indicator.save(update_fields=["current_value", "value_updated_at"])
    return previous


@transaction.atomic
def indicator_set(*, indicator: Indicator, by, value: Decimal) -> Indicator:
    """Type the current value of a manual indicator (computed ones follow the catalogue)."""
    require(by, Perm.PLAN_MANAGE)
    if indicator.source != Indicator.Source.MANUAL:
        raise ValidationError(
            {
                "value": _(
                    "Cet indicateur est calculé à partir des initiatives : il ne se saisit pas."
                )
            }
        )
    if value is None:
        raise ValidationError({"value": _("La valeur est obligatoire.")})
    if indicator.current_value is not None and Decimal(indicator.current_value) == value:
        return indicator
    previous = store_value(indicator, value)
    log_update(
        indicator.action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur « %(label)s » : %(old)s → %(new)s %(unit)s.")
        % {
            "label": indicator.label,
            "old": number_text(previous),
            "new": number_text(value),
            "unit": indicator.unit,
        },
    )
    action_progress_recompute(action=indicator.action)
    return indicator


@transaction.atomic
def indicators_refresh(*, actions: Iterable[Action] | None = None) -> int:
    """Recompute the computed indicators (of `actions`, or all) and the progress they move.

    Returns the number of indicators whose value changed. Changes are logged, without
    author: they come from the catalogue.
    """
    queryset = Indicator.objects.filter(source=Indicator.Source.COMPUTED).select_related(
        "action", "computation_axis"
    )
    if actions is not None:
        queryset = queryset.filter(action__in=[a.pk for a in actions])
    memo: dict = {}
    moved: dict[int, Action] = {}
    changed = 0
    for indicator in queryset.order_by("action_id", "position", "pk"):
        previous = indicator.current_value
        if _refresh_one(indicator, memo=memo):
            changed += 1
            moved[indicator.action_id] = indicator.action
            log_update(
                indicator.action,
                by=None,
                kind=ActionUpdate.Kind.INDICATOR,
                text=_("Indicateur calculé « %(label)s » : %(old)s → %(new)s %(unit)s.")
                % {
                    "label": indicator.label,
                    "old": number_text(previous),
                    "new": number_text(indicator.current_value),
                    "unit": indicator.unit,
                },
            )
    for action in moved.values():
        action_progress_recompute(action=action)
    return changed


def plan_refresh_if_stale() -> bool:
    """Refresh computed indicators once after each change of the published catalogue.

    The catalogue's version (initiatives.selectors.catalogue_version) changes on every
    publication or unpublication; pages of the plan call this first, so a computed indicator
    never shows a value older than the catalogue. One cache read when nothing changed.
    """
    version = catalogue_version()
    if cache.get(REFRESH_KEY) == version:
        return False
    indicators_refresh()
    cache.set(REFRESH_KEY, version, None)
    return True
