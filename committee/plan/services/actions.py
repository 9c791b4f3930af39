"""Writes on actions, their milestones, notes and evidence (the secretariat's, PLAN_MANAGE)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.plan.models import (
    Action,
    ActionUpdate,
    Milestone,
)
from committee.plan.services.base import COMMENT_MAX_LENGTH, date_text, log_update
from committee.plan.services.indicators import indicators_refresh
from committee.plan.services.progress import action_progress_recompute
from initiatives.models import Initiative
from initiatives.models import Status as S
from members.models import Organisation
from members.permissions import Perm, require


@dataclass(frozen=True)
class ActionData:
    """What the secretariat types about an action (never its progress)."""

    axis: Axis
    code: str
    title: str
    objective: str
    lead_partners: list[Organisation] = field(default_factory=list)
    status: str = Action.Status.PLANNED
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None


def _check_action_data(data: ActionData, *, action: Action | None = None) -> None:
    errors = {}
    code = data.code.strip()
    if not code:
        errors["code"] = _("Le code est obligatoire.")
    elif Action.objects.filter(code__iexact=code).exclude(pk=getattr(action, "pk", None)).exists():
        errors["code"] = _("Une autre action porte déjà le code « %(code)s ».") % {"code": code}
    if not data.title.strip():
        errors["title"] = _("L'intitulé est obligatoire.")
    if not data.objective.strip():
        errors["objective"] = _("L'objectif est obligatoire.")
    if data.status not in Action.Status.values:
        errors["status"] = _("Statut inconnu.")
    if data.start_date and data.due_date and data.due_date < data.start_date:
        errors["due_date"] = _("L'échéance ne peut précéder le début.")
    if errors:
        raise ValidationError(errors)


def _partners_text(partners) -> str:
    return ", ".join(sorted(p.acronym for p in partners)) or "—"


@transaction.atomic
def action_create(*, by, data: ActionData, log_kind: str = ActionUpdate.Kind.CREATED) -> Action:
    require(by, Perm.PLAN_MANAGE)
    _check_action_data(data)
    action = Action.objects.create(
        axis=data.axis,
        code=data.code.strip(),
        title=data.title.strip(),
        objective=data.objective.strip(),
        status=data.status,
        start_date=data.start_date,
        due_date=data.due_date,
    )
    action.lead_partners.set(data.lead_partners)
    log_update(action, by=by, kind=log_kind, text=_("Action créée."))
    return action


TRACKED_FIELDS = ("axis", "code", "title", "objective", "status", "start_date", "due_date")


def _display(name: str, value) -> str:
    if name == "status":
        return str(Action.Status(value).label)
    if name == "axis":
        return str(value.number)
    if isinstance(value, datetime.date):
        return date_text(value)
    return str(value)


@transaction.atomic
def action_update(
    *, action: Action, by, data: ActionData, log_kind: str = ActionUpdate.Kind.EDITED
) -> list[str]:
    """Apply the changes; log them; return the names of the fields changed (none: no write)."""
    require(by, Perm.PLAN_MANAGE)
    _check_action_data(data, action=action)
    current = Action.objects.select_for_update().get(pk=action.pk)
    labels = {name: str(Action._meta.get_field(name).verbose_name) for name in TRACKED_FIELDS}
    new_values = {
        "axis": data.axis,
        "code": data.code.strip(),
        "title": data.title.strip(),
        "objective": data.objective.strip(),
        "status": data.status,
        "start_date": data.start_date,
        "due_date": data.due_date,
    }
    changes, changed = [], []
    for name, value in new_values.items():
        old = getattr(current, name)
        if old != value:
            changed.append(name)
            changes.append(f"{labels[name]} : {_display(name, old)} → {_display(name, value)}")
            setattr(current, name, value)
    old_partners = set(current.lead_partners.all())
    new_partners = set(data.lead_partners)
    if old_partners != new_partners:
        changed.append("lead_partners")
        changes.append(
            _("partenaires pilotes : %(old)s → %(new)s")
            % {"old": _partners_text(old_partners), "new": _partners_text(new_partners)}
        )
        current.lead_partners.set(new_partners)
    if not changes:
        return []
    current.save()
    log_update(current, by=by, kind=log_kind, text="; ".join(changes) + ".")
    for name, value in new_values.items():
        setattr(action, name, value)
    action.updated_at = current.updated_at
    return changed


@transaction.atomic
def action_note_add(*, action: Action, by, text: str) -> ActionUpdate:
    """A free note in the update log (a decision, a meeting): it changes no figure."""
    require(by, Perm.PLAN_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("La note est vide.")})
    return log_update(action, by=by, kind=ActionUpdate.Kind.NOTE, text=text[:COMMENT_MAX_LENGTH])


@transaction.atomic
def milestone_add(
    *, action: Action, by, title: str, due_date: datetime.date, position: int | None = None
) -> Milestone:
    require(by, Perm.PLAN_MANAGE)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("L'intitulé du jalon est obligatoire.")})
    if due_date is None:
        raise ValidationError({"due_date": _("L'échéance du jalon est obligatoire.")})
    if position is None:
        last = Milestone.objects.filter(action=action).order_by("-position").first()
        position = (last.position + 1) if last else 0
    milestone = Milestone.objects.create(
        action=action, title=title[:255], due_date=due_date, position=position
    )
    log_update(
        action,
        by=by,
        kind=ActionUpdate.Kind.MILESTONE,
        text=_("Jalon ajouté : « %(title)s », prévu le %(date)s.")
        % {"title": milestone.title, "date": date_text(due_date)},
    )
    action_progress_recompute(action=action)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, title: str, due_date: datetime.date) -> Milestone:
    """Rename or reschedule a milestone (a postponement shows in the log and the reviews)."""
    require(by, Perm.PLAN_MANAGE)
    title = (title or "").strip()
    if not title or due_date is None:
        raise ValidationError(_("L'intitulé et l'échéance du jalon sont obligatoires."))
    changes = []
    if title != milestone.title:
        changes.append(
            _("intitulé « %(old)s » → « %(new)s »") % {"old": milestone.title, "new": title}
        )
    if due_date != milestone.due_date:
        changes.append(
            _("échéance %(old)s → %(new)s")
            % {"old": date_text(milestone.due_date), "new": date_text(due_date)}
        )
    if not changes:
        return milestone
    milestone.title, milestone.due_date = title[:255], due_date
    milestone.save(update_fields=["title", "due_date"])
    log_update(
        milestone.action,
        by=by,
        kind=ActionUpdate.Kind.MILESTONE,
        text=_("Jalon modifié : %(changes)s.") % {"changes": "; ".join(changes)},
    )
    return milestone


def mark_reached(milestone: Milestone, reached_on: datetime.date | None) -> bool:
    if milestone.reached_on == reached_on:
        return False
    milestone.reached_on = reached_on
    milestone.save(update_fields=["reached_on"])
    return True


@transaction.atomic
def milestone_reach(*, milestone: Milestone, by, reached_on: datetime.date | None) -> Milestone:
    """Mark a milestone reached on a date (or, with None, not reached after all)."""
    require(by, Perm.PLAN_MANAGE)
    if reached_on and reached_on > timezone.localdate():
        raise ValidationError({"reached_on": _("Un jalon ne peut être atteint dans le futur.")})
    if not mark_reached(milestone, reached_on):
        return milestone
    if reached_on:
        text = _("Jalon atteint : « %(title)s », le %(date)s.") % {
            "title": milestone.title,
            "date": date_text(reached_on),
        }
    else:
        text = _("Jalon de nouveau à atteindre : « %(title)s ».") % {"title": milestone.title}
    log_update(milestone.action, by=by, kind=ActionUpdate.Kind.MILESTONE, text=text)
    action_progress_recompute(action=milestone.action)
    return milestone


def link_evidence(action: Action, initiative: Initiative) -> bool:
    if action.initiatives.filter(pk=initiative.pk).exists():
        return False
    action.initiatives.add(initiative)
    return True


@transaction.atomic
def evidence_link(*, action: Action, initiative: Initiative, by) -> bool:
    """Link a published initiative to the action as evidence; False if it already was."""
    require(by, Perm.PLAN_MANAGE)
    if initiative.status != S.PUBLISHED:
        raise ValidationError(_("Seule une initiative publiée peut servir de preuve."))
    if not link_evidence(action, initiative):
        return False
    log_update(
        action,
        by=by,
        kind=ActionUpdate.Kind.EVIDENCE,
        text=_("Initiative liée : « %(title)s ».") % {"title": initiative.title},
    )
    indicators_refresh(actions=[action])
    action_progress_recompute(action=action)
    return True


@transaction.atomic
def evidence_unlink(*, action: Action, initiative: Initiative, by) -> bool:
    require(by, Perm.PLAN_MANAGE)
    if not action.initiatives.filter(pk=initiative.pk).exists():
        return False
    action.initiatives.remove(initiative)
    log_update(
        action,
        by=by,
        kind=ActionUpdate.Kind.EVIDENCE,
        text=_("Initiative retirée des preuves : « %(title)s ».") % {"title": initiative.title},
    )
    indicators_refresh(actions=[action])
    action_progress_recompute(action=action)
    return True
