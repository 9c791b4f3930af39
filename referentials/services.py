"""Writes on referentials: loading the territories of the Code officiel géographique and the
other codes their communes are found by (postcodes, former and arrondissement codes)."""

from __future__ import annotations

import csv
import gzip
import lzma
import re
from collections import defaultdict
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from referentials.models import Territory, TerritoryAlias
from referentials.signals import territories_updated

L = Territory.Level

TERRITORIES_FILE = Path(__file__).resolve().parent / "data" / "territories.csv.xz"
ALIASES_FILE = Path(__file__).resolve().parent / "data" / "commune_aliases.csv.xz"

# Parents first, so that every parent's primary key is known when its children are written.
LOAD_ORDER = (L.REGION, L.DEPARTMENT, L.EPCI, L.COMMUNE)
PARENT_LEVEL = {L.DEPARTMENT: L.REGION, L.EPCI: L.DEPARTMENT, L.COMMUNE: L.DEPARTMENT}
REQUIRED_COLUMNS = {"level", "code", "name", "parent_code", "epci_code", "population", "epci_kind"}
# Compared with the database to skip unchanged rows, in this order.
FIELDS = (
    "name",
    "parent_id",
    "epci_id",
    "region_code",
    "department_code",
    "population",
    "epci_kind",
)
UPDATE_FIELDS = [
    "name",
    "parent",
    "epci",
    "region_code",
    "department_code",
    "population",
    "epci_kind",
]
BATCH_SIZE = 2000


class TerritoryFileError(ValueError):
    """The territories file is malformed or inconsistent; nothing was written."""


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8", newline="")
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def _csv_reader(fh, path: Path, required) -> csv.DictReader:
    """A CSV reader of the file, refused with its missing columns named."""
    reader = csv.DictReader(fh)
    missing = set(required) - set(reader.fieldnames or ())
    if missing:
        raise TerritoryFileError(
            _("%(path)s : colonnes manquantes : %(columns)s")
            % {"path": path, "columns": ", ".join(sorted(missing))}
        )
    return reader


def _read_territories(path: Path) -> dict[str, list[dict[str, str]]]:
    """Rows of the file grouped by level, checked for unknown levels and duplicate codes."""
    by_level: dict[str, list[dict[str, str]]] = {level: [] for level in LOAD_ORDER}
    seen: set[tuple[str, str]] = set()
    with _open_text(path) as fh:
        reader = _csv_reader(fh, path, REQUIRED_COLUMNS)
        for row in reader:
            level, code = row["level"], row["code"].strip()
            if level not in by_level or not code:
                raise TerritoryFileError(
                    _("%(path)s, ligne %(line)d : niveau ou code invalide.")
                    % {"path": path, "line": reader.line_num}
                )
            if (level, code) in seen:
                raise TerritoryFileError(
                    _("%(path)s : %(level)s %(code)s apparaît deux fois.")
                    % {"path": path, "level": level, "code": code}
                )
            seen.add((level, code))
            by_level[level].append(row)
    return by_level


def territories_load(*, path: Path | str | None = None) -> dict[str, dict[str, int]]:
    """Create or update the territories from the file shipped in `referentials/data/`.

    Idempotent: rows are matched on (level, code); only new or changed rows are written, so a
    second run writes nothing. Territories missing from the file are left in place (initiatives
    may point to them) and counted as `absent`. Returns counts per level.
    """
    rows_by_level = _read_territories(Path(path) if path else TERRITORIES_FILE)
    result: dict[str, dict[str, int]] = {}

    with transaction.atomic():
        current: dict[tuple[str, str], tuple] = {}
        # (level, code) -> (pk, region_code, department_code), for parents and EPCI lookups
        known: dict[tuple[str, str], tuple[int, str, str]] = {}
        for pk, level, code, *values in Territory.objects.values_list(
            "pk", "level", "code", *FIELDS
        ):
            current[(level, code)] = (pk, tuple(values))
            known[(level, code)] = (pk, values[3], values[4])

        updated_ids: list[int] = []
        for level in LOAD_ORDER:
            rows = rows_by_level[level]
            to_write: list[Territory] = []
            counts = defaultdict(int, total=len(rows))
            for row in rows:
                code = row["code"].strip()
                values = _values(level, code, row, known)
                existing = current.get((level, code))
                if existing is not None and existing[1] == values:
                    counts["unchanged"] += 1
                    continue
                counts["updated" if existing else "created"] += 1
                if existing:
                    updated_ids.append(existing[0])
                to_write.append(
                    Territory(level=level, code=code, **dict(zip(FIELDS, values, strict=True)))
                )
                # Children of this row need its codes, whether or not it is new.
                pk = existing[0] if existing else None
                known[(level, code)] = (pk, values[3], values[4])

            if to_write:
                Territory.objects.bulk_create(
                    to_write,
                    batch_size=BATCH_SIZE,
                    update_conflicts=True,
                    unique_fields=["level", "code"],
                    update_fields=UPDATE_FIELDS,
                )
            if counts["created"]:
                for code, pk in Territory.objects.filter(level=level).values_list("code", "pk"):
                    _, region_code, department_code = known[(level, code)]
                    known[(level, code)] = (pk, region_code, department_code)

            in_file = {row["code"].strip() for row in rows}
            counts["absent"] = sum(
                1 for lvl, code in current if lvl == level and code not in in_file
            )
            result[level] = {
                key: counts[key] for key in ("total", "created", "updated", "unchanged", "absent")
            }
        if updated_ids:
            # What other apps copied from these territories (names, codes, populations)
            # follows, in the same transaction.
            territories_updated.send(sender=Territory, territory_ids=updated_ids)
    return result


