"""The catalogue's territory filter follows the hierarchy (inside / covering / both), the
full-text search finds what a territory's parents and children lead, and bad input gives a
clear message, never a 500. Only published initiatives are ever listed or counted."""

import pytest

from initiatives.catalogue.selectors import catalogue_search
from tests.initiatives.catalogue.territory_support import build_world, titles_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


def listed(params) -> list[str]:
    result = catalogue_search(params, page_size=50)
    titles = [i.title for i in result.page.object_list]
    assert result.count == len(titles)  # the count shown agrees with the list
    return titles


@pytest.mark.parametrize(
    ("territory", "scope", "expected"),
    [
        ("commune-63113", "inside", ("clermont", "villeurbanne")),
        ("commune-63113", "covering", ("metro", "puy", "region")),
        ("commune-63113", "all", ("clermont", "villeurbanne", "metro", "puy", "region")),
        ("commune-63113", "", ("clermont", "villeurbanne", "metro", "puy", "region")),
        ("epci-246300701", "inside", ("clermont", "aubiere", "metro", "villeurbanne")),
        ("epci-246300701", "covering", ("puy", "region")),
        ("departement-63", "inside", ("clermont", "aubiere", "metro", "puy", "villeurbanne")),
        ("departement-63", "covering", ("region",)),
        (
            "region-84",
            "inside",
            ("clermont", "aubiere", "metro", "puy", "region", "lyon", "villeurbanne"),
        ),
        ("region-84", "covering", ()),
        ("commune-63430", "inside", ()),
        ("commune-63430", "all", ("puy", "region")),
        ("commune-2A004", "all", ("ajaccio",)),
        ("departement-2A", "inside", ("ajaccio",)),
    ],
)
def test_territory_filter_follows_the_hierarchy(world, territory, scope, expected):
    params = {"territory": territory}
    if scope:
        params["territory_scope"] = scope
    assert set(listed(params)) == titles_of(world, *expected)


def test_initiatives_inside_come_first_then_those_covering(world):
    titles = listed({"territory": "commune-63113"})
    inside = titles_of(world, "clermont", "villeurbanne")
    assert set(titles[:2]) == inside
    assert not inside & set(titles[2:])


def test_a_name_or_an_insee_code_is_resolved(world):
    by_name = listed({"territory": "clermont-ferrand", "territory_scope": "inside"})
    by_code = listed({"territory": "63113", "territory_scope": "inside"})
    assert set(by_name) == set(by_code) == titles_of(world, "clermont", "villeurbanne")
    result = catalogue_search({"territory": "Clermont-Ferrand"})
    assert result.filterset.territory == world["t"]["clermont"]
    assert result.filterset.applied_territory()["key"] == "commune-63113"


def test_full_text_finds_what_the_parents_of_the_named_territory_lead(world):
    titles = set(listed({"q": "Clermont-Ferrand"}))
    assert titles_of(world, "metro", "clermont") <= titles
    assert "Brouillon secret à Clermont" not in titles
    assert titles_of(world, "lyon", "ajaccio").isdisjoint(titles)


def test_full_text_on_a_département_finds_what_its_communes_lead(world):
    titles = set(listed({"q": "Puy-de-Dôme"}))
    assert titles_of(world, "clermont", "aubiere", "metro", "puy") <= titles


def test_facets_count_only_published_initiatives_of_the_territory(world):
    result = catalogue_search({"territory": "epci-246300701", "territory_scope": "inside"})
    axes = {o["value"]: o["count"] for o in result.facets["axis"].options}
    assert axes["1"] == 2  # Clermont, Villeurbanne (covering Clermont)
    assert axes["3"] == 1
    assert axes["5"] == 1  # the métropole's draft and submitted ones are not counted
    assert result.count == 4


@pytest.mark.parametrize(
    "value",
    [
        "commune-99999",
        "departement-975",
        "region-xx",
        "Atlantide",
        "x" * 500,
        "Saint-\x00Denis",
        "%%%' OR 1=1 --",
    ],
)
def test_bad_territories_are_reported_not_a_500(client, world, value):
    response = client.get("/initiatives/", {"territory": value})
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert errors
    # the parameter is ignored: every published initiative is listed, nothing more
    assert response.context["result"].count == 8


def test_an_ambiguous_name_offers_the_candidates(client, world):
    response = client.get("/initiatives/", {"territory": "Clermont"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Plusieurs territoires correspondent" in body
    assert "Clermont-Ferrand" in body
    assert "territory=commune-63113" in body


def test_catalogue_page_shows_the_territory_chosen(client, world):
    response = client.get("/initiatives/", {"territory": "commune-63113"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Clermont-Ferrand — commune (63113)" in body
    assert "Aussi les initiatives qui le couvrent" in body


# -- postcodes and former codes --------------------------------------------------------------


@pytest.fixture
def coded_world(world):
    """The world, and real communes with their postcodes and former codes."""
    from tests.referentials.alias_support import add_coded_communes

    add_coded_communes()
    return world


def test_a_postcode_selects_its_commune(coded_world):
    by_postcode = listed({"territory": "63000"})
    assert by_postcode == listed({"territory": "commune-63113"})
    result = catalogue_search({"territory": "63000"})
    assert result.filterset.applied_territory()["key"] == "commune-63113"
    assert catalogue_search({"territory": "20000"}).filterset.territory.code == "2A004"


def test_a_postcode_of_several_communes_offers_them(client, coded_world):
    response = client.get("/initiatives/", {"territory": "63170"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Plusieurs territoires correspondent à « 63170 »" in body
    assert "territory=commune-63014" in body and "territory=commune-63272" in body
    assert "code postal 63170" in body
    assert response.context["result"].count == 8  # the filter is not applied


def test_a_former_commune_stands_for_the_commune_it_is_part_of(coded_world):
    # A key saved before the merger, and the legacy commune filter, follow the commune nouvelle.
    result = catalogue_search({"territory": "commune-20004"})
    assert result.filterset.applied_territory()["key"] == "commune-2A004"
    assert set(listed({"territory": "commune-20004"})) == titles_of(coded_world, "ajaccio")
    assert set(listed({"commune": "20004"})) == titles_of(coded_world, "ajaccio")
    assert set(listed({"commune": "2A004"})) == titles_of(coded_world, "ajaccio")
    assert listed({"commune": "01340"}) == []  # Arboys en Bugey leads nothing here
