"""Organizers' and funders' logos: checked when read, published, and shown in every page's footer."""

from __future__ import annotations

import io
import json
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html
from PIL import Image

from confbuilder import Site, make_site
from conftest import ROOT

NOW = "2019-03-01T12:00"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 240 80">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#c00"/>'
    '</linearGradient><rect id="r" width="240" height="80"/></defs>'
    '<use xlink:href="#r" fill="url(#g)"/></svg>'
)
ORGANIZATIONS = """\
organizers:
  - name: Institut A
    url: https://a.example.org/
    logo: logos/a.png
  - name: Stadt B
    logo: logos/b.jpg
funders:
  - name: Ministerium C
    url: https://c.example.org/
    logo: logos/c.svg
"""


def image(kind: str, size: tuple[int, int], colour: str = "navy") -> bytes:
    """Return an image of ``size`` in Pillow's format ``kind``."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def with_logos(root: Path) -> Site:
    site = make_site(root)
    site.append("conference.yaml", ORGANIZATIONS)
    logos = site.content / "logos"
    logos.mkdir()
    (logos / "a.png").write_bytes(image("PNG", (300, 100)))
    (logos / "b.jpg").write_bytes(image("JPEG", (50, 200)))
    (logos / "c.svg").write_text(SVG, encoding="utf-8")
    return site


def build(root: Path) -> subprocess.CompletedProcess[str]:
    argv = ["build", "--content", "content", "--out", "site", "--now", NOW]
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *argv], cwd=root, capture_output=True, text=True, check=False
    )


def footer_logos(site: Path, page: str) -> list[tuple[Path, dict[str, str]]]:
    """Return the logos of a page's footer: the file each names, and the image's attributes."""
    tree = html.parse(str(site / page))
    here = posixpath.dirname(page)
    return [
        (site / posixpath.normpath(posixpath.join(here, img.get("src"))), dict(img.attrib))
        for img in tree.iterfind(".//footer//img")
    ]


def test_logos_are_published_and_shown_on_every_page(tmp_path: Path) -> None:
    site = with_logos(tmp_path)
    built = build(tmp_path)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "site"
    sources = [site.content / "logos" / name for name in ("a.png", "b.jpg", "c.svg")]
    for page in ("de/index.html", "en/programme/talk/index.html", "de/personen/ada/index.html"):
        shown = footer_logos(out, page)
        assert [file.read_bytes() for file, _ in shown] == [source.read_bytes() for source in sources]
        assert [file.suffix for file, _ in shown] == [".png", ".jpg", ".svg"]
        assert [(a["width"], a["height"], a["alt"]) for _, a in shown] == [
            ("300", "100", ""),
            ("50", "200", ""),
            ("300", "100", ""),  # (the SVG's viewBox, 240 x 80)
        ]
    tree = html.parse(str(out / "de/index.html"))
    link = tree.find(".//footer//a[@href='https://a.example.org/']")
    assert link is not None and link.find("img") is not None  # (the name is the link's text)
    data = [json.loads(s.text) for s in tree.iterfind(".//script[@type='application/ld+json']")]
    (event,) = [d for d in data if d.get("@type") == "Event"]
    assert event["organizer"][0]["logo"] == "https://example.org/conf/" + str(
        shown[0][0].relative_to(out).as_posix()
    )
    assert event["funder"][0]["logo"].endswith(shown[2][0].name)


def test_a_changed_logo_is_published_by_the_next_build(tmp_path: Path) -> None:
    site = with_logos(tmp_path)
    assert build(tmp_path).returncode == 0
    (site.content / "logos" / "a.png").write_bytes(image("PNG", (200, 100), "red"))
    assert build(tmp_path).returncode == 0
    (first, attributes), *_ = footer_logos(tmp_path / "site", "de/index.html")
    assert first.read_bytes() == (site.content / "logos" / "a.png").read_bytes()
    assert (attributes["width"], attributes["height"]) == ("200", "100")


DEFS, FILL = "<defs>", 'fill="url(#g)"'
BAD_LOGOS = {
    "not an image": ("a.png", b"<html>not a picture</html>", "is not a PNG, JPEG, WebP or SVG image"),
    "too large": ("a.png", b"\x89PNG" + bytes(1 << 20), "a logo may have at most 1 MB"),
    "a script": ("c.svg", SVG.replace("<defs>", "<script>alert(1)</script><defs>"), "holds <script>"),
    "an event attribute": ("c.svg", SVG.replace("<use ", '<use onclick="alert(1)" '), "holds <use>"),
    "another file": ("c.svg", SVG.replace('"#r"', '"https://x.example/r.svg"'), "holds <use>"),
    "a style leading out": ("c.svg", SVG.replace('fill="url(#g)"', 'style="fill:url(//x.org/)"'), "<use>"),
    "a doctype": ("c.svg", '<!DOCTYPE svg [<!ENTITY a "aa">]>' + SVG, "is not an SVG drawing"),
    "no size": ("c.svg", SVG.replace(' viewBox="0 0 240 80"', ""), "has no size"),
    "a style sheet": ("c.svg", '<?xml-stylesheet type="text/xsl" href="x.svg"?>' + SVG, "?xml-stylesheet"),
    "XSLT": (
        "c.svg",
        SVG.replace('viewBox="0', 'xmlns:x="http://www.w3.org/1999/XSL/Transform" x:version="1" viewBox="0'),
        "holds <svg>",
    ),
    "XHTML": (
        "c.svg",
        SVG.replace("<defs>", '<h:meta xmlns:h="http://www.w3.org/1999/xhtml" http-equiv="refresh"/><defs>'),
        "holds <meta>",
    ),
    "an import": ("c.svg", SVG.replace(DEFS, "<style>@import 'https://x.org/';</style><defs>"), "<style>"),
    "an import after a child": ("c.svg", SVG.replace(DEFS, "<style><g/>@import url(//x);</style><defs>"), ""),
    "an escape": ("c.svg", SVG.replace(FILL, 'style="fill:\\75 rl(//x.org/)"'), "holds <use>"),
    "image-set": ("c.svg", SVG.replace(FILL, "style=\"fill:image-set('//x/a.png' 1x)\""), "<use>"),
    "a source": ("c.svg", SVG.replace("<use ", '<use src="https://x.org/a.png" '), "holds <use>"),
    "a base": ("c.svg", SVG.replace("<use ", '<use xml:base="https://x.org/" '), "holds <use>"),
    "another encoding": (
        "c.svg",
        '<?xml version="1.0" encoding="Shift_JIS"?>\n'
        + SVG.replace("</svg>", "<text><![CDATA[\u3041]]></text></svg>"),
        "is not an SVG drawing",
    ),
    "an escaped url() in a presentation attribute": (
        "c.svg",
        SVG.replace(FILL, 'fill="\\75 rl(//x/a#b)"'),
        "holds <use>",
    ),
    "image-set in a presentation attribute": (
        "c.svg",
        SVG.replace(FILL, "mask=\"image-set('//x/a.png' 1x)\""),
        "holds <use>",
    ),
    "image-set in an animation": (
        "c.svg",
        SVG.replace("</svg>", "<animate attributeName='mask' values=\"image-set('//x/a.png' 1x)\"/></svg>"),
        "holds <animate>",
    ),
    "an internal subset": (
        "c.svg",
        '<!DOCTYPE svg [<!ATTLIST svg x CDATA "y">]>' + SVG,
        "is not an SVG drawing",
    ),
    "no namespace": (
        "c.svg",
        SVG.replace("<defs>", '<g xmlns=""><script>alert(1)</script></g><defs>'),
        "<g>",
    ),
    "a bomb": ("a.png", b"", "has too many pixels; a logo may have at most 4000 on a side"),
    "a print file": ("a.png", b"", "has too many pixels"),
}


def test_a_logo_named_as_no_image_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    site = with_logos(tmp_path)
    site.replace("conference.yaml", "logos/a.png", "logos/a.gif")
    (site.content / "logos" / "a.gif").write_bytes(image("GIF", (30, 10)))
    (error,) = site.errors()
    line = site.line("conference.yaml", "logos/a.gif")
    assert (error.path, error.line) == ("content/conference.yaml", line)
    assert error.message == (
        "'logos/a.gif' is not named as a logo is: an SVG, PNG, JPEG or WebP file (.svg, .png, .jpg, .webp)"
    )


def many_pixels(case: str) -> bytes:
    """Return a PNG of many pixels in few bytes: 30,000 on a side (Pillow refuses to open it) or 5,000."""
    out = io.BytesIO()
    side = 30_000 if case == "a bomb" else 5_000
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


#: What drawing programs write: metadata of their own namespaces (Inkscape, Affinity's Serif,
#: Adobe's XMP, Sketch), a DOCTYPE naming SVG 1.1, quoted references, embedded fonts.
EXPORTED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    + SVG.replace(
        "<defs>",
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"/></metadata>'
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"/>'
        '<g xmlns:serif="http://www.serif.com/" serif:id="Ebene 1"'
        ' xmlns:sketch="http://www.bohemiancoding.com/sketch/ns" sketch:type="MSPage"/>'
        "<style>@font-face { font-family: L; src: url(data:font/woff2;base64,d09GMgABAAAA) }</style><defs>",
    ).replace(FILL, "fill=\"url('#g')\"")
)


def test_a_drawing_from_a_drawing_program_is_published(tmp_path: Path) -> None:
    """The metadata that drawing programs write is data a browser leaves alone."""
    site = with_logos(tmp_path)
    (site.content / "logos" / "c.svg").write_text(EXPORTED, encoding="utf-8")
    built = build(tmp_path)
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize("case", BAD_LOGOS)
def test_a_logo_that_cannot_be_published_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.chdir(tmp_path)
    site = with_logos(tmp_path)
    name, data, said = BAD_LOGOS[case]
    path = site.content / "logos" / name
    path.write_bytes(data.encode() if isinstance(data, str) else data or many_pixels(case))
    (error,) = site.errors()
    line = site.line("conference.yaml", f"logos/{name}")
    assert (error.path, error.line) == ("content/conference.yaml", line)
    assert error.message.startswith(f"'logos/{name}' ") and said in error.message, error.message
