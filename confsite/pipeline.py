"""build(): load, validate, render, write; nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import cache, compress, feeds, flyer, headers, ics, markup, precompile, share_image, workers
from .content import load_conference
from .model import Conference
from .precompile import TEMPLATES
from .registration import State, state_at
from .render import Renderer
from .routes import Routes
from .spare import survey
from .workers import default_jobs, map_items
from .write import check_replaceable, write_site

log = logging.getLogger(__name__)

#: Sites with fewer pages are rendered in one process: starting others would cost more.
PARALLEL_FROM = 300

#: Bytes of text files to compress from which a build compresses on every core, however few
#: the files. Below, starting the workers costs more than they save: the default site's 108
#: files (0.67 MB of text) took 29 ms in the build's process and 45 ms on two.
COMPRESS_IN_PARALLEL_FROM = 2_000_000

#: The feeds for conference apps, and what makes each.
FEEDS = {"schedule.json": feeds.schedule_json, "schedule.xml": feeds.schedule_xml}


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the command line to report."""

    conference: Conference
    files: int
    pages: int
    seconds: float


def load(
    content: Path, templates: Path = TEMPLATES, base_url: str | None = None, keep: bool = True
) -> Conference:
    """Read and validate the content; raise ContentInvalid with every problem.

    Without ``keep`` nothing is written, not even into the cache (``build.py check``).
    """
    conf = load_conference(content, templates, keep)
    if base_url:
        conf = dataclasses.replace(conf, base_url=base_url.rstrip("/") + "/")
    return conf


#: Makes a flyer PDF: conference, language, registration state, templates folder -> PDF bytes.
FlyerMaker = Callable[[Conference, str, State, Path], bytes]


def render_site(
    conf: Conference,
    now: dt.datetime,
    templates: Path = TEMPLATES,
    jobs: int = 1,
    flyers: FlyerMaker | None = None,
    feeds: bool = True,
) -> dict[str, bytes]:
    """Render every output file of the site: site path -> bytes, on ``jobs`` processes.

    ``flyers`` makes each flyer PDF; the preview passes one that may answer with the last PDF.
    By default the flyers of every language are rendered together, on ``jobs`` processes.
    Without ``feeds`` the feeds are left out: the preview makes them when they are asked for
    (:func:`feed_makers`). A small site's texts and pages are done in this process alone.
    """
    state = state_at(conf, now)
    routes = Routes(conf)
    page_jobs = jobs if len(routes.all) >= PARALLEL_FROM else 1
    # The share images not kept are drawn by a process of their own, from the start (the two
    # of the default conference take 0.19 s, Pillow's import included). What they show and
    # their names need no downloads, so a renderer without them does.
    shares = share_image.share_images(Renderer(conf, templates, state))
    to_draw = share_image.to_draw(shares.values())
    drawing = functools.partial(share_image.draw_all, to_draw)
    with workers.Started(drawing, fork=jobs > 1 and bool(to_draw)) as pngs_made:
        markup.convert_all(_markdown_sources(conf), page_jobs)  # (before the feeds: they show texts too)
        makers = feed_makers(conf, routes) if feeds else {}
        # A process of their own makes the feeds (0.3 s at 1,000 sessions) while this one gets
        # the flyers, reads the last build's pages and renders the others with its workers.
        fork_feeds = page_jobs > 1 and bool(makers)
        with workers.Started(functools.partial(_made, makers), fork=fork_feeds) as feeds_made:
            downloads = {
                f"{lang}/flyer.pdf": pdf
                for lang, pdf in _flyers(conf, state, templates, jobs, flyers).items()
            }
            sizes = {path: len(data) for path, data in downloads.items()}
            others = [*FEEDS, *ics.paths(conf, routes)]
            renderer = Renderer(conf, templates, state, sizes, others)
            renderer.share_images = {lang: (image.path, image.alt) for lang, image in shares.items()}
            files, pieces = renderer.outputs(page_jobs, pieces=ics.pieces(conf, routes))
            files.update(feeds_made.result())
        files.update(share_image.drawn(shares.values(), to_draw, pngs_made.result()))
    files.update(ics.assemble(conf, routes, pieces))
    files.update(downloads)
    files["_headers"] = headers.headers_file()
    return files


