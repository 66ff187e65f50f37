"""The only code that touches the output folder: write beside it, then swap atomically."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
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
    if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..") for p in rel.parts) or "\\" in path:
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
    """Write every file into a new folder beside ``out``, then swap it in as a whole."""
    check_replaceable(out)
    targets = {safe_relative(path): data for path, data in files.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o755)
        folders = {staging / rel.parent for rel in targets}
        for folder in sorted(folders):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, data in sorted(targets.items()):
            (staging / rel).write_bytes(data)
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


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
