"""Every role's journey, from the home page to the effect its user checks, by clicks alone.

Each journey opens the home page once (`page.goto("/")`) and then moves only by clicking
links and buttons (typing in fields is allowed, pressing Enter is not). An email is read the
way its recipient reads it: its body is opened in the browser (`set_content`, standing for
the mail client) and its link clicked; the email's links must therefore point at the
address the portal is served at (SITE_URL). Any console error fails the journey. The clicks
are counted and printed, and written to test-artifacts/journey-clicks.json.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape, urlize

from committee.reports.models import Report
from initiatives.models import Initiative
from members.models import Invitation, Membership
from tests import factories as f
from tests.mfa import give_totp

from .world import PASSWORD, log_in_with_totp, staff_member

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (dev extra `playwright`) is not installed"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Initiative.Status
CLICKS_FILE = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey-clicks.json"


class Journey:
    """One person's way through the site: counts the clicks, refuses any navigation but
    the first, and records every console error of its pages."""

    def __init__(self, name: str, page, errors: list[str]):
        self.name, self.page, self.clicks = name, page, 0
        self.started, self.errors = False, errors
        self._watch(page)

    def _watch(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{self.name} — {page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )

    def start(self) -> None:
        assert not self.started, "a journey opens the home page once, then only clicks"
        self.started = True
        self.page.goto("/")
        expect(self.page.locator("h1")).to_be_visible()

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def tick(self, control) -> None:
        """A DSFR radio or checkbox is ticked by clicking its label, like people do."""
        self.click(control.page.locator(f'label[for="{control.get_attribute("id")}"]'))
        expect(control).to_be_checked()

    def read_email(self, message, link: re.Pattern) -> None:
        """Open the email in the 'mail client' (a blank document, outside the portal and its
        security policy: emails carry inline styles) and click the link matching `link`."""
        html = next(
            (
                content
                for content, kind in getattr(message, "alternatives", [])
                if kind == "text/html"
            ),
            f"<pre>{urlize(escape(message.body))}</pre>",
        )
        self.page.goto("about:blank")  # the mail client, not a page of the portal
        self.page.set_content(f"<!DOCTYPE html><html lang='fr'><body>{html}</body></html>")
        self.click(
            self.page.locator("a", has_text=link)
            .or_(self.page.locator(f"a[href*='{link.pattern}']"))
            .first
        )

    def done(self) -> int:
        origin = "la page d'accueil" if self.started else "le courriel reçu"
        print(f"\n{self.name}: {self.clicks} clics depuis {origin}")
        CLICKS_FILE.parent.mkdir(exist_ok=True)
        try:  # parallel workers may write it too: a record, never a failure
            recorded = json.loads(CLICKS_FILE.read_text())
        except (OSError, ValueError):
            recorded = {}
        recorded[self.name] = {"clicks": self.clicks, "from": origin}
        partial = CLICKS_FILE.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(recorded, ensure_ascii=False, indent=2) + "\n")
        partial.replace(CLICKS_FILE)
        return self.clicks


@pytest.fixture
def console_errors():
    errors: list[str] = []
    yield errors
    assert not errors, "\n".join(errors)


@pytest.fixture
def served_at(settings, live_server):
    """Emails' links point at the address the portal is served at."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def journey(page, page_as, console_errors):
    """`journey(name)` in the test's page, `journey(name, user)` in a browser of the user's."""

    def start(name: str, user=None) -> Journey:
        return Journey(name, page if user is None else page_as(user), console_errors)

    return start


def menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_visitor_follows_a_search_confirms_by_email_and_gets_the_first_alert(
    journey, world, served_at, association
):
    visitor = journey("Visiteur : suivre une recherche")
    page = visitor.page
    visitor.start()
    visitor.click(page.get_by_role("link", name="Découvrir les initiatives territoriales"))
    page.get_by_label("Rechercher", exact=True).fill("tablettes")
    visitor.click(page.locator("#catalogue-form").get_by_role("button", name="Rechercher"))
    expect(page.locator("#results-title")).to_have_text(re.compile(r"3\s+initiatives"))
    visitor.click(page.get_by_role("link", name="Suivre cette recherche par courriel"))
    page.get_by_label("Votre adresse électronique").fill("parent@example.fr")
    visitor.click(page.get_by_role("button", name="Suivre cette recherche"))
    expect(page.locator("main")).to_contain_text("courriel")

    (confirmation,) = emails_to("parent@example.fr")
    assert served_at + "/suivre/confirmer/" in confirmation.body
    visitor.read_email(confirmation, re.compile("/suivre/confirmer/"))
    expect(page.locator("h1")).to_have_text("Confirmer le suivi de la recherche")
    # Posted by Chromium with its real Origin: the CSRF check must accept it (it answered
    # 403 "Origin checking failed - null" when the page sent Referrer-Policy: no-referrer).
    visitor.click(page.get_by_role("button", name="Confirmer le suivi"))
    expect(page.locator(".fr-alert--success")).to_contain_text("C'est confirmé")
    visitor.done()

    # A new initiative matching the search is published; the daily alert tells the visitor.
    from committee.public.alerts import search_alerts_send

    now = timezone.now()
    f.InitiativeFactory(
        title="Des tablettes pour les écoles de Villeurbanne",
        status=S.PUBLISHED,
        lead_organisation=association,
        lead_collectivity=world["lyon"],
        published_at=now + datetime.timedelta(minutes=1),
        axes=[f.axis(1)],
    )
    mail.outbox.clear()
    search_alerts_send(now=now + datetime.timedelta(minutes=10))
    (alert,) = emails_to("parent@example.fr")
    assert "Des tablettes pour les écoles de Villeurbanne" in alert.body
    assert served_at in alert.body


