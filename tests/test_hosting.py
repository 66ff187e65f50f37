"""Ready for any static host: precompressed files, the _headers file, docs/nginx.conf, the CSP in Chromium."""

from __future__ import annotations

import gzip
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

from confsite import compress, headers
from conftest import BEFORE_DEADLINE, ROOT, require
from statichost import host, read_headers_file

NGINX_CONF = ROOT / "docs" / "nginx.conf"
NGINX = Path(shutil.which("nginx") or "/usr/sbin/nginx")
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
TEXT = (".html", ".css", ".js", ".xml", ".json", ".ics", ".svg")


@pytest.fixture(params=["default_site", "multiday_site"])
def site(request: pytest.FixtureRequest) -> Path:
    built: Path = request.getfixturevalue(request.param)
    return built


# --- precompressed siblings -----------------------------------------------------------------------


def test_text_files_have_gzip_and_brotli_siblings_with_the_same_content(site: Path) -> None:
    originals = [p for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in (*TEXT, ".txt")]
    assert len(originals) > 50
    for path in originals:
        data = path.read_bytes()
        gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
        if path.suffix == ".html" or len(data) > 1000:
            assert gz.is_file() and br.is_file(), path
        if gz.is_file():
            packed = gz.read_bytes()
            assert gzip.decompress(packed) == data and len(packed) < len(data), gz
            assert packed[4:8] == b"\0\0\0\0", "no timestamp in the gzip header"
        if br.is_file():
            assert brotli.decompress(br.read_bytes()) == data and br.stat().st_size < len(data), br


def test_binary_files_and_the_headers_file_are_not_compressed(site: Path) -> None:
    for suffix in (".pdf", ".png"):
        assert list(site.rglob(f"*{suffix}")), suffix
        assert not list(site.rglob(f"*{suffix}.gz")) and not list(site.rglob(f"*{suffix}.br")), suffix
    assert not (site / "_headers.gz").exists() and not (site / "_headers.br").exists()


def test_compression_is_a_pure_function_that_skips_what_it_cannot_shrink() -> None:
    page = b"<!doctype html><title>x</title>" + b"<p>Programm und Anmeldung</p>" * 50
    assert compress.compressed("de/index.html", page) == compress.compressed("de/index.html", page)
    assert set(compress.compressed("de/index.html", page)) == {"de/index.html.gz", "de/index.html.br"}
    assert all(type(packed) is bytes for packed in compress.compressed("de/index.html", page).values())
    assert compress.compressed("robots.txt", b"User-agent: *\n") == {}
    assert compress.compressed("de/flyer.pdf", page) == {}
    files = {"a.css": page, "b.png": page}
    assert set(compress.with_compressed(files)) == {"a.css", "a.css.gz", "a.css.br", "b.png"}


# --- the _headers file and docs/nginx.conf --------------------------------------------------------


def _headers_rules(site: Path) -> dict[str, dict[str, str]]:
    rules = read_headers_file((site / "_headers").read_text(encoding="utf-8"))
    return {pattern: dict(pairs) for pattern, pairs in rules}


