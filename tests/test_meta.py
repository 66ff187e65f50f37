"""Head metadata of every page (canonical, hreflang, OpenGraph, Twitter card) and the share image."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import lxml.html
import pytest
from PIL import Image, ImageChops
from test_workers import run

from confbuilder import make_site
from confsite import share_image
from confsite.pipeline import TEMPLATES, build, load, render_site
from confsite.registration import state_at
from confsite.render import Renderer
from conftest import BEFORE_DEADLINE, CONTENT

OG_LOCALE = {"de": "de_DE", "en": "en_GB"}
ONCE = (
    "og:type",
    "og:site_name",
    "og:title",
    "og:description",
    "og:locale",
    "og:image",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
)
TEXTS = (
    "Soziale Innovationen in Kommunen: Akteure – Prozesse – Labore",
    "Abschlusskonferenz des Projekts KoSI-Lab",
    "2. April 2019",
    "CityKirche Elberfeld, Wuppertal",
)


@pytest.fixture(params=["default_site", "multiday_site"])
def site(request: pytest.FixtureRequest) -> Path:
    built: Path = request.getfixturevalue(request.param)
    return built


def _meta(doc: lxml.html.HtmlElement, prop: str) -> list[str]:
    return [str(v) for v in doc.xpath(f"//head/meta[@property='{prop}' or @name='{prop}']/@content")]


def _base_url(site: Path) -> str:
    doc = lxml.html.fromstring((site / "index.html").read_bytes())
    canonical = str(doc.xpath("//link[@rel='canonical']/@href")[0])
    return canonical.rstrip("/").rsplit("/", 1)[0] + "/"  # the home page of the default language


def test_every_page_has_complete_head_metadata(site: Path) -> None:
    base = _base_url(site)
    default = lxml.html.fromstring((site / "index.html").read_bytes()).get("lang")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        rel = page.relative_to(site).as_posix()
        doc = lxml.html.fromstring(page.read_bytes())
        lang = doc.get("lang")
        where = f"{rel}: "
        title = doc.findtext(".//title")
        assert title and title.strip(), where + "title"
        for prop in ONCE:
            assert len(_meta(doc, prop)) == 1, where + prop
        assert _meta(doc, "og:type") == ["website"], where
        assert _meta(doc, "og:title")[0] in title, where + "og:title is the page's title"
        if rel != "index.html":
            description = doc.xpath("//head/meta[@name='description']/@content")
            assert description and description[0].strip(), where + "description"
            assert _meta(doc, "og:description") == description, where
        assert _meta(doc, "og:locale") == [OG_LOCALE[lang]], where
        assert _meta(doc, "twitter:card") == ["summary_large_image"], where
        if rel != "index.html":  # the root only redirects
            assert doc.xpath("//head/link[@rel='icon']/@href"), where + "favicon"
        hreflang = {
            str(a.get("hreflang")): str(a.get("href")) for a in doc.xpath("//head/link[@rel='alternate']")
        }
        canonical = [str(v) for v in doc.xpath("//head/link[@rel='canonical']/@href")]
        if rel == "404.html":
            assert canonical == [] and _meta(doc, "og:url") == [] and hreflang == {}, where
            continue
        assert len(canonical) == 1 and canonical[0].startswith(base), where + "canonical"
        assert _meta(doc, "og:url") == canonical, where
        assert set(hreflang) == {"de", "en", "x-default"}, where
        assert hreflang["x-default"] == hreflang[default], where + "x-default is the default language"
        if rel != "index.html":
            assert hreflang[lang] == canonical[0], where + "the page's own language"
            others = sorted(OG_LOCALE[code] for code in hreflang if code not in (lang, "x-default"))
            assert sorted(_meta(doc, "og:locale:alternate")) == others, where


def test_the_share_image_of_each_language_is_a_1200_by_630_png(site: Path) -> None:
    base = _base_url(site)
    images = {}
    for lang in ("de", "en"):
        doc = lxml.html.fromstring((site / lang / "index.html").read_bytes())
        url = _meta(doc, "og:image")[0]
        assert url.startswith(base + "static/share-") and url.endswith(".png")
        data = (site / url.removeprefix(base)).read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.size == (1200, 630)
        assert (_meta(doc, "og:image:width"), _meta(doc, "og:image:height")) == (["1200"], ["630"])
        assert len(data) < 60_000, "a palette PNG of flat colours stays small"
        title = doc.findtext(".//title")
        assert title and _meta(doc, "og:image:alt")[0].startswith(title.split(" – ")[0])
        images[lang] = data
        # every page of the language shares its image
        for page in sorted((site / lang).rglob("*.html")):
            assert _meta(lxml.html.fromstring(page.read_bytes()), "og:image") == [url], page
    assert images["de"] != images["en"], "each language has its own image"


def test_the_alt_text_names_what_the_image_shows(default_site: Path) -> None:
    doc = lxml.html.fromstring((default_site / "de" / "index.html").read_bytes())
    assert _meta(doc, "og:image:alt") == [f"{TEXTS[0]} – {TEXTS[2]}, {TEXTS[3]}"]


def _pixels(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def test_share_image_changes_with_the_title_and_is_deterministic() -> None:
    draw = share_image.draw_png  # without the caches, to draw twice for real
    first = draw(*TEXTS)
    assert draw(*TEXTS) == first
    other = draw("Ganz andere Konferenz", *TEXTS[1:])
    assert other != first
    title_area = (0, 0, 1200, 630 - share_image.BAND)
    difference = (
        ImageChops.difference(_pixels(first), _pixels(other)).convert("L").point(lambda v: v > 64 and 255)
    )
    assert difference.crop(title_area).getbbox() is not None, "the title looks different"
    assert difference.crop((0, 630 - share_image.BAND, 1200, 630)).getbbox() is None, "the date band did not"
    with Image.open(io.BytesIO(first)) as image:
        assert image.mode == "P" and image.size == (1200, 630)


def test_share_image_keeps_the_colours_of_the_drawing() -> None:
    """Its palette PNG shows the flat colours exactly, and every text's edges nearly so."""
    for texts in (TEXTS, ("Ärzte & Ämter: Ökologie", "Unterzeile", "1. Januar 2030", "Saal 1, Köln")):
        drawn = share_image.draw(*texts)
        shown = _pixels(share_image.draw_png(*texts))
        worst = [high for _, high in ImageChops.difference(drawn, shown).getextrema()]
        assert max(worst) <= 16, worst
        flat = {
            (10, 10): share_image.ACCENT,
            (10, 630 - share_image.BAND + 4): share_image.PALE,
            (10, 620): share_image.BAND_BG,
        }
        for point, colour in flat.items():
            assert drawn.getpixel(point) == shown.getpixel(point) == colour


