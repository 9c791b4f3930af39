"""The steering figures from the catalogue's bitmaps (published initiatives) and one statement
(the other statuses): committee/steering/tallies.py. The same figures as the grouped queries
they replace, for every filter and status, and still after changes refresh the index in
place; the queries left; the grouped queries answering when the index steps aside."""

import datetime
import json
import random

import pytest
from django.core.cache import cache
from django.db import transaction

from committee.steering import statistics
from initiatives.catalogue import bitmaps
from initiatives.models import Initiative
from initiatives.models import Status as S
from referentials.models import Territory
from tests import factories as f
from tests.committee.conftest import history

pytestmark = pytest.mark.django_db

STATUSES = [S.PUBLISHED] * 4 + [s for s in S if s != S.PUBLISHED]
PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture(scope="module")
def pipeline(django_db_setup, django_db_blocker):
    """Ninety-three initiatives in every status over two régions (leading some), rural
    communes and towns, covered territories, dates spread over quarters (some an hour from
    a quarter's end, in UTC and in Paris), review histories. Built once for the module and
    rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _pipeline()
        transaction.set_rollback(True)


def _pipeline() -> list[Initiative]:
    rng = random.Random(14)
    organisations = [
        f.OrganisationFactory(acronym="AMF", name="Association des maires"),
        f.OrganisationFactory(acronym="ADF", name="Assemblée des départements"),
        f.OrganisationFactory(acronym="AMRF", name="Maires ruraux"),
    ]
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne")
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre)
    f.DepartmentFactory(code="22", name="Côtes-d'Armor", parent=bre)  # nothing there
    communes = [
        f.CommuneFactory(code=code, name=f"Commune {code}", parent=parent, population=population)
        for code, parent, population in [
            ("69001", rhone, 500),
            ("69002", rhone, 1_999),
            ("69003", rhone, 2_000),
            ("69123", rhone, 520_000),
            ("01001", ain, 300),
            ("01002", ain, 800),
            ("29001", finistere, 1_200),
            ("29019", finistere, 140_000),
        ]
    ]
    f.CommuneFactory(code="29002", name="Jamais", parent=finistere, population=150)  # not reached
    places = [ara, bre, rhone, ain, finistere, *communes]
    crcn = f.ReferentialFactory(slug="crcn")
    items = [f.ReferentialItemFactory(referential=crcn, code=c) for c in ("2.3", "3.1")]
    levels = [f.school_level("college"), f.school_level("elementaire"), f.school_level("lycee")]
    quarter_ends = [
        datetime.datetime(2024, 3, 31, 23, 30, tzinfo=datetime.UTC),  # Q2 in Paris
        datetime.datetime(2024, 6, 30, 22, 30, tzinfo=datetime.UTC),  # Q3 in Paris (summer)
        datetime.datetime(2024, 10, 1, 0, 30, tzinfo=PARIS),  # Q3 in UTC, Q4 in Paris
    ]
    made = []
    for n in range(90):
        status = rng.choice(STATUSES)
        submitted = None
        if status != S.DRAFT and n % 9:
            submitted = rng.choice(quarter_ends) if n % 7 == 0 else _moment(rng)
        published = None
        if status in (S.PUBLISHED, S.ARCHIVED) or (status == S.REJECTED and n % 2):
            published = rng.choice(quarter_ends) if n % 5 == 0 else _moment(rng)
        initiative = f.InitiativeFactory(
            title=f"{rng.choice(['Tablettes', 'Robotique', 'Fibre'])} {n}",
            lead_collectivity=rng.choice(places),
            lead_organisation=rng.choice(organisations),
            start_date=datetime.date(rng.choice([2019, 2021, 2023]), 9, 1),
            status=status,
            submitted_at=submitted,
            published_at=published,
            axes=[f.axis(a) for a in rng.sample(range(1, 7), rng.randint(1, 3))],
        )
        initiative.school_levels.set(rng.sample(levels, rng.randint(0, 2)))
        initiative.referential_items.set(rng.sample(items, rng.randint(0, 1)))
        initiative.partners.set(rng.sample(organisations, rng.randint(0, 1)))
        initiative.territories.set(rng.sample(communes, rng.randint(0, 2)))
        if submitted and status in (S.PUBLISHED, S.REJECTED):
            decided = submitted + datetime.timedelta(days=rng.randint(1, 60))
            history(initiative, (S.SUBMITTED, submitted), (status, decided))
        made.append(initiative)
    for n, moment in enumerate(quarter_ends):  # published an hour from a quarter's end
        made.append(
            f.InitiativeFactory(
                title=f"Fin de trimestre {n}",
                lead_collectivity=communes[n],
                lead_organisation=organisations[n],
                status=S.PUBLISHED,
                submitted_at=moment,
                published_at=moment,
            )
        )
    return made


def _moment(rng) -> datetime.datetime:
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    return start + datetime.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))


PARAMETERS = [
    {},
    {"status": "all"},
    {"status": S.SUBMITTED},
    {"status": S.ARCHIVED},
    {"status": S.REJECTED, "axis": "2"},
    {"axis": "5"},
    {"region": "84"},
    {"region": "84", "status": "all"},
    {"region": "53", "status": S.IN_REVIEW},
    {"department": "29", "status": "all"},
    {"department": "69"},
    {"department": "22"},
    {"commune": "69001"},
    {"commune": "29019", "status": "all"},
    {"collectivity": "commune", "status": S.CHANGES_REQUESTED},
    {"collectivity": "region", "status": "all"},
    {"school_level": "college", "status": "all"},
    {"item": "2.3"},
    {"partner": "adf", "status": "all"},
    {"partner": "AMRF", "year": "2021"},
    {"year": "2023", "status": S.ARCHIVED},
    {"q": "tablettes"},
    {"q": "robotique", "status": "all"},
    {"territory": "departement-69", "status": "all"},
    {"territory": "commune-69002", "territory_scope": "covering"},
    {"territory": "region-53", "territory_scope": "inside", "axis": "1"},
    {"axis": "5", "region": "84", "item": "nothing"},
    {"commune": "abc", "partner": "XYZ"},  # invalid: ignored, as by the grouped queries
]


def figures(params) -> dict:
    filterset = statistics.statistics_filterset(params)
    values = statistics.compute_all(filterset, cached=False)
    values.pop("_computed_at")
    return values


def both(settings, params) -> tuple[dict, dict]:
    """(from the bitmaps, from the grouped queries)."""
    settings.CATALOGUE_BITMAPS = True
    fast = figures(params)
    settings.CATALOGUE_BITMAPS = False
    return fast, figures(params)


@pytest.mark.parametrize("params", PARAMETERS, ids=lambda p: json.dumps(p) or "none")
def test_same_figures_as_the_grouped_queries(pipeline, settings, params):
    settings.CATALOGUE_BITMAPS = True
    filterset = statistics.statistics_filterset(params)
    assert statistics.Scope(filterset, datetime.date.today()).tally is not None
    fast, by_sql = both(settings, params)
    assert fast == by_sql


def test_the_dataset_exercises_every_figure(pipeline, settings):
    values = figures({"status": "all"})
    assert {row["key"] for row in values["by_status"]["rows"] if row["value"]} == {
        s.value for s in S if s != S.DRAFT
    }
    assert len(values["per_quarter"]["rows"]) > 8
    assert values["lead_times"]["count"] > 5
    coverage, rural = values["department_coverage"], values["rural_communes"]
    assert 0 < coverage["covered"] < coverage["total"]
    assert 0 < rural["covered"] < rural["total"]
    assert rows_of(values["by_collectivity_level"])["region"] > 0


def rows_of(value) -> dict:
    return {row["key"]: row["value"] for row in value["rows"]}


def test_quarters_are_read_in_the_local_time_zone(pipeline, settings):
    """An initiative published at 23:30 UTC on 31 March is of the second quarter in Paris,
    from the bitmaps as from TruncQuarter."""
    late_march = Initiative.objects.filter(
        status=S.PUBLISHED, published_at=datetime.datetime(2024, 3, 31, 23, 30, tzinfo=datetime.UTC)
    )
    assert late_march.exists()
    fast, by_sql = both(settings, {})
    assert fast["per_quarter"] == by_sql["per_quarter"]


def test_changes_refresh_the_statistics_in_place(pipeline, settings, monkeypatch):
    """A publication, a withdrawal and an edit recorded with their ids refresh the index
    without a full build: the lead organisation and the quarters follow."""
    from initiatives.selectors import catalogue_changed

    settings.CATALOGUE_BITMAPS = True
    bitmaps.forget()
    before = figures({"status": "all"})

    def no_build(*args):
        raise AssertionError("full build")

    monkeypatch.setattr(bitmaps, "build", no_build)
    submitted = Initiative.objects.filter(status=S.SUBMITTED).order_by("pk")
    published = Initiative.objects.filter(status=S.PUBLISHED).order_by("pk")
    newly, withdrawn, edited = submitted[0], published[0], published[1]
    Initiative.objects.filter(pk=newly.pk).update(
        status=S.PUBLISHED, published_at=datetime.datetime(2031, 1, 2, tzinfo=datetime.UTC)
    )
    catalogue_changed([newly.pk])
    Initiative.objects.filter(pk=withdrawn.pk).update(status=S.ARCHIVED)
    catalogue_changed([withdrawn.pk])
    other = f.OrganisationFactory(acronym="RFVE", name="Villes éducatrices")
    Initiative.objects.filter(pk=edited.pk).update(
        lead_organisation=other,
        submitted_at=datetime.datetime(2030, 5, 5, tzinfo=datetime.UTC),
    )
    catalogue_changed([edited.pk])
    for params in PARAMETERS:
        fast, by_sql = both(settings, params)
        assert (params, fast) == (params, by_sql)
    after = figures({"status": "all"})
    assert rows_of(after["by_partner"]).get("RFVE") == 1
    assert after["per_quarter"]["rows"][-1]["key"] == "2031-T1"
    assert after["by_status"] != before["by_status"]


def test_published_counts_need_no_query(pipeline, settings, django_assert_num_queries):
    """The published breakdowns and coverage come from the bitmaps; the other statuses are
    one statement shared by every figure; lead times and the plan keep their query."""
    settings.CATALOGUE_BITMAPS = True
    cache.clear()
    figures({"region": "53"})  # the index, the reference lists, the territories once
    filterset = statistics.statistics_filterset({"region": "84", "status": "all"})
    filterset.cleaned  # noqa: B018 - validate the filters (reference lists) first
    scope = statistics.Scope(filterset, datetime.date.today())
    expected = {
        "by_axis": 1,  # the other statuses' statement, read once for every figure
        "lead_times": 1,
        "late_actions": 1,
        "late_milestones": 1,
    }
    for name, figure in statistics.FIGURES.items():
        with django_assert_num_queries(expected.get(name, 0)):
            figure.compute(scope)


def test_without_the_index_each_figure_is_one_query(pipeline, settings, django_assert_num_queries):
    settings.CATALOGUE_BITMAPS = False
    filterset = statistics.statistics_filterset({"region": "84"})
    filterset.cleaned  # noqa: B018
    scope = statistics.Scope(filterset, datetime.date.today())
    assert scope.tally is None
    for figure in statistics.FIGURES.values():
        with django_assert_num_queries(1):
            figure.compute(scope)


def test_a_text_naming_a_territory_is_left_to_the_grouped_queries(pipeline, settings):
    """The bitmaps do not follow the hierarchy of a territory named by the text."""
    settings.CATALOGUE_BITMAPS = True
    name = Territory.objects.get(level="department", code="29").name
    filterset = statistics.statistics_filterset({"q": name, "status": "all"})
    assert statistics.Scope(filterset, datetime.date.today()).tally is None
    fast, by_sql = both(settings, {"q": name, "status": "all"})
    assert fast == by_sql
