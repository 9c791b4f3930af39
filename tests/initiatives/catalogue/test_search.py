"""French full-text search on PostgreSQL: accents, stemming, ranking, typos, highlights."""

import datetime

import pytest
from django.core.paginator import EmptyPage
from django.utils import timezone

from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives
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


def test_no_close_spellings_when_the_words_match_outside_the_criteria(corpus):
    """ "Quimper" is found (in Finistère): nothing in Morbihan is no typo. The initiative of
    Quimperlé, close in spelling, is not offered as an approximate answer."""
    from referentials.models import Territory

    bretagne = Territory.objects.get(level=Territory.Level.REGION, code="53")
    morbihan = f.DepartmentFactory(code="56", name="Morbihan", parent=bretagne)
    quimperle = f.CommuneFactory(code="29233", name="Quimperlé", parent=morbihan)
    f.InitiativeFactory(
        title="Ateliers de robotique",
        summary="Pour tous.",
        status=PUBLISHED,
        lead_collectivity=quimperle,
    )
    result = catalogue_search({"q": "Quimper", "department": "56"})
    assert (result.count, result.approximate, list(result.page.object_list)) == (0, False, [])
    # A word found nowhere still gets the close spellings, under the same criteria.
    result = catalogue_search({"q": "Quimperlay", "department": "56"})
    assert result.approximate
    assert [i.title for i in result.page.object_list] == ["Ateliers de robotique"]


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


@pytest.fixture
def tiers():
    """Three initiatives for each place "robotique" can be: the title, the summary, the body;
    published on different days so that the order inside a tier shows."""
    now = timezone.now()
    rows = {}
    for tier, (field, text) in enumerate(
        [("title", "Robotique"), ("summary", "Des robots"), ("description", "Des robots")]
    ):
        for age in range(3):
            values = {
                "title": f"Atelier {tier}-{age}",
                "summary": "Un atelier.",
                "description": "Un atelier.",
                field: f"{text} : atelier {tier}-{age}" if field == "title" else "robotique",
            }
            rows[(tier, age)] = f.InitiativeFactory(
                status=PUBLISHED,
                published_at=now - datetime.timedelta(days=age * 10 + tier),
                **values,
            )
    return rows


def test_relevance_is_title_then_summary_then_body_newest_first(tiers):
    expected = [tiers[(tier, age)].pk for tier in range(3) for age in range(3)]
    result = catalogue_search({"q": "robotique"})
    assert [i.pk for i in result.page.object_list] == expected
    assert result.count == 9


@pytest.mark.parametrize("page_size", [1, 2, 4])
def test_relevance_pages_follow_each_other_across_tiers(tiers, page_size):
    """Pages cut through the tiers anywhere and still list every match once, in order."""
    expected = [tiers[(tier, age)].pk for tier in range(3) for age in range(3)]
    seen = []
    for number in range(1, 10 // page_size + 2):
        try:
            page = catalogue_search({"q": "robotique"}, page_number=number, page_size=page_size)
        except EmptyPage:
            break
        seen += [i.pk for i in page.page.object_list]
    assert seen == expected


def test_relevance_pages_agree_with_the_full_ordering(tiers):
    """The exports and the API order every match as the pages do."""
    filterset = CatalogueFilterSet({"q": "robotique"}, queryset=published_initiatives())
    ordered = list(filterset.ordered(filterset.qs).values_list("pk", flat=True))
    assert ordered == [tiers[(tier, age)].pk for tier in range(3) for age in range(3)]


def test_a_negated_word_excludes_from_every_tier(tiers):
    tiers[(0, 0)].description = "Avec des drones."
    tiers[(0, 0)].save()
    result = catalogue_search({"q": "robotique -drones"})
    assert tiers[(0, 0)].pk not in [i.pk for i in result.page.object_list]
    assert result.count == 8


def test_sort_by_date_or_title_overrides_relevance(tiers):
    newest = catalogue_search({"q": "robotique", "sort": "newest"}).page.object_list
    assert [i.pk for i in newest][:3] == [tiers[(0, 0)].pk, tiers[(1, 0)].pk, tiers[(2, 0)].pk]
    by_title = catalogue_search({"q": "robotique", "sort": "title"}).page.object_list
    assert [i.title for i in by_title] == sorted(i.title for i in by_title)


def test_a_highlighted_excerpt_shows_markup_of_the_summary_as_text(client, db):
    f.InitiativeFactory(
        title="Ateliers",
        summary='Un atelier <img src=x onerror="alert(1)"> pour les sixièmes, 5 < 6 & "1 > 0".',
        status=PUBLISHED,
    )
    body = client.get("/initiatives/", {"q": "sixièmes"}).content.decode()
    assert "<mark>sixièmes</mark>" in body
    assert "<img src=x" not in body and 'onerror="alert(1)"' not in body
    assert "5 &lt; 6 &amp; &quot;1 &gt; 0&quot;" in body
