"""Accessibility in a real browser: axe-core's WCAG 2.1 A and AA rules on every page type,
and keyboard-only use of the catalogue filters and of the map.

Axe finds only part of what an RGAA audit looks at (docs/accessibility.md): the keyboard runs
check what it cannot, that the filters and the map work without a mouse.
"""

import re

import pytest

from initiatives.models import Initiative
from initiatives.services import initiative_transition
from members.models import Membership
from tests import factories as f

from .world import enter_totp_code, fill_login_form, staff_member

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (dev extra `playwright`) is not installed"
).expect
Axe = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
).Axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules left out, each with its reason (docs/accessibility.md repeats them). None so far.
EXCLUDED_RULES: dict[str, str] = {}

AXE = Axe()


def axe_violations(page) -> tuple[int, str]:
    """Run axe-core on the page as it is now; the count and a readable report."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    if EXCLUDED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in EXCLUDED_RULES}
    results = AXE.run(page, options=options)
    if not results.violations_count:
        return 0, ""
    return results.violations_count, f"axe-core on {page.url}:\n{results.generate_report()}"


def assert_accessible(page) -> None:
    count, report = axe_violations(page)
    assert count == 0, report


PUBLIC_PAGES = {
    "home": "/",
    "catalogue": "/initiatives/",
    "catalogue-filtered": "/initiatives/?q=tablettes&region=84&axis=1&school_level=college",
    "catalogue-empty": "/initiatives/?q=aucunresultatpossible&region=53&axis=6",
    "initiative": "/initiatives/{slug}/",
    "map": "/carte/",
    "territories": "/territoires/",
    "territory-commune": "/territoires/communes/69123-lyon/",
    "territory-region": "/territoires/regions/84-auvergne-rhone-alpes/",
    "catalogue-territory": "/initiatives/?territory=commune-69123&territory_scope=all",
    "map-filtered": "/carte/?axis=5&region=84",
    "referentials": "/referentiels/",
    "referential": "/referentiels/crcn/2019/",
    "partners": "/partenaires/",
    "partner": "/partenaires/amf/",
    "action-plan": "/plan-d-action/",
    "contributions": "/contributions/",
    "contribution": "/contributions/socle-numerique-ecoles/",
    "accessibility": "/accessibilite/",
    "legal": "/mentions-legales/",
    "privacy": "/donnees-personnelles/",
    "contact": "/contact/",
    "sitemap": "/plan-du-site/",
    "open-data": "/donnees/",
    "follow": "/suivre/?region=84",
    "not-found": "/cette-page-n-existe-pas/",
    "login": "/comptes/login/",
}


def test_public_pages_have_no_wcag_violation(page, world):
    """Every public page type, in one test: the world is built once (live-server tests
    empty the database after each test, which costs seconds). Every page is checked before
    failing, and the report names each page with its violations."""
    # First, axe itself: on a page built to fail, it must find the failures.
    page.set_content(
        '<html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input></body></html>'
    )
    count, report = axe_violations(page)
    assert count >= 2 and "image-alt" in report and "label" in report, report

    reports = []
    for name, path in PUBLIC_PAGES.items():
        response = page.goto(path.format(slug=world["rhone_tablettes"].slug))
        assert response.status == (404 if name == "not-found" else 200), path
        if name == "catalogue-empty":
            expect(page.locator("#results-title")).to_have_text(re.compile(r"^\s*0 initiative"))
        count, report = axe_violations(page)
        if count:
            reports.append(f"[{name}] {report}")
    assert not reports, "\n\n".join(reports)


def test_the_api_documentation_has_no_wcag_violation(page):
    """Swagger UI, served by drf-spectacular: its page had no `lang` (WCAG 3.1.1)."""
    page.goto("/api/docs/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("API du comité")
    assert_accessible(page)


def test_dark_theme_pages_have_no_wcag_violation(page, world):
    """The DSFR follows the system's dark theme (data-fr-scheme="system"): the portal's own
    colours (map ramp, hero, badges) must keep their contrast there too."""
    page.emulate_media(color_scheme="dark")
    reports = []
    for name in ("home", "catalogue-filtered", "initiative", "map", "action-plan", "login"):
        page.goto(PUBLIC_PAGES[name].format(slug=world["rhone_tablettes"].slug))
        expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
        count, report = axe_violations(page)
        if count:
            reports.append(f"[{name}, dark] {report}")
    assert not reports, "\n\n".join(reports)


def test_pages_reflow_at_320_pixels_without_horizontal_scrolling(page, world):
    """WCAG 1.4.10 (RGAA 10.11): at 320 CSS pixels wide (400 % zoom), nothing scrolls sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = []
    for name in ("home", "catalogue-filtered", "initiative", "map", "action-plan", "login"):
        page.goto(PUBLIC_PAGES[name].format(slug=world["rhone_tablettes"].slug))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{name}: {width}px")
    assert not too_wide


