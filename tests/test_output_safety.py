"""Output safety: nothing is written outside --out, a killed build leaves a whole site, limits hold.

(a) Ids and slugs that look like paths are refused by validation, and write.py refuses any
    output path that leaves the output folder, whatever the renderers produce.
(b) ``python build.py`` killed with SIGKILL at random moments leaves the output folder exactly
    the previous complete site or the new complete one, and the next build removes the
    staging folders killed builds left beside it (only its own, only of dead builds).
(c) Content too large (files, values, nesting, sessions, people) is refused quickly with a
    FILE:LINE error instead of exhausting memory or time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from confbuilder import Site, make_site
from confsite.content import MAX_PEOPLE, MAX_SESSIONS
from confsite.errors import ContentError
from confsite.loader import MAX_FILE_BYTES
from confsite.pipeline import build
from confsite.write import OutputError, remove_stale_staging, safe_relative, write_site
from confsite.yamlparse import MAX_DEPTH, MAX_EXPANDED_NODES

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
NOW = "2019-03-01T12:00"
MARKERS = {"index.html": b"<!doctype html>", "sitemap.xml": b"<urlset/>"}


def snapshot(folder: Path) -> dict[str, str]:
    """Hash every file and name every folder and link under ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[name] = "<dir>"
    return out


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The minimal folder with forums, a panel and a page, in the working folder."""
    monkeypatch.chdir(tmp_path)
    return make_site(tmp_path, forums=True, podium=True, pages=True)


def errors_at(site: Site, name: str, needle: str) -> list[ContentError]:
    """Return the errors reported on the line of ``name`` that contains ``needle``."""
    line = site.line(name, needle)
    return [e for e in site.errors() if (e.path, e.line) == (site.shown(name), line)]


# --- (a) nothing outside the output folder -------------------------------------------------------

HOSTILE_IDS = (
    "../x",
    "..",
    ".",
    "a/b",
    "/etc/passwd",
    "%2e%2e",
    "%2e%2e%2fx",
    "a\\b",
    "x.html",
    "~root",
    "a b",
)
#: Where an id or slug is given: file, the text to replace, the replacement (with {} for the
#: id), and the place inside the file the error names.
ID_PLACES = {
    "session": ("program.yaml", "id: talk", "id: {}", "parts[0].sessions[1].id"),
    "part": ("program.yaml", "id: morning", "id: {}", "parts[0].id"),
    "person": ("people.yaml", "id: grace", "id: {}", "people[1].id"),
    "forum": ("forums.yaml", "id: forum-a", "id: {}", "groups[0].forums[0].id"),
    "panel": ("podium.yaml", "id: panel-a", "id: {}", "panels[0].id"),
    "conference": ("conference.yaml", "id: test-conf", "id: {}", "id"),
    "page slug": ("pages/about.en.md", "slug: about", "slug: {}", "front matter.slug"),
    "registration part": (
        "conference.yaml",
        "  deadline: 2019-03-27\n",
        "  deadline: 2019-03-27\n  parts:\n    {}: {{status: open}}\n",
        "registration.parts.{}",
    ),
}


@pytest.mark.parametrize("place", ID_PLACES)
@pytest.mark.parametrize("ident", HOSTILE_IDS)
def test_ids_that_look_like_paths_are_refused(site: Site, place: str, ident: str) -> None:
    name, old, new, where = ID_PLACES[place]
    quoted = json.dumps(ident)
    site.replace(name, old, new.format(quoted))
    found = errors_at(site, name, quoted)
    wanted = where.format(ident)
    assert [e for e in found if e.where == wanted and "is not an id" in e.message], found


@pytest.mark.parametrize("ident", ["%2e%2e", "a..b", "-x", "x_y", "ÄB"])
def test_page_file_names_that_are_no_slugs_are_refused(site: Site, ident: str) -> None:
    site.write(f"pages/{ident}.en.md", "---\ntitle: X\n---\nText\n")
    site.write(f"pages/{ident}.de.md", "---\ntitle: X\n---\nText\n")
    shown = {e.path for e in site.errors()}
    assert {f"content/pages/{ident}.en.md", f"content/pages/{ident}.de.md"} <= shown


@pytest.mark.parametrize(
    "path",
    [
        "../x",
        "a/../../x",
        "a/..",
        "..",
        "/etc/passwd",
        "//x",
        "",
        ".",
        "./",
        "a\\b",
        "..\\x",
        "a\x00b",
        "a\nb",
        "de/\x1b[31m",
    ],
)
def test_safe_relative_refuses_paths_out_of_the_folder(path: str) -> None:
    with pytest.raises(OutputError, match="outside the output folder"):
        safe_relative(path)


@pytest.mark.parametrize("path", ["index.html", "de/programm/talk/index.html", "static/site.0123456789.css"])
def test_safe_relative_accepts_site_paths(path: str) -> None:
    assert str(safe_relative(path)) == path


@pytest.mark.parametrize("hostile", ["../escape.txt", "de/../../escape.txt", "{tmp}/escape.txt", "a\x00b"])
def test_write_site_writes_nothing_for_a_hostile_path(tmp_path: Path, hostile: str) -> None:
    out = tmp_path / "build" / "site"
    out.parent.mkdir()
    before = snapshot(tmp_path)
    with pytest.raises(OutputError):
        write_site({**MARKERS, "de/index.html": b"ok", hostile.format(tmp=tmp_path): b"evil"}, out)
    assert snapshot(tmp_path) == before  # no site, no staging folder, no escape.txt


def test_an_output_folder_given_as_a_link_is_written_where_it_links_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--out site, where site links to the web server's folder: that folder gets the site."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "www").mkdir()
    served = tmp_path / "www" / "site"
    (tmp_path / "site").symlink_to(served)
    files = {"index.html": b"home", "sitemap.xml": b"<urlset/>", "de/index.html": b"start"}
    for changed in (b"start", b"neu", b"neu"):
        write_site({**files, "de/index.html": changed}, tmp_path / "site")
        assert (tmp_path / "site").is_symlink()
        assert (served / "de" / "index.html").read_bytes() == changed
    assert sorted(p.name for p in tmp_path.iterdir()) == [".confsite-cache", "site", "www"]
    assert [p.name for p in (tmp_path / "www").iterdir()] == ["site"]


def test_write_site_never_writes_through_links_in_the_old_site(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    for name, data in MARKERS.items():
        (out / name).write_bytes(data)
    (out / "de").symlink_to(outside, target_is_directory=True)
    write_site({**MARKERS, "de/index.html": b"new"}, out)
    assert list(outside.iterdir()) == []
    assert not (out / "de").is_symlink()
    assert (out / "de" / "index.html").read_bytes() == b"new"


@pytest.mark.parametrize("umask", [0o002, 0o027])
def test_written_files_hold_all_their_bytes_with_the_usual_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    big = random.Random(5).randbytes(1_000_000)
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, data[:65536]))  # as a full disk may
    out = tmp_path / "site"
    before = os.umask(umask)
    try:
        write_site({**MARKERS, "de/index.html": b"", "schedule.json": big}, out)
    finally:
        os.umask(before)
    assert (out / "schedule.json").read_bytes() == big
    assert (out / "de" / "index.html").read_bytes() == b""
    modes = {(out / name).stat().st_mode & 0o777 for name in [*MARKERS, "schedule.json"]}
    assert modes == {0o666 & ~umask}


def dead_pid() -> int:
    """Return the id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_stale_staging_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    dead = dead_pid()
    stale = tmp_path / f".site.new-{dead}-abc123"
    (stale / "de").mkdir(parents=True)
    (stale / "de" / "index.html").write_text("half a site")
    kept = [
        tmp_path / f".site.new-{os.getppid()}-running",  # a build that still runs
        tmp_path / f".site.new-{os.getpid()}-this",  # this process
        tmp_path / ".site.new-abc12345",  # no process id: not named by this version
        tmp_path / f".other.new-{dead}-abc",  # beside another output folder
        tmp_path / f".site.old-{dead}",  # a whole old site of the fallback swap
        tmp_path / f".site.new-{10**30}-x",  # no process id of this system
    ]
    for folder in kept:
        folder.mkdir()
    link = tmp_path / f".site.new-{dead}-link"
    link.symlink_to(outside, target_is_directory=True)
    afile = tmp_path / f".site.new-{dead}-file"
    afile.write_text("a file, not a staging folder")

    assert remove_stale_staging(out) == [stale]
    assert not stale.exists()
    assert all(folder.is_dir() for folder in kept)
    assert link.is_symlink() and (outside / "keep.txt").read_text() == "keep"
    assert afile.is_file()


