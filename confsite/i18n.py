"""Languages: interface strings, and dates and times formatted with Babel per page locale."""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.lists import format_list
from markupsafe import Markup

from .errors import Errors, display_path
from .fields import SLUG, describe, suggest
from .loader import load_yaml
from .messages import Message, msg
from .texts import known_language
from .yamlparse import LMap

#: The language whose shipped strings define the full set of keys.
REFERENCE = "en"
#: Interface strings that are Babel date or time patterns, and a moment to try them on.
_DATE_PATTERNS = ("date_format", "date_short", "date_numeric")
_TIME_PATTERNS = ("time_format", "time_short")
_SAMPLE = dt.datetime(2019, 4, 2, 9, 30, tzinfo=dt.UTC)


def shipped_languages(templates: Path) -> tuple[str, ...]:
    """Return the languages whose interface strings ship with the templates."""
    return tuple(sorted(p.stem for p in (templates / "i18n").glob("*.yaml")))


def load_strings(
    templates: Path, content: Path, languages: tuple[str, ...], errors: Errors
) -> dict[str, dict[str, str]]:
    """Merge shipped interface strings with the content's overrides, per language."""
    reference = _read(templates / "i18n" / f"{REFERENCE}.yaml", errors) or {}
    keys = set(reference)
    result: dict[str, dict[str, str]] = {}
    for lang in languages:
        shipped_file = templates / "i18n" / f"{lang}.yaml"
        strings = _read(shipped_file, errors) if shipped_file.exists() else {}
        override_file = content / "i18n" / f"{lang}.yaml"
        override = _read(override_file, errors, reference) if override_file.exists() else None
        if override is not None:
            strings = {**(strings or {}), **override}
        missing = sorted(keys - set(strings or {}))
        if missing:
            shown = display_path(override_file)
            errors.add(
                shown,
                1,
                "",
                msg(
                    "language '{lang}' has no interface strings shipped with the templates;"
                    " {todo} them all (missing: {missing}{more})",
                    "für die Sprache '{lang}' bringen die Vorlagen keine Oberflächentexte mit;"
                    " {todo} (es fehlen: {missing}{more})",
                    lang=lang,
                    todo=msg("this file must supply", "diese Datei muss alle liefern")
                    if override_file.exists()
                    else msg("create this file with", "legen Sie diese Datei mit allen an"),
                    missing=missing[:8],
                    more=", ..." if len(missing) > 8 else "",
                ),
            )
        result[lang] = strings or {}
        sections: dict[str, str] = {}
        for key in sorted(k for k in result[lang] if k.startswith("slug_")):
            first = sections.setdefault(result[lang][key], key)
            if first != key:
                # name the key the content's file gives, not the one that ships
                mine, other = (first, key) if first in (override or {}) else (key, first)
                errors.add(
                    display_path(override_file),
                    1,
                    mine,
                    msg(
                        "'{address}' is also the address of {other}; each section needs its own",
                        "'{address}' ist auch die Adresse von {other}; jeder Bereich braucht seine eigene",
                        address=result[lang][key],
                        other=other,
                    ),
                )
    for path in sorted((content / "i18n").glob("*.yaml")) if (content / "i18n").is_dir() else ():
        if path.stem not in languages:
            errors.add(
                display_path(path),
                1,
                "",
                msg(
                    "language '{lang}' is not configured (languages: {languages})",
                    "die Sprache '{lang}' ist nicht eingerichtet (Sprachen: {languages})",
                    lang=path.stem,
                    languages=languages,
                ),
            )
    return result


def _read(path: Path, errors: Errors, reference: dict[str, str] | None = None) -> dict[str, str] | None:
    data = load_yaml(path, errors)
    if data is None:
        return None
    shown = display_path(path)
    if not isinstance(data, LMap):
        errors.add(
            shown,
            1,
            "",
            msg(
                "expected a mapping of string names to texts, got {got}",
                "erwartet: eine Zuordnung von Textnamen zu Texten; gefunden: {got}",
                got=describe(data),
            ),
        )
        return None
    out: dict[str, str] = {}
    for key, value in data.items():
        if reference is not None and key not in reference:
            errors.add(
                shown,
                data.line_of(key),
                key,
                msg(
                    "unknown interface string{hint}",
                    "unbekannter Oberflächentext{hint}",
                    hint=suggest(key, reference),
                ),
            )
        elif not isinstance(value, str):
            errors.add(
                shown,
                data.line_of(key),
                key,
                msg("expected a text, got {got}", "erwartet: ein Text; gefunden: {got}", got=describe(value)),
            )
        elif reference is not None and (problem := _problem(key, value, reference[key])):
            errors.add(shown, data.line_of(key), key, problem)
        else:
            out[key] = value
    return out


