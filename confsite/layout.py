"""The names in a content folder: the files and folders confsite reads, and names almost like them.

confsite reads its files by name, and leaves any other file of the content folder alone (a logo,
a photo, notes). A file or folder named almost as one it reads (podium.yml, Forums.yaml, Pages/,
i18n/de.yml), or a page in a subfolder of pages/, would be left out in silence, and what it holds
would be missing from the site: each is reported at its line 1, with the name that is read.
"Almost" is a name that differs in case only, or ends in .yml for .yaml. Three folder listings,
at most, and one for each subfolder of pages/.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Errors, display_path
from .messages import Message, msg
from .specs import FILES
from .walk import left_out

#: The folders of a content folder that confsite reads.
FOLDERS = ("pages", "i18n")
#: Subfolders of pages/ are searched for pages this deep.
_DEPTH = 8


def check_names(content: Path, errors: Errors) -> frozenset[str]:
    """Report files and folders named almost as those that are read; return the names they stand for."""
    meant: set[str] = set()
    for name, is_dir in _entries(content):
        known = FOLDERS if is_dir else tuple(FILES)
        if name in known:
            continue
        near = _near(name)
        if near in known and _report(errors, content, name, near, is_dir):
            meant.add(near)
    i18n = content / "i18n"
    for name, is_dir in _entries(i18n) if i18n.is_dir() else ():
        near = _near(name)
        if not is_dir and not name.endswith(".yaml") and near.endswith(".yaml"):  # (DE.yaml: see i18n)
            _report(errors, i18n, name, near, is_dir)
    pages = content / "pages"
    for name, is_dir in _entries(pages) if pages.is_dir() else ():
        if is_dir:
            _pages_below(errors, pages / name)
    return frozenset(meant)


def _entries(folder: Path) -> list[tuple[str, bool]]:
    """Return the name of each entry of ``folder`` that is not left out, and whether it is a folder."""
    try:
        with os.scandir(folder) as listing:
            found = []
            for entry in listing:
                if not left_out(entry.name):
                    try:
                        found.append((entry.name, entry.is_dir()))
                    except OSError:  # (removed meanwhile, or a broken link: reported where it is read)
                        continue
            return sorted(found)
    except OSError:
        return []


def _near(name: str) -> str:
    """Return the name that ``name`` may stand for: in lower case, with .yaml for .yml."""
    lower = name.lower()
    return lower.removesuffix(".yml") + ".yaml" if lower.endswith(".yml") else lower


def _report(errors: Errors, folder: Path, name: str, near: str, is_dir: bool) -> bool:
    """Report ``name`` as a near-miss of ``near``; return False where it is ``near`` (a case-blind disk)."""
    path, meant = folder / name, folder / near
    try:
        beside = meant.exists() and not os.path.samefile(path, meant)
    except OSError:
        beside = False
    if meant.exists() and not beside:
        return False  # the same file, read under the name asked for
    message: Message
    if beside:
        message = (
            msg(
                "confsite reads '{name}' beside it, not this folder; move its files there and remove it",
                "confsite liest '{name}' daneben, nicht diesen Ordner; verschieben Sie seine Dateien dorthin"
                " und entfernen Sie ihn",
                name=near,
            )
            if is_dir
            else msg(
                "confsite reads '{name}' beside it, not this file;"
                " move what this one holds there and remove it",
                "confsite liest '{name}' daneben, nicht diese Datei; übertragen Sie ihren Inhalt dorthin"
                " und entfernen Sie sie",
                name=near,
            )
        )
    elif is_dir:
        message = msg(
            "confsite does not read a folder of this name; did you mean '{name}'?",
            "einen Ordner dieses Namens liest confsite nicht; meinten Sie '{name}'?",
            name=near,
        )
    else:
        message = msg(
            "confsite does not read a file of this name; did you mean '{name}'?",
            "eine Datei dieses Namens liest confsite nicht; meinten Sie '{name}'?",
            name=near,
        )
    errors.add(display_path(path), 1, "", message)
    return True


def _pages_below(errors: Errors, folder: Path, depth: int = 1) -> None:
    """Report every page file in ``folder``, a subfolder of pages/, and in its subfolders (a few deep)."""
    for name, is_dir in _entries(folder):
        if is_dir:
            if depth < _DEPTH:  # (links may make a loop of folders)
                _pages_below(errors, folder / name, depth + 1)
        elif name.lower().endswith(".md"):
            errors.add(
                display_path(folder / name),
                1,
                "",
                msg(
                    "a page in a subfolder of pages/ is not read; move this file into pages/ itself",
                    "eine Seite in einem Unterordner von pages/ wird nicht gelesen; verschieben Sie diese"
                    " Datei direkt nach pages/",
                ),
            )
