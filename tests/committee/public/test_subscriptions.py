"""Following a catalogue search by email: double opt-in, one-click unsubscribe, no account."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from committee.public.models import SearchSubscription
from members.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db

EMAIL = "camille.martin@example.org"


@pytest.fixture
def world(association, other_association):
    f.RegionFactory(code="53", name="Bretagne")
    f.DepartmentFactory(code="29", name="Finistère", parent=f.RegionFactory(code="53"))


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def follow(client, django_capture_on_commit_callbacks, email=EMAIL, **params):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/suivre/", {"email": email, **params})


def link(message, kind: str) -> str:
    path = {"confirm": "confirmer", "unsubscribe": "desabonner"}[kind]
    return re.search(rf"https?://[^/\s]+(/suivre/{path}/[^/\s]+/)", message.body).group(1)


def test_follow_page_describes_the_search_and_asks_only_for_an_email(client, world):
    page = text(client.get("/suivre/", {"axis": "5", "partner": "amf", "q": "tablettes"}))

    assert "<h1>Suivre cette recherche</h1>" in page
    assert "Axe de travail : <strong>5. Infrastructures et équipements</strong>" in page
    assert "Partenaire du comité : <strong>AMF</strong>" in page
    assert "Rechercher : <strong>« tablettes »</strong>" in page
    assert '<input class="fr-input" type="email" id="id_email" name="email"' in page
    assert '<input type="hidden" name="partner" value="AMF">' in page
    form = page.split('<form method="post" action="/suivre/"')[1].split("</form>")[0]
    assert form.count("<input") - form.count('type="hidden"') == 1


def test_a_request_sends_a_confirmation_and_stays_inactive_until_confirmed(
    client, world, django_capture_on_commit_callbacks
):
    response = follow(client, django_capture_on_commit_callbacks, axis="5", sort="title", page="3")

    assert response.status_code == 302
    assert response["Location"] == "/suivre/envoye/"
    subscription = SearchSubscription.objects.get()
    assert subscription.email == EMAIL
    assert subscription.params == {"axis": "5"}  # sorting and paging are not part of a search
    assert subscription.confirmed_at is None
    assert not subscription.is_active
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject == "Confirmez le suivi de votre recherche"
    assert "Axe de travail : 5. Infrastructures et équipements" in message.body
    assert link(message, "confirm")
    assert link(message, "unsubscribe")
    assert "Vérifiez votre messagerie" in text(client.get(response["Location"]))


def test_tokens_are_not_stored_in_clear(client, world, django_capture_on_commit_callbacks):
    follow(client, django_capture_on_commit_callbacks)
    token = link(mail.outbox[0], "confirm").split("/")[-2]
    subscription = SearchSubscription.objects.get()

    assert token not in {subscription.confirm_token_hash, subscription.unsubscribe_token_hash}
    # Nor in the outbox: the email's links are rebuilt when it is rendered.
    [notification] = Notification.objects.all()
    assert token not in str(notification.data) and notification.recipient is None


def test_opening_the_confirmation_link_changes_nothing_pressing_the_button_confirms(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, region="53")
    url = link(mail.outbox[0], "confirm")

    page = text(client.get(url))
    assert SearchSubscription.objects.get().confirmed_at is None
    assert "Confirmer le suivi" in page
    assert "Région : <strong>Bretagne</strong>" in page

    page = text(client.post(url))
    subscription = SearchSubscription.objects.get()
    assert subscription.is_active
    assert "C'est confirmé" in page

    confirmed_at = subscription.confirmed_at
    client.post(url)  # confirming twice is harmless
    assert SearchSubscription.objects.get().confirmed_at == confirmed_at


def test_opening_the_unsubscribe_link_changes_nothing_pressing_the_button_unsubscribes(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks)
    client.post(link(mail.outbox[0], "confirm"))
    url = link(mail.outbox[0], "unsubscribe")

    page = text(client.get(url))
    assert SearchSubscription.objects.get().is_active
    assert "Ne plus suivre cette recherche" in page

    page = text(client.post(url))
    subscription = SearchSubscription.objects.get()
    assert subscription.unsubscribed_at is not None
    assert not subscription.is_active
    assert "vous ne recevrez plus de courriel" in page


def test_one_click_unsubscribe_works_without_a_form_token(
    client, world, django_capture_on_commit_callbacks
):
    """RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" on its own."""
    follow(client, django_capture_on_commit_callbacks)
    client.post(link(mail.outbox[0], "confirm"))
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        link(mail.outbox[0], "unsubscribe"), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not SearchSubscription.objects.get().is_active


def test_confirmation_needs_the_form_token(client, world, django_capture_on_commit_callbacks):
    follow(client, django_capture_on_commit_callbacks)

    response = Client(enforce_csrf_checks=True).post(link(mail.outbox[0], "confirm"))

    assert response.status_code == 403
    assert SearchSubscription.objects.get().confirmed_at is None


