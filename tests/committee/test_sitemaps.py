"""What search engines are told: robots.txt and the sitemaps list only public pages."""

import datetime
from xml.etree import ElementTree

import pytest
from django.urls import resolve
from django.utils import timezone

from committee.sessions.models import Body, Session
from tests import factories as f
from tests.initiatives.catalogue.test_opendata import HIDDEN, PUBLIC_SLUGS, build_world

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_robots_txt_allows_the_public_site_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for private in ("/admin/", "/comptes/", "/espace/", "/instruction/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_index_points_to_its_sections(client):
    sections = locations(client.get("/sitemap.xml"))
    assert "http://testserver/sitemap-pages.xml" in sections
    assert "http://testserver/sitemap-initiatives.xml" in sections
    assert "http://testserver/sitemap-seances.xml" in sections


def test_sitemap_lists_published_initiatives_only(client, association, other_association):
    world = build_world(association, other_association)
    listed = locations(client.get("/sitemap-initiatives.xml"))
    assert sorted(listed) == sorted(
        f"http://testserver/initiatives/{world[key].slug}/" for key in PUBLIC_SLUGS
    )
    for key in HIDDEN:
        assert all(world[key].slug not in url for url in listed)


def test_sitemap_lists_the_public_pages_that_exist(client):
    listed = locations(client.get("/sitemap-pages.xml"))
    for path in (
        "/",
        "/initiatives/",
        "/seances/",
        "/donnees/",
        "/accessibilite/",
        "/mentions-legales/",
    ):
        assert f"http://testserver{path}" in listed
    for url in listed:
        resolve(url.removeprefix("http://testserver"))  # raises for a page that does not exist


def test_sitemap_of_an_unknown_section_is_404(client):
    f.InitiativeFactory()
    assert client.get("/sitemap-secret.xml").status_code == 404


def test_sitemap_lists_the_public_sessions_the_public_can_see(client):
    body = Body.objects.create(name="Groupe de travail test", slug="gt-test", kind="working_group")
    now = timezone.now()

    def session(title, *, days, public=True, status=Session.Status.CONVENED):
        start = now + datetime.timedelta(days=days)
        return Session.objects.create(
            body=body,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            is_public=public,
            status=status,
        )

    upcoming = session("Séance publique à venir", days=10)
    past = session("Séance publique passée", days=-30)
    hidden = [
        session("Séance à huis clos", days=12, public=False),
        session("Séance à huis clos passée", days=-20, public=False),
        session("Séance en préparation", days=14, status=Session.Status.DRAFT),
        session("Séance annulée", days=16, status=Session.Status.CANCELLED),
    ]
    listed = locations(client.get("/sitemap-seances.xml"))
    assert listed == [f"http://testserver/seances/{s.pk}/" for s in (upcoming, past)]
    for other in hidden:
        assert f"http://testserver/seances/{other.pk}/" not in listed
    # What is listed is what a visitor reaches; what is left out, they cannot.
    for url in listed:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
    closed = hidden[0]
    assert client.get(f"/seances/{closed.pk}/").status_code == 404
