"""Daily and weekly digests: what was kept for them, grouped by initiative, once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.notifications import Kinds as InitiativeKinds
from initiatives.services import comment_post, initiative_submit, initiative_transition
from members.models import Notification, NotificationPreference, NotificationSettings
from members.notifications.digests import digests_send
from members.notifications.preferences import mode_for, preference_set, recap_set
from members.notifications.tasks import send_digests
from tests.initiatives.review_support import initiative_in

pytestmark = pytest.mark.django_db

S = Initiative.Status
Mode = NotificationPreference.Mode


def prefer(user, mode, *kinds):
    for kind in kinds:
        preference_set(user=user, kind=kind, mode=mode)


def sections(body: str) -> list[str]:
    """The group headings of a digest's text, in order."""
    return re.findall(r"^■ (.+)$", body, flags=re.MULTILINE)


@pytest.fixture
def two_initiatives(association, people):
    first = initiative_in(S.DRAFT, association, created_by=people["author"], title="Fibre")
    second = initiative_in(S.DRAFT, association, created_by=people["author"], title="Robots")
    return first, second


def test_daily_kinds_wait_for_the_digest_which_groups_them_by_initiative(
    people, two_initiatives, django_capture_on_commit_callbacks
):
    reviewer = people["reviewer"]
    prefer(reviewer, Mode.DAILY, InitiativeKinds.SUBMITTED, InitiativeKinds.COMMENTED)
    first, second = two_initiatives
    with django_capture_on_commit_callbacks(execute=True):
        initiative_submit(initiative=first, by=people["author"])
        initiative_submit(initiative=second, by=people["author"])
        comment_post(initiative=first, author=people["author"], body="Le budget est joint.")
    assert not [m for m in mail.outbox if m.to == [reviewer.email]]  # nothing at once
    assert Notification.objects.filter(recipient=reviewer, channel="in_app").count() == 3
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = digests_send("daily")

    assert result["sent"] == 1  # only the reviewer chose a daily digest
    [message] = mail.outbox
    assert message.to == [reviewer.email]
    assert message.subject == "Votre récapitulatif du comité : 3 notifications"
    assert sections(message.body) == ["Fibre (AMF)", "Robots (AMF)"]
    fibre = message.body.split("■ Fibre")[1].split("■ Robots")[0]
    assert "a soumis « Fibre »" in fibre and "a écrit dans la discussion" in fibre
    assert "Le budget est joint." in fibre
    assert f"/instruction/{first.pk}/" in fibre
    html = message.alternatives[0][0]
    assert html.index(">Fibre</a>") < html.index(">Robots</a>")
    header = message.extra_headers["List-Unsubscribe"]
    assert "/notifications/desabonner/" in header


def test_a_second_run_sends_nothing_more(
    people, two_initiatives, django_capture_on_commit_callbacks
):
    prefer(people["reviewer"], Mode.DAILY, InitiativeKinds.SUBMITTED)
    initiative_submit(initiative=two_initiatives[0], by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.apply(args=["daily"]).get()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.apply(args=["daily"]).get()["sent"] == 0
    assert len([m for m in mail.outbox if m.to == [people["reviewer"].email]]) == 1


def test_a_digest_holds_only_what_happened_since_the_last_one(
    people, two_initiatives, django_capture_on_commit_callbacks
):
    prefer(people["reviewer"], Mode.DAILY, InitiativeKinds.SUBMITTED)
    first, second = two_initiatives
    initiative_submit(initiative=first, by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        digests_send("daily")
    initiative_submit(initiative=second, by=people["author"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        digests_send("daily")

    [message] = [m for m in mail.outbox if m.to == [people["reviewer"].email]]
    assert sections(message.body) == ["Robots (AMF)"]


def test_weekly_and_daily_digests_are_separate(
    people, two_initiatives, django_capture_on_commit_callbacks
):
    prefer(people["reviewer"], Mode.WEEKLY, InitiativeKinds.SUBMITTED)
    initiative_submit(initiative=two_initiatives[0], by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send("daily")["sent"] == 0
        assert digests_send("weekly")["sent"] == 1
    [message] = mail.outbox
    assert "cette semaine" in message.body


def test_at_once_emails_are_recapped_for_those_who_asked(
    people, in_review, django_capture_on_commit_callbacks
):
    author = people["author"]
    recap_set(user=author, recap="daily")
    state = NotificationSettings.objects.get(user=author)
    state.last_daily_digest_at = timezone.now() - timedelta(hours=2)
    state.save()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(
            initiative=in_review, name="request_changes", by=people["reviewer"], comment="Budget ?"
        )
    assert len([m for m in mail.outbox if m.to == [author.email]]) == 1  # at once, as usual
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        digests_send("daily")

    [message] = mail.outbox
    assert message.to == [author.email]
    recap = message.body.split("Pour rappel")[1]
    assert "Classes mobiles à Lyon" in recap and "Budget ?" in recap


def test_without_a_recap_at_once_emails_are_not_repeated(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send("daily")["sent"] == 0
    assert mail.outbox == []


def test_the_digest_link_unsubscribes_from_that_digest(
    people, two_initiatives, django_capture_on_commit_callbacks
):
    reviewer = people["reviewer"]
    prefer(reviewer, Mode.DAILY, InitiativeKinds.SUBMITTED, InitiativeKinds.COMMENTED)
    prefer(reviewer, Mode.WEEKLY, InitiativeKinds.ASSIGNED)
    initiative_submit(initiative=two_initiatives[0], by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        digests_send("daily")
    [message] = mail.outbox
    path = re.search(r"<https?://[^/]+(/[^>]+)>", message.extra_headers["List-Unsubscribe"])

    Client().post(path.group(1))

    assert mode_for(reviewer, InitiativeKinds.SUBMITTED) == Mode.OFF
    assert mode_for(reviewer, InitiativeKinds.COMMENTED) == Mode.OFF
    assert mode_for(reviewer, InitiativeKinds.ASSIGNED) == Mode.WEEKLY


def test_an_inactive_persons_digest_is_dropped(people, two_initiatives):
    prefer(people["reviewer"], Mode.DAILY, InitiativeKinds.SUBMITTED)
    initiative_submit(initiative=two_initiatives[0], by=people["author"])
    people["reviewer"].is_active = False
    people["reviewer"].save()

    assert digests_send("daily")["sent"] == 0
    assert not Notification.objects.filter(
        recipient=people["reviewer"], channel="email", status="pending"
    ).exists()
