"""Logging in with allauth: email and password, verified address, rate limits, no signup."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.models import User
from tests import factories as f
from tests.mfa import give_totp, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"  # the factories' password


@pytest.fixture
def person():
    user = f.UserFactory(email="camille.martin@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_page_is_a_dsfr_form_without_a_signup_link(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="fr-input"' in html
    assert "Se connecter" in html
    assert reverse("account_signup") not in html
    assert "invitation" in html


def test_login_with_email_and_password_opens_a_session(client, person):
    response = log_in(client, "Camille.Martin@example.org")
    assert response.status_code == 302
    assert logged_in_as(client) == str(person.pk)


def test_login_records_when_the_person_was_last_seen(client, person):
    assert person.last_seen_at is None
    log_in(client, person.email)
    person.refresh_from_db()
    assert person.last_seen_at is not None


def test_wrong_password_is_refused(client, person):
    response = log_in(client, person.email, "pas-le-bon-mot-de-passe")
    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert "fr-alert--error" in response.content.decode()


def test_unverified_address_cannot_log_in_and_gets_a_verification_email(client):
    user = f.UserFactory(email="non.verifiee@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = log_in(client, user.email)
    assert logged_in_as(client) is None
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_repeated_failures_are_rate_limited_even_with_the_right_password(client, person, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    for _attempt in range(3):
        log_in(client, person.email, "pas-le-bon-mot-de-passe")
    response = log_in(client, person.email)
    assert logged_in_as(client) is None
    assert response.status_code in {200, 429}
    assert "tentatives" in response.content.decode().lower()


def test_session_ends_with_the_browser(client, person, settings):
    log_in(client, person.email)
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "invitation" in response.content.decode()
    client.post(
        reverse("account_signup"),
        {
            "email": "intrus@example.org",
            "password1": "Xy7!tres-long-mdp",
            "password2": "Xy7!tres-long-mdp",
        },
    )
    assert not User.objects.filter(email="intrus@example.org").exists()


def test_password_reset_by_email_link(client, person):
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"/comptes/password/reset/key/\S+", mail.outbox[0].body).group(0)
    response = client.get(path, follow=True)  # allauth moves the key out of the URL
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    new_password = "un-tout-nouveau-mot-de-passe-7"
    response = client.post(form_path, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    client.logout()
    log_in(client, person.email, new_password)
    assert logged_in_as(client) == str(person.pk)


def test_account_with_totp_must_give_a_code_to_log_in(client, person):
    secret = give_totp(person)
    response = log_in(client, person.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_as(client) is None
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert 'class="fr-input"' in page.content.decode()
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert logged_in_as(client) == str(person.pk)


def test_wrong_totp_code_keeps_the_door_closed(client, person):
    give_totp(person)
    log_in(client, person.email)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert logged_in_as(client) is None


def test_django_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/members/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2Fmembers%2Fuser%2F" in response["Location"]
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_reset_password",
        "account_signup",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_render_in_the_portal_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fr-header" in html and "fr-footer" in html


def test_django_admin_login_refuses_people_already_logged_in_without_admin_rights(
    client, contributor
):
    client.force_login(contributor)
    assert client.get("/admin/login/").status_code == 403
    staff = f.UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/login/")["Location"] == reverse("admin:index")
