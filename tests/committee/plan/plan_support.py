"""Shared pieces of the action plan's tests: a small plan, people acting on it, helpers."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committee.plan.models import Action, Indicator
from initiatives.models import Status as S
from members.models import Membership
from tests import factories as f

try:
    from tests.mfa import give_totp
except ImportError:  # pragma: no cover - checkouts without the shared helper

    def give_totp(user):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})


DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def make_lead_action(association):
    """Action 5.1, led by AMF: two milestones, one manual indicator (0 → 10 départements)."""
    action = f.ActionFactory(
        code="5.1",
        axis=f.axis(5),
        title="Équiper les écoles rurales",
        objective="Un socle numérique dans chaque école rurale.",
        status=Action.Status.IN_PROGRESS,
        start_date=datetime.date(2024, 1, 1),
        due_date=today() + 200 * DAY,
    )
    action.lead_partners.set([association])
    f.MilestoneFactory(action=action, title="Cahier des charges", due_date=today() + 10 * DAY)
    f.MilestoneFactory(
        action=action, title="Premières écoles équipées", due_date=today() + 60 * DAY, position=1
    )
    Indicator.objects.create(
        action=action, label="Départements engagés", unit="départements", baseline=0, target=10
    )
    return action


def make_other_action(other_association):
    """Action 2.1, led by ADF only."""
    action = f.ActionFactory(code="2.1", axis=f.axis(2), title="Gouvernance départementale")
    action.lead_partners.set([other_association])
    f.MilestoneFactory(action=action, title="Instance installée", due_date=today() + 30 * DAY)
    return action


def published_initiative(*, department, axes=(5,), org=None, **kwargs):
    return f.InitiativeFactory(
        lead_collectivity=department,
        lead_organisation=org or f.OrganisationFactory(acronym="AMF"),
        status=S.PUBLISHED,
        axes=[f.axis(n) for n in axes],
        **kwargs,
    )


def login(client, user):
    client.force_login(user)
    return client


def member(organisation, role: str):
    user = f.MembershipFactory(organisation=organisation, role=role).user
    if role in (Membership.Role.ADMIN, Membership.Role.REVIEWER, Membership.Role.SECRETARIAT):
        give_totp(user)
    return user


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def decimal(value) -> Decimal:
    return Decimal(str(value))


def xlsx_bytes(actions_rows, milestone_rows=None, *, actions_header=None, milestones_header=None):
    """A workbook built by hand, as a partner or the secretariat might type it."""
    from openpyxl import Workbook

    from committee.plan.io import ACTION_COLUMNS, MILESTONE_COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "actions"
    sheet.append(list(actions_header or ACTION_COLUMNS))
    for row in actions_rows:
        sheet.append(list(row))
    if milestone_rows is not None:
        milestones = workbook.create_sheet("jalons")
        milestones.append(list(milestones_header or MILESTONE_COLUMNS))
        for row in milestone_rows:
            milestones.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
