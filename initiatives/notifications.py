"""The kinds of notification of initiatives: what they say and who hears of them;
registered in InitiativesConfig.ready() (members.notifications.registry).

- submitted → the association's admins (link to the workspace) and every official,
  reviewers and secretariat (link to the review);
- assigned → the assignee;
- changes requested, published, rejected, unpublished → the initiative's author and the
  admins of its association;
- a message in the private thread → the other side: from the association, the assignee (or
  every official while nobody is assigned); from the ministry, the author and the admins.

Nobody hears of their own act, and inactive accounts hear of nothing
(members.notifications.outbox). Taking into review, archiving and edits are recorded, not
notified.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from initiatives.models import Comment
from members.models import Event, Membership, User
from members.notifications.registry import (
    ASSOCIATION,
    MINISTRY,
    Recipient,
    event_target,
    register_kind,
    register_recorded,
)
from members.permissions import officials


class Kinds:
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    REVIEW_STARTED = "review_started"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    UNPUBLISHED = "unpublished"
    ARCHIVED = "archived"
    EDITED = "edited"
    COMMENTED = "commented"


DECISIONS = (Kinds.CHANGES_REQUESTED, Kinds.PUBLISHED, Kinds.REJECTED, Kinds.UNPUBLISHED)


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


_INITIATIVE_ASSOCIATION = _("L'auteur de l'initiative et les administrateurs de son association")


def register() -> None:
    register_kind(
        Kinds.SUBMITTED,
        label=_("Initiative soumise à l'instruction"),
        subject=_("Initiative soumise à l'instruction : %(title)s"),
        summary=_("%(actor)s a soumis « %(title)s » (%(organisation)s) à l'instruction."),
        audience=_("Les administrateurs de l'association et les agents du ministère"),
        bundle_subject=_("%(count)s initiatives soumises à l'instruction"),
        recipients=submitted,
    )
    register_kind(
        Kinds.ASSIGNED,
        sides=(MINISTRY,),
        label=_("Initiative à instruire"),
        subject=_("Initiative à instruire : %(title)s"),
        summary=_("%(actor)s vous a confié l'instruction de « %(title)s » (%(organisation)s)."),
        audience=_("L'agent du ministère à qui l'initiative est confiée"),
        bundle_subject=ngettext_lazy(
            "%(count)s initiative à instruire", "%(count)s initiatives à instruire", "count"
        ),
        recipients=assigned,
    )
    register_kind(
        Kinds.CHANGES_REQUESTED,
        sides=(ASSOCIATION,),
        label=_("Modifications demandées"),
        subject=_("Modifications demandées : %(title)s"),
        summary=_("Le ministère demande des modifications de « %(title)s »."),
        audience=_INITIATIVE_ASSOCIATION,
        recipients=decided,
    )
    register_kind(
        Kinds.PUBLISHED,
        sides=(ASSOCIATION,),
        label=_("Initiative publiée"),
        subject=_("Initiative publiée : %(title)s"),
        summary=_("« %(title)s » est publiée dans le catalogue du comité."),
        audience=_INITIATIVE_ASSOCIATION,
        recipients=decided,
    )
    register_kind(
        Kinds.REJECTED,
        sides=(ASSOCIATION,),
        label=_("Initiative refusée"),
        subject=_("Initiative refusée : %(title)s"),
        summary=_("Le ministère a refusé de publier « %(title)s »."),
        audience=_INITIATIVE_ASSOCIATION,
        recipients=decided,
    )
    register_kind(
        Kinds.UNPUBLISHED,
        sides=(ASSOCIATION,),
        label=_("Initiative dépubliée pour réexamen"),
        subject=_("Initiative dépubliée pour réexamen : %(title)s"),
        summary=_("« %(title)s » est retirée du catalogue le temps d'un nouvel examen."),
        audience=_INITIATIVE_ASSOCIATION,
        recipients=decided,
    )
    register_kind(
        Kinds.COMMENTED,
        label=_("Nouveau message dans une discussion"),
        subject=_("Nouveau message : %(title)s"),
        summary=_("%(actor)s a écrit dans la discussion de « %(title)s »."),
        audience=_("L'autre partie de la discussion privée d'une initiative"),
        bundle_subject=_("%(count)s nouveaux messages"),
        recipients=commented,
    )
    register_recorded(Kinds.REVIEW_STARTED, label=_("Instruction commencée"))
    register_recorded(Kinds.ARCHIVED, label=_("Initiative archivée"))
    register_recorded(Kinds.EDITED, label=_("Initiative modifiée"))
