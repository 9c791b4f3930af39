"""Builders of the reports officials order: each writes one file and reports its progress.

A builder takes the report's parameters, a binary file to write into and a `progress`
callback (percent, 0–100), and returns the file's download name. It raises
`ReportBuildError` for a problem that trying again will not solve (the message is shown to
the official); anything else is treated as unexpected by the caller (report_services).

- The initiatives spreadsheet is written with constant memory: rows are read a chunk at a
  time (the open-data rows of initiatives.catalogue.opendata, plus one query per chunk for the
  internal columns) and streamed into the XLSX file (`XlsxWriter`).
- PDF reports are HTML templates (templates/reports/) printed by WeasyPrint, which needs
  the Pango system libraries (Debian: libpango-1.0-0, libpangoft2-1.0-0).
"""

from __future__ import annotations

import datetime
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import BinaryIO
from xml.sax.saxutils import escape as escape_xml

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from committee.plan import selectors
from committee.plan.models import Action
from committee.reports.models import Report
from committee.steering import charts, statistics
from initiatives.catalogue.opendata import CHUNK_SIZE, COLUMNS, export_values, records
from initiatives.models import Initiative
from initiatives.models import Status as S
from referentials.models import Territory

# WeasyPrint logs every layout step at INFO: not worth lines in the workers' logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

Progress = Callable[[int], None]
XLSX_MAX_CELL = 32_767
PROGRESS_EVERY_ROWS = 1000


class ReportBuildError(Exception):
    """A report that cannot be built with these parameters; the message is for the user."""


# -- initiatives spreadsheet ------------------------------------------------------------------


def xlsx_headers() -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        return [str(column.title) for column in COLUMNS] + [
            str(label) for _name, label in _internal_columns()
        ]


def _internal_columns():
    """Internal columns, after the open-data ones: what officials need beyond the public
    file (labels translated when used, not at import)."""
    return [
        ("status", _("Statut")),
        ("created_at", _("Créée le")),
        ("submitted_at", _("Soumise le")),
        ("status_changed_at", _("Statut changé le")),
        ("assignee", _("Instructeur assigné")),
        ("lead_collectivity_population", _("Population de la collectivité porteuse")),
        ("plan_actions", _("Actions du plan liées")),
        ("contact_name", _("Contact : nom")),
        ("contact_email", _("Contact : adresse électronique")),
        ("contact_phone", _("Contact : téléphone")),
    ]


def initiatives_queryset(params: dict):
    """The initiatives of a spreadsheet: the statistics' filters (published by default)."""
    filterset = statistics.statistics_filterset(params.get("filters") or {})
    if filterset.is_bound and not filterset.form.is_valid():
        errors = [f"{k} : {e}" for k, errs in filterset.form.errors.items() for e in errs]
        raise ReportBuildError(_("Critères invalides : %s") % " ; ".join(errors))
    return filterset.qs.order_by("pk")


