"""A corpus of bad content: every class of mistake gives FILE:LINE errors, exit 1, an untouched site.

Each folder under ``tests/corpus/bad/`` is one class of bad content. It holds only the files
that differ from the minimal valid folder of ``confbuilder`` (they are laid over it), and
``expected.txt``: the ``FILE:LINE: where:`` prefix of one expected problem, then a phrase that
problem's line must contain (lines starting with ``#`` are notes). Cases too large or too odd
to commit (a 20 MB file, 50,001 people, a FIFO) are made at test time by ``GENERATED``.

Adding a case: make the folder with the changed file(s) and ``expected.txt``; find the line by
opening the file, not by copying what the build prints.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from confbuilder import make_site
from confsite import messages
from confsite.cli import main
from confsite.content import MAX_PEOPLE, MAX_SESSIONS
from confsite.loader import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "bad"
NOW = "2019-03-01T12:00"
#: A problem line: ``FILE:LINE: where: what``, or ``FILE:LINE: what`` for a whole-file problem.
PROBLEM = re.compile(r"^[^:]+:\d+: .+: .+|^[^:]+:\d+: .+")
SUMMARY = re.compile(r"^(\d+) problems? found; nothing was written\.$")
GERMAN_SUMMARY = re.compile(r"^(\d+) Probleme? gefunden; nichts wurde geschrieben\.$", re.MULTILINE)
#: Cases run through ``python build.py`` in a subprocess too (the rest run in-process).
SUBPROCESS_CASES = ("yaml-syntax-error", "not-utf8", "yaml-object-tag", "alias-bomb", "deep-nesting")


def _oversized(content: Path) -> None:
    with (content / "people.yaml").open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no megabytes written


def _many_sessions(content: Path) -> None:
    head = "parts:\n  - id: morning\n    title: Morning\n    sessions:\n"
    (content / "program.yaml").write_text(head + "      - s\n" * (MAX_SESSIONS + 1), encoding="utf-8")


def _many_people(content: Path) -> None:
    (content / "people.yaml").write_text("people:\n" + "  - p\n" * (MAX_PEOPLE + 1), encoding="utf-8")


def _fifo(content: Path) -> None:
    (content / "people.yaml").unlink()
    os.mkfifo(content / "people.yaml")


#: Cases whose bad file is made here instead of committed.
GENERATED: dict[str, Callable[[Path], None]] = {
    "oversized-file": _oversized,
    "too-many-sessions": _many_sessions,
    "too-many-people": _many_people,
    "not-a-regular-file": _fifo,
}


@dataclass(frozen=True)
class Case:
    """One class of bad content and the problem it must produce."""

    name: str
    folder: Path
    prefix: str
    phrase: str

    def files(self) -> list[Path]:
        """Return the files laid over the minimal folder."""
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.name != "expected.txt")


def load_case(folder: Path) -> Case:
    """Read a case folder's expected.txt."""
    lines = [
        line
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 2, f"{folder}/expected.txt: want a prefix line and a phrase line"
    return Case(folder.name, folder, lines[0], lines[1])


CASES = [load_case(folder) for folder in sorted(CORPUS.iterdir()) if folder.is_dir()]


def snapshot(folder: Path) -> dict[str, str]:
    """Hash every file and name every folder under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        for p in sorted(folder.rglob("*"))
    }


def prepare(case: Case, root: Path, built_site: Path) -> dict[str, str]:
    """Write the minimal folder with the case laid over it, and a built site; snapshot the site."""
    site = make_site(root)
    for path in case.files():
        target = site.content / path.relative_to(case.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    if case.name in GENERATED:
        GENERATED[case.name](site.content)
    shutil.copytree(built_site, root / "site")
    return snapshot(root / "site")


def check_report(
    case: Case, code: int, err: str, summary_line: re.Pattern[str] = SUMMARY, phrase: bool = True
) -> list[str]:
    """Exit 1; only problem lines and one summary; the expected problem among them. Return its lines.

    ``phrase=False`` does not look for the case's (English) phrase, for reports in another language.
    """
    assert "Traceback" not in err, err
    assert code == 1, err
    *problems, summary = err.strip().splitlines()
    match = summary_line.match(summary)
    assert match, f"no summary line:\n{err}"
    assert int(match[1]) == len(problems), err
    for line in problems:
        assert PROBLEM.match(line), f"not FILE:LINE: where: what: {line!r}"
    hits = [line for line in problems if line.startswith(case.prefix + " ") or line == case.prefix]
    assert hits, f"{case.name}: no problem starts with {case.prefix!r}:\n{err}"
    if phrase:
        assert any(case.phrase in line for line in hits), f"{case.name}: {case.phrase!r} not in:\n{err}"
    return hits


def enter_case(case: Case, root: Path, built_site: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Lay the case out in ``root`` and work there; return the snapshot of its existing site."""
    if case.name == "not-a-regular-file" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    before = prepare(case, root, built_site)
    monkeypatch.chdir(root)
    return before


def test_the_corpus_covers_every_class() -> None:
    assert len(CASES) >= 28
    for case in CASES:
        assert case.files() or case.name in GENERATED, f"{case.name} changes nothing"
        assert case.prefix.startswith("content/"), case.prefix
    assert set(GENERATED) <= {case.name for case in CASES}


def test_the_minimal_folder_itself_builds(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_content_in_process(
    case: Case,
    tmp_path: Path,
    built_site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each case is reported in English, then with --lang de in German: the same lines, translated."""
    before = enter_case(case, tmp_path, built_site, monkeypatch)
    argv = ["build", "--content", "content", "--out", "site", "--now", NOW]
    code = main(argv)
    out, err = capsys.readouterr()
    check_report(case, code, err)
    assert out == ""
    try:
        code = main([*argv, "--lang", "de"])
        german_out, german = capsys.readouterr()
    finally:
        messages.use("en")
    hits = check_report(case, code, german, GERMAN_SUMMARY, phrase=False)
    assert german_out == ""
    assert len(german.strip().splitlines()) == len(err.strip().splitlines())
    assert all(line not in err.splitlines() for line in hits), f"not translated:\n{german}"
    assert snapshot(tmp_path / "site") == before, "the existing site was changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"], "something was left beside"


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_content_with_build_py(name: str, tmp_path: Path, built_site: Path) -> None:
    case = next(case for case in CASES if case.name == name)
    before = prepare(case, tmp_path, built_site)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", "site", "--now", NOW],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    check_report(case, result.returncode, result.stderr)
    assert snapshot(tmp_path / "site") == before
