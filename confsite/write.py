"""The only code that touches the output folder: write beside it, then swap atomically.

The new site is put together in a staging folder beside the output folder and swapped in
as a whole. The site it replaces is kept in .confsite-cache/ as the next build's staging
folder: making a folder per page costs far more than a file on many disks (0.2 to 0.6 ms on
the test machines, 1 s for a site of 4,000 pages), and in a kept tree only the files that
changed are written again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import cache, libc, workers
from .messages import msg

#: Files whose presence marks a folder as an earlier build that may be replaced.
_MARKERS = ("index.html", "sitemap.xml")
_RENAME_EXCHANGE = 2
#: How many replaced sites are kept in .confsite-cache/spare (one per output folder).
KEPT_SITES = 2
#: From this many files that the kept site lacks (all of them, in a new folder), they are made
#: on every core, by at most WRITERS processes: 19,879 files took 0.42 s on two processes
#: instead of 0.58 s on one (measured on two cores only; more writers share one file system).
WRITE_IN_PARALLEL_FROM = 2_000
WRITERS = 4
#: How many site folders' manifests are kept (the output folders and the kept sites).
KEPT_MANIFESTS = 2 * (KEPT_SITES + 1)


class OutputError(Exception):
    """The output folder cannot be written or must not be replaced."""


#: A relative path of plain names: no empty, "." or ".." part, no backslash, no control character.
_PLAIN_PATH = re.compile(r"(?:(?!\.\.?(?:/|$))[^/\\\x00-\x1f]+/)*(?!\.\.?$)[^/\\\x00-\x1f]+")


def safe_relative(path: str) -> PurePosixPath:
    """Check that an output path stays inside the output folder.

    (Writing checks each path with ``_checked``, which answers the same with a string.)
    """
    return PurePosixPath(_checked(path))


def _checked(path: str) -> str:
    """Return an output path as safe_relative() spells it, or raise OutputError."""
    if _PLAIN_PATH.fullmatch(path):  # (every path of a site: a quick look is enough)
        return path
    rel = PurePosixPath(path)
    if (
        rel.is_absolute()
        or not rel.parts
        or any(p in ("", ".", "..") for p in rel.parts)
        or "\\" in path
        or any(ord(ch) < 32 for ch in path)
    ):
        raise OutputError(
            msg(
                "refusing to write outside the output folder: {path!r}",
                "schreibe nicht außerhalb des Ausgabeordners: {path!r}",
                path=path,
            )
        )
    return rel.as_posix()


def check_replaceable(out: Path) -> None:
    """Refuse to replace a folder that is not empty and not an earlier build."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(
            msg("{out} exists and is not a folder", "{out} gibt es, aber es ist kein Ordner", out=out)
        )
    if any(out.iterdir()) and not all((out / m).is_file() for m in _MARKERS):
        raise OutputError(
            msg(
                "{out} is not empty and does not look like a built site (no {markers});"
                " choose another --out or empty it",
                "{out} ist nicht leer und sieht nicht wie eine erstellte Website aus (kein {markers});"
                " wählen Sie ein anderes --out oder leeren Sie den Ordner",
                out=out,
                markers=msg("{a} and {b}", "{a} und {b}", a=_MARKERS[0], b=_MARKERS[1]),
            )
        )


