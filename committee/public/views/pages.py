"""Pages of the portal's skeleton: home, mandatory pages, health check, errors."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from committee.axes import Axis
from committee.public import selectors
from committee.public.views.browse import department_choropleth
from committee.reference import MISSIONS
from members.models import Organisation


@require_GET
def home(request):
    return render(
        request,
        "committee/home.html",
        {
            "axes": Axis.objects.all(),
            "organisations": Organisation.objects.all(),
            "missions": MISSIONS,
            "figures": selectors.key_figures(),
            "latest": selectors.latest_initiatives(),
            "map": department_choropleth(selectors.department_counts(), dom_id="carte-accueil"),
        },
    )


@require_GET
def static_page(request, template_name: str):
    return render(request, template_name)


@never_cache
@require_GET
def healthz(request):
    """Database (and Redis when configured) answer: 200, else 503 with what failed."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - the point is to report any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    else:
        cache.get("healthz")
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _is_api(request) -> bool:
    return request.path.startswith("/api/v1/")


def error_404(request, exception):
    """The 404 page; under the API, its JSON error (an address no route matches)."""
    if _is_api(request):
        return JsonResponse({"detail": gettext("Adresse inconnue de l'API.")}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    """Rendered without context processors: the failure may be the database itself."""
    if _is_api(request):
        return JsonResponse({"detail": gettext("Erreur du serveur.")}, status=500)
    context = {"ACCESSIBILITY_STATUS": settings.ACCESSIBILITY_STATUS}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
