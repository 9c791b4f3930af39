from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives territoriales")

    def ready(self):
        from .notifications import register

        register()  # who hears of each initiative event (members.notifications)
