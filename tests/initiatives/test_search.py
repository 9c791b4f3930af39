"""French full-text search on PostgreSQL: accents, stemming, ranking, typos, highlights."""

import pytest

from initiatives.models import Initiative
from initiatives.selectors import catalogue_search
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED


def found(q, **params):
    return [i.title for i in catalogue_search({"q": q, **params}).page.object_list]


@pytest.fixture
def corpus():
    lyon = f.CommuneFactory(code="69123", name="Lyon", population=520_000)
    quimper = f.CommuneFactory(
        code="29232",
        name="Quimper",
        parent=f.DepartmentFactory(
            code="29", name="Finistère", parent=f.RegionFactory(code="53", name="Bretagne")
        ),
    )
    make = f.InitiativeFactory
    return {
        "title": make(
            title="Le numérique éducatif au cœur des écoles",
            summary="Un plan d'équipement.",
            description="Des classes mobiles.",
            status=PUBLISHED,
            lead_collectivity=lyon,
        ),
        "body": make(
            title="Plan d'équipement des classes",
            summary="Des classes mobiles.",
            description="Un projet numérique ambitieux pour les élèves.",
            status=PUBLISHED,
            lead_collectivity=lyon,
        ),
        "tablets": make(
            title="Tablettes pour les collégiens",
            summary="Chaque élève de sixième reçoit un équipement.",
            status=PUBLISHED,
            lead_collectivity=quimper,
        ),
        "draft": make(
            title="Numérique secret en brouillon",
            summary="Non publié.",
            status=Initiative.Status.DRAFT,
            lead_collectivity=lyon,
        ),
    }


@pytest.mark.parametrize("q", ["numerique", "numérique", "NUMERIQUE", "Numérique"])
def test_search_is_accent_and_case_insensitive(corpus, q):
    assert set(found(q)) == {
        "Le numérique éducatif au cœur des écoles",
        "Plan d'équipement des classes",
    }


def test_search_stems_french_plurals(corpus):
    assert found("tablette") == ["Tablettes pour les collégiens"]
    assert "Le numérique éducatif au cœur des écoles" in found("ecole")


def test_a_title_match_ranks_above_a_body_match(corpus):
    assert found("numérique") == [
        "Le numérique éducatif au cœur des écoles",
        "Plan d'équipement des classes",
    ]


def test_search_finds_territory_and_region_names(corpus):
    assert found("Quimper") == ["Tablettes pour les collégiens"]
    assert found("bretagne") == ["Tablettes pour les collégiens"]


def test_search_tolerates_a_typo_in_a_title(corpus):
    result = catalogue_search({"q": "tablete"})
    assert [i.title for i in result.page.object_list] == ["Tablettes pour les collégiens"]


def test_search_tolerates_a_typo_in_a_territory_name(corpus):
    result = catalogue_search({"q": "Quimpr"})
    assert [i.title for i in result.page.object_list] == ["Tablettes pour les collégiens"]
    assert result.approximate


def test_search_never_returns_unpublished_content(corpus):
    assert "Numérique secret en brouillon" not in found("secret")
    assert found("brouillon") == []


def test_highlighted_excerpt_marks_the_matching_words(corpus):
    result = catalogue_search({"q": "sixième"})
    (initiative,) = result.page.object_list
    assert "<mark>sixième</mark>" in initiative.headline


def test_search_syntax_is_inert(corpus):
    for q in ['"numérique', "numérique OR", "-", "&&||!!", "'); DROP TABLE x; --", ":*"]:
        catalogue_search({"q": q})  # no exception
    assert Initiative.objects.count() == 4


def test_search_combines_with_filters(corpus):
    assert found("équipement", region="53") == ["Tablettes pour les collégiens"]
