"""Work on every core, in forked processes that share the caller's memory.

``each_item``/``map_items`` run one function over many items on a pool of workers. A worker
is forked after the caller has built everything the work needs (the conference, the
renderer, warm caches), so only an item's index goes to it, and only its result comes back,
pickled (the pages of 1,000 sessions with their reads: 42.9 MB). Where fork is not
available, or there is too little work to share, the items are done one after another in
this process. Either way the results come back in the order of the items, so the output
does not depend on it.

``Started`` runs one function in a forked process while the caller goes on (the
feeds beside the pages, the share images, writing the cache tables).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Generator, Sequence
from typing import Any, Generic, TypeVar

from . import libc

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items, starting processes costs more than it saves.
MIN_ITEMS = 64
#: Whether this system can fork (POSIX): multiprocessing's "fork", without importing it.
FORKABLE = hasattr(os, "fork")

#: The function and the items the forked workers read (they inherit them); set while a pool runs.
#: With them the flag that tells the workers to skip the items left (a shared byte).
_job: tuple[Callable[[Any], Any], Sequence[Any], Any] | None = None


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
) -> Generator[Result, None, None]:
    """Yield ``work(item)`` for each item in order, computed by ``jobs`` forked processes.

    A result can be used up as soon as it arrives: the caller need not hold them all at once.
    Each process does its items in their order too: the pool hands out chunks of items from
    one queue, in order, and a process takes the next chunk once it is done with its last
    (render._make relies on that). If a process ends abruptly (killed, or crashed in a C
    library), the items not yet yielded are done here, as work started aside is (Started):
    a multiprocessing.Pool would wait for them forever. If an item fails, or the caller stops
    taking results, the processes skip the rest of their chunks: each ends the item it is
    doing and hands its result over whole. (Killing them instead could cut a large result in
    the middle of the pipe, and leave the pool waiting for its end forever: a review made that
    happen with results of 4 MB.) A caller that may stop early closes the generator
    (``close()``, or contextlib.closing), so that this happens then and not whenever the
    generator is collected.
    """
    global _job  # noqa: PLW0603  (the forked workers read it)
    if jobs <= 1 or len(items) < max(min_items, 2) or not FORKABLE or _job is not None:
        # (_job is set inside a worker or while a pool runs: no pools within pools)
        yield from (work(item) for item in items)
        return
    # Imported here: a small site never starts a pool, and they take 12 ms to import.
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    jobs = min(jobs, len(items))
    chunk = max(1, len(items) // (jobs * 8))  # small chunks keep every process busy to the end
    context = multiprocessing.get_context("fork")
    stop = context.RawValue("b", 0)  # (shared with the workers; set, they skip their items)
    _job = (work, items, stop)
    done, ended = 0, False
    try:
        pool = ProcessPoolExecutor(jobs, context, initializer=_follow, initargs=(os.getpid(),))
        try:
            for result in pool.map(_call, range(len(items)), chunksize=chunk):
                yield result
                done += 1
            ended = True
        except BrokenProcessPool:
            log.warning("a worker process ended abruptly; doing its work in this one")
            ended = True
        finally:
            if not ended:  # an item failed, or the caller stopped: the rest is not wanted
                stop.value = 1
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _job = None
    yield from (work(item) for item in items[done:])


def _follow(parent: int) -> None:
    """Make a worker end with the build that started it, even when that is killed (Linux)."""
    libc.end_with_parent()
    if os.getppid() != parent:  # the build ended before the line above took effect
        os._exit(1)


def _call(index: int) -> Any:
    """Do one item in a worker: only its index came through the pipe."""
    assert _job is not None
    work, items, stop = _job
    return work(items[index]) if not stop.value else None


class Started(Generic[Result]):
    """The result of a function that a forked process works on while this one goes on.

    The process is forked at once; a ``with`` block ends it, if its result was not asked for.
    Only the result comes back, pickled, through a pipe. Where fork is not available or fails,
    or this process runs other threads (forking those is unsafe), the function runs in this
    process when its result is asked for; so it does if the forked process fails.
    """

    def __init__(self, work: Callable[[], Result], fork: bool = True) -> None:
        """Fork a process that does ``work`` (unless not ``fork``: then result() does it)."""
        self._work = work
        self._child: tuple[int, int] | None = None  # the process and the pipe's end to read
        if not (fork and FORKABLE) or threading.active_count() > 1 or _job is not None:
            return
        parent = os.getpid()
        try:
            read, write = os.pipe()
        except OSError:  # (too many open files)
            return
        try:
            pid = os.fork()
        except OSError:  # (no process to be had: too many of them, or too little memory)
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the forked process: it does the work, sends the result and ends
            os.close(read)
            status = 1
            try:
                _follow(parent)
                data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with open(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._child = (pid, read)

    @property
    def forked(self) -> bool:
        """Tell whether a forked process does the work (until its result is asked for)."""
        return self._child is not None

    def result(self) -> Result:
        """Wait for the result; if the process failed, do the work here (it raises what it raises)."""
        if self._child is None:
            return self._work()
        pid, read = self._child
        self._child = None
        with open(read, "rb") as pipe:
            data = pipe.read()
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # (reaped already: SIGCHLD ignored; the pickle tells)
            status = 0
        if status == 0:
            with contextlib.suppress(pickle.UnpicklingError, EOFError):  # (it ended halfway)
                result: Result = pickle.loads(data)
                return result
        return self._work()

    def __enter__(self) -> Started[Result]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()

    def cancel(self) -> None:
        """End the process if its result was not asked for (as leaving a ``with`` block does)."""
        if self._child is None:
            return
        pid, read = self._child
        self._child = None
        os.close(read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
