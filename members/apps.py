from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Membres")

    def ready(self):
        from members import ratelimit_cache, signals  # noqa: F401  (connects the login receiver)

        ratelimit_cache.install()  # logins keep working (degraded limits) when Redis is down
