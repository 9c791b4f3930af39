"""The public catalogue: filters alone and combined, facets, pagination, bad input."""

import datetime

import pytest

from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED


@pytest.fixture
def world(association, other_association):
    """Two régions, three départements, communes, initiatives in every status."""
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne", population=3_400_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara, population=650_000)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre, population=915_000)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere, population=140_000)
    crcn = f.ReferentialFactory(slug="crcn")
    item = f.ReferentialItemFactory(referential=crcn, code="2.3", label="Collaborer")
    college = f.school_level("college")
    ecole = f.school_level("elementaire")

    def make(title, territory, *, status=PUBLISHED, axes=(1,), levels=(), items=(), **kw):
        initiative = f.InitiativeFactory(
            title=title,
            lead_collectivity=territory,
            status=status,
            axes=[f.axis(n) for n in axes],
            **kw,
        )
        initiative.school_levels.set(levels)
        initiative.referential_items.set(items)
        return initiative

    return {
        "lyon_ent": make(
            "ENT pour les écoles de Lyon",
            lyon,
            axes=(1, 5),
            levels=[ecole],
            lead_organisation=association,
            start_date=datetime.date(2021, 9, 1),
        ),
        "ain_tablettes": make(
            "Tablettes dans les collèges de l'Ain",
            ain,
            axes=(5,),
            levels=[college],
            items=[item],
            lead_organisation=other_association,
            start_date=datetime.date(2023, 1, 15),
        ),
        "brest": make(
            "Ateliers de robotique à Brest",
            brest,
            axes=(1, 3),
            levels=[ecole],
            lead_organisation=association,
            start_date=datetime.date(2023, 3, 1),
        ),
        "finistere": make(
            "Fibre des collèges du Finistère",
            finistere,
            axes=(5,),
            levels=[college],
            lead_organisation=other_association,
            start_date=datetime.date(2019, 9, 1),
        ),
        "draft": make("Brouillon secret à Lyon", lyon, status=Initiative.Status.DRAFT),
        "rejected": make("Refusée du Rhône", rhone, status=Initiative.Status.REJECTED),
        "in_review": make("En instruction dans l'Ain", ain, status=Initiative.Status.IN_REVIEW),
    }


def titles(response):
    return {i.title for i in response.context["page_obj"].object_list}


PUBLIC = {
    "ENT pour les écoles de Lyon",
    "Tablettes dans les collèges de l'Ain",
    "Ateliers de robotique à Brest",
    "Fibre des collèges du Finistère",
}


def test_catalogue_lists_only_published_initiatives(client, world):
    response = client.get("/initiatives/")
    assert response.status_code == 200
    assert titles(response) == PUBLIC
    body = response.content.decode()
    assert "Brouillon secret" not in body
    assert "Refusée du Rhône" not in body
    assert "En instruction" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"axis": "5"},
            {
                "ENT pour les écoles de Lyon",
                "Tablettes dans les collèges de l'Ain",
                "Fibre des collèges du Finistère",
            },
        ),
        ({"axis": "3"}, {"Ateliers de robotique à Brest"}),
        ({"region": "53"}, {"Ateliers de robotique à Brest", "Fibre des collèges du Finistère"}),
        ({"department": "69"}, {"ENT pour les écoles de Lyon"}),
        ({"commune": "69123"}, {"ENT pour les écoles de Lyon"}),
        (
            {"collectivity": "department"},
            {"Tablettes dans les collèges de l'Ain", "Fibre des collèges du Finistère"},
        ),
        (
            {"school_level": "college"},
            {"Tablettes dans les collèges de l'Ain", "Fibre des collèges du Finistère"},
        ),
        ({"item": "2.3"}, {"Tablettes dans les collèges de l'Ain"}),
        ({"partner": "amf"}, {"ENT pour les écoles de Lyon", "Ateliers de robotique à Brest"}),
        (
            {"partner": "ADF"},
            {"Tablettes dans les collèges de l'Ain", "Fibre des collèges du Finistère"},
        ),
        (
            {"year": "2023"},
            {"Tablettes dans les collèges de l'Ain", "Ateliers de robotique à Brest"},
        ),
        (
            {"axis": "5", "region": "84"},
            {"ENT pour les écoles de Lyon", "Tablettes dans les collèges de l'Ain"},
        ),
        (
            {"school_level": "college", "year": "2023", "partner": "ADF"},
            {"Tablettes dans les collèges de l'Ain"},
        ),
        (
            {"region": "53", "collectivity": "commune", "axis": "1"},
            {"Ateliers de robotique à Brest"},
        ),
    ],
)
def test_each_filter_alone_and_combined(client, world, params, expected):
    response = client.get("/initiatives/", params)
    assert response.status_code == 200
    assert titles(response) == expected
    assert response.context["result"].count == len(expected)


