"""Pages kept between builds with what they read, used again while none of that changed.

"Pages" are the HTML pages, the entry page, 404 page and sitemap, and the pieces that the
calendars are put together from, each under its own key (a file name, or "ics event de s01").
The table (.confsite-cache/pages-<version>.marshal) holds the site's fingerprint, every path
that some page read (reads.py) with its digest, and each page's bytes with the paths it read.
A page is used again when the fingerprint is the same and every one of its paths evaluates,
on the new conference, to a value with the same digest. The version names confsite's code
and the libraries that render: other code never reads the table.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

import babel
import icalendar
import jinja2

from . import cache, markup
from .digests import Digest, Evaluator, ReadPath
from .reads import Page, Reused
from .walk import FileState, file_state


@functools.cache
def _version() -> str:
    """Name the code that renders pages: every module of confsite and the libraries' versions."""
    package = Path(__file__).resolve().parent
    sources = [path.read_bytes() for path in sorted(package.rglob("*.py"))]
    libraries = [library.__version__ for library in (jinja2, babel, icalendar)]
    libraries += [cache.installed("markdown_it"), cache.installed("markupsafe"), markup.NH3_VERSION]
    return cache.version(*sources, *libraries)


@dataclass(frozen=True)
class Kept:
    """The pages of the last build: its fingerprint, the paths read and their digests, the pages."""

    fingerprint: str
    paths: tuple[ReadPath, ...]
    digests: tuple[Digest, ...]
    pages: dict[str, tuple[tuple[int, ...], bytes]]  # key -> indices of its paths, bytes

    @functools.cached_property
    def index(self) -> dict[ReadPath, int]:
        """Return the index of every path (a preview's next build starts from it)."""
        return {path: i for i, path in enumerate(self.paths)}


def load() -> Kept | None:
    """Read the pages of the last build, or None (no cache, another version, or a bad table).

    A process that builds again (the preview) keeps the table it wrote or read last, for as
    long as the file is the one it wrote or read.
    """
    if not cache.enabled():
        return None
    path = cache.table_path("pages", _version())
    seen = file_state(path)
    if _last is not None and _last[0] == (path, seen) and (seen is not None or cache.held()):
        return _last[1]  # (no file yet: the table is held in memory, see cache.held_in_memory)
    table = cache.load_table(path)
    try:
        kept = Kept(table["fingerprint"], table["paths"], table["digests"], table["pages"])
    except KeyError:
        return None
    shaped = isinstance(kept.paths, tuple) and isinstance(kept.digests, tuple)
    if not (shaped and len(kept.paths) == len(kept.digests)):
        return None
    if not (isinstance(kept.fingerprint, str) and isinstance(kept.pages, dict)):
        return None
    if not all(map(_is_entry, kept.pages.values())):  # (3 ms for the 10,767 of 1,000 sessions)
        return None
    _remember(path, kept)
    return kept


def _is_entry(entry: object) -> bool:
    """Tell whether a kept page is one: the indices of its paths, and its bytes."""
    return type(entry) is tuple and len(entry) == 2 and type(entry[0]) is tuple and type(entry[1]) is bytes


#: The table this process last wrote or read: (its file and the file's state), the table.
_last: tuple[tuple[Path, FileState | None], Kept] | None = None


def _remember(path: Path, kept: Kept) -> None:
    global _last  # noqa: PLW0603  (one table per process)
    _last = ((path, file_state(path)), kept)


#: Separates a page's key from the name of one of its fragments in a fragment's key.
FRAGMENT = "\0"


