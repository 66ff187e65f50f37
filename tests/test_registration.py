"""Registration states judged at --now: before and after deadlines, full parts, waitlist, after the event."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import yaml

from confsite.pipeline import build
from conftest import CONTENT

BERLIN = ZoneInfo("Europe/Berlin")
FORM = yaml.safe_load((CONTENT / "conference.yaml").read_text(encoding="utf-8"))["registration"]["url"]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def site_with(
    tmp_path: Path,
    now: dt.datetime,
    change: Any = None,
    change_program: Any = None,
    files: dict[str, str] | None = None,
) -> Path:
    """Build a copy of the default content, optionally changing conference.yaml or program.yaml first.

    ``files`` are added to the content folder (a path in it, and the text).
    """
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for name, text in (files or {}).items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    for name, changed in (("conference.yaml", change), ("program.yaml", change_program)):
        if changed is not None:
            data = yaml.safe_load((content / name).read_text(encoding="utf-8"))
            changed(data)
            (content / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, now)
    return out


def doc(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / rel).read_bytes())


def words(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def form_links(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        if doc(site, page.relative_to(site).as_posix()).xpath(f'//a[@href="{FORM}"]'):
            found.append(page.relative_to(site).as_posix())
    return found


def test_before_the_deadline_every_page_offers_the_form(tmp_path: Path) -> None:
    site = site_with(tmp_path, at(2019, 3, 1, 12))
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("??/**/*.html"))
    assert set(pages) <= set(form_links(site))
    home = doc(site, "de/index.html")
    assert "Jetzt anmelden – bis 27. März 2019" in words(home.xpath('//a[@class="cta"]')[0])
    # the morning workshop is full: its card says so and offers no link of its own
    card = home.xpath('//section[@aria-labelledby="overview-werkstatt"]')[0]
    assert "Ausgebucht" in words(card) and "höchstens 40 Plätze" in words(card)
    assert not card.xpath(f'.//a[@href="{FORM}"]')
    conference = home.xpath('//section[@aria-labelledby="overview-konferenz"]')[0]
    assert conference.xpath(f'.//a[@href="{FORM}"]')


def test_a_session_page_says_how_registration_for_its_part_stands(tmp_path: Path) -> None:
    """The call to action invites to the conference; a session of the full workshop says it is full."""
    site = site_with(tmp_path, at(2019, 3, 1, 12))
    expected = {
        "werkstatt": "Anmeldestatus: Ausgebucht · höchstens 40 Plätze · seit Mitte März 2019 ausgebucht",
        "konferenz": "Anmeldestatus: Anmeldung offen – bis 27. März 2019",
    }
    content = yaml.safe_load((CONTENT / "program.yaml").read_text(encoding="utf-8"))
    for part in content["parts"]:
        for session in part["sessions"]:
            page = doc(site, f"de/programm/{session['id']}/index.html")
            shown = [words(p) for p in page.xpath('//main//p[contains(@class, "status")][not(@hidden)]')]
            assert shown == [expected[part["id"]]], session["id"]


def test_the_deadline_text_follows_the_content(tmp_path: Path) -> None:
    def one_deadline(conf: dict[str, Any]) -> None:
        conf["registration"]["deadline"] = dt.date(2019, 3, 18)
        conf["registration"]["parts"] = {}

    site = site_with(tmp_path, at(2019, 3, 1, 12), one_deadline)
    assert "Jetzt anmelden – bis 18. März 2019" in words(doc(site, "de/index.html"))
    assert "Register now – until 18 March 2019" in words(doc(site, "en/index.html"))


def test_after_the_deadline_no_page_links_the_form(tmp_path: Path) -> None:
    site = site_with(tmp_path, at(2019, 3, 28, 0, 1))
    assert form_links(site) == []
    assert "Die Anmeldung ist geschlossen." in words(doc(site, "de/index.html"))
    assert "Registration is closed." in words(doc(site, "en/programme/index.html"))
    assert not doc(site, "de/index.html").xpath('//script[not(@type="application/ld+json")]')


def test_a_date_deadline_includes_the_whole_day(tmp_path: Path) -> None:
    site = site_with(tmp_path, at(2019, 3, 27, 23, 0))
    assert form_links(site)


def test_a_waitlist_part_is_labelled_and_still_offers_the_form(tmp_path: Path) -> None:
    def waitlist(conf: dict[str, Any]) -> None:
        conf["registration"]["parts"]["konferenz"]["status"] = "waitlist"

    site = site_with(tmp_path, at(2019, 3, 1, 12), waitlist)
    home = doc(site, "de/index.html")
    card = home.xpath('//section[@aria-labelledby="overview-konferenz"]')[0]
    assert "Nur noch Warteliste" in words(card) and card.xpath(f'.//a[@href="{FORM}"]')
    assert "Waiting list only" in words(doc(site, "en/programme/index.html"))


def test_when_every_part_is_full_nothing_links_the_form(tmp_path: Path) -> None:
    def full(conf: dict[str, Any]) -> None:
        conf["registration"]["parts"]["konferenz"]["status"] = "full"

    site = site_with(tmp_path, at(2019, 3, 1, 12), full)
    assert form_links(site) == []
    program = words(doc(site, "de/programm/index.html"))
    assert program.count("Ausgebucht") == 2


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "Die Veranstaltung hat am Dienstag, 2. April 2019 stattgefunden."),
        ("en", "The event took place on Tuesday, 2 April 2019."),
    ],
)
def test_after_the_event_the_site_is_an_archive(tmp_path: Path, lang: str, expected: str) -> None:
    site = site_with(tmp_path, at(2019, 4, 3, 9))
    assert form_links(site) == []
    home = words(doc(site, f"{lang}/index.html"))
    assert expected in home
    # the program is still complete
    assert (
        len(
            doc(site, f"{lang}/{'programm' if lang == 'de' else 'programme'}/index.html").xpath(
                '//li[contains(@class,"session")]'
            )
        )
        == 12
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "Die Veranstaltung hat am Dienstag, 2. April 2019 und Mittwoch, 3. April 2019 stattgefunden."),
        ("en", "The event took place on Tuesday, 2 April 2019 and Wednesday, 3 April 2019."),
    ],
)
def test_the_archive_of_a_two_day_event_names_both_days(tmp_path: Path, lang: str, expected: str) -> None:
    def two_days(conf: dict[str, Any]) -> None:
        conf["dates"] = [dt.date(2019, 4, 2), dt.date(2019, 4, 3)]

    def conference_on_the_second_day(program: dict[str, Any]) -> None:
        program["parts"][1]["date"] = dt.date(2019, 4, 3)

    site = site_with(tmp_path, at(2019, 4, 4, 9), two_days, conference_on_the_second_day)
    home = doc(site, f"{lang}/index.html")
    assert expected in words(home.xpath('//*[@class="notice"]')[0])
    register = doc(site, f"{lang}/flyer/index.html").xpath('//section[@class="flyer-register"]')[0]
    assert expected in words(register)


def test_the_deadline_script_is_small_and_carries_the_closed_text(tmp_path: Path) -> None:
    site = site_with(tmp_path, at(2019, 3, 1, 12))
    home = doc(site, "de/index.html")
    script = home.xpath("//script[@src]")[0]
    assert (site / "de" / script.get("src")).resolve().stat().st_size < 1024
    cta = home.xpath('//a[@class="cta"]')[0]
    assert dt.datetime.fromisoformat(cta.get("data-deadline")) == at(2019, 3, 27, 23, 59, 59)
    # what the bar says once the script finds the deadline passed, hidden until then
    closed = home.xpath(f'//*[@data-after="{cta.get("data-deadline")}"]')
    bar = cta.getparent()
    assert [words(p) for p in closed if p.getparent() is bar] == ["Die Anmeldung ist geschlossen."]
    assert closed[0].get("hidden") is not None and bar.get("role") == "status"


def visible(page: lxml.html.HtmlElement) -> str:
    """The words of a page as a browser without JavaScript shows them (hidden elements left out)."""
    for el in page.xpath("//*[@hidden] | //head"):
        el.drop_tree()
    return words(page)


@pytest.mark.parametrize(
    ("lang", "pages", "open_until"),
    [
        ("de", ("index.html", "programm/index.html", "flyer/index.html"), "Anmeldung offen – bis {}"),
        ("en", ("index.html", "programme/index.html", "flyer/index.html"), "Registration open – until {}"),
    ],
)
def test_an_open_status_names_its_deadline_so_that_it_stays_true_without_the_script(
    tmp_path: Path, lang: str, pages: tuple[str, ...], open_until: str
) -> None:
    def both_open(conf: dict[str, Any]) -> None:
        conf["registration"]["parts"]["werkstatt"]["status"] = "open"  # until 18 March

    site = site_with(tmp_path, at(2019, 3, 1, 12), both_open)
    dates = {"de": ("18. März 2019", "27. März 2019"), "en": ("18 March 2019", "27 March 2019")}[lang]
    closed = {"de": "Anmeldung geschlossen", "en": "Registration closed"}[lang]
    for rel in pages:
        shown = visible(doc(site, f"{lang}/{rel}"))
        for date in dates:
            assert open_until.format(date) in shown, rel
        assert closed not in shown, rel
