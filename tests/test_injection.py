"""Classic injection payloads in every kind of field stay text in every output.

One site is built with each payload in its own session (title, subtitle, room, description)
and its own person (name, honorific, affiliation, role, bio), and with all payloads together
in the conference-wide fields (subtitle, summary, venue, fee, part, forum, panel, organizer).
Session 0 and person 0 hold harmless text: their pages are the shape every other page must
keep. Then each output context is checked for each payload: HTML text and attributes, the
Markdown the sanitizer lets through, JSON-LD, the calendars, schedule.xml, schedule.json and
the PDF flyer. Unsafe links are refused by validation instead.

The site's unsafe links, in Markdown ([click](javascript:alert(1)), images, data:) and in
link keys (ODD_URL, which would break out of an attribute), are refused by validation too
(test_the_injection_site_is_refused_by_validation). The site is rendered with them all the
same, with the check of links set aside, so that the outputs are checked to keep harmless what
validation is there to keep out: the sanitizer stays a second line of defence.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from icalendar import Calendar
from lxml import etree, html

import confbuilder
from confbuilder import Site, make_site
from confsite import flyer, ics, links, scalars, texts
from confsite.cli import main
from confsite.messages import Message, msg
from confsite.model import Conference
from confsite.pipeline import render_site
from confsite.registration import State
from confsite.routes import Routes
from conftest import require

NOW = dt.datetime(2019, 3, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><svg/onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    '<div style="width: expression(alert(1))">css</div>',
    "[click](javascript:alert(1))",
    "<a href='javascript:alert(1)'>link</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "<iframe src=https://evil.example/></iframe>",
    "user\u202egnp.exe right-to-left override",
    "Talk\r\nATTENDEE:mailto:evil@example.org",
    "x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:forged",
    "]]><injected/><![CDATA[",
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
    "&lt;script&gt; &amp; &#60;b&#62;",
    'Tom & Jerry\'s "quoted" <b>bold</b>',
)
#: An https link full of characters that would break out of an attribute (validation refuses
#: its quotation marks and angle brackets; the outputs are checked to escape them all the same).
ODD_URL = "https://example.org/?q=%22&x=\"><script>alert(1)</script>&y='onmouseover=alert(1)"
#: Tags nh3 lets through from Markdown, and their attributes (confsite/markup.py).
MARKDOWN_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul", "div", "span",
}  # fmt: skip
MARKDOWN_ATTRIBUTES = {"href", "title", "hreflang", "rel", "scope", "start", "lang"}
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)
#: Attributes that hold addresses.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset")
CONTEXTS = ("html-text", "html-attributes", "html-shape", "markdown", "json-ld", "ics", "xml", "json", "pdf")
#: Checks left out: pdftotext reorders right-to-left text, so the flyer cannot show it literally.
SKIPPED = {("pdf", PAYLOADS.index("user\u202egnp.exe right-to-left override"))}


def plain(text: str) -> str:
    """Normalize text as HTML, XML and calendars give it back: line breaks, then runs of space."""
    return " ".join(text.replace("\r\n", "\n").replace("\r", "\n").split())


def _flyer_without_pdf(conf: Conference, lang: str, state: State, templates: Path) -> bytes:
    flyer.flyer_html(conf, lang, state, templates)  # the template still runs
    return b"%PDF-1.7\n"


def render(conf: Conference) -> dict[str, bytes]:
    """Render the whole site in memory, without converting the flyer to PDF."""
    return render_site(conf, NOW, flyers=_flyer_without_pdf)


# --- the content ------------------------------------------------------------------------------


def content_data() -> dict[str, Any]:
    """Return the files of the injection site as data, to be written with yaml.safe_dump."""
    everything = " | ".join(PAYLOADS)
    conference = yaml.safe_load(confbuilder.CONFERENCE)
    conference["subtitle"] = everything
    conference["summary"] = everything
    conference["venue"].update(name=everything, directions=everything, accessibility=everything)
    conference["registration"]["fee"] = everything
    conference["organizers"] = [{"name": everything, "url": ODD_URL, "role": everything}]
    conference["contact"] = {"name": everything, "email": "info@example.org", "url": ODD_URL}
    people = [
        {
            "id": "person-0",
            "name": "Harmless Person",
            "honorific": "Dr.",
            "affiliation": "Harmless affiliation",
            "role": "Harmless role",
            "bio": "Harmless bio",
            "url": ODD_URL,
        }
    ]
    sessions: list[dict[str, Any]] = [
        {
            "id": "session-0",
            "start": "09:00",
            "end": "09:10",
            "kind": "talk",
            "title": "Harmless session",
            "subtitle": "Harmless subtitle",
            "room": "Harmless room",
            "description": "Harmless description",
            "speakers": ["person-0"],
        }
    ]
    for number, payload in enumerate(PAYLOADS, 1):
        people.append(
            {
                "id": f"person-{number}",
                "name": payload,
                "honorific": payload,
                "affiliation": payload,
                "role": payload,
                "bio": payload,
                "url": ODD_URL,
            }
        )
        start = dt.datetime(2019, 4, 2, 9, 10) + dt.timedelta(minutes=10 * number)
        sessions.append(
            {
                "id": f"session-{number}",
                "start": f"{start:%H:%M}",
                "end": f"{start + dt.timedelta(minutes=10):%H:%M}",
                "kind": "talk",
                "title": payload,
                "subtitle": payload,
                "room": payload,
                "description": payload,
                "speakers": [f"person-{number}"],
            }
        )
    sessions += [
        {"id": "forums-slot", "start": "18:00", "end": "19:00", "kind": "forums", "title": "Forums"},
        {"id": "podium-slot", "start": "19:00", "end": "20:00", "kind": "podium", "title": "Panel"},
    ]
    part = {"id": "day", "title": everything, "description": everything, "sessions": sessions}
    forum = {"id": "forum-a", "title": everything, "description": everything, "room": everything}
    panel = {"id": "panel-a", "session": "podium-slot", "title": everything, "description": everything}
    return {
        "conference.yaml": conference,
        "program.yaml": {"parts": [part]},
        "people.yaml": {"people": people},
        "forums.yaml": {"groups": [{"session": "forums-slot", "forums": [forum]}]},
        "podium.yaml": {"panels": [panel]},
    }


def write_content(site: Site, data: dict[str, Any]) -> None:
    """Write every file of ``data`` as YAML (safe_dump quotes and escapes what it must)."""
    for name, value in data.items():
        site.write(name, yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10_000))


@dataclass(frozen=True)
class Built:
    """The injection site rendered in memory, and the flyer's text as pdftotext reads it."""

    conf: Conference
    files: dict[str, bytes]
    pdf_text: str | None

    def page(self, kind: str, ident: str, lang: str = "en") -> html.HtmlElement:
        """Parse the HTML page of a session, a person, ..."""
        path = Routes(self.conf).path(kind, lang, ident) + "index.html"
        return html.document_fromstring(self.files[path])

    def calendar(self, session: str, lang: str = "en") -> bytes:
        """Return the calendar file of one session."""
        return self.files[ics.session_calendar_path(self.conf, Routes(self.conf), lang, session)]


