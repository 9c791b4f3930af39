"""Private pages are never kept by the browser or a shared cache: `Cache-Control: no-store`."""

import pytest
from django.test import Client

from tests.mfa import give_totp

pytestmark = pytest.mark.django_db

PRIVATE = [
    "/espace/",
    "/espace/equipe/",
    "/instruction/",
    "/pilotage/",
    "/pilotage/rapports/",
    "/pilotage/plan/",
    "/compte/",
    "/compte/donnees.json",
    "/notifications/",
    "/comptes/2fa/",
    "/comptes/email/",
    "/admin/",
]


@pytest.fixture
def official(secretariat):
    secretariat.is_staff = True
    secretariat.save()
    give_totp(secretariat)
    return secretariat


@pytest.mark.parametrize("path", PRIVATE)
def test_private_pages_send_no_store(official, path):
    client = Client(raise_request_exception=False)
    client.force_login(official)
    response = client.get(path)
    assert response.status_code == 200, path
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/espace/", "/pilotage/", "/instruction/"])
def test_private_pages_send_no_store_even_on_the_redirect_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_seen_signed_in_is_not_stored_either(client, official):
    client.force_login(official)
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_a_public_page_seen_anonymously_stays_cacheable(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
