"""The calendars: what a calendar app imports from <lang>/calendar.ics and each session's .ics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline
from lxml import html

from confbuilder import write_content
from confsite import ics
from confsite.model import Conference
from confsite.pipeline import build, load
from confsite.routes import Routes

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
#: Three days across the end of summer time (26 October 2025), with rooms and panels.
MULTIDAY = ROOT / "tests" / "sites" / "multiday"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2019, 3, 1, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def conf() -> Conference:
    return load(CONTENT)


@pytest.fixture(scope="module")
def site(default_site: Path) -> Path:
    """The default site, built once for the session (conftest.py)."""
    return default_site


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = {str(event["UID"]): event for event in cal.events}
    assert len(found) == len(cal.events), "two events share a UID"
    return found


def every_ics(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.ics"))


def expected_times(conf: Conference) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Map each UID to the times the model gives: sessions, and forums at their session's time."""
    times = {f"session-{s.id}@{conf.id}": (s.start, s.end) for s in conf.sessions}
    for f in conf.forums:
        session = conf.session_by_id[f.session]
        times[f"forum-{f.id}@{conf.id}"] = (session.start, session.end)
    return times


@pytest.fixture(scope="module")
def multiday(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multiday") / "site"
    build(MULTIDAY, out, now=dt.datetime(2025, 10, 1, tzinfo=BERLIN))
    return out


@pytest.mark.parametrize("which", ["default", "multiday"])
def test_every_calendar_has_the_model_times(request: pytest.FixtureRequest, which: str) -> None:
    site: Path = request.getfixturevalue("site" if which == "default" else "multiday")
    conf = load(CONTENT if which == "default" else MULTIDAY)
    expected = expected_times(conf)
    files = list(every_ics(site))
    assert len(files) == len(conf.languages) * (1 + len(conf.sessions))
    for path in files:
        for uid, event in events(parse(path)).items():
            start, end = expected[uid]
            assert event["DTSTART"].params["TZID"] == conf.timezone, path
            assert event["DTEND"].params["TZID"] == conf.timezone, path
            assert (event.DTSTART, event.DTSTART.utcoffset()) == (start, start.utcoffset()), (path, uid)
            assert (event.DTEND, event.DTEND.utcoffset()) == (end, end.utcoffset()), (path, uid)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_whole_calendar_lists_every_session_and_forum(site: Path, conf: Conference, lang: str) -> None:
    cal = parse(site / lang / "calendar.ics")
    found = events(cal)
    assert set(found) == set(expected_times(conf))
    assert str(cal["X-WR-CALNAME"]) == conf.title.get(lang)
    assert [tz.tz_name for tz in cal.timezones] == [conf.timezone]
    for s in conf.sessions:
        assert str(found[f"session-{s.id}@{conf.id}"]["SUMMARY"]) == s.title.get(lang)
    for f in conf.forums:
        event = found[f"forum-{f.id}@{conf.id}"]
        assert str(event["SUMMARY"]) == f.title.get(lang)
        assert conf.session_by_id[f.session].title.get(lang) in str(event["DESCRIPTION"])


@pytest.mark.parametrize("lang", ["de", "en"])
def test_events_name_speakers_place_and_page(site: Path, conf: Conference, lang: str) -> None:
    found = events(parse(site / lang / "calendar.ics"))
    venue = conf.venue
    for s in conf.sessions:
        event = found[f"session-{s.id}@{conf.id}"]
        description = str(event["DESCRIPTION"])
        for pid in s.speakers:
            assert conf.person(pid).full_name in description
        if s.description:
            assert "**" not in description and "<" not in description
        location = str(event["LOCATION"])
        for piece in (venue.name.get(lang), venue.street, venue.postal_code, venue.city.get(lang)):
            assert piece in location
        url = str(event["URL"])
        assert url.startswith(conf.base_url)
        page = site / url.removeprefix(conf.base_url) / "index.html"
        assert page.is_file(), url
        assert s.title.get(lang) in page.read_text(encoding="utf-8")


def test_descriptions_are_in_the_calendar_language(site: Path, conf: Conference) -> None:
    talk = next(s for s in conf.sessions if s.speakers and s.description)
    uid = f"session-{talk.id}@{conf.id}"
    for lang in conf.languages:
        description = str(events(parse(site / lang / "calendar.ics"))[uid]["DESCRIPTION"])
        assert conf.ui(lang)["speakers"] in description
        assert talk.description is not None
        first_words = " ".join(talk.description.get(lang).split()[:3])
        assert first_words in description


def test_session_pages_link_their_own_calendar(site: Path, conf: Conference) -> None:
    routes = Routes(conf)
    for lang in conf.languages:
        for s in conf.sessions:
            folder = routes.path("session", lang, s.id)
            page = html.fromstring((site / folder / "index.html").read_bytes())
            links = page.xpath('//main//a[@type="text/calendar"]')
            assert len(links) == 1
            assert links[0].text_content() == conf.ui(lang)["calendar_session"]
            target = site / PurePosixPath(folder) / links[0].get("href")
            assert target.name == f"{conf.id}-{s.id}.ics"
            assert list(events(parse(target))) == [f"session-{s.id}@{conf.id}"]


def test_program_page_links_the_whole_calendar(site: Path, conf: Conference) -> None:
    routes = Routes(conf)
    for lang in conf.languages:
        folder = routes.path("program", lang)
        page = html.fromstring((site / folder / "index.html").read_bytes())
        links = page.xpath('//main//a[@type="text/calendar"]')
        assert [a.text_content() for a in links] == [conf.ui(lang)["calendar_all"]]
        target = (site / folder / links[0].get("href")).resolve()
        assert target == (site / lang / "calendar.ics").resolve()


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(CONTENT, again, now=NOW)
    first = {p.relative_to(site): p.read_bytes() for p in every_ics(site)}
    second = {p.relative_to(again): p.read_bytes() for p in every_ics(again)}
    assert first == second
    assert b"DTSTAMP:" in first[Path("de/calendar.ics")]


@pytest.mark.parametrize("which", ["default", "multiday"])
def test_every_calendar_is_what_icalendar_writes(request: pytest.FixtureRequest, which: str) -> None:
    """confsite folds the lines itself (ics.fold): icalendar, reading a calendar back, writes it alike."""
    site = request.getfixturevalue("site" if which == "default" else which)
    folded = 0
    for path in every_ics(site):
        data = path.read_bytes()
        assert parse(path).to_ical() == data, path
        folded += data.count(b"\r\n ")
    assert folded >= 10  # long descriptions, with umlauts and dashes: folded lines to compare


#: Characters of one to four UTF-8 octets, and the two that start an escape.
_CHARACTERS = st.sampled_from(["a", " ", ",", "\\", "^", "ä", "–", "€", "😀", "\t"])


@settings(derandomize=True, max_examples=400, database=None)
@given(st.lists(_CHARACTERS, max_size=300).map("".join))
def test_lines_are_folded_as_icalendar_folds_them(line: str) -> None:
    assert ics.fold(line) == Contentline(line).to_ical()


def test_a_line_break_in_a_content_line_is_refused_as_icalendar_refuses_it() -> None:
    with pytest.raises(AssertionError):
        Contentline("URL:https://example.org/\nX").to_ical()
    with pytest.raises(ValueError, match="line break"):
        ics.fold("URL:https://example.org/\nX")


def test_an_event_has_the_same_uid_in_every_file(conf: Conference) -> None:
    """Importing the German and the English calendar, or a session twice, must not duplicate events."""
    routes = Routes(conf)
    made = ics.calendars(conf, routes)
    de = events(icalendar.Calendar.from_ical(made[ics.calendar_path("de")]))
    en = events(icalendar.Calendar.from_ical(made[ics.calendar_path("en")]))
    assert set(de) == set(en)
    for s in conf.sessions:
        alone = events(
            icalendar.Calendar.from_ical(made[ics.session_calendar_path(conf, routes, "en", s.id)])
        )
        assert list(alone) == [f"session-{s.id}@{conf.id}"]
        assert alone[f"session-{s.id}@{conf.id}"].DTSTART == de[f"session-{s.id}@{conf.id}"].DTSTART


def test_source_date_epoch_sets_the_stamp(conf: Conference, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1552000000")
    cal = icalendar.Calendar.from_ical(ics.calendars(conf, Routes(conf))[ics.calendar_path("en")])
    stamps = {event.DTSTAMP for event in cal.events}
    assert stamps == {dt.datetime(2019, 3, 7, 23, 6, 40, tzinfo=dt.UTC)}


# A conference on a winter day and a summer day: the offset from UTC differs by an hour.
SEASONS = {
    "conference.yaml": """
        id: seasons-2024
        languages: [en, de]
        timezone: Europe/Berlin
        base_url: https://example.org/seasons/
        title: {en: Two seasons, de: Zwei Jahreszeiten}
        dates: [2024-01-16, 2024-07-16]
        venue:
          name: {en: Town hall, de: Rathaus}
          street: Marktplatz 1
          postal_code: "12345"
          city: Musterstadt
          country: DE
        registration:
          url: https://example.org/register
          deadline: 2024-01-10
        """,
    "program.yaml": """
        parts:
          - id: winter
            title: {en: Winter, de: Winter}
            date: 2024-01-16
            sessions:
              - id: cold
                start: "09:00"
                end: "10:30"
                kind: talk
                title: {en: Cold, de: Kalt}
                speakers: [ada]
                room: {en: Hall A, de: Saal A}
          - id: summer
            title: {en: Summer, de: Sommer}
            date: 2024-07-16
            sessions:
              - id: warm
                start: "18:00"
                end: "19:00"
                kind: talk
                title: {en: Warm, de: Warm}
        """,
    "people.yaml": """
        people:
          - id: ada
            name: Ada Lovelace
            honorific: Dr.
        """,
}


@pytest.fixture(scope="module")
def seasons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("seasons")
    out = base / "site"
    build(write_content(base / "content", SEASONS), out, now=dt.datetime(2024, 1, 1, tzinfo=BERLIN))
    return out


def test_winter_and_summer_times_keep_their_local_time(seasons: Path) -> None:
    raw = (seasons / "en" / "calendar.ics").read_text(encoding="utf-8")
    assert "DTSTART;TZID=Europe/Berlin:20240116T090000" in raw
    assert "DTSTART;TZID=Europe/Berlin:20240716T180000" in raw
    found = events(icalendar.Calendar.from_ical(raw))
    cold, warm = found["session-cold@seasons-2024"], found["session-warm@seasons-2024"]
    assert cold.DTSTART.astimezone(dt.UTC) == dt.datetime(2024, 1, 16, 8, 0, tzinfo=dt.UTC)
    assert cold.DTEND.astimezone(dt.UTC) == dt.datetime(2024, 1, 16, 9, 30, tzinfo=dt.UTC)
    assert warm.DTSTART.astimezone(dt.UTC) == dt.datetime(2024, 7, 16, 16, 0, tzinfo=dt.UTC)
    assert warm.DTEND.astimezone(dt.UTC) == dt.datetime(2024, 7, 16, 17, 0, tzinfo=dt.UTC)


def test_the_vtimezone_alone_gives_the_right_offsets(seasons: Path) -> None:
    """A client that knows no IANA names reads the offsets from our VTIMEZONE."""
    cal = parse(seasons / "de" / "calendar.ics")
    (vtimezone,) = cal.timezones
    own = vtimezone.to_tz(lookup_tzid=False)
    found = events(cal)
    for uid, offset in (("session-cold@seasons-2024", 1), ("session-warm@seasons-2024", 2)):
        local = found[uid].DTSTART.replace(tzinfo=None)
        assert local.replace(tzinfo=own).utcoffset() == dt.timedelta(hours=offset)


def test_per_session_calendar_has_room_and_speaker(seasons: Path) -> None:
    (path,) = seasons.glob("de/*/cold/*.ics")
    assert path.name == "seasons-2024-cold.ics"
    (event,) = parse(path).events
    assert str(event["SUMMARY"]) == "Kalt"
    assert "Dr. Ada Lovelace" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]).startswith("Rathaus, Saal A, Marktplatz 1, 12345 Musterstadt")
