"""Tables of results kept in .confsite-cache/ between builds, keyed by their complete input.

A table maps an input (a Markdown source, the SHA-256 of a file) to what a pure function
made of it. Its file name carries a version: a hash of the code that makes the results and
of the library versions, so a table written by other code is never read. A table that is
missing, unreadable or of the wrong shape counts as empty; one that cannot be written is
skipped. ``CONFSITE_NO_CACHE=1`` turns every cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import logging
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import workers

log = logging.getLogger(__name__)

#: The cache folder, relative to the working folder (the flyer PDFs live there too).
ROOT = Path(".confsite-cache")
#: Seconds after which a temporary file in the cache counts as left by a killed process.
UNFINISHED_AFTER = 60


def enabled() -> bool:
    """Tell whether caches may be read and written (``CONFSITE_NO_CACHE=1`` says no)."""
    return os.environ.get("CONFSITE_NO_CACHE") != "1"


def version(*parts: str | bytes) -> str:
    """Name a version of cached results: a short hash of everything that makes them."""
    digest = hashlib.sha256(sys.version.encode())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def installed(package: str) -> str:
    """Name an installed package or module without importing it: a digest of its files.

    Of a package, the files of its folder (or folders), not of its subfolders: each package
    named here keeps its version or its compiled code at the top (weasyprint/__init__.py holds
    VERSION). Of a module, its file. "" for one that is not installed.

    For the packages whose version a key needs although a build may not import them
    (WeasyPrint's import takes 0.38 s, markdown-it-py's 16 ms) or that name no version of their
    own (MarkupSafe 3 deprecates it). The others' ``__version__`` serves. importlib.metadata
    would name them all, but importing it alone takes 19 ms. (Reading a package of 2.4 MB,
    nh3's, takes 6 ms.)
    """
    spec = importlib.util.find_spec(package)
    if spec is None:
        return ""
    if spec.submodule_search_locations is not None:  # a package (a namespace package has no origin)
        found = (path for folder in spec.submodule_search_locations for path in Path(folder).iterdir())
        files = sorted(path for path in found if path.is_file())
    else:
        files = [Path(spec.origin)] if spec.origin and Path(spec.origin).is_file() else []  # (not built in)
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: The tables held in memory while a preview runs (:func:`held_in_memory`): path -> (table, versioned).
_held: dict[Path, tuple[dict[str, Any], bool]] | None = None


@contextlib.contextmanager
def held_in_memory() -> Iterator[None]:
    """Keep the tables in memory while the block runs, and write each once when it ends.

    The preview rebuilds after every save: reading and writing its tables each time (the pages,
    the parsed content and the Markdown: 0.3 s for a conference of 1,000 sessions) would only
    delay the reload. A preview killed outright leaves the tables last written, which are still
    correct: every entry is keyed by its complete input.
    """
    global _held  # noqa: PLW0603  (one preview per process)
    _held = {}
    try:
        yield
    finally:
        held, _held = _held, None
        for path, (table, versioned) in list(held.items()):  # (a late rebuild may still add one)
            store_table(path, table, versioned)


#: The tables stored while :func:`written_aside` runs and not written yet (None when it does
#: not run), and the processes writing the others.
_queued: list[tuple[Path, dict[str, Any], bool]] | None = None
_writing: list[workers.Started[None]] = []


@contextlib.contextmanager
def written_aside() -> Iterator[None]:
    """Hold back the tables stored in the block until :func:`write_aside` or its end.

    Marshalling and writing the tables of a large site takes a while (the pages of 1,000
    sessions, 44 MB: 0.1 to 0.2 s). A build stores them when they are complete, but only
    writes them, in a forked process, once it does work that uses a single core (writing the
    site), rather than while its processes compress on every core. The block's end writes
    what is left and waits for the writing processes.
    """
    global _queued  # noqa: PLW0603  (one build at a time per process)
    _queued = []
    try:
        yield
    finally:
        queued, _queued = _queued, None
        _write_tables(queued)
        while _writing:
            _writing.pop().result()  # (where that process failed, the tables are written here)


def write_aside() -> None:
    """Write the tables held back so far in a forked process, while this one goes on.

    Where no process is forked (see workers.Started), they are written here and now.
    """
    queued = _queued
    if not queued:
        return
    writing = workers.Started(functools.partial(_write_tables, list(queued)))
    queued.clear()
    if writing.forked:
        _writing.append(writing)
    else:
        writing.result()


def _write_tables(tables: list[tuple[Path, dict[str, Any], bool]]) -> None:
    for path, table, versioned in tables:
        _write_table(path, table, versioned)


def held() -> bool:
    """Tell whether tables are held in memory (:func:`held_in_memory`)."""
    return _held is not None


def table_path(name: str, table_version: str) -> Path:
    """Return the file of a table: .confsite-cache/<name>-<version>.marshal."""
    return Path.cwd() / ROOT / f"{name}-{table_version}.marshal"


def load_table(path: Path) -> dict[str, Any]:
    """Read a table written by :func:`store_table`; an absent or broken one reads as empty.

    The table is not to be changed: while tables are held in memory, it is the one stored.
    """
    if not enabled():
        return {}
    held = _held  # (read once: the preview's last rebuild may run while it ends)
    if held is not None and path in held:
        return held[path][0]
    try:
        data = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, EOFError, ValueError, TypeError) as error:
        log.warning("ignoring the unreadable cache %s: %s", path, error)
        return {}
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        log.warning("ignoring the cache %s: not a table", path)
        return {}
    return data


def store_table(path: Path, table: dict[str, Any], versioned: bool = True) -> None:
    """Write a table atomically, replacing older versions of it; skip it if that fails.

    A table that is not ``versioned`` has no older versions: its name is all its own.
    """
    if not enabled():
        return
    held = _held
    if held is not None:
        held[path] = (table, versioned)
        return
    queued = _queued
    if queued is not None:
        queued.append((path, table, versioned))
        return
    _write_table(path, table, versioned)


def _write_table(path: Path, table: dict[str, Any], versioned: bool) -> None:
    try:
        write_file(path, marshal.dumps(table))
        name = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{name}-*.marshal") if versioned else ():
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not write the cache %s: %s", path, error)


def write_file(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, renamed into place.

    Raise OSError if that fails, after removing the temporary file. (A process killed meanwhile
    leaves it: the next write into the folder removes it, see remove_unfinished.)
    """
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_unfinished(path.parent)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as file:
            tmp = Path(file.name)
            file.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


def remove_unfinished(folder: Path) -> None:
    """Remove the temporary files (``*.tmp``) that processes killed while writing left in ``folder``.

    Files here are written into a temporary file beside them and renamed into place (write_file,
    and Jinja's compiled templates); a build that fails ends the processes that write aside at
    once. Only files older than UNFINISHED_AFTER are removed: a younger one may still be
    written, by another build in the same folder.
    """
    now = time.time()
    for path in folder.glob("*.tmp"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > UNFINISHED_AFTER:
                path.unlink()


def remove_older(paths: Iterable[Path], keep: int, remove: Callable[[Path], object]) -> None:
    """Remove all but the ``keep`` most recently modified of ``paths``, each by ``remove(path)``."""

    def modified(path: Path) -> int:
        try:
            return path.lstat().st_mtime_ns
        except OSError:  # (another build removed it meanwhile)
            return 0

    for old in sorted(paths, key=modified, reverse=True)[max(keep, 0) :]:
        remove(old)


def results(
    name: str,
    table_version: str,
    keys: Iterable[str],
    valid: Callable[[object], bool],
    make: Callable[[list[str]], Iterable[Any]],
) -> dict[str, Any]:
    """Return a result for every key: kept ones from the table ``name``, the rest from ``make``.

    ``make(missing)`` returns the results of the missing keys in their order. The table then
    keeps exactly the results of ``keys``, for the next build; a kept value that ``valid``
    refuses counts as missing.
    """
    path = table_path(name, table_version)
    stored = load_table(path)
    wanted = list(dict.fromkeys(keys))
    found = {key: stored[key] for key in wanted if valid(stored.get(key))}
    missing = [key for key in wanted if key not in found]
    found.update(zip(missing, make(missing), strict=True))
    if enabled() and (missing or stored.keys() != found.keys()):
        store_table(path, found)
    return found
