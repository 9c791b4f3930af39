from django import template
from django.utils.http import urlencode

register = template.Library()


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
