import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from referentials.maps import (
    TOP_BUCKET,
    bucket_ranges,
    choropleth,
    department_label,
    load_department_map,
    territory_minimap,
)

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
OVERSEAS = {"971", "972", "973", "974", "976"}


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def _url(code):
    return f"/initiatives/?department={code}"


def _map(counts, **kwargs):
    return choropleth(
        counts,
        url_for=_url,
        title="Initiatives par département",
        description="Nombre d'initiatives publiées dans chaque département.",
        **kwargs,
    )


def _points(d):
    values = [float(value) for value in NUMBER.findall(d)]
    return list(zip(values[::2], values[1::2], strict=True))


def test_the_map_has_the_101_departements_with_corsica_and_overseas():
    departments = load_department_map()["departments"]

    assert len(departments) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= departments.keys()
    assert "20" not in departments
    assert "975" not in departments
    assert departments["2A"]["name"] == "Corse-du-Sud"
    assert departments["974"]["name"] == "La Réunion"


def test_every_path_is_drawn_inside_the_view_box():
    data = load_department_map()
    _, _, width, height = (float(value) for value in data["viewBox"].split())
    shapes = {code: dep["d"] for code, dep in data["departments"].items()}
    shapes |= {f"zoom {code}": d for code, d in data["zoom"]["departments"].items()}

    for code, d in shapes.items():
        assert d.startswith("M") and d.endswith("Z"), code
        assert re.fullmatch(r"[MLZ0-9. \-]+", d), code
        points = _points(d)
        assert len(points) >= 3, code
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points), code


def test_bounding_boxes_and_label_points_match_the_paths():
    for code, dep in load_department_map()["departments"].items():
        xs, ys = zip(*_points(dep["d"]), strict=True)
        minx, miny, maxx, maxy = dep["bbox"]
        assert minx <= min(xs) and max(xs) <= maxx, code
        assert miny <= min(ys) and max(ys) <= maxy, code
        assert minx <= dep["label_x"] <= maxx and miny <= dep["label_y"] <= maxy, code


def test_overseas_departements_are_drawn_inside_their_labelled_inset():
    data = load_department_map()
    insets = {inset["code"]: inset for inset in data["insets"]}

    assert [inset["label"] for inset in data["insets"]] == [
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "La Réunion",
        "Mayotte",
    ]
    for code in OVERSEAS:
        box = insets[code]
        minx, miny, maxx, maxy = data["departments"][code]["bbox"]
        assert box["x"] <= minx and maxx <= box["x"] + box["w"]
        assert box["y"] <= miny and maxy <= box["y"] + box["h"]
    metro_left = min(
        dep["bbox"][0] for code, dep in data["departments"].items() if code not in OVERSEAS
    )
    assert all(box["x"] + box["w"] < metro_left for box in data["insets"])


def test_the_whole_map_stays_light():
    data = load_department_map()
    assert sum(len(dep["d"]) for dep in data["departments"].values()) < 250_000


def test_departements_without_initiatives_get_bucket_zero_and_the_maximum_the_top_bucket():
    counts = {"01": 1, "13": 3, "33": 8, "59": 20, "69": 40, "75": 120, "2A": 2, "974": 5}

    result = _map(counts)
    buckets = {dep["code"]: dep["bucket"] for dep in result["departments"]}

    assert len(buckets) == 101
    assert buckets["02"] == 0
    assert buckets["976"] == 0
    assert buckets["75"] == TOP_BUCKET
    assert buckets["01"] == 1
    # More initiatives never means a lighter colour.
    ordered = sorted(counts, key=counts.get)
    assert [buckets[code] for code in ordered] == sorted(buckets[code] for code in ordered)
    assert result["total"] == sum(counts.values())


def test_a_single_count_is_shown_in_the_top_bucket_and_unknown_codes_are_ignored():
    result = _map({"29": 4, "975": 9, "XX": 3})
    buckets = {dep["code"]: dep["bucket"] for dep in result["departments"]}

    assert buckets["29"] == TOP_BUCKET
    assert set(buckets.values()) == {0, TOP_BUCKET}
    assert result["legend"][1]["label"] == "De 1 à 4 initiatives"