def write_site(files: dict[str, bytes], out: Path, surveyed: Survey | None = None, jobs: int = 1) -> None:
    """Write every file into a folder beside ``out``, then swap it in as a whole.

    The folder is the site that the last build replaced, if one is kept, brought up to date;
    otherwise a new one. A file whose bytes equal those of the same file in the current
    ``out`` is hard-linked from there instead of written again: ``out`` is not changed before
    the swap, an unchanged file keeps its modification time (so deploying by rsync copies only
    what changed), and a rebuild after a small edit writes little.

    ``surveyed``: what :func:`survey` found in the kept site earlier in the build; it is used
    if that site is still the one kept, and taken again otherwise. Thousands of files to make
    (a site built into a new folder) are made by ``jobs`` processes.
    """
    check_replaceable(out)
    targets = {_checked(path): data for path, data in files.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out)
    staging = out.parent / f".{out.name}.new-{os.getpid()}-{secrets.token_hex(4)}"
    kept = _claim_spare(out, staging, surveyed)
    if kept is None:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
        kept = Survey((0, 0, 0), set(), {}, {})
    try:
        staging.chmod(0o755)
        known = Manifests()
        made = _update(staging, targets, out, kept, known.of(out), jobs)
        _swap(staging, out)
        known.store(out, made)
        _keep_spare(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _update(
    staging: Path,
    targets: dict[str, bytes],
    out: Path,
    kept: Survey,
    published: dict[str, object],
    jobs: int = 1,
) -> Manifest:
    """Make ``staging``, which holds what ``kept`` lists, hold exactly ``targets``.

    A file is never written into: one that must change is removed and made anew, so that a
    file hard-linked with the current site stays as it is. ``published``: the manifest of
    ``out``. Return what staging then holds.
    """
    files, folders = kept.files, kept.folders.keys() - {""}
    wanted = _with_parents({os.path.dirname(rel) for rel in targets})
    for rel in files - targets.keys():
        os.unlink(os.path.join(staging, rel))
    for folder in sorted(folders - wanted, reverse=True):  # the deepest first
        os.rmdir(os.path.join(staging, folder))
    for folder in sorted(wanted - folders):
        os.makedirs(os.path.join(staging, folder), exist_ok=True)
    ordered = sorted(targets)
    jobs = min(jobs, WRITERS) if len(targets.keys() - files) >= WRITE_IN_PARALLEL_FROM else 1
    place = functools.partial(_placed, staging, targets, out, kept, published)
    return dict(zip(ordered, workers.map_items(place, ordered, jobs, min_items=2), strict=True))


def _placed(
    staging: Path, targets: dict[str, bytes], out: Path, kept: Survey, published: dict[str, object], rel: str
) -> Entry:
    """Make ``staging/rel`` hold ``targets[rel]`` (see :func:`_update`); return its manifest entry."""
    data = targets[rel]
    target = os.path.join(staging, rel)
    digest = hashlib.sha256(data).digest()
    if rel in kept.files:
        entry = kept.entries.get(rel)
        if entry is not None and _vouched(target, entry, digest):
            return entry  # as the build that made it left it: no need to read it
        if _holds(target, data):
            return _entry(target, digest)
        os.unlink(target)
    if not _link_unchanged(os.path.join(out, rel), target, data, _valid(published.get(rel)), digest):
        _make_file(target, data)
    return _entry(target, digest)


def _make_file(path: str, data: bytes) -> None:
    """Make a new file holding ``data`` (an existing one is an error, as with open's "x").

    Without a Python file object: 20,000 files took 0.1 s less of CPU time.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Survey:
    """What a kept site held when it was looked at: its files and folders, and its manifest.

    Each folder's inode and modification time are noted too: adding, removing or replacing an
    entry of a folder changes its time, so a site whose folders all have theirs still holds
    the same names. What a file holds is not: the kept site shares its unchanged files with
    the published one (hard links), which another program may rewrite in place at any time.
    Each file is therefore checked against its manifest entry when it is used (``_vouched``).
    """

    identity: tuple[int, int, int]  # the kept site's device, inode and change time (ns)
    files: set[str]
    folders: dict[str, tuple[int, int]]  # folder ("" for the site) -> inode, modification time (ns)
    entries: Manifest  # its manifest's entries of the files it holds


def survey(out: Path) -> Survey | None:
    """Look at the site kept for ``out``; None if there is none, or it holds links or anything odd.

    Listing its 20,000 files and reading its manifest takes 0.1 to 0.2 s at 1,000 sessions: a
    build does it in a process of its own while it reads the content and renders
    (``workers.started``), and hands the result to :func:`write_site`.
    """
    spare = _spare(out)
    return _survey_of(spare) if spare is not None else None


def _survey_of(site: Path) -> Survey | None:
    identity = _identity(site)
    listed = _plain_tree(site) if identity is not None else None
    if identity is None or listed is None:
        return None
    files, folders = listed
    manifest = Manifests().of(site).items()
    entries = {rel: entry for rel, value in manifest if rel in files and (entry := _valid(value)) is not None}
    return Survey(identity, files, folders, entries)


def _as_surveyed(site: Path, surveyed: Survey) -> bool:
    """Tell whether every folder of ``site`` is still the one ``surveyed`` saw, with the same names."""
    for folder, seen in surveyed.folders.items():
        try:
            info = os.lstat(os.path.join(site, folder))
        except OSError:
            return False
        if not stat.S_ISDIR(info.st_mode) or (info.st_ino, info.st_mtime_ns) != seen:
            return False
    return True


def _identity(site: Path) -> tuple[int, int, int] | None:
    """Return a folder's device, inode and change time, which renaming it changes."""
    try:
        info = site.lstat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_ctime_ns)


