"""The live-reloading preview: rebuild on every change, serve from memory, reload open tabs.

Design choices:

- Changes are found by polling modification times every 25 ms. A content folder and the
  templates are a few dozen files, so one poll takes well under a millisecond; polling
  needs no dependency, sees saves by every editor (in place or by rename) and works on
  network and container mounts where inotify (and so ``watchdog``) stays silent.
- The site is served from memory: render_site() already returns every file as bytes, so
  a rebuild swaps one dictionary, nothing is written (``site/`` stays as ``build`` left it),
  there is nothing to clean up after a crash, and no path on disk is ever derived from a
  request, so ``..``, encoded dots, absolute paths and symlinks cannot leave the site.
- Open tabs hear of rebuilds over Server-Sent Events (serve_http.py); the small script that
  listens is added to HTML responses only, at serve time.
- The flyers do not hold up the pages (see Flyers): WeasyPrint needs about 0.3 s per flyer,
  so while the pages are rebuilt after an edit the last PDF stands in, and the flyers follow.
  Compiled templates are kept between rebuilds by templating.make_environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from . import cache, flyer, pipeline
from .errors import ContentInvalid, display_path
from .messages import msg
from .model import Conference
from .registration import State
from .serve_http import Built, PreviewServer
from .walk import FileState, states_below

log = logging.getLogger(__name__)

#: Every watched file: path -> (modified, size, inode).
Snapshot = dict[str, FileState]

POLL_SECONDS = 0.025
#: After a change, wait until the files stay the same this long (an editor may write twice).
SETTLE_SECONDS = 0.01
#: Render lagging flyers once nothing changed for this long: the reloading tabs come first.
FLYER_DELAY_SECONDS = 0.5
#: Collect garbage once nothing changed for this long after a rebuild (see Preview.watch),
#: and at the latest after this many rebuilds, or this long without a rebuild.
COLLECT_DELAY_SECONDS = 0.3
COLLECT_AFTER_REBUILDS = 5
COLLECT_IDLE_SECONDS = 60.0


class Flyers:
    """Give render_site() the flyer PDFs; when asked to, answer with the last PDF and catch up later."""

    def __init__(self) -> None:
        #: language -> (the flyer's HTML and stylesheet, its PDF)
        self.last: dict[str, tuple[tuple[str, str], bytes]] = {}
        self.defer = False
        self.stale = False

    def __call__(self, conf: Conference, lang: str, state: State, templates: Path) -> bytes:
        """Return the flyer in ``lang``: the known PDF of the same input, else a new or the last one."""
        source = flyer.flyer_source(conf, lang, state, templates)
        known = self.last.get(lang)
        if known is not None and (known[0] == source or self.defer):
            self.stale = self.stale or known[0] != source
            return known[1]
        pdf = flyer.pdf_of(*source)  # its disk cache spares WeasyPrint
        self.last[lang] = (source, pdf)
        return pdf


class Preview:
    """The site as last built, rebuilt whenever the content or the templates change."""

    def __init__(self, content: Path, templates: Path, now: dt.datetime | None) -> None:
        self.content, self.templates, self.now = content, templates, now
        self.flyers = Flyers()
        self.stopping = False
        self._token = secrets.token_hex(4)
        self._count = 0
        self._moment = dt.datetime.now(dt.UTC)
        self._changed = threading.Condition()
        self._site = Built({}, "/", self._next_version())

    @property
    def site(self) -> Built:
        """Return what is served now."""
        return self._site

    def wait(self, seen: str, timeout: float) -> Built:
        """Return the site once its version differs from ``seen``, or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopping or self._site.version != seen, timeout)
            return self._site

    def stop(self) -> None:
        """Wake and end every event stream."""
        with self._changed:
            self.stopping = True
            self._changed.notify_all()

    def _next_version(self) -> str:
        self._count += 1
        return f"{self._token}.{self._count}"

    def rebuild(self, defer_flyers: bool = False, catch_up: bool = False) -> bool:
        """Load and render the site; keep the last good one on problems. Return whether flyers lag."""
        started = time.perf_counter()
        self.flyers.defer, self.flyers.stale = defer_flyers, False
        try:
            conf = pipeline.load(self.content, self.templates)
            if not catch_up:  # the flyers catch up at the moment the pages were judged at
                now = self.now or dt.datetime.now(dt.UTC)
                self._moment = now.replace(tzinfo=conf.tz) if now.tzinfo is None else now.astimezone(conf.tz)
            made = pipeline.render_site(conf, self._moment, self.templates, flyers=self.flyers, feeds=False)
            files = Deferred(made, pipeline.feed_makers(conf))  # the feeds: when asked for
        except ContentInvalid as exc:
            self._fail(tuple(str(e) for e in exc.errors))
            return False
        except Exception as exc:  # a bug: keep serving, say what broke (a template's mistake is above)
            self._fail((f"{type(exc).__name__}: {exc}",), exc)
            return False
        prefix = urlsplit(conf.base_url).path or "/"
        with self._changed:
            old = self._site
            same = catch_up and not old.errors and _pages(old.files) == _pages(files)
            self._site = Built(files, prefix, old.version if same else self._next_version())
            self._changed.notify_all()
        seconds = time.perf_counter() - started
        if catch_up:
            log.info("%s", msg("flyers updated in {s:.2f} s", "Flyer aktualisiert in {s:.2f} s", s=seconds))
        else:
            done = msg(
                "built {n} files in {s:.2f} s", "{n} Dateien erstellt in {s:.2f} s", n=len(files), s=seconds
            )
            log.info("%s", done)
        return self.flyers.stale

    def _fail(self, errors: tuple[str, ...], exc: Exception | None = None) -> None:
        with self._changed:
            if errors != self._site.errors:
                self._site = dataclasses.replace(self._site, errors=errors, version=self._next_version())
                self._changed.notify_all()
        log.error("%s", "\n".join(errors), exc_info=exc)
        kept = (
            msg("still serving the last good build", "die Vorschau zeigt weiter den letzten gelungenen Stand")
            if self._site.files
            else msg("nothing to serve yet", "noch nichts zu zeigen")
        )
        log.error(
            "%s",
            msg(
                "{n} problem(s) found; {kept}.", "{n} Problem(e) gefunden; {kept}.", n=len(errors), kept=kept
            ),
        )

    def folders(self) -> tuple[Path, ...]:
        """Return the folders whose files the site is built from."""
        return (self.content, self.templates)

    def watch(self, last: Snapshot) -> None:
        """Poll the folders; rebuild after every change since ``last`` until stopped.

        Python's cyclic garbage collector is paused meanwhile, and run once the preview is
        quiet after a rebuild: with a large site in memory, its passes during a rebuild took
        0.1 to 0.3 s of each (1,000 sessions), and the reload waited for them. So that memory
        stays bounded, it also runs after every few rebuilds when saves come without a pause,
        and now and then while nothing changes (the server's threads make garbage too).
        """
        folders, changed_at = self.folders(), time.monotonic()
        flyers_lag = False
        rebuilds, collected_at = 0, changed_at  # rebuilds since the last collection
        gc.disable()
        try:
            while not self.stopping:
                time.sleep(POLL_SECONDS)
                current, now = _snapshot(folders), time.monotonic()
                if current != last:
                    last = _settle(folders, current)
                    flyers_lag = self.rebuild(defer_flyers=True)
                    changed_at, rebuilds = time.monotonic(), rebuilds + 1
                elif flyers_lag and now - changed_at > FLYER_DELAY_SECONDS:
                    flyers_lag, rebuilds = False, rebuilds + 1
                    self.rebuild(catch_up=True)
                elif (rebuilds and now - changed_at > COLLECT_DELAY_SECONDS) or (
                    now - collected_at > COLLECT_IDLE_SECONDS
                ):
                    rebuilds, collected_at = 0, now
                    gc.collect()
                if rebuilds >= COLLECT_AFTER_REBUILDS:
                    rebuilds, collected_at = 0, time.monotonic()
                    gc.collect()
        finally:
            gc.enable()


