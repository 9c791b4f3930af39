"""Territory pages: addresses and redirects, parents, the initiatives in and around, with
figures that agree with the catalogue, the API and the exports; bad addresses never 500."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.catalogue.selectors import catalogue_search
from tests.initiatives.catalogue.territory_support import build_world, titles_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


def test_commune_page_shows_parents_and_initiatives_in_and_around(client, world):
    response = client.get("/territoires/communes/63113-clermont-ferrand/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Clermont-Ferrand</h1>" in body
    assert "63113" in body
    assert "147 000 habitants (2017)" in re.sub(r"\s", " ", body)
    # the breadcrumb: région → département → EPCI, each linking to its page
    for href in (
        "/territoires/regions/84-auvergne-rhone-alpes/",
        "/territoires/departements/63-puy-de-dome/",
        "/territoires/epci/246300701-clermont-auvergne-metropole/",
    ):
        assert f'href="{href}"' in body
    page = response.context["page"]
    assert page.inside.count == 2
    assert page.covering.count == 3
    assert {i.title for i in page.inside.initiatives} == titles_of(
        world, "clermont", "villeurbanne"
    )
    assert {i.title for i in page.covering.initiatives} == titles_of(
        world, "metro", "puy", "region"
    )
    assert "Brouillon secret" not in body
    assert "En instruction dans la métropole" not in body
    assert "territory=commune-63113&amp;territory_scope=inside" in body
    # follow: the alert, the feed and the exports of the same search
    assert "/suivre/?territory=commune-63113&amp;territory_scope=all" in body
    assert "/initiatives/flux.atom?territory=commune-63113" in body
    assert "/initiatives/export.csv?territory=commune-63113" in body


def test_page_figures_agree_with_catalogue_api_and_exports(client, world):
    page = client.get("/territoires/departements/63-puy-de-dome/").context["page"]
    for scope, group in (("inside", page.inside), ("covering", page.covering)):
        params = {"territory": "departement-63", "territory_scope": scope}
        assert catalogue_search(params).count == group.count
        api = client.get("/api/v1/initiatives/", params).json()
        assert api["count"] == group.count
        exported = client.get("/initiatives/export.json", params)
        rows = json.loads(b"".join(exported.streaming_content))
        rows = rows["initiatives"] if isinstance(rows, dict) else rows
        assert len(rows) == group.count
        axes = {o["value"]: o["count"] for o in group.axes}
        for axis, n in axes.items():
            assert catalogue_search({**params, "axis": axis}).count == n


def test_region_page_has_a_map_of_its_departements_and_no_covering_group(client, world):
    response = client.get("/territoires/regions/84-auvergne-rhone-alpes/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.covering is None
    assert page.inside.count == 7
    # by département of the lead collectivity: the région's own initiative is on no département
    assert response.context["departments_map"]["total"] == 6


def test_similar_territories_link_to_their_pages(client, world):
    response = client.get("/territoires/communes/69123-lyon/")
    similar = response.context["page"].similar
    # Lyon is alone in the band of 200,000 to 1 million inhabitants.
    assert similar == []
    response = client.get("/territoires/communes/63113-clermont-ferrand/")
    names = [row["territory"].name for row in response.context["page"].similar]
    assert names == ["Villeurbanne", "Ajaccio"]  # same band; the same région first
    assert 'href="/territoires/communes/69266-villeurbanne/"' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/territoires/communes/63113/", "/territoires/communes/63113-clermont-ferrand/"),
        ("/territoires/communes/63113-paris/", "/territoires/communes/63113-clermont-ferrand/"),
        ("/territoires/communes/2a004-ajaccio/", "/territoires/communes/2A004-ajaccio/"),
        ("/territoires/communes/63-puy/", "/territoires/departements/63-puy-de-dome/"),
        ("/territoires/departements/2a/", "/territoires/departements/2A-corse-du-sud/"),
    ],
)
def test_wrong_or_old_addresses_redirect(client, world, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/territoires/communes/99999-nulle-part/", "Aucun territoire de ce niveau"),
        ("/territoires/departements/987-polynesie/", "Polynésie française"),
        ("/territoires/communes/zz%00/", "pas un code INSEE"),
        ("/territoires/villes/63113-clermont-ferrand/", "Territoire introuvable"),
        ("/territoires/communes/" + "9" * 300 + "/", "pas un code INSEE"),
        ("/territoires/regions/%F0%9F%8F%B0/", "pas un code INSEE"),
    ],
)
def test_unknown_addresses_are_a_clear_404(client, world, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_home_search_resolves_to_the_territory_page(client, world):
    assert "Ce qui se fait dans votre territoire" in client.get("/").content.decode()
    response = client.get("/territoires/", {"q": "clermont-ferrand"})
    assert response.status_code == 302
    assert response["Location"] == "/territoires/communes/63113-clermont-ferrand/"
    response = client.get("/territoires/", {"q": "Clermont"})  # the commune and the métropole
    assert response.status_code == 200
    body = response.content.decode()
    assert "/territoires/communes/63113-clermont-ferrand/" in body
    assert "/territoires/epci/246300701-clermont-auvergne-metropole/" in body
    response = client.get("/territoires/", {"q": "\x00" * 3 + "é" * 400})
    assert response.status_code == 200


def test_autocomplete_is_public_and_gives_page_addresses(client, world):
    results = client.get("/territoires/recherche.json", {"q": "aubie"}).json()["results"]
    assert results[0]["url"] == "/territoires/communes/63014-aubiere/"
    assert results[0]["key"] == "commune-63014"


@pytest.mark.parametrize(
    "path",
    [
        "/territoires/regions/84-auvergne-rhone-alpes/",
        "/territoires/departements/63-puy-de-dome/",
        "/territoires/epci/246300701-clermont-auvergne-metropole/",
        "/territoires/communes/63113-clermont-ferrand/",
        "/territoires/communes/63430-thiers/",
    ],
)
def test_query_count_is_the_same_whatever_the_territory(client, world, path, settings):
    """From SQL (no bitmaps, nothing cached): a bound whatever the territory."""
    settings.CATALOGUE_BITMAPS = False
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # The same bound for Paris or a village (reference lists uncached here; an empty list
    # of initiatives saves the prefetch of their axes).
    bound = 14 if "/regions/" in path else 16  # a région has no covering group
    assert len(queries) <= bound, "\n".join(q["sql"][:150] for q in queries)


@pytest.mark.parametrize(
    "path",
    [
        "/territoires/regions/84-auvergne-rhone-alpes/",
        "/territoires/epci/246300701-clermont-auvergne-metropole/",
        "/territoires/communes/63430-thiers/",
    ],
)
def test_query_count_from_the_bitmaps(client, world, path, settings):
    from django.core.cache import cache

    from initiatives.catalogue import bitmaps

    settings.CATALOGUE_BITMAPS = True
    cache.clear()
    bitmaps.catalogue_index()  # built once per process and catalogue version
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # Territory, parents, similar territories, plan actions, latest initiatives and their
    # axes, reference lists, a commune's postcodes and former codes; the counts from the
    # bitmaps.
    assert len(queries) <= 13, "\n".join(q["sql"][:150] for q in queries)


def test_api_territory_detail_has_parents_children_and_counts(client, world):
    data = client.get("/api/v1/territories/epci/246300701/").json()
    assert data["key"] == "epci-246300701"
    assert [p["key"] for p in data["parents"]] == ["region-84", "departement-63"]
    assert data["initiatives"] == {"inside": 4, "covering": 2, "all": 6}
    assert data["children_count"] == 2
    children = client.get(data["children_url"]).json()
    assert {row["code"] for row in children["results"]} == {"63113", "63014"}
    assert data["page_url"].endswith("/territoires/epci/246300701-clermont-auvergne-metropole/")
    listed = client.get("/api/v1/initiatives/", {"territory": "Clermont-Ferrand"}).json()
    assert listed["count"] == 5
    assert listed["territory"]["key"] == "commune-63113"
    assert listed["territory"]["scope"] == "all"
    bad = client.get("/api/v1/initiatives/", {"territory": "commune-99999"})
    assert bad.status_code == 404  # like any unknown object of the API (its schema says so)
    assert "territoire" in bad.json()["detail"].lower()


def test_openapi_schema_documents_the_territory_resource(client, world):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    detail = schema["paths"]["/api/v1/territories/{level}/{code}/"]["get"]
    assert "parents" in json.dumps(schema["components"]["schemas"]["TerritoryDetail"])
    assert detail["summary"]
    names = {p["name"] for p in schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"]}
    assert {"territory", "territory_scope"} <= names


def test_sitemap_lists_territories_with_initiatives_in_or_around_them(client, world):
    from xml.etree import ElementTree

    from initiatives.models import Initiative
    from tests import factories as f

    bretagne = f.RegionFactory(code="53", name="Bretagne")
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bretagne)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere)
    f.InitiativeFactory(lead_collectivity=brest, status=Initiative.Status.DRAFT)
    sections = client.get("/sitemap.xml").content.decode()
    assert "sitemap-territoires.xml" in sections
    assert "sitemap-partenaires.xml" in sections
    response = client.get("/sitemap-territoires.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{ns}loc")}
    # Thiers leads nothing, but its département and its région do
    assert "/territoires/communes/63430-thiers/" in listed
    assert "/territoires/communes/2A004-ajaccio/" in listed
    assert "/territoires/regions/94-corse/" in listed
    assert len(listed) == 12
    assert not any("29019" in url or "bretagne" in url for url in listed)
    for url in listed:
        assert client.get(url).status_code == 200


def test_map_lists_region_led_initiatives_as_a_region_layer(client, world):
    response = client.get("/carte/")
    assert response.status_code == 200
    regions = response.context["regions"]
    assert [(r["code"], r["count"]) for r in regions] == [("84", 1)]
    body = response.content.decode()
    assert "Les initiatives portées par une région" in body
    assert 'href="/territoires/regions/84-auvergne-rhone-alpes/"' in body
    assert "collectivity=region&amp;region=84" in body
    # the map's filters apply to the layer too
    response = client.get("/carte/", {"axis": "5"})
    assert response.context["regions"] == []


def test_follow_page_describes_the_territory_followed(client, world):
    response = client.get("/suivre/", {"territory": "commune-63113", "territory_scope": "all"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clermont-Ferrand — commune (63113)" in body
    assert "Aussi les initiatives qui le couvrent" in body


def test_exports_say_which_territory_was_applied(client, world):
    params = {"territory": "Clermont-Ferrand", "territory_scope": "inside"}
    response = client.get("/initiatives/export.csv", params)
    assert response.status_code == 200
    assert response["X-Territory"] == "commune-63113; scope=inside"
    assert "initiatives-commune-63113-inside-" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(lines) == 1 + 2  # header, Clermont's own and Villeurbanne's covering it
    bad = client.get("/initiatives/export.csv", {"territory": "Atlantide"})
    assert bad.status_code == 400
    assert "Aucun territoire ne correspond" in bad.content.decode()
