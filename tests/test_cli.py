"""The command line: exit codes, error output, and what it leaves on disk."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from test_incremental import synth  # the benchmark's conference generator

from confbuilder import Site, make_site
from confsite import context, i18n, jsonld, misuse, registration, render, templating, workers
from confsite.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOW = ["--now", "2019-03-01T12:00"]
#: One reported problem: FILE:LINE: where: what
ERROR_LINE = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>[1-9]\d*): (?P<where>[^:\s]+): (?P<what>\S.*)$")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; return its exit status, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, str]:
    """Hash every file and name every folder under ``folder``, to compare it byte for byte."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        for p in sorted(folder.rglob("*"))
    }


def break_content(site: Site) -> list[tuple[str, int]]:
    """Make three mistakes in two files; return the (file, line) an editor should be sent to."""
    site.replace("program.yaml", 'end: "11:00"', 'end: "13:70"')
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: [ada, grase]")
    site.replace("conference.yaml", "Europe/Berlin", "Europe/Wuppertal")
    return [
        ("content/conference.yaml", site.line("conference.yaml", "Europe/Wuppertal")),
        ("content/program.yaml", site.line("program.yaml", "13:70")),
        ("content/program.yaml", site.line("program.yaml", "grase")),
    ]


def assert_error_report(err: str, expected: list[tuple[str, int]]) -> None:
    """Every problem is one FILE:LINE: where: what line, then one summary line; no traceback."""
    assert "Traceback" not in err
    *problems, summary = err.strip().splitlines()
    matches = [ERROR_LINE.match(line) for line in problems]
    assert all(matches), f"not FILE:LINE: where: what:\n{err}"
    assert [(m["file"], int(m["line"])) for m in matches if m] == sorted(expected)
    plural = "1 problem" if len(expected) == 1 else f"{len(expected)} problems"
    assert summary == f"{plural} found; nothing was written."


# --- exit 0 ------------------------------------------------------------------------------------


def test_build_valid_content(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "build", "--content", "content", "--out", "public", *NOW)
    assert code == 0, err
    said = re.fullmatch(r"Built (\d+) pages \((\d+) files\) in 2 languages into public/ in [\d.]+ s\n", out)
    assert said is not None, out
    built = [p for p in (site.root / "public").rglob("*") if p.is_file()]
    assert int(said[1]) == sum(1 for p in built if p.suffix == ".html")
    assert int(said[2]) == sum(1 for p in built if p.suffix not in (".gz", ".br"))  # (not the siblings)
    assert (site.root / "public" / "index.html").is_file()
    assert (site.root / "public" / "sitemap.xml").is_file()


def test_check_valid_content_writes_nothing(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site.root)
    code, out, _ = run(capsys, "check", "--content", "content")
    assert code == 0
    assert out.startswith("content: OK (2 sessions, 2 people, 2 languages)")
    assert snapshot(site.root) == before


# --- exit 1 ------------------------------------------------------------------------------------


