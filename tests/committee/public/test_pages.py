"""The skeleton pages: reachable, accessible basics, French first with a working English switch."""

import html
import json

import pytest
from django.test import RequestFactory

from committee.public.views import pages as views
from committee.reference import AXES
from tests import factories as f

pytestmark = pytest.mark.django_db

SIGNATORIES = [
    ("AMF", "Association des maires de France et des présidents d'intercommunalité"),
    ("ADF", "Assemblée des départements de France"),
    ("AMGVF", "Association des maires de grandes villes de France"),
    ("ARF", "Association des régions de France"),
    ("AMVBF", "Association des maires Ville et Banlieue de France"),
    ("AMRF", "Association des maires ruraux de France"),
    ("RFVE", "Réseau français des villes éducatrices"),
    ("Villes Internet", "Association Villes Internet"),
    ("CDC", "Caisse des dépôts"),
    ("MEN", "Ministère de l'Éducation nationale"),
]


def text(response) -> str:
    """The page as a reader sees the characters (entities decoded)."""
    return html.unescape(response.content.decode())


@pytest.fixture
def signatories():
    return [
        f.OrganisationFactory(
            acronym=acronym,
            slug=acronym.lower().replace(" ", "-"),
            name=name,
            website=f"https://{acronym.lower().replace(' ', '')}.example.org",
        )
        for acronym, name in SIGNATORIES
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/plan-du-site/",
        "/comptes/login/",
        "/healthz",
    ],
)
def test_every_skeleton_page_answers(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "Comité des partenaires du numérique pour l'éducation"),
        ("/accessibilite/", "Déclaration d'accessibilité"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/plan-du-site/", "Plan du site"),
    ],
)
def test_each_page_has_a_single_h1_a_main_landmark_and_a_french_lang(client, url, heading):
    page = text(client.get(url))

    assert page.count("<h1") == 1
    assert f"<h1>{heading}</h1>" in page
    assert '<main id="contenu" role="main">' in page
    assert '<html lang="fr"' in page
    assert f"<title>{heading}" in page