class Reuse:
    """What the last build's table offers this one: the pages and fragments whose reads are unchanged."""

    def __init__(self, kept: Kept | None, fingerprint: str, evaluator: Evaluator) -> None:
        """Evaluate every path that ``kept`` holds, unless it was made under another fingerprint."""
        self.kept = kept if kept is not None and kept.fingerprint == fingerprint else None
        self._changed: set[int] = set()
        if self.kept is not None:  # (load() checked its shape; digest() takes any path)
            digests = self.kept.digests
            paths = enumerate(self.kept.paths)
            self._changed = {i for i, path in paths if evaluator.digest(path) != digests[i]}

    def get(self, key: str) -> tuple[tuple[int, ...], bytes] | None:
        """Return the kept entry of ``key`` (its paths and bytes) if its reads are unchanged."""
        entry = self.kept.pages.get(key) if self.kept is not None else None
        return entry if entry is not None and self._changed.isdisjoint(entry[0]) else None

    def pages(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the kept pages among ``keys`` whose reads are unchanged: key -> bytes."""
        return {key: entry[1] for key in keys if (entry := self.get(key)) is not None}


#: A page as it comes from the process that rendered it: its bytes, the numbers of the paths
#: it read (None: it cannot be kept), the number of the first path that the process numbered
#: for it, those paths (with their digests), and the kept paths it uses again.
Numbered = tuple[bytes, tuple[int, ...] | None, int, list[tuple[ReadPath, Digest]], Reused]


class Numbering:
    """Numbers the paths that the pages rendered by one process read, as they are first read.

    A path and its digest cross to the build's process once, with the first page that read
    it; every other page sends the path's number (Table.add). Of the 435,000 reads of the
    pages, pieces and fragments of 1,000 sessions, 44,000 are distinct: their results, as
    pickled for the build's process, shrink from 54.5 MB to 42.9 MB (the pages' bytes), and
    that process spends 0.23 s instead of 0.74 s unpickling them and 0.07 s instead of 0.23 s
    putting them in its table, beside the workers on two cores.
    """

    def __init__(self) -> None:
        self._numbers: dict[ReadPath, int] = {}

    def number(self, page: Page) -> Numbered:
        """Return ``page`` with its paths numbered; those read first send themselves."""
        data, page_reads, used_again = page
        numbers = self._numbers
        first = len(numbers)
        if page_reads is None:
            return data, None, first, [], used_again
        new, ids = [], []
        for path, value in page_reads.items():
            n = numbers.get(path)
            if n is None:
                n = numbers[path] = len(numbers)
                new.append((path, value))
            ids.append(n)
        return data, tuple(ids), first, new, used_again


class Table:
    """The table of this build, made from the last one: the pages used again, and those rendered.

    It grows by the paths that the rendered pages read first; it is written anew without the
    paths no page reads any more when those are half of it. Each rendered page is added as it
    arrives, so that only the distinct paths are held, not every page's own.
    """

    def __init__(self, fingerprint: str, kept: Kept | None, reused: Collection[str]) -> None:
        """Start from the pages ``reused`` (and their fragments) of ``kept``.

        ``kept``: the last table if it was made under this fingerprint (Reuse.kept).
        """
        self.fingerprint = fingerprint
        self._kept = kept
        self._paths = list(self._kept.paths) if self._kept is not None else []
        self._digests = list(self._kept.digests) if self._kept is not None else []
        self._pages: dict[str, tuple[tuple[int, ...], bytes]] = {}
        if self._kept is not None:
            pages = set(reused)
            self._pages = {k: v for k, v in self._kept.pages.items() if k.partition(FRAGMENT)[0] in pages}
        self._changed = kept is None or len(self._pages) != len(kept.pages)
        self._index: dict[ReadPath, int] | None = None
        self._grown = False  # whether a path was added
        #: Each source's numbers of paths (Numbering) -> their indices in this table.
        self._sources: dict[Hashable, list[int]] = {}

    def add(self, source: Hashable, key: str, page: Numbered) -> None:
        """Add a rendered page with its reads (one that cannot be kept is left out).

        ``source`` names the Numbering that numbered its paths; the pages of one source must
        come in the order it numbered them.
        """
        data, numbers, first, new, used_again = page
        if numbers is None:  # (if the last table had it, it differs by that already)
            return
        self._changed = True
        if self._index is None:
            try:
                self._index = dict(self._kept.index) if self._kept is not None else {}
            except TypeError:  # a table of another shape: this one starts anew
                self._paths, self._digests, self._pages, self._index = [], [], {}, {}
                self._kept = None
        index, numbered = self._index, self._sources.setdefault(source, [])
        if first != len(numbered):
            raise RuntimeError(f"page {key!r} came before others of its process ({source})")
        for path, value in new:
            i = index.get(path)
            if i is None:
                i = index[path] = len(self._paths)
                self._paths.append(path)
                self._digests.append(value)
                self._grown = True
            else:
                # Every page that read the old value is rendered again: the Evaluator gives
                # the same digest for a value as the recording does, so no kept page reads i.
                self._digests[i] = value
            numbered.append(i)
        if used_again and self._kept is None:  # (its kept fragments' paths are not this table's)
            return
        ids = [i for kept_ids in used_again for i in kept_ids]
        ids.extend([numbered[n] for n in numbers])
        self._pages[key] = (tuple(dict.fromkeys(ids)), data)

    def add_fragments(self, source: Hashable, fragments: Iterable[tuple[str, Numbered | None]]) -> None:
        """Add the fragments of a rendered page: rendered ones, and kept ones used again (None)."""
        for key, fragment in fragments:
            if fragment is not None:
                self.add(source, key, fragment)
            elif self._kept is not None:
                self._pages[key] = self._kept.pages[key]

    def store(self) -> None:
        """Keep the table for the next build, if it changed."""
        if not cache.enabled() or not self._changed:
            return
        paths, digests, pages, index = self._paths, self._digests, self._pages, self._index
        # Paths no page reads any more are dropped once they are half of the table (looked at
        # when the table grew: the preview stores a table after every edit).
        used = sorted({i for ids, _ in pages.values() for i in ids}) if self._grown else None
        if used is not None and len(used) * 2 < len(paths):
            renumber = {old: new for new, old in enumerate(used)}
            paths, digests = [paths[i] for i in used], [digests[i] for i in used]
            pages = {key: (tuple(renumber[i] for i in ids), data) for key, (ids, data) in pages.items()}
            index = None
        kept = Kept(self.fingerprint, tuple(paths), tuple(digests), pages)
        if index is not None:
            kept.__dict__["index"] = index  # (functools.cached_property: computed already)
        _write(kept)


def _write(kept: Kept) -> None:
    path = cache.table_path("pages", _version())
    fields = {"fingerprint": kept.fingerprint, "paths": kept.paths, "digests": kept.digests}
    cache.store_table(path, {**fields, "pages": kept.pages})
    _remember(path, kept)
