"""Atom feed of any filtered catalogue: follow a search without an account.

The feed takes the catalogue's parameters. Unknown or malformed values are refused with 400
(as in the exports): a feed reader cannot show a message, and silently following the whole
catalogue instead of the search asked for would mislead.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from initiatives.catalogue.exports import bad_parameters, catalogue_filterset, filter_errors
from initiatives.catalogue.filters import normalise_params
from initiatives.text import without_control_characters as xml_text
from referentials.models import Territory

FEED_SIZE = 50


def describe_filters(filterset) -> list[str]:
    """The active filters in words, for the feed's title ("axe 5", "Bretagne", …)."""
    cleaned = filterset.cleaned
    choices = filterset.choices
    labels = {
        "axis": dict(choices.axes),
        "region": dict(choices.regions),
        "department": dict(choices.departments),
        "collectivity": dict(Territory.Level.choices),
        "school_level": dict(choices.school_levels),
    }
    parts = []
    if cleaned.get("q"):
        parts.append(f"« {cleaned['q']} »")
    for name in ("axis", "region", "department", "collectivity", "school_level"):
        if name in cleaned:
            value = cleaned[name]
            label = labels[name].get(value, value)
            parts.append(_("Axe %(label)s") % {"label": label} if name == "axis" else str(label))
    if cleaned.get("commune"):
        parts.append(_("commune %(code)s") % {"code": cleaned["commune"]})
    if cleaned.get("item"):
        parts.append(_("élément %(code)s") % {"code": cleaned["item"]})
    if cleaned.get("partner"):
        parts.append(cleaned["partner"])
    if cleaned.get("year"):
        parts.append(_("lancées en %(year)s") % {"year": cleaned["year"]})
    return parts


def _with_params(url: str, filterset) -> str:
    params = normalise_params(filterset.data)
    return f"{url}?{urlencode(params)}" if params else url


class CatalogueFeed(Feed):
    feed_type = Atom1Feed
    language = "fr"

    def __call__(self, request, *args, **kwargs):
        filterset = catalogue_filterset(request)
        errors = filter_errors(filterset)
        if errors:
            return bad_parameters(errors)
        request.catalogue_filterset = filterset
        response = super().__call__(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def get_object(self, request, *args, **kwargs):
        return request.catalogue_filterset

    def title(self, filterset):
        title = _("Initiatives territoriales")
        filters = describe_filters(filterset)
        if filters:
            title += " — " + " · ".join(filters)
        return xml_text(f"{title} — {settings.PORTAL_NAME}")

    def subtitle(self, filterset):
        return _(
            "Les dernières initiatives publiées correspondant à cette recherche "
            "(%(count)s au plus)."
        ) % {"count": FEED_SIZE}

    def link(self, filterset):
        return _with_params(reverse("initiatives:catalogue"), filterset)

    def feed_url(self, filterset):
        return _with_params(reverse("initiatives:feed"), filterset)

    def author_name(self):
        return settings.PORTAL_NAME

    def items(self, filterset):
        return (
            filterset.qs.select_related("lead_organisation", "lead_collectivity")
            .prefetch_related("axes")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    # Texts written before forms removed control characters could hold some: the XML would
    # not be well-formed.
    def item_title(self, item):
        return xml_text(item.title)

    def item_description(self, item):
        return xml_text(item.summary)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.lead_organisation.acronym

    def item_categories(self, item):
        return [
            xml_text(str(item.lead_collectivity)),
            *(_("Axe %(number)s") % {"number": axis.number} for axis in item.axes.all()),
        ]


catalogue_feed = CatalogueFeed()
