"""Partner reports: the staff of a lead partner report; an official accepts (the plan changes)
or sends the report back (nothing changes). Each step is an event whose notifications (the
secretariat, then the author) are declared in committee.plan.notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.plan.models import (
    Action,
    ActionUpdate,
    Indicator,
    Milestone,
    PartnerReport,
)
from committee.plan.notifications import Kinds
from committee.plan.services.actions import link_evidence, mark_reached
from committee.plan.services.base import (
    ACCOUNT_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    date_text,
    log_update,
    number_text,
)
from committee.plan.services.indicators import indicators_refresh, store_value
from committee.plan.services.progress import action_progress_recompute
from initiatives.models import Initiative
from initiatives.models import Status as S
from members.models import Organisation
from members.permissions import Perm, actor_for, require
from members.services import event_record


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
    require(by, Perm.PLAN_REPORT, action)
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
    event_record(  # the secretariat is told (committee.plan.notifications)
        kind=Kinds.REPORT_SUBMITTED,
        actor=by,
        organisation=organisation,
        target=report,
        data={"action": action.code},
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


@transaction.atomic
def partner_report_accept(*, report: PartnerReport, by, comment: str = "") -> PartnerReport:
    """Accept a report and apply it to the plan: the milestone reached, the indicator's
    value, the evidence; log it in the action's update log; recompute progress."""
    require(by, Perm.PLAN_VIEW_INTERNAL)
    current = _locked_submitted(report)
    action = current.action
    applied = []
    milestone = current.milestone
    if milestone is not None and not milestone.reached_on and current.reached_on:
        mark_reached(milestone, current.reached_on)
        applied.append(
            _("jalon « %(title)s » atteint le %(date)s")
            % {"title": milestone.title, "date": date_text(current.reached_on)}
        )
    indicator = current.indicator
    if (
        indicator is not None
        and indicator.source == Indicator.Source.MANUAL
        and current.indicator_value is not None
    ):
        previous = store_value(indicator, current.indicator_value)
        applied.append(
            _("indicateur « %(label)s » : %(old)s → %(new)s %(unit)s")
            % {
                "label": indicator.label,
                "old": number_text(previous),
                "new": number_text(current.indicator_value),
                "unit": indicator.unit,
            }
        )
    for initiative in current.initiatives.filter(status=S.PUBLISHED):
        if link_evidence(action, initiative):
            applied.append(_("initiative liée « %(title)s »") % {"title": initiative.title})
    text = _("Compte rendu de %(org)s accepté") % {"org": current.organisation.acronym}
    if applied:
        text += " : " + "; ".join(applied)
    text += ".\n" + current.account
    log_update(action, by=by, kind=ActionUpdate.Kind.REPORT, text=text)
    current.status = PartnerReport.Status.ACCEPTED
    current.reviewer = by
    current.reviewed_at = timezone.now()
    current.review_comment = (comment or "").strip()[:COMMENT_MAX_LENGTH]
    current.save(update_fields=["status", "reviewer", "reviewed_at", "review_comment"])
    indicators_refresh(actions=[action])
    action_progress_recompute(action=action)
    event_record(  # the author is told (committee.plan.notifications)
        kind=Kinds.REPORT_ACCEPTED,
        actor=by,
        organisation=current.organisation,
        target=current,
        data={"action": action.code, "applied": [str(item) for item in applied]},
    )
    report.__dict__.update(
        {k: getattr(current, k) for k in ("status", "reviewer_id", "reviewed_at", "review_comment")}
    )
    return current


@transaction.atomic
def partner_report_return(*, report: PartnerReport, by, comment: str) -> PartnerReport:
    """Send a report back with a comment saying why; the plan does not change."""
    require(by, Perm.PLAN_VIEW_INTERNAL)
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
    event_record(  # the author is told, with the comment (committee.plan.notifications)
        kind=Kinds.REPORT_RETURNED,
        actor=by,
        organisation=current.organisation,
        target=current,
        data={"action": current.action.code, "comment": comment},
    )
    report.__dict__.update(
        {k: getattr(current, k) for k in ("status", "reviewer_id", "reviewed_at", "review_comment")}
    )
    return current
