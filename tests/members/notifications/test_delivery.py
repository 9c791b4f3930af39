"""Delivering notification emails: once, retried on SMTP errors, swept when lost, stopped for
addresses that keep failing; and the operators' tools (command, admin)."""

import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from initiatives.models import Initiative
from initiatives.services import initiative_submit, initiative_transition
from members.models import FailingAddress, Notification
from members.notifications.accounts import Kinds
from members.notifications.delivery import (
    DELIVERY_TIME_LIMIT,
    TransientDeliveryError,
    backoff,
    deliver,
    deliver_many,
    deliver_notification,
    deliver_notifications,
    undelivered,
    undelivered_sweep,
)
from members.notifications.outbox import notification_queue
from members.notifications.tasks import sweep_undelivered
from tests import factories as f
from tests.mfa import give_totp

from .celery_support import SHARED_BROKER, celery_app, embedded_worker, wait_until
from .email_backends import ScriptedBackend

S = Initiative.Status
Status = Notification.Status
SCRIPTED = "tests.members.notifications.email_backends.ScriptedBackend"


def email_rows(**filters):
    return Notification.objects.filter(channel=Notification.Channel.EMAIL, **filters)


@pytest.fixture
def one_email(people):
    """One pending email notification (as a submission writes it), not yet delivered."""

    def make(user=None, **fields):
        return notification_queue(
            kind=Kinds.SECURITY,
            user=user or people["admin"],
            delivery_key=f"test:{timezone.now().timestamp()}:{Notification.objects.count()}",
            data={"text": "Un message de test."},
            **fields,
        )

    return make


@pytest.fixture
def scripted(settings):
    settings.EMAIL_BACKEND = SCRIPTED
    ScriptedBackend.reset()
    return ScriptedBackend


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.2
    return settings


# --- once ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_run_twice_sends_once(one_email):
    notification = one_email()

    first = deliver_notification.apply(args=[notification.pk]).get()
    second = deliver_notification.apply(args=[notification.pk]).get()

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 1
    assert notification.sent_at is not None


