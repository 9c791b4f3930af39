"""Benchmark: how fast one Celery worker delivers notification emails.

`bench_notifications(count=1000)` writes `count` pending email notifications, queues them on
the real broker as the fan-out does (one task per 20 notifications, one mail-server connection
each) (REDIS_URL, else redis://127.0.0.1:6379/13) and has one embedded worker
(a thread, solo pool, the project's task settings: acks late, prefetch 1) deliver them
through the local-memory email backend; then it deletes what it wrote. The target is
1,000 deliveries in at most 20 seconds.

It commits for real (the worker reads the rows from its own connection): run it on a
test or throwaway database, e.g. from `make bench`.
"""

from __future__ import annotations

import logging
import os
import time
import uuid

import redis
from celery import Celery, current_app
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test.utils import override_settings

from members.models import Notification, User
from members.notifications.accounts import Kinds
from members.notifications.delivery import enqueue  # its module defines the delivery tasks

TARGET_SECONDS = 20.0


def bench_notifications(count: int = 1000, *, broker_url: str | None = None) -> dict:
    """Deliver `count` notifications with one worker; returns timings in seconds."""
    broker_url = broker_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    queue = f"cnpe-bench-notifications-{uuid.uuid4().hex}"
    app = Celery(
        "notifications-bench",
        task_cls="celery.contrib.django.task:DjangoTask",
        set_as_current=False,
    )
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
    )
    # The app current when called (the project's): made current again afterwards.
    previous_app = current_app._get_current_object()
    tag = uuid.uuid4().hex[:12]
    quiet = [logging.getLogger(name) for name in ("celery.app.trace", "celery.worker.strategy")]
    previous_levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)  # not one log line per task
    user = User.objects.create_user(email=f"bench-{tag}@example.org", is_active=True)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SITE_URL=getattr(settings, "SITE_URL", "http://127.0.0.1:8000"),
        ):
            mail.outbox = []
            started = time.perf_counter()
            rows = Notification.objects.bulk_create(
                Notification(
                    recipient=user,
                    kind=Kinds.SECURITY,
                    channel=Notification.Channel.EMAIL,
                    status=Notification.Status.PENDING,
                    delivery_key=f"bench:{tag}:{n}",
                    data={"text": f"Message de mesure n° {n}."},
                )
                for n in range(count)
            )
            written = time.perf_counter() - started
            app.set_current()
            app.set_default()
            try:
                with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
                    started = time.perf_counter()
                    # As the fan-out does: a task per DELIVERY_BATCH notifications.
                    enqueue([row.pk for row in rows])
                    queued = time.perf_counter() - started
                    sent = Notification.objects.filter(
                        delivery_key__startswith=f"bench:{tag}:",
                        status=Notification.Status.SENT,
                    )
                    deadline = started + TARGET_SECONDS * 3
                    done = 0
                    while time.perf_counter() < deadline:
                        done = sent.count()
                        if done >= count:
                            break
                        time.sleep(0.05)
                    delivered = time.perf_counter() - started
            finally:
                previous_app.set_current()
                previous_app.set_default()
            emails = len(mail.outbox)
            mail.outbox = []
    finally:
        for logger, level in zip(quiet, previous_levels, strict=True):
            logger.setLevel(level)
        Notification.objects.filter(delivery_key__startswith=f"bench:{tag}:").delete()
        user.delete()
        redis.Redis.from_url(broker_url).delete(queue, f"_kombu.binding.{queue}")
        app.close()
        connections.close_all()
    return {
        "count": count,
        "delivered": done,
        "emails": emails,
        "write_seconds": round(written, 3),
        "enqueue_seconds": round(queued, 3),
        "delivery_seconds": round(delivered, 3),
        "per_second": round(done / delivered, 1) if delivered else 0.0,
        "target_seconds": TARGET_SECONDS,
        "ok": done == count and emails == count and delivered <= TARGET_SECONDS,
    }
