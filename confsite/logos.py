"""The logos of organizers and funders: read, checked, and named for the site.

A logo is published as it is (no image is converted), under ``static/logos/`` with a digest
of its bytes in its name, and shown at a fixed height with the width its proportions give.
It must be what its bytes say: a PNG, JPEG or WebP image that Pillow reads, or an SVG
drawing that holds nothing that runs or loads (no scripts, no event attributes, no
references outside the file), since a visitor may open it on its own, in the site's origin.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .messages import Message, msg
from .model import Logo

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

#: The largest logo published: larger ones are photographs or print files, not logos.
MAX_BYTES = 1 << 20
#: The most pixels on a side of a published image: a logo is shown 48 pixels high.
MAX_SIDE = 4000
#: Pillow's name of each raster format -> the suffix it is published with.
_RASTERS = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg", "WEBP": "webp"}  # (MPO: a camera's JPEG)
_SVG = "{http://www.w3.org/2000/svg}"
#: What an SVG drawing may not hold: elements that run, embed, link or change links.
_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignObject", "iframe", "object", "embed", "audio", "video", "a", "set"}
)
#: The namespaces whose elements or attributes a browser acts on, besides SVG's own: XHTML
#: (scripts, frames, meta refresh), MathML (links), XSLT, XInclude, XML Events. Those of any
#: other namespace (the metadata that drawing programs write: RDF, Inkscape, Adobe, Serif,
#: Sketch) are data a browser leaves alone.
_ACTIVE_NAMESPACES = frozenset(
    {
        "http://www.w3.org/1999/xhtml",
        "http://www.w3.org/1998/Math/MathML",
        "http://www.w3.org/1999/XSL/Transform",
        "http://www.w3.org/2001/XInclude",
        "http://www.w3.org/2003/XInclude",
        "http://www.w3.org/2001/xml-events",
    }
)
#: The attributes of XLink's and XML's namespaces that a drawing may have.
_ATTRIBUTES_OF = {
    "http://www.w3.org/1999/xlink": frozenset({"href", "title"}),
    "http://www.w3.org/XML/1998/namespace": frozenset({"space", "lang"}),
}
#: A url() that leads outside the drawing: not to one of its parts (#gradient), nor embedded data.
_OUTSIDE_URL = re.compile(r"url\(\s*(?!['\"]?\s*(?:#|data:))", re.IGNORECASE)
#: What in any value may load an image: escapes that hide a url(), and the image functions.
_UNSAFE_VALUE = re.compile(r"\\|image-set|image\(", re.IGNORECASE)
#: What else in a style may load or run: imports, and the old scripting properties.
_UNSAFE_CSS = re.compile(r"@import|expression|binding|behavior", re.IGNORECASE)
#: The XML declaration, the only processing instruction allowed (another, xml-stylesheet,
#: would apply a style sheet or an XSLT transformation when the drawing is opened). Its
#: encoding, if it names one, is UTF-8: a browser would read the bytes as it says.
_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml\s[^?]*\?>")
_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")
#: A DOCTYPE with an internal subset, where entities would be declared.
_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_NUMBER = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*")


def read(path: Path) -> Logo | Message:
    """Read a logo file; return it, or what is wrong with it (a message that follows its name)."""
    if path.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg", ".webp"):
        return msg(
            "is not named as a logo is: an SVG, PNG, JPEG or WebP file (.svg, .png, .jpg, .webp)",
            "ist nicht wie ein Logo benannt: eine SVG-, PNG-, JPEG- oder WebP-Datei"
            " (.svg, .png, .jpg, .webp)",
        )
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        return msg(
            "is {size:,} bytes; a logo may have at most 1 MB (save it smaller, or as SVG)",
            "hat {size:,} Bytes; ein Logo darf höchstens 1 MB groß sein"
            " (speichern Sie es kleiner oder als SVG)",
            size=len(data),
        )
    if path.suffix.lower() == ".svg":
        return _svg(data)
    return _raster(data)


def published_path(source: str, logo: Logo) -> str:
    """Return the site path of a logo: its file's name, a digest of its bytes, its format."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-") or "logo"
    digest = hashlib.sha256(logo.data).hexdigest()[:10]
    return f"static/logos/{stem}.{digest}.{logo.suffix}"


def _raster(data: bytes) -> Logo | Message:
    from PIL import Image  # noqa: PLC0415  (only where a logo is an image)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # (more than 89 million pixels)
        kind, width, height = "PNG", MAX_SIDE + 1, MAX_SIDE + 1
    except Exception:  # (Pillow raises many kinds on bytes that are no image)
        kind, width, height = None, 0, 0
    if kind not in _RASTERS:
        return msg(
            "is not a PNG, JPEG, WebP or SVG image; export the logo in one of these formats",
            "ist kein PNG-, JPEG-, WebP- oder SVG-Bild; exportieren Sie das Logo in einem dieser Formate",
        )
    if max(width, height) > MAX_SIDE:
        return msg(
            "has too many pixels; a logo may have at most {most} on a side (save it smaller)",
            "hat zu viele Pixel; ein Logo darf höchstens {most} an einer Seite haben"
            " (speichern Sie es kleiner)",
            most=MAX_SIDE,
        )
    return Logo(data, _RASTERS[kind], width, height)


