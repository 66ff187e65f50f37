"""After an edit, only the changed part of a large YAML file is parsed again (reparse.py).

Whatever part is parsed, the build must read exactly what parsing the whole text gives: the
same values at the same lines, and the same problems at the same lines. Random edits (lines
replaced by YAML fragments that change the nesting, add anchors, document markers, tabs,
unclosed quotes, duplicate keys) check that; the examples below check that the usual edits
are in fact spliced, and that the whole text is parsed where a part cannot stand alone.
"""

from __future__ import annotations

import collections
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_kept_parses import located
from test_properties import SETTINGS

from confsite import cache, keptparse, yamlparse
from confsite.errors import Errors

SHOWN = "content/program.yaml"

SESSION = """\
  - id: s{i:03d}
    start: "{hour:02d}:00"
    title:
      de: Sitzung {i}
      en: Session {i}
    speakers: [p{i}, p{j}]
    tags:
      - eins
      - zwei: {{a: 1}}
    description:
      de: |
        Zeile eins von {i},
        Zeile zwei.
      en: >-
        "Line" one of {i},
        line two.
    note: "quoted
      over two lines"  # a comment
"""


def document(sessions: int) -> str:
    """A program of ``sessions`` sessions in two parts, about 450 characters each."""
    half = sessions // 2
    parts = []
    for p, numbers in enumerate((range(half), range(half, sessions))):
        items = "".join(SESSION.format(i=i, j=i + 1, hour=8 + i % 10) for i in numbers)
        parts.append(f"- id: part-{p}\n  date: 2019-04-0{p + 1}\n  sessions:\n{items}  closing: true\n")
    return "# The program\nparts:\n" + "".join(parts) + "footer: end\n"


DOCUMENT = document(60)

#: Lines that an edit may put in: items and keys at several indentations, block scalars,
#: quotes, flow collections, anchors and aliases, document markers, tabs, duplicate keys.
FRAGMENTS = (
    "  - id: new",
    "    title: Neu",
    "      de: Neu",
    "- id: part-x",
    "  sessions:",
    "    - nested",
    "  - - a",
    "    - b",
    "    x: &anchor 1",
    "    y: *anchor",
    "---",
    "...",
    "%YAML 1.1",
    "\t- tab",
    '    note: "open',
    '      closed"',
    "    text: |+",
    "       kept",
    "",
    "  # a comment",
    "    speakers: [a,",
    "      b]",
    "    id: twice",
    "    start: 25:00",
    "    date: 2019-02-30",
    "    bell: \x07",
    "  -",
    "footer: again",
)


@contextlib.contextmanager
def working_folder() -> Iterator[None]:
    """A folder of its own for each example's cache (Hypothesis runs many in one test)."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        yield


def whole(text: str) -> tuple[Any, list[tuple[str, int, str, str]]]:
    """Parse the whole text, as a build without cache does: located values and problems."""
    errors = Errors()
    value = yamlparse.parse_document(text, SHOWN, errors, 1).value
    return located(value), problems(errors)


def kept(text: str) -> tuple[Any, list[tuple[str, int, str, str]]]:
    """Parse with the last build's parse at hand, as a build with cache does."""
    errors = Errors()
    with keptparse.kept_parses():
        value = keptparse.parse_yaml(text, SHOWN, errors)
    return located(value), problems(errors)


def problems(errors: Errors) -> list[tuple[str, int, str, str]]:
    return [(e.path, e.line, e.where, str(e.message)) for e in errors.sorted()]


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)