#: What a build left in a site folder: relative path -> (inode, size, modification time in ns,
#: mode, SHA-256 of the bytes). A file whose inode, size, modification time and mode are still
#: those holds those bytes, unless something rewrote it and set its modification time back.
Entry = tuple[int, int, int, int, bytes]
Manifest = dict[str, Entry]


def _entry(path: str, digest: bytes) -> Entry:
    return (*_stat_key(os.lstat(path)), digest)


def _stat_key(info: os.stat_result) -> tuple[int, int, int, int]:
    """Return what an entry notes of a file besides its digest: inode, size, modification time, mode."""
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)


def _vouched(path: str, entry: Entry | None, digest: bytes) -> bool:
    """Tell whether a manifest's ``entry`` shows that ``path`` holds the bytes of ``digest``.

    That is so while the file is the regular file the entry describes: same inode, size,
    modification time and mode (a file made unreadable, say, is looked at again).
    """
    if entry is None:
        return False
    noted, held = entry[:4], entry[4]
    if held != digest:
        return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and _stat_key(info) == noted


class Manifests:
    """What the builds left in the site folders they wrote, so that checking a file needs no read.

    Reading back each file of a kept site to compare it took most of the time of writing a
    site of 20,000 files again (0.5 s); a file's inode, size, time and mode take a stat() instead.
    Each folder's manifest is kept in .confsite-cache/manifests/ under the folder's inode,
    which stays the folder's own when it is renamed (swapped in, kept aside).
    """

    def __init__(self) -> None:
        self.folder = Path.cwd() / cache.ROOT / "manifests"

    def _name(self, site: Path) -> Path | None:
        try:
            info = site.lstat()
        except OSError:
            return None
        return self.folder / f"{info.st_dev}-{info.st_ino}.marshal"

    def of(self, site: Path) -> dict[str, object]:
        """Return the manifest of ``site`` (none without cache); :func:`_valid` checks an entry."""
        path = self._name(site)
        return cache.load_table(path) if path is not None else {}

    def store(self, site: Path, made: Manifest) -> None:
        """Keep what ``site`` holds now; keep the manifests of the newest few folders only."""
        path = self._name(site)
        if path is None or not cache.enabled():
            return
        cache.store_table(path, dict(made), versioned=False)
        try:
            others = list(self.folder.iterdir())
        except OSError:
            return
        cache.remove_older(others, KEPT_MANIFESTS, functools.partial(Path.unlink, missing_ok=True))


def _valid(value: object) -> Entry | None:
    """Return a manifest's entry if it is one (the file may have been tampered with)."""
    if (
        isinstance(value, tuple)
        and len(value) == 5
        and all(isinstance(part, int) for part in value[:4])
        and isinstance(value[4], bytes)
    ):
        return value
    return None


def _with_parents(folders: set[str]) -> set[str]:
    """Return the folders and every folder above them (relative paths)."""
    found: set[str] = set()
    for folder in folders:
        above = folder
        while above and above not in found:
            found.add(above)
            above = os.path.dirname(above)
    return found


