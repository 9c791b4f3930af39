"""Steering tasks: the officials' weekly digest, the statistics kept warm."""

from celery import shared_task

from committee.steering import digest, statistics


@shared_task(name="committee.steering.tasks.send_weekly_digest", acks_late=True)
def send_weekly_digest() -> dict[str, int]:
    """Monday morning: the officials' digest, at most once per official and week."""
    return digest.digest_send()


@shared_task(name="committee.steering.tasks.warm_statistics", ignore_result=True)
def warm_statistics() -> None:
    """Every minute: the figures of /pilotage/ without criteria, computed ahead of readers."""
    statistics.statistics_warm()
