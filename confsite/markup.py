"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

from . import cache, workers

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: nh3's version, which its extension module sets (its type stubs lack it).
NH3_VERSION: str = nh3.__version__  # type: ignore[attr-defined]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
_SCHEMES = {"https", "http", "mailto", "tel"}


@functools.cache
def _renderer() -> Callable[[str], str]:
    """Return markdown-it-py's render; imported when a text is converted, not when all are kept (17 ms)."""
    from markdown_it import MarkdownIt  # noqa: PLC0415

    return _configured(MarkdownIt).render


def _configured(kind: type[MarkdownIt]) -> MarkdownIt:
    """Make a parser for the Markdown of texts: CommonMark with tables and strikethrough, no HTML."""
    return kind("commonmark", {"html": False, "typographer": False}).enable("table").enable("strikethrough")


@functools.cache
def _link_finder() -> MarkdownIt:
    """Return a parser as the renderer's that keeps every link as written, and reference definitions."""
    from markdown_it import MarkdownIt  # noqa: PLC0415

    class EveryLink(MarkdownIt):
        """Drops no link (markdown-it's own drops javascript: and data: ones) and encodes none."""

        def validateLink(self, url: str) -> bool:  # noqa: N802  (markdown-it's name)
            return True

        def normalizeLink(self, url: str) -> str:  # noqa: N802
            return url

    md = _configured(EveryLink)
    md.options["inline_definitions"] = True  # (a token for each, unused or repeated ones too)
    return md


def link_destinations(source: str) -> list[tuple[int, str]]:
    """Return the address of every link, image and reference definition of a text, and its line.

    Lines count from 0 within the text. Code spans and code blocks hold none. A link that uses a
    reference definition is found at the definition. The line of a link after a code span or an
    image's description that goes over several lines, or of an address on the line after its
    text, may be a line too early (markdown-it keeps no position inside a paragraph).
    """
    md = _link_finder()
    tokens = md.parse(source)
    found: list[tuple[int, str]] = []
    defined = False
    for token in tokens:
        if token.type == "definition":
            found.append((token.map[0] if token.map else 0, str(token.meta["url"])))
            defined = True
    for token in tokens:
        if token.type != "inline":
            continue
        # Without definitions: the links written there, not those a definition gives.
        children = md.parseInline(token.content)[0].children if defined else token.children
        line = token.map[0] if token.map else 0
        for child in children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                found.append((line, str(child.attrs["href"])))
            elif child.type == "image":
                found.append((line, str(child.attrs["src"])))
                line += sum(1 for part in child.children or () if part.type in ("softbreak", "hardbreak"))
    return found


def _shift_headings(html: str) -> str:
    """Make a Markdown # heading an h2: the page title is the only h1."""
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


#: How many texts are kept converted: every prose text of 5,000 sessions and their people in
#: two languages. Converting is a pure function of the source, so keeping the results can
#: never change what a page says.
CACHE_SIZE = 1 << 16
#: Markdown source -> (sanitized HTML, plain text).
_converted: dict[str, tuple[Markup, str]] = {}


def markdown(source: str) -> Markup:
    """Render Markdown to sanitized HTML (kept: the same text renders the same)."""
    return convert(source)[0]


def markdown_inline(source: str) -> Markup:
    """Render a one-paragraph Markdown text without the surrounding <p>."""
    out = str(markdown(source))
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return Markup(out)


def plain(source: str) -> str:
    """Return the text of Markdown without markup (for meta descriptions and calendars)."""
    return convert(source)[1]


def convert(source: str) -> tuple[Markup, str]:
    """Return a Markdown text as sanitized HTML and as one line of plain text."""
    found = _converted.get(source)
    if found is None:
        if len(_converted) >= CACHE_SIZE:
            _converted.clear()
        sanitized = _sanitized(source)
        found = _converted[source] = (sanitized, _text(sanitized))
    return found


def remember(converted: dict[str, tuple[str, str]]) -> None:
    """Take conversions made elsewhere (by other processes, or a cache): source -> (HTML, text)."""
    for source, (sanitized, text) in converted.items():
        _converted[source] = (Markup(sanitized), text)


def _sanitized(source: str) -> Markup:
    clean = nh3.clean(
        _shift_headings(_renderer()(source)),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    return Markup(clean.strip())


def _text(markup: Markup) -> str:
    text = html.unescape(nh3.clean(str(markup), tags=set()))
    return " ".join(text.split())


def convert_all(sources: Iterable[str], jobs: int = 1) -> None:
    """Convert many texts ahead of rendering, on ``jobs`` processes, reusing earlier builds' results."""
    wanted = sorted(set(sources))
    if all(source in _converted for source in wanted):  # (the preview's rebuilds)
        return
    make = functools.partial(workers.map_items, _convert_plain, jobs=jobs)
    remember(cache.results("markdown", _version(), wanted, _is_pair, make))


def _is_pair(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _convert_plain(source: str) -> tuple[str, str]:
    """Convert one text to (HTML, plain text) as plain strings, which pickle and marshal take."""
    sanitized, text = convert(source)
    return str(sanitized), text


def _version() -> str:
    """Name the version of conversions: this module and the libraries it uses."""
    return cache.version(Path(__file__).read_bytes(), cache.installed("markdown_it"), NH3_VERSION)