def test_share_image_shortens_what_does_not_fit() -> None:
    words = " ".join(["Donaudampfschifffahrtsgesellschaft"] * 40)
    data = share_image.draw_png(words, words, "1. Januar 2030", words)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 630)
    font = share_image._font(True, 36)
    lines = share_image._wrap(words, font, 1056, 4)
    assert len(lines) == 4 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1056 for line in lines)


def test_share_image_uses_a_truetype_font() -> None:
    path = share_image._font_file(True)
    assert path is not None and path.name.lower().endswith((".ttf", ".otf")), "install fonts-dejavu-core"


def test_og_locale_adds_the_likely_territory(tmp_path: Path) -> None:
    project = make_site(tmp_path)
    project.write("i18n/en.yaml", "locale: en\n")
    conf = load(project.content)
    files = render_site(conf, dt.datetime(2019, 3, 1, 12, tzinfo=conf.tz))
    doc = lxml.html.fromstring(files["en/index.html"])
    assert _meta(doc, "og:locale") == ["en_US"]
    assert _meta(lxml.html.fromstring(files["de/index.html"]), "og:locale:alternate") == ["en_US"]


def test_two_builds_give_the_same_share_images(tmp_path: Path, default_site: Path) -> None:
    out = tmp_path / "again"
    build(CONTENT, out, BEFORE_DEADLINE)
    first = sorted(p.relative_to(default_site).as_posix() for p in (default_site / "static").glob("share-*"))
    again = sorted(p.relative_to(out).as_posix() for p in (out / "static").glob("share-*"))
    assert first == again and len(first) == 2
    assert all((default_site / p).read_bytes() == (out / p).read_bytes() for p in first)


