"""Declarative field kinds: check the shape of located YAML values and describe them.

This module holds what every kind builds on (the context, locations, the Kind base) and
the kinds that hold others: lists, maps and records. The values themselves are checked by
scalars.py (strings, numbers, choices), dates.py (dates and times) and texts.py (texts).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import memo
from .errors import Errors
from .messages import Message, msg, quoted
from .yamlparse import LList, LMap

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


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
    return msg("{text}", "{text}", text=quoted(str(value)))


def suggest(word: str, choices: Iterable[str]) -> Message:
    """Return "; did you mean 'x'?" when a close match exists (else nothing)."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if close:
        return msg("; did you mean '{word}'?", "; meinten Sie '{word}'?", word=close[0])
    return msg("", "")


class Kind:
    """A kind of value: checks located YAML and describes itself as JSON Schema."""

    doc = ""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        """Return the checked value, or MISSING after reporting why it is wrong."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """Describe the accepted values as JSON Schema."""
        raise NotImplementedError


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
