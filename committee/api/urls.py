"""Routes of the API: `/api/v1/…`, the OpenAPI schema and its interactive documentation."""

from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from committee.api import views

app_name = "api"


class SwaggerDocsView(SpectacularSwaggerSplitView):
    """The interactive documentation; OPTIONS answers with the allowed methods (DRF's default
    OPTIONS rendered metadata through the HTML template renderer, with no template: a 500)."""

    def options(self, request, *args, **kwargs):
        return HttpResponse(status=204, headers={"Allow": "GET, HEAD, OPTIONS"})


router = DefaultRouter()
router.include_format_suffixes = False
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("territories", views.TerritoryViewSet, basename="territory")
router.register("referentials", views.ReferentialViewSet, basename="referential")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("axes", views.AxisViewSet, basename="axis")
router.register("actions", views.ActionViewSet, basename="action")

urlpatterns = [
    path(
        "v1/territories/<str:level>/<str:code>/",
        views.TerritoryDetail.as_view(),
        name="territory-detail",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL: the CSP forbids inline scripts.
    path("docs/", SwaggerDocsView.as_view(url_name="api:schema"), name="docs"),
]
