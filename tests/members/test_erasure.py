"""Deleting an account erases the person from what others keep: notifications and events that
name them, their search subscriptions, their contact details in initiatives and their history."""

import pytest
from django.utils import timezone

from committee.public.models import SearchSubscription
from initiatives.models import Initiative
from initiatives.notifications import Kinds as InitiativeKinds
from members.models import Event, Notification
from members.notifications import registry as n
from members.services import user_anonymise
from tests import factories as f

pytestmark = pytest.mark.django_db

NAME = "Zoé Effacemoi"
EMAIL = "zoe.effacemoi@example.org"


@pytest.fixture
def zoe(association):
    user = f.UserFactory(first_name="Zoé", last_name="Effacemoi", email=EMAIL)
    f.MembershipFactory(user=user, organisation=association)
    return user


def _traces(zoe, contributor, association):
    event = Event.objects.create(
        kind=InitiativeKinds.SUBMITTED, actor=zoe, organisation=association, data={"who": NAME}
    )
    told = Notification.objects.create(
        recipient=contributor,
        channel=Notification.Channel.choices[0][0],
        kind="comment_added",
        delivery_key="test-erasure-1",
        event=event,
        data={"actor": NAME, "title": "Tablettes", "comment": f"{NAME} a écrit : d'accord"},
    )
    invited = Notification.objects.create(
        email="nouvelle@example.org",
        channel=Notification.Channel.choices[0][0],
        kind="invited",
        delivery_key="test-erasure-2",
        data={"inviter": NAME, "organisation": "AMF"},
    )
    return event, told, invited


def test_others_notifications_and_events_no_longer_name_the_person(zoe, contributor, association):
    event, told, invited = _traces(zoe, contributor, association)
    user_anonymise(user=zoe)
    for row in (event, told, invited):
        row.refresh_from_db()
        assert "Effacemoi" not in str(row.data)
        assert EMAIL not in str(row.data)
    assert told.data["actor"] == "une personne qui a quitté le portail"
    assert told.data["title"] == "Tablettes"  # the rest of the message stays
    assert "Effacemoi" not in n.summary(told)


def test_search_subscriptions_of_the_address_are_erased(zoe):
    SearchSubscription.objects.create(
        email=EMAIL,
        params={"axis": "5"},
        confirm_token_hash="a" * 64,
        unsubscribe_token_hash="b" * 64,
    )
    other = SearchSubscription.objects.create(
        email="autre@example.org",
        params={},
        confirm_token_hash="c" * 64,
        unsubscribe_token_hash="d" * 64,
    )
    user_anonymise(user=zoe)
    assert list(SearchSubscription.objects.all()) == [other]


def test_initiative_contact_details_and_their_history_are_erased(zoe, association):
    initiative = f.InitiativeFactory(
        lead_organisation=association,
        status=Initiative.Status.PUBLISHED,
        published_at=timezone.now(),
        contact_name=NAME,
        contact_email=EMAIL,
        contact_consent=True,
    )
    initiative.title = "Nouveau titre"
    initiative.save()  # a second history entry
    user_anonymise(user=zoe)
    initiative.refresh_from_db()
    assert (initiative.contact_name, initiative.contact_email) == ("", "")
    assert initiative.title == "Nouveau titre"  # the initiative itself stays
    assert not Initiative.history.filter(contact_email__iexact=EMAIL).exists()
    assert not Initiative.history.filter(contact_name=NAME).exists()
