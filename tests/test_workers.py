"""Work started in a forked process (workers.Started): the feeds are made beside the pages.

Each case runs in a Python process of its own: the test process may run threads (servers of
other tests), and a process with threads is never forked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from confsite import libc

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, *args: str, cwd: Path | None = None) -> list[str]:
    """Run ``script`` with confsite.workers imported (``args``, in ``cwd``); return the words it printed."""
    code = "import os, sys, threading, time\nfrom confsite import workers\n" + textwrap.dedent(script)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_work_is_done_by_another_process_while_this_one_goes_on() -> None:
    here, there, gap = run(
        """
        started = time.monotonic()
        with workers.Started(lambda: (time.sleep(0.5), os.getpid())[1]) as child:
            waited = time.monotonic() - started
            print(os.getpid(), child.result(), f"{waited < 0.4}")
        """
    )
    assert here != there and gap == "True"


def test_the_result_comes_back_whole() -> None:
    (same,) = run(
        """
        made = {f"page {i}": bytes([i % 256]) * 100_000 for i in range(50)}  # more than a pipe holds
        with workers.Started(lambda: made) as child:
            print(child.result() == made)
        """
    )
    assert same == "True"


def test_work_that_fails_in_the_process_is_done_again_here() -> None:
    """Its exception (or its right result) then comes from this process, as without a fork."""
    lines = run(
        """
        parent = os.getpid()
        def work():
            if os.getpid() != parent:
                raise MemoryError("the forked process ran out")
            return "made here"
        with workers.Started(work) as child:
            print(child.result())
        def broken():
            raise ValueError("bad content")
        try:
            with workers.Started(broken) as child:
                child.result()
        except ValueError as error:
            print(type(error).__name__)
        """
    )
    assert lines == ["made", "here", "ValueError"]


def test_a_result_not_asked_for_ends_its_process() -> None:
    (gone,) = run(
        """
        with workers.Started(lambda: time.sleep(60)) as child:
            pid = child._child[0]
        try:
            os.kill(pid, 0)
            gone = False
        except ProcessLookupError:
            gone = True
        print(gone)
        """
    )
    assert gone == "True"


def test_no_process_is_forked_beside_other_threads_or_when_told_not_to() -> None:
    lines = run(
        """
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        with workers.Started(os.getpid) as child:
            print(child.result() == os.getpid())
        stop.set()
        other.join()
        with workers.Started(os.getpid, fork=False) as child:
            print(child.result() == os.getpid())
        with workers.Started(os.getpid) as child:
            print(child.result() == os.getpid())
        """
    )
    assert lines == ["True", "True", "False"]


def test_without_a_process_to_be_had_the_work_is_done_here() -> None:
    lines = run(
        """
        def no_fork():
            raise BlockingIOError(11, "Resource temporarily unavailable")
        os.fork = no_fork
        with workers.Started(os.getpid) as child:
            print(child.result() == os.getpid())
        """
    )
    assert lines == ["True"]


def test_a_result_comes_back_where_children_are_reaped_at_once() -> None:
    """With SIGCHLD ignored the system reaps the process itself: waitpid() finds none."""
    lines = run(
        """
        import signal
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        with workers.Started(lambda: (os.getpid(), "made")) as child:
            pid, made = child.result()
            print(pid != os.getpid(), made)
        with workers.Started(lambda: time.sleep(60)) as child:
            pass
        print("ended")
        """
    )
    assert lines == ["True", "made", "ended"]


def test_items_of_a_process_that_ends_abruptly_are_done_here() -> None:
    """A pool whose process is killed (as by the kernel, short of memory) neither hangs nor loses items."""
    lines = run(
        """
        parent = os.getpid()
        def work(item):
            if item == 5 and os.getpid() != parent:
                os.kill(os.getpid(), 9)
            return item * item, os.getpid() == parent
        results = list(workers.each_item(work, list(range(40)), jobs=2, min_items=2))
        print([square for square, _ in results] == [i * i for i in range(40)])
        print(not results[0][1], results[5][1])  # the first in a worker, the killed one here
        """
    )
    assert lines == ["True", "True", "True"]


def test_each_process_does_its_items_in_their_order() -> None:
    """render._make numbers paths per process and relies on it (workers.each_item)."""
    (in_order,) = run(
        """
        def work(item):
            time.sleep(0.001 * (item % 3))
            return os.getpid(), time.monotonic_ns(), item
        done = list(workers.each_item(work, list(range(200)), jobs=2, min_items=2))
        by_process = {}
        for pid, moment, item in sorted(done, key=lambda made: made[1]):
            by_process.setdefault(pid, []).append(item)
        print(len(by_process) == 2 and all(items == sorted(items) for items in by_process.values()))
        """
    )
    assert in_order == "True"


def test_workers_end_at_once_when_the_results_are_no_longer_wanted() -> None:
    """An item that fails (a broken template) ends the pool without its queued chunks being done."""
    lines = run(
        """
        import multiprocessing, pathlib, tempfile
        folder = pathlib.Path(tempfile.mkdtemp())
        def work(item):
            if item == 0:
                raise ValueError("a broken page")
            time.sleep(0.01)
            (folder / str(item)).touch()
            return item
        try:
            list(workers.each_item(work, list(range(800)), jobs=2, min_items=2))
        except ValueError as error:
            print(type(error).__name__)
        time.sleep(0.3)  # (what is still running would go on making files)
        print(len(list(folder.iterdir())) < 150, multiprocessing.active_children() == [])
        """
    )
    assert lines == ["ValueError", "True", "True"]


def test_a_build_that_fails_while_taking_pages_ends_its_workers_at_once() -> None:
    """The pages' workers end when the build fails between two pages, though the error is still held."""
    lines = run(
        """
        import datetime as dt, multiprocessing
        from confsite import pagecache, pipeline
        from confsite.registration import state_at
        from confsite.render import Renderer
        conf = pipeline.load(pipeline.Path("content"), keep=False)
        state = state_at(conf, dt.datetime(2019, 3, 1, tzinfo=conf.tz))
        taken = []
        def add(table, source, key, page):
            taken.append(key)
            if len(taken) == 2:
                raise RuntimeError("the table refuses a page")
        pagecache.Table.add = add
        try:
            Renderer(conf, pipeline.TEMPLATES, state).outputs(2)
        except RuntimeError as error:
            held = error  # (a traceback holds the frames, as pytest and the preview's log do)
            print(type(held).__name__, len(taken))
        print(workers._job is None, multiprocessing.active_children() == [])
        """,
        cwd=ROOT,
    )
    assert lines == ["RuntimeError", "2", "True", "True"]


