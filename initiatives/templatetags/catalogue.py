from html import escape

from django import template
from django.utils.formats import get_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def facet_options(facet) -> SafeString:
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
