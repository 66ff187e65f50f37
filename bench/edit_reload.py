"""Time the editor's loop: save a YAML file, hear the reload signal, fetch the changed page.

Usage: python bench/edit_reload.py [--edits N] [--sessions N]

Copies the default content (or, with ``--sessions N``, writes a synthetic conference of N
sessions, bench/synth.py) into a temporary folder, starts ``python build.py serve`` there
on a free loopback port (its flyer cache starts empty, as on a fresh machine), listens on
the preview's event stream like an open tab, and edits content/program.yaml N times in two
ways: a session description (the flyer stays the same) and a session title (the default
flyer changes: the pages reload first, the flyer PDF follows; a synthetic flyer lists only
the parts). For each save it measures the time to the reload signal and to the changed page
being fetched, and prints the median and the maximum. Nothing is written into the
repository.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import synth  # bench/ is on the path when this file runs as a script

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = Path("content") / "program.yaml"


class EventStream:
    """Listen to /__confsite/events like an open tab; queue (arrival time, event data)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
        self.connection.request("GET", "/__confsite/events")
        self.response = self.connection.getresponse()
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while line := self.response.readline():
                if line.startswith(b"data: "):
                    self.events.put((time.perf_counter(), json.loads(line[6:])))
        except OSError:
            return

    def next_build(self, seen: str, timeout: float = 30.0) -> tuple[float, str]:
        """Wait for a successful build other than ``seen``; return when it arrived and its version."""
        deadline = time.perf_counter() + timeout
        while True:
            arrived, data = self.events.get(timeout=max(0.0, deadline - time.perf_counter()))
            if data["version"] != seen and data["problems"] == 0:
                return arrived, data["version"]

    def drain(self, quiet: float) -> str | None:
        """Wait until no event came for ``quiet`` seconds; return the last version heard."""
        last = None
        while True:
            try:
                last = self.events.get(timeout=quiet)[1]["version"]
            except queue.Empty:
                return last

    def close(self) -> None:
        """Hang up."""
        self.connection.close()


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Start the preview in ``folder``; return the process, its address and its log file."""
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", "content", "--port", "0"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"Serving (http://\S+)", log.read_text(encoding="utf-8"))
        if found:
            return process, found.group(1), log
        if process.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not start within 120 s")


def flyer_updates(log: Path) -> list[float]:
    """Return the seconds of every flyer catch-up the server reported."""
    return [float(s) for s in re.findall(r"flyers updated in ([\d.]+) s", log.read_text(encoding="utf-8"))]


class DefaultContent:
    """Edits of the default content: one session's description or title, as text."""

    flyer_follows = True  # its flyer lists every session's title

    def __init__(self, folder: Path) -> None:
        shutil.copytree(ROOT / "content", folder / "content")
        self.program = folder / PROGRAM
        self.old = {"description": "Mona Wallraff reflektiert", "title": "{de: Empfang, en: Reception}"}

    def save(self, kind: str, marker: str) -> str:
        """Save program.yaml with ``marker`` in it; return the page that shows it."""
        new = f"Mona Wallraff ({marker}) reflektiert" if kind == "description" else f"{{de: {marker}, en: X}}"
        text = self.program.read_text(encoding="utf-8")
        self.program.write_text(text.replace(self.old[kind], new), encoding="utf-8")
        self.old[kind] = new
        return (
            "de/programm/was-haben-wir-gelernt/"
            if kind == "description"
            else "de/programm/werkstatt-empfang/"
        )


