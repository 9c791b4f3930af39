"""Reuse of the catalogue: exports in three formats, their data dictionary, the Atom feed."""

import csv
import datetime
import io
import json
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.catalogue.opendata import COLUMN_NAMES, LIST_SEPARATOR
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED
ATOM = "{http://www.w3.org/2005/Atom}"
TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
    "year", "yearmonth", "duration", "geopoint", "geojson", "any",
}  # fmt: skip


def build_world(association, other_association):
    """Two régions, three départements, communes, initiatives in every status."""
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne", population=3_400_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara, population=650_000)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre, population=915_000)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    villeurbanne = f.CommuneFactory(code="69266", name="Villeurbanne", parent=rhone)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere, population=140_000)
    crcn = f.ReferentialFactory(slug="crcn")
    item = f.ReferentialItemFactory(referential=crcn, code="2.3", label="Collaborer")
    college = f.school_level("college")
    ecole = f.school_level("elementaire")
    funder = f.OrganisationFactory(acronym="CDC", name="Caisse des dépôts")
    now = timezone.now()

    def make(title, territory, *, status=PUBLISHED, axes=(1,), levels=(), items=(), **kw):
        if status == PUBLISHED:
            kw.setdefault("published_at", now - datetime.timedelta(days=len(title)))
        initiative = f.InitiativeFactory(
            title=title,
            lead_collectivity=territory,
            status=status,
            axes=[f.axis(n) for n in axes],
            **kw,
        )
        initiative.school_levels.set(levels)
        initiative.referential_items.set(items)
        return initiative

    world = {
        "lyon_ent": make(
            "ENT pour les écoles de Lyon", lyon, axes=(1, 5), levels=[ecole],
            lead_organisation=association, start_date=datetime.date(2021, 9, 1),
            budget=Decimal("125000.50"), contact_consent=True, contact_name="Claire Dupont",
            contact_email="claire.dupont@lyon.example", schools_reached=12, pupils_reached=3400,
        ),
        "ain_tablettes": make(
            "Tablettes dans les collèges de l'Ain", ain, axes=(5,), levels=[college],
            items=[item], lead_organisation=other_association,
            start_date=datetime.date(2023, 1, 15),
        ),
        "brest": make(
            "Ateliers de robotique à Brest", brest, axes=(1, 3), levels=[ecole],
            lead_organisation=association, start_date=datetime.date(2023, 3, 1),
            contact_name="Sans consentement",
        ),
        "finistere": make(
            "Fibre des collèges du Finistère", finistere, axes=(5,), levels=[college],
            lead_organisation=other_association, start_date=datetime.date(2019, 9, 1),
            end_date=datetime.date(2022, 6, 30),
        ),
        "draft": make("Brouillon secret à Lyon", lyon, status=Initiative.Status.DRAFT),
        "rejected": make("Refusée du Rhône", rhone, status=Initiative.Status.REJECTED),
        "in_review": make("En instruction dans l'Ain", ain, status=Initiative.Status.IN_REVIEW),
    }  # fmt: skip
    world["lyon_ent"].partners.set([other_association, funder])
    world["lyon_ent"].territories.set([villeurbanne, rhone])
    return world


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


PUBLIC_SLUGS = {"lyon_ent", "ain_tablettes", "brest", "finistere"}
HIDDEN = ("draft", "rejected", "in_review")

PARAMETER_SETS = [
    {},
    {"axis": "5"},
    {"region": "53"},
    {"department": "69"},
    {"commune": "69266"},
    {"collectivity": "department"},
    {"school_level": "college"},
    {"item": "2.3"},
    {"partner": "cdc"},
    {"partner": "ADF"},
    {"year": "2023"},
    {"q": "tablettes"},
    {"axis": "5", "region": "84", "sort": "title"},
    {"school_level": "college", "year": "2023", "partner": "ADF"},
]


def catalogue_slugs(params):
    filterset = CatalogueFilterSet(params or None, queryset=published_initiatives())
    return [i.slug for i in filterset.ordered(filterset.qs)]


