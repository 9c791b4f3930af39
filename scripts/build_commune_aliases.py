#!/usr/bin/env python3
"""Build `referentials/data/commune_aliases.csv.xz` from the npm package
@etalab/decoupage-administratif.

The territories file (scripts/build_territories.py) has neither postcodes nor the codes of
former communes. The package has both: La Poste's postcodes of every current commune, the
codes of the communes merged into a commune nouvelle (or associated with another commune),
and the Paris-Lyon-Marseille arrondissements. We keep one row per (commune, kind, value),
only for the communes of our territories file, so that loading them needs no network:

- `postcode`: a postcode of the commune (La Poste), shared by several communes at times;
- `former_code`: the INSEE code of a former commune that is now part of this one;
- `district_code`: the INSEE code of one of its arrondissements municipaux (751xx, 6938x,
  132xx).

Usage (from the repository root, no Django needed):

    python scripts/build_commune_aliases.py                 # npm-packs 6.0.0, checks its hash
    python scripts/build_commune_aliases.py --source TGZ    # a downloaded tarball
    python scripts/build_commune_aliases.py --source DIR    # an unpacked package (or its data/)

Then load it with `python manage.py load_territories`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import lzma
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
TARBALL_NAME = "etalab-decoupage-administratif-6.0.0.tgz"
# Pinned so that a re-published or tampered package cannot silently change the aliases
# (the registry's integrity for this version is sha512-XavYsFlb…5pmCaQ==, see the README).
TARBALL_SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
MEMBER = "package/data/communes.json"

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TERRITORIES = ROOT / "referentials/data/territories.csv.xz"
DEFAULT_OUTPUT = ROOT / "referentials/data/commune_aliases.csv.xz"
COLUMNS = ["commune_code", "kind", "value", "name"]
KINDS = ("postcode", "former_code", "district_code")  # the order of the rows of one commune
POSTCODE = re.compile(r"^[0-9]{5}$")
COMMUNE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")


def download_tarball(directory: Path) -> Path:
    """Fetch the pinned tarball with npm (an ordinary registry client), then check its hash."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to download the package (or give --source).")
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return directory / TARBALL_NAME


def read_communes(source: Path) -> list[dict]:
    """The package's data/communes.json, from its tarball (hash checked) or a folder."""
    if source.is_file() and source.name.endswith((".tgz", ".tar.gz")):
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if digest != TARBALL_SHA256:
            raise SystemExit(f"{source.name}: sha256 {digest} differs from the pinned one")
        with tarfile.open(source) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no {MEMBER}")
            return json.load(member)
    for candidate in (source, source / "data" / "communes.json", source / "communes.json"):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    raise SystemExit(f"{source}: no communes.json found")


def read_our_communes(path: Path) -> dict[str, str]:
    """Code → name of the communes of our territories file."""
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh) if row["level"] == "commune"}


