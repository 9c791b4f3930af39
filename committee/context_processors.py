from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "ACCESSIBILITY_STATUS": settings.ACCESSIBILITY_STATUS,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }


def operator(request):
    """Who runs the portal, for the legal notice and the accessibility statement."""
    contact = settings.ACCESSIBILITY_CONTACT
    return {
        "OPERATOR": {
            "publication_director": settings.PUBLICATION_DIRECTOR,
            "host_lines": [line.strip() for line in settings.HOSTING_PROVIDER.split("|")],
            "contact_email": settings.CONTACT_EMAIL,
            "accessibility_contact": contact,
            "accessibility_contact_is_url": "://" in contact,
        }
    }


# This process's copy of the site configuration per language: (read at, config). Read on
# every page (mourning, notice); the shared cache is asked again after LOCAL_SECONDS, and a
# change saved on this node clears it at once (site_config_changed).
LOCAL_SECONDS = 30
_local: dict[str, tuple[float, object]] = {}


def site_config_changed(**kwargs) -> None:
    """DsfrConfig saved or deleted: forgotten here and in the shared cache."""
    from django.conf import settings
    from django.core.cache import cache

    _local.clear()
    cache.delete_many([f"dsfr:site_config:{code}" for code, _name in settings.LANGUAGES])


def site_config(request):
    """django-dsfr's site configuration, cached per language and read only when used.

    The package's own processor runs two queries on every page, used or not.
    """
    import time

    from django.core.cache import cache
    from django.utils.functional import SimpleLazyObject
    from django.utils.translation import get_language

    language = get_language()

    def load():
        from dsfr.models import DsfrConfig

        known = _local.get(language)
        if known is not None and time.monotonic() - known[0] < LOCAL_SECONDS:
            return known[1] or None
        key = f"dsfr:site_config:{language}"
        config = cache.get(key)
        if config is None:
            config = (
                DsfrConfig.objects.filter(language=language).first()
                or DsfrConfig.objects.first()
                or False
            )
            cache.set(key, config, 300)
        _local[language] = (time.monotonic(), config)
        return config or None

    return {"SITE_CONFIG": SimpleLazyObject(load)}
