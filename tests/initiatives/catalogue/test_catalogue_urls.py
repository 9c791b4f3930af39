"""The catalogue's URLs carry only the criteria in use; they show as removable tags."""

import re

import pytest

from initiatives.models import Initiative
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(association):
    return f.InitiativeFactory(
        status=Initiative.Status.PUBLISHED,
        lead_organisation=association,
        title="Tablettes au collège",
        axes=[f.axis(1)],
    )


def test_a_url_full_of_empty_parameters_redirects_to_its_clean_form(client, published):
    response = client.get("/initiatives/?q=&axis=1&region=&department=&partner=&sort=")
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/?axis=1"

    response = client.get("/initiatives/?q=+&axis=&region=")
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/"

    assert client.get("/initiatives/?axis=1").status_code == 200
    assert client.get("/initiatives/").status_code == 200


def test_active_criteria_are_removable_tags_above_the_results(client, published):
    html = client.get("/initiatives/?q=tablettes&axis=1&partner=AMF").content.decode()
    tags = re.findall(r'<a class="fr-tag fr-tag--icon-left[^"]*" href="([^"]*)">([^<]*)<', html)
    assert len(tags) == 3, tags
    labels = [label for _href, label in tags]
    assert "Recherche : « tablettes »" in labels
    assert "Partenaire du comité : AMF" in labels
    assert any(label.startswith("Axe de travail : 1.") for label in labels)
    for href, label in tags:
        assert ("q=" in href) != label.startswith("Recherche"), (href, label)
    assert "Retirer tous les critères" in html

    assert 'id="active-filters-title"' not in client.get("/initiatives/").content.decode()


def test_the_catalogue_has_a_breadcrumb(client, published):
    html = client.get("/initiatives/").content.decode()
    crumbs = re.search(r'<nav role="navigation" class="fr-breadcrumb".*?</nav>', html, re.S)
    assert crumbs is not None
    assert 'href="/">Accueil</a>' in crumbs.group(0)
    assert 'aria-current="page">Initiatives</a>' in crumbs.group(0)


def test_the_territory_scope_goes_with_an_empty_territory(client):
    response = client.get(
        "/initiatives/", {"region": "84", "territory": "", "territory_scope": "all"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/?region=84"
    kept = client.get("/initiatives/", {"territory": "commune-69123", "territory_scope": "inside"})
    assert kept.status_code != 302
