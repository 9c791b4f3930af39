"""The action plan as one spreadsheet (XLSX), the same columns both ways.

Sheet « actions »: code, axe, intitulé, objectif, partenaires pilotes (sigles séparés par
« ; »), statut, début, échéance. Sheet « jalons »: code action, intitulé, échéance,
atteint le. An exported file imports back unchanged (a no-op).

An import reads and checks every row of both sheets first — unknown axis or partner, bad
date or status, duplicate code, missing value… — and refuses the whole file with the list of
errors (sheet, row, column, message) when there is any: nothing is written. A valid file
creates or updates actions by code, and their milestones by title (an import deletes
nothing; unchanged rows are not written at all). Progress is not a column: it is derived.
"""

from committee.plan.io.columns import (
    ACTION_COLUMNS,
    MAX_FILE_SIZE,
    MAX_ROWS,
    MILESTONE_COLUMNS,
    XLSX_CONTENT_TYPE,
)
from committee.plan.io.export import export_filename, plan_export
from committee.plan.io.reading import ImportRefused, RowError, plan_import_check
from committee.plan.io.writing import ImportResult, plan_import

__all__ = [
    "ACTION_COLUMNS",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "MILESTONE_COLUMNS",
    "XLSX_CONTENT_TYPE",
    "ImportRefused",
    "ImportResult",
    "RowError",
    "export_filename",
    "plan_export",
    "plan_import",
    "plan_import_check",
]
