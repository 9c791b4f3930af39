import os

import pytest

from committee.celery import app as celery_app
from members.models import Membership

from . import factories as f
from .mfa import give_totp

RUN_ID_VARIABLE = "CNPE_TEST_RUN"


def pytest_configure(config):
    """One name per test run, shared by its xdist workers (they inherit the environment):
    two runs on one machine never create, empty or drop each other's databases."""
    os.environ.setdefault(RUN_ID_VARIABLE, str(os.getpid()))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Test databases are named after the run (test_cnpe_gw0_<run>), not only the worker."""
    from django.conf import settings

    run = os.environ[RUN_ID_VARIABLE]
    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = db_settings.setdefault("TEST", {})
        name = test.get("NAME") or f"test_{db_settings['NAME']}"
        test["NAME"] = f"{name}_{run}"


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Each test gets its own media folder and an empty per-process cache.

    Parallel test workers share one Redis; a local cache keeps their cached catalogue
    pages apart. Tests about Redis itself configure it explicitly.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing a password properly takes ~0.25 s: far too slow for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()
    from committee.context_processors import site_config_changed

    site_config_changed()  # this process's copy of the site configuration too


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test asks for a real worker (marker `celery_worker`).

    `make test` sets REDIS_URL, which makes Celery use the broker; tests that start a real
    worker on Redis opt out of eager mode with the marker.
    """
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def mfa():
    """`mfa(user)` gives the user a TOTP authenticator and returns its secret."""
    return give_totp


@pytest.fixture
def association():
    return f.OrganisationFactory(acronym="AMF", name="Association des maires de France")


@pytest.fixture
def other_association():
    return f.OrganisationFactory(acronym="ADF", name="Assemblée des départements de France")


@pytest.fixture
def ministry():
    return f.MinistryFactory()


def _member(organisation, role):
    return f.MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def contributor(association):
    return _member(association, Membership.Role.CONTRIBUTOR)


@pytest.fixture
def association_admin(association):
    return _member(association, Membership.Role.ADMIN)


@pytest.fixture
def other_contributor(other_association):
    return _member(other_association, Membership.Role.CONTRIBUTOR)


@pytest.fixture
def reviewer(ministry):
    return _member(ministry, Membership.Role.REVIEWER)


@pytest.fixture
def secretariat(ministry):
    return _member(ministry, Membership.Role.SECRETARIAT)


# Officials and association admins pass the MFA gate only with an authenticator: the same
# roles, ready to work.
@pytest.fixture
def reviewer_with_mfa(reviewer):
    """The ministry's reviewer, with an authenticator app."""
    give_totp(reviewer)
    return reviewer


@pytest.fixture
def other_reviewer_with_mfa(ministry):
    user = _member(ministry, Membership.Role.REVIEWER)
    give_totp(user)
    return user


@pytest.fixture
def secretariat_with_mfa(secretariat):
    give_totp(secretariat)
    return secretariat
