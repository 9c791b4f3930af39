"""Who may do what, role by role: the matrix of docs/permissions.md, asserted on `can()`.

The tables below are written out by hand on purpose: they are the specification, and
members.permissions must agree with them.
"""

import re
from pathlib import Path

import pytest

from initiatives.models import Document, Initiative
from members import permissions
from members.models import Membership
from members.permissions import Perm, can, may_see_privately
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Initiative.Status
ALL = frozenset(S.values)
NONE = frozenset()
EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
UNDER_REVIEW = frozenset({S.SUBMITTED, S.IN_REVIEW})
LIVE = ALL - {S.DRAFT, S.ARCHIVED}
SUBMITTED_ONCE = ALL - {S.DRAFT}  # a draft belongs to its association until submitted
PUBLISHED = frozenset({S.PUBLISHED})
ARCHIVABLE = frozenset({S.PUBLISHED, S.REJECTED})

ROLES = (
    "anonymous",
    "other_contributor",  # staff of another association than the initiative's
    "contributor",  # of the association leading the initiative
    "association_admin",  # of the association leading the initiative
    "reviewer",  # ministry
    "secretariat",  # ministry
)

# Action on an initiative (led by `association`) → states in which each role may do it,
# one column per role in ROLES order.
INITIATIVE_MATRIX = {
    Perm.INITIATIVE_VIEW: (PUBLISHED, PUBLISHED, ALL, ALL, SUBMITTED_ONCE, SUBMITTED_ONCE),
    Perm.INITIATIVE_EDIT: (NONE, NONE, EDITABLE, EDITABLE, NONE, LIVE),
    Perm.INITIATIVE_SUBMIT: (NONE, NONE, EDITABLE, EDITABLE, NONE, NONE),
    Perm.INITIATIVE_COMMENT: (NONE, NONE, LIVE, LIVE, LIVE, LIVE),
    Perm.INITIATIVE_ASSIGN: (NONE, NONE, NONE, NONE, UNDER_REVIEW, UNDER_REVIEW),
    Perm.INITIATIVE_DECIDE: (NONE, NONE, NONE, NONE, UNDER_REVIEW, UNDER_REVIEW),
    Perm.INITIATIVE_UNPUBLISH: (NONE, NONE, NONE, NONE, PUBLISHED, PUBLISHED),
    Perm.INITIATIVE_ARCHIVE: (NONE, NONE, NONE, NONE, ARCHIVABLE, ARCHIVABLE),
}

# Downloading a document of an initiative, by the document's visibility (columns as above).
DOCUMENT_MATRIX = {
    "public": (PUBLISHED, PUBLISHED, ALL, ALL, SUBMITTED_ONCE, SUBMITTED_ONCE),
    "private": (NONE, NONE, ALL, ALL, SUBMITTED_ONCE, SUBMITTED_ONCE),
}

OFFICIALS = {"reviewer", "secretariat"}
ASSOCIATION_STAFF = {"other_contributor", "contributor", "association_admin"}

# Actions on no particular object → roles allowed.
GLOBAL_MATRIX = {
    Perm.INITIATIVE_CREATE: ASSOCIATION_STAFF,
    Perm.INITIATIVE_ASSIGN: OFFICIALS,
    Perm.INITIATIVE_DECIDE: OFFICIALS,
    Perm.INITIATIVE_UNPUBLISH: OFFICIALS,
    Perm.INITIATIVE_ARCHIVE: OFFICIALS,
    Perm.MEMBER_INVITE: {"association_admin", "secretariat"},
    Perm.MEMBER_MANAGE: {"association_admin", "secretariat"},
    Perm.PLAN_VIEW_INTERNAL: OFFICIALS,
    Perm.PLAN_MANAGE: {"secretariat"},
    Perm.PLAN_REPORT: ASSOCIATION_STAFF,
    Perm.CONTRIBUTION_MANAGE: {"secretariat"},
    Perm.STATISTICS_VIEW: OFFICIALS,
    Perm.REPORT_ORDER: OFFICIALS,
    Perm.REVIEW_QUEUE: OFFICIALS,
}

# Managing the members of an organisation → roles allowed, by whose organisation it is.
MEMBERS_MATRIX = {
    "association": {"association_admin", "secretariat"},
    "other_association": {"secretariat"},
    "ministry": {"secretariat"},
}

# Reporting progress on a plan action, by which association leads the action.
PLAN_REPORT_MATRIX = {
    "association": {"contributor", "association_admin"},
    "other_association": {"other_contributor"},
    "ministry": set(),
}


@pytest.fixture
def user_for(request):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def test_every_action_has_a_rule():
    assert set(permissions._RULES) == set(Perm)


def test_every_action_is_in_the_specification():
    specified = set(INITIATIVE_MATRIX) | set(GLOBAL_MATRIX) | {Perm.DOCUMENT_DOWNLOAD}
    # Sessions and contributions drafted together: tests/committee/sessions/test_permissions.py
    specified |= set(permissions.GOVERNANCE_ACTIONS)
    assert specified == set(Perm)


@pytest.mark.parametrize("role", ROLES)
def test_initiative_actions_by_role_and_state(role, user_for, association):
    user = user_for(role)
    column = ROLES.index(role)

    allowed = {
        action: {
            status
            for status in S.values
            if can(user, action, Initiative(status=status, lead_organisation=association))
        }
        for action in INITIATIVE_MATRIX
    }

    assert allowed == {action: set(row[column]) for action, row in INITIATIVE_MATRIX.items()}


