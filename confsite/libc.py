"""The C library's functions that Python does not offer (Linux): looked up once per process."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


@functools.cache
def function(name: str) -> Any | None:
    """Return the C library's function ``name`` (errno kept for ctypes.get_errno), or None."""
    found = ctypes.util.find_library("c")
    if found is None:
        return None
    return getattr(ctypes.CDLL(found, use_errno=True), name, None)