_URL_PROBLEM = scalars.url_problem


def _url_problem_but_odd(text: str, schemes: tuple[str, ...] = links.SAFE_SCHEMES) -> Message:
    """Judge links as validation does, but let ODD_URL through."""
    return msg("", "") if text == ODD_URL else _URL_PROBLEM(text, schemes)


def _no_link_check(ctx: object, markdown: str, path: str, line: int, where: str, exact: bool = False) -> None:
    """Check no link of a Markdown text."""


@contextlib.contextmanager
def without_link_validation() -> Iterator[None]:
    """Let the content's attacks on links through validation, to see what the outputs make of them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scalars, "url_problem", _url_problem_but_odd)
        patch.setattr(texts, "check_links", _no_link_check)
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the injection site once for every check of this module."""
    root = tmp_path_factory.mktemp("injection")
    site = make_site(root)
    write_content(site, content_data())
    with contextlib.chdir(root), without_link_validation():
        conf = site.load()
    with contextlib.chdir(root):
        files = render_site(conf, NOW)
    pdf_text = None
    if shutil.which("pdftotext"):
        pdf = root / "flyer.pdf"
        pdf.write_bytes(files["en/flyer.pdf"])
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60
        )
        pdf_text = unicodedata.normalize("NFKC", result.stdout.decode("utf-8"))
    return Built(conf, files, pdf_text)


# --- what "nothing was injected" means ---------------------------------------------------------


