"""Personal data: download what the portal holds about me, delete my account, inactivity."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Comment, Initiative
from members.models import Invitation, Membership, Notification, User
from members.notifications.accounts import Kinds
from members.services import (
    inactive_accounts_sweep,
    invitation_create,
    user_anonymise,
    user_mark_seen,
)
from members.tasks import sweep_inactive_accounts
from tests import factories as f
from tests.mfa import give_totp

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"


@pytest.fixture
def authored(contributor, association, other_contributor, other_association):
    mine = f.InitiativeFactory(
        title="Robotique dans les écoles de Lyon",
        lead_organisation=association,
        created_by=contributor,
        status=Initiative.Status.PUBLISHED,
    )
    theirs = f.InitiativeFactory(
        title="Tablettes dans les collèges de l'Ain",
        lead_organisation=other_association,
        created_by=other_contributor,
    )
    Comment.objects.create(
        initiative=mine, author=contributor, author_organisation=association, body="Mon message"
    )
    Comment.objects.create(
        initiative=theirs,
        author=other_contributor,
        author_organisation=other_association,
        body="Leur message secret",
    )
    return mine


# --- download ---------------------------------------------------------------------------------


def test_export_holds_my_data_and_nothing_of_others(
    client, contributor, other_contributor, authored
):
    EmailAddress.objects.create(user=contributor, email=contributor.email, verified=True)
    client.force_login(contributor)
    response = client.get(reverse("members:account_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    text = response.content.decode()

    assert data["account"]["email"] == contributor.email
    assert data["memberships"] == [
        {"organisation": "AMF", "role": "contributor", "since": data["memberships"][0]["since"]}
    ]
    assert data["mfa"] == {"enabled": False, "types": []}
    assert data["email_addresses"][0]["verified"] is True
    assert "Robotique dans les écoles de Lyon" in text
    assert "Mon message" in text
    assert other_contributor.email not in text
    assert other_contributor.last_name not in text
    assert "Leur message secret" not in text
    assert "Tablettes dans les collèges" not in text
    assert "password" not in text


def test_export_lists_invitations_without_the_invitees_address(
    client, association_admin, association
):
    give_totp(association_admin)
    invitation_create(
        organisation=association,
        email="invitee@example.org",
        role="contributor",
        by=association_admin,
    )
    client.force_login(association_admin)
    data = json.loads(client.get(reverse("members:account_data")).content)
    assert data["invitations_sent"][0]["organisation"] == "AMF"
    assert "invitee@example.org" not in json.dumps(data)
    assert data["mfa"]["enabled"] is True
    assert [event["kind"] for event in data["events_as_actor"]] == ["invited"]


def test_export_needs_login(client):
    response = client.get(reverse("members:account_data"))
    assert response.status_code == 302


def test_account_page_shows_my_organisations(client, contributor):
    client.force_login(contributor)
    response = client.get(reverse("members:account"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Association des maires de France" in content
    assert "fr-sidemenu" in content


def test_account_page_saves_name_and_language(client, contributor):
    client.force_login(contributor)
    response = client.post(
        reverse("members:account"), {"first_name": "Alix", "last_name": "Leroy", "language": "en"}
    )
    assert response.status_code == 302
    contributor.refresh_from_db()
    assert (contributor.first_name, contributor.last_name, contributor.language) == (
        "Alix",
        "Leroy",
        "en",
    )
    assert response.cookies["django_language"].value == "en"


# --- deletion ---------------------------------------------------------------------------------


def test_delete_needs_the_password_and_changes_nothing_otherwise(client, contributor):
    client.force_login(contributor)
    assert client.get(reverse("members:account_delete")).status_code == 200
    response = client.post(reverse("members:account_delete"), {"password": "pas-le-bon"})
    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    contributor.refresh_from_db()
    assert contributor.is_active and contributor.anonymised_at is None


def test_delete_anonymises_keeps_publications_and_logs_out(client, contributor, authored):
    EmailAddress.objects.create(user=contributor, email=contributor.email, verified=True)
    give_totp(contributor)
    other_browser = Client()
    other_browser.force_login(contributor)
    client.force_login(contributor)
    former_email = contributor.email

    response = client.post(reverse("members:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    contributor.refresh_from_db()
    assert contributor.email == f"anonyme-{contributor.pk}@invalid"
    assert contributor.get_full_name() == ""
    assert not contributor.is_active and not contributor.has_usable_password()
    assert contributor.anonymised_at is not None
    assert not Membership.objects.filter(user=contributor).exists()
    assert not Authenticator.objects.filter(user=contributor).exists()
    assert not EmailAddress.objects.filter(user=contributor).exists()
    assert not User.objects.filter(email__iexact=former_email).exists()

    authored.refresh_from_db()
    assert authored.status == Initiative.Status.PUBLISHED
    assert authored.lead_organisation.acronym == "AMF"
    assert authored.created_by_id in {None, contributor.pk}
    assert Comment.objects.filter(body="Mon message").exists()

    for browser in (client, other_browser):
        assert browser.get(reverse("members:account")).status_code == 302  # to the login page
    login = client.post(reverse("account_login"), {"login": former_email, "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session


def test_anonymising_clears_invitations_addressed_to_the_person(association_admin, association):
    invitation, _token = invitation_create(
        organisation=association,
        email="partante@example.org",
        role="contributor",
        by=association_admin,
    )
    person = f.UserFactory(email="partante@example.org")
    user_anonymise(user=person)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitation.email == f"anonyme-{person.pk}@invalid"


# --- inactivity ---------------------------------------------------------------------------------


@pytest.fixture
def sleeper():
    long_ago = timezone.now() - timedelta(days=800)
    user = f.UserFactory(email="dormeur@example.org")
    User.objects.filter(pk=user.pk).update(date_joined=long_ago, last_seen_at=long_ago)
    return user


def test_sweep_warns_then_anonymises_after_the_grace_period(
    sleeper, settings, django_capture_on_commit_callbacks
):
    settings.INACTIVITY_WARNING_DAYS = 365
    settings.INACTIVITY_GRACE_DAYS = 30
    now = timezone.now()
    recent = f.UserFactory(email="actif@example.org")
    user_mark_seen(user=recent)

    with django_capture_on_commit_callbacks(execute=True):
        assert inactive_accounts_sweep(now=now)["warned"] == 1
    assert [message.to for message in mail.outbox] == [["dormeur@example.org"]]
    assert "anonymisé" in mail.outbox[0].body
    # Through the outbox, like every email (retried, swept), and it cannot be turned off.
    warning = Notification.objects.get(recipient=sleeper)
    assert (warning.kind, warning.status) == (Kinds.ACCOUNT_INACTIVE, Notification.Status.SENT)
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    sleeper.refresh_from_db()
    assert sleeper.inactivity_warned_at == now

    with django_capture_on_commit_callbacks(execute=True):
        result = inactive_accounts_sweep(now=now + timedelta(days=29))
    assert result == {"warned": 0, "anonymised": 0, "forgiven": 0}
    assert len(mail.outbox) == 1  # warned once
    sleeper.refresh_from_db()
    assert sleeper.anonymised_at is None

    assert inactive_accounts_sweep(now=now + timedelta(days=31))["anonymised"] == 1
    sleeper.refresh_from_db()
    assert sleeper.anonymised_at is not None and not sleeper.is_active
    recent.refresh_from_db()
    assert recent.is_active and recent.inactivity_warned_at is None


def test_logging_in_after_the_warning_keeps_the_account(sleeper):
    now = timezone.now()
    inactive_accounts_sweep(now=now)
    user_mark_seen(user=sleeper, now=now + timedelta(days=5))
    inactive_accounts_sweep(now=now + timedelta(days=40))
    sleeper.refresh_from_db()
    assert sleeper.is_active and sleeper.anonymised_at is None
    assert sleeper.inactivity_warned_at is None


def test_a_real_login_counts_as_activity(client, sleeper):
    EmailAddress.objects.create(user=sleeper, email=sleeper.email, verified=True, primary=True)
    inactive_accounts_sweep()
    client.post(reverse("account_login"), {"login": sleeper.email, "password": PASSWORD})
    sleeper.refresh_from_db()
    assert sleeper.inactivity_warned_at is None
    assert sleeper.last_seen_at > timezone.now() - timedelta(minutes=1)


def test_superusers_are_left_alone(sleeper):
    User.objects.filter(pk=sleeper.pk).update(is_superuser=True, is_staff=True)
    now = timezone.now()
    inactive_accounts_sweep(now=now)
    inactive_accounts_sweep(now=now + timedelta(days=400))
    sleeper.refresh_from_db()
    assert sleeper.is_active and sleeper.inactivity_warned_at is None


def test_task_and_command_run_the_sweep(sleeper, capsys):
    assert sweep_inactive_accounts()["warned"] == 1
    call_command("sweep_inactive_accounts")
    assert "0 compte(s) prévenu(s)" in capsys.readouterr().out
    assert not Invitation.objects.exists()


def test_any_login_after_the_warning_is_forgiven(sleeper):
    now = timezone.now()
    inactive_accounts_sweep(now=now)
    User.objects.filter(pk=sleeper.pk).update(last_login=now + timedelta(days=2))
    result = inactive_accounts_sweep(now=now + timedelta(days=40))
    assert result["forgiven"] == 1 and result["anonymised"] == 0
    sleeper.refresh_from_db()
    assert sleeper.is_active and sleeper.inactivity_warned_at is None