def test_an_unsubscribed_search_is_not_revived_by_its_old_confirmation_link(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks)
    client.post(link(mail.outbox[0], "unsubscribe"))

    page = text(client.post(link(mail.outbox[0], "confirm")))

    subscription = SearchSubscription.objects.get()
    assert subscription.confirmed_at is None
    assert "Ce suivi a été arrêté" in page


@pytest.mark.parametrize("path", ["confirmer", "desabonner"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_token_gives_the_404_page(client, world, path, method):
    response = getattr(client, method)(f"/suivre/{path}/{'a' * 64}/")

    assert response.status_code == 404


def test_a_repeated_request_resends_the_same_link_without_a_second_subscription(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, axis="5", partner="amf")
    SearchSubscription.objects.update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    follow(client, django_capture_on_commit_callbacks, email=EMAIL.upper(), axis="5", partner="AMF")

    assert SearchSubscription.objects.count() == 1
    assert len(mail.outbox) == 2
    assert link(mail.outbox[0], "confirm") == link(mail.outbox[1], "confirm")


def test_an_immediate_repeat_sends_no_second_email(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks)
    follow(client, django_capture_on_commit_callbacks)

    assert SearchSubscription.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_address_gets_a_few_confirmation_emails_an_hour_at_most(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.FOLLOW_REQUESTS_PER_CLIENT_PER_HOUR = 50  # the per-address cap is tested here
    for year in range(2015, 2025):
        follow(client, django_capture_on_commit_callbacks, year=str(year))

    assert SearchSubscription.objects.count() == 10
    assert len(mail.outbox) == 5


def test_following_again_an_already_confirmed_search_says_so_without_a_new_row(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, axis="1")
    client.post(link(mail.outbox[0], "confirm"))
    SearchSubscription.objects.update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    follow(client, django_capture_on_commit_callbacks, axis="1")

    assert SearchSubscription.objects.count() == 1
    assert mail.outbox[1].subject == "Vous suivez déjà cette recherche"
    assert "/suivre/confirmer/" not in mail.outbox[1].body
    assert link(mail.outbox[1], "unsubscribe") == link(mail.outbox[0], "unsubscribe")


def test_after_unsubscribing_the_same_search_can_be_followed_again(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, axis="1")
    client.post(link(mail.outbox[0], "unsubscribe"))

    follow(client, django_capture_on_commit_callbacks, axis="1")

    assert SearchSubscription.objects.count() == 2
    assert SearchSubscription.objects.filter(unsubscribed_at__isnull=True).count() == 1
    assert link(mail.outbox[1], "confirm") != link(mail.outbox[0], "confirm")


def test_different_searches_are_different_subscriptions(
    client, world, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, axis="1")
    follow(client, django_capture_on_commit_callbacks, axis="2")
    follow(client, django_capture_on_commit_callbacks)

    assert sorted(str(s.params) for s in SearchSubscription.objects.all()) == [
        "{'axis': '1'}",
        "{'axis': '2'}",
        "{}",
    ]


@pytest.mark.parametrize("email", ["", "pas-une-adresse", "a@b", "x" * 300 + "@example.org"])
def test_an_invalid_address_is_refused_with_a_message(
    client, world, django_capture_on_commit_callbacks, email
):
    response = follow(client, django_capture_on_commit_callbacks, email=email, axis="5")

    page = text(response)
    assert 'class="fr-error-text" id="follow-error"' in page
    assert 'aria-invalid="true"' in page
    assert '<input type="hidden" name="axis" value="5">' in page
    assert not SearchSubscription.objects.exists()
    assert not mail.outbox


def test_invalid_criteria_are_reported_and_not_followed(
    client, world, django_capture_on_commit_callbacks
):
    page = text(client.get("/suivre/", {"axis": "99", "q": "x" * 10_000}))
    assert "Certains critères n'ont pas été pris en compte" in page

    follow(client, django_capture_on_commit_callbacks, axis="99", region="53")

    assert SearchSubscription.objects.get().params == {"region": "53"}


def test_follow_pages_queries_are_constant(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.get("/suivre/", {"axis": "5"})
    with django_assert_max_num_queries(0):
        client.get("/suivre/", {"axis": "5"})
    # The request writes its confirmation to the outbox (3 queries: a savepoint, the row, its
    # release); sending it is a worker's job, after the commit, not counted here.
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(7 + 3):
        client.post("/suivre/", {"email": EMAIL, "axis": "5"})
    url = link(mail.outbox[0], "confirm")
    with django_assert_max_num_queries(1):
        client.get(url)
    with django_assert_max_num_queries(2):
        client.post(url)
