"""The visitor experience in Debian's Chromium: accessibility, phones, privacy, keyboard, no JavaScript."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from test_registration import BERLIN, site_with

from conftest import ARTIFACTS, BEFORE_DEADLINE, MULTIDAY_NOW, ROOT, require, serve

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
BUILD_MOMENTS = {"default": BEFORE_DEADLINE, "multiday": MULTIDAY_NOW}


@contextlib.contextmanager
def page_at(browser: Any, moment: dt.datetime, **options: Any) -> Iterator[Any]:
    """Open a page in a browser context of its own whose clock stands still at ``moment``."""
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(moment)
        yield page
    finally:
        context.close()


def html_pages(site: Path) -> list[str]:
    """Every HTML page a visitor can reach (the root redirect and 404 included)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.fixture(scope="module", params=["default_site", "multiday_site"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    site: Path = request.getfixturevalue(request.param)
    with serve(site) as base:
        yield site, base


@pytest.fixture(scope="module")
def audit(browser: Any, served: tuple[Path, str]) -> dict[str, dict[str, Any]]:
    """Load every page once at phone width; run axe in light and dark; record what happened."""
    require("axe-core (npm ci)", AXE.exists())
    site, base = served
    host = urlsplit(base).netloc
    context = browser.new_context(viewport=PHONE)
    results: dict[str, dict[str, Any]] = {}
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        for rel in html_pages(site):
            if rel == "index.html":  # redirects at once; see test_root_redirects_to_the_default_language
                continue
            requests.clear()
            page.emulate_media(color_scheme="light")
            page.goto(base + rel, wait_until="load")
            record: dict[str, Any] = {"title": page.title()}
            record["requests"] = [u for u in requests if urlsplit(u).netloc != host]
            record["overflow"] = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
            page.add_script_tag(path=str(AXE))
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                found = page.evaluate(
                    "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
                    ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)})))",
                    AXE_RULES,
                )
                record[f"axe_{scheme}"] = found
            # axe's best practice that all content sits in a landmark (WCAG 1.3.1, 2.4.1 in spirit)
            record["outside_landmarks"] = page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'rule', values: ['region']}})"
                ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.target)))"
            )
            record["structure"] = page.evaluate(
                """() => ({
                    h1: document.querySelectorAll('h1').length,
                    headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),
                    main: document.querySelectorAll('main').length,
                    skip: !!document.querySelector('a.skip[href="#main"]'),
                    lang: document.documentElement.lang,
                })"""
            )
            results[rel] = record
        record_cookies = context.cookies()
        results["__cookies__"] = {"cookies": record_cookies}
    finally:
        context.close()
    return results


def test_axe_finds_no_violations_in_light_and_dark(audit: dict[str, dict[str, Any]]) -> None:
    problems = {
        rel: {scheme: r[f"axe_{scheme}"] for scheme in ("light", "dark") if r[f"axe_{scheme}"]}
        for rel, r in audit.items()
        if not rel.startswith("__") and (r["axe_light"] or r["axe_dark"])
    }
    assert problems == {}, json.dumps(problems, indent=1)[:3000]


def test_all_content_is_in_a_landmark(audit: dict[str, dict[str, Any]]) -> None:
    outside = {rel: r["outside_landmarks"] for rel, r in audit.items() if r.get("outside_landmarks")}
    assert outside == {}


@pytest.mark.parametrize(
    "built",
    [
        dt.datetime(2019, 3, 1, 12, tzinfo=BERLIN),  # a link, in a live region
        dt.datetime(2019, 3, 28, 12, tzinfo=BERLIN),  # registration closed: a notice
        dt.datetime(2019, 4, 3, 12, tzinfo=BERLIN),  # the event is over: a notice
    ],
    ids=["open", "closed", "over"],
)
def test_the_call_to_action_is_part_of_the_banner(browser: Any, tmp_path: Path, built: dt.datetime) -> None:
    require("axe-core (npm ci)", AXE.exists())
    site = site_with(tmp_path, built)
    with page_at(browser, built, viewport=DESKTOP) as page, serve(site) as base:
        for rel in ("de/index.html", "en/programme/index.html", "404.html"):
            page.goto(base + rel)
            assert page.get_by_role("banner").locator(".cta-bar").count() == 1, rel
            page.add_script_tag(path=str(AXE))
            outside = page.evaluate(
                "() => axe.run(document, {runOnly: {type: 'rule', values: ['region']}})"
                ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.target)))"
            )
            assert outside == [], rel


