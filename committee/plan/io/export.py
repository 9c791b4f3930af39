"""The action plan written to one spreadsheet (XLSX)."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.plan.io.columns import (
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    DATE_FORMAT,
    MILESTONE_COLUMNS,
    MILESTONES_SHEET,
    PARTNER_SEPARATOR,
    README_SHEET,
)
from committee.plan.models import Action, Milestone
from members.models import Organisation

# -- export -------------------------------------------------------------------------------------


def _text(sheet, value: str):
    """A text cell that a spreadsheet never takes for a formula."""
    from openpyxl.cell import Cell

    cell = Cell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _date_cell(sheet, value: datetime.date | None):
    from openpyxl.cell import Cell

    if value is None:
        return None
    cell = Cell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _header(sheet, columns) -> None:
    from openpyxl.styles import Font

    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def plan_export(out) -> int:
    """Write the whole plan to `out` as XLSX; return the number of actions (four queries)."""
    from openpyxl import Workbook

    actions = list(
        Action.objects.select_related("axis")
        .prefetch_related(
            Prefetch("lead_partners", queryset=Organisation.objects.order_by("acronym")),
            Prefetch(
                "milestones", queryset=Milestone.objects.order_by("position", "due_date", "pk")
            ),
        )
        .order_by("axis__number", "code")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ACTIONS_SHEET
    _header(sheet, ACTION_COLUMNS)
    milestones = workbook.create_sheet(MILESTONES_SHEET)
    _header(milestones, MILESTONE_COLUMNS)
    for action in actions:
        sheet.append(
            [
                _text(sheet, action.code),
                action.axis.number,
                _text(sheet, action.title),
                _text(sheet, action.objective),
                _text(
                    sheet,
                    f"{PARTNER_SEPARATOR} ".join(p.acronym for p in action.lead_partners.all()),
                ),
                _text(sheet, str(action.get_status_display())),
                _date_cell(sheet, action.start_date),
                _date_cell(sheet, action.due_date),
            ],
        )
        for milestone in action.milestones.all():
            milestones.append(
                [
                    _text(milestones, action.code),
                    _text(milestones, milestone.title),
                    _date_cell(milestones, milestone.due_date),
                    _date_cell(milestones, milestone.reached_on),
                ],
            )
    for ws, widths in ((sheet, (10, 6, 50, 60, 24, 14, 12, 12)), (milestones, (12, 50, 12, 12))):
        for index, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + index)].width = width
    readme = workbook.create_sheet(README_SHEET)
    for line in _readme_lines():
        readme.append([_text(readme, line)])
    readme.column_dimensions["A"].width = 110
    workbook.save(out)
    return len(actions)


def _readme_lines() -> list[str]:
    statuses = ", ".join(f"« {label} »" for _value, label in Action.Status.choices)
    return [
        _("Plan d'action du comité — exporté le %(date)s")
        % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
        "",
        _("Ce fichier se réimporte tel quel : mêmes feuilles, mêmes colonnes."),
        _(
            "Feuille « actions » : une action par ligne, reconnue par son code. Colonnes "
            "obligatoires : code, axe (1 à 6), intitulé, objectif, statut."
        ),
        _("Statuts possibles : %(list)s.") % {"list": statuses},
        _(
            "Partenaires pilotes : sigles des partenaires, séparés par « ; » (par exemple "
            "« AMF; ADF »)."
        ),
        _("Dates : cellules de date, ou texte JJ/MM/AAAA ou AAAA-MM-JJ."),
        _(
            "Feuille « jalons » : un jalon par ligne, reconnu par le code de son action et son "
            "intitulé ; échéance obligatoire, « atteint le » facultatif."
        ),
        _(
            "L'avancement ne se saisit pas : il est calculé à partir des jalons atteints et des "
            "indicateurs. Un import ne supprime rien."
        ),
    ]


def export_filename() -> str:
    return f"plan-d-action-{timezone.localtime():%Y-%m-%d}.xlsx"
