"""Preferences: at once, daily, weekly or never by email, per kind; one-click unsubscribing."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from committee.plan.notifications import Kinds as PlanKinds
from committee.public.notifications import Kinds as PublicKinds
from initiatives.models import Initiative
from initiatives.notifications import Kinds as InitiativeKinds
from initiatives.services import initiative_transition
from members.models import NotificationPreference
from members.notifications.accounts import Kinds
from members.notifications.preferences import (
    mode_for,
    preference_kinds,
    preference_set,
    settings_for,
    unsubscribe_token,
)
from tests import factories as f

from .support import emails_to, html_of, in_app, unsubscribe_path

pytestmark = pytest.mark.django_db

S = Initiative.Status
Mode = NotificationPreference.Mode


def test_a_kind_turned_off_stays_in_app_but_sends_no_email(
    people, in_review, django_capture_on_commit_callbacks
):
    preference_set(user=people["author"], kind=InitiativeKinds.PUBLISHED, mode=Mode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    assert [m.to for m in mail.outbox] == [[people["admin"].email]]
    assert in_app(people["author"]).count() == 1


def test_invitations_cannot_be_turned_off():
    user = f.UserFactory()
    preference_set(user=user, kind=Kinds.INVITED, mode=Mode.OFF)
    assert not NotificationPreference.objects.exists()
    assert mode_for(user, Kinds.INVITED) == Mode.IMMEDIATE


def test_the_preferences_page_saves_a_choice_per_kind(people, signed_in):
    client = signed_in(people["admin"])
    page = client.get(reverse("members:notification_preferences"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Initiative publiée" in content and 'name="kind_published"' in content
    assert 'name="kind_invited"' not in content  # mandatory: not offered

    data = {f"kind_{spec.kind}": Mode.IMMEDIATE for spec in preference_kinds()}
    data.update({"kind_published": Mode.WEEKLY, "kind_commented": Mode.OFF, "recap": "daily"})
    response = client.post(reverse("members:notification_preferences"), data)

    assert response.status_code == 302
    assert mode_for(people["admin"], InitiativeKinds.PUBLISHED) == Mode.WEEKLY
    assert mode_for(people["admin"], InitiativeKinds.COMMENTED) == Mode.OFF
    assert settings_for(people["admin"]).recap == "daily"


def test_an_invalid_preference_is_reported_and_nothing_is_saved(people, signed_in):
    client = signed_in(people["admin"])
    response = client.post(reverse("members:notification_preferences"), {"kind_published": "x"})
    assert response.status_code == 400
    assert "fr-alert--error" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- unsubscribing ------------------------------------------------------------------------------


def test_each_email_carries_a_one_click_unsubscribe_for_its_kind(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    message = emails_to(people["author"].email)[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path in message.body and path in html_of(message)

    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Me désabonner" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # GET changes nothing

    # What a mail client does (RFC 8058): a POST without any form token.
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert mode_for(people["author"], InitiativeKinds.PUBLISHED) == Mode.OFF
    assert mode_for(people["author"], InitiativeKinds.COMMENTED) == Mode.IMMEDIATE


def test_a_tampered_unsubscribe_link_is_refused(people):
    token = unsubscribe_token(people["author"], InitiativeKinds.PUBLISHED)
    response = Client().post(reverse("members:notification_unsubscribe", args=[token + "x"]))
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


# --- who chooses what ---------------------------------------------------------------------------


def test_each_person_chooses_only_among_the_kinds_their_roles_receive(people):
    official = {spec.kind for spec in preference_kinds(people["reviewer"])}
    staff = {spec.kind for spec in preference_kinds(people["author"])}

    assert {"assigned", "report_ready", "weekly_digest", "submitted"} <= official
    assert "published" not in official
    assert {"published", "changes_requested", "commented"} <= staff
    assert "report_ready" not in staff and "assigned" not in staff


def test_the_kinds_of_every_app_are_offered_to_those_who_receive_them_only(people):
    official = {spec.kind for spec in preference_kinds(people["reviewer"])}
    staff = {spec.kind for spec in preference_kinds(people["author"])}

    assert PlanKinds.REPORT_SUBMITTED in official - staff
    assert {PlanKinds.REPORT_ACCEPTED, PlanKinds.REPORT_RETURNED} <= staff - official
    never = {
        PlanKinds.REVIEW_OPENED,  # recorded, nobody is told
        InitiativeKinds.EDITED,
        Kinds.MEMBER_JOINED,
        Kinds.INVITED,  # mandatory
        PublicKinds.SEARCH_CONFIRM,  # to visitors without an account
        PublicKinds.SEARCH_ALERT,
    }
    assert not never & (official | staff)
