"""The contributions being drafted together, one click from the header and the dashboard: the
menu entry for those who reach a drafting (its representatives of partner organisations, its
rapporteur, the secretariat, and an organisation's admin while a signature round asks for its
answer), and, on an admin's dashboard, the rounds waiting for their organisation ("À signer")
with their deadline in French."""

import datetime
import html
import zoneinfo

import pytest
from django.utils import timezone

from committee.contributions import drafting as d
from committee.contributions.drafting_models import Drafting, Signature
from committee.contributions.models import Contribution
from committee.sessions.models import Body, Representative
from members.models import Membership
from members.permissions import Perm, can, drafting_scope
from tests import factories as f

from .test_landing import nav

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ENTRY = ("Contributions en rédaction", "/espace/contributions/")


@pytest.fixture
def signed_in(client, mfa):
    def sign_in(user):
        mfa(user)
        client.force_login(user)
        return client

    return sign_in


def first_of_next_month_at_six_pm() -> datetime.datetime:
    today = timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return datetime.datetime.combine(first, datetime.time(18, 0), tzinfo=PARIS)


@pytest.fixture
def signing(drafting, secretariat):
    """The text is final: the round asks the four organisations to answer by the 1st."""
    deadline = first_of_next_month_at_six_pm()
    d.signature_round_open(by=secretariat, drafting=drafting, deadline=deadline)
    return deadline


def has_entry(client) -> bool:
    return nav(client).get(ENTRY[0]) == ENTRY[1]


def pile(page: str, key: str) -> str:
    """The text of one pile of the dashboard (up to the next pile, or the work areas)."""
    card = page.split(f'id="pile-{key}"', 1)[1].split('id="pile-', 1)[0]
    return html.unescape(card.split("Vos espaces de travail", 1)[0])


def test_representatives_of_the_drafting_group_and_the_secretariat_see_the_entry(
    signed_in,
    drafting,
    group,
    secretariat,
):
    assert has_entry(signed_in(group["reps"][0]))
    assert has_entry(signed_in(group["reps"][3]))
    assert has_entry(signed_in(secretariat))
    page = signed_in(group["reps"][0]).get("/tableau-de-bord/").content.decode()
    assert 'href="/espace/contributions/">Contributions en rédaction</a>' in page  # work areas


def test_the_entry_is_marked_current_inside_the_workspace(signed_in, drafting, group):
    page = signed_in(group["reps"][0]).get(f"/espace/contributions/{drafting.contribution_id}/")
    assert (
        'href="/espace/contributions/" target="_self" aria-current="true">'
        "Contributions en rédaction" in page.content.decode()
    )


def test_people_who_reach_no_drafting_do_not_see_the_entry(
    signed_in,
    drafting,
    group,
    reviewer,
    association,
    ministry,
):
    outsider = f.MembershipFactory(organisation=f.OrganisationFactory(acronym="ANDEV")).user
    assert not has_entry(signed_in(outsider))
    # A colleague of a drafter, who sits in no group.
    assert not has_entry(signed_in(f.MembershipFactory(organisation=association).user))
    # The ministry's representatives do not draft (only the partner organisations do).
    Representative.objects.create(body=group["body"], user=reviewer, organisation=ministry)
    assert not has_entry(signed_in(reviewer))
    # A representative in a body that drafts nothing.
    other_body = Body.objects.create(name="GT 2", slug="gt-2", kind=Body.Kind.WORKING_GROUP)
    sitting = f.MembershipFactory(organisation=association).user
    Representative.objects.create(body=other_body, user=sitting, organisation=association)
    assert not has_entry(signed_in(sitting))
    # An organisation's admin, as long as no round asks for the organisation's answer.
    assert not has_entry(signed_in(group["admins"]["AMF"]))


def test_the_rapporteur_sees_the_entry(signed_in, drafting, reviewer):
    Drafting.objects.filter(pk=drafting.pk).update(rapporteur=reviewer)
    assert has_entry(signed_in(reviewer))


