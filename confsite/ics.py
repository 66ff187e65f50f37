"""Calendars (RFC 5545) of the program per language, built with the icalendar library."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from icalendar import Calendar, Component, Event, Timezone, vGeo

from . import i18n
from .feeds import ROLES, forum_people, people_with_roles
from .markup import plain
from .model import Conference, Person, Text
from .routes import Routes
from .stamps import source_date

#: The interface string that labels the people of each role.
_ROLE_LABELS = {"speaker": "speakers", "moderator": "moderators", "panelist": "panelists", "host": "hosts"}


def calendar_path(lang: str) -> str:
    """Return where the calendar of the whole program in ``lang`` is published."""
    return f"{lang}/calendar.ics"


def session_calendar_path(conf: Conference, routes: Routes, lang: str, session_id: str) -> str:
    """Return where the calendar of one session is published: beside its page."""
    return f"{routes.path('session', lang, session_id)}{conf.id}-{session_id}.ics"


def paths(conf: Conference, routes: Routes) -> list[str]:
    """Return where calendars() puts its calendars."""
    return [
        path
        for lang in conf.languages
        for path in (
            calendar_path(lang),
            *(session_calendar_path(conf, routes, lang, s.id) for s in conf.sessions),
        )
    ]


#: Makes one piece of a calendar from the conference (as reads.py hands it out): its bytes.
PieceMaker = Callable[[Conference], bytes]


def calendars(conf: Conference, routes: Routes) -> dict[str, bytes]:
    """Render every calendar of the site: the whole program and each session, per language.

    (A build calls :func:`pieces` and :func:`assemble` itself, to keep the pieces between builds.)
    """
    made = {key: make(conf) for key, make in pieces(conf, routes).items()}
    return assemble(conf, routes, made)


def pieces(conf: Conference, routes: Routes) -> dict[str, PieceMaker]:
    """Return what the calendars are put together from, by key: each event, each session's head.

    Each event and each calendar's properties are serialised once, and the calendars put
    together from those bytes, which are the lines icalendar writes for a calendar holding
    them. Each piece is a function of the conference alone (and of ``routes``), so that a
    build can keep it as it keeps pages (see reads.py).
    """
    out: dict[str, PieceMaker] = {}
    for lang in conf.languages:
        for session in conf.sessions:
            out[_key("event", lang, session.id)] = functools.partial(_session_event, lang, routes, session.id)
            out[_key("head", lang, session.id)] = functools.partial(_session_head, lang, routes, session.id)
        for forum in conf.forums:
            out[_key("forum", lang, forum.id)] = functools.partial(_forum_event, lang, routes, forum.id)
    return out


def assemble(conf: Conference, routes: Routes, made: dict[str, bytes]) -> dict[str, bytes]:
    """Put the calendars together from the pieces that pieces() names, made."""
    zone = timezone_block(conf)
    out: dict[str, bytes] = {}
    for lang in conf.languages:
        program = []
        for session in conf.sessions:
            program.append(made[_key("event", lang, session.id)])
            program += [made[_key("forum", lang, forum.id)] for forum in conf.forums_in(session.id)]
        out[calendar_path(lang)] = _calendar(_head(conf, lang, conf.title.get(lang)), zone, program)
        for session in conf.sessions:
            head, event = made[_key("head", lang, session.id)], made[_key("event", lang, session.id)]
            out[session_calendar_path(conf, routes, lang, session.id)] = _calendar(head, zone, [event])
    return out


def _key(kind: str, lang: str, ident: str) -> str:
    return f"ics {kind} {lang} {ident}"


def _session_head(lang: str, routes: Routes, session_id: str, conf: Conference) -> bytes:
    session = conf.session_by_id[session_id]
    name = conf.ui(lang)["page_title"].format(page=session.title.get(lang), site=conf.title.get(lang))
    return _head(conf, lang, name)


_END = b"END:VCALENDAR\r\n"


def _head(conf: Conference, lang: str, name: str) -> bytes:
    """Serialise a calendar's properties (without its end line)."""
    name = " ".join(name.split())  # NAME and X-WR-CALNAME are one line; icalendar does not escape them
    cal = Calendar()
    cal.add("prodid", f"-//confsite//{conf.id}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", conf.timezone)
    head = serialised(cal)
    assert head.endswith(_END)
    return head[: -len(_END)]


def _calendar(head: bytes, zone: bytes, events: list[bytes]) -> bytes:
    """Put a calendar together: its properties, the time zone, the serialised events."""
    return b"".join([head, zone, *events, _END])


def timezone_block(conf: Conference) -> bytes:
    """Serialise the conference's time zone, with its rules from the first year to the last."""
    first, last = conf.dates[0], conf.dates[-1]
    zone = Timezone.from_tzinfo(
        conf.tz,
        tzid=conf.timezone,
        first_date=dt.date(first.year, 1, 1),
        last_date=dt.date(last.year + 1, 1, 1),
    )
    return serialised(zone)


