"""YAML text to located values: each mapping and list knows the line of every key and item.

The safe loader (libyaml's where installed) builds LMap and LList, reports duplicate keys,
invisible characters and numbers too long to read, and refuses alias bombs and documents
nested too deep before they are read (:func:`parse_nested`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from . import yamlerrors
from .errors import Errors
from .messages import Message, msg

#: libyaml's parser when it is installed (several times faster), else the pure-Python one.
BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: A document with more values than this, counting every alias (*name) expanded, is refused:
#: alias bombs, and files that would take many seconds to read (20,000 sessions are ~300,000).
MAX_EXPANDED_NODES = 1_000_000
#: Lists and mappings nested deeper than this are refused (libyaml recurses on the C stack).
MAX_DEPTH = 100
#: Characters that no text may hold: control characters other than tab and line breaks, UTF-16
#: surrogates and the non-characters U+FFFE and U+FFFF. YAML escapes ("\\0", "\\x1b") can write
#: them, but HTML, XML and calendars cannot carry them.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters that YAML refuses to read anywhere in a file, written as they are (not escaped): the
#: reader's own list (the same as libyaml's), a subset of FORBIDDEN.
UNREADABLE: re.Pattern[str] = yaml.reader.Reader.NON_PRINTABLE
#: Of invisible characters in one file, this many are reported, and then that more follow.
MAX_INVISIBLE = 20


class LMap(dict[str, Any]):
    """A YAML mapping that remembers its file and the line of every key."""

    def __init__(self, path: str, line: int) -> None:
        super().__init__()
        self.path = path
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """Return the line of ``key``, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    """A YAML sequence that remembers its file and the line of every item."""

    def __init__(self, path: str, line: int) -> None:
        super().__init__()
        self.path = path
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Return the line of item ``index``."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Loader(BASE_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that builds located mappings and lists and reports duplicate keys."""

    def __init__(self, stream: str, path: str, errors: Errors, first_line: int = 1) -> None:
        super().__init__(stream)
        self.display = path
        self.errors = errors
        #: Line of the file on which the stream starts (front matter starts on line 2).
        self.offset = first_line - 1
        #: The document's node, once composed; and the nodes that are items of lists (on demand).
        self.root: yaml.Node | None = None
        self._items: set[int] | None = None

    def error(self, node: yaml.Node, where: str, message: Message) -> None:
        """Report a problem at ``node``, on the line of the file an editor sees."""
        self.errors.add(self.display, _line(node) + self.offset, where, message)

    def is_item(self, node: yaml.Node) -> bool:
        """Tell whether ``node`` is an item of a list (found when first asked: only for a problem)."""
        if self._items is None:
            lists = (here for here in _nodes(self.root) if isinstance(here, yaml.SequenceNode))
            self._items = {id(item) for here in lists for item in here.value}
        return id(node) in self._items


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LMap:
    own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # puts the pairs of merged mappings (<<: *name) first
    merged, written = node.value[: len(node.value) - own], node.value[len(node.value) - own :]
    result = LMap(loader.display, _line(node))
    joined = 0  # the line of the first key given twice, where two list items may have run together
    # Keys written here win over merged ones, and of merged ones the first merged mapping wins.
    for index, (key_node, value_node) in enumerate([*written, *reversed(merged)]):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            loader.error(
                key_node, "", msg("a key must be a plain word", "ein Schlüssel muss ein einfaches Wort sein")
            )
            continue
        key = str(key)
        if key in result.key_lines:
            if index < len(written):
                joined = joined or _line(key_node) + loader.offset
                loader.error(
                    key_node, key, _duplicate(loader, node, result.key_lines[key] + loader.offset, joined)
                )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = _line(key_node)
    return result


