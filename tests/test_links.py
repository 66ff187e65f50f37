"""Addresses an editor writes: link keys, e-mail addresses, where the site is published, and
the links and images of Markdown texts (YAML fields and pages).

Each negative test changes one thing in the tiny valid folder of confbuilder and checks what
the editor sees: the file, the line (found by searching the test's own text), the place
inside the file and the words of the message, in English and in German; on the command line,
the exit status and what it prints.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from test_validation import single

from confbuilder import Site, make_site
from confsite import markup, messages
from confsite.cli import main
from confsite.errors import ContentError
from confsite.links import plainly_safe, url_problem

# On a failure, Hypothesis' pytest plugin imports its patch writer, whose libcst import warns (an
# error under filterwarnings=error) and hides the failing example: import it once, quietly.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

NOW = ["--now", "2019-03-01T12:00"]


def expect(site: Site, name: str, line: int, where: str, english: str, german: str = "") -> ContentError:
    """Assert that the folder has exactly this one error, saying ``english`` (and ``german``)."""
    error = single(site)
    assert (error.path, error.line, error.where) == (site.shown(name), line, where), str(error)
    assert english in error.message, f"{english!r} not in: {error}"
    assert error.text is not None
    assert german in error.text.render("de"), f"{german!r} not in: {error.text.render('de')}"
    return error


def person_url(site: Site, url: str) -> int:
    """Give Ada a web page at ``url`` (written as a JSON string, which YAML reads); return its line."""
    anchor = "    name: Ada Lovelace\n"
    site.replace("people.yaml", anchor, f"{anchor}    url: {json.dumps(url)}\n")
    return site.line("people.yaml", "url:")


# --- link keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ('"', "%22"),
        ("<", "%3C"),
        (">", "%3E"),
        ("\\", "%5C"),
        ("^", "%5E"),
        ("`", "%60"),
        ("{", "%7B"),
        ("|", "%7C"),
        ("}", "%7D"),
    ],
)
def test_a_link_with_a_character_that_needs_encoding_is_refused(site: Site, char: str, code: str) -> None:
    url = f"https://www.bmbf.de/a{char}b"
    line = person_url(site, url)
    expect(
        site,
        "people.yaml",
        line,
        "people[0].url",
        f"{url!r} contains '{char}', which a web address cannot hold; write {code} instead",
        f"das in einer Webadresse nicht stehen kann; schreiben Sie stattdessen {code}",
    )


def test_a_link_that_breaks_out_of_its_attribute_is_refused(site: Site) -> None:
    line = person_url(site, 'https://www.bmbf.de/"onmouseover="alert(1)')
    expect(site, "people.yaml", line, "people[0].url", "contains '\"'", "enthält '\"'")


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        ("https://www..bmbf.de/", "https://www.bmbf.de/"),
        ("https://.bmbf.de/x", "https://bmbf.de/x"),
        ("http://www.bmbf..de", "http://www.bmbf.de"),
    ],
)
def test_a_host_name_with_an_empty_part_is_refused(site: Site, url: str, fixed: str) -> None:
    line = person_url(site, url)
    expect(
        site,
        "people.yaml",
        line,
        "people[0].url",
        f"{url!r} has two dots in a row (or a dot at the start) in its host name; write {fixed}",
        f"schreiben Sie {fixed}",
    )


@pytest.mark.parametrize("port", ["99999", "65536", "0", "80a", "x"])
def test_a_port_out_of_range_is_refused(site: Site, port: str) -> None:
    line = person_url(site, f"https://www.bmbf.de:{port}/")
    expect(
        site,
        "people.yaml",
        line,
        "people[0].url",
        f"has the port {port}; a port is a number from 1 to 65535 (most addresses have none:"
        " https://www.bmbf.de/)",
        "ein Port ist eine Zahl von 1 bis 65535",
    )


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        ("www.wupperinst.org", "https://www.wupperinst.org"),
        ("wupperinst.org/kosi-lab/", "https://wupperinst.org/kosi-lab/"),
        ("www.wupperinst.org:8080/x", "https://www.wupperinst.org:8080/x"),
        ("//wupperinst.org/x", "https://wupperinst.org/x"),
        ("ada@example.org", "mailto:ada@example.org"),
    ],
)
def test_a_link_without_its_scheme_gets_the_address_meant(site: Site, url: str, fixed: str) -> None:
    line = person_url(site, url)
    expect(
        site,
        "people.yaml",
        line,
        "people[0].url",
        f"{url!r} is not a full address; write {fixed}",
        f"{url!r} ist keine vollständige Adresse; schreiben Sie {fixed}",
    )


def test_a_base_url_without_its_scheme_gets_the_address_meant(site: Site) -> None:
    site.replace("conference.yaml", "base_url: https://example.org/conf/", "base_url: example.org/conf/")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "base_url:"),
        "base_url",
        "'example.org/conf/' is not a full address; write https://example.org/conf/",
    )


def test_a_web_address_without_a_host_is_refused(site: Site) -> None:
    line = person_url(site, "https://:8080/")
    expect(site, "people.yaml", line, "people[0].url", "has no host", "keinen Servernamen")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bmbf.de:8443/",
        "https://www.bmbf.de:65535/x",
        "https://example.org/a?b=1&c=2#part",
        "https://example.org/it's",
        "https://example.org/%22quoted%22",
        "https://example.org.",
        "https://[2001:db8::1]:8080/",
        "http://localhost:8000/",
        "mailto:ada@example.org?subject=Hallo",
        "tel:+49-202-123456",
    ],
)
def test_good_links_are_taken_as_written(site: Site, url: str) -> None:
    person_url(site, url)
    assert site.load().people[0].url == url


# --- e-mail addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["mailto:info@example.org", "MailTo: info@example.org"])
def test_an_email_address_written_with_mailto_is_refused(site: Site, written: str) -> None:
    site.replace("conference.yaml", "  email: info@example.org\n", f"  email: {json.dumps(written)}\n")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "email:"),
        "contact.email",
        f"{written!r} starts with mailto:; write the address without it: info@example.org",
        "schreiben Sie die Adresse ohne: info@example.org",
    )


# --- where the site is published ----------------------------------------------------------------

#: Addresses that are not a folder: what is wrong (English, German), and the address to write.
NOT_A_FOLDER = [
    (
        "https://example.org/kosi-lab-2019/?x=1#y",
        "it has a query (?x=1), a fragment (#y)",
        "sie enthält eine Abfrage (?x=1), einen Anker (#y)",
        "https://example.org/kosi-lab-2019/",
    ),
    (
        "https://example.org/kosi-lab-2019/index.html",
        "it has a file name at the end (index.html)",
        "sie enthält einen Dateinamen am Ende (index.html)",
        "https://example.org/kosi-lab-2019/",
    ),
    ("https://example.org/conf?", "it has a query (?)", "eine Abfrage (?)", "https://example.org/conf/"),
    ("https://example.org#top", "it has a fragment (#top)", "einen Anker (#top)", "https://example.org/"),
    (
        "https://example.org/site.de",
        "it has a file name at the end (site.de)",
        "Dateinamen am Ende (site.de)",
        "https://example.org/",
    ),
]
NOT_A_FOLDER_IDS = ["query-and-fragment", "index.html", "empty-query", "fragment", "file-name"]


@pytest.mark.parametrize(("url", "english", "german", "fixed"), NOT_A_FOLDER, ids=NOT_A_FOLDER_IDS)
def test_a_base_url_that_is_not_a_folder_is_refused(
    site: Site, url: str, english: str, german: str, fixed: str
) -> None:
    site.replace("conference.yaml", "base_url: https://example.org/conf/", f"base_url: {json.dumps(url)}")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "base_url:"),
        "base_url",
        f"{url!r} is not the address of a folder: {english}; write {fixed}",
        f"{german}; schreiben Sie {fixed}",
    )


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://example.org/kosi-lab/2019", "https://example.org/kosi-lab/2019/"),
        ("https://example.org/v1.2/", "https://example.org/v1.2/"),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_a_base_url_of_a_folder_is_taken(site: Site, url: str, base: str) -> None:
    site.replace("conference.yaml", "base_url: https://example.org/conf/", f"base_url: {url}")
    assert site.load().base_url == base


@pytest.mark.parametrize(("url", "english", "german", "fixed"), NOT_A_FOLDER, ids=NOT_A_FOLDER_IDS)
def test_the_base_url_option_is_checked_as_base_url_is(
    site: Site, capsys: pytest.CaptureFixture[str], url: str, english: str, german: str, fixed: str
) -> None:
    argv = ["build", "--content", "content", "--out", "site", "--base-url", url, *NOW]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1), err
    assert err.startswith("python build.py: error: --base-url: "), err
    assert f"{url!r} is not the address of a folder: {english}; write {fixed}" in err
    assert "Traceback" not in err and not (site.root / "site").exists()
    try:
        assert main([*argv, "--lang", "de"]) == 2
    finally:
        messages.use("en")
    err = capsys.readouterr().err
    assert (
        err.startswith("python build.py: Fehler: --base-url: ") and f"{german}; schreiben Sie {fixed}" in err
    )


@pytest.mark.parametrize("url", ["https://example.org/kosi-lab/2019", "http://localhost:8000/conf/"])
def test_the_base_url_option_of_a_folder_is_taken(
    site: Site, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    assert main(["build", "--content", "content", "--out", "site", "--base-url", url, *NOW]) == 0
    sitemap = (site.root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{url.rstrip('/')}/de/</loc>" in sitemap


# --- links in Markdown texts --------------------------------------------------------------------

#: A Markdown field of each file: the file, the line to put it after, the key's line, where.
MARKDOWN_FIELDS = {
    "session description": (
        "program.yaml",
        "        title: {de: Vortrag, en: Talk}\n",
        "        description: {}\n",
        "parts[0].sessions[1].description",
    ),
    "part description": (
        "program.yaml",
        "    title: {de: Vormittag, en: Morning}\n",
        "    description: {}\n",
        "parts[0].description",
    ),
    "bio": ("people.yaml", "    name: Grace Hopper\n", "    bio: {}\n", "people[1].bio"),
    "summary": ("conference.yaml", "dates: [2019-04-02]\n", "summary: {}\n", "summary"),
    "directions": ("conference.yaml", "  country: DE\n", "  directions: {}\n", "venue.directions"),
    "accessibility": ("conference.yaml", "  country: DE\n", "  accessibility: {}\n", "venue.accessibility"),
}


def markdown_text(site: Site, field: str, text: str) -> int:
    """Write ``text`` into a Markdown field (as a JSON string, which YAML reads); return the key's line."""
    name, anchor, line, _ = MARKDOWN_FIELDS[field]
    site.replace(name, anchor, anchor + line.format(json.dumps(text)))
    return site.line(name, line.split(":")[0].strip() + ":", after=anchor.strip())


