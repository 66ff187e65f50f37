"""YAML's syntax errors in an editor's words: the line that holds the slip, and what to do there.

PyYAML (and libyaml, in words of its own) says what its parser expected, in English, on the line
where it gave up: a quote left open is reported where a later apostrophe closes it, many lines
down. The common slips are told apart here, by the error, the characters at its marks and the
tokens just before it; any other error is passed on as YAML words it. Lines are the editor's:
counted by newlines, not by the other characters that YAML takes for line breaks (U+2028).
This runs only when a file does not parse.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .messages import Message, msg

#: Characters that YAML takes for line breaks and editors show as none (or not at all): U+0085
#: and the line and paragraph separators U+2028 and U+2029, pasted from a web page or a PDF.
OTHER_BREAKS = "\x85\u2028\u2029"
_OTHER_BREAK = re.compile(f"[{OTHER_BREAKS}]")
#: A line ``key: value`` (or ``- key: value``), the value up to a comment.
_KEY_VALUE = re.compile(r"\s*(?:- +)?(?P<key>[\w-]+): +(?P<value>[^\s\"'\[{].*?)(?:\s+#.*)?\s*")
#: The problems of libyaml and of PyYAML that mean "this line does not belong where it is".
_MISPLACED = ("did not find expected key", "did not find expected '-' indicator", "expected <block end>")

#: What the YAML parser was reading, in an editor's words, with the line where it starts.
_CONTEXTS: dict[str, Callable[[int], Message]] = {
    "a flow sequence": lambda line: msg(
        "the [...] list that starts on line {line}", "die Liste [...], die in Zeile {line} beginnt", line=line
    ),
    "a flow mapping": lambda line: msg(
        "the {{...}} mapping that starts on line {line}",
        "die Zuordnung {{...}}, die in Zeile {line} beginnt",
        line=line,
    ),
    "a block mapping": lambda line: msg(
        "the mapping that starts on line {line}", "die Zuordnung, die in Zeile {line} beginnt", line=line
    ),
    "a block collection": lambda line: msg(
        "the list or mapping that starts on line {line}",
        "die Liste oder Zuordnung, die in Zeile {line} beginnt",
        line=line,
    ),
    "a quoted scalar": lambda line: msg(
        "the quoted text that starts on line {line}",
        "der Text in Anführungszeichen, der in Zeile {line} beginnt",
        line=line,
    ),
    "a simple key": lambda line: msg(
        "the key that starts on line {line}", "der Schlüssel, der in Zeile {line} beginnt", line=line
    ),
}


def breaks_before(text: str, index: int, start: int = 0) -> int:
    """Count the line breaks an editor sees in ``text[start:index]``: newlines, and lone carriage returns."""
    found = text.count("\n", start, index)
    if "\r" in text:  # (a file saved on an old Mac; "\r\n" is one break)
        found += text.count("\r", start, index) - text.count("\r\n", start, index)
    return found


@dataclass(frozen=True)
class _Failure:
    """A YAML error of a text: where it is, and what is there."""

    exc: yaml.MarkedYAMLError
    problem: str
    text: str
    first_line: int
    loader: type[yaml.SafeLoader]
    at: int  # the index of the character where YAML gave up

    @property
    def source(self) -> str:
        """Return the line where YAML gave up."""
        begin = self.text.rfind("\n", 0, self.at) + 1
        end = self.text.find("\n", self.at)
        return self.text[begin : len(self.text) if end < 0 else end]

    @property
    def char(self) -> str:
        """Return the character where YAML gave up ("" at the end of the text)."""
        return self.text[self.at : self.at + 1]

    @property
    def start(self) -> int:
        """Return the index where what YAML was reading starts (where it gave up, if it does not say)."""
        mark = self.exc.context_mark
        return min(int(mark.index), self.at) if mark is not None else self.at

    def line(self, index: int) -> int:
        """Return the line of the file that holds the character at ``index``."""
        return breaks_before(self.text, index) + self.first_line

    @functools.cached_property
    def tokens_before(self) -> list[Any]:
        """Return the last two tokens that start before the place where YAML gave up (scanned once)."""
        last: list[Any] = []
        try:
            for token in yaml.scan(self.text, Loader=self.loader):
                if token.start_mark.index >= self.at:
                    break
                last = [*last[-1:], token]
        except yaml.YAMLError:
            pass
        return last


def explain(
    exc: yaml.MarkedYAMLError, text: str, first_line: int, loader: type[yaml.SafeLoader]
) -> tuple[int, Message]:
    """Return the line of the file to look at for a YAML error of ``text``, and what to do there.

    ``first_line`` is the line of the file on which ``text`` starts; ``loader`` the one that failed.
    """
    problem = str(exc.problem or exc.context or "syntax error")
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return first_line, msg("not valid YAML: {problem}", "kein gültiges YAML: {problem}", problem=problem)
    failure = _Failure(exc, problem, text, first_line, loader, min(int(mark.index), len(text)))
    for rule in _RULES:
        found = rule(failure)
        if found is not None:
            return failure.line(found[0]), found[1]
    return failure.line(failure.at), _as_yaml_says(failure)


def _tab(f: _Failure) -> tuple[int, Message] | None:
    # libyaml and PyYAML word tab errors differently; the indentation of the line tells.
    source = f.source
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in indent or "tab character" in f.problem or f.char == "\t":
        return f.at, msg(
            "a tab character; indent YAML with spaces only",
            "ein Tabulatorzeichen; rücken Sie YAML nur mit Leerzeichen ein",
        )
    return None


def _tag(f: _Failure) -> tuple[int, Message] | None:
    tag = re.search(r"tag '([^']*)'", f.problem)
    if "could not determine a constructor" in f.problem and tag:
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return f.at, msg(
            "YAML tags that construct objects are not allowed ({tag}); write plain values",
            "YAML-Tags, die Objekte erzeugen, sind nicht erlaubt ({tag}); schreiben Sie einfache Werte",
            tag=shown,
        )
    return None


def _other_break(f: _Failure) -> tuple[int, Message] | None:
    """Find a line break that the editor does not see, where the error is or just before it.

    On the line of the error, the one before, or the one where what YAML was reading starts (not
    on every line between: a mapping may be long, and a U+2028 inside a quoted text is harmless).
    """
    before = f.text.rfind("\n", 0, f.at)
    starts = {f.text.rfind("\n", 0, index) + 1 for index in (f.start, f.at, max(before, 0))}
    for start in sorted(starts):
        end = f.text.find("\n", start)
        found = _OTHER_BREAK.search(f.text, start, len(f.text) if end < 0 else end)
        if found is not None:
            return found.start(), msg(
                "the invisible line break U+{code:04X} (left by pasting, mostly) ends the line here;"
                " remove it",
                "der unsichtbare Zeilenumbruch U+{code:04X} (meist vom Einfügen) beendet hier die Zeile;"
                " entfernen Sie ihn",
                code=ord(found.group()),
            )
    return None


def _quote(f: _Failure) -> tuple[int, Message] | None:
    """Find a quote left open: never closed, or closed by a later quote (an apostrophe, often)."""
    if f.exc.context == "while scanning a quoted scalar":
        return f.start, msg(
            "the quote {quote} that opens here is never closed; close it at the end of the text",
            "das Anführungszeichen {quote}, das hier beginnt, wird nie geschlossen;"
            " schließen Sie es am Ende des Textes",
            quote=f.text[f.start : f.start + 1],
        )
    if not isinstance(f.exc, yaml.parser.ParserError):
        return None
    before = f.tokens_before
    token = before[-1] if before else None
    if not isinstance(token, yaml.ScalarToken) or token.style not in ("'", '"'):
        return None
    opened, closed = int(token.start_mark.index), int(token.end_mark.index)
    if "\n" in f.text[closed : f.at]:  # the quoted text ends on an earlier line: something else is wrong
        return None
    quote = str(token.style)
    if "\n" in f.text[opened:closed]:
        return opened, msg(
            "the quoted text that starts here ends only on line {end};"
            " close it with {quote} on this line{hint}",
            "der Text in Anführungszeichen, der hier beginnt, endet erst in Zeile {end}; schließen Sie ihn"
            " in dieser Zeile mit {quote}{hint}",
            end=f.line(closed),
            quote=quote,
            hint=msg(
                " (an apostrophe inside '...' is written '')", " (ein Apostroph in '...' wird '' geschrieben)"
            )
            if quote == "'"
            else msg("", ""),
        )
    return f.at, msg(
        "the quoted text ends at the {quote} before this; write a {quote} inside it as {escaped}",
        "der Text in Anführungszeichen endet am {quote} davor; schreiben Sie ein {quote} darin als {escaped}",
        quote=quote,
        escaped="''" if quote == "'" else '\\"',
    )


def _colon(f: _Failure) -> tuple[int, Message] | None:
    """Find ``title: Workshop 1: Begrüßung``: a colon and a space inside a text not in quotes."""
    in_flow = (
        isinstance(f.exc, yaml.parser.ParserError)
        and f.char == ":"
        and "flow" in str(f.exc.context)
        and f.line(f.start) == f.line(f.at)  # (else a bracket left open, most likely)
    )
    if not f.problem.startswith("mapping values are not allowed") and not in_flow:
        return None
    before = f.tokens_before
    token = before[-1] if before else None
    line_start = f.text.rfind("\n", 0, f.at) + 1
    if isinstance(token, yaml.ScalarToken) and token.start_mark.index < line_start and not in_flow:
        # the text goes on from an earlier line: a key indented too far, a key without ": ", or text
        opened = int(token.start_mark.index)
        if not (len(before) > 1 and isinstance(before[-2], yaml.ValueToken)):
            return _without_colon(opened)
        if re.fullmatch(r"\s*[\w-]+", f.text[line_start : f.at]):
            return f.at, msg(
                "this key is indented further than the key above it; indent it like that one",
                "dieser Schlüssel ist weiter eingerückt als der darüber; rücken Sie ihn ein wie jenen",
            )
        return f.at, msg(
            "a colon and a space inside the text that starts on line {start}; put the text in quotes",
            "ein Doppelpunkt mit Leerzeichen im Text, der in Zeile {start} beginnt; setzen Sie den Text"
            " in Anführungszeichen",
            start=f.line(opened),
        )
    return f.at, msg(
        "a colon and a space inside a text; put the text in quotes{example}",
        "ein Doppelpunkt mit Leerzeichen in einem Text; setzen Sie den Text in Anführungszeichen{example}",
        example=_in_quotes(f.source),
    )


def _cannot_start(f: _Failure) -> tuple[int, Message] | None:
    """Find a text that starts with a character YAML reserves: `` ` ``, ``@``, ``%``, ``*``, ``&``, ``|``."""
    context = str(f.exc.context)
    if "cannot start any token" in f.problem or "found undefined alias" in f.problem:
        where = f.at
    elif f.problem.startswith(_MISPLACED) and _alias_before(f):  # name: *Grace Hopper
        where = f.tokens_before[-1].start_mark.index
    elif context.startswith(
        ("while scanning an alias", "while scanning an anchor", "while scanning a block scalar")
    ):
        where = f.start
    else:
        return None
    return where, msg(
        "a text cannot start with {char}; put it in quotes{example}",
        "ein Text kann nicht mit {char} beginnen; setzen Sie ihn in Anführungszeichen{example}",
        char=f.text[where : where + 1],
        example=_in_quotes(f.source),
    )


def _alias_before(f: _Failure) -> bool:
    """Tell whether an alias (``*name``) or anchor (``&name``) comes just before the error, on its line."""
    before = f.tokens_before
    return (
        bool(before)
        and isinstance(before[-1], yaml.AliasToken | yaml.AnchorToken)
        and f.line(before[-1].start_mark.index) == f.line(f.at)
    )


def _misplaced(f: _Failure) -> tuple[int, Message] | None:
    """Find a line indented unlike those it belongs to, or a list item without a space after its dash."""
    if not f.problem.startswith(_MISPLACED):
        return None
    if re.match(r"\s*-[^\s-]", f.source):
        return f.at, msg(
            'a list item starts with "- " (a dash, then a space)',
            'ein Listeneintrag beginnt mit "- " (Bindestrich, dann Leerzeichen)',
        )
    return f.at, msg(
        "this line is indented unlike the lines above it ({what}); indent it like the keys it belongs to",
        "diese Zeile ist anders eingerückt als die Zeilen darüber ({what}); rücken Sie sie ein wie die"
        " Schlüssel, zu denen sie gehört",
        what=_context(f) or msg("the list or mapping above", "die Liste oder Zuordnung darüber"),
    )


def _no_colon(f: _Failure) -> tuple[int, Message] | None:
    """Find ``- id werkstatt``: a key without the colon after it."""
    if "could not find expected ':'" in f.problem:
        return _without_colon(f.start)
    return None


def _without_colon(index: int) -> tuple[int, Message]:
    return index, msg(
        'a line without "key: value"; add the ": " after the key (a text of several lines goes in quotes)',
        'eine Zeile ohne "Schlüssel: Wert"; ergänzen Sie ": " nach dem Schlüssel (ein Text über mehrere'
        " Zeilen gehört in Anführungszeichen)",
    )


#: The slips told apart, in the order they are tried.
_RULES = (_tab, _tag, _other_break, _quote, _colon, _cannot_start, _misplaced, _no_colon)


def _as_yaml_says(f: _Failure) -> Message:
    """Pass an error on as YAML words it, with the line where what it was reading starts."""
    what = _context(f)
    if f.exc.problem and what is not None and f.line(f.start) != f.line(f.at):
        return msg(
            "not valid YAML: {problem} ({what})",
            "kein gültiges YAML: {problem} ({what})",
            problem=f.problem,
            what=what,
        )
    return msg("not valid YAML: {problem}", "kein gültiges YAML: {problem}", problem=f.problem)


def _context(f: _Failure) -> Message | None:
    """Name what the parser was reading and the line where it starts, or None."""
    if not f.exc.context or f.exc.context_mark is None:
        return None
    what = str(f.exc.context).removeprefix("while parsing ").removeprefix("while scanning ")
    line = f.line(f.start)
    known = _CONTEXTS.get(what)
    if known is None:
        return msg(
            "the {what} that starts on line {line}", "{what}, beginnend in Zeile {line}", what=what, line=line
        )
    return known(line)


def _in_quotes(source: str) -> Message:
    """Show the line ``key: value`` with the value in quotes, where that is the line's form."""
    match = _KEY_VALUE.fullmatch(source)
    if match is None or '"' in match["value"] or "\\" in match["value"]:
        return msg("", "")
    return msg(': {key}: "{value}"', ': {key}: "{value}"', key=match["key"], value=match["value"])