def serialised(component: Component) -> bytes:
    """Return ``component.to_ical()``: its content lines, each folded (RFC 5545, 3.1).

    The same bytes, 20 times faster: icalendar folds a line character by character in Python,
    where :func:`fold` cuts its UTF-8 bytes. Rendering every page and calendar of 1,000
    sessions on one core took 3.3 s, 0.3 s of that in icalendar's folding; now 3.0 s.
    """
    return b"".join(fold(line) + b"\r\n" for line in component.content_lines() if line)


#: The most octets of a line, or of a folded line's part after its leading space.
_FOLD_AT = 74


def fold(line: str) -> bytes:
    r"""Fold a content line as icalendar does: parts of at most 74 octets, cut between characters.

    A part does not end in a backslash or caret if it holds more than that character, so that
    no escape (``\,``, ``^n``) is cut in two; the parts after the first start with a space.
    """
    if "\n" in line:  # (icalendar escapes line breaks in values: one here is a mistake)
        raise ValueError(f"a line break in a content line: {line!r}")
    data = line.encode()
    parts = []
    start = 0
    while len(data) - start > _FOLD_AT:
        cut = start + _FOLD_AT
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        if cut - start > 1 and data[cut - 1] in b"\\^":
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def stamp(conf: Conference) -> dt.datetime:
    """Return the DTSTAMP of every event: SOURCE_DATE_EPOCH, else the last conference day at 00:00 UTC."""
    return source_date() or dt.datetime.combine(conf.dates[-1], dt.time(0), dt.UTC)


def _event(conf: Conference, uid: str, summary: str, start: dt.datetime, end: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{conf.id}")
    event.add("dtstamp", stamp(conf))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    return event


def _session_event(lang: str, routes: Routes, session_id: str, conf: Conference) -> bytes:
    session = conf.session_by_id[session_id]
    ui = conf.ui(lang)
    event = _event(conf, f"session-{session.id}", session.title.get(lang), session.start, session.end)
    url = conf.base_url + routes.path("session", lang, session.id)
    blocks = [_line(session.subtitle, lang), _people(ui, people_with_roles(conf, session))]
    blocks.append(_markdown(session.description, lang))
    forums = conf.forums_in(session.id)
    if forums:
        titles = "\n".join(f"– {forum.title.get(lang)}" for forum in forums)
        blocks.append(f"{ui['forums_choose'].format(n=len(forums))}:\n{titles}")
    blocks.append(url)
    event.add("description", "\n\n".join(block for block in blocks if block))
    _place(conf, lang, event, session.room)
    event.add("categories", [ui[f"kind_{session.kind}"]])
    event.add("url", url)
    return serialised(event)


def _forum_event(lang: str, routes: Routes, forum_id: str, conf: Conference) -> bytes:
    forum = conf.forum_by_id[forum_id]
    session = conf.session_by_id[forum.session]
    ui = conf.ui(lang)
    event = _event(conf, f"forum-{forum.id}", forum.title.get(lang), session.start, session.end)
    url = conf.base_url + routes.path("forum", lang, forum.id)
    blocks = [
        ui["forum_in"].format(session=session.title.get(lang)),
        _people(ui, forum_people(conf, forum.id)),
        _markdown(forum.description, lang),
        url,
    ]
    event.add("description", "\n\n".join(block for block in blocks if block))
    _place(conf, lang, event, forum.room or session.room)
    event.add("categories", [ui["kind_forums"]])
    event.add("url", url)
    return serialised(event)


def _line(text: Text | None, lang: str) -> str:
    return text.get(lang) if text else ""


def _markdown(text: Text | None, lang: str) -> str:
    return plain(text.get(lang)) if text else ""


def _people(ui: dict[str, str], people: tuple[tuple[str, Person], ...]) -> str:
    """List the people by role, one line each: "Speakers: Jürgen Schultze, Eva Wascher"."""
    lines = []
    for role in ROLES:
        names = [person.full_name for r, person in people if r == role]
        if names:
            lines.append(f"{ui[_ROLE_LABELS[role]]}: {', '.join(names)}")
    return "\n".join(lines)


def _place(conf: Conference, lang: str, event: Event, room: Text | None) -> None:
    """Add where it happens: venue, room, street, postal code, city, country; and coordinates."""
    venue = conf.venue
    country = i18n.country_name(conf.ui(lang)["locale"], venue.country)
    parts = [
        venue.name.get(lang),
        _line(room, lang),
        venue.street,
        f"{venue.postal_code} {venue.city.get(lang)}",
    ]
    event.add("location", ", ".join(p for p in [*parts, str(country)] if p))
    if venue.lat is not None and venue.lon is not None:
        event.add("geo", vGeo((venue.lat, venue.lon)))