def _chunks(queryset, size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in export_values(queryset, with_contact=True).iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def initiative_rows(queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """Every row of the spreadsheet, a chunk at a time: open-data columns, then internal ones."""
    names = [column.name for column in COLUMNS]
    status_labels = {value: str(label) for value, label in S.choices}
    for chunk in _chunks(queryset, chunk_size):
        ids = [row["pk"] for row in chunk]
        internal = {
            pk: values
            for pk, *values in Initiative.objects.filter(pk__in=ids).values_list(
                "pk",
                "status",
                "created_at",
                "submitted_at",
                "status_changed_at",
                "assignee__email",
                "lead_collectivity__population",
            )
        }
        actions: dict[int, list[str]] = defaultdict(list)
        for initiative_id, code in (
            Action.initiatives.through.objects.filter(initiative_id__in=ids)
            .order_by("action__code")
            .values_list("initiative_id", "action__code")
        ):
            actions[initiative_id].append(code)
        for row, record in zip(chunk, records(chunk, base_url=settings.SITE_URL), strict=True):
            status, created, submitted, changed, assignee, population = internal[row["pk"]]
            yield [record[name] for name in names] + [
                status_labels.get(status, status),
                created,
                submitted,
                changed,
                assignee or "",
                population,
                actions.get(row["pk"], []),
                row["contact_name"],
                row["contact_email"],
                row["contact_phone"],
            ]


# A streaming XLSX writer. openpyxl's write-only mode keeps memory constant too, but costs
# about 20 µs per cell here (3.4 million cells at 100,000 initiatives: over a minute); these
# few lines write the same SpreadsheetML at a fraction of that. openpyxl reads the result
# back in the tests.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = datetime.datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
# Cell formats of styles.xml: 0 default, 1 date, 2 date and time, 3 bold (headers).
_DATE, _DATETIME, _BOLD = 1, 2, 3
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


# Characters XML 1.0 forbids (control characters but tab, line feed and carriage return).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: str) -> str:
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
    if len(value) > XLSX_MAX_CELL:
        value = value[:XLSX_MAX_CELL]
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row_cells(values, row: int, letters: list[str], tz, style: int) -> str:
    """The <c> elements of a row; empty values are left out. Dispatch on the exact type:
    this runs for every cell of the file. Text is an inline string, never a formula."""
    style_attribute = f' s="{style}"' if style else ""
    cells = []
    for index, value in enumerate(values):
        if value is None:
            continue
        kind = type(value)
        ref = f"{letters[index]}{row}"
        if kind is str or kind is list:
            if not value:
                continue
            text = _text(value if kind is str else "|".join(str(v) for v in value))
            cells.append(
                f'<c r="{ref}" t="inlineStr"{style_attribute}><is>'
                f'<t xml:space="preserve">{text}</t></is></c>'
            )
        elif kind is int or kind is float or kind is Decimal:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif kind is datetime.datetime:
            if value.tzinfo is not None:
                value = value.astimezone(tz)
            # To the second, in local time: what a spreadsheet shows.
            seconds = (value.replace(tzinfo=None, microsecond=0) - _EPOCH).total_seconds()
            cells.append(f'<c r="{ref}" s="{_DATETIME}"><v>{seconds / 86400!r}</v></c>')
        elif kind is datetime.date:
            cells.append(f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH_DATE).days}</v></c>')
        elif kind is bool:
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        else:
            text = _text(str(value))
            cells.append(
                f'<c r="{ref}" t="inlineStr"{style_attribute}><is>'
                f'<t xml:space="preserve">{text}</t></is></c>'
            )
    return "".join(cells)


class XlsxWriter:
    """Sheets written row by row straight into the zip: constant memory, whatever the size."""

    FLUSH_ROWS = 500

    def __init__(self, out: BinaryIO):
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: list[str] = []
        self._stream = None
        self._buffer: list[str] = []
        self._tz = timezone.get_current_timezone()

    def sheet(self, title: str, *, columns: int, freeze_header: bool = False) -> None:
        self._close_sheet()
        self.sheets.append(title)
        path = f"xl/worksheets/sheet{len(self.sheets)}.xml"
        self._stream = self.zip.open(path, "w", force_zip64=True)
        self._letters = _column_letters(columns)
        self._row = 0
        pane = (
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            if freeze_header
            else ""
        )
        self._stream.write(f'{_XML_HEAD}<worksheet xmlns="{_MAIN}">{pane}<sheetData>'.encode())

    def append(self, values, *, style: int = 0) -> None:
        self._row += 1
        row = self._row
        cells = _row_cells(values, row, self._letters, self._tz, style)
        self._buffer.append(f'<row r="{row}">{cells}</row>')
        if len(self._buffer) >= self.FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._stream.write("".join(self._buffer).encode())
            self._buffer = []

    def _close_sheet(self) -> None:
        if self._stream is not None:
            self._flush()
            self._stream.write(b"</sheetData></worksheet>")
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self._close_sheet()
        numbers = range(1, len(self.sheets) + 1)
        sheets = "".join(
            f'<sheet name="{escape_xml(title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, title in zip(numbers, self.sheets, strict=True)
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_OFFICE}.worksheet+xml"/>'
            for n in numbers
        )
        parts = {
            "[Content_Types].xml": (
                f"{_XML_HEAD}<Types "
                'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
                f"{overrides}</Types>"
            ),
            "_rels/.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                f"<sheets>{sheets}</sheets></workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">{relations}'
                f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{_REL}/styles" '
                'Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": _STYLES,
        }
        for name, content in parts.items():
            self.zip.writestr(name, content)
        self.zip.close()


