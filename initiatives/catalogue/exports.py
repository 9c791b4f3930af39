"""Open-data downloads of any filtered catalogue, and their data dictionary.

The exports take exactly the catalogue's parameters. A parameter the catalogue would ignore
with a message is refused here with 400 and the message: a downloaded file has nowhere to
say that a filter was dropped, and a silent full export would mislead.
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.http import (
    FileResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.catalogue.opendata import (
    COLUMN_NAMES,
    COLUMNS,
    LICENCE_NAME,
    LICENCE_URL,
    LIST_SEPARATOR,
    csv_cell,
    flat_value,
    iter_records,
    json_record,
    rows_as_lists,
    table_schema,
)
from initiatives.selectors import published_initiatives

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_CELL = 32_767  # longest text an XLSX cell may hold
XLSX_MEMORY = 8 * 1024 * 1024  # beyond this, the workbook being built spills to disk


def catalogue_filterset(request) -> CatalogueFilterSet:
    return CatalogueFilterSet(request.GET or None, queryset=published_initiatives())


def filter_errors(filterset: CatalogueFilterSet) -> list[str]:
    return [
        f"{name} : {error}" for name, errors in filterset.form.errors.items() for error in errors
    ]


def bad_parameters(errors: list[str]) -> HttpResponseBadRequest:
    lines = [_("Paramètres invalides :"), *errors]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def filtered_initiatives(request):
    """The ordered queryset for the request's parameters, or the errors that prevent it."""
    filterset = catalogue_filterset(request)
    errors = filter_errors(filterset)
    if errors:
        return None, errors
    request.territory_applied = filterset.applied_territory()
    return filterset.ordered(filterset.qs), []


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _filename(extension: str, territory: dict | None = None) -> str:
    place = f"{territory['key']}-{territory['scope']}-" if territory else ""
    return f"initiatives-{place}{timezone.localdate().isoformat()}.{extension}"


def _open_data_headers(response, extension: str | None = None, request=None):
    response["Access-Control-Allow-Origin"] = "*"
    territory = getattr(request, "territory_applied", None)
    if territory:  # which territory, and which scope, the list was filtered on
        response["X-Territory"] = f"{territory['key']}; scope={territory['scope']}"
    if extension:
        name = _filename(extension, territory)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Link"] = f'<{reverse("initiatives:schema")}>; rel="describedby"'
    return response


class _Echo:
    """A write-only file whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def _batched(lines: Iterator[str], size: int = 500) -> Iterator[str]:
    """Send a few hundred lines at a time rather than one write per row."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _csv_lines(records) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(COLUMN_NAMES)
    for row in rows_as_lists(records):
        yield writer.writerow(
            [csv_cell(name, value) for name, value in zip(COLUMN_NAMES, row, strict=True)]
        )


def _json_chunks(records) -> Iterator[str]:
    """A JSON array written one record at a time, never held whole in memory."""
    yield "["
    separator = "\n"
    for record in records:
        yield separator + json.dumps(json_record(record), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


@require_GET
def export_csv(request):
    queryset, errors = filtered_initiatives(request)
    if errors:
        return bad_parameters(errors)
    lines = _batched(_csv_lines(iter_records(queryset, base_url=base_url(request))))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return _open_data_headers(response, "csv", request)


@require_GET
def export_json(request):
    queryset, errors = filtered_initiatives(request)
    if errors:
        return bad_parameters(errors)
    chunks = _batched(_json_chunks(iter_records(queryset, base_url=base_url(request))))
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    return _open_data_headers(response, "json", request)


def _xlsx_cells(sheet):
    """Typed cells: numbers and dates stay numbers and dates; text is never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if value is None or isinstance(value, int | float):
            return value
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value  # openpyxl formats dates as yyyy-mm-dd
        if isinstance(value, Decimal):
            return float(value)
        text = ILLEGAL_CHARACTERS_RE.sub("", flat_value(value))[:XLSX_MAX_CELL]
        if text.startswith("="):
            formula_like = WriteOnlyCell(sheet, value=text)
            formula_like.data_type = "s"  # stored as text, never evaluated
            return formula_like
        return text

    return cell


@require_GET
def export_xlsx(request):
    """openpyxl writes a zip it must finish before the first byte can be sent: build it in
    a spooled temporary file (memory, then disk) and stream that file."""
    from openpyxl import Workbook

    queryset, errors = filtered_initiatives(request)
    if errors:
        return bad_parameters(errors)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="initiatives")
    sheet.append(COLUMN_NAMES)
    cell = _xlsx_cells(sheet)
    for row in rows_as_lists(iter_records(queryset, base_url=base_url(request))):
        sheet.append([cell(value) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=XLSX_MEMORY)  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    response = FileResponse(
        output, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE
    )
    return _open_data_headers(response, "xlsx", request)


@require_GET
def schema(request):
    """The data dictionary of the exports, as a Table Schema."""
    response = JsonResponse(table_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _open_data_headers(response)


@require_GET
def data_page(request):
    """The open-data page: licence, downloads, API, dictionary, how to cite."""
    return render(
        request,
        "opendata/data.html",
        {
            "columns": [
                column.as_table_schema() | {"is_list": column.is_list} for column in COLUMNS
            ],
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
            "list_separator": LIST_SEPARATOR,
            "site_url": base_url(request),
            "today": timezone.localdate(),
        },
    )
