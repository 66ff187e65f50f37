"""`build.py new`: a small valid bilingual content folder that builds at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from confsite.cli import main
from confsite.content import load_conference
from confsite.pipeline import TEMPLATES
from confsite.schema import render_schemas

NOW = ["--now", "2027-04-01T12:00"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_then_check_and_build(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "new", "my-conference")
    assert code == 0, err
    assert "python build.py serve --content my-conference" in out

    code, out, err = run(capsys, "check", "--content", "my-conference")
    assert code == 0, err
    assert out.startswith("my-conference: OK (7 sessions, 3 people, 2 languages)")

    code, out, err = run(capsys, "build", "--content", "my-conference", "--out", "public", *NOW)
    assert code == 0, err
    site = workdir / "public"
    for page in ("de/impressum", "en/imprint", "de/datenschutz", "en/privacy"):
        text = (site / page / "index.html").read_text(encoding="utf-8")
        assert "[PLACEHOLDER:" in text, f"{page} should say what to fill in"
    assert "Erika Musterfrau" in (site / "de" / "programm" / "index.html").read_text(encoding="utf-8")
    assert (site / "de" / "flyer.pdf").is_file() and (site / "en" / "calendar.ics").is_file()


def test_new_folder_shows_every_part_of_the_format(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "conf")[0] == 0
    conf = load_conference(workdir / "conf", TEMPLATES)
    assert conf.languages == ("de", "en")
    assert len(conf.dates) == 1
    assert {s.kind for s in conf.sessions} >= {"welcome", "keynote", "forums", "podium", "meal"}
    assert [f.id for f in conf.forums] == ["forum-a", "forum-b"]
    assert len(conf.panels) == 1 and conf.panels[0].panelists
    assert sorted(p.name for p in conf.people) == ["Alex Beispiel", "Erika Musterfrau", "Max Mustermann"]
    people = (workdir / "conf" / "people.yaml").read_text(encoding="utf-8")
    assert "EXAMPLES" in people and "example person" in people
    assert {(p.key, p.lang) for p in conf.pages} == {
        (key, lang) for key in ("impressum", "datenschutz") for lang in ("de", "en")
    }


def test_new_folder_carries_its_schemas(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The schema comments resolve inside the new folder, so it works wherever it is moved."""
    assert run(capsys, "new", "nested/conf")[0] == 0
    folder = workdir / "nested" / "conf"
    schemas = {p.name: p.read_text(encoding="utf-8") for p in (folder / "schemas").iterdir()}
    assert schemas == render_schemas()
    for path in sorted(folder.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.name}: {first!r}"
        assert (path.parent / match.group(1)).is_file()
    assert "serve --content" in (folder / "README.md").read_text(encoding="utf-8")


def test_new_refuses_a_folder_that_is_not_empty(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = workdir / "thesis"
    folder.mkdir()
    (folder / "chapter1.md").write_text("Years of work.\n", encoding="utf-8")
    code, out, err = run(capsys, "new", "thesis")
    assert code == 2 and out == ""
    assert "thesis is not empty" in err and "Traceback" not in err
    assert [p.name for p in folder.iterdir()] == ["chapter1.md"]


def test_new_refuses_a_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = run(capsys, "new", "notes.txt")
    assert code == 2 and "not a folder" in err
    assert (workdir / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_new_accepts_an_empty_folder(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "empty").mkdir()
    assert run(capsys, "new", "empty")[0] == 0
    assert (workdir / "empty" / "conference.yaml").is_file()
