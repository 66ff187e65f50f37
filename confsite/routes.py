"""The site's address space: every page, its path in each language, and relative links."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

from .model import Conference

#: The kinds of page of which each language has one, in the order of the main menu.
SINGLE_PAGES = ("home", "program", "people", "venue", "flyer")
#: The template of each kind of page, in the order of the site's pages (Routes.all).
PAGE_TEMPLATES = {
    kind: f"{kind}.html" for kind in (*SINGLE_PAGES, "session", "forum", "panel", "person", "page")
}

#: The interface string that names the folder of each kind of page.
_SECTIONS = {
    "program": "slug_program",
    "session": "slug_program",
    "people": "slug_people",
    "person": "slug_people",
    "forum": "slug_forums",
    "panel": "slug_panels",
    "venue": "slug_venue",
    "flyer": "slug_flyer",
}


@dataclass(frozen=True)
class Route:
    """One HTML page in one language: ``key`` is the same for all its translations."""

    key: tuple[str, str]
    lang: str
    path: str  # site-relative folder with a trailing slash, e.g. "de/programm/"
    template: str

    @property
    def file(self) -> str:
        """Return the file the page is written to."""
        return f"{self.path}index.html"


class Routes:
    """Compute every page's path from the conference and the interface strings."""

    def __init__(self, conf: Conference) -> None:
        self.conf = conf

    def path(self, kind: str, lang: str, ident: str = "") -> str:
        """Return the site-relative folder of a page, e.g. ``de/programm/begruessung/``."""
        if kind == "page":
            return f"{lang}/{self._page_slug(lang, ident)}/"
        if kind == "home":
            return f"{lang}/"
        section = self.conf.ui(lang)[_SECTIONS[kind]]
        return f"{lang}/{section}/{ident}/" if ident else f"{lang}/{section}/"

    def _page_slug(self, lang: str, key: str) -> str:
        try:
            return self._page_slugs[(key, lang)]
        except KeyError:
            raise KeyError(f"no page {key!r} in {lang}") from None

    @cached_property
    def _page_slugs(self) -> dict[tuple[str, str], str]:
        return {(page.key, page.lang): page.slug for page in self.conf.pages}

    @cached_property
    def all(self) -> tuple[Route, ...]:
        """Return every HTML page of the site in every language, in a stable order."""
        conf = self.conf
        items = [(kind, "", PAGE_TEMPLATES[kind]) for kind in SINGLE_PAGES]
        items += [("session", s.id, PAGE_TEMPLATES["session"]) for s in conf.sessions]
        items += [("forum", f.id, PAGE_TEMPLATES["forum"]) for f in conf.forums]
        items += [("panel", p.id, PAGE_TEMPLATES["panel"]) for p in conf.panels]
        items += [("person", p.id, PAGE_TEMPLATES["person"]) for p in conf.people]
        items += sorted({("page", p.key, PAGE_TEMPLATES["page"]) for p in conf.pages})
        return tuple(
            Route((kind, ident), lang, self.path(kind, lang, ident), template)
            for lang in conf.languages
            for kind, ident, template in items
        )

    @cached_property
    def by_key(self) -> dict[tuple[str, str], dict[str, Route]]:
        """Return the translations of every page: key -> language -> route."""
        out: dict[tuple[str, str], dict[str, Route]] = {}
        for route in self.all:
            out.setdefault(route.key, {})[route.lang] = route
        return out


def relative(from_path: str, to_path: str) -> str:
    """Link from the page in folder ``from_path`` to the site path ``to_path``.

    Site paths are clean (no ``.`` or ``..`` parts), so this is ``posixpath.relpath`` without
    its look at the working folder, which every link of every page would pay for.
    """
    start, target = _parts(from_path), _parts(to_path)
    common = 0
    for a, b in zip(start, target, strict=False):
        if a != b:
            break
        common += 1
    steps = (*[".."] * (len(start) - common), *target[common:])
    if to_path.endswith("/") or to_path == "":
        return "/".join(steps) + "/" if steps else "./"
    return "/".join(steps) or "."


@functools.lru_cache(maxsize=1 << 16)
def _parts(path: str) -> tuple[str, ...]:
    """Split a site path into its folders (kept: a page's links split the same few paths again)."""
    return tuple(part for part in path.split("/") if part and part != ".")
