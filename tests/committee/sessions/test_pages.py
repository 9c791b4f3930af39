"""The session pages as each role sees them: the public list and calendar, a session,
replies, minutes, the personal calendar, and the secretariat's pages. Refused actions
change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from committee.sessions import minutes as m
from committee.sessions import services
from committee.sessions.models import Body, Minutes, Reply, Session

from .conftest import held, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(make_session):
    return {
        "public": make_session(convene=True, title="Séance publique de rentrée"),
        "closed": make_session(convene=True, public=False, title="Séance à huis clos", days=12),
        "draft": make_session(title="Séance en préparation", days=14),
    }


def titles(client):
    return client.get("/seances/").content.decode()


def test_the_public_sees_public_sessions_only(client, sessions):
    page = titles(client)
    assert "Séance publique de rentrée" in page
    assert "Séance à huis clos" not in page and "en préparation" not in page
    assert client.get(f"/seances/{sessions['closed'].pk}/").status_code == 404
    assert client.get(f"/seances/{sessions['draft'].pk}/").status_code == 404


def test_representatives_see_the_closed_sessions_of_their_body(client, sessions, representative):
    client.force_login(representative)
    page = titles(client)
    assert "Séance à huis clos" in page and "en préparation" not in page
    assert client.get(f"/seances/{sessions['closed'].pk}/").status_code == 200


def test_the_secretariat_sees_everything(client, sessions, secretariat, mfa):
    mfa(secretariat)
    client.force_login(secretariat)
    page = titles(client)
    assert "Séance à huis clos" in page and "en préparation" in page


def test_a_representative_answers_on_the_page(client, sessions, representative, colleague):
    client.force_login(representative)
    session = sessions["closed"]
    response = client.post(
        f"/seances/{session.pk}/reponse/", {"answer": "represented", "proxy": colleague.pk}
    )
    assert response.status_code == 302
    reply = Reply.objects.get(session=session, user=representative)
    assert (reply.answer, reply.proxy) == ("represented", colleague)
    page = client.get(f"/seances/{session.pk}/").content.decode()
    assert "Représenté par un collègue" in page


def test_a_reply_without_the_colleague_is_refused_with_a_message(client, sessions, representative):
    client.force_login(representative)
    response = client.post(f"/seances/{sessions['public'].pk}/reponse/", {"answer": "represented"})
    assert response.status_code == 400
    assert "Indiquez le collègue" in response.content.decode()
    assert not Reply.objects.exists()


@pytest.mark.parametrize("role", ["other_contributor", "association_admin", "reviewer"])
def test_others_cannot_reply(client, sessions, representative, role, request, mfa):
    user = request.getfixturevalue(role)
    if role in {"association_admin", "reviewer"}:
        mfa(user)
    client.force_login(user)
    assert (
        client.post(f"/seances/{sessions['closed'].pk}/reponse/", {"answer": "present"}).status_code
        == 404
    )
    client.post(f"/seances/{sessions['public'].pk}/reponse/", {"answer": "present"})
    assert not Reply.objects.exists()


def test_the_public_calendar_lists_public_sessions(client, sessions):
    response = client.get("/seances/calendrier.ics")
    assert response["Content-Type"].startswith("text/calendar")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert len(summaries) == 1 and "Séance publique de rentrée" in summaries[0]


def test_the_personal_calendar_is_secret_and_revocable(client, sessions, representative):
    client.force_login(representative)
    page = client.get("/seances/mon-agenda/").content.decode()
    token = representative.calendar_token.token
    assert f"/seances/agenda/{token}.ics" in page
    client.logout()
    feed = client.get(f"/seances/agenda/{token}.ics")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert len(summaries) == 2  # public and closed sessions of the body, not the draft
    assert feed["Cache-Control"] == "private, no-store"
    client.force_login(representative)
    client.post("/seances/mon-agenda/")
    client.logout()
    assert client.get(f"/seances/agenda/{token}.ics").status_code == 404


def test_approved_public_minutes_are_published_without_their_closed_items(
    client, make_session, secretariat, representative
):
    session = make_session(convene=True)
    services.agenda_item_add(by=secretariat, session=session, title="Point public")
    services.agenda_item_add(by=secretariat, session=session, title="Point réservé", is_closed=True)
    held(session)
    minutes = m.minutes_start(by=secretariat, session=session)
    public, closed = session.agenda_items.order_by("position")
    m.minutes_save(
        by=secretariat,
        minutes=minutes,
        texts={public.pk: "Compte rendu public.", closed.pk: "Montants confidentiels."},
        version=0,
    )
    m.minutes_circulate(
        by=secretariat, minutes=minutes, until=timezone.now() + datetime.timedelta(hours=1)
    )
    page = client.get(f"/seances/{session.pk}/").content.decode()
    assert "Compte rendu public." not in page  # a draft is not public
    client.force_login(representative)
    assert "Montants confidentiels." in client.get(f"/seances/{session.pk}/").content.decode()
    client.logout()
    Minutes.objects.filter(pk=minutes.pk).update(
        remarks_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    minutes.refresh_from_db()
    m.minutes_approve(by=secretariat, minutes=minutes)
    page = client.get(f"/seances/{session.pk}/").content.decode()
    assert "Compte rendu public." in page
    assert "Montants confidentiels." not in page and "Point réservé" not in page
    assert client.get(f"/seances/{session.pk}/proces-verbal/versions/").status_code == 404


def test_the_secretariat_convenes_through_its_pages(
    client, secretariat, mfa, body, representative, mailoutbox, django_capture_on_commit_callbacks
):
    mfa(secretariat)
    client.force_login(secretariat)
    start = paris(20, 9).strftime("%Y-%m-%dT%H:%M")
    end = paris(20, 12).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/pilotage/seances/",
        {
            "body": body.pk,
            "title": "GT axe 1",
            "starts_at": start,
            "ends_at": end,
            "place": "Paris",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302
    assert session.starts_at == paris(20, 9)
    client.post(f"/pilotage/seances/{session.pk}/ordre-du-jour/", {"point-title": "Tour de table"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pilotage/seances/{session.pk}/convoquer/")
    session.refresh_from_db()
    assert session.status == Session.Status.CONVENED
    assert [m.to for m in mailoutbox] == [[representative.email]]
    assert session.agenda_items.get().title == "Tour de table"
    assert client.get(f"/pilotage/seances/{session.pk}/").status_code == 200


def test_a_session_in_the_past_is_refused_on_the_page(client, secretariat, mfa, body):
    mfa(secretariat)
    client.force_login(secretariat)
    response = client.post(
        "/pilotage/seances/",
        {
            "body": body.pk,
            "title": "Trop tard",
            "starts_at": paris(-2, 9).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": paris(-2, 12).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "dans le passé" in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "association_admin", "reviewer"])
def test_the_management_pages_are_the_secretariats(client, role, request, mfa, body, make_session):
    session = make_session()
    user = request.getfixturevalue(role)
    mfa(user)
    client.force_login(user)
    assert client.get("/pilotage/seances/").status_code == 403
    assert client.post(f"/pilotage/seances/{session.pk}/convoquer/").status_code == 403
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT


def test_an_association_admin_names_its_own_representatives(
    client,
    association_admin,
    mfa,
    body,
    colleague,
    association,
    other_association,
    other_contributor,
):
    mfa(association_admin)
    client.force_login(association_admin)
    page = client.get("/espace/representants/")
    assert page.status_code == 200
    client.post(
        "/espace/representants/",
        {"body": body.pk, "organisation": association.pk, "user": colleague.pk},
    )
    assert list(body.representatives.values_list("user_id", flat=True)) == [colleague.pk]
    response = client.post(
        "/espace/representants/",
        {"body": body.pk, "organisation": other_association.pk, "user": other_contributor.pk},
    )
    assert response.status_code == 404
    assert body.representatives.count() == 1


NEW_GROUP = "/pilotage/seances/instances/nouvelle/"


def test_the_secretariat_creates_a_working_group_then_names_its_representatives(
    client, secretariat, mfa, representative, other_representative
):
    mfa(secretariat)
    client.force_login(secretariat)
    assert 'href="/pilotage/seances/"' in client.get("/seances/").content.decode()
    assert NEW_GROUP in client.get("/pilotage/seances/").content.decode()
    assert NEW_GROUP in client.get("/pilotage/seances/representants/").content.decode()
    form = client.get(NEW_GROUP)
    assert form.status_code == 200
    html = form.content.decode()
    for label in ("Nom du groupe de travail", "Présentation", "Quorum (en %)"):
        assert label in html
    response = client.post(
        NEW_GROUP,
        {
            "name": "  Groupe de travail sur les données scolaires ",
            "description": "Les données des élèves dans les ENT.",
            "quorum_percent": "60",
        },
    )
    body = Body.objects.get(name="Groupe de travail sur les données scolaires")
    assert response.status_code == 302
    assert response["Location"] == f"/pilotage/seances/representants/#instance-{body.slug}"
    assert body.kind == Body.Kind.WORKING_GROUP and body.is_active
    assert body.quorum_share == Decimal("0.60")
    assert body.description == "Les données des élèves dans les ENT."
    page = client.get(response["Location"]).content.decode()
    assert f'id="instance-{body.slug}"' in page
    assert "est créé : nommez maintenant ses représentants." in page
    overview = client.get("/pilotage/seances/").content.decode()
    assert "Groupe de travail sur les données scolaires" in overview
    assert "aucune organisation représentée, quorum : 60&nbsp;%" in overview
    assert "2 organisations représentées, quorum : 50&nbsp;%" in overview  # the axis 1 group


@pytest.mark.parametrize("role", ["contributor", "association_admin", "reviewer"])
def test_only_the_secretariat_creates_a_working_group(client, role, request, mfa):
    user = request.getfixturevalue(role)
    mfa(user)
    client.force_login(user)
    before = Body.objects.count()
    assert client.get(NEW_GROUP).status_code == 403
    response = client.post(NEW_GROUP, {"name": "Groupe clandestin", "quorum_percent": "50"})
    assert response.status_code == 403
    assert Body.objects.count() == before
    assert 'href="/pilotage/seances/"' not in client.get("/seances/").content.decode()
    if role == "association_admin":  # names its own representatives, creates no group
        page = client.get("/espace/representants/")
        assert page.status_code == 200
        assert NEW_GROUP not in page.content.decode()


def test_a_visitor_is_sent_to_log_in_and_nothing_is_created(client):
    before = Body.objects.count()
    response = client.post(NEW_GROUP, {"name": "Groupe anonyme", "quorum_percent": "50"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert Body.objects.count() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "   ", "quorum_percent": "50"}, "Ce champ est obligatoire."),
        (
            {"name": "Groupe des usages", "quorum_percent": "150"},
            "Assurez-vous que cette valeur est inférieure ou égale à 100.",
        ),
        (
            {"name": "Groupe des usages", "quorum_percent": "la moitié"},
            "Saisissez un nombre entier.",
        ),
        (
            {"name": "groupe de travail de l'axe 1", "quorum_percent": "50"},
            "Une instance porte déjà ce nom : choisissez-en un autre.",
        ),
    ],
)
def test_a_bad_working_group_is_refused_with_a_message_and_nothing_saved(
    client, secretariat, mfa, body, data, message
):
    mfa(secretariat)
    client.force_login(secretariat)
    before = Body.objects.count()
    response = client.post(NEW_GROUP, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Un champ est à corriger" in html
    assert escape(message) in html
    assert "<title>Erreur" in html
    assert Body.objects.count() == before


def test_the_calendars_cost_the_same_queries_for_many_sessions(
    client, make_session, representative, django_assert_max_num_queries
):
    for days in range(5, 45):
        make_session(convene=True, days=days, title=f"Séance {days}")
    with django_assert_max_num_queries(3):
        response = client.get("/seances/calendrier.ics")
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 40
    token = services.calendar_token_for(representative).token
    with django_assert_max_num_queries(4):
        client.get(f"/seances/agenda/{token}.ics")
