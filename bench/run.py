"""Time full and incremental builds of synthetic conferences and of the default site.

``python bench/run.py`` prints a Markdown table: for each build, the wall time (the best,
the median and the worst of ``--repeat`` runs, each a fresh ``python build.py`` process),
its user and system CPU time (the least; worker processes included; system time is mostly
the file system's) and its peak memory (the largest resident set of the build's
processes), as GNU time (``/usr/bin/time``) reports them. ``--compare before=OLD/build.py`` times another
version too, run by run in turn with this one, so both meet the same load on a shared machine.
Everything is written into a temporary folder (content, outputs, each version's
``.confsite-cache``); nothing goes into the repository.

A build "from nothing" runs in a new folder of its own, which holds only a copy of the
flyer cache, and writes into a new output folder; nothing is deleted before the benchmark
ends. On file systems mounted with ``discard`` (these machines' ext4), making files just
after thousands were deleted is many times slower: 20,000 empty files took 0.7 s, and 11 s
right after 20,000 others had been deleted. Deleting each run's output before the next
measured that instead of the build. Wait a minute or two after deleting large folders
before you start the benchmark.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import synth  # bench/ is on the path when this file runs as a script

ROOT = Path(__file__).resolve().parents[1]
#: GNU time (Debian package time): CPU time and peak memory of one build.
TIME = "/usr/bin/time"
DEFAULT_NOW = "2019-03-01T12:00"
SYNTH_NOW = "2030-08-01T12:00"

Figures = tuple[float, float, float, float]  # wall, user CPU and system CPU seconds, peak MB


@dataclass(frozen=True)
class Version:
    """A build.py to time, with its own working folder: its outputs and its cache."""

    label: str
    build: Path
    work: Path

    def run(
        self, content: Path, out: str, now: str, no_cache: bool = False, place: Path | None = None
    ) -> Figures:
        """Build ``content`` into ``work/out``; return wall, user and system seconds and peak MB.

        The build runs in ``place`` (its cache is there), by default the version's ``work``.
        """
        env = {k: v for k, v in os.environ.items() if k != "CONFSITE_NO_CACHE"}
        if no_cache:
            env["CONFSITE_NO_CACHE"] = "1"
        argv = ["build", "--content", str(content), "--out", str(self.work / out), "--now", now]
        # GNU time starts the build from a small process: a process started from this one
        # directly would count this one's memory (the benchmark's data) in its peak.
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            python = [sys.executable, str(self.build), *argv]
            timed = [TIME, "-f", "%U %S %M", "-o", report.name, *python]
            started = time.perf_counter()
            result = subprocess.run(
                timed, cwd=place or self.work, env=env, capture_output=True, text=True, check=False
            )
            seconds = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(f"{self.label} build failed ({result.returncode}): {argv}\n{result.stderr}")
            user, system, peak_kib = report.read().split()[-3:]
        # CPU time and peak memory include the worker processes (they end before the build).
        return seconds, float(user), float(system), int(peak_kib) / 1024

    def fresh(self, name: str) -> Path:
        """Make a new folder ``work/name`` whose cache holds only the flyers that ``work``'s holds."""
        place = self.work / name
        place.mkdir(parents=True)
        flyers = self.work / ".confsite-cache" / "flyer"
        if flyers.is_dir():
            shutil.copytree(flyers, place / ".confsite-cache" / "flyer")
        return place


@dataclass
class Row:
    """One line of the table: what was built, and the figures of each version."""

    name: str
    figures: dict[str, list[Figures]] = field(default_factory=dict)
    files: int = 0

    def cells(self, labels: list[str]) -> list[str]:
        """Format the row: per version the best, median and worst wall time, least CPU, peak memory."""
        cells = [self.name, f"{self.files:,}"]
        for label in labels:
            runs = self.figures[label]
            walls = [wall for wall, *_ in runs]
            user, system = min(f[1] for f in runs), min(f[2] for f in runs)
            cells += [f"{min(walls):.2f}", f"{statistics.median(walls):.2f}", f"{max(walls):.2f}"]
            cells += [f"{user:.2f}", f"{system:.2f}"]
            cells.append(f"{max(f[3] for f in runs):.0f}")
        return cells