def test_an_admin_sees_the_rounds_waiting_for_the_organisation_with_their_deadline(
    signed_in,
    drafting,
    group,
    signing,
):
    client = signed_in(group["admins"]["AMF"])
    assert has_entry(client)
    page = client.get("/tableau-de-bord/").content.decode()
    to_sign = pile(page, "to_sign")
    assert "À signer" in to_sign
    link = f"/espace/contributions/{drafting.contribution_id}/#signatures"
    assert f'href="{link}">Pour un numérique éducatif partagé</a>' in to_sign
    assert "(AMF)" in to_sign
    deadline = signing.strftime("%Y")
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
    months += ["septembre", "octobre", "novembre", "décembre"]
    month = months[signing.month - 1]
    assert f"Réponse attendue jusqu'au 1er {month} {deadline} à 18:00" in to_sign
    # The link leads to the organisation's answer form.
    answer = client.get(link).content.decode()
    assert "Réponse de AMF" in answer


def test_an_answered_or_closed_round_no_longer_waits(
    signed_in,
    drafting,
    group,
    signing,
):
    Signature.objects.filter(organisation__acronym="AMF").update(choice=Signature.Choice.SIGNED)
    page = signed_in(group["admins"]["AMF"]).get("/tableau-de-bord/").content.decode()
    assert "Aucun texte n'attend la réponse de votre organisation." in pile(page, "to_sign")
    Signature.objects.update(choice="")
    drafting.rounds.update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    page = signed_in(group["admins"]["ADF"]).get("/tableau-de-bord/").content.decode()
    assert "Aucun texte n'attend la réponse de votre organisation." in pile(page, "to_sign")


def test_admins_of_organisations_outside_the_round_see_nothing_to_sign(
    signed_in,
    drafting,
    group,
    signing,
):
    admin = f.MembershipFactory(
        organisation=f.OrganisationFactory(acronym="ANDEV"), role=Membership.Role.ADMIN
    ).user
    client = signed_in(admin)
    assert not has_entry(client)
    page = client.get("/tableau-de-bord/").content.decode()
    assert "Aucun texte n'attend la réponse de votre organisation." in pile(page, "to_sign")
    assert "Pour un numérique éducatif partagé" not in page


def test_contributors_have_no_pile_to_sign(signed_in, drafting, group, signing):
    page = signed_in(group["reps"][0]).get("/tableau-de-bord/").content.decode()
    assert 'id="pile-to_sign"' not in page


def test_the_workspace_lists_what_each_person_may_open_and_nothing_else(
    client,
    mfa,
    drafting,
    group,
    signing,
    secretariat,
    reviewer,
):
    """drafting_scope (the menu entry, the list) and the per-draft rule (its pages) agree."""
    other_body = Body.objects.create(name="GT 2", slug="gt-2", kind=Body.Kind.WORKING_GROUP)
    other = d.drafting_start(
        by=secretariat,
        contribution=Contribution.objects.create(title="Autre texte", slug="autre", summary="R."),
        body=other_body,
        sections=[("Seule section", "Texte.")],
    )
    expected = {secretariat: {drafting.pk, other.pk}, reviewer: set()}
    expected |= {rep: {drafting.pk} for rep in group["reps"]}  # they draft it
    expected |= {admin: {drafting.pk} for admin in group["admins"].values()}  # asked to sign
    for person, reachable in expected.items():
        mfa(person)
        assert set(drafting_scope(person).values_list("pk", flat=True)) == reachable, person
        assert {x.pk for x in Drafting.objects.all() if opens(person, x)} == reachable, person
        client.force_login(person)
        page = client.get("/espace/contributions/").content.decode()
        assert ("Autre texte" in page) == (other.pk in reachable)
        assert ("Pour un numérique éducatif partagé" in page) == (drafting.pk in reachable)
        assert can(person, Perm.DRAFTING_WORKSPACE) == bool(reachable)


def opens(person, drafting_) -> bool:
    """Whether the drafting's page opens for the person (200, not the 404 of outsiders)."""
    from django.test import Client

    client = Client()
    client.force_login(person)
    return client.get(f"/espace/contributions/{drafting_.contribution_id}/").status_code == 200
