"""The printable A4 flyer: a Jinja template rendered to HTML, then to PDF by WeasyPrint."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import logging
import os
import re
from pathlib import Path

from babel.dates import format_interval
from markupsafe import Markup, escape

from . import cache
from .context import PageContext
from .model import Conference
from .precompile import FLYER_FOLDER
from .registration import State
from .render import Renderer
from .stamps import source_date
from .workers import each_item

log = logging.getLogger(__name__)

#: Where rendered PDFs are kept between builds, relative to the working folder.
CACHE_DIR = cache.ROOT / "flyer"
#: How many PDFs are kept besides those a build uses: each edit of what a flyer shows (any
#: session's title or time, up to 40 sessions) makes another one, and a preview makes one
#: after every such save. Enough to go back a few edits without WeasyPrint.
KEPT_FLYERS = 8
#: The folder of the flyer's templates, inside the templates folder; its template and stylesheet.
FOLDER = FLYER_FOLDER  # (named there for the process that compiles the templates)
TEMPLATE = f"{FOLDER}flyer.html"
STYLESHEET = f"{FOLDER}flyer.css"
#: What the flyer's HTML holds where a QR code goes, until WeasyPrint reads it (with_qr_codes):
#: the address, in hex. Drawing the code takes segno, which a kept PDF spares (15 ms to import).
#: The "<" keeps content out: every text of the conference comes to the flyer escaped.
QR_MARK = "<confsite-qr {address}>"
_QR_MARKED = re.compile(r"<confsite-qr ((?:[0-9a-f]{2})*)>")
#: The libraries that make a PDF of the HTML and the QR codes in it.
_DRAWN_BY = ("weasyprint", "pydyf", "segno")


class PrintContext(PageContext):
    """A page context for print: every link is a full address."""

    def url(self, path: str) -> str:
        """Link to a site path by its absolute address."""
        return self.canonical(path)


def flyer_pdf(conf: Conference, lang: str, state: State, templates: Path) -> bytes:
    """Render the flyer in ``lang`` to PDF bytes, reusing a cached copy of the same input.

    (A build renders the flyers of every language together: :func:`flyer_pdfs`.)
    """
    return pdf_of(*flyer_source(conf, lang, state, templates))


def flyer_source(conf: Conference, lang: str, state: State, templates: Path) -> tuple[str, str]:
    """Return what WeasyPrint makes the flyer in ``lang`` of: its HTML and its stylesheet."""
    return flyer_html(conf, lang, state, templates), (templates / STYLESHEET).read_text(encoding="utf-8")


def pdf_of(html: str, css: str) -> bytes:
    """Render a flyer's HTML and stylesheet to PDF bytes, reusing a cached copy of the same input."""
    return flyer_pdfs({"": (html, css)})[""]


def flyer_pdfs(sources: dict[str, tuple[str, str]], jobs: int = 1) -> dict[str, bytes]:
    """Render flyers (name -> HTML and stylesheet) to PDF bytes, reusing cached copies of the same input.

    Those not cached are rendered on ``jobs`` processes, after WeasyPrint is imported here
    once for all of them: the two flyers of the default conference took 0.68 s instead of
    0.89 s (the import, 0.38 s, included). Each is kept as soon as it is made; then the
    kept ones that none of ``sources`` is made of are removed, all but the newest KEPT_FLYERS.
    """
    kept = cache.enabled()
    keys = {name: _key(*source) for name, source in sources.items()} if kept else {}
    pdfs = {name: pdf for name, key in keys.items() if (pdf := _read(key)) is not None}
    missing = [name for name in sources if name not in pdfs]
    if len(missing) > 1 and jobs > 1:
        import segno  # noqa: F401, PLC0415  (see qr_data_uri)
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401, PLC0415  (see _weasyprint)
    rendered = each_item(functools.partial(_rendered, sources), missing, jobs, min_items=2)
    with contextlib.closing(rendered) as made:  # (a failure ends the workers at once)
        for name, pdf in zip(missing, made, strict=True):
            if kept:
                _store(keys[name], pdf)
            pdfs[name] = pdf
    if kept and missing:
        _remove_unused(set(keys.values()))
    return {name: pdfs[name] for name in sources}


def _key(html: str, css: str) -> str:
    """Name the input of a PDF: its HTML and stylesheet, and the versions of what renders them."""
    # (this module draws the QR codes that the HTML only marks: how it draws them counts too)
    drawing = (Path(__file__).read_text(encoding="utf-8"), *(cache.installed(name) for name in _DRAWN_BY))
    made_of = (html, css, *drawing)
    return hashlib.sha256("\0".join(made_of).encode()).hexdigest()