def build_rows(entries: list[dict], ours: dict[str, str]) -> tuple[list[dict], dict]:
    """The alias rows of our communes, and a report of what did not match (printed, and
    summarised in referentials/data/README.md)."""
    current = {e["code"]: e for e in entries if e["type"] == "commune-actuelle"}
    report: dict[str, list] = defaultdict(list)
    report["package_only"] = sorted(
        (code, e["nom"], e.get("zone", "")) for code, e in current.items() if code not in ours
    )
    report["ours_only"] = sorted(code for code in ours if code not in current)

    aliases: dict[tuple[str, str, str], str] = {}  # (commune, kind, value) -> name

    def add(commune: str, kind: str, value: str, name: str = "") -> None:
        if commune not in ours:
            return
        if kind != "postcode" and value in ours:
            # A code still in use designates its own commune, never another one.
            report["code_still_current"].append((value, kind, commune))
            return
        pattern = POSTCODE if kind == "postcode" else COMMUNE_CODE
        if not pattern.match(value):
            report["malformed"].append((commune, kind, value))
            return
        aliases[(commune, kind, value)] = name or aliases.get((commune, kind, value), "")

    # The former communes that the COG still lists, as communes déléguées or associées, give
    # the commune they belong to now (`chefLieu`) and their name.
    attached: dict[str, tuple[str, str]] = {}
    for entry in entries:
        # (A chef-lieu's own delegated commune has the chef-lieu's code: nothing to add.)
        part_of_another = entry.get("chefLieu") not in (None, entry["code"])
        if entry["type"] in ("commune-deleguee", "commune-associee") and part_of_another:
            attached[entry["code"]] = (entry["chefLieu"], entry["nom"])
    # The other former codes (communes wholly merged) only appear in `anciensCodes`. When the
    # two disagree, the chef-lieu (the COG's current attachment) wins.
    for code, entry in current.items():
        for postcode in entry.get("codesPostaux", []):
            add(code, "postcode", postcode)
        for former in entry.get("anciensCodes", []):
            if former in attached and attached[former][0] != code:
                report["attachment_conflicts"].append((former, code, attached[former][0]))
                continue
            add(code, "former_code", former, attached.get(former, ("", ""))[1])
    for former, (commune, name) in attached.items():
        add(commune, "former_code", former, name)
    for entry in entries:
        if entry["type"] == "arrondissement-municipal":
            add(entry["commune"], "district_code", entry["code"], entry["nom"])
            for postcode in entry.get("codesPostaux", []):
                add(entry["commune"], "postcode", postcode)

    # A code designates one commune only.
    owners: dict[str, set[str]] = defaultdict(set)
    for commune, kind, value in aliases:
        if kind != "postcode":
            owners[value].add(commune)
    ambiguous = {value for value, communes in owners.items() if len(communes) > 1}
    for value in sorted(ambiguous):
        report["ambiguous_codes"].append((value, sorted(owners[value])))
    order = {kind: index for index, kind in enumerate(KINDS)}
    rows = [
        {"commune_code": commune, "kind": kind, "value": value, "name": name}
        for (commune, kind, value), name in sorted(
            aliases.items(), key=lambda item: (item[0][0], order[item[0][1]], item[0][2])
        )
        if kind == "postcode" or value not in ambiguous
    ]
    report["without_postcode"] = sorted(
        set(ours) - {row["commune_code"] for row in rows if row["kind"] == "postcode"}
    )
    return rows, report


def write(rows: list[dict], output: Path) -> None:
    """A byte-for-byte reproducible file (xz stores no timestamp)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    data = buffer.getvalue().encode("utf-8")
    if output.name.endswith(".xz"):
        output.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    else:
        output.write_bytes(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="the package's .tgz, or its unpacked folder")
    parser.add_argument("--territories", type=Path, default=DEFAULT_TERRITORIES)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        entries = read_communes(args.source or download_tarball(Path(tmp)))
    ours = read_our_communes(args.territories)
    rows, report = build_rows(entries, ours)
    write(rows, args.output)

    counts = Counter(row["kind"] for row in rows)
    print(f"{args.output}: {args.output.stat().st_size:,} bytes, {len(rows):,} rows")
    print(", ".join(f"{kind}: {counts[kind]:,}" for kind in KINDS))
    print(f"communes of {args.territories.name}: {len(ours):,}")
    zones = Counter(zone for _code, _name, zone in report["package_only"])
    print(
        f"current communes of the package missing from ours (skipped): "
        f"{len(report['package_only'])} ({', '.join(f'{z}: {n}' for z, n in zones.items())})"
    )
    for key, label in (
        ("ours_only", "our communes missing from the package"),
        ("without_postcode", "our communes without any postcode"),
        ("code_still_current", "former codes still in use by a commune (skipped)"),
        ("attachment_conflicts", "former codes given to another commune than their chef-lieu"),
        ("ambiguous_codes", "codes claimed by several communes (skipped)"),
        ("malformed", "malformed values (skipped)"),
    ):
        items = report.get(key, [])
        print(f"{label}: {len(items)}" + (f" {items[:20]}" if items else ""))


if __name__ == "__main__":
    sys.exit(main())