@pytest.mark.parametrize("field", MARKDOWN_FIELDS)
def test_a_javascript_link_in_any_markdown_field_is_refused(site: Site, field: str) -> None:
    line = markdown_text(site, field, "Read [more](javascript:alert(1)) here.")
    name, _, _, where = MARKDOWN_FIELDS[field]
    expect(
        site,
        name,
        line,
        where,
        "'javascript:alert(1)' is not a safe link; only https:, http:, mailto:, tel: addresses are allowed",
        "'javascript:alert(1)' ist kein sicherer Link; erlaubt sind nur Adressen mit https:, http:, mailto:,"
        " tel:",
    )


def test_forum_and_panel_descriptions_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    site = make_site(tmp_path, forums=True, podium=True)
    site.append("forums.yaml", "        description: '[a](ftp://f.example/x)'\n")
    site.append("podium.yaml", "    description: '[b](data:text/html,hi)'\n")
    errors = site.errors()
    assert [(e.path, e.line, e.where, e.message) for e in errors] == [
        (
            "content/forums.yaml",
            site.line("forums.yaml", "description:"),
            "groups[0].forums[0].description",
            "'ftp://f.example/x' is not a safe link; only https:, http:, mailto:, tel: addresses are allowed",
        ),
        (
            "content/podium.yaml",
            site.line("podium.yaml", "description:"),
            "panels[0].description",
            "'data:text/html,hi' is not a safe link; only https:, http:, mailto:, tel: addresses are allowed",
        ),
    ]


