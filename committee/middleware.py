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


PRIVATE_PREFIXES = (
    "/espace/",
    "/instruction/",
    "/pilotage/",
    "/compte/",
    "/comptes/",
    "/notifications/",
    "/admin/",
    "/invitation/",
)


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on every private answer: the private areas whoever asks, and
    any page answered to a signed-in person (it carries their name, their notifications…).
    Neither the browser's history nor a shared cache keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(getattr(user, "is_authenticated", False)) or (
            getattr(request, "mfa_pending_user", None) is not None
        )
        if signed_in or request.path_info.startswith(PRIVATE_PREFIXES):
            response.headers["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response
