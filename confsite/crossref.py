"""Cross-reference checks: ids, references, kinds, dates and overlaps across files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .fields import Ctx, Parsed, suggest
from .messages import Message, msg

PERSON = msg("person", "Person")
PART = msg("part", "Programmteil")
SESSION = msg("session", "Programmpunkt")
FORUM = msg("forum", "Forum")
PANEL = msg("panel", "Panel")


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


def check_unique(ctx: Ctx, records: Iterable[Parsed], what: Message) -> dict[str, Parsed]:
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
                msg(
                    "duplicate {what} id '{ident}' (first used at {path}:{line}); ids must be unique",
                    "doppelte ID '{ident}' ({what}; zuerst verwendet in {path}:{line});"
                    " jede ID darf nur einmal vorkommen",
                    what=what,
                    ident=ident,
                    path=first.loc.path,
                    line=first.line_of("id"),
                ),
            )
            continue
        seen[ident] = record
    return seen


def check_refs(
    ctx: Ctx, record: Parsed, key: str, known: Sequence[str] | dict[str, Parsed], what: Message
) -> None:
    """Report ids in ``record[key]`` that name nothing known."""
    for ident in record.get(key, ()):
        if ident not in known:
            loc = record.at(key)
            ctx.error_at(
                loc,
                msg(
                    "unknown {what} '{ident}'{hint}",
                    "unbekannte ID '{ident}' ({what}){hint}",
                    what=what,
                    ident=ident,
                    hint=suggest(ident, known),
                ),
            )


def check(ctx: Ctx, src: Sources) -> None:
    """Run every check that spans records or files."""
    people = check_unique(ctx, src.people, PERSON)
    parts = check_unique(ctx, src.parts, PART)
    sessions = check_unique(ctx, (s for _, s in src.sessions()), SESSION)
    check_unique(ctx, (f for _, f in src.forums()), FORUM)
    check_unique(ctx, src.panels, PANEL)

    if "people.yaml" not in src.unusable:
        for part in src.parts:
            check_refs(ctx, part, "moderators", people, PERSON)
        for _, session in src.sessions():
            for key in ("speakers", "moderators"):
                check_refs(ctx, session, key, people, PERSON)
        for _, forum in src.forums():
            check_refs(ctx, forum, "hosts", people, PERSON)
        for panel in src.panels:
            for key in ("moderators", "panelists"):
                check_refs(ctx, panel, key, people, PERSON)

    if "program.yaml" not in src.unusable:
        _check_attachments(ctx, src.groups, sessions, "forums", msg("a forum group", "eine Forengruppe"))
        _check_attachments(ctx, src.panels, sessions, "podium", msg("a panel", "ein Panel"))
        _check_registration_parts(ctx, src.conference, parts)
        _check_deadlines(ctx, src.conference, parts)
    _check_unique_groups(ctx, src.groups)
    _check_times(ctx, src)


def _check_attachments(
    ctx: Ctx, records: Iterable[Parsed], sessions: dict[str, Parsed], kind: str, what: Message
) -> None:
    for record in records:
        target = record.get("session")
        if target is None:
            continue
        loc = record.at("session")
        session = sessions.get(target)
        if session is None:
            ctx.error_at(
                loc,
                msg(
                    "unknown session '{target}'{hint}",
                    "unbekannter Programmpunkt '{target}'{hint}",
                    target=target,
                    hint=suggest(target, sessions),
                ),
            )
        elif session.get("kind") not in (kind, None):  # an invalid kind is reported in program.yaml
            ctx.error_at(
                loc,
                msg(
                    "session '{target}' is of kind '{actual}'; {what} needs a session of kind '{kind}'"
                    " ({path}:{line})",
                    "der Programmpunkt '{target}' ist von der Art (kind) '{actual}'; {what} braucht einen"
                    " Programmpunkt der Art '{kind}' ({path}:{line})",
                    target=target,
                    actual=session.get("kind"),
                    what=what,
                    kind=kind,
                    path=session.loc.path,
                    line=session.line_of("kind"),
                ),
            )


def _check_unique_groups(ctx: Ctx, groups: Iterable[Parsed]) -> None:
    seen: dict[str, Parsed] = {}
    for group in groups:
        target = group.get("session")
        if target in seen:
            loc = group.at("session")
            first = seen[target]
            ctx.error_at(
                loc,
                msg(
                    "session '{target}' already has a forum group (line {line});"
                    " put all its forums in one group",
                    "der Programmpunkt '{target}' hat schon eine Forengruppe (Zeile {line});"
                    " fassen Sie alle seine Foren in einer Gruppe zusammen",
                    target=target,
                    line=first.line_of("session"),
                ),
            )
        elif target is not None:
            seen[target] = group


def _not_a_day(day: dt.date, days: Iterable[dt.date]) -> Message:
    return msg(
        "{day} is not a conference day ({days})",
        "{day} ist kein Konferenztag ({days})",
        day=day,
        days=[d.isoformat() for d in days],
    )


def _check_times(ctx: Ctx, src: Sources) -> None:
    days = src.conference.get("dates", ())
    for part in src.parts:
        if part.get("date") is not None and days and part.get("date") not in days:
            ctx.error_at(part.at("date"), _not_a_day(part.get("date"), days))
        slots: list[tuple[dt.date, str, dt.time, dt.time, Parsed]] = []
        for session in part.get("sessions", ()):
            start, end = session.get("start"), session.get("end")
            if start is not None and end is not None and end <= start:
                loc = session.at("end")
                ctx.error_at(
                    loc,
                    msg(
                        "ends at {end:%H:%M}, not after its start at {start:%H:%M}",
                        "endet um {end:%H:%M}, nicht nach dem Beginn um {start:%H:%M}",
                        end=end,
                        start=start,
                    ),
                )
                continue
            day = session_date(src.conference, part, session)
            if day is None:
                if days:
                    ctx.error_at(
                        session.loc,
                        msg(
                            "has no date: give the session or its part a date"
                            " (the conference has several days)",
                            "hat kein Datum: geben Sie dem Programmpunkt oder seinem Programmteil ein Datum"
                            " (die Konferenz dauert mehrere Tage)",
                        ),
                    )
                continue
            if session.get("date") is not None and days and day not in days:
                ctx.error_at(session.at("date"), _not_a_day(day, days))
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
            where = (
                msg(" in the same room", " im selben Raum endet")
                if session.get("room") is not None
                else msg(", and neither names its room", " endet, und keiner der beiden nennt seinen Raum")
            )
            ctx.error(
                session.loc.path,
                session.line_of("start"),
                f"{session.loc.where}.start",
                msg(
                    "session '{session}' starts at {start:%H:%M}, before '{other}' (line {line}) ends at"
                    " {end:%H:%M}{where}; move one of them or give them different rooms",
                    "der Programmpunkt '{session}' beginnt um {start:%H:%M}, bevor '{other}' (Zeile {line})"
                    " um {end:%H:%M}{where}; verschieben Sie einen von beiden oder geben Sie"
                    " ihnen verschiedene Räume",
                    where=where,
                    session=session.get("id"),
                    start=start,
                    other=other.get("id"),
                    line=other.loc.line,
                    end=latest[3],
                ),
            )
        if latest is None or latest[:2] != (day, room) or end > latest[3]:
            latest = slot


def _check_registration_parts(ctx: Ctx, conference: Parsed, parts: dict[str, Parsed]) -> None:
    registration = conference.get("registration")
    if registration is None:
        return
    for part_id, entry in registration.get("parts", {}).items():
        if part_id not in parts:
            ctx.error_at(
                entry.loc,
                msg(
                    "unknown program part '{part}'{hint}",
                    "unbekannter Programmteil '{part}'{hint}",
                    part=part_id,
                    hint=suggest(part_id, parts),
                ),
            )


def _check_deadlines(ctx: Ctx, conference: Parsed, parts: dict[str, Parsed]) -> None:
    """Report a registration deadline after the last day of what it is for.

    The site would invite visitors to register ("until 27 April") for an event that is over.
    """
    registration, days = conference.get("registration"), conference.get("dates", ())
    if registration is None or not days:
        return
    last = max(days)
    _check_deadline(ctx, registration, last, msg("the conference", "der Konferenz"))
    for part_id, entry in registration.get("parts", {}).items():
        part = parts.get(part_id)
        if part is None:
            continue
        part_days = [session_date(conference, part, s) for s in part.get("sessions", ())]
        part_last = max((day for day in part_days if day is not None), default=part.get("date") or last)
        what = msg("the part '{part}'", "des Programmteils '{part}'", part=part_id)
        _check_deadline(ctx, entry, part_last, what)


def _check_deadline(ctx: Ctx, entry: Parsed, last: dt.date, what: Message) -> None:
    deadline = entry.get("deadline")
    if deadline is None:
        return
    day = deadline.date() if isinstance(deadline, dt.datetime) else deadline
    if day > last:
        ctx.error_at(
            entry.at("deadline"),
            msg(
                "{day} is after the last day of {what} ({last}); registration must close before it ends",
                "{day} liegt nach dem letzten Tag {what} ({last}); die Anmeldung muss vorher schließen",
                day=day.isoformat(),
                what=what,
                last=last.isoformat(),
            ),
        )
