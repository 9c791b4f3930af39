"""The notification centre: the header's unread badge, the list, read marks."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.notifications import Kinds as InitiativeKinds
from initiatives.services import initiative_submit
from members.models import Notification, NotificationPreference
from members.notifications.centre import unread_count
from members.notifications.preferences import preference_set
from tests.initiatives.review_support import initiative_in

from .support import in_app

pytestmark = pytest.mark.django_db

S = Initiative.Status


def test_the_header_counts_unread_notifications_and_the_centre_lists_them(people, draft, signed_in):
    initiative_submit(initiative=draft, by=people["author"])
    client = signed_in(people["reviewer"])

    home = client.get("/").content.decode()
    assert 'href="/notifications/"' in home
    assert re.search(r"fr-badge[^>]*>1<span class=\"fr-sr-only\">", home)

    page = client.get(reverse("members:notifications")).content.decode()
    assert "Tablettes au collège Jean-Moulin" in page
    assert f'href="/instruction/{draft.pk}/"' in page
    assert "Non lue" in page


def test_marking_as_read_is_a_post_on_ones_own_notifications(people, draft, signed_in):
    initiative_submit(initiative=draft, by=people["author"])
    mine = in_app(people["reviewer"]).get()
    theirs = in_app(people["colleague"]).get()
    client = signed_in(people["reviewer"])
    url = reverse("members:notification_read", args=[mine.pk])

    assert client.get(url).status_code == 405
    assert client.post(reverse("members:notification_read", args=[theirs.pk])).status_code == 404
    response = client.post(url, {"next": "/notifications/?page=1"})

    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert unread_count(people["reviewer"]) == 0


def test_mark_all_as_read(people, association, signed_in):
    for title in ("Un", "Deux"):
        draft = initiative_in(S.DRAFT, association, created_by=people["author"], title=title)
        initiative_submit(initiative=draft, by=people["author"])
    client = signed_in(people["admin"])
    assert unread_count(people["admin"]) == 2

    client.post(reverse("members:notifications_read_all"))

    assert not in_app(people["admin"]).filter(read_at__isnull=True).exists()
    assert unread_count(people["admin"]) == 0


def test_the_unread_count_costs_one_query_then_none_until_it_changes(people, draft):
    with CaptureQueriesContext(connection) as first:
        assert unread_count(people["reviewer"]) == 0
    with CaptureQueriesContext(connection) as again:
        assert unread_count(people["reviewer"]) == 0
    assert len(first) == 1 and len(again) == 0

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        initiative_submit(initiative=draft, by=people["author"])
    assert unread_count(people["reviewer"]) == 1


def test_officials_without_mfa_are_sent_to_set_it_up(people, client):
    client.force_login(people["reviewer"])
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_an_anonymised_account_keeps_no_notifications_or_preferences(people, draft):
    from members.services import user_anonymise

    initiative_submit(initiative=draft, by=people["author"])
    preference_set(user=people["reviewer"], kind=InitiativeKinds.PUBLISHED, mode="off")

    user_anonymise(user=people["reviewer"])

    assert not Notification.objects.filter(recipient=people["reviewer"]).exists()
    assert not NotificationPreference.objects.filter(user=people["reviewer"]).exists()
    assert Notification.objects.filter(recipient=people["colleague"]).exists()
