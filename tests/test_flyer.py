"""The printed flyer: what each language's PDF says, its size and metadata, its QR code, and its cache."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
import zlib
from pathlib import Path

import pytest
from test_incremental import synth  # the benchmark's conference generator

from confsite import flyer
from confsite.flyer import CACHE_DIR, flyer_html, flyer_pdf, flyer_pdfs, flyer_source
from confsite.model import Conference
from confsite.pipeline import TEMPLATES, load
from confsite.registration import state_at

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
NOW = "2019-03-01"  # registration for the conference is open, the workshop is full
DATES = {"de": "2. April 2019", "en": "2 April 2019"}
LANGS = ("de", "en")


def need(*binaries: str) -> None:
    """Skip when a command-line tool is missing; on CI (CI=true), fail instead."""
    missing = [name for name in binaries if shutil.which(name) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (apt-get install poppler-utils zbar-tools)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it")
    pytest.skip(reason)


def run(*args: str | Path) -> str:
    """Run a command and return its standard output."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True)
    return done.stdout


def build_site(out: Path) -> Path:
    """Build the default site in a fresh process, without the flyer cache."""
    env = {**os.environ, "CONFSITE_NO_CACHE": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(CONTENT), "--out", str(out), "--now", NOW],
        check=True,
        env=env,
        cwd=out.parent,
        capture_output=True,
    )
    return out


def normalize(text: str) -> str:
    """Fold ligatures and no-break spaces, and collapse all whitespace to single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@pytest.fixture(scope="module")
def conf() -> Conference:
    return load(CONTENT)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("flyer") / "site")


def pdf_text(site: Path, lang: str, layout: bool = True) -> str:
    """Read a flyer's text back: as laid out on the page, or in reading order (for text in columns)."""
    need("pdftotext")
    mode = ["-layout"] if layout else []
    return normalize(run("pdftotext", *mode, site / lang / "flyer.pdf", "-"))


def pdf_info(site: Path, lang: str) -> dict[str, str]:
    need("pdfinfo")
    out = run("pdfinfo", "-enc", "UTF-8", site / lang / "flyer.pdf")
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def pdf_languages(path: Path) -> set[str]:
    """Return the document languages (/Lang) of a PDF, looking inside compressed object streams too."""
    data = path.read_bytes()
    found = set(re.findall(rb"/Lang\s*\((\w+)\)", data))
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            found |= set(re.findall(rb"/Lang\s*\((\w+)\)", zlib.decompress(data[start.end() :])))
        except zlib.error:
            continue
    return {lang.decode() for lang in found}


@pytest.mark.parametrize("lang", LANGS)
def test_flyer_states_title_date_venue_and_registration(site: Path, conf: Conference, lang: str) -> None:
    text = pdf_text(site, lang)
    assert normalize(conf.title.get(lang)) in text
    assert DATES[lang] in text
    assert "CityKirche Elberfeld" in text
    assert "Kirchplatz 2" in text
    assert "42103 Wuppertal" in text
    assert conf.registration.url in text
    deadline = {"de": "27. März 2019", "en": "27 March 2019"}[lang]
    assert deadline in text
    full = {"de": "Ausgebucht", "en": "Fully booked"}[lang]
    assert full in text  # the workshop's status at --now
    in_columns = pdf_text(site, lang, layout=False)
    for org in conf.organizers + conf.funders:
        assert normalize(org.name.get(lang)) in in_columns


@pytest.mark.parametrize("lang", LANGS)
def test_flyer_lists_every_session_in_its_own_language_only(site: Path, conf: Conference, lang: str) -> None:
    text = pdf_text(site, lang)
    mine = {normalize(s.title.get(lang)) for s in conf.sessions}
    others = {normalize(s.title.get(other)) for s in conf.sessions for other in LANGS if other != lang}
    for title in sorted(mine):
        assert title in text, f"session title {title!r} missing from the {lang} flyer"
    for title in sorted(others - mine):
        assert title not in text, f"{title!r} of another language appears in the {lang} flyer"
    for person in ("Ralf Zimmer-Hegmann", "Dr. Christoph Kaletka", "Dr. Vera Grimm", "Eva Wascher"):
        assert person in text


@pytest.mark.parametrize("lang", LANGS)
def test_flyer_is_one_or_two_a4_pages_small_and_has_metadata(site: Path, conf: Conference, lang: str) -> None:
    info = pdf_info(site, lang)
    assert info["Pages"] in ("1", "2")
    assert "(A4)" in info["Page size"]
    assert (site / lang / "flyer.pdf").stat().st_size < 300 * 1024
    assert info["Title"] == conf.title.get(lang)
    for org in conf.organizers:
        assert org.name.get(lang) in info["Author"]
    assert info["CreationDate"].endswith("2019 UTC")  # from the content, not the clock
    assert pdf_languages(site / lang / "flyer.pdf") == {lang}


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = build_site(tmp_path / "site")
    for lang in LANGS:
        first, second = (site / lang / "flyer.pdf").read_bytes(), (again / lang / "flyer.pdf").read_bytes()
        assert first == second, f"{lang}/flyer.pdf differs between two builds"


