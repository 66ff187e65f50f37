"""Declarative field kinds: check the shape of located YAML values and describe them."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from . import memo
from .errors import Errors
from .messages import Message, msg
from .model import Text
from .yamlparse import LList, LMap

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-zA-Z]{2,}")
SAFE_SCHEMES = ("https", "http", "mailto", "tel")
#: The years a conference may fall in: calendars and schedules compute the following day and year.
YEARS = range(1900, 3000)


@dataclass
class Ctx:
    """What every check needs: where errors go and which languages are configured."""

    errors: Errors
    languages: tuple[str, ...]
    #: False when the languages list of conference.yaml is broken: texts cannot be judged by it.
    languages_valid: bool = True

    def error(self, path: str, line: int, where: str, message: Message) -> None:
        """Record one problem."""
        self.errors.add(path, line, where, message)

    def error_at(self, loc: Loc, message: Message) -> None:
        """Record one problem at where a value came from."""
        self.errors.add(loc.path, loc.line, loc.where, message)


@dataclass(frozen=True)
class Loc:
    """Where a value came from: the file, the line and the path inside the file."""

    path: str
    line: int
    where: str


class Missing:
    """Marker for an absent optional value."""


MISSING = Missing()


def describe(value: Any) -> Message:
    """Show a value the way an editor wrote it."""
    if isinstance(value, LMap):
        return msg("a mapping", "eine Zuordnung (key: value)")
    if isinstance(value, LList):
        return msg("a list", "eine Liste")
    if value is None:
        return msg("nothing", "nichts")
    if isinstance(value, bool):
        return msg(
            "{value} (YAML reads yes, no, on and off as true or false; quote the word)",
            "{value} (YAML liest yes, no, on und off als true oder false; setzen Sie das Wort in"
            " Anführungszeichen)",
            value=str(value).lower(),
        )
    text = str(value)
    return msg("{text}", "{text}", text=repr(text) if len(text) <= 60 else repr(text[:57] + "..."))


def suggest(word: str, choices: Iterable[str]) -> Message:
    """Return "; did you mean 'x'?" when a close match exists (else nothing)."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if close:
        return msg("; did you mean '{word}'?", "; meinten Sie '{word}'?", word=close[0])
    return msg("", "")