def test_workers_stopped_while_they_hand_over_large_results_end() -> None:
    """Stopping must not cut a result in the pipe: the pool would wait for its end forever."""
    lines = run(
        """
        import multiprocessing
        for _ in range(10):
            made = workers.each_item(lambda i: b"x" * 4_000_000, list(range(40)), jobs=2, min_items=2)
            next(made)
            made.close()
        print(workers._job is None, multiprocessing.active_children() == [])
        """
    )
    assert lines == ["True", "True"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_processes_started_aside_end_when_the_build_is_killed() -> None:
    """A build killed outright (SIGKILL, no cleanup) leaves none of its processes running."""
    code = "import os, time\nfrom confsite import workers\n" + textwrap.dedent(
        """
        def wait_forever(item):
            os.write(1, f"{os.getpid()}\\n".encode())  # (one write: lines of two processes do not mix)
            time.sleep(60)
        aside = workers.Started(lambda: wait_forever(None))
        list(workers.each_item(wait_forever, [1, 2], jobs=2, min_items=2))
        """
    )
    pids: set[int] = set()
    try:
        with subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ) as build:
            assert build.stdout is not None
            while len(pids) < 3:  # the process aside and the pool's two workers
                line = build.stdout.readline()
                assert line, "the build ended before its three processes had started"
                pids.add(int(line))
            build.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_runs(pid) for pid in pids):
            time.sleep(0.05)
        assert sorted(pid for pid in pids if _runs(pid)) == []
    finally:
        for pid in pids:  # (when the test fails: the pool's workers would wait forever)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _runs(pid: int) -> bool:
    """Tell whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_two_folders_swap_names_in_one_step(tmp_path: Path) -> None:
    """write_site puts the new site in place of the old one this way (libc.exchange)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    (b / "from-b").touch()
    assert libc.exchange(a, b)
    assert [p.name for p in a.iterdir()] == ["from-b"]
    assert [p.name for p in b.iterdir()] == ["from-a"]
    assert not libc.exchange(a, tmp_path / "missing")  # (a failure is told, not raised)
