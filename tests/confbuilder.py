"""Write a tiny valid bilingual content folder, so that each test changes exactly one thing.

Tests edit the YAML *text* (not parsed data), so the line numbers in error messages are
the lines an editor sees, and a test finds the expected line by searching its own text
with :meth:`Site.line` instead of trusting the code under test.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from confsite.content import load_conference
from confsite.errors import ContentError, ContentInvalid
from confsite.model import Conference
from confsite.pipeline import TEMPLATES

CONFERENCE = """\
id: test-conf
languages: [de, en]
timezone: Europe/Berlin
base_url: https://example.org/conf/
title: {de: Testkonferenz, en: Test conference}
dates: [2019-04-02]
venue:
  name: Rathaus
  street: Hauptstraße 1
  postal_code: "42103"
  city: Wuppertal
  country: DE
registration:
  url: https://example.org/register
  deadline: 2019-03-27
contact:
  email: info@example.org
"""

PROGRAM = """\
parts:
  - id: morning
    title: {de: Vormittag, en: Morning}
    sessions:
      - id: welcome
        start: "10:00"
        end: "10:15"
        kind: welcome
        title: {de: Begrüßung, en: Welcome}
        speakers: [ada]
      - id: talk
        start: "10:15"
        end: "11:00"
        kind: talk
        title: {de: Vortrag, en: Talk}
        speakers: [ada, grace]
"""

PEOPLE = """\
people:
  - id: ada
    name: Ada Lovelace
  - id: grace
    name: Grace Hopper
"""

#: Optional files: a forums slot and a podium slot to attach forums.yaml and podium.yaml to.
PROGRAM_WITH_SLOTS = (
    PROGRAM
    + """\
      - id: forums-slot
        start: "11:00"
        end: "12:00"
        kind: forums
        title: {de: Foren, en: Forums}
      - id: podium-slot
        start: "12:00"
        end: "13:00"
        kind: podium
        title: {de: Podium, en: Panel}
"""
)

FORUMS = """\
groups:
  - session: forums-slot
    forums:
      - id: forum-a
        title: {de: Forum A, en: Forum A}
        hosts: [ada]
"""

PODIUM = """\
panels:
  - id: panel-a
    session: podium-slot
    title: {de: Podium A, en: Panel A}
    moderators: [ada]
    panelists: [grace]
"""

PAGE_DE = """\
---
title: Über uns
order: 10
---
Wir sind **wir**.
"""

PAGE_EN = """\
---
title: About us
order: 10
slug: about
---
We are **us**.
"""


#: What editors and tools leave beside a file they edit (see walk.left_out), and the preview ignores.
BACKUPS = [
    "about.de.md~",
    "#about.de.md#",
    ".#about.de.md",
    ".about.de.md.swp",
    "about.de.md.swp",
    "about.de.md.orig",
    "about.de.md.rej",
    "about.de.md.bak",
    "about.de.md.BAK",
    "about.de.md.tmp",
    "about.de.md___jb_tmp___",
]


@dataclass
class Site:
    """A content folder under a test's tmp path, written from YAML text."""

    root: Path

    @property
    def content(self) -> Path:
        """Return the content folder."""
        return self.root / "content"

    def write(self, name: str, text: str) -> Path:
        """Write (or overwrite) ``name`` under the content folder; dedent the text first."""
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def read(self, name: str) -> str:
        """Return the text of ``name``."""
        return (self.content / name).read_text(encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the single occurrence of ``old`` in ``name`` by ``new``."""
        text = self.read(name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        self.write(name, text.replace(old, new))

    def append(self, name: str, text: str) -> None:
        """Append ``text`` (not dedented: indentation matters) to ``name``."""
        self.write(name, self.read(name) + text)

    def remove(self, name: str) -> None:
        """Delete ``name`` from the content folder."""
        (self.content / name).unlink()

    def line(self, name: str, needle: str, occurrence: int = 1, after: str | None = None) -> int:
        """Return the 1-based line of the ``occurrence``-th line of ``name`` containing ``needle``.

        With ``after``, count only the lines below the first line containing ``after``
        (e.g. ``line("program.yaml", "end:", after="- id: talk")``).
        """
        lines = self.read(name).split("\n")  # (as an editor counts: \x0b or U+2028 break no line)
        start = self.line(name, after) if after is not None else 0
        hits = [n for n, text in enumerate(lines, 1) if n > start and needle in text]
        assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s) in {name}"
        return hits[occurrence - 1]

    def shown(self, name: str) -> str:
        """Return the path of ``name`` as error messages show it (relative to the working folder)."""
        return f"content/{name}"

    def load(self) -> Conference:
        """Load the folder; fail the test with every error when it is invalid."""
        try:
            return load_conference(self.content, TEMPLATES)
        except ContentInvalid as exc:
            raise AssertionError("content should be valid:\n" + exc.report()) from None

    def errors(self) -> list[ContentError]:
        """Load the folder, which must be invalid, and return its errors in reported order."""
        try:
            load_conference(self.content, TEMPLATES)
        except ContentInvalid as exc:
            return exc.errors
        raise AssertionError("content should be invalid but loaded")


def write_content(folder: Path, files: dict[str, str]) -> Path:
    """Write content files given as indented YAML texts (dedented) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def make_site(root: Path, *, forums: bool = False, podium: bool = False, pages: bool = False) -> Site:
    """Write the minimal valid folder under ``root``: conference, program with one part, people."""
    site = Site(root)
    site.write("conference.yaml", CONFERENCE)
    site.write("program.yaml", PROGRAM_WITH_SLOTS if forums or podium else PROGRAM)
    site.write("people.yaml", PEOPLE)
    if forums:
        site.write("forums.yaml", FORUMS)
    if podium:
        site.write("podium.yaml", PODIUM)
    if pages:
        site.write("pages/about.de.md", PAGE_DE)
        site.write("pages/about.en.md", PAGE_EN)
    return site
