"""Run one function over many items on every core, in forked processes that share the caller's memory.

A worker is forked after the caller has built everything the work needs (the conference,
the renderer, warm caches), so only an item (an index, a path) goes to it and only the
result (bytes) comes back: nothing large is pickled. Where fork is not available, or there
is too little work to share, the items are done one after another in this process. Either
way the results come back in the order of the items, so the output does not depend on it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from . import libc

Item = TypeVar("Item")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1
#: Below this many items, starting processes costs more than it saves.
MIN_ITEMS = 64

#: The function and the items the forked workers read (they inherit them); set while a pool runs.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    """Return how many processes to use: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_items(
    work: Callable[[Item], Result], items: Sequence[Item], jobs: int = 1, min_items: int = MIN_ITEMS
) -> list[Result]:
    """Return ``[work(item) for item in items]``, computed by ``jobs`` forked processes."""
    return list(each_item(work, items, jobs, min_items))


def each_item(
    work: Callable[[Item], Result], items: Sequence[Item], jobs: int = 1, min_items: int = MIN_ITEMS
) -> Iterator[Result]:
    """Yield ``work(item)`` for each item in order, computed by ``jobs`` forked processes.

    A result can be used up as soon as it arrives: the caller need not hold them all at once.
    """
    global _job  # noqa: PLW0603  (the forked workers read it)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(items) < max(min_items, 2) or not forkable or _job is not None:
        # (_job is set inside a worker or while a pool runs: no pools within pools)
        yield from (work(item) for item in items)
        return
    jobs = min(jobs, len(items))
    chunk = max(1, len(items) // (jobs * 8))  # small chunks keep every process busy to the end
    _job = (work, items)
    try:
        with multiprocessing.get_context("fork").Pool(jobs, _follow, (os.getpid(),)) as pool:
            yield from pool.imap(_call, range(len(items)), chunksize=chunk)
    finally:
        _job = None


def _follow(parent: int) -> None:
    """Make a worker end with the build that started it, even when that is killed (Linux)."""
    prctl = libc.function("prctl")
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build ended before the line above took effect
        os._exit(1)


def _call(index: int) -> Any:
    """Do one item in a worker: only its index came through the pipe."""
    assert _job is not None
    work, items = _job
    return work(items[index])