def _duplicate(loader: _Loader, node: yaml.MappingNode, first: int, joined: int) -> Message:
    """Say that a key is given twice; in a list item, that a forgotten "- " may have joined two items."""
    if loader.is_item(node):
        return msg(
            "duplicate key (first given on line {first}); if a new list item starts on line {joined},"
            ' begin it with "- ", else remove one of them',
            "doppelter Schlüssel (zuerst in Zeile {first}); beginnt in Zeile {joined} ein neuer"
            ' Listeneintrag, setzen Sie "- " davor, sonst entfernen Sie einen davon',
            first=first,
            joined=joined,
        )
    return msg(
        "duplicate key (first given on line {first}); remove one of them",
        "doppelter Schlüssel (zuerst in Zeile {first}); entfernen Sie einen davon",
        first=first,
    )


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LList:
    result = LList(loader.display, _line(node))
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(_line(item))
    return result


def _construct_number(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """Read a number as YAML does only where that gives what was written; else keep the text.

    YAML 1.1 reads 10:00 as the base-60 number 600 (an editor means a time of day), 01067 as
    the octal number 567 (a postcode), +49202123456 without its plus (a phone number), and
    1.20 as 1.2 (a room). The fields that want a number read such text as one (scalars.py).
    """
    text = str(node.value)
    try:
        if node.tag.endswith(":int"):
            number: int | float = loader.construct_yaml_int(node)
        else:
            number = loader.construct_yaml_float(node)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return text
    return number if str(number) == text else text


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    bad = FORBIDDEN.search(text)
    if bad is None:
        return text
    loader.error(node, "", invisible(bad.group()))
    return FORBIDDEN.sub("", text)


def invisible(char: str) -> Message:
    """Say that a text holds an invisible character that pages cannot show."""
    return msg(
        "the text holds the invisible character U+{code:04X}, which pages cannot show; remove it",
        "der Text enthält das unsichtbare Zeichen U+{code:04X}, das Seiten nicht zeigen können;"
        " entfernen Sie es",
        code=ord(char),
    )


def invisible_characters(
    text: str, pattern: re.Pattern[str], first_line: int = 1
) -> list[tuple[int, Message]]:
    """Return the line and message of each character of ``text`` that ``pattern`` finds, up to a limit.

    Lines are counted as an editor counts them (a vertical tab breaks no line there).
    """
    found: list[tuple[int, Message]] = []
    line, counted = first_line, 0
    for match in pattern.finditer(text):
        line += yamlerrors.breaks_before(text, match.start(), counted)
        counted = match.start()
        if len(found) == MAX_INVISIBLE:
            found.append(
                (
                    line,
                    msg(
                        "more invisible characters follow from here; remove them too",
                        "ab hier folgen weitere unsichtbare Zeichen; entfernen Sie auch sie",
                    ),
                )
            )
            break
        found.append((line, invisible(match.group())))
    return found


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # YAML reads 2019-02-30 as a date and fails on it; keep the text so its field reports it.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Count the nodes a document has once every alias is expanded."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # guards against recursive aliases
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo) + _expanded_size(value, memo)
            if size > MAX_EXPANDED_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo)
            if size > MAX_EXPANDED_NODES:
                break
    memo[id(node)] = size
    return size


def _editor_lines(root: yaml.Node, text: str) -> None:
    """Give every node the line that an editor sees it on, where YAML counts U+2028 as a line break."""
    newlines = [match.start() for match in re.finditer("\r\n|\n|\r", text)]
    for node in _nodes(root):
        mark = node.start_mark
        line = bisect.bisect_left(newlines, mark.index)
        node.start_mark = yaml.Mark(mark.name, mark.index, line, mark.column, None, 0)


def _nodes(root: yaml.Node | None) -> Iterator[yaml.Node]:
    """Yield every node of a composed document once (a node that aliases reach again, once)."""
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            todo.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


@dataclass(frozen=True)
class _Shape:
    """What scanning a document's parser events found: a problem, its values, any anchor or alias."""

    problem: tuple[int, Message] | None
    nodes: int  # values, lists and mappings (every alias counted once)
    anchored: bool


