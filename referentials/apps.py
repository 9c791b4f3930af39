from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentialsConfig(AppConfig):
    name = "referentials"
    verbose_name = _("Territoires et référentiels")
