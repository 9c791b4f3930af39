"""The header's work entries and the landing page: each role sees what its roles open and
what waits for it, one click from each item, in a constant number of queries."""

import re

import pytest
from django.urls import reverse

from committee.plan.models import PartnerReport, PlanReview
from initiatives.models import Status as S
from tests import factories as f

pytestmark = pytest.mark.django_db


def nav(client) -> dict[str, str]:
    """The main menu's work entries of the page: label → link."""
    page = client.get(reverse("legal")).content.decode()
    menu = page.split('id="navigation-principale"', 1)[1].split("</nav>", 1)[0]
    entries = re.findall(
        r'portal-nav__work[^"]*"><a class="fr-nav__link" href="([^"]+)"[^>]*>([^<&]+)', menu
    )
    return {label.strip(): href for href, label in entries}


@pytest.fixture
def signed_in(client, mfa):
    def sign_in(user):
        mfa(user)
        client.force_login(user)
        return client

    return sign_in


def test_visitors_see_no_work_entries(client):
    assert nav(client) == {}
    assert "Mon compte" not in client.get("/").content.decode()


def test_association_staff_see_their_space_only(signed_in, contributor):
    assert nav(signed_in(contributor)) == {
        "Tableau de bord": "/tableau-de-bord/",
        "Mon espace": "/espace/",
    }


def test_a_reviewer_sees_the_review_with_what_waits_for_them_and_the_steering(
    signed_in, reviewer, association
):
    other = f.MembershipFactory(organisation=reviewer.memberships.get().organisation).user
    f.InitiativeFactory(lead_organisation=association, status=S.SUBMITTED)  # to take
    f.InitiativeFactory(lead_organisation=association, status=S.IN_REVIEW, assignee=reviewer)
    f.InitiativeFactory(lead_organisation=association, status=S.IN_REVIEW, assignee=other)
    f.InitiativeFactory(lead_organisation=association, status=S.CHANGES_REQUESTED)
    f.InitiativeFactory(lead_organisation=association, status=S.DRAFT)

    client = signed_in(reviewer)
    assert nav(client) == {
        "Tableau de bord": "/tableau-de-bord/",
        "Instruction": "/instruction/",
        "Pilotage": "/pilotage/",
    }
    page = client.get(reverse("legal")).content.decode()
    assert re.search(
        r"Instruction&nbsp;<span[^>]*>2<span class=\"fr-sr-only\">&nbsp;"
        r"soumissions en attente de vous",
        page,
    )


def test_the_secretariat_also_manages_the_plan(signed_in, secretariat):
    assert nav(signed_in(secretariat)) == {
        "Tableau de bord": "/tableau-de-bord/",
        "Contributions en rédaction": "/espace/contributions/",
        "Instruction": "/instruction/",
        "Pilotage": "/pilotage/",
        "Gestion du plan": "/pilotage/plan/",
    }


def test_the_current_work_area_is_marked_in_the_menu(signed_in, secretariat):
    page = signed_in(secretariat).get("/pilotage/plan/").content.decode()
    assert 'href="/pilotage/plan/" target="_self" aria-current="page">Gestion du plan' in page
    assert 'href="/pilotage/" target="_self">Pilotage' in page


def test_unread_notifications_and_my_account_are_in_the_header(signed_in, contributor):
    from members.models import Notification

    for number in range(2):
        Notification.objects.create(
            recipient=contributor,
            delivery_key=f"test:{number}",
            kind="submitted",
            channel=Notification.Channel.IN_APP,
            status=Notification.Status.SENT,
        )

    page = signed_in(contributor).get("/").content.decode()

    assert 'href="/compte/"' in page and "Mon compte" in page
    assert re.search(
        r'href="/notifications/">Notifications&nbsp;<span[^>]*>2<span class="fr-sr-only">'
        r"&nbsp;non lues</span>",
        page,
    )


