"""Fixtures of the notification tests.

Celery runs eagerly here (tests/conftest.py's autouse fixture) unless a test is marked
`celery_worker`: an email notification is then sent as soon as the on-commit callbacks run
(`django_capture_on_commit_callbacks(execute=True)`), by the same code a worker runs.
"""

import pytest

from initiatives.models import Initiative
from members.models import Membership
from tests import factories as f
from tests.initiatives.review_support import initiative_in
from tests.mfa import give_totp

S = Initiative.Status


@pytest.fixture
def people(association, ministry):
    """An association (author, admin) and the ministry (two reviewers, the secretariat)."""

    def member(organisation, role, **user):
        membership = f.MembershipFactory(
            organisation=organisation, role=role, **{f"user__{k}": v for k, v in user.items()}
        )
        return membership.user

    return {
        "author": member(association, Membership.Role.CONTRIBUTOR, first_name="Alice"),
        "admin": member(association, Membership.Role.ADMIN, first_name="Bruno"),
        "reviewer": member(ministry, Membership.Role.REVIEWER, first_name="Chloé"),
        "colleague": member(ministry, Membership.Role.REVIEWER, first_name="David"),
        "secretariat": member(ministry, Membership.Role.SECRETARIAT, first_name="Emma"),
    }


@pytest.fixture
def draft(association, people):
    return initiative_in(
        S.DRAFT, association, created_by=people["author"], title="Tablettes au collège Jean-Moulin"
    )


@pytest.fixture
def in_review(association, people):
    return initiative_in(
        S.IN_REVIEW, association, created_by=people["author"], title="Classes mobiles à Lyon"
    )


@pytest.fixture
def signed_in(client):
    """`signed_in(user)`: a client logged in as `user` (with the MFA their role needs)."""

    def login(user):
        give_totp(user)
        client.force_login(user)
        return client

    return login