def _shape(text: str, depth: int = 0) -> _Shape:
    """Find nesting too deep or too many values by scanning the parser's events (cheap).

    The problem comes with its 0-based line. Runs before composing the document, whose cost
    grows with the number of values and whose recursion grows with the depth. ``depth`` is
    the nesting around the text (a part of a document parsed alone, see reparse.py).
    """
    count = nodes = 0
    anchored = False
    for event in yaml.parse(text, Loader=BASE_LOADER):
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        nodes += 1
        anchored = anchored or event.anchor is not None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _Shape((_event_line(text, event), _too_deep()), nodes, anchored)
        else:
            count += 1
            if count > MAX_EXPANDED_NODES:
                return _Shape((_event_line(text, event), _too_many()), nodes, anchored)
    return _Shape(None, nodes, anchored)


def _event_line(text: str, event: yaml.Event) -> int:
    """Return the 0-based line of an event, as an editor counts lines."""
    return yamlerrors.breaks_before(text, event.start_mark.index) if event.start_mark is not None else 0


def _too_many() -> Message:
    return msg(
        "more than {limit:,} values by here; confsite refuses files this large",
        "bis hier mehr als {limit:,} Werte; so große Dateien lehnt confsite ab",
        limit=MAX_EXPANDED_NODES,
    )


def _too_deep() -> Message:
    return msg(
        "lists and mappings nest more than {depth} levels deep here",
        "Listen und Zuordnungen sind hier mehr als {depth} Ebenen tief verschachtelt",
        depth=MAX_DEPTH,
    )


@dataclass(frozen=True)
class Parsed:
    """A parsed document (None if it could not be), its size, and whether it has anchors or aliases."""

    value: Any
    nodes: int
    anchored: bool


def parse_document(text: str, shown: str, errors: Errors, first_line: int) -> Parsed:
    """Parse a whole document."""
    return parse_nested(text, shown, errors, first_line, 0)


def parse_nested(text: str, shown: str, errors: Errors, first_line: int, depth: int) -> Parsed:
    """Parse a document, or a part of one nested ``depth`` deep."""
    loader: _Loader | None = None
    failed = Parsed(None, 0, True)
    try:
        loader = _Loader(text, shown, errors, first_line)  # (PyYAML's own reader checks the text here)
        shape = _shape(text, depth)
        if shape.problem is not None:
            errors.add(shown, shape.problem[0] + first_line, "", shape.problem[1])
            return failed
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, shape.nodes, shape.anchored)
        if any(char in text for char in yamlerrors.OTHER_BREAKS):  # (fast: no regular expression)
            _editor_lines(node, text)
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            errors.add(
                shown,
                first_line,
                "",
                msg(
                    "too many aliases (*name) expand; write the data out",
                    "zu viele Aliasse (*name) werden eingesetzt; schreiben Sie die Daten aus",
                ),
            )
            return failed
        loader.root = node
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line, message = yamlerrors.explain(exc, text, first_line, BASE_LOADER)
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit (PyYAML 6.0.4), above ours
            message = _too_deep()
        errors.add(shown, line, "", message)
        return failed
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, written as it is
        found = invisible_characters(text, UNREADABLE, first_line)
        for line, message in found or [(first_line, _unreadable(exc))]:
            errors.add(shown, line, "", message)
        return failed
    except yaml.YAMLError as exc:
        errors.add(
            shown,
            first_line,
            "",
            msg("not valid YAML: {problem}", "kein gültiges YAML: {problem}", problem=exc),
        )
        return failed
    finally:
        if loader is not None:
            loader.dispose()
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    # Duplicate keys are reported while constructing; keep the data so the rest is still checked.
    return Parsed(data, shape.nodes, shape.anchored)


def _unreadable(exc: yaml.reader.ReaderError) -> Message:
    """Say what YAML refused to read, where the character itself was not found (not expected)."""
    return msg("not valid YAML: {problem}", "kein gültiges YAML: {problem}", problem=exc.reason)


def _shift_lines(value: Any, offset: int) -> None:
    if isinstance(value, LMap):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for item in value.values():
            _shift_lines(item, offset)
    elif isinstance(value, LList):
        value.line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for item in value:
            _shift_lines(item, offset)
