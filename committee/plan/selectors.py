"""Reads of the action plan's internal pages, partner reports and plan reviews.

Every list is built with a fixed number of queries (prefetches, no per-row query). The
public page reads the plan from committee.plan.selectors.action_plan: since only services write
the plan, and a partner's report writes nothing until it is accepted, the public plan shows
accepted data only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from committee.axes import Axis
from committee.plan import computations
from committee.plan.models import (
    Action,
    ActionAssessment,
    ActionUpdate,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)
from initiatives.models import Initiative
from initiatives.models import Status as S
from initiatives.selectors import published_initiatives
from members.models import Organisation
from members.permissions import association_scope

UPDATES_SHOWN = 50


REPORTS_SHOWN = 100


def milestone_state(milestone, today: datetime.date) -> str:
    """reached, late (due date passed, not reached) or upcoming: as on the public page."""
    if milestone.reached_on:
        return "reached"
    return "late" if milestone.due_date < today else "upcoming"


def _ordered_partners():
    return Prefetch("lead_partners", queryset=Organisation.objects.order_by("acronym"))


def _ordered_milestones():
    return Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date", "pk"))


def _ordered_indicators():
    return Prefetch(
        "indicators",
        queryset=Indicator.objects.select_related("computation_axis").order_by("position", "pk"),
    )


def _decorate(action: Action, today: datetime.date) -> Action:
    action.milestone_list = list(action.milestones.all())
    for milestone in action.milestone_list:
        milestone.state = milestone_state(milestone, today)
    action.late_milestones = sum(m.state == "late" for m in action.milestone_list)
    action.indicator_list = list(action.indicators.all())
    for indicator in action.indicator_list:
        indicator.computation_label = computations.describe(indicator)
    return action


def internal_plan() -> list[Axis]:
    """Axes → every action with partners, milestones, indicators, waiting reports (5 queries)."""
    today = timezone.localdate()
    actions = (
        Action.objects.annotate(
            pending_reports=Count(
                "partner_reports",
                filter=Q(partner_reports__status=PartnerReport.Status.SUBMITTED),
            ),
        )
        .prefetch_related(_ordered_partners(), _ordered_milestones(), _ordered_indicators())
        .order_by("code")
    )
    axes = list(Axis.objects.prefetch_related(Prefetch("actions", queryset=actions)))
    for axis in axes:
        axis.action_list = [_decorate(action, today) for action in axis.actions.all()]
    return axes


def action_page(pk: int) -> Action:
    """One action with everything its management page shows (constant queries)."""
    today = timezone.localdate()
    action = (
        Action.objects.select_related("axis")
        .prefetch_related(
            _ordered_partners(),
            _ordered_milestones(),
            _ordered_indicators(),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.select_related("lead_collectivity").order_by(
                    "-published_at", "-pk"
                ),
                to_attr="evidence",
            ),
            Prefetch(
                "updates",
                queryset=ActionUpdate.objects.select_related("author").order_by(
                    "-created_at", "-pk"
                ),
                to_attr="all_updates",
            ),
            Prefetch(
                "partner_reports",
                queryset=PartnerReport.objects.select_related("organisation", "author").order_by(
                    "-submitted_at", "-pk"
                ),
                to_attr="report_list",
            ),
        )
        .get(pk=pk)
    )
    action.update_list = action.all_updates[:UPDATES_SHOWN]
    return _decorate(action, today)


def actions_led_by(user):
    """The actions the user's associations lead (the partner's reporting page)."""
    today = timezone.localdate()
    led = association_scope(user, Action.lead_partners.through.objects.all())
    actions = (
        Action.objects.filter(pk__in=led.values("action_id"))
        .select_related("axis")
        .prefetch_related(_ordered_partners(), _ordered_milestones(), _ordered_indicators())
        .order_by("axis__number", "code")
    )
    return [_decorate(action, today) for action in actions]


def _reports():
    return (
        PartnerReport.objects.select_related(
            "action", "organisation", "author", "reviewer", "milestone", "indicator"
        )
        .prefetch_related(
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.only("title", "slug", "status").order_by("title"),
            )
        )
        .order_by("-submitted_at", "-pk")
    )


def reports_inbox(status: str | None = PartnerReport.Status.SUBMITTED):
    """Reports for the officials, waiting ones by default (oldest first)."""
    reports = _reports()
    if status:
        reports = reports.filter(status=status)
    if status == PartnerReport.Status.SUBMITTED:
        reports = reports.order_by("submitted_at", "pk")
    return reports[:REPORTS_SHOWN]


def report_counts() -> dict[str, int]:
    rows = PartnerReport.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts = {value: 0 for value in PartnerReport.Status.values}
    counts.update(dict(rows))
    return counts


def reports_of_partner(user):
    """The reports of the user's associations, newest first."""
    return association_scope(user, _reports())[:REPORTS_SHOWN]


