"""Cached, incremental and parallel builds give exactly the files of a full build without cache.

Every rebuild here is compared file by file (the list of files and the SHA-256 of each) with
a build of the same content and templates by a separate ``python build.py`` process with
``CONFSITE_NO_CACHE=1`` into a new folder, where nothing can be reused: a cache that served a
stale result, or an output left behind, shows as a difference. The content is a synthetic
conference of 50 sessions from bench/synth.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import importlib.util
import os
import posixpath
import random
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from confsite import compress, feeds, ics, pipeline, render, spare, workers, write
from confsite.routes import Routes, relative
from confsite.walk import files_below
from confsite.write import write_site

ROOT = Path(__file__).resolve().parents[1]
NOW = "2030-08-01T12:00"
SESSIONS = 50


def _load_synth() -> Any:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


@dataclass
class Project:
    """A working folder with content/, templates/, and after a build site/ and .confsite-cache/."""

    root: Path
    files: dict[str, Any]  # the synthetic content as data (bench/synth.py)

    @property
    def site(self) -> Path:
        return self.root / "site"

    def sessions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = synth.sessions(self.files)  # (synth is loaded untyped)
        return found

    def write(self) -> None:
        synth.write(self.root / "content", self.files)


def digest(site: Path) -> dict[str, str]:
    """Hash every file of a site: relative path -> SHA-256."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def start_build(cwd: Path, content: Path, templates: Path, out: Path, cache: bool) -> subprocess.Popen[str]:
    """Start ``python build.py`` in ``cwd``, where its cache lives."""
    env = {k: v for k, v in os.environ.items() if k != "CONFSITE_NO_CACHE"}
    if not cache:
        env["CONFSITE_NO_CACHE"] = "1"
    argv = ["--content", str(content), "--templates", str(templates), "--out", str(out), "--now", NOW]
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "build", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(build: subprocess.Popen[str], out: Path) -> dict[str, str]:
    """Wait for a build; return the hashes of its output."""
    _, errors = build.communicate()
    assert build.returncode == 0, errors
    return digest(out)


def cached_build(project: Project) -> dict[str, str]:
    """Rebuild the project's site/ with its cache, as an editor runs ``python build.py``."""
    folders = (project.root / "content", project.root / "templates", project.site)
    return finish(start_build(project.root, *folders, cache=True), project.site)