def test_no_page_scrolls_sideways_on_a_phone(audit: dict[str, dict[str, Any]]) -> None:
    wide = {rel: r["overflow"] for rel, r in audit.items() if not rel.startswith("__") and r["overflow"] > 0}
    assert wide == {}


def test_pages_request_nothing_from_other_hosts_and_set_no_cookies(audit: dict[str, dict[str, Any]]) -> None:
    foreign = {rel: r["requests"] for rel, r in audit.items() if not rel.startswith("__") and r["requests"]}
    assert foreign == {}
    assert audit["__cookies__"]["cookies"] == []


def test_root_redirects_to_the_default_language(browser: Any, served: tuple[Path, str]) -> None:
    _, base = served
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        try:
            page = context.new_page()
            page.goto(base)
            page.wait_for_url(lambda url: url.rstrip("/").rsplit("/", 1)[-1] in ("de", "en"))
            assert page.evaluate("document.documentElement.lang") == page.url.rstrip("/").rsplit("/", 1)[-1]
        finally:
            context.close()


def test_landmarks_headings_and_skip_link(audit: dict[str, dict[str, Any]]) -> None:
    for rel, r in audit.items():
        if rel.startswith("__"):
            continue
        s = r["structure"]
        assert s["h1"] == 1 and s["main"] == 1 and s["skip"], rel
        assert s["headings"][0] == 1, rel
        # no heading level is skipped on the way down
        for before, after in zip(s["headings"], s["headings"][1:], strict=False):
            assert after <= before + 1, (rel, s["headings"])
        assert s["lang"] in ("de", "en"), rel


def test_every_page_works_without_javascript(browser: Any, served: tuple[Path, str]) -> None:
    site, base = served
    with_js = browser.new_context(viewport=DESKTOP)
    without = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        a, b = with_js.new_page(), without.new_page()
        # the browser's clock at the build's moment, so the deadline script agrees with the build
        a.clock.set_fixed_time(BUILD_MOMENTS[site.parent.name.rstrip("0123456789")])
        for rel in html_pages(site):
            if rel == "index.html":
                continue
            a.goto(base + rel)
            b.goto(base + rel)
            main_a = a.inner_text("main")
            main_b = b.inner_text("main")
            assert main_b.strip() and main_a == main_b, rel
            links = "[...document.querySelectorAll('a[href]')].map(a => a.href)"
            assert a.evaluate(links) == b.evaluate(links), rel
    finally:
        with_js.close()
        without.close()


FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"


@pytest.mark.parametrize("rel", ["de/index.html", "en/index.html", "de/programm/index.html"])
def test_keyboard_reaches_every_link_in_reading_order_with_visible_focus(
    browser: Any, default_site: Path, rel: str
) -> None:
    with (
        page_at(browser, dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC), viewport=DESKTOP) as page,
        serve(default_site) as base,
    ):
        page.goto(base + rel)
        count = page.evaluate(
            "sel => { const els = [...document.querySelectorAll(sel)];"
            " els.forEach((e, i) => e.dataset.order = i); return els.length; }",
            FOCUSABLE,
        )
        order, invisible = [], []
        for _ in range(count):
            page.keyboard.press("Tab")
            info = page.evaluate(
                """() => { const e = document.activeElement; const s = getComputedStyle(e);
                  const r = e.getBoundingClientRect();
                  return {order: e.dataset.order,
                          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                          visible: r.width > 0 && r.height > 0, cls: e.className,
                          href: e.getAttribute('href')}; }"""
            )
            order.append(int(info["order"]))
            if not (info["outline"] and info["visible"]):
                invisible.append(info)
        assert order == list(range(count))
        assert invisible == []
        # the skip link comes first and moves to the main content
        page.keyboard.press("Tab")
        page.goto(base + rel)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"


def test_language_switch_and_registration_link_work_from_the_keyboard(
    browser: Any, default_site: Path
) -> None:
    with page_at(browser, dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC), viewport=DESKTOP) as page:
        opened: list[str] = []
        page.route("https://example.org/**", lambda route: (opened.append(route.request.url), route.abort()))
        with serve(default_site) as base:
            page.goto(base + "de/programm/index.html")
            for _ in range(40):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.getAttribute('hreflang')") == "en":
                    break
            page.keyboard.press("Enter")
            page.wait_for_url("**/en/programme/")
            assert page.evaluate("document.documentElement.lang") == "en"
            for _ in range(40):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.classList.contains('cta')"):
                    break
            assert "Register now" in page.evaluate("document.activeElement.textContent")
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
            assert opened and opened[0].startswith("https://example.org/kosi-lab-2019/anmeldung")


