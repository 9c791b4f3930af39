"""`HEAD` answers like `GET` on every page, and the site's favicon.

Most views are decorated `require_GET` (or accept GET and POST), which answers 405 to `HEAD`:
link checkers, monitoring and some crawlers then see every page as broken. Rather than
repeating `require_safe` on each view, this middleware serves a `HEAD` request as the `GET`
it stands for and drops the body (RFC 9110 §9.3.2): same status, same headers.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = "dsfr/dist/favicon/favicon.ico"


class HeadAsGetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.META["REQUEST_METHOD"] = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
            request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            # Never started, the generator reads nothing; files are closed with the
            # response, by the server.
            response.streaming_content = []
        else:
            length = len(response.content)
            response.content = b""
            if "Content-Length" in response:
                response["Content-Length"] = str(length)
        return response


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """`/favicon.ico`, which browsers ask for on their own: the DSFR's Marianne."""
    path = finders.find(FAVICON)
    if not path:
        try:
            path = staticfiles_storage.path(FAVICON)
        except NotImplementedError as error:  # pragma: no cover - remote storage
            raise Http404 from error
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError as error:
        raise Http404 from error
    return FileResponse(handle, content_type="image/vnd.microsoft.icon")
