"""What a recorded read is compared by: the digests of values, and the paths evaluated again.

A page records each value it read with its path (reads.py) and the value's digest. A later
build evaluates every recorded path on its own conference (:class:`Evaluator`) and compares
the digests: a page whose digests are all unchanged would render to the same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import operator
from collections.abc import Callable
from typing import Any

from . import memo
from .model import Conference
from .registration import State

#: One step from a value to the next: ("a", name) an attribute, ("i", key) an item, ("n", None)
#: the length, ("t", None) the type's name, ("c", args) a call. The first step of a path names
#: its root: ("conf",), ("reg",), or ("c", lang) for the page helper of a language.
Step = tuple[Any, ...]
ReadPath = tuple[Step, ...]
#: What a path's value is compared by: the ``repr`` of a string, number, truth value or None,
#: and a hash for anything else (see Digests).
Digest = str | bytes | None
#: The digest of a path that leads nowhere (a missing key, say): Evaluator.digest() gives it too.
ABSENT = None
#: Values that a recorded path may hold as an item key or a call argument.
_PLAIN = (str, int, float, bool, type(None))
PLAIN_TYPES = frozenset(_PLAIN)


def digest(value: object) -> bytes:
    """Return a short digest of a value's ``repr``: equal digests mean equal values.

    (That holds for the values pages read: strings, numbers, dates, times, Markup.)
    """
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Digests:
    """Digests of the values read during one build, made of the digests of their parts.

    A session shows up in ``conf.sessions``, ``conf.days`` and its part's ``sessions``; its
    digest is made once per build and reused for each. A string (Markup too), number, truth
    value or None is its own ``repr``; the digest of a tuple, list, dict or dataclass is a hash
    of its type and its parts; of anything else (dates, times), a hash of its ``repr``.
    """

    def __init__(self) -> None:
        #: id of a value -> the value (so that its id stays its own) and its digest
        self._by_id: dict[int, tuple[object, bytes]] = {}

    def of(self, value: object) -> str | bytes:
        """Return the digest of ``value``."""
        if isinstance(value, _PLAIN):
            return repr(value)
        return self._hash(value)

    def _hash(self, value: object) -> bytes:
        found = self._by_id.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        kind: Any = type(value)
        parts: Any
        lasting = False  # made by the last build too, if it is the same immutable object (memo.py)
        if kind is tuple or kind is list:
            parts = value
        elif isinstance(value, dict):
            parts = [item for pair in value.items() for item in pair]
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            lasting = kind.__dataclass_params__.frozen
            known = memo.get("digest", (value,)) if lasting else memo.MISSING
            if isinstance(known, bytes):
                self._by_id[id(value)] = (value, known)
                return known
            parts = _fields_of(kind)(value)
        else:
            made = digest(value)
            self._by_id[id(value)] = (value, made)
            return made
        # The parts are hashed as marshal's format 0 writes them: by type and content alone,
        # without references. Marshal takes values of the exact built-in types only, so where
        # a part is anything else (a Session, Markup), every part that is not plain stands in
        # by its digest: bytes, which no plain part is, so the two cannot be taken for each other.
        try:
            data = marshal.dumps((kind.__qualname__, tuple(parts)), 0)
        except ValueError:
            own = tuple(part if type(part) in PLAIN_TYPES else self._hash(part) for part in parts)
            data = marshal.dumps((kind.__qualname__, own), 0)
        made = hashlib.blake2b(data, digest_size=16).digest()
        self._by_id[id(value)] = (value, made)
        if lasting:
            memo.put("digest", (value,), made)
        return made


@functools.cache
def _fields_of(kind: Any) -> Callable[[Any], tuple[Any, ...]]:
    """Return what reads the fields of a dataclass, as a tuple."""
    names = [f.name for f in dataclasses.fields(kind)]
    read = operator.attrgetter(*names) if names else (lambda value: ())
    return read if len(names) != 1 else (lambda value: (read(value),))


#: What Evaluator holds for a path not yet evaluated.
_UNSEEN = object()


class Evaluator:
    """Evaluate recorded paths on a build's conference, to compare their digests."""

    def __init__(self, conf: Conference, state: State, helper: Callable[[str], Any]) -> None:
        """``helper(lang)`` makes the page helper of a language."""
        self._roots: dict[Step, Any] = {("conf",): conf, ("reg",): state}
        self._helper = helper
        self._values: dict[ReadPath, Any] = {}
        self._digests = Digests()

    def digest(self, path: ReadPath) -> Digest:
        """Return the digest of the value at ``path`` now, or ABSENT if it cannot be reached."""
        try:
            return self._digests.of(self._value(path))
        except Exception:  # gone, or changed shape: ABSENT, which differs from any value's digest
            return ABSENT

    def _value(self, path: ReadPath) -> Any:
        values = self._values
        value = values.get(path, _UNSEEN)
        if value is not _UNSEEN:
            return value
        if len(path) == 1:
            root = path[0]
            value = self._roots[root] if root[0] != "c" else self._helper(root[1])
        else:
            parent = values.get(path[:-1], _UNSEEN)  # (most paths share theirs with others)
            if parent is _UNSEEN:
                parent = self._value(path[:-1])
            kind, arg = path[-1]
            if kind == "a":
                value = getattr(parent, arg)
            elif kind == "i":
                value = parent[arg]
            elif kind == "n":
                value = len(parent)
            elif kind == "t":
                value = type(parent).__qualname__
            else:
                value = parent(*arg)
        values[path] = value
        return value
