"""Render the HTML pages, sitemap and small text files to bytes, per language."""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import jinja2
from markupsafe import Markup

from . import cache, digests, ics, logos, misuse, pagecache, reads, templating
from .context import PageContext
from .i18n import MemoFormatter
from .ics import PieceMaker
from .model import Conference
from .registration import State
from .routes import SINGLE_PAGES, Route, Routes
from .stamps import source_date
from .walk import files_below
from .workers import each_item

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    """A static file with a content hash in its published name."""

    source: str
    path: str
    data: bytes


def hashed_assets(templates: Path) -> Mapping[str, Asset]:
    """Read templates/static and give every file a name with its content hash.

    Read once for each state of the templates folder (templating.folder_digest): a build
    makes several renderers (the share images', the flyers', the pages').
    """
    return _hashed_assets(templates.resolve(), templating.folder_digest(templates))


@functools.lru_cache(maxsize=4)
def _hashed_assets(templates: Path, digest: str) -> Mapping[str, Asset]:
    assets: dict[str, Asset] = {}
    root = templates / "static"
    for path in map(Path, files_below(root)) if root.is_dir() else ():
        if not path.is_file():
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:10]
        rel = path.relative_to(root).as_posix()
        stem, dot, suffix = rel.rpartition(".")
        hashed = f"{stem}.{digest}.{suffix}" if dot else f"{rel}.{digest}"
        assets[rel] = Asset(rel, f"static/{hashed}", data)
    return MappingProxyType(assets)


@dataclass(frozen=True)
class Sheet:
    """A template to render to one file: in a language, at an address, with more variables."""

    template: str
    lang: str
    here: str
    absolute: bool  # links from the base path (the 404 page is served at any address)
    extra: tuple[tuple[str, Any], ...]


#: What a task of outputs() makes: one page with its reads and its fragments.
Made = tuple[str, reads.Page, list[tuple[str, reads.Page | None]]]


