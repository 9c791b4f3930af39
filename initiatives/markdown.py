"""Markdown written by association staff, rendered to HTML that is safe to show anyone.

Markdown lets raw HTML through, so the rendered HTML is always sanitised (nh3, an allow-list)
before it is marked safe: a description can never carry a script, an event handler or a
`javascript:` link onto a page.
"""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


class _HeadingLevels(Treeprocessor):
    """The page has its own h1: "# Title" becomes an h2, and nothing goes deeper than h4."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "h1":
                element.tag = "h2"
            elif element.tag in {"h5", "h6"}:
                element.tag = "h4"


class _HeadingExtension(md.Extension):
    def extendMarkdown(self, markdown):  # noqa: N802 - Markdown's API name
        markdown.treeprocessors.register(_HeadingLevels(markdown), "portal_headings", 5)


def render_markdown(text: str | None) -> SafeString:
    """Markdown → sanitised HTML; links get rel="noopener nofollow"."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 - empty string
    html = md.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", _HeadingExtension()],
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with an allow-list just above