def _fields(text: str) -> set[str]:
    """Return the {placeholders} of a text as written, with any conversion and format spec.

    Raise ValueError when its braces do not pair. ("{venue:d}" is not "{venue}": the page
    fills in a text, which the format spec "d" fails on.)
    """
    fields = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.add(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return fields


def _problem(key: str, value: str, reference: str) -> Message | None:
    """Say why an override cannot replace an interface string, or return None."""
    allowed = _fields(reference)
    if allowed:
        try:
            unknown = sorted(_fields(value) - allowed)
        except ValueError:
            unknown = ["{"]
        if unknown:
            names = ", ".join(f"{{{name}}}" for name in sorted(allowed))
            return msg(
                "{value} may use only the placeholders {names}; write {{{{ and }}}} for braces",
                "{value} darf nur die Platzhalter {names} verwenden;"
                " schreiben Sie {{{{ und }}}} für Klammern",
                value=describe(value),
                names=names,
            )
    if key.startswith("slug_") and not SLUG.fullmatch(value):
        return msg(
            "{value} is not a page address: use lower-case letters, digits and hyphens",
            "{value} ist keine Seitenadresse: verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche",
            value=describe(value),
        )
    if key in ("locale", "time_locale") and not known_language(value):
        return msg(
            "{value} is not a locale such as de_DE or en",
            "{value} ist kein Gebietsschema (locale) wie de_DE oder en",
            value=describe(value),
        )
    try:
        if key in _DATE_PATTERNS:
            format_date(_SAMPLE.date(), value, locale="en")
        elif key in _TIME_PATTERNS:
            format_time(_SAMPLE, value, locale="en")
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        return msg(
            "{value} is not a Babel {kind} pattern ({reason})",
            "{value} ist kein Babel-Muster für {kind} ({reason})",
            value=describe(value),
            kind=key.partition("_")[0],
            reason=exc,
        )
    return None


class Formatter:
    """Format dates and times for one page language, always in the conference timezone."""

    def __init__(self, strings: dict[str, str], tz: dt.tzinfo) -> None:
        self.s = strings
        self.tz = tz

    def date(self, value: dt.date | dt.datetime) -> str:
        """Format a full date: Dienstag, 2. April 2019."""
        return format_date(_local_date(value, self.tz), self.s["date_format"], locale=self.s["locale"])

    def date_short(self, value: dt.date | dt.datetime) -> str:
        """Format a date without the weekday: 2. April 2019."""
        return format_date(_local_date(value, self.tz), self.s["date_short"], locale=self.s["locale"])

    def date_range(self, first: dt.date | dt.datetime, last: dt.date | dt.datetime) -> str:
        """Format the days from ``first`` to ``last``: one date, two joined by "und", or a range.

        Each day as date() formats it: Dienstag, 2. April 2019 und Mittwoch, 3. April 2019;
        Freitag, 24. Oktober 2025 – Sonntag, 26. Oktober 2025 (the locale's range pattern).
        """
        start, end = _local_date(first, self.tz), _local_date(last, self.tz)
        if end < start:
            raise ValueError(f"the last day {end} comes before the first {start}")
        if start == end:
            return self.date(start)
        if end - start == dt.timedelta(days=1):
            return str(format_list([self.date(start), self.date(end)], locale=self.s["locale"]))
        return _range_pattern(self.s["locale"]).format(self.date(start), self.date(end))

    def time(self, value: dt.datetime) -> str:
        """Format a time of day: 9:30 Uhr / 9:30 AM."""
        return format_time(value.astimezone(self.tz), self.s["time_format"], locale=self.s["time_locale"])

    def time_short(self, value: dt.datetime) -> str:
        """Format a time of day for tables: 9:30 / 9:30 AM."""
        return format_time(value.astimezone(self.tz), self.s["time_short"], locale=self.s["time_locale"])

    def time_range(self, start: dt.datetime, end: dt.datetime) -> str:
        """Format a span of time: 9:30–13:00 Uhr / 9:30 AM – 1:00 PM."""
        return self.s["time_range"].format(start=self.time_short(start), end=self.time_short(end))

    def zone(self, when: dt.datetime) -> str:
        """Name the timezone in force at ``when``: Mitteleuropäische Sommerzeit."""
        return str(get_timezone_name(when.astimezone(self.tz), "long", locale=self.s["locale"]))

    def zone_between(self, start: dt.datetime, end: dt.datetime) -> str:
        """Name the timezone of a span: its season's name, or the generic one across a change."""
        if self.zone(start) == self.zone(end):
            return self.zone(start)
        return str(get_timezone_name(self.tz, "long", locale=self.s["locale"]))

    def deadline(self, when: dt.datetime, is_day: bool) -> str:
        """Format a deadline: a date, or a date and time."""
        if is_day:
            return self.date_short(when)
        return f"{self.date_short(when)}, {self.time(when)}"


def _local_date(value: dt.date | dt.datetime, tz: dt.tzinfo) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).date()
    if not isinstance(value, dt.date):  # (Babel would show today's date for None)
        raise TypeError(f"not a date: {value!r}")
    return value


