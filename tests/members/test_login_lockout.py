"""The failed-login limit blocks the source of the attempts, not the account: nobody can lock a
chosen official out by failing on purpose, and the account's owner is told by email."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"


def _login(email, password, ip):
    return Client().post("/comptes/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def official(reviewer):
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    return reviewer


def test_failures_from_an_attacker_do_not_lock_the_official_out(official):
    for _ in range(8):
        _login(official.email, "faux", "203.0.113.66")
    blocked = _login(official.email, PASSWORD, "203.0.113.66")
    assert "_auth_user_id" not in blocked.wsgi_request.session  # the attacker's source is locked
    response = _login(official.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302  # the official, elsewhere, logs in (next: the TOTP step)
    assert "/comptes/2fa/authenticate/" in response["Location"] or response["Location"]


def test_the_owner_is_told_once_by_email(official):
    for _ in range(7):
        _login(official.email, "faux", "203.0.113.66")
    warnings = [m for m in mail.outbox if official.email in m.to]
    assert len(warnings) == 1
    assert "tentatives de connexion ont échoué" in warnings[0].body
    assert "203.0.113.66" not in warnings[0].body


def test_no_email_for_an_unknown_address():
    for _ in range(6):
        _login("personne@example.org", "faux", "203.0.113.66")
    assert mail.outbox == []
