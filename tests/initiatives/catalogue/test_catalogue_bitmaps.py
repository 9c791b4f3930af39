"""The catalogue from per-process bitmaps (initiatives/catalogue/bitmaps.py): the same counts,
facets and order as the SQL it replaces, never an unpublished initiative, refreshed in place
after a change (two processes: test_catalogue_bitmaps_nodes.py)."""

import datetime
import json
import random
from pathlib import Path

import pytest
from django.core.paginator import EmptyPage
from django.db import transaction

from initiatives.catalogue import bitmaps
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from referentials.models import Territory
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED
BASE_DIR = Path(__file__).resolve().parents[3]

WORDS = ["tablettes", "robotique", "fibre", "inclusion", "podcast", "ENT"]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Sixty initiatives over two régions, every facet mixed, words in titles, summaries and
    descriptions, some unpublished; published_at ties broken by id. Built once for the
    module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _catalogue()
        transaction.set_rollback(True)


def _catalogue():
    association = f.OrganisationFactory(acronym="AMF", name="Association des maires")
    other_association = f.OrganisationFactory(acronym="ADF", name="Assemblée des départements")
    rng = random.Random(14)
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne")
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre)
    metropole = Territory.objects.create(
        level=Territory.Level.EPCI,
        code="200046977",
        name="Métropole de Lyon",
        parent=rhone,
        region_code="84",
        department_code="69",
        population=1_400_000,
        epci_kind="ME",
    )
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, epci=metropole)
    villeurbanne = f.CommuneFactory(code="69266", name="Villeurbanne", parent=rhone, epci=metropole)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere)
    places = [ara, bre, rhone, finistere, metropole, lyon, villeurbanne, brest]
    crcn = f.ReferentialFactory(slug="crcn")
    items = [f.ReferentialItemFactory(referential=crcn, code=c) for c in ("2.3", "3.1")]
    levels = [f.school_level("college"), f.school_level("elementaire")]
    organisations = [association, other_association]
    moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    statuses = [PUBLISHED] * 5 + [Initiative.Status.DRAFT, Initiative.Status.ARCHIVED]
    made = []
    for n in range(60):
        status = rng.choice(statuses)
        word, other = rng.sample(WORDS, 2)
        initiative = f.InitiativeFactory(
            title=f"{word.capitalize()} {n}" if n % 3 else f"Projet {n}",
            summary=f"Un projet de {other} et de {word}." if n % 2 else "Un projet.",
            description=f"Avec {rng.choice(WORDS)}.",
            lead_collectivity=rng.choice(places),
            lead_organisation=rng.choice(organisations),
            start_date=datetime.date(rng.choice([2019, 2021, 2023]), 9, 1),
            status=status,
            published_at=moment - datetime.timedelta(days=n % 7) if status != "draft" else None,
            axes=[f.axis(a) for a in rng.sample(range(1, 7), rng.randint(1, 3))],
        )
        initiative.school_levels.set(rng.sample(levels, rng.randint(0, 2)))
        initiative.referential_items.set(rng.sample(items, rng.randint(0, 1)))
        initiative.partners.set(rng.sample(organisations, rng.randint(0, 1)))
        initiative.territories.set(rng.sample([lyon, villeurbanne, brest], rng.randint(0, 2)))
        made.append(initiative)
    return made


PARAMETERS = [
    {},
    {"axis": "5"},
    {"region": "84"},
    {"department": "29"},
    {"commune": "69123"},
    {"collectivity": "commune"},
    {"school_level": "college"},
    {"item": "2.3"},
    {"partner": "adf"},
    {"year": "2021"},
    {"axis": "1", "region": "53"},
    {"department": "69", "school_level": "elementaire", "year": "2023"},
    {"collectivity": "region", "partner": "AMF", "item": "3.1"},
    {"q": "tablettes"},
    {"q": "robotique", "region": "84"},
    {"q": "fibre podcast"},
    {"q": "inclusion", "axis": "2", "sort": "newest"},
    {"q": "ent", "sort": "title"},
    {"sort": "title", "axis": "3"},
    {"q": "apiculture"},
    {"axis": "5", "region": "84", "item": "nothing"},
    # The territorial hierarchy (territory_sets.py): inside, covering, both, local first.
    {"territory": "commune-69123"},
    {"territory": "commune-69266", "territory_scope": "inside"},
    {"territory": "commune-29019", "territory_scope": "covering"},
    {"territory": "epci-200046977", "axis": "2"},
    {"territory": "epci-200046977", "territory_scope": "covering", "sort": "title"},
    {"territory": "departement-69", "territory_scope": "all"},
    {"territory": "region-53", "territory_scope": "inside", "school_level": "college"},
    {"territory": "region-84", "territory_scope": "covering"},
    {"territory": "Brest", "q": "tablettes"},
    {"territory_scope": "inside"},
]


