"""The MFA gate lets the public site through: a reviewer, the secretariat or an association's
admin who has not set up their authenticator app yet reads every public page (the sessions, the
territories, the contact form, a contribution's PDF…) as an anonymous visitor would, and is
still sent to the setup page by everything else (the sessions' management above all)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from committee.contributions.models import Contribution
from committee.sessions.models import Body, Session, SessionDocument
from referentials.hierarchy import territory_path
from tests import factories as f

pytestmark = pytest.mark.django_db

SETUP = "/comptes/2fa/totp/activate/"


def status_of(client, path: str) -> int:
    """The answer's status, its body read to the end (which closes a file served)."""
    response = client.get(path)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response.status_code


@pytest.fixture
def sessions(secretariat):
    body = Body.objects.create(name="Comité plénier", slug="pleniere", kind=Body.Kind.PLENARY)
    start = timezone.now() + datetime.timedelta(days=10)

    def session(title, *, public):
        return Session.objects.create(
            body=body,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            is_public=public,
            status=Session.Status.CONVENED,
            convened_at=timezone.now(),
            created_by=secretariat,
        )

    public = session("Séance plénière de rentrée", public=True)
    closed = session("Séance à huis clos", public=False)
    document = SessionDocument.objects.create(
        session=public,
        title="Ordre du jour",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="odj.pdf"),
        original_name="odj.pdf",
        content_type="application/pdf",
        size=15,
    )
    return {"public": public, "closed": closed, "document": document}


@pytest.fixture(params=["reviewer", "secretariat", "association_admin"])
def gated(request, client):
    """A client logged in as someone whose role asks for MFA, without an authenticator app."""
    client.force_login(request.getfixturevalue(request.param))
    return client


def test_public_session_pages_are_served_to_a_gated_user(gated, sessions):
    public = sessions["public"]
    for path in (
        "/seances/",
        f"/seances/{public.pk}/",
        "/seances/calendrier.ics",
        f"/seances/{public.pk}/invitation.ics",
        f"/seances/{public.pk}/documents/{sessions['document'].pk}/",
    ):
        assert status_of(gated, path) == 200, path
    page = gated.get("/seances/").content.decode()
    assert "Séance plénière de rentrée" in page
    assert "Séance à huis clos" not in page  # served as to an anonymous visitor


def test_a_closed_session_stays_closed_to_a_gated_user(gated, sessions):
    closed = sessions["closed"]
    assert gated.get(f"/seances/{closed.pk}/").status_code == 404
    assert gated.get(f"/seances/{closed.pk}/invitation.ics").status_code == 404


def test_session_management_and_personal_pages_still_ask_for_the_setup(gated, sessions):
    public = sessions["public"]
    for path in (
        "/pilotage/seances/",
        f"/pilotage/seances/{public.pk}/",
        "/seances/mon-agenda/",
        "/espace/representants/",
    ):
        response = gated.get(path)
        assert (response.status_code, response.get("Location")) == (302, SETUP), path
    response = gated.post(f"/seances/{public.pk}/reponse/", {"answer": "present"})
    assert (response.status_code, response.get("Location")) == (302, SETUP)


def test_other_public_pages_are_served_to_a_gated_user(gated):
    department = f.DepartmentFactory()
    contribution = f.ContributionFactory(
        slug="socle-commun",
        status=Contribution.Status.PUBLISHED,
        published_at=timezone.now(),
        body="## Constat\n\nUn texte.",
    )
    for path in (
        "/plan-du-site/",
        "/territoires/",
        territory_path(department),
        "/territoires/recherche.json?q=rho",
        "/contact/",
        "/contact/envoye/",
        f"/contributions/{contribution.slug}/",
        f"/contributions/{contribution.slug}/texte.pdf",
        "/favicon.ico",
    ):
        assert status_of(gated, path) == 200, path
