"""Public pages kept warm in the cache."""

from celery import shared_task

from committee.public import selectors


# Both limits on the task: a hard limit alone below the global soft limit (840 s) makes
# Celery refuse every call (soft > hard), and beat would never run it.
@shared_task(
    name="committee.public.tasks.warm_public_pages",
    ignore_result=True,
    soft_time_limit=100,
    time_limit=120,
)
def warm_public_pages() -> None:
    """Every minute: what the home page, the map and the catalogue without criteria read
    from the cache, computed again if a publication made it stale (else a few reads)."""
    from initiatives.catalogue.selectors import catalogue_warm

    catalogue_warm()
    selectors.key_figures()
    selectors.department_counts(use_bitmaps=False)  # no index in the worker