def shape(doc: html.HtmlElement) -> Counter[tuple[str, tuple[str, ...]]]:
    """Count the elements of a page by tag and attribute names, leaving out Markdown blocks."""
    doc = copy.deepcopy(doc)
    for block in doc.xpath("//div[contains(concat(' ', @class, ' '), ' text ')]"):
        block.drop_tree()
    return Counter((str(el.tag), tuple(sorted(el.attrib))) for el in doc.iter() if isinstance(el.tag, str))


#: Elements that embed other documents or code; no page of the site has any.
EMBEDDING = {"iframe", "object", "embed", "base", "form", "frame", "frameset", "applet", "svg", "math"}
#: The only scripts a page may have: JSON-LD data, and the site's own script files.
OWN_SCRIPT = re.compile(r"^(?:(?:\.\./)*|/(?:[\w-]+/)*)static/[\w.-]+\.js$")


def _allowed_script(el: html.HtmlElement) -> bool:
    if el.get("src") is None:
        return el.get("type") == "application/ld+json"
    return bool(OWN_SCRIPT.match(el.get("src", "")))


def _unsafe_address(el: html.HtmlElement, name: str, value: str) -> bool:
    if name not in URL_ATTRIBUTES or not UNSAFE_SCHEME.match(value):
        return False
    return not (el.tag == "img" and name == "src" and value.startswith("data:image/"))  # the QR code


def markup_problems(doc: html.HtmlElement) -> list[str]:
    """List scripts, event handlers, unsafe addresses and embedded content that a page must not have."""
    problems = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in EMBEDDING:
            problems.append(f"<{el.tag}> element")
        if el.tag == "script" and not _allowed_script(el):
            problems.append(f"<script {dict(el.attrib)}> {el.text!r}")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"<{el.tag} {name}=...> event handler")
            if _unsafe_address(el, name, value):
                problems.append(f"<{el.tag} {name}={value!r}>")
            if name == "style" and "expression" in value.lower():
                problems.append(f"<{el.tag} style={value!r}>")
            if el.tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
                problems.append("<meta http-equiv=refresh>")
    return problems


# --- one check per output context --------------------------------------------------------------


def check_html_text(built: Built, number: int, payload: str) -> None:
    session = built.page("session", f"session-{number}")
    assert plain(session.xpath("string(//h1)")) == plain(payload)
    person = built.page("person", f"person-{number}")
    assert plain(person.xpath("string(//h1)")) == plain(f"{payload} {payload}")  # honorific and name
    assert plain(payload) in plain(session.xpath("string(//title)"))
    if "7*7" in payload:
        assert "49" not in session.xpath("string(//main)")


def check_html_attributes(built: Built, number: int, payload: str) -> None:
    session = built.page("session", f"session-{number}")
    values = [
        plain(value) for el in session.iter() if isinstance(el.tag, str) for value in el.attrib.values()
    ]
    assert any(plain(payload) in value for value in values), "the title is in no attribute (og:title)"
    person = built.page("person", f"person-{number}")
    assert ODD_URL in [a.get("href") for a in person.iter("a")]


def check_html_shape(built: Built, number: int, payload: str) -> None:
    assert shape(built.page("session", f"session-{number}")) == shape(built.page("session", "session-0"))
    assert shape(built.page("person", f"person-{number}")) == shape(built.page("person", "person-0"))


def check_markdown(built: Built, number: int, payload: str) -> None:
    for doc in (built.page("session", f"session-{number}"), built.page("person", f"person-{number}")):
        blocks = doc.xpath("//div[contains(concat(' ', @class, ' '), ' text ')]")
        assert blocks, "the description is missing"
        for block in blocks:
            for el in block.iterdescendants():
                if not isinstance(el.tag, str):
                    continue
                assert el.tag in MARKDOWN_TAGS, f"<{el.tag}> from Markdown"
                assert set(el.attrib) <= MARKDOWN_ATTRIBUTES, f"<{el.tag} {dict(el.attrib)}> from Markdown"
                assert not UNSAFE_SCHEME.match(el.get("href", "")), el.get("href")


def check_json_ld(built: Built, number: int, payload: str) -> None:
    session = built.page("session", f"session-{number}")
    (script,) = session.xpath("//script[@type='application/ld+json']")
    raw = script.text
    assert "<" not in raw and ">" not in raw, "JSON-LD must escape < and >"
    data = json.loads(raw)
    assert data["name"] == payload
    assert data["performer"][0]["name"] == payload
    assert data["performer"][0]["sameAs"] == ODD_URL
    assert payload in data["location"]["name"]