#: Markdown that links to an address that is not allowed, that address, and what the message says.
BAD_MARKDOWN = {
    "inline link": ("[a](javascript:alert(1))", "javascript:alert(1)", "is not a safe link"),
    "upper case": ("[a](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)", "is not a safe link"),
    "entity": ("[a](javascript&colon;alert(1))", "javascript:alert(1)", "is not a safe link"),
    "title": ('[a](javascript:alert(1) "Title")', "javascript:alert(1)", "is not a safe link"),
    "angle brackets": ("[a](<javascript:alert(1)>)", "javascript:alert(1)", "is not a safe link"),
    "data": ("[c](data:text/html,hi)", "data:text/html,hi", "is not a safe link"),
    "ftp": ("[b](ftp://f.example/x)", "ftp://f.example/x", "is not a safe link"),
    "image": ("![logo](javascript:alert(1))", "javascript:alert(1)", "is not a safe link"),
    "autolink": ("<ftp://f.example/x>", "ftp://f.example/x", "is not a safe link"),
    "javascript autolink": ("<javascript:alert(1)>", "javascript:alert(1)", "is not a safe link"),
    "reference": ("[a][x]\n\n[x]: javascript:alert(1)", "javascript:alert(1)", "is not a safe link"),
    "unused reference": ("Text.\n\n[x]: vbscript:msgbox", "vbscript:msgbox", "is not a safe link"),
    "in a list": ("- one\n- [two](file:///etc/passwd)", "file:///etc/passwd", "is not a safe link"),
    "in a table": ("| a |\n|---|\n| [b](ftp://x.example/) |", "ftp://x.example/", "is not a safe link"),
    "no scheme": ("[Website](www.wupperinst.org)", "www.wupperinst.org", "write https://www.wupperinst.org"),
    "no scheme, path": ("[Plan](wupperinst.org/plan.pdf)", "wupperinst.org/plan.pdf", "write https://"),
    "e-mail": ("[Mail](info@example.org)", "info@example.org", "write mailto:info@example.org"),
    "relative": ("[Imprint](/de/impressum/)", "/de/impressum/", "is not a full address"),
    "fragment": ("[top](#top)", "#top", "is not a full address"),
    "no host": ("[a](https:/example.org)", "https:/example.org", "has no host"),
    "quote": ('[a](https://example.org/a\\"b)', 'https://example.org/a"b', "write %22 instead"),
    "port": ("[a](https://example.org:99999/)", "https://example.org:99999/", "has the port 99999"),
}


