"""The open-data description of an initiative: one column list for every way out.

The CSV, XLSX and JSON exports, the Table Schema (`schema.json`), the data page and the API's
initiative representation are all built from `COLUMNS`, so they cannot drift apart. Rows are
read as plain values, a chunk at a time; the many-to-many columns of a chunk cost one query
per relation, whatever the chunk's size (no N+1, on PostgreSQL as on SQLite).

Contact details are personal data: they are never part of the bulk outputs (data
minimisation); the initiative page and the API's detail show them only with consent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.fields import ACCOUNT_FIELDS, CONTACT_FIELDS, DESCRIPTION_FIELDS
from initiatives.models import Initiative
from referentials.models import Territory

CHUNK_SIZE = 2000
LIST_SEPARATOR = "|"
LICENCE_NAME = "Licence Ouverte / Open Licence 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

_LEVELS = [level for level, _label in Territory.Level.choices]


@dataclass(frozen=True)
class Column:
    """One column of the exports, described the way a Table Schema field is."""

    name: str
    title: str
    description: str
    type: str  # Table Schema type: string, integer, number, date, datetime
    format: str | None = None
    constraints: dict = field(default_factory=dict)
    is_list: bool = False
    item_type: str = "string"  # type of a list's items in JSON and the API

    def as_table_schema(self) -> dict:
        description = str(self.description)
        if self.is_list:
            description += " " + str(
                _(
                    "Plusieurs valeurs sont séparées par « %(sep)s » en CSV et XLSX ; "
                    "c'est un tableau en JSON et dans l'API."
                )
                % {"sep": LIST_SEPARATOR}
            )
        descriptor = {
            "name": self.name,
            "title": str(self.title),
            "description": description,
            "type": self.type,
        }
        if self.format:
            descriptor["format"] = self.format
        if self.constraints:
            descriptor["constraints"] = dict(self.constraints)
            if self.type == "string" and "maxLength" in self.constraints:
                # Room for the apostrophe that neutralises a formula in CSV (csv_cell).
                descriptor["constraints"]["maxLength"] += len(FORMULA_ESCAPE)
        return descriptor


COLUMNS: tuple[Column, ...] = (
    Column(
        "slug",
        _("Identifiant"),
        _("Identifiant stable de l'initiative, repris dans l'adresse de sa page."),
        "string",
        constraints={"required": True, "unique": True, "pattern": "[-a-zA-Z0-9_]+"},
    ),
    Column(
        "url",
        _("Adresse de la page"),
        _("Adresse de la page publique de l'initiative sur le portail."),
        "string",
        format="uri",
        constraints={"required": True},
    ),
    Column(
        "title",
        _("Titre"),
        _("Titre de l'initiative."),
        "string",
        constraints={"required": True, "maxLength": 200},
    ),
    Column(
        "summary",
        _("Résumé"),
        _("Résumé en quelques lignes."),
        "string",
        constraints={"required": True, "maxLength": 500},
    ),
    Column(
        "description",
        _("Description"),
        _("Présentation détaillée, au format Markdown."),
        "string",
    ),
    Column(
        "lead_organisation",
        _("Association porteuse"),
        _("Sigle du partenaire du comité qui a partagé l'initiative (par exemple AMF, ADF)."),
        "string",
        constraints={"required": True},
    ),
    Column(
        "partners",
        _("Partenaires associés"),
        _("Sigles des autres partenaires du comité associés à l'initiative."),
        "string",
        is_list=True,
    ),
    Column(
        "lead_collectivity_code",
        _("Code de la collectivité porteuse"),
        _(
            "Code officiel géographique (INSEE) de la collectivité porteuse : code de région, "
            "de département, SIREN de l'EPCI ou code de commune."
        ),
        "string",
        constraints={"required": True},
    ),
    Column(
        "lead_collectivity_name",
        _("Collectivité porteuse"),
        _("Nom de la collectivité porteuse."),
        "string",
        constraints={"required": True},
    ),
    Column(
        "collectivity_level",
        _("Niveau de la collectivité porteuse"),
        _("region, department, epci (intercommunalité) ou commune."),
        "string",
        constraints={"required": True, "enum": _LEVELS},
    ),
    Column(
        "region_code",
        _("Code région"),
        _("Code INSEE de la région de la collectivité porteuse."),
        "string",
    ),
    Column(
        "department_code",
        _("Code département"),
        _("Code INSEE du département de la collectivité porteuse (vide pour une région)."),
        "string",
    ),
    Column(
        "territories",
        _("Territoires couverts"),
        _(
            "Autres territoires couverts, chacun sous la forme niveau:code "
            "(par exemple commune:69123, department:69)."
        ),
        "string",
        is_list=True,
    ),
    Column(
        "axes",
        _("Axes de travail"),
        _("Numéros (1 à 6) des axes de travail du comité auxquels l'initiative contribue."),
        "string",
        is_list=True,
        item_type="integer",
    ),
    Column(
        "school_levels",
        _("Niveaux scolaires"),
        _("Codes des niveaux scolaires concernés (maternelle, elementaire, college, lycee…)."),
        "string",
        is_list=True,
    ),
    Column(
        "referential_items",
        _("Éléments de référentiels"),
        _("Codes des éléments des référentiels nationaux mis en œuvre (par exemple 2.3)."),
        "string",
        is_list=True,
    ),
    Column(
        "start_date",
        _("Date de début"),
        _("Date de lancement (AAAA-MM-JJ)."),
        "date",
    ),
    Column(
        "end_date",
        _("Date de fin"),
        _("Date de fin, si elle est connue (AAAA-MM-JJ)."),
        "date",
    ),
    Column(
        "budget",
        _("Budget (€)"),
        _("Budget total en euros, s'il a été communiqué."),
        "number",
        constraints={"minimum": 0},
    ),
    Column(
        "funding_sources",
        _("Sources de financement"),
        _("Financeurs et dispositifs mobilisés."),
        "string",
    ),
    Column(
        "schools_reached",
        _("Écoles et établissements"),
        _("Nombre d'écoles et d'établissements concernés."),
        "integer",
        constraints={"required": True, "minimum": 0},
    ),
    Column(
        "pupils_reached",
        _("Élèves concernés"),
        _("Nombre d'élèves concernés."),
        "integer",
        constraints={"required": True, "minimum": 0},
    ),
    Column(
        "outcomes",
        _("Résultats et enseignements"),
        _("Ce que l'initiative a produit et ce qu'elle enseigne."),
        "string",
    ),
    Column(
        "published_at",
        _("Date de publication"),
        _("Date et heure de publication au catalogue, en temps universel (UTC)."),
        "datetime",
        constraints={"required": True},
    ),
)

COLUMN_NAMES = [column.name for column in COLUMNS]

# Scalar values read from the database for one row (joins, never per-row queries).
_VALUE_FIELDS = (
    "pk",
    "slug",
    *DESCRIPTION_FIELDS,
    "lead_organisation__acronym",
    "lead_collectivity__code",
    "lead_collectivity__name",
    "collectivity_level",
    "region_code",
    "department_code",
    *ACCOUNT_FIELDS,
    "published_at",
)


def table_schema() -> dict:
    """The data dictionary as a Table Schema (frictionless specifications)."""
    return {
        "name": "initiatives-territoriales",
        "title": str(_("Initiatives territoriales du numérique pour l'éducation")),
        "description": str(
            _(
                "Initiatives territoriales publiées au catalogue du comité des partenaires du "
                "numérique pour l'éducation. Fichier CSV : séparateur virgule, encodage UTF-8 "
                "sans BOM, guillemets doubles si nécessaire (RFC 4180), première ligne "
                "d'en-tête."
            )
        )
        + " "
        + str(
            _(
                "Dans le fichier CSV, un texte qui commence par =, +, -, @, une tabulation ou "
                "un retour chariot est précédé d'une apostrophe, pour qu'un tableur ne le "
                "prenne pas pour une formule ; le JSON, le XLSX et l'API donnent le texte tel "
                "quel."
            )
        ),
        "licenses": [{"name": "etalab-2.0", "title": LICENCE_NAME, "path": LICENCE_URL}],
        "fields": [column.as_table_schema() for column in COLUMNS],
        "primaryKey": "slug",
        "missingValues": [""],
    }


def export_values(queryset, *, with_contact: bool = False):
    """The rows of an (already filtered and ordered) initiative queryset, as plain values."""
    return queryset.values(*_VALUE_FIELDS, *(CONTACT_FIELDS if with_contact else ()))


# The many-to-many columns of the exports: name → (relation, value, order keys). The value
# and keys are SQL over the related table `r` (their list's order: number, position…).
_RELATIONS = {
    "axes": ("axes", "CAST(r.number AS TEXT)", "r.number", "''"),
    "school_levels": ("school_levels", "r.code", "r.position", "r.code"),
    "referential_items": ("referential_items", "r.code", "0", "r.code"),
    "partners": ("partners", "r.acronym", "0", "r.acronym"),
    # "level:code" sorts as (level, code): no level's name begins another's.
    "territories": ("territories", "r.level || ':' || r.code", "0", "r.level || ':' || r.code"),
}


def _relations(ids: list[int]) -> dict[str, dict[int, list]]:
    """The many-to-many columns of a chunk of initiatives, in one statement: a UNION ALL
    of one branch per relation (read five times per API page and per export chunk, five
    statements cost more to build and plan than to run)."""
    if connection.vendor == "postgresql":
        among, params = "= ANY(%s::bigint[])", [list(ids)]
    else:
        among, params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    branches = []
    for kind, (field_name, value, key1, key2) in enumerate(_RELATIONS.values()):
        m2m = Initiative._meta.get_field(field_name)
        through = m2m.remote_field.through._meta
        source = through.get_field(m2m.m2m_field_name()).column
        target = through.get_field(m2m.m2m_reverse_field_name()).column
        branches.append(
            f"SELECT {kind} AS kind, t.{source} AS initiative_id, {value} AS value, "  # noqa: S608
            f"{key1} AS key1, {key2} AS key2 FROM {through.db_table} t "
            f"JOIN {m2m.related_model._meta.db_table} r ON r.id = t.{target} "
            f"WHERE t.{source} {among}"
        )
    names = list(_RELATIONS)
    related: dict[str, dict[int, list]] = {name: defaultdict(list) for name in names}
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(branches) + " ORDER BY kind, key1, key2",
            params * len(branches),
        )
        for kind, initiative_id, value, _key1, _key2 in cursor.fetchall():
            related[names[kind]][initiative_id].append(int(value) if kind == 0 else value)
    return related


def records(rows: list[dict], *, base_url: str, with_contact: bool = False) -> list[dict]:
    """Complete value rows with their lists; keys are exactly `COLUMN_NAMES` (plus `contact`
    when asked and consented). Values stay Python objects (date, Decimal, list…)."""
    if not rows:
        return []
    related = _relations([row["pk"] for row in rows])
    page_url = base_url + reverse("initiatives:detail", kwargs={"slug": "__slug__"})
    result = []
    for row in rows:
        pk = row["pk"]
        record = {
            "slug": row["slug"],
            "url": page_url.replace("__slug__", row["slug"]),
            "title": row["title"],
            "summary": row["summary"],
            "description": row["description"],
            "lead_organisation": row["lead_organisation__acronym"],
            "partners": related["partners"].get(pk, []),
            "lead_collectivity_code": row["lead_collectivity__code"],
            "lead_collectivity_name": row["lead_collectivity__name"],
            "collectivity_level": row["collectivity_level"],
            "region_code": row["region_code"],
            "department_code": row["department_code"],
            "territories": related["territories"].get(pk, []),
            "axes": related["axes"].get(pk, []),
            "school_levels": related["school_levels"].get(pk, []),
            "referential_items": related["referential_items"].get(pk, []),
            "start_date": row["start_date"],
            "end_date": row["end_date"],
            "budget": row["budget"],
            "funding_sources": row["funding_sources"],
            "schools_reached": row["schools_reached"],
            "pupils_reached": row["pupils_reached"],
            "outcomes": row["outcomes"],
            "published_at": row["published_at"],
        }
        if with_contact:
            record["contact"] = _public_contact(row)
        result.append(record)
    return result


def _public_contact(row: dict) -> dict | None:
    if not row.get("contact_consent") or not (row.get("contact_email") or row.get("contact_phone")):
        return None
    return {
        "name": row["contact_name"],
        "email": row["contact_email"],
        "phone": row["contact_phone"],
    }


def iter_records(queryset, *, base_url: str, chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """Every record of a filtered, ordered queryset, read and completed chunk by chunk."""
    chunk: list[dict] = []
    for row in export_values(queryset).iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from records(chunk, base_url=base_url)
            chunk = []
    if chunk:
        yield from records(chunk, base_url=base_url)


# -- flat values, shared by CSV and XLSX --------------------------------------------------


def utc_timestamp(value: datetime.datetime) -> str:
    """Table Schema's default datetime format: ISO 8601 in UTC with a trailing Z."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def flat_value(value) -> str:
    """A record's value as CSV text: lists joined, dates ISO 8601, missing values empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return utc_timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# OWASP "CSV injection": a spreadsheet takes a cell starting with one of these for a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"
_STRING_COLUMNS = frozenset(column.name for column in COLUMNS if column.type == "string")


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe before a leading formula character."""
    return FORMULA_ESCAPE + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(name: str, value) -> str:
    """A record's value for the CSV export: flat text, and never a formula for a text column
    (numbers and dates keep their sign and format, as the Table Schema describes them)."""
    text = flat_value(value)
    return formula_safe(text) if name in _STRING_COLUMNS else text


def json_value(value):
    """A record's value for JSON: lists stay arrays, numbers stay numbers."""
    if isinstance(value, datetime.datetime):
        return utc_timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def json_record(record: dict) -> dict:
    return {name: json_value(record[name]) for name in COLUMN_NAMES}


def rows_as_lists(records_: Iterable[dict]) -> Iterator[list]:
    for record in records_:
        yield [record[name] for name in COLUMN_NAMES]
