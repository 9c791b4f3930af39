"""Response headers Django has no setting for."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy`: turn off the browser features the portal never uses.

    Camera, microphone, geolocation… stay off even if a script were injected, and no
    embedded third-party content can ask for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class FrenchFirstMiddleware:
    """French unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language; the
    portal is French first, and a choice made on the site (the language cookie) wins.
    Placed just before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
