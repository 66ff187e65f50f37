"""A content file that did not change since the last build is not parsed again (loader.kept_parses).

What the build reads must be the same either way: the same conference, and the same problems
at the same lines, build after build.
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from confbuilder import Site, make_site
from confsite import loader
from confsite.errors import Errors


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A minimal content folder with Markdown pages, and a working folder for the cache."""
    with contextlib.chdir(tmp_path):
        yield make_site(tmp_path, pages=True)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Count the documents really parsed, by the file they come from."""
    counts: collections.Counter[str] = collections.Counter()
    parse = loader._parse_yaml

    def counting(text: str, shown: str, errors: Errors, first_line: int) -> Any:
        counts[shown] += 1
        return parse(text, shown, errors, first_line)

    monkeypatch.setattr(loader, "_parse_yaml", counting)
    return counts


def without_cache(site: Site, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        return site.load()


def test_only_the_changed_file_is_parsed_again(
    site: Site, parsed: collections.Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = site.load()
    assert parsed[site.shown("people.yaml")] == 1 and parsed[site.shown("pages/about.de.md")] == 1
    parsed.clear()
    assert site.load() == first
    assert not parsed  # every file as it was: nothing parsed
    site.replace("people.yaml", "Ada Lovelace", "Ada King")
    changed = site.load()
    assert dict(parsed) == {site.shown("people.yaml"): 1}
    assert changed == without_cache(site, monkeypatch)
    assert any(p.name == "Ada King" for p in changed.people)


def test_problems_are_reported_by_every_build(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Problems found in a kept document are found again, at the same lines.

    A document whose parsing found a problem (a duplicate key) is not kept: it is parsed again.
    """
    site.append("people.yaml", "  - id: ada\n    name: Ada Again\n")  # found after parsing
    site.replace("pages/about.de.md", "order: 10", "order: zehn")  # front matter: lines from 2
    site.replace("conference.yaml", "id: test-conf", "id: test-conf\nid: twice")  # found while parsing
    reports = [[(e.path, e.line, e.where, e.message) for e in site.errors()] for _ in range(3)]
    assert reports[0] == reports[1] == reports[2]
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        assert [(e.path, e.line, e.where, e.message) for e in site.errors()] == reports[0]
    lines = {(path, line) for path, line, _, _ in reports[0]}
    assert (site.shown("pages/about.de.md"), site.line("pages/about.de.md", "order:")) in lines
    assert (site.shown("people.yaml"), site.line("people.yaml", "id: ada", occurrence=2)) in lines
    assert (site.shown("conference.yaml"), site.line("conference.yaml", "id: twice")) in lines


def test_no_cache_keeps_nothing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    site.load()
    assert not list(Path(os.getcwd()).glob(".confsite-cache/yaml-*"))
