"""An action's progress, derived from its milestones and indicators (never typed)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from committee.plan.models import (
    Action,
    Indicator,
    Milestone,
)


def derived_progress(*, milestones: Iterable[Milestone], indicators: Iterable[Indicator]) -> int:
    """An action's progress in percent, from its evidence only.

    Two parts, each a share between 0 and 1:
    - milestones: the share of milestones reached;
    - indicators: the mean, over the indicators, of (current − baseline) / (target − baseline),
      clamped to [0, 1]; an indicator without a value yet counts 0; when target equals
      baseline, 1 once the target is reached.
    Progress is the mean of the parts the action has (an action with milestones only is its
    milestones' share), times 100, rounded half up; an action with neither is at 0.
    """
    parts = []
    milestones = list(milestones)
    if milestones:
        parts.append(sum(1 for m in milestones if m.reached_on) / len(milestones))
    shares = [indicator.attainment or 0.0 for indicator in indicators]
    if shares:
        parts.append(sum(shares) / len(shares))
    if not parts:
        return 0
    percent = Decimal(str(sum(parts) / len(parts) * 100))
    return int(percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def action_progress_recompute(*, action: Action) -> int:
    """Store the progress derived from the action's milestones and indicators (read fresh)."""
    value = derived_progress(
        milestones=Milestone.objects.filter(action_id=action.pk),
        indicators=Indicator.objects.filter(action_id=action.pk),
    )
    Action.objects.filter(pk=action.pk).exclude(progress=value).update(
        progress=value, updated_at=timezone.now()
    )
    action.progress = value
    return value