@pytest.mark.parametrize("case", BAD_MARKDOWN)
def test_a_markdown_link_to_an_address_that_is_not_allowed_is_refused(site: Site, case: str) -> None:
    markdown, address, phrase = BAD_MARKDOWN[case]
    line = markdown_text(site, "session description", markdown)
    error = expect(site, "program.yaml", line, "parts[0].sessions[1].description", f"{address!r} ")
    assert phrase in error.message, str(error)


@pytest.mark.parametrize(
    "markdown",
    [
        "[a](https://example.org/a?b=1&c=2#d) [b](http://example.org) [c](mailto:info@example.org)",
        "[d](tel:+49-202-123456) [e](HTTPS://EXAMPLE.ORG/) [f](https://example.org/für)",
        '![Logo](https://example.org/logo.png "Logo") <https://example.org/> <info@example.org>',
        "[a][x] and [x]\n\n[x]: https://example.org/ref 'Title'",
        "`[code](javascript:alert(1))` and\n\n    [block](javascript:alert(1))\n",
        "```\n[fenced](data:text/html,hi)\n```",
        "Not a link: \\[a](javascript:alert(1)), [a] (javascript:alert(1)), javascript:alert(1)",
        "A < B and C > D, [brackets] and (parentheses), a: b",
    ],
    ids=[
        "web",
        "tel-upper-unicode",
        "image-autolinks",
        "reference",
        "code",
        "fence",
        "text",
        "marks",
    ],
)
def test_markdown_without_links_to_other_addresses_is_taken(site: Site, markdown: str) -> None:
    markdown_text(site, "session description", markdown)
    conf = site.load()
    assert conf.sessions[1].description is not None


