"""Plan reviews: a frozen snapshot of the plan, an assessment per action, and the comparison
of two reviews."""

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
    ActionAssessment,
    Indicator,
    Milestone,
    PlanReview,
)
from committee.plan.notifications import Kinds
from committee.plan.services.base import COMMENT_MAX_LENGTH, date_text
from committee.plan.services.indicators import indicators_refresh
from initiatives.models import Initiative
from initiatives.models import Status as S
from members.models import Organisation
from members.permissions import Perm, require
from members.services import event_record


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
    require(by, Perm.PLAN_MANAGE)
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
    event_record(kind=Kinds.REVIEW_OPENED, actor=by, target=review, data={"title": review.title})
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
    require(by, Perm.PLAN_VIEW_INTERNAL)
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
    require(by, Perm.PLAN_MANAGE)
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
    event_record(kind=Kinds.REVIEW_CLOSED, actor=by, target=current, data={"title": current.title})
    review.__dict__.update(
        {k: getattr(current, k) for k in ("status", "summary", "closed_by_id", "closed_at")}
    )
    return current


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
                "old": date_text(datetime.date.fromisoformat(before["due_date"])),
                "new": date_text(datetime.date.fromisoformat(after["due_date"])),
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
