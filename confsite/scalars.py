"""Field kinds of single values: strings, slugs, e-mail addresses, links, numbers, yes/no, choices."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from typing import Any

from .fields import MISSING, SLUG, Ctx, Kind, Loc, describe, suggest
from .links import SAFE_SCHEMES, base_url_problem, url_problem
from .messages import Message, msg

_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-zA-Z]{2,}")


def slugify(text: str) -> str:
    """Make a slug suggestion from any text (Begrüßung -> begruessung)."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "id"


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
    """An e-mail address, written without mailto: (the pages add it)."""

    def __init__(self) -> None:
        super().__init__(
            _EMAIL, msg("an e-mail address (name@example.org)", "eine E-Mail-Adresse (name@example.org)")
        )

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, str) and value.strip()[:7].lower() == "mailto:":
            address = value.strip()[7:].strip()
            ctx.error_at(
                loc,
                msg(
                    "{text} starts with mailto:; write the address without it: {address}",
                    "{text} beginnt mit mailto:; schreiben Sie die Adresse ohne: {address}",
                    text=describe(value.strip()),
                    address=address or "name@example.org",
                ),
            )
            return MISSING
        return super().parse(ctx, value, loc)


class Url(Str):
    """A link with an allowed scheme."""

    def __init__(self, schemes: tuple[str, ...] = SAFE_SCHEMES) -> None:
        super().__init__(None, msg("a web address", "eine Webadresse"))
        self.schemes = schemes

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        text = super().parse(ctx, value, loc)
        if text is MISSING:
            return MISSING
        problem = self.problem(text)
        if problem.en:
            ctx.error_at(loc, problem)
            return MISSING
        return text

    def problem(self, text: str) -> Message:
        """Say what is wrong with the link, or return an empty message."""
        return url_problem(text, self.schemes)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^(" + "|".join(self.schemes) + "):"}


class BaseUrl(Url):
    """The https address of the folder where a site is published: no query, fragment or file name."""

    def __init__(self) -> None:
        super().__init__(("https",))

    def problem(self, text: str) -> Message:
        return base_url_problem(text, self.schemes)


#: A whole number as YAML writes one in decimal, which it keeps as text where reading it
#: would change it (yamlparse._construct_number).
_WHOLE = re.compile(r"[-+]?[0-9][0-9_]*")
#: A decimal number, likewise.
_DECIMAL = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?")


class Int(Kind):
    """A whole number, at least ``minimum``."""

    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        if isinstance(value, str) and _WHOLE.fullmatch(value):  # (010, +5, 1_000: see yamlparse)
            with contextlib.suppress(ValueError):  # (more digits than Python converts)
                value = int(value)
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
        if isinstance(value, str) and _DECIMAL.fullmatch(value):  # (7.150, .5: see yamlparse)
            with contextlib.suppress(ValueError):  # (12.50_, which Python does not read)
                value = float(value)
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