def slugify(text: str) -> str:
    """Make a slug suggestion from any text (Begrüßung -> begruessung)."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "id"


def known_language(code: str) -> bool:
    """Tell whether Babel knows a language code (de, en, fr, ...)."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class Kind:
    """A kind of value: checks located YAML and describes itself as JSON Schema."""

    doc = ""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        """Return the checked value, or MISSING after reporting why it is wrong."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """Describe the accepted values as JSON Schema."""
        raise NotImplementedError


class Str(Kind):
    """A plain string, optionally matching a pattern."""

    def __init__(self, pattern: re.Pattern[str] | None = None, what: Message | None = None) -> None:
        self.pattern = pattern
        #: what the value is, e.g. "a web address", for messages in both languages
        self.what = what if what is not None else msg("text", "ein Text")

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            ctx.error_at(
                loc,
                msg(
                    "expected {what}, got {got}",
                    "erwartet: {what}; gefunden: {got}",
                    what=self.what,
                    got=describe(value),
                ),
            )
            return MISSING
        text = str(value).strip()
        if not text:
            ctx.error_at(
                loc,
                msg("is empty; write {what}", "ist leer; hier fehlt {what}", what=self.what),
            )
            return MISSING
        if self.pattern is not None and not self.pattern.fullmatch(text):
            return self.mismatch(ctx, text, loc)
        return text

    def mismatch(self, ctx: Ctx, text: str, loc: Loc) -> Any:
        """Report a string that does not match the pattern."""
        ctx.error_at(
            loc,
            msg(
                "{text} is not {what}",
                "{text} ist ungültig; erwartet: {what}",
                text=describe(text),
                what=self.what,
            ),
        )
        return MISSING

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern is not None:
            out["pattern"] = f"^(?:{self.pattern.pattern})$"
        return out


class Slug(Str):
    """An id: lower-case letters, digits and single hyphens."""

    def __init__(self) -> None:
        super().__init__(
            SLUG,
            msg(
                "an id of lower-case letters, digits and hyphens",
                "eine ID aus Kleinbuchstaben, Ziffern und Bindestrichen",
            ),
        )

    def mismatch(self, ctx: Ctx, text: str, loc: Loc) -> Any:
        ctx.error_at(
            loc,
            msg(
                "{text} is not an id: use lower-case letters, digits and hyphens, e.g. '{slug}'",
                "{text} ist keine ID: verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche,"
                " z. B. '{slug}'",
                text=describe(text),
                slug=slugify(text),
            ),
        )
        return MISSING


class Email(Str):
    """An e-mail address."""

    def __init__(self) -> None:
        super().__init__(
            _EMAIL, msg("an e-mail address (name@example.org)", "eine E-Mail-Adresse (name@example.org)")
        )


class Url(Str):
    """A link with an allowed scheme."""

    def __init__(self, schemes: tuple[str, ...] = SAFE_SCHEMES) -> None:
        super().__init__(None, msg("a web address", "eine Webadresse"))
        self.schemes = schemes

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        text = super().parse(ctx, value, loc)
        if text is MISSING:
            return MISSING
        problem = url_problem(text, self.schemes)
        if problem.en:
            ctx.error_at(loc, problem)
            return MISSING
        return text

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^(" + "|".join(self.schemes) + "):"}


def url_problem(text: str, schemes: tuple[str, ...]) -> Message:
    """Say what is wrong with a link, or return an empty message."""
    shown = describe(text)
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return msg(
            "{text} contains spaces or control characters; encode them (%20)",
            "{text} enthält Leerzeichen oder Steuerzeichen; ersetzen Sie sie durch ihre Kodierung (%20)",
            text=shown,
        )
    try:
        parts = urlsplit(text)
    except ValueError:
        return msg("{text} is not a valid web address", "{text} ist keine gültige Webadresse", text=shown)
    if parts.scheme.lower() not in schemes:
        return msg(
            "{text} is not a safe link; only {allowed} addresses are allowed",
            "{text} ist kein sicherer Link; erlaubt sind nur Adressen mit {allowed}",
            text=shown,
            allowed=[f"{s}:" for s in schemes],
        )
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return msg(
            "{text} has no host; write e.g. https://example.org/",
            "{text} enthält keinen Servernamen; schreiben Sie z. B. https://example.org/",
            text=shown,
        )
    return msg("", "")


class Int(Kind):
    """A whole number, at least ``minimum``."""

    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.error_at(
                loc,
                msg(
                    "expected a whole number, got {got}",
                    "erwartet: eine ganze Zahl; gefunden: {got}",
                    got=describe(value),
                ),
            )
            return MISSING
        if value < self.minimum:
            ctx.error_at(
                loc,
                msg(
                    "{value} is below {minimum}",
                    "{value} ist kleiner als {minimum}",
                    value=value,
                    minimum=self.minimum,
                ),
            )
            return MISSING
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum}


class Number(Kind):
    """A decimal number within a range (used for coordinates)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            ctx.error_at(
                loc,
                msg(
                    "expected a number, got {got}",
                    "erwartet: eine Zahl; gefunden: {got}",
                    got=describe(value),
                ),
            )
            return MISSING
        if not self.low <= value <= self.high:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not between {low} and {high}",
                    "{value} liegt nicht zwischen {low} und {high}",
                    value=str(value),  # as written in YAML (51.5), also in German
                    low=self.low,
                    high=self.high,
                ),
            )
            return MISSING
        return float(value)

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.low, "maximum": self.high}


