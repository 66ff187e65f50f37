"""schedule.json and schedule.xml: what conference apps and video tooling read."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from lxml import etree, html

from confbuilder import write_content
from confsite import feeds
from confsite.model import Conference
from confsite.pipeline import build, load
from confsite.routes import Routes

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
MULTIDAY = ROOT / "tests" / "sites" / "multiday"
SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2019, 3, 1, tzinfo=BERLIN)

# Parallel forums with and without rooms and hosts, a panel, and a session id too short for a slug.
FORUMS_SITE = {
    "conference.yaml": """
        id: fx
        languages: [de, en]
        timezone: Europe/Berlin
        base_url: https://example.org/fx/
        title: {de: Foren, en: Forums}
        dates: [2024-11-05]
        venue: {name: Rathaus, street: Markt 1, postal_code: "12345", city: Musterstadt, country: DE}
        registration: {url: "https://example.org/register", deadline: 2024-11-01}
        """,
    "program.yaml": """
        parts:
          - id: day
            title: {de: Tag, en: Day}
            moderators: [mod]
            sessions:
              - id: qa
                start: "09:00"
                end: "09:30"
                kind: talk
                title: {de: Fragen, en: Questions}
                speakers: [ada]
                moderators: [bob]
              - {id: forums, start: "10:00", end: "11:30", kind: forums, title: {de: Foren, en: Forums}}
              - {id: panel, start: "12:00", end: "13:00", kind: podium, title: {de: Podium, en: Panel}}
        """,
    "forums.yaml": """
        groups:
          - session: forums
            forums:
              - id: alpha
                title: {de: Alpha-Forum, en: Alpha forum}
                hosts: [ada, bob]
                room: {de: Raum 2, en: Room 2}
              - {id: beta, title: {de: Beta-Forum, en: Beta forum}}
        """,
    "podium.yaml": """
        panels:
          - id: talk-it-over
            session: panel
            title: {de: Podium, en: Panel}
            moderators: [mod]
            panelists: [ada, bob]
        """,
    "people.yaml": """
        people:
          - {id: ada, name: Ada Lovelace, honorific: Dr.}
          - {id: bob, name: Bob Example}
          - {id: mod, name: Mo Derator}
        """,
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Conference, Path]]:
    base = tmp_path_factory.mktemp("feeds")
    forums = write_content(base / "forums-content", FORUMS_SITE)
    out: dict[str, tuple[Conference, Path]] = {}
    for name, content, now in (
        ("default", CONTENT, NOW),
        ("multiday", MULTIDAY, dt.datetime(2025, 10, 1, tzinfo=BERLIN)),
        ("forums", forums, dt.datetime(2024, 10, 1, tzinfo=BERLIN)),
    ):
        build(content, base / name, now=now)
        out[name] = (load(content), base / name)
    return out


def schedule(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "schedule.json").read_text(encoding="utf-8"))
    return data


def json_events(site: Path) -> list[dict[str, Any]]:
    days = schedule(site)["schedule"]["conference"]["days"]
    return [event for day in days for events in day["rooms"].values() for event in events]


def xml_events(site: Path) -> list[etree._Element]:
    return list(etree.parse(str(site / "schedule.xml")).iterfind("day/room/event"))


NAMES = ["default", "multiday", "forums"]


@pytest.mark.parametrize("name", NAMES)
def test_schedule_json_is_valid(sites: dict[str, tuple[Conference, Path]], name: str) -> None:
    schema = json.loads((SPECS / "c3voc-schedule.schema.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft6Validator  # as the schema declares
    validator_class.check_schema(schema)
    data = schedule(sites[name][1])
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    # Formats that draft 6 does not check: uuid and date.
    for event in json_events(sites[name][1]):
        uuid.UUID(event["guid"])
        for person in event["persons"]:
            uuid.UUID(person["guid"])
    for day in data["schedule"]["conference"]["days"]:
        dt.date.fromisoformat(day["date"])


@pytest.mark.parametrize("name", NAMES)
def test_schedule_xml_is_valid(sites: dict[str, tuple[Conference, Path]], name: str) -> None:
    xsd = etree.XMLSchema(etree.parse(str(SPECS / "c3voc-schedule.xml.xsd")))
    document = etree.parse(str(sites[name][1] / "schedule.xml"))
    assert xsd.validate(document), str(xsd.error_log)


@pytest.mark.parametrize("name", NAMES)
def test_every_session_and_forum_at_its_time(sites: dict[str, tuple[Conference, Path]], name: str) -> None:
    conf, site = sites[name]
    expected = {s.title.get(conf.default_language): (s.start, s.end) for s in conf.sessions}
    for f in conf.forums:
        session = conf.session_by_id[f.session]
        expected[f.title.get(conf.default_language)] = (session.start, session.end)
    events = json_events(site)
    assert sorted(e["title"] for e in events) == sorted(expected)
    for event in events:
        start, end = expected[event["title"]]
        assert dt.datetime.fromisoformat(event["date"]) == start
        assert dt.datetime.fromisoformat(event["date"]).utcoffset() == start.utcoffset()
        assert dt.datetime.fromisoformat(event["end"]) == end
        hours, minutes = map(int, event["duration"].split(":"))
        assert dt.timedelta(hours=hours, minutes=minutes) == end - start
        assert event["start"] == f"{start:%H:%M}"
    by_guid = {e.get("guid"): e for e in xml_events(site)}
    assert set(by_guid) == {e["guid"] for e in events}
    for event in events:
        element = by_guid[event["guid"]]
        assert element.findtext("title") == event["title"]
        assert element.findtext("date") == event["date"]
        assert element.findtext("room") == event["room"]


def test_events_link_to_their_pages(sites: dict[str, tuple[Conference, Path]]) -> None:
    conf, site = sites["default"]
    for event in json_events(site):
        page = site / event["url"].removeprefix(conf.base_url) / "index.html"
        assert event["url"].startswith(conf.base_url)
        (h1,) = html.parse(str(page)).xpath("//h1")
        assert h1.text_content() == event["title"]
        assert [link["title"] for link in event["links"]] == ["English"]
        for link in event["links"]:
            assert (site / link["url"].removeprefix(conf.base_url) / "index.html").is_file()


def persons(site: Path, title: str) -> list[tuple[str, str]]:
    (event,) = [e for e in json_events(site) if e["title"] == title]
    return [(p["name"], p["role"]) for p in event["persons"]]


def test_persons_with_their_roles(sites: dict[str, tuple[Conference, Path]]) -> None:
    site = sites["forums"][1]
    assert persons(site, "Fragen") == [("Dr. Ada Lovelace", "speaker"), ("Bob Example", "moderator")]
    assert persons(site, "Alpha-Forum") == [("Dr. Ada Lovelace", "host"), ("Bob Example", "host")]
    assert persons(site, "Podium") == [
        ("Mo Derator", "moderator"),
        ("Dr. Ada Lovelace", "panelist"),
        ("Bob Example", "panelist"),
    ]
    default = sites["default"][1]
    assert ("Andreas Mucke", "speaker") in persons(default, "Grußworte")


def test_the_moderators_of_a_part_are_no_sessions_people(sites: dict[str, tuple[Conference, Path]]) -> None:
    """Apps show a session's people as its speakers: the part's chair would be the keynote's."""
    default = sites["default"][1]
    kaletka = [e["title"] for e in json_events(default) if "Dr. Christoph Kaletka" in str(e["persons"])]
    assert kaletka == []
    assert persons(default, "Empfang und Mittagsimbiss") == []
    lunch = html.parse(str(default / "de/programm/konferenz-empfang/index.html")).getroot()
    assert "Kaletka" not in lunch.find(".//main").text_content()
    calendar = (default / "de/programm/konferenz-empfang/kosi-lab-2019-konferenz-empfang.ics").read_text()
    assert "Kaletka" not in calendar
    assert persons(sites["forums"][1], "Foren") == []  # (Mo Derator chairs the part)


