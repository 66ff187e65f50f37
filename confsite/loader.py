"""Read YAML and Markdown files safely, keeping the source file and line of every record."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Errors, display_path
from .keptparse import parse_yaml
from .messages import msg
from .yamlparse import FORBIDDEN, LMap, invisible_characters

#: Files larger than this are refused before parsing (an editor's YAML is kilobytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def read_text(path: Path, errors: Errors) -> str | None:
    """Read a UTF-8 file, reporting a missing, oversized or undecodable file."""
    shown = display_path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never end
            errors.add(
                shown,
                1,
                "",
                msg(
                    "is not a regular file; content files are plain text files",
                    "ist keine gewöhnliche Datei; Inhaltsdateien sind reine Textdateien",
                ),
            )
            return None
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # the file may grow after stat()
        size = max(info.st_size, len(data))
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            errors.add(
                shown,
                1,
                "",
                msg(
                    "file is {size:,} bytes; files above {limit} MB are refused",
                    "die Datei hat {size:,} Bytes; Dateien über {limit} MB werden abgelehnt",
                    size=size,
                    limit=limit,
                ),
            )
            return None
    except OSError as exc:
        errors.add(
            shown,
            1,
            "",
            msg(
                "cannot read the file: {reason}",
                "die Datei kann nicht gelesen werden: {reason}",
                reason=exc.strerror,
            ),
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(
            shown,
            line,
            "",
            msg(
                "byte 0x{byte:02x} is not UTF-8; save the file with UTF-8 encoding",
                "das Byte 0x{byte:02x} ist kein UTF-8; speichern Sie die Datei in der Kodierung UTF-8",
                byte=data[exc.start],
            ),
        )
        return None
    return text.removeprefix("\ufeff")


def load_yaml(path: Path, errors: Errors) -> Any:
    """Read and parse a YAML file; return None when it cannot be read or parsed."""
    text = read_text(path, errors)
    if text is None:
        return None
    return parse_yaml(text, display_path(path), errors)


@dataclass(frozen=True)
class RawPage:
    """A Markdown page as read from disk: its front matter and its body."""

    path: str
    slug: str
    lang: str
    front: LMap
    body: str
    body_line: int


def load_page(path: Path, slug: str, lang: str, errors: Errors) -> RawPage | None:
    """Read ``<slug>.<lang>.md``: YAML front matter between ``---`` lines, then Markdown."""
    text = read_text(path, errors)
    if text is None:
        return None
    shown = display_path(path)
    hidden = invisible_characters(text, FORBIDDEN)
    for line, message in hidden:
        errors.add(shown, line, "", message)
    if hidden:
        return None
    match = _FRONT_MATTER.match(text)
    if match is None:
        if re.match(r"---[ \t]*\r?\n", text):
            errors.add(
                shown,
                1,
                "",
                msg(
                    "the front matter is not closed; end it with a line of ---",
                    "der Vorspann (front matter) ist nicht geschlossen; beenden Sie ihn mit einer Zeile ---",
                ),
            )
        else:
            errors.add(
                shown,
                1,
                "",
                msg(
                    "no front matter; start the file with ---, title: ..., ---",
                    "kein Vorspann (front matter); beginnen Sie die Datei mit ---, title: ..., ---",
                ),
            )
        return None
    front = parse_yaml(match.group(1) or "", shown, errors, first_line=2)
    if front is None and match.group(1) and match.group(1).strip():
        return None
    if not isinstance(front, LMap):
        errors.add(
            shown,
            2,
            "",
            msg(
                "front matter must be a mapping with at least a title",
                "der Vorspann (front matter) muss eine Zuordnung mit mindestens einem title sein",
            ),
        )
        return None
    body = text[match.end() :]
    body_line = text.count("\n", 0, match.end()) + 1
    return RawPage(shown, slug, lang, front, body, body_line)
