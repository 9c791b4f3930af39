"""The layout holds on a desktop, a tablet and a phone (1,280, 768 and 375 px wide): on every
page type, public and staff, the page never scrolls sideways (wide tables scroll inside their
DSFR wrapper), no two visible layout boxes of the main content intersect, and the console
shows no error and no Content-Security-Policy refusal."""

import re
from pathlib import Path

import pytest

from .test_accessibility import PUBLIC_PAGES, review_world  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1280, 768, 375)
LAYOUT_CHECK = (Path(__file__).parent / "layout.js").read_text()


def _console_errors(page, seen: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )


def layout_problems(page, pages: dict[str, str]) -> list[str]:
    """Open each page at each width; what breaks, page by page."""
    errors: list[str] = []
    _console_errors(page, errors)
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            response = page.goto(path)
            if response.status >= 400 and name != "not-found":
                found.append(f"[{name} @{width}] HTTP {response.status}")
                continue
            page.wait_for_load_state("load")
            if not page.url.endswith(path):
                found.append(f"[{name} @{width}] redirected to {page.url}")
                continue
            for problem in page.evaluate(LAYOUT_CHECK):
                found.append(f"[{name} @{width}] {problem}")
            if name == "not-found":  # the browser logs the page's own 404
                errors[:] = [e for e in errors if "status of 404" not in e]
            while errors:
                found.append(f"[{name} @{width}] console: {errors.pop()}")
    return found


def test_public_pages_hold_their_layout_at_every_width(page, world):
    # The initiative page with its "comparable territories": Rhône in Ain's population band.
    world["rhone"].population = 700_000
    world["rhone"].save()
    initiative = world["rhone_tablettes"]
    initiative.refresh_from_db()
    initiative.copy_territory_fields()
    initiative.save()
    page.goto(initiative.get_absolute_url())
    assert page.get_by_role("heading", name="Dans des territoires comparables").is_visible()

    pages = {
        name: path.format(slug=world["rhone_tablettes"].slug) for name, path in PUBLIC_PAGES.items()
    }
    pages["api-docs"] = "/api/docs/"
    problems = layout_problems(page, pages)
    assert not problems, "\n".join(problems)


def test_staff_pages_hold_their_layout_at_every_width(page, page_as, log_in, review_world, world):  # noqa: F811
    staff = review_world["staff"]
    draft = review_world["draft"]
    submitted = review_world["submitted"]
    log_in(staff)
    problems = layout_problems(
        page,
        {
            "workspace": "/espace/",
            "workspace-initiative": f"/espace/initiatives/{draft.pk}/",
            "workspace-edit": f"/espace/initiatives/{draft.pk}/modifier/",
            "workspace-new": "/espace/initiatives/nouvelle/",
            "account": "/compte/",
            "notifications": "/notifications/",
        },
    )
    reviewer = page_as(review_world["reviewer"])
    problems += layout_problems(
        reviewer,
        {
            "review-queue": "/instruction/",
            "review": f"/instruction/{submitted.pk}/",
            "review-history": f"/instruction/{submitted.pk}/historique/",
        },
    )
    assert not problems, "\n".join(problems)


def test_steering_pages_hold_their_layout_at_every_width(page_as, world, secretariat, mfa):
    """The secretariat's pages: statistics, reports, the plan's management, the contributions
    being drafted."""
    mfa(secretariat)
    action = world["action"]
    problems = layout_problems(
        page_as(secretariat),
        {
            "pilotage": "/pilotage/",
            "reports": "/pilotage/rapports/",
            "plan-admin": "/pilotage/plan/",
            "plan-action": f"/pilotage/plan/actions/{action.pk}/",
            "plan-action-edit": f"/pilotage/plan/actions/{action.pk}/modifier/",
            "plan-partner-reports": "/pilotage/plan/comptes-rendus/",
            "plan-reviews": "/pilotage/plan/revues/",
            "plan-import": "/pilotage/plan/import/",
            "drafting": "/espace/contributions/",
        },
    )
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_results_come_first_and_filters_fold_behind_a_button(page, world):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/initiatives/")
    first_result = page.locator(".catalogue-list .fr-card").first
    assert first_result.bounding_box()["y"] < 800, "the first result is below the first screen"
    region = page.get_by_label("Région")
    expect(region).to_be_hidden()

    page.get_by_role("button", name="Filtrer").click()
    expect(region).to_be_visible()
    region.select_option("84")
    page.get_by_role("button", name="Appliquer les filtres").click()

    # Only the criteria in use are in the URL, and they show as removable tags.
    expect(page).to_have_url(re.compile(r"/initiatives/\?region=84(&sort=[a-z_-]+)?$"))
    expect(page.locator("#results-title")).to_have_text(re.compile(r"3\s+initiatives"))
    tag = page.get_by_role("link", name=re.compile(r"^Région : Auvergne-Rhône-Alpes"))
    tag.click()
    expect(page.locator("#results-title")).to_have_text(re.compile(r"4\s+initiatives"))