def build_initiatives_xlsx(params: dict, out: BinaryIO, progress: Progress) -> str:
    queryset = initiatives_queryset(params)
    total = queryset.count()
    headers = xlsx_headers()
    writer = XlsxWriter(out)
    writer.sheet("initiatives", columns=len(headers), freeze_header=True)
    writer.append(headers, style=_BOLD)
    written = 0
    for row in initiative_rows(queryset):
        writer.append(row)
        written += 1
        if written % PROGRESS_EVERY_ROWS == 0 and total:
            progress(min(95, written * 95 // total))
    now = timezone.localtime()
    writer.sheet("criteres", columns=2)
    writer.append([_("Initiatives du comité des partenaires du numérique pour l'éducation")])
    writer.append([_("Produit le"), now])
    writer.append([_("Lignes"), written])
    for name, value in sorted((params.get("filters") or {}).items()):
        writer.append([name, value])
    writer.close()
    progress(98)
    return f"initiatives-{now:%Y-%m-%d-%H%M}.xlsx"


# -- PDF --------------------------------------------------------------------------------------


def _refuse_fetch(url, *args, **kwargs):
    """PDF templates embed everything: nothing is fetched while printing."""
    raise ValueError(f"External resource refused: {url}")


def html_to_pdf(html: str, out: BinaryIO) -> None:
    from weasyprint import HTML

    HTML(string=html, base_url=settings.SITE_URL, url_fetcher=_refuse_fetch).write_pdf(out)


def _plan_from_review(review_id: int) -> dict:
    """The action plan as a plan review froze it, with the review's assessments."""
    from committee.plan.models import PlanReview
    from committee.plan.selectors import plan_snapshot_for_report

    review = PlanReview.objects.filter(pk=review_id).first()
    if review is None:
        raise ReportBuildError(_("Revue du plan introuvable (n° %s).") % review_id)
    return plan_snapshot_for_report(review)


def action_plan_context(*, review_id: int | None = None) -> dict:
    """The plan as it stands, or, with `review_id`, as that plan review froze it (the same
    context either way: committee.plan.selectors.plan_snapshot_for_report)."""
    if review_id is not None:
        return _plan_from_review(review_id)
    from committee.plan.models import Indicator

    axes = selectors.action_plan()
    actions = [action for axis in axes for action in axis.action_list]
    indicators: dict[int, list] = defaultdict(list)
    for indicator in Indicator.objects.filter(action__in=[a.pk for a in actions]):
        # The shape a review's frozen indicators have (attainment in percent).
        indicators[indicator.action_id].append(
            SimpleNamespace(
                label=indicator.label,
                unit=indicator.unit,
                target=indicator.target,
                current_value=indicator.current_value,
                attainment=indicator.attainment_percent,
            )
        )
    by_status = {value: 0 for value, _label in Action.Status.choices}
    for action in actions:
        by_status[action.status] += 1
        action.indicator_list = indicators.get(action.pk, [])
    today = timezone.localdate()
    scope = statistics.Scope(statistics.statistics_filterset(), today)
    return {
        "axes": axes,
        "review": None,
        "action_count": len(actions),
        "status_counts": [(label, by_status[value]) for value, label in Action.Status.choices],
        "late_actions": statistics.FIGURES["late_actions"].compute(scope),
        "late_milestones": statistics.FIGURES["late_milestones"].compute(scope),
    }


def build_action_plan_pdf(params: dict, out: BinaryIO, progress: Progress) -> str:
    context = action_plan_context(review_id=params.get("review_id"))
    progress(30)
    now = timezone.localtime()
    context |= {"generated_at": now, "portal_name": settings.PORTAL_NAME}
    html = render_to_string("reports/action_plan.html", context)
    progress(60)
    html_to_pdf(html, out)
    progress(98)
    return f"plan-d-action-{now:%Y-%m-%d-%H%M}.pdf"


REGION_FIGURES = (
    "by_axis",
    "by_department",
    "by_collectivity_level",
    "by_partner",
    "by_school_level",
    "by_status",
    "per_quarter",
    "lead_times",
    "department_coverage",
    "rural_communes",
)
REGION_LATEST = 30


def region_summary_context(region_code: str) -> dict:
    region = Territory.objects.filter(level=Territory.Level.REGION, code=region_code).first()
    if region is None:
        raise ReportBuildError(_("Région inconnue : « %s ».") % region_code)
    filterset = statistics.statistics_filterset({"region": region.code})
    # Built in a worker: grouped queries, not an index of the catalogue for one report.
    values = statistics.compute_all(
        filterset, names=REGION_FIGURES, cached=False, use_bitmaps=False
    )
    figures = [statistics.FIGURES[name] for name in REGION_FIGURES]
    latest = list(
        Initiative.objects.filter(status=S.PUBLISHED, region_code=region.code)
        .select_related("lead_collectivity", "lead_organisation")
        .order_by("-published_at", "-pk")[:REGION_LATEST]
    )
    return {
        "region": region,
        "values": values,
        "published_total": sum(
            row["value"] for row in values["by_status"]["rows"] if row["key"] == S.PUBLISHED
        ),
        "sections": charts.figure_sections(figures, values, id_prefix="region"),
        "latest": latest,
    }


def build_region_summary_pdf(params: dict, out: BinaryIO, progress: Progress) -> str:
    context = region_summary_context(str(params.get("region") or ""))
    progress(40)
    now = timezone.localtime()
    context |= {"generated_at": now, "portal_name": settings.PORTAL_NAME}
    html = render_to_string("reports/region_summary.html", context)
    progress(70)
    html_to_pdf(html, out)
    progress(98)
    return f"synthese-region-{context['region'].code}-{now:%Y-%m-%d-%H%M}.pdf"


BUILDERS: dict[str, Callable[[dict, BinaryIO, Progress], str]] = {
    Report.Kind.INITIATIVES_XLSX: build_initiatives_xlsx,
    Report.Kind.ACTION_PLAN_PDF: build_action_plan_pdf,
    Report.Kind.REGION_SUMMARY_PDF: build_region_summary_pdf,
}
CONTENT_TYPES = {
    Report.Kind.INITIATIVES_XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    Report.Kind.ACTION_PLAN_PDF: "application/pdf",
    Report.Kind.REGION_SUMMARY_PDF: "application/pdf",
}
