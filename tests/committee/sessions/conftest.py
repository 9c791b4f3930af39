"""A working group with representatives of two associations, and sessions in Paris time."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from committee.sessions import services
from committee.sessions.models import Body, Representative, Session
from members.models import Membership
from tests import factories as f

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(days: int = 10, hour: int = 9, minute: int = 0) -> datetime.datetime:
    day = timezone.now().astimezone(PARIS).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def body():
    f.axis(1)
    return Body.objects.create(
        name="Groupe de travail de l'axe 1", slug="gt-axe-1", kind=Body.Kind.WORKING_GROUP
    )


@pytest.fixture
def representative(body, contributor, association):
    Representative.objects.create(body=body, user=contributor, organisation=association)
    return contributor


@pytest.fixture
def other_representative(body, other_contributor, other_association):
    Representative.objects.create(body=body, user=other_contributor, organisation=other_association)
    return other_contributor


@pytest.fixture
def colleague(association):
    return f.MembershipFactory(organisation=association, role=Membership.Role.CONTRIBUTOR).user


@pytest.fixture
def make_session(body, secretariat):
    def make(*, days=10, hour=9, public=True, convene=False, title="Séance de rentrée"):
        session = services.session_create(
            by=secretariat,
            data=services.SessionData(
                body=body,
                title=title,
                starts_at=paris(days, hour),
                ends_at=paris(days, hour + 3),
                place="Ministère, 110 rue de Grenelle, Paris",
                is_public=public,
            ),
        )
        if convene:
            services.session_convene(by=secretariat, session=session)
        return session

    return make


def held(session: Session, *, days_ago: int = 2) -> Session:
    """Move a session into the past, as if time had passed since it was convened."""
    start = paris(-days_ago, 9)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    session.refresh_from_db()
    return session
