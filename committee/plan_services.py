"""Writes on the action plan: actions, milestones, indicators, evidence, partner reports,
plan reviews and policy contributions.

Who may do what (members.permissions.can, checked again here before any write):
- the secretariat (PLAN_MANAGE) manages the plan: actions, milestones, indicators, evidence,
  imports; it opens and closes the plan reviews; CONTRIBUTION_MANAGE for contributions;
- officials, reviewers and secretariat alike (PLAN_VIEW_INTERNAL), see the internal plan,
  accept or send back the partners' reports and assess each action in an open review;
- the staff of a lead partner (PLAN_REPORT on the action) report on the actions their
  association leads. A report changes nothing until an official accepts it.

Progress is never typed: `action_progress_recompute` derives it from the milestones reached
and the indicators' values (see `derived_progress`) and is called by every write that can
change either. Computed indicators follow the published catalogue (`indicators_refresh`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from committee import indicators as computations
from committee.models import (
    Action,
    ActionAssessment,
    ActionUpdate,
    Axis,
    Contribution,
    ContributionDocument,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)
from initiatives.models import Initiative
from initiatives.models import Status as S
from initiatives.selectors import catalogue_version
from members.models import Membership, Organisation
from members.permissions import Action as Can
from members.permissions import actor_for, can
from members.services import email_after_commit, event_record

ACCOUNT_MAX_LENGTH = 4000
COMMENT_MAX_LENGTH = 4000
REFRESH_KEY = "plan:indicators:catalogue-version"


class Events:
    """Kinds of members.Event recorded by the plan (free text kinds of the outbox)."""

    REPORT_SUBMITTED = "plan_report_submitted"
    REPORT_ACCEPTED = "plan_report_accepted"
    REPORT_RETURNED = "plan_report_returned"
    REVIEW_OPENED = "plan_review_opened"
    REVIEW_CLOSED = "plan_review_closed"
    CONTRIBUTION_PUBLISHED = "contribution_published"
    CONTRIBUTION_UNPUBLISHED = "contribution_unpublished"


def _require(user, permission: Can, obj=None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))


def _log(action: Action, *, by, kind: str, text: str) -> ActionUpdate:
    author = by if getattr(by, "is_authenticated", False) else None
    return ActionUpdate.objects.create(action=action, author=author, kind=kind, text=text)


def _date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


# -- progress -----------------------------------------------------------------------------------


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


# -- actions ------------------------------------------------------------------------------------


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
    _require(by, Can.PLAN_MANAGE)
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
    _log(action, by=by, kind=log_kind, text=_("Action créée."))
    return action


TRACKED_FIELDS = ("axis", "code", "title", "objective", "status", "start_date", "due_date")


def _display(name: str, value) -> str:
    if name == "status":
        return str(Action.Status(value).label)
    if name == "axis":
        return str(value.number)
    if isinstance(value, datetime.date):
        return _date(value)
    return str(value)


@transaction.atomic
def action_update(
    *, action: Action, by, data: ActionData, log_kind: str = ActionUpdate.Kind.EDITED
) -> list[str]:
    """Apply the changes; log them; return the names of the fields changed (none: no write)."""
    _require(by, Can.PLAN_MANAGE)
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
    _log(current, by=by, kind=log_kind, text="; ".join(changes) + ".")
    for name, value in new_values.items():
        setattr(action, name, value)
    action.updated_at = current.updated_at
    return changed


@transaction.atomic
def action_note_add(*, action: Action, by, text: str) -> ActionUpdate:
    """A free note in the update log (a decision, a meeting): it changes no figure."""
    _require(by, Can.PLAN_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("La note est vide.")})
    return _log(action, by=by, kind=ActionUpdate.Kind.NOTE, text=text[:COMMENT_MAX_LENGTH])


# -- milestones ---------------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, action: Action, by, title: str, due_date: datetime.date, position: int | None = None
) -> Milestone:
    _require(by, Can.PLAN_MANAGE)
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
    _log(
        action,
        by=by,
        kind=ActionUpdate.Kind.MILESTONE,
        text=_("Jalon ajouté : « %(title)s », prévu le %(date)s.")
        % {"title": milestone.title, "date": _date(due_date)},
    )
    action_progress_recompute(action=action)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, title: str, due_date: datetime.date) -> Milestone:
    """Rename or reschedule a milestone (a postponement shows in the log and the reviews)."""
    _require(by, Can.PLAN_MANAGE)
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
            % {"old": _date(milestone.due_date), "new": _date(due_date)}
        )
    if not changes:
        return milestone
    milestone.title, milestone.due_date = title[:255], due_date
    milestone.save(update_fields=["title", "due_date"])
    _log(
        milestone.action,
        by=by,
        kind=ActionUpdate.Kind.MILESTONE,
        text=_("Jalon modifié : %(changes)s.") % {"changes": "; ".join(changes)},
    )
    return milestone


def _reach(milestone: Milestone, reached_on: datetime.date | None) -> bool:
    if milestone.reached_on == reached_on:
        return False
    milestone.reached_on = reached_on
    milestone.save(update_fields=["reached_on"])
    return True


@transaction.atomic
def milestone_reach(*, milestone: Milestone, by, reached_on: datetime.date | None) -> Milestone:
    """Mark a milestone reached on a date (or, with None, not reached after all)."""
    _require(by, Can.PLAN_MANAGE)
    if reached_on and reached_on > timezone.localdate():
        raise ValidationError({"reached_on": _("Un jalon ne peut être atteint dans le futur.")})
    if not _reach(milestone, reached_on):
        return milestone
    if reached_on:
        text = _("Jalon atteint : « %(title)s », le %(date)s.") % {
            "title": milestone.title,
            "date": _date(reached_on),
        }
    else:
        text = _("Jalon de nouveau à atteindre : « %(title)s ».") % {"title": milestone.title}
    _log(milestone.action, by=by, kind=ActionUpdate.Kind.MILESTONE, text=text)
    action_progress_recompute(action=milestone.action)
    return milestone


# -- indicators ---------------------------------------------------------------------------------


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
    _require(by, Can.PLAN_MANAGE)
    _check_indicator_data(data)
    last = Indicator.objects.filter(action=action).order_by("-position").first()
    indicator = Indicator.objects.create(
        action=action, position=(last.position + 1) if last else 0, **_indicator_fields(data)
    )
    _refresh_one(indicator)
    _log(
        action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur ajouté : « %(label)s » (cible %(target)s %(unit)s).")
        % {"label": indicator.label, "target": _number(indicator.target), "unit": indicator.unit},
    )
    action_progress_recompute(action=action)
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, data: IndicatorData) -> Indicator:
    """Change an indicator's definition (label, unit, baseline, target, source)."""
    _require(by, Can.PLAN_MANAGE)
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
    _log(
        indicator.action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur « %(label)s » redéfini : cible %(target)s, départ %(baseline)s.")
        % {
            "label": indicator.label,
            "target": _number(indicator.target),
            "baseline": _number(indicator.baseline),
        },
    )
    action_progress_recompute(action=indicator.action)
    return indicator