def _pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: files[path] for path in files if path.endswith(".html")}


class Deferred(Mapping[str, bytes]):
    """Files of which some are made only when first asked for.

    The preview makes the feeds for conference apps this way: nobody reads them while editing,
    and at 1,000 sessions they took 0.3 s of every rebuild.
    """

    def __init__(self, files: dict[str, bytes], makers: Mapping[str, Callable[[], bytes]]) -> None:
        self._files = dict(files)
        self._paths = [*files, *(path for path in makers if path not in files)]
        self._makers = {path: make for path, make in makers.items() if path not in files}
        self._lock = threading.Lock()  # (the server answers on several threads)

    def __getitem__(self, path: str) -> bytes:
        with self._lock:
            if path not in self._files:
                self._files[path] = self._makers.pop(path)()  # (KeyError: no such file)
            return self._files[path]

    def __contains__(self, path: object) -> bool:
        with self._lock:
            return path in self._files or path in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _snapshot(folders: tuple[Path, ...]) -> Snapshot:
    """Return (modified, size, inode) of every file below ``folders``, skipping hidden and backup files.

    Links to folders are followed, as the build reads through them.
    """
    found: Snapshot = {}
    for folder in folders:
        found.update(states_below(folder, hidden=False))
    return found


def _settle(folders: tuple[Path, ...], current: Snapshot) -> Snapshot:
    """Wait until the files stop changing (briefly), so a save in several writes is built once."""
    for _ in range(20):
        time.sleep(SETTLE_SECONDS)
        again = _snapshot(folders)
        if again == current:
            break
        current = again
    return current