def run_build(command: list[str], cwd: Path) -> None:
    """Run a build to its end; fail with its error output if it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_killed_builds_leave_the_old_site_or_the_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    with contextlib.chdir(tmp_path):  # also warms the flyer cache the builds below use
        build(CONTENT, out, dt.datetime(2019, 3, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    manifest = snapshot(out)
    command = [
        sys.executable,
        str(ROOT / "build.py"),
        "--content",
        str(CONTENT),
        "--out",
        "site",
        "--now",
        NOW,
    ]
    started = time.perf_counter()
    run_build(command, tmp_path)
    seconds = time.perf_counter() - started
    assert snapshot(out) == manifest, "two builds of the same content differ"

    rng = random.Random(8)  # the same moments every run
    outcomes: list[str] = []
    left_behind: set[str] = set()
    for _ in range(15):
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0, seconds))
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate(timeout=120)
        outcomes.append("killed" if process.returncode == -signal.SIGKILL else f"exit {process.returncode}")
        assert process.returncode in (0, -signal.SIGKILL), err.decode()
        assert snapshot(out) == manifest, f"after a build killed at run {len(outcomes)}"
        left_behind |= {p.name for p in tmp_path.glob(".site.*")}

    (tmp_path / f".site.new-{dead_pid()}-stale").mkdir()  # at least one, whatever the timing
    run_build(command, tmp_path)
    assert snapshot(out) == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == [".confsite-cache", "site"]
    with capsys.disabled():
        print(
            f"\nkilled builds: {outcomes.count('killed')} of {len(outcomes)} killed within {seconds:.1f} s;"
            f" {len(left_behind)} staging folder(s) left behind, removed by the next build"
        )
    assert outcomes.count("killed") >= 5


# --- (c) limits ----------------------------------------------------------------------------------


def test_sessions_are_counted_across_parts(site: Site) -> None:
    half = MAX_SESSIONS // 2
    parts = "".join(
        f"  - id: p{n}\n    title: P\n    sessions:\n" + "      - s\n" * count
        for n, count in enumerate((half, MAX_SESSIONS - half, 1))
    )
    site.write("program.yaml", "parts:\n" + parts)
    started = time.perf_counter()
    limit = [e for e in site.errors() if "more than" in e.message]
    assert time.perf_counter() - started < 10
    line = site.line("program.yaml", "- id: p2") + 3
    assert [(e.line, e.where) for e in limit] == [(line, "parts[2].sessions[0]")]
    assert f"more than {MAX_SESSIONS:,} sessions" in limit[0].message


def test_as_many_sessions_and_people_as_allowed_pass_the_limit(site: Site) -> None:
    head = "parts:\n  - id: p\n    title: P\n    sessions:\n"
    site.write("program.yaml", head + "      - s\n" * MAX_SESSIONS)
    site.write("people.yaml", "people:\n" + "  - p\n" * MAX_PEOPLE)
    assert not [e for e in site.errors() if "more than" in e.message]


def test_a_file_of_many_tiny_values_is_refused_quickly(site: Site) -> None:
    site.write("people.yaml", "people: [" + "a," * (MAX_EXPANDED_NODES + 1) + "]\n")
    started = time.perf_counter()
    errors = [e for e in site.errors() if e.path == "content/people.yaml"]
    assert time.perf_counter() - started < 10
    assert [(e.line, e.where) for e in errors] == [(1, "")]
    assert f"more than {MAX_EXPANDED_NODES:,} values" in errors[0].message


def test_nesting_just_below_the_limit_is_read(site: Site) -> None:
    site.append("people.yaml", "    bio: " + "[" * (MAX_DEPTH - 3) + "x" + "]" * (MAX_DEPTH - 3) + "\n")
    errors = site.errors()
    assert [e.where for e in errors] == ["people[1].bio"], errors  # a list, not a text: no crash


def test_a_file_of_exactly_the_size_limit_is_read(site: Site) -> None:
    path = site.content / "people.yaml"
    text = "people: []\n"
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert not [e for e in site.errors() if e.path == "content/people.yaml" and "MB" in e.message]
