"""The demo's emails: links at the address served, and a mailbox page outside production."""

import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse

from tests.test_settings import BASE_DIR, PRODUCTION_ENV, python, strong_secret


@pytest.fixture
def mailbox(settings, tmp_path, db):
    settings.EMAIL_BACKEND = "committee.mailbox.MailboxBackend"
    settings.MAILBOX_DIR = tmp_path / "mailbox"
    return settings.MAILBOX_DIR


def test_the_mailbox_lists_the_emails_sent_with_their_links_clickable(client, mailbox):
    mail.send_mail(
        "Confirmez le suivi de votre recherche",
        "Pour confirmer, ouvrez ce lien :\nhttp://127.0.0.1:8123/suivre/confirmer/abc/\n",
        "portail@example.fr",
        ["lea@example.fr"],
    )
    mail.send_mail("Deuxième", "Sans lien.", "portail@example.fr", ["paul@example.fr"])

    response = client.get(reverse("dev_mailbox"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Deuxième") < page.index("Confirmez le suivi")  # newest first
    assert "lea@example.fr" in page
    assert '<a href="http://127.0.0.1:8123/suivre/confirmer/abc/"' in page
    assert len(list(mailbox.glob("*.eml"))) == 2


def test_an_empty_mailbox_says_so(client, mailbox):
    response = client.get(reverse("dev_mailbox"))

    assert "Aucun courriel envoyé pour le moment." in response.content.decode()


def test_head_answers_like_get(client, mailbox):
    assert client.head(reverse("dev_mailbox")).status_code == 200


def test_the_mailbox_is_never_routed_in_production():
    result = python(
        "from django.urls import resolve, Resolver404\n"
        "from django.conf import settings\n"
        "print('backend', settings.EMAIL_BACKEND)\n"
        "try:\n"
        "    resolve('/dev/courriels/')\n"
        "    print('ROUTED')\n"
        "except Resolver404:\n"
        "    print('NOT ROUTED')\n",
        **PRODUCTION_ENV,
        SECRET_KEY=strong_secret(),
        DEV_MAILBOX="true",
    )

    assert result.returncode == 0, result.stderr
    assert "NOT ROUTED" in result.stdout
    assert "MailboxBackend" not in result.stdout


def test_make_run_gives_the_served_address_to_the_emails_links():
    """`make run HOST=… PORT=…` exports SITE_URL, read by every email's links."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("GNU make is not installed")
    result = subprocess.run(  # noqa: S603 - make with our own arguments
        [
            make,
            "--no-print-directory",
            "--eval",
            "site-url: export SITE_URL = $(DEMO_SITE_URL)\nsite-url: ; @echo $$SITE_URL",
            "site-url",
            "HOST=0.0.0.0",
            "PORT=8123",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )

    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr
