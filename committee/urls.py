from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

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
    path("initiatives/", include("initiatives.urls")),
    path("espace/", include("initiatives.urls_workspace")),
    path("instruction/", include("initiatives.urls_review")),
    path("", include("members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    *[
        path(route, views.static_page, {"template_name": template}, name=name)
        for route, (name, template) in PAGES.items()
    ],
]

handler404 = "committee.views.error_404"
handler500 = "committee.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
