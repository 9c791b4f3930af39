"""What search engines may crawl: the sitemap index and its sections, and robots.txt.

Only public pages are listed: published initiatives, published contributions (once they
have a page), and the fixed public pages that exist in this deployment.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from committee.contributions.models import Contribution
from initiatives.selectors import published_initiatives

# Public pages by path: a page another part of the portal has not shipped yet is skipped.
PUBLIC_PAGES = (
    "/",
    "/initiatives/",
    "/carte/",
    "/referentiels/",
    "/partenaires/",
    "/plan-d-action/",
    "/contributions/",
    "/donnees/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
)


def _exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [path for path in PUBLIC_PAGES if _exists(path)]

    def location(self, item):
        return item

    def priority(self, item):
        return 1.0 if item in ("/", "/initiatives/") else 0.5


class InitiativesSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 10_000

    def items(self):
        return published_initiatives().only("slug", "updated_at").order_by("pk")

    def location(self, item):
        return reverse("initiatives:detail", kwargs={"slug": item.slug})

    def lastmod(self, item):
        return item.updated_at


class ContributionsSitemap(Sitemap):
    """Listed only once contributions have a page of their own."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Contribution.objects.filter(status=Contribution.Status.PUBLISHED).order_by("pk")

    def lastmod(self, item):
        return item.updated_at


sitemaps: dict[str, type[Sitemap]] = {
    "pages": PagesSitemap,
    "initiatives": InitiativesSitemap,
}
if hasattr(Contribution, "get_absolute_url"):
    sitemaps["contributions"] = ContributionsSitemap

DISALLOWED = ("/admin/", "/comptes/", "/espace/", "/instruction/", "/initiatives/export.")


@require_GET
@cache_control(max_age=86_400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOWED),
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