@pytest.mark.parametrize("role", ROLES)
def test_document_downloads_by_role_state_and_visibility(role, user_for, association):
    user = user_for(role)
    column = ROLES.index(role)

    allowed = {
        visibility: {
            status
            for status in S.values
            if can(
                user,
                Perm.DOCUMENT_DOWNLOAD,
                Document(
                    initiative=Initiative(status=status, lead_organisation=association),
                    is_public=visibility == "public",
                ),
            )
        }
        for visibility in DOCUMENT_MATRIX
    }

    assert allowed == {visibility: set(row[column]) for visibility, row in DOCUMENT_MATRIX.items()}


@pytest.mark.parametrize("role", ROLES)
def test_actions_on_no_particular_object_by_role(role, user_for):
    user = user_for(role)

    allowed = {action for action in GLOBAL_MATRIX if can(user, action)}

    assert allowed == {action for action, roles in GLOBAL_MATRIX.items() if role in roles}


@pytest.mark.parametrize("role", ROLES)
def test_member_management_by_role_and_organisation(role, user_for, request):
    user = user_for(role)
    organisations = {name: request.getfixturevalue(name) for name in MEMBERS_MATRIX}

    for action in (Perm.MEMBER_INVITE, Perm.MEMBER_MANAGE):
        allowed = {name for name, org in organisations.items() if can(user, action, org)}
        by_id = {name for name, org in organisations.items() if can(user, action, org.pk)}
        expected = {name for name, roles in MEMBERS_MATRIX.items() if role in roles}
        assert allowed == expected, action
        assert by_id == expected, action


@pytest.mark.parametrize("role", ROLES)
def test_plan_progress_is_reported_by_the_lead_partners_staff(role, user_for, request):
    user = user_for(role)
    actions = {}
    for name in PLAN_REPORT_MATRIX:
        action = f.ActionFactory()
        action.lead_partners.add(request.getfixturevalue(name))
        actions[name] = action

    allowed = {name for name, action in actions.items() if can(user, Perm.PLAN_REPORT, action)}

    assert allowed == {name for name, roles in PLAN_REPORT_MATRIX.items() if role in roles}


@pytest.mark.parametrize("role", ROLES)
def test_private_view_of_an_initiative_is_for_its_staff_and_officials(role, user_for, association):
    initiative = Initiative(status=S.PUBLISHED, lead_organisation=association)

    assert may_see_privately(user_for(role), initiative) == (
        role in {"contributor", "association_admin", *OFFICIALS}
    )


def test_signing_up_grants_nothing_beyond_the_public(association):
    newcomer = f.UserFactory()

    assert not any(can(newcomer, action) for action in GLOBAL_MATRIX)
    assert not can(
        newcomer, Perm.INITIATIVE_VIEW, Initiative(status=S.DRAFT, lead_organisation=association)
    )
    assert can(
        newcomer,
        Perm.INITIATIVE_VIEW,
        Initiative(status=S.PUBLISHED, lead_organisation=association),
    )


def test_a_deactivated_account_loses_its_rights(secretariat):
    secretariat.is_active = False
    secretariat.save()
    reloaded = type(secretariat).objects.get(pk=secretariat.pk)

    assert not can(reloaded, Perm.PLAN_MANAGE)
    assert not can(reloaded, Perm.REVIEW_QUEUE)


def test_a_ministry_official_has_no_association_rights(reviewer, association):
    draft = Initiative(status=S.DRAFT, lead_organisation=association)

    assert not can(reviewer, Perm.INITIATIVE_CREATE)
    assert not can(reviewer, Perm.INITIATIVE_SUBMIT, draft)
    assert not can(reviewer, Perm.INITIATIVE_EDIT, draft)


def test_a_secretariat_role_outranks_a_reviewer_role_held_elsewhere(ministry):
    """Somebody with both ministry roles (two ministry organisations) acts as secretariat."""
    other_ministry = f.OrganisationFactory(acronym="MESR", kind="ministry")
    user = f.MembershipFactory(organisation=ministry, role=Membership.Role.REVIEWER).user
    Membership.objects.create(
        user=user, organisation=other_ministry, role=Membership.Role.SECRETARIAT
    )

    assert can(user, Perm.PLAN_MANAGE)


def test_unknown_actions_are_refused_loudly(secretariat):
    with pytest.raises(ValueError):
        can(secretariat, "initiative.teleport")


def test_the_state_by_state_tables_of_the_documentation_match_the_rules():
    """docs/permissions.md is read by people deciding who gets which role: it must be exact."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()
    documented = {}
    for status, section in re.findall(r"^### .*?\(`(\w+)`\)\n(.*?)(?=^#|\Z)", doc, re.M | re.S):
        for label, action, cells in re.findall(
            r"^\| (.*?) \(`([\w.]+)`\) \|((?: [✔—] \|){6})$", section, re.M
        ):
            visibility = "private" if "document privé" in label else "public"
            documented[(status, action, visibility)] = tuple(
                cell.strip() == "✔" for cell in cells.split("|")[:-1]
            )

    expected = {}
    for status in S.values:
        for action, row in INITIATIVE_MATRIX.items():
            expected[(status, action, "public")] = tuple(status in states for states in row)
        for visibility, row in DOCUMENT_MATRIX.items():
            expected[(status, Perm.DOCUMENT_DOWNLOAD, visibility)] = tuple(
                status in states for states in row
            )
    assert documented == expected
