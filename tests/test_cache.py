"""Tables kept between builds (cache.py): written aside, while the build writes the site.

A build holds back the tables it stores until it writes the site, then writes them in a
forked process; when it ends they must be on disk, whole, whatever happened in between.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from confsite import cache, templating

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)
    with contextlib.chdir(tmp_path):
        yield tmp_path


def writers_seen(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Make every table writer note its process id in ``log``."""
    write = cache._write_table

    def noting(path: Path, table: dict[str, Any], versioned: bool) -> None:
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        write(path, table, versioned)

    monkeypatch.setattr(cache, "_write_table", noting)


#: Stores two tables in a build's way, in a process of its own (this one may run threads).
HELD_BACK = """
import os
from confsite import cache

write = cache._write_table

def noting(path, table, versioned):
    with open("writers", "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\\n")
    write(path, table, versioned)

cache._write_table = noting
pages, parses = cache.table_path("pages", "v1"), cache.table_path("yaml", "v1")
with cache.written_aside():
    cache.store_table(pages, {"a": b"page" * 1000})
    cache.store_table(parses, {"b": ("parse", 1)})
    print(pages.exists() or parses.exists())
    cache.write_aside()
print(os.getpid())
"""


def test_tables_are_held_back_then_written_by_another_process(workdir: Path) -> None:
    script = [sys.executable, "-c", HELD_BACK]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(script, check=False, capture_output=True, text=True, cwd=workdir, env=env)
    assert run.returncode == 0, run.stderr
    written_before, build = run.stdout.split()
    assert written_before == "False"
    pages, parses = cache.table_path("pages", "v1"), cache.table_path("yaml", "v1")
    assert cache.load_table(pages) == {"a": b"page" * 1000}
    assert cache.load_table(parses) == {"b": ("parse", 1)}
    writers = (workdir / "writers").read_text(encoding="utf-8").split()
    assert len(writers) == 2 and len(set(writers)) == 1 and writers[0] != build


def test_what_is_stored_after_writing_aside_is_written_at_the_end(workdir: Path) -> None:
    manifest = cache.table_path("manifest", "v1")
    with cache.written_aside():
        cache.write_aside()
        cache.store_table(manifest, {"index.html": (1, 2, 3)})
        assert not manifest.exists()
    assert cache.load_table(manifest) == {"index.html": (1, 2, 3)}


def test_a_block_that_fails_still_writes_what_it_stored(workdir: Path) -> None:
    table = cache.table_path("yaml", "v1")
    with pytest.raises(RuntimeError), cache.written_aside():
        cache.store_table(table, {"kept": "parse"})
        raise RuntimeError("content invalid")
    assert cache.load_table(table) == {"kept": "parse"}


def test_a_process_with_other_threads_writes_its_tables_itself(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forking a process that runs other threads can deadlock the child: none is forked."""
    writers_seen(monkeypatch, workdir / "writers")
    table = cache.table_path("pages", "v1")
    started, stop = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (started.set(), stop.wait()))
    other.start()
    started.wait()
    try:
        with cache.written_aside():
            cache.store_table(table, {"a": 1})
            cache.write_aside()
            assert table.exists()
    finally:
        stop.set()
        other.join()
    assert (workdir / "writers").read_text(encoding="utf-8").split() == [str(os.getpid())]


def test_without_the_block_a_table_is_written_at_once(workdir: Path) -> None:
    table = cache.table_path("pages", "v1")
    cache.store_table(table, {"a": 1})
    cache.write_aside()  # (nothing held back: nothing to do)
    assert cache.load_table(table) == {"a": 1}


#: Stores a table in a build's way where no process can be forked, in a process of its own.
NO_FORK = """
import os, signal
from confsite import cache

def no_fork():
    raise BlockingIOError(11, "Resource temporarily unavailable")

real_fork, os.fork = os.fork, no_fork
table = cache.table_path("pages", "v1")
with cache.written_aside():
    cache.store_table(table, {"a": 1})
    cache.write_aside()
    print(table.exists())
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # (then the system reaps the writers itself)
os.fork = real_fork
with cache.written_aside():
    cache.store_table(table, {"b": 2})
    cache.write_aside()
print("ended")
"""


def test_without_a_process_to_be_had_the_tables_are_written_here(workdir: Path) -> None:
    script = [sys.executable, "-c", NO_FORK]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(script, check=False, capture_output=True, text=True, cwd=workdir, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "ended"]
    assert cache.load_table(cache.table_path("pages", "v1")) == {"b": 2}


def test_an_installed_package_is_named_by_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cache.installed: a key that changes with the package's files, found without importing it."""
    package = tmp_path / "confsite_probe_package"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n", encoding="utf-8")
    (package / "_speedups.so").write_bytes(b"\x7fELF one")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = cache.installed("confsite_probe_package")
    cache.installed.cache_clear()  # (a process names each package once)
    (package / "_speedups.so").write_bytes(b"\x7fELF two")
    second = cache.installed("confsite_probe_package")
    assert len({first, second}) == 2 and all(len(name) == 64 for name in (first, second))
    assert "confsite_probe_package" not in sys.modules
    assert cache.installed("confsite_no_such_package") == ""
    cache.installed.cache_clear()


def test_an_installed_module_is_named_by_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "confsite_probe_module.py"
    module.write_text("raise RuntimeError('imported')\n", encoding="utf-8")
    (tmp_path / "unrelated.txt").write_text("another package's file", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = cache.installed("confsite_probe_module")
    cache.installed.cache_clear()
    (tmp_path / "unrelated.txt").write_text("changed", encoding="utf-8")
    assert cache.installed("confsite_probe_module") == first  # (only its own file counts)
    cache.installed.cache_clear()
    module.write_text("raise RuntimeError('imported, version 2')\n", encoding="utf-8")
    assert cache.installed("confsite_probe_module") not in (first, "")
    cache.installed.cache_clear()


def test_a_table_left_unfinished_is_removed_by_the_next_write(workdir: Path) -> None:
    """A process killed while it wrote a table leaves its temporary file; the next write removes it."""
    folder = workdir / cache.ROOT
    folder.mkdir()
    old, young = folder / "tmpkilled.tmp", folder / "tmpwriting.tmp"
    old.write_bytes(b"half a table")
    young.write_bytes(b"being written")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    cache.store_table(cache.table_path("demo", "v1"), {"a": 1})
    assert not old.exists() and young.exists()
    assert cache.load_table(cache.table_path("demo", "v1")) == {"a": 1}


def test_a_compiled_template_left_unfinished_is_removed(workdir: Path) -> None:
    """A build killed while Jinja wrote a compiled template leaves a .tmp file; the next removes it."""
    folder = Path(templating._bytecode_cache().directory)  # type: ignore[union-attr]
    old, young = folder / "__jinja2_old.cache.tmp", folder / "__jinja2_young.cache.tmp"
    old.write_bytes(b"half")
    young.write_bytes(b"being written")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    templating._bytecode_cache()
    assert not old.exists() and young.exists()