class SyntheticContent:
    """Edits of a synthetic conference (bench/synth.py): a session in the middle of the program."""

    def __init__(self, folder: Path, sessions: int) -> None:
        # A flyer of more sessions than this lists the parts only (context.PageContext.glance_sessions).
        self.flyer_follows = sessions <= 40
        self.content = folder / "content"
        self.files = synth.conference(sessions)
        synth.write(self.content, self.files)
        every = synth.sessions(self.files)
        self.session = every[len(every) // 2]

    def save(self, kind: str, marker: str) -> str:
        """Save program.yaml with ``marker`` in it; return the page that shows it."""
        self.session[kind] = {"de": f"{marker}\n", "en": f"{marker}\n"}
        text = synth.dump(self.files["program.yaml"])  # made before the clock starts
        (self.content / "program.yaml").write_text(text, encoding="utf-8")
        return f"de/programm/{self.session['id']}/"


def series(
    content: DefaultContent | SyntheticContent,
    folder: Path,
    base: str,
    stream: EventStream,
    kind: str,
    edits: int,
    verbose: bool = False,
) -> list[tuple[float, float]]:
    """Make ``edits`` saves of one kind; return (signal, page fetched) seconds after each save."""
    log = folder / "serve.log"
    seen = stream.drain(0.5) or ""
    timings = []
    for number in range(1, edits + 1):
        marker = f"Bench {kind} {number}"
        page = content.save(kind, marker)
        saved = time.perf_counter()
        signalled, seen = stream.next_build(seen)
        with urllib.request.urlopen(base + page, timeout=30) as answer:
            body = answer.read().decode("utf-8")
        fetched = time.perf_counter()
        if marker not in body:
            raise SystemExit(f"{page} does not show the edit {marker!r}")
        timings.append((signalled - saved, fetched - saved))
        if verbose:
            print(
                f"{kind} {number}: signal {signalled - saved:.3f} s, page {fetched - saved:.3f} s",
                file=sys.stderr,
            )
        if kind == "title" and content.flyer_follows:  # save again once the flyer has caught up
            deadline = time.monotonic() + 60
            while len(flyer_updates(log)) < number and time.monotonic() < deadline:
                time.sleep(0.05)
        seen = stream.drain(0.3) or seen
    return timings


def summary(label: str, timings: list[tuple[float, float]]) -> str:
    """Format median and maximum in milliseconds."""
    signals = [t[0] * 1000 for t in timings]
    pages = [t[1] * 1000 for t in timings]
    return (
        f"{label:<38} reload signal: median {statistics.median(signals):4.0f} ms, max {max(signals):4.0f} ms;"
        f"  page fetched: median {statistics.median(pages):4.0f} ms, max {max(pages):4.0f} ms"
    )


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=10, help="saves per kind of edit (default: 10)")
    parser.add_argument("--sessions", type=int, default=0, help="a synthetic conference of N sessions")
    parser.add_argument("--verbose", action="store_true", help="print every save and the server's log")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # other work on the machine slows every figure
    with tempfile.TemporaryDirectory(prefix="confsite-bench-") as tmp:
        folder = Path(tmp)
        content = SyntheticContent(folder, args.sessions) if args.sessions else DefaultContent(folder)
        process, base, log = start_server(folder)
        stream = EventStream(base)
        try:
            results = {
                kind: series(content, folder, base, stream, kind, args.edits, args.verbose)
                for kind in ("description", "title")
            }
            time.sleep(3)  # the last flyer
        finally:
            stream.close()
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=30)
        flyers = flyer_updates(log)
        if args.verbose:
            print(log.read_text(encoding="utf-8"), file=sys.stderr)
    what = f"a synthetic conference of {args.sessions:,} sessions" if args.sessions else "default content"
    print(f"Save to reload, {what}, {args.edits} saves of content/program.yaml per kind")
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.release()}"
    print(f"({machine}, Python {platform.python_version()}, load average {load_before:.1f} before the run)")
    print(summary("description (flyer unchanged):", results["description"]))
    print(summary("title (pages first, flyer follows):", results["title"]))
    spent = f", {statistics.median(flyers):.2f} s each (median)" if flyers else ""
    expected = "once per title edit only" if content.flyer_follows else "never"
    print(f"flyer PDFs rendered again: {len(flyers)} times{spent}; expected {expected}")
    print(f"server exit status after Ctrl-C: {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