def _values(level: str, code: str, row: dict[str, str], known: dict) -> tuple:
    """The stored fields of one row, in FIELDS order, with parents resolved to primary keys."""
    parent_code = (row["parent_code"] or "").strip()
    epci_code = (row["epci_code"] or "").strip()
    population = int(row["population"]) if (row["population"] or "").strip() else 0
    epci_kind = (row["epci_kind"] or "").strip() if level == L.EPCI else ""

    if level == L.REGION:
        if parent_code:
            raise TerritoryFileError(
                _("La région %(code)s ne peut pas avoir de rattachement.") % {"code": code}
            )
        return (row["name"], None, None, code, "", population, epci_kind)

    parent = known.get((PARENT_LEVEL[level], parent_code))
    if parent is None:
        raise TerritoryFileError(
            _("%(level)s %(code)s : rattachement %(parent)s inconnu.")
            % {"level": level, "code": code, "parent": parent_code or "—"}
        )
    parent_pk, region_code, department_code = parent
    if level == L.DEPARTMENT:
        region_code, department_code = parent_code, code

    epci_pk = None
    if level == L.COMMUNE and epci_code:
        epci = known.get((L.EPCI, epci_code))
        if epci is None:
            raise TerritoryFileError(
                _("Commune %(code)s : EPCI %(epci)s inconnu.") % {"code": code, "epci": epci_code}
            )
        epci_pk = epci[0]
    return (row["name"], parent_pk, epci_pk, region_code, department_code, population, epci_kind)


ALIAS_COLUMNS = {"commune_code", "kind", "value", "name"}
ALIAS_PATTERNS = {
    TerritoryAlias.Kind.POSTCODE: re.compile(r"^[0-9]{5}$"),
    TerritoryAlias.Kind.FORMER_CODE: re.compile(r"^[0-9][0-9AB][0-9]{3}$"),
    TerritoryAlias.Kind.DISTRICT_CODE: re.compile(r"^[0-9][0-9AB][0-9]{3}$"),
}
DELETE_BATCH = 500  # ids per DELETE: under SQLite's limit of bound parameters


def _read_aliases(path: Path) -> list[tuple[str, str, str, str]]:
    """(commune code, kind, value, name) of each row, checked; duplicates are refused."""
    rows: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    with _open_text(path) as fh:
        reader = _csv_reader(fh, path, ALIAS_COLUMNS)
        for row in reader:
            commune, kind = row["commune_code"].strip(), row["kind"].strip()
            value, name = row["value"].strip(), (row["name"] or "").strip()
            pattern = ALIAS_PATTERNS.get(kind)
            if not commune or pattern is None or not pattern.match(value):
                raise TerritoryFileError(
                    _("%(path)s, ligne %(line)d : nature ou code invalide.")
                    % {"path": path, "line": reader.line_num}
                )
            if (commune, kind, value) in seen:
                raise TerritoryFileError(
                    _("%(path)s : %(kind)s %(value)s de la commune %(code)s apparaît deux fois.")
                    % {"path": path, "kind": kind, "value": value, "code": commune}
                )
            seen.add((commune, kind, value))
            rows.append((commune, kind, value, name))
    return rows


def territory_aliases_load(*, path: Path | str | None = None) -> dict[str, int]:
    """Bring the communes' other codes in line with the file shipped in `referentials/data/`.

    Run after the territories: rows of a commune the database does not hold, and former or
    arrondissement codes that are the code of a current commune (which always designates
    that commune), are skipped and counted. The table is made to match the file: what it no
    longer lists is deleted, only new or renamed rows are written, so a second run writes
    nothing. Returns the counts.
    """
    rows = _read_aliases(Path(path) if path else ALIASES_FILE)
    counts = dict.fromkeys(("total", "created", "updated", "deleted", "unchanged", "skipped"), 0)
    counts["total"] = len(rows)
    with transaction.atomic():
        communes = dict(
            Territory.objects.filter(level=L.COMMUNE).values_list("code", "pk").order_by()
        )
        wanted: dict[tuple[int, str, str], str] = {}
        for commune, kind, value, name in rows:
            territory_id = communes.get(commune)
            if territory_id is None or (kind in TerritoryAlias.CODE_KINDS and value in communes):
                counts["skipped"] += 1
                continue
            wanted[(territory_id, kind, value)] = name
        current = {
            (territory_id, kind, value): (pk, name)
            for pk, territory_id, kind, value, name in TerritoryAlias.objects.values_list(
                "pk", "territory_id", "kind", "value", "name"
            ).order_by()
        }
        stale = [pk for key, (pk, _name) in current.items() if key not in wanted]
        renamed = []
        for key, name in wanted.items():
            existing = current.get(key)
            if existing is None:
                continue
            if existing[1] == name:
                counts["unchanged"] += 1
            else:
                renamed.append(TerritoryAlias(pk=existing[0], name=name))
        # Deletions first: a former code moving to another commune keeps its unique index.
        for start in range(0, len(stale), DELETE_BATCH):
            TerritoryAlias.objects.filter(pk__in=stale[start : start + DELETE_BATCH]).delete()
        TerritoryAlias.objects.bulk_update(renamed, ["name"], batch_size=BATCH_SIZE)
        new = [
            TerritoryAlias(territory_id=territory_id, kind=kind, value=value, name=name)
            for (territory_id, kind, value), name in wanted.items()
            if (territory_id, kind, value) not in current
        ]
        TerritoryAlias.objects.bulk_create(new, batch_size=BATCH_SIZE)
        counts.update(created=len(new), updated=len(renamed), deleted=len(stale))
    return counts
