"""The portal's own 400 page, and requests refused before anything reads their body.

Django's default 400 view re-reads `request.POST`: a form POST declaring a charset Python
cannot decode (or one that fails to decode) raised again there and ended in a 500. Here the
400 page never touches the body, and `FormCharsetMiddleware` refuses form bodies in any
charset but UTF-8 before the CSRF check reads them: the portal's pages are UTF-8, so its
forms are always sent that way.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
ACCEPTED_CHARSETS = frozenset({"", "utf-8", "utf8"})


def bad_request_response(request, reason: str = "") -> HttpResponseBadRequest:
    """The French 400 page (JSON under the API), rendered without reading the request."""
    if request.path.startswith("/api/"):
        detail = reason or gettext("Requête incorrecte.")
        return JsonResponse({"detail": detail}, status=400)
    context = {"ACCESSIBILITY_STATUS": settings.ACCESSIBILITY_STATUS, "reason": reason}
    html = loader.get_template("400.html").render(context)
    return HttpResponseBadRequest(html, content_type="text/html; charset=utf-8")


def error_400(request, exception=None):
    return bad_request_response(request)


def declared_charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


class FormCharsetMiddleware:
    """Form bodies in UTF-8 only; anything else gets the French 400 page, nothing changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.lower().startswith(FORM_TYPES) and (
            declared_charset(content_type) not in ACCEPTED_CHARSETS
        ):
            return bad_request_response(
                request,
                gettext("Le formulaire doit être envoyé en UTF-8, comme le portail l'affiche."),
            )
        return self.get_response(request)
