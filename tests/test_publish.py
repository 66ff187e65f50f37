"""Publishing under a sub-path: every link, asset, feed and absolute address works from the base URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import lxml.html
import pytest
from lxml import etree

from confsite.pipeline import build
from conftest import BEFORE_DEADLINE, CONTENT
from statichost import host

BASE_URL = "https://example.org/kosi-lab/2019/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
#: Where an HTML page names other files of the site (resolved against the page's address).
LINKS = (
    "//a/@href",
    "//link/@href",
    "//script/@src",
    "//img/@src",
    "//meta[@property='og:url' or @property='og:image']/@content",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish") / "site"
    build(CONTENT, out, BEFORE_DEADLINE, base_url=BASE_URL)
    return out


def fetch(url: str) -> tuple[int, str, bytes]:
    """GET an address: status, content type, body."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def links_of(page_url: str, html: bytes) -> list[str]:
    """Return every address an HTML page names, absolute, without fragments."""
    doc = lxml.html.fromstring(html)
    found = [str(v) for xpath in LINKS for v in doc.xpath(xpath)]
    for refresh in doc.xpath("//meta[@http-equiv='refresh']/@content"):
        found.append(refresh.split("url=", 1)[1])
    return [urldefrag(urljoin(page_url, href))[0] for href in found]


def local(url: str, served: str) -> str | None:
    """Map an address of the published site to the test host; None for other hosts."""
    if url.startswith(BASE_URL):
        return served + url.removeprefix(BASE_URL)
    return url if url.startswith(served) else None


def crawl(served: str) -> dict[str, tuple[int, str, bytes]]:
    """Fetch everything reachable from the root index: follow pages, fetch assets and downloads."""
    results: dict[str, tuple[int, str, bytes]] = {}
    queue = [served, served + "robots.txt", served + "sitemap.xml"]
    while queue:
        url = queue.pop()
        if url in results:
            continue
        results[url] = status, kind, body = fetch(url)
        if status == 200 and kind.startswith("text/html"):
            queue += [u for link in links_of(url, body) if (u := local(link, served)) is not None]
    return results


def test_crawl_from_the_root_reaches_every_page_and_file(site: Path) -> None:
    with host(site) as served:
        assert served.endswith("/kosi-lab/2019/")
        results = crawl(served)
    broken = {url: status for url, (status, _, _) in results.items() if status != 200}
    assert broken == {}
    reached = {url.removeprefix(served) for url in results}
    pages = {p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("index.html")}
    assert pages - reached == set(), "pages no link leads to"
    for must in (
        "static/site.",
        "static/favicon.",
        "static/deadline.",
        "static/share-de.",
        "static/share-en.",
    ):
        assert any(r.startswith(must) for r in reached), must
    for must in ("de/flyer.pdf", "en/flyer.pdf", "de/calendar.ics", "en/calendar.ics"):
        assert must in reached, must


def _absolute_addresses(site: Path) -> dict[str, list[str]]:
    """Collect the absolute addresses of the site itself from every place that holds them."""
    found: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        doc = lxml.html.fromstring(page.read_bytes())
        found[page.relative_to(site).as_posix()] = [
            *doc.xpath("//link[@rel='canonical' or @rel='alternate']/@href"),
            *doc.xpath("//meta[@property='og:url' or @property='og:image']/@content"),
        ]
    sitemap = etree.parse(str(site / "sitemap.xml"))
    found["sitemap.xml"] = [*sitemap.xpath("//*[local-name()='loc']/text()"), *sitemap.xpath("//@href")]
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    found["robots.txt"] = [
        line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Sitemap:")
    ]
    schedule = json.loads((site / "schedule.json").read_text(encoding="utf-8"))["schedule"]
    events = [e for day in schedule["conference"]["days"] for room in day["rooms"].values() for e in room]
    found["schedule.json"] = [
        schedule["base_url"],
        schedule["conference"]["url"],
        *(e["url"] for e in events),
        *(link["url"] for e in events for link in e["links"]),
    ]
    xml = etree.parse(str(site / "schedule.xml"))
    found["schedule.xml"] = [
        *xml.xpath("//url/text()"),
        *xml.xpath("//base_url/text()"),
        *xml.xpath("//event//link/@href"),
    ]
    icalendar = pytest.importorskip("icalendar")
    for path in sorted(site.rglob("*.ics")):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        found[path.relative_to(site).as_posix()] = [str(e["URL"]) for e in calendar.walk("VEVENT")]
    return found


def test_every_absolute_address_starts_with_the_base_url(site: Path) -> None:
    found = _absolute_addresses(site)
    assert len(found["schedule.json"]) > 20 and len(found["sitemap.xml"]) > 100
    assert all(found[name] for name in ("de/index.html", "robots.txt", "schedule.xml", "de/calendar.ics"))
    wrong = {name: [u for u in urls if not u.startswith(BASE_URL)] for name, urls in found.items()}
    assert {name: urls for name, urls in wrong.items() if urls} == {}


def test_every_absolute_address_leads_to_a_file(site: Path) -> None:
    addresses = sorted({u for urls in _absolute_addresses(site).values() for u in urls})
    with host(site) as served:
        broken = [u for u in addresses if fetch(urldefrag(local(u, served) or u)[0])[0] != 200]
    assert broken == []


def test_canonical_address_of_each_page_is_its_own(site: Path) -> None:
    for page in sorted(site.rglob("index.html")):
        rel = page.relative_to(site).as_posix().removesuffix("index.html")
        if not rel:
            continue  # the root index redirects; its canonical address is the default language's home
        doc = lxml.html.fromstring(page.read_bytes())
        assert doc.xpath("//link[@rel='canonical']/@href") == [BASE_URL + rel], rel
        assert doc.xpath("//meta[@property='og:url']/@content") == [BASE_URL + rel], rel


def test_not_found_page_works_from_a_deep_unknown_address(site: Path) -> None:
    with host(site) as served:
        deep = served + "de/programm/gibt-es-nicht/noch/tiefer/"
        status, kind, body = fetch(deep)
        assert status == 404 and kind.startswith("text/html")
        assert body == (site / "404.html").read_bytes()
        links = [u for link in links_of(deep, body) if (u := local(link, served)) not in (None, deep)]
        assert any("/static/site." in u for u in links) and any(u.endswith("/en/") for u in links)
        broken = {u: fetch(u)[0] for u in links}
    assert {u: s for u, s in broken.items() if s != 200} == {}
