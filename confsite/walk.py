"""Files as the build reads them: a folder's files through links to folders, and each file's state."""

from __future__ import annotations

import os
from pathlib import Path


def files_below(folder: Path, hidden: bool = True) -> list[str]:
    """Return the path of every file below ``folder``, sorted, through links to folders as Jinja reads them.

    A link to a folder that holds it (a loop) is not followed. Without ``hidden``, folders and
    files whose names start with a dot are left out, and so are backup files (``name~``).
    Paths are strings: the preview lists its folders forty times a second while it waits.
    """
    found: list[str] = []

    def visit(path: str, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            info = os.stat(path)
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:  # removed meanwhile, or unreadable
            return
        here = (info.st_dev, info.st_ino)
        if here in ancestors:
            return
        inside = ancestors | {here}
        for entry in entries:
            if not hidden and entry.name.startswith("."):
                continue
            try:
                folder = entry.is_dir()  # (through a link)
            except OSError:
                continue
            if folder:
                visit(entry.path, inside)
            elif hidden or not entry.name.endswith("~"):
                found.append(entry.path)

    visit(os.fspath(folder), frozenset())
    found.sort()
    return found


#: Of a file: its modification time (ns), size and inode. Any edit changes one of them.
FileState = tuple[int, int, int]


def states_below(folder: Path, hidden: bool = True) -> dict[str, FileState]:
    """Return the state of every file below ``folder`` (see :func:`files_below`), by path."""
    found: dict[str, FileState] = {}
    for path in files_below(folder, hidden):
        state = file_state(path)
        if state is not None:  # (else removed between listing and looking)
            found[path] = state
    return found


def file_state(path: str | Path) -> FileState | None:
    """Return a file's modification time (ns), size and inode; None if it is not there."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)
