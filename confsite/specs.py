"""The content format as records: the single source for validation and JSON Schemas."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from .dates import Date, DateOrTime, Time
from .fields import MISSING, Ctx, Field, ListOf, Loc, MapOf, Record, RecordKind
from .messages import msg
from .model import KINDS, MENUS, STATUSES
from .scalars import BaseUrl, Bool, Choice, Email, Int, Number, Slug, Str, Url
from .texts import TextKind, known_language


class Language(Str):
    """A language code that Babel knows (de, en, fr, ...)."""

    def __init__(self) -> None:
        super().__init__(
            re.compile(r"[a-z]{2,3}"),
            msg("a language code such as de or en", "ein Sprachcode wie de oder en"),
        )

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        code = super().parse(ctx, value, loc)
        if code is MISSING:
            return MISSING
        if not known_language(code):
            ctx.error_at(
                loc,
                msg(
                    "'{code}' is not a known language code",
                    "'{code}' ist kein bekannter Sprachcode",
                    code=code,
                ),
            )
            return MISSING
        return code


class TimeZone(Str):
    """An IANA timezone name such as Europe/Berlin."""

    def __init__(self) -> None:
        super().__init__(
            None, msg("a timezone name such as Europe/Berlin", "der Name einer Zeitzone wie Europe/Berlin")
        )

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        name = super().parse(ctx, value, loc)
        if name is MISSING:
            return MISSING
        try:
            ZoneInfo(name)
        except (ValueError, OSError, KeyError):
            ctx.error_at(
                loc,
                msg(
                    "'{name}' is not a timezone (e.g. Europe/Berlin)",
                    "'{name}' ist keine Zeitzone (z. B. Europe/Berlin)",
                    name=name,
                ),
            )
            return MISSING
        return name


class Country(Str):
    """An ISO 3166 country code such as DE."""

    def __init__(self) -> None:
        super().__init__(
            re.compile(r"[A-Z]{2}"),
            msg("a two-letter country code such as DE", "ein Ländercode aus zwei Buchstaben wie DE"),
        )

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        code = super().parse(ctx, value, loc)
        if code is not MISSING and code not in Locale("en").territories:
            ctx.error_at(
                loc,
                msg("'{code}' is not an ISO country code", "'{code}' ist kein ISO-Ländercode", code=code),
            )
            return MISSING
        return code


TEXT = TextKind()
MARKDOWN = TextKind(markdown=True)
PEOPLE_IDS = ListOf(Slug(), unique=True)
HTTPS = Url(("https",))

GEO = Record(
    "geo",
    "Coordinates of the venue (WGS 84), used for the map link.",
    (
        Field("lat", Number(-90, 90), "Latitude, e.g. 51.2562", required=True),
        Field("lon", Number(-180, 180), "Longitude, e.g. 7.1477", required=True),
    ),
)
VENUE = Record(
    "venue",
    "Where the conference takes place.",
    (
        Field("name", TEXT, "Name of the venue", required=True),
        Field("street", Str(), "Street and number", required=True),
        Field("postal_code", Str(), "Postal code", required=True),
        Field("city", TEXT, "City", required=True),
        Field("country", Country(), "ISO 3166 country code, e.g. DE", required=True),
        Field("geo", RecordKind(GEO), "Coordinates for the map link"),
        Field("directions", MARKDOWN, "How to get there (Markdown)"),
        Field("accessibility", MARKDOWN, "Accessibility of the venue (Markdown)"),
    ),
)
PART_REGISTRATION = Record(
    "part_registration",
    "Registration state of one program part.",
    (
        Field("status", Choice(STATUSES), "open, waitlist, full or closed"),
        Field("capacity", Int(1), "Number of places"),
        Field("deadline", DateOrTime(), "Registration deadline for this part"),
        Field("note", TEXT, "A short note shown with the status"),
    ),
)
REGISTRATION = Record(
    "registration",
    "The external registration form and its deadlines.",
    (
        Field("url", HTTPS, "Address of the external registration form (https)", required=True),
        Field("deadline", DateOrTime(), "Registration deadline (date or local date and time)", required=True),
        Field("fee", TEXT, "Participation fee as text, e.g. free of charge"),
        Field(
            "price", Number(0, 1_000_000), "Participation fee as a number (0 when free), for search engines"
        ),
        Field(
            "currency",
            Str(
                re.compile(r"[A-Z]{3}"),
                msg("an ISO 4217 currency code such as EUR", "ein Währungscode nach ISO 4217 wie EUR"),
            ),
            "Currency of price",
        ),
        Field("parts", MapOf(PART_REGISTRATION), "Per program part: status, capacity, deadline, note"),
    ),
)
ORGANIZATION = Record(
    "organization",
    "An organizer or funder.",
    (
        Field("name", TEXT, "Name of the organisation", required=True),
        Field("url", Url(), "Website"),
        Field("role", TEXT, "Role, e.g. project partner"),
        Field("logo", Str(), "Logo file, relative to the content folder"),
    ),
)
CONTACT = Record(
    "contact",
    "How to reach the organisers (at least one key).",
    (
        Field("name", TEXT, "Name of the contact (person or office)"),
        Field("email", Email(), "E-mail address"),
        Field(
            "phone",
            Str(re.compile(r"\+?[0-9 ()/-]{5,}"), msg("a phone number", "eine Telefonnummer")),
            "Phone number",
        ),
        Field("url", Url(), "Contact web page"),
    ),
)
CONFERENCE = Record(
    "conference",
    "The event: names, languages, dates, venue, registration, organizers.",
    (
        Field("id", Slug(), "Id of the conference, used in feeds and calendar UIDs", required=True),
        Field(
            "languages",
            ListOf(Language(), 1, unique=True),
            "Languages; the first is the default",
            required=True,
        ),
        Field("timezone", TimeZone(), "IANA timezone; all times are local to it", required=True),
        Field("base_url", BaseUrl(), "Where the site is published (https)", required=True),
        Field("title", TEXT, "Title of the conference", required=True),
        Field("subtitle", TEXT, "Subtitle"),
        Field("summary", MARKDOWN, "Lead text of the home page (Markdown)"),
        Field("dates", ListOf(Date(), 1, unique=True), "Days of the conference (YYYY-MM-DD)", required=True),
        Field("venue", RecordKind(VENUE), "Where it takes place", required=True),
        Field("registration", RecordKind(REGISTRATION), "The registration form", required=True),
        Field("organizers", ListOf(RecordKind(ORGANIZATION)), "Organising institutions"),
        Field("funders", ListOf(RecordKind(ORGANIZATION)), "Funding bodies"),
        Field("contact", RecordKind(CONTACT), "Contact of the organisers"),
    ),
)
SESSION = Record(
    "session",
    "One slot of the program.",
    (
        Field("id", Slug(), "Unique id across all sessions; the page address", required=True),
        Field("start", Time(), "Start, HH:MM local time", required=True),
        Field("end", Time(), "End, HH:MM local time, after the start", required=True),
        Field("date", Date(), "Date, if not the part's date"),
        Field("kind", Choice(KINDS), "What kind of slot this is", required=True),
        Field("title", TEXT, "Title", required=True),
        Field("subtitle", TEXT, "Subtitle"),
        Field("description", MARKDOWN, "Description (Markdown)"),
        Field("speakers", PEOPLE_IDS, "Ids of the speakers (people.yaml)"),
        Field("moderators", PEOPLE_IDS, "Ids of the moderators (people.yaml)"),
        Field("room", TEXT, "Room"),
    ),
)
PART = Record(
    "part",
    "A part of the program with its sessions.",
    (
        Field("id", Slug(), "Unique id of the part", required=True),
        Field("title", TEXT, "Title of the part", required=True),
        Field("date", Date(), "Default date of its sessions"),
        Field("moderators", PEOPLE_IDS, "Ids of the moderators of the whole part"),
        Field("description", MARKDOWN, "Description (Markdown)"),
        Field("sessions", ListOf(RecordKind(SESSION), 1), "The sessions", required=True),
    ),
)
PROGRAM = Record(
    "program",
    "The timeline: parts, each with sessions.",
    (Field("parts", ListOf(RecordKind(PART), 1), "Parts of the program", required=True),),
)
FORUM = Record(
    "forum",
    "One of several parallel forums.",
    (
        Field("id", Slug(), "Unique id across all forums", required=True),
        Field("title", TEXT, "Title", required=True),
        Field("description", MARKDOWN, "Description (Markdown)"),
        Field("hosts", PEOPLE_IDS, "Ids of the hosts (people.yaml)"),
        Field("room", TEXT, "Room"),
        Field("capacity", Int(1), "Number of places"),
    ),
)
FORUM_GROUP = Record(
    "forum_group",
    "Parallel forums held in one program session of kind forums.",
    (
        Field("session", Slug(), "Id of a program session of kind forums", required=True),
        Field("forums", ListOf(RecordKind(FORUM)), "The parallel forums"),
    ),
)
FORUMS = Record(
    "forums",
    "Groups of parallel forums.",
    (Field("groups", ListOf(RecordKind(FORUM_GROUP)), "Groups of parallel forums"),),
)
PANEL = Record(
    "panel",
    "A panel discussion.",
    (
        Field("id", Slug(), "Unique id of the panel", required=True),
        Field("session", Slug(), "Id of a program session of kind podium", required=True),
        Field("title", TEXT, "Title", required=True),
        Field("description", MARKDOWN, "Description (Markdown)"),
        Field("moderators", PEOPLE_IDS, "Ids of the moderators (people.yaml)"),
        Field("panelists", PEOPLE_IDS, "Ids of the panelists (people.yaml)"),
    ),
)
PODIUM = Record(
    "podium",
    "Panel discussions.",
    (Field("panels", ListOf(RecordKind(PANEL)), "The panels"),),
)
PERSON = Record(
    "person",
    "Someone named in the program.",
    (
        Field("id", Slug(), "Unique id, used in program, forums and podium", required=True),
        Field("name", Str(), "Full name without honorific", required=True),
        Field("honorific", Str(), "Honorific such as Dr. or Prof. Dr."),
        Field("affiliation", TEXT, "Institution"),
        Field("role", TEXT, "Role, e.g. mayor of Wuppertal"),
        Field("bio", MARKDOWN, "Biography (Markdown)"),
        Field("url", Url(), "Personal web page"),
    ),
)
PEOPLE = Record(
    "people",
    "Everyone named anywhere.",
    (Field("people", ListOf(RecordKind(PERSON)), "The people"),),
)
PAGE = Record(
    "page",
    "Front matter of a Markdown page.",
    (
        Field("title", Str(), "Title of the page", required=True),
        Field("order", Int(), "Position in the menu"),
        Field("slug", Slug(), "Address of the page in this language (default: the file name)"),
        Field("menu", Choice(MENUS), "Where the page is linked"),
        Field("description", Str(), "Short description for search engines"),
        Field("draft", Bool(), "true keeps the page out of the site"),
    ),
)

#: The content files and the record each must match.
FILES = {
    "conference.yaml": CONFERENCE,
    "program.yaml": PROGRAM,
    "forums.yaml": FORUMS,
    "podium.yaml": PODIUM,
    "people.yaml": PEOPLE,
}
REQUIRED_FILES = ("conference.yaml", "program.yaml", "people.yaml")
