"""Validity of every output: the Nu Html Checker, well-formed XML, JSON and calendars, links, weight."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
from lxml import etree

from confsite.pipeline import build
from conftest import BEFORE_DEADLINE, CONTENT, ROOT, require, serve

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BUDGET = 14 * 1024  # what fits in the first round trip of a new connection


@pytest.fixture(params=["default_site", "multiday_site"])
def site(request: pytest.FixtureRequest) -> Path:
    built: Path = request.getfixturevalue(request.param)
    return built


def test_nu_html_checker_reports_no_errors(default_site: Path, multiday_site: Path) -> None:
    require("java", shutil.which("java") is not None)
    require("vnu-jar (npm ci)", VNU.exists())
    files = [str(p) for s in (default_site, multiday_site) for p in sorted(s.rglob("*.html"))]
    assert len(files) > 60
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stdout)["messages"]
    problems = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}: {m['message']}" for m in messages]
    assert problems == [] and run.returncode == 0


def test_machine_readable_outputs_are_well_formed(site: Path) -> None:
    for path in sorted(site.rglob("*.xml")):
        etree.parse(str(path))
    for path in sorted(site.rglob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))
    calendars = sorted(site.rglob("*.ics"))
    if calendars:
        icalendar = pytest.importorskip("icalendar")
        for path in calendars:
            assert icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"), path


def _linkcheck(start_urls: list[str], tmp_path: Path) -> list[str]:
    require("linkchecker", shutil.which("linkchecker") is not None)
    config = tmp_path / "linkcheckerrc"
    config.write_text(
        "[checking]\nthreads=8\nmaxrequestspersecond=1000\n[filtering]\ncheckextern=0\n[AnchorCheck]\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        ["linkchecker", "--no-status", "--no-warnings", "-f", str(config), "-o", "csv", *start_urls],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = [line for line in run.stdout.splitlines() if line and not line.startswith("#")]
    # the csv has a header row; every further row is a broken link
    assert run.returncode in (0, 1), run.stderr
    return rows[1:]


def test_no_broken_link_or_anchor(site: Path, tmp_path: Path) -> None:
    with serve(site) as base:
        broken = _linkcheck([base, base + "404.html"], tmp_path)
    assert broken == []


def test_no_broken_link_under_a_sub_path(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(CONTENT, out, BEFORE_DEADLINE, base_url="https://example.org/kosi-lab/2019/")
    with serve(out) as base:
        assert base.endswith("/kosi-lab/2019/")
        broken = _linkcheck([base, base + "404.html"], tmp_path)
    assert broken == []


def test_every_page_with_its_css_fits_the_first_round_trip(site: Path) -> None:
    heaviest = ("", 0)
    for page in sorted(site.rglob("*.html")):
        doc = lxml.html.fromstring(page.read_bytes())
        size = len(gzip.compress(page.read_bytes(), 9))
        for link in doc.xpath('//link[@rel="stylesheet"]/@href'):
            rel = page.relative_to(site).as_posix()
            target = urljoin(rel, link).lstrip("/")
            css = site / target if (site / target).exists() else site / target.split("/", 1)[-1]
            size += len(gzip.compress(css.read_bytes(), 9))
        heaviest = max(heaviest, (page.relative_to(site).as_posix(), size), key=lambda x: x[1])
        assert size <= BUDGET, (page, size)
    print(f"heaviest page with CSS, gzip: {heaviest[0]} {heaviest[1]} bytes")


def test_pages_need_no_javascript_and_images_are_sized(site: Path) -> None:
    for page in sorted(site.rglob("*.html")):
        doc = lxml.html.fromstring(page.read_bytes())
        for script in doc.xpath("//script[@src]"):
            assert script.get("defer") is not None or script.get("async") is not None, page
        for img in doc.xpath("//img"):
            assert img.get("width") and img.get("height") and img.get("alt") is not None, page
