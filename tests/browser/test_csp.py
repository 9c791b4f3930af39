"""The Content Security Policy as a browser applies it: the DSFR's scripts (which carry the
nonce) run, code injected into a page does not, and the API documentation still works."""

import pytest

from .conftest import CSP_MESSAGE

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (dev extra `playwright`) is not installed"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dsfr_runs_and_injected_inline_code_is_refused(context):
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))

    response = page.goto("/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # The DSFR's module marks the document once it has started.
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    # Browsers hide the nonce attribute from the DOM once applied; the property keeps it.
    nonce = page.evaluate("document.querySelector('script[type=module]').nonce")
    assert nonce and f"'nonce-{nonce}'" in response.headers["content-security-policy"]

    # An injected <script> and style attribute: refused, and reported on the console.
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.append(script);
            const div = document.createElement('div');
            div.id = 'styled';
            div.setAttribute('style', 'color: rgb(255, 0, 0)');
            document.body.append(div);
        }"""
    )
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )
    page.wait_for_timeout(100)
    assert sum(bool(CSP_MESSAGE.search(text)) for text in messages) >= 2, messages
    page.close()


def test_api_documentation_works_under_the_policy(page):
    page.goto("/api/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("API du comité")
