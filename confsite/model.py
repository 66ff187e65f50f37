"""The conference as immutable dataclasses: what every renderer reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

KINDS = (
    "reception",
    "welcome",
    "talk",
    "keynote",
    "break",
    "meal",
    "workshop",
    "forums",
    "podium",
    "summary",
    "other",
)
STATUSES = ("open", "waitlist", "full", "closed")
Status = Literal["open", "waitlist", "full", "closed"]


@dataclass(frozen=True)
class Text:
    """A text per language, or one language-neutral string (``lang`` names its language)."""

    values: tuple[tuple[str, str], ...]
    lang: str | None = None

    @classmethod
    def neutral(cls, text: str, lang: str | None = None) -> Text:
        """Make a text that reads the same in every language."""
        return cls((("*", text),), lang)

    @classmethod
    def of(cls, texts: dict[str, str]) -> Text:
        """Make a text from a mapping of language to text."""
        return cls(tuple(sorted(texts.items())))

    @property
    def is_neutral(self) -> bool:
        """Tell whether the text is the same in every language."""
        return self.values[0][0] == "*"

    def get(self, lang: str) -> str:
        """Return the text for ``lang``."""
        for key, value in self.values:
            if key in (lang, "*"):
                return value
        raise KeyError(lang)

    def lang_of(self, lang: str) -> str:
        """Return the language the text is written in on a page in ``lang``."""
        return self.lang if self.is_neutral and self.lang else lang


@dataclass(frozen=True)
class Person:
    """Someone named anywhere in the program."""

    id: str
    name: str
    honorific: str | None = None
    affiliation: Text | None = None
    role: Text | None = None
    bio: Text | None = None
    url: str | None = None

    @property
    def full_name(self) -> str:
        """Return the name with its honorific (Dr. Vera Grimm)."""
        return f"{self.honorific} {self.name}" if self.honorific else self.name

    @property
    def sort_key(self) -> tuple[str, str]:
        """Sort people by family name, then by full name."""
        return (self.name.split()[-1].casefold(), self.name.casefold())


@dataclass(frozen=True)
class Session:
    """One slot of the program, with aware start and end times."""

    id: str
    part: str
    kind: str
    title: Text
    start: dt.datetime
    end: dt.datetime
    subtitle: Text | None = None
    description: Text | None = None
    speakers: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    room: Text | None = None

    @property
    def date(self) -> dt.date:
        """Return the local date of the session."""
        return self.start.date()


@dataclass(frozen=True)
class Part:
    """A part of the program (the workshop, the conference), with its sessions."""

    id: str
    title: Text
    sessions: tuple[Session, ...]
    moderators: tuple[str, ...] = ()
    description: Text | None = None

    @cached_property
    def start(self) -> dt.datetime:
        """Return when the first session starts."""
        return min(s.start for s in self.sessions)

    @cached_property
    def end(self) -> dt.datetime:
        """Return when the last session ends."""
        return max(s.end for s in self.sessions)


@dataclass(frozen=True)
class Forum:
    """One of several parallel forums held in a ``forums`` session."""

    id: str
    session: str
    title: Text
    description: Text | None = None
    hosts: tuple[str, ...] = ()
    room: Text | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class Panel:
    """A panel discussion held in a ``podium`` session."""

    id: str
    session: str
    title: Text
    description: Text | None = None
    moderators: tuple[str, ...] = ()
    panelists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Venue:
    """Where the conference takes place."""

    name: Text
    street: str
    postal_code: str
    city: Text
    country: str
    lat: float | None = None
    lon: float | None = None
    directions: Text | None = None
    accessibility: Text | None = None


@dataclass(frozen=True)
class PartRegistration:
    """Registration state of one part: status, capacity, deadline, note."""

    status: Status = "open"
    capacity: int | None = None
    deadline: dt.datetime | None = None
    deadline_is_day: bool = True
    note: Text | None = None


@dataclass(frozen=True)
class Registration:
    """The external registration form and its deadlines."""

    url: str
    deadline: dt.datetime
    deadline_is_day: bool
    fee: Text | None = None
    price: float | None = None
    currency: str = "EUR"
    parts: tuple[tuple[str, PartRegistration], ...] = ()

    def part(self, part_id: str) -> PartRegistration | None:
        """Return the registration settings of a part, if it has any."""
        return dict(self.parts).get(part_id)


@dataclass(frozen=True)
class Logo:
    """An organization's logo as its file holds it (logos.py), and its proportions."""

    data: bytes
    suffix: str  # png, jpg, webp or svg
    width: int
    height: int