def test_each_language_of_a_markdown_text_is_reported_at_its_own_key(site: Site) -> None:
    anchor = "        title: {de: Vortrag, en: Talk}\n"
    site.replace(
        "program.yaml",
        anchor,
        anchor + "        description:\n"
        "          de: |\n"
        "            Mehr auf [unserer Website](www.wupperinst.org).\n"
        "          en: |\n"
        "            More on [our website](https://wupperinst.org/).\n"
        "            Or [mail us](info@example.org).\n",
    )
    errors = site.errors()
    assert [(e.line, e.where, e.message) for e in errors] == [
        (
            site.line("program.yaml", "de: |"),
            "parts[0].sessions[1].description.de",
            "'www.wupperinst.org' is not a full address; write https://www.wupperinst.org",
        ),
        (
            site.line("program.yaml", "en: |"),
            "parts[0].sessions[1].description.en",
            "'info@example.org' is not a full address; write mailto:info@example.org",
        ),
    ]
    assert errors[0].text is not None
    assert errors[0].text.render("de") == (
        "'www.wupperinst.org' ist keine vollständige Adresse; schreiben Sie https://www.wupperinst.org"
    )


def test_a_language_tagged_markdown_text_is_reported_at_its_text(site: Site) -> None:
    anchor = "    name: Grace Hopper\n"
    site.replace(
        "people.yaml",
        anchor,
        anchor + "    bio:\n      lang: en\n      text: See [x](javascript:alert(1)).\n",
    )
    expect(site, "people.yaml", site.line("people.yaml", "text:"), "people[1].bio.text", "is not a safe link")


def test_a_title_is_not_markdown(site: Site) -> None:
    site.replace("program.yaml", "{de: Vortrag, en: Talk}", "'[Talk](javascript:alert(1))'")
    assert site.load().sessions[1].title.get("en") == "[Talk](javascript:alert(1))"


# --- links in pages ------------------------------------------------------------------------------

PAGE = """\
---
title: Projekt
---
Das Projekt wird gefördert.

- [Wuppertal Institut](https://wupperinst.org/)
- [Stadt Wuppertal](www.wuppertal.de)

Mehr im [Bericht][bericht] und auf der
Seite der [Stiftung](javascript:alert(1)).

    [Beispiel](javascript:kein-Link)

![Logo](data:image/png;base64,iVBOR)

[bericht]: ftp://example.org/bericht.pdf
"""


def test_each_bad_link_of_a_page_is_reported_on_its_line(site: Site) -> None:
    site.write("pages/projekt.de.md", PAGE)
    site.write("pages/projekt.en.md", PAGE.replace("title: Projekt", "title: Project"))
    errors = [e for e in site.errors() if e.path == site.shown("pages/projekt.de.md")]
    name = "pages/projekt.de.md"
    unsafe = "is not a safe link; only https:, http:, mailto:, tel: addresses are allowed"
    assert [(e.line, e.where, e.message) for e in errors] == [
        (
            site.line(name, "[Stadt Wuppertal]"),
            "",
            "'www.wuppertal.de' is not a full address; write https://www.wuppertal.de",
        ),
        (site.line(name, "[Stiftung]"), "", f"'javascript:alert(1)' {unsafe}"),
        (site.line(name, "![Logo]"), "", f"'data:image/png;base64,iVBOR' {unsafe}"),
        (site.line(name, "[bericht]:"), "", f"'ftp://example.org/bericht.pdf' {unsafe}"),
    ]