def test_deadline_script_closes_the_call_to_action_once_the_deadline_has_passed(
    browser: Any, default_site: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        with serve(default_site) as base:
            before = context.new_page()
            before.clock.set_fixed_time(dt.datetime(2019, 3, 27, 20, tzinfo=dt.UTC))
            before.goto(base + "de/index.html")
            assert before.locator("a.cta").count() == 1
            after = context.new_page()
            after.clock.set_fixed_time(dt.datetime(2019, 3, 28, 12, tzinfo=dt.UTC))
            after.goto(base + "de/index.html")
            assert after.locator("a.cta").count() == 0
            assert "Die Anmeldung ist geschlossen." in after.inner_text(".cta-bar")
            assert after.locator('a[href^="https://example.org/kosi-lab-2019/anmeldung"]').count() == 0
    finally:
        context.close()


def _shown(page: Any) -> str:
    """What a visitor reads on a page; the flyer's size left out (each build's PDF has its own)."""
    return re.sub(r"\(PDF, [^)]*\)", "(PDF)", page.inner_text("body"))


#: The pages that show registration: its statuses, deadlines and links (every page has the call to action).
REGISTRATION_PAGES = [
    f"{lang}/{page}index.html"
    for lang, pages in (
        ("de", ("", "programm/", "flyer/", "programm/podium/", "programm/werkstatt-workshops/")),
        ("en", ("", "programme/", "flyer/", "programme/podium/", "programme/states-of-change/")),
    )
    for page in pages
]


def _open_until(conf: dict[str, Any]) -> None:
    """Keep the workshop open until 18 March, the conference until 27 March 2019."""
    conf["registration"]["parts"]["werkstatt"]["status"] = "open"


def _open_until_the_day(conf: dict[str, Any]) -> None:
    """Keep registration open until the conference's day: it closes when the conference starts."""
    day = dt.date(2019, 4, 2)
    conf["registration"]["deadline"] = day
    for part in conf["registration"]["parts"].values():
        part.update(status="open", deadline=day)


@pytest.mark.parametrize(
    ("change", "visited"),
    [
        (None, dt.datetime(2019, 3, 28, 0, 0, 1, tzinfo=BERLIN)),
        (_open_until, dt.datetime(2019, 3, 20, 12, tzinfo=BERLIN)),  # one part's deadline has passed
        (_open_until, dt.datetime(2019, 3, 28, 12, tzinfo=BERLIN)),
        (_open_until_the_day, dt.datetime(2019, 4, 2, 14, tzinfo=BERLIN)),  # the deadline is still to come
    ],
    ids=["after-the-deadline", "after-a-part-deadline", "after-both-part-deadlines", "during-the-event"],
)
def test_after_a_deadline_the_registration_pages_read_as_a_build_after_it_would(
    browser: Any, tmp_path: Path, change: Any, visited: dt.datetime
) -> None:
    stale = site_with(tmp_path / "stale", BEFORE_DEADLINE, change)
    rebuilt = site_with(tmp_path / "rebuilt", visited, change)
    differ: dict[str, str] = {}
    with serve(stale) as stale_base, serve(rebuilt) as rebuilt_base:
        context = browser.new_context(viewport=DESKTOP)
        try:
            old, new = context.new_page(), context.new_page()
            old.clock.set_fixed_time(visited)
            new.clock.set_fixed_time(visited)
            for rel in REGISTRATION_PAGES:
                old.goto(stale_base + rel)
                new.goto(rebuilt_base + rel)
                seen, expected = _shown(old), _shown(new)
                if seen != expected:
                    differ[rel] = "\n".join(difflib.unified_diff(expected.splitlines(), seen.splitlines()))
        finally:
            context.close()
    assert differ == {}, "\n".join(f"{rel}:\n{diff}" for rel, diff in differ.items())[:3000]


def test_a_page_left_open_closes_registration_at_the_deadline_and_says_so(
    browser: Any, default_site: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.clock.install(time=dt.datetime(2019, 3, 27, 23, 59, tzinfo=BERLIN))
        with serve(default_site) as base:
            page.goto(base + "de/index.html")
            status = page.get_by_role("status")
            assert status.get_by_role("link").inner_text().startswith("Jetzt anmelden – bis 27. März 2019")
            assert "Anmeldung offen – bis 27. März 2019" in page.inner_text("main")
            page.clock.run_for("02:00")
            # the live region now holds the notice, which screen readers announce
            assert status.inner_text() == "Die Anmeldung ist geschlossen."
            assert status.get_by_role("link").count() == 0
            main = page.inner_text("main")
            assert "Anmeldestatus: Anmeldung geschlossen" in main and "Anmeldung offen" not in main
    finally:
        context.close()


LAYOUT_SHIFT = """() => new Promise(resolve => { let sum = 0;
    new PerformanceObserver(list => list.getEntries().forEach(e => { sum += e.value; }))
        .observe({type: 'layout-shift', buffered: true});
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(sum))); })"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_before_the_deadline_the_deadline_script_shifts_nothing(
    browser: Any, default_site: Path, size: dict[str, int]
) -> None:
    with page_at(browser, BEFORE_DEADLINE, viewport=size) as page, serve(default_site) as base:
        for rel in ("de/index.html", "de/flyer/index.html", "en/programme/index.html"):
            page.goto(base + rel)
            assert page.evaluate(LAYOUT_SHIFT) == 0, rel
            assert page.locator("[data-after]:not([hidden])").count() == 0, rel


#: Words that broke in the middle without a hyphen before the pages were hyphenated (page, width, word,
#: the language whose rules hyphenate it): German in forum cards and at 320 px, names on English pages.
LONG_WORDS = [
    *(
        ("de/programm/arbeitsforen/index.html", width, "Verwaltungsinnovation", "de")
        for width in (768, 1024, 1280)
    ),
    ("de/datenschutz/index.html", 320, "Datenschutzerklärung", "de"),
    ("de/barrierefreiheit/index.html", 320, "Behindertengleichstellungsgesetzes", "de"),
    ("en/index.html", 320, "Stadtentwicklungsforschung", "de"),
    (
        "de/programm/index.html",
        320,
        "generation",
        "en",
    ),  # "States of Change: Building the next generation ..."
]


@pytest.mark.parametrize(("rel", "width", "word", "lang"), LONG_WORDS)
def test_long_words_are_hyphenated_by_the_rules_of_their_language(
    browser: Any, default_site: Path, rel: str, width: int, word: str, lang: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        with serve(default_site) as base:
            page.goto(base + rel)
            found = page.evaluate(
                """word => { const found = [];
                  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                  while (walk.nextNode()) {
                    if (!walk.currentNode.data.includes(word)) continue;
                    const style = getComputedStyle(walk.currentNode.parentElement);
                    found.push([style.hyphens, style.webkitLocale]);
                  }
                  return found; }""",
                word,
            )
    finally:
        context.close()
    assert found and all(style == ["auto", f'"{lang}"'] for style in found), found


def test_screenshots_of_home_and_schedule(browser: Any, default_site: Path) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with serve(default_site) as base:
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            with page_at(browser, dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC), viewport=size) as page:
                for rel, name in (
                    ("de/index.html", "home-de"),
                    ("en/index.html", "home-en"),
                    ("de/programm/index.html", "schedule-de"),
                    ("en/programme/index.html", "schedule-en"),
                ):
                    page.goto(base + rel)
                    path = folder / f"{name}-{size_name}.png"
                    page.screenshot(path=str(path), full_page=True)
                    assert path.stat().st_size > 10_000
                    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    print(f"\nscreenshots saved in {folder}")


def test_printed_german_schedule_fits_two_a4_pages_without_navigation(
    browser: Any, default_site: Path, tmp_path: Path
) -> None:
    require("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    context = browser.new_context()
    try:
        page = context.new_page()
        with serve(default_site) as base:
            page.goto(base + "de/programm/index.html")
            page.emulate_media(media="print")
            pdf = tmp_path / "schedule.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=False)
    finally:
        context.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages <= 2
    printed = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    program = yaml.safe_load((ROOT / "content" / "program.yaml").read_text(encoding="utf-8"))
    for part in program["parts"]:
        for session in part["sessions"]:
            title = session["title"]
            title = title.get("de", title.get("text")) if isinstance(title, dict) else title
            assert " ".join(title.split()) in printed
            assert session["start"].lstrip("0") in printed
    for person in yaml.safe_load((ROOT / "content" / "people.yaml").read_text(encoding="utf-8"))["people"]:
        assert person["name"] in printed
    # navigation, call to action and footer are screen-only
    assert "Jetzt anmelden" not in printed and "Startseite" not in printed and "Veranstalter" not in printed
