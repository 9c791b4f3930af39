from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from committee import head, sitemaps
from committee.contributions import urls as contribution_urls
from committee.landing import views as landing_views
from committee.plan import urls as plan_urls
from committee.plan.views import public as plan_public
from committee.public.views import browse, follow, pages, territories
from committee.public.views import contact as contact_views
from committee.reports import views as report_views
from committee.sessions import manage as sessions_manage
from committee.sessions import urls as session_urls
from committee.steering import views as steering_views
from initiatives.catalogue import exports as open_data

admin.site.site_header = _("Administration du comité numérique pour l'éducation")
admin.site.site_title = _("Administration")

PAGES = {
    "accessibilite/": ("accessibility", "pages/accessibility.html"),
    "mentions-legales/": ("legal", "pages/legal.html"),
    "donnees-personnelles/": ("privacy", "pages/privacy.html"),
    "plan-du-site/": ("sitemap_page", "pages/sitemap.html"),
}

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("tableau-de-bord/", landing_views.landing, name="landing"),
    path("carte/", browse.map_page, name="map"),
    path("referentiels/", browse.referentials_index, name="referentials"),
    path(
        "referentiels/<slug:slug>/<str:version>/",
        browse.referential_detail,
        name="referential_detail",
    ),
    path("territoires/", territories.territory_index, name="territories"),
    path(
        "territoires/recherche.json",
        territories.territory_autocomplete,
        name="territory_autocomplete",
    ),
    path("territoires/<str:level>/<str:slug>/", territories.territory_detail, name="territory"),
    path("partenaires/", browse.partners_index, name="partners"),
    path("partenaires/<slug:slug>/", browse.partner_detail, name="partner_detail"),
    path("plan-d-action/", plan_public.action_plan, name="action_plan"),
    *contribution_urls.public_urls,
    path("contact/", contact_views.contact, name="contact"),
    path("contact/envoye/", contact_views.contact_sent, name="contact_sent"),
    *session_urls.public_urls,
    path("suivre/", follow.follow, name="follow"),
    path("suivre/envoye/", follow.follow_sent, name="follow_sent"),
    path("suivre/confirmer/<str:token>/", follow.follow_confirm, name="follow_confirm"),
    path("suivre/desabonner/<str:token>/", follow.follow_unsubscribe, name="follow_unsubscribe"),
    path("initiatives/", include("initiatives.urls")),
    path("espace/plan/", include((plan_urls.partner_urls, "plan_partner"))),
    path(
        "pilotage/plan/",
        include((plan_urls.management_urls + contribution_urls.management_urls, "plan_admin")),
    ),
    path("espace/", include("initiatives.urls_workspace")),
    path("instruction/", include("initiatives.urls_review")),
    path("pilotage/seances/", include("committee.sessions.urls_manage")),
    path("espace/representants/", sessions_manage.representatives, name="representatives"),
    *contribution_urls.drafting_urls,
    path("pilotage/", steering_views.statistics_page, name="pilotage"),
    path("pilotage/rapports/", report_views.reports_page, name="pilotage_reports"),
    path(
        "pilotage/rapports/<int:pk>/etat.json",
        report_views.report_status,
        name="pilotage_report_status",
    ),
    path(
        "pilotage/rapports/<int:pk>/fichier/",
        report_views.report_file,
        name="pilotage_report_file",
    ),
    path(
        "pilotage/rapports/<int:pk>/relancer/",
        report_views.report_retry_view,
        name="pilotage_report_retry",
    ),
    path("", include("members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("committee.api.urls")),
    path("donnees/", open_data.data_page, name="opendata"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("favicon.ico", head.favicon, name="favicon"),
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
        path(route, pages.static_page, {"template_name": template}, name=name)
        for route, (name, template) in PAGES.items()
    ],
]

# The demo's mailbox: never in production (settings.DEV_MAILBOX is forced off there).
if settings.DEV_MAILBOX and not settings.PRODUCTION:
    from committee import mailbox

    urlpatterns.append(path("dev/courriels/", mailbox.mailbox, name="dev_mailbox"))

handler400 = "committee.http_errors.error_400"
handler404 = "committee.public.views.pages.error_404"
handler500 = "committee.public.views.pages.error_500"

# Media are never served directly: documents and reports are private and go through
# views that check permissions.
