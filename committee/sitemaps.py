"""What search engines may crawl: the sitemap index and its sections, and robots.txt.

Only public pages are listed: published initiatives, published contributions (once they
have a page), public sessions of the committee's bodies once convened (not those in
preparation, closed to the public or cancelled), and the fixed public pages that exist in
this deployment.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from committee.contributions.models import Contribution
from committee.sessions.models import Session
from committee.sessions.selectors import public_sessions
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives
from members.models import Organisation
from referentials.hierarchy import territory_path
from referentials.models import Referential, Territory

# Public pages by path: a page another part of the portal has not shipped yet is skipped.
PUBLIC_PAGES = (
    "/",
    "/initiatives/",
    "/carte/",
    "/referentiels/",
    "/partenaires/",
    "/territoires/",
    "/plan-d-action/",
    "/contributions/",
    "/seances/",
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


class SessionsSitemap(Sitemap):
    """Public sessions once convened, past and upcoming (their page carries the approved
    minutes); cancelled ones are left out, as are sessions closed to the public and those in
    preparation (their pages are not public)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return public_sessions().filter(status=Session.Status.CONVENED).order_by("pk")

    def location(self, item):
        return reverse("session_detail", kwargs={"pk": item.pk})

    def lastmod(self, item):
        return item.updated_at


def territories_with_initiatives():
    """Territories with at least one published initiative inside them or covering them:
    those an initiative is led by or covers, their parents, and what they contain."""
    published = published_initiatives().order_by()
    through = Initiative.territories.through.objects.filter(
        initiative__status=Initiative.Status.PUBLISHED
    ).order_by()
    concerned = Territory.objects.filter(
        Q(pk__in=published.values("lead_collectivity_id"))
        | Q(pk__in=through.values("territory_id"))
    ).order_by()
    Level = Territory.Level
    return (
        Territory.objects.filter(
            Q(pk__in=concerned.values("pk"))
            | Q(level=Level.REGION, code__in=concerned.values("region_code"))
            | Q(level=Level.DEPARTMENT, code__in=concerned.values("department_code"))
            | Q(pk__in=concerned.filter(level=Level.COMMUNE).values("epci_id"))
            | Q(region_code__in=concerned.filter(level=Level.REGION).values("code"))
            | Q(department_code__in=concerned.filter(level=Level.DEPARTMENT).values("code"))
            | Q(epci_id__in=concerned.filter(level=Level.EPCI).values("pk"))
        )
        .only("level", "code", "name")
        .order_by("level", "code")
    )


class TerritoriesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 10_000

    def items(self):
        return territories_with_initiatives()

    def location(self, item):
        return territory_path(item)


class PartnersSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Organisation.objects.exclude(slug="").only("slug").order_by("slug")

    def location(self, item):
        return reverse("partner_detail", kwargs={"slug": item.slug})


class ReferentialsSitemap(Sitemap):
    """Versions in force and archived; drafts stay internal until adopted."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Referential.objects.exclude(status=Referential.Status.DRAFT).order_by(
            "slug", "version"
        )

    def location(self, item):
        return reverse("referential_detail", kwargs={"slug": item.slug, "version": item.version})


sitemaps: dict[str, type[Sitemap]] = {
    "pages": PagesSitemap,
    "initiatives": InitiativesSitemap,
    "territoires": TerritoriesSitemap,
    "partenaires": PartnersSitemap,
    "referentiels": ReferentialsSitemap,
    "seances": SessionsSitemap,
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