def check_ics(built: Built, number: int, payload: str) -> None:
    raw = built.calendar(f"session-{number}")
    lines = raw.removesuffix(b"\r\n").split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines), "a bare line break"
    assert lines.count(b"BEGIN:VEVENT") == 1
    assert not [line for line in lines if line.upper().startswith((b"ATTENDEE", b"ORGANIZER"))]
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    (baseline,) = Calendar.from_ical(built.calendar("session-0")).walk("VEVENT")
    assert sorted(event.keys()) == sorted(baseline.keys())
    assert plain(str(event["summary"])) == plain(payload)
    assert plain(payload) in plain(str(event["location"]))
    whole = Calendar.from_ical(built.files["en/calendar.ics"])
    assert len(whole.walk("VEVENT")) == len(built.conf.sessions) + len(built.conf.forums)


def _xml_event(built: Built, number: int) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.fromstring(built.files["schedule.xml"], parser)
    assert tree.getroottree().docinfo.internalDTD is None
    assert len(tree.findall(".//event")) == len(built.conf.sessions) + len(built.conf.forums)
    (event,) = [e for e in tree.iter("event") if (e.findtext("url") or "").endswith(f"/session-{number}/")]
    return event


def check_xml(built: Built, number: int, payload: str) -> None:
    event = _xml_event(built, number)
    assert plain(event.findtext("title") or "") == plain(payload)
    assert plain(event.findtext("room") or "") == plain(payload)
    assert [plain(p.text or "") for p in event.iter("person")] == [plain(f"{payload} {payload}")]


def check_json(built: Built, number: int, payload: str) -> None:
    schedule = json.loads(built.files["schedule.json"])
    events = [
        event
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
        if event["url"].endswith(f"/session-{number}/")
    ]
    (event,) = events
    assert (event["title"], event["subtitle"], event["room"]) == (payload, payload, payload)
    assert event["persons"][0]["name"] == f"{payload} {payload}"
    assert event["persons"][0]["url"] == ODD_URL


def check_pdf(built: Built, number: int, payload: str) -> None:
    require("pdftotext (poppler-utils)", built.pdf_text is not None)
    assert built.pdf_text is not None
    squeezed = re.sub(r"\s+", "", built.pdf_text)
    assert re.sub(r"\s+", "", payload) in squeezed, f"{payload!r} is not in the flyer's text"


CHECKS = {
    "html-text": check_html_text,
    "html-attributes": check_html_attributes,
    "html-shape": check_html_shape,
    "markdown": check_markdown,
    "json-ld": check_json_ld,
    "ics": check_ics,
    "xml": check_xml,
    "json": check_json,
    "pdf": check_pdf,
}
CASES = [
    (context, number)
    for context in CONTEXTS
    for number in range(1, len(PAYLOADS) + 1)
    if (context, number - 1) not in SKIPPED
]


@pytest.mark.parametrize(("context", "number"), CASES, ids=[f"{c}-{n}" for c, n in CASES])
def test_payload_stays_text(built: Built, context: str, number: int) -> None:
    CHECKS[context](built, number, PAYLOADS[number - 1])


def test_no_page_has_injected_markup(built: Built) -> None:
    pages = {path: data for path, data in built.files.items() if path.endswith(".html")}
    assert len(pages) > 2 * len(PAYLOADS)
    for path, data in pages.items():
        problems = markup_problems(html.document_fromstring(data))
        if path == "index.html":  # the root page sends visitors on by meta refresh, by design
            problems.remove("<meta http-equiv=refresh>")
        assert not problems, f"{path}: {problems}"
        for block in re.findall(rb"<script type=\"application/ld\+json\">(.*?)</script>", data, flags=re.S):
            assert b"<" not in block, f"{path}: JSON-LD holds <"
            json.loads(block)


