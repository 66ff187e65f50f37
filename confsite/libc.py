"""The two Linux calls that Python does not offer, through the C library (looked up once per process)."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path
from typing import Any

#: prctl's option that sends the calling process a signal when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: renameat2's flag that swaps the two names (linux/fs.h), and its "relative to the working folder".
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def function(name: str) -> Any | None:
    """Return the C library's function ``name`` (errno kept for ctypes.get_errno), or None.

    Looked up among the symbols the Python process has loaded, the C library's among them:
    ``ctypes.util.find_library`` would start ``ldconfig -p`` for it, in every forked worker.
    """
    if os.name != "posix":
        return None
    import ctypes  # noqa: PLC0415  (2 ms: only forked workers and the final swap need it)

    return getattr(ctypes.CDLL(None, use_errno=True), name, None)


def end_with_parent() -> None:
    """Have this process killed when the process that started it ends (Linux; elsewhere nothing)."""
    prctl = function("prctl")
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def exchange(a: Path, b: Path) -> bool:
    """Swap two names in one atomic step (renameat2); False where that is not supported or fails."""
    renameat2 = function("renameat2")
    if renameat2 is None:
        return False
    return bool(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0)