def _set_value(indicator: Indicator, value: Decimal) -> Decimal | None:
    """Store a typed value; return the previous one (unchanged: no write)."""
    previous = indicator.current_value
    indicator.current_value = value
    indicator.value_updated_at = timezone.now()
    indicator.save(update_fields=["current_value", "value_updated_at"])
    return previous


@transaction.atomic
def indicator_set(*, indicator: Indicator, by, value: Decimal) -> Indicator:
    """Type the current value of a manual indicator (computed ones follow the catalogue)."""
    _require(by, Can.PLAN_MANAGE)
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
    previous = _set_value(indicator, value)
    _log(
        indicator.action,
        by=by,
        kind=ActionUpdate.Kind.INDICATOR,
        text=_("Indicateur « %(label)s » : %(old)s → %(new)s %(unit)s.")
        % {
            "label": indicator.label,
            "old": _number(previous),
            "new": _number(value),
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
            _log(
                indicator.action,
                by=None,
                kind=ActionUpdate.Kind.INDICATOR,
                text=_("Indicateur calculé « %(label)s » : %(old)s → %(new)s %(unit)s.")
                % {
                    "label": indicator.label,
                    "old": _number(previous),
                    "new": _number(indicator.current_value),
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


# -- evidence -----------------------------------------------------------------------------------


def _link(action: Action, initiative: Initiative) -> bool:
    if action.initiatives.filter(pk=initiative.pk).exists():
        return False
    action.initiatives.add(initiative)
    return True


@transaction.atomic
def evidence_link(*, action: Action, initiative: Initiative, by) -> bool:
    """Link a published initiative to the action as evidence; False if it already was."""
    _require(by, Can.PLAN_MANAGE)
    if initiative.status != S.PUBLISHED:
        raise ValidationError(_("Seule une initiative publiée peut servir de preuve."))
    if not _link(action, initiative):
        return False
    _log(
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
    _require(by, Can.PLAN_MANAGE)
    if not action.initiatives.filter(pk=initiative.pk).exists():
        return False
    action.initiatives.remove(initiative)
    _log(
        action,
        by=by,
        kind=ActionUpdate.Kind.EVIDENCE,
        text=_("Initiative retirée des preuves : « %(title)s ».") % {"title": initiative.title},
    )
    indicators_refresh(actions=[action])
    action_progress_recompute(action=action)
    return True


# -- partner reports ----------------------------------------------------------------------------


def reporting_organisations(user, action: Action) -> list[Organisation]:
    """The lead partners of `action` the user may report for (staff of them)."""
    staff = actor_for(user).staff_organisation_ids
    return [org for org in action.lead_partners.all() if org.pk in staff]


@transaction.atomic
def partner_report_submit(
    *,
    action: Action,
    by,
    account: str,
    organisation: Organisation | None = None,
    milestone: Milestone | None = None,
    reached_on: datetime.date | None = None,
    indicator: Indicator | None = None,
    indicator_value: Decimal | None = None,
    initiatives: Iterable[Initiative] = (),
) -> PartnerReport:
    """A lead partner's report on an action it leads. It changes nothing in the plan until
    an official accepts it (`partner_report_accept`)."""
    _require(by, Can.PLAN_REPORT, action)
    allowed = reporting_organisations(by, action)
    if organisation is None:
        organisation = allowed[0] if allowed else None
    if organisation is None or organisation not in allowed:
        raise PermissionDenied(_("Votre association ne pilote pas cette action."))
    errors = {}
    account = (account or "").strip()
    if not account:
        errors["account"] = _("Racontez en quelques lignes où en est l'action.")
    elif len(account) > ACCOUNT_MAX_LENGTH:
        errors["account"] = _("Le compte rendu dépasse %(n)s caractères.") % {
            "n": ACCOUNT_MAX_LENGTH
        }
    if milestone is not None:
        if milestone.action_id != action.pk:
            errors["milestone"] = _("Ce jalon n'appartient pas à cette action.")
        elif milestone.reached_on:
            errors["milestone"] = _("Ce jalon est déjà atteint.")
        if reached_on is None:
            errors["reached_on"] = _("Indiquez la date à laquelle le jalon a été atteint.")
        elif reached_on > timezone.localdate():
            errors["reached_on"] = _("Un jalon ne peut être atteint dans le futur.")
    elif reached_on is not None:
        errors["milestone"] = _("Choisissez le jalon atteint à cette date.")
    if indicator is not None:
        if indicator.action_id != action.pk:
            errors["indicator"] = _("Cet indicateur n'appartient pas à cette action.")
        elif indicator.source != Indicator.Source.MANUAL:
            errors["indicator"] = _(
                "Cet indicateur est calculé à partir des initiatives publiées : il ne se "
                "déclare pas."
            )
        if indicator_value is None:
            errors["indicator_value"] = _("Indiquez la valeur atteinte.")
    elif indicator_value is not None:
        errors["indicator"] = _("Choisissez l'indicateur de cette valeur.")
    initiatives = list(initiatives)
    if any(item.status != S.PUBLISHED for item in initiatives):
        errors["initiatives"] = _("Seules des initiatives publiées peuvent servir de preuves.")
    if errors:
        raise ValidationError(errors)
    report = PartnerReport.objects.create(
        action=action,
        organisation=organisation,
        author=by,
        milestone=milestone,
        reached_on=reached_on if milestone else None,
        indicator=indicator,
        indicator_value=indicator_value if indicator else None,
        account=account,
    )
    report.initiatives.set(initiatives)
    event_record(
        kind=Events.REPORT_SUBMITTED,
        actor=by,
        organisation=organisation,
        target=report,
        data={"action": action.code},
    )
    secretariat = Membership.objects.filter(
        role=Membership.Role.SECRETARIAT, user__is_active=True
    ).values_list("user__email", flat=True)
    email_after_commit(
        to=list(secretariat),
        subject=_("Compte rendu de %(org)s sur l'action %(code)s")
        % {"org": organisation.acronym, "code": action.code},
        body=_(
            "%(org)s a transmis un compte rendu sur l'action %(code)s — %(title)s.\n"
            "Il est à examiner dans le pilotage du plan d'action."
        )
        % {"org": organisation.acronym, "code": action.code, "title": action.title},
    )
    return report


def _locked_submitted(report: PartnerReport) -> PartnerReport:
    current = PartnerReport.objects.select_for_update().get(pk=report.pk)
    if current.status != PartnerReport.Status.SUBMITTED:
        raise ValidationError(
            _("Ce compte rendu a déjà été examiné (%(status)s).")
            % {"status": current.get_status_display()}
        )
    return current


def _tell_author(report: PartnerReport, *, subject: str, body: str) -> None:
    if report.author_id and report.author.is_active:
        email_after_commit(to=[report.author.email], subject=subject, body=body)


@transaction.atomic
def partner_report_accept(*, report: PartnerReport, by, comment: str = "") -> PartnerReport:
    """Accept a report and apply it to the plan: the milestone reached, the indicator's
    value, the evidence; log it in the action's update log; recompute progress."""
    _require(by, Can.PLAN_VIEW_INTERNAL)
    current = _locked_submitted(report)
    action = current.action
    applied = []
    milestone = current.milestone
    if milestone is not None and not milestone.reached_on and current.reached_on:
        _reach(milestone, current.reached_on)
        applied.append(
            _("jalon « %(title)s » atteint le %(date)s")
            % {"title": milestone.title, "date": _date(current.reached_on)}
        )
    indicator = current.indicator
    if (
        indicator is not None
        and indicator.source == Indicator.Source.MANUAL
        and current.indicator_value is not None
    ):
        previous = _set_value(indicator, current.indicator_value)
        applied.append(
            _("indicateur « %(label)s » : %(old)s → %(new)s %(unit)s")
            % {
                "label": indicator.label,
                "old": _number(previous),
                "new": _number(current.indicator_value),
                "unit": indicator.unit,
            }
        )
    for initiative in current.initiatives.filter(status=S.PUBLISHED):
        if _link(action, initiative):
            applied.append(_("initiative liée « %(title)s »") % {"title": initiative.title})
    text = _("Compte rendu de %(org)s accepté") % {"org": current.organisation.acronym}
    if applied:
        text += " : " + "; ".join(applied)
    text += ".\n" + current.account
    _log(action, by=by, kind=ActionUpdate.Kind.REPORT, text=text)
    current.status = PartnerReport.Status.ACCEPTED
    current.reviewer = by
    current.reviewed_at = timezone.now()
    current.review_comment = (comment or "").strip()[:COMMENT_MAX_LENGTH]
    current.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment"])
    indicators_refresh(actions=[action])
    action_progress_recompute(action=action)
    event_record(
        kind=Events.REPORT_ACCEPTED,
        actor=by,
        organisation=current.organisation,
        target=current,
        data={"action": action.code, "applied": [str(item) for item in applied]},
    )
    _tell_author(
        current,
        subject=_("Votre compte rendu sur l'action %(code)s est accepté") % {"code": action.code},
        body=_("Le plan d'action public en tient compte désormais.")
        + (f"\n\n{current.review_comment}" if current.review_comment else ""),
    )
    report.__dict__.update(
        {k: getattr(current, k) for k in ("status", "reviewer_id", "reviewed_at", "review_comment")}
    )
    return current


@transaction.atomic
def partner_report_return(*, report: PartnerReport, by, comment: str) -> PartnerReport:
    """Send a report back with a comment saying why; the plan does not change."""
    _require(by, Can.PLAN_VIEW_INTERNAL)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Dites au partenaire pourquoi le compte rendu est renvoyé.")}
        )
    current = _locked_submitted(report)
    current.status = PartnerReport.Status.RETURNED
    current.reviewer = by
    current.reviewed_at = timezone.now()
    current.review_comment = comment[:COMMENT_MAX_LENGTH]
    current.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment"])
    event_record(
        kind=Events.REPORT_RETURNED,
        actor=by,
        organisation=current.organisation,
        target=current,
        data={"action": current.action.code, "comment": comment},
    )
    _tell_author(
        current,
        subject=_("Votre compte rendu sur l'action %(code)s vous est renvoyé")
        % {"code": current.action.code},
        body=current.review_comment,
    )
    report.__dict__.update(
        {k: getattr(current, k) for k in ("status", "reviewer_id", "reviewed_at", "review_comment")}
    )
    return current


# -- plan reviews -------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _decimal_text(value) -> str | None:
    return None if value is None else str(value)


def plan_snapshot() -> dict:
    """The whole plan as it stands, as JSON: what a review freezes (a fixed number of queries)."""
    from django.db.models import Prefetch

    actions = (
        Action.objects.select_related("axis")
        .prefetch_related(
            Prefetch("lead_partners", queryset=Organisation.objects.order_by("acronym")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("position", "pk")),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.filter(status=S.PUBLISHED)
                .select_related("lead_collectivity")
                .order_by("-published_at", "-pk"),
                to_attr="published_evidence",
            ),
        )
        .order_by("axis__number", "code")
    )
    return {
        "taken_at": timezone.now().isoformat(),
        "axes": [
            {"number": a.number, "title": a.title, "short_title": a.short_title}
            for a in Axis.objects.order_by("number")
        ],
        "actions": [
            {
                "id": action.pk,
                "code": action.code,
                "title": action.title,
                "objective": action.objective,
                "axis": action.axis.number,
                "lead_partners": [p.acronym for p in action.lead_partners.all()],
                "status": action.status,
                "progress": action.progress,
                "start_date": _iso(action.start_date),
                "due_date": _iso(action.due_date),
                "milestones": [
                    {
                        "id": m.pk,
                        "title": m.title,
                        "due_date": _iso(m.due_date),
                        "reached_on": _iso(m.reached_on),
                    }
                    for m in action.milestones.all()
                ],
                "indicators": [
                    {
                        "id": i.pk,
                        "label": i.label,
                        "unit": i.unit,
                        "baseline": _decimal_text(i.baseline),
                        "target": _decimal_text(i.target),
                        "current_value": _decimal_text(i.current_value),
                        "source": i.source,
                        "computation": i.computation,
                        "attainment": i.attainment_percent,
                    }
                    for i in action.indicators.all()
                ],
                "evidence": [
                    {
                        "id": e.pk,
                        "title": e.title,
                        "slug": e.slug,
                        "lead_collectivity": e.lead_collectivity.name,
                    }
                    for e in action.published_evidence
                ],
            }
            for action in actions
        ],
    }


@transaction.atomic
def plan_review_open(*, by, title: str, held_on: datetime.date) -> PlanReview:
    """Open a review: the plan is frozen as it stands now (after refreshing computed values)."""
    _require(by, Can.PLAN_MANAGE)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("L'intitulé de la revue est obligatoire.")
    if held_on is None:
        errors["held_on"] = _("La date de la revue est obligatoire.")
    if errors:
        raise ValidationError(errors)
    if PlanReview.objects.select_for_update().filter(status=PlanReview.Status.OPEN).exists():
        raise ValidationError(
            _("Une revue est déjà en cours : clôturez-la avant d'en ouvrir une autre.")
        )
    indicators_refresh()
    review = PlanReview.objects.create(
        title=title[:200], held_on=held_on, opened_by=by, snapshot=plan_snapshot()
    )
    event_record(kind=Events.REVIEW_OPENED, actor=by, target=review, data={"title": review.title})
    return review


@transaction.atomic
def assessment_set(
    *,
    review: PlanReview,
    action: Action,
    by,
    rating: str,
    comment: str = "",
    next_step: str = "",
) -> ActionAssessment:
    """Record (or change) the officials' assessment of an action in an open review."""
    _require(by, Can.PLAN_VIEW_INTERNAL)
    current = PlanReview.objects.select_for_update().get(pk=review.pk)
    if not current.is_open:
        raise ValidationError(_("Cette revue est close : ses appréciations ne changent plus."))
    if rating not in ActionAssessment.Rating.values:
        raise ValidationError({"rating": _("Choisissez une appréciation.")})
    frozen = {item["id"] for item in current.snapshot.get("actions", [])}
    if action.pk not in frozen:
        raise ValidationError(_("Cette action n'existait pas à l'ouverture de la revue."))
    assessment, _created = ActionAssessment.objects.update_or_create(
        review=current,
        action=action,
        defaults={
            "rating": rating,
            "comment": (comment or "").strip()[:COMMENT_MAX_LENGTH],
            "next_step": (next_step or "").strip()[:COMMENT_MAX_LENGTH],
            "assessed_by": by,
        },
    )
    return assessment


@transaction.atomic
def plan_review_close(*, review: PlanReview, by, summary: str) -> PlanReview:
    _require(by, Can.PLAN_MANAGE)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("La synthèse est obligatoire pour clore la revue.")})
    current = PlanReview.objects.select_for_update().get(pk=review.pk)
    if not current.is_open:
        raise ValidationError(_("Cette revue est déjà close."))
    current.status = PlanReview.Status.CLOSED
    current.summary = summary
    current.closed_by = by
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "summary", "closed_by", "closed_at"])
    event_record(kind=Events.REVIEW_CLOSED, actor=by, target=current, data={"title": current.title})
    review.__dict__.update(
        {k: getattr(current, k) for k in ("status", "summary", "closed_by_id", "closed_at")}
    )
    return current


