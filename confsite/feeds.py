"""The program as a frab-compatible schedule: c3voc schedule.json and schedule.xml."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import uuid
import weakref
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from .markup import plain
from .model import Conference, Person, Session, Text
from .routes import Routes
from .scalars import slugify

#: The order in which people's roles are listed.
ROLES = ("speaker", "moderator", "panelist", "host")

# Patterns of the c3voc schema that our ids must match (JSON Schema and XSD).
_ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?")
_TRACK_SLUG = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")  # both the JSON and the XSD pattern
_ROOM_SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")
_TIME_ZONE = re.compile(r"([A-Z][a-z]+/[A-Z][a-z]+)|UTC")


@dataclass(frozen=True)
class Item:
    """One event of the schedule: a program session, or one forum held in a session."""

    number: int
    guid: str
    slug: str
    kind: str
    title: str
    subtitle: str | None
    description: str
    start: dt.datetime
    end: dt.datetime
    room: str
    track: str
    language: str
    url: str
    links: tuple[tuple[str, str], ...]  # (language name, address) of the page in other languages
    persons: tuple[tuple[str, Person], ...]


def people_with_roles(conf: Conference, session: Session) -> tuple[tuple[str, Person], ...]:
    """Return who takes part in a session and how: its speakers, its moderators, its panels' members.

    Not the moderators of its part: they chair the part, which the programme shows, and
    apps show a session's people as its speakers (schedule.xml names no roles).
    """
    pairs = [("speaker", pid) for pid in session.speakers]
    pairs += [("moderator", pid) for pid in session.moderators]
    for panel in conf.panels_in(session.id):
        pairs += [("moderator", pid) for pid in panel.moderators]
        pairs += [("panelist", pid) for pid in panel.panelists]
    return _unique(conf, pairs)


def forum_people(conf: Conference, forum_id: str) -> tuple[tuple[str, Person], ...]:
    """Return the hosts of a forum with their role."""
    return _unique(conf, [("host", pid) for pid in conf.forum_by_id[forum_id].hosts])


def _unique(conf: Conference, pairs: list[tuple[str, str]]) -> tuple[tuple[str, Person], ...]:
    seen: set[str] = set()
    out = []
    for role, pid in pairs:
        if pid not in seen:
            seen.add(pid)
            out.append((role, conf.person(pid)))
    return tuple(out)


def guid(conf: Conference, kind: str, ident: str) -> str:
    """Return the stable UUID of a schedule item, derived from the conference and item ids."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:confsite:{conf.id}:{kind}:{ident}"))


def acronym(conf: Conference) -> str:
    """Return the conference id in the shape the schedule format wants (kosi_lab_2019)."""
    candidate = conf.id.replace("-", "_").ljust(4, "_")
    assert _ACRONYM.fullmatch(candidate)
    return candidate


def items(conf: Conference, routes: Routes) -> tuple[Item, ...]:
    """Return every session, each followed by its forums, numbered in time order."""
    lang = conf.default_language
    out: list[Item] = []
    slugs: set[str] = set()

    def add(
        page: str,
        ident: str,
        slug: str,
        slot: Session,
        kind: str,
        title: Text,
        subtitle: Text | None,
        description: Text | None,
        room: str,
        persons: tuple[tuple[str, Person], ...],
    ) -> None:
        n, unique = 2, f"{acronym(conf)}-{slug}"
        while unique in slugs:
            unique, n = f"{acronym(conf)}-{slug}-{n}", n + 1
        slugs.add(unique)
        others = conf.languages[1:]
        out.append(
            Item(
                number=len(out) + 1,
                guid=guid(conf, page, ident),
                slug=unique,
                kind=kind,
                title=title.get(lang),
                subtitle=subtitle.get(lang) if subtitle else None,
                description=description.get(lang) if description else "",
                start=slot.start,
                end=slot.end,
                room=room,
                track=conf.part_by_id[slot.part].title.get(lang),
                language=title.lang_of(lang),
                url=conf.base_url + routes.path(page, lang, ident),
                links=tuple(
                    (conf.ui(o)["lang_name"], conf.base_url + routes.path(page, o, ident)) for o in others
                ),
                persons=persons,
            )
        )

    for s in conf.sessions:
        room = s.room.get(lang) if s.room else conf.venue.name.get(lang)
        slug = s.id if len(s.id) >= 4 else f"session-{s.id}"
        people = people_with_roles(conf, s)
        add("session", s.id, slug, s, s.kind, s.title, s.subtitle, s.description, room, people)
        for f in conf.forums_in(s.id):
            room = f.room.get(lang) if f.room else f.title.get(lang)
            hosts = forum_people(conf, f.id)
            add("forum", f.id, f"forum-{f.id}", s, "forum", f.title, s.title, f.description, room, hosts)
    return tuple(out)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeslot(conf: Conference) -> str:
    """Return the largest step that every start and end falls on (15 minutes for most programs)."""
    step = 0
    for s in conf.sessions:
        for moment in (s.start, s.end):
            step = math.gcd(step, moment.hour * 60 + moment.minute)
    return _hhmm(min(step, 60) or 60)


def _days(
    conf: Conference, every: tuple[Item, ...]
) -> list[tuple[int, dt.date, dt.datetime, dt.datetime, list[Item]]]:
    """Group the items by conference day: index, date, first start, last end, items."""
    out = []
    for index, day in enumerate(conf.dates, 1):
        today = [i for i in every if i.start.date() == day]
        if today:
            start, end = min(i.start for i in today), max(i.end for i in today)
        else:
            start = dt.datetime.combine(day, dt.time(0), conf.tz)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), conf.tz)
        out.append((index, day, start, end, today))
    return out