def answer(params, page_number=1):
    try:
        result = catalogue_search(params, page_number=page_number, page_size=7)
    except EmptyPage:
        return "EmptyPage"
    facets = {
        name: {o["value"]: o["count"] for o in facet.options}
        for name, facet in result.facets.items()
    }
    return result.count, facets, [row.slug for row in result.page.object_list]


def cards(params, page_number=1):
    """What each card shows: read by one statement from the bitmaps' ids (card_rows), by the
    ORM otherwise."""
    try:
        page = catalogue_search(params, page_number=page_number).page
    except EmptyPage:
        return None
    return [(row.title, row.card, getattr(row, "headline", None)) for row in page.object_list]


@pytest.mark.parametrize("params", PARAMETERS, ids=lambda p: json.dumps(p) or "none")
def test_same_counts_facets_and_order_as_sql(catalogue, settings, db, params):
    settings.CATALOGUE_BITMAPS = False
    by_sql = [answer(params, page) for page in (1, 2, 3)]
    settings.CATALOGUE_BITMAPS = True
    from django.core.cache import cache

    cache.clear()  # the counts of the SQL answer are cached: compute them again
    by_bitmaps = [answer(params, page) for page in (1, 2, 3)]
    assert by_bitmaps == by_sql
    settings.CATALOGUE_BITMAPS = False
    cards_by_sql = [cards(params, page) for page in (1, 2)]
    settings.CATALOGUE_BITMAPS = True
    assert [cards(params, page) for page in (1, 2)] == cards_by_sql
    assert bitmaps.catalogue_index() is not None


