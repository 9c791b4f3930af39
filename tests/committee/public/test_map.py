"""The map of initiatives per département: the same counts as the catalogue, keyboard links,
a data table and a text alternative; and the locator map of an initiative's page."""

import html
import re

import pytest

from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from tests import factories as f
from tests.committee.public.test_public_pages import SECRET_TITLES, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def map_count(page: str, name: str) -> int:
    label = re.search(rf'aria-label="{re.escape(name)} : ([^"]+)"', page).group(1)
    return 0 if label == "aucune initiative" else int(re.sub(r"\D", "", label))


def table_rows(page: str) -> list[tuple[str, str, int, str]]:
    table = page.split('id="table-departements"')[1].split("</table>")[0]
    return [
        (code, name, int(count), href)
        for code, name, count, href in re.findall(
            r'<td>(\w+)</td>\s*<th scope="row">([^<]+)</th>\s*<td>(\d+)</td>\s*'
            r'<td><a href="([^"]+)">',
            table,
        )
    ]


def test_map_page_counts_published_initiatives_per_departement(client, world):
    page = text(client.get("/carte/"))

    assert map_count(page, "Rhône") == 1
    assert map_count(page, "Ain") == 1  # the one in review is not counted
    assert map_count(page, "Finistère") == 2
    assert map_count(page, "Cantal") == 0
    for title in SECRET_TITLES:
        assert title not in page


FILTERS = [
    {},
    {"axis": "5"},
    {"axis": "1"},
    {"region": "84"},
    {"partner": "adf"},
    {"collectivity": "commune"},
    {"q": "collèges"},
    {"axis": "5", "region": "53"},
    {"department": "29", "axis": "5"},  # the map ignores the département it shows
]


def test_each_departement_count_equals_the_catalogue_count_for_the_same_filters(client, world):
    for params in FILTERS:
        page = text(client.get("/carte/", params))

        for code, name in (("69", "Rhône"), ("01", "Ain"), ("29", "Finistère")):
            expected = catalogue_search({**params, "department": code}).count
            assert map_count(page, name) == expected, (params, name)


def test_departement_links_lead_to_the_filtered_catalogue(client, world):
    page = text(client.get("/carte/", {"axis": "5", "partner": "ADF", "sort": "title"}))

    link = re.search(r'<a href="([^"]+)" aria-label="Finistère : 1 initiative">', page)
    assert link, "each département is an <a href> element, reachable with the Tab key"
    assert link.group(1) == "/initiatives/?axis=5&partner=ADF&department=29"
    assert catalogue_search({"axis": "5", "partner": "ADF", "department": "29"}).count == 1
    # Every département of the map is a link, in document order.
    assert len(re.findall(r'<a href="/initiatives/\?[^"]*department=\w+" aria-label=', page)) == 101


def test_map_table_lists_every_departement_with_initiatives(client, world):
    page = text(client.get("/carte/"))

    assert table_rows(page) == [
        ("29", "Finistère", 2, "/initiatives/?department=29"),
        ("01", "Ain", 1, "/initiatives/?department=01"),
        ("69", "Rhône", 1, "/initiatives/?department=69"),
    ]
    assert "<caption>" in page.split('id="table-departements"')[1]


def test_map_table_follows_the_filters(client, world):
    page = text(client.get("/carte/", {"axis": "1"}))

    assert table_rows(page) == [
        ("29", "Finistère", 1, "/initiatives/?axis=1&department=29"),
        ("69", "Rhône", 1, "/initiatives/?axis=1&department=69"),
    ]


def test_map_has_a_text_alternative_naming_the_top_departements(client, world):
    page = text(client.get("/carte/"))

    summary = (
        "Le département qui compte le plus d'initiatives : Finistère (2). Viennent ensuite, "
        "à égalité, Ain et Rhône (1 chacun). 4 initiatives publiées dans 3 départements. "
        "1 initiative portée par une région n'est rattachée à aucun département."
    )
    assert f'<p id="map-summary">{summary}</p>' in page
    assert "<desc" in page and summary in page.split("<desc")[1]


