"""MFA before acting: admins, reviewers, the secretariat and admin staff set up TOTP first."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from members.services import demo_totp_setup
from tests import factories as f
from tests.mfa import give_totp, totp_code

pytestmark = pytest.mark.django_db

GATED_PATHS = ["/espace/", "/instruction/", "/pilotage/", "/espace/equipe/", "/compte/", "/admin/"]
SETUP = "/comptes/2fa/totp/activate/"


@pytest.fixture
def lenient_client():
    """Pages behind the gate belong to other parts and may still be under construction: only
    where the gate sends people matters here, not how those pages answer."""
    return Client(raise_request_exception=False)


@pytest.fixture(params=["association_admin", "reviewer", "secretariat"])
def gated_user(request):
    return request.getfixturevalue(request.param)


def test_setup_page_is_where_the_gate_sends_people():
    assert reverse("mfa_activate_totp") == SETUP


@pytest.mark.parametrize("path", GATED_PATHS)
def test_roles_that_act_are_sent_to_totp_setup_without_an_authenticator(client, gated_user, path):
    client.force_login(gated_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_posts_are_gated_too(client, association_admin):
    client.force_login(association_admin)
    response = client.post(
        reverse("members:team_invite"),
        {"organisation": "AMF", "email": "x@example.org", "role": "contributor"},
    )
    assert response.status_code == 302
    assert response["Location"] == SETUP


@pytest.mark.parametrize("path", GATED_PATHS)
def test_with_an_authenticator_they_pass(lenient_client, gated_user, path):
    give_totp(gated_user)
    lenient_client.force_login(gated_user)
    response = lenient_client.get(path)
    assert response.get("Location") != SETUP


@pytest.mark.parametrize("path", ["/espace/", "/compte/", "/espace/equipe/"])
def test_contributors_are_not_gated(lenient_client, contributor, path):
    lenient_client.force_login(contributor)
    response = lenient_client.get(path)
    assert response.get("Location") != SETUP


@pytest.mark.parametrize("path", ["/", "/initiatives/", "/comptes/2fa/", "/comptes/logout/"])
def test_public_and_account_pages_stay_open_so_that_setup_is_reachable(
    lenient_client, reviewer, path
):
    lenient_client.force_login(reviewer)
    response = lenient_client.get(path)
    assert response.get("Location") != SETUP


def test_admin_staff_without_membership_are_gated_on_the_admin(client):
    staff = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/")["Location"] == SETUP
    give_totp(staff)
    assert client.get("/admin/").status_code == 200


def test_the_gate_explains_itself(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/instruction/", follow=True)
    html = response.content.decode()
    assert "double authentification" in html


def test_full_setup_by_an_official_then_the_gate_opens(lenient_client, reviewer):
    client = lenient_client
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    client.post(
        reverse("account_login"), {"login": reviewer.email, "password": "mot-de-passe-solide-42"}
    )
    assert client.get("/instruction/")["Location"] == SETUP

    # allauth asks for the password again before adding an authenticator.
    response = client.get(SETUP)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        page = client.get(response["Location"])
        assert page.status_code == 200
        client.post(response["Location"], {"password": "mot-de-passe-solide-42"})
        response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "portal-qr" in html and "fr-input" in html
    secret = client.session["mfa.totp.secret"]

    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    codes = client.get(response["Location"])
    assert codes.status_code == 200  # recovery codes shown once set up
    assert client.get("/instruction/").get("Location") != SETUP


def reauthenticate(client):
    """allauth asks for the password again before MFA changes."""
    response = client.post(
        reverse("account_reauthenticate"), {"password": "mot-de-passe-solide-42"}
    )
    assert response.status_code == 302


def test_gated_roles_cannot_switch_their_authenticator_off(client, reviewer):
    give_totp(reviewer)
    client.force_login(reviewer)
    reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    assert response.status_code == 200


def test_contributors_may_switch_theirs_off(client, contributor):
    give_totp(contributor)
    client.force_login(contributor)
    reauthenticate(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=contributor).exists()


@pytest.mark.parametrize(
    "name", ["mfa_index", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"]
)
def test_mfa_pages_render_in_the_portal_layout(client, reviewer, name):
    give_totp(reviewer)
    RecoveryCodes.activate(reviewer)
    client.force_login(reviewer)
    reauthenticate(client)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fr-header" in html and "fr-sidemenu" in html


def test_demo_setup_gives_a_known_secret_and_a_verified_address(lenient_client, secretariat):
    client = lenient_client
    secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
    demo_totp_setup(user=secretariat, secret=secret)
    demo_totp_setup(user=secretariat, secret=secret)  # idempotent
    assert Authenticator.objects.filter(user=secretariat).count() == 1
    assert EmailAddress.objects.get(user=secretariat).verified
    client.post(
        reverse("account_login"),
        {"login": secretariat.email, "password": "mot-de-passe-solide-42"},
    )
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session.get("_auth_user_id") == str(secretariat.pk)
    assert client.get("/instruction/").get("Location") != SETUP


@pytest.mark.parametrize(
    "path", ["/comptes/email/", "/comptes/password/change/", "/notifications/"]
)
def test_account_management_waits_for_mfa_too(client, reviewer, path):
    """Deny-by-default: only MFA set-up, authentication and logout are open before MFA."""
    client.force_login(reviewer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == SETUP