@pytest.fixture
def spliced(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Count how each document was read: parsed whole, or made from a changed part."""
    counts: collections.Counter[str] = collections.Counter()
    parse, reparsed = yamlparse.parse_document, keptparse._KeptParses._reparsed

    def parsing(text: str, shown: str, errors: Errors, first_line: int) -> Any:
        counts["whole"] += 1
        return parse(text, shown, errors, first_line)

    def reparsing(self: keptparse._KeptParses, *args: Any) -> Any:
        made = reparsed(self, *args)
        counts["part" if made is not None else "declined"] += 1
        return made

    monkeypatch.setattr(yamlparse, "parse_document", parsing)
    monkeypatch.setattr(keptparse._KeptParses, "_reparsed", reparsing)
    return counts


def edit(text: str, needle: str, new: str, occurrence: int = 1) -> str:
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    return text[:at] + new + text[at + len(needle) :]


@pytest.mark.parametrize(
    ("needle", "new", "occurrence"),
    [
        ("Sitzung 7\n", "Sitzung sieben\n", 1),  # within a line
        ("Zeile zwei.\n", "Zeile zwei.\n        Zeile drei.\n", 5),  # a line more: lines below move
        ("    note:", "    room: Saal 2\n    note:", 30),  # a key added
        ("  - id: s012\n", "  - id: s100\n    title: Neu\n  - id: s012\n", 1),  # an item added
        (SESSION.format(i=3, j=4, hour=11), "", 1),  # an item removed
        ("      - eins\n", "      - eins\n      - drei\n", 8),  # in a list in an item
        ("de: Sitzung 9\n", "de: {x: [1, 2]}\n", 1),  # flow style in an item
    ],
)
def test_an_edit_in_an_item_parses_the_item_only(
    tmp_path: Path, spliced: collections.Counter[str], needle: str, new: str, occurrence: int
) -> None:
    with contextlib.chdir(tmp_path):
        first = kept(DOCUMENT)
        assert first == whole(DOCUMENT) and not first[1]
        changed = edit(DOCUMENT, needle, new, occurrence)
        spliced.clear()
        assert kept(changed) == whole(changed)
        assert spliced["part"] == 1 and spliced["whole"] == 1  # (the 1 is whole() itself)
        spliced.clear()
        again = edit(changed, "Session 33\n", "Session 33b\n")  # the spliced parse was kept in turn
        assert kept(again) == whole(again)
        assert dict(spliced) == {"part": 1, "whole": 1}


@pytest.mark.parametrize(
    ("needle", "new", "why"),
    [
        ('    start: "09:00"', '    start: &nine "09:00"', "an anchor"),
        ("    note:", "    same: *nine\n    note:", "an alias to nothing: a problem"),
        ("        Zeile zwei.\n", "---\n", "a document marker"),
        ("    title:", "    title: one\n    title:", "a duplicate key: a problem"),
        ("  - id: s005", "   - id: s005", "an item moved right"),
        ("  - id: s005\n", "  - id: s005\n  title: x\n", "a key of the list's mapping"),
        ("    note:", "\tnote:", "a tab"),
        ("closing: true", "closing: false", "after the last item"),
        ("footer: end", "footer: fin", "outside any list"),
    ],
)
def test_the_whole_text_is_parsed_where_a_part_cannot_stand_alone(
    tmp_path: Path, spliced: collections.Counter[str], needle: str, new: str, why: str
) -> None:
    with contextlib.chdir(tmp_path):
        kept(DOCUMENT)
        changed = edit(DOCUMENT, needle, new, DOCUMENT.count(needle))  # the last one
        spliced.clear()
        assert kept(changed) == whole(changed), why
        assert spliced["part"] == 0, why


#: Found by a review: documents where a part standing alone would read differently.
AWKWARD = {
    "an item whose value starts below its dash": (
        "k:\n  -\n    a: 1\n  - c\n",
        "k:\n  -\n  - b\n  - c\n",
    ),
    "an item whose dash line holds a comment": (
        "- x\n- # note\n  a: 1\n- c\n",
        "- x\n- # note\n- b\n- c\n",
    ),
    "a tag handle declared at the top": (
        "%TAG !e! tag:yaml.org,2002:\n---\nk:\n  - !e!str a\n  - b\n  - c\n",
        "%TAG !e! tag:yaml.org,2002:\n---\nk:\n  - x\n  - b\n  - c\n",
    ),
}


@pytest.mark.parametrize("case", list(AWKWARD), ids=list(AWKWARD))
def test_awkward_documents_read_as_the_whole_text_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(keptparse, "REPARSE_FROM", 0)
    old, new = AWKWARD[case]
    with contextlib.chdir(tmp_path):
        assert kept(old) == whole(old)
        assert kept(new) == whole(new)


def test_a_problem_in_a_part_is_reported_at_its_line(tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        kept(DOCUMENT)
        changed = edit(DOCUMENT, "de: Sitzung 20", "de: Sitzung 20\n      en: twice")
        value, found = kept(changed)
        line = changed[: changed.index("en: Session 20\n")].count("\n") + 1  # the key given twice
        assert (value, found) == whole(changed)
        assert [(path, at) for path, at, _, _ in found] == [(SHOWN, line)]


def test_texts_with_other_line_breaks_are_parsed_whole(
    tmp_path: Path, spliced: collections.Counter[str]
) -> None:
    crlf = DOCUMENT.replace("\n", "\r\n")
    with contextlib.chdir(tmp_path):
        kept(crlf)
        changed = edit(crlf, "Sitzung 7", "Sitzung sieben")
        spliced.clear()
        assert kept(changed) == whole(changed)
        assert spliced == {"declined": 1, "whole": 2}


def test_a_small_file_keeps_no_text(tmp_path: Path) -> None:
    small = document(2)
    assert len(small) < keptparse.REPARSE_FROM <= len(DOCUMENT)
    with contextlib.chdir(tmp_path):
        for text, kept_texts in ((DOCUMENT, [DOCUMENT]), (small, [])):
            kept(text)
            (table,) = tmp_path.glob(".confsite-cache/yaml-*.marshal")
            stored = cache.load_table(table)
            assert [v[1] for k, v in stored.items() if k.count("\0") == 1] == kept_texts


@st.composite
def edits(draw: st.DrawFn) -> str:
    """The document with one random edit: lines replaced, or characters typed into a line."""
    lines = DOCUMENT.split("\n")
    at = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()) and lines[at]:
        column = draw(st.integers(0, len(lines[at])))
        typed = draw(st.sampled_from(["Wort", "x", " ", ": ", "- ", '"', "#", "  ", "&a ", "*a", "[", "}"]))
        dropped = draw(st.integers(0, 2))
        lines[at] = lines[at][:column] + typed + lines[at][column + dropped :]
    else:
        removed = draw(st.integers(0, 3))
        lines[at : at + removed] = draw(st.lists(st.sampled_from(FRAGMENTS), max_size=3))
        if draw(st.booleans()):  # and an item added before another one, elsewhere
            starts = [n for n, line in enumerate(lines) if line.startswith("  - id:")]
            before = draw(st.sampled_from(starts))
            lines[before:before] = SESSION.format(i=99, j=1, hour=9).split("\n")[:-1]
    return "\n".join(lines)


@settings(SETTINGS, max_examples=150)
@given(edits())
def test_any_edit_reads_as_the_whole_text_does(changed: str) -> None:
    with working_folder(), pytest.MonkeyPatch.context() as patch:
        kept(DOCUMENT)
        reparsed, parts = keptparse._KeptParses._reparsed, []

        def reparsing(self: keptparse._KeptParses, *args: Any) -> Any:
            parts.append(reparsed(self, *args))
            return parts[-1]

        patch.setattr(keptparse._KeptParses, "_reparsed", reparsing)
        read = kept(changed)
        event("a part parsed" if any(parts) else "parsed whole" if parts else "unchanged")
        event("with problems" if read[1] else "valid")
        assert read == whole(changed)
        assert kept_size(changed) in (None, yamlparse.parse_document(changed, SHOWN, Errors(), 1).nodes)


def kept_size(text: str) -> int | None:
    """Return the number of nodes kept with ``text`` (the limit on values counts them), if kept."""
    (table,) = Path.cwd().glob(".confsite-cache/yaml-*.marshal")
    entry = cache.load_table(table).get(f"{SHOWN}\0{1}")
    return entry[2] if entry is not None and entry[1] == text else None
