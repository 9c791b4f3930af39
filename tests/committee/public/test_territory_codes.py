"""Territories found by postcode, and former communes' addresses: the autocomplete, the
search without JavaScript, the permanent redirect of a merged commune or an arrondissement
to the commune it is part of now; unknown or odd codes stay a clear 404, never a 500."""

import pytest

from tests.referentials.alias_support import add_coded_communes

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return add_coded_communes()


def suggestions(client, query):
    response = client.get("/territoires/recherche.json", {"q": query})
    assert response.status_code == 200
    return response.json()["results"]


def test_autocomplete_finds_a_commune_by_postcode_and_says_why(client, communes):
    [bordeaux] = suggestions(client, "33000")
    assert bordeaux["url"] == "/territoires/communes/33063-bordeaux/"
    assert bordeaux["label"] == "Bordeaux — commune (33063)"
    assert bordeaux["match"] == "code postal 33000"
    assert suggestions(client, "33063")[0]["match"] == ""
    assert {r["code"] for r in suggestions(client, "63170")} == {"63014", "63272"}
    assert [r["code"] for r in suggestions(client, "97400")] == ["97411"]


def test_search_without_javascript_goes_to_the_commune_of_a_postcode(client, communes):
    response = client.get("/territoires/", {"q": "20000"})
    assert response.status_code == 302
    assert response["Location"] == "/territoires/communes/2A004-ajaccio/"
    response = client.get("/territoires/", {"q": "63170"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Plusieurs territoires correspondent à « 63170 »" in body
    assert 'href="/territoires/communes/63014-aubiere/"' in body
    assert 'href="/territoires/communes/63272-perignat-les-sarlieve/"' in body
    assert "code postal 63170" in body


def test_the_search_form_says_a_postcode_is_welcome(client, communes):
    body = client.get("/territoires/").content.decode()
    assert "Nom, code postal ou code INSEE" in body


@pytest.mark.parametrize(
    ("path", "target"),
    [
        # Saint-Bois, merged into Arboys en Bugey (01015) in 2016
        ("/territoires/communes/01340/", "/territoires/communes/01015-arboys-en-bugey/"),
        ("/territoires/communes/01340-saint-bois/", "/territoires/communes/01015-arboys-en-bugey/"),
        # Paris's arrondissements are part of the commune of Paris
        ("/territoires/communes/75101/", "/territoires/communes/75056-paris/"),
        ("/territoires/communes/75120-paris-20e/", "/territoires/communes/75056-paris/"),
        # Ajaccio's code before Corsica was split in two départements (1976)
        ("/territoires/communes/20004-ajaccio/", "/territoires/communes/2A004-ajaccio/"),
        # Pierrefitte-sur-Seine, merged into Saint-Denis in 2025
        ("/territoires/communes/93059/", "/territoires/communes/93066-saint-denis/"),
        # the code given under another level still finds the commune
        ("/territoires/departements/01340/", "/territoires/communes/01015-arboys-en-bugey/"),
    ],
)
def test_a_former_code_redirects_permanently_to_the_commune_now(client, communes, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_the_commune_s_own_code_is_its_page(client, communes):
    assert client.get("/territoires/communes/75056-paris/").status_code == 200


@pytest.mark.parametrize(
    ("path", "message"),
    [
        # a postcode is not a commune's address: only INSEE codes are
        ("/territoires/communes/33000/", "Aucun territoire de ce niveau"),
        ("/territoires/communes/99999/", "Aucun territoire de ce niveau"),
        ("/territoires/communes/75121/", "Aucun territoire de ce niveau"),
        ("/territoires/communes/0134%00/", "pas un code INSEE"),
        ("/territoires/communes/" + "01340" * 100 + "/", "pas un code INSEE"),
        ("/territoires/communes/%C3%A9%C3%A9/", "pas un code INSEE"),
    ],
)
def test_other_codes_stay_a_clear_404(client, communes, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "query", ["0" * 300, "33000" * 50, "\x00\x00", "😀" * 10, "<script>", "33 000", "2b"]
)
def test_odd_input_never_fails(client, communes, query):
    assert client.get("/territoires/recherche.json", {"q": query}).status_code == 200
    assert client.get("/territoires/", {"q": query}).status_code in (200, 302)


def test_a_commune_page_lists_its_postcodes_and_former_codes(client, communes):
    body = client.get("/territoires/communes/01015-arboys-en-bugey/").content.decode()
    assert "<dt>Code postal</dt><dd>01300</dd>" in body
    assert "<dt>Anciens codes INSEE</dt><dd>Saint-Bois (01340)</dd>" in body
    body = client.get("/territoires/communes/75056-paris/").content.decode()
    assert "75001, 75002" in body and "75116" in body
    assert "Paris 1er Arrondissement (75101)" in body
    body = client.get("/territoires/departements/01-ain/").content.decode()
    assert "Code postal" not in body and "Anciens codes" not in body
