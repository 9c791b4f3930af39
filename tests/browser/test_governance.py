"""In a browser: the secretariat convenes a working group, a representative answers, the
session is held and its minutes approved with a decision that updates a plan action; a
contribution amended by two associations is signed in the browser and published. axe-core
(WCAG 2.1 AA) on each page type on the way."""

import datetime
import re

import pytest
from django.utils import timezone

from committee.contributions import drafting as d
from committee.contributions.drafting_models import SignatureRound
from committee.contributions.models import Contribution
from committee.plan.models import Action
from committee.sessions.models import Body, Minutes, Representative, Session
from members.models import Membership
from tests import factories as f
from tests.mfa import give_totp

from .test_accessibility import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def group(association, other_association, contributor, other_contributor):
    body = Body.objects.create(
        name="Groupe de travail de l'axe 1", slug="gt-1", kind=Body.Kind.WORKING_GROUP
    )
    Representative.objects.create(body=body, user=contributor, organisation=association)
    Representative.objects.create(body=body, user=other_contributor, organisation=other_association)
    return body


def test_a_working_group_is_convened_held_and_its_decision_updates_the_plan(
    page, page_as, log_in, live_server, group, secretariat, contributor
):
    give_totp(secretariat)
    action = f.ActionFactory(code="1.4", status=Action.Status.PLANNED)
    log_in(secretariat)
    page.goto(f"{live_server.url}/pilotage/seances/")
    assert_accessible(page)
    day = timezone.localdate() + datetime.timedelta(days=15)
    page.get_by_label("Instance").select_option(str(group.pk))
    page.get_by_label("Intitulé").fill("Groupe de travail de rentrée")
    page.get_by_label("Début").fill(f"{day.isoformat()}T09:00")
    page.get_by_label("Fin").fill(f"{day.isoformat()}T12:00")
    page.get_by_label("Lieu").fill("Paris")
    page.get_by_label("Séance publique").check(force=True)
    page.get_by_role("button", name="Créer la séance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groupe de travail de rentrée")
    page.get_by_label("Intitulé du point").fill("Équipement des collèges")
    page.get_by_role("button", name="Ajouter le point").click()
    page.get_by_role("button", name="Convoquer les représentants").click()
    expect(page.locator(".fr-alert--success, .fr-alert")).to_contain_text("convoquée")
    assert_accessible(page)
    session = Session.objects.get()
    assert session.status == Session.Status.CONVENED

    other = page_as(contributor)
    other.goto(f"{live_server.url}/seances/{session.pk}/")
    other.get_by_role("radio", name="Présent", exact=True).check(force=True)
    other.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(other.get_by_text("Votre réponse est enregistrée.")).to_be_visible()
    assert_accessible(other)

    # The day comes.
    start = timezone.now() - datetime.timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    page.goto(f"{live_server.url}/pilotage/seances/{session.pk}/")
    page.get_by_label(re.compile("Présence de")).first.select_option("present")
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.get_by_role("button", name="Ouvrir le procès-verbal").click()
    page.get_by_label("1. Équipement des collèges").fill("Le groupe lance le recensement.")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.locator("#id_decision-text").fill("L'action 1.4 est lancée.")
    page.locator("#id_decision-effect").select_option("update_action")
    page.locator("#id_decision-action").select_option(str(action.pk))
    page.locator("#id_decision-status").select_option("in_progress")
    page.get_by_role("button", name="Ajouter la décision").click()
    until = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_remarques-until").fill(until)
    page.get_by_role("button", name="Soumettre aux remarques").click()
    assert_accessible(page)
    Minutes.objects.filter(session=session).update(
        remarks_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.get_by_role("button", name="Approuver le procès-verbal").click()
    expect(page.get_by_text("Le procès-verbal est approuvé")).to_be_visible()
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS

    public = other
    public.context.clear_cookies()
    public.goto(f"{live_server.url}/seances/{session.pk}/")
    expect(public.get_by_text("Le groupe lance le recensement.")).to_be_visible()
    assert_accessible(public)
    public.goto(f"{live_server.url}/seances/")
    assert_accessible(public)


def test_a_contribution_is_signed_in_the_browser_and_published(
    page,
    page_as,
    log_in,
    live_server,
    group,
    secretariat,
    association,
    contributor,
    other_contributor,
):
    contribution = Contribution.objects.create(
        title="Pour des usages partagés", slug="usages-partages", summary="Résumé."
    )
    drafting = d.drafting_start(
        by=secretariat,
        contribution=contribution,
        body=group,
        sections=[("Constat", "Un constat."), ("Propositions", "Des propositions.")],
    )
    constat, propositions = drafting.sections.order_by("position")
    for user, section in ((contributor, constat), (other_contributor, propositions)):
        amendment = d.amendment_propose(
            by=user, section=section, kind="add_after", text="Ajout.", reason="Compléter."
        )
        d.amendment_decide(by=secretariat, amendment=amendment, decision="accept", answer="Oui.")
    log_in(contributor)
    page.goto(f"{live_server.url}/espace/contributions/{contribution.pk}/")
    assert_accessible(page)
    d.signature_round_open(
        by=secretariat, drafting=drafting, deadline=timezone.now() + datetime.timedelta(days=5)
    )
    admin = f.MembershipFactory(organisation=association, role=Membership.Role.ADMIN).user
    give_totp(admin)
    signer = page_as(admin)
    signer.goto(f"{live_server.url}/espace/contributions/{contribution.pk}/")
    signer.get_by_role("radio", name="Signe", exact=True).check(force=True)
    signer.get_by_label("Déclaration publique (facultative)").fill("Nous signons.")
    signer.get_by_role("button", name="Enregistrer la réponse de l'organisation").click()
    expect(signer.get_by_text("La réponse de votre organisation est enregistrée.")).to_be_visible()
    assert_accessible(signer)
    SignatureRound.objects.update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    give_totp(secretariat)
    boss = page_as(secretariat)
    boss.goto(f"{live_server.url}/espace/contributions/{contribution.pk}/")
    boss.get_by_role("button", name="Publier avec les signataires").click()
    boss.goto(f"{live_server.url}/contributions/usages-partages/")
    expect(boss.get_by_text("Nous signons.")).to_be_visible()
    expect(boss.get_by_text("amendement proposé par ADF")).to_be_visible()
    assert_accessible(boss)