def _holds(path: str, data: bytes) -> bool:
    """Tell whether ``path`` is a regular file (not a link) holding exactly ``data``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a FIFO must not block
    except OSError:  # no such file, a link, or another user's file
        return False
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):  # a folder, a FIFO, another size
        os.close(fd)
        return False
    with os.fdopen(fd, "rb") as file:
        return file.read() == data


def _spare(out: Path) -> Path | None:
    """Return where the site that ``out`` held before is kept (none when caches are off)."""
    if not cache.enabled():
        return None
    name = hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:16]
    return Path.cwd() / cache.ROOT / "spare" / name


def _claim_spare(out: Path, staging: Path, surveyed: Survey | None) -> Survey | None:
    """Move the kept site of ``out`` to ``staging``; return what it holds, or None.

    ``surveyed`` is what it held if it is still the site surveyed: the same folder (renaming a
    folder changes its change time, so a site used and kept again meanwhile is another), and
    each of its folders with the same inode and modification time once it is moved (no name
    added, removed or replaced). Moving it is atomic, so of two builds at once only one gets
    it. A kept site holding anything but folders and regular files of this user is not used.
    """
    spare = _spare(out)
    if spare is None:
        return None
    known = surveyed if surveyed is not None and surveyed.identity == _identity(spare) else None
    try:
        os.rename(spare, staging)
    except OSError:  # none kept, or on another file system
        return None
    found = known if known is not None and _as_surveyed(staging, known) else _survey_of(staging)
    if found is None:
        shutil.rmtree(staging, ignore_errors=True)
    return found


def _plain_tree(root: Path) -> tuple[set[str], dict[str, tuple[int, int]]] | None:
    """List the files and folders under ``root``; None if it holds links or anything odd.

    The folders ("" for ``root``) come with their inode and modification time, each taken
    before the folder is listed, so that a later change to it shows.
    """
    files: set[str] = set()
    folders: dict[str, tuple[int, int]] = {}
    try:
        info = root.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return None
        pending = [""]
        while pending:
            rel = pending.pop()
            here = os.path.join(root, rel)
            info = os.lstat(here)
            folders[rel] = (info.st_ino, info.st_mtime_ns)
            with os.scandir(here) as entries:
                for entry in entries:
                    path = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(path)
                    elif entry.is_file(follow_symlinks=False):
                        files.add(path)
                    else:
                        return None
    except OSError:
        return None
    return files, folders


def _keep_spare(old_site: Path, out: Path) -> None:
    """Keep the site that ``out`` held before this build, for the next build to update."""
    spare = _spare(out)
    if spare is None or not old_site.exists():
        return
    try:
        spare.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old_site, spare)
        os.utime(spare)
        others = list(spare.parent.iterdir())
    except OSError:  # another build kept one meanwhile, or another file system
        return
    cache.remove_older(others, KEPT_SITES, functools.partial(shutil.rmtree, ignore_errors=True))


def _link_unchanged(old: str, new: str, data: bytes, entry: Entry | None, digest: bytes) -> bool:
    """Hard-link ``old`` as ``new`` if it is a regular file (not a link) holding exactly ``data``.

    ``entry``: what ``old``'s manifest says of it; if that still holds, it need not be read.
    """
    if not _vouched(old, entry, digest) and not _holds(old, data):
        return False
    try:
        os.link(old, new, follow_symlinks=False)
    except OSError:  # a file system without hard links, or another user's file
        return False
    return True


def remove_stale_staging(out: Path) -> list[Path]:
    """Delete the staging folders that killed builds left beside ``out``; return them.

    Only folders named the way write_site names them (``.<out>.new-<pid>-<random>``), owned by
    this user, not links, and whose build process no longer runs are touched.
    """
    pattern = re.compile(re.escape(f".{out.name}.new-") + r"(?P<pid>\d+)-\w+")
    removed: list[Path] = []
    if os.name != "posix" or not out.parent.is_dir():
        return removed
    for entry in sorted(out.parent.iterdir()):
        match = pattern.fullmatch(entry.name)
        if match is None or _running(int(match["pid"])):
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    """Tell whether process ``pid`` runs (this one always counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 only checks (POSIX)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no pid of this system
        return True
    return True


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in place of ``out``; afterwards ``staging`` holds the old site."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(staging, out)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where unsupported."""
    renameat2 = libc.function("renameat2")
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
