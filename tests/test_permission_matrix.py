"""The permission matrix over HTTP: every role × state × action, as a user would hit it.

members.permissions.can() is the one place that decides (its table is checked against
docs/permissions.md in tests/members/test_permissions.py). Here each decision is checked
end to end: an allowed action has its effect, a refused one answers with a refusal
(login, 403, 404, 400/409 for a move the state forbids) and changes nothing.
"""

import pytest

from initiatives.models import Comment, Initiative, StatusChange
from members.permissions import Perm, can
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Initiative.Status
ROLES = (
    "anonymous",
    "other_contributor",
    "contributor",
    "association_admin",
    "reviewer",
    "secretariat",
)
MFA_ROLES = {"association_admin", "reviewer", "secretariat"}
REFUSALS = {302, 400, 403, 404, 405, 409}


@pytest.fixture
def as_role(request, client, mfa):
    def login(role):
        if role == "anonymous":
            return None
        user = request.getfixturevalue(role)
        if role in MFA_ROLES:
            mfa(user)
        client.force_login(user)
        return user

    return login


@pytest.fixture
def initiative_in(association):
    def make(status):
        return f.InitiativeFactory(status=status, lead_organisation=association)

    return make


def snapshot(initiative):
    initiative.refresh_from_db()
    return (
        initiative.status,
        initiative.assignee_id,
        StatusChange.objects.filter(initiative=initiative).count(),
        Comment.objects.filter(initiative=initiative).count(),
    )


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_submitting(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    allowed = can(user, Perm.INITIATIVE_SUBMIT, initiative)
    before = snapshot(initiative)
    response = client.post(f"/espace/initiatives/{initiative.pk}/soumettre/")
    if allowed:
        assert response.status_code == 302
        assert snapshot(initiative)[0] == S.SUBMITTED
    else:
        assert response.status_code in REFUSALS
        if role == "anonymous":
            assert "/comptes/login/" in response["Location"]
        assert snapshot(initiative) == before


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_publishing(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    allowed = can(user, Perm.INITIATIVE_DECIDE, initiative)
    before = snapshot(initiative)
    response = client.post(
        f"/instruction/{initiative.pk}/decision/",
        {"transition": "publish", "expected_status": status, "comment": ""},
    )
    if allowed:
        assert response.status_code == 302
        assert snapshot(initiative)[0] == S.PUBLISHED
    else:
        assert response.status_code in REFUSALS
        if role == "anonymous":
            assert "/comptes/login/" in response["Location"]
        if role in {"contributor", "association_admin", "other_contributor"}:
            assert response.status_code == 403
        assert snapshot(initiative) == before


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_archiving_and_unpublishing(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    for name, action, target in [
        ("archive", Perm.INITIATIVE_ARCHIVE, S.ARCHIVED),
        ("unpublish", Perm.INITIATIVE_UNPUBLISH, S.IN_REVIEW),
    ]:
        initiative.refresh_from_db()
        allowed = can(user, action, initiative)
        before = snapshot(initiative)
        response = client.post(
            f"/instruction/{initiative.pk}/decision/",
            {"transition": name, "expected_status": initiative.status, "comment": "Motif."},
        )
        if allowed:
            assert response.status_code == 302
            assert snapshot(initiative)[0] == target
            return
        assert response.status_code in REFUSALS
        assert snapshot(initiative) == before


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_writing_in_the_private_thread(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    allowed = can(user, Perm.INITIATIVE_COMMENT, initiative)
    before = snapshot(initiative)
    response = client.post(f"/instruction/{initiative.pk}/messages/", {"body": "Bonjour."})
    if allowed:
        assert response.status_code == 302
        assert snapshot(initiative)[3] == before[3] + 1
    else:
        assert response.status_code in REFUSALS
        if role == "other_contributor":
            assert response.status_code == 404
        assert snapshot(initiative) == before


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_editing(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    allowed = can(user, Perm.INITIATIVE_EDIT, initiative)
    response = client.get(f"/espace/initiatives/{initiative.pk}/modifier/")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in REFUSALS
        if role == "anonymous":
            assert "/comptes/login/" in response["Location"]
        if role == "other_contributor":
            assert response.status_code == 404
        if role in {"contributor", "association_admin"}:
            assert response.status_code == 403
    before = snapshot(initiative)
    title = Initiative.objects.get(pk=initiative.pk).title
    client.post(f"/espace/initiatives/{initiative.pk}/modifier/", {"title": "Piraté"})
    if not allowed:
        assert Initiative.objects.get(pk=initiative.pk).title == title
        assert snapshot(initiative) == before


@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("role", ROLES)
def test_reading_the_private_file(client, as_role, initiative_in, role, status):
    initiative = initiative_in(status)
    user = as_role(role)
    allowed = can(user, Perm.INITIATIVE_VIEW, initiative) and (
        status != S.PUBLISHED or role not in {"anonymous", "other_contributor"}
    )
    official = role in {"reviewer", "secretariat"}
    url = f"/instruction/{initiative.pk}/" if official else f"/espace/initiatives/{initiative.pk}/"
    response = client.get(url)
    if allowed:
        assert response.status_code == 200
        assert initiative.title in response.content.decode()
    else:
        assert response.status_code in REFUSALS
        if role == "other_contributor":
            assert response.status_code == 404
