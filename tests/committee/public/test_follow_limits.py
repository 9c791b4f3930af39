"""/suivre/ cannot be used to mail attacker-worded text to any number of addresses: requests
are limited per client and overall, and the confirmation email shows the criteria with the
portal's own labels only."""

import pytest
from django.core import mail
from django.test import Client

from committee.public.models import SearchSubscription
from tests import factories as f

pytestmark = pytest.mark.django_db

HOSTILE = "Votre compte sera supprimé : appelez le 01 23 45 67 89 https://evil.example/"


@pytest.fixture
def world(association):
    f.RegionFactory(code="53", name="Bretagne")


def _follow(ip, email, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        return Client(REMOTE_ADDR=ip).post("/suivre/", {"email": email, **params})


def test_one_client_cannot_send_to_many_addresses(world, django_capture_on_commit_callbacks):
    answers = [
        _follow("203.0.113.66", f"cible{n}@example.org", django_capture_on_commit_callbacks)
        for n in range(20)
    ]
    assert [a.status_code for a in answers[:5]] == [302] * 5
    refused = answers[5:]
    assert all(a.status_code == 200 for a in refused)
    assert "Trop de demandes de suivi" in refused[0].content.decode()
    assert len(mail.outbox) == 5
    assert SearchSubscription.objects.count() == 5  # refused requests created nothing
    # Another client is not affected.
    assert (
        _follow("198.51.100.7", "moi@example.org", django_capture_on_commit_callbacks).status_code
        == 302
    )


def test_overall_limit_across_clients(settings, world, django_capture_on_commit_callbacks):
    settings.FOLLOW_REQUESTS_PER_HOUR = 8
    codes = [
        _follow(
            f"203.0.113.{n}", f"cible{n}@example.org", django_capture_on_commit_callbacks
        ).status_code
        for n in range(12)
    ]
    assert codes == [302] * 8 + [200] * 4
    assert len(mail.outbox) == 8


def test_the_confirmation_email_carries_none_of_the_visitors_words(
    world, django_capture_on_commit_callbacks
):
    response = _follow(
        "198.51.100.7", "moi@example.org", django_capture_on_commit_callbacks, q=HOSTILE, axis="5"
    )
    assert response.status_code == 302
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert "appelez" not in body
    assert "une recherche par mots" in body
    assert "Axe de travail : 5. Infrastructures et équipements" in body
