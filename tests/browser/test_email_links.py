"""Pages reached from an email link post their forms from a real browser.

Chromium sends `Origin: null` with a form posted from a page served under
`Referrer-Policy: no-referrer`, and Django's CSRF check refuses it (403); the Django test
client sends no Origin at all, so only a browser sees it. Each page is reached the way its
reader reaches it: the link is clicked in the email opened in the browser.
"""

import pytest
from django.utils.html import escape, urlize

from committee.public.links import subscription_links
from committee.public.models import SearchSubscription
from committee.public.services import subscription_confirm, subscription_request
from initiatives.notifications import Kinds
from members.models import NotificationPreference
from members.notifications.preferences import mode_for, unsubscribe_url

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (dev extra `playwright`) is not installed"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _served_at(settings, live_server):
    settings.SITE_URL = live_server.url


def click_link_in_email(page, url: str) -> None:
    page.set_content(f"<!DOCTYPE html><html lang='fr'><body><pre>{urlize(escape(url))}</pre>")
    with page.expect_navigation():
        page.locator("a").first.click()
    assert page.url == url


def refused_posts(page) -> list[str]:
    failures = []
    page.on(
        "response",
        lambda response: (
            failures.append(f"{response.status} {response.url}")
            if response.request.method == "POST" and response.status >= 400
            else None
        ),
    )
    return failures


def test_a_followed_search_is_stopped_from_the_emails_link(page):
    subscription_request(email="parent@example.fr", params={"q": "tablettes"}, description=[])
    subscription = SearchSubscription.objects.get(email="parent@example.fr")
    subscription_confirm(subscription=subscription)
    failures = refused_posts(page)

    click_link_in_email(page, subscription_links(subscription=subscription)["unsubscribe"])
    assert page.evaluate("document.referrer") == ""
    page.get_by_role("button", name="Ne plus suivre cette recherche").click()

    expect(page.locator("main")).not_to_contain_text("Ne plus suivre cette recherche")
    assert failures == []
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_a_notification_is_turned_off_from_the_emails_link(page, contributor):
    failures = refused_posts(page)

    click_link_in_email(page, unsubscribe_url(contributor, Kinds.SUBMITTED))
    page.get_by_role("button", name="Me désabonner").click()

    expect(page.get_by_role("button", name="Me désabonner")).to_have_count(0)
    assert failures == []
    assert mode_for(contributor, Kinds.SUBMITTED) == NotificationPreference.Mode.OFF
