"""The only code that touches the output folder: write beside it, then swap atomically."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

#: Files whose presence marks a folder as an earlier build that may be replaced.
_MARKERS = ("index.html", "sitemap.xml")
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output folder cannot be written or must not be replaced."""


def safe_relative(path: str) -> PurePosixPath:
    """Check that an output path stays inside the output folder."""
    rel = PurePosixPath(path)
    if (
        rel.is_absolute()
        or not rel.parts
        or any(p in ("", ".", "..") for p in rel.parts)
        or "\\" in path
        or any(ord(ch) < 32 for ch in path)
    ):
        raise OutputError(f"refusing to write outside the output folder: {path!r}")
    return rel


def check_replaceable(out: Path) -> None:
    """Refuse to replace a folder that is not empty and not an earlier build."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if any(out.iterdir()) and not all((out / m).is_file() for m in _MARKERS):
        raise OutputError(
            f"{out} is not empty and does not look like a built site (no {' and '.join(_MARKERS)});"
            " choose another --out or empty it"
        )


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write every file into a new folder beside ``out``, then swap it in as a whole.

    A file whose bytes equal those of the same file in the current ``out`` is hard-linked from
    there instead of written again: ``out`` is not changed before the swap, an unchanged file
    keeps its modification time (so deploying by rsync copies only what changed), and a
    rebuild after a small edit writes little.
    """
    check_replaceable(out)
    targets = {safe_relative(path).as_posix(): data for path, data in files.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        staging.chmod(0o755)
        for folder in sorted({os.path.dirname(rel) for rel in targets}):
            os.makedirs(os.path.join(staging, folder), exist_ok=True)
        for rel, data in sorted(targets.items()):
            target = os.path.join(staging, rel)
            if not _link_unchanged(os.path.join(out, rel), target, data):
                with open(target, "wb") as file:
                    file.write(data)
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _link_unchanged(old: str, new: str, data: bytes) -> bool:
    """Hard-link ``old`` as ``new`` if it is a regular file (not a link) holding exactly ``data``."""
    try:
        fd = os.open(old, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            same = stat.S_ISREG(info.st_mode) and info.st_size == len(data) and file.read() == data
        if same:
            os.link(old, new, follow_symlinks=False)
    except OSError:  # no such file, or a file system without hard links, or another user's file
        return False
    return same


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
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