def test_a_page_with_good_links_is_taken(site: Site) -> None:
    good = PAGE.replace("www.wuppertal.de", "https://www.wuppertal.de/").replace(
        "javascript:alert(1)", "tel:+49"
    )
    good = good.replace("data:image/png;base64,iVBOR", "https://example.org/logo.png").replace(
        "ftp:", "https:"
    )
    site.write("pages/projekt.de.md", good)
    site.write("pages/projekt.en.md", good.replace("title: Projekt", "title: Project"))
    assert len(site.load().pages) == 2


def test_a_bad_link_fails_the_build_and_leaves_the_site(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["build", "--content", "content", "--out", "site", *NOW]
    assert main(argv) == 0
    before = sorted((site.root / "site").rglob("*"))
    markdown_text(site, "bio", "[Website](www.wupperinst.org)")
    capsys.readouterr()
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    line = site.line("people.yaml", "bio:")
    assert err.splitlines() == [
        f"content/people.yaml:{line}: people[1].bio: 'www.wupperinst.org' is not a full address;"
        " write https://www.wupperinst.org",
        "1 problem found; nothing was written.",
    ]
    assert sorted((site.root / "site").rglob("*")) == before


def test_a_space_in_an_address_in_angle_brackets_is_allowed(site: Site) -> None:
    """CommonMark allows it there, and the page gets %20: as an editor would paste a file's name."""
    markdown_text(site, "session description", "The [plan](<https://example.org/Plan 2019.pdf>).")
    (talk,) = [s for s in site.load().sessions if s.description is not None]
    assert markup.markdown(talk.description.get("de")) == Markup(
        '<p>The <a href="https://example.org/Plan%202019.pdf" rel="noopener">plan</a>.</p>'
    )


# --- which texts are parsed ----------------------------------------------------------------------


def test_a_text_whose_links_are_plainly_allowed_is_not_parsed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build checks thousands of texts with links; those like these cost no parse (0.25 ms each)."""

    def parsed(markdown: str) -> list[tuple[int, str]]:
        raise AssertionError(f"parsed: {markdown!r}")

    monkeypatch.setattr(markup, "link_destinations", parsed)
    markdown_text(
        site,
        "session description",
        "Mehr zum [Vortrag](https://example.org/vortr%C3%A4ge/für?jahr=2019&x=1#teil) und zur\n"
        "[Anmeldung](mailto:info@example.org) oder [per Telefon](tel:+49-202-123456), *kursiv*.",
    )
    site.load()


#: Pieces of Markdown, plainly allowed links among them, and what might fool a quick look.
PIECES = [
    "[a](https://example.org/x)",
    "![b](http://example.org:8080/a?b=c#d)",
    "[c](mailto:info@example.org)",
    "[d](tel:+49)",
    "[e](https://example.org/für)",
    "](",
    "](https://",
    "[f](javascript:x)",
    "[g](data:x)",
    "[h](www.example.org)",
    "[i](https://a..b/)",
    "[j](https://a.b:99999/)",
    "[k](https://a.b/%22)",
    "[l](https://a.b/&quot;)",
    '[m](https://a.b/\\"x)',
    "[n](https://a.b/\\<)",
    "[o](<javascript:x>)",
    "[p](\njavascript:x)",
    "[q](https://a.b/\u00a0)",
    "[r](https://a.b/\u2028)",
    "<https://example.org/a?b=c#d>",
    "<mailto:info@example.org>",
    "<info@example.org>",
    "<tel:+49>",
    "<javascript:x>",
    "<https://a..b/>",
    "<https://a.b/\\>",
    "<https://a.b/&quot;>",
    "<https://a.b:99999/>",
    "<www.example.org>",
    "<a@b>",
    "]: javascript:x",
    "[x]",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    "\\",
    "`",
    "&",
    ";",
    " ",
    "\n",
    "\n\n",
    "    ",
    "\u00a0",
    "\u2028",
    "\u202e",
    "text",
    "ü",
    "javascript:x",
]


@settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_a_text_that_is_not_parsed_holds_no_address_to_refuse(markdown: str) -> None:
    if plainly_safe(markdown):
        assert all(not url_problem(address).en for _, address in markup.link_destinations(markdown))
