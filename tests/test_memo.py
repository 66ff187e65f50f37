"""A build in the same process takes again what the last one made of the same objects (memo.py).

The preview loads the content after every save. Of a large program with one session edited,
the other sessions' records, model objects and digests must be the very objects of the last
build, and the conference must still equal one loaded from nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from confbuilder import Site, make_site
from confsite import cache, digests, keptparse, memo, pipeline
from confsite.model import Conference


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A program of 60 sessions (more than reparse.py needs), its cache held in memory as the preview's."""
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)
    with contextlib.chdir(tmp_path), cache.held_in_memory():
        site = make_site(tmp_path)
        program = yaml.safe_load(site.read("program.yaml"))
        sessions = program["parts"][0]["sessions"]
        for i in range(60):
            hour, minute = divmod(i * 10, 60)
            sessions.append(
                {
                    "id": f"extra-{i}",
                    "start": f"{13 + hour:02d}:{minute:02d}",
                    "end": f"{13 + hour:02d}:{minute + 10:02d}" if minute < 50 else f"{14 + hour:02d}:00",
                    "kind": "talk",
                    "title": {"de": f"Zusatz {i}", "en": f"Extra {i}"},
                    "description": {"de": "Ein Satz. " * 40, "en": "A sentence. " * 40},
                    "speakers": ["ada"],
                }
            )
        site.write("program.yaml", yaml.safe_dump(program, allow_unicode=True, sort_keys=False))
        yield site


def from_nothing(monkeypatch: pytest.MonkeyPatch, site: Site) -> Conference:
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        return site.load()


def test_an_edit_keeps_the_other_sessions_as_they_were(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    first = site.load()
    again = site.load()
    assert all(a is b for a, b in zip(first.sessions, again.sessions, strict=True))
    assert all(a is b for a, b in zip(first.people, again.people, strict=True))
    site.replace("program.yaml", "Zusatz 30", "Zusatz dreißig")
    edited = site.load()
    changed = [s.id for s, old in zip(edited.sessions, again.sessions, strict=True) if s is not old]
    assert changed == ["extra-30"]
    assert edited == from_nothing(monkeypatch, site)
    assert edited.session_by_id["extra-30"].title.get("de") == "Zusatz dreißig"


def test_a_digest_is_taken_again_only_for_the_same_object(site: Site) -> None:
    first = site.load()
    session = first.sessions[0]
    made = digests.Digests().of(session)
    again = site.load()
    assert again.sessions[0] is session and digests.Digests().of(again.sessions[0]) == made
    site.replace("program.yaml", "Begrüßung", "Willkommen")
    edited = site.load().session_by_id[session.id]
    assert edited is not session and digests.Digests().of(edited) != made


def test_a_result_lives_as_long_as_its_inputs() -> None:
    class Input:
        """An object that can be referred to weakly, as every input of memo.py."""

    kept, other = Input(), Input()
    assert memo.put("test", (kept,), 0) == 0 and memo.get("test", (kept,)) is memo.MISSING  # (not held)
    with cache.held_in_memory():
        before = memo.size("test")
        memo.put("test", (kept,), 1)
        memo.put("test", (other,), 2, also=("x",))
        assert memo.get("test", (kept,)) == 1 and memo.get("test", (other,), also=("x",)) == 2
        assert memo.get("test", (other,)) is memo.MISSING  # other values: another result
        assert memo.get("test", (Input(),)) is memo.MISSING  # another object: another input
        assert memo.size("test") == before + 2
        del other
        gc.collect()
        assert memo.size("test") == before + 1  # gone with its input
        assert memo.put("test", (1,), 3) == 3  # an int cannot be referred to weakly:
        assert memo.get("test", (1,)) is memo.MISSING  # nothing kept


def test_a_record_with_a_problem_is_checked_again(site: Site) -> None:
    site.replace("program.yaml", "kind: welcome", "kind: wellcome")
    problems = [site.errors() for _ in range(3)]
    assert problems[0] == problems[1] == problems[2] and problems[0]
    assert any("wellcome" in str(e) for e in problems[0])


def test_the_site_of_an_edited_program_is_the_site_from_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render() -> dict[str, bytes]:
        conf = site.load()
        moment = dt.datetime(2019, 3, 1, 12, tzinfo=conf.tz)
        return pipeline.render_site(conf, moment, flyers=lambda *args: b"%PDF")

    render()
    site.replace("program.yaml", "Extra 12", "Extra twelve")
    cached = render()
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        full = render()
    assert cached == full
    assert b"Extra twelve" in cached["en/programme/index.html"]


def test_a_build_from_the_command_line_does_not_hold_its_documents(tmp_path: Path) -> None:
    """Only a process that builds again takes the last documents: another holds none of them.

    A preview started after such a build (its table on disk) takes them from its second build on.
    """
    with contextlib.chdir(tmp_path):
        site = make_site(tmp_path)
        site.load()
        assert keptparse._documents == {}
        with cache.held_in_memory():
            first = site.load()
            assert keptparse._documents, "the preview keeps them for its next build"
            assert site.load().sessions[0] is first.sessions[0]
