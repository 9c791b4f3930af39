"""Fixtures of the committee tests: a known set of initiatives and a small action plan (the
roles come from the root conftest)."""

import datetime

import pytest
from django.utils import timezone

from committee.plan.models import Action
from initiatives.models import Status as S
from initiatives.models import StatusChange
from tests import factories as f

# -- a known dataset ---------------------------------------------------------------------------

DAY = datetime.timedelta(days=1)


def moment(year, month, day) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def history(initiative, *steps) -> None:
    """Status changes at given moments: (to_status, at)."""
    previous = ""
    for to_status, at in steps:
        change = StatusChange.objects.create(
            initiative=initiative, from_status=previous, to_status=to_status
        )
        StatusChange.objects.filter(pk=change.pk).update(at=at)
        previous = to_status


@pytest.fixture
def territory():
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    idf = f.RegionFactory(code="11", name="Île-de-France")
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara)
    paris = f.DepartmentFactory(code="75", name="Paris", parent=idf)
    return {
        "ara": ara,
        "idf": idf,
        "rhone": rhone,
        "ain": ain,
        "paris": paris,
        "rural_a": f.CommuneFactory(code="69001", name="Rurale A", parent=rhone, population=500),
        "rural_b": f.CommuneFactory(code="69002", name="Rurale B", parent=rhone, population=1_999),
        "town": f.CommuneFactory(code="69003", name="Ville C", parent=rhone, population=50_000),
        "rural_d": f.CommuneFactory(code="01001", name="Rurale D", parent=ain, population=300),
    }


@pytest.fixture
def dataset(territory, association, other_association):
    """Four published initiatives, one submitted, one rejected, one draft; a small plan."""
    t = territory
    amf, adf = association, other_association

    def initiative(title, lead, org, status, axes, *, levels=(), submitted=None, published=None):
        item = f.InitiativeFactory(
            title=title,
            lead_collectivity=lead,
            lead_organisation=org,
            status=status,
            axes=[f.axis(n) for n in axes],
            submitted_at=submitted,
            published_at=published,
        )
        item.school_levels.set([f.school_level(code) for code in levels])
        return item

    p1 = initiative(
        "P1", t["rhone"], amf, S.PUBLISHED, [1, 5], levels=["college"],
        submitted=moment(2024, 1, 10), published=moment(2024, 2, 1),
    )  # fmt: skip
    p1.territories.set([t["rural_a"]])
    p2 = initiative(
        "P2", t["rural_b"], amf, S.PUBLISHED, [5], levels=["elementaire"],
        submitted=moment(2024, 3, 20), published=moment(2024, 4, 10),
    )  # fmt: skip
    p3 = initiative(
        "P3", t["town"], adf, S.PUBLISHED, [2],
        submitted=moment(2024, 8, 1), published=moment(2024, 8, 20),
    )  # fmt: skip
    p4 = initiative(
        "P4", t["paris"], adf, S.PUBLISHED, [1],
        submitted=moment(2024, 5, 5), published=moment(2024, 5, 15),
    )  # fmt: skip
    s1 = initiative("S1", t["ain"], amf, S.SUBMITTED, [3], submitted=moment(2024, 11, 1))
    r1 = initiative("R1", t["rhone"], adf, S.REJECTED, [4], submitted=moment(2024, 2, 1))
    initiative("D1", t["ain"], amf, S.DRAFT, [6])

    start = moment(2024, 1, 10)
    # P1 was sent back once: first submission → first decision is what counts (2 days).
    history(
        p1,
        (S.SUBMITTED, start),
        (S.CHANGES_REQUESTED, start + DAY / 2),
        (S.SUBMITTED, start + DAY),
        (S.PUBLISHED, start + 2 * DAY),
    )
    history(p2, (S.SUBMITTED, start), (S.IN_REVIEW, start + DAY), (S.PUBLISHED, start + 4 * DAY))
    history(p3, (S.SUBMITTED, start), (S.PUBLISHED, start + 6 * DAY))
    history(p4, (S.SUBMITTED, start), (S.PUBLISHED, start + 10 * DAY))
    history(r1, (S.SUBMITTED, start), (S.REJECTED, start + 20 * DAY))
    history(s1, (S.SUBMITTED, start))  # no decision yet: not counted

    today = timezone.localdate()
    late = f.ActionFactory(
        code="A1", title="Recenser les équipements", axis=f.axis(1),
        status=Action.Status.IN_PROGRESS, due_date=today - 10 * DAY,
    )  # fmt: skip
    late.lead_partners.set([amf])
    done = f.ActionFactory(
        code="A2", axis=f.axis(2), status=Action.Status.DONE, due_date=today - 30 * DAY
    )
    f.ActionFactory(
        code="A3", axis=f.axis(2), status=Action.Status.ABANDONED, due_date=today - 30 * DAY
    )
    f.ActionFactory(code="A4", axis=f.axis(1), due_date=today + 30 * DAY)
    f.ActionFactory(code="A5", axis=f.axis(1), due_date=None)
    f.MilestoneFactory(action=late, title="Questionnaire diffusé", due_date=today - 5 * DAY)
    f.MilestoneFactory(action=late, title="Atteint", due_date=today - 5 * DAY, reached_on=today)
    f.MilestoneFactory(action=late, title="À venir", due_date=today + 5 * DAY)
    f.MilestoneFactory(action=done, title="Oublié", due_date=today - 40 * DAY)
    return {"p1": p1, "p2": p2, "s1": s1, "r1": r1}
