"""Files as the build reads them: a folder's files through links to folders, and each file's state."""

from __future__ import annotations

import os
from pathlib import Path

#: Endings of the files that editors and tools leave beside the file they edit: backups (Emacs,
#: gedit, Kate: name~; name.bak), swap files (Vim), what patch and merge tools leave (.orig, .rej),
#: temporary saves (name.tmp, JetBrains' name___jb_tmp___), compared in lower case.
_LEFT_BESIDE = ("~", ".bak", ".orig", ".rej", ".swp", ".swo", ".swx", ".tmp", "___jb_tmp___", "___jb_old___")


def left_out(name: str) -> bool:
    """Tell whether a file of this name is left out where the build and the preview list a folder.

    Hidden files (.name: Vim's .name.swp, Emacs's lock .#name too) and the files that editors
    and tools leave beside the file they edit (see _LEFT_BESIDE; Emacs's autosave #name#).
    """
    return (
        name.startswith(".")
        or name.lower().endswith(_LEFT_BESIDE)
        or (len(name) > 1 and name.startswith("#") and name.endswith("#"))
    )


def files_below(folder: Path, hidden: bool = True) -> list[str]:
    """Return the path of every file below ``folder``, sorted, through links to folders as Jinja reads them.

    A link to a folder that holds it (a loop) is not followed. Without ``hidden``, folders whose
    names start with a dot are left out, and so are the files that :func:`left_out` names.
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
            elif hidden or not left_out(entry.name):
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
