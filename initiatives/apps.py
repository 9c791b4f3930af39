from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives territoriales")

    def ready(self):
        import initiatives.catalogue.folding  # noqa: F401 - SQLite's accent-folding function
        from initiatives.workflow import TRANSITIONS
        from members.permissions import lifecycle_register

        lifecycle_register(TRANSITIONS.values())  # the states in which each right applies

        from initiatives.notifications import register

        register()  # the kinds of notification of initiatives (members.notifications)

        from referentials.signals import territories_updated

        territories_updated.connect(_follow_territories, dispatch_uid="initiatives-territories")


def _follow_territories(sender, *, territory_ids, **kwargs):
    from initiatives.services import initiatives_follow_territories

    initiatives_follow_territories(territory_ids=territory_ids)
