"""Reads on sessions: what a user may see, replies, the quorum, the calendars."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from committee.sessions.models import (
    Attendance,
    Body,
    Minutes,
    Reply,
    Representative,
    Session,
)
from members.permissions import actor_for


def sessions_visible_to(user) -> QuerySet[Session]:
    """Public sessions once convened; closed ones to the body's representatives; drafts and
    everything to the secretariat (the rule of members.permissions SESSION_VIEW)."""
    sessions = Session.objects.select_related("body", "body__axis")
    actor = actor_for(user)
    if actor.is_secretariat:
        return sessions
    visible = Q(is_public=True) & ~Q(status=Session.Status.DRAFT)
    if actor.is_authenticated:
        bodies = Representative.objects.filter(user_id=actor.user_id).values("body_id")
        visible |= Q(body_id__in=bodies) & ~Q(status=Session.Status.DRAFT)
    return sessions.filter(visible)


def bodies_overview() -> list[Body]:
    """The active bodies, each with `organisation_count` (organisations represented) and
    `quorum_percent` (its quorum as a whole percentage)."""
    bodies = list(
        Body.objects.filter(is_active=True)
        .select_related("axis")
        .annotate(
            organisation_count=Count("representatives__organisation", distinct=True),
        )
    )
    for body in bodies:
        body.quorum_percent = int((body.quorum_share * 100).to_integral_value())
    return bodies


def public_sessions() -> QuerySet[Session]:
    return Session.objects.select_related("body").filter(
        is_public=True, status__in=[Session.Status.CONVENED, Session.Status.CANCELLED]
    )


def sessions_of(user) -> QuerySet[Session]:
    """The sessions of a person's bodies (their calendar), drafts excluded."""
    bodies = Representative.objects.filter(user=user).values("body_id")
    return (
        Session.objects.select_related("body")
        .filter(body_id__in=bodies)
        .exclude(status=Session.Status.DRAFT)
    )


def upcoming_and_past(queryset: QuerySet[Session]) -> tuple[list[Session], list[Session]]:
    now = timezone.now()
    upcoming = list(queryset.filter(ends_at__gte=now).order_by("starts_at"))
    past = list(
        queryset.filter(ends_at__lt=now)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("minutes")
        .order_by("-starts_at")
    )
    return upcoming, past


@dataclass(frozen=True)
class Quorum:
    """Member organisations present or represented, against the body's rule."""

    members: int
    present: int
    required: int
    share: float
    recorded: bool  # from the attendance taken (True) or the replies received (False)

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.required


def quorum(session: Session) -> Quorum:
    members = set(
        Representative.objects.filter(body_id=session.body_id).values_list(
            "organisation_id", flat=True
        )
    )
    attendances = Attendance.objects.filter(session=session)
    recorded = attendances.exists()
    if recorded:
        present = set(
            attendances.filter(
                status__in=[Attendance.Status.PRESENT, Attendance.Status.REPRESENTED]
            ).values_list("organisation_id", flat=True)
        )
    else:
        present = set(
            Reply.objects.filter(
                session=session, answer__in=[Reply.Answer.PRESENT, Reply.Answer.REPRESENTED]
            ).values_list("organisation_id", flat=True)
        )
    share = float(session.body.quorum_share)
    required = math.ceil(len(members) * share) if members else 0
    return Quorum(
        members=len(members),
        present=len(present & members),
        required=max(required, 1) if members else 0,
        share=share,
        recorded=recorded,
    )


def replies_by_person(session: Session) -> list[dict]:
    """Each representative with their answer (None when not yet answered)."""
    replies = {r.user_id: r for r in Reply.objects.filter(session=session).select_related("proxy")}
    attended = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    rows = []
    for representative in Representative.objects.filter(body_id=session.body_id).select_related(
        "user", "organisation"
    ):
        rows.append(
            {
                "representative": representative,
                "reply": replies.get(representative.user_id),
                "attendance": attended.get(representative.user_id),
            }
        )
    return rows


def public_minutes_entries(minutes: Minutes, *, include_closed: bool) -> list[dict]:
    """Items with their text and decisions; closed items only for those who may see them."""
    entries = {e.agenda_item_id: e.text for e in minutes.entries.all()}
    rows = []
    for item in minutes.session.agenda_items.prefetch_related("decisions").order_by("position"):
        if item.is_closed and not include_closed:
            continue
        rows.append(
            {
                "item": item,
                "text": entries.get(item.pk, ""),
                "decisions": list(item.decisions.all()),
            }
        )
    return rows