def test_deep_page_is_the_same_slice(catalogue, settings, db):
    settings.CATALOGUE_BITMAPS = True
    count = answer({})[0]
    slugs = [slug for page in range(1, (count + 6) // 7 + 1) for slug in answer({}, page)[2]]
    expected = list(
        Initiative.objects.filter(status=PUBLISHED)
        .order_by("-published_at", "-pk")
        .values_list("slug", flat=True)
    )
    assert slugs == expected


def test_a_stale_index_never_shows_an_unpublished_initiative(catalogue, settings, db):
    settings.CATALOGUE_BITMAPS = True
    count, _facets, slugs = answer({})
    withdrawn = Initiative.objects.get(slug=slugs[0])
    # Withdrawn behind the catalogue's back: the version is not bumped, the index is stale.
    Initiative.objects.filter(pk=withdrawn.pk).update(status=Initiative.Status.ARCHIVED)
    index = bitmaps.catalogue_index()
    assert index.ranks[withdrawn.pk] >= 0  # still in this process's (stale) index
    for params in ({}, {"q": withdrawn.title.split()[0]}, {"region": withdrawn.region_code}):
        for page in (1, 2):
            assert withdrawn.slug not in answer(params, page)[2]
    response_slugs = answer({})[2]
    assert withdrawn.slug not in response_slugs


@pytest.mark.parametrize("min_docs", [1, 1000], ids=lambda n: f"min_docs={n}")
def test_changes_are_applied_without_reading_everything_again(
    catalogue, settings, db, monkeypatch, min_docs
):
    """Publications, withdrawals and edits recorded with their ids refresh the index in
    place (no full build), with the same answers as the SQL afterwards; the words held in
    memory (min_docs=1: all of them) follow an edited title."""
    from initiatives.selectors import catalogue_changed

    settings.CATALOGUE_BITMAPS = True
    settings.CATALOGUE_LEXEME_MIN_DOCS = min_docs
    bitmaps.forget()
    before = answer({})[0]
    assert bitmaps.catalogue_index() is not None

    def no_build(*args):
        raise AssertionError("full build")

    monkeypatch.setattr(bitmaps, "build", no_build)
    drafts = [i for i in catalogue if i.status == Initiative.Status.DRAFT]
    shown = Initiative.objects.filter(status=PUBLISHED).order_by("-published_at", "-pk")
    withdrawn, edited = shown[3], shown[10]
    for n, draft in enumerate(drafts[:2]):
        Initiative.objects.filter(pk=draft.pk).update(
            status=PUBLISHED, published_at=datetime.datetime(2030, 1, 1 + n, tzinfo=datetime.UTC)
        )
    catalogue_changed([d.pk for d in drafts[:2]])
    Initiative.objects.filter(pk=withdrawn.pk).update(status=Initiative.Status.ARCHIVED)
    catalogue_changed([withdrawn.pk])
    edited.axes.set([f.axis(6)])
    Initiative.objects.filter(pk=edited.pk).update(title="Tablettes et apiculture")
    catalogue_changed([edited.pk])

    count, _facets, slugs = answer({})
    assert count == before + 1
    assert slugs[:2] == [drafts[1].slug, drafts[0].slug]
    by_bitmaps = {json.dumps(p): [answer(p, n) for n in (1, 2)] for p in PARAMETERS}
    settings.CATALOGUE_BITMAPS = False
    from django.core.cache import cache

    cache.clear()
    by_sql = {json.dumps(p): [answer(p, n) for n in (1, 2)] for p in PARAMETERS}
    for key, expected in by_sql.items():
        for mine, theirs in zip(by_bitmaps[key], expected, strict=True):
            if isinstance(theirs, str):  # EmptyPage
                assert mine == theirs
                continue
            assert (key, mine[0]) == (key, theirs[0])
            assert (key, mine[2]) == (key, theirs[2])
            for facet in mine[1]:
                assert (key, facet, mine[1][facet]) == (key, facet, theirs[1][facet])


def test_a_change_of_unknown_extent_reads_everything_again(catalogue, settings, db):
    from initiatives.selectors import catalogue_changed

    settings.CATALOGUE_BITMAPS = True
    first = bitmaps.catalogue_index()
    catalogue_changed()  # a territory reload: anything may have changed
    again = bitmaps.catalogue_index()
    assert again is not first
    assert again.top == {}
    assert len(again.ids) == Initiative.objects.filter(status=PUBLISHED).count()


def page_figures(territory):
    from committee.public.territories import territory_page

    page = territory_page(territory)
    groups = [page.inside] + ([page.covering] if page.covering else [])
    return {
        "groups": [
            (
                g.scope,
                g.count,
                [i.slug for i in g.initiatives],
                [(o["value"], o["count"]) for o in g.axes],
                [(o["value"], o["count"]) for o in g.school_levels],
                [(o["value"], o["count"]) for o in g.partners],
                g.departments,
            )
            for g in groups
        ],
        "similar": [(row["territory"].code, row["count"]) for row in page.similar],
        "actions": [action.code for action in page.actions],
    }


def test_territory_pages_have_the_same_figures_from_the_bitmaps(catalogue, settings, db):
    """Every figure of a territory page (both groups, their facets and latest initiatives,
    similar territories, the plan's actions) is the same from the bitmaps as from SQL."""
    published = [i for i in catalogue if i.status == PUBLISHED]
    f.ActionFactory(code="A1").initiatives.set(published[:3])
    f.ActionFactory(code="A2").initiatives.set(published[-2:])
    places = Territory.objects.order_by("level", "code")
    settings.CATALOGUE_BITMAPS = False
    by_sql = {t.code: page_figures(t) for t in places}
    settings.CATALOGUE_BITMAPS = True
    by_bitmaps = {t.code: page_figures(t) for t in places}
    assert bitmaps.catalogue_index() is not None
    assert by_bitmaps == by_sql
    assert any(figures["similar"] for figures in by_sql.values())
    assert any(figures["actions"] for figures in by_sql.values())


@pytest.mark.parametrize(
    "params",
    [p for p in PARAMETERS if "q" not in p and "item" not in p],
    ids=lambda p: json.dumps(p) or "none",
)
def test_api_list_pages_are_the_same_from_the_bitmaps(catalogue, settings, client, params):
    """The API reads its pages' ids from the bitmaps too: same rows, same order."""
    from django.core.cache import cache

    def slugs():
        cache.clear()
        pages = []
        for page in (1, 2):
            response = client.get("/api/v1/initiatives/", {**params, "page_size": 7, "page": page})
            if response.status_code == 404:  # beyond the last page
                break
            assert response.status_code == 200, response.content[:300]
            pages.append([row["slug"] for row in response.json()["results"]])
        return pages

    settings.CATALOGUE_BITMAPS = False
    by_sql = slugs()
    settings.CATALOGUE_BITMAPS = True
    assert slugs() == by_sql
    nothing_above = params.get("territory_scope") == "covering" and "region" in params["territory"]
    assert bool(by_sql and by_sql[0]) != nothing_above  # a région: nothing covers it


SEARCHES = [
    {"q": "tablettes"},
    {"q": "robotique", "region": "84"},
    {"q": "fibre podcast"},
    {"q": "tablettes -robotique"},
    {"q": "tablettes or fibre", "axis": "2"},
    {"q": "-inclusion"},
    {"q": "projet ENT", "sort": "newest"},
    {"q": '"projet de tablettes"'},  # a phrase: left to SQL
    {"q": "le la"},  # stop words only
    {"q": "tablettes", "territory": "commune-69123"},
]


@pytest.mark.parametrize("min_docs", [1, 4, 1000], ids=lambda n: f"min_docs={n}")
def test_full_text_from_memory_is_the_same_as_sql(catalogue, settings, db, min_docs):
    """Frequent words from the index's lexeme bitmaps (all of them, some, none): the same
    matches, tiers, facets and pages as the SQL search."""
    from django.core.cache import cache

    from initiatives.catalogue import lexemes

    settings.CATALOGUE_BITMAPS = False
    by_sql = {json.dumps(p): [answer(p, n) for n in (1, 2)] for p in SEARCHES}
    settings.CATALOGUE_BITMAPS = True
    settings.CATALOGUE_LEXEME_MIN_DOCS = min_docs
    bitmaps.forget()
    cache.clear()
    index = bitmaps.catalogue_index()
    held = len(index.values[lexemes.LEXEME])
    assert (held > 5) if min_docs < 1000 else held == 0
    by_bitmaps = {json.dumps(p): [answer(p, n) for n in (1, 2)] for p in SEARCHES}
    assert by_bitmaps == by_sql
    assert sum(1 for pages in by_sql.values() if pages[0] != "EmptyPage" and pages[0][0]) >= 7


def test_the_query_parser_leaves_phrases_and_prefixes_to_sql():
    from initiatives.catalogue import lexemes

    tree = lexemes.parse("'tablet' & !'robot' | ( 'fibr' & 'l''ecol' )")
    assert tree.op == "or" and tree.words() == {"tablet", "robot", "fibr", "l'ecol"}
    for text in ("'ecol' <-> 'numer'", "'tabl':*", "'a':A", "", "'a' &", "('a'"):
        with pytest.raises(lexemes.Unsupported):
            lexemes.parse(text)


class RecordingLog:
    def __init__(self):
        self.lines = []

    def info(self, message, *args):
        self.lines.append(("info", message % args))

    def warning(self, message, *args):
        self.lines.append(("warning", message % args))


def test_gunicorn_builds_the_index_before_forking_its_workers(catalogue, settings, monkeypatch):
    """gunicorn.conf.py: the master builds the index, then closes its connections (a
    forked worker opens its own); a failure is logged and the workers build it later."""
    from django.db import connections

    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    settings.CATALOGUE_BITMAPS = True
    bitmaps.forget()
    log = RecordingLog()
    bitmaps.prebuild(log=log)
    published = Initiative.objects.filter(status=PUBLISHED).count()
    assert bitmaps.catalogue_index() is not None
    assert closed == [True]
    assert log.lines[0][0] == "info" and f"{published} initiatives publiées" in log.lines[0][1]

    bitmaps.forget()

    def down():
        raise ConnectionError("base de données injoignable")

    monkeypatch.setattr(bitmaps, "catalogue_index", down)
    log = RecordingLog()
    bitmaps.prebuild(log=log)  # no exception: gunicorn starts anyway
    assert closed == [True, True]
    assert log.lines[0][0] == "warning" and "injoignable" in log.lines[0][1]
    config = (BASE_DIR / "gunicorn.conf.py").read_text()
    assert "preload_app = True" in config and "prebuild(" in config
