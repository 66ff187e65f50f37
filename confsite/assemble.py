"""Make the immutable Conference of checked records: every record once, shared where referenced."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from . import crossref, memo
from .fields import Parsed
from .loader import RawPage
from .model import (
    Conference,
    Contact,
    Forum,
    Logo,
    Organization,
    Page,
    Panel,
    Part,
    PartRegistration,
    Person,
    Registration,
    Session,
    Text,
    Venue,
)


def _text(value: Any) -> Text | None:
    return value if isinstance(value, Text) else None


def _aware(value: dt.date | dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, bool]:
    """Return a deadline as an aware moment; a date means the end of that day."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz), False
    return dt.datetime.combine(value, dt.time(23, 59, 59), tz), True


def conference(
    src: crossref.Sources,
    pages: list[tuple[RawPage, Parsed]],
    strings: dict[str, dict[str, str]],
    logos: dict[str, Logo] | None = None,
) -> Conference:
    """Make the Conference of the checked records, pages, interface strings and logos (path -> logo)."""
    conf = src.conference
    tz = ZoneInfo(conf.get("timezone"))
    parts = tuple(_part(conf, p, tz) for p in src.parts)
    venue = conf.get("venue")
    geo = venue.get("geo")
    registration = conf.get("registration")
    deadline, deadline_is_day = _aware(registration.get("deadline"), tz)
    return Conference(
        id=conf.get("id"),
        languages=tuple(conf.get("languages")),
        timezone=conf.get("timezone"),
        base_url=conf.get("base_url").rstrip("/") + "/",
        title=conf.get("title"),
        subtitle=_text(conf.get("subtitle")),
        summary=_text(conf.get("summary")),
        dates=tuple(sorted(conf.get("dates"))),
        venue=Venue(
            name=venue.get("name"),
            street=venue.get("street"),
            postal_code=venue.get("postal_code"),
            city=venue.get("city"),
            country=venue.get("country"),
            lat=geo.get("lat") if geo else None,
            lon=geo.get("lon") if geo else None,
            directions=_text(venue.get("directions")),
            accessibility=_text(venue.get("accessibility")),
        ),
        registration=Registration(
            url=registration.get("url"),
            deadline=deadline,
            deadline_is_day=deadline_is_day,
            fee=_text(registration.get("fee")),
            price=registration.get("price"),
            currency=registration.get("currency", "EUR"),
            parts=tuple(
                (part_id, _part_registration(entry, tz))
                for part_id, entry in sorted(registration.get("parts", {}).items())
            ),
        ),
        parts=parts,
        people=tuple(_person(p) for p in src.people),
        forums=tuple(_forum(g.get("session"), f) for g, f in src.forums()),
        panels=tuple(_panel(p) for p in src.panels),
        organizers=tuple(_organization(o) for o in conf.get("organizers", ())),
        funders=tuple(_organization(o) for o in conf.get("funders", ())),
        contact=_contact(conf.get("contact")),
        pages=tuple(_page(raw, front) for raw, front in pages),
        strings=tuple((lang, tuple(sorted(s.items()))) for lang, s in sorted(strings.items())),
        logos=tuple(sorted((logos or {}).items())),
    )


def _part(conf: Parsed, part: Parsed, tz: ZoneInfo) -> Part:
    sessions = []
    for s in part.get("sessions"):
        day = crossref.session_date(conf, part, s)
        assert day is not None  # checked by crossref
        sessions.append(_session(s, part.get("id"), day, tz))
    sessions.sort(key=lambda s: (s.start, s.end, s.id))
    return Part(
        id=part.get("id"),
        title=part.get("title"),
        sessions=tuple(sessions),
        moderators=part.get("moderators", ()),
        description=_text(part.get("description")),
    )


def _part_registration(entry: Parsed, tz: ZoneInfo) -> PartRegistration:
    deadline = entry.get("deadline")
    when, is_day = _aware(deadline, tz) if deadline is not None else (None, True)
    return PartRegistration(
        status=entry.get("status", "open"),
        capacity=entry.get("capacity"),
        deadline=when,
        deadline_is_day=is_day,
        note=_text(entry.get("note")),
    )


def _session(s: Parsed, part: str, day: dt.date, tz: ZoneInfo) -> Session:
    """Make a session, or take the one the last build made of the same record (memo.py)."""
    return memo.made("session", (s,), lambda: _new_session(s, part, day, tz), also=(part, day, tz.key))


def _new_session(s: Parsed, part: str, day: dt.date, tz: ZoneInfo) -> Session:
    return Session(
        id=s.get("id"),
        part=part,
        kind=s.get("kind"),
        title=s.get("title"),
        start=dt.datetime.combine(day, s.get("start"), tz),
        end=dt.datetime.combine(day, s.get("end"), tz),
        subtitle=_text(s.get("subtitle")),
        description=_text(s.get("description")),
        speakers=s.get("speakers", ()),
        moderators=s.get("moderators", ()),
        room=_text(s.get("room")),
    )


def _person(p: Parsed) -> Person:
    """Make a person, or take the one the last build made of the same record (memo.py)."""
    return memo.made("person", (p,), lambda: _new_person(p))


def _new_person(p: Parsed) -> Person:
    return Person(
        id=p.get("id"),
        name=p.get("name"),
        honorific=p.get("honorific"),
        affiliation=_text(p.get("affiliation")),
        role=_text(p.get("role")),
        bio=_text(p.get("bio")),
        url=p.get("url"),
    )


def _forum(session: str, f: Parsed) -> Forum:
    return Forum(
        id=f.get("id"),
        session=session,
        title=f.get("title"),
        description=_text(f.get("description")),
        hosts=f.get("hosts", ()),
        room=_text(f.get("room")),
        capacity=f.get("capacity"),
    )


def _panel(p: Parsed) -> Panel:
    return Panel(
        id=p.get("id"),
        session=p.get("session"),
        title=p.get("title"),
        description=_text(p.get("description")),
        moderators=p.get("moderators", ()),
        panelists=p.get("panelists", ()),
    )


def _organization(o: Parsed) -> Organization:
    return Organization(name=o.get("name"), url=o.get("url"), role=_text(o.get("role")), logo=o.get("logo"))


def _contact(c: Parsed | None) -> Contact:
    if c is None:
        return Contact()
    return Contact(name=_text(c.get("name")), email=c.get("email"), phone=c.get("phone"), url=c.get("url"))


def _page(raw: RawPage, front: Parsed) -> Page:
    return Page(
        key=raw.slug,
        lang=raw.lang,
        slug=front.get("slug", raw.slug),
        title=front.get("title"),
        order=front.get("order", 100),
        menu=front.get("menu", "main"),
        body=raw.body,
        source=raw.path,
    )
