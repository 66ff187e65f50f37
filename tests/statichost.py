"""A static host for tests, like Netlify or Cloudflare Pages: a built site at the path of its base URL.

It sends the headers of the site's ``_headers`` file, the precompressed sibling of a file when the
client accepts its encoding, and 404.html (status 404) for every unknown address.
"""

from __future__ import annotations

import contextlib
import fnmatch
import http.server
import mimetypes
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def read_headers_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Parse a ``_headers`` file: path patterns, each with its headers."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
            continue
        name, _, value = line.strip().partition(":")
        rules[-1][1].append((name.strip(), value.strip()))
    return rules


def base_path(site: Path) -> str:
    """Return the path of the site's base URL, e.g. ``/kosi-lab/2019/``, from its sitemap."""
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    home = etree.parse(str(site / "sitemap.xml")).findtext(f"{ns}url/{ns}loc")
    assert home is not None
    return urlsplit(home).path.rstrip("/").rsplit("/", 1)[0] + "/"  # drop the language of the home page


class _Handler(http.server.BaseHTTPRequestHandler):
    site: Path
    prefix: str
    rules: list[tuple[str, list[tuple[str, str]]]]

    def do_GET(self) -> None:
        """Send a file of the site, or 404.html."""
        path = unquote(urlsplit(self.path).path)
        status, file = 404, self.site / "404.html"
        if path.startswith(self.prefix) and ".." not in path:
            rel = path[len(self.prefix) :]
            found = self.site / rel
            if found.is_dir() and not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            if found.is_dir():
                found = found / "index.html"
            if found.is_file():
                status, file = 200, found
        site_path = "/" + file.relative_to(self.site).as_posix().removesuffix("index.html")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        body, encoding = file.read_bytes(), None
        accepted = {e.split(";")[0].strip() for e in self.headers.get("Accept-Encoding", "").split(",")}
        for name, suffix in ENCODINGS:
            sibling = file.with_name(file.name + suffix)
            if name in accepted and sibling.is_file():
                body, encoding = sibling.read_bytes(), name
                break
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for pattern, headers in self.rules:
            if fnmatch.fnmatchcase(site_path, pattern):
                for name, value in headers:
                    self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextlib.contextmanager
def host(site: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port at the path of its base URL; yield its address."""
    headers_file = site / "_headers"
    rules = read_headers_file(headers_file.read_text(encoding="utf-8")) if headers_file.exists() else []
    prefix = base_path(site)
    handler = type("Handler", (_Handler,), {"site": site, "prefix": prefix, "rules": rules})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
