"""Read a content folder, check it completely, and build the immutable Conference."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import crossref, memo
from .errors import ContentInvalid, Errors
from .fields import MISSING, Ctx, ListOf, Loc, Parsed, describe, parse_record, suggest
from .i18n import load_strings
from .keptparse import kept_parses
from .loader import RawPage, display_path, load_page, load_yaml
from .messages import Message, msg
from .model import (
    Conference,
    Contact,
    Forum,
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
from .specs import FILES, PAGE, REQUIRED_FILES, Language
from .yamlparse import LList, LMap

_PAGE_NAME = re.compile(r"(?P<slug>[^.]+)\.(?P<lang>[^.]+)\.md")

#: The most sessions (forums, panels) and people a site may have: far above any conference, and
#: low enough that mistaken or hostile content cannot make a build exhaust memory or time.
MAX_SESSIONS = 20_000
MAX_PEOPLE = 50_000
#: Per file: the list of records, the list inside each record that is counted (if any), what
#: the records are called, and how many are allowed.
_LIMITS = {
    "program.yaml": ("parts", "sessions", msg("sessions", "Programmpunkte"), MAX_SESSIONS),
    "forums.yaml": ("groups", "forums", msg("forums", "Foren"), MAX_SESSIONS),
    "podium.yaml": ("panels", "", msg("panels", "Podien"), MAX_SESSIONS),
    "people.yaml": ("people", "", msg("people", "Personen"), MAX_PEOPLE),
}


def load_conference(content: Path, templates: Path, keep: bool = True) -> Conference:
    """Read and check every content file; raise ContentInvalid with all problems found.

    With ``keep``, files unchanged since the last build are not parsed again, and this
    build's parses are kept for the next (.confsite-cache/); without, nothing is written.
    """
    if not keep:
        return _load_conference(content, templates)
    with kept_parses():
        return _load_conference(content, templates)


def _load_conference(content: Path, templates: Path) -> Conference:
    errors = Errors()
    if not content.is_dir():
        errors.add(
            display_path(content), 1, "", msg("content folder not found", "Inhaltsordner nicht gefunden")
        )
        raise ContentInvalid(errors.sorted())
    raw = _read_files(content, errors)
    languages, languages_valid = _languages(raw["conference.yaml"])
    ctx = Ctx(errors, languages, languages_valid)
    records = {name: _parse_file(ctx, name, data, content) for name, data in raw.items()}
    sources = crossref.Sources(
        unusable=frozenset(name for name, data in raw.items() if not _usable(data, records[name], name)),
        conference=records["conference.yaml"],
        parts=tuple(records["program.yaml"].get("parts", ())),
        groups=tuple(records["forums.yaml"].get("groups", ())),
        panels=tuple(records["podium.yaml"].get("panels", ())),
        people=tuple(records["people.yaml"].get("people", ())),
    )
    crossref.check(ctx, sources)
    _check_logos(ctx, sources.conference, content)
    _check_contact(ctx, sources.conference)
    pages = _load_pages(ctx, content / "pages")
    strings = load_strings(templates, content, languages, errors) if languages_valid else {}
    _check_page_addresses(ctx, pages, strings)
    if errors:
        raise ContentInvalid(errors.sorted())
    return _build(sources, pages, strings)


def _read_files(content: Path, errors: Errors) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in FILES:
        path = content / name
        if not path.exists():
            if name in REQUIRED_FILES:
                errors.add(
                    display_path(path),
                    1,
                    "",
                    msg(
                        "file not found; every content folder needs {name}",
                        "Datei nicht gefunden; jeder Inhaltsordner braucht {name}",
                        name=name,
                    ),
                )
            raw[name] = None
            continue
        before = len(errors)
        data = load_yaml(path, errors)
        if data is None and len(errors) == before:
            errors.add(
                display_path(path),
                1,
                "",
                msg(
                    "file is empty; it needs the keys of {name}",
                    "die Datei ist leer; sie braucht die Schlüssel von {name}",
                    name=name,
                ),
            )
        raw[name] = None if _over_limit(errors, name, data) else data
    return raw


def _over_limit(errors: Errors, name: str, data: Any) -> bool:
    """Report a file with more records than a site may have; return whether it has too many."""
    if name not in _LIMITS:
        return False
    outer, inner, what, limit = _LIMITS[name]
    records = data.get(outer) if isinstance(data, LMap) else None
    if not isinstance(records, LList):
        return False
    if not inner:
        if len(records) <= limit:
            return False
        where, line = f"{outer}[{limit}]", records.line_of(limit)
    else:
        count = 0
        for index, record in enumerate(records):
            items = record.get(inner) if isinstance(record, LMap) else None
            if isinstance(items, LList) and count + len(items) > limit:
                where, line = f"{outer}[{index}].{inner}[{limit - count}]", items.line_of(limit - count)
                break
            count += len(items) if isinstance(items, LList) else 0
        else:
            return False
    errors.add(
        records.path,
        line,
        where,
        msg(
            "more than {limit:,} {what}; confsite refuses sites this large",
            "mehr als {limit:,} {what}; so große Websites lehnt confsite ab",
            limit=limit,
            what=what,
        ),
    )
    return True


def _languages(data: Any) -> tuple[tuple[str, ...], bool]:
    """Read the configured languages first: every text is checked against them.

    Return the languages and whether the list is valid; a broken list is reported once by
    conference.yaml, and texts are then not judged by it (that would only repeat the error).
    """
    if isinstance(data, LMap) and "languages" in data:
        scratch = Ctx(Errors(), ())
        langs = ListOf(Language(), 1, unique=True).parse(scratch, data["languages"], Loc(data.path, 1, ""))
        if langs is not MISSING and langs:
            return tuple(langs), not scratch.errors
    return ("de", "en"), False


def _usable(data: Any, parsed: Parsed, name: str) -> bool:
    """Tell whether a file was read and its top-level keys are valid, so others may refer to it."""
    return isinstance(data, LMap) and all(key in parsed.values for key in data if key in FILES[name].keys)


def _parse_file(ctx: Ctx, name: str, data: Any, content: Path) -> Parsed:
    shown = display_path(content / name)
    if data is None:
        return Parsed({}, Loc(shown, 1, ""), {})
    parsed = parse_record(ctx, FILES[name], data, Loc(shown, 1, ""))
    return parsed if isinstance(parsed, Parsed) else Parsed({}, Loc(shown, 1, ""), {})


def _check_logos(ctx: Ctx, conference: Parsed, content: Path) -> None:
    root = content.resolve()
    for key in ("organizers", "funders"):
        for org in conference.get(key, ()):
            logo = org.get("logo")
            if logo is None:
                continue
            loc = org.at("logo")
            try:
                target = (content / logo).resolve()
                is_file = target.is_file()
            except (OSError, ValueError) as exc:  # a name too long, a loop of links, ...
                reason = exc.strerror if isinstance(exc, OSError) else exc
                ctx.error_at(
                    loc,
                    msg(
                        "cannot read {logo}: {reason}",
                        "{logo} kann nicht gelesen werden: {reason}",
                        logo=describe(logo),
                        reason=reason,
                    ),
                )
                continue
            if not target.is_relative_to(root):
                ctx.error_at(
                    loc,
                    msg(
                        "'{logo}' lies outside the content folder",
                        "'{logo}' liegt außerhalb des Inhaltsordners",
                        logo=logo,
                    ),
                )
            elif not is_file:
                ctx.error_at(
                    loc,
                    msg(
                        "file '{logo}' not found in the content folder",
                        "Datei '{logo}' im Inhaltsordner nicht gefunden",
                        logo=logo,
                    ),
                )
            elif target.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg", ".webp"):
                ctx.error_at(
                    loc,
                    msg(
                        "a logo must be an SVG, PNG, JPEG or WebP file",
                        "ein Logo muss eine SVG-, PNG-, JPEG- oder WebP-Datei sein",
                    ),
                )


def _check_contact(ctx: Ctx, conference: Parsed) -> None:
    contact = conference.get("contact")
    if contact is not None and not contact.key_lines:
        loc = conference.at("contact")
        ctx.error_at(
            loc,
            msg(
                "give at least one of name, email, phone, url",
                "geben Sie mindestens eines an: name, email, phone, url",
            ),
        )


def _load_pages(ctx: Ctx, folder: Path) -> list[tuple[RawPage, Parsed]]:
    if not folder.is_dir():
        return []
    found: list[tuple[RawPage, Parsed]] = []
    #: slug -> language -> "published", "draft" or "broken" (its own error is reported)
    state: dict[str, dict[str, str]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        shown = display_path(path)
        match = _PAGE_NAME.fullmatch(path.name)
        if match is None:
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "a page file is named <slug>.<language>.md, e.g. about.en.md",
                    "eine Seitendatei heißt <slug>.<sprache>.md, z. B. about.en.md",
                ),
            )
            continue
        slug, lang = match["slug"], match["lang"]
        if lang not in ctx.languages and ctx.languages_valid:
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "language '{lang}' is not configured{hint} (languages: {languages})",
                    "die Sprache '{lang}' ist nicht eingerichtet{hint} (Sprachen: {languages})",
                    lang=lang,
                    hint=suggest(lang, ctx.languages),
                    languages=ctx.languages,
                ),
            )
            continue
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "'{slug}' is not a page name: use lower-case letters, digits and hyphens",
                    "'{slug}' ist kein Seitenname: verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche",
                    slug=slug,
                ),
            )
            continue
        versions = state.setdefault(slug, {})
        versions[lang] = "broken"
        raw = load_page(path, slug, lang, ctx.errors)
        if raw is None:
            continue
        front = parse_record(ctx, PAGE, raw.front, Loc(shown, raw.front.line, "front matter"))
        if isinstance(front, Parsed) and front.get("draft", False):
            versions[lang] = "draft"
        elif isinstance(front, Parsed):
            versions[lang] = "published"
            found.append((raw, front))
    _check_translations(ctx, found, state)
    return found


def _check_page_addresses(
    ctx: Ctx, pages: list[tuple[RawPage, Parsed]], strings: dict[str, dict[str, str]]
) -> None:
    """Report a page whose address in its language is taken by a section or by another page."""
    taken: dict[tuple[str, str], Message | str] = {
        (lang, text): msg("the section {key}", "den Bereich {key}", key=key)
        for lang, texts in strings.items()
        for key, text in texts.items()
        if key.startswith("slug_")
    }
    for raw, front in pages:
        slug = front.get("slug", raw.slug)
        line = front.line_of("slug") if "slug" in front.key_lines else 1
        other = taken.setdefault((raw.lang, slug), raw.path)
        if other != raw.path:
            ctx.error(
                raw.path,
                line,
                "front matter.slug" if "slug" in front.key_lines else "",
                msg(
                    "the address {lang}/{slug}/ is already taken by {other}; give this page another slug",
                    "die Adresse {lang}/{slug}/ ist schon durch {other} belegt; geben Sie dieser Seite"
                    " einen anderen slug",
                    lang=raw.lang,
                    slug=slug,
                    other=other,
                ),
            )


def _check_translations(
    ctx: Ctx, found: list[tuple[RawPage, Parsed]], state: dict[str, dict[str, str]]
) -> None:
    """Report a published page whose translation into a configured language is absent or a draft."""
    first: dict[str, RawPage] = {}
    for raw, _ in found:
        first.setdefault(raw.slug, raw)
    for key, raw in sorted(first.items()):
        for lang in ctx.languages:
            other = state[key].get(lang)
            if other is None:
                message = msg(
                    "this page has no '{lang}' translation; add pages/{key}.{lang}.md beside it",
                    "diese Seite hat keine Übersetzung '{lang}'; legen Sie pages/{key}.{lang}.md daneben an",
                    lang=lang,
                    key=key,
                )
            elif other == "draft":
                message = msg(
                    "its '{lang}' translation pages/{key}.{lang}.md is a draft;"
                    " publish both or mark this one as a draft too",
                    "ihre Übersetzung '{lang}' pages/{key}.{lang}.md ist ein Entwurf (draft);"
                    " veröffentlichen Sie beide oder markieren Sie auch diese als Entwurf",
                    lang=lang,
                    key=key,
                )
            else:
                continue
            ctx.error(raw.path, 1, "", message)


def _text(value: Any) -> Text | None:
    return value if isinstance(value, Text) else None


def _aware(value: dt.date | dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, bool]:
    """Return a deadline as an aware moment; a date means the end of that day."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz), False
    return dt.datetime.combine(value, dt.time(23, 59, 59), tz), True


def _build(
    src: crossref.Sources,
    pages: list[tuple[RawPage, Parsed]],
    strings: dict[str, dict[str, str]],
) -> Conference:
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