def _flyers(
    conf: Conference, state: State, templates: Path, jobs: int, make: FlyerMaker | None
) -> dict[str, bytes]:
    """Return the flyer PDF of every language: by ``make``, or else all of them at once."""
    if make is not None:
        return {lang: make(conf, lang, state, templates) for lang in conf.languages}
    sources = {lang: flyer.flyer_source(conf, lang, state, templates) for lang in conf.languages}
    return flyer.flyer_pdfs(sources, jobs)


def _markdown_sources(conf: Conference) -> list[str]:
    """Return every Markdown source of the site in every language: texts and page bodies."""
    sources = [text.get(lang) for text in conf.markdown_texts() for lang in conf.languages]
    return sources + [page.body for page in conf.pages]


def feed_makers(conf: Conference, routes: Routes | None = None) -> dict[str, Callable[[], bytes]]:
    """Return what makes each feed of ``conf``: site path -> function."""
    routes = routes or Routes(conf)
    return {path: functools.partial(make, conf, routes) for path, make in FEEDS.items()}


def _made(makers: dict[str, Callable[[], bytes]]) -> dict[str, bytes]:
    return {path: make() for path, make in makers.items()}


def with_compressed(files: dict[str, bytes], jobs: int = 1) -> dict[str, bytes]:
    """Return ``compress.with_compressed(files)``, reusing earlier builds' siblings of the same bytes."""
    code = Path(compress.__file__).read_bytes()  # its settings, and how it calls gzip and brotli
    version = cache.version(code, compress.LIBRARIES)
    keys = {path: f"{path}\0{hashlib.sha256(data).hexdigest()}" for path, data in files.items()}
    path_of = {key: path for path, key in keys.items()}

    def make(missing: list[str]) -> list[dict[str, bytes]]:
        paths = [path_of[key] for key in missing]
        # By their bytes: a few large files (the feeds and calendars after an edit) are worth
        # a pool of their own, a hundred small ones are not.
        large = sum(len(files[path]) for path in paths if compress.is_text(path)) >= COMPRESS_IN_PARALLEL_FROM
        return map_items(functools.partial(_siblings, files), paths, jobs if large else 1, min_items=2)

    siblings = cache.results("compressed", version, keys.values(), _is_siblings, make)
    out = dict(files)
    for key in keys.values():
        out.update(siblings[key])
    return out


def _siblings(files: dict[str, bytes], path: str) -> dict[str, bytes]:
    return compress.compressed(path, files[path])


def _is_siblings(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in value.items()
    )


def build(
    content: Path,
    out: Path,
    now: dt.datetime,
    templates: Path = TEMPLATES,
    base_url: str | None = None,
    compiling: workers.Started[None] | None = None,
) -> BuildResult:
    """Build the site from ``content`` into ``out``; on invalid content, write nothing.

    ``compiling``: the process that compiles ``templates``, if the caller started it
    (precompile.started); otherwise the build starts it.
    """
    started = time.perf_counter()
    check_replaceable(out)
    jobs = default_jobs()
    # A process of its own looks at the site kept for ``out`` (spare.survey) meanwhile.
    surveying = workers.Started(functools.partial(survey, out), fork=jobs > 1 and cache.enabled())
    compiling = compiling or precompile.started(templates)
    with cache.written_aside(), surveying as surveyed, compiling as compiled:
        conf = load(content, templates, base_url)
        moment = now.replace(tzinfo=conf.tz) if now.tzinfo is None else now.astimezone(conf.tz)
        files = render_site(conf, moment, templates, jobs)
        site = with_compressed(files, jobs)
        cache.write_aside()  # (the caches too, while this process writes the site, on one core)
        write_site(site, out, surveyed.result(), jobs)
        if compiled.forked:  # (done long since: waiting leaves no half-written file behind)
            compiled.result()
    pages = sum(1 for path in files if path.endswith(".html"))
    seconds = time.perf_counter() - started
    log.info("built %d files (%d pages) in %.2f s", len(files), pages, seconds)
    return BuildResult(conf, len(files), pages, seconds)