FACET_PROBES = {
    "axis": ["1", "3", "5"],
    "region": ["84", "53"],
    "department": ["01", "29", "69"],
    "collectivity": ["commune", "department", "region"],
    "school_level": ["college", "elementaire"],
    "partner": ["AMF", "ADF"],
    "year": ["2019", "2021", "2023"],
}


@pytest.mark.parametrize(
    "current",
    [
        {},
        {"region": "84"},
        {"axis": "5"},
        {"partner": "ADF"},
        # With a search, the facets are counted in one pass over its matches.
        {"q": "collèges"},
        {"q": "collèges", "axis": "5", "partner": "ADF"},
        {"q": "écoles", "school_level": "elementaire", "year": "2021"},
    ],
)
def test_facet_counts_equal_the_counts_obtained_by_choosing_them(world, current):
    result = catalogue_search(current)
    for facet, values in FACET_PROBES.items():
        shown = {o["value"]: o["count"] for o in result.facets[facet].options}
        for value in values:
            chosen = catalogue_search({**current, facet: value})
            assert shown.get(value, 0) == chosen.count, (facet, value, current)


def test_choosing_a_region_narrows_the_departments(client, world):
    response = client.get("/initiatives/", {"region": "53"})
    departments = [o["value"] for o in response.context["result"].facets["department"].options]
    assert departments == ["29"]


def test_every_state_is_a_shareable_url_with_links_keeping_filters(client, world):
    for n in range(25):
        f.InitiativeFactory(
            title=f"Robotique {n}",
            status=PUBLISHED,
            lead_collectivity=world["brest"].lead_collectivity,
        )
    response = client.get("/initiatives/", {"region": "53", "sort": "title"})
    body = response.content.decode()
    assert "region=53" in body and "page=2" in body
    page2 = client.get("/initiatives/", {"region": "53", "sort": "title", "page": "2"})
    assert page2.status_code == 200
    assert len(page2.context["page_obj"].object_list) == 27 - 20


def test_sort_by_title(client, world):
    response = client.get("/initiatives/", {"sort": "title"})
    listed = [i.title for i in response.context["page_obj"].object_list]
    assert listed == sorted(listed)


@pytest.mark.parametrize(
    "params",
    [
        {"axis": "9"},
        {"axis": "abc"},
        {"region": "XX"},
        {"department": "999"},
        {"commune": "lyon!"},
        {"collectivity": "planet"},
        {"school_level": "université"},
        {"partner": "NASA"},
        {"year": "20x3"},
        {"sort": "random"},
        {"item": "<script>"},
        {"q": "x" * 10_000},
        {"q": "'; DROP TABLE initiatives_initiative; --"},
        {"q": "\x00"},
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(client, world, params):
    response = client.get("/initiatives/", params)
    assert response.status_code == 200
    assert Initiative.objects.count() == 7
    if "DROP" not in params.get("q", ""):
        assert "Certains critères n'ont pas été pris en compte" in response.content.decode()


def test_unknown_filter_value_is_ignored_and_other_filters_apply(client, world):
    response = client.get("/initiatives/", {"axis": "9", "region": "53"})
    assert titles(response) == {"Ateliers de robotique à Brest", "Fibre des collèges du Finistère"}


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc"])
def test_a_page_beyond_the_end_is_a_404(client, world, page):
    response = client.get("/initiatives/", {"page": page})
    assert response.status_code == 404


def test_empty_catalogue_answers_200(client, db):
    response = client.get("/initiatives/")
    assert response.status_code == 200
    assert response.context["result"].count == 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "2"},
        {"axis": "1", "q": "écoles", "region": "84"},
        {"school_level": "college", "partner": "ADF", "year": "2023", "item": "2.3"},
        {"commune": "69123", "collectivity": "commune", "sort": "title"},
    ],
)
def test_catalogue_query_count_is_constant(client, world, params, django_assert_max_num_queries):
    for n in range(30):
        f.InitiativeFactory(title=f"Initiative {n}", status=PUBLISHED)
    client.get("/initiatives/", {"department": "01"})  # reference lists cached once
    with django_assert_max_num_queries(6):
        # Never seen before: count and facets are computed, not cached.
        assert client.get("/initiatives/", params).status_code == 200


def test_publication_is_visible_at_once_despite_the_cache(
    client, world, reviewer, django_capture_on_commit_callbacks
):
    from initiatives.services import initiative_publish

    assert client.get("/initiatives/").context["result"].count == 4
    with django_capture_on_commit_callbacks(execute=True):
        initiative_publish(initiative=world["in_review"], by=reviewer)
    assert client.get("/initiatives/").context["result"].count == 5