#: Renders the default site twice on two cores in a process of its own (the test process may
#: run threads, beside which nothing is forked), noting which process draws each share image.
_DRAWN_ASIDE = """
import datetime as dt
from pathlib import Path
os.environ.pop("CONFSITE_NO_CACHE", None)  # (the second render takes the images from the cache)
from confsite import pipeline, share_image
real, here = share_image.draw_png, os.getpid()
def noting(*texts):
    Path(f"drawn-{'here' if os.getpid() == here else 'aside'}-{os.getpid()}-{texts[0][:5]}").touch()
    return real(*texts)
share_image.draw_png = noting
conf = pipeline.load(Path(sys.argv[1]))
now = dt.datetime(2019, 3, 1, 12, tzinfo=conf.tz)
for build in ("first", "second"):
    files = pipeline.render_site(conf, now, jobs=2)
    shares = sorted(path for path in files if path.startswith("static/share-"))
    pngs = all(files[path].startswith(b"\\x89PNG") for path in shares)
    linked = all(path.split("/")[-1].encode() in files[f"{path[13:15]}/index.html"] for path in shares)
    print(build, " ".join(shares), pngs, linked, len(list(Path().glob("drawn-*"))))
"""


def test_share_images_are_drawn_aside_and_named_by_what_they_show(tmp_path: Path) -> None:
    printed = run(_DRAWN_ASIDE, str(CONTENT), cwd=tmp_path)
    first, second = printed[:6], printed[6:]
    assert first[0] == "first" and second[0] == "second"
    assert first[1:] == [*second[1:-1], "2"] and second[-1] == "2"  # the second build draws nothing
    assert first[3:5] == ["True", "True"]  # PNGs, linked from the home page of their language
    assert [p.name.split("-")[1] for p in tmp_path.glob("drawn-*")] == ["aside", "aside"]
    assert first[1].startswith("static/share-de.") and first[2].startswith("static/share-en.")


def test_each_share_image_is_the_drawing_of_its_language_and_named_alike_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    conf = load(CONTENT)
    files = render_site(conf, BEFORE_DEADLINE)
    images = share_image.share_images(Renderer(conf, TEMPLATES, state_at(conf, BEFORE_DEADLINE)))
    for lang, image in images.items():
        assert image.path.startswith(f"static/share-{lang}.")
        assert image.texts[0] == conf.title.get(lang)
        assert files[image.path] == share_image.draw_png(*image.texts)
    monkeypatch.setattr(sys, "version", "3.99.0 (another build of Python)")  # caches' versions hold it
    again = share_image.share_images(Renderer(conf, TEMPLATES, state_at(conf, BEFORE_DEADLINE)))
    assert [image.path for image in again.values()] == [image.path for image in images.values()]


def test_the_share_table_keeps_the_images_in_use_and_the_newest_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each title edit draws one image; the other language's stays kept, however many edits."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)
    drawings: list[str] = []

    def drawing(title: str, *rest: str) -> bytes:
        drawings.append(title)
        return f"PNG {title}".encode()

    monkeypatch.setattr(share_image, "draw_png", drawing)
    english = share_image.ShareImage(("Conference", "", "2 April 2019", "Wuppertal"), "static/en.png", "")
    for edit in range(12):
        german = share_image.ShareImage(
            (f"Konferenz {edit}", "", "2. April", "Wuppertal"), "static/de.png", ""
        )
        images = [german, english]
        texts = share_image.to_draw(images)
        pngs = share_image.drawn(images, texts, share_image.draw_all(texts))
        assert pngs == {"static/de.png": f"PNG Konferenz {edit}".encode(), "static/en.png": b"PNG Conference"}
    assert drawings == ["Konferenz 0", "Conference", *(f"Konferenz {edit}" for edit in range(1, 12))]
    kept = share_image._stored()
    assert len(kept) == share_image.KEPT_IMAGES
    assert any(key.startswith("Conference") for key in kept)
    assert any(key.startswith("Konferenz 11") for key in kept)