class Bool(Kind):
    """true or false."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if not isinstance(value, bool):
            ctx.error_at(
                loc,
                msg(
                    "expected true or false, got {got}",
                    "erwartet: true oder false; gefunden: {got}",
                    got=describe(value),
                ),
            )
            return MISSING
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Kind):
    """One of a fixed set of words."""

    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if not isinstance(value, str) or value not in self.choices:
            hint = suggest(str(value), self.choices) if isinstance(value, str) else msg("", "")
            ctx.error_at(
                loc,
                msg(
                    "{value} is not one of {choices}{hint}",
                    "{value} ist keiner der Werte {choices}{hint}",
                    value=describe(value),
                    choices=self.choices,
                    hint=hint,
                ),
            )
            return MISSING
        return value

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


def parse_date(value: Any) -> dt.date | None:
    """Read a YAML date or a YYYY-MM-DD string."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class Date(Kind):
    """A calendar date, YYYY-MM-DD."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        parsed = parse_date(value)
        if parsed is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a date (YYYY-MM-DD){problem}",
                    "{value} ist kein Datum (YYYY-MM-DD){problem}",
                    value=describe(value),
                    problem=_calendar_problem(value),
                ),
            )
            return MISSING
        return _in_years(ctx, parsed, loc)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _in_years(ctx: Ctx, value: dt.date, loc: Loc) -> Any:
    """Return a date (or date and time) within YEARS, or report it."""
    if value.year in YEARS:
        return value
    ctx.error_at(
        loc,
        msg(
            "{value} lies outside the years {first}–{last}; check the year",
            "{value} liegt außerhalb der Jahre {first}–{last}; prüfen Sie das Jahr",
            value=value.isoformat(),
            first=YEARS.start,
            last=YEARS.stop - 1,
        ),
    )
    return MISSING


def _calendar_problem(value: Any) -> Message:
    """Say why a text shaped like a date is no day of the calendar (2019-02-30)."""
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value) if isinstance(value, str) else None
    if match is None:
        return msg("", "")
    try:
        dt.date.fromisoformat(match.group(1))
    except ValueError as exc:
        return msg(
            "; there is no such day ({reason})", "; diesen Tag gibt es nicht ({reason})", reason=str(exc)
        )
    return msg("", "")


def parse_datetime(value: Any) -> dt.date | dt.datetime | None:
    """Read a date, or a date and time (YYYY-MM-DD HH:MM) without a zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else None
    day = parse_date(value)
    if day is not None:
        return day
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)", value.strip())
        if match:
            try:
                return dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2).zfill(5)}")
            except ValueError:
                return None
    return None


class DateOrTime(Kind):
    """A date, or a local date and time."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        parsed = parse_datetime(value)
        if parsed is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a date (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM){problem}",
                    "{value} ist weder ein Datum (YYYY-MM-DD) noch ein Datum mit Ortszeit"
                    " (YYYY-MM-DD HH:MM){problem}",
                    value=describe(value),
                    problem=_calendar_problem(value),
                ),
            )
            return MISSING
        return _in_years(ctx, parsed, loc)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?$"}


class Time(Kind):
    """A time of day, HH:MM."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a time (HH:MM)",
                    "{value} ist keine Uhrzeit (HH:MM)",
                    value=describe(value),
                ),
            )
            return MISSING
        return dt.time(int(match.group(1)), int(match.group(2)))

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$"}


class TextKind(Kind):
    """A text in every configured language, or one language-neutral string."""

    def __init__(self, markdown: bool = False) -> None:
        self.markdown = markdown

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
            if not text:
                ctx.error_at(
                    loc,
                    msg(
                        "is empty; write the text or remove the key",
                        "ist leer; schreiben Sie den Text oder entfernen Sie den Schlüssel",
                    ),
                )
                return MISSING
            return Text.neutral(text)
        if not isinstance(value, LMap):
            ctx.error_at(
                loc,
                msg(
                    "expected a text or a mapping of languages ({languages}), got {got}",
                    "erwartet: ein Text oder eine Zuordnung von Sprachen ({languages}); gefunden: {got}",
                    languages=ctx.languages,
                    got=describe(value),
                ),
            )
            return MISSING
        if "text" in value or "lang" in value:
            return self._tagged(ctx, value, loc)
        if not ctx.languages_valid:
            return MISSING  # the languages list is reported in conference.yaml; nothing to judge by
        ok = True
        for key in value:
            if key not in ctx.languages:
                ctx.error(
                    value.path,
                    value.line_of(key),
                    f"{loc.where}.{key}",
                    msg(
                        "language '{lang}' is not configured (languages: {languages})",
                        "die Sprache '{lang}' ist nicht eingerichtet (Sprachen: {languages})",
                        lang=key,
                        languages=ctx.languages,
                    ),
                )
                ok = False
        texts: dict[str, str] = {}
        for lang in ctx.languages:
            if lang not in value:
                ctx.error_at(
                    loc,
                    msg(
                        "missing the text in language '{lang}'",
                        "der Text in der Sprache '{lang}' fehlt",
                        lang=lang,
                    ),
                )
                ok = False
                continue
            item = value[lang]
            if not isinstance(item, str | int | float) or isinstance(item, bool) or not str(item).strip():
                ctx.error(
                    value.path,
                    value.line_of(lang),
                    f"{loc.where}.{lang}",
                    msg(
                        "expected a text, got {got}",
                        "erwartet: ein Text; gefunden: {got}",
                        got=describe(item),
                    ),
                )
                ok = False
                continue
            texts[lang] = str(item).strip()
        return Text.of(texts) if ok else MISSING

    def _tagged(self, ctx: Ctx, value: LMap, loc: Loc) -> Any:
        """Check ``{text: ..., lang: en}``: one text in a named language, shown in every language."""
        ok = True
        for key in value:
            if key not in ("text", "lang"):
                ctx.error(
                    value.path,
                    value.line_of(key),
                    f"{loc.where}.{key}",
                    msg(
                        "unknown key '{key}'; a language-tagged text has only text and lang",
                        "unbekannter Schlüssel '{key}'; ein Text mit Sprachangabe hat nur text und lang",
                        key=key,
                    ),
                )
                ok = False
        for key, what in (
            ("text", msg("the text", "der Text")),
            (
                "lang",
                msg(
                    "the language it is written in, e.g. en",
                    "die Sprache, in der er geschrieben ist, z. B. en",
                ),
            ),
        ):
            if key not in value:
                ctx.error(
                    value.path,
                    loc.line,
                    loc.where,
                    msg(
                        "missing key '{key}' ({what})",
                        "der Schlüssel '{key}' fehlt ({what})",
                        key=key,
                        what=what,
                    ),
                )
                ok = False
        text, lang = value.get("text"), value.get("lang")
        if "text" in value and (not isinstance(text, str) or not text.strip()):
            ctx.error(
                value.path,
                value.line_of("text"),
                f"{loc.where}.text",
                msg("expected a text, got {got}", "erwartet: ein Text; gefunden: {got}", got=describe(text)),
            )
            ok = False
        if "lang" in value and not (
            isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang) and known_language(lang)
        ):
            ctx.error(
                value.path,
                value.line_of("lang"),
                f"{loc.where}.lang",
                msg(
                    "{value} is not a known language code such as de or en",
                    "{value} ist kein bekannter Sprachcode wie de oder en",
                    value=describe(lang),
                ),
            )
            ok = False
        return Text.neutral(str(text).strip(), str(lang)) if ok else MISSING

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"$ref": "#/$defs/translations"},
                {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "lang": {"type": "string"}},
                    "required": ["text", "lang"],
                    "additionalProperties": False,
                },
            ]
        }


