"""The spreadsheet's sheets and columns, and the limits of an import."""

from __future__ import annotations

from committee.plan.models import Action

ACTIONS_SHEET = "actions"
MILESTONES_SHEET = "jalons"
README_SHEET = "lisez-moi"
ACTION_COLUMNS = (
    "code",
    "axe",
    "intitulé",
    "objectif",
    "partenaires pilotes",
    "statut",
    "début",
    "échéance",
)
MILESTONE_COLUMNS = ("code action", "intitulé", "échéance", "atteint le")
REQUIRED_ACTION_COLUMNS = ("code", "axe", "intitulé", "objectif", "statut")
REQUIRED_MILESTONE_COLUMNS = ("code action", "intitulé", "échéance")
PARTNER_SEPARATOR = ";"
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000
DATE_FORMAT = "DD/MM/YYYY"
CODE_MAX_LENGTH = Action._meta.get_field("code").max_length
TITLE_MAX_LENGTH = Action._meta.get_field("title").max_length
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