def compare_with_full_build(project: Project, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Rebuild with the cache and, at the same time, from nothing without any cache elsewhere."""
    cwd = tmp_path / "full"
    cwd.mkdir()
    content, templates = project.root / "content", project.root / "templates"
    full = start_build(cwd, content, templates, cwd / "site", cache=False)
    return cached_build(project), finish(full, cwd / "site")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project built once with the cache: site/ and .confsite-cache/ are filled."""
    root = tmp_path_factory.mktemp("warm")
    shutil.copytree(ROOT / "templates", root / "templates")
    project = Project(root, synth.conference(SESSIONS, seed=7))
    project.write()
    cached_build(project)
    return project


@pytest.fixture
def project(warm: Project, tmp_path: Path) -> Project:
    """A copy of the warm project (content, templates, site, cache), to change."""
    root = tmp_path / "project"
    shutil.copytree(warm.root, root, symlinks=True)
    return Project(root, copy.deepcopy(warm.files))


def test_first_build_with_a_cold_cache_equals_a_full_build(tmp_path: Path) -> None:
    project = Project(tmp_path / "cold", synth.conference(SESSIONS, seed=7))
    shutil.copytree(ROOT / "templates", project.root / "templates")
    project.write()
    cached, full = compare_with_full_build(project, tmp_path)
    assert cached == full


def test_rebuild_without_changes_changes_nothing(project: Project, tmp_path: Path) -> None:
    before = digest(project.site)
    cached, full = compare_with_full_build(project, tmp_path)
    assert cached == before == full


def _edit_description(project: Project) -> None:
    project.sessions()[7]["description"] = {"de": "Neu: **anders**.\n", "en": "New: **different**.\n"}
    project.write()


def _edit_title(project: Project) -> None:
    project.sessions()[8]["title"] = {"de": "Ein neuer Titel", "en": "A new title"}
    project.write()


def _edit_bio(project: Project) -> None:
    project.files["people.yaml"]["people"][3]["bio"] = {"de": "Kurz.\n", "en": "Short.\n"}
    project.write()


def _add_session(project: Project) -> None:
    first_part = project.files["program.yaml"]["parts"][0]
    first_part["sessions"].append(
        {
            "id": "late-addition",
            "start": "20:00",
            "end": "20:45",
            "kind": "talk",
            "title": {"de": "Nachtrag", "en": "Late addition"},
            "room": {"de": "Saal 1", "en": "Room 1"},
            "speakers": [project.files["people.yaml"]["people"][0]["id"]],
        }
    )
    project.write()


def _remove_session(project: Project) -> None:
    sessions = project.files["program.yaml"]["parts"][0]["sessions"]
    sessions[:] = [s for s in sessions if s["id"] != "s00001"]
    project.write()


def _change_template(project: Project) -> None:
    template = project.root / "templates" / "session.html"
    text = template.read_text(encoding="utf-8")
    assert '<p class="kind">' in text
    template.write_text(text.replace('<p class="kind">', '<p class="kind session-kind">'), encoding="utf-8")


def _change_interface_strings(project: Project) -> None:
    folder = project.root / "content" / "i18n"
    folder.mkdir()
    # The program's folder moves: every session page gets a new address in English.
    (folder / "en.yaml").write_text("program: Schedule\nslug_program: schedule\n", encoding="utf-8")


EDITS: dict[str, Callable[[Project], None]] = {
    "a session's description": _edit_description,
    "a session's title": _edit_title,
    "a person's bio": _edit_bio,
    "a new session": _add_session,
    "a removed session": _remove_session,
    "a template": _change_template,
    "interface strings": _change_interface_strings,
}


#: What else must hold after some edits: files at addresses that no longer exist are gone.
CHECKS: dict[str, Callable[[dict[str, str]], bool]] = {
    "a removed session": lambda paths: not any("/s00001/" in path for path in paths),
    "interface strings": lambda paths: (
        "en/schedule/index.html" in paths and not any(path.startswith("en/program") for path in paths)
    ),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_rebuild_after_an_edit_equals_a_full_build(project: Project, tmp_path: Path, edit: str) -> None:
    before = digest(project.site)
    EDITS[edit](project)
    cached, full = compare_with_full_build(project, tmp_path)
    assert cached != before, "the edit must show in the site"
    assert cached == full
    check = CHECKS.get(edit)
    assert check is None or check(cached)


def test_a_template_edited_in_a_linked_folder_is_seen(tmp_path: Path) -> None:
    """Jinja reads templates through links to folders: so must the templates' fingerprint."""
    templates, shared = tmp_path / "templates", tmp_path / "shared"
    shutil.copytree(ROOT / "templates", templates)
    shared.mkdir()
    (templates / "flyer").rename(shared / "flyer")
    (templates / "flyer").symlink_to(shared / "flyer")
    content, site = ROOT / "content", tmp_path / "site"
    before = finish(start_build(tmp_path, content, templates, site, cache=True), site)
    flyer = shared / "flyer" / "_flyer.html"
    text = flyer.read_text(encoding="utf-8")
    assert '<dl class="flyer-facts">' in text
    flyer.write_text(
        text.replace('<dl class="flyer-facts">', '<dl class="flyer-facts linked">'), encoding="utf-8"
    )
    cached = finish(start_build(tmp_path, content, templates, site, cache=True), site)
    (tmp_path / "full").mkdir()
    full = finish(
        start_build(tmp_path / "full", content, templates, tmp_path / "full" / "site", cache=False),
        tmp_path / "full" / "site",
    )
    assert cached["de/flyer/index.html"] != before["de/flyer/index.html"]
    assert cached == full


def test_folders_are_walked_through_links_and_a_loop_of_links_ends(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.html").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "up").symlink_to(tmp_path)  # a loop
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "macro.html").write_text("y", encoding="utf-8")
    (tmp_path / "a" / "linked").symlink_to(tmp_path / "elsewhere")
    found = [Path(path).relative_to(tmp_path).as_posix() for path in files_below(tmp_path)]
    assert found == ["a/linked/macro.html", "a/page.html", "elsewhere/macro.html"]


def test_a_broken_cache_is_ignored(project: Project, tmp_path: Path) -> None:
    broken = [p for p in (project.root / ".confsite-cache").rglob("*") if p.is_file() and p.suffix != ".pdf"]
    assert any(p.suffix == ".marshal" for p in broken), "the build keeps Markdown and compression tables"
    for path in broken:
        path.write_bytes(b"\x00garbage")
    _edit_description(project)
    cached, full = compare_with_full_build(project, tmp_path)
    assert cached == full


def test_parallel_rendering_gives_the_bytes_of_serial_rendering(
    warm: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages, calendars and compressed files made on a pool of workers are those made in one process."""
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")  # (a kept page or sibling would be taken, not made)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)  # a site this small is otherwise done serially
    monkeypatch.setattr(pipeline, "COMPRESS_IN_PARALLEL_FROM", 0)  # (as a large site's files)
    pools: list[str] = []
    real = workers.each_item

    def noting(
        work: Callable[[Any], Any], items: Any, jobs: int = 1, min_items: int = workers.MIN_ITEMS
    ) -> Any:
        if jobs > 1:
            pools.append(getattr(work, "func", work).__name__)
        return real(work, items, jobs, min_items)

    monkeypatch.setattr(workers, "each_item", noting)  # (map_items calls it there)
    monkeypatch.setattr(render, "each_item", noting)
    templates = warm.root / "templates"
    conf = pipeline.load(warm.root / "content", templates)
    now = dt.datetime.fromisoformat(NOW).replace(tzinfo=ZoneInfo(conf.timezone))

    def flyer(conf: Any, lang: str, state: Any, templates: Path) -> bytes:  # (WeasyPrint takes a second)
        return f"%PDF {lang}".encode()

    serial = pipeline.render_site(conf, now, templates, jobs=1, flyers=flyer)
    parallel = pipeline.render_site(conf, now, templates, jobs=2, flyers=flyer)
    assert sorted(parallel) == sorted(serial)
    assert [path for path in serial if parallel[path] != serial[path]] == []
    assert pipeline.with_compressed(serial, jobs=2) == compress.with_compressed(serial)
    assert sorted(set(pools)) == ["_make", "_siblings"]  # the pages' pool and the compressing one


def test_calendars_and_feeds_of_a_build_are_those_of_ics_and_feeds(
    warm: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build makes the calendars from pieces while recording their reads (reads.py)."""
    monkeypatch.chdir(warm.root)  # its flyer cache: no PDF is rendered here
    conf = pipeline.load(warm.root / "content", warm.root / "templates")
    routes = Routes(conf)
    now = dt.datetime.fromisoformat(NOW).replace(tzinfo=conf.tz)
    built = pipeline.render_site(conf, now, warm.root / "templates")
    whole = {
        **ics.calendars(conf, routes),
        "schedule.json": feeds.schedule_json(conf, routes),
        "schedule.xml": feeds.schedule_xml(conf, routes),
    }
    assert {path: built[path] for path in whole} == whole


def test_unchanged_files_are_kept_and_changed_ones_written(tmp_path: Path) -> None:
    out = tmp_path / "site"
    files = {"index.html": b"<p>home", "sitemap.xml": b"<urlset/>", "de/index.html": b"<p>Start"}
    write_site(files, out)
    before = {path: os.stat(out / path) for path in files}
    write_site({**files, "de/index.html": b"<p>Neu"}, out)
    kept = os.stat(out / "index.html")
    assert (kept.st_ino, kept.st_mtime_ns) == (before["index.html"].st_ino, before["index.html"].st_mtime_ns)
    assert (out / "de" / "index.html").read_bytes() == b"<p>Neu"
    assert os.stat(out / "de" / "index.html").st_ino != before["de/index.html"].st_ino


def test_a_link_in_the_old_site_is_not_carried_over(tmp_path: Path) -> None:
    out = tmp_path / "site"
    files = {"index.html": b"<p>home", "sitemap.xml": b"<urlset/>"}
    write_site(files, out)
    (tmp_path / "elsewhere.html").write_bytes(b"<p>home")
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(tmp_path / "elsewhere.html")
    write_site(files, out)
    assert not (out / "index.html").is_symlink()
    assert (out / "index.html").read_bytes() == b"<p>home"


def test_relative_links_are_those_of_posixpath() -> None:
    """routes.relative() computes links from the strings alone; they must not change."""

    def reference(start: str, target: str) -> str:  # the implementation it replaced
        if target.endswith("/") or target == "":
            found = posixpath.relpath(target or ".", start or ".")
            return "./" if found == "." else found + "/"
        return posixpath.relpath(target, start or ".")

    rng = random.Random(9)
    names = ["de", "en", "programm", "s00001", "static", "site.1a2b.css", "flyer.pdf"]
    paths = [""] + [
        "/".join(rng.choice(names) for _ in range(rng.randint(1, 4))) + rng.choice(["", "/"])
        for _ in range(400)
    ]
    for start in paths[:60]:
        for target in paths:
            assert relative(start, target) == reference(start, target), (start, target)


def tree(root: Path) -> tuple[dict[str, bytes], set[str]]:
    """Return every file (path -> bytes) and every folder under ``root``."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    folders = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
    return files, folders


def folders_of(files: dict[str, bytes]) -> set[str]:
    found: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        found |= {"/".join(parts[: i + 1]) for i in range(len(parts))}
    return found


def test_the_replaced_site_is_brought_up_to_date_by_the_next_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random sites in turn: files come, go and change; a file becomes a folder and back."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    rng = random.Random(5)
    names = ["index.html", "a.html", "de/index.html", "de/x/index.html", "de/x", "en/y/z/index.html", "en/y"]
    for _ in range(40):
        files = {"index.html": b"home", "sitemap.xml": b"<urlset/>"}
        for name in rng.sample(names, rng.randint(1, len(names))):
            if not any(other.startswith(name + "/") or name.startswith(other + "/") for other in files):
                files[name] = rng.choice([b"one", b"two", b"three" * 100])
        write_site(files, out)
        assert tree(out) == (files, folders_of(files))
    assert len(list((tmp_path / ".confsite-cache" / "spare").iterdir())) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".confsite-cache", "site"]


def test_the_folders_of_the_replaced_site_are_used_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    files = {"index.html": b"home", "sitemap.xml": b"<urlset/>", "de/s/1/index.html": b"one"}
    write_site(files, out)
    first = os.stat(out / "de" / "s" / "1").st_ino
    write_site({**files, "de/s/1/index.html": b"changed"}, out)  # the first site is kept aside
    write_site(files, out)  # and brought up to date: its folders are this site's folders
    assert os.stat(out / "de" / "s" / "1").st_ino == first
    assert (out / "de" / "s" / "1" / "index.html").read_bytes() == b"one"


def test_a_kept_site_with_a_link_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    files = {"index.html": b"home", "sitemap.xml": b"<urlset/>", "de/index.html": b"start"}
    write_site(files, out)
    write_site({**files, "de/index.html": b"neu"}, out)
    (kept_site,) = (tmp_path / ".confsite-cache" / "spare").iterdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(kept_site / "de")
    (kept_site / "de").symlink_to(outside)
    write_site(files, out)
    assert list(outside.iterdir()) == []
    assert tree(out) == (files, {"de"})


def test_without_the_cache_no_site_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    files = {"index.html": b"home", "sitemap.xml": b"<urlset/>"}
    write_site(files, tmp_path / "site")
    write_site(files, tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


#: A small site for the tests of the manifests.
SMALL = {"index.html": b"home", "sitemap.xml": b"<urlset/>", "de/index.html": b"start"}


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The output folder, in a working folder of its own (where .confsite-cache goes)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "site"


@pytest.fixture
def read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that writing opens to compare, each as its path inside its site folder."""
    reads: list[str] = []
    holds = write._holds

    def counting(path: str, data: bytes, mode: int) -> bool:
        reads.append(os.path.relpath(path, tmp_path).split(os.sep, 1)[1])
        return holds(path, data, mode)

    monkeypatch.setattr(write, "_holds", counting)
    return reads


@pytest.fixture
def looked_at(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The kept sites that writing surveys itself, rather than taking the survey it was given."""
    surveyed: list[Path] = []
    survey_of = spare.survey_of
    monkeypatch.setattr(spare, "survey_of", lambda site: surveyed.append(site) or survey_of(site))
    return surveyed


def test_files_the_manifests_vouch_for_are_not_read_back(
    out: Path, read_back: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file left as the last builds wrote it (same inode, size and time) is not read to compare."""
    write_site(SMALL, out)  # the first build: nothing to compare with
    read_back.clear()
    for _ in range(3):  # into a new folder beside the first site, into the first site kept, ...
        write_site(SMALL, out)
        assert tree(out) == (SMALL, {"de"})
    assert read_back == []
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")  # no manifests: every file is compared
    write_site(SMALL, out)
    assert sorted(read_back) == sorted(SMALL)


def test_a_survey_of_the_kept_site_is_used_and_nothing_is_read_back(
    out: Path, read_back: list[str], looked_at: list[Path]
) -> None:
    """What spare.survey found earlier in the build stands for the kept site it looked at."""
    write_site(SMALL, out)
    write_site(SMALL, out)  # the first site is kept aside
    surveyed = spare.survey(out)
    assert surveyed is not None
    assert surveyed.files == set(SMALL) and set(surveyed.folders) == {"", "de"}
    assert set(surveyed.entries) == set(SMALL)
    read_back.clear()
    looked_at.clear()
    write_site(SMALL, out, surveyed)
    assert tree(out) == (SMALL, {"de"})
    assert read_back == [] and looked_at == []  # neither read back nor looked at again


def test_a_survey_of_a_site_kept_before_another_build_is_not_used(out: Path) -> None:
    """Another build in between keeps another site aside: the old survey no longer describes it.

    Used all the same, it would vouch for the first site's bytes in a folder that holds the
    second's, and leave "neu" where "start" belongs.
    """
    changed = {**SMALL, "de/index.html": b"neu"}
    write_site(SMALL, out)
    write_site(changed, out)  # the site of SMALL is kept aside
    stale = spare.survey(out)
    write_site(SMALL, out)  # it is used for this site; the site of ``changed`` is kept aside
    assert stale is not None and spare.survey(out) != stale
    write_site(SMALL, out, stale)
    assert tree(out) == (SMALL, {"de"})


def test_a_file_whose_permissions_were_changed_is_made_anew(out: Path, tmp_path: Path) -> None:
    """A build without cache makes every file with the umask's permissions: so must one with it."""
    (tmp_path / "new").touch()
    mode = stat.S_IMODE((tmp_path / "new").stat().st_mode)
    write_site(SMALL, out)
    write_site(SMALL, out)  # (now a kept site too, sharing the files)
    (out / "de" / "index.html").chmod(0o600)
    (out / "index.html").chmod(0o755)
    for _ in range(3):
        write_site(SMALL, out)
        modes = {rel: stat.S_IMODE((out / rel).stat().st_mode) for rel in SMALL}
        assert modes == dict.fromkeys(SMALL, mode)
        assert tree(out) == (SMALL, {"de"})


def test_files_made_on_two_processes_are_those_one_process_makes(
    out: Path, tmp_path: Path, read_back: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site of many files in a new folder is made by two processes; their manifest is right."""
    jobs: list[int] = []
    map_items = workers.map_items
    monkeypatch.setattr(
        workers, "map_items", lambda *args, **kw: jobs.append(args[2]) or map_items(*args, **kw)
    )
    monkeypatch.setattr(write, "WRITE_IN_PARALLEL_FROM", 100)
    makers = tmp_path / "makers"  # the process that made each file, a line each
    place = write._Site.place

    def noting(site: write._Site, rel: str) -> spare.Entry:
        with open(makers, "a") as note:
            note.write(f"{os.getpid()}\n")
        return place(site, rel)

    monkeypatch.setattr(write._Site, "place", noting)
    files = {**SMALL, **{f"de/s/{i}/index.html": f"Seite {i}".encode() for i in range(200)}}
    write_site(files, out, jobs=2)  # a new folder: every file is made, on two processes
    assert tree(out) == (files, folders_of(files))
    pids = makers.read_text().split()
    assert len(pids) == len(files) and str(os.getpid()) not in pids and len(set(pids)) <= 2
    manifest = spare.Manifests().of(out)
    (tmp_path / "new").touch()  # (a file made now, with the umask's permissions)
    mode = stat.S_IMODE((tmp_path / "new").stat().st_mode)
    for rel, data in files.items():  # what the processes said of each file holds
        entry = spare.valid_entry(manifest.get(rel))
        assert spare.vouched(str(out / rel), entry, hashlib.sha256(data).digest(), mode), rel
    changed = {**files, "de/s/7/index.html": b"neu"}
    write_site(changed, out, jobs=2)  # again into a new folder (none kept yet), on two processes
    assert tree(out) == (changed, folders_of(changed))
    assert jobs == [2, 2]
    write_site(files, out, jobs=2)  # into the kept site: two files to make, on one process
    assert jobs == [2, 2, 1]
    assert tree(out) == (files, folders_of(files))
    assert read_back == []  # the manifests vouched for every file kept


def test_a_file_rewritten_in_place_after_the_survey_is_written_again(out: Path) -> None:
    """The kept site shares its unchanged files with the published one: another program may
    rewrite one in place while the build renders, after the survey. It is checked when used."""
    write_site(SMALL, out)
    write_site(SMALL, out)  # the kept site and the published one share their files
    surveyed = spare.survey(out)
    with open(out / "de" / "index.html", "r+b") as published:  # same inode, same size
        published.write(b"stArt")
    write_site(SMALL, out, surveyed)
    assert tree(out) == (SMALL, {"de"})


def test_names_added_to_the_kept_site_after_the_survey_are_seen(out: Path, tmp_path: Path) -> None:
    """A folder of the kept site whose names changed since the survey has another time: the
    site is looked at again, and a link put there is not written through."""
    write_site(SMALL, out)
    write_site({**SMALL, "de/index.html": b"neu"}, out)
    (kept_site,) = (tmp_path / ".confsite-cache" / "spare").iterdir()
    surveyed = spare.survey(out)
    (kept_site / "de" / "extra.html").write_bytes(b"left over")  # (the site's own folder stays as it was)
    outside = tmp_path / "outside"
    outside.mkdir()
    (kept_site / "de" / "x").symlink_to(outside)
    files = {**SMALL, "de/x/index.html": b"x"}
    write_site(files, out, surveyed)
    assert tree(out) == (files, {"de", "de/x"})
    assert list(outside.iterdir()) == []


def test_a_kept_site_renamed_since_the_survey_is_looked_at_again(
    out: Path, tmp_path: Path, looked_at: list[Path]
) -> None:
    """Renaming a folder changes its change time: the survey no longer stands for it."""
    write_site(SMALL, out)
    write_site(SMALL, out)
    (kept_site,) = (tmp_path / ".confsite-cache" / "spare").iterdir()
    surveyed = spare.survey(out)
    kept_site.rename(tmp_path / "aside")
    (tmp_path / "aside").rename(kept_site)
    looked_at.clear()
    write_site(SMALL, out, surveyed)
    assert len(looked_at) == 1
    assert tree(out) == (SMALL, {"de"})


def test_there_is_no_survey_without_a_kept_site(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert spare.survey(out) is None  # nothing built yet
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    write_site(SMALL, out)
    write_site(SMALL, out)
    assert spare.survey(out) is None


def test_a_file_whose_mode_changed_is_looked_at_again(out: Path, read_back: list[str]) -> None:
    """chmod changes neither a file's bytes nor its time; the manifest no longer vouches for it.

    The build then looks at the file, in the kept site and in the published one (which share
    it), as it does without manifests: a file made unreadable is written anew, readable, also
    by root, who could still read it.
    """
    write_site(SMALL, out)
    write_site(SMALL, out)
    readable = (out / "de" / "index.html").stat().st_mode
    (out / "de" / "index.html").chmod(0)
    read_back.clear()
    write_site(SMALL, out)
    assert read_back == ["de/index.html", "de/index.html"]
    assert tree(out) == (SMALL, {"de"})
    assert (out / "de" / "index.html").stat().st_mode == readable


def test_a_file_changed_in_place_in_the_published_site_is_written_again(out: Path) -> None:
    """The kept site shares its unchanged files (hard links) with the published one: a tool that
    rewrites a published file in place changes the kept one too; the next build notices."""
    write_site(SMALL, out)
    write_site(SMALL, out)
    with open(out / "de" / "index.html", "r+b") as published:  # same inode, same size
        published.write(b"stArt")
    os.utime(out / "de" / "index.html", ns=(1, 1))  # even a time far in the past
    write_site(SMALL, out)
    assert tree(out) == (SMALL, {"de"})
    write_site(SMALL, out)
    assert tree(out) == (SMALL, {"de"})