def test_bucket_thresholds_are_contiguous_and_end_at_the_maximum():
    counts = {str(code).zfill(2): code for code in range(1, 60)}

    ranges = bucket_ranges(counts)

    assert len(ranges) == 5
    assert [bucket for bucket, _, _ in ranges] == [1, 2, 3, 4, 5]
    assert ranges[0][1] == 1
    assert ranges[-1][2] == 59
    assert all(
        low == previous_high + 1
        for (_, low, _), (_, _, previous_high) in zip(ranges[1:], ranges[:-1], strict=True)
    )


def test_no_initiative_anywhere_gives_an_all_grey_map_with_a_one_line_legend():
    result = _map({})

    assert {dep["bucket"] for dep in result["departments"]} == {0}
    assert [item["label"] for item in result["legend"]] == ["Aucune initiative"]


def test_labels_are_in_french_with_the_right_plural():
    assert department_label("Ain", 0) == "Ain : aucune initiative"
    assert department_label("Ain", 1) == "Ain : 1 initiative"
    assert department_label("Ain", 12) == "Ain : 12 initiatives"

    labels = {dep["code"]: dep["label"] for dep in _map({"2B": 1, "971": 3})["departments"]}
    assert labels["2B"] == "Haute-Corse : 1 initiative"
    assert labels["971"] == "Guadeloupe : 3 initiatives"


def test_the_map_renders_one_named_link_per_departement():
    html = render_to_string(
        "includes/department_map.html", {"map": _map({"01": 12, "75": 3, "974": 1})}
    )
    svg = html[html.index("<svg") : html.index("</svg>")]
    main = svg[svg.index('class="dep-map__departments"') : svg.index('class="dep-map__zoom"')]

    assert 'role="group"' in svg
    assert 'aria-labelledby="carte-departements-titre"' in svg
    assert '<title id="carte-departements-titre">Initiatives par département</title>' in svg
    assert "<desc" in svg
    assert main.count("<a ") == 101
    assert len(re.findall(r'<a href="[^"]+" aria-label="[^"]+">', main)) == 101
    assert 'aria-label="Ain : 12 initiatives"' in main
    assert 'aria-label="La Réunion : 1 initiative"' in main
    assert 'href="/initiatives/?department=2A"' in main
    assert 'class="dep-bucket-0"' in main
    # The magnified Paris area repeats four links, hidden from keyboards and screen readers.
    zoom = svg[svg.index('class="dep-map__zoom"') :]
    assert zoom.count('<a href="') == zoom.count('tabindex="-1"') == 4
    # SVG coordinates are never localised ("12,5" would break the drawing).
    assert not re.search(r'\bd="[^"]*,', svg)
    assert "Légende" in html
    assert "De 1 à 3 initiatives" in html or "1 initiative" in html
    assert html.count("<tr>") == 102  # the data table: a header row and one per département


def test_map_ids_can_be_changed_to_show_two_maps_on_a_page():
    html = render_to_string(
        "includes/department_map.html", {"map": _map({}, dom_id="carte-colleges")}
    )
    assert 'aria-labelledby="carte-colleges-titre"' in html
    assert 'id="carte-departements' not in html


@pytest.mark.parametrize("code", ["2A", "974"])
def test_the_minimap_shows_one_departement(code):
    minimap = territory_minimap(code)
    html = render_to_string("includes/territory_minimap.html", {"minimap": minimap})

    assert 'role="img"' in html
    name = load_department_map()["departments"][code]["name"]
    assert f"Localisation du département : {name} ({code})" in html
    assert html.count('class="dep-minimap__target"') == 1
    assert len(html) < 12_000  # only what this small map needs
    assert not re.search(r'viewBox="[^"]*,', html)


def test_the_minimap_of_a_small_departement_marks_it_with_a_circle():
    assert territory_minimap("75")["marker"] is not None
    assert territory_minimap("33")["marker"] is None
    assert territory_minimap("974")["outline"] == ""


def test_the_minimap_is_skipped_for_an_unknown_code():
    assert territory_minimap("975") is None
    assert render_to_string("includes/territory_minimap.html", {"minimap": None}).strip() == ""
