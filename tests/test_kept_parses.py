"""A content file that did not change since the last build is not parsed again (keptparse.kept_parses).

What the build reads must be the same either way: the same conference, and the same problems
at the same lines, build after build.
"""

from __future__ import annotations

import collections
import contextlib
import marshal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from confbuilder import Site, make_site
from confsite import keptparse, yamlparse
from confsite.errors import Errors

T = TypeVar("T")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A minimal content folder with Markdown pages, and a working folder for the cache."""
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)
    with contextlib.chdir(tmp_path):
        yield make_site(tmp_path, pages=True)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Count the documents really parsed, by the file they come from."""
    counts: collections.Counter[str] = collections.Counter()
    parse = yamlparse.parse_document

    def counting(text: str, shown: str, errors: Errors, first_line: int) -> Any:
        counts[shown] += 1
        return parse(text, shown, errors, first_line)

    monkeypatch.setattr(yamlparse, "parse_document", counting)
    return counts


def without_cache(monkeypatch: pytest.MonkeyPatch, load: Callable[[], T]) -> T:
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        return load()


def report(site: Site) -> list[tuple[str, int, str, str]]:
    return [(e.path, e.line, e.where, e.message) for e in site.errors()]


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
    assert changed == without_cache(monkeypatch, site.load)
    assert any(p.name == "Ada King" for p in changed.people)


def test_problems_are_reported_by_every_build(
    site: Site, parsed: collections.Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems come back build after build, at the same lines, as without the cache.

    A build that finds problems keeps nothing new, and a document whose parsing found a problem
    (a duplicate key) is never kept; the documents that did not change come from the table.
    """
    site.load()  # keeps every document
    site.append("people.yaml", "  - id: ada\n    name: Ada Again\n")  # found after parsing
    site.replace("pages/about.de.md", "order: 10", "order: zehn")  # front matter: lines from 2
    site.replace("conference.yaml", "id: test-conf", "id: test-conf\nid: twice")  # found while parsing
    parsed.clear()
    reports = [report(site) for _ in range(3)]
    assert reports[0] == reports[1] == reports[2]
    changed = ("people.yaml", "pages/about.de.md", "conference.yaml")
    assert dict(parsed) == {site.shown(name): 3 for name in changed}  # program.yaml: from the table
    assert without_cache(monkeypatch, lambda: report(site)) == reports[0]
    lines = {(path, line) for path, line, _, _ in reports[0]}
    assert (site.shown("pages/about.de.md"), site.line("pages/about.de.md", "order:")) in lines
    assert (site.shown("people.yaml"), site.line("people.yaml", "id: ada", occurrence=2)) in lines
    assert (site.shown("conference.yaml"), site.line("conference.yaml", "id: twice")) in lines


def test_no_cache_keeps_nothing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFSITE_NO_CACHE", "1")
    site.load()
    assert not list(site.root.glob(".confsite-cache/yaml-*"))


DOCUMENT = """\
base: &base
  room: Saal 1
  capacity: 40
talks:
  - <<: *base
    title: "Erster Vortrag"
    date: 2019-04-02
    at: 2019-04-02 10:00:00
    deadline: 2019-03-27T23:59:00+01:00
    utc: 2019-03-27T22:59:00.250Z
    price: 12.5
    unknown: .inf
    open: true
    note: null
    text: |
      Zwei Zeilen,
      mit Umbruch.
  - [eins, 2, 3.0, no]
"""


def located(value: Any) -> Any:
    """A value with everything the loader tells about it: lines, types, time zones."""
    if isinstance(value, yamlparse.LMap):
        items = {key: located(item) for key, item in value.items()}
        return ("map", value.path, value.line, dict(value.key_lines), items)
    if isinstance(value, yamlparse.LList):
        return ("list", value.path, value.line, list(value.item_lines), [located(v) for v in value])
    return (type(value).__name__, repr(value), getattr(value, "tzinfo", None))


@pytest.mark.parametrize("first_line", [1, 2])
def test_a_kept_document_is_the_parsed_one(
    site: Site, parsed: collections.Counter[str], first_line: int
) -> None:
    def parse() -> Any:
        errors = Errors()
        with keptparse.kept_parses():
            value = keptparse.parse_yaml(DOCUMENT, "content/x.yaml", errors, first_line)
        assert not errors
        return value

    first, kept = parse(), parse()
    assert parsed["content/x.yaml"] == 1  # the second came from the table
    assert located(kept) == located(first)
    assert kept["talks"][0]["deadline"].utcoffset().total_seconds() == 3600


def test_the_kept_table_holds_plain_data_only(site: Site) -> None:
    """Marshal reads it without running code: tuples, strings, numbers, truth values, None."""
    site.load()
    (table,) = site.root.glob(".confsite-cache/yaml-*.marshal")

    def plain(value: Any) -> bool:
        if isinstance(value, tuple | dict):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            return all(plain(k) and plain(v) for k, v in items)
        return type(value) in (str, int, float, bool, type(None))

    assert plain(marshal.loads(table.read_bytes()))


def test_a_document_with_values_not_kept_is_parsed_every_time(
    site: Site, parsed: collections.Counter[str]
) -> None:
    text = "tags: !!set {a, b}\n"
    for _ in range(2):
        with keptparse.kept_parses():
            value = keptparse.parse_yaml(text, "content/x.yaml", Errors())
        assert value["tags"] == {"a", "b"}
    assert parsed["content/x.yaml"] == 2