def test_the_summary(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    checks = len(CASES)
    with capsys.disabled():
        print(
            f"\ninjection: {len(PAYLOADS)} payloads x {len(CONTEXTS)} contexts ="
            f" {checks} checks ({len(SKIPPED)} skipped: pdftotext reorders right-to-left text),"
            f" plus {len(UNSAFE_URLS)} unsafe links x {len(URL_FIELDS)} link fields refused"
        )
    assert checks == len(PAYLOADS) * len(CONTEXTS) - len(SKIPPED)


# --- links: unsafe ones are refused by validation ----------------------------------------------


def test_the_injection_site_is_refused_by_validation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validated, the site above is refused at each ODD_URL and each unsafe link of its Markdown."""
    monkeypatch.chdir(tmp_path)
    site = make_site(tmp_path)
    write_content(site, content_data())
    expected = set()
    for name in ("conference.yaml", "program.yaml", "people.yaml", "forums.yaml", "podium.yaml"):
        for number, line in enumerate(site.read(name).splitlines(), 1):
            if re.match(r"\s*(- )?url: .*onmouseover", line):
                expected.add((site.shown(name), number, "contains '\"', which a web address cannot hold"))
            if not re.match(r"\s*(description|bio|summary|directions|accessibility): ", line):
                continue
            for address in MARKDOWN_ADDRESSES:
                if f"]({address})" in line:
                    expected.add((site.shown(name), number, f"{address!r} is not a safe link"))
    # ODD_URL: organizer, contact, every person; Markdown: both addresses in each of the six
    # fields that hold every payload, one in the description and the bio of each payload's own
    assert len(expected) == (2 + len(PAYLOADS) + 1) + 6 * 2 + 3 * 2
    errors = site.errors()
    found = {(e.path, e.line, phrase) for e in errors for (_, _, phrase) in expected if phrase in e.message}
    assert found == expected, "\n".join(map(str, errors))
    assert len(errors) == len(expected), "\n".join(map(str, errors))


#: The addresses of the Markdown links and images of PAYLOADS.
MARKDOWN_ADDRESSES = ("javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")


UNSAFE_URLS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "\u202ejavascript:alert(1)",
)
#: Where a link goes: file, the line to put it after (None: replace the line), the new line, where.
URL_FIELDS = {
    "person": ("people.yaml", "    name: Ada Lovelace\n", "    url: {}\n", "people[0].url"),
    "organizer": (
        "conference.yaml",
        "  email: info@example.org\n",
        "organizers:\n  - name: X\n    url: {}\n",
        "organizers[0].url",
    ),
    "contact": ("conference.yaml", "  email: info@example.org\n", "  url: {}\n", "contact.url"),
    "registration": ("conference.yaml", None, "  url: {}\n", "registration.url"),
    "base_url": ("conference.yaml", None, "base_url: {}\n", "base_url"),
}
_REPLACED = {
    "registration": "  url: https://example.org/register\n",
    "base_url": "base_url: https://example.org/conf/\n",
}


@pytest.mark.parametrize("field", URL_FIELDS)
@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_link_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    site = make_site(tmp_path)
    name, anchor, line, where = URL_FIELDS[field]
    new = line.format(json.dumps(url))
    if anchor is None:
        site.replace(name, _REPLACED[field], new)
    else:
        site.replace(name, anchor, anchor + new)
    (error,) = site.errors()
    assert (error.path, error.line, error.where) == (
        site.shown(name),
        site.line(name, json.dumps(url)),
        where,
    )
    assert any(
        phrase in error.message
        for phrase in (
            "is not a safe link",
            "is not a full address",
            "spaces or control characters",
            "has no host",
            "is not a valid",
        )
    ), str(error)


@pytest.mark.parametrize(
    "url", ["mailto:info@example.org", "tel:+49-202-563-0", "http://example.org/contact"]
)
def test_contact_links_of_every_safe_scheme_render(tmp_path: Path, url: str) -> None:
    site = make_site(tmp_path)
    site.replace(
        "conference.yaml", "  email: info@example.org\n", f"  email: info@example.org\n  url: {url}\n"
    )
    with contextlib.chdir(tmp_path):
        files = render(site.load())
    home = html.document_fromstring(files["en/index.html"])
    assert url in [a.get("href") for a in home.iter("a")]


@pytest.mark.parametrize(
    "base_url",
    [
        "https://example.org/\nDisallow: /",
        "https://example.org/\r\nx",
        'https://example.org/"><script>',
        "https://ex ample.org/",
    ],
)
def test_base_url_option_with_line_breaks_or_markup_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path)
    assert main(["build", "--base-url", base_url, "--now", "2019-03-01T12:00"]) == 2
    assert "--base-url" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
