"""The three journeys of the portal's users, in a real browser.

A visitor searches, filters, opens the map and an initiative; association staff log in with a
TOTP code, draft an initiative, attach a document and submit it; an official asks for changes,
the staff resubmit, the official publishes and the initiative appears in the catalogue.
"""

import re

import pytest

from initiatives.models import Document, Initiative
from initiatives.services import initiative_transition
from tests import factories as f
from tests.mfa import give_totp

from .world import enter_totp_code, fill_login_form, staff_member

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (dev extra `playwright`) is not installed"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Initiative.Status
# The smallest well-formed PDF: its type is read from its bytes on upload.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def tick(control) -> None:
    """Check a DSFR radio or checkbox the way people do: its label covers the input."""
    control.page.locator(f'label[for="{control.get_attribute("id")}"]').click()
    expect(control).to_be_checked()


def result_titles(page) -> list[str]:
    return page.locator(".catalogue-list .fr-card__title").all_inner_texts()


def test_visitor_searches_filters_opens_the_map_and_reads_an_initiative(page, world):
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    page.get_by_role("link", name="Découvrir les initiatives territoriales").click()
    expect(page).to_have_url(re.compile(r"/initiatives/$"))

    page.get_by_label("Rechercher", exact=True).fill("tablettes")
    page.get_by_label("Rechercher", exact=True).press("Enter")
    expect(page.locator("#results-title")).to_have_text(re.compile(r"3\s+initiatives"))
    assert "Un ENT pour les écoles de Lyon" not in result_titles(page)

    page.get_by_label("Région").select_option("84")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.locator("#results-title")).to_have_text(re.compile(r"2\s+initiatives"))
    assert sorted(result_titles(page)) == [
        "Tablettes numériques dans les collèges du Rhône",
        "Tablettes pour les collèges de l'Ain",
    ]
    assert "region=84" in page.url and "q=tablettes" in page.url

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Carte").click()
    expect(page.locator("h1")).to_have_text("Carte des initiatives")
    rhone = page.locator('.dep-map__departments a[href*="department=69"]')
    expect(rhone).to_have_attribute("aria-label", re.compile("Rhône"))
    rhone.click()
    expect(page).to_have_url(re.compile(r"/initiatives/\?.*department=69"))
    # The map of every published initiative: both of the Rhône's, not the Ain's nor Brest's.
    assert sorted(result_titles(page)) == [
        "Tablettes numériques dans les collèges du Rhône",
        "Un ENT pour les écoles de Lyon",
    ]

    page.get_by_role("link", name="Tablettes numériques dans les collèges du Rhône").click()
    expect(page.locator("h1")).to_have_text("Tablettes numériques dans les collèges du Rhône")
    expect(page.locator("main")).to_contain_text("Le département équipe les collèges publics.")


def choose_lead_collectivity(page, text: str, expected: str) -> None:
    """Type in the autocomplete and pick the suggestion (keyboard, as its users would)."""
    box = page.locator("#id_lead_collectivity_q")
    box.click()
    box.press_sequentially(text, delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox.get_by_role("option").first).to_contain_text(expected)
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(re.compile(expected))


