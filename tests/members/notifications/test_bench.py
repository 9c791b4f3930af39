"""The notification benchmark (run in full by `make bench`) works, on a small count."""

import pytest

from members.models import Notification, User
from members.notifications_bench import bench_notifications


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_benchmark_delivers_every_notification_with_one_worker_and_cleans_up():
    result = bench_notifications(count=100)

    assert result["delivered"] == 100 and result["emails"] == 100
    assert result["delivery_seconds"] < 20
    assert not Notification.objects.exists() and not User.objects.exists()