def report_for_partner(user, pk: int) -> PartnerReport | None:
    """One report of the user's associations (None for anyone else's: a 404)."""
    return association_scope(user, _reports()).filter(pk=pk).first()


def report_for_official(pk: int) -> PartnerReport:
    return _reports().get(pk=pk)


@dataclass
class ReviewRow:
    """One action of a review: as frozen, with the assessment (if any)."""

    frozen: dict
    assessment: ActionAssessment | None
    late_milestones: int


def _late_count(frozen: dict, on: datetime.date) -> int:
    return sum(
        1
        for m in frozen["milestones"]
        if not m["reached_on"] and datetime.date.fromisoformat(m["due_date"]) < on
    )


def review_rows(review: PlanReview) -> list[ReviewRow]:
    """The review's frozen actions, by axis and code, with their assessments (one query)."""
    assessments = {
        a.action_id: a
        for a in ActionAssessment.objects.filter(review=review).select_related("assessed_by")
    }
    return [
        ReviewRow(
            frozen=item,
            assessment=assessments.get(item["id"]),
            late_milestones=_late_count(item, review.held_on),
        )
        for item in review.snapshot.get("actions", [])
    ]


def reviews():
    return PlanReview.objects.annotate(assessed=Count("assessments")).order_by("-held_on", "-pk")


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def plan_snapshot_for_report(review: PlanReview) -> dict:
    """The action-plan report's context built from a review's frozen plan.

    The same shape as committee.reports.builders.action_plan_context(): `axes` (each with
    `action_list`, `average_progress`), actions with `lead_partners.all`, `milestone_list`
    (with `state`), `evidence`, `get_status_display`; plus `review` (title, date, summary,
    status, assessments) and, per action, `assessment` and `indicator_list`. Lateness is
    judged on the review's date. Two queries.
    """
    held_on = review.held_on
    assessments = {
        a.action_id: a for a in ActionAssessment.objects.filter(review=review).order_by("pk")
    }
    status_labels = dict(Action.Status.choices)
    axes = {
        item["number"]: SimpleNamespace(
            number=item["number"],
            title=item["title"],
            short_title=item["short_title"],
            action_list=[],
            average_progress=None,
        )
        for item in review.snapshot.get("axes", [])
    }
    late_actions, late_milestones = [], []
    by_status = {value: 0 for value in Action.Status.values}
    for frozen in review.snapshot.get("actions", []):
        milestones = []
        for m in frozen["milestones"]:
            milestone = SimpleNamespace(
                title=m["title"], due_date=_date(m["due_date"]), reached_on=_date(m["reached_on"])
            )
            milestone.state = milestone_state(milestone, held_on)
            milestones.append(milestone)
            if milestone.state == "late":
                late_milestones.append(
                    {
                        "action_code": frozen["code"],
                        "action_title": frozen["title"],
                        "title": milestone.title,
                        "due_date": milestone.due_date,
                        "days_late": (held_on - milestone.due_date).days,
                    }
                )
        assessment = assessments.get(frozen["id"])
        action = SimpleNamespace(
            pk=frozen["id"],
            code=frozen["code"],
            title=frozen["title"],
            objective=frozen["objective"],
            status=frozen["status"],
            get_status_display=str(status_labels.get(frozen["status"], frozen["status"])),
            progress=frozen["progress"],
            start_date=_date(frozen["start_date"]),
            due_date=_date(frozen["due_date"]),
            lead_partners=SimpleNamespace(
                all=[SimpleNamespace(acronym=acronym) for acronym in frozen["lead_partners"]]
            ),
            milestone_list=milestones,
            late_milestones=sum(m.state == "late" for m in milestones),
            indicator_list=[
                SimpleNamespace(
                    **{
                        **i,
                        "baseline": Decimal(i["baseline"]) if i["baseline"] else None,
                        "target": Decimal(i["target"]) if i["target"] else None,
                        "current_value": Decimal(i["current_value"])
                        if i["current_value"]
                        else None,
                    }
                )
                for i in frozen["indicators"]
            ],
            evidence=[
                SimpleNamespace(
                    title=e["title"],
                    slug=e["slug"],
                    lead_collectivity=SimpleNamespace(name=e["lead_collectivity"]),
                )
                for e in frozen["evidence"]
            ],
            assessment=(
                SimpleNamespace(
                    rating=assessment.rating,
                    rating_label=str(assessment.get_rating_display()),
                    comment=assessment.comment,
                    next_step=assessment.next_step,
                )
                if assessment
                else None
            ),
        )
        by_status[action.status] = by_status.get(action.status, 0) + 1
        unfinished = action.status not in (Action.Status.DONE, Action.Status.ABANDONED)
        if unfinished and action.due_date and action.due_date < held_on:
            late_actions.append(
                {
                    "code": action.code,
                    "title": action.title,
                    "axis": frozen["axis"],
                    "status": action.get_status_display,
                    "due_date": action.due_date,
                    "days_late": (held_on - action.due_date).days,
                }
            )
        axis = axes.get(frozen["axis"])
        if axis is None:
            axis = axes[frozen["axis"]] = SimpleNamespace(
                number=frozen["axis"], title="", short_title="", action_list=[]
            )
        axis.action_list.append(action)
    for axis in axes.values():
        progress = [a.progress for a in axis.action_list if a.status != Action.Status.ABANDONED]
        axis.average_progress = round(sum(progress) / len(progress)) if progress else None
    late_actions.sort(key=lambda row: (row["due_date"], row["code"]))
    late_milestones.sort(key=lambda row: (row["due_date"], row["action_code"]))
    action_count = sum(len(axis.action_list) for axis in axes.values())
    return {
        "axes": sorted(axes.values(), key=lambda axis: axis.number),
        "review": SimpleNamespace(
            pk=review.pk,
            title=review.title,
            date=review.held_on,
            summary=review.summary,
            status=review.status,
            assessments=list(assessments.values()),
        ),
        "action_count": action_count,
        "status_counts": [(label, by_status[value]) for value, label in Action.Status.choices],
        "late_actions": {"count": len(late_actions), "rows": late_actions},
        "late_milestones": {"count": len(late_milestones), "rows": late_milestones},
    }


