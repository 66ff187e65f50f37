"""Cross-reference checks: ids, references, kinds, dates and overlaps across files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .fields import Ctx, Parsed, suggest


@dataclass(frozen=True)
class Sources:
    """The checked records of every content file (absent files give empty tuples)."""

    conference: Parsed
    parts: tuple[Parsed, ...]
    groups: tuple[Parsed, ...]
    panels: tuple[Parsed, ...]
    people: tuple[Parsed, ...]
    #: Content files that could not be read or whose top level is invalid (already reported):
    #: references into them are not checked, so one broken file does not flood the report.
    unusable: frozenset[str] = frozenset()

    def sessions(self) -> list[tuple[Parsed, Parsed]]:
        """Return every (part, session) pair."""
        return [(part, s) for part in self.parts for s in part.get("sessions", ())]

    def forums(self) -> list[tuple[Parsed, Parsed]]:
        """Return every (group, forum) pair."""
        return [(g, f) for g in self.groups for f in g.get("forums", ())]


def session_date(conference: Parsed, part: Parsed, session: Parsed) -> dt.date | None:
    """Return a session's date: its own, its part's, or the single conference day."""
    day = session.get("date") or part.get("date")
    if day is None:
        days = conference.get("dates", ())
        day = days[0] if len(days) == 1 else None
    return day if isinstance(day, dt.date) else None


def check_unique(ctx: Ctx, records: Iterable[Parsed], what: str) -> dict[str, Parsed]:
    """Report ids given twice; return the records by id."""
    seen: dict[str, Parsed] = {}
    for record in records:
        ident = record.get("id")
        if ident is None:
            continue
        if ident in seen:
            first = seen[ident]
            ctx.error(
                record.loc.path,
                record.line_of("id"),
                f"{record.loc.where}.id",
                f"duplicate {what} id '{ident}' (first used at {first.loc.path}:{first.line_of('id')});"
                " ids must be unique",
            )
            continue
        seen[ident] = record
    return seen


def check_refs(
    ctx: Ctx, record: Parsed, key: str, known: Sequence[str] | dict[str, Parsed], what: str
) -> None:
    """Report ids in ``record[key]`` that name nothing known."""
    for ident in record.get(key, ()):
        if ident not in known:
            loc = record.at(key)
            ctx.error(
                loc.path,
                loc.line,
                loc.where,
                f"unknown {what} '{ident}'{suggest(ident, known)}",
            )


def check(ctx: Ctx, src: Sources) -> None:
    """Run every check that spans records or files."""
    people = check_unique(ctx, src.people, "person")
    parts = check_unique(ctx, src.parts, "part")
    sessions = check_unique(ctx, (s for _, s in src.sessions()), "session")
    check_unique(ctx, (f for _, f in src.forums()), "forum")
    check_unique(ctx, src.panels, "panel")

    if "people.yaml" not in src.unusable:
        for part in src.parts:
            check_refs(ctx, part, "moderators", people, "person")
        for _, session in src.sessions():
            for key in ("speakers", "moderators"):
                check_refs(ctx, session, key, people, "person")
        for _, forum in src.forums():
            check_refs(ctx, forum, "hosts", people, "person")
        for panel in src.panels:
            for key in ("moderators", "panelists"):
                check_refs(ctx, panel, key, people, "person")

    if "program.yaml" not in src.unusable:
        _check_attachments(ctx, src.groups, sessions, "forums", "forum group")
        _check_attachments(ctx, src.panels, sessions, "podium", "panel")
        _check_registration_parts(ctx, src.conference, parts)
    _check_unique_groups(ctx, src.groups)
    _check_times(ctx, src)


def _check_attachments(
    ctx: Ctx, records: Iterable[Parsed], sessions: dict[str, Parsed], kind: str, what: str
) -> None:
    for record in records:
        target = record.get("session")
        if target is None:
            continue
        loc = record.at("session")
        session = sessions.get(target)
        if session is None:
            ctx.error(loc.path, loc.line, loc.where, f"unknown session '{target}'{suggest(target, sessions)}")
        elif session.get("kind") not in (kind, None):  # an invalid kind is reported in program.yaml
            ctx.error(
                loc.path,
                loc.line,
                loc.where,
                f"session '{target}' is of kind '{session.get('kind')}'; a {what} needs a session"
                f" of kind '{kind}' ({session.loc.path}:{session.line_of('kind')})",
            )


def _check_unique_groups(ctx: Ctx, groups: Iterable[Parsed]) -> None:
    seen: dict[str, Parsed] = {}
    for group in groups:
        target = group.get("session")
        if target in seen:
            loc = group.at("session")
            first = seen[target]
            ctx.error(
                loc.path,
                loc.line,
                loc.where,
                f"session '{target}' already has a forum group (line {first.line_of('session')});"
                " put all its forums in one group",
            )
        elif target is not None:
            seen[target] = group


def _check_times(ctx: Ctx, src: Sources) -> None:
    days = src.conference.get("dates", ())
    shown_days = ", ".join(d.isoformat() for d in days)
    for part in src.parts:
        if part.get("date") is not None and days and part.get("date") not in days:
            loc = part.at("date")
            ctx.error(
                loc.path, loc.line, loc.where, f"{part.get('date')} is not a conference day ({shown_days})"
            )
        slots: list[tuple[dt.date, str, dt.time, dt.time, Parsed]] = []
        for session in part.get("sessions", ()):
            start, end = session.get("start"), session.get("end")
            if start is not None and end is not None and end <= start:
                loc = session.at("end")
                ctx.error(
                    loc.path,
                    loc.line,
                    loc.where,
                    f"ends at {end:%H:%M}, not after its start at {start:%H:%M}",
                )
                continue
            day = session_date(src.conference, part, session)
            if day is None:
                if days:
                    ctx.error(
                        session.loc.path,
                        session.loc.line,
                        session.loc.where,
                        "has no date: give the session or its part a date (the conference has several days)",
                    )
                continue
            if session.get("date") is not None and days and day not in days:
                loc = session.at("date")
                ctx.error(loc.path, loc.line, loc.where, f"{day} is not a conference day ({shown_days})")
                continue
            if start is not None and end is not None:
                room = session.get("room")
                slots.append((day, repr(room), start, end, session))
        _check_overlaps(ctx, slots)


def _check_overlaps(ctx: Ctx, slots: list[tuple[dt.date, str, dt.time, dt.time, Parsed]]) -> None:
    slots.sort(key=lambda s: (s[0], s[1], s[2], s[3]))
    latest: tuple[dt.date, str, dt.time, dt.time, Parsed] | None = None
    for slot in slots:
        day, room, start, end, session = slot
        if latest is not None and latest[:2] == (day, room) and start < latest[3]:
            other = latest[4]
            ctx.error(
                session.loc.path,
                session.line_of("start"),
                f"{session.loc.where}.start",
                f"session '{session.get('id')}' starts at {start:%H:%M}, before '{other.get('id')}'"
                f" (line {other.loc.line}) ends at {latest[3]:%H:%M} in the same room; move one of"
                " them or give them different rooms",
            )
        if latest is None or latest[:2] != (day, room) or end > latest[3]:
            latest = slot


def _check_registration_parts(ctx: Ctx, conference: Parsed, parts: dict[str, Parsed]) -> None:
    registration = conference.get("registration")
    if registration is None:
        return
    for part_id, entry in registration.get("parts", {}).items():
        if part_id not in parts:
            ctx.error(
                entry.loc.path,
                entry.loc.line,
                entry.loc.where,
                f"unknown program part '{part_id}'{suggest(part_id, parts)}",
            )
