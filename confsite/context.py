"""The page helper ``c``: everything a template may call for one page in one language."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

import jinja2
from babel import Locale
from babel.core import get_global
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from . import i18n, jsonld, reads
from .markup import markdown, plain
from .model import MENUS, Conference, Person, Text
from .registration import State
from .routes import PAGE_TEMPLATES, SINGLE_PAGES, Route, relative

if TYPE_CHECKING:
    from .render import Renderer


class Misused(jinja2.TemplateRuntimeError):
    """A page helper called wrongly, as the helper found: reported at the template's line.

    Except in the shipped templates, where it is taken for confsite's bug (Renderer.render).
    """


class LogoLink(NamedTuple):
    """Where a logo is, from the page that shows it, and its width and height in proportion."""

    src: str
    width: int
    height: int


class PageContext:
    """Everything a template may call for one page in one language."""

    #: Methods that look into what the build made besides the pages (the flyers' sizes, the
    #: share images): their calls are recorded (reads.py). They depend on the page's language
    #: and arguments, not on its address.
    RECORDED = frozenset({"download", "share_image"})
    #: Attributes and methods that give the same for the same page and arguments as long as
    #: Renderer.fingerprint() is the same, or read the conference through ``self.conf``,
    #: which records what they read: they need no record of their own.
    UNRECORDED = frozenset(
        {
            *("lang", "here", "absolute", "ui", "fmt", "site", "glance_sessions"),
            *("t", "url", "link", "static", "tx", "plain", "md", "markdown", "md_plain"),
            *("nav", "country", "canonical", "og_locale", "person", "map_url", "structured_data", "logo"),
            "fragment",
        }
    )

    #: The flyer (PDF and page) lists each session of a programme up to this many; a larger one
    #: only its parts, with their times and how many sessions each has: it stays two pages long.
    glance_sessions = 40

    def __init__(
        self,
        site: Renderer,
        lang: str,
        here: str,
        absolute: bool = False,
        recorder: reads.Recorder | None = None,
    ) -> None:
        """Help a page at ``here``; with a ``recorder``, it reads the conference through it."""
        self.site = site
        self.conf: Conference = site.conf if recorder is None else recorder.conf
        self.state: State = site.state if recorder is None else recorder.state
        self.lang = lang
        self.here = here
        self.absolute = absolute
        self.ui = site.conf.ui(lang)
        self.fmt = site.formatters[lang]

    def t(self, key: str, **values: Any) -> str:
        """Return an interface string, with ``{name}`` placeholders filled in.

        A value that is markup (``c.tx(title)``, which names the language of a text written in
        another) stays markup: the string is escaped around it instead of after it. A value
        that the string quotes („{session}“) has its own quotations of the same kind nested
        („Abschlusspodium ‚Ausblick‘“).
        A key that names no string is the template's mistake, reported at its line like an
        undefined name (templating.problem).
        """
        try:
            text = self.ui[key]
        except KeyError:
            raise jinja2.UndefinedError(f"no interface string {key!r}") from None
        for name, marks in i18n.quoted_fields(text).items() if values else ():
            if isinstance(values.get(name), str):
                values[name] = i18n.nest_quotes(values[name], marks)
        try:
            if any(isinstance(value, Markup) for value in values.values()):
                return escape(text).format(**values)
            return text.format(**values) if values else text
        except KeyError as missing:
            raise jinja2.UndefinedError(f"interface string {key!r} needs a value for {missing}") from None

    def url(self, path: str) -> str:
        """Link to a site path from this page (relative, or from the base path on 404)."""
        if self.absolute:
            return self.site.base_path + path
        return relative(self.here, path)

    def link(self, kind: str, ident: str = "", lang: str | None = None) -> str:
        """Link to a page of the site, in this language unless ``lang`` is given.

        Only to a page that the site has. Which pages it has is part of every page's
        fingerprint (Renderer.fingerprint), so looking records no read.
        """
        lang = lang or self.lang
        if not isinstance(ident, str):  # (a session, say, where its id was meant)
            given = type(reads.peek(ident)).__name__
            raise Misused(f"c.link(): ident must be an id, as session.id is, not {given}")
        try:
            return self.url(self.site.routes.by_key[(kind, ident)][lang].path)
        except KeyError:
            pass
        if kind not in PAGE_TEMPLATES:
            raise _unknown("link", "kind of page", kind, PAGE_TEMPLATES)
        if lang not in self.site.conf.languages:
            raise _unknown("link", "language", lang, self.site.conf.languages)
        if kind in SINGLE_PAGES and ident:
            raise Misused(f"c.link(): the {kind} page takes no ident, not {ident!r}")
        if not ident and kind not in SINGLE_PAGES:
            if kind == "page":  # (a Markdown page is named by its key)
                raise Misused("c.link(): a Markdown page needs its key, as c.link('page', p.key) gives it")
            raise Misused(f"c.link(): a {kind} page needs its ident, as c.link('{kind}', x.id) gives it")
        raise _unknown("link", kind, ident, where=f" in {lang}")  # (kind "page": by its key)

    def logo(self, source: str) -> LogoLink:
        """Link to the logo that an organizer or funder names (``org.logo``), with its proportions."""
        asset, found = self.site.logos.get(source), self.site.conf.logo(source)
        if asset is None or found is None:
            raise _unknown("logo", "logo", source, where=" of an organizer or funder")
        return LogoLink(self.url(asset.path), found.width, found.height)

    def static(self, name: str) -> str:
        """Link to a static asset by its source name."""
        try:
            return self.url(self.site.assets[name].path)
        except KeyError:
            raise _unknown("static", "file", name, where=" in the templates' static/ folder") from None

    def tx(self, text: Text | None) -> Markup:
        """Return a text in this page's language, marked when it is in another language."""
        if text is None:
            return Markup("")
        return self._marked(text, escape(text.get(self.lang)), "span")

    def plain(self, text: Text | None) -> str:
        """Return a text in this page's language without markup."""
        return "" if text is None else text.get(self.lang)

    def md(self, text: Text | None) -> Markup:
        """Render a Markdown text in this page's language to safe HTML."""
        if text is None:
            return Markup("")
        return self._marked(text, markdown(text.get(self.lang)), "div")

    def _marked(self, text: Text, html: Markup, element: str) -> Markup:
        """Return ``html``, in ``element`` naming its language when ``text`` lacks this page's."""
        written = text.lang_of(self.lang)
        if written != self.lang:
            return Markup(f'<{element} lang="{written}">{html}</{element}>')
        return Markup(html)

    def markdown(self, source: str) -> Markup:
        """Render Markdown written in this page's language."""
        return markdown(source)

    def md_plain(self, text: Text | None) -> str:
        """Return a Markdown text in this page's language as one line of plain text."""
        return "" if text is None else plain(text.get(self.lang))

    def nav(self, menu: str, route: Route | None) -> list[tuple[str, str, bool]]:
        """Return the links of a menu ("main", "footer" or "none"): address, label, is current."""
        if menu not in MENUS:
            raise _unknown("nav", "menu", menu, MENUS)
        items = self.site.menu(menu, self.lang)
        current = route.key if route is not None else None
        return [(self.link(kind, ident), label, current == (kind, ident)) for kind, ident, label in items]

    def fragment(self, name: str, macro: jinja2.runtime.Macro, *args: Any) -> Markup:
        """Render ``macro(c, *args)``, a part of this page that the page cache keeps on its own.

        The programme of 1,000 sessions shows each in a fragment: after one session is edited,
        the page is rendered again, but the other sessions' fragments are used again, as long
        as what they read is unchanged (see Renderer.fragment). ``name`` names the macro
        among the page's fragments. The macro must read nothing of the page but ``c``,
        ``conf`` and ``reg``: no variable set by the page (import it from another template,
        as _program.html is, without context). Its arguments are plain values or what the
        conference hands out (wrapped, and so named by their path).
        """
        if not isinstance(macro, jinja2.runtime.Macro):
            kind = type(reads.peek(macro)).__name__
            raise Misused(f"c.fragment(): {name!r} needs a macro, not {kind}")
        if not macro.arguments:
            raise Misused(f"c.fragment(): macro {macro.name!r} must take c as its first argument")
        if not macro.catch_varargs and len(args) >= len(macro.arguments):  # (it takes fewer too)
            after_c = len(macro.arguments) - 1
            arguments = "argument" if after_c == 1 else "arguments"
            raise Misused(
                f"c.fragment(): macro {macro.name!r} takes {after_c} {arguments} after c, not {len(args)}"
            )
        rec = reads.current
        if rec is None or rec.ctx is not self:
            return Markup(macro(self, *args))
        site: Renderer = self.site
        return site.fragment(rec, name, macro, args)

    def person(self, person_id: str) -> Person:
        """Return a person by id."""
        try:
            return self.conf.person(person_id)
        except KeyError:
            raise _unknown("person", "person", person_id) from None

    def country(self, code: str) -> str:
        """Name a country in this page's language."""
        return i18n.country_name(self.ui["locale"], code)

    def map_url(self) -> str:
        """Link to the venue on OpenStreetMap (coordinates if known, else an address search)."""
        venue = self.conf.venue
        if venue.lat is not None and venue.lon is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={venue.lat:.5f}&mlon={venue.lon:.5f}"
                f"#map=18/{venue.lat:.5f}/{venue.lon:.5f}"
            )
        query = f"{venue.street}, {venue.postal_code} {venue.city.get(self.lang)}, {venue.country}"
        return "https://www.openstreetmap.org/search?query=" + quote(query)

    def download(self, path: str) -> str:
        """Return the size of a generated download, e.g. "212 KB"."""
        try:
            size = self.site.downloads[path]
        except KeyError:
            raise _unknown("download", "download", path, sorted(self.site.downloads)) from None
        return human_size(size, self.ui["locale"])

    def canonical(self, path: str) -> str:
        """Return the absolute address of a site path."""
        return self.conf.base_url + path

    def share_image(self) -> tuple[str, str] | None:
        """Return the absolute address and the alternative text of this language's share image."""
        found = self.site.share_images.get(self.lang)
        return None if found is None else (self.canonical(found[0]), found[1])

    def og_locale(self, lang: str | None = None) -> str:
        """Name a language's locale as OpenGraph spells it (de_DE, en_GB), with a likely territory."""
        lang = lang or self.lang
        if lang not in self.site.conf.languages:
            raise _unknown("og_locale", "language", lang, self.site.conf.languages)
        return _og_locale(self.conf.ui(lang)["locale"])

    def structured_data(self, kind: str, ident: str = "") -> Markup:
        """Return the schema.org JSON-LD of the home page or a session page, safe in a script element."""
        routes, conf = self.site.routes, self.conf
        if kind == "home":
            return Markup(jsonld.script_text(jsonld.home(conf, self.lang, routes, self.state)))
        if kind != "session":
            raise _unknown("structured_data", "kind", kind, ("home", "session"))
        try:
            session = conf.session_by_id[ident]
        except KeyError:
            raise _unknown("structured_data", "session", ident) from None
        return Markup(jsonld.script_text(jsonld.session(conf, self.lang, routes, session)))


def _unknown(helper: str, what: str, value: object, known: Iterable[str] = (), where: str = "") -> Misused:
    """Return the error of a helper asked for what is not there (reported at the template's line)."""
    listed = ", ".join(known)
    return Misused(f"c.{helper}(): no {what} {value!r}{where}{'; one of: ' if listed else ''}{listed}")


@functools.cache
def _og_locale(name: str) -> str:
    """Spell a Babel locale name the OpenGraph way, adding its likely territory (en -> en_US)."""
    locale = Locale.parse(name)
    if locale.territory is None:
        locale = Locale.parse(get_global("likely_subtags").get(locale.language, str(locale)))
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def human_size(size: int, lang_locale: str) -> str:
    """Format a file size for people: 212 KB."""
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024), locale=lang_locale)}\u00a0KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1), locale=lang_locale)}\u00a0MB"