def published_evidence_choices(action: Action, query: str, *, limit: int = 20):
    """Published initiatives matching a title (for linking evidence), not yet linked."""
    query = " ".join((query or "").split())[:100]
    if not query:
        return []
    return list(
        Initiative.objects.filter(status=S.PUBLISHED, title__icontains=query)
        .exclude(pk__in=action.initiatives.values("pk"))
        .select_related("lead_collectivity")
        .order_by("title")[:limit]
    )


def action_plan() -> list[Axis]:
    """Axes → actions with lead partners, milestones, indicators and published evidence:
    six queries."""
    from committee.plan.models import Indicator

    evidence = (
        published_initiatives()
        .select_related("lead_collectivity")
        .only("title", "slug", "published_at", "lead_collectivity__name")
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
    )
    actions = Action.objects.prefetch_related(
        Prefetch("lead_partners", queryset=Organisation.objects.order_by("acronym")),
        Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("position", "pk")),
        Prefetch("initiatives", queryset=evidence, to_attr="evidence"),
    ).order_by("code")
    axes = list(Axis.objects.prefetch_related(Prefetch("actions", queryset=actions)))
    today = timezone.localdate()
    for axis in axes:
        axis.action_list = list(axis.actions.all())
        for action in axis.action_list:
            action.milestone_list = list(action.milestones.all())
            for milestone in action.milestone_list:
                milestone.state = milestone_state(milestone, today)
            action.late_milestones = sum(m.state == "late" for m in action.milestone_list)
        progress = [a.progress for a in axis.action_list if a.status != Action.Status.ABANDONED]
        axis.average_progress = round(sum(progress) / len(progress)) if progress else None
    return axes
