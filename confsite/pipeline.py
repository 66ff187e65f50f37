"""build(): load, validate, render, write; nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from . import feeds, ics
from .content import load_conference
from .flyer import flyer_pdf
from .model import Conference
from .registration import state_at
from .render import Renderer
from .routes import Routes
from .write import check_replaceable, write_site

log = logging.getLogger(__name__)

#: The templates that ship with confsite, beside the package.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the command line to report."""

    conference: Conference
    files: int
    pages: int
    seconds: float


def load(content: Path, templates: Path = TEMPLATES, base_url: str | None = None) -> Conference:
    """Read and validate the content; raise ContentInvalid with every problem."""
    conf = load_conference(content, templates)
    if base_url:
        conf = dataclasses.replace(conf, base_url=base_url.rstrip("/") + "/")
    return conf


def render_site(conf: Conference, now: dt.datetime, templates: Path = TEMPLATES) -> dict[str, bytes]:
    """Render every output file of the site: site path -> bytes."""
    state = state_at(conf, now)
    downloads: dict[str, bytes] = {}
    for lang in conf.languages:
        downloads[f"{lang}/flyer.pdf"] = flyer_pdf(conf, lang, state, templates)
    routes = Routes(conf)
    downloads.update(ics.calendars(conf, routes))
    downloads["schedule.json"] = feeds.schedule_json(conf, routes)
    downloads["schedule.xml"] = feeds.schedule_xml(conf, routes)
    renderer = Renderer(conf, templates, state, {path: len(data) for path, data in downloads.items()})
    files = renderer.outputs()
    files.update(downloads)
    return files


def build(
    content: Path,
    out: Path,
    now: dt.datetime,
    templates: Path = TEMPLATES,
    base_url: str | None = None,
) -> BuildResult:
    """Build the site from ``content`` into ``out``; on invalid content, write nothing."""
    started = time.perf_counter()
    check_replaceable(out)
    conf = load(content, templates, base_url)
    moment = now.replace(tzinfo=conf.tz) if now.tzinfo is None else now.astimezone(conf.tz)
    files = render_site(conf, moment, templates)
    write_site(files, out)
    pages = sum(1 for path in files if path.endswith(".html"))
    seconds = time.perf_counter() - started
    log.info("built %d files (%d pages) in %.2f s", len(files), pages, seconds)
    return BuildResult(conf, len(files), pages, seconds)
