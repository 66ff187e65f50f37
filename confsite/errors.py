"""Content errors: what went wrong, in which file and on which line; and an unusable output folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .messages import Message, msg


def display_path(path: Path) -> str:
    """Name a file the way the editor knows it: relative to the working folder if inside."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


class OutputError(Exception):
    """The output folder cannot be written or must not be replaced."""


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the content, reported as ``FILE:LINE: where: what``."""

    path: str
    line: int
    where: str
    #: what is wrong, in English
    message: str
    #: what is wrong, in English and German
    text: Message | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        what = self.message if self.text is None else self.text.render()
        return f"{self.path}:{self.line}: {where}{what}"


@dataclass
class Errors:
    """Collect every content error of a run so they can be reported together."""

    items: list[ContentError] = field(default_factory=list)

    def add(self, path: str | Path, line: int, where: str, message: Message) -> None:
        """Record one problem."""
        self.items.append(ContentError(str(path), line, where, message.render("en"), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[ContentError]:
        """Return the problems sorted by file and line, without duplicates."""
        return sorted(set(self.items))


class ContentInvalid(Exception):
    """Raised when the content has errors; carries all of them."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the content")
        self.errors = errors

    def report(self) -> str:
        """Return every error, one per line."""
        return "\n".join(str(e) for e in self.errors)

    def summary(self) -> Message:
        """Say how many problems there are, and that nothing was written."""
        if len(self.errors) == 1:
            return msg(
                "1 problem found; nothing was written.", "1 Problem gefunden; nichts wurde geschrieben."
            )
        return msg(
            "{n} problems found; nothing was written.",
            "{n} Probleme gefunden; nichts wurde geschrieben.",
            n=len(self.errors),
        )
