"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list."""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
_SCHEMES = {"https", "http", "mailto", "tel"}

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table").enable("strikethrough")


def _shift_headings(html: str) -> str:
    """Make a Markdown # heading an h2: the page title is the only h1."""
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


@lru_cache(maxsize=4096)
def markdown(source: str) -> Markup:
    """Render Markdown to sanitized HTML (cached: the same text renders the same)."""
    clean = nh3.clean(
        _shift_headings(_md.render(source)),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    return Markup(clean.strip())


@lru_cache(maxsize=4096)
def markdown_inline(source: str) -> Markup:
    """Render a one-paragraph Markdown text without the surrounding <p>."""
    out = str(markdown(source))
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return Markup(out)


def plain(source: str) -> str:
    """Return the text of Markdown without markup (for meta descriptions and calendars)."""
    text = html.unescape(nh3.clean(str(markdown(source)), tags=set()))
    return " ".join(text.split())
