"""Messages in the editor's language: German or English, chosen by --lang or the environment.

Every message is written in both languages where it is made (``msg(english, german, ...)``).
These tests read every such call in the source and check that both templates take the same
values; run the command line in both languages; and check how the language is chosen. Every
case of the bad-content corpus is reported in German too (tests/test_corpus.py).
"""

from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from test_corpus import GERMAN_SUMMARY

from confsite import messages, serve_http
from confsite.messages import msg
from confsite.serve_http import overlay

ROOT = Path(__file__).resolve().parents[1]
NOW = "2019-03-01T12:00"


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted((ROOT / "confsite").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg":
                found.append((path.name, node.lineno, node))
    return found


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


CALLS = _calls()


def test_messages_are_written_in_many_places() -> None:
    files = {name for name, _, _ in CALLS}
    assert len(CALLS) >= 100, len(CALLS)
    assert {
        "fields.py",
        "crossref.py",
        "content.py",
        "loader.py",
        "yamlparse.py",
        "cli.py",
        "serve.py",
    } <= files


@pytest.mark.parametrize(("name", "line", "call"), CALLS, ids=[f"{n}:{line}" for n, line, _ in CALLS])
def test_both_languages_take_the_same_values(name: str, line: int, call: ast.Call) -> None:
    assert len(call.args) == 2, "msg(english, german, **values)"
    english, german = (arg.value if isinstance(arg, ast.Constant) else None for arg in call.args)
    assert isinstance(english, str) and isinstance(german, str), "both templates are string literals"
    given = {keyword.arg for keyword in call.keywords}
    assert _fields(english) == _fields(german)
    assert _fields(english) <= given, "every value is passed by name"
    words = re.sub(r"\{[^}]*\}", "", english)
    if re.search(r"[A-Za-z]{3}", words):
        assert english != german, "the German is a translation"


def test_german_numbers_have_a_decimal_comma() -> None:
    message = msg("{n:,} in {s:.2f} s", "{n:,} in {s:.2f} s", n=20000, s=0.951)
    assert message.render("en") == "20,000 in 0.95 s"
    assert message.render("de") == "20.000 in 0,95 s"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.UTF-8"}, "de"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "de:en"}, "de"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": ""}, "de"),
        ({"LANG": "dex_XX"}, "en"),
    ],
)
def test_the_language_follows_the_environment(environ: dict[str, str], lang: str) -> None:
    assert messages.from_environment(environ) == lang


def _run(*argv: str, cwd: Path, lang_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang_env
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_german_editor_reads_german_and_can_ask_for_english(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    german = _run("check", "--content", "content", cwd=tmp_path, lang_env="de_DE.UTF-8")
    assert german.returncode == 1
    assert "Datei nicht gefunden; jeder Inhaltsordner braucht conference.yaml" in german.stderr
    assert GERMAN_SUMMARY.search(german.stderr), german.stderr
    english = _run("check", "--lang", "en", "--content", "content", cwd=tmp_path, lang_env="de_DE.UTF-8")
    assert "file not found; every content folder needs conference.yaml" in english.stderr
    assert "problems found; nothing was written." in english.stderr
    usage = _run("build", "--now", "gestern", cwd=tmp_path, lang_env="de_DE.UTF-8")
    assert usage.returncode == 2
    assert "python build.py: Fehler: --now: 'gestern' ist kein Datum" in usage.stderr


def test_a_german_build_says_what_it_wrote(tmp_path: Path) -> None:
    done = _run(
        "--content", str(ROOT / "content"), "--out", "site", "--now", NOW, cwd=tmp_path, lang_env="de_DE"
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"\d+ Seiten \(\d+ Dateien\) in 2 Sprachen nach site/ geschrieben, in \d+,\d\d s\n", done.stdout
    )


def test_the_preview_overlay_speaks_german() -> None:
    try:
        messages.use("de")
        html = overlay(("content/program.yaml:3: parts: x",))
    finally:
        messages.use("en")
    assert "1 Problem(e) gefunden; diese Seite ist der letzte gelungene Stand." in html


def test_before_any_build_the_preview_says_so_in_german() -> None:
    """No last good build to speak of: the page and the overlay say that none was made yet."""
    problems = ("content/program.yaml:3: parts: x",)
    nothing = serve_http.Built(files={}, prefix="/", version="1", errors=problems)
    try:
        messages.use("de")
        page = serve_http.inject(serve_http.nothing_yet(), nothing).decode("utf-8")
    finally:
        messages.use("en")
    assert '<html lang="de">' in page and "<title>Noch keine Website</title>" in page
    assert "1 Problem(e) gefunden; die Website konnte noch nicht erstellt werden." in page
    assert "letzte gelungene" not in page
