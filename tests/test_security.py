"""Security headers, the Content Security Policy and the Django admin behind MFA.

Production settings (`check --deploy`) are tested in tests/test_settings.py; the browser's own
enforcement of the policy in tests/browser/test_csp.py.
"""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests import factories as f
from tests.mfa import give_totp, totp_code

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PASSWORD = "mot-de-passe-solide-42"
TOTP_SETUP = "/comptes/2fa/totp/activate/"
PAGES = ["/", "/initiatives/", "/carte/", "/comptes/login/", "/page-inconnue/"]


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_under_an_enforced_policy_with_a_nonce_and_nothing_inline(client, path):
    response = client.get(path)
    assert "Content-Security-Policy-Report-Only" not in response.headers
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    [nonce_source] = [v for v in policy["script-src"] if v.startswith("'nonce-")]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header

    html = response.content.decode()
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    tags = script_tags(html)
    assert tags, "the DSFR's scripts are on every page"
    for tag in tags:
        # Every script is a file of the site carrying this response's nonce: no inline code.
        assert re.search(r'\bsrc="/static/', tag), tag
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_nonce_changes_with_every_response(client):
    first = directives(client.get("/"))["script-src"]
    second = directives(client.get("/"))["script-src"]
    assert first != second


def test_the_dsfr_script_tags_carry_the_nonce(client):
    response = client.get("/")
    html = response.content.decode()
    dsfr = [tag for tag in script_tags(html) if "/static/dsfr/" in tag]
    assert len(dsfr) == 2  # the module and its nomodule fallback
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
    assert all(f'nonce="{nonce}"' in tag for tag in dsfr)


def inline_code_in(text: str) -> list[str]:
    """Inline scripts, inline styles and event-handler attributes in a template's source."""
    found = []
    for tag in re.findall(r"<script\b[^>]*>", text):
        if "src=" not in tag or "nonce=" not in tag:
            found.append(tag)
    found += re.findall(r"<style\b[^>]*>", text)
    found += re.findall(r"<[a-zA-Z][^>]*\sstyle=[^>]*>", text)
    found += re.findall(r"<[a-zA-Z][^>]*\son[a-z]+=[^>]*>", text)
    return found


def test_no_template_holds_code_the_policy_would_refuse():
    """Every page template, including those the tests above do not render.

    Two kinds are not web pages and keep their inline styles: documents turned into PDF files
    on the server (templates/reports/, …/pdf.html), and emails (…/email/…), whose readers
    ignore style sheets.
    """
    offenders = {}
    for template in TEMPLATES.rglob("*.html"):
        parts = template.relative_to(TEMPLATES).parts
        if parts[0] == "reports" or parts[-1] == "pdf.html" or "email" in parts[:-1]:
            continue
        found = inline_code_in(template.read_text(encoding="utf-8"))
        if found:
            offenders[str(template.relative_to(TEMPLATES))] = found
    assert not offenders


def test_api_documentation_has_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script>", html)
    assert not re.search(r"<style\b", html)
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert script, html
    code = client.get(script[1].replace("&amp;", "&"))
    assert code.status_code == 200
    assert code.headers["Content-Type"].startswith("application/javascript")


# -- the Django admin behind MFA ---------------------------------------------------------------


@pytest.fixture
def superuser():
    user = f.UserFactory(is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in_with_password(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_admin_superuser_without_totp_is_sent_to_totp_setup(client, superuser):
    log_in_with_password(client, superuser)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == TOTP_SETUP
    assert client.get("/admin/members/user/")["Location"] == TOTP_SETUP


def test_admin_needs_the_totp_code_after_the_password(client, superuser):
    secret = give_totp(superuser)
    response = log_in_with_password(client, superuser)
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone opens nothing: the admin sends back to allauth, which asks for the code.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")

    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_admin_login_form_cannot_skip_mfa(client, superuser):
    give_totp(superuser)
    response = client.post(
        "/admin/login/", {"username": superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
