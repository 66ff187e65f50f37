"""`build.py serve`: the real preview server, in a subprocess, driven over HTTP."""

from __future__ import annotations

import contextlib
import gc
import html
import http.client
import json
import marshal
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from confbuilder import BACKUPS, Site, make_site
from confsite import pipeline, serve
from confsite.serve import Deferred, _pages

ROOT = Path(__file__).resolve().parents[1]
#: Long enough for a rebuild on a busy machine, short enough to keep the file quick.
TIMEOUT = 8.0


@dataclass
class Preview:
    """A running ``build.py serve`` and where to reach it."""

    process: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT/conf/ (the path of base_url)
    log: Path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


def start(root: Path, *args: str, name: str = "serve") -> Preview:
    """Start the server in ``root`` (content/ below it) and wait until it says where it listens."""
    log = root / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", "content", *args],
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"^Serving (http://\S+)$", log.read_text(encoding="utf-8"), re.MULTILINE)
        if found:
            return Preview(process, found.group(1), log)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stop(process)
    pytest.fail(f"the server did not start:\n{log.read_text(encoding='utf-8')}")


def stop(process: subprocess.Popen[bytes]) -> int:
    """Press Ctrl-C; kill the server if it does not stop. Return its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def fetch(url: str) -> tuple[int, str]:
    """GET a page; return its status and text (also for 4xx/5xx)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def raw_get(preview: Preview, target: str) -> tuple[int, bytes]:
    """Send a request target exactly as written (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def eventually(probe: Callable[[], str], wanted: Callable[[str], bool], what: str) -> str:
    """Call ``probe`` until ``wanted`` holds for its result; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        result = probe()
        if wanted(result):
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {TIMEOUT} s; last answer:\n{result[-3000:]}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Preview]]:
    """One server for the module, on a small content folder in a temporary working folder."""
    root = tmp_path_factory.mktemp("serve")
    site = make_site(root, forums=True, podium=True, pages=True)
    preview = start(root, "--port", "0", "--now", "2019-03-01T12:00")
    try:
        yield site, preview
    finally:
        assert stop(preview.process) == 0, preview.output()


def page(preview: Preview, path: str) -> str:
    status, text = fetch(preview.url + path)
    assert status == 200, f"{path}: {status}"
    return text


# --- serving ----------------------------------------------------------------------------------


def test_binds_to_loopback_only_by_default(served: tuple[Site, Preview]) -> None:
    _, preview = served
    assert preview.url.startswith("http://127.0.0.1:") and preview.url.endswith("/conf/")
    with socket.create_connection(("127.0.0.1", preview.port), timeout=TIMEOUT):
        pass
    # 127.0.0.2 is this machine too: only a server bound to every address would answer there
    with pytest.raises(OSError), socket.create_connection(("127.0.0.2", preview.port), timeout=2):
        pass


def test_serves_the_site_under_its_base_path(served: tuple[Site, Preview]) -> None:
    _, preview = served
    assert "Testkonferenz" in page(preview, "de/")
    assert "Test conference" in page(preview, "en/")
    status, _ = fetch(preview.origin + "/")
    assert status == 200  # redirected to /conf/
    status, text = fetch(preview.url + "de/no-such-page/")
    assert status == 404 and "/__confsite/reload.js" in text


def test_reload_script_is_served_but_never_written(served: tuple[Site, Preview]) -> None:
    site, preview = served
    home = page(preview, "de/")
    assert re.search(r'<script src="/__confsite/reload.js" data-version="[^"]+"></script>\s*</body>', home)
    status, script = fetch(preview.origin + "/__confsite/reload.js")
    assert status == 200 and "EventSource" in script and "location.reload()" in script
    # nothing on disk carries the script: the preview writes no output folder at all
    assert not (site.root / "site").exists()
    for path in site.root.rglob("*"):
        if path.is_file() and path.suffix != ".log":
            assert b"__confsite" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "target",
    [
        "/conf/../content/conference.yaml",
        "/../../etc/passwd",
        "/conf/%2e%2e/%2e%2e/etc/passwd",
        "/conf/%2E%2E/content/people.yaml",
        "/conf/..%2f..%2fetc%2fpasswd",
        "/conf/de/..%5c..%5cetc%5cpasswd",
        "/conf/%2fetc%2fpasswd",
        "//etc/passwd",
        "/conf/./de/",
        "/etc/passwd",
        "/content/conference.yaml",
        "http://127.0.0.1/etc/passwd",
    ],
)
def test_path_traversal_is_refused(served: tuple[Site, Preview], target: str) -> None:
    _, preview = served
    status, body = raw_get(preview, target)
    assert status in (403, 404), f"{target}: {status}"
    assert b"root:" not in body and b"timezone:" not in body and b"people:" not in body
    if ".." in target.replace("%2e", ".").replace("%2E", "."):
        assert status == 403, target


