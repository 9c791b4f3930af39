"""Failed-login limits count per client, also behind the reverse proxy.

Behind the proxy every request comes from the proxy's address: without a setting naming the
proxy, allauth (rightly) ignores X-Forwarded-For, so all visitors share one counter and ten
failures of anyone block everyone. With ALLAUTH_TRUSTED_PROXY_COUNT=1, each client counts
for itself.
"""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
PASSWORD = "mot-de-passe-solide-42"


def _attempt(client, email, password, client_ip):
    return client.post(
        "/comptes/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,
    )


def _ten_failures_from(client_ip):
    client = Client()
    for n in range(10):
        response = _attempt(client, f"inconnu{n}@example.org", "faux", client_ip)
        assert response.status_code == 200  # the form again, with its error


@pytest.fixture
def verified(contributor):
    EmailAddress.objects.create(
        user=contributor, email=contributor.email, verified=True, primary=True
    )
    return contributor


def test_the_settings_come_from_the_environment():
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert django_settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


def test_behind_a_named_proxy_an_attacker_does_not_block_other_visitors(settings, verified):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _ten_failures_from("203.0.113.66")
    blocked = _attempt(Client(), verified.email, PASSWORD, "203.0.113.66")
    assert blocked.status_code in (200, 429)  # the attacker's address is blocked, even right
    assert "_auth_user_id" not in blocked.wsgi_request.session
    response = _attempt(Client(), verified.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302  # logged in


def test_a_trusted_client_ip_header_works_the_same(settings, verified):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    client = Client()
    for n in range(10):
        client.post(
            "/comptes/login/",
            {"login": f"inconnu{n}@example.org", "password": "faux"},
            REMOTE_ADDR=PROXY,
            HTTP_X_REAL_IP="203.0.113.66",
        )
    response = Client().post(
        "/comptes/login/",
        {"login": verified.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP="198.51.100.7",
    )
    assert response.status_code == 302


def test_without_the_setting_the_forwarded_header_is_not_trusted(settings, verified):
    """A client could write X-Forwarded-For itself: unnamed proxy, header ignored."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _ten_failures_from("203.0.113.66")
    response = _attempt(Client(), verified.email, PASSWORD, "198.51.100.7")
    # The proxy's one counter: the right password is refused too (what the setting avoids).
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in response.wsgi_request.session
