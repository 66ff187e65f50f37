"""Functional tests: build the default KoSI-Lab site and check what a visitor sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import yaml
from lxml import etree
from test_registration import site_with

from confsite.pipeline import build
from conftest import BEFORE_DEADLINE, CONTENT

LANGS = ("de", "en")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def html(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


def text(doc: lxml.html.HtmlElement) -> str:
    return " ".join(doc.text_content().split())


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def content_yaml(name: str) -> dict:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def test_every_page_exists_in_both_languages(default_site: Path) -> None:
    de = [p for p in pages(default_site) if p.startswith("de/")]
    en = [p for p in pages(default_site) if p.startswith("en/")]
    assert len(de) == len(en) > 20
    program = content_yaml("program.yaml")
    session_count = sum(len(part["sessions"]) for part in program["parts"])
    people_count = len(content_yaml("people.yaml")["people"])
    # home, program, people, venue + a page per session and person, at least
    assert len(de) >= 4 + session_count + people_count


@pytest.mark.parametrize("lang", LANGS)
def test_pages_declare_their_language_and_link_their_translation(default_site: Path, lang: str) -> None:
    other = "en" if lang == "de" else "de"
    for rel in pages(default_site):
        if not rel.startswith(f"{lang}/"):
            continue
        doc = html(default_site, rel)
        assert doc.get("lang") == lang, rel
        switch = doc.xpath(f'//nav[contains(@class,"langs")]//a[@hreflang="{other}"]')
        assert len(switch) == 1, rel
        target = urljoin(rel, switch[0].get("href"))
        target_file = target + "index.html" if target.endswith("/") else target
        assert target_file.startswith(f"{other}/"), (rel, target)
        back = html(default_site, target_file).xpath(
            f'//nav[contains(@class,"langs")]//a[@hreflang="{lang}"]'
        )
        assert urljoin(target_file, back[0].get("href")) + "index.html" == rel, (rel, target_file)


def test_home_page_shows_title_date_times_and_venue(default_site: Path) -> None:
    conf = content_yaml("conference.yaml")
    de, en = text(html(default_site, "de/index.html")), text(html(default_site, "en/index.html"))
    assert conf["title"]["de"] in de and conf["title"]["en"] in en
    assert "Dienstag, 2. April 2019" in de and "9:30–18:30 Uhr" in de
    assert "Tuesday, 2 April 2019" in en and "9:30 AM – 6:30 PM" in en
    for page in (de, en):
        assert "Kirchplatz 2" in page and "42103" in page
    assert "Mitteleuropäische Sommerzeit" in de
    assert "Central European Summer Time" in en


def test_home_page_calls_to_action(default_site: Path) -> None:
    registration = content_yaml("conference.yaml")["registration"]["url"]
    doc = html(default_site, "de/index.html")
    cta = doc.xpath('//a[contains(@class,"cta")]')
    assert cta and cta[0].get("href") == registration
    assert "Jetzt anmelden – bis 27. März 2019" in text(cta[0])
    assert "external" in cta[0].get("rel") and "externe Website" in text(cta[0])
    assert doc.xpath('//a[contains(@href,"programm/")]')
    en_cta = html(default_site, "en/index.html").xpath('//a[contains(@class,"cta")]')
    assert "Register now – until 27 March 2019" in text(en_cta[0])


@pytest.mark.parametrize("lang", LANGS)
def test_program_lists_every_session_in_time_order_with_people(default_site: Path, lang: str) -> None:
    program = content_yaml("program.yaml")
    people = {p["id"]: p["name"] for p in content_yaml("people.yaml")["people"]}
    slug = "programm" if lang == "de" else "programme"
    doc = html(default_site, f"{lang}/{slug}/index.html")
    items = doc.xpath('//li[contains(@class,"session")]')
    expected = sorted((s["start"], s["id"]) for part in program["parts"] for s in part["sessions"])
    assert [li.get("id") for li in items] == [sid for _, sid in expected]
    by_id = {s["id"]: s for part in program["parts"] for s in part["sessions"]}
    for li in items:
        session = by_id[li.get("id")]
        title = session["title"]
        title = title if isinstance(title, str) else title.get(lang, title.get("text"))
        assert title in text(li)
        start = session["start"].lstrip("0") if lang == "de" else None
        if start:
            assert start in text(li.xpath('.//p[@class="time"]')[0])
        for person in session.get("speakers", []):
            assert people[person] in text(li)


def test_parallel_forums_and_podium_on_program(default_site: Path) -> None:
    forums = content_yaml("forums.yaml")["groups"][0]
    doc = html(default_site, "de/programm/index.html")
    slot = doc.xpath(f'//li[@id="{forums["session"]}"]')[0]
    assert f"eines von {len(forums['forums'])} Foren" in text(slot)
    for forum in forums["forums"]:
        assert forum["title"]["de"] in text(slot)
        assert slot.xpath(f'.//a[contains(@href,"foren/{forum["id"]}/")]')


def test_people_pages_list_appearances(default_site: Path) -> None:
    people = content_yaml("people.yaml")["people"]
    index = text(html(default_site, "de/personen/index.html"))
    for person in people:
        assert person["name"] in index
        page = text(html(default_site, f"de/personen/{person['id']}/index.html"))
        assert person["name"] in page
    schultze = html(default_site, "de/personen/schultze/index.html")
    assert len(schultze.xpath('//ul[@class="appearances"]/li')) == 2


def test_venue_page_has_address_directions_and_map_link_without_embed(default_site: Path) -> None:
    doc = html(default_site, "de/anreise/index.html")
    assert "Kirchplatz 2" in text(doc) and "Deutschland" in text(doc)
    assert doc.xpath('//a[starts-with(@href,"https://www.openstreetmap.org/")]')
    assert not doc.xpath("//iframe | //embed | //object")
    assert "Germany" in text(html(default_site, "en/venue/index.html"))


def test_no_resource_from_another_host(default_site: Path) -> None:
    for rel in pages(default_site):
        doc = html(default_site, rel)
        for el, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for node in doc.iter(el):
                value = node.get(attr)
                if value is None or (el == "link" and node.get("rel") in ("canonical", "alternate")):
                    continue
                assert not urlsplit(value).netloc, (rel, value)


def test_internal_links_and_anchors_resolve(default_site: Path) -> None:
    ids: dict[str, set[str]] = {}
    for rel in pages(default_site):
        ids[rel] = {el.get("id") for el in html(default_site, rel).xpath("//*[@id]")}
    for rel in pages(default_site):
        if rel == "404.html":
            continue
        for link in html(default_site, rel).xpath("//a[@href]"):
            href = link.get("href")
            if urlsplit(href).scheme:
                continue
            target = urljoin(rel, href)
            path, _, anchor = target.partition("#")
            path = path + "index.html" if path.endswith("/") or path == "" else path
            assert (default_site / path).is_file(), (rel, href)
            if anchor:
                assert anchor in ids[path], (rel, href)


def test_sitemap_lists_every_page_with_alternates(default_site: Path) -> None:
    tree = etree.parse(str(default_site / "sitemap.xml"))
    base = content_yaml("conference.yaml")["base_url"].rstrip("/") + "/"
    locs = [loc.text for loc in tree.findall(".//s:loc", SITEMAP_NS)]
    expected = {base + p.removesuffix("index.html") for p in pages(default_site) if p[:3] in ("de/", "en/")}
    assert set(locs) == expected and len(locs) == len(expected)
    for url in tree.findall("s:url", SITEMAP_NS):
        langs = {a.get("hreflang") for a in url.findall("x:link", SITEMAP_NS)}
        assert langs == {"de", "en", "x-default"}
    robots = (default_site / "robots.txt").read_text()
    assert f"Sitemap: {base}sitemap.xml" in robots


def test_root_index_sends_visitors_to_default_language_without_javascript(default_site: Path) -> None:
    doc = html(default_site, "index.html")
    refresh = doc.xpath('//meta[@http-equiv="refresh"]')[0].get("content")
    assert re.fullmatch(r"0; url=de/", refresh)
    assert {a.get("href") for a in doc.xpath("//a")} == {"de/", "en/"}


def test_not_found_page_uses_links_from_the_site_root(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(CONTENT, out, BEFORE_DEADLINE, base_url="https://example.org/kosi-lab/2019/")
    doc = html(out, "404.html")
    hrefs = {a.get("href") for a in doc.xpath('//nav[contains(@class,"site-nav")]//a')}
    assert "/kosi-lab/2019/de/programm/" in hrefs
    css = doc.xpath('//link[@rel="stylesheet"]')[0].get("href")
    assert css.startswith("/kosi-lab/2019/static/")
    canonical = html(out, "de/index.html").xpath('//link[@rel="canonical"]')[0].get("href")
    assert canonical == "https://example.org/kosi-lab/2019/de/"


def test_two_builds_are_byte_identical(default_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(CONTENT, again, BEFORE_DEADLINE)

    def digest(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digest(default_site) == digest(again)


def test_rebuild_removes_files_of_earlier_builds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(CONTENT, out, BEFORE_DEADLINE)
    (out / "de" / "stale.html").write_text("old")
    build(CONTENT, out, BEFORE_DEADLINE)
    assert not (out / "de" / "stale.html").exists()
    assert not list(tmp_path.glob(".site.*")), "no staging folder left behind"


def test_multi_day_home_lists_each_day_and_names_the_zone_across_the_clock_change(
    multiday_site: Path,
) -> None:
    when = html(multiday_site, "de/index.html").xpath('//dl[@class="facts"]/dd')[0]
    days = [line.strip() for line in when.itertext() if line.strip()]
    assert days[:3] == [
        "Freitag, 24. Oktober 2025, 9:00–14:00 Uhr",
        "Samstag, 25. Oktober 2025, 10:00–12:15 Uhr",
        "Sonntag, 26. Oktober 2025, 9:00–12:30 Uhr",
    ]
    # summer time ends in the night before the last day: the generic name is the honest one
    assert "Mitteleuropäische Zeit" in days[3] and "Sommerzeit" not in days[3]
    session = text(html(multiday_site, "en/programme/workshop/index.html"))
    assert "Central European Standard Time" in session


def test_a_title_in_another_language_keeps_its_lang_inside_interface_strings(tmp_path: Path) -> None:
    def in_one_language(program: dict) -> None:
        program["parts"][0]["title"] = {"text": "4. Werkstatt", "lang": "de"}
        for session in program["parts"][1]["sessions"]:
            if session["id"] in ("arbeitsforen", "podium"):
                session["title"] = {"text": f"Open {session['id']}", "lang": "en"}

    site = site_with(tmp_path, BEFORE_DEADLINE, change_program=in_one_language)
    forum = html(site, "de/foren/social-entrepreneurship/index.html").xpath('//p[@class="kind"]')[0]
    assert text(forum) == "Forum in „Open arbeitsforen“"
    assert [text(span) for span in forum.xpath('span[@lang="en"]')] == ["Open arbeitsforen"]
    panel = html(site, "de/podium/ausblick-kommunen-innovativ/index.html").xpath('//p[@class="kind"]')[0]
    assert [text(span) for span in panel.xpath('span[@lang="en"]')] == ["Open podium"]
    # the workshop is full: the English flyer page names it in its registration box, in German
    box = html(site, "en/flyer/index.html").xpath('//section[@class="flyer-register"]')[0]
    line = box.xpath('.//p[@class="small"]')[0]
    assert text(line) == "4. Werkstatt: Fully booked"
    assert [text(span) for span in line.xpath('span[@lang="de"]')] == ["4. Werkstatt"]
    # names of organisations in German are marked as such on English pages
    footer = html(site, "en/index.html").xpath("//footer")[0]
    assert "ILS – Institut für Landes- und Stadtentwicklungsforschung" in [
        text(span) for span in footer.xpath('.//span[@lang="de"]')
    ]


def test_a_quoted_title_that_holds_quotations_nests_them(default_site: Path) -> None:
    de = html(default_site, "de/podium/ausblick-kommunen-innovativ/index.html").xpath('//p[@class="kind"]')
    assert text(de[0]) == "Podium in „Abschlusspodium ‚Ausblick Kommunen innovativ‘“"
    en = html(default_site, "en/panels/ausblick-kommunen-innovativ/index.html").xpath('//p[@class="kind"]')
    assert text(en[0]) == "Panel in “Closing panel ‘Outlook: Kommunen innovativ’”"  # nested already


def test_quotations_nest_in_whichever_marks_the_interface_string_quotes_with(tmp_path: Path) -> None:
    def quoted_titles(program: dict) -> None:
        for session in program["parts"][1]["sessions"]:
            if session["id"] == "arbeitsforen":
                session["title"] = {"de": "Foren „Labore“", "en": "Forums on “labs” and the lab’s ‘method’"}

    british = 'forum_in: "Forum in ‘{session}’"\n'
    site = site_with(tmp_path, BEFORE_DEADLINE, change_program=quoted_titles, files={"i18n/en.yaml": british})
    de = html(site, "de/foren/social-entrepreneurship/index.html").xpath('//p[@class="kind"]')[0]
    assert text(de) == "Forum in „Foren ‚Labore‘“"
    en = html(site, "en/forums/social-entrepreneurship/index.html").xpath('//p[@class="kind"]')[0]
    assert text(en) == "Forum in ‘Forums on “labs” and the lab’s “method”’"


def part_breadcrumbs(site: Path) -> dict[str, tuple[str, str, str]]:
    """Map each session page to its breadcrumb's part link: its text, the target's heading and sessions."""
    found = {}
    for lang, slug in (("de", "programm"), ("en", "programme")):
        program = f"{lang}/{slug}/index.html"
        targets = {el.get("id"): el for el in html(site, program).xpath("//*[@id]")}
        for page in sorted((site / lang / slug).glob("*/index.html")):
            rel = page.relative_to(site).as_posix()
            link = html(site, rel).xpath('//nav[@class="crumbs"]/a')[1]
            path, _, anchor = urljoin(rel, link.get("href")).partition("#")
            assert path + "index.html" == program, rel
            target = targets[anchor]
            assert target.tag == "section" and "part" in target.get("class").split(), (rel, anchor)
            sessions = " ".join(li.get("id") for li in target.xpath('.//li[contains(@class,"session")]'))
            found[rel] = (text(link), text(target.xpath("./*[1]")[0]), sessions)
    return found


@pytest.mark.parametrize("built", ["default_site", "multiday_site"])
def test_a_session_breadcrumb_leads_to_its_part_on_the_programme(
    request: pytest.FixtureRequest, built: str
) -> None:
    site: Path = request.getfixturevalue(built)
    crumbs = part_breadcrumbs(site)
    assert len(crumbs) >= 14
    for rel, (label, heading, sessions) in crumbs.items():
        assert label == heading and rel.split("/")[-2] in sessions.split(), rel


def test_a_session_breadcrumb_leads_to_its_part_on_the_session_s_own_day(tmp_path: Path) -> None:
    def two_days(conf: dict) -> None:
        conf["dates"] = [dt.date(2019, 4, 2), dt.date(2019, 4, 3)]

    def podium_the_next_morning(program: dict) -> None:
        podium = next(s for s in program["parts"][1]["sessions"] if s["id"] == "podium")
        podium.update(date=dt.date(2019, 4, 3), start="09:00", end="10:00")

    site = site_with(tmp_path, BEFORE_DEADLINE, two_days, podium_the_next_morning)
    crumbs = part_breadcrumbs(site)
    for rel, (label, heading, sessions) in crumbs.items():
        assert label == heading and rel.split("/")[-2] in sessions.split(), rel
    link = html(site, "de/programm/podium/index.html").xpath('//nav[@class="crumbs"]/a')[1]
    assert link.get("href") == "../#part-konferenz-2019-04-03"
