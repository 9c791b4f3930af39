"""An import read and checked, row by row, before anything is written."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.plan.io.columns import (
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    CODE_MAX_LENGTH,
    MAX_FILE_SIZE,
    MAX_ROWS,
    MILESTONE_COLUMNS,
    MILESTONES_SHEET,
    PARTNER_SEPARATOR,
    REQUIRED_ACTION_COLUMNS,
    REQUIRED_MILESTONE_COLUMNS,
    TITLE_MAX_LENGTH,
)
from committee.plan.models import Action
from committee.plan.services import actions as plan_services
from members.models import Organisation

# -- import: reading and checking ---------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as the spreadsheet numbers it (the header is row 1); 0 for the whole file
    column: str
    message: str

    def __str__(self):
        where = self.sheet
        if self.row:
            where += _(", ligne %(row)s") % {"row": self.row}
        if self.column:
            where += _(", colonne « %(column)s »") % {"column": self.column}
        return f"{where} : {self.message}" if where else self.message


class ImportRefused(Exception):  # noqa: N818 - the name says what happened
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ActionRow:
    row: int
    data: plan_services.ActionData


@dataclass
class MilestoneRow:
    row: int
    code: str
    title: str
    due_date: datetime.date
    reached_on: datetime.date | None


def _normalise_header(value) -> str:
    return " ".join(str(value or "").split()).lower()


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2, 1)),
)


def _as_date(value) -> datetime.date:
    """A date from a date cell or a text; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise ValueError
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _as_text(value)
    for pattern, (y, m, d) in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return datetime.date(int(match[y]), int(match[m]), int(match[d]))
    raise ValueError


def _read_dates(cells: dict, columns, fail, *, required=()) -> dict:
    """The row's date cells by column: None where blank or unreadable, each problem told to
    `fail(column, message)`; a blank cell of a `required` column is a problem too."""
    dates = {}
    for column in columns:
        raw = cells.get(column)
        dates[column] = None
        if _is_blank(raw):
            if column in required:
                fail(column, _("Valeur obligatoire manquante."))
            continue
        try:
            dates[column] = _as_date(raw)
        except (ValueError, TypeError):
            fail(
                column,
                _("Date illisible « %(value)s » : JJ/MM/AAAA.") % {"value": _as_text(raw)},
            )
    return dates


def _status_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Action.Status.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    return lookup


class _Sheet:
    """One sheet's rows as {column: value}, with the header checked."""

    def __init__(self, worksheet, *, name, columns, required, errors):
        self.name = name
        self.rows: list[tuple[int, dict]] = []
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            errors.append(RowError(name, 1, "", _("La feuille est vide : l'en-tête manque.")))
            self.ok = False
            return
        positions = {}
        for index, title in enumerate(header):
            key = _normalise_header(title)
            if not key:
                continue
            if key not in columns:
                errors.append(
                    RowError(name, 1, str(title), _("Colonne inconnue : elle n'est pas importée."))
                )
            elif key in positions:
                errors.append(RowError(name, 1, key, _("Colonne en double.")))
            else:
                positions[key] = index
        missing = [column for column in required if column not in positions]
        for column in missing:
            errors.append(RowError(name, 1, column, _("Colonne obligatoire absente.")))
        self.ok = not missing
        if not self.ok:
            return
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                errors.append(
                    RowError(
                        name, number, "", _("Trop de lignes : %(n)s au plus.") % {"n": MAX_ROWS}
                    )
                )
                break
            cells = {
                column: (values[i] if i < len(values) else None) for column, i in positions.items()
            }
            if all(_is_blank(v) for v in cells.values()):
                continue
            self.rows.append((number, cells))