@dataclass(frozen=True)
class Organization:
    """An organizer or a funder."""

    name: Text
    url: str | None = None
    role: Text | None = None
    logo: str | None = None


@dataclass(frozen=True)
class Contact:
    """How to reach the organisers."""

    name: Text | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None


#: The menus a page can be in (its ``menu``): the shipped templates link "none" from neither.
MENUS = ("main", "footer", "none")


@dataclass(frozen=True)
class Page:
    """A Markdown page in one language."""

    key: str
    lang: str
    slug: str
    title: str
    order: int
    menu: str
    body: str
    source: str


@dataclass(frozen=True)
class Appearance:
    """One role of a person in the program: what they do, where, and when."""

    role: str  # speaker, moderator, host or panelist
    kind: str  # the page it links to: session, forum, panel or part
    id: str
    title: Text
    start: dt.datetime


@dataclass(frozen=True)
class Conference:
    """Everything the generator knows about one conference, validated."""

    id: str
    languages: tuple[str, ...]
    timezone: str
    base_url: str
    title: Text
    dates: tuple[dt.date, ...]
    venue: Venue
    registration: Registration
    parts: tuple[Part, ...]
    people: tuple[Person, ...]
    subtitle: Text | None = None
    summary: Text | None = None
    forums: tuple[Forum, ...] = ()
    panels: tuple[Panel, ...] = ()
    organizers: tuple[Organization, ...] = ()
    funders: tuple[Organization, ...] = ()
    contact: Contact = field(default_factory=Contact)
    pages: tuple[Page, ...] = ()
    strings: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    #: The logos of organizers and funders: their paths in the content folder, and the files.
    logos: tuple[tuple[str, Logo], ...] = ()

    def logo(self, source: str) -> Logo | None:
        """Return the logo file that organizers or funders name by ``source`` (in the content folder)."""
        return next((logo for path, logo in self.logos if path == source), None)

    @property
    def tz(self) -> ZoneInfo:
        """Return the conference's timezone."""
        return ZoneInfo(self.timezone)

    @property
    def default_language(self) -> str:
        """Return the first configured language."""
        return self.languages[0]

    @cached_property
    def sessions(self) -> tuple[Session, ...]:
        """Return every session of every part in time order."""
        every = [s for part in self.parts for s in part.sessions]
        return tuple(sorted(every, key=lambda s: (s.start, s.end, s.part, s.id)))

    @cached_property
    def start(self) -> dt.datetime:
        """Return when the first session starts."""
        return min(p.start for p in self.parts)

    @cached_property
    def end(self) -> dt.datetime:
        """Return when the last session ends."""
        return max(p.end for p in self.parts)

    def markdown_texts(self) -> tuple[Text, ...]:
        """Return every Markdown text: summary, venue notes, descriptions and bios (not pages)."""
        texts = [self.summary, self.venue.directions, self.venue.accessibility]
        texts += [part.description for part in self.parts]
        texts += [session.description for session in self.sessions]
        texts += [forum.description for forum in self.forums]
        texts += [panel.description for panel in self.panels]
        texts += [person.bio for person in self.people]
        return tuple(text for text in texts if text is not None)

    def person(self, person_id: str) -> Person:
        """Return the person with this id."""
        return self.people_by_id[person_id]

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        """Return every person by id."""
        return {p.id: p for p in self.people}

    def page(self, key: str, lang: str) -> Page:
        """Return the Markdown page ``key`` in ``lang``."""
        return self._pages[(key, lang)]

    @cached_property
    def _pages(self) -> dict[tuple[str, str], Page]:
        return {(page.key, page.lang): page for page in self.pages}

    def ui(self, lang: str) -> dict[str, str]:
        """Return the interface strings for ``lang``."""
        return self._strings[lang]

    @cached_property
    def _strings(self) -> dict[str, dict[str, str]]:
        return {lang: dict(items) for lang, items in self.strings}

    def forums_in(self, session_id: str) -> tuple[Forum, ...]:
        """Return the parallel forums held in a session."""
        return self._forums_by_session.get(session_id, ())

    def panels_in(self, session_id: str) -> tuple[Panel, ...]:
        """Return the panels held in a session."""
        return self._panels_by_session.get(session_id, ())

    @cached_property
    def _forums_by_session(self) -> dict[str, tuple[Forum, ...]]:
        out: dict[str, list[Forum]] = {}
        for forum in self.forums:
            out.setdefault(forum.session, []).append(forum)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _panels_by_session(self) -> dict[str, tuple[Panel, ...]]:
        out: dict[str, list[Panel]] = {}
        for panel in self.panels:
            out.setdefault(panel.session, []).append(panel)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def session_by_id(self) -> dict[str, Session]:
        """Return every session by id."""
        return {s.id: s for s in self.sessions}

    @cached_property
    def forum_by_id(self) -> dict[str, Forum]:
        """Return every forum by id."""
        return {f.id: f for f in self.forums}

    @cached_property
    def panel_by_id(self) -> dict[str, Panel]:
        """Return every panel by id."""
        return {p.id: p for p in self.panels}

    @cached_property
    def part_by_id(self) -> dict[str, Part]:
        """Return every part by id."""
        return {p.id: p for p in self.parts}

    def appearances(self, person_id: str) -> tuple[Appearance, ...]:
        """Return everything a person does in the program, in time order."""
        return self._appearances.get(person_id, ())

    @cached_property
    def _appearances(self) -> dict[str, tuple[Appearance, ...]]:
        found: dict[str, list[Appearance]] = {}

        def add(
            people: tuple[str, ...], role: str, kind: str, ident: str, title: Text, start: dt.datetime
        ) -> None:
            for person in people:
                found.setdefault(person, []).append(Appearance(role, kind, ident, title, start))

        for part in self.parts:
            add(part.moderators, "moderator", "part", part.id, part.title, part.start)
        for s in self.sessions:
            add(s.speakers, "speaker", "session", s.id, s.title, s.start)
            add(s.moderators, "moderator", "session", s.id, s.title, s.start)
        for f in self.forums:
            add(f.hosts, "host", "forum", f.id, f.title, self.session_by_id[f.session].start)
        for p in self.panels:
            start = self.session_by_id[p.session].start
            add(p.moderators, "moderator", "panel", p.id, p.title, start)
            add(p.panelists, "panelist", "panel", p.id, p.title, start)
        return {k: tuple(sorted(v, key=lambda a: (a.start, a.kind, a.id))) for k, v in found.items()}

    @cached_property
    def day_spans(self) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """Return the first start and the last end of each day of the program."""
        return tuple(
            (min(s.start for _, ss in parts for s in ss), max(s.end for _, ss in parts for s in ss))
            for _, parts in self.days
        )

    @cached_property
    def days(self) -> tuple[tuple[dt.date, tuple[tuple[Part, tuple[Session, ...]], ...]], ...]:
        """Return the program by day, then by part, each in time order."""
        out = []
        for day in sorted({s.date for s in self.sessions}):
            parts = []
            for part in sorted(self.parts, key=lambda p: (p.start, p.id)):
                sessions = tuple(s for s in part.sessions if s.date == day)
                if sessions:
                    parts.append((part, sessions))
            out.append((day, tuple(parts)))
        return tuple(out)