# -- comparing two reviews ----------------------------------------------------------------------

MOVED = "moved"
SLIPPED = "slipped"
UNCHANGED = "unchanged"
ADDED = "added"
REMOVED = "removed"


@dataclass
class ActionComparison:
    code: str
    title: str
    axis: int
    before: dict | None
    after: dict | None
    rating_before: str = ""
    rating_after: str = ""
    progress_delta: int = 0
    status_changed: bool = False
    milestones_reached: list[str] = field(default_factory=list)
    milestones_newly_late: list[str] = field(default_factory=list)
    milestones_postponed: list[str] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    slips: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.before is None:
            return ADDED
        if self.after is None:
            return REMOVED
        if self.slips:
            return SLIPPED
        if self.moves:
            return MOVED
        return UNCHANGED

    @property
    def moved(self) -> bool:
        return bool(self.moves)

    @property
    def slipped(self) -> bool:
        return bool(self.slips)


@dataclass
class ReviewComparison:
    earlier: PlanReview
    later: PlanReview
    actions: list[ActionComparison]

    def count(self, verdict: str) -> int:
        return sum(1 for item in self.actions if item.verdict == verdict)

    @property
    def moved(self) -> list[ActionComparison]:
        return [item for item in self.actions if item.verdict == MOVED]

    @property
    def slipped(self) -> list[ActionComparison]:
        return [item for item in self.actions if item.verdict == SLIPPED]


