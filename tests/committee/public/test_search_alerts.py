"""Search alerts: each followed search gets the new published initiatives that match it
exactly, once, in one email with a one-click unsubscribe."""

import re
import secrets
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from committee.public.alerts import search_alerts_send, send_search_alerts
from committee.public.models import SearchSubscription
from initiatives.models import Initiative
from members.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Initiative.Status
EMAIL = "suiveur@example.org"


@pytest.fixture
def places():
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bretagne = f.RegionFactory(code="53", name="Bretagne")
    return {
        "rhone": f.DepartmentFactory(code="69", name="Rhône", parent=ara),
        "finistere": f.DepartmentFactory(code="29", name="Finistère", parent=bretagne),
    }


def subscription(params, *, confirmed=True, days_ago=10, **fields):
    return SearchSubscription.objects.create(
        email=fields.pop("email", EMAIL),
        params=params,
        confirm_token_hash=secrets.token_hex(32),
        unsubscribe_token_hash=secrets.token_hex(32),
        confirmed_at=timezone.now() - timedelta(days=days_ago) if confirmed else None,
        **fields,
    )


def published(title, lead, *, axes=(1,), hours_ago=24, organisation=None, status=S.PUBLISHED):
    return f.InitiativeFactory(
        title=title,
        lead_collectivity=lead,
        lead_organisation=organisation or f.OrganisationFactory(acronym="AMF"),
        status=status,
        axes=[f.axis(n) for n in axes],
        published_at=timezone.now() - timedelta(hours=hours_ago),
    )


def send(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return search_alerts_send()


def test_only_initiatives_matching_every_saved_filter_are_sent(
    places, django_capture_on_commit_callbacks
):
    followed = subscription({"axis": "1", "region": "84"})
    published("Tablettes dans le Rhône", places["rhone"], axes=(1, 5))
    published("Autre axe dans le Rhône", places["rhone"], axes=(2,))  # all but the axis
    published("Même axe en Bretagne", places["finistere"], axes=(1,))  # all but the region
    published("Brouillon du Rhône", places["rhone"], status=S.DRAFT)
    published("Avant le suivi", places["rhone"], hours_ago=24 * 30)  # before confirming

    result = send(django_capture_on_commit_callbacks)

    assert result["sent"] == 1
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "1 nouvelle initiative pour votre recherche"
    assert "Tablettes dans le Rhône" in message.body
    for other in ("Autre axe", "Même axe en Bretagne", "Brouillon", "Avant le suivi"):
        assert other not in message.body
    assert "Région : Auvergne-Rhône-Alpes" in message.body
    followed.refresh_from_db()
    assert followed.last_notified_at is not None


def test_the_alert_carries_the_subscriptions_one_click_unsubscribe(
    places, django_capture_on_commit_callbacks
):
    followed = subscription({"axis": "1"})
    published("Tablettes dans le Rhône", places["rhone"])

    send(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.search(r"<https?://[^/]+(/suivre/desabonner/[0-9a-f]+/)>", header).group(1)
    assert path in message.body
    # A mail client's one-click POST, without any form token.
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    followed.refresh_from_db()
    assert followed.unsubscribed_at is not None


def test_a_second_run_sends_nothing_new_and_a_later_publication_comes_next_time(
    places, django_capture_on_commit_callbacks
):
    subscription({"region": "84"})
    published("Première", places["rhone"])
    send(django_capture_on_commit_callbacks)
    assert send(django_capture_on_commit_callbacks)["sent"] == 0
    assert len(mail.outbox) == 1

    later = published("Seconde", places["rhone"])
    Initiative.objects.filter(pk=later.pk).update(published_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        search_alerts_send(now=timezone.now() + timedelta(minutes=10))
    assert len(mail.outbox) == 2
    assert "Seconde" in mail.outbox[1].body and "Première" not in mail.outbox[1].body


def test_pending_and_cancelled_subscriptions_get_nothing(
    places, django_capture_on_commit_callbacks
):
    subscription({}, confirmed=False)
    subscription({}, email="parti@example.org", unsubscribed_at=timezone.now())
    published("Tablettes", places["rhone"])

    assert send(django_capture_on_commit_callbacks)["sent"] == 0
    assert mail.outbox == []


def test_a_search_whose_criteria_no_longer_validate_sends_nothing_rather_than_everything(
    places, django_capture_on_commit_callbacks
):
    subscription({"region": "99"})  # a region that does not exist (any more)
    published("Tablettes", places["rhone"])

    result = send(django_capture_on_commit_callbacks)

    assert result["invalid"] == 1 and result["sent"] == 0
    assert mail.outbox == []


def test_a_publication_of_the_last_minutes_waits_for_the_next_run(
    places, django_capture_on_commit_callbacks
):
    subscription({})
    just_now = published("À l'instant", places["rhone"], hours_ago=0)
    Initiative.objects.filter(pk=just_now.pk).update(published_at=timezone.now())

    assert send(django_capture_on_commit_callbacks)["sent"] == 0


def test_a_full_text_search_is_matched_like_in_the_catalogue(
    places, django_capture_on_commit_callbacks
):
    subscription({"q": "robot"})
    published("Robotique au collège", places["rhone"])
    published("Fibre optique des écoles", places["rhone"])

    send(django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert "Robotique au collège" in message.body and "Fibre optique" not in message.body


def test_alerts_go_through_the_notification_outbox(places, django_capture_on_commit_callbacks):
    subscription({})
    published("Tablettes", places["rhone"])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_search_alerts.apply().get()["sent"] == 1
    notification = Notification.objects.get(kind="search_alert")
    assert notification.email == EMAIL and notification.status == Notification.Status.SENT
    assert notification.data["initiatives"][0]["url"].startswith("http://127.0.0.1:8000/")
