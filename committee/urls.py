from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from committee import sitemaps, views, views_pilotage, views_plan, views_public
from initiatives import exports as open_data

admin.site.site_header = _("Administration du comité numérique pour l'éducation")
admin.site.site_title = _("Administration")

PAGES = {
    "accessibilite/": ("accessibility", "pages/accessibility.html"),
    "mentions-legales/": ("legal", "pages/legal.html"),
    "donnees-personnelles/": ("privacy", "pages/privacy.html"),
    "plan-du-site/": ("sitemap_page", "pages/sitemap.html"),
}

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("carte/", views_public.map_page, name="map"),
    path("referentiels/", views_public.referentials_index, name="referentials"),
    path(
        "referentiels/<slug:slug>/<str:version>/",
        views_public.referential_detail,
        name="referential_detail",
    ),
    path("partenaires/", views_public.partners_index, name="partners"),
    path("partenaires/<slug:slug>/", views_public.partner_detail, name="partner_detail"),
    path("plan-d-action/", views_public.action_plan, name="action_plan"),
    path("contributions/", views_public.contributions_index, name="contributions"),
    path(
        "contributions/<slug:slug>/", views_public.contribution_detail, name="contribution_detail"
    ),
    path("suivre/", views_public.follow, name="follow"),
    path("suivre/envoye/", views_public.follow_sent, name="follow_sent"),
    path("suivre/confirmer/<str:token>/", views_public.follow_confirm, name="follow_confirm"),
    path(
        "suivre/desabonner/<str:token>/",
        views_public.follow_unsubscribe,
        name="follow_unsubscribe",
    ),
    path("initiatives/", include("initiatives.urls")),
    path(
        "contributions/<slug:slug>/documents/<int:pk>/",
        views_plan.contribution_document,
        name="contribution_document",
    ),
    path("espace/plan/", include((views_plan.partner_urls, "plan_partner"))),
    path("pilotage/plan/", include((views_plan.management_urls, "plan_admin"))),
    path("espace/", include("initiatives.urls_workspace")),
    path("instruction/", include("initiatives.urls_review")),
    path("pilotage/", views_pilotage.statistics_page, name="pilotage"),
    path("pilotage/rapports/", views_pilotage.reports_page, name="pilotage_reports"),
    path(
        "pilotage/rapports/<int:pk>/etat.json",
        views_pilotage.report_status,
        name="pilotage_report_status",
    ),
    path(
        "pilotage/rapports/<int:pk>/fichier/",
        views_pilotage.report_file,
        name="pilotage_report_file",
    ),
    path(
        "pilotage/rapports/<int:pk>/relancer/",
        views_pilotage.report_retry_view,
        name="pilotage_report_retry",
    ),
    path("", include("members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("committee.api.urls")),
    path("donnees/", open_data.data_page, name="opendata"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.sitemaps},
        name="sitemap_section",
    ),
    *[
        path(route, views.static_page, {"template_name": template}, name=name)
        for route, (name, template) in PAGES.items()
    ],
]

handler404 = "committee.views.error_404"
handler500 = "committee.views.error_500"

# Media are never served directly: documents and reports are private and go through
# views that check permissions.
