"""Invitations and team management: by email, with a role, expiring, single-use."""

import hashlib
import html
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Event, Invitation, Membership, User
from members.notifications.accounts import Kinds
from members.services import InvitationError, invitation_accept, invitation_create
from tests import factories as f
from tests.mfa import give_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-bien-long-2015"
INVITE = reverse("members:team_invite")


@pytest.fixture
def admin_client(client, association_admin):
    give_totp(association_admin)
    client.force_login(association_admin)
    return client


@pytest.fixture
def secretariat_client(client, secretariat):
    give_totp(secretariat)
    client.force_login(secretariat)
    return client


def invite(client, *, organisation="AMF", email="nouvelle@example.org", role="contributor"):
    return client.post(INVITE, {"organisation": organisation, "email": email, "role": role})


def link_path(message) -> str:
    return re.search(r"/invitation/[\w-]+/", message.body).group(0)


def sign_up(client, path, **overrides):
    data = {
        "first_name": "Dominique",
        "last_name": "Durand",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return client.post(path, data)


# --- the full path ------------------------------------------------------------------------------


def test_invitation_full_path(admin_client, association, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, email="Nouvelle@Example.org")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@example.org"]
    assert "http://127.0.0.1:8000/invitation/" in message.body
    path = link_path(message)
    assert Event.objects.filter(kind=Kinds.INVITED, organisation=association).exists()

    admin_client.logout()
    page = admin_client.get(path)
    assert page.status_code == 200
    assert "nouvelle@example.org" in page.content.decode()

    response = sign_up(admin_client, path)
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    user = User.objects.get(email="nouvelle@example.org")
    assert user.get_full_name() == "Dominique Durand"
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organisation=association).role == "contributor"
    assert admin_client.session["_auth_user_id"] == str(user.pk)
    assert Event.objects.filter(kind=Kinds.MEMBER_JOINED, actor=user).exists()

    admin_client.logout()
    again = admin_client.get(path)
    assert again.status_code == 410
    assert "déjà été utilisée" in again.content.decode()
    assert sign_up(admin_client, path, first_name="Autre").status_code == 410
    assert User.objects.filter(email="nouvelle@example.org").count() == 1


def test_only_a_hash_of_the_token_is_stored(association_admin, association):
    invitation, token = invitation_create(
        organisation=association, email="a@example.org", role="contributor", by=association_admin
    )
    assert token not in invitation.token_hash
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.expires_at - timezone.now() > timedelta(days=6)


def test_an_invited_admin_goes_to_mfa_setup_without_typing_the_password_again(
    admin_client, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, email="adjointe@example.org", role="admin")
    path = link_path(mail.outbox[0])
    admin_client.logout()
    response = sign_up(admin_client, path)
    assert response.status_code == 302
    setup = reverse("mfa_activate_totp")
    assert admin_client.get(response["Location"])["Location"] == setup
    assert admin_client.get(setup).status_code == 200  # no reauthentication detour


def test_signup_form_errors_keep_what_was_typed(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client)
    path = link_path(mail.outbox[0])
    admin_client.logout()
    response = sign_up(admin_client, path, password2="autre-chose-entierement-9")
    assert response.status_code == 400
    content = response.content.decode()
    assert "fr-alert--error" in content and 'href="#id_password2"' in content
    assert 'value="Dominique"' in content
    assert not User.objects.filter(email="nouvelle@example.org").exists()


def test_existing_account_logs_in_then_accepts(
    client, admin_client, association, other_contributor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, email=other_contributor.email)
    path = link_path(mail.outbox[0])
    admin_client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert reverse("account_login") in page.content.decode()
    assert client.post(path, {"password1": "x"}).status_code == 200  # no account created
    client.force_login(other_contributor)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=other_contributor, organisation=association).role == (
        "contributor"
    )


def test_logged_in_with_another_address_is_refused(
    client, admin_client, contributor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, email="quelquun@example.org")
    path = link_path(mail.outbox[0])
    other = f.UserFactory()
    client.force_login(other)
    response = client.post(path)
    assert response.status_code == 403
    assert "quelquun@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=other).exists()
    assert Invitation.objects.get().accepted_at is None


