"""Property-based tests: mangled content never crashes, and no text ever becomes markup.

(a) Random mutations of the valid minimal folder (a key deleted, a value of another type, random
    text, numbers, lists or nothing, items duplicated, values swapped) are either loaded or
    reported as FILE:LINE problems: never a traceback.
(b) Random text (with <, >, &, quotes, </script>, ]]>, line breaks, any unicode but NUL and
    control characters) in any text field shows up as that text, and every page keeps the
    elements and attributes it has with harmless text.

Hypothesis runs derandomized (the same examples every run, no example database), with few
examples each, so that the file stays deterministic and quick. The flyer's HTML is rendered,
its PDF is not (WeasyPrint takes a second per language; test_injection.py reads the PDF).
"""

from __future__ import annotations

import contextlib
import copy
import re
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import html
from test_injection import markup_problems, plain, render, shape

import confbuilder
from confbuilder import make_site
from confsite.content import load_conference
from confsite.errors import ContentInvalid
from confsite.pipeline import TEMPLATES

# On a failure, Hypothesis' pytest plugin imports its patch writer, whose libcst import warns
# (a DeprecationWarning, an error under filterwarnings=error) and hides the failing example
# behind an INTERNALERROR. Import it here once, quietly.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

PROBLEM = re.compile(r"^[^:]+:[1-9]\d*: .+")
SETTINGS = settings(
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def base_files() -> dict[str, Any]:
    """Return the minimal folder with forums and a panel, as data."""
    return {
        "conference.yaml": yaml.safe_load(confbuilder.CONFERENCE),
        "program.yaml": yaml.safe_load(confbuilder.PROGRAM_WITH_SLOTS),
        "people.yaml": yaml.safe_load(confbuilder.PEOPLE),
        "forums.yaml": yaml.safe_load(confbuilder.FORUMS),
        "podium.yaml": yaml.safe_load(confbuilder.PODIUM),
    }


@contextlib.contextmanager
def content_folder(files: dict[str, Any]) -> Iterator[Path]:
    """Write the files under a new working folder; yield its content folder."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        site = make_site(Path(tmp))
        for name, data in files.items():
            site.write(name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000))
        yield site.content


# --- (a) mutations never crash ------------------------------------------------------------------

Location = tuple[str | int, ...]
#: Keys the content format knows: a mutation may add them where they do not belong.
KNOWN_KEYS = ("id", "title", "date", "start", "end", "kind", "session", "speakers", "dates", "url", "name")
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        ["10:00", "25:99", "2019-04-02", "2019-02-30", "ada", "grace", "talk", "forums", "podium", "de", "fr"]
    ),
    st.sampled_from(["welcome", "forums-slot", "podium-slot", "https://example.org/", "javascript:x", ""]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(KNOWN_KEYS), inner, max_size=3)
    ),
    max_leaves=6,
)


def locations(node: Any, prefix: Location = ()) -> list[Location]:
    """Return the location of every value inside ``node``, depth first."""
    out: list[Location] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out += [(*prefix, key), *locations(value, (*prefix, key))]
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += [(*prefix, index), *locations(value, (*prefix, index))]
    return out


def at(node: Any, location: Location) -> Any:
    """Return the value at ``location``."""
    for step in location:
        node = node[step]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """Draw the minimal folder with one to four mutations."""
    files = base_files()
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(files)))
        everywhere = locations(files[name])
        if not everywhere:
            files[name] = draw(VALUES)
            continue
        where = draw(st.sampled_from(everywhere))
        parent, key = at(files[name], where[:-1]), where[-1]
        operation = draw(st.sampled_from(["delete", "replace", "duplicate", "swap", "add"]))
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = draw(VALUES)
        elif operation == "duplicate" and isinstance(parent, list):
            parent.insert(int(key), copy.deepcopy(parent[int(key)]))
        elif operation == "swap":
            other = draw(st.sampled_from(everywhere))
            if other[: len(where)] != where and where[: len(other)] != other:
                other_parent = at(files[name], other[:-1])
                parent[key], other_parent[other[-1]] = other_parent[other[-1]], parent[key]
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(KNOWN_KEYS) | st.text(max_size=6))] = draw(VALUES)
        else:
            parent[key] = [parent[key], draw(VALUES)]
    return files


@SETTINGS
@given(files=mutated())
def test_mutated_content_loads_or_is_reported(files: dict[str, Any]) -> None:
    with content_folder(files) as content:
        try:
            conf = load_conference(content, TEMPLATES)
        except ContentInvalid as exc:
            event("invalid")
            assert exc.errors
            for error in exc.errors:
                assert PROBLEM.match(str(error)), str(error)
            return
        event("valid")
        files_out = render(conf)  # what loads must render too
        assert "index.html" in files_out


# --- (b) any text stays text ---------------------------------------------------------------------

#: Text fields, where they are in the folder, and whether they are Markdown.
FIELDS: dict[str, tuple[str, Location, bool]] = {
    "conference title": ("conference.yaml", ("title",), False),
    "conference subtitle": ("conference.yaml", ("subtitle",), False),
    "conference summary": ("conference.yaml", ("summary",), True),
    "venue name": ("conference.yaml", ("venue", "name"), False),
    "venue city": ("conference.yaml", ("venue", "city"), False),
    "venue directions": ("conference.yaml", ("venue", "directions"), True),
    "fee": ("conference.yaml", ("registration", "fee"), False),
    "contact name": ("conference.yaml", ("contact", "name"), False),
    "part title": ("program.yaml", ("parts", 0, "title"), False),
    "session title": ("program.yaml", ("parts", 0, "sessions", 1, "title"), False),
    "session subtitle": ("program.yaml", ("parts", 0, "sessions", 1, "subtitle"), False),
    "session description": ("program.yaml", ("parts", 0, "sessions", 1, "description"), True),
    "room": ("program.yaml", ("parts", 0, "sessions", 1, "room"), False),
    "person name": ("people.yaml", ("people", 1, "name"), False),
    "honorific": ("people.yaml", ("people", 1, "honorific"), False),
    "affiliation": ("people.yaml", ("people", 1, "affiliation"), False),
    "role": ("people.yaml", ("people", 1, "role"), False),
    "bio": ("people.yaml", ("people", 1, "bio"), True),
    "forum title": ("forums.yaml", ("groups", 0, "forums", 0, "title"), False),
    "forum description": ("forums.yaml", ("groups", 0, "forums", 0, "description"), True),
    "panel title": ("podium.yaml", ("panels", 0, "title"), False),
}
FRAGMENTS = (
    "<", ">", "&", '"', "'", "</script>", "<script>", "]]>", "<![CDATA[", "\r\n", "\n", "\r", "\t",
    "<!--", "-->", "&amp;", "&#60;", "{{ 7*7 }}", "<b>", "javascript:", "\u202e", "\u2028", " on",
    "=alert(1)", "<img src=x onerror=alert(1)>", "\ufeff",
)  # fmt: skip
#: Any unicode but surrogates, control characters and unassigned code points (NUL included).
UNICODE = st.characters(blacklist_categories=("Cs", "Cc", "Cn"))
TEXTS = (
    st.lists(
        st.one_of(st.text(UNICODE, min_size=1, max_size=8), st.sampled_from(FRAGMENTS)),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda text: text.strip())
)


def harmless_files() -> dict[str, Any]:
    """Return the minimal folder with every field of FIELDS set to a marker naming the field."""
    files = base_files()
    for field, (name, where, _) in FIELDS.items():
        at(files[name], where[:-1])[where[-1]] = "Marker " + field.replace(" ", "-")
    return files


def pages(files: dict[str, bytes]) -> dict[str, html.HtmlElement]:
    """Parse every HTML page of a rendered site."""
    return {path: html.document_fromstring(data) for path, data in files.items() if path.endswith(".html")}


def page_text(doc: html.HtmlElement) -> str:
    """Return the visible text of a page (scripts left out), normalized."""
    return plain(" ".join(doc.xpath("//body//text()[not(ancestor::script)] | //title//text()")))


_BASELINE: dict[str, html.HtmlElement] = {}


def baseline() -> dict[str, html.HtmlElement]:
    """Render the harmless folder once; return its pages."""
    if not _BASELINE:
        with content_folder(harmless_files()) as content:
            _BASELINE.update(pages(render(load_conference(content, TEMPLATES))))
    return _BASELINE


def test_every_field_shows_on_some_page() -> None:
    texts = " ".join(page_text(doc) for doc in baseline().values())
    for field in FIELDS:
        assert "Marker " + field.replace(" ", "-") in texts, f"{field} appears on no page"


@settings(SETTINGS, max_examples=50)
@given(field=st.sampled_from(sorted(FIELDS)), text=TEXTS)
def test_any_text_stays_text(field: str, text: str) -> None:
    name, where, is_markdown = FIELDS[field]
    files = harmless_files()
    at(files[name], where[:-1])[where[-1]] = text
    with content_folder(files) as content:
        conf = load_conference(content, TEMPLATES)  # every such text is valid
        rendered = pages(render(conf))
    before = baseline()
    assert sorted(rendered) == sorted(before)
    shown = False
    for path, doc in rendered.items():
        assert not [p for p in markup_problems(doc) if "refresh" not in p], path
        assert shape(doc) == shape(before[path]), f"{path}: the elements or attributes changed"
        shown = shown or plain(text) in page_text(doc)
    assert is_markdown or shown, f"{text!r} is shown as text on no page"