def test_symlinks_on_disk_lead_nowhere(served: tuple[Site, Preview]) -> None:
    """Only the built files are served, from memory: a symlink out of the content folder is not followed."""
    site, preview = served
    (site.content / "leak").symlink_to("/etc", target_is_directory=True)
    try:
        for target in ("/conf/leak/passwd", "/content/leak/passwd", "/conf/../content/leak/passwd"):
            status, body = raw_get(preview, target)
            assert status in (403, 404), f"{target}: {status}"
            assert b"root:" not in body
    finally:
        (site.content / "leak").unlink()


# --- rebuilding -------------------------------------------------------------------------------


def test_events_announce_every_rebuild(served: tuple[Site, Preview]) -> None:
    site, preview = served
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/__confsite/events")
        stream = connection.getresponse()
        assert stream.status == 200 and stream.getheader("Content-Type") == "text/event-stream"

        def next_event() -> dict[str, object]:
            while True:
                line = stream.readline()
                assert line, "the event stream ended"
                if line.startswith(b"data: "):
                    return dict(json.loads(line[6:]))

        first = next_event()  # the current version, at once
        assert first["problems"] == 0
        site.append("people.yaml", "  - id: linus\n    name: Linus Torvalds\n")
        try:
            second = next_event()
            assert second["version"] != first["version"] and second["problems"] == 0
        finally:
            site.replace("people.yaml", "  - id: linus\n    name: Linus Torvalds\n", "")
    finally:
        connection.close()


def test_an_edit_shows_in_the_next_fetch(served: tuple[Site, Preview]) -> None:
    site, preview = served
    before = page(preview, "de/about/")
    assert "Wir sind <strong>wir</strong>." in before
    site.replace("pages/about.de.md", "Wir sind **wir**.", "Wir sind **neu hier**.")
    try:
        eventually(
            lambda: page(preview, "de/about/"),
            lambda text: "Wir sind <strong>neu hier</strong>." in text,
            "the edited page",
        )
    finally:
        site.replace("pages/about.de.md", "Wir sind **neu hier**.", "Wir sind **wir**.")
    eventually(lambda: page(preview, "de/about/"), lambda t: "<strong>wir</strong>" in t, "the restored page")


def test_the_feeds_follow_the_content(served: tuple[Site, Preview]) -> None:
    """The preview makes the feeds when they are fetched, from the content as it is then.

    (A session's description: the flyer does not show it, so no flyer update is left pending.)
    """

    def descriptions() -> str:
        schedule = json.loads(page(preview, "schedule.json"))["schedule"]["conference"]
        events = [e for day in schedule["days"] for room in day["rooms"].values() for e in room]
        return json.dumps([e["description"] for e in events], ensure_ascii=False)

    site, preview = served
    title = "        title: {de: Vortrag, en: Talk}\n"
    described = title + "        description: {de: Neu beschrieben, en: Newly described}\n"
    assert "Neu beschrieben" not in descriptions()
    site.replace("program.yaml", title, described)
    try:
        eventually(descriptions, lambda text: "Neu beschrieben" in text, "the new description")
        assert "<description>Neu beschrieben</description>" in page(preview, "schedule.xml")
    finally:
        site.replace("program.yaml", described, title)
    eventually(descriptions, lambda text: "Neu beschrieben" not in text, "the restored program")


def test_broken_content_shows_the_problem_over_the_last_good_site(served: tuple[Site, Preview]) -> None:
    site, preview = served
    talk = "de/programm/talk/"
    assert "Grace Hopper" in page(preview, talk)
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: [ada, grase]")
    expected = (
        f"content/program.yaml:{site.line('program.yaml', 'grase')}: parts[0].sessions[1].speakers:"
        " unknown person 'grase'; did you mean 'grace'?"
    )

    def overlay(text: str) -> str:
        parts = text.split('id="confsite-errors"', 1)
        return html.unescape(parts[1].split("</div>", 1)[0]) if len(parts) == 2 else ""

    try:
        # (the file is written in place: a rebuild may first read it empty, and say so)
        shown = eventually(lambda: page(preview, talk), lambda t: expected in overlay(t), "the error overlay")
        assert "Grace Hopper" in shown  # still the last good page underneath
        assert expected in preview.output()  # and the terminal says the same
        assert "still serving the last good build" in preview.output()
    finally:
        site.replace("program.yaml", "speakers: [ada, grase]", "speakers: [ada, grace]")
    fixed = eventually(lambda: page(preview, talk), lambda t: "confsite-errors" not in t, "the overlay to go")
    assert "Grace Hopper" in fixed


