"""The preview's HTTP side: serve the built files from memory, announce rebuilds, show problems."""

from __future__ import annotations

import html
import http.server
import json
import logging
import mimetypes
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol
from urllib.parse import quote, unquote

from . import messages
from .messages import msg

log = logging.getLogger(__name__)

#: The preview's own addresses; the built site never uses the /__confsite/ folder.
EVENTS = "/__confsite/events"
SCRIPT = "/__confsite/reload.js"
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE_SECONDS = 15.0

#: Reload the page when the site was rebuilt since it was served; only ever sent by the preview.
RELOAD_JS = b"""\
// confsite preview: reload this page after a rebuild. Added by `build.py serve`, never built.
(() => {
  const served = document.currentScript ? document.currentScript.dataset.version : "";
  const events = new EventSource("/__confsite/events");
  events.addEventListener("build", (event) => {
    if (JSON.parse(event.data).version !== served) {
      events.close();
      location.reload();
    }
  });
})();
"""

_OVERLAY_STYLE = (
    "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;overflow:auto;"
    "margin:0;padding:1rem 1.25rem;background:#fff5f5;color:#5c0011;border-top:4px solid #b3002d;"
    "box-shadow:0 -4px 16px rgba(0,0,0,.25);font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;"
    "text-align:left"
)


@dataclass(frozen=True)
class Built:
    """What the preview serves: the last good files, and the problems of the latest attempt."""

    files: Mapping[str, bytes]
    prefix: str
    version: str
    errors: tuple[str, ...] = ()


class Source(Protocol):
    """Where the server gets the current site from."""

    stopping: bool

    @property
    def site(self) -> Built:
        """Return what is served now."""
        ...

    def wait(self, seen: str, timeout: float) -> Built:
        """Return the site once its version differs from ``seen`` (or after ``timeout``)."""
        ...


def resolve(site: Built, target: str) -> tuple[HTTPStatus, str]:
    """Map a request target to a site file (200), a redirect (302, Location) or a refusal."""
    raw = target.split("?", 1)[0].split("#", 1)[0]
    path = unquote(raw)
    segments = path.split("/")
    if (
        not raw.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(s in (".", "..") for s in segments)
        or "" in segments[1:-1]  # //etc/passwd: an absolute path inside the path
    ):
        return HTTPStatus.FORBIDDEN, ""
    if path in ("/", site.prefix.rstrip("/")) and path != site.prefix:
        return HTTPStatus.FOUND, quote(site.prefix)
    if not path.startswith(site.prefix):
        return HTTPStatus.NOT_FOUND, ""
    name = path[len(site.prefix) :]
    if name == "" or name.endswith("/"):
        name += "index.html"
    if name in site.files:
        return HTTPStatus.OK, name
    if f"{name}/index.html" in site.files:
        return HTTPStatus.FOUND, quote(path + "/")
    return HTTPStatus.NOT_FOUND, ""


#: What the preview serves under its problems: the last good build, or (before any) nothing.
_LAST_GOOD = msg("this page is the last good build", "diese Seite ist der letzte gelungene Stand")
_NOT_YET = msg("the site could not be built yet", "die Website konnte noch nicht erstellt werden")


def overlay(errors: tuple[str, ...], built: bool = True) -> str:
    """Show the problems of the latest rebuild over the page, as FILE:LINE: where: what.

    ``built``: whether the page under it is the last good build; else no build has succeeded yet.
    """
    state = _LAST_GOOD if built else _NOT_YET
    heading = msg(
        "{count} problem(s) found; {state}. Fix and save: it reloads by itself.",
        "{count} Problem(e) gefunden; {state}. Beheben und speichern: Sie lädt sich selbst neu.",
        count=len(errors),
        state=state,
    ).render()
    lines = "\n".join(html.escape(e) for e in errors)
    return (
        f'<div id="confsite-errors" role="alert" style="{_OVERLAY_STYLE}">'
        f'<p style="margin:0 0 .5rem;font-weight:bold">{html.escape(heading)}</p>'
        f'<pre style="margin:0;white-space:pre-wrap;font:inherit">{lines}</pre></div>\n'
    )


def inject(page: bytes, site: Built) -> bytes:
    """Add the reload script, and the problems if there are any, before ``</body>``."""
    snippet = overlay(site.errors, built=bool(site.files)) if site.errors else ""
    snippet += f'<script src="{SCRIPT}" data-version="{html.escape(site.version)}"></script>\n'
    at = page.rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + snippet.encode() + page[at:]


def content_type(name: str) -> str:
    """Return the media type of a site file, with the charset of text."""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind.endswith(("+xml", "/json", "/xml", "/javascript"))
    return f"{kind}; charset=utf-8" if textual else kind


def nothing_yet() -> bytes:
    """Return the page served before any build has succeeded, in the language of the messages."""
    title = html.escape(msg("No site yet", "Noch keine Website").render())
    said = _NOT_YET.render()
    heading = html.escape(said[:1].upper() + said[1:])
    page = (
        f'<!doctype html>\n<html lang="{messages.current()}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body><h1>{heading}</h1></body></html>\n"
    )
    return page.encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    """Answer one request of the preview."""

    server: PreviewServer
    server_version = "confsite-preview"

    def do_GET(self) -> None:
        """Send a file, the event stream or the reload script."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """Send the headers a GET would send."""
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Keep requests out of the terminal, where the build problems are shown."""
        log.debug("%s " + format, self.address_string(), *args)

    def _answer(self, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            if with_body:
                self._events()
            else:
                self._send(HTTPStatus.OK, "text/event-stream", b"", with_body)
            return
        if path == SCRIPT:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", RELOAD_JS, with_body)
            return
        site = self.server.source.site
        if not site.files:
            page = inject(nothing_yet(), site)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", page, with_body)
            return
        status, found = resolve(site, self.path)
        if status == HTTPStatus.FOUND:
            self._send(status, "text/plain; charset=utf-8", b"", with_body, location=found)
        elif status == HTTPStatus.OK:
            data, kind = site.files[found], content_type(found)
            if kind.startswith("text/html"):
                data = inject(data, site)
            # assets carry a hash of their content in their names: a reload need not fetch them again
            cache = "max-age=31536000, immutable" if found.startswith("static/") else "no-store"
            self._send(status, kind, data, with_body, cache=cache)
        elif status == HTTPStatus.NOT_FOUND and "404.html" in site.files:
            page = inject(site.files["404.html"], site)
            self._send(status, "text/html; charset=utf-8", page, with_body)
        else:
            self._send(status, "text/plain; charset=utf-8", f"{status.phrase}\n".encode(), with_body)

    def _send(
        self,
        status: HTTPStatus,
        kind: str,
        data: bytes,
        with_body: bool,
        location: str = "",
        cache: str = "no-store",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _events(self) -> None:
        """Stream the version of every build; a tab reloads when it differs from its page's."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        source, seen = self.server.source, ""
        while not source.stopping:
            site = source.wait(seen, KEEPALIVE_SECONDS)
            if source.stopping:
                return
            if site.version != seen:
                seen = site.version
                data = json.dumps({"version": seen, "problems": len(site.errors)})
                message = f"retry: 500\nevent: build\ndata: {data}\n\n"
            else:
                message = ": idle\n\n"
            self.wfile.write(message.encode())
            self.wfile.flush()


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that serves what ``source`` holds."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], source: Source) -> None:
        self.source = source
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore tabs that were closed while they were being answered."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]
