"""The initiative lifecycle: each transition from its sources only, recorded, race-safe."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from initiatives.models import Initiative, StatusChange
from initiatives.services import (
    initiative_publish,
    initiative_reject,
    initiative_request_changes,
    initiative_submit,
    initiative_transition,
)
from initiatives.workflow import (
    TRANSITIONS,
    TransitionConflict,
    TransitionError,
    available_transitions,
)
from members.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Initiative.Status

# Expected lifecycle, written out independently of initiatives.workflow.
EXPECTED = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "start_review": ({S.SUBMITTED}, S.IN_REVIEW),
    "request_changes": ({S.SUBMITTED, S.IN_REVIEW}, S.CHANGES_REQUESTED),
    "publish": ({S.SUBMITTED, S.IN_REVIEW}, S.PUBLISHED),
    "reject": ({S.SUBMITTED, S.IN_REVIEW}, S.REJECTED),
    "unpublish": ({S.PUBLISHED}, S.IN_REVIEW),
    "archive": ({S.PUBLISHED, S.REJECTED}, S.ARCHIVED),
}
COMMENT_REQUIRED = {"request_changes", "reject", "unpublish"}


@pytest.fixture
def omnipotent(association, ministry):
    """Staff of the lead association and secretariat at once: allowed every move by role.

    With this actor only the lifecycle (not the role) can refuse a transition.
    """
    user = f.MembershipFactory(organisation=association, role=Membership.Role.CONTRIBUTOR).user
    Membership.objects.create(user=user, organisation=ministry, role=Membership.Role.SECRETARIAT)
    return user


def initiative_in(status, organisation):
    return f.InitiativeFactory(
        status=status,
        lead_organisation=organisation,
        published_at=timezone.now() if status == S.PUBLISHED else None,
    )


def test_the_transition_table_is_the_documented_lifecycle():
    assert {name: (set(t.sources), t.target) for name, t in TRANSITIONS.items()} == EXPECTED
    assert {name for name, t in TRANSITIONS.items() if t.comment_required} == COMMENT_REQUIRED


def test_archived_is_final():
    assert available_transitions(S.ARCHIVED) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("status", [s.value for s in S])
def test_each_transition_happens_only_from_its_sources(association, omnipotent, status, name):
    sources, target = EXPECTED[name]
    initiative = initiative_in(status, association)

    if status in sources:
        change = initiative_transition(
            initiative=initiative, name=name, by=omnipotent, comment="Motif de la décision"
        )
        initiative.refresh_from_db()
        assert initiative.status == target
        assert (change.from_status, change.to_status) == (status, target)
    else:
        with pytest.raises((TransitionError, PermissionDenied)):
            initiative_transition(
                initiative=initiative, name=name, by=omnipotent, comment="Motif de la décision"
            )
        initiative.refresh_from_db()
        assert initiative.status == status
        assert not StatusChange.objects.exists()


def test_a_transition_refused_by_the_lifecycle_says_why(association, reviewer):
    initiative = initiative_in(S.IN_REVIEW, association)

    with pytest.raises(TransitionError, match="En instruction"):
        initiative_transition(initiative=initiative, name="start_review", by=reviewer)


def test_an_unknown_transition_is_refused(association, reviewer):
    initiative = initiative_in(S.SUBMITTED, association)

    with pytest.raises(TransitionError):
        initiative_transition(initiative=initiative, name="teleport", by=reviewer)

    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED


def test_a_refused_transition_changes_nothing(association, other_contributor):
    initiative = initiative_in(S.DRAFT, association)
    updated_at = initiative.updated_at

    with pytest.raises(PermissionDenied):
        initiative_submit(initiative=initiative, by=other_contributor)

    initiative.refresh_from_db()
    assert initiative.status == S.DRAFT
    assert initiative.submitted_at is None
    assert initiative.updated_at == updated_at
    assert StatusChange.objects.count() == 0


@pytest.mark.parametrize("name", sorted(COMMENT_REQUIRED))
@pytest.mark.parametrize("comment", ["", "   \n "])
def test_a_comment_is_required_to_request_changes_reject_or_unpublish(
    association, secretariat, name, comment
):
    status = S.PUBLISHED if name == "unpublish" else S.IN_REVIEW
    initiative = initiative_in(status, association)

    with pytest.raises(TransitionError, match="commentaire"):
        initiative_transition(initiative=initiative, name=name, by=secretariat, comment=comment)

    initiative.refresh_from_db()
    assert initiative.status == status
    assert StatusChange.objects.count() == 0


def test_every_move_of_a_full_lifecycle_is_recorded(association, contributor, reviewer):
    initiative = initiative_in(S.DRAFT, association)

    initiative_submit(initiative=initiative, by=contributor)
    initiative_transition(initiative=initiative, name="start_review", by=reviewer)
    initiative_request_changes(
        initiative=initiative, by=reviewer, comment="  Précisez le budget.  "
    )
    initiative_submit(initiative=initiative, by=contributor)
    initiative_publish(initiative=initiative, by=reviewer)
    initiative_transition(
        initiative=initiative, name="unpublish", by=reviewer, comment="Coordonnées périmées."
    )
    initiative_reject(initiative=initiative, by=reviewer, comment="Doublon.")
    initiative_transition(initiative=initiative, name="archive", by=reviewer)

    history = list(
        initiative.status_changes.values_list("from_status", "to_status", "by", "comment")
    )
    assert history == [
        (S.DRAFT, S.SUBMITTED, contributor.pk, ""),
        (S.SUBMITTED, S.IN_REVIEW, reviewer.pk, ""),
        (S.IN_REVIEW, S.CHANGES_REQUESTED, reviewer.pk, "Précisez le budget."),
        (S.CHANGES_REQUESTED, S.SUBMITTED, contributor.pk, ""),
        (S.SUBMITTED, S.PUBLISHED, reviewer.pk, ""),
        (S.PUBLISHED, S.IN_REVIEW, reviewer.pk, "Coordonnées périmées."),
        (S.IN_REVIEW, S.REJECTED, reviewer.pk, "Doublon."),
        (S.REJECTED, S.ARCHIVED, reviewer.pk, ""),
    ]
    initiative.refresh_from_db()
    assert initiative.status == S.ARCHIVED
    assert initiative.status_changed_at >= initiative.published_at


def test_submitting_and_publishing_stamp_their_dates(association, contributor, reviewer):
    initiative = initiative_in(S.DRAFT, association)

    initiative_submit(initiative=initiative, by=contributor)
    initiative.refresh_from_db()
    assert initiative.submitted_at is not None
    assert initiative.published_at is None

    initiative_publish(initiative=initiative, by=reviewer)
    initiative.refresh_from_db()
    assert initiative.published_at is not None
    assert initiative.published_at >= initiative.submitted_at


def test_the_second_of_two_simultaneous_decisions_gets_a_conflict_and_overwrites_nothing(
    association, reviewer, secretariat
):
    initiative = initiative_in(S.IN_REVIEW, association)
    seen_by_reviewer = Initiative.objects.get(pk=initiative.pk)
    seen_by_secretariat = Initiative.objects.get(pk=initiative.pk)

    initiative_publish(initiative=seen_by_reviewer, by=reviewer)
    with pytest.raises(TransitionConflict):
        initiative_reject(initiative=seen_by_secretariat, by=secretariat, comment="Hors sujet.")

    initiative.refresh_from_db()
    assert initiative.status == S.PUBLISHED
    assert initiative.published_at is not None
    assert list(initiative.status_changes.values_list("to_status", "by")) == [
        (S.PUBLISHED, reviewer.pk)
    ]


def test_a_conflict_is_also_a_transition_error_for_callers_that_catch_those():
    assert issubclass(TransitionConflict, TransitionError)
