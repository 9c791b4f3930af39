"""Who hears of what happens to an initiative; registered in InitiativesConfig.ready().

- submitted → the association's admins (link to the workspace) and every official,
  reviewers and secretariat (link to the review);
- assigned → the assignee;
- changes requested, published, rejected, unpublished → the initiative's author and the
  admins of its association;
- a message in the private thread → the other side: from the association, the assignee (or
  every official while nobody is assigned); from the ministry, the author and the admins.

Nobody hears of their own act, and inactive accounts hear of nothing (members.notifications).
Taking into review, archiving and edits are recorded, not notified.
"""

from __future__ import annotations

from django.urls import reverse

from members.models import Event, Membership, User
from members.notifications import Recipient, event_target, register_rule
from members.permissions import officials

DECISIONS = (
    Event.Kind.CHANGES_REQUESTED,
    Event.Kind.PUBLISHED,
    Event.Kind.REJECTED,
    Event.Kind.UNPUBLISHED,
)


def workspace_path(initiative) -> str:
    return reverse("workspace:initiative_detail", kwargs={"pk": initiative.pk})


def review_path(initiative) -> str:
    return reverse("review:detail", kwargs={"pk": initiative.pk})


def association_admins(initiative):
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=initiative.lead_organisation_id,
        memberships__role=Membership.Role.ADMIN,
    ).order_by("pk")


def _data(event: Event, initiative) -> dict:
    return {
        "title": initiative.title,
        "organisation": initiative.lead_organisation.acronym,
        "initiative": initiative.pk,
        "comment": (event.data or {}).get("comment", ""),
    }


def _association(initiative, data) -> list[Recipient]:
    """The author, then the association's admins, on the association's side."""
    people = []
    if initiative.created_by_id is not None:
        people.append(initiative.created_by)
    people += list(association_admins(initiative))
    path = workspace_path(initiative)
    return [Recipient(user=user, path=path, data=data) for user in people]


def _ministry(users, initiative, data) -> list[Recipient]:
    path = review_path(initiative)
    return [Recipient(user=user, path=path, data=data) for user in users]


def submitted(event: Event) -> list[Recipient]:
    initiative = event_target(event)
    if initiative is None:
        return []
    data = _data(event, initiative)
    admins = [
        Recipient(user=user, path=workspace_path(initiative), data=data)
        for user in association_admins(initiative)
    ]
    return admins + _ministry(officials().order_by("pk"), initiative, data)


def assigned(event: Event) -> list[Recipient]:
    initiative = event_target(event)
    assignee_id = (event.data or {}).get("assignee")
    if initiative is None or assignee_id is None:
        return []
    assignee = User.objects.filter(pk=assignee_id).first()
    return _ministry([assignee] if assignee else [], initiative, _data(event, initiative))


def decided(event: Event) -> list[Recipient]:
    initiative = event_target(event)
    if initiative is None:
        return []
    return _association(initiative, _data(event, initiative))


def commented(event: Event) -> list[Recipient]:
    from initiatives.models import Comment

    initiative = event_target(event)
    if initiative is None:
        return []
    data = _data(event, initiative)
    comment = Comment.objects.filter(pk=(event.data or {}).get("comment")).first()
    data["comment"] = comment.body if comment is not None else ""
    if (event.data or {}).get("side") == "association":
        assignee = initiative.assignee
        if assignee is not None and assignee.is_active:
            return _ministry([assignee], initiative, data)
        return _ministry(officials().order_by("pk"), initiative, data)
    return _association(initiative, data)


def register() -> None:
    register_rule(Event.Kind.SUBMITTED, submitted)
    register_rule(Event.Kind.ASSIGNED, assigned)
    for kind in DECISIONS:
        register_rule(kind, decided)
    register_rule(Event.Kind.COMMENTED, commented)