def test_unknown_url_shows_the_custom_not_found_page(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    page = text(response)
    assert "<h1>Page non trouvée</h1>" in page
    assert "Erreur 404" in page
    assert 'href="/plan-du-site/"' in page


def test_home_shows_the_six_axes_verbatim_in_order(client):
    page = text(client.get("/"))

    positions = [page.index(f">{title}</h3>") for _number, title, _short, _slug in AXES]
    assert positions == sorted(positions)
    for number in range(1, 7):
        assert f"Axe {number}" in page


def test_home_quotes_the_mission_and_the_charter_date(client):
    page = text(client.get("/"))

    assert (
        "« impulser une stratégie globale de déploiement du numérique pour l'éducation "
        "sur l'ensemble du territoire »" in page
    )
    assert "mutualiser et valoriser les expériences territoriales" in page
    assert "1er octobre 2015" in page


def test_home_lists_the_ten_signatories_with_their_websites(client, signatories):
    page = text(client.get("/"))

    for organisation in signatories:
        assert f">{organisation.acronym}</h3>" in page
        assert organisation.name in page
        assert f'href="{organisation.website}"' in page
    assert f"Site internet ({signatories[0].acronym}) - nouvelle fenêtre" in page


def test_home_without_partners_says_so_rather_than_showing_an_empty_list(client):
    page = text(client.get("/"))

    assert "La liste des partenaires sera publiée prochainement." in page


def test_home_query_count_does_not_grow_with_the_partners(client, signatories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")  # key figures, map counts and site configuration are cached
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    for n in range(5):
        f.OrganisationFactory(acronym=f"NEW{n}")
    with CaptureQueriesContext(connection) as second:
        client.get("/")
    # Axes, partners and the latest initiatives; nothing per partner.
    assert len(first) == len(second) <= 4


def test_footer_shows_the_mandatory_links_and_the_accessibility_status(client):
    page = text(client.get("/mentions-legales/"))

    footer = page[page.index('<footer class="fr-footer"') :]
    assert '<a class="fr-footer__bottom-link" href="/accessibilite/">' in footer
    assert "Accessibilité : non conforme" in footer
    for href, label in [
        ("/plan-du-site/", "Plan du site"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
    ]:
        assert f'href="{href}">{label}</a>' in footer
    for site in ["education.gouv.fr", "info.gouv.fr", "service-public.gouv.fr", "data.gouv.fr"]:
        assert f'title="{site} - nouvelle fenêtre"' in footer
    assert "Licence Ouverte 2.0" in footer


def test_skip_links_come_before_anything_else_focusable(client):
    page = text(client.get("/"))

    body = page[page.index("<body>") :]
    first_link = body.index("<a ")
    assert body[first_link:].startswith('<a class="fr-link" href="#contenu">Contenu</a>')
    assert 'href="#navigation-principale">Menu</a>' in body
    assert 'href="#pied-de-page">Pied de page</a>' in body
    assert 'id="navigation-principale"' in body
    assert 'id="pied-de-page"' in body


def test_main_menu_marks_the_current_page(client):
    page = text(client.get("/"))

    assert '<a class="fr-nav__link" href="/" target="_self" aria-current="page">Accueil</a>' in page
    assert 'href="/initiatives/" target="_self">Initiatives</a>' in page


def test_header_offers_login_to_visitors_and_logout_to_members(client, contributor):
    assert 'href="/comptes/login/">Se connecter</a>' in text(client.get("/"))

    client.force_login(contributor)
    page = text(client.get("/"))

    assert contributor.get_full_name() in page
    assert 'action="/comptes/logout/" method="post"' in page
    assert "Se déconnecter</button>" in page


def test_login_page_uses_the_portal_layout_with_labelled_fields(client):
    page = text(client.get("/comptes/login/"))

    assert page.count("<h1") == 1
    assert 'id="pied-de-page"' in page
    assert '<label class="fr-label" for="id_login">' in page
    assert '<label class="fr-label" for="id_password">' in page
    assert 'class="fr-input"' in page


def test_the_site_is_french_first_whatever_the_browser_language(client):
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert '<html lang="fr"' in page


def test_language_switch_renders_the_site_in_english(client):
    page = text(client.get("/"))
    assert 'action="/i18n/setlang/" method="post"' in page
    assert 'name="language" value="en" lang="en"' in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    page = text(client.get("/"))
    assert '<html lang="en"' in page
    assert "<h1>Partners' committee for digital education</h1>" in page
    assert "Accessibility: not compliant" in page
    # The charter's axes stay verbatim, marked as French for screen readers.
    assert f'lang="fr">{AXES[0][1]}</h3>' in page
    assert 'name="language" value="fr" lang="fr"' in page


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response["Content-Type"] == "application/json"
    payload = json.loads(response.content)
    assert payload["status"] == "ok"
    assert payload["checks"]["database"] == "ok"


def test_server_error_page_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = views.error_500(request)

    assert response.status_code == 500
    page = text(response)
    assert "<h1>Erreur inattendue</h1>" in page
    assert "Erreur 500" in page
    assert "Accessibilité : non conforme" in page
    assert 'href="/"' in page


def test_a_notice_saved_by_the_operator_shows_on_the_next_page(client):
    """The site configuration is kept by each web process and the shared cache: a change
    saved here clears both at once (other nodes follow within seconds)."""
    from dsfr.models import DsfrConfig

    assert "Maintenance prévue ce soir" not in text(client.get("/"))
    config = DsfrConfig.objects.create(language="fr", notice_title="Maintenance prévue ce soir")
    assert "Maintenance prévue ce soir" in text(client.get("/"))
    config.delete()
    assert "Maintenance prévue ce soir" not in text(client.get("/"))
