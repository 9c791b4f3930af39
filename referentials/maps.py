"""Map of France's départements as inline SVG: a choropleth and a small locator map.

The outlines come from `data/departments_map.json`, built offline by
`scripts/build_department_map.py`, so that pages draw the map with no tile server, no
JavaScript and no network. Every number handed to the templates is already formatted as a
string: Django would otherwise localise floats ("12,5" in French) and break the SVG.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAP_FILE = Path(__file__).resolve().parent / "data" / "departments_map.json"

# Colour classes dep-bucket-1 … dep-bucket-5 (map.css); 0 means no initiative.
TOP_BUCKET = 5
# A département narrower than this share of the locator map also gets a dot, to be seen.
MARKER_BELOW = 0.04


@lru_cache(maxsize=1)
def load_department_map() -> dict[str, Any]:
    """The map data, read once per process (about 150 KB)."""
    with MAP_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def _num(value: float) -> str:
    """A coordinate for SVG: dot decimal separator, no trailing zeros."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def bucket_ranges(counts: Mapping[str, int]) -> list[tuple[int, int, int]]:
    """Split the positive counts into at most five classes of about equal size (quantiles).

    Returns (bucket, low, high) with inclusive integer bounds, lowest first. Ties never
    straddle two classes, so there are fewer classes when there are few distinct values;
    they are then spread over the palette, and the highest count always gets the darkest.
    """
    values = sorted(value for value in counts.values() if value > 0)
    if not values:
        return []
    classes = min(TOP_BUCKET, len(set(values)))
    highs: list[int] = []
    for rank in range(1, classes + 1):
        high = values[math.ceil(rank * len(values) / classes) - 1]
        if not highs or high > highs[-1]:
            highs.append(high)
    ranges = []
    for index, high in enumerate(highs):
        low = 1 if index == 0 else highs[index - 1] + 1
        if len(highs) == 1:
            bucket = TOP_BUCKET
        else:
            bucket = 1 + round(index * (TOP_BUCKET - 1) / (len(highs) - 1))
        ranges.append((bucket, low, high))
    return ranges


def bucket_for(count: int, ranges: list[tuple[int, int, int]]) -> int:
    if count <= 0:
        return 0
    for bucket, _low, high in ranges:
        if count <= high:
            return bucket
    return TOP_BUCKET


def department_label(name: str, count: int) -> str:
    """What a screen reader announces on each département, e.g. "Ain : 12 initiatives"."""
    if count <= 0:
        return _("%(name)s : aucune initiative") % {"name": name}
    return ngettext(
        "%(name)s : %(count)s initiative", "%(name)s : %(count)s initiatives", count
    ) % {"name": name, "count": _count(count)}


def legend_label(low: int, high: int) -> str:
    if low == high:
        return ngettext("%(count)s initiative", "%(count)s initiatives", low) % {
            "count": _count(low)
        }
    return _("De %(low)s à %(high)s initiatives") % {"low": _count(low), "high": _count(high)}


def choropleth(
    counts: Mapping[str, int],
    *,
    url_for: Callable[[str], str],
    title: str,
    description: str,
    dom_id: str = "carte-departements",
) -> dict[str, Any]:
    """Everything `includes/department_map.html` needs to draw counts per département.

    `counts` maps département codes to numbers of initiatives (missing codes count 0, unknown
    codes are ignored); `url_for(code)` gives each département's link, e.g. the catalogue
    filtered on it.
    """
    data = load_department_map()
    counts = {str(code): max(int(value), 0) for code, value in counts.items()}
    known = {code: counts.get(code, 0) for code in data["departments"]}
    ranges = bucket_ranges(known)

    departments = []
    for code, dep in data["departments"].items():
        count = known[code]
        departments.append(
            {
                "code": code,
                "name": dep["name"],
                "d": dep["d"],
                "count": count,
                "count_display": _count(count),
                "bucket": bucket_for(count, ranges),
                "url": url_for(code),
                "label": department_label(dep["name"], count),
            }
        )
    by_code = {dep["code"]: dep for dep in departments}

    zoom = data["zoom"]
    x0, y0, x1, y1 = zoom["area"]
    legend = [{"bucket": 0, "label": _("Aucune initiative")}]
    legend += [
        {"bucket": bucket, "low": low, "high": high, "label": legend_label(low, high)}
        for bucket, low, high in ranges
    ]
    return {
        "id": dom_id,
        "title": title,
        "description": description,
        "viewBox": data["viewBox"],
        "departments": departments,
        "legend": legend,
        "total": sum(known.values()),
        "insets": [_frame(inset) for inset in data["insets"]],
        "zoom": {
            **_frame(zoom),
            "departments": [{**by_code[code], "d": d} for code, d in zoom["departments"].items()],
            # Where the magnified area is on the main map.
            "area": {
                "x": _num(x0),
                "y": _num(y0),
                "w": _num(x1 - x0),
                "h": _num(y1 - y0),
            },
        },
        "source": data["source"],
    }


def _frame(box: Mapping[str, Any]) -> dict[str, str]:
    """An inset's box and the position of its caption, as SVG-ready strings."""
    return {
        "label": box["label"],
        "x": _num(box["x"]),
        "y": _num(box["y"]),
        "w": _num(box["w"]),
        "h": _num(box["h"]),
        "text_x": _num(box["x"] + 5),
        "text_y": _num(box["y"] + 12),
    }


def territory_minimap(code: str, *, dom_id: str | None = None) -> dict[str, Any] | None:
    """A small locator map for one département, for `includes/territory_minimap.html`.

    Metropolitan départements are shown within a light outline of metropolitan France,
    overseas ones within their inset: one path each, a few kilobytes in all. Returns None for
    an unknown code (e.g. a territory with no département), so templates can skip the map.
    """
    data = load_department_map()
    dep = data["departments"].get(code)
    if dep is None:
        return None
    inset = next((box for box in data["insets"] if box.get("code") == code), None)
    if inset is None:
        x0, y0, x1, y1 = data["metropole"]["bbox"]
        pad = 4.0
        view = (x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        outline = data["metropole"]["outline"]
    else:
        view = (inset["x"], inset["y"] + 16, inset["w"], inset["h"] - 16)  # without caption
        outline = ""
    bx0, by0, bx1, by1 = dep["bbox"]
    small = max(bx1 - bx0, by1 - by0) < MARKER_BELOW * view[2]
    return {
        "id": dom_id or f"carte-localisation-{code.lower()}",
        "code": code,
        "name": dep["name"],
        "title": _("Localisation du département : %(name)s (%(code)s)")
        % {"name": dep["name"], "code": code},
        "viewBox": " ".join(_num(value) for value in view),
        "outline": outline,
        "d": dep["d"],
        "marker": {
            "x": _num(dep["label_x"]),
            "y": _num(dep["label_y"]),
            "r": _num(view[2] * 0.025),
        }
        if small
        else None,
    }