STATUS_ORDER = {"planned": 0, "in_progress": 1, "done": 2}


def _late(milestone: dict, on: datetime.date) -> bool:
    due = datetime.date.fromisoformat(milestone["due_date"])
    return not milestone["reached_on"] and due < on


def _compare_action(before, after, *, on_before, on_after, ratings) -> ActionComparison:
    ref = after or before
    item = ActionComparison(
        code=ref["code"], title=ref["title"], axis=ref["axis"], before=before, after=after
    )
    item.rating_before, item.rating_after = ratings
    if before is None or after is None:
        return item
    item.progress_delta = after["progress"] - before["progress"]
    if item.progress_delta > 0:
        item.moves.append(_("avancement +%(n)s points") % {"n": item.progress_delta})
    elif item.progress_delta < 0:
        item.slips.append(_("avancement %(n)s points") % {"n": item.progress_delta})
    if after["status"] != before["status"]:
        item.status_changed = True
        label = _("statut : %(old)s → %(new)s") % {
            "old": Action.Status(before["status"]).label,
            "new": Action.Status(after["status"]).label,
        }
        if after["status"] == Action.Status.ABANDONED:
            item.slips.append(label)
        elif STATUS_ORDER.get(after["status"], 0) > STATUS_ORDER.get(before["status"], 0):
            item.moves.append(label)
        else:
            item.slips.append(label)
    old_milestones = {m["id"]: m for m in before["milestones"]}
    for milestone in after["milestones"]:
        old = old_milestones.get(milestone["id"])
        if milestone["reached_on"] and not (old and old["reached_on"]):
            item.milestones_reached.append(milestone["title"])
        if _late(milestone, on_after) and not (old and _late(old, on_before)):
            item.milestones_newly_late.append(milestone["title"])
        if old and milestone["due_date"] > old["due_date"] and not old["reached_on"]:
            item.milestones_postponed.append(milestone["title"])
    if item.milestones_reached:
        item.moves.append(
            _("jalons atteints : %(list)s") % {"list": ", ".join(item.milestones_reached)}
        )
    if item.milestones_newly_late:
        item.slips.append(
            _("nouveaux jalons en retard : %(list)s")
            % {"list": ", ".join(item.milestones_newly_late)}
        )
    if item.milestones_postponed:
        item.slips.append(
            _("jalons repoussés : %(list)s") % {"list": ", ".join(item.milestones_postponed)}
        )
    if before["due_date"] and after["due_date"] and after["due_date"] > before["due_date"]:
        item.slips.append(
            _("échéance repoussée : %(old)s → %(new)s")
            % {
                "old": _date(datetime.date.fromisoformat(before["due_date"])),
                "new": _date(datetime.date.fromisoformat(after["due_date"])),
            }
        )
    severity = ActionAssessment.SEVERITY
    if item.rating_before and item.rating_after:
        labels = dict(ActionAssessment.Rating.choices)
        text = _("appréciation : %(old)s → %(new)s") % {
            "old": labels[item.rating_before],
            "new": labels[item.rating_after],
        }
        if severity[item.rating_after] > severity[item.rating_before]:
            item.slips.append(text)
        elif severity[item.rating_after] < severity[item.rating_before]:
            item.moves.append(text)
    return item