def _open_workbook(upload, errors: list[RowError]):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_SIZE:
        errors.append(
            RowError("", 0, "", _("Le fichier dépasse %(n)s Mo.") % {"n": MAX_FILE_SIZE // 2**20})
        )
        return None
    try:
        upload.seek(0)
        data = upload.read()
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        errors.append(
            RowError(
                "",
                0,
                "",
                _(
                    "Ce fichier n'est pas un classeur XLSX lisible : exportez le plan d'action "
                    "et partez de ce fichier."
                ),
            )
        )
        return None


def _check_actions(sheet: _Sheet, errors: list[RowError]) -> list[ActionRow]:
    axes = {axis.number: axis for axis in Axis.objects.all()}
    organisations = {org.acronym.lower(): org for org in Organisation.objects.all()}
    statuses = _status_lookup()
    seen: dict[str, int] = {}
    checked = []
    for number, cells in sheet.rows:
        row_errors = []

        def fail(column, message, row_errors=row_errors, number=number):
            row_errors.append(RowError(ACTIONS_SHEET, number, column, message))

        values = {column: _as_text(cells.get(column)) for column in ACTION_COLUMNS}
        for column in REQUIRED_ACTION_COLUMNS:
            if not values[column]:
                fail(column, _("Valeur obligatoire manquante."))
        code = values["code"]
        if code:
            if len(code) > CODE_MAX_LENGTH:
                fail(
                    "code", _("Code trop long (%(n)s caractères au plus).") % {"n": CODE_MAX_LENGTH}
                )
            elif code.lower() in seen:
                fail(
                    "code",
                    _("Code « %(code)s » en double (déjà ligne %(row)s).")
                    % {"code": code, "row": seen[code.lower()]},
                )
            else:
                seen[code.lower()] = number
        if len(values["intitulé"]) > TITLE_MAX_LENGTH:
            fail(
                "intitulé",
                _("Intitulé trop long (%(n)s caractères au plus).") % {"n": TITLE_MAX_LENGTH},
            )
        axis = None
        if values["axe"]:
            try:
                axis = axes.get(int(values["axe"]))
            except ValueError:
                axis = None
            if axis is None:
                fail("axe", _("Axe inconnu « %(value)s » : de 1 à 6.") % {"value": values["axe"]})
        status = None
        if values["statut"]:
            status = statuses.get(values["statut"].lower())
            if status is None:
                fail(
                    "statut",
                    _("Statut inconnu « %(value)s » : %(list)s.")
                    % {
                        "value": values["statut"],
                        "list": ", ".join(str(label) for _v, label in Action.Status.choices),
                    },
                )
        partners = []
        for acronym in values["partenaires pilotes"].split(PARTNER_SEPARATOR):
            acronym = acronym.strip()
            if not acronym:
                continue
            org = organisations.get(acronym.lower())
            if org is None:
                fail(
                    "partenaires pilotes",
                    _("Partenaire inconnu « %(acronym)s ».") % {"acronym": acronym},
                )
            elif org not in partners:
                partners.append(org)
        dates = _read_dates(cells, ("début", "échéance"), fail)
        if dates["début"] and dates["échéance"] and dates["échéance"] < dates["début"]:
            fail("échéance", _("L'échéance précède le début."))
        errors.extend(row_errors)
        if not row_errors:
            checked.append(
                ActionRow(
                    number,
                    plan_services.ActionData(
                        axis=axis,
                        code=code,
                        title=values["intitulé"],
                        objective=values["objectif"],
                        lead_partners=partners,
                        status=status,
                        start_date=dates["début"],
                        due_date=dates["échéance"],
                    ),
                )
            )
    return checked


def _check_milestones(
    sheet: _Sheet, errors: list[RowError], *, file_codes: set[str]
) -> list[MilestoneRow]:
    known = {code.lower() for code in Action.objects.values_list("code", flat=True)} | file_codes
    today = timezone.localdate()
    seen: dict[tuple[str, str], int] = {}
    checked = []
    for number, cells in sheet.rows:
        row_errors = []

        def fail(column, message, row_errors=row_errors, number=number):
            row_errors.append(RowError(MILESTONES_SHEET, number, column, message))

        code = _as_text(cells.get("code action"))
        title = _as_text(cells.get("intitulé"))
        for column, value in (("code action", code), ("intitulé", title)):
            if not value:
                fail(column, _("Valeur obligatoire manquante."))
        if code and code.lower() not in known:
            fail("code action", _("Action inconnue « %(code)s ».") % {"code": code})
        if len(title) > TITLE_MAX_LENGTH:
            fail(
                "intitulé",
                _("Intitulé trop long (%(n)s caractères au plus).") % {"n": TITLE_MAX_LENGTH},
            )
        if code and title:
            key = (code.lower(), title)
            if key in seen:
                fail("intitulé", _("Jalon en double (déjà ligne %(row)s).") % {"row": seen[key]})
            else:
                seen[key] = number
        dates = _read_dates(cells, ("échéance", "atteint le"), fail, required={"échéance"})
        if dates["atteint le"] and dates["atteint le"] > today:
            fail("atteint le", _("Un jalon ne peut être atteint dans le futur."))
        errors.extend(row_errors)
        if not row_errors:
            checked.append(
                MilestoneRow(number, code, title, dates["échéance"], dates["atteint le"])
            )
    return checked


def plan_import_check(upload) -> tuple[list[ActionRow], list[MilestoneRow] | None, list[RowError]]:
    """Read and check the whole file; write nothing. Milestones are None without their sheet."""
    errors: list[RowError] = []
    workbook = _open_workbook(upload, errors)
    if workbook is None:
        return [], None, errors
    try:
        names = {name.lower(): name for name in workbook.sheetnames}
        if ACTIONS_SHEET not in names:
            errors.append(
                RowError(ACTIONS_SHEET, 0, "", _("Feuille « actions » absente du classeur."))
            )
            return [], None, errors
        actions_sheet = _Sheet(
            workbook[names[ACTIONS_SHEET]],
            name=ACTIONS_SHEET,
            columns=ACTION_COLUMNS,
            required=REQUIRED_ACTION_COLUMNS,
            errors=errors,
        )
        actions = _check_actions(actions_sheet, errors) if actions_sheet.ok else []
        milestones = None
        if MILESTONES_SHEET in names:
            milestone_sheet = _Sheet(
                workbook[names[MILESTONES_SHEET]],
                name=MILESTONES_SHEET,
                columns=MILESTONE_COLUMNS,
                required=REQUIRED_MILESTONE_COLUMNS,
                errors=errors,
            )
            file_codes = {
                _as_text(cells.get("code")).lower() for _n, cells in actions_sheet.rows
            } - {""}
            milestones = (
                _check_milestones(milestone_sheet, errors, file_codes=file_codes)
                if milestone_sheet.ok
                else []
            )
    finally:
        workbook.close()
    if not errors and not actions and not milestones:
        errors.append(RowError(ACTIONS_SHEET, 0, "", _("Le fichier ne contient aucune action.")))
    return actions, milestones, errors
