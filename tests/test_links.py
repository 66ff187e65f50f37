"""Addresses an editor writes: link keys, e-mail addresses and where the site is published.

Each negative test changes one thing in the tiny valid folder of confbuilder and checks what
the editor sees: the file, the line (found by searching the test's own YAML text), the place
inside the file and the words of the message, in English and in German.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confbuilder import Site, make_site
from confsite import messages
from confsite.cli import main
from confsite.errors import ContentError

NOW = ["--now", "2019-03-01T12:00"]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The minimal folder: conference.yaml, program.yaml (one part, two sessions), people.yaml."""
    monkeypatch.chdir(tmp_path)  # errors then name files as content/<name>, as an editor sees them
    return make_site(tmp_path)


def only_error(site: Site) -> ContentError:
    """Return the only error of an invalid folder."""
    errors = site.errors()
    assert len(errors) == 1, "expected exactly one error, got:\n" + "\n".join(map(str, errors))
    return errors[0]


def expect(site: Site, name: str, line: int, where: str, english: str, german: str = "") -> ContentError:
    """Assert that the folder has exactly this one error, saying ``english`` (and ``german``)."""
    error = only_error(site)
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