def test_staff_log_in_with_totp_draft_attach_a_document_and_submit(page, world, association):
    user = staff_member(association)
    page.goto("/espace/")
    expect(page).to_have_url(re.compile(r"/comptes/login/"))
    fill_login_form(page, user)

    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    enter_totp_code(page, user)
    expect(page).to_have_url(re.compile(r"/espace/$"))

    page.goto("/espace/initiatives/nouvelle/")
    # Submitting empty shows the errors first, with a summary.
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    page.get_by_role("textbox", name=re.compile(r"^Titre")).fill(
        "Des classes mobiles dans les écoles de Lyon"
    )
    page.get_by_role("textbox", name=re.compile(r"^Résumé")).fill(
        "Des valises de tablettes partagées entre les écoles élémentaires."
    )
    choose_lead_collectivity(page, "lyon", "Lyon")
    tick(page.locator("input[name=axes]").first)
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    expect(page.locator("h1")).to_have_text("Des classes mobiles dans les écoles de Lyon")
    initiative = Initiative.objects.get(title="Des classes mobiles dans les écoles de Lyon")
    assert initiative.status == S.DRAFT
    assert initiative.lead_collectivity == world["lyon"]

    documents = page.locator("#documents")
    documents.locator("input[type=file]").set_input_files(
        {"name": "bilan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    documents.get_by_role("textbox", name=re.compile(r"^Titre")).fill("Bilan de la première année")
    documents.get_by_role("button", name="Déposer le document").click()
    expect(page.locator("#documents table")).to_contain_text("Bilan de la première année")
    assert Document.objects.get(initiative=initiative).content_type == "application/pdf"

    page.get_by_role("button", name="Soumettre à l'instruction").click()
    expect(page.locator(".fr-badge").first).to_contain_text("Soumise")
    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED


def test_official_requests_changes_staff_resubmit_official_publishes(
    page, log_in, page_as, world, association, reviewer
):
    staff = f.MembershipFactory(organisation=association).user
    initiative = f.InitiativeFactory(
        title="Un tiers-lieu éducatif à Lyon",
        lead_organisation=association,
        lead_collectivity=world["lyon"],
        created_by=staff,
    )
    initiative_transition(initiative=initiative, name="submit", by=staff)
    give_totp(reviewer)

    # The official asks for changes, with a comment.
    log_in(reviewer)
    page.goto(f"/instruction/{initiative.pk}/")
    tick(page.get_by_role("radio", name="Demander des modifications"))
    page.locator("#id_comment").fill("Précisez le budget et le nombre d'écoles concernées.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("main")).to_contain_text("Modifications demandées")

    # The staff, in their own browser session, read the request, edit and resubmit.
    staff_page = page_as(staff)
    staff_page.goto(f"/espace/initiatives/{initiative.pk}/")
    expect(staff_page.locator("main")).to_contain_text("Précisez le budget")
    staff_page.get_by_role("link", name="Modifier").first.click()
    staff_page.locator("#id_budget").fill("12000")
    staff_page.locator("#id_schools_reached").fill("14")
    staff_page.get_by_role("button", name="Enregistrer les modifications").click()
    staff_page.get_by_role("button", name="Soumettre à nouveau").click()
    expect(staff_page.locator("main")).to_contain_text("Soumise")

    # The official publishes; the initiative is in the public catalogue.
    page.goto(f"/instruction/{initiative.pk}/")
    tick(page.get_by_role("radio", name="Publier"))
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("main")).to_contain_text("Publiée")
    initiative.refresh_from_db()
    assert initiative.status == S.PUBLISHED
    assert initiative.schools_reached == 14

    page.goto("/initiatives/")
    page.get_by_role("link", name="Un tiers-lieu éducatif à Lyon").click()
    expect(page.locator("h1")).to_have_text("Un tiers-lieu éducatif à Lyon")


def test_mayor_types_her_commune_on_the_home_page_and_lands_on_its_page(page, world):
    page.goto("/")
    box = page.get_by_role(
        "combobox", name=re.compile("Commune, intercommunalité, département ou région")
    )
    box.click()
    box.press_sequentially("Lyo", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox.get_by_role("option").first).to_contain_text("Lyon")
    # Said to screen readers, with a real singular.
    expect(page.locator("[data-territory-autocomplete] [role=status]")).to_have_text(
        "1 territoire proposé. Flèches haut et bas pour parcourir, Entrée pour choisir."
    )
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"Lyon — commune \(69123\)"))
    page.get_by_role("button", name="Voir le territoire").click()

    expect(page).to_have_url(re.compile(r"/territoires/communes/69123-lyon/$"))
    expect(page.locator("h1")).to_have_text("Lyon")
    breadcrumb = page.get_by_role("navigation", name="vous êtes ici :")
    expect(breadcrumb.get_by_role("link", name="Rhône", exact=True)).to_have_attribute(
        "href", "/territoires/departements/69-rhone/"
    )
    inside = page.locator("section[aria-labelledby=titre-dans]")
    expect(inside).to_contain_text("Un ENT pour les écoles de Lyon")
    around = page.locator("section[aria-labelledby=titre-autour]")
    expect(around).to_contain_text("Tablettes numériques dans les collèges du Rhône")

    page.get_by_role("link", name="Recevoir les nouvelles initiatives par courriel").click()
    expect(page).to_have_url(re.compile(r"/suivre/\?territory=commune-69123"))
    expect(page.locator("main")).to_contain_text("Lyon — commune (69123)")


def test_a_postcode_finds_the_commune_and_says_so(page, world):
    from referentials.models import Territory, TerritoryAlias

    lyon = Territory.objects.get(level="commune", code="69123")
    TerritoryAlias.objects.create(territory=lyon, kind=TerritoryAlias.Kind.POSTCODE, value="69001")
    page.goto("/")
    box = page.get_by_role(
        "combobox", name=re.compile("Commune, intercommunalité, département ou région")
    )
    box.click()
    box.press_sequentially("69001", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox.get_by_role("option").first).to_have_text(
        "Lyon — commune (69123) · code postal 69001"
    )
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Lyon — commune (69123)")
    page.get_by_role("button", name="Voir le territoire").click()
    expect(page).to_have_url(re.compile(r"/territoires/communes/69123-lyon/$"))
    expect(page.locator("main")).to_contain_text("69001")