@pytest.fixture
def review_world(world, association, ministry):
    """A contributor's draft and a submitted initiative; a reviewer with TOTP."""
    staff = f.MembershipFactory(organisation=association).user
    # A password, a verified address and an authenticator app: the review journey logs in.
    reviewer = staff_member(ministry, Membership.Role.REVIEWER)
    draft = f.InitiativeFactory(
        title="Un fab lab dans chaque collège",
        lead_organisation=association,
        lead_collectivity=world["lyon"],
        created_by=staff,
    )
    submitted = f.InitiativeFactory(
        title="Des capteurs de CO2 connectés dans les écoles",
        lead_organisation=association,
        lead_collectivity=world["lyon"],
        created_by=staff,
    )
    initiative_transition(initiative=submitted, name="submit", by=staff)
    return {"staff": staff, "reviewer": reviewer, "draft": draft, "submitted": submitted}


def test_workspace_pages_have_no_wcag_violation(page, log_in, review_world):
    log_in(review_world["staff"])
    draft = review_world["draft"]
    for path in (
        "/tableau-de-bord/",
        "/espace/",
        f"/espace/initiatives/{draft.pk}/",
        f"/espace/initiatives/{draft.pk}/modifier/",
        "/espace/initiatives/nouvelle/",
    ):
        assert page.goto(path).status == 200, path
        assert_accessible(page)

    # The draft form with its errors: the summary, the fields marked invalid.
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    assert_accessible(page)


def test_review_pages_have_no_wcag_violation(page, review_world):
    reviewer = review_world["reviewer"]
    page.goto("/comptes/login/?next=/instruction/")
    fill_login_form(page, reviewer)
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    assert_accessible(page)  # the TOTP step every official goes through
    enter_totp_code(page, reviewer)
    expect(page).to_have_url(re.compile(r"/instruction/$"))

    submitted = review_world["submitted"]
    for path in ("/tableau-de-bord/", "/instruction/", f"/instruction/{submitted.pk}/"):
        assert page.goto(path).status == 200, path
        assert_accessible(page)

    # A decision without its required comment: the error state of the decision form.
    page.get_by_text("Demander des modifications", exact=True).click()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#decision-errors")).to_be_visible()
    assert_accessible(page)
    assert Initiative.objects.get(pk=submitted.pk).status == Initiative.Status.SUBMITTED


# -- keyboard only ---------------------------------------------------------------------------


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const path = el.querySelector('path');
            return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                href: el.getAttribute('href'), text: (el.textContent || '').trim(),
                outline: style.outlineStyle,
                pathFill: path ? getComputedStyle(path).fill : null,
                inMap: !!el.closest('.dep-map__departments'),
            };
        }"""
    )


def tab_until(page, predicate, *, limit: int = 250) -> dict:
    """Press Tab until the focused element satisfies `predicate`; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError(f"Tab never reached the element (last focus: {focused(page)})")


def test_catalogue_filters_work_with_the_keyboard_alone(page, world):
    page.goto("/initiatives/")
    expect(page.locator("#results-title")).to_have_text(re.compile(r"4\s+initiatives"))

    tab_until(page, lambda el: el["id"] == "id_region")
    page.keyboard.press("ArrowDown")  # the first région, alphabetically: Auvergne-Rhône-Alpes
    expect(page.locator("#id_region")).to_have_value("84")
    button = tab_until(page, lambda el: el["text"] == "Appliquer les filtres")
    assert button["outline"] != "none", "the focused button shows no focus ring"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"region=84"))
    expect(page.locator("#results-title")).to_have_text(re.compile(r"3\s+initiatives"))
    assert (
        "Tablettes et robotique dans les écoles de Brest" not in page.locator("main").inner_text()
    )

    # The search field submits with Enter too.
    tab_until(page, lambda el: el["id"] == "id_q")
    page.keyboard.type("tablettes")
    page.keyboard.press("Enter")
    expect(page.locator("#results-title")).to_have_text(re.compile(r"2\s+initiatives"))


def test_map_departments_are_reached_with_tab_and_followed_with_enter(page, world):
    page.goto("/carte/")
    first = tab_until(page, lambda el: el["inMap"])
    # The focused département turns yellow (map.css), whatever its colour on the ramp.
    assert first["pathFill"] == "rgb(255, 229, 82)", first
    rhone = tab_until(page, lambda el: el["inMap"] and "department=69" in (el["href"] or ""))
    assert rhone["tag"] == "a"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/initiatives/\?.*department=69"))
    expect(page.locator("#results-title")).to_have_text(re.compile(r"2\s+initiatives"))