def _svg(data: bytes) -> Logo | Message:
    import xml.etree.ElementTree as ET  # noqa: PLC0415  (only where a logo is a drawing)

    try:
        text = data.decode("utf-8")
        declared = _DECLARATION.match(text)
        encoding = _ENCODING.search(declared.group()) if declared else None
        if encoding and encoding[1].lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise ValueError
        if "<!ENTITY" in text.upper() or _SUBSET.search(text):  # (entities can expand without end)
            raise ValueError
        root = ET.fromstring(text)
    except (UnicodeDecodeError, ValueError, ET.ParseError):
        root = None
    if root is None or root.tag != f"{_SVG}svg":
        return msg(
            "is not an SVG drawing (UTF-8, an <svg> element of the SVG namespace, no entities)",
            "ist keine SVG-Zeichnung (UTF-8, ein <svg>-Element im SVG-Namensraum, keine Entitäten)",
        )
    if "<?" in _DECLARATION.sub("", text, count=1):  # (ElementTree drops them unseen)
        return _unsafe("?xml-stylesheet")
    for element in root.iter():
        unsafe = _unsafe_element(element)
        if unsafe is not None:
            return _unsafe(unsafe)
    size = _size(root)
    if size is None:
        return msg(
            "has no size: give its <svg> element a viewBox (or a width and a height)",
            "hat keine Größe: geben Sie seinem <svg>-Element eine viewBox (oder width und height)",
        )
    return Logo(data, "svg", *size)


def _unsafe_element(element: ET.Element) -> str | None:
    """Name an element that may run or load something when the drawing is opened, else None."""
    namespace, _, name = str(element.tag).rpartition("}")
    namespace = namespace[1:]
    if not namespace or namespace in _ACTIVE_NAMESPACES:
        return name
    if namespace != _SVG[1:-1]:
        return None  # (data, with its attributes; an SVG element inside it is looked at in turn)
    if name in _FORBIDDEN_ELEMENTS:
        return name
    if name == "style":
        css = "".join(element.itertext())  # (the text after a child element too)
        if _UNSAFE_CSS.search(css) or _UNSAFE_VALUE.search(css) or _OUTSIDE_URL.search(css):
            return name
    if not all(_harmless(name, key, value) for key, value in element.attrib.items()):
        return name
    return None


def _harmless(element: str, attribute: str, value: str) -> bool:
    """Tell whether an attribute of an SVG element neither runs nor loads anything.

    Any value: a presentation attribute (fill, mask, cursor) or an animation's values take
    url() and image functions as a style does. A reference stays inside the drawing
    (``#gradient``), or is an embedded image of an ``<image>``; an animation does not change a
    reference.
    """
    namespace, _, name = attribute.rpartition("}")
    namespace = namespace[1:]
    if namespace and namespace not in _ATTRIBUTES_OF:
        return namespace not in _ACTIVE_NAMESPACES  # (another namespace's data)
    if namespace and name not in _ATTRIBUTES_OF[namespace]:
        return False  # (xml:base, above all)
    if name.lower().startswith("on") or name in ("src", "srcset"):
        return False
    if _OUTSIDE_URL.search(value) or _UNSAFE_VALUE.search(value):
        return False
    if name == "style" and _UNSAFE_CSS.search(value):
        return False
    if name == "href":
        return value.startswith("#") or (element == "image" and value.startswith("data:image/"))
    return not (element.startswith("animate") and name == "attributeName" and "href" in value)


def _unsafe(element: str) -> Message:
    return msg(
        "holds <{element}> with a script, a link or a reference to another file; export the logo"
        " as a plain drawing",
        "enthält <{element}> mit einem Skript, einem Link oder einem Verweis auf eine andere Datei;"
        " exportieren Sie das Logo als einfache Zeichnung",
        element=element,
    )


def _size(root: ET.Element) -> tuple[int, int] | None:
    """Return an SVG drawing's proportions as whole numbers: its viewBox, else its width and height."""
    box = root.attrib.get("viewBox", "").replace(",", " ").split()
    numbers: list[float] = []
    if len(box) == 4:
        try:
            numbers = [float(box[2]), float(box[3])]
        except ValueError:
            numbers = []
    if not numbers:
        found = [_NUMBER.fullmatch(root.attrib.get(key, "")) for key in ("width", "height")]
        numbers = [float(match[1]) for match in found if match is not None]
    if len(numbers) != 2 or min(numbers) <= 0:
        return None
    scale = 100 / min(numbers) if min(numbers) < 100 else 1  # (keep the proportions in whole numbers)
    width, height = (max(1, round(n * scale)) for n in numbers)
    return width, height
