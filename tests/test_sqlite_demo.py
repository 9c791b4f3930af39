"""`make run` works anywhere: the demo on SQLite, as a fresh machine gets it.

The suite runs on PostgreSQL; this test prepares the demo as `make run` does (migrate,
load_territories, seed_demo) on an embedded SQLite file, in its own interpreter, and asks
for the pages a visitor and the association staff open: every one must answer. PostgreSQL
only features (full-text ranking, typo tolerance) have plain fallbacks there.
"""

import textwrap

import pytest

from tests.test_settings import run

# Starts other interpreters: left out of `make test-fast`.
pytestmark = pytest.mark.subprocess

PAGES = [
    "/",
    "/initiatives/",
    "/initiatives/?q=tablettes",
    "/initiatives/?axis=5&sort=title",
    "/initiatives/?region=84",
    "/initiatives/?department=69",
    "/initiatives/?commune=69123",
    "/initiatives/?collectivity=commune",
    "/initiatives/?school_level=college",
    "/initiatives/?item=1.1",
    "/initiatives/?partner=amf",
    "/initiatives/?year=2021",
    "/initiatives/?partner=ADF&axis=1&year=2020&region=84",
    "/initiatives/export.csv?axis=1",
    "/initiatives/export.xlsx",
    "/initiatives/flux.atom?partner=AMF",
    "/carte/",
    "/carte/?axis=2",
    "/referentiels/",
    "/partenaires/",
    "/plan-d-action/",
    "/contributions/",
    "/seances/",
    "/seances/calendrier.ics",
    "/donnees/",
    "/api/v1/initiatives/?region=84",
    "/api/v1/territories/?q=lyon",
    "/api/v1/territories/?q=13001",  # a postcode (Marseille)
    "/territoires/recherche.json?q=69001",
    "/api/v1/territories/commune/69123/",
    "/territoires/?q=Saint-Denis",  # several communes: the choice is offered
    "/territoires/communes/69123-lyon/",
    "/territoires/epci/200046977-metropole-de-lyon/",
    "/territoires/regions/84-auvergne-rhone-alpes/",
    "/initiatives/?territory=commune-69123&territory_scope=all",
    "/initiatives/?q=Lyon",
    "/sitemap-territoires.xml",
    "/api/schema/",
    "/sitemap.xml",
    "/plan-du-site/",
    "/mentions-legales/",
    "/accessibilite/",
    "/contact/",
    "/dev/courriels/",
]

SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_territories", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from initiatives.models import Initiative
    from members.models import User

    pages = {pages!r}
    published = Initiative.objects.filter(status="published").order_by("pk")
    pages.append(published.first().get_absolute_url())
    pages.append(published.last().get_absolute_url())
    visitor = Client()
    failures = [(url, visitor.get(url).status_code) for url in pages]
    staff = Client()
    staff.force_login(User.objects.get(email="contributeur@demo.comite-numerique.fr"))
    for url in ("/tableau-de-bord/", "/espace/", "/espace/initiatives/nouvelle/"):
        failures.append((url, staff.get(url).status_code))
    failures = [(url, status) for url, status in failures if status != 200]
    print("FAILURES", failures)
    """
)


def test_the_demo_on_sqlite_serves_every_page(tmp_path):
    result = run(
        "-c",
        SCRIPT.format(pages=PAGES),
        DJANGO_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_URL="dummymail://",
        PYTHONWARNINGS="ignore",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FAILURES []" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]


SEARCH_SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from initiatives.catalogue.selectors import catalogue_search
    from initiatives.models import Initiative
    from tests import factories as f

    f.InitiativeFactory(
        title="Le numérique à l'école de Saint-Étienne", status=Initiative.Status.PUBLISHED,
        summary="Des tablettes", description="Une œuvre collective.",
    )
    f.InitiativeFactory(
        title="Robotique au collège", status=Initiative.Status.PUBLISHED,
        summary="Des robots", description="Sans rapport.",
    )
    for q in ("numérique", "numerique", "NUMÉRIQUE", "Numerique", "ecole", "École",
              "saint-etienne", "oeuvre", "numerique ecole", "numerique robots", "robotique"):
        print("COUNT", repr(q), catalogue_search({{"q": q}}).count)
    """
)


def test_the_demo_search_ignores_accents_and_case_like_postgresql(tmp_path):
    """`make run`'s SQLite: `numerique` finds what `numérique` finds, as on PostgreSQL."""
    result = run(
        "-c",
        SEARCH_SCRIPT.format(),
        DJANGO_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'search.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_URL="dummymail://",
        PYTHONWARNINGS="ignore",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    counts = dict(
        line.removeprefix("COUNT ").rsplit(" ", 1)
        for line in result.stdout.splitlines()
        if line.startswith("COUNT ")
    )
    assert counts == {
        "'numérique'": "1",
        "'numerique'": "1",
        "'NUMÉRIQUE'": "1",
        "'Numerique'": "1",
        "'ecole'": "1",
        "'École'": "1",
        "'saint-etienne'": "1",
        "'oeuvre'": "1",
        "'numerique ecole'": "1",
        "'numerique robots'": "0",  # every word must be found, as with PostgreSQL
        "'robotique'": "1",
    }, result.stdout[-3000:]