#: Pairs of quotation marks, each with the pair that quotes inside it: German „…‚…‘…“, English
#: “…‘…’…” and British ‘…“…”…’, guillemets «…‹…›…» and the German »…›…‹…«.
_INNER_QUOTES = {
    ("„", "“"): ("‚", "‘"),
    ("‚", "‘"): ("„", "“"),
    ("“", "”"): ("‘", "’"),
    ("‘", "’"): ("“", "”"),
    ("«", "»"): ("‹", "›"),
    ("‹", "›"): ("«", "»"),
    ("»", "«"): ("›", "‹"),
    ("›", "‹"): ("»", "«"),
}


@functools.cache
def quoted_fields(text: str) -> dict[str, tuple[str, str]]:
    """Return the placeholders of an interface string that it quotes, with their marks: {session}: („, “)."""
    found: dict[str, tuple[str, str]] = {}
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError:
        return found
    for index, (literal, name, _, _) in enumerate(pieces):
        if not name or not literal:
            continue
        after = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        marks = (literal[-1], after[:1])
        if marks in _INNER_QUOTES:
            found[name] = marks
    return found


def nest_quotes(value: str, outer: tuple[str, str]) -> str:
    """Turn the quotations in ``value`` that use the ``outer`` marks into the marks that nest inside them.

    „Abschlusspodium „Ausblick““ becomes „Abschlusspodium ‚Ausblick‘“. A closing mark followed by a
    letter is an apostrophe (workshop’s), not the end of a quotation. Markup stays markup.
    """
    opening, closing = outer
    if opening not in value:
        return value
    inner_open, inner_close = _INNER_QUOTES[outer]
    pattern = _quotation(opening, closing)
    nested = pattern.sub(lambda found: f"{inner_open}{found[1]}{inner_close}", value)
    return Markup(nested) if isinstance(value, Markup) else nested


@functools.cache
def _quotation(opening: str, closing: str) -> re.Pattern[str]:
    """Match a quotation between two marks, the shortest, whose end is not an apostrophe."""
    return re.compile(f"{re.escape(opening)}(.*?){re.escape(closing)}(?!\\w)", re.DOTALL)


@functools.cache
def _range_pattern(locale: str) -> str:
    """Return a locale's pattern for a range of two dates it cannot shorten: "{0} – {1}"."""
    return str(Locale.parse(locale).interval_formats.get(None, "{0} – {1}"))


def country_name(locale: str, code: str) -> str:
    """Name a country (ISO 3166 code, such as DE) in a language (a Babel locale, such as de_DE)."""
    return str(Locale.parse(locale).territories.get(code, code))


class MemoFormatter(Formatter):
    """A Formatter that remembers its answers: thousands of pages show the same few times.

    Every method is a function of its arguments alone (moments are converted to the
    conference timezone first, so equal moments give equal text), which makes this safe.
    """

    def __init__(self, strings: dict[str, str], tz: dt.tzinfo) -> None:
        super().__init__(strings, tz)
        self._memo: dict[tuple[object, ...], str] = {}

    def _remember(self, method: Callable[..., str], *args: object) -> str:
        key = (method.__name__, *args)
        if key not in self._memo:
            self._memo[key] = method(*args)
        return self._memo[key]

    def date(self, value: dt.date | dt.datetime) -> str:
        """Format a full date: Dienstag, 2. April 2019."""
        return self._remember(super().date, value)

    def date_short(self, value: dt.date | dt.datetime) -> str:
        """Format a date without the weekday: 2. April 2019."""
        return self._remember(super().date_short, value)

    def date_range(self, first: dt.date | dt.datetime, last: dt.date | dt.datetime) -> str:
        """Format the days from ``first`` to ``last``: one date, two joined by "und", or a range."""
        return self._remember(super().date_range, first, last)

    def time(self, value: dt.datetime) -> str:
        """Format a time of day: 9:30 Uhr / 9:30 AM."""
        return self._remember(super().time, value)

    def time_short(self, value: dt.datetime) -> str:
        """Format a time of day for tables: 9:30 / 9:30 AM."""
        return self._remember(super().time_short, value)

    def zone(self, when: dt.datetime) -> str:
        """Name the timezone in force at ``when``: Mitteleuropäische Sommerzeit."""
        return self._remember(super().zone, when)
