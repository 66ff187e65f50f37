"""Run Lighthouse (mobile settings) on the home page and the schedule in both languages.

Usage: python bench/lighthouse.py [--site DIR]

Builds the default site (unless --site is given), serves it on a free loopback port at
the path of its base URL, runs the npm `lighthouse` of this project with Debian's
Chromium and prints the four category scores per page. Needs `npm ci` and
/usr/bin/chromium (bash .ci/install installs both). About 11 s a page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confsite.pipeline import build  # noqa: E402

PAGES = ("de/", "en/", "de/programm/", "en/programme/")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Print nothing per request."""


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on a free loopback port in a background thread."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def scores(url: str) -> dict[str, int]:
    """Run Lighthouse on one URL; return each category's score out of 100."""
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    run = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            "--only-categories=" + ",".join(CATEGORIES),
            "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    report = json.loads(run.stdout)
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def main() -> int:
    """Build, serve, measure, print."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--site", type=Path, help="an already built site (default: build content/)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("lighthouse is missing: run npm ci", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(ROOT / "content", site, dt.datetime.now(dt.UTC))
        home = (site / "sitemap.xml").read_text(encoding="utf-8").split("<loc>", 1)[1].split("</loc>", 1)[0]
        prefix = urlsplit(home).path.rstrip("/").rsplit("/", 1)[0].strip("/")
        root = Path(tmp) / "root"
        mount = root / prefix if prefix else root
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(site.resolve(), target_is_directory=True)
        server, base = serve(root)
        try:
            print(f"{'page':<20}" + "".join(f"{c:>16}" for c in CATEGORIES))
            for page in PAGES:
                url = base + (f"{prefix}/" if prefix else "") + page
                result = scores(url)
                print(f"{page:<20}" + "".join(f"{result[c]:>16}" for c in CATEGORIES), flush=True)
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