def test_headers_file_sets_the_security_policy_and_caches_static_files(default_site: Path) -> None:
    rules = _headers_rules(default_site)
    assert set(rules) == {"/*", "/static/*"}
    every = rules["/*"]
    csp = every["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert every["X-Content-Type-Options"] == "nosniff"
    assert every["Referrer-Policy"] and every["Permissions-Policy"]
    assert "Cache-Control" not in every, "hosts would join it with the /static/* one"
    assert rules["/static/*"] == {"Cache-Control": "public, max-age=31536000, immutable"}


def _nginx_headers() -> dict[str, str]:
    text = NGINX_CONF.read_text(encoding="utf-8")
    found = dict(re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;', text, re.MULTILINE))
    static = re.search(r'~\^/static/\s+"([^"]+)";', text)
    assert static is not None
    found["Cache-Control /static/"] = static.group(1)
    return found


def test_nginx_example_sends_the_same_headers_as_the_headers_file(default_site: Path) -> None:
    rules = _headers_rules(default_site)
    expected = {**rules["/*"], "Cache-Control /static/": rules["/static/*"]["Cache-Control"]}
    assert _nginx_headers() == expected
    text = NGINX_CONF.read_text(encoding="utf-8")
    for directive in ("gzip_static on;", "# brotli_static on;", "error_page 404 /404.html;"):
        assert directive in text, directive


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _nginx_main_config(tmp: Path, site: Path, port: int) -> Path:
    """Wrap docs/nginx.conf in a main configuration that serves ``site`` on a loopback port."""
    server = NGINX_CONF.read_text(encoding="utf-8")
    for placeholder in ("listen 80;", "listen [::]:80;", "root /srv/confsite/site;", "# brotli_static on;"):
        assert placeholder in server, placeholder
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("listen [::]:80;", "")
    server = server.replace("root /srv/confsite/site;", f"root {site.resolve()};")
    modules = ""
    if BROTLI_MODULE.exists():
        modules = f"load_module {BROTLI_MODULE};\n"
        server = server.replace("# brotli_static on;", "brotli_static on;")
    temp = " ".join(
        f"{kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = tmp / "nginx.conf"
    config.write_text(
        f"{modules}daemon off;\nmaster_process off;\npid {tmp / 'nginx.pid'};\nerror_log stderr;\n"
        "events { worker_connections 64; }\n"
        f"http {{\ninclude /etc/nginx/mime.types;\ndefault_type application/octet-stream;\naccess_log off;\n"
        f"{temp}\n{server}\n}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def nginx(tmp_path: Path, default_site: Path) -> Iterator[str]:
    """Run nginx with docs/nginx.conf on the default site; yield its address."""
    require("nginx (apt-get install nginx)", NGINX.exists())
    port = _free_port()
    config = _nginx_main_config(tmp_path, default_site, port)
    check = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [str(NGINX), "-p", str(tmp_path), "-e", "stderr", "-c", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def _get(url: str, encoding: str = "identity") -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_nginx_serves_precompressed_files_headers_and_the_not_found_page(
    nginx: str, default_site: Path
) -> None:
    rules = _headers_rules(default_site)
    page = (default_site / "de" / "index.html").read_bytes()
    status, sent, body = _get(nginx + "de/", "gzip")
    assert status == 200 and sent["Content-Encoding"] == "gzip" and gzip.decompress(body) == page
    assert "Accept-Encoding" in sent.get("Vary", "")
    for name, value in rules["/*"].items():
        assert sent[name] == value, name
    assert sent.get("Cache-Control") is None
    if BROTLI_MODULE.exists():
        status, sent, body = _get(nginx + "de/", "br, gzip")
        assert status == 200 and sent["Content-Encoding"] == "br" and brotli.decompress(body) == page
    status, sent, body = _get(nginx + "de/", "identity")
    assert status == 200 and sent.get("Content-Encoding") is None and body == page
    css = next(p for p in (default_site / "static").glob("site.*.css"))
    status, sent, _ = _get(nginx + f"static/{css.name}", "gzip")
    assert status == 200 and sent["Cache-Control"] == rules["/static/*"]["Cache-Control"]
    assert sent["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY, "a location must not drop it"
    status, sent, _ = _get(nginx + "de/calendar.ics")
    assert status == 200 and sent["Content-Type"].startswith("text/calendar")
    status, sent, body = _get(nginx + "de/gibt-es/nicht/")
    assert status == 404 and body == (default_site / "404.html").read_bytes()
    assert sent["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY


# --- the Content-Security-Policy in Chromium ------------------------------------------------------

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_pages_break_no_rule_of_the_security_policy(browser: Any, site: Path) -> None:
    context = browser.new_context()
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.add_init_script(LISTEN)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
        page.clock.set_fixed_time(BEFORE_DEADLINE)
        with host(site) as served:
            pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
            for rel in pages:
                if rel == "index.html":
                    continue  # the root redirects at once
                console.clear()
                response = page.goto(served + rel, wait_until="load")
                assert response is not None
                assert response.headers["content-security-policy"] == headers.CONTENT_SECURITY_POLICY
                found = page.evaluate("window.__violations") + console
                if found:
                    problems[rel] = found
            # the check can fail: an inline style is reported
            page.evaluate(
                "document.head.append(Object.assign(document.createElement('style'), {textContent: 'b{}'}))"
            )
            page.wait_for_function("window.__violations.length > 0")
    finally:
        context.close()
    assert problems == {}


def test_script_and_styles_work_under_the_security_policy(browser: Any, default_site: Path) -> None:
    after_deadline = BEFORE_DEADLINE.replace(month=4, day=1)
    context = browser.new_context()
    try:
        page = context.new_page()
        with host(default_site) as served:
            page.goto(served + "de/flyer/")
            styles = page.evaluate(
                """() => ({
                    body: getComputedStyle(document.body).margin,
                    facts: getComputedStyle(document.querySelector('.flyer-facts')).display,
                    part: getComputedStyle(document.querySelector('.flyer-part')).borderTopWidth,
                })"""
            )
            assert styles == {"body": "0px", "facts": "grid", "part": "4px"}
            page.clock.set_fixed_time(BEFORE_DEADLINE)
            page.goto(served + "de/")
            assert page.locator("[data-deadline]").count() > 0
            page.clock.set_fixed_time(after_deadline)
            page.goto(served + "de/")
            page.wait_for_load_state("load")
            assert page.locator("[data-deadline]").count() == 0, "deadline.js removed what expired"
    finally:
        context.close()
