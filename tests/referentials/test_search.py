"""Finding a commune by postcode or by a former code, besides its name and INSEE code:
every match offered (the INSEE code first), a unique one resolved, at most two queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referentials.search import resolve_territory, territory_search
from tests.referentials.alias_support import add_coded_communes

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return add_coded_communes()


def found(query):
    return [(t.code, t.match_note) for t in territory_search(query)]


@pytest.mark.parametrize(
    ("postcode", "code", "name"),
    [
        ("33000", "33063", "Bordeaux"),
        ("63000", "63113", "Clermont-Ferrand"),
        ("20000", "2A004", "Ajaccio"),  # Corsica: digits in the postcode, 2A in the code
        ("97400", "97411", "Saint-Denis"),  # La Réunion's, not Seine-Saint-Denis's
    ],
)
def test_a_postcode_finds_and_resolves_its_commune(communes, postcode, code, name):
    assert found(postcode)[0] == (code, f"code postal {postcode}")
    resolution = resolve_territory(postcode)
    assert (resolution.territory.code, resolution.territory.name) == (code, name)


def test_a_shared_postcode_offers_every_commune(communes):
    assert {code for code, _note in found("63170")} == {"63014", "63272"}
    resolution = resolve_territory("63170")
    assert resolution.territory is None
    assert {c.code for c in resolution.candidates} == {"63014", "63272"}
    assert "Plusieurs territoires correspondent à « 63170 »" in resolution.error


def test_an_insee_code_that_is_also_a_postcode_comes_first(communes):
    # 01100: Cheignieu-la-Balme's INSEE code, and Oyonnax's postcode (more populated).
    assert found("01100") == [("01100", ""), ("01283", "code postal 01100")]
    assert {c.code for c in resolve_territory("01100").candidates} == {"01100", "01283"}
    assert resolve_territory("33063").territory == communes["33063"]


def test_postcodes_come_before_former_codes(communes):
    # 75001: Paris's postcode, and Alfortville's code when it was in the Seine (before 1968).
    assert found("75001") == [("75056", "code postal 75001"), ("94002", "ancien code INSEE 75001")]
    assert found("01340")[-1] == ("01015", "ancien code INSEE 01340 (Saint-Bois)")


def test_a_former_code_or_an_arrondissement_resolves_to_the_commune_now(communes):
    assert resolve_territory("20004").territory == communes["2A004"]  # Corsica before 1976
    assert resolve_territory("75101").territory == communes["75056"]
    assert found("75101") == [("75056", "code INSEE 75101 (Paris 1er Arrondissement)")]


def test_names_and_code_prefixes_are_found_as_before(communes):
    assert [t.code for t in territory_search("saint-denis")][:2] == ["97411", "93066"]
    assert {t.code for t in territory_search("01")} >= {"01", "01015", "01283"}
    assert territory_search("Bordeaux")[0].match_note == ""


@pytest.mark.parametrize("query", ["33000", "01340", "75101", "99999", "2A004", "33", "bord"])
def test_two_queries_at_most_whatever_the_code(communes, query):
    with CaptureQueriesContext(connection) as queries:
        territory_search(query)
    assert len(queries) <= 2


@pytest.mark.parametrize(
    "query",
    ["99999", "0" * 5000, "33000\x00", "3300\u200b0", "🏰🏰🏰🏰🏰", "33 000", "%_%_%", "2a004"],
)
def test_odd_input_finds_nothing_or_something_never_fails(communes, query):
    results = territory_search(query)
    assert len(results) <= 50
    resolve_territory(query)
