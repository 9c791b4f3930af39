"""Fault injection: a worker killed in the middle of sending, Redis stopped during a
submission. Each test runs its own redis-server on a free port (and its own worker
processes): the machine's shared Redis and PostgreSQL are never touched.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from members.models import Notification
from members.notifications.accounts import Kinds
from members.notifications.delivery import undelivered_sweep
from members.notifications.outbox import notification_queue

from .celery_support import RedisServer, WorkerProcess, celery_app, embedded_worker, wait_until

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Status = Notification.Status
LEASE_SECONDS = 3


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def sent_files(outbox):
    return sorted(outbox.glob("sent-*.eml"))


def test_a_worker_killed_while_sending_delivers_exactly_once_after_a_new_worker_starts(
    people, redis_server, tmp_path
):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    block = tmp_path / "block"
    block.write_text("the mail server hangs")
    env = {
        "NOTIFICATION_TEST_OUTBOX": str(outbox),
        "NOTIFICATION_TEST_BLOCK": str(block),
        "NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    queue = f"cnpe-fault-{uuid.uuid4().hex}"

    def worker(name):
        return WorkerProcess(
            broker_url=redis_server.url,
            queue=queue,
            name=name,
            env=env,
            log=tmp_path / f"{name}.log",
        )

    first, second = worker("premier"), worker("second")
    try:
        with celery_app(redis_server.url, queue=queue):
            first.start()
            notification = notification_queue(
                kind=Kinds.SECURITY,
                user=people["admin"],
                delivery_key="fault:kill",
                data={"text": "Votre mot de passe a changé."},
            )
            wait_until(
                lambda: (outbox / "started").exists(),
                timeout=40,
                what="the first worker to start sending",
            )
            notification.refresh_from_db()
            assert notification.status == Status.SENDING

            first.kill()  # SIGKILL, main process and pool, in the middle of sending
            block.unlink()
            assert sent_files(outbox) == []

            second.start()
            second.wait_ready()
            wait_until(
                lambda: timezone.now() > notification.lease_expires_at,
                timeout=LEASE_SECONDS + 5,
                what="the dead worker's lease to run out",
            )
            # The broker keeps the killed run's message until its visibility timeout (hours):
            # the periodic sweep is what sends it again.
            assert undelivered_sweep(older_than=timedelta(0))["queued"] == 1
            wait_until(
                lambda: Notification.objects.get(pk=notification.pk).status == Status.SENT,
                timeout=30,
                what="the second worker to deliver",
            )
            time.sleep(1)  # anything sent twice would show up now
    finally:
        first.kill()
        second.stop()

    assert len(sent_files(outbox)) == 1, (tmp_path / "second.log").read_text()
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert people["admin"].email in sent_files(outbox)[0].read_text()


def test_redis_stopped_during_a_submission_the_submission_succeeds_and_mail_follows(
    people, draft, signed_in, redis_server, caplog
):
    client = signed_in(people["author"])
    with celery_app(redis_server.url) as app:
        redis_server.stop()

        started = time.monotonic()
        response = client.post(reverse("workspace:initiative_submit", kwargs={"pk": draft.pk}))
        elapsed = time.monotonic() - started

        assert response.status_code == 302
        assert elapsed < 10
        draft.refresh_from_db()
        assert draft.status == Initiative.Status.SUBMITTED
        undelivered = Notification.objects.filter(channel="email", status=Status.PENDING)
        assert undelivered.count() == 4
        assert mail.outbox == []
        assert "left for the sweep" in caplog.text

        redis_server.start()  # Redis is back, on the same port
        with embedded_worker(app):
            assert undelivered_sweep(older_than=timedelta(0))["queued"] == 4
            wait_until(lambda: len(mail.outbox) >= 4, timeout=30, what="4 emails")
            time.sleep(0.5)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        people[name].email for name in ("admin", "reviewer", "colleague", "secretariat")
    )
    assert not Notification.objects.filter(channel="email").exclude(status=Status.SENT).exists()
