"""The committee's public pages: home figures, referentials, partners, action plan,
contributions. Only published initiatives and contributions ever appear."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from committee.contributions.models import Contribution
from committee.plan.models import Action
from initiatives.models import Initiative
from referentials.models import Referential
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISHED = Initiative.Status.PUBLISHED
SECRET_TITLES = ("Brouillon secret à Lyon", "Refusée du Rhône", "En instruction dans l'Ain")


def text(response) -> str:
    """The page as a reader sees the characters (entities decoded)."""
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def build_world(association, other_association):
    """Two régions, three départements, communes, referentials, a plan, contributions and
    initiatives in every status (the unpublished ones must never show)."""
    now = timezone.now()
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne", population=3_400_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara, population=650_000)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre, population=915_000)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    villeurbanne = f.CommuneFactory(code="69266", name="Villeurbanne", parent=rhone)
    bron = f.CommuneFactory(code="69029", name="Bron", parent=rhone)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere, population=140_000)

    crcn = f.ReferentialFactory(slug="crcn", version="2019", name="CRCN")
    f.ReferentialFactory(
        slug="crcn", version="2017", name="CRCN", status=Referential.Status.ARCHIVED
    )
    f.ReferentialFactory(
        slug="socle-equipement",
        version="1.0",
        name="Socle numérique de base",
        kind=Referential.Kind.EQUIPMENT,
    )
    domain = f.ReferentialItemFactory(
        referential=crcn, code="1", label="Information et données", position=1
    )
    competence = f.ReferentialItemFactory(
        referential=crcn,
        code="1.1",
        label="Mener une recherche et une veille d'information",
        parent=domain,
        depth=1,
        position=1,
    )
    other = f.ReferentialItemFactory(
        referential=crcn, code="2", label="Communication et collaboration", position=2
    )

    def make(title, territory, *, status=PUBLISHED, axes=(1,), days=0, **kw):
        items = kw.pop("items", ())
        partners = kw.pop("partners", ())
        territories = kw.pop("territories", ())
        initiative = f.InitiativeFactory(
            title=title,
            lead_collectivity=territory,
            status=status,
            axes=[f.axis(n) for n in axes],
            published_at=now - datetime.timedelta(days=days) if status == PUBLISHED else None,
            **kw,
        )
        initiative.referential_items.set(items)
        initiative.partners.set(partners)
        initiative.territories.set(territories)
        return initiative

    w = {
        "ara": ara,
        "rhone": rhone,
        "lyon": lyon,
        "crcn": crcn,
        "domain": domain,
        "competence": competence,
        "other_item": other,
    }
    w["lyon_ent"] = make(
        "ENT pour les écoles de Lyon",
        lyon,
        axes=(1, 5),
        lead_organisation=association,
        partners=[other_association],
        items=[competence],
        territories=[villeurbanne],
        days=1,
    )
    w["ain_tablettes"] = make(
        "Tablettes dans les collèges de l'Ain",
        ain,
        axes=(5,),
        lead_organisation=other_association,
        items=[competence],
        days=2,
    )
    w["brest"] = make(
        "Ateliers de robotique à Brest",
        brest,
        axes=(1, 3),
        lead_organisation=association,
        days=3,
    )
    w["finistere"] = make(
        "Fibre des collèges du Finistère",
        finistere,
        axes=(5,),
        lead_organisation=other_association,
        days=4,
    )
    w["region"] = make(
        "Lycées connectés en Auvergne-Rhône-Alpes",
        ara,
        axes=(2,),
        lead_organisation=association,
        days=5,
    )
    w["draft"] = make(
        SECRET_TITLES[0],
        lyon,
        status=Initiative.Status.DRAFT,
        lead_organisation=association,
        partners=[other_association],
        items=[competence, other],
        territories=[bron],
    )
    w["rejected"] = make(
        SECRET_TITLES[1], rhone, status=Initiative.Status.REJECTED, lead_organisation=association
    )
    w["in_review"] = make(
        SECRET_TITLES[2],
        ain,
        status=Initiative.Status.IN_REVIEW,
        lead_organisation=other_association,
        items=[other],
    )

    action = f.ActionFactory(
        code="A1.1",
        axis=f.axis(1),
        title="Recenser les usages innovants",
        status=Action.Status.IN_PROGRESS,
        progress=40,
        start_date=datetime.date(2024, 1, 1),
        due_date=datetime.date(2030, 12, 31),
    )
    action.lead_partners.set([association])
    action.initiatives.set([w["lyon_ent"], w["draft"]])
    f.MilestoneFactory(
        action=action,
        title="Questionnaire diffusé",
        due_date=datetime.date(2024, 3, 1),
        reached_on=datetime.date(2024, 2, 20),
        position=1,
    )
    f.MilestoneFactory(
        action=action, title="Synthèse remise", due_date=datetime.date(2024, 6, 1), position=2
    )
    f.MilestoneFactory(
        action=action, title="Guide publié", due_date=datetime.date(2099, 1, 1), position=3
    )
    done = f.ActionFactory(
        code="A5.1",
        axis=f.axis(5),
        title="Raccorder les écoles au très haut débit",
        status=Action.Status.DONE,
        progress=100,
    )
    done.lead_partners.set([other_association])
    w["action"] = action

    w["contribution"] = f.ContributionFactory(
        title="Pour un socle numérique dans chaque école",
        slug="socle-numerique-ecoles",
        summary="Le comité propose un socle commun.",
        body="## Constat\n\nLes écoles sont **inégalement** équipées.\n\n<script>alert(1)</script>",
        status=Contribution.Status.PUBLISHED,
        published_at=now - datetime.timedelta(days=10),
    )
    w["contribution"].organisations.set([association, other_association])
    w["contribution"].axes.set([f.axis(5)])
    w["draft_contribution"] = f.ContributionFactory(
        title="Contribution en préparation", slug="en-preparation"
    )
    return w


@pytest.fixture
def world(association, other_association):
    return build_world(association, other_association)


# -- every page ----------------------------------------------------------------------------


PAGES = [
    ("/", "Comité des partenaires du numérique pour l'éducation"),
    ("/carte/", "Carte des initiatives"),
    ("/referentiels/", "Référentiels nationaux"),
    ("/referentiels/crcn/2019/", "CRCN"),
    ("/referentiels/crcn/2017/", "CRCN"),
    ("/partenaires/", "Les partenaires du comité"),
    ("/partenaires/amf/", "AMF"),
    ("/partenaires/adf/", "ADF"),
    ("/plan-d-action/", "Plan d'action"),
    ("/contributions/", "Contributions de politique générale"),
    ("/contributions/socle-numerique-ecoles/", "Pour un socle numérique dans chaque école"),
]


def test_every_public_page_answers_with_its_single_heading(client, world):
    for url, heading in PAGES:
        page = text(client.get(url))

        assert page.count("<h1") == 1, url
        assert re.search(r"<h1[^>]*>\s*" + re.escape(heading), page), url
        assert '<main id="contenu" role="main">' in page, url


def test_unknown_or_unpublished_slugs_give_the_404_page(client, world):
    for url in (
        "/referentiels/crcn/1999/",
        "/referentiels/inconnu/2019/",
        "/partenaires/inconnu/",
        "/contributions/inconnue/",
        "/contributions/en-preparation/",
    ):
        assert client.get(url).status_code == 404, url


def test_unpublished_initiatives_never_appear(client, world):
    for url, _heading in PAGES:
        page = text(client.get(url))

        for title in SECRET_TITLES:
            assert title not in page, url
        for initiative in ("draft", "rejected", "in_review"):
            assert f"/initiatives/{world[initiative].slug}/" not in page, url


# -- home ----------------------------------------------------------------------------------


def figure(page: str, label: str) -> int:
    value = r'fr-display--xs fr-mb-0">([\d\s\u202f\xa0]+)</span>\s*<br><span[^>]*>'
    match = re.search(value + label, page)
    assert match, label
    return int(re.sub(r"\D", "", match.group(1)))


def test_home_key_figures_count_published_content_only(client, world):
    page = text(client.get("/"))

    assert figure(page, "initiatives territoriales publiées") == 5
    # Rhône, Ain, Finistère: the région-led initiative has no département.
    assert figure(page, "départements concernés") == 3
    # Lyon and Brest lead, Villeurbanne is covered; Bron only by a draft.
    assert figure(page, "communes concernées") == 3
    assert figure(page, "partenaires signataires") == 2


def test_home_figures_follow_a_publication_once_the_catalogue_changes(client, world):
    from initiatives.selectors import catalogue_changed

    client.get("/")
    world["rejected"].status = PUBLISHED
    world["rejected"].published_at = timezone.now()
    world["rejected"].save()
    catalogue_changed()

    page = text(client.get("/"))

    assert figure(page, "initiatives territoriales publiées") == 6


def test_home_lists_the_six_latest_published_initiatives_newest_first(client, world):
    for n in range(3):
        f.InitiativeFactory(
            title=f"Ancienne initiative {n}",
            lead_collectivity=world["lyon"],
            status=PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=100 + n),
        )
    page = text(client.get("/"))
    section = page.split('id="titre-dernieres"')[1].split("</section>")[0]
    titles = re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', section)

    assert titles == [
        "ENT pour les écoles de Lyon",
        "Tablettes dans les collèges de l'Ain",
        "Ateliers de robotique à Brest",
        "Fibre des collèges du Finistère",
        "Lycées connectés en Auvergne-Rhône-Alpes",
        "Ancienne initiative 0",
    ]


def test_home_map_links_each_departement_to_the_catalogue(client, world):
    page = text(client.get("/"))

    assert 'href="/initiatives/?department=69" aria-label="Rhône : 1 initiative"' in page
    assert 'href="/initiatives/?department=29" aria-label="Finistère : 2 initiatives"' in page
    assert 'aria-label="Ain : 1 initiative"' in page
    assert 'aria-label="Cantal : aucune initiative"' in page


def test_home_queries_are_constant(client, world, django_assert_max_num_queries):
    from initiatives.selectors import catalogue_changed

    client.get("/")
    for _n in range(10):
        f.InitiativeFactory(lead_collectivity=world["lyon"], status=PUBLISHED)
    catalogue_changed()
    # Figures (3) and map counts (1) once per catalogue version, then always the latest
    # initiatives, the axes and the signatories.
    with django_assert_max_num_queries(7):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(3):
        client.get("/")


# -- referentials --------------------------------------------------------------------------


def test_referentials_are_listed_by_kind_with_versions_and_status(client, world):
    page = text(client.get("/referentiels/"))

    for kind in ("Ressources", "Équipements", "Usages", "Formations"):
        assert f">{kind}</h2>" in page
    assert 'href="/referentiels/crcn/2019/"' in page
    assert 'href="/referentiels/crcn/2017/"' in page
    assert "En vigueur" in page
    assert "Archivé" in page
    assert "Socle numérique de base" in page
    # Newest version first.
    assert page.index("/referentiels/crcn/2019/") < page.index("/referentiels/crcn/2017/")


def test_a_referential_version_shows_its_item_tree_with_published_initiatives(client, world):
    page = text(client.get("/referentiels/crcn/2019/"))

    domain = page.index("Information et données")
    competence = page.index("Mener une recherche et une veille d'information")
    assert domain < competence
    # The competence is nested in its domain's list.
    assert page[domain:competence].count("<ul") == 1
    assert "2 initiatives le mettent en œuvre" in page
    assert "ENT pour les écoles de Lyon" in page
    assert "Tablettes dans les collèges de l'Ain" in page
    # Item 2 is only implemented by unpublished initiatives.
    item_two = page.split("Communication et collaboration")[1]
    assert "le met en œuvre" not in item_two
    assert "le mettent en œuvre" not in item_two


def test_an_item_shows_five_initiatives_and_links_to_all_of_them(client, world):
    for n in range(6):
        initiative = f.InitiativeFactory(
            title=f"Veille documentaire {n}",
            lead_collectivity=world["lyon"],
            status=PUBLISHED,
            published_at=timezone.now() + datetime.timedelta(days=n),
        )
        initiative.referential_items.set([world["competence"]])

    page = text(client.get("/referentiels/crcn/2019/"))

    assert "8 initiatives le mettent en œuvre" in page
    assert page.count("Veille documentaire") == 5
    assert "Veille documentaire 0" not in page  # the oldest of them
    assert 'href="/initiatives/?item=1.1"' in page
    assert "Voir les 8 initiatives" in page


def test_referential_page_queries_do_not_grow_with_items(
    client, world, django_assert_max_num_queries
):
    client.get("/referentiels/crcn/2019/")  # warms the cached site configuration
    with django_assert_max_num_queries(3):
        client.get("/referentiels/crcn/2019/")
    for n in range(20):
        item = f.ReferentialItemFactory(referential=world["crcn"], code=f"9.{n}")
        initiative = f.InitiativeFactory(lead_collectivity=world["lyon"], status=PUBLISHED)
        initiative.referential_items.set([item, world["competence"]])
    with django_assert_max_num_queries(3):
        assert client.get("/referentiels/crcn/2019/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/referentiels/").status_code == 200


# -- partners ------------------------------------------------------------------------------


def test_partners_list_shows_each_signatory_with_published_counts(client, world):
    amf = world["lyon_ent"].lead_organisation
    amf.former_name = "Association des maires de France"
    amf.represents = "communes, intercommunalités"
    amf.website = "https://www.amf.asso.fr"
    amf.charter_signed_on = datetime.date(2015, 10, 1)
    amf.save()

    page = text(client.get("/partenaires/"))
    rows = {}
    for row in page.split("<tr>")[2:]:
        rows[re.search(r'href="/partenaires/(\w+)/">', row).group(1)] = row

    cells = re.findall(r"<td>(\d+)</td>", rows["amf"])
    assert cells == ["3", "0"]  # led: Lyon, Brest, région; never the drafts
    assert re.findall(r"<td>(\d+)</td>", rows["adf"]) == ["2", "1"]
    assert "1er octobre 2015" in rows["amf"]
    assert "communes, intercommunalités" in rows["amf"]
    assert 'href="https://www.amf.asso.fr"' in rows["amf"]


def test_partner_page_gives_latest_initiatives_and_figures(client, world):
    page = text(client.get("/partenaires/adf/"))

    # ADF leads Ain and Finistère, partners in Lyon.
    assert "3 initiatives publiées, dont 2 portées par l'organisation." in page
    assert "ENT pour les écoles de Lyon" in page
    assert "partenaire (porteuse : AMF)" in page
    by_region = page.split("Initiatives par région")[1].split("</table>")[0]
    assert re.search(r"Auvergne-Rhône-Alpes</a></th><td>2</td>", by_region)
    assert re.search(r"Bretagne</a></th><td>1</td>", by_region)
    by_axis = page.split("Initiatives par axe de travail")[1].split("</table>")[0]
    assert re.search(r"5\. Infrastructures et équipements</a></th><td>3</td>", by_axis)
    assert re.search(r"1\. Nouveaux usages</a></th><td>1</td>", by_axis)
    assert "A5.1 — Raccorder les écoles au très haut débit" in page
    assert re.search(r'href="/plan-d-action/#action-\d+">A5\.1', page)
    assert 'href="/initiatives/?partner=ADF"' in page


def test_partner_page_figures_equal_the_catalogue_for_that_partner(client, world):
    from initiatives.catalogue.selectors import catalogue_search

    page = text(client.get("/partenaires/amf/"))
    count = catalogue_search({"partner": "AMF"}).count

    assert f"{count} initiatives publiées" in page


def test_partner_pages_queries_are_constant(client, world, django_assert_max_num_queries):
    client.get("/partenaires/amf/")
    with django_assert_max_num_queries(5):
        client.get("/partenaires/amf/")
    for _n in range(10):
        f.InitiativeFactory(lead_organisation=world["lyon_ent"].lead_organisation, status=PUBLISHED)
    with django_assert_max_num_queries(5):
        assert client.get("/partenaires/amf/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/partenaires/").status_code == 200


# -- action plan ---------------------------------------------------------------------------


def test_action_plan_shows_axes_actions_progress_partners_milestones_and_evidence(client, world):
    page = text(client.get("/plan-d-action/"))

    for number in range(1, 7):
        assert f'id="axe-{number}"' in page
    action = page.split(f'id="action-{world["action"].pk}"')[1].split("</article>")[0]
    assert "A1.1 — Recenser les usages innovants" in action
    assert "En cours" in action
    assert '<progress id="progress-' in action
    assert 'max="100" value="40">40 %</progress>' in action
    assert "Avancement : <strong>40 %</strong>" in action
    assert 'href="/partenaires/amf/">AMF</a>' in action
    assert "Questionnaire diffusé" in action and "atteint" in action
    assert "Synthèse remise" in action and "en retard" in action
    assert "Guide publié" in action and "à venir" in action
    assert "1 jalon en retard" in action
    assert "ENT pour les écoles de Lyon" in action
    assert SECRET_TITLES[0] not in action
    assert "Réalisée" in page.split("A5.1 — Raccorder les écoles")[1].split("</article>")[0]


def test_the_plan_shows_indicators_with_their_attainment(client, world):
    from committee.plan.models import Indicator

    action = f.ActionFactory(code="Z1", title="Mesurer la couverture")
    Indicator.objects.create(
        action=action,
        label="Écoles raccordées",
        unit="écoles",
        baseline=0,
        target=200,
        current_value=50,
    )
    page = client.get("/plan-d-action/").content.decode()
    section = page.split("Z1 — Mesurer la couverture")[1].split("</article>")[0]
    assert "Écoles raccordées (écoles)" in section
    assert "(25 %)" in section


def test_action_plan_queries_are_constant(client, world, django_assert_max_num_queries):
    client.get("/plan-d-action/")
    with django_assert_max_num_queries(6):
        client.get("/plan-d-action/")
    for n in range(10):
        action = f.ActionFactory(code=f"B{n}", axis=f.axis(n % 6 + 1))
        action.lead_partners.set([world["lyon_ent"].lead_organisation])
        action.initiatives.set([world["brest"]])
        f.MilestoneFactory(action=action)
    with django_assert_max_num_queries(6):
        assert client.get("/plan-d-action/").status_code == 200


# -- contributions -------------------------------------------------------------------------


def test_contributions_list_only_published_ones(client, world):
    page = text(client.get("/contributions/"))

    assert "Pour un socle numérique dans chaque école" in page
    assert 'href="/contributions/socle-numerique-ecoles/"' in page
    assert "Contribution en préparation" not in page


def test_contribution_body_is_rendered_as_safe_markdown(client, world):
    page = client.get("/contributions/socle-numerique-ecoles/").content.decode()

    assert "<h2>Constat</h2>" in page
    assert "<strong>inégalement</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="/partenaires/adf/"' in page


def test_contribution_pages_queries_are_constant(client, world, django_assert_max_num_queries):
    client.get("/contributions/")
    with django_assert_max_num_queries(3):
        client.get("/contributions/")
    with django_assert_max_num_queries(3):
        client.get("/contributions/socle-numerique-ecoles/")
