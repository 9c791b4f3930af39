"""Writes on initiatives. Every state change goes through `initiative_transition`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.permissions import can

from .models import Initiative, StatusChange
from .models import Status as S
from .workflow import TRANSITIONS, TransitionConflict, TransitionError


@transaction.atomic
def initiative_transition(
    *, initiative: Initiative, name: str, by, comment: str = ""
) -> StatusChange:
    """Move `initiative` along transition `name`, or raise and change nothing.

    The move is a conditional UPDATE on the status read by the caller: of two officials
    deciding at once, one wins and the other gets `TransitionConflict`.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError(_("Action inconnue."))
    if not can(by, transition.action, initiative):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))
    if initiative.status not in transition.sources:
        raise TransitionError(
            _("Impossible de « %(action)s » une initiative au statut « %(status)s ».")
            % {"action": transition.label.lower(), "status": initiative.get_status_display()}
        )
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise TransitionError(_("Un commentaire est obligatoire pour cette décision."))

    now = timezone.now()
    changes = {"status": transition.target, "status_changed_at": now, "updated_at": now}
    if transition.target == S.SUBMITTED:
        changes["submitted_at"] = now
    if transition.target == S.PUBLISHED:
        changes["published_at"] = now
    updated = Initiative.objects.filter(pk=initiative.pk, status=initiative.status).update(
        **changes
    )
    if updated != 1:
        raise TransitionConflict(
            _(
                "Cette initiative vient d'être modifiée par quelqu'un d'autre : "
                "rechargez la page pour voir son nouvel état."
            )
        )
    change = StatusChange.objects.create(
        initiative=initiative,
        from_status=initiative.status,
        to_status=transition.target,
        by=by,
        comment=comment,
    )
    for field, value in changes.items():
        setattr(initiative, field, value)
    if S.PUBLISHED in (change.from_status, change.to_status):
        from .selectors import catalogue_changed

        transaction.on_commit(catalogue_changed)
    return change


def initiative_submit(*, initiative: Initiative, by) -> StatusChange:
    return initiative_transition(initiative=initiative, name="submit", by=by)


def initiative_publish(*, initiative: Initiative, by, comment: str = "") -> StatusChange:
    return initiative_transition(initiative=initiative, name="publish", by=by, comment=comment)


def initiative_request_changes(*, initiative: Initiative, by, comment: str) -> StatusChange:
    return initiative_transition(
        initiative=initiative, name="request_changes", by=by, comment=comment
    )


def initiative_reject(*, initiative: Initiative, by, comment: str) -> StatusChange:
    return initiative_transition(initiative=initiative, name="reject", by=by, comment=comment)
