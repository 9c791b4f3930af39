from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Membres")

    def ready(self):
        from members import ratelimit_cache, signals, tasks  # noqa: F401  (login receiver; tasks)
        from members.notifications import accounts, digests
        from members.notifications import tasks as notification_tasks  # noqa: F401

        accounts.register()  # members' own kinds of notification
        digests.register()
        ratelimit_cache.install()  # logins keep working (degraded limits) when Redis is down