def digest(site: Path) -> dict[str, str]:
    """Hash every file of a built site: relative path -> sha256."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


class Bench:
    """The versions under test and the rows measured so far."""

    def __init__(self, versions: list[Version], repeat: int) -> None:
        self.versions = versions
        self.repeat = repeat
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def measure(self, name: str, out: Callable[[int], str], once: Callable[[Version, int], Figures]) -> None:
        """Call ``once(version, i)`` for every run, the versions taking turns to go first.

        ``out(i)``: the output folder of run ``i``, relative to the versions' working folders.
        """
        row = Row(name, {v.label: [] for v in self.versions})
        for i in range(self.repeat):
            for version in self.versions if i % 2 == 0 else self.versions[::-1]:
                row.figures[version.label].append(once(version, i))
        row.files = len(digest(self.versions[-1].work / out(self.repeat - 1)))
        self.rows.append(row)
        print("  " + " | ".join(row.cells([v.label for v in self.versions])), file=sys.stderr, flush=True)

    def full_builds(self, work: Path, sizes: list[int]) -> None:
        """Build each synthetic size from nothing: no output folder, no cache but the flyers."""
        for n in sizes:
            content = work / f"content-{n}"
            synth.write(content, synth.conference(n))
            self._builds(f"full build, N = {n:,}", content, f"site-{n}", "from nothing")

    def warm_build(self, work: Path, n: int) -> None:
        """Build into a new folder, every cache warm (templates, Markdown, pages, compression, flyers)."""
        self._builds(
            f"full build, warm caches, N = {n:,}", work / f"content-{n}", f"site-warm-{n}", "new folder"
        )

    def unchanged_rebuild(self, work: Path, n: int) -> None:
        """Build again into the same output folder, nothing changed: an editor's second build."""
        self._builds(
            f"rebuild, nothing changed, N = {n:,}", work / f"content-{n}", f"site-again-{n}", "again"
        )

    def _builds(
        self, label: str, content: Path, out: str, runs: str, now: str = SYNTH_NOW, no_cache: bool = False
    ) -> None:
        """Build once per version (this renders the flyers into its cache), then time builds.

        ``runs`` says where each timed build goes: "again" into ``out`` each time; "new
        folder" into a new output folder each time; "from nothing" in a new folder of its own,
        with none of the version's caches but its flyers (:meth:`Version.fresh`).
        """
        for version in self.versions:
            version.run(content, out, now)

        def out_of(i: int) -> str:
            return {"again": out, "new folder": f"{out}-{i}", "from nothing": f"{out}-{i}/site"}[runs]

        def once(version: Version, i: int) -> Figures:
            place = version.fresh(f"{out}-{i}") if runs == "from nothing" else None
            return version.run(content, out_of(i), now, no_cache, place)

        self.measure(label, out_of, once)

    def edited_rebuild(self, work: Path, n: int, key: str) -> None:
        """Rebuild after editing one session's ``key``; compare with a full build without cache."""
        content = work / f"content-edit-{key}-{n}"
        files = synth.conference(n)
        synth.write(content, files)
        out = f"site-edit-{key}-{n}"
        for version in self.versions:
            version.run(content, out, SYNTH_NOW)
        sessions = synth.sessions(files)
        edited = -1

        def once(version: Version, i: int) -> Figures:
            nonlocal edited
            if edited != i:  # one edit per run, built by every version
                edited = i
                session = sessions[(i * 7919 + n // 2) % len(sessions)]
                session[key] = {"de": f"Geändert: *{key}* {i}\n", "en": f"Changed: *{key}* {i}\n"}
                synth.write(content, {"program.yaml": files["program.yaml"]})
            return version.run(content, out, SYNTH_NOW)

        self.measure(f"rebuild after editing one session's {key}, N = {n:,}", lambda _: out, once)
        for version in self.versions:
            fresh = f"site-fresh-{key}"
            version.run(content, fresh, SYNTH_NOW, no_cache=True)
            same = digest(version.work / fresh) == digest(version.work / out)
            verdict = "the same files as" if same else "DIFFERENT files from"
            self.notes.append(f"{version.label}, {key} edited: {verdict} a full build without cache")

    def default_site(self) -> None:
        """Build the default conference: flyers cached, every cache warm, and no cache at all."""
        content = ROOT / "content"
        self._builds(
            "default site, flyers cached, other caches cold",
            content,
            "site-default",
            "from nothing",
            DEFAULT_NOW,
        )
        self._builds(
            "default site, every cache warm", content, "site-default-warm", "new folder", DEFAULT_NOW
        )
        self._builds(
            "default site, no cache (flyers rendered)",
            content,
            "site-default-nc",
            "new folder",
            DEFAULT_NOW,
            no_cache=True,
        )

    def table(self) -> str:
        """Format the rows as a Markdown table."""
        head = ["build", "files"]
        for version in self.versions:
            what = ("best (s)", "median (s)", "worst (s)", "user CPU (s)", "system CPU (s)", "peak MB")
            head += [f"{version.label}: {column}" for column in what]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row.cells([v.label for v in self.versions])) + " |" for row in self.rows]
        return "\n".join(lines)


def machine() -> str:
    """Describe the machine: cores, CPU model, Python."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20,200,1000,5000", help="session counts (default: %(default)s)")
    parser.add_argument("--edit-size", type=int, default=1000, help="size of the edit benchmarks (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (default: %(default)s)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="LABEL=BUILD_PY",
        help="also time another build.py, e.g. before=/tmp/old/build.py (repeatable)",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in this folder and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.keep or Path(tempfile.mkdtemp(prefix="confsite-bench-"))
    builds = [(label, Path(path).resolve()) for label, _, path in (c.partition("=") for c in args.compare)]
    builds.append(("after" if builds else "this", ROOT / "build.py"))
    versions = [Version(label, build, work / label) for label, build in builds]
    for version in versions:
        version.work.mkdir(parents=True, exist_ok=True)
        # Each version's modules compiled beforehand, as Python does on a first import (but
        # not where PYTHONDONTWRITEBYTECODE is set, as on these machines: each build would
        # compile confsite anew, 0.04 s).
        compileall.compile_dir(version.build.parent / "confsite", quiet=1)
    print(f"working in {work}; {machine()}", file=sys.stderr)
    bench = Bench(versions, args.repeat)
    try:
        bench.full_builds(work, sizes)
        if args.edit_size:
            if args.edit_size in sizes:
                bench.warm_build(work, args.edit_size)
                bench.unchanged_rebuild(work, args.edit_size)
            for key in ("description", "title"):
                bench.edited_rebuild(work, args.edit_size, key)
        bench.default_site()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(bench.table())
    print()
    print(f"{machine()}; {args.repeat} runs per row, the versions taking turns.")
    for note in bench.notes:
        print(note)


if __name__ == "__main__":
    main()