@pytest.mark.parametrize("lang", LANGS)
def test_qr_code_opens_the_registration_form(site: Path, conf: Conference, tmp_path: Path, lang: str) -> None:
    need("pdftoppm", "zbarimg")
    run("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", site / lang / "flyer.pdf", tmp_path / "page")
    (picture,) = tmp_path.glob("page*.png")
    assert run("zbarimg", "--raw", "-q", picture).strip() == conf.registration.url


def test_site_links_the_flyer_with_its_size(site: Path) -> None:
    size = round((site / "de" / "flyer.pdf").stat().st_size / 1024)
    home = (site / "de" / "index.html").read_text(encoding="utf-8")
    assert f"Flyer herunterladen (PDF, {size}\u00a0KB)" in home
    for lang, label in (("de", "Flyer herunterladen"), ("en", "Download the flyer")):
        page = (site / lang / "flyer" / "index.html").read_text(encoding="utf-8")
        assert 'href="../flyer.pdf"' in page and label in page
        assert 'href="flyer/"' in (site / lang / "index.html").read_text(encoding="utf-8")  # main navigation


def test_flyer_after_the_deadline_says_closed_and_has_no_qr_code(conf: Conference) -> None:
    late = state_at(conf, dt.datetime(2019, 3, 28, 12, tzinfo=conf.tz))
    html = flyer_html(conf, "en", late, TEMPLATES)
    assert "Registration is closed." in html
    assert "<confsite-qr" not in html
    assert "data:image/svg+xml" not in flyer.with_qr_codes(html)
    assert "Please register" not in html


def test_the_qr_code_is_drawn_for_weasyprint_only(conf: Conference) -> None:
    """The HTML, which names the kept PDF, marks the code's address; WeasyPrint gets the code."""
    html = flyer_html(conf, "en", state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz)), TEMPLATES)
    marks = re.findall(r"<confsite-qr ([0-9a-f]*)>", html)
    assert [bytes.fromhex(mark).decode() for mark in marks] == [conf.registration.url]
    drawn = flyer.with_qr_codes(html)
    assert "<confsite-qr" not in drawn
    (source,) = re.findall(r'<figure class="qr">\s*<img src="([^"]*)"', drawn)
    assert source.startswith("data:image/svg+xml") and "<" not in source
    assert html.replace(f"<confsite-qr {marks[0]}>", source) == drawn


def test_a_text_like_the_qr_mark_stays_text(tmp_path: Path) -> None:
    """Texts come to the flyer escaped, so none can pass for the mark of a QR code."""
    mark = "<confsite-qr 68747470733a2f2f6576696c2e6578616d706c652f>"  # https://evil.example/
    files = synth.conference(3)
    files["conference.yaml"]["title"]["de"] = f"{mark} Konferenz"
    synth.write(tmp_path / "content", files)
    conf = load(tmp_path / "content")
    assert conf.title.get("de").startswith(mark)
    html = flyer_html(conf, "de", state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz)), TEMPLATES)
    assert "&lt;confsite-qr 6874" in html
    assert "evil" not in flyer.with_qr_codes(html)


def test_cache_returns_the_same_bytes_and_is_used(
    conf: Conference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz))
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    uncached = flyer_pdf(conf, "de", state, TEMPLATES)
    assert not (tmp_path / CACHE_DIR).exists()
    monkeypatch.delenv("CONFSITE_NO_CACHE")
    assert flyer_pdf(conf, "de", state, TEMPLATES) == uncached
    (entry,) = (tmp_path / CACHE_DIR).glob("*.pdf")
    assert entry.read_bytes() == uncached
    real = flyer._weasyprint
    with monkeypatch.context() as patch:
        patch.setattr(
            flyer, "_weasyprint", lambda html, css: pytest.fail("rendered, not taken from the cache")
        )
        patch.setattr(flyer, "qr_data_uri", lambda url: pytest.fail("a QR code drawn for a kept PDF"))
        assert flyer_pdf(conf, "de", state, TEMPLATES) == uncached
    flyer_pdf(conf, "en", state, TEMPLATES)  # another input, another entry
    assert len(list((tmp_path / CACHE_DIR).glob("*.pdf"))) == 2
    assert flyer._weasyprint is real