def plan_reviews_compare(*, a: PlanReview, b: PlanReview) -> ReviewComparison:
    """Compare two reviews' frozen plans, the earlier first, action by action.

    An action *moved* when its progress went up, a milestone was reached, its status went
    forward or its rating improved; it *slipped* when its progress went down, a milestone
    became late (or was postponed), its due date was pushed back, it was abandoned or its
    rating got worse. Slipping wins when both happened: it is what a review must see.
    """
    earlier, later = sorted([a, b], key=lambda r: (r.held_on, r.pk))
    ratings = {
        (review_id, action_id): rating
        for review_id, action_id, rating in ActionAssessment.objects.filter(
            review__in=[earlier.pk, later.pk]
        ).values_list("review_id", "action_id", "rating")
    }
    before = {item["id"]: item for item in earlier.snapshot.get("actions", [])}
    after = {item["id"]: item for item in later.snapshot.get("actions", [])}
    ids = sorted(
        set(before) | set(after),
        key=lambda pk: (
            (after.get(pk) or before[pk])["axis"],
            (after.get(pk) or before[pk])["code"],
        ),
    )
    items = [
        _compare_action(
            before.get(pk),
            after.get(pk),
            on_before=earlier.held_on,
            on_after=later.held_on,
            ratings=(ratings.get((earlier.pk, pk), ""), ratings.get((later.pk, pk), "")),
        )
        for pk in ids
    ]
    return ReviewComparison(earlier=earlier, later=later, actions=items)


