"""Settings read from the environment: safe defaults locally, loud failures in production.

Each case starts a fresh interpreter, because settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Starts other interpreters: left out of `make test-fast`.
pytestmark = pytest.mark.subprocess

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables the settings read; every case starts from none of them.
SETTINGS_VARIABLES = (
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DEMO_ACCOUNTS_ENABLED",
    "PUBLICATION_DIRECTOR",
    "HOSTING_PROVIDER",
    "CONTACT_EMAIL",
    "ACCESSIBILITY_CONTACT",
    "DEV_MAILBOX",
    "MAILBOX_DIR",
)

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "ALLOWED_HOSTS": "portail.comite-numerique.example.fr",
    "DATABASE_URL": "postgres://cnpe:motdepasse@db:5432/cnpe",
    "REDIS_URL": "redis://redis:6379/0",
    "PUBLICATION_DIRECTOR": "Directeur du numérique pour l'éducation",
    "HOSTING_PROVIDER": "Hébergeur public|1 rue de l'Exemple, 75000 Paris|01 00 00 00 00",
    "CONTACT_EMAIL": "secretariat@comite-numerique.example.fr",
    "ACCESSIBILITY_CONTACT": "accessibilite@comite-numerique.example.fr",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment["DJANGO_SETTINGS_MODULE"] = "committee.settings"
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run("-c", f"import django; django.setup()\n{code}", **env)


def strong_secret() -> str:
    return secrets.token_urlsafe(45)[:60]


def test_production_without_secret_key_refuses_to_start():
    result = python("", **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_weak_secret_key_refuses_to_start():
    result = python("", **PRODUCTION_ENV, SECRET_KEY="django-insecure-" + "x" * 50)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_with_complete_environment_passes_the_deployment_checklist():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
        SECRET_KEY=strong_secret(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_refused_in_production():
    result = python("", **PRODUCTION_ENV, SECRET_KEY=strong_secret(), DEBUG="true")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize("missing", ["ALLOWED_HOSTS", "REDIS_URL"])
def test_production_refuses_to_start_without_a_required_service_setting(missing):
    env = {**PRODUCTION_ENV, "SECRET_KEY": strong_secret()}
    del env[missing]

    result = python("", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    "missing",
    ["PUBLICATION_DIRECTOR", "HOSTING_PROVIDER", "CONTACT_EMAIL", "ACCESSIBILITY_CONTACT"],
)
def test_production_refuses_to_start_without_the_operators_information(missing):
    """The legal notice and the accessibility statement must name who runs the portal."""
    env = {**PRODUCTION_ENV, "SECRET_KEY": strong_secret(), missing: "  "}

    result = python("", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_sqlite():
    env = {**PRODUCTION_ENV, "SECRET_KEY": strong_secret(), "DATABASE_URL": "sqlite:///x.db"}

    result = python("", **env)

    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_unknown_environment_name_is_refused():
    result = python("", DJANGO_ENV="staging")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "staging" in result.stderr


def test_without_database_url_the_embedded_sqlite_database_is_used():
    result = python(
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE']); print(db['NAME'])"
    )

    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == BASE_DIR / "db.sqlite3"


def test_without_redis_url_tasks_run_eagerly_and_the_cache_is_local_memory():
    result = python(
        "from django.conf import settings\n"
        "from committee.celery import app\n"
        "print(app.conf.task_always_eager, settings.CACHES['default']['BACKEND'])"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]


def test_with_redis_url_tasks_go_to_the_redis_broker_and_the_cache_is_redis():
    result = python(
        "from django.conf import settings\n"
        "from committee.celery import app\n"
        "print(app.conf.task_always_eager, app.conf.broker_url, "
        "settings.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/14",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "redis://127.0.0.1:6379/14",
        "django_redis.cache.RedisCache",
    ]


def test_demo_accounts_are_off_by_default_in_production():
    result = python(
        "from django.conf import settings; print(settings.DEMO_ACCOUNTS_ENABLED)",
        **PRODUCTION_ENV,
        SECRET_KEY=strong_secret(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_fresh_sqlite_database_migrates_and_passes_the_system_checks(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'portail.sqlite3'}"

    migrate = run("manage.py", "migrate", "--no-input", "-v", "0", DATABASE_URL=database_url)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    check = run("manage.py", "check", DATABASE_URL=database_url)
    assert check.returncode == 0, check.stdout + check.stderr

    axes = run(
        "manage.py",
        "shell",
        "--no-imports",
        "-c",
        "from committee.models import Axis; print(Axis.objects.count())",
        DATABASE_URL=database_url,
    )
    assert axes.stdout.strip() == "6", axes.stderr
