"""Shared fixtures: the default site built once per test session."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from confbuilder import Site, make_site
from confsite.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
#: A moment before every deadline of the default conference.
BEFORE_DEADLINE = dt.datetime(2019, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The minimal folder (confbuilder) in the working folder: errors name files content/<name>, as
    an editor sees them. Modules that need another site define their own."""
    monkeypatch.chdir(tmp_path)
    return make_site(tmp_path)


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the default content once, judged before its registration deadline."""
    out = tmp_path_factory.mktemp("default") / "site"
    build(CONTENT, out, BEFORE_DEADLINE)
    return out


MULTIDAY = ROOT / "tests" / "sites" / "multiday"
#: A moment before the registration deadline of the multi-day test conference.
MULTIDAY_NOW = dt.datetime(2025, 10, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def require(what: str, available: bool) -> None:
    """Skip when a tool is missing on a developer's machine; fail under CI."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is missing; .ci/install must install it")
    pytest.skip(f"{what} is not installed (bash .ci/install installs it)")


@pytest.fixture(scope="session")
def multiday_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the multi-day test conference (several days and panels, no forums)."""
    out = tmp_path_factory.mktemp("multiday") / "site"
    build(MULTIDAY, out, MULTIDAY_NOW)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        """Tell linkchecker that this host may be checked at full speed."""
        self.send_header("LinkChecker", "unthrottled")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port at the path of its base URL; yield its address."""
    sitemap = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    home = etree.parse(str(site / "sitemap.xml")).findtext(f"{sitemap}url/{sitemap}loc")  # /<prefix>/<lang>/
    assert home is not None
    prefix = [p for p in urlsplit(home).path.strip("/").split("/")[:-1] if p]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if prefix:
            mount = root.joinpath(*prefix)
            mount.parent.mkdir(parents=True, exist_ok=True)
            mount.symlink_to(site.resolve(), target_is_directory=True)
        else:
            root = site
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/" + "".join(f"{p}/" for p in prefix)
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Start Debian's Chromium once for the whole session, driven by Playwright."""
    require("Chromium (/usr/bin/chromium)", CHROMIUM.exists())
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, so that somebody looks at them."""
    shots = sorted((ARTIFACTS / "screenshots").glob("*.png")) if ARTIFACTS.exists() else []
    if shots:
        terminalreporter.write_line(f"screenshots ({len(shots)}): {ARTIFACTS / 'screenshots'}")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the minimal folder (confbuilder), copied into each bad-content case as its output."""
    root = tmp_path_factory.mktemp("corpus-base")
    make_site(root)
    with contextlib.chdir(root):
        build(root / "content", root / "site", dt.datetime(2019, 3, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    return root / "site"


@pytest.fixture(autouse=True, scope="session")
def english_environment() -> Iterator[None]:
    """Run every test, and the commands it starts, in an English environment (see test_messages.py)."""
    saved = {name: os.environ.pop(name, None) for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    os.environ["LANG"] = "C.UTF-8"
    try:
        yield
    finally:
        os.environ.pop("LANG")
        os.environ.update({name: value for name, value in saved.items() if value is not None})