def test_a_damaged_flyer_in_the_cache_is_rendered_again(
    conf: Conference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A kept PDF cut short (a full disk, say) is not published: its digest no longer holds."""
    monkeypatch.chdir(tmp_path)
    state = state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz))
    whole = flyer_pdf(conf, "de", state, TEMPLATES)
    (entry,) = (tmp_path / CACHE_DIR).glob("*.pdf")
    entry.write_bytes(whole[:5000])
    assert flyer_pdf(conf, "de", state, TEMPLATES) == whole
    assert "damaged flyer" in caplog.text
    (again,) = (tmp_path / CACHE_DIR).glob("*.pdf")
    assert again.read_bytes() == whole


def test_flyers_rendered_together_on_two_processes_are_those_rendered_one_by_one(
    conf: Conference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz))
    sources = {lang: flyer_source(conf, lang, state, TEMPLATES) for lang in LANGS}
    pid = os.getpid()
    rendered_in: list[int] = []
    real = flyer._weasyprint

    def noting_the_process(html: str, css: str) -> bytes:
        pdf = real(html, css)
        if os.getpid() != pid:  # a worker: tell the test through a file, its memory is its own
            (tmp_path / f"rendered-by-{os.getpid()}").touch()
        rendered_in.append(os.getpid())
        return pdf

    monkeypatch.setattr(flyer, "_weasyprint", noting_the_process)
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    alone = {lang: flyer_pdf(conf, lang, state, TEMPLATES) for lang in LANGS}
    assert rendered_in == [pid, pid]
    assert list(tmp_path.iterdir()) == [], "nothing kept without the cache"
    monkeypatch.delenv("CONFSITE_NO_CACHE")
    together = flyer_pdfs(sources, jobs=2)
    assert rendered_in == [pid, pid], "none rendered in this process"
    assert list(tmp_path.glob("rendered-by-*")), "but in other processes"
    assert together == alone
    assert together["de"] != together["en"]
    assert len(list((tmp_path / CACHE_DIR).glob("*.pdf"))) == 2
    assert {lang: flyer_pdf(conf, lang, state, TEMPLATES) for lang in LANGS} == alone
    assert rendered_in == [pid, pid], "the second time, both from the cache"


def test_the_cache_keeps_the_flyers_in_use_and_the_newest_others_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit makes a flyer per language; old ones go, those in use and the newest stay."""
    monkeypatch.chdir(tmp_path)
    rendered: list[str] = []

    def weasyprint(html: str, css: str) -> bytes:
        rendered.append(html)
        return f"%PDF {html}".encode()

    monkeypatch.setattr(flyer, "_weasyprint", weasyprint)
    kept = tmp_path / CACHE_DIR
    first = {lang: (f"<p>{lang}: edit 0", "css") for lang in LANGS}
    flyer_pdfs(first)
    for edit in range(1, 12):  # (the first flyers are read again after every second edit)
        time.sleep(0.02)  # (a file's time moves on in steps of a few milliseconds)
        flyer_pdfs({lang: (f"<p>{lang}: edit {edit}", "css") for lang in LANGS})
        if edit % 2 == 0:
            time.sleep(0.02)
            assert flyer_pdfs(first) == {lang: f"%PDF <p>{lang}: edit 0".encode() for lang in LANGS}
    assert len(rendered) == 2 * 12, "each flyer rendered once: the first ones stayed while read"
    names = {path.read_bytes().decode() for path in kept.glob("*.pdf")}
    newest = {f"%PDF <p>{lang}: edit {edit}" for lang in LANGS for edit in (8, 9, 10, 11)}
    assert names == newest | {f"%PDF <p>{lang}: edit 0" for lang in LANGS}
    assert flyer.KEPT_FLYERS == 8  # (this test counts on it: the newest 8 besides those in use)


def test_a_large_program_lists_its_parts_and_stays_two_pages(tmp_path: Path) -> None:
    files = synth.conference(120, seed=3)
    synth.write(tmp_path / "content", files)
    big = load(tmp_path / "content")
    state = state_at(big, dt.datetime(2030, 8, 1, 12, tzinfo=big.tz))
    html = flyer_html(big, "en", state, TEMPLATES)
    assert len(big.sessions) > 40
    for part in big.parts:
        assert f"Sessions: {len(part.sessions)}" in html, part.id
    assert not any(s.title.get("en") in html for s in big.sessions)
    pdf = tmp_path / "flyer.pdf"
    pdf.write_bytes(flyer_pdf(big, "en", state, TEMPLATES))
    need("pdfinfo")
    pages = int(run("pdfinfo", pdf).split("Pages:")[1].split()[0])
    assert pages <= 2
    # so a session's new title leaves the flyer as it is: no PDF to render again
    files["program.yaml"]["parts"][0]["sessions"][0]["title"] = {"de": "Neu", "en": "New"}
    synth.write(tmp_path / "content", files)
    assert flyer_html(load(tmp_path / "content"), "en", state, TEMPLATES) == html


def test_how_the_qr_code_is_drawn_names_the_kept_pdf_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTML only marks the QR code: drawing it otherwise (flyer.py) must not reuse a kept PDF."""
    html, css = "<p>x</p>", "p {}"
    before = flyer._key(html, css)
    source = Path(flyer.__file__).read_text(encoding="utf-8")
    assert 'dark="#1b1f23"' in source
    changed = tmp_path / "flyer.py"
    changed.write_text(source.replace('dark="#1b1f23"', 'dark="#ff0000"'), encoding="utf-8")
    monkeypatch.setattr(flyer, "__file__", str(changed))
    assert flyer._key(html, css) != before