def test_initiative_page_shows_public_fields_and_hides_unconsented_contact(client, world):
    initiative = world["lyon_ent"]
    initiative.contact_name = "Claire Dubois"
    initiative.save()
    response = client.get(f"/initiatives/{initiative.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ENT pour les écoles de Lyon" in body
    assert "Claire Dubois" not in body
    initiative.contact_consent = True
    initiative.contact_email = "claire.dubois@example.org"
    initiative.save()
    body = client.get(f"/initiatives/{initiative.slug}/").content.decode()
    assert "claire.dubois@example.org" in body


@pytest.mark.parametrize("key", ["draft", "rejected", "in_review"])
def test_unpublished_initiative_pages_are_404(client, world, key):
    assert client.get(f"/initiatives/{world[key].slug}/").status_code == 404


def test_unknown_slug_is_404(client, db):
    assert client.get("/initiatives/nope/").status_code == 404


def test_initiative_page_lists_comparable_territories(client, world):
    rhone = world["lyon_ent"].lead_collectivity.parent
    villeurbanne = f.CommuneFactory(
        code="69266", name="Villeurbanne", parent=rhone, population=150_000
    )
    tiny = f.CommuneFactory(code="69001", name="Affoux", parent=rhone, population=350)
    f.InitiativeFactory(
        title="Robotique à Villeurbanne",
        status=PUBLISHED,
        lead_collectivity=villeurbanne,
        axes=[f.axis(3)],
    )
    f.InitiativeFactory(
        title="Village connecté", status=PUBLISHED, lead_collectivity=tiny, axes=[f.axis(1)]
    )
    f.InitiativeFactory(
        title="Autre axe à Villeurbanne",
        status=PUBLISHED,
        lead_collectivity=villeurbanne,
        axes=[f.axis(6)],
    )
    response = client.get(f"/initiatives/{world['brest'].slug}/")
    comparables = {i["title"] for i in response.context["comparables"]}
    # Same level (commune), same band (50k–200k), a shared axis (3): only Villeurbanne's.
    assert comparables == {"Robotique à Villeurbanne"}
    assert "Dans des territoires comparables" in response.content.decode()


def _with_everything(world, other_association):
    """The Ain initiative with a partner, covered territories, a public and a private
    document."""
    from django.core.files.base import ContentFile

    from initiatives.models import Document

    initiative = world["ain_tablettes"]
    initiative.partners.set([other_association, f.OrganisationFactory(acronym="CDC")])
    rhone = world["lyon_ent"].lead_collectivity.parent
    initiative.territories.set([rhone, world["lyon_ent"].lead_collectivity])
    for title, public in (("Bilan public", True), ("Note interne", False)):
        document = Document(
            initiative=initiative,
            title=title,
            content_type="application/pdf",
            size=4,
            is_public=public,
        )
        document.file.save("x", ContentFile(b"%PDF"), save=False)
        document.save()
    return initiative


def test_initiative_page_shows_its_lists_and_only_public_documents(
    client, world, other_association
):
    initiative = _with_everything(world, other_association)
    body = client.get(f"/initiatives/{initiative.slug}/").content.decode()
    for shown in (
        "Axe 5 ·",
        "Collège",
        ">ADF</a>, <a",
        ">CDC</a>",
        "Lyon, Rhône",
        "2.3 — Collaborer",
        "Bilan public",
    ):
        assert shown in body, shown
    assert "Note interne" not in body


def test_initiative_page_query_count(client, world, other_association, django_assert_num_queries):
    initiative = _with_everything(world, other_association)
    client.get(f"/initiatives/{world['brest'].slug}/")  # site configuration cached once
    # The initiative with all its lists and its comparable territories, in one query,
    # however many partners, territories, items and documents.
    with django_assert_num_queries(1):
        response = client.get(f"/initiatives/{initiative.slug}/")
    assert response.status_code == 200


def test_the_catalogue_without_criteria_is_kept_warm_after_a_publication(
    client, world, reviewer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from committee.public.tasks import warm_public_pages
    from initiatives.services import initiative_publish

    with django_capture_on_commit_callbacks(execute=True):
        initiative_publish(initiative=world["in_review"], by=reviewer)
    warm_public_pages.apply()
    client.get("/mentions-legales/")  # the site configuration, cached once
    # Count and facets from the bitmaps, key figures and map already computed: the page
    # reads its cards only (one statement), and, once per web process and catalogue
    # version, the catalogue's bitmaps.
    with django_assert_num_queries(2):
        response = client.get("/initiatives/")
    assert response.context["result"].count == 5
    with django_assert_num_queries(1):
        response = client.get("/initiatives/")
    assert response.context["result"].count == 5
    with django_assert_num_queries(0):
        warm_public_pages.apply()  # nothing stale: nothing computed again