def download(response) -> bytes:
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response):
    text = download(response).decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(download(response)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_json(response):
    records = json.loads(download(response))
    return (list(records[0]) if records else None), records


READERS = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("params", PARAMETER_SETS, ids=lambda p: "&".join(map(str, p.items())))
def test_exports_contain_exactly_the_filtered_published_rows_in_catalogue_order(
    client, world, fmt, params
):
    expected = catalogue_slugs(params)
    header, rows = READERS[fmt](client.get(f"/initiatives/export.{fmt}", params))
    assert [row["slug"] for row in rows] == expected
    if rows:
        assert header == COLUMN_NAMES


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_unpublished_initiatives_never_reach_an_export(client, world, fmt):
    response = client.get(f"/initiatives/export.{fmt}")
    body = download(response)
    _header, rows = READERS[fmt](client.get(f"/initiatives/export.{fmt}"))
    assert {row["slug"] for row in rows} == {world[key].slug for key in PUBLIC_SLUGS}
    if fmt != "xlsx":
        for key in HIDDEN:
            assert world[key].title.encode() not in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_headers_match_the_table_schema_even_for_an_empty_export(client, world, fmt):
    names = [field["name"] for field in client.get("/initiatives/schema.json").json()["fields"]]
    assert names == COLUMN_NAMES
    response = client.get(f"/initiatives/export.{fmt}", {"region": "53", "axis": "6"})
    header, rows = READERS[fmt](response)
    assert rows == []
    if fmt == "json":
        assert header is None
    else:
        assert header == names


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_exports_are_attachments_named_with_the_date(client, world, fmt):
    response = client.get(f"/initiatives/export.{fmt}")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"initiatives-{today}.{fmt}" in response["Content-Disposition"]
    assert response["Link"] == '</initiatives/schema.json>; rel="describedby"'
    download(response)


def test_csv_is_streamed_utf8_with_lists_dates_and_numbers_as_documented(client, world):
    response = client.get("/initiatives/export.csv", {"commune": "69266"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    _header, (row,) = read_csv(response)
    lyon = world["lyon_ent"]
    assert row["title"] == "ENT pour les écoles de Lyon"
    assert row["url"] == f"http://testserver/initiatives/{lyon.slug}/"
    assert row["lead_organisation"] == "AMF"
    assert row["partners"] == f"ADF{LIST_SEPARATOR}CDC"
    assert row["axes"] == f"1{LIST_SEPARATOR}5"
    assert row["school_levels"] == "elementaire"
    assert row["territories"] == f"commune:69266{LIST_SEPARATOR}department:69"
    assert row["lead_collectivity_code"] == "69123"
    assert row["collectivity_level"] == "commune"
    assert (row["region_code"], row["department_code"]) == ("84", "69")
    assert row["start_date"] == "2021-09-01"
    assert row["end_date"] == ""
    assert row["budget"] == "125000.50"
    assert row["published_at"] == lyon.published_at.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_json_keeps_lists_and_numbers_typed(client, world):
    _header, (record,) = read_json(client.get("/initiatives/export.json", {"commune": "69266"}))
    assert record["axes"] == [1, 5]
    assert record["partners"] == ["ADF", "CDC"]
    assert record["budget"] == 125000.5
    assert record["pupils_reached"] == 3400
    assert record["end_date"] is None


def test_xlsx_keeps_dates_and_numbers_typed_and_never_writes_formulas(client, world):
    world["brest"].title = '=HYPERLINK("http://evil.example","clic")'
    world["brest"].save()
    _header, rows = read_xlsx(client.get("/initiatives/export.xlsx"))
    by_slug = {row["slug"]: row for row in rows}
    lyon = by_slug[world["lyon_ent"].slug]
    assert lyon["start_date"].date() == datetime.date(2021, 9, 1)
    assert lyon["budget"] == 125000.5
    assert lyon["axes"] == f"1{LIST_SEPARATOR}5"
    workbook = load_workbook(io.BytesIO(download(client.get("/initiatives/export.xlsx"))))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_contact_details_never_reach_the_bulk_exports(client, world, fmt):
    body = download(client.get(f"/initiatives/export.{fmt}"))
    header, _rows = READERS[fmt](client.get(f"/initiatives/export.{fmt}"))
    assert not any("contact" in name for name in header)
    if fmt != "xlsx":
        assert b"claire.dupont@lyon.example" not in body
        assert b"Claire Dupont" not in body


@pytest.mark.parametrize(
    "params",
    [{"axis": "9"}, {"partner": "NASA"}, {"commune": "lyon!"}, {"q": "x" * 10_000}],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_invalid_parameters_are_refused_with_the_reason(client, world, fmt, params):
    response = client.get(f"/initiatives/export.{fmt}", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Paramètres invalides" in response.content.decode()
    assert list(params)[0] in response.content.decode()


def test_unknown_parameters_are_ignored(client, world):
    _header, rows = read_csv(client.get("/initiatives/export.csv", {"utm_source": "lettre"}))
    assert len(rows) == len(PUBLIC_SLUGS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_queries_do_not_grow_with_rows(
    client, world, fmt, django_assert_max_num_queries, association
):
    client.get("/initiatives/")  # warm the cached filter choices
    for _n in range(40):
        initiative = f.InitiativeFactory(
            status=PUBLISHED, lead_organisation=association, axes=[f.axis(1), f.axis(2)]
        )
        initiative.school_levels.set([f.school_level("lycee")])
    # One read of the rows, then one query per many-to-many relation per chunk of 2000.
    with django_assert_max_num_queries(6):
        _header, rows = READERS[fmt](client.get(f"/initiatives/export.{fmt}"))
    assert len(rows) == 44


def test_table_schema_describes_every_column(client, world):
    response = client.get("/initiatives/schema.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["primaryKey"] == "slug"
    assert schema["missingValues"] == [""]
    assert "etalab" in schema["licenses"][0]["path"]
    for field in schema["fields"]:
        assert field["name"] and field["title"] and field["description"], field
        assert field["type"] in TABLE_SCHEMA_TYPES
        assert set(field) <= {"name", "title", "description", "type", "format", "constraints"}
    by_name = {field["name"]: field for field in schema["fields"]}
    assert by_name["slug"]["constraints"]["unique"] is True
    assert by_name["collectivity_level"]["constraints"]["enum"] == [
        "region", "department", "epci", "commune",
    ]  # fmt: skip
    assert by_name["published_at"]["type"] == "datetime"
    assert LIST_SEPARATOR in by_name["axes"]["description"]


def test_data_page_gives_licence_downloads_api_dictionary_and_citation(client, world):
    response = client.get("/donnees/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in body
    assert "Licence Ouverte / Open Licence 2.0" in body
    for url in (
        "/initiatives/export.csv",
        "/initiatives/export.xlsx",
        "/initiatives/export.json",
        "/initiatives/schema.json",
        "/initiatives/flux.atom",
        "/api/v1/",
        "/api/docs/",
        "/api/schema/",
    ):
        assert f'href="{url}"' in body, url
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in body
    assert "RFC 4180" in body
    assert "Citer les données" in body


# -- Atom feed --------------------------------------------------------------------------


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own response


def test_feed_lists_the_filtered_published_initiatives_newest_first(client, world):
    root = parse_feed(client.get("/initiatives/flux.atom", {"axis": "5"}))
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    expected = (
        published_initiatives()
        .filter(axes__number=5)
        .order_by("-published_at")
        .values_list("title", flat=True)
    )
    assert titles == list(expected)
    assert "Brouillon secret" not in response_text(client, {"axis": "5"})
    first = world[next(k for k in PUBLIC_SLUGS if world[k].title == titles[0])]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver{first.get_absolute_url()}"
    updated = datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    assert updated == first.published_at


def response_text(client, params):
    return client.get("/initiatives/flux.atom", params).content.decode()


def test_feed_title_names_the_filters_and_links_to_the_filtered_catalogue(client, world):
    root = parse_feed(client.get("/initiatives/flux.atom", {"region": "53", "q": "robotique"}))
    title = root.find(f"{ATOM}title").text
    assert "Bretagne" in title and "« robotique »" in title
    alternate = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "alternate")
    assert alternate.get("href") == "http://testserver/initiatives/?q=robotique&region=53"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Ateliers de robotique à Brest"]


def test_feed_never_shows_unpublished_initiatives(client, world):
    body = response_text(client, {})
    for key in HIDDEN:
        assert world[key].title not in body
    assert len(parse_feed(client.get("/initiatives/flux.atom")).findall(f"{ATOM}entry")) == 4


def test_feed_holds_the_fifty_newest(client, world, association):
    for n in range(55):
        f.InitiativeFactory(status=PUBLISHED, lead_organisation=association, title=f"Lot {n}")
    entries = parse_feed(client.get("/initiatives/flux.atom")).findall(f"{ATOM}entry")
    assert len(entries) == 50


def test_feed_refuses_invalid_parameters(client, world):
    response = client.get("/initiatives/flux.atom", {"year": "20x3"})
    assert response.status_code == 400
    assert "year" in response.content.decode()


def test_control_characters_never_break_the_feed(client, world):
    """Typed in a search or stored before forms removed them: the XML stays well-formed."""
    Initiative.objects.filter(pk=world["brest"].pk).update(
        title="Ateliers\x0b de robotique\x1f à Brest", summary="Résumé\x01."
    )
    response = client.get("/initiatives/flux.atom", {"q": "robotique\x02"})
    assert response.status_code == 200
    root = parse_feed(response)
    titles = [entry.findtext("{http://www.w3.org/2005/Atom}title") for entry in root.iter(
        "{http://www.w3.org/2005/Atom}entry"
    )]  # fmt: skip
    assert titles == ["Ateliers de robotique à Brest"]
    assert "« robotique »" in root.findtext("{http://www.w3.org/2005/Atom}title")