def address(host: str, port: int, prefix: str) -> str:
    """Return the address to open in a browser."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{prefix}"


class ListenError(Exception):
    """The preview cannot listen on the address it was given (e.g. the port is taken)."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    content: Path, templates: Path, host: str = "127.0.0.1", port: int = 8000, now: dt.datetime | None = None
) -> None:
    """Build, serve on ``host``:``port`` and rebuild on every change, until Ctrl-C (or SIGTERM)."""
    preview = Preview(content, templates, now)
    try:
        server = PreviewServer((host, port), preview)  # before any work: a taken port says so at once
    except OSError as exc:
        raise ListenError(
            msg(
                "cannot listen on {host}:{port}: {reason}",
                "kann nicht auf {host}:{port} lauschen: {reason}",
                host=host,
                port=port,
                reason=exc.strerror or exc,
            )
        ) from None
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    before = _snapshot(preview.folders())  # a save during the first build is not missed
    watcher = threading.Thread(target=preview.watch, args=(before,), name="confsite-watch", daemon=True)
    try:
        with cache.held_in_memory():  # the tables are written once, when the preview ends
            try:
                preview.rebuild()
                watcher.start()
                where = address(host, int(server.server_address[1]), preview.site.prefix)
                log.info("%s", msg("Serving {where}", "Vorschau unter {where}", where=where))
                log.info(
                    "%s",
                    msg(
                        "Watching {content} and {templates}; Ctrl-C stops.",
                        "Beobachte {content} und {templates}; Strg-C beendet.",
                        content=display_path(content),
                        templates=display_path(templates),
                    ),
                )
                if host not in ("127.0.0.1", "localhost", "::1"):
                    log.warning(
                        "%s",
                        msg(
                            "Listening on {host}: other machines on the network can see this preview.",
                            "Lausche auf {host}: andere Rechner im Netz können diese Vorschau sehen.",
                            host=host,
                        ),
                    )
                server.serve_forever(poll_interval=0.2)
            finally:
                preview.stop()
                server.server_close()
                if watcher.is_alive():
                    watcher.join(timeout=5)
    except KeyboardInterrupt:
        log.info("%s", msg("Stopped.", "Beendet."))
    finally:
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