def test_flyer_is_rendered_again_only_when_it_changes(served: tuple[Site, Preview]) -> None:
    site, preview = served
    pdf = "/conf/de/flyer.pdf"
    before, renders = raw_get(preview, pdf)[1], preview.output().count("flyers updated")
    site.replace("pages/about.de.md", "Wir sind **wir**.", "Wir sind **wir alle**.")  # not on the flyer
    title = ("title: {de: Vortrag, en: Talk}", "title: {de: Vortrag neu, en: New talk}")  # on the flyer
    try:
        eventually(lambda: page(preview, "de/about/"), lambda t: "wir alle" in t, "the edited page")
        time.sleep(1.0)  # longer than the preview waits before it renders a lagging flyer
        assert preview.output().count("flyers updated") == renders
        assert raw_get(preview, pdf)[1] == before

        site.replace("program.yaml", *title)
        eventually(lambda: page(preview, "de/programm/talk/"), lambda t: "Vortrag neu" in t, "the new title")
        eventually(
            preview.output, lambda out: out.count("flyers updated") == renders + 1, "the flyer to follow"
        )
        assert raw_get(preview, pdf)[1] != before
    finally:
        site.replace("pages/about.de.md", "Wir sind **wir alle**.", "Wir sind **wir**.")
        if title[1] in site.read("program.yaml"):
            site.replace("program.yaml", title[1], title[0])


# --- starting and stopping --------------------------------------------------------------------


def test_a_template_mistake_shows_its_file_and_line_over_the_last_good_site(tmp_path: Path) -> None:
    """A template being edited fails as content does: FILE:LINE: template: what, and no traceback."""
    make_site(tmp_path)
    templates = tmp_path / "my-templates"
    shutil.copytree(ROOT / "templates", templates)
    preview = start(tmp_path, "--port", "0", "--templates", "my-templates", "--now", "2019-03-01T12:00")
    talk = "de/programm/talk/"
    session = templates / "session.html"
    good = session.read_text(encoding="utf-8")
    try:
        assert "Grace Hopper" in page(preview, talk)
        lines = good.splitlines(keepends=True)
        line = next(i for i, text in enumerate(lines, 1) if text.startswith("{% block main %}")) + 1
        session.write_text("".join([*lines[: line - 1], "{{ c.no_such_helper() }}\n", *lines[line - 1 :]]))
        expected = f"my-templates/session.html:{line}: template: "
        shown = eventually(lambda: page(preview, talk), lambda t: expected in html.unescape(t), "the overlay")
        assert "Grace Hopper" in shown  # the last good page underneath
        assert expected in preview.output() and "Traceback" not in preview.output()
        session.write_text(good, encoding="utf-8")
        eventually(lambda: page(preview, talk), lambda t: "confsite-errors" not in t, "the overlay to go")
    finally:
        stop(preview.process)


def test_broken_start_port_in_use_and_ctrl_c(served: tuple[Site, Preview], tmp_path: Path) -> None:
    """A server started on broken content explains why; a taken port is a usage error; Ctrl-C exits 0."""
    _, running = served
    taken = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(running.port)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert taken.returncode == 2 and f"cannot listen on 127.0.0.1:{running.port}" in taken.stderr

    broken = make_site(tmp_path)
    broken.replace("conference.yaml", "Europe/Berlin", "Europe/Wuppertal")
    preview = start(tmp_path, "--port", "0", name="broken")
    try:
        status, text = fetch(preview.url)
        assert status == 503
        line = broken.line("conference.yaml", "Europe/Wuppertal")
        assert (
            f"content/conference.yaml:{line}: timezone: 'Europe/Wuppertal' is not a timezone"
            in html.unescape(text)
        )
        assert "the site could not be built yet" in text and "last good build" not in text
        assert "nothing to serve yet" in preview.output()
    finally:
        code = stop(preview.process)
    assert code == 0
    assert preview.output().rstrip().endswith("Stopped.")


