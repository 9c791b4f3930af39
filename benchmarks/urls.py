"""URLs of `python -m benchmarks bench`: the portal's own, plus a trivial view as the baseline.

Only the bench uses this module (through `override_settings(ROOT_URLCONF=…)`): the trivial
view goes through the same middleware as every page, so its time is the floor every
scenario is compared to.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from committee import urls as portal_urls


@require_GET
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/trivial", trivial, name="bench_trivial"), *portal_urls.urlpatterns]

handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
