"""The field kind of texts: one per configured language, or one for all of them."""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError

from . import markup
from .fields import MISSING, Ctx, Kind, Loc, describe
from .links import plainly_safe, url_problem
from .messages import msg
from .model import Text
from .yamlparse import LMap


def check_links(ctx: Ctx, markdown: str, path: str, line: int, where: str, exact: bool = False) -> None:
    """Report each link and image of a Markdown text whose address is not an allowed one.

    ``line`` is the text's first line; with ``exact``, each problem is reported on its own line
    (a page), else on ``line`` (a YAML key: its text may have been folded or indented).
    """
    if plainly_safe(markdown):
        return
    for offset, address in markup.link_destinations(markdown):
        # A space is allowed inside <...> (the page gets %20), where the parser found it.
        problem = url_problem(address.replace(" ", "%20"))
        if problem.en:
            ctx.error(path, line + offset if exact else line, where, problem)


def _sources(text: Text, value: Any, loc: Loc) -> list[tuple[str, int, str]]:
    """Return each written text of ``text`` with the line and the place of its key."""
    if not isinstance(value, LMap):
        return [(text.values[0][1], loc.line, loc.where)]
    if text.is_neutral:  # {text: ..., lang: en}
        return [(text.values[0][1], value.line_of("text"), f"{loc.where}.text")]
    return [(source, value.line_of(lang), f"{loc.where}.{lang}") for lang, source in text.values]


def known_language(code: str) -> bool:
    """Tell whether Babel knows a language code (de, en, fr, ...)."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class TextKind(Kind):
    """A text in every configured language, or one language-neutral string."""

    def __init__(self, markdown: bool = False) -> None:
        self.markdown = markdown

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        text = self._parse(ctx, value, loc)
        if self.markdown and isinstance(text, Text):
            for source, line, where in _sources(text, value, loc):
                check_links(ctx, source, loc.path, line, where)
        return text

    def _parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
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
