from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = _("Gouvernance du comité")

    def ready(self):
        # Every task module of the project registers with every Celery app started in this
        # process (workers embedded in tests and benchmarks too), not only `celery -A
        # committee`, whose autodiscovery only finds `<app>.tasks` (members imports its own).
        from committee.contributions import notifications as contributions
        from committee.contributions import tasks as contribution_tasks  # noqa: F401
        from committee.plan import notifications as plan
        from committee.public import alerts, tasks  # noqa: F401
        from committee.public import notifications as public
        from committee.reports import notifications as reports
        from committee.reports import tasks as report_tasks  # noqa: F401
        from committee.sessions import notifications as sessions
        from committee.sessions import tasks as session_tasks  # noqa: F401
        from committee.steering import computations  # noqa: F401 - plan indicators
        from committee.steering import notifications as steering
        from committee.steering import tasks as steering_tasks  # noqa: F401

        # The kinds of notification of each part (members.notifications.registry).
        for part in (reports, steering, plan, contributions, public, sessions):
            part.register()

        from members.erasure import person_erased

        person_erased.connect(_erase_subscriptions, dispatch_uid="committee-erase-subscriptions")

        from django.db.models.signals import post_delete, post_save
        from dsfr.models import DsfrConfig

        from committee.context_processors import site_config_changed

        for signal in (post_save, post_delete):
            signal.connect(site_config_changed, sender=DsfrConfig, dispatch_uid="site-config")


def _erase_subscriptions(sender, *, former_email, **kwargs):
    """An erased person's search subscriptions (their address) go with them."""
    from committee.public.models import SearchSubscription

    SearchSubscription.objects.filter(email__iexact=former_email).delete()