def _folder() -> Path:
    return Path.cwd() / CACHE_DIR


def _read(key: str) -> bytes | None:
    """Return the kept PDF of the input ``key``, or None if there is none (or none intact).

    A PDF is kept as ``<key>-<SHA-256 of the PDF>.pdf``: one whose bytes no longer have their
    digest (a file cut short, say) is removed, to be rendered again. A PDF read is marked as
    used now, so that it stays among the newest (:func:`_remove_unused`).
    """
    try:
        candidates = sorted(_folder().glob(f"{key}-*.pdf"))
    except OSError:
        return None
    for path in candidates:
        try:
            pdf = path.read_bytes()
        except OSError:
            continue
        if f"{key}-{hashlib.sha256(pdf).hexdigest()}.pdf" != path.name:
            log.warning("removing the damaged flyer %s from the cache", path.name)
            path.unlink(missing_ok=True)
            continue
        with contextlib.suppress(OSError):
            os.utime(path)
        return pdf
    return None


def _remove_unused(used: set[str]) -> None:
    """Remove the kept PDFs of inputs not in ``used``, all but the newest KEPT_FLYERS."""
    try:
        others = [path for path in _folder().glob("*.pdf") if path.name.partition("-")[0] not in used]
    except OSError:
        return
    cache.remove_older(others, KEPT_FLYERS, functools.partial(Path.unlink, missing_ok=True))


def _rendered(sources: dict[str, tuple[str, str]], name: str) -> bytes:
    """Render the flyer ``name`` of ``sources`` (in a worker, or here)."""
    return _weasyprint(*sources[name])


def flyer_html(conf: Conference, lang: str, state: State, templates: Path) -> str:
    """Render the flyer's HTML in ``lang``: what WeasyPrint reads, its QR code marked (with_qr_codes)."""
    renderer = Renderer(conf, templates, state)
    ctx = PrintContext(renderer, lang, renderer.routes.path("flyer", lang))
    html = renderer.render(
        TEMPLATE,
        ctx,
        qr=Markup(QR_MARK.format(address=conf.registration.url.encode().hex())),
        date_span=date_span(ctx),
        created=created(conf).isoformat(timespec="seconds"),
    )
    return html.decode("utf-8")


def date_span(ctx: PageContext) -> str:
    """Name the conference days briefly: 2. April 2019, or 24.–26. Okt. 2025 for consecutive days."""
    days = sorted(ctx.conf.dates)
    consecutive = all((b - a).days == 1 for a, b in itertools.pairwise(days))
    if len(days) > 1 and consecutive:
        return str(format_interval(days[0], days[-1], "yMMMd", locale=ctx.ui["locale"]))
    return " · ".join(ctx.fmt.date_short(day) for day in days)


def qr_data_uri(url: str) -> str:
    """Make a QR code of ``url`` as an SVG data URI (vector, so it stays sharp in print)."""
    import segno  # noqa: PLC0415  (here: a build whose flyers are kept does without it, 15 ms)

    code = segno.make_qr(url, error="m")
    return str(code.svg_data_uri(scale=1, border=0, dark="#1b1f23", omitsize=False))


def with_qr_codes(html: str) -> str:
    """Put the QR code of each address that ``html`` marks (QR_MARK) in place of its mark."""
    return _QR_MARKED.sub(
        lambda found: escape(qr_data_uri(bytes.fromhex(found[1]).decode(errors="replace"))), html
    )


def created(conf: Conference) -> dt.datetime:
    """Return the flyer's creation date: SOURCE_DATE_EPOCH if set, else the first conference day."""
    return source_date() or dt.datetime.combine(min(conf.dates), dt.time(0, 0), conf.tz)


def _weasyprint(html: str, css: str) -> bytes:
    """Convert the flyer's HTML and CSS to PDF bytes."""
    # Imported here: the import takes 0.38 s, and a cache hit needs none of it.
    from weasyprint import CSS, HTML  # noqa: PLC0415

    pdf = HTML(string=with_qr_codes(html)).write_pdf(stylesheets=[CSS(string=css)])
    assert isinstance(pdf, bytes)
    return pdf


def _store(key: str, pdf: bytes) -> None:
    """Keep the PDF of the input ``key`` (see :func:`_read`); a cache that cannot be written is skipped."""
    path = _folder() / f"{key}-{hashlib.sha256(pdf).hexdigest()}.pdf"
    try:
        cache.write_file(path, pdf)
    except OSError as error:
        log.warning("could not cache the flyer in %s: %s", path.parent, error)
