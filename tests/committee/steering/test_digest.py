"""The officials' weekly digest: content, one email per official, once per week."""

import datetime

import pytest
from django.utils import timezone

from committee.plan.models import Action
from committee.steering import digest
from committee.steering.models import DigestDelivery
from initiatives.models import Status as S
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def week(association, contributor):
    """A new submission, one waiting 20 days, one waiting 3 days, a late action."""
    now = timezone.now()
    f.InitiativeFactory(
        title="Tablettes au collège Jean-Moulin",
        lead_organisation=association,
        status=S.SUBMITTED,
        submitted_at=now - 2 * DAY,
    )
    f.InitiativeFactory(
        title="Fibre pour les écoles du plateau",
        lead_organisation=association,
        status=S.IN_REVIEW,
        submitted_at=now - 20 * DAY,
    )
    f.InitiativeFactory(
        title="Déjà publiée",
        lead_organisation=association,
        status=S.PUBLISHED,
        submitted_at=now - 30 * DAY,
    )
    f.InitiativeFactory(title="Brouillon", lead_organisation=association, status=S.DRAFT)
    action = f.ActionFactory(
        code="A7",
        title="Former les référents numériques",
        status=Action.Status.IN_PROGRESS,
        due_date=timezone.localdate() - 12 * DAY,
    )
    f.MilestoneFactory(action=action, title="Plan de formation validé", due_date=action.due_date)
    return now


def send(capture, **kwargs):
    with capture(execute=True):
        return digest.digest_send(**kwargs)


def test_digest_content(week):
    content = digest.digest_content(now=week)
    assert [i.title for i in content.submitted] == ["Tablettes au collège Jean-Moulin"]
    assert [(i.title, days) for i, days in content.waiting] == [
        ("Fibre pour les écoles du plateau", 20)
    ]
    assert [row["code"] for row in content.late_actions["rows"]] == ["A7"]
    assert content.late_milestones["count"] == 1


def test_waiting_threshold_is_a_setting(week, settings):
    settings.REVIEW_WAITING_DAYS = 1
    titles = {i.title for i, _days in digest.digest_content(now=week).waiting}
    assert titles == {"Tablettes au collège Jean-Moulin", "Fibre pour les écoles du plateau"}


def test_one_email_per_official(
    week, reviewer_with_mfa, secretariat_with_mfa, other_reviewer_with_mfa, contributor, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    result = send(django_capture_on_commit_callbacks, now=week)
    assert result == {"sent": 3, "skipped": 0}
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted(
        [reviewer_with_mfa.email, secretariat_with_mfa.email, other_reviewer_with_mfa.email]
    )
    assert contributor.email not in recipients
    body = mailoutbox[0].body
    assert "Tablettes au collège Jean-Moulin" in body
    assert "Fibre pour les écoles du plateau — 20 jours" in body
    assert "A7 Former les référents numériques" in body
    assert "Plan de formation validé" in body
    assert "/instruction/" in body and "/pilotage/" in body
    assert mailoutbox[0].subject.startswith("Point hebdomadaire du comité")


def test_running_twice_sends_once(
    week, reviewer_with_mfa, secretariat_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks, now=week)
    again = send(django_capture_on_commit_callbacks, now=week + datetime.timedelta(hours=1))
    assert again == {"sent": 0, "skipped": 2}
    assert len(mailoutbox) == 2
    assert DigestDelivery.objects.count() == 2


def test_the_task_is_idempotent(
    week, reviewer_with_mfa, secretariat_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    from committee.steering.tasks import send_weekly_digest

    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digest.apply()
        send_weekly_digest.apply()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [reviewer_with_mfa.email, secretariat_with_mfa.email]
    )


def test_next_week_sends_again(
    week, reviewer_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks, now=week)
    send(django_capture_on_commit_callbacks, now=week + 7 * DAY)
    assert len(mailoutbox) == 2
    weeks = sorted(DigestDelivery.objects.values_list("week", flat=True))
    assert weeks[1] - weeks[0] == 7 * DAY and weeks[0].weekday() == 0


def test_nothing_to_tell_sends_nothing(
    reviewer_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    assert send(django_capture_on_commit_callbacks) == {"sent": 0, "skipped": 0}
    assert mailoutbox == []


def test_inactive_officials_get_no_digest(
    week, reviewer_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer_with_mfa.is_active = False
    reviewer_with_mfa.save()
    send(django_capture_on_commit_callbacks, now=week)
    assert mailoutbox == []


def test_delivery_key_is_the_monday_of_the_week():
    wednesday = timezone.make_aware(datetime.datetime(2025, 11, 26, 9))
    assert digest.week_of(wednesday) == datetime.date(2025, 11, 24)


def test_an_official_who_turned_the_digest_off_gets_none(
    week, reviewer_with_mfa, secretariat_with_mfa, mailoutbox, django_capture_on_commit_callbacks
):
    from members.models import NotificationPreference

    NotificationPreference.objects.create(
        user=reviewer_with_mfa, kind="weekly_digest", mode=NotificationPreference.Mode.OFF
    )
    send(django_capture_on_commit_callbacks, now=week)
    assert [m.to for m in mailoutbox] == [[secretariat_with_mfa.email]]
