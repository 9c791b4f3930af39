"""Logins keep working while Redis (the cache) is down, with bounded limits, and it is logged.

Once, allauth's rate-limit lock failed closed when the cache errored: contributor login,
reviewer login with TOTP and password reset all answered 429. A throwaway redis-server of the
test's own is started and stopped here (never the shared one).
"""

import logging

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from members.ratelimit_cache import rate_limit_cache
from tests.members.notifications.celery_support import RedisServer
from tests.mfa import give_totp, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"


def _redis_caches(url):
    default = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "cnpe-test-ratelimit",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
    ratelimit = {**default, "OPTIONS": {**default["OPTIONS"], "IGNORE_EXCEPTIONS": False}}
    fragments = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {"default": default, "ratelimit": ratelimit, "fragments": fragments}


@pytest.fixture
def redis_down(settings):
    server = RedisServer().start()
    settings.CACHES = _redis_caches(server.url)
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    rate_limit_cache._down_until = 0.0
    rate_limit_cache._fallback.clear()
    server.stop()
    yield server
    server.stop()
    rate_limit_cache._down_until = 0.0
    rate_limit_cache._fallback.clear()


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _login(client, email, password):
    return client.post("/comptes/login/", {"login": email, "password": password})


def test_a_contributor_logs_in_and_the_outage_is_logged(redis_down, contributor, caplog):
    _verified(contributor)
    client = Client()
    with caplog.at_level(logging.ERROR, logger="members.ratelimit_cache"):
        response = _login(client, contributor.email, PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(contributor.pk)
    assert "Rate-limit cache unavailable" in caplog.text


def test_a_reviewer_logs_in_with_totp(redis_down, reviewer):
    _verified(reviewer)
    secret = give_totp(reviewer)
    client = Client()
    response = _login(client, reviewer.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/authenticate/"
    response = client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(reviewer.pk)


def test_password_reset_is_still_sent(redis_down, contributor, mailoutbox):
    _verified(contributor)
    response = Client().post("/comptes/password/reset/", {"email": contributor.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_failed_logins_are_still_limited(redis_down, contributor):
    """Degraded, still bounded: past the limit the right password is refused too."""
    _verified(contributor)
    client = Client()
    for n in range(10):
        assert _login(client, f"inconnu{n}@example.org", "faux").status_code == 200
    client = Client()
    response = _login(client, contributor.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_with_redis_up_the_limits_are_shared_in_redis(settings, contributor):
    server = RedisServer().start()
    try:
        settings.CACHES = _redis_caches(server.url)
        rate_limit_cache._down_until = 0.0
        _verified(contributor)
        client = Client()
        assert _login(client, contributor.email, PASSWORD).status_code == 302
        assert not rate_limit_cache.degraded
        import redis

        assert redis.Redis.from_url(server.url).dbsize() > 0  # the counters live in Redis
    finally:
        server.stop()