def test_a_person_has_one_guid_everywhere(sites: dict[str, tuple[Conference, Path]]) -> None:
    site = sites["forums"][1]
    guids: dict[str, set[str]] = {}
    for event in json_events(site):
        for person in event["persons"]:
            guids.setdefault(person["name"], set()).add(person["guid"])
    assert all(len(found) == 1 for found in guids.values())
    assert len({g for found in guids.values() for g in found}) == len(guids)
    for element in xml_events(site):
        for person in element.iterfind("persons/person"):
            assert guids[person.text or ""] == {person.get("guid")}


def test_each_forum_is_held_in_its_own_room(sites: dict[str, tuple[Conference, Path]]) -> None:
    site = sites["forums"][1]
    rooms = {e["title"]: e["room"] for e in json_events(site)}
    assert rooms["Alpha-Forum"] == "Raum 2"
    assert rooms["Beta-Forum"] not in {rooms["Alpha-Forum"], rooms["Foren"]}
    assert "Beta-Forum" in rooms["Beta-Forum"]
    conference = schedule(site)["schedule"]["conference"]
    assert {room["name"] for room in conference["rooms"]} == set(rooms.values())
    (day,) = conference["days"]
    assert {name: [e["title"] for e in events] for name, events in day["rooms"].items()}["Raum 2"] == [
        "Alpha-Forum"
    ]
    xml_rooms = {r.get("name") for r in etree.parse(str(site / "schedule.xml")).iterfind("day/room")}
    assert xml_rooms == set(rooms.values())


