"""French plurals: 0 and 1 take the singular ("0 notification non lue"), through the French
catalogue (locale/fr, `make messages-fr`); the English version keeps its own rule ("0 unread
notifications"). Without the catalogue, gettext falls back to the English rule in French."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests import factories as f

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(content))


def test_the_catalogue_carries_the_french_plural_rule():
    catalogue = CATALOGUE.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in catalogue
    assert "#, fuzzy" not in catalogue  # a fuzzy header would be left out of the .mo
    with translation.override("fr"):
        assert [
            translation.ngettext("%(counter)s notification non lue.", "%(counter)s … lues.", n)
            for n in (0, 1, 2)
        ] == [
            "%(counter)s notification non lue.",
            "%(counter)s notification non lue.",
            "%(counter)s notifications non lues.",
        ]
    with translation.override("en"):
        assert translation.ngettext(
            "%(counter)s notification non lue.", "%(counter)s notifications non lues.", 0
        ) == ("%(counter)s unread notifications.")


@pytest.mark.django_db
def test_no_unread_notification_is_said_in_the_singular(client):
    client.force_login(f.UserFactory())
    assert "0 notification non lue." in text_of(client.get("/notifications/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "0 unread notifications." in text_of(client.get("/notifications/"))


@pytest.mark.django_db
def test_no_submission_waiting_is_said_in_the_singular_in_the_header(reviewer_with_mfa):
    client = Client()
    client.force_login(reviewer_with_mfa)
    assert "Instruction 0 soumission en attente de vous" in text_of(
        client.get("/mentions-legales/")
    )


@pytest.mark.django_db
def test_no_partner_report_to_review_is_said_in_the_singular(secretariat_with_mfa):
    client = Client()
    client.force_login(secretariat_with_mfa)
    assert "0 compte rendu à examiner" in text_of(client.get("/pilotage/plan/"))


@pytest.mark.django_db
def test_an_association_without_initiatives_is_not_told_it_has_one(client, contributor):
    client.force_login(contributor)
    page = text_of(client.get("/espace/"))
    assert "Les initiatives de mon association" in page
    assert "Une initiative de mon association" not in page


@pytest.mark.django_db
def test_the_territory_suggestions_are_announced_with_real_plurals(client):
    page = client.get("/territoires/").content.decode()
    how_to = "Flèches haut et bas pour parcourir, Entrée pour choisir."
    assert f'data-msg-result="%s territoire proposé. {how_to}"' in html.unescape(page)
    assert f'data-msg-results="%s territoires proposés. {how_to}"' in html.unescape(page)
    assert "(s)" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html.unescape(client.get("/territoires/").content.decode())
    assert 'data-msg-result="%s territory suggested.' in page
    assert 'data-msg-results="%s territories suggested.' in page


def test_the_plan_import_summary_counts_in_french():
    from types import SimpleNamespace

    from committee.plan.views.actions import _import_summary

    result = SimpleNamespace(
        created=[1], updated=[1, 2], unchanged=[], milestones_created=3, milestones_updated=1
    )
    with translation.override("fr"):
        assert _import_summary(result) == (
            "Import réussi : 1 action créée, 2 modifiées, 0 inchangée ; 3 jalons créés, 1 modifié."
        )
    with translation.override("en"):
        assert _import_summary(result) == (
            "Import successful: 1 action created, 2 updated, 0 unchanged; "
            "3 milestones created, 1 updated."
        )


@pytest.mark.django_db
def test_the_digest_says_one_day_late_and_one_more_in_the_singular():
    import datetime

    from django.utils import timezone

    from committee.plan.models import Action
    from committee.steering import digest

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for number in range(digest.LISTED + 1):
        f.ActionFactory(code=f"A{number}", status=Action.Status.IN_PROGRESS, due_date=yesterday)
    with translation.override("fr"):
        _subject, body = digest.digest_email(digest.digest_content())
    assert "(1 jour de retard)" in body and "jours de retard" not in body
    assert "  … et 1 autre." in body
