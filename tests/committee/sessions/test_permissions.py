"""Who may do what on sessions, minutes and contributions drafted together, role by role
(the governance tables of docs/permissions.md, asserted on `can()`)."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from members.permissions import Perm, can

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "other_contributor",
    "contributor",
    "association_admin",
    "reviewer",
    "secretariat",
)
# contributor = a representative of the body / a drafter (AMF); other_contributor is not.
Y, N = True, False


@pytest.fixture
def user_for(request):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def session(status="convened", public=False, days=5, reps=()):
    return SimpleNamespace(
        status=status,
        is_public=public,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        representative_user_ids=set(reps),
    )


def minutes(status, *, public, reps, hours=24):
    return SimpleNamespace(
        status=status,
        remarks_until=timezone.now() + datetime.timedelta(hours=hours),
        session=SimpleNamespace(is_public=public),
        reader_user_ids=set(reps),
    )


def contribution(status="drafting", *, drafters, rapporteur=None):
    return SimpleNamespace(
        drafting_status=status, drafting_user_ids=set(drafters), rapporteur_id=rapporteur
    )


#                       anon oth  contr admin rev  secr
SESSION_MATRIX = {
    ("draft", True): (N, N, N, N, N, Y),
    ("convened", True): (Y, Y, Y, Y, Y, Y),
    ("convened", False): (N, N, Y, N, N, Y),
    ("cancelled", False): (N, N, Y, N, N, Y),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_session(role, user_for, contributor):
    user = user_for(role)
    for (status, public), expected in SESSION_MATRIX.items():
        obj = session(status, public, reps=[contributor.pk])
        assert can(user, Perm.SESSION_VIEW, obj) is expected[ROLES.index(role)], (status, public)


@pytest.mark.parametrize("role", ROLES)
def test_who_replies_to_a_convocation(role, user_for, contributor):
    user = user_for(role)
    expected = role == "contributor"
    assert can(user, Perm.SESSION_REPLY, session(reps=[contributor.pk])) is expected
    # Nobody answers a draft, a cancelled or a past session.
    assert not can(user, Perm.SESSION_REPLY, session("draft", reps=[contributor.pk]))
    assert not can(user, Perm.SESSION_REPLY, session("cancelled", reps=[contributor.pk]))
    assert not can(user, Perm.SESSION_REPLY, session(days=-1, reps=[contributor.pk]))


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_manages_sessions(role, user_for):
    assert can(user_for(role), Perm.SESSION_MANAGE) is (role == "secretariat")


#                                 anon oth  contr admin rev  secr
MINUTES_MATRIX = {
    ("draft", True): (N, N, N, N, N, Y),
    ("circulated", True): (N, N, Y, N, N, Y),
    ("approved", True): (Y, Y, Y, Y, Y, Y),
    ("approved", False): (N, N, Y, N, N, Y),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_minutes(role, user_for, contributor):
    user = user_for(role)
    for (status, public), expected in MINUTES_MATRIX.items():
        obj = minutes(status, public=public, reps=[contributor.pk])
        assert can(user, Perm.MINUTES_VIEW, obj) is expected[ROLES.index(role)], (status, public)


@pytest.mark.parametrize("role", ROLES)
def test_who_remarks_on_circulated_minutes_until_the_deadline(role, user_for, contributor):
    user = user_for(role)
    open_ = minutes("circulated", public=True, reps=[contributor.pk])
    closed = minutes("circulated", public=True, reps=[contributor.pk], hours=-1)
    assert can(user, Perm.MINUTES_REMARK, open_) is (role == "contributor")
    assert not can(user, Perm.MINUTES_REMARK, closed)
    assert not can(
        user, Perm.MINUTES_REMARK, minutes("approved", public=True, reps=[contributor.pk])
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_names_representatives(role, user_for, association, other_association):
    user = user_for(role)
    assert can(user, Perm.REPRESENTATIVE_NAME, association) is (
        role in {"association_admin", "secretariat"}
    )
    assert can(user, Perm.REPRESENTATIVE_NAME, other_association) is (role == "secretariat")


#                               anon oth  contr admin rev  secr
DRAFTING_MATRIX = {
    Perm.DRAFTING_VIEW: (N, N, Y, N, N, Y),
    Perm.AMENDMENT_PROPOSE: (N, N, Y, N, N, N),
    Perm.AMENDMENT_DECIDE: (N, N, N, N, N, Y),
}


@pytest.mark.parametrize("role", ROLES)
def test_drafting_together(role, user_for, contributor, reviewer):
    user = user_for(role)
    obj = contribution(drafters=[contributor.pk])
    for action, expected in DRAFTING_MATRIX.items():
        assert can(user, action, obj) is expected[ROLES.index(role)], action
    # The rapporteur decides on amendments too; nobody amends or decides once drafting ends.
    assert can(reviewer, Perm.AMENDMENT_DECIDE, contribution(drafters=[], rapporteur=reviewer.pk))
    frozen = contribution("signing", drafters=[contributor.pk])
    assert not can(user, Perm.AMENDMENT_PROPOSE, frozen)
    assert not can(user, Perm.AMENDMENT_DECIDE, frozen)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisations_admin_signs_while_the_round_is_open(role, user_for, association):
    user = user_for(role)
    signature = SimpleNamespace(organisation_id=association.pk, is_open=True)
    assert can(user, Perm.CONTRIBUTION_SIGN, signature) is (role == "association_admin")
    closed = SimpleNamespace(organisation_id=association.pk, is_open=False)
    assert not can(user, Perm.CONTRIBUTION_SIGN, closed)