class ListOf(Kind):
    """A list of values of one kind; an empty key counts as an empty list."""

    def __init__(self, item: Kind, min_items: int = 0, unique: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        self.unique = unique

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if value is None:
            value = LList(loc.path, loc.line)
        if not isinstance(value, LList):
            hint = (
                msg("; write [{value}]", "; schreiben Sie [{value}]", value=value)
                if isinstance(value, str)
                else msg("", "")
            )
            ctx.error_at(
                loc,
                msg(
                    "expected a list, got {got}{hint}",
                    "erwartet: eine Liste; gefunden: {got}{hint}",
                    got=describe(value),
                    hint=hint,
                ),
            )
            return MISSING
        if len(value) < self.min_items:
            if self.min_items == 1:
                needs = msg("needs at least {n} item(s)", "braucht mindestens {n} Eintrag", n=self.min_items)
            else:
                needs = msg("needs at least {n} item(s)", "braucht mindestens {n} Einträge", n=self.min_items)
            ctx.error_at(loc, needs)
            return MISSING
        out: list[Any] = []
        seen: dict[Any, int] = {}
        for index, item in enumerate(value):
            item_loc = Loc(loc.path, value.line_of(index), f"{loc.where}[{index}]")
            parsed = self.item.parse(ctx, item, item_loc)
            if parsed is MISSING:
                continue
            if self.unique:
                if parsed in seen:
                    ctx.error_at(
                        item_loc,
                        msg(
                            "{value} is listed twice (also at [{first}])",
                            "{value} steht doppelt in der Liste (auch bei [{first}])",
                            value=describe(parsed),
                            first=seen[parsed],
                        ),
                    )
                    continue
                seen[parsed] = index
            out.append(parsed)
        return tuple(out)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        return out


@dataclass(frozen=True)
class Field:
    """One key of a record: its kind, whether it is required, what it means."""

    key: str
    kind: Kind
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Record:
    """A mapping with known keys; unknown keys are errors."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(f.key for f in self.fields))


@dataclass(frozen=True)
class Parsed:
    """The checked values of one record and where they came from."""

    values: dict[str, Any]
    loc: Loc
    key_lines: dict[str, int]

    def get(self, key: str, default: Any = None) -> Any:
        """Return a checked value, or ``default`` when absent or invalid."""
        return self.values.get(key, default)

    def line_of(self, key: str) -> int:
        """Return the line of ``key`` in the source."""
        return self.key_lines.get(key, self.loc.line)

    def at(self, key: str) -> Loc:
        """Return the location of ``key``."""
        return Loc(self.loc.path, self.line_of(key), f"{self.loc.where}.{key}".lstrip("."))


class RecordKind(Kind):
    """A nested record."""

    def __init__(self, record: Record | Callable[[], Record]) -> None:
        self._record = record

    @property
    def record(self) -> Record:
        """Return the record (resolved lazily so records can refer to each other)."""
        return self._record if isinstance(self._record, Record) else self._record()

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        return parse_record(ctx, self.record, value, loc)

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.record.name}"}


class MapOf(Kind):
    """A mapping from ids to records (e.g. registration parts by part id)."""

    def __init__(self, record: Record) -> None:
        self.record = record

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if value is None:
            return {}
        if not isinstance(value, LMap):
            ctx.error_at(
                loc,
                msg(
                    "expected a mapping, got {got}",
                    "erwartet: eine Zuordnung; gefunden: {got}",
                    got=describe(value),
                ),
            )
            return MISSING
        out: dict[str, Parsed] = {}
        for key, item in value.items():
            item_loc = Loc(loc.path, value.line_of(key), f"{loc.where}.{key}")
            if not SLUG.fullmatch(key):
                ctx.error_at(
                    item_loc,
                    msg("'{key}' is not an id", "'{key}' ist keine ID", key=key),
                )
                continue
            parsed = parse_record(ctx, self.record, item, item_loc)
            if isinstance(parsed, Parsed):
                out[key] = parsed
        return out

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": {"pattern": f"^{SLUG.pattern}$"},
            "additionalProperties": {"$ref": f"#/$defs/{self.record.name}"},
        }


def parse_record(ctx: Ctx, record: Record, value: Any, loc: Loc) -> Parsed | Missing:
    """Check a mapping against a record: required keys, unknown keys, each value's kind.

    A mapping that the last build checked without a problem, the same object at the same place
    (memo.py), gives the same record.
    """
    before = len(ctx.errors)
    return memo.made(
        "record",
        (record, value),
        lambda: _parse_record(ctx, record, value, loc),
        also=(loc, ctx.languages, ctx.languages_valid),
        keep=lambda: len(ctx.errors) == before,
    )


def _parse_record(ctx: Ctx, record: Record, value: Any, loc: Loc) -> Parsed | Missing:
    if not isinstance(value, LMap):
        keys = [f.key for f in record.fields if f.required] or [record.fields[0].key]
        ctx.error_at(
            loc,
            msg(
                "expected a mapping with keys like {keys}, got {got}",
                "erwartet: eine Zuordnung mit Schlüsseln wie {keys}; gefunden: {got}",
                keys=keys,
                got=describe(value),
            ),
        )
        return MISSING
    values: dict[str, Any] = {}
    for key in value:
        if key not in record.keys:
            ctx.error(
                value.path,
                value.line_of(key),
                f"{loc.where}.{key}".lstrip("."),
                msg(
                    "unknown key '{key}'{hint} (allowed: {allowed})",
                    "unbekannter Schlüssel '{key}'{hint} (erlaubt: {allowed})",
                    key=key,
                    hint=suggest(key, record.keys),
                    allowed=sorted(record.keys),
                ),
            )
    for spec in record.fields:
        where = f"{loc.where}.{spec.key}".lstrip(".")
        if spec.key not in value:
            if spec.required:
                # on the line that names the record (venue:, - id: ...), not on its first key
                ctx.error(
                    value.path,
                    loc.line,
                    loc.where or spec.key,
                    msg("missing key '{key}'", "der Schlüssel '{key}' fehlt", key=spec.key),
                )
            continue
        item = value[spec.key]
        if item is None and isinstance(spec.kind, RecordKind) and not spec.required:
            item = LMap(value.path, value.line_of(spec.key))  # an empty key still needs its keys
        if item is None and not isinstance(spec.kind, ListOf | MapOf):
            if spec.required:
                ctx.error(value.path, value.line_of(spec.key), where, msg("has no value", "hat keinen Wert"))
            continue
        parsed = spec.kind.parse(ctx, item, Loc(value.path, value.line_of(spec.key), where))
        if parsed is not MISSING:
            values[spec.key] = parsed
    return Parsed(values, Loc(value.path, loc.line, loc.where), dict(value.key_lines))
