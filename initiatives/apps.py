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
        from members.erasure import person_erased

        person_erased.connect(_erase_contact, dispatch_uid="initiatives-erase-contact")

        from django.core.signals import request_finished, request_started

        from initiatives.selectors import request_memo_end, request_memo_start

        request_started.connect(request_memo_start, dispatch_uid="initiatives-version-memo")
        request_finished.connect(request_memo_end, dispatch_uid="initiatives-version-memo")


def _erase_contact(sender, *, former_email, **kwargs):
    """An erased person who was an initiative's contact: the contact details go, in the
    initiative and in its history (the initiative itself, its association's, stays)."""
    from initiatives.models import Initiative

    blank = {"contact_name": "", "contact_email": "", "contact_phone": "", "contact_consent": False}
    Initiative.objects.filter(contact_email__iexact=former_email).update(**blank)
    Initiative.history.filter(contact_email__iexact=former_email).update(**blank)


def _follow_territories(sender, *, territory_ids, **kwargs):
    from initiatives.services import initiatives_follow_territories

    initiatives_follow_territories(territory_ids=territory_ids)
