"""Tags of the portal's layout (header, footer), rendered on every page."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, href: str, label: str):
    """One main-menu entry: the exact page gets aria-current="page", a page inside the
    section aria-current="true". `href` is a plain path. (Built here: it is on every page,
    seven times, and the template version cost more than the rest of the header.)"""
    path = context["request"].path
    if path == href:
        current = ' aria-current="page"'
    elif href != "/" and path.startswith(href):
        current = ' aria-current="true"'
    else:
        current = ""
    return format_html(
        '<li class="fr-nav__item"><a class="fr-nav__link" href="{}" target="_self"{}>{}</a></li>',
        href,
        mark_safe(current),  # noqa: S308 - one of the constant strings above
        label,
    )