def test_map_filters_are_kept_in_the_form_and_the_catalogue_link(client, world):
    page = text(client.get("/carte/", {"axis": "5", "item": "1.1"}))

    assert re.search(r'<option value="5" selected>', page)
    assert '<input type="hidden" name="item" value="1.1">' in page
    assert 'href="/initiatives/?axis=5&item=1.1"' in page
    assert 'href="/suivre/?axis=5&item=1.1"' in page


def test_map_without_results_says_so(client, world):
    page = text(client.get("/carte/", {"q": "introuvablexyz"}))

    assert "Aucune initiative publiée ne correspond à ces critères." in page
    assert map_count(page, "Finistère") == 0


@pytest.mark.parametrize(
    "params",
    [{"axis": "99"}, {"region": "<script>"}, {"year": "abc"}, {"q": "é" * 10_000}, {"page": "x"}],
)
def test_bad_filter_values_give_a_message_never_an_error(client, world, params):
    response = client.get("/carte/", params)

    assert response.status_code == 200
    if "page" not in params:
        assert "Certains critères n'ont pas été pris en compte" in text(response)
    assert "<script>" not in response.content.decode().split("<main")[1].split("</main>")[0]


def test_map_queries_are_constant(client, world, django_assert_max_num_queries):
    from initiatives.selectors import catalogue_changed

    client.get("/carte/", {"axis": "5"})
    for _n in range(10):
        f.InitiativeFactory(
            lead_collectivity=world["lyon"],
            status=Initiative.Status.PUBLISHED,
            axes=[f.axis(5)],
        )
    catalogue_changed()
    # Filter choices (4) once per catalogue version; the counts from the catalogue's
    # bitmaps (the grouped count, the région layer in the same statement, without them).
    with django_assert_max_num_queries(5):
        page = text(client.get("/carte/", {"axis": "5"}))
    assert map_count(page, "Rhône") == 11
    with django_assert_max_num_queries(0):
        client.get("/carte/", {"axis": "5"})
    # The territories named by the text (then cached a day), the words parsed, and the
    # initiatives with a word not held in memory (read through its index).
    with django_assert_max_num_queries(3):
        client.get("/carte/", {"axis": "1", "q": "collèges"})
    with django_assert_max_num_queries(2):
        client.get("/carte/", {"axis": "5", "q": "collèges"})


# -- the initiative page's locator map and the catalogue's follow link ---------------------


def test_initiative_page_shows_the_lead_collectivitys_departement(client, world):
    page = text(client.get(f"/initiatives/{world['lyon_ent'].slug}/"))

    assert 'class="dep-minimap"' in page
    assert "Localisation du département : Rhône (69)" in page


def test_initiative_led_by_a_region_has_no_departement_map(client, world):
    page = text(client.get(f"/initiatives/{world['region'].slug}/"))

    assert 'class="dep-minimap"' not in page


def test_catalogue_offers_to_follow_the_current_search(client, world):
    page = text(client.get("/initiatives/", {"axis": "5", "page": "1"}))

    assert re.search(
        r'<a class="fr-link[^"]*" href="/suivre/\?axis=5">Suivre cette recherche', page
    )


def test_the_map_summary_describes_ties_as_ties():
    from committee.public.selectors import map_summary

    def departments(**counts):
        return {
            "total": sum(counts.values()),
            "departments": [
                {"name": name, "count": n, "count_display": str(n)} for name, n in counts.items()
            ],
        }

    assert map_summary(departments(Rhône=1, Ain=1, Finistère=1)).startswith(
        "3 départements comptent le plus d'initiatives, à égalité : Ain, Finistère et Rhône "
        "(1 chacun)."
    )
    many = departments(**{f"D{i:02}": 1 for i in range(12)})
    assert map_summary(many).startswith(
        "12 départements comptent le plus d'initiatives, à égalité (1 chacun)."
    )
    assert map_summary(departments(Ain=3, Rhône=2)).startswith(
        "Le département qui compte le plus d'initiatives : Ain (3). Vient ensuite Rhône (2)."
    )