def choose_lead_collectivity(page, text: str, expected: str) -> None:
    box = page.locator("#id_lead_collectivity_q")
    box.fill("")
    box.press_sequentially(text, delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text(expected)
    return option


def test_contributor_submits_reviewer_publishes_and_finds_it_by_search(
    journey, world, association, reviewer
):
    staff = staff_member(association)
    give_totp(reviewer)

    contributor = journey("Contributeur : proposer une initiative")
    page = contributor.page
    contributor.start()
    log_in_with_totp(page, staff, click=contributor.click)
    # Lands on what waits for them, with their work areas in the header.
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    contributor.click(menu(page).get_by_role("link", name="Mon espace"))
    contributor.click(page.get_by_role("link", name="Proposer une initiative").first)
    page.get_by_role("textbox", name=re.compile(r"^Titre")).fill("Un fablab au collège de Lyon")
    page.get_by_role("textbox", name=re.compile(r"^Résumé")).fill(
        "Un atelier de fabrication numérique ouvert aux collégiens et à leurs familles."
    )
    contributor.click(choose_lead_collectivity(page, "lyon", "Lyon"))
    contributor.tick(page.locator("input[name=axes]").first)
    contributor.click(page.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page.locator("h1")).to_have_text("Un fablab au collège de Lyon")
    contributor.click(page.get_by_role("button", name="Soumettre à l'instruction"))
    expect(page.locator(".fr-badge").first).to_contain_text("Soumise")
    initiative = Initiative.objects.get(title="Un fablab au collège de Lyon")
    assert initiative.status == S.SUBMITTED
    contributor.done()

    official = journey("Instructeur : publier puis retrouver par la recherche", reviewer)
    page = official.page
    official.start()
    instruction = menu(page).get_by_role("link", name=re.compile("^Instruction"))
    expect(instruction).to_contain_text("1")  # one submission waits for them
    official.click(instruction)
    official.click(page.get_by_role("link", name="Un fablab au collège de Lyon"))
    official.tick(page.get_by_role("radio", name="Publier"))
    official.click(page.get_by_role("button", name="Enregistrer la décision"))
    expect(page.locator("main")).to_contain_text("Publiée")
    official.click(menu(page).get_by_role("link", name="Initiatives"))
    page.get_by_label("Rechercher", exact=True).fill("fablab")
    official.click(page.locator("#catalogue-form").get_by_role("button", name="Rechercher"))
    official.click(page.get_by_role("link", name="Un fablab au collège de Lyon"))
    expect(page.locator("h1")).to_have_text("Un fablab au collège de Lyon")
    initiative.refresh_from_db()
    assert initiative.status == S.PUBLISHED
    official.done()


def test_association_admin_invites_a_colleague_who_accepts(journey, world, association, served_at):
    admin = staff_member(association, Membership.Role.ADMIN)

    inviter = journey("Administrateur d'association : inviter un collègue", admin)
    page = inviter.page
    inviter.start()
    inviter.click(page.get_by_role("link", name=re.compile("^Mon compte")))
    inviter.click(page.get_by_role("link", name="Gérer l'équipe"))
    form = page.locator("form[action$='/espace/equipe/inviter/']")
    form.get_by_label(re.compile("adresse électronique|Courriel", re.I)).fill(
        "nouvelle.collegue@mairie-exemple.fr"
    )
    inviter.click(form.get_by_role("button"))
    expect(page.locator(".fr-alert--success, .fr-notice, [role=status]").first).to_contain_text(
        "nouvelle.collegue@mairie-exemple.fr"
    )
    inviter.done()

    (invitation_email,) = emails_to("nouvelle.collegue@mairie-exemple.fr")
    colleague = journey("Invitée : accepter l'invitation")
    page = colleague.page
    colleague.read_email(invitation_email, re.compile("/invitation/"))
    page.get_by_role("textbox", name=re.compile(r"^Prénom")).fill("Nadia")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Benali")
    page.locator("#id_password1").fill(PASSWORD + "!")
    page.locator("#id_password2").fill(PASSWORD + "!")
    colleague.click(page.get_by_role("button", name="Créer mon compte et accepter"))
    membership = Membership.objects.get(user__email="nouvelle.collegue@mairie-exemple.fr")
    assert membership.organisation == association
    assert Invitation.objects.get(email="nouvelle.collegue@mairie-exemple.fr").accepted_at
    colleague.done()


def test_secretariat_orders_a_report_and_downloads_it(journey, world, secretariat):
    give_totp(secretariat)
    officer = journey("Secrétariat : commander et télécharger un rapport", secretariat)
    page = officer.page
    officer.start()
    officer.click(menu(page).get_by_role("link", name="Pilotage"))
    officer.click(page.get_by_role("link", name="Commander un rapport avec ces critères"))
    officer.tick(page.get_by_role("radio", name=re.compile(r"^Initiatives \(tableur XLSX\)")))
    officer.click(page.get_by_role("button", name="Commander"))
    download_link = page.get_by_role("link", name=re.compile("^Télécharger")).first
    expect(download_link).to_be_visible()
    with page.expect_download() as download_info:
        officer.click(download_link)
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK"  # an XLSX is a ZIP archive
    assert Report.objects.get().status == Report.Status.DONE
    officer.done()
