"""The site kept for the next build, and the manifests that vouch for the files builds wrote.

The site that a build replaces is kept in .confsite-cache/spare/ (one per output folder), and
the next build brings it up to date as its staging folder (write.py), writing only the files
that changed. What it holds is looked at by :func:`survey` (a process of its own, early in the
build), and claimed by :func:`claim` when the site is written. A manifest per site folder
notes each file's inode, size, modification time, mode and SHA-256, so that a file still
having them need not be read back to be compared.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from . import cache

#: How many replaced sites are kept in .confsite-cache/spare (one per output folder).
KEPT_SITES = 2
#: How many site folders' manifests are kept (the output folders and the kept sites).
KEPT_MANIFESTS = 2 * (KEPT_SITES + 1)


@dataclass(frozen=True)
class Survey:
    """What a kept site held when it was looked at: its files and folders, and its manifest.

    Each folder's inode and modification time are noted too: adding, removing or replacing an
    entry of a folder changes its time, so a site whose folders all have theirs still holds
    the same names. What a file holds is not: the kept site shares its unchanged files with
    the published one (hard links), which another program may rewrite in place at any time.
    Each file is therefore checked against its manifest entry when it is used (``vouched``).
    """

    identity: tuple[int, int, int]  # the kept site's device, inode and change time (ns)
    files: set[str]
    folders: dict[str, tuple[int, int]]  # folder ("" for the site) -> inode, modification time (ns)
    entries: Manifest  # its manifest's entries of the files it holds


def survey(out: Path) -> Survey | None:
    """Look at the site kept for ``out``; None if there is none, or it holds links or anything odd.

    Listing its 20,000 files and reading its manifest takes 0.1 to 0.2 s at 1,000 sessions: a
    build does it in a process of its own while it reads the content and renders
    (``workers.Started``), and hands the result to write.write_site.
    """
    spare = spare_of(out)
    return survey_of(spare) if spare is not None else None


def survey_of(site: Path) -> Survey | None:
    identity = _identity(site)
    listed = _plain_tree(site) if identity is not None else None
    if identity is None or listed is None:
        return None
    files, folders = listed
    manifest = Manifests().of(site).items()
    entries = {
        rel: entry for rel, value in manifest if rel in files and (entry := valid_entry(value)) is not None
    }
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


def entry_of(path: str, digest: bytes) -> Entry:
    return (*_stat_key(os.lstat(path)), digest)


def _stat_key(info: os.stat_result) -> tuple[int, int, int, int]:
    """Return what an entry notes of a file besides its digest: inode, size, modification time, mode."""
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)


def vouched(path: str, entry: Entry | None, digest: bytes, mode: int) -> bool:
    """Tell whether a manifest's ``entry`` shows that ``path`` holds the bytes of ``digest``, with ``mode``.

    That is so while the file is the regular file the entry describes: same inode, size,
    modification time and mode (a file made unreadable, say, is looked at again), and the
    entry's permissions are ``mode``, those a file made now gets.
    """
    if entry is None:
        return False
    noted, held = entry[:4], entry[4]
    if held != digest or stat.S_IMODE(noted[3]) != mode:
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
        """Return the manifest of ``site`` (none without cache); :func:`valid_entry` checks an entry."""
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


def valid_entry(value: object) -> Entry | None:
    """Return a manifest's entry if it is one (the file may have been tampered with)."""
    if (
        isinstance(value, tuple)
        and len(value) == 5
        and all(isinstance(part, int) for part in value[:4])
        and isinstance(value[4], bytes)
    ):
        return value
    return None


def spare_of(out: Path) -> Path | None:
    """Return where the site that ``out`` held before is kept (none when caches are off)."""
    if not cache.enabled():
        return None
    name = hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:16]
    return Path.cwd() / cache.ROOT / "spare" / name


def claim(out: Path, staging: Path, surveyed: Survey | None) -> Survey | None:
    """Move the kept site of ``out`` to ``staging``; return what it holds, or None.

    ``surveyed`` is what it held if it is still the site surveyed: the same folder (renaming a
    folder changes its change time, so a site used and kept again meanwhile is another), and
    each of its folders with the same inode and modification time once it is moved (no name
    added, removed or replaced). Moving it is atomic, so of two builds at once only one gets
    it. A kept site holding anything but folders and regular files of this user is not used.
    """
    spare = spare_of(out)
    if spare is None:
        return None
    known = surveyed if surveyed is not None and surveyed.identity == _identity(spare) else None
    try:
        os.rename(spare, staging)
    except OSError:  # none kept, or on another file system
        return None
    found = known if known is not None and _as_surveyed(staging, known) else survey_of(staging)
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


def keep(old_site: Path, out: Path) -> None:
    """Keep the site that ``out`` held before this build, for the next build to update."""
    spare = spare_of(out)
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
