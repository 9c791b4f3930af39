from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = _("Gouvernance du comité")

    def ready(self):
        # Every task module of the project registers with every Celery app started in this
        # process (workers embedded in tests and benchmarks too), not only `celery -A
        # committee`, whose autodiscovery only finds `<app>.tasks`.
        import members.tasks  # noqa: F401
        from committee.public import alerts, tasks  # noqa: F401
        from committee.reports import tasks as report_tasks  # noqa: F401
        from committee.reports.notifications import register
        from committee.steering import tasks as steering_tasks  # noqa: F401

        register()  # who hears of the committee's events (members.notifications)
        from committee.sessions import tasks as session_tasks  # noqa: F401
        from committee.sessions.notifications import register as register_sessions

        register_sessions()
        from committee.contributions.notifications import register as register_contributions

        register_contributions()