# -- policy contributions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionData:
    title: str
    summary: str
    body: str = ""
    slug: str = ""
    axes: list[Axis] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "contribution")[:240]
    slug, n = base, 2
    while Contribution.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_contribution(data: ContributionData, *, contribution=None) -> None:
    errors = {}
    if not data.title.strip():
        errors["title"] = _("Le titre est obligatoire.")
    if not data.summary.strip():
        errors["summary"] = _("Le résumé est obligatoire.")
    if data.slug and (
        Contribution.objects.filter(slug=data.slug)
        .exclude(pk=getattr(contribution, "pk", None))
        .exists()
    ):
        errors["slug"] = _("Cette adresse est déjà prise.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contribution_create(*, by, data: ContributionData) -> Contribution:
    """A new contribution, as a draft (published by `contribution_publish`)."""
    _require(by, Can.CONTRIBUTION_MANAGE)
    _check_contribution(data)
    contribution = Contribution.objects.create(
        title=data.title.strip()[:255],
        slug=data.slug or _unique_slug(data.title),
        summary=data.summary.strip(),
        body=data.body,
    )
    contribution.axes.set(data.axes)
    contribution.organisations.set(data.organisations)
    return contribution


@transaction.atomic
def contribution_update(*, contribution: Contribution, by, data: ContributionData) -> Contribution:
    _require(by, Can.CONTRIBUTION_MANAGE)
    _check_contribution(data, contribution=contribution)
    contribution.title = data.title.strip()[:255]
    contribution.summary = data.summary.strip()
    contribution.body = data.body
    if data.slug:
        contribution.slug = data.slug
    contribution.save()
    contribution.axes.set(data.axes)
    contribution.organisations.set(data.organisations)
    return contribution


@transaction.atomic
def contribution_publish(*, contribution: Contribution, by) -> Contribution:
    """Publish: the contribution and its documents become public."""
    _require(by, Can.CONTRIBUTION_MANAGE)
    current = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if current.status == Contribution.Status.PUBLISHED:
        return current
    current.status = Contribution.Status.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        kind=Events.CONTRIBUTION_PUBLISHED, actor=by, target=current, data={"slug": current.slug}
    )
    contribution.status, contribution.published_at = current.status, current.published_at
    return current


