"""Read a content folder, check it completely, and build the immutable Conference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import assemble, crossref, logos, pages
from .errors import ContentInvalid, Errors, display_path
from .fields import MISSING, Ctx, ListOf, Loc, Parsed, describe, parse_record
from .i18n import load_strings
from .keptparse import kept_parses
from .layout import check_names
from .loader import load_yaml
from .messages import msg
from .model import (
    Conference,
    Logo,
)
from .specs import FILES, REQUIRED_FILES, Language
from .yamlparse import LList, LMap

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
    misnamed = check_names(content, errors)
    raw = _read_files(content, errors, misnamed)
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
    logos = _read_logos(ctx, sources.conference, content)
    _check_contact(ctx, sources.conference, raw["conference.yaml"])
    markdown = pages.load_pages(ctx, content / "pages")
    strings = load_strings(templates, content, languages, errors) if languages_valid else {}
    pages.check_page_addresses(ctx, markdown, strings)
    if errors:
        raise ContentInvalid(errors.sorted())
    return assemble.conference(sources, markdown, strings, logos)


def _read_files(content: Path, errors: Errors, misnamed: frozenset[str]) -> dict[str, Any]:
    """Read each content file; report a required one that is missing (and not just misnamed)."""
    raw: dict[str, Any] = {}
    for name in FILES:
        path = content / name
        if not path.exists():
            if name in REQUIRED_FILES and name not in misnamed:
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


def _read_logos(ctx: Ctx, conference: Parsed, content: Path) -> dict[str, Logo]:
    """Read the logo files that organizers and funders name; report those that cannot be used."""
    root = content.resolve()
    found: dict[str, Logo] = {}
    for key in ("organizers", "funders"):
        for org in conference.get(key, ()):
            logo = org.get("logo")
            if logo is None or logo in found:
                continue
            loc = org.at("logo")
            try:
                target = (content / logo).resolve()
                inside, is_file = target.is_relative_to(root), target.is_file()
                read = logos.read(target) if inside and is_file else None
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
            if not inside:
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
            elif isinstance(read, Logo):
                found[logo] = read
            else:
                ctx.error_at(loc, msg("'{logo}' {problem}", "'{logo}' {problem}", logo=logo, problem=read))
    return found


def _check_contact(ctx: Ctx, conference: Parsed, data: Any) -> None:
    """Report a contact that gives none of its keys a value (``contact:`` with empty keys too)."""
    contact = conference.get("contact")
    written = data.get("contact") if isinstance(data, LMap) else None
    given = written.values() if isinstance(written, LMap) else ()
    if contact is not None and all(value is None for value in given):
        loc = conference.at("contact")
        ctx.error_at(
            loc,
            msg(
                "give at least one of name, email, phone, url",
                "geben Sie mindestens eines an: name, email, phone, url",
            ),
        )
