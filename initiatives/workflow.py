"""The initiative lifecycle: named transitions, each allowed from named states only.

draft ──submit──▶ submitted ──start_review──▶ in_review
  ▲                  │  │                       │
  │     changes_requested ◀──request_changes────┤ (also from submitted)
  │          │ submit                            ├──publish──▶ published ──archive──▶ archived
  └──────────┘                                   └──reject───▶ rejected  ──archive──┘
published ──unpublish──▶ in_review (a published initiative changes only through review)
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from initiatives.models import Status
from members.permissions import Perm


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    action: Perm
    label: str
    comment_required: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
            Status.SUBMITTED,
            Perm.INITIATIVE_SUBMIT,
            _("Soumettre à l'instruction"),
        ),
        Transition(
            "start_review",
            frozenset({Status.SUBMITTED}),
            Status.IN_REVIEW,
            Perm.INITIATIVE_DECIDE,
            _("Prendre en instruction"),
        ),
        Transition(
            "request_changes",
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.CHANGES_REQUESTED,
            Perm.INITIATIVE_DECIDE,
            _("Demander des modifications"),
            comment_required=True,
        ),
        Transition(
            "publish",
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.PUBLISHED,
            Perm.INITIATIVE_DECIDE,
            _("Publier"),
        ),
        Transition(
            "reject",
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.REJECTED,
            Perm.INITIATIVE_DECIDE,
            _("Refuser"),
            comment_required=True,
        ),
        Transition(
            "unpublish",
            frozenset({Status.PUBLISHED}),
            Status.IN_REVIEW,
            Perm.INITIATIVE_UNPUBLISH,
            _("Dépublier pour réexamen"),
            comment_required=True,
        ),
        Transition(
            "archive",
            frozenset({Status.PUBLISHED, Status.REJECTED}),
            Status.ARCHIVED,
            Perm.INITIATIVE_ARCHIVE,
            _("Archiver"),
        ),
    )
}


class TransitionError(Exception):
    """A transition that may not happen; the message is for the user."""


class TransitionConflict(TransitionError):
    """Somebody else moved the initiative first; nothing was overwritten."""


def available_transitions(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