def _rooms(every: tuple[Item, ...] | list[Item]) -> list[str]:
    """Return the room names in the order they first appear in the program."""
    return list(dict.fromkeys(i.room for i in every))


def schedule_json(conf: Conference, routes: Routes) -> bytes:
    """Render the whole program as schedule.json (c3voc schedule format)."""
    return (json.dumps(_document(conf, routes), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


#: The last schedule made, and of what (held weakly): both feeds show the same one, made once
#: (0.07 s at 1,000 sessions).
_last: tuple[weakref.ref[Conference], weakref.ref[Routes], dict[str, Any]] | None = None


def _document(conf: Conference, routes: Routes) -> dict[str, Any]:
    """Return the schedule of ``conf`` as schedule.json holds it (read it; do not change it)."""
    global _last  # noqa: PLW0603  (the same conference and routes: the same schedule)
    last = _last  # (read once: the preview's server threads may make feeds of two conferences)
    if last is not None and last[0]() is conf and last[1]() is routes:
        return last[2]
    document = _made_document(conf, routes)
    _last = (weakref.ref(conf), weakref.ref(routes), document)
    return document


def _made_document(conf: Conference, routes: Routes) -> dict[str, Any]:
    lang = conf.default_language
    every = items(conf, routes)
    rooms = [
        {"name": name, "guid": guid(conf, "room", name), "slug": slugify(name)} for name in _rooms(every)
    ]
    parts = sorted(conf.parts, key=lambda p: (p.start, p.id))
    tracks = [{"name": p.title.get(lang), "slug": p.id} for p in parts]
    conference: dict[str, Any] = {
        "acronym": acronym(conf),
        "title": conf.title.get(lang),
        "start": conf.dates[0].isoformat(),
        "end": conf.dates[-1].isoformat(),
        "daysCount": len(conf.dates),
        "timeslot_duration": _timeslot(conf),
        "time_zone_name": conf.timezone,
        "url": conf.base_url + routes.path("home", lang),
        "tracks": [{k: v for k, v in t.items() if k != "slug" or _TRACK_SLUG.fullmatch(v)} for t in tracks],
        "rooms": [{k: v for k, v in r.items() if k != "slug" or _ROOM_SLUG.fullmatch(v)} for r in rooms],
        "days": [
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": {name: [_event(conf, i) for i in today if i.room == name] for name in _rooms(today)},
            }
            for index, day, start, end, today in _days(conf, every)
        ],
    }
    if not _TIME_ZONE.fullmatch(conf.timezone):
        del conference["time_zone_name"]
    # The version names the content, so that apps notice every change and only then.
    version = hashlib.sha256(json.dumps(conference, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "confsite"},
        "schedule": {"version": version, "base_url": conf.base_url, "conference": conference},
    }


def _event(conf: Conference, item: Item) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "id": item.number,
        "date": item.start.isoformat(),
        "start": item.start.strftime("%H:%M"),
        "end": item.end.isoformat(),
        "duration": _hhmm(int((item.end - item.start).total_seconds()) // 60),
        "room": item.room,
        "slug": item.slug,
        "url": item.url,
        "title": item.title,
        "subtitle": item.subtitle,
        "track": item.track,
        "type": item.kind,
        "language": item.language,
        "abstract": plain(item.description) if item.description else "",
        "description": item.description or None,
        "persons": [
            {"guid": guid(conf, "person", person.id), "name": person.full_name, "role": role}
            | ({"url": person.url} if person.url else {})
            for role, person in item.persons
        ],
        "links": [{"type": "web", "url": url, "title": name} for name, url in item.links],
    }


#: The fields of an event that schedule.xml carries as plain text elements.
_XML_FIELDS = (
    "date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track", "type", "language",
    "abstract", "description",
)  # fmt: skip


def schedule_xml(conf: Conference, routes: Routes) -> bytes:
    """Render the whole program as schedule.xml (c3voc schedule format)."""
    schedule = _document(conf, routes)["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "confsite"})
    _text(root, "url", conf.base_url + "schedule.xml")
    _text(root, "version", schedule["version"])
    head = ET.SubElement(root, "conference")
    for key in (
        "acronym",
        "title",
        "start",
        "end",
        "daysCount",
        "timeslot_duration",
        "url",
        "time_zone_name",
    ):
        if key in conference:
            _text(head, "days" if key == "daysCount" else key, str(conference[key]))
    _text(head, "base_url", conf.base_url)
    for track in conference["tracks"]:
        _text(head, "track", track["name"], track)
    for day in conference["days"]:
        names = {"index": "index", "date": "date", "start": "day_start", "end": "day_end"}
        day_element = ET.SubElement(root, "day", {k: str(day[v]) for k, v in names.items()})
        for name, events in day["rooms"].items():
            room = ET.SubElement(day_element, "room", {"name": name, "guid": guid(conf, "room", name)})
            for event in events:
                element = ET.SubElement(room, "event", {"guid": event["guid"], "id": str(event["id"])})
                for key in _XML_FIELDS:
                    if event[key] is not None:
                        _text(element, key, event[key])
                persons = ET.SubElement(element, "persons")
                for person in event["persons"]:
                    _text(persons, "person", person["name"], {"guid": person["guid"]})
                links = ET.SubElement(element, "links")
                for link in event["links"]:
                    _text(links, "link", link["title"], {"href": link["url"], "type": link["type"]})
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _text(parent: ET.Element, tag: str, text: str, attributes: dict[str, str] | None = None) -> None:
    ET.SubElement(parent, tag, attributes or {}).text = text
