"""A checked import written: actions by code, their milestones by title."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from committee.plan.io.columns import ACTIONS_SHEET
from committee.plan.io.reading import ImportRefused, MilestoneRow, RowError, plan_import_check
from committee.plan.models import Action, ActionUpdate, Milestone
from committee.plan.services import actions as plan_services
from members.permissions import Perm, require

# -- import: writing ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    milestones_created: int = 0
    milestones_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.milestones_created or self.milestones_updated
        )


@transaction.atomic
def plan_import(*, upload, by) -> ImportResult:
    """Import the plan from a spreadsheet: all of it, or — with any error — nothing.

    Raises ImportRefused with every error found; the checks all run before the first write,
    and the writes share one transaction.
    """
    require(
        by, Perm.PLAN_MANAGE, message=_("Vous n'avez pas le droit d'importer le plan d'action.")
    )
    actions, milestones, errors = plan_import_check(upload)
    if errors:
        raise ImportRefused(errors)
    result = ImportResult()
    existing = {
        action.code.lower(): action
        for action in Action.objects.select_for_update().prefetch_related("lead_partners")
    }
    kind = ActionUpdate.Kind.IMPORT
    for row in actions:
        action = existing.get(row.data.code.lower())
        try:
            if action is None:
                action = plan_services.action_create(by=by, data=row.data, log_kind=kind)
                existing[action.code.lower()] = action
                result.created.append(action.code)
            elif plan_services.action_update(action=action, by=by, data=row.data, log_kind=kind):
                result.updated.append(action.code)
            else:
                result.unchanged.append(action.code)
        except ValidationError as error:  # a race with another write: refuse the whole file
            raise ImportRefused(
                [RowError(ACTIONS_SHEET, row.row, "", message) for message in error.messages]
            ) from error
    _import_milestones(milestones or [], existing=existing, by=by, result=result)
    return result


def _import_milestones(rows: list[MilestoneRow], *, existing, by, result: ImportResult) -> None:
    by_action = defaultdict(list)
    for row in rows:
        by_action[row.code.lower()].append(row)
    for code, action_rows in by_action.items():
        action = existing[code]
        current = {m.title: m for m in Milestone.objects.filter(action=action).order_by("pk")}
        for row in action_rows:
            milestone = current.get(row.title)
            if milestone is None:
                milestone = plan_services.milestone_add(
                    action=action, by=by, title=row.title, due_date=row.due_date
                )
                current[milestone.title] = milestone
                result.milestones_created += 1
                if row.reached_on:
                    plan_services.milestone_reach(
                        milestone=milestone, by=by, reached_on=row.reached_on
                    )
                continue
            changed = False
            if milestone.due_date != row.due_date:
                plan_services.milestone_update(
                    milestone=milestone, by=by, title=milestone.title, due_date=row.due_date
                )
                changed = True
            if milestone.reached_on != row.reached_on:
                plan_services.milestone_reach(milestone=milestone, by=by, reached_on=row.reached_on)
                changed = True
            result.milestones_updated += int(changed)