def test_the_tables_are_written_once_when_the_preview_ends(tmp_path: Path) -> None:
    """The preview keeps its cache tables in memory and writes the newest ones on Ctrl-C."""
    site = make_site(tmp_path, pages=True)
    preview = start(tmp_path, "--port", "0", "--now", "2019-03-01T12:00", name="table")
    try:
        site.replace("pages/about.de.md", "Wir sind **wir**.", "Wir sind **neu hier**.")
        eventually(lambda: page(preview, "de/about/"), lambda t: "<strong>neu hier</strong>" in t, "the edit")
        assert not list(tmp_path.glob(".confsite-cache/*.marshal"))  # nothing written per rebuild
    finally:
        assert stop(preview.process) == 0, preview.output()
    (table,) = tmp_path.glob(".confsite-cache/pages-*.marshal")
    kept = marshal.loads(table.read_bytes())
    _, about = kept["pages"]["de/about/index.html"]
    assert b"<strong>neu hier</strong>" in about
    (markdown,) = tmp_path.glob(".confsite-cache/markdown-*.marshal")
    assert any("Wir sind **neu hier**." in source for source in marshal.loads(markdown.read_bytes()))
    (parses,) = tmp_path.glob(".confsite-cache/yaml-*.marshal")
    assert any(key.startswith(site.shown("people.yaml")) for key in marshal.loads(parses.read_bytes()))


@pytest.mark.parametrize("name", BACKUPS)
def test_a_backup_saved_beside_a_file_is_no_edit(tmp_path: Path, name: str) -> None:
    """The preview watches the files the build reads: backups and the like are left out of both."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.de.md").write_text("---\ntitle: Über uns\n---\n", encoding="utf-8")
    before = serve._snapshot((tmp_path,))
    (tmp_path / "pages" / name).write_text("a backup", encoding="utf-8")
    assert serve._snapshot((tmp_path,)) == before
    (tmp_path / "pages" / "about.en.md").write_text("---\ntitle: About us\n---\n", encoding="utf-8")
    assert serve._snapshot((tmp_path,)) != before


def test_deferred_files_are_made_once_and_only_when_asked_for() -> None:
    made: list[str] = []

    def feed() -> bytes:
        made.append("feed")
        return b"{}"

    files = Deferred({"index.html": b"<p>"}, {"schedule.json": feed, "index.html": feed})
    assert "schedule.json" in files and len(files) == 2 and list(files) == ["index.html", "schedule.json"]
    assert _pages(files) == {"index.html": b"<p>"}
    assert made == []
    assert files["schedule.json"] == files["schedule.json"] == b"{}"
    assert made == ["feed"]
    with pytest.raises(KeyError):
        files["schedule.xml"]


@contextlib.contextmanager
def watching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Site, serve.Preview, list[float]]]:
    """A preview of a minimal site, watching in a thread; the times gc.collect() was called."""
    site = make_site(tmp_path, pages=True)
    monkeypatch.chdir(tmp_path)
    collected: list[float] = []

    def collect() -> int:
        assert not gc.isenabled()  # (paused while the preview watches)
        collected.append(time.monotonic())
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    preview = serve.Preview(site.content, pipeline.TEMPLATES, None)
    preview.rebuild()
    watcher = threading.Thread(target=preview.watch, args=(serve._snapshot(preview.folders()),))
    watcher.start()
    try:
        yield site, preview, collected
    finally:
        preview.stop()
        watcher.join(TIMEOUT)
    assert gc.isenabled()


def test_garbage_is_collected_once_the_preview_is_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is paused while the preview watches, and runs once after each rebuild."""
    with watching(tmp_path, monkeypatch) as (site, preview, collected):
        time.sleep(0.2)
        assert not gc.isenabled() and collected == []  # nothing built yet: nothing to collect
        built = preview.site.version
        site.replace("pages/about.de.md", "Wir sind **wir**.", "Wir sind **neu**.")  # (not on the flyer)
        preview.wait(built, TIMEOUT)
        rebuilt = time.monotonic()
        eventually(lambda: str(len(collected)), lambda n: n == "1", "a collection")
        assert collected[0] - rebuilt >= serve.COLLECT_DELAY_SECONDS * 0.9
        time.sleep(0.5)
        assert len(collected) == 1  # once per rebuild


def test_garbage_is_collected_after_every_few_rebuilds_when_saves_do_not_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "COLLECT_DELAY_SECONDS", 1000.0)  # as if never quiet
    monkeypatch.setattr(serve, "COLLECT_AFTER_REBUILDS", 2)
    with watching(tmp_path, monkeypatch) as (site, preview, collected):
        for text in ("eins", "zwei", "drei"):
            built = preview.site.version
            site.replace("pages/about.de.md", "Wir", f"Wir {text}")
            assert preview.wait(built, TIMEOUT).version != built
        time.sleep(0.2)
        assert len(collected) == 1  # after the second rebuild, not after the first or the third