@transaction.atomic
def contribution_unpublish(*, contribution: Contribution, by) -> Contribution:
    """Back to draft: the page and its documents are no longer public."""
    _require(by, Can.CONTRIBUTION_MANAGE)
    current = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if current.status == Contribution.Status.DRAFT:
        return current
    current.status = Contribution.Status.DRAFT
    current.published_at = None
    current.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        kind=Events.CONTRIBUTION_UNPUBLISHED, actor=by, target=current, data={"slug": current.slug}
    )
    contribution.status, contribution.published_at = current.status, None
    return current


def contribution_document_add(
    *, contribution: Contribution, by, upload, title: str = ""
) -> ContributionDocument:
    """Attach a file after checking what it really is (initiatives.documents: by content,
    10 MB at most). Raises ValidationError and writes nothing when refused."""
    from initiatives.documents import validate_upload

    _require(by, Can.CONTRIBUTION_MANAGE)
    checked = validate_upload(upload)
    document = ContributionDocument(
        contribution=contribution,
        title=((title or "").strip() or checked.original_name.rsplit(".", 1)[0])[:200],
        original_name=checked.original_name,
        content_type=checked.kind.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    document.file.save("document", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def contribution_document_delete(*, document: ContributionDocument, by) -> None:
    _require(by, Can.CONTRIBUTION_MANAGE)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
