"""The share image per language: a 1200×630 PNG with the conference's title, subtitle, date and venue."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import shutil
import subprocess
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import PIL  # (its version only: the package itself loads nothing else; drawing loads the rest)

from . import cache
from .context import PageContext
from .flyer import date_span
from .render import Renderer

if TYPE_CHECKING:  # Pillow is imported where an image is drawn, not by every build (11 ms)
    from PIL import Image, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BAND = 150  # height of the light band at the bottom, with the date and the venue
#: Colours of site.css (light scheme): accent background, white and pale text, a light band.
ACCENT, ON_ACCENT, PALE = (11, 90, 107), (255, 255, 255), (200, 228, 234)
BAND_BG, BAND_FG, BAND_MUTED = (238, 244, 246), (11, 90, 107), (27, 31, 35)
#: How many drawn images the cache keeps (two per conference: one per language).
KEPT_IMAGES = 8
#: Each text's colour on its background, in as many steps from the one to the other: the
#: image's palette (a palette PNG of flat colours and anti-aliased text stays small).
BLENDS = ((ON_ACCENT, ACCENT), (PALE, ACCENT), (BAND_FG, BAND_BG), (BAND_MUTED, BAND_BG))
STEPS = 12
#: zlib's level for the PNG: 5 ms and 19.0 kB for the default conference's German image,
#: where 9 (Pillow's optimize) took 34 ms for 17.4 kB. Only link previews fetch the image.
PNG_LEVEL = 7
#: Where Debian's fonts-dejavu-core puts its fonts.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

FontType: TypeAlias = "ImageFont.FreeTypeFont | ImageFont.ImageFont"


#: What a share image shows: the title, the subtitle, the dates and the place.
Texts = tuple[str, str, str, str]


@dataclass(frozen=True)
class ShareImage:
    """The share image of one language: what it shows, its site path and its alternative text."""

    texts: Texts
    path: str
    alt: str


def share_images(site: Renderer) -> dict[str, ShareImage]:
    """Name the share image of every language, without drawing it: see :func:`drawn`.

    Its name under static/ holds a digest of what it shows and of how it is drawn (this
    module, Pillow's version, the fonts' bytes: not the machine's Python, so the same content
    and fonts give the same pages anywhere), so that the pages can link it while it is drawn
    elsewhere. Pillow's wheels bring their own FreeType and zlib, which its version names.
    """
    images: dict[str, ShareImage] = {}
    version = _drawing()
    for lang in site.conf.languages:
        ctx = PageContext(site, lang, "")
        conf = ctx.conf
        title, when = ctx.plain(conf.title), date_span(ctx)
        where = f"{ctx.plain(conf.venue.name)}, {ctx.plain(conf.venue.city)}"
        texts = (title, ctx.plain(conf.subtitle), when, where)
        digest = hashlib.sha256("\0".join((version, *texts)).encode()).hexdigest()[:10]
        alt = ctx.t("share_alt", title=title, date=when, place=where)
        images[lang] = ShareImage(texts, f"static/share-{lang}.{digest}.png", alt)
    return images


def to_draw(images: Iterable[ShareImage]) -> list[Texts]:
    """Return what the images not kept from earlier builds show (for :func:`draw_all`)."""
    stored = _stored()
    return list(dict.fromkeys(i.texts for i in images if not isinstance(stored.get(_key(i.texts)), bytes)))


def draw_all(texts: list[Texts]) -> list[bytes]:
    """Draw images (a build does it in a process of its own, while it renders the pages)."""
    return [draw_png(*shown) for shown in texts]


def drawn(images: Collection[ShareImage], texts: list[Texts], pngs: list[bytes]) -> dict[str, bytes]:
    """Return each image's PNG (site path -> bytes): those just drawn, else the kept ones.

    The ones just drawn (``pngs`` of ``texts``) are kept for later builds.
    """
    made = {_key(shown): png for shown, png in zip(texts, pngs, strict=True)}
    stored = _stored()
    if made:  # (what was drawn is among what the images show: to_draw)
        used = {_key(image.texts) for image in images}
        used_kept = {key: png for key, png in stored.items() if key in used and isinstance(png, bytes)}
        others = [(key, png) for key, png in stored.items() if key not in used]
        room = max(KEPT_IMAGES - len(used), 0)  # for the newest others: each title edit adds one
        stored = {**dict(others[-room:] if room else []), **used_kept, **made}
        cache.store_table(_table(), stored)
    out: dict[str, bytes] = {}
    for image in images:
        png = stored.get(_key(image.texts))  # (drawn here if another build's table lacks it after all)
        out[image.path] = png if isinstance(png, bytes) else draw_png(*image.texts)
    return out


def _table() -> Path:
    return cache.table_path("share", cache.version(_drawing()))


def _stored() -> dict[str, object]:
    return cache.load_table(_table())


def _key(texts: Texts) -> str:
    return "\0".join(texts)


@functools.cache
def _code() -> tuple[bytes, str]:
    """Return this module's source and Pillow's version (they do not change while a process runs)."""
    return Path(__file__).read_bytes(), PIL.__version__


def _drawing() -> str:
    """Name how the images are drawn: this module, Pillow's version and the fonts' bytes."""
    source, pillow = _code()
    fonts = [_font_digest(_font_file(bold)) for bold in (False, True)]
    return hashlib.sha256(b"\0".join([source, *(text.encode() for text in (pillow, *fonts))])).hexdigest()


def _font_digest(path: Path | None) -> str:
    """Return the SHA-256 of a font file's bytes ("" without one), read again when the file changes."""
    if path is None:
        return ""
    info = path.stat()
    return _file_digest(path, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def draw_png(title: str, subtitle: str, when: str, where: str) -> bytes:
    """Draw a 1200×630 share image and return it as PNG bytes (the same texts give the same bytes)."""
    from PIL import Image  # noqa: PLC0415  (see the import for type checking above)

    image = draw(title, subtitle, when, where).quantize(palette=_palette(), dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue()


def draw(title: str, subtitle: str, when: str, where: str) -> Image.Image:
    """Draw a share image in full colour."""
    from PIL import Image, ImageDraw  # noqa: PLC0415  (see the import for type checking above)

    image = Image.new("RGB", (WIDTH, HEIGHT), ACCENT)
    pen = ImageDraw.Draw(image)
    width, room = WIDTH - 2 * MARGIN, HEIGHT - BAND - 2 * MARGIN + 16
    subtitle_font = _font(False, 30)
    sub_lines = _wrap(subtitle, subtitle_font, width, 2) if subtitle else []
    sub_height = len(sub_lines) * 40 + 24 if sub_lines else 0
    for size in (68, 60, 54, 48, 42, 36):
        title_font, leading = _font(True, size), round(size * 1.18)
        lines = _wrap(title, title_font, width, 4)
        if len(lines) * leading + sub_height <= room and not lines[-1].endswith("…"):
            break
    # the title and subtitle in the middle of the coloured area
    y = (HEIGHT - BAND - len(lines) * leading - sub_height) // 2
    for line in lines:
        pen.text((MARGIN, y), line, font=title_font, fill=ON_ACCENT)
        y += leading
    y += 24
    for line in sub_lines:
        pen.text((MARGIN, y), line, font=subtitle_font, fill=PALE)
        y += 40
    pen.rectangle((0, HEIGHT - BAND, WIDTH, HEIGHT), fill=BAND_BG)
    pen.rectangle((0, HEIGHT - BAND, WIDTH, HEIGHT - BAND + 8), fill=PALE)
    when_font, where_font = _font(True, 38), _font(False, 30)
    pen.text((MARGIN, HEIGHT - BAND + 32), _fit(when, when_font, width), font=when_font, fill=BAND_FG)
    pen.text((MARGIN, HEIGHT - BAND + 84), _fit(where, where_font, width), font=where_font, fill=BAND_MUTED)
    return image


@functools.cache
def _palette() -> Image.Image:
    """Return the image's palette: the colours an anti-aliased text has on its background.

    Each pixel takes the nearest of them: in 1.3 ms, at most 14 levels off for the default
    conference, where Pillow's median cut took 30 ms to find 48 colours, 37 levels off.
    """
    from PIL import Image  # noqa: PLC0415  (see the import for type checking above)

    colours: dict[tuple[int, ...], None] = {}  # (in order, each once)
    for text, background in BLENDS:
        for step in range(STEPS):
            share = step / (STEPS - 1)
            blend = zip(text, background, strict=True)
            colours[tuple(round(t * share + b * (1 - share)) for t, b in blend)] = None
    palette = Image.new("P", (1, 1))
    palette.putpalette([level for colour in colours for level in colour])
    return palette


def _wrap(text: str, font: FontType, width: int, max_lines: int) -> list[str]:
    """Break a text into lines no wider than ``width``; shorten the last with … if there are too many."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _fit(" ".join(lines[max_lines - 1 :]), font, width, force=True)]
    return [_fit(line, font, width) for line in lines]


def _fit(text: str, font: FontType, width: int, force: bool = False) -> str:
    """Shorten a line with … until it is no wider than ``width``."""
    text = " ".join(text.split())  # one line: Pillow's layout fails on a line break
    if not force and font.getlength(text) <= width:
        return text
    while text and font.getlength(text.rstrip() + " …") > width:
        text = text[:-1]
    return text.rstrip() + " …"


@functools.cache
def _font(bold: bool, size: int) -> FontType:
    """Load the system's sans-serif font (DejaVu Sans on Debian) at ``size`` pixels."""
    from PIL import ImageFont  # noqa: PLC0415  (see the import for type checking above)

    path = _font_file(bold)
    if path is None:
        log.warning("no TrueType font found (install fonts-dejavu-core); the share image uses Pillow's own")
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


@functools.cache
def _font_file(bold: bool) -> Path | None:
    """Find the font file: at Debian's DejaVu path, else with fc-match.

    Debian's path comes first because it is the same font that fc-match would name there,
    found without starting fc-match: twice 8 ms, in every build (the images' names hold the
    fonts' digests).
    """
    debian = DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if debian.is_file():
        return debian
    fc_match = shutil.which("fc-match")
    if fc_match:
        pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
        found = subprocess.run(
            [fc_match, "--format=%{file}", pattern], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found.lower().endswith((".ttf", ".otf")) and Path(found).is_file():
            return Path(found)
    return None
