from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = _("Gouvernance du comité")

    def ready(self):
        # The notification tasks are known to every Celery app started in this process
        # (workers embedded in tests and benchmarks too), not only to `celery -A committee`.
        import members.tasks  # noqa: F401
        from committee import alerts  # noqa: F401  (registers the search alerts' task)
        from committee.notifications import register

        register()  # who hears of the committee's events (members.notifications)