# --- refused tokens -------------------------------------------------------------------------


def test_expired_token_is_refused_and_nothing_changes(association_admin, association, client):
    invitation, token = invitation_create(
        organisation=association, email="tard@example.org", role="contributor", by=association_admin
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    path = reverse("members:invitation", args=[token])
    response = client.get(path)
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    assert sign_up(client, path).status_code == 410
    assert not User.objects.filter(email="tard@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_revoked_token_is_refused(admin_client, association, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, email="annulee@example.org")
    path = link_path(mail.outbox[0])
    invitation = Invitation.objects.get(email="annulee@example.org")
    response = admin_client.post(reverse("members:invitation_cancel", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    admin_client.logout()
    response = sign_up(admin_client, path)
    assert response.status_code == 410
    assert "annulée" in response.content.decode()
    assert not User.objects.filter(email="annulee@example.org").exists()


def test_unknown_token_is_a_404(client):
    response = client.get(reverse("members:invitation", args=["nimporte-quoi"]))
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()


def test_service_refuses_a_used_token(association_admin, association):
    invitation, token = invitation_create(
        organisation=association, email="b@example.org", role="contributor", by=association_admin
    )
    user = f.UserFactory(email="b@example.org")
    invitation_accept(token=token, user=user)
    with pytest.raises(InvitationError):
        invitation_accept(token=token, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_inviting_again_replaces_the_previous_link(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client, email="deux@example.org")
        invite(admin_client, email="deux@example.org", role="admin")
    first, second = link_path(mail.outbox[0]), link_path(mail.outbox[1])
    admin_client.logout()
    assert admin_client.get(first).status_code == 410
    assert admin_client.get(second).status_code == 200
    assert Invitation.objects.filter(revoked_at__isnull=True).get().role == "admin"


def test_a_member_cannot_be_invited_again(admin_client, contributor):
    response = invite(admin_client, email=contributor.email)
    assert response.status_code == 400
    assert "déjà membre" in response.content.decode()
    assert not Invitation.objects.exists()


# --- who may invite ----------------------------------------------------------------------


def test_admin_cannot_invite_to_another_association(admin_client, other_association):
    response = invite(admin_client, organisation="ADF")
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("role", ["reviewer", "secretariat", "superhero"])
def test_admin_cannot_invite_a_ministry_role(admin_client, role):
    response = invite(admin_client, role=role)
    assert response.status_code == 400
    assert "Ce rôle n'existe pas pour cette organisation" in html.unescape(response.text)
    assert not Invitation.objects.exists()


def test_admin_can_invite_another_admin(admin_client):
    assert invite(admin_client, role="admin").status_code == 302
    assert Invitation.objects.get().role == "admin"


def test_secretariat_invites_anyone_anywhere(
    secretariat_client, ministry, other_association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(secretariat_client, organisation="MEN", role="reviewer").status_code == 302
        response = invite(
            secretariat_client, organisation="ADF", email="presidente@example.org", role="admin"
        )
    assert response.status_code == 302
    assert set(Invitation.objects.values_list("organisation__acronym", "role")) == {
        ("MEN", "reviewer"),
        ("ADF", "admin"),
    }
    assert len(mail.outbox) == 2


def test_secretariat_cannot_give_an_association_a_ministry_role(secretariat_client, association):
    assert invite(secretariat_client, organisation="AMF", role="reviewer").status_code == 400
    assert not Invitation.objects.exists()


def test_contributor_cannot_manage_the_team(client, contributor, association_admin):
    client.force_login(contributor)
    assert client.get(reverse("members:team")).status_code == 403
    assert invite(client).status_code == 403
    membership = Membership.objects.get(user=association_admin)
    url = reverse("members:member_revoke", args=[membership.pk])
    assert client.post(url).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not Invitation.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("members:team"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_team_page_lists_members_and_pending_invitations(admin_client, contributor):
    invite(admin_client, email="attente@example.org")
    response = admin_client.get(reverse("members:team"))
    assert response.status_code == 200
    content = response.content.decode()
    assert contributor.email in content and "attente@example.org" in content
    assert "Contributeur" in content


def test_other_associations_team_is_a_404_for_an_admin(admin_client, other_association):
    assert admin_client.get(reverse("members:team") + "?organisation=ADF").status_code == 404


def test_secretariat_chooses_the_organisation(secretariat_client, association, contributor):
    response = secretariat_client.get(reverse("members:team") + "?organisation=AMF")
    assert response.status_code == 200
    assert contributor.email in response.content.decode()


def test_get_never_changes_anything(admin_client, contributor):
    membership = Membership.objects.get(user=contributor)
    for name in ["member_revoke", "member_role"]:
        response = admin_client.get(reverse(f"members:{name}", args=[membership.pk]))
        assert response.status_code == 405
    assert admin_client.get(INVITE).status_code == 405
    assert Membership.objects.filter(pk=membership.pk, role="contributor").exists()


# --- roles and removal -------------------------------------------------------------------------


def test_admin_changes_a_role(admin_client, contributor, association_admin):
    membership = Membership.objects.get(user=contributor)
    url = reverse("members:member_role", args=[membership.pk])
    response = admin_client.post(url, {"role": "admin"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "admin"
    event = Event.objects.get(kind=Kinds.MEMBER_CHANGED)
    assert event.actor == association_admin
    assert event.data == {"user": contributor.pk, "from": "contributor", "to": "admin"}


def test_admin_cannot_give_a_ministry_role(admin_client, contributor):
    membership = Membership.objects.get(user=contributor)
    admin_client.post(reverse("members:member_role", args=[membership.pk]), {"role": "reviewer"})
    membership.refresh_from_db()
    assert membership.role == "contributor"


def test_admin_revokes_a_member(admin_client, contributor):
    membership = Membership.objects.get(user=contributor)
    response = admin_client.post(reverse("members:member_revoke", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Event.objects.filter(kind=Kinds.MEMBER_REVOKED).count() == 1
    assert User.objects.filter(pk=contributor.pk).exists()  # the account stays


def test_last_admin_cannot_be_removed_or_demoted(admin_client, association_admin):
    membership = Membership.objects.get(user=association_admin)
    response = admin_client.post(
        reverse("members:member_revoke", args=[membership.pk]), follow=True
    )
    assert "au moins un" in response.content.decode()
    admin_client.post(reverse("members:member_role", args=[membership.pk]), {"role": "contributor"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert not Event.objects.filter(kind__in=[Kinds.MEMBER_CHANGED, Kinds.MEMBER_REVOKED]).exists()


def test_an_admin_with_a_colleague_may_step_down(admin_client, association, association_admin):
    f.MembershipFactory(organisation=association, role="admin")
    membership = Membership.objects.get(user=association_admin)
    admin_client.post(reverse("members:member_role", args=[membership.pk]), {"role": "contributor"})
    membership.refresh_from_db()
    assert membership.role == "contributor"


def test_secretariat_may_remove_an_associations_last_admin(secretariat_client, association_admin):
    membership = Membership.objects.get(user=association_admin)
    secretariat_client.post(reverse("members:member_revoke", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_nobody_removes_the_last_secretariat_member(secretariat_client, secretariat):
    membership = Membership.objects.get(user=secretariat)
    secretariat_client.post(reverse("members:member_revoke", args=[membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_of_another_association_gets_404_on_our_members(
    client, other_association, contributor
):
    other_admin = f.MembershipFactory(organisation=other_association, role="admin").user
    give_totp(other_admin)
    client.force_login(other_admin)
    membership = Membership.objects.get(user=contributor)
    response = client.post(reverse("members:member_revoke", args=[membership.pk]))
    assert response.status_code == 404
    response = client.post(reverse("members:member_role", args=[membership.pk]), {"role": "admin"})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "contributor"
