from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "ACCESSIBILITY_STATUS": settings.ACCESSIBILITY_STATUS,
    }


def site_config(request):
    """django-dsfr's site configuration, cached per language and read only when used.

    The package's own processor runs two queries on every page, used or not.
    """
    from django.core.cache import cache
    from django.utils.functional import SimpleLazyObject
    from django.utils.translation import get_language

    language = get_language()

    def load():
        from dsfr.models import DsfrConfig

        key = f"dsfr:site_config:{language}"
        config = cache.get(key)
        if config is None:
            config = (
                DsfrConfig.objects.filter(language=language).first()
                or DsfrConfig.objects.first()
                or False
            )
            cache.set(key, config, 300)
        return config or None

    return {"SITE_CONFIG": SimpleLazyObject(load)}