class Renderer:
    """Render every output of the site that is built from templates."""

    #: What a template may read of ``c.site`` without a record: see PageContext.UNRECORDED.
    UNRECORDED = frozenset({"routes", "publishes", "assets", "base_path", "others", "menu"})

    def __init__(
        self,
        conf: Conference,
        templates: Path,
        state: State,
        downloads: dict[str, int] | None = None,
        others: Iterable[str] = (),
    ) -> None:
        """Render pages that link ``downloads`` (path -> size) and ``others`` (made elsewhere)."""
        self.conf = conf
        self.templates = templates
        self.env = templating.make_environment(templates)
        self.routes = Routes(conf)
        self.state = state
        self.assets = hashed_assets(templates)
        #: The logos of organizers and funders, by their paths in the content folder.
        self.logos = {src: Asset(src, logos.published_path(src, logo), logo.data) for src, logo in conf.logos}
        self.downloads = downloads or {}
        self.others = frozenset(others)
        #: language -> (site path, alternative text) of its share image; set by the pipeline
        self.share_images: dict[str, tuple[str, str]] = {}
        self.formatters = {lang: MemoFormatter(conf.ui(lang), conf.tz) for lang in conf.languages}
        self.base_path = "/" + conf.base_url.split("://", 1)[1].split("/", 1)[1]
        self._menus: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._digests = digests.Digests()
        #: Whether pages record what they read: not when there is no cache to keep them in.
        self._record = cache.enabled()
        #: What the last build's page table offers (set by outputs()).
        self._reuse: pagecache.Reuse | None = None

    def publishes(self, path: str) -> bool:
        """Tell whether the site has a download or a generated file at ``path``, to link it."""
        return path in self.downloads or path in self.others

    def menu(self, menu: str, lang: str) -> list[tuple[str, str, str]]:
        """Return the entries of a menu ("main" or "footer") in ``lang``: kind, id, label."""
        key = (menu, lang)
        if key not in self._menus:
            items: list[tuple[str, str, str]] = []
            if menu == "main":
                ui = self.conf.ui(lang)
                items = [(kind, "", ui[kind]) for kind in SINGLE_PAGES]
            pages = [p for p in self.conf.pages if p.lang == lang and p.menu == menu]
            items += [("page", p.key, p.title) for p in sorted(pages, key=lambda p: (p.order, p.key))]
            self._menus[key] = items
        return self._menus[key]

    def render(self, template: str, ctx: PageContext, **extra: Any) -> bytes:
        """Render one template for one page, which sees the conference as ``ctx`` does.

        A template that does not compile, or fails by its own mistake (misuse.py), is reported
        like invalid content, at its file and line (templating.problem): the build stops before
        it writes anything. Any other error may be confsite's bug, and keeps its traceback.
        """
        try:
            tpl = self.env.get_template(template)
            html = tpl.render(c=ctx, conf=ctx.conf, reg=ctx.state, lang=ctx.lang, **extra)
        except Exception as exc:
            wrong = misuse.mistake(exc, self.templates)
            if wrong is None:
                raise
            raise templating.problem(wrong, self.templates, template) from None
        return html.encode("utf-8")

    def fragment(
        self, rec: reads.Recorder, name: str, macro: jinja2.runtime.Macro, args: tuple[Any, ...]
    ) -> Markup:
        """Render a fragment of the page that ``rec`` records, or use it again from the last build.

        (PageContext.fragment tells why.) The fragment is named by the page, its name and its
        arguments: whatever else it shows is the same wherever the same page shows it.
        """
        names = tuple(reads.argument_key(arg) for arg in args)
        if None in names:  # an argument that no path names: the fragment is part of the page only
            return cast(Markup, macro(rec.ctx, *args))  # (autoescaping: a macro returns Markup)
        key = f"{rec.page}{pagecache.FRAGMENT}{name}{names!r}"
        entry = self._reuse.get(key) if self._reuse is not None else None
        if entry is not None:
            rec.kept.append(entry[0])  # (the page depends on them too)
            rec.fragments.append((key, None))
            return Markup(entry[1].decode("utf-8"))
        with rec.apart() as part:
            html = cast(Markup, macro(rec.ctx, *args))
        made = (html.encode("utf-8"), part.reads if part.cacheable else None, part.kept)
        rec.fragments.append((key, made))
        return html

    def _recorded_page(self, route: Route) -> Made:
        """Render one HTML page, recording what it reads of the conference (see reads.py)."""
        kind, ident = route.key
        alternates = self.routes.by_key[route.key]
        extra = (("route", route), ("alternates", alternates), ("kind", kind), ("ident", ident))
        return self._recorded_sheet(route.file, Sheet(route.template, route.lang, route.path, False, extra))

    def _recorded_sheet(self, file: str, sheet: Sheet) -> Made:
        """Render a template to a file, recording what it reads of the conference."""

        def make(rec: reads.Recorder) -> bytes:
            rec.ctx = ctx = PageContext(self, sheet.lang, sheet.here, sheet.absolute, recorder=rec)
            return self.render(sheet.template, ctx, **dict(sheet.extra))

        return self._recorded(file, sheet.lang, make)

    def _sheets(self) -> dict[str, Sheet]:
        """Return the files rendered from templates besides the pages: the entry, 404 and sitemap."""
        lang = self.conf.default_language
        home = self.routes.by_key[("home", "")]
        return {
            "index.html": Sheet("redirect.html", lang, "", False, (("alternates", home),)),
            "404.html": Sheet("404.html", lang, "", True, (("alternates", {}),)),
            "sitemap.xml": Sheet("sitemap.xml", lang, "", False, (("routes", self.routes),)),
        }

    def _recorded_piece(self, key: str, make: PieceMaker) -> Made:
        """Make a piece of another output, recording what it reads (see reads.py)."""
        return self._recorded(key, self.conf.default_language, lambda rec: make(rec.conf))

    def _recorded(self, key: str, lang: str, make: Callable[[reads.Recorder], bytes]) -> Made:
        rec = reads.Recorder(self, lang, self.conf, self.state, self._digests, record=self._record, page=key)
        reads.current = rec if self._record else None
        try:
            data = make(rec)
        finally:
            reads.current = None
        return key, (data, rec.reads if rec.cacheable else None, tuple(rec.kept)), rec.fragments

    def fingerprint(self) -> str:
        """Digest what pages show without a record in reads.py, and the templates.

        That is the site's addresses, assets, logos and downloads, its interface strings, the
        Markdown pages of every menu, its languages, base address, timezone and the timezone's
        rules: what PageContext.UNRECORDED reads; and SOURCE_DATE_EPOCH, which the calendars'
        pieces read.
        """
        conf = self.conf
        parts = (
            self.routes.all,
            sorted((a.source, a.path) for a in self.assets.values()),
            [(source, logo.width, logo.height, self.logos[source].path) for source, logo in self.conf.logos],
            sorted(self.downloads),
            sorted(self.others),
            self.base_path,
            source_date(),  # the calendars' DTSTAMP
            (conf.base_url, conf.languages, conf.timezone, conf.strings),
            [(p.key, p.lang, p.slug, p.title, p.order, p.menu) for p in conf.pages],  # every menu
            ics.timezone_block(conf),  # the zone's rules (tzdata) in the conference's years
            templating.folder_digest(self.templates),
        )
        return digests.digest(parts).hex()

    def outputs(
        self,
        jobs: int = 1,
        pieces: Mapping[str, PieceMaker] = MappingProxyType({}),
    ) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """Render every page, the sitemap and the small files (path -> bytes), and ``pieces``.

        The pages are rendered on ``jobs`` processes, together with the ``pieces`` of other
        outputs (calendars: key -> bytes, the second result). A page or a piece whose reads
        have not changed since the last build is used again (reads.py).
        """
        fingerprint = self.fingerprint()
        kept = pagecache.load()
        evaluator = digests.Evaluator(self.conf, self.state, lambda lang: PageContext(self, lang, ""))
        sheets = self._sheets()
        keys = [*(r.file for r in self.routes.all), *sheets, *pieces]
        self._reuse = pagecache.Reuse(kept, fingerprint, evaluator)  # (the workers inherit it)
        done = self._reuse.pages(keys)
        reused = list(done)
        pages = [r for r in self.routes.all if r.file not in done]
        if jobs > 1 and len(pages) > 1:  # compile the templates here once, rather than in each process
            templating.compile_all(self.env)
        tasks: list[Callable[[], Made]] = [
            *(
                functools.partial(self._recorded_piece, key, make)
                for key, make in pieces.items()
                if key not in done
            ),
            *(functools.partial(self._recorded_page, r) for r in pages),
            *(functools.partial(self._recorded_sheet, f, s) for f, s in sheets.items() if f not in done),
        ]
        out: dict[str, bytes] = {}
        table = pagecache.Table(fingerprint, self._reuse.kept, reused)
        fragments_rendered = fragments_reused = 0
        call = next(_calls)
        made = each_item(functools.partial(_make, call), tasks, jobs, min_items=2)
        try:
            for source, key, page, fragments in made:
                table.add(source, key, page)
                table.add_fragments(source, fragments)
                done[key] = page[0]
                reused_here = sum(1 for _, fragment in fragments if fragment is None)
                fragments_rendered += len(fragments) - reused_here
                fragments_reused += reused_here
        finally:
            made.close()  # (if the build failed here, the workers skip what is left)
            _numberings.pop((call, os.getpid()), None)  # (of the pages made here: the preview's)
        log.debug("rendered %d pages, %d unchanged", len(pages), len(self.routes.all) - len(pages))
        log.debug("fragments: %d rendered, %d used again", fragments_rendered, fragments_reused)
        table.store()
        out.update({file: done[file] for file in [*(route.file for route in self.routes.all), *sheets]})
        out["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {self.conf.base_url}sitemap.xml\n".encode()
        for asset in [*self.assets.values(), *self.logos.values()]:
            out[asset.path] = asset.data
        return out, {key: done[key] for key in pieces}


#: Numbers each call of Renderer.outputs: a process numbers the paths of one call's pages.
_calls = itertools.count()
#: A call of Renderer.outputs in one process: its number, the pid.
Source = tuple[int, int]
#: The fragments of a page as _make hands them on: key, and the fragment, or None if kept.
Fragments = list[tuple[str, pagecache.Numbered | None]]
#: The Numbering of each call (its number) in each process (its pid) that makes its pages here.
_numberings: dict[Source, pagecache.Numbering] = {}


def _make(call: int, task: Callable[[], Made]) -> tuple[Source, str, pagecache.Numbered, Fragments]:
    """Make a page in this process (a worker, or the build's own); return it with its paths numbered.

    ``call`` numbers the call of Renderer.outputs: a worker forked for a later call, or this
    process in it, numbers afresh. The build's process takes the results in the order of
    the tasks; each process does its tasks in that order too (workers.each_item), so each
    path has its number before a page sends the number alone (Table.add checks it).
    """
    key, page, fragments = task()
    source = (call, os.getpid())
    numbering = _numberings.get(source)
    if numbering is None:
        numbering = _numberings[source] = pagecache.Numbering()
    numbered = numbering.number(page)  # (before its fragments: the build's process adds it first)
    return source, key, numbered, [(k, None if f is None else numbering.number(f)) for k, f in fragments]