def test_several_days_and_rooms(sites: dict[str, tuple[Conference, Path]]) -> None:
    conf, site = sites["multiday"]
    conference = schedule(site)["schedule"]["conference"]
    assert conference["daysCount"] == len(conf.dates)
    days = conference["days"]
    assert [d["date"] for d in days] == [d.isoformat() for d in conf.dates]
    assert [d["index"] for d in days] == [1, 2, 3]
    assert "Hall A" in days[0]["rooms"]
    # Summer time ends in the night before the third day.
    assert days[1]["day_start"].endswith("+02:00") and days[2]["day_start"].endswith("+01:00")


def test_guids_stay_when_the_program_changes(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", FORUMS_SITE)
    build(content, tmp_path / "one", now=dt.datetime(2024, 10, 1, tzinfo=BERLIN))
    program = content / "program.yaml"
    program.write_text(
        program.read_text(encoding="utf-8").replace(
            "    sessions:\n",
            '    sessions:\n      - {id: early, start: "08:00", end: "08:30", kind: other, title: Early}\n',
        ),
        encoding="utf-8",
    )
    build(content, tmp_path / "two", now=dt.datetime(2024, 10, 1, tzinfo=BERLIN))
    before = {e["title"]: e["guid"] for e in json_events(tmp_path / "one")}
    after = {e["title"]: e["guid"] for e in json_events(tmp_path / "two")}
    assert len(after) == len(before) + 1
    assert all(after[title] == guid for title, guid in before.items())
    assert (
        schedule(tmp_path / "one")["schedule"]["version"] != schedule(tmp_path / "two")["schedule"]["version"]
    )


def test_two_builds_are_byte_identical(sites: dict[str, tuple[Conference, Path]], tmp_path: Path) -> None:
    site = sites["default"][1]
    build(CONTENT, tmp_path / "again", now=NOW)
    for name in ("schedule.json", "schedule.xml"):
        assert (site / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_both_feeds_of_a_conference_share_one_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule is made once for both feeds of the same conference, and anew for another."""
    made: list[Conference] = []
    make = feeds._made_document
    monkeypatch.setattr(feeds, "_made_document", lambda conf, routes: made.append(conf) or make(conf, routes))
    conf, other = load(CONTENT), load(CONTENT)
    routes = Routes(conf)
    first = json.loads(feeds.schedule_json(conf, routes))
    root = etree.fromstring(feeds.schedule_xml(conf, routes))
    assert made == [conf]
    assert root.findtext("version") == first["schedule"]["version"]
    again = json.loads(feeds.schedule_json(other, Routes(other)))
    assert made == [conf, other] and made[1] is other
    assert again == first  # the same content, the same schedule
