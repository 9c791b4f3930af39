"""In a browser: the secretariat creates a working group, names its representatives and
convenes it, a representative answers, the session is held and its minutes approved with a
decision that updates a plan action; a contribution is drafted in sections, amended by two
associations, signed by three and declined by one (their admins log in with two-factor
authentication), and published with its signatories and history. axe-core (WCAG 2.1 AA) on
each page type on the way; any console error of any page fails the journey."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone, translation

from committee.contributions.drafting_models import Amendment, Drafting, Signature
from committee.contributions.models import Contribution
from committee.plan.models import Action
from committee.sessions.models import Body, Minutes, Representative, Session
from members.formats import long_datetime
from members.models import Membership
from tests import factories as f
from tests.mfa import give_totp

from .test_accessibility import assert_accessible
from .world import log_in_with_totp, staff_member

expect = pytest.importorskip("playwright.sync_api").expect

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def console_errors():
    """Every console error of the journeys' pages (not only CSP refusals): none is allowed."""
    seen: list[str] = []
    yield seen
    assert not seen, "\n".join(seen)


@pytest.fixture
def watched(console_errors):
    """`watched(page)`: the page, its console errors recorded (they fail the test)."""

    def watch(page):
        page.on(
            "console",
            lambda message: (
                console_errors.append(f"{page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        return page

    return watch


def expected_error(console_errors: list[str], text: str) -> None:
    """Take back the one console error a step causes on purpose: the browser logs a form
    refused with its 400 as a failed load."""
    found = [error for error in console_errors if text in error]
    assert found, f"no console error {text!r} (seen: {console_errors})"
    console_errors.remove(found[0])


def menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def test_a_working_group_is_created_convened_held_and_its_decision_updates_the_plan(
    page,
    page_as,
    log_in,
    live_server,
    watched,
    console_errors,
    secretariat,
    association,
    other_association,
    contributor,
    other_contributor,
):
    give_totp(secretariat)
    action = f.ActionFactory(code="1.4", status=Action.Status.PLANNED)
    log_in(secretariat)
    page = watched(page)
    page.goto(f"{live_server.url}/")
    menu(page).get_by_role("link", name="Séances").click()
    page.get_by_role("link", name="Gérer les séances et les instances").click()
    assert_accessible(page)

    # A working group of its own, then its representatives.
    page.get_by_role("link", name="Créer un groupe de travail").click()
    expect(page.locator("h1")).to_have_text("Nouveau groupe de travail")
    assert_accessible(page)
    page.get_by_role("button", name="Créer le groupe de travail").click()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    expect(page.locator("#resume-erreurs")).to_contain_text("Nom du groupe de travail")
    assert_accessible(page)  # the error summary and the field marked invalid
    expected_error(console_errors, "/instances/nouvelle/: Failed to load resource")
    page.get_by_label("Nom du groupe de travail").fill("Groupe de travail des usages partagés")
    page.get_by_label("Quorum (en %)").fill("60")
    page.get_by_role("button", name="Créer le groupe de travail").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("nommez maintenant")
    group = Body.objects.get(name="Groupe de travail des usages partagés")
    section = page.locator(f"#instance-{group.slug}")
    for organisation, person in (
        (association, contributor),
        (other_association, other_contributor),
    ):
        section.get_by_label("Organisation", exact=True).select_option(str(organisation.pk))
        section.get_by_label("Personne", exact=True).select_option(str(person.pk))
        section.get_by_role("button", name="Nommer").click()
        expect(page.locator(".fr-alert--success")).to_contain_text("Le représentant est nommé.")
    expect(section.get_by_role("listitem")).to_have_count(2)
    assert set(group.representatives.values_list("user_id", flat=True)) == {
        contributor.pk,
        other_contributor.pk,
    }
    assert_accessible(page)
    menu(page).get_by_role("link", name="Séances").click()
    page.get_by_role("link", name="Gérer les séances et les instances").click()
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

    # The representative finds the session from the menu.
    other = watched(page_as(contributor))
    other.goto(f"{live_server.url}/")
    menu(other).get_by_role("link", name="Séances").click()
    other.get_by_role("link", name="Groupe de travail de rentrée").click()
    other.get_by_role("radio", name="Présent", exact=True).check(force=True)
    other.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(other.get_by_text("Votre réponse est enregistrée.")).to_be_visible()
    assert_accessible(other)

    # The day comes.
    start = timezone.now() - datetime.timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    menu(page).get_by_role("link", name="Séances").click()
    page.get_by_role("link", name="Groupe de travail de rentrée").click()
    page.get_by_role("link", name="Gérer la séance").click()
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

    # A visitor reads the approved minutes from the list of sessions.
    public = other
    public.context.clear_cookies()
    menu(public).get_by_role("link", name="Séances").click()
    expect(public.get_by_role("link", name="Se connecter")).to_be_visible()
    assert_accessible(public)
    public.get_by_role("link", name="Groupe de travail de rentrée").click()
    expect(public.get_by_text("Le groupe lance le recensement.")).to_be_visible()
    assert_accessible(public)


@pytest.fixture
def partners(association, other_association):
    """Four partner organisations (AMF, ADF, AMRF, RFVE), each with a representative in the
    drafting group and an admin who answers in its name."""
    amrf = f.OrganisationFactory(acronym="AMRF", name="Association des maires ruraux de France")
    rfve = f.OrganisationFactory(acronym="RFVE", name="Réseau français des villes éducatrices")
    group = Body.objects.create(
        name="Groupe de travail de l'axe 1", slug="gt-1", kind=Body.Kind.WORKING_GROUP
    )
    organisations = (association, other_association, amrf, rfve)
    people = {}
    for organisation in organisations:
        representative = staff_member(organisation)
        Representative.objects.create(body=group, user=representative, organisation=organisation)
        people[organisation.acronym] = {
            "representative": representative,
            "admin": staff_member(organisation, Membership.Role.ADMIN),
        }
    return {"group": group, "people": people}


def section_of(page, heading: str):
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading))


def propose_amendment(page, heading: str, kind: str, text: str, reason: str) -> None:
    """A representative opens the section's amendment form and files one."""
    section = section_of(page, heading)
    section.get_by_text("Proposer un amendement à cette section").click()
    section.get_by_label("Nature").select_option(label=kind)
    section.get_by_label("Texte proposé (Markdown)").fill(text)
    section.get_by_label("Exposé des motifs").fill(reason)
    section.get_by_role("button", name="Déposer l'amendement").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Votre amendement est déposé.")


def accept_amendment(page, acronym: str, answer: str) -> None:
    amendment = page.locator(".fr-callout").filter(
        has=page.locator(".fr-callout__title", has_text=f"{acronym} —")
    )
    amendment.get_by_role("radio", name="Accepter").check(force=True)
    amendment.get_by_label("Réponse à l'organisation").fill(answer)
    amendment.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("La décision est enregistrée.")
    expect(amendment.locator(".fr-callout__title")).to_contain_text("Accepté")


def answer_for_the_organisation(
    page, admin, choice: str, statement: str, *, deadline: str, via: str
) -> None:
    """The organisation's admin logs in (password, then the authenticator's code), finds the
    round on the dashboard ("À signer", with its deadline) or follows its notification
    (`via`), and answers in the organisation's name."""
    page.goto("/")
    log_in_with_totp(page, admin)
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    if via == "dashboard":
        to_sign = page.locator("#pile-to_sign")
        expect(to_sign).to_contain_text(f"Réponse attendue jusqu'au {deadline}")
        to_sign.get_by_role("link", name="Pour des usages partagés").click()
    else:
        page.get_by_role("link", name=re.compile(r"^Notifications")).click()
        page.get_by_role(
            "link", name=re.compile("est arrêté : votre organisation peut le signer")
        ).click()
    expect(page.locator("h1")).to_have_text("Pour des usages partagés")
    page.get_by_role("radio", name=choice, exact=True).check(force=True)
    page.get_by_label("Déclaration publique (facultative)").fill(statement)
    page.get_by_role("button", name="Enregistrer la réponse de l'organisation").click()
    expect(page.get_by_text("La réponse de votre organisation est enregistrée.")).to_be_visible()


def test_a_contribution_drafted_amended_by_two_associations_signed_by_three_is_published(
    page, page_as, log_in, live_server, watched, partners, secretariat
):
    group, people = partners["group"], partners["people"]
    give_totp(secretariat)
    log_in(secretariat)
    boss = watched(page)

    # The secretariat writes the draft and hands it to the group, in sections.
    boss.goto("/")
    menu(boss).get_by_role("link", name="Gestion du plan").click()
    boss.get_by_role("navigation", name="Pages du plan d’action").get_by_role(
        "link", name="Contributions"
    ).click()
    boss.get_by_role("link", name="Nouvelle contribution").click()
    boss.get_by_role("textbox", name=re.compile(r"^Titre")).fill("Pour des usages partagés")
    boss.get_by_role("textbox", name=re.compile(r"^Résumé")).fill(
        "Le comité propose de partager les usages du numérique entre écoles."
    )
    boss.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(boss.locator("h1")).to_have_text("Pour des usages partagés")
    boss.get_by_role("link", name="Faire rédiger par un groupe de travail").click()
    boss.get_by_label("Contribution (brouillon)").select_option(label="Pour des usages partagés")
    boss.get_by_label("Groupe de rédaction").select_option(label=group.name)
    boss.get_by_label("Texte initial").fill(
        "## Constat\n\nLes usages restent isolés.\n\n## Propositions\n\nUn réseau d'écoles."
    )
    boss.get_by_role("button", name="Ouvrir la rédaction").click()
    expect(boss.locator(".fr-alert--success")).to_contain_text("La rédaction est ouverte")
    expect(boss.get_by_role("heading", level=2, name="1. Constat")).to_be_visible()
    expect(boss.get_by_role("heading", level=2, name="2. Propositions")).to_be_visible()
    contribution = Contribution.objects.get(slug="pour-des-usages-partages")
    assert list(contribution.drafting.sections.values_list("title", flat=True)) == [
        "Constat",
        "Propositions",
    ]

    # Two associations amend, each through its representative.
    amendments = (
        ("AMF", "1. Constat", "Ajouter après la section", "Les communes rurales aussi."),
        ("ADF", "2. Propositions", "Remplacer le texte de la section", "Un réseau de collèges."),
    )
    for acronym, heading, kind, text in amendments:
        writer = watched(page_as(people[acronym]["representative"]))
        writer.goto("/")
        menu(writer).get_by_role("link", name="Contributions en rédaction").click()
        assert_accessible(writer)
        writer.get_by_role("link", name="Pour des usages partagés").click()
        assert_accessible(writer)
        propose_amendment(writer, heading, kind, text, reason=f"Le point de vue de {acronym}.")
    assert set(Amendment.objects.values_list("organisation__acronym", "status")) == {
        ("AMF", "proposed"),
        ("ADF", "proposed"),
    }

    # The secretariat accepts both, then opens the signature round.
    boss.reload()
    expect(boss.locator(".fr-callout")).to_have_count(2)
    assert_accessible(boss)  # the amendments as diffs, the decision forms
    accept_amendment(boss, "AMF", "Retenu : le constat vaut aussi pour elles.")
    accept_amendment(boss, "ADF", "Retenu.")
    expect(section_of(boss, "1. Constat")).to_contain_text("Les communes rurales aussi.")
    expect(section_of(boss, "2. Propositions")).to_contain_text("Un réseau de collèges.")
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    boss.get_by_label("Date limite des signatures").fill(f"{deadline.isoformat()}T18:00")
    boss.get_by_role("button", name="Arrêter le texte et ouvrir le tour de signature").click()
    expect(boss.locator(".fr-alert--success")).to_contain_text("Le tour de signature est ouvert")
    assert contribution.drafting.rounds.get().version == 3  # the initial text and two amendments

    # Three organisations sign, one declines: each through its admin, with 2FA, from the
    # dashboard's "À signer" (the last one from the notification).
    answers = (
        ("AMF", "Signe", "Les maires de France signent.", "dashboard"),
        ("ADF", "Signe", "Les départements s'engagent.", "dashboard"),
        ("AMRF", "Signe", "", "dashboard"),
        (
            "RFVE",
            "Refuse de signer",
            "Le texte oublie l'éducation hors de l'école.",
            "notification",
        ),
    )
    with translation.override("fr"):
        in_words = long_datetime(
            datetime.datetime.combine(deadline, datetime.time(18), tzinfo=PARIS)
        )
    for acronym, choice, statement, via in answers:
        signer = watched(page_as(None))
        answer_for_the_organisation(
            signer, people[acronym]["admin"], choice, statement, deadline=in_words, via=via
        )
    assert_accessible(signer)

    # All have answered: the secretariat publishes.
    boss.reload()
    boss.get_by_role("button", name="Publier avec les signataires").click()
    expect(boss.locator(".fr-alert--success")).to_contain_text("La contribution est publiée")
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PUBLISHED
    assert contribution.drafting.status == Drafting.Status.PUBLISHED
    assert sorted(contribution.organisations.values_list("acronym", flat=True)) == [
        "ADF",
        "AMF",
        "AMRF",
    ]
    declined_by = Signature.objects.get(choice=Signature.Choice.DECLINED).organisation
    assert declined_by.acronym == "RFVE"

    # The public page: signatories, the refusal, the history with who amended.
    visitor = watched(page_as(None))
    visitor.goto("/")
    menu(visitor).get_by_role("link", name="Contributions").click()
    visitor.get_by_role("link", name="Pour des usages partagés").click()
    expect(visitor.locator("h1")).to_have_text("Pour des usages partagés")
    signatories = visitor.locator("h2:text-is('Signataires') + ul > li")
    expect(signatories).to_have_count(3)
    for acronym in ("AMF", "ADF", "AMRF"):
        expect(signatories.filter(has_text=acronym)).to_have_count(1)
    expect(visitor.get_by_text("Les maires de France signent.")).to_be_visible()
    declined = visitor.locator("h3:text-is('Ont refusé de signer') + ul > li")
    expect(declined).to_have_count(1)
    expect(declined).to_contain_text("RFVE")
    expect(declined).to_contain_text("Le texte oublie l'éducation hors de l'école.")
    history = visitor.locator("h2:text-is('Historique du texte') + ol > li")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Texte initial")
    expect(history.nth(1)).to_contain_text("amendement proposé par AMF")
    expect(history.nth(2)).to_contain_text("amendement proposé par ADF")
    expect(visitor.locator(".contribution-body")).to_contain_text("Un réseau de collèges.")
    assert_accessible(visitor)