def test_build_invalid_content_reports_every_error(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    expected = break_content(site)
    code, out, err = run(capsys, "--content", "content", "--out", "site", *NOW)
    assert code == 1
    assert out == ""
    assert_error_report(err, expected)
    assert not (site.root / "site").exists()


def test_check_invalid_content_writes_nothing(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    expected = break_content(site)
    before = snapshot(site.root)
    code, _, err = run(capsys, "check", "--content", "content")
    assert code == 1
    assert_error_report(err, expected)
    assert snapshot(site.root) == before


def test_invalid_build_leaves_the_output_folder_as_it_was(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--content", "content", "--out", "site", *NOW)[0] == 0
    before = snapshot(site.root / "site")
    siblings = sorted(p.name for p in site.root.iterdir())
    site.replace("people.yaml", "name: Ada Lovelace", "name: [Ada Lovelace")
    code, _, err = run(capsys, "--content", "content", "--out", "site", *NOW)
    assert code == 1 and "content/people.yaml:" in err
    assert snapshot(site.root / "site") == before
    assert sorted(p.name for p in site.root.iterdir()) == siblings  # no half-written folder beside it


def test_missing_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "check", "--content", "nowhere")
    assert code == 1
    assert err.startswith("nowhere:1: content folder not found")


# --- exit 2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [["--bogus"], ["check", "--out", "x"], ["build", "--port", "80"], ["publish"]]
)
def test_unknown_option_or_command(site: Site, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


@pytest.mark.parametrize("now", ["yesterday", "2019-13-01", "2019-03-01T25:00", ""])
def test_bad_now(site: Site, capsys: pytest.CaptureFixture[str], now: str) -> None:
    code, _, err = run(capsys, "--content", "content", "--out", "site", "--now", now)
    assert code == 2
    assert "--now" in err and "ISO 8601" in err
    assert not (site.root / "site").exists()


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "example.org/conf/", "https:///conf/", "https://example.org/?a=1", "javascript:x"],
)
def test_bad_base_url(site: Site, capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, _, err = run(capsys, "--content", "content", "--out", "site", "--base-url", url, *NOW)
    assert code == 2
    assert "--base-url" in err and "https://example.org/path/" in err
    assert not (site.root / "site").exists()


def test_output_folder_that_is_not_a_site_is_refused(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    out = site.root / "thesis"
    out.mkdir()
    (out / "chapter1.md").write_text("Years of work.\n", encoding="utf-8")
    (out / "figures").mkdir()
    (out / "figures" / "plot.png").write_bytes(b"\x89PNG not really")
    before = snapshot(out)
    code, _, err = run(capsys, "--content", "content", "--out", "thesis", *NOW)
    assert code == 2
    assert "does not look like a built site" in err and "Traceback" not in err
    assert snapshot(out) == before


def test_an_output_folder_that_cannot_be_made_is_reported(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file where a folder of --out must be: wrong usage, said in one line, no traceback."""
    (site.root / "public").write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "--content", "content", "--out", "public/site", *NOW)
    assert code == 2
    assert err.splitlines() == [
        f"python build.py: error: {site.root / 'public/site'}: the site could not be written"
        f" (File exists: {site.root / 'public'}); the output folder is as it was"
    ]
    assert (site.root / "public").read_text(encoding="utf-8") == "not a folder"


def test_an_output_link_in_a_loop_or_to_a_missing_folder_is_refused(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    (site.root / "a").symlink_to(site.root / "b")
    (site.root / "b").symlink_to(site.root / "a")
    code, _, err = run(capsys, "--content", "content", "--out", "a", *NOW)
    assert code == 2
    assert "round in a circle" in err and "Traceback" not in err
    unmounted = site.root / "mnt" / "web" / "site"
    (site.root / "www").symlink_to(unmounted)  # (a disk not mounted)
    code, _, err = run(capsys, "--content", "content", "--out", "www", *NOW)
    assert code == 2
    assert f"but {unmounted.parent} does not exist" in err
    assert not (site.root / "mnt").exists()


def test_help_explains_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "exit status" in help_text
    for code, meaning in (("0", "success"), ("1", "content"), ("2", "usage")):
        assert re.search(rf"^\s+{code}\s+.*{meaning}", help_text, re.MULTILINE), f"exit {code} not explained"


#: A mistake in a template: the file, the line after which it goes, the mistake, what is said.
TEMPLATE_MISTAKES = {
    "syntax": (
        "session.html",
        "{% block main %}",
        "{% if %}",
        "Expected an expression, got 'end of statement block'",
    ),
    "undefined name": (
        "person.html",
        "{% block main %}",
        "{{ no_such_name.title }}",
        "'no_such_name' is undefined",
    ),
    "missing include": ("_footer.html", "<footer", "{% include '_gone.html' %}", "no template '_gone.html'"),
    "a string for a date": (
        "venue.html",
        "{% block main %}",
        "{{ c.fmt.date('2019-04-02') }}",
        "c.fmt.date(): value must be date or datetime, not str '2019-04-02'",
    ),
    "a recorded call with too many arguments": (
        "home.html",
        "{% block main %}",
        "{{ c.share_image(5) }}",
        "c.share_image() takes 0 positional arguments but 1 was given",
    ),
    "an unknown kind of page": (
        "person.html",
        "{% block main %}",
        "{{ c.link('sessoin', 'x') }}",
        "c.link(): no kind of page 'sessoin';"
        " one of: home, program, people, venue, flyer, session, forum, panel, person, page",
    ),
}

#: Further mistakes in calling the page helpers (see TEMPLATE_MISTAKES), on one process only.
HELPER_MISTAKES = {
    "a string for a text": (
        "session.html",
        "{% block main %}",
        "{{ c.tx('Bio') }}",
        "c.tx(): text must be Text (a text of the content, such as session.title) or None, not str 'Bio'",
    ),
    "a missing argument": (
        "venue.html",
        "{% block main %}",
        "{{ c.tx() }}",
        "c.tx() missing 1 required positional argument: 'text'",
    ),
    "a date for a moment, in a fragment": (
        "_program.html",
        "{% macro session_item(c, s, h) -%}",
        "{{ c.fmt.time(c.conf.dates[0]) }}",
        "c.fmt.time(): value must be datetime, not date datetime.date(2019, 4, 2)"
        " (in a macro called from my-templates/_program.html:105)",
    ),
    "a fragment's macro given too much": (
        "_program.html",
        "{{ c.fragment('program-session', session_item, s, ph + 1) }}",
        "{{ c.fragment('program-session', session_item, s, ph + 1, 5) }}",
        "c.fragment(): macro 'session_item' takes 2 arguments after c, not 3"
        " (in a macro called from my-templates/program.html:11)",
    ),
    "an interface string without its value": (
        "home.html",
        "{% block main %}",
        "{{ c.t('times_in', zone='MEZ') }}",
        "interface string 'times_in' needs a value for 'tz'",
    ),
    "None for a date": (
        "venue.html",
        "{% block main %}",
        "{{ c.fmt.date(none) }}",
        "c.fmt.date(): value must be date or datetime, not NoneType None",
    ),
    "too many arguments": (
        "venue.html",
        "{% block main %}",
        "{{ c.t('home', 5) }}",
        "c.t() takes 1 positional argument but 2 were given",
    ),
    "no macro for a fragment": (
        "program.html",
        "{% block main %}",
        "{{ c.fragment('x', 5) }}",
        "c.fragment(): 'x' needs a macro, not int",
    ),
    "a method for a fragment's macro": (
        "program.html",
        "{% block main %}",
        "{{ c.fragment('x', c.plain, conf.title) }}",
        "c.fragment(): 'x' needs a macro, not method",
    ),
    "too many arguments, counted as the template passes them": (
        "venue.html",
        "{% block main %}",
        "{{ c.structured_data('home', '', 'x') }}",
        "c.structured_data() takes from 1 to 2 positional arguments but 3 were given",
    ),
    "a macro without c for a fragment": (
        "program.html",
        "{% block main %}",
        "{% macro bare() %}{% endmacro %}{{ c.fragment('bare', bare) }}",
        "c.fragment(): macro 'bare' must take c as its first argument",
    ),
    "a recorded method given too many, counted as the template passes them": (
        "venue.html",
        "{% block main %}",
        "{{ conf.ui('de', 'x') }}",
        "Conference.ui() takes 1 positional argument but 2 were given",
    ),
    "a session for an id": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('session', conf.sessions[0]) }}",
        "c.link(): ident must be an id, as session.id is, not Session",
    ),
    "a macro given too many": (
        "venue.html",
        "{% block main %}",
        "{% macro one(c) %}{% endmacro %}{{ one(c, 1) }}",
        "macro 'one' takes not more than 1 argument(s)",
    ),
    "a string's method given too few": (
        "venue.html",
        "{% block main %}",
        "{{ 'abc'.replace('a') }}",
        "replace expected at least 2 arguments, got 1",
    ),
    "calling a value of the conference": (
        "venue.html",
        "{% block main %}",
        "{{ conf.venue() }}",
        "a value of the conference is not callable",
    ),
    "a session that does not exist": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('session', 'welcom') }}",
        "c.link(): no session 'welcom' in de",
    ),
    "a language that the site lacks": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('person', conf.people[0].id, lang='fr') }}",
        "c.link(): no language 'fr'; one of: de, en",
    ),
    "a page of many without its id": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('person') }}",
        "c.link(): a person page needs its ident, as c.link('person', x.id) gives it",
    ),
    "a Markdown page without its key": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('page') }}",
        "c.link(): a Markdown page needs its key, as c.link('page', p.key) gives it",
    ),
    "a page of its own with an id": (
        "venue.html",
        "{% block main %}",
        "{{ c.link('venue', 'cityKirche') }}",
        "c.link(): the venue page takes no ident, not 'cityKirche'",
    ),
    "an unknown static file": (
        "venue.html",
        "{% block main %}",
        "{{ c.static('nope.css') }}",
        "c.static(): no file 'nope.css' in the templates' static/ folder",
    ),
    "an unknown person": (
        "venue.html",
        "{% block main %}",
        "{{ c.person('nobody').name }}",
        "c.person(): no person 'nobody'",
    ),
    "an unknown menu": (
        "venue.html",
        "{% block main %}",
        "{{ c.nav('sidebar', None) }}",
        "c.nav(): no menu 'sidebar'; one of: main, footer, none",
    ),
    "an unknown download": (
        "venue.html",
        "{% block main %}",
        "{{ c.download('de/flyer.txt') }}",
        "c.download(): no download 'de/flyer.txt'; one of: de/flyer.pdf, en/flyer.pdf",
    ),
    "a text of the content for Jinja's filter": (
        "venue.html",
        "{% block main %}",
        "{{ conf.title|truncate(5) }}",
        "filter 'truncate': TypeError: object of type 'Text' has no len()"
        " (a text of the content: c.plain() gives it in this page's language)",
    ),
    "a string for a number, to Jinja's filter": (
        "venue.html",
        "{% block main %}",
        "{{ 'abc'|round }}",
        "filter 'round': TypeError: type str doesn't define __round__ method",
    ),
    "zero for Jinja's test": (
        "venue.html",
        "{% block main %}",
        "{% if 5 is divisibleby 0 %}{% endif %}",
        "test 'divisibleby': ZeroDivisionError: integer modulo by zero",
    ),
    "the template's own arithmetic": (
        "venue.html",
        "{% block main %}",
        "{{ 1 / 0 }}",
        "ZeroDivisionError: division by zero",
    ),
}


#: Each mistake on one process; those of TEMPLATE_MISTAKES on the page workers too.
_MISTAKE_CASES = [
    *(
        pytest.param(cases, m, 0, id=f"{m}, one process")
        for cases in (TEMPLATE_MISTAKES, HELPER_MISTAKES)
        for m in cases
    ),
    *(pytest.param(TEMPLATE_MISTAKES, m, 80, id=f"{m}, page workers") for m in TEMPLATE_MISTAKES),
]


@pytest.mark.parametrize(("cases", "mistake", "sessions"), _MISTAKE_CASES)
def test_a_failing_template_is_reported_at_its_file_and_line(
    tmp_path: Path, cases: dict[str, tuple[str, str, str, str]], mistake: str, sessions: int
) -> None:
    """Like invalid content: FILE:LINE: template: what, exit 1, no traceback, nothing written.

    Jinja's errors and a page helper called wrongly alike. 80 sessions make a site of more
    than 300 pages, which worker processes render: the mistake is found in one of them and
    reported by the build.
    """
    name, after, wrong, said = cases[mistake]
    line = 0

    def edit(templates: Path) -> None:
        nonlocal line
        line = insert_after(templates / name, after, wrong)

    built = build_with_templates(tmp_path, edit, sessions)
    assert built.returncode == 1, built.stderr
    assert_error_report(built.stderr, [(f"my-templates/{name}", line)])
    assert built.stderr.splitlines()[0] == f"my-templates/{name}:{line}: template: {said}"  # (nothing more)
    assert not (tmp_path / "site").exists()


def build_with_templates(
    root: Path, edit: Callable[[Path], None], sessions: int = 0
) -> subprocess.CompletedProcess[str]:
    """Build in ``root`` with a copy of the templates changed by ``edit``: the small site, or
    a synthetic conference of ``sessions`` sessions."""
    templates = root / "my-templates"
    shutil.copytree(ROOT / "templates", templates)
    edit(templates)
    if sessions:
        synth.write(root / "content", synth.conference(sessions))
    else:
        make_site(root)
    return build_again(root)


def build_again(root: Path) -> subprocess.CompletedProcess[str]:
    """Build in ``root``, whose templates build_with_templates made, with its cache."""
    argv = ["build", "--content", "content", "--templates", "my-templates", "--out", "site", *NOW]
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def insert_after(file: Path, start: str, text: str) -> int:
    """Put ``text`` on a line of its own after the first line that starts with ``start``; return its line."""
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, old in enumerate(lines, 1) if old.startswith(start)) + 1
    lines.insert(line - 1, text + "\n")
    file.write_text("".join(lines), encoding="utf-8")
    return line


def test_a_mistake_in_a_macro_names_the_line_that_called_it(tmp_path: Path) -> None:
    called = 0

    def edit(templates: Path) -> None:
        nonlocal called
        (templates / "_mistake.html").write_text(
            "{% macro broken(c) %}\n{{ c.t('no_such_string') }}\n{% endmacro %}\n", encoding="utf-8"
        )
        call = "{% from '_mistake.html' import broken %}{{ broken(c) }}"
        called = insert_after(templates / "session.html", "{% block main %}", call)

    built = build_with_templates(tmp_path, edit)
    assert built.returncode == 1, built.stderr
    assert_error_report(built.stderr, [("my-templates/_mistake.html", 2)])
    said = f"no interface string 'no_such_string' (in a macro called from my-templates/session.html:{called})"
    assert built.stderr.splitlines()[0] == f"my-templates/_mistake.html:2: template: {said}"


def test_a_bug_reached_from_a_template_keeps_its_traceback(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a template's own mistakes are reported as such: confsite's bugs are not blamed on them."""

    def broken(*args: object, **kwargs: object) -> str:
        return str(1 // 0)

    monkeypatch.setattr(jsonld, "session", broken)
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    with pytest.raises(ZeroDivisionError):
        main(["build", "--content", "content", "--out", "site", *NOW])
    assert not (site.root / "site").exists()


def test_a_template_failing_on_what_confsite_handed_it_keeps_the_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's own code failing on a value (not a call) may be confsite's bug: not blamed."""
    monkeypatch.setattr(registration.State, "open_deadline", property(lambda state: None))
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    with pytest.raises(TypeError, match="cannot unpack non-iterable NoneType"):
        main(["build", "--content", "content", "--out", "site", *NOW])
    assert not (site.root / "site").exists()


def test_a_link_to_a_session_that_is_gone_fails_the_next_build_too(tmp_path: Path) -> None:
    """The venue page is kept by the page cache, but which pages exist is part of its fingerprint."""
    link = "<a href=\"{{ c.link('session', 'talk') }}\">x</a>"

    def edit(templates: Path) -> None:
        insert_after(templates / "venue.html", "{% block main %}", link)

    first = build_with_templates(tmp_path, edit)
    assert first.returncode == 0, first.stderr
    venue = (tmp_path / "site/de/anreise/index.html").read_text(encoding="utf-8")
    assert '<a href="../programm/talk/">x</a>' in venue
    program = tmp_path / "content/program.yaml"
    renamed = program.read_text(encoding="utf-8").replace("id: talk", "id: keynote")
    program.write_text(renamed, encoding="utf-8")
    second = build_again(tmp_path)
    assert second.returncode == 1
    assert second.stderr.splitlines()[0].endswith("template: c.link(): no session 'talk' in de")


def test_a_filter_failing_on_a_value_of_the_conference_keeps_the_traceback(tmp_path: Path) -> None:
    """Python's message names the wrapper that records reads: that may be the wrapper's bug."""

    def edit(templates: Path) -> None:
        insert_after(templates / "venue.html", "{% block main %}", "{{ conf.sessions|sum }}")

    built = build_with_templates(tmp_path, edit)
    assert built.returncode == 1
    assert "Traceback" in built.stderr
    assert built.stderr.splitlines()[-1] == "TypeError: unsupported operand type(s) for +: 'int' and 'Lazy'"
    assert not (tmp_path / "site").exists()


def test_the_shipped_templates_are_never_blamed(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """What fails in them is confsite's bug, a traceback: here a date handed on as a deadline, which
    the registration state compares with the conference's start."""
    day = dt.date(2019, 3, 27)
    monkeypatch.setattr(registration.State, "open_deadline", property(lambda state: (day, False)))
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    with pytest.raises(TypeError, match=r"can.t compare datetime\.datetime to datetime\.date"):
        main(["build", "--content", "content", "--out", "site", *NOW])
    assert not (site.root / "site").exists()


def test_the_shipped_templates_are_not_blamed_for_what_a_helper_finds(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper's own report (no such static file) is confsite's bug there: a traceback."""
    monkeypatch.setattr(render, "hashed_assets", lambda templates: {})
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    with pytest.raises(context.Misused, match=r"no file 'site\.css'"):
        main(["build", "--content", "content", "--out", "site", *NOW])
    assert not (site.root / "site").exists()


def test_a_bug_behind_a_helper_keeps_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its arguments fit (one is typed Any), so the helper is not blamed; looking fails nowhere."""

    def broken(*args: object) -> str:
        raise TypeError("a bug in the fragments")

    make_site(tmp_path)
    shutil.copytree(ROOT / "templates", tmp_path / "my-templates")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(render.Renderer, "fragment", broken)
    argv = ["build", "--content", "content", "--templates", "my-templates", "--out", "site", *NOW]
    with pytest.raises(TypeError, match="a bug in the fragments") as raised:
        main(argv)
    assert misuse.mistake(raised.value, tmp_path / "my-templates") is None
    assert not (tmp_path / "site").exists()

    def looking_fails(*args: object) -> None:
        raise RuntimeError("a bug in misuse.py")

    monkeypatch.setattr(misuse, "_behind", looking_fails)
    with pytest.raises(TypeError, match="a bug in the fragments"):  # (not hidden by the looking)
        main(argv)


def test_a_helper_that_fails_on_right_values_keeps_its_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TypeError inside a helper that was called with the values it takes is confsite's bug."""

    def broken(*args: object, **kwargs: object) -> str:
        raise TypeError("a bug in the formatting")

    monkeypatch.setattr(i18n, "format_date", broken)
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    with pytest.raises(TypeError, match="a bug in the formatting"):
        main(["build", "--content", "content", "--out", "site", *NOW])
    assert not (site.root / "site").exists()


@pytest.mark.parametrize("name", ["venue.html", "_footer.html"], ids=["a page's", "an included one"])
def test_a_template_that_is_not_utf8_is_reported_at_its_line(tmp_path: Path, name: str) -> None:
    line = 0

    def edit(templates: Path) -> None:
        nonlocal line
        line = insert_after(templates / name, "{", "<p>Anfahrt @@ber</p>")
        latin1 = (templates / name).read_bytes().replace(b"@@", b"\xfc")  # ü as Latin-1 writes it
        (templates / name).write_bytes(latin1)

    built = build_with_templates(tmp_path, edit)
    assert built.returncode == 1, built.stderr
    assert_error_report(built.stderr, [(f"my-templates/{name}", line)])
    said = "template: is not UTF-8 (byte 0xfc); save it as UTF-8"
    assert built.stderr.splitlines()[0] == f"my-templates/{name}:{line}: {said}"


def test_templates_no_page_uses_do_not_fail_the_build(tmp_path: Path) -> None:
    """Broken, or not even UTF-8: a template that no page renders is never compiled for a page."""

    def edit(templates: Path) -> None:
        (templates / "unused.html").write_text("{% for %}\n", encoding="utf-8")
        (templates / "static" / "old-directions.html").write_bytes(b"<p>Stra\xdfe</p>\n")  # Latin-1

    built = build_with_templates(tmp_path, edit)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.skipif(workers.default_jobs() == 1, reason="on one core, no process compiles them aside")
def test_the_templates_given_are_compiled_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process that compiles the templates aside compiles those of --templates, all of them.

    (A guard: the process that the pipeline started before the command line did passed it too.)
    """

    def edit(templates: Path) -> None:
        (templates / "unused.html").write_text("<p>{{ 6 * 7 }}</p>\n", encoding="utf-8")

    built = build_with_templates(tmp_path, edit)
    assert built.returncode == 0, built.stderr
    monkeypatch.chdir(tmp_path)  # (where that build kept its cache)

    def compile_nothing(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", compile_nothing)
    env = templating.make_environment(tmp_path / "my-templates")
    assert env.get_template("unused.html").render() == "<p>42</p>\n"  # no page renders it
    for name in env.list_templates(extensions=("html", "xml")):
        if not name.startswith("static/"):
            env.get_template(name)


def test_the_command_line_imports_little_before_a_build_starts_compiling() -> None:
    """What the process that compiles the templates would otherwise wait for is imported after it starts."""
    code = "import sys, confsite.cli; print(*sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    imported = set(done.stdout.split())
    assert "confsite.cli" in imported and "confsite.precompile" in imported
    assert imported.isdisjoint({"jinja2", "confsite.pipeline", "confsite.templating", "yaml"})


# --- the real entry point, as a subprocess -----------------------------------------------------


def test_build_py_as_a_subprocess(site: Site) -> None:
    """``python build.py`` from the repository root: exit statuses and clean error output."""
    # the content lies outside the working folder, so errors name it by its absolute path
    expected = [(str(site.root / name), line) for name, line in break_content(site)]
    broken = subprocess.run(
        [
            sys.executable,
            "build.py",
            "build",
            "--content",
            str(site.content),
            "--out",
            str(site.root / "site"),
            *NOW,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert broken.returncode == 1, broken.stderr
    assert broken.stdout == ""
    assert_error_report(broken.stderr, expected)
    assert not (site.root / "site").exists()

    usage = subprocess.run(
        [sys.executable, "build.py", "--bogus"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr and "--bogus" in usage.stderr
