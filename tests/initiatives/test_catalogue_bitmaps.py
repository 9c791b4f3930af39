"""The catalogue from per-process bitmaps (initiatives/catalogue/bitmaps.py): the same counts,
facets and order as the SQL it replaces, never an unpublished initiative, and fresh on every
web process after a write made on another."""

import datetime
import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.paginator import EmptyPage
from django.db import connection, transaction

from initiatives.catalogue import bitmaps
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED
BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere)
    places = [ara, bre, rhone, finistere, lyon, brest]
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
        initiative.territories.set(rng.sample([lyon, brest], rng.randint(0, 1)))
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


@pytest.mark.parametrize("params", PARAMETERS, ids=lambda p: json.dumps(p) or "none")
def test_same_counts_facets_and_order_as_sql(catalogue, settings, db, params):
    settings.CATALOGUE_BITMAPS = False
    by_sql = [answer(params, page) for page in (1, 2, 3)]
    settings.CATALOGUE_BITMAPS = True
    from django.core.cache import cache

    cache.clear()  # the counts of the SQL answer are cached: compute them again
    by_bitmaps = [answer(params, page) for page in (1, 2, 3)]
    assert by_bitmaps == by_sql
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


def test_a_publication_rebuilds_the_index(catalogue, settings, db):
    from initiatives.selectors import catalogue_changed

    settings.CATALOGUE_BITMAPS = True
    before = answer({})[0]
    draft = next(i for i in catalogue if i.status == Initiative.Status.DRAFT)
    Initiative.objects.filter(pk=draft.pk).update(
        status=PUBLISHED, published_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    catalogue_changed()
    count, _facets, slugs = answer({})
    assert count == before + 1
    assert slugs[0] == draft.slug


# -- two web processes ----------------------------------------------------------------------

NODE = """
import json, sys
import django
django.setup()
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from initiatives.services import initiative_transition
from members.models import User

for line in sys.stdin:
    command = json.loads(line)
    if command["do"] == "search":
        result = catalogue_search(command["params"], page_size=100)
        answer = {
            "count": result.count,
            "slugs": [row.slug for row in result.page.object_list],
            "axis": {o["value"]: o["count"] for o in result.facets["axis"].options},
        }
    else:
        initiative = Initiative.objects.get(pk=command["pk"])
        reviewer = User.objects.get(pk=command["by"])
        initiative_transition(initiative=initiative, name=command["do"], by=reviewer)
        answer = {"done": True}
    print(json.dumps(answer), flush=True)
"""


class Node:
    """Another web process on the same database and the same shared cache (Redis)."""

    def __init__(self, env):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", NODE],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the other process stopped"
        return json.loads(line)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.mark.django_db(transaction=True)
def test_every_process_is_right_after_a_write_on_another(settings, reviewer):
    redis_url = os.environ.get("REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("Deux processus partagent PostgreSQL et Redis (DATABASE_URL, REDIS_URL).")
    prefix = f"cnpe-test-bitmaps-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.CATALOGUE_BITMAPS = True
    published = f.InitiativeFactory(
        title="Robotique au collège", status=PUBLISHED, axes=[f.axis(2)]
    )
    waiting = f.InitiativeFactory(
        title="Robotique en attente", status=Initiative.Status.IN_REVIEW, axes=[f.axis(4)]
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "committee.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
            f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "CATALOGUE_BITMAPS": "true",
    }
    other = Node(env)
    try:
        # Both processes build their index and agree.
        mine = answer({"q": "robotique"})
        assert mine[0] == 1
        assert other.ask(do="search", params={"q": "robotique"})["count"] == 1

        # Published on the other process: this one sees it at once.
        other.ask(do="publish", pk=waiting.pk, by=reviewer.pk)
        count, facets, slugs = answer({"q": "robotique"})
        assert count == 2
        assert waiting.slug in slugs
        assert facets["axis"]["4"] == 1

        # Withdrawn here: the other process never shows it again.
        from initiatives.services import initiative_transition

        waiting.refresh_from_db()
        initiative_transition(initiative=waiting, name="archive", by=reviewer)
        theirs = other.ask(do="search", params={"q": "robotique"})
        assert theirs["count"] == 1
        assert theirs["slugs"] == [published.slug]
        assert theirs["axis"].get("4") == 0
    finally:
        other.stop()
        from django.core.cache import cache

        cache.delete_pattern("*")  # this test's prefix only
