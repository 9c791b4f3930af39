from html import escape

from django import template
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString

register = template.Library()


def _options(facet) -> str:
    """The <option> elements of a facet's select, with their counts.

    Built here rather than by a template loop: the catalogue shows about 180 options on
    every page, and the template engine would spend most of the page's time on them.
    """
    sep = get_format("THOUSAND_SEPARATOR")
    html = []
    for option in facet.options:
        selected = " selected" if option["selected"] else ""
        count = f"{option['count']:,}".replace(",", sep)
        html.append(
            f'<option value="{escape(option["value"])}"{selected}>'
            f"{escape(str(option['label']))} ({count})</option>"
        )
    return "".join(html)


@register.simple_tag
def facet_selects(facets: dict) -> SafeString:
    """One labelled <select> per facet, "Tous" first, then its options with their counts."""
    from django.utils.translation import gettext

    everything = escape(gettext("Tous"))
    html = []
    for name, facet in facets.items():
        html.append(
            '<div class="fr-fieldset__element"><div class="fr-select-group">'
            f'<label class="fr-label" for="id_{name}">{escape(str(facet.label))}</label>'
            f'<select class="fr-select" id="id_{name}" name="{name}">'
            f'<option value="">{everything}</option>{_options(facet)}</select></div></div>'
        )
    return SafeString("".join(html))


@register.simple_tag
def catalogue_cards(rows) -> SafeString:
    """The result cards (DSFR horizontal cards) of a catalogue page.

    Built here for the same reason as the options: twenty cards with their tags on every
    page; a highlighted excerpt is already safe HTML (escaped, then marked)."""
    html = []
    for row in rows:
        card = row.card
        tags = "".join(
            f'<li><p class="fr-tag fr-tag--sm">{conditional_escape(tag)}</p></li>'
            for tag in card.tags
        )
        html.append(
            '<li class="fr-col-12"><div class="fr-card fr-enlarge-link fr-card--horizontal">'
            '<div class="fr-card__body"><div class="fr-card__content">'
            f'<h3 class="fr-card__title"><a href="{conditional_escape(card.url)}">'
            f"{conditional_escape(row.title)}</a></h3>"
            f'<p class="fr-card__desc">{conditional_escape(card.excerpt)}</p>'
            f'<div class="fr-card__start"><ul class="fr-tags-group">{tags}</ul></div>'
            f'<div class="fr-card__end"><p class="fr-card__detail">'
            f"{conditional_escape(card.detail)}</p></div>"
            "</div></div></div></li>"
        )
    return SafeString("".join(html))


@register.simple_tag
def catalogue_url(params: dict, **changes) -> str:
    """The catalogue URL for the current parameters with some changed (None removes)."""
    merged = {**params}
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    if "page" not in changes:
        merged.pop("page", None)
    return "?" + urlencode(merged) if merged else "?"


@register.filter
def markdown(text: str):
    """Markdown rendered then sanitised (safe to show)."""
    from initiatives.markdown import render_markdown

    return render_markdown(text or "")


@register.filter
def reach(initiative) -> str:
    """`12 écoles ou établissements, 1 500 élèves`, only the parts entered; "" if none."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils.translation import ngettext

    parts = []
    if initiative.schools_reached:
        n = initiative.schools_reached
        parts.append(
            ngettext("%(n)s école ou établissement", "%(n)s écoles ou établissements", n)
            % {"n": intcomma(n)}
        )
    if initiative.pupils_reached:
        n = initiative.pupils_reached
        parts.append(ngettext("%(n)s élève", "%(n)s élèves", n) % {"n": intcomma(n)})
    return ", ".join(parts)
