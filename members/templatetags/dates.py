"""Built-in filters (settings.TEMPLATES builtins): dates, sizes and document kinds written
the French way (members.formats)."""

from django import template

from members import formats

register = template.Library()


@register.filter
def long_date(value):
    """`{{ d|long_date }}` → `1er septembre 2025`."""
    return formats.long_date(value)


@register.filter
def long_datetime(value):
    """`{{ d|long_datetime }}` → `1er décembre 2026 à 09:30`."""
    return formats.long_datetime(value)


@register.filter
def document_kind(document):
    """`{{ document|document_kind }}` → `PDF – 6,2 Ko` (anything with content_type and size,
    object or dict)."""
    if isinstance(document, dict):
        return formats.document_kind(document.get("content_type"), document.get("size"))
    return formats.document_kind(
        getattr(document, "content_type", None) or _guess(getattr(document, "file", None)),
        getattr(document, "size", None),
    )


def _guess(file) -> str | None:
    import mimetypes

    name = getattr(file, "name", None)
    return mimetypes.guess_type(name)[0] if name else None
