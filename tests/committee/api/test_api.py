"""The read-only open-data API: same filters as the catalogue, published data only."""

import datetime
import json

import pytest
from django.db import connection
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from initiatives.catalogue.opendata import COLUMN_NAMES
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from referentials.models import Referential, Territory
from tests import factories as f
from tests.initiatives.catalogue.test_opendata import (
    HIDDEN,
    PARAMETER_SETS,
    PUBLIC_SLUGS,
    build_world,
)

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


def get_json(client, url, params=None):
    response = client.get(url, params or {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


# -- initiatives ------------------------------------------------------------------------


def test_initiatives_list_only_published_ones(client, world):
    data = get_json(client, "/api/v1/initiatives/")
    assert data["count"] == len(PUBLIC_SLUGS)
    assert {r["slug"] for r in data["results"]} == {world[k].slug for k in PUBLIC_SLUGS}


@pytest.mark.parametrize("params", PARAMETER_SETS, ids=lambda p: "&".join(map(str, p.items())))
def test_api_filters_give_the_same_results_as_the_catalogue(client, world, params):
    catalogue = catalogue_search(params, page_size=100)
    data = get_json(client, "/api/v1/initiatives/", params)
    assert data["count"] == catalogue.count
    assert [r["slug"] for r in data["results"]] == [i.slug for i in catalogue.page.object_list]


def test_api_records_are_the_export_columns_and_equal_the_json_export(client, world):
    results = get_json(client, "/api/v1/initiatives/")["results"]
    assert all(list(record) == COLUMN_NAMES for record in results)
    exported = json.loads(b"".join(client.get("/initiatives/export.json").streaming_content))
    assert results == exported


def test_initiative_detail_shows_contact_only_with_consent(client, world):
    lyon = get_json(client, f"/api/v1/initiatives/{world['lyon_ent'].slug}/")
    assert lyon["title"] == "ENT pour les écoles de Lyon"
    assert lyon["contact"] == {
        "name": "Claire Dupont",
        "email": "claire.dupont@lyon.example",
        "phone": "",
    }
    brest = get_json(client, f"/api/v1/initiatives/{world['brest'].slug}/")
    assert brest["contact"] is None
    assert "Sans consentement" not in json.dumps(brest)


def test_no_private_field_is_ever_exposed(client, world, contributor, reviewer):
    world["lyon_ent"].created_by = contributor
    world["lyon_ent"].assignee = reviewer
    world["lyon_ent"].save()
    listed = get_json(client, "/api/v1/initiatives/")["results"]
    detail = get_json(client, f"/api/v1/initiatives/{world['lyon_ent'].slug}/")
    for record in [*listed, detail]:
        for private in ("created_by", "assignee", "status", "search_vector", "contact_consent"):
            assert private not in record
        assert "contact" not in record or record is detail
    body = json.dumps([listed, detail])
    assert contributor.email not in body and reviewer.email not in body


@pytest.mark.parametrize("key", HIDDEN)
def test_unpublished_initiatives_answer_404(client, world, key):
    response = client.get(f"/api/v1/initiatives/{world[key].slug}/")
    assert response.status_code == 404


def test_unknown_slug_answers_404(client, world):
    assert client.get("/api/v1/initiatives/nope/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"axis": "9"},
        {"region": "XX"},
        {"commune": "lyon!"},
        {"partner": "NASA"},
        {"year": "20x3"},
        {"sort": "random"},
        {"q": "x" * 10_000},
        {"item": "<script>"},
    ],
)
def test_invalid_filters_answer_400_with_the_reason(client, world, params):
    response = client.get("/api/v1/initiatives/", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_injection_attempts_are_inert(client, world):
    data = get_json(client, "/api/v1/initiatives/", {"q": "'; DROP TABLE x; --"})
    assert data["count"] == 0
    assert get_json(client, "/api/v1/initiatives/")["count"] == len(PUBLIC_SLUGS)


def test_pagination_refuses_what_is_not_a_page_and_a_page_beyond_the_end_is_404(client, world):
    data = get_json(client, "/api/v1/initiatives/", {"page_size": "1"})
    assert len(data["results"]) == 1 and data["next"]
    data = get_json(client, "/api/v1/initiatives/", {"page_size": "200", "page": ""})
    assert len(data["results"]) == len(PUBLIC_SLUGS)
    for params in ({"page_size": "100000"}, {"page_size": "0"}, {"page": "abc"}, {"page": "-1"}):
        response = client.get("/api/v1/initiatives/", params)
        assert response.status_code == 400, params
        assert list(response.json()) == list(params)
    response = client.get("/api/v1/initiatives/", {"page": "99"})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territories/?region=8%004",
        "/api/v1/territories/?q=%00",
        "/api/v1/referentials/?slug=crcn%00",
        "/api/v1/actions/?partner=AMF%00",
        "/api/v1/initiatives/?q=tablettes%00",
    ],
)
def test_a_nul_byte_in_a_parameter_is_refused_not_a_server_error(client, world, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/territories/commune/69%00123/",
        "/api/v1/territories/planet/69123/",
        "/api/v1/actions/A%001/",
        "/api/v1/organisations/amf%00/",
        "/api/v1/nowhere/",
    ],
)
def test_unknown_api_addresses_answer_a_json_404(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_referentials_refuse_an_unknown_kind_or_status(client, world):
    for params in ({"kind": "cuisine"}, {"status": "draft"}):
        response = client.get("/api/v1/referentials/", params)
        assert response.status_code == 400
        assert list(response.json()) == list(params)


def test_initiative_list_queries_do_not_depend_on_the_page_size(
    client, world, association, django_assert_max_num_queries
):
    for _n in range(30):
        initiative = f.InitiativeFactory(
            status=PUBLISHED, lead_organisation=association, axes=[f.axis(1), f.axis(2)]
        )
        initiative.school_levels.set([f.school_level("lycee")])
    get_json(client, "/api/v1/initiatives/")  # warm the cached filter choices
    # count and page ids (from the catalogue's bitmaps, or SQL), the page's rows, then its
    # many-to-many relations in one statement
    for size in ("1", "10", "32"):
        with django_assert_max_num_queries(3):
            data = get_json(client, "/api/v1/initiatives/", {"page_size": size, "axis": "1"})
        assert len(data["results"]) == int(size)


def test_initiative_detail_queries_are_constant(client, world, django_assert_num_queries):
    # The row, then its many-to-many relations in one statement.
    with django_assert_num_queries(2):
        get_json(client, f"/api/v1/initiatives/{world['lyon_ent'].slug}/")


# -- territories, referentials, organisations, axes, actions -----------------------------


def test_territories_filter_by_level_code_region_department_and_name(client, world):
    data = get_json(client, "/api/v1/territories/", {"level": "department", "region": "84"})
    assert [t["code"] for t in data["results"]] == ["01", "69"]
    data = get_json(client, "/api/v1/territories/", {"q": "FINIST"})
    assert [t["name"] for t in data["results"]] == ["Finistère"]
    if connection.vendor == "postgresql":
        data = get_json(client, "/api/v1/territories/", {"q": "finistere"})
        assert [t["name"] for t in data["results"]] == ["Finistère"]
    data = get_json(client, "/api/v1/territories/", {"department": "69", "level": "commune"})
    assert {t["code"] for t in data["results"]} == {"69123", "69266"}
    data = get_json(client, "/api/v1/territories/", {"code": "69123"})
    assert data["results"][0]["parent_code"] == "69"


def test_territory_detail_by_level_and_code(client, world):
    data = get_json(client, "/api/v1/territories/region/84/")
    assert data["name"] == "Auvergne-Rhône-Alpes" and data["parent_code"] is None
    assert client.get("/api/v1/territories/region/99/").status_code == 404


def test_territories_are_always_paginated_with_constant_queries(
    client, world, django_assert_num_queries
):
    department = Territory.objects.get(level="department", code="69")
    Territory.objects.bulk_create(
        Territory(
            level="commune", code=f"69{n:03d}", name=f"Commune {n}", parent=department,
            region_code="84", department_code="69",
        )
        for n in range(300, 560)
    )  # fmt: skip
    # count, page, the page's postcodes
    with django_assert_num_queries(3):
        data = get_json(client, "/api/v1/territories/", {"page_size": "200"})
    assert data["count"] > 260
    assert len(data["results"]) == 200
    assert client.get("/api/v1/territories/", {"page_size": "201"}).status_code == 400


def test_territories_refuse_an_unknown_level(client, world):
    response = client.get("/api/v1/territories/", {"level": "planet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_referentials_nest_their_items_and_hide_drafts(client, world):
    draft = f.ReferentialFactory(slug="brouillon", status=Referential.Status.DRAFT)
    f.ReferentialItemFactory(referential=draft, code="D.1")
    crcn = Referential.objects.get(slug="crcn")
    domain = f.ReferentialItemFactory(referential=crcn, code="2", label="Communication")
    item = crcn.items.get(code="2.3")
    item.parent = domain
    item.save()
    data = get_json(client, "/api/v1/referentials/")
    assert [r["slug"] for r in data["results"]] == ["crcn"]
    items = {i["code"]: i for i in data["results"][0]["items"]}
    assert items["2.3"]["parent_code"] == "2"
    assert items["2.3"]["published_initiatives"] == 1
    assert items["2"]["published_initiatives"] == 0
    assert client.get(f"/api/v1/referentials/{draft.pk}/").status_code == 404


def test_organisations_link_to_their_initiatives(client, world):
    data = get_json(client, "/api/v1/organisations/")
    by_acronym = {o["acronym"]: o for o in data["results"]}
    assert set(by_acronym) >= {"AMF", "ADF", "CDC"}
    url = by_acronym["CDC"]["initiatives"]
    assert get_json(client, url)["count"] == 1
    assert get_json(client, "/api/v1/organisations/cdc/")["name"] == "Caisse des dépôts"


def test_axes_are_the_six_of_the_charter(client, world):
    data = get_json(client, "/api/v1/axes/")
    assert [a["number"] for a in data["results"]] == [1, 2, 3, 4, 5, 6]
    assert get_json(client, "/api/v1/axes/4/")["title"].startswith("les référentiels nationaux")


def test_actions_show_plan_progress_and_only_published_evidence(
    client, world, association, other_association, django_assert_num_queries
):
    action = f.ActionFactory(code="A1.1", axis=f.axis(5), status="in_progress", progress=40)
    action.lead_partners.set([association, other_association])
    action.initiatives.set([world["lyon_ent"], world["draft"]])
    f.MilestoneFactory(action=action, title="Enquête", due_date=datetime.date(2026, 3, 1))
    for n in range(5):
        f.MilestoneFactory(action=f.ActionFactory(axis=f.axis(2)), position=n)
    with django_assert_num_queries(5):
        data = get_json(client, "/api/v1/actions/")
    assert data["count"] == 6
    record = get_json(client, "/api/v1/actions/A1.1/")
    assert record["axis"]["number"] == 5
    assert record["lead_partners"] == ["ADF", "AMF"]
    assert record["progress"] == 40 and record["status"] == "in_progress"
    assert record["milestones"][0]["title"] == "Enquête"
    assert record["initiatives"] == [world["lyon_ent"].slug]
    assert get_json(client, "/api/v1/actions/", {"axis": "5"})["count"] == 1
    assert get_json(client, "/api/v1/actions/", {"partner": "amf"})["count"] == 1
    assert client.get("/api/v1/actions/", {"axis": "9"}).status_code == 400


def test_api_is_read_only(client, world):
    response = client.post("/api/v1/initiatives/", {"title": "x"})
    assert response.status_code == 405
    response = client.delete(f"/api/v1/initiatives/{world['lyon_ent'].slug}/")
    assert response.status_code == 405


# -- schema and documentation -----------------------------------------------------------


def test_openapi_schema_validates_and_documents_the_catalogue_filters(client, world):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    parameters = {p["name"] for p in schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"]}
    assert parameters >= {
        "q", "axis", "region", "department", "commune", "collectivity", "school_level",
        "item", "partner", "year", "sort", "page", "page_size",
    }  # fmt: skip
    fields = schema["components"]["schemas"]["Initiative"]["properties"]
    assert list(fields) == COLUMN_NAMES
    for path in (
        "/api/v1/territories/",
        "/api/v1/territories/{level}/{code}/",
        "/api/v1/referentials/",
        "/api/v1/organisations/",
        "/api/v1/actions/",
    ):
        assert path in schema["paths"]


def test_schema_generation_is_free_of_warnings_and_errors():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache)


def test_interactive_docs_are_served_without_any_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()
    assert "https://" not in body
    static = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert static.status_code == 200
    assert b"".join(static.streaming_content)


@pytest.mark.parametrize(
    "url", ["/api/v1/", "/api/v1/initiatives/", "/api/v1/territories/", "/api/v1/actions/"]
)
def test_api_pages_render_in_a_browser(client, world, url):
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_territory_that_names_nothing_is_not_found_in_the_api(client, world):
    response = client.get("/api/v1/initiatives/", {"territory": "0" * 99})
    assert response.status_code == 404
    assert "territoire" in response.json()["detail"].lower()
