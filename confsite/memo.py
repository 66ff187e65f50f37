"""What earlier builds in this process made of the same objects, to be taken again.

The preview builds after every save, in one process, and holds its cache tables in memory.
Of a program of 1,000 sessions one session changed: the parsed documents of the other files,
and the other sessions' parts of the changed one, are the very objects of the last build
(keptparse._KeptParses.documents, reparse.py). What was made of them is taken again instead of
being made anew: checked records (fields.parse_record), sessions and people (assemble.py) and
digests (digests.Digests).

A result is kept under its inputs, compared by identity, and under other values (``also``),
compared by value, for as long as every input lives: it is held by a weak reference, and the
entry goes when the input goes, so an ``id`` is never taken for another object's. Every input
is immutable (a parsed document is never changed), and each function remembered here is a
function of its inputs alone.

Results are kept only while the cache tables are held in memory (cache.held_in_memory, the
preview): a build from the command line makes everything once, and would only pay for them.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, cast

from . import cache

#: (kind, id of each input, the other values) -> (weak references to the inputs, the result)
_entries: dict[tuple[Any, ...], tuple[tuple[weakref.ref[Any], ...], Any]] = {}

#: What get() answers when nothing is kept.
MISSING = object()

T = TypeVar("T")


def get(kind: str, inputs: tuple[Any, ...], also: tuple[Any, ...] = ()) -> Any:
    """Return what was made as ``kind`` of ``inputs`` and ``also``, or MISSING.

    ``inputs`` are compared by identity (these very objects), ``also`` by value.
    """
    found = _entries.get((kind, *map(id, inputs), *also))
    if found is None:
        return MISSING
    refs, result = found
    if any(ref() is not value for ref, value in zip(refs, inputs, strict=True)):
        return MISSING  # (cannot happen while the entry is there; a guard all the same)
    return result


def put(kind: str, inputs: tuple[Any, ...], result: Any, also: tuple[Any, ...] = ()) -> Any:
    """Keep ``result`` as what ``kind`` made of ``inputs`` and ``also`` while they live; return it."""
    if not cache.held():
        return result
    key = (kind, *map(id, inputs), *also)
    try:
        forget = functools.partial(_forget, _entries, key)  # (holds the table: see _forget)
        refs = tuple(weakref.ref(value, forget) for value in inputs)
    except TypeError:  # an input that cannot be referred to weakly: nothing is kept
        return result
    _entries[key] = (refs, result)
    return result


def made(
    kind: str,
    inputs: tuple[Any, ...],
    make: Callable[[], T],
    also: tuple[Any, ...] = (),
    keep: Callable[[], bool] = lambda: True,
) -> T:
    """Return what was made as ``kind`` of ``inputs`` and ``also``, or ``make()`` it.

    What is made anew is kept if ``keep()`` says so once it is made (a record checked without a
    problem, say).
    """
    found = get(kind, inputs, also)
    if found is not MISSING:
        return cast(T, found)
    result = make()
    return put(kind, inputs, result, also) if keep() else result


def _forget(entries: dict[tuple[Any, ...], Any], key: tuple[Any, ...], _: weakref.ref[Any]) -> None:
    # The table comes as an argument: at exit, inputs die after this module's names are gone.
    entries.pop(key, None)


def size(kind: str) -> int:
    """Return the number of results of ``kind`` kept."""
    return sum(1 for key in _entries if key[0] == kind)
