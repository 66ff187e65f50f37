"""HTML pages kept between builds with what they read, used again while none of that changed.

The table (.confsite-cache/pages-<version>.marshal) holds the site's fingerprint, every path
that some page read (reads.py) with its digest, and each page's bytes with the paths it read.
A page is used again when the fingerprint is the same and every one of its paths evaluates,
on the new conference, to a value with the same digest.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import cache
from .reads import Evaluator, ReadPath

#: A rendered page: its bytes and its reads (None: it read something that cannot be recorded).
Page = tuple[bytes, dict[ReadPath, bytes] | None]

#: The libraries whose versions can change a page's bytes.
_LIBRARIES = ("Jinja2", "MarkupSafe", "markdown-it-py", "nh3", "Babel")


@functools.cache
def _version() -> str:
    """Name the code that renders pages: every module of confsite and the libraries' versions."""
    package = Path(__file__).resolve().parent
    sources = [path.read_bytes() for path in sorted(package.rglob("*.py"))]
    return cache.version(*sources, *(metadata.version(name) for name in _LIBRARIES))


@dataclass(frozen=True)
class Kept:
    """The pages of the last build: its fingerprint, the paths read and their digests, the pages."""

    fingerprint: str
    paths: tuple[ReadPath, ...]
    digests: tuple[bytes, ...]
    pages: dict[str, tuple[tuple[int, ...], bytes]]


def load() -> Kept | None:
    """Read the pages of the last build, or None (no cache, another version, or a bad table)."""
    table = cache.load_table(cache.table_path("pages", _version()))
    try:
        kept = Kept(table["fingerprint"], table["paths"], table["digests"], table["pages"])
    except KeyError:
        return None
    if not (isinstance(kept.fingerprint, str) and isinstance(kept.pages, dict)):
        return None
    return kept


def reusable(
    kept: Kept | None, fingerprint: str, evaluator: Evaluator, files: Iterable[str]
) -> dict[str, Page]:
    """Return the kept pages among ``files`` whose reads are unchanged: file -> (bytes, reads)."""
    if kept is None or kept.fingerprint != fingerprint:
        return {}
    now: dict[int, bytes | None] = {}
    found: dict[str, Page] = {}
    for file in files:
        entry = kept.pages.get(file)
        if entry is None:
            continue
        ids, data = entry
        for i in ids:
            if i not in now:
                now[i] = evaluator.digest(kept.paths[i])
            if now[i] != kept.digests[i]:
                break
        else:
            found[file] = (data, {kept.paths[i]: kept.digests[i] for i in ids})
    return found


def store(fingerprint: str, pages: dict[str, Page], before: Kept | None) -> None:
    """Keep the recorded pages of this build for the next one (unless nothing changed)."""
    if not cache.enabled():
        return
    index: dict[ReadPath, int] = {}
    digests: list[bytes] = []
    table: dict[str, tuple[tuple[int, ...], bytes]] = {}
    for file, (data, page_reads) in sorted(pages.items()):
        if page_reads is None:
            continue
        ids = []
        for path, value in page_reads.items():
            if path not in index:
                index[path] = len(digests)
                digests.append(value)
            ids.append(index[path])
        table[file] = (tuple(ids), data)
    now = Kept(fingerprint, tuple(index), tuple(digests), table)
    if now != before:
        stored = {"fingerprint": fingerprint, "paths": now.paths, "digests": now.digests, "pages": table}
        cache.store_table(cache.table_path("pages", _version()), stored)