@pytest.mark.django_db
def test_a_delivery_held_by_another_run_is_left_alone_until_its_lease_runs_out(one_email):
    notification = one_email()
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING, lease_expires_at=timezone.now() + timedelta(seconds=60)
    )
    assert deliver(notification.pk) == "skipped"
    assert mail.outbox == []

    # The run holding it died: once its lease is over, the next run sends it.
    Notification.objects.filter(pk=notification.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver(notification.pk) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_message_id_is_the_same_on_every_attempt(one_email, scripted):
    scripted.reset([smtplib.SMTPServerDisconnected("coupé")])
    notification = one_email()
    with pytest.raises(TransientDeliveryError):
        deliver(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert deliver(notification.pk) == "sent"
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"


@pytest.mark.django_db
def test_a_batch_shares_one_connection_and_one_failure_does_not_stop_the_others(
    one_email, scripted
):
    rows = [one_email() for _ in range(3)]
    scripted.reset([smtplib.SMTPServerDisconnected("coupé")])

    outcomes, retries = deliver_many([row.pk for row in rows])

    assert outcomes == {"skipped": 0, "retry": 1, "sent": 2}
    assert list(retries) == [rows[0].pk]
    assert len(mail.outbox) == 2
    assert scripted.connections == 1
    assert deliver_many([row.pk for row in rows])[0] == {"skipped": 3}  # nothing twice


@pytest.mark.django_db
def test_a_batch_out_of_time_gives_back_what_it_has_not_sent(one_email, scripted):
    from celery.exceptions import SoftTimeLimitExceeded

    rows = [one_email() for _ in range(3)]
    scripted.reset([SoftTimeLimitExceeded()])

    outcomes, retries = deliver_many([row.pk for row in rows])

    assert sorted(retries) == [row.pk for row in rows]
    assert mail.outbox == []
    assert set(email_rows().values_list("status", flat=True)) == {Status.PENDING}
    assert deliver_many([row.pk for row in rows])[0] == {"skipped": 0, "sent": 3}


# --- SMTP failures ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_transient_smtp_error_puts_the_email_back_with_a_growing_delay(
    one_email, scripted, settings
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    scripted.reset([smtplib.SMTPServerDisconnected("coupé")] * 2)
    notification = one_email()

    with pytest.raises(TransientDeliveryError) as first:
        deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.PENDING and notification.attempts == 1
    assert "SMTPServerDisconnected" in notification.last_error
    assert first.value.countdown == 60
    assert deliver(notification.pk) == "skipped"  # not before its time

    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(TransientDeliveryError) as second:
        deliver(notification.pk)
    assert second.value.countdown == 120

    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert deliver(notification.pk) == "sent"
    assert len(mail.outbox) == 1 and scripted.calls == 3


@pytest.mark.django_db
def test_retry_delays_stay_below_the_brokers_visibility_timeout(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    delays = [backoff(n) for n in range(1, settings.NOTIFICATION_MAX_ATTEMPTS + 1)]
    assert max(delays) < visibility
    assert DELIVERY_TIME_LIMIT < settings.NOTIFICATION_LEASE_SECONDS < visibility


@pytest.mark.django_db
def test_after_the_last_attempt_the_email_is_failed_and_the_address_is_not_blamed(
    one_email, scripted, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    scripted.reset([ConnectionRefusedError("pas de serveur")] * 5)
    notification = one_email()
    with pytest.raises(TransientDeliveryError):
        deliver(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())

    assert deliver(notification.pk) == "failed"

    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 2
    assert not FailingAddress.objects.exists()  # our server was down, not their mailbox


@pytest.mark.django_db
def test_an_address_refused_for_good_is_marked_and_never_tried_again(people, one_email, scripted):
    address = people["admin"].email
    scripted.reset([smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 User unknown")})])
    notification = one_email()

    assert deliver(notification.pk) == "dead"

    notification.refresh_from_db()
    assert notification.status == Status.DEAD and notification.attempts == 1
    failing = FailingAddress.objects.get(email=address)
    assert failing.blocked_at is not None and "User unknown" in failing.last_error

    later = one_email()
    assert deliver(later.pk) == "dead"
    assert scripted.calls == 1  # the server was not asked again
    later.refresh_from_db()
    assert later.status == Status.DEAD and "Adresse en échec" in later.last_error


@pytest.mark.django_db
def test_an_address_failing_again_and_again_is_blocked_after_three_refusals(
    people, one_email, scripted
):
    full = smtplib.SMTPDataError(552, b"Mailbox full")
    scripted.reset([full, full, full])
    for _ in range(3):
        assert deliver(one_email().pk) == "failed"
    assert FailingAddress.objects.get(email=people["admin"].email).blocked_at is not None
    assert deliver(one_email().pk) == "dead"
    assert scripted.calls == 3


@pytest.mark.django_db
def test_a_temporary_refusal_of_the_recipient_is_retried(people, one_email, scripted):
    address = people["admin"].email
    scripted.reset([smtplib.SMTPRecipientsRefused({address: (451, b"Greylisted")})])
    with pytest.raises(TransientDeliveryError):
        deliver(one_email().pk)
    assert not FailingAddress.objects.exists()


@pytest.mark.django_db
def test_a_recipient_gone_inactive_is_not_written_to(people, one_email):
    notification = one_email()
    people["admin"].is_active = False
    people["admin"].save()
    assert deliver(notification.pk) == "cancelled"
    assert mail.outbox == []


# --- nothing reaches the user's request; the sweep sends what was left ----------------------


@pytest.mark.django_db
def test_a_broker_outage_never_fails_the_request_and_the_sweep_sends_later(
    people, draft, signed_in, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    real_apply_async = deliver_notifications.apply_async

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(deliver_notifications, "apply_async", broker_down)
    client = signed_in(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workspace:initiative_submit", kwargs={"pk": draft.pk}))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert mail.outbox == []
    assert email_rows(status=Status.PENDING).count() == 4
    assert "left for the sweep" in caplog.text

    monkeypatch.setattr(deliver_notifications, "apply_async", real_apply_async)
    assert undelivered_sweep()["found"] == 0  # too recent: maybe still on its way
    result = undelivered_sweep(older_than=timedelta(0))
    assert result == {"found": 4, "queued": 4}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        people[name].email for name in ("admin", "reviewer", "colleague", "secretariat")
    )
    assert not email_rows().exclude(status=Status.SENT).exists()


@pytest.mark.django_db
def test_the_sweep_finds_lost_messages_lost_retries_and_dead_workers_only(one_email):
    now = timezone.now()
    old = now - timedelta(hours=1)
    lost = one_email()
    retry_lost = one_email()
    retry_waiting = one_email()
    dead_worker = one_email()
    busy = one_email()
    fresh = one_email()
    held = one_email()
    Notification.objects.filter(pk__in=[lost.pk, retry_lost.pk, retry_waiting.pk]).update(
        created_at=old
    )
    Notification.objects.filter(pk=retry_lost.pk).update(next_attempt_at=old)
    Notification.objects.filter(pk=retry_waiting.pk).update(
        next_attempt_at=now + timedelta(minutes=5)
    )
    Notification.objects.filter(pk=dead_worker.pk).update(
        status=Status.SENDING, lease_expires_at=now - timedelta(seconds=1)
    )
    Notification.objects.filter(pk=busy.pk).update(
        status=Status.SENDING, lease_expires_at=now + timedelta(minutes=1)
    )
    Notification.objects.filter(pk=held.pk).update(created_at=old, digest="daily")

    found = set(undelivered(now).values_list("pk", flat=True))

    assert found == {lost.pk, retry_lost.pk, dead_worker.pk}
    assert fresh.pk not in found


@pytest.mark.django_db
def test_the_sweep_task_queues_again(one_email):
    notification = one_email()
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert sweep_undelivered.apply().get() == {"found": 1, "queued": 1}
    assert len(mail.outbox) == 1


# --- a real worker on the real Redis ------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_submission_once_to_each_recipient(people, draft):
    with celery_app(SHARED_BROKER) as app, embedded_worker(app):
        initiative_submit(initiative=draft, by=people["author"])
        wait_until(lambda: app.results, timeout=30, what="the delivery task")

    assert app.results == [{"skipped": 0, "sent": 4}]  # one task, one mail connection
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        people[name].email for name in ("admin", "reviewer", "colleague", "secretariat")
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_once_a_task_sent_twice(one_email):
    with celery_app(SHARED_BROKER) as app, embedded_worker(app):
        notification = one_email()  # queued once written, then twice more
        deliver_notification.delay(notification.pk)
        deliver_notification.delay(notification.pk)
        wait_until(lambda: len(app.results) >= 3, timeout=30, what="3 runs")

    sends = [r for r in app.results if r == "sent" or (isinstance(r, dict) and r.get("sent"))]
    assert len(app.results) == 3 and len(sends) == 1  # three runs, one sending
    assert len(mail.outbox) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_failing_then_recovering_delivers_once_through_real_retries(
    people, in_review, scripted, fast_retries
):
    scripted.reset([smtplib.SMTPServerDisconnected("Connection unexpectedly closed")] * 2)
    with celery_app(SHARED_BROKER) as app, embedded_worker(app):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
        wait_until(lambda: email_rows(status=Status.SENT).count() == 2, timeout=30, what="2 sent")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["author"].email, people["admin"].email]
    )
    # Two sendings failed and were tried again: four attempts in all, two emails.
    assert sum(email_rows().values_list("attempts", flat=True)) == 4
    assert scripted.calls == 4


# --- operations ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_command_lists_and_resends_failed_emails(one_email):
    failed = one_email()
    Notification.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=6, last_error="SMTPServerDisconnected: coupé"
    )
    pending = one_email()
    out = StringIO()
    call_command("notifications_status", stdout=out)
    report = out.getvalue()
    assert "échec (abandon après plusieurs essais) 1" in report.lower()
    assert f"{failed.pk}\tfailed\t6\tsecurity" in report
    assert f"{pending.pk}\tpending" in report

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, **kw: func())
        call_command("notifications_status", "--resend-failed", stdout=StringIO())
    failed.refresh_from_db()
    assert failed.status == Status.SENT and failed.attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_status_command_resends_one_notification(one_email, django_capture_on_commit_callbacks):
    notification = one_email()
    Notification.objects.filter(pk=notification.pk).update(status=Status.DEAD)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_status", "--resend", str(notification.pk), stdout=StringIO())
    notification.refresh_from_db()
    assert notification.status == Status.SENT


@pytest.mark.django_db
def test_the_admin_lists_undelivered_emails_and_resends_them(
    client, one_email, django_capture_on_commit_callbacks
):
    operator = f.UserFactory(is_staff=True, is_superuser=True)
    give_totp(operator)
    client.force_login(operator)
    failed = one_email()
    Notification.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, last_error="SMTPServerDisconnected"
    )
    url = reverse("admin:members_notification_changelist")

    page = client.get(url, {"livraison": "problems"})
    assert page.status_code == 200
    assert "SMTPServerDisconnected" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "resend", "_selected_action": [failed.pk]}, follow=True
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == Status.SENT