@pytest.mark.parametrize(
    ("role", "queries"),
    [("anonymous", 0), ("contributor", 4), ("reviewer", 6), ("secretariat", 5)],
)
def test_the_header_costs_the_same_queries_whatever_the_work_waiting(
    request, client, mfa, django_assert_num_queries, association, role, queries
):
    """A static page: the session, the user, their memberships (read once for every
    permission asked), whether a contribution being drafted is theirs (not asked for the
    secretariat, who always has the entry) and, for officials, whether they have their
    authenticator (the MFA gate) and the count of submissions waiting for them; the
    unread count and the site configuration come from the cache. Pinned, and unchanged
    when more work waits."""
    if role != "anonymous":
        user = request.getfixturevalue(role)
        mfa(user)
        client.force_login(user)
    client.get(reverse("legal"))  # warm the caches (site configuration, unread count)

    def count_queries():
        with django_assert_num_queries(queries):
            client.get(reverse("legal"))

    count_queries()
    for status in (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.DRAFT):
        f.InitiativeFactory.create_batch(3, lead_organisation=association, status=status)
    count_queries()


def test_after_login_people_land_on_what_waits_for_them(client):
    from allauth.account.models import EmailAddress

    user = f.UserFactory()
    user.set_password("mot-de-passe-solide-42")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "mot-de-passe-solide-42"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/tableau-de-bord/"


def test_the_landing_page_asks_visitors_to_log_in(client):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_land_on_their_drafts_and_the_changes_requested(signed_in, contributor, association):
    draft = f.InitiativeFactory(lead_organisation=association, title="Brouillon de Lyon")
    returned = f.InitiativeFactory(
        lead_organisation=association, status=S.CHANGES_REQUESTED, title="À reprendre"
    )
    f.InitiativeFactory(status=S.DRAFT, title="Brouillon d'une autre association")

    page = signed_in(contributor).get("/tableau-de-bord/").content.decode()

    drafts = page.split('id="pile-drafts"', 1)[1].split('id="pile-', 1)[0]
    assert f'href="/espace/initiatives/{draft.pk}/">Brouillon de Lyon</a>' in drafts
    assert "autre association" not in page
    changes = page.split('id="pile-changes_requested"', 1)[1]
    assert f'href="/espace/initiatives/{returned.pk}/">À reprendre</a>' in changes
    assert "Instruction des initiatives" not in page
    assert "2 éléments attendent votre attention." in page


def test_reviewers_land_on_submissions_to_take_theirs_and_those_waiting_on_authors(
    signed_in, reviewer, association
):
    to_take = f.InitiativeFactory(
        lead_organisation=association, status=S.SUBMITTED, title="Sans instructeur"
    )
    mine = f.InitiativeFactory(
        lead_organisation=association, status=S.IN_REVIEW, assignee=reviewer, title="La mienne"
    )
    waiting = f.InitiativeFactory(
        lead_organisation=association, status=S.CHANGES_REQUESTED, title="Chez les auteurs"
    )
    f.InitiativeFactory(lead_organisation=association, title="Un brouillon privé")

    page = signed_in(reviewer).get("/tableau-de-bord/").content.decode()

    def pile(key):
        return page.split(f'id="pile-{key}"', 1)[1].split('id="pile-', 1)[0]

    assert f'href="/instruction/{to_take.pk}/">Sans instructeur</a>' in pile("to_take")
    assert f'href="/instruction/{mine.pk}/">La mienne</a>' in pile("assigned")
    assert f'href="/instruction/{waiting.pk}/">Chez les auteurs</a>' in pile("waiting_authors")
    assert "Un brouillon privé" not in page
    assert "Comptes rendus des partenaires" not in page


def test_the_secretariat_lands_on_partner_reports_and_plan_reviews(
    signed_in, secretariat, association
):
    action = f.ActionFactory(code="A9.9", title="Former les enseignants")
    report = PartnerReport.objects.create(action=action, organisation=association, account="Fait.")
    review = PlanReview.objects.create(title="Revue de printemps", held_on="2026-04-01")

    page = signed_in(secretariat).get("/tableau-de-bord/").content.decode()

    assert (
        f'href="/pilotage/plan/comptes-rendus/{report.pk}/">A9.9 — Former les enseignants' in page
    )
    assert f'href="/pilotage/plan/revues/{review.pk}/">Revue de printemps</a>' in page


def test_a_person_without_any_role_is_told_nothing_waits(client):
    user = f.UserFactory()
    client.force_login(user)
    page = client.get("/tableau-de-bord/").content.decode()
    assert "n'est rattaché à aucune association" in page


def test_the_work_areas_speak_english_in_the_english_version(signed_in, reviewer):
    client = signed_in(reviewer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = client.get("/tableau-de-bord/").content.decode()

    assert "Dashboard" in page and "Steering" in page
    assert "Submissions to take" in page and "Assigned to me" in page
