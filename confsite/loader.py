"""Read YAML and Markdown safely, keeping the source file and line of every record."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import cache, reparse
from .errors import Errors
from .messages import Message, msg

log = logging.getLogger(__name__)

#: libyaml's parser when it is installed (several times faster), else the pure-Python one.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Files larger than this are refused before parsing (an editor's YAML is kilobytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: A document with more values than this, counting every alias (*name) expanded, is refused:
#: alias bombs, and files that would take many seconds to read (20,000 sessions are ~300,000).
MAX_EXPANDED_NODES = 1_000_000
#: Lists and mappings nested deeper than this are refused (libyaml recurses on the C stack).
MAX_DEPTH = 100
#: Of texts this long (characters) the kept parse keeps the text too, to parse only what an
#: edit changed (reparse.py); a shorter one parses in a few milliseconds.
REPARSE_FROM = 20_000

#: Characters that no text may hold: control characters other than tab and line breaks, UTF-16
#: surrogates and the non-characters U+FFFE and U+FFFF. YAML escapes ("\\0", "\\x1b") can write
#: them, but HTML, XML and calendars cannot carry them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


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


def display_path(path: Path) -> str:
    """Name a file the way the editor knows it: relative to the working folder if inside."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that builds located mappings and lists and reports duplicate keys."""

    def __init__(self, stream: str, path: str, errors: Errors, first_line: int = 1) -> None:
        super().__init__(stream)
        self.display = path
        self.errors = errors
        #: Line of the file on which the stream starts (front matter starts on line 2).
        self.offset = first_line - 1

    def error(self, node: yaml.Node, where: str, message: Message) -> None:
        """Report a problem at ``node``, on the line of the file an editor sees."""
        self.errors.add(self.display, _line(node) + self.offset, where, message)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LMap:
    own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # puts the pairs of merged mappings (<<: *name) first
    merged, written = node.value[: len(node.value) - own], node.value[len(node.value) - own :]
    result = LMap(loader.display, _line(node))
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
                first = result.key_lines[key] + loader.offset
                loader.error(
                    key_node,
                    key,
                    msg(
                        "duplicate key (first given on line {first}); remove one of them",
                        "doppelter Schlüssel (zuerst in Zeile {first}); entfernen Sie einen davon",
                        first=first,
                    ),
                )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = _line(key_node)
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LList:
    result = LList(loader.display, _line(node))
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(_line(item))
    return result


def _construct_number(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # YAML 1.1 reads 10:00 as the base-60 number 600; an editor means a time of day.
    if ":" in str(node.value):
        return str(node.value)
    try:
        if node.tag.endswith(":int"):
            return loader.construct_yaml_int(node)
        return loader.construct_yaml_float(node)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return str(node.value)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    bad = _FORBIDDEN.search(text)
    if bad is None:
        return text
    loader.error(node, "", _invisible(bad.group()))
    return _FORBIDDEN.sub("", text)


def _invisible(char: str) -> Message:
    return msg(
        "the text holds the invisible character U+{code:04X}, which pages cannot show; remove it",
        "der Text enthält das unsichtbare Zeichen U+{code:04X}, das Seiten nicht zeigen können;"
        " entfernen Sie es",
        code=ord(char),
    )


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
    for event in yaml.parse(text, Loader=_BaseLoader):
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        nodes += 1
        anchored = anchored or event.anchor is not None
        line = int(event.start_mark.line) if event.start_mark is not None else 0
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _Shape((line, _too_deep()), nodes, anchored)
        else:
            count += 1
            if count > MAX_EXPANDED_NODES:
                return _Shape((line, _too_many()), nodes, anchored)
    return _Shape(None, nodes, anchored)


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


def read_text(path: Path, errors: Errors) -> str | None:
    """Read a UTF-8 file, reporting a missing, oversized or undecodable file."""
    shown = display_path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never end
            errors.add(
                shown,
                1,
                "",
                msg(
                    "is not a regular file; content files are plain text files",
                    "ist keine gewöhnliche Datei; Inhaltsdateien sind reine Textdateien",
                ),
            )
            return None
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # the file may grow after stat()
        size = max(info.st_size, len(data))
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            errors.add(
                shown,
                1,
                "",
                msg(
                    "file is {size:,} bytes; files above {limit} MB are refused",
                    "die Datei hat {size:,} Bytes; Dateien über {limit} MB werden abgelehnt",
                    size=size,
                    limit=limit,
                ),
            )
            return None
    except OSError as exc:
        errors.add(
            shown,
            1,
            "",
            msg(
                "cannot read the file: {reason}",
                "die Datei kann nicht gelesen werden: {reason}",
                reason=exc.strerror,
            ),
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(
            shown,
            line,
            "",
            msg(
                "byte 0x{byte:02x} is not UTF-8; save the file with UTF-8 encoding",
                "das Byte 0x{byte:02x} ist kein UTF-8; speichern Sie die Datei in der Kodierung UTF-8",
                byte=data[exc.start],
            ),
        )
        return None
    return text.removeprefix("\ufeff")


class _KeptParses:
    """The documents parsed by the last build, by file, first line and text: key -> encoded value.

    A build reads them in :func:`kept_parses`; a document parsed without a problem is kept for
    the next one, so that a file that did not change is not parsed again (people.yaml of a
    conference of 1,000 sessions: 0.16 s to parse, 0.03 s to decode). The values are kept as
    plain tuples (:func:`_encode`), which marshal reads without running any code.

    Of a large file, the text is kept too, under the file and first line: after an edit, only
    the part that changed is parsed again (reparse.py).
    """

    def __init__(self) -> None:
        self.path = cache.table_path("yaml", _parse_version())
        self.stored = cache.load_table(self.path)
        self.used: dict[str, Any] = {}
        #: The documents of this build: key -> (encoded, value). The preview holds its tables
        #: in memory: a document whose tuples are the last build's is the last build's value,
        #: the same objects, and what was made of them may be taken again (memo.py).
        self.documents: dict[str, tuple[Any, Any]] = {}

    def parse(self, text: str, shown: str, errors: Errors, first_line: int) -> Any:
        """Return the document ``text``: kept, made from the kept one and a changed part, or parsed."""
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        where = f"{shown}\0{first_line}"
        key = f"{where}\0{digest}"
        value = self._get(key)
        if value is not None:
            last = self.stored.get(where)
            if type(last) is tuple and last[:1] == (digest,):
                self.used[where] = last
            return value
        spliced = self._reparsed(where, text, shown, first_line)
        if spliced is not None:
            encoded, nodes, old_key = spliced
            self.used[key] = encoded
            self.used[where] = (digest, text, nodes)
            return self._made(key, encoded, old_key)
        before = len(errors)
        parsed = _parse_yaml(text, shown, errors, first_line)
        if len(errors) == before and parsed.value is not None:
            with contextlib.suppress(TypeError):  # (a set or binary data: a content error anyway)
                self.used[key] = _encode(parsed.value)
                self.documents[key] = (self.used[key], parsed.value)
                if len(text) >= REPARSE_FROM and not parsed.anchored and reparse.usable(text):
                    self.used[where] = (digest, text, parsed.nodes)
        return parsed.value

    def _get(self, key: str) -> Any:
        """Return the value kept under ``key``, or None."""
        encoded = self.stored.get(key)
        if encoded is None:
            return None
        try:
            value = self._made(key, encoded)
        except (TypeError, ValueError, IndexError, KeyError):  # a damaged entry: parse again
            return None
        self.used[key] = encoded
        return value

    def _made(self, key: str, encoded: Any, like: str | None = None) -> Any:
        """Return the value of ``encoded``, taking again what the last build made of the same tuples.

        ``like`` names the document of the last build that ``encoded`` was made from, if another.
        """
        before = _documents.get(like or key)
        value = _decode(encoded) if before is None else _decode(encoded, *before)
        self.documents[key] = (encoded, value)
        return value

    def _reparsed(self, where: str, text: str, shown: str, first_line: int) -> tuple[Any, int, str] | None:
        """Return the kept document of the file with the part that changed parsed again.

        With it come its size (nodes, aliases expanded) and the key of the kept document it
        was made from.

        None when the last text of the file is not kept, or the change is not in a part that
        can be parsed alone (see reparse.py): the whole text is to be parsed.
        """
        try:
            old_digest, old_text, old_nodes = self.stored[where]
            old_key = f"{where}\0{old_digest}"
            old = self.stored[old_key]
            part = reparse.locate(old_text, text, old, first_line)
            if part is None:
                return None
            errors = Errors()
            new = _parse(part.text, shown, errors, first_line, part.depth - 1)
            if errors or new.anchored or not isinstance(new.value, LList) or new.value.line != part.line:
                return None
            # (the part's own list counts in new.nodes, not among the replaced items)
            nodes = old_nodes - reparse.replaced_nodes(old, part) + new.nodes - 1
            if nodes > MAX_EXPANDED_NODES:
                return None
            return reparse.splice(old, part, _encode(new.value)), nodes, old_key
        except KeyError:  # not kept
            return None
        except (TypeError, ValueError, IndexError, yaml.YAMLError) as error:  # damaged, or a bug
            log.debug("%s: parsed whole, the kept parse did not serve: %r", shown, error)
            return None

    def store(self) -> None:
        # Held in memory (the preview), the table is stored even unchanged: the next build
        # then reads these very tuples again, not a copy from the file, and takes again what
        # was made of them (memo.py) from its first edit on.
        if self.used.keys() != self.stored.keys() or cache.held():
            cache.store_table(self.path, self.used)


#: The kinds of values a document keeps as they are.
_SCALARS = (str, int, float, bool, type(None))


def _encode(value: Any) -> Any:
    """Turn a parsed document into nested tuples of plain values, line numbers included."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is LMap:
        pairs = tuple((key, _encode(item)) for key, item in value.items())
        return ("map", value.path, value.line, tuple(value.key_lines.items()), pairs)
    if kind is LList:
        items = tuple(_encode(item) for item in value)
        return ("list", value.path, value.line, tuple(value.item_lines), items)
    if kind is dt.datetime:
        offset = value.utcoffset()
        seconds = None if offset is None else int(offset.total_seconds())
        return ("datetime", value.replace(tzinfo=None).isoformat(), seconds)
    if kind is dt.date:
        return ("date", value.isoformat())
    raise TypeError(f"not kept: {kind.__name__}")


def _decode(value: Any, old: Any = None, old_value: Any = None) -> Any:
    """Make a parsed document from what :func:`_encode` made of it.

    Where ``value`` holds the very tuples of ``old``, the encoded form of ``old_value``, the
    parts of ``old_value`` made of them are taken as they are (see _KeptParses.documents).
    """
    if type(value) is not tuple:
        if type(value) not in _SCALARS:
            raise TypeError(type(value).__name__)
        return value
    if value is old:
        return old_value
    tag = value[0]
    like = old_value is not None and type(old) is tuple and old[0] == tag
    if tag == "map":
        _, path, line, key_lines, pairs = value
        mapping = LMap(path, line)
        mapping.key_lines = dict(key_lines)
        before = old[4] if like else ()
        for index, (key, item) in enumerate(pairs):
            if index < len(before) and before[index][0] == key:
                mapping[key] = _decode(item, before[index][1], old_value[key])
            else:
                mapping[key] = _decode(item)
        return mapping
    if tag == "list":
        _, path, line, item_lines, items = value
        sequence = LList(path, line)
        sequence.item_lines = list(item_lines)
        before = old[4] if like else ()
        sequence.extend(
            _decode(item, before[index], old_value[index]) if index < len(before) else _decode(item)
            for index, item in enumerate(items)
        )
        return sequence
    if tag == "datetime":
        moment = dt.datetime.fromisoformat(value[1])
        return (
            moment if value[2] is None else moment.replace(tzinfo=dt.timezone(dt.timedelta(seconds=value[2])))
        )
    if tag == "date":
        return dt.date.fromisoformat(value[1])
    raise ValueError(tag)


def _parse_version() -> str:
    """Name what parsing depends on: this module, PyYAML and libyaml, Python's digit limit."""
    libyaml = yaml._yaml.get_version_string() if yaml.__with_libyaml__ else "none"
    return cache.version(
        Path(__file__).read_bytes(),
        yaml.__version__,
        _BaseLoader.__name__,
        libyaml,
        str(sys.get_int_max_str_digits()),  # (a longer number is read as text)
    )


#: The kept documents of the build that is reading its content, if any.
_kept: _KeptParses | None = None
#: The documents of the last build that kept them (_KeptParses.documents).
_documents: dict[str, tuple[Any, Any]] = {}


@contextlib.contextmanager
def kept_parses() -> Iterator[None]:
    """Use the documents that the last build parsed, and keep this build's for the next."""
    global _kept, _documents  # noqa: PLW0603  (one build reads its content at a time)
    _kept = _KeptParses() if cache.enabled() else None
    try:
        yield
        if _kept is not None:
            _kept.store()
            # Only a process that builds again takes them (the preview holds its tables).
            _documents = _kept.documents if cache.held() else {}
    finally:
        _kept = None


def parse_yaml(text: str, shown: str, errors: Errors, first_line: int = 1) -> Any:
    """Parse one YAML document into located values; report syntax errors with their line.

    Within :func:`kept_parses`, a document that the last build parsed without a problem is
    taken from there, and of one that changed only the changed part may be parsed.
    """
    kept = _kept
    if kept is None:
        return _parse_yaml(text, shown, errors, first_line).value
    return kept.parse(text, shown, errors, first_line)


@dataclass(frozen=True)
class _Parsed:
    """A parsed document (None if it could not be), its size, and whether it has anchors or aliases."""

    value: Any
    nodes: int
    anchored: bool


def _parse_yaml(text: str, shown: str, errors: Errors, first_line: int) -> _Parsed:
    """Parse a whole document."""
    return _parse(text, shown, errors, first_line, 0)


def _parse(text: str, shown: str, errors: Errors, first_line: int, depth: int) -> _Parsed:
    """Parse a document, or a part of one nested ``depth`` deep."""
    loader = _Loader(text, shown, errors, first_line)
    failed = _Parsed(None, 0, True)
    try:
        shape = _shape(text, depth)
        if shape.problem is not None:
            errors.add(shown, shape.problem[0] + first_line, "", shape.problem[1])
            return failed
        node = loader.get_single_node()
        if node is None:
            return _Parsed(None, shape.nodes, shape.anchored)
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
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (int(mark.line) + first_line) if mark is not None else first_line
        errors.add(shown, line, "", _yaml_message(exc, text, first_line))
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
        loader.dispose()
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    # Duplicate keys are reported while constructing; keep the data so the rest is still checked.
    return _Parsed(data, shape.nodes, shape.anchored)


#: What the YAML parser was reading, in an editor's words.
_CONTEXTS = {
    "a flow sequence": msg("the [...] list", "die Liste [...]"),
    "a flow mapping": msg("the {{...}} mapping", "die Zuordnung {{...}}"),
    "a block mapping": msg("the mapping", "die Zuordnung"),
    "a block collection": msg("the list or mapping", "die Liste oder Zuordnung"),
    "a quoted scalar": msg("the quoted text", "der Text in Anführungszeichen"),
    "a simple key": msg("the key", "der Schlüssel"),
}


def _yaml_message(exc: yaml.MarkedYAMLError, text: str, first_line: int) -> Message:
    problem = str(exc.problem or exc.context or "syntax error")
    mark = exc.problem_mark or exc.context_mark
    lines = text.splitlines()
    source = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    # libyaml and PyYAML word tab errors differently; the indentation of the line tells.
    if "\t" in indent or "tab character" in problem or "'\\t'" in problem:
        return msg(
            "a tab character; indent YAML with spaces only",
            "ein Tabulatorzeichen; rücken Sie YAML nur mit Leerzeichen ein",
        )
    if "maximum nesting depth" in problem:  # libyaml's own limit (PyYAML 6.0.4), deeper than ours
        return _too_deep()
    tag = re.search(r"tag '([^']*)'", problem)
    if "could not determine a constructor" in problem and tag:
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return msg(
            "YAML tags that construct objects are not allowed ({tag}); write plain values",
            "YAML-Tags, die Objekte erzeugen, sind nicht erlaubt ({tag}); schreiben Sie einfache Werte",
            tag=shown,
        )
    start = exc.context_mark
    if exc.problem and exc.context and start is not None and mark is not None and start.line != mark.line:
        what = str(exc.context).removeprefix("while parsing ").removeprefix("while scanning ")
        return msg(
            "not valid YAML: {problem} ({what} that starts on line {line})",
            "kein gültiges YAML: {problem} ({what}, die in Zeile {line} beginnt)",
            problem=problem,
            what=_CONTEXTS.get(what, msg("{what}", "{what}", what=what)),
            line=int(start.line) + first_line,
        )
    return msg("not valid YAML: {problem}", "kein gültiges YAML: {problem}", problem=problem)


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


def load_yaml(path: Path, errors: Errors) -> Any:
    """Read and parse a YAML file; return None when it cannot be read or parsed."""
    text = read_text(path, errors)
    if text is None:
        return None
    return parse_yaml(text, display_path(path), errors)


@dataclass(frozen=True)
class RawPage:
    """A Markdown page as read from disk: its front matter and its body."""

    path: str
    slug: str
    lang: str
    front: LMap
    body: str
    body_line: int


def load_page(path: Path, slug: str, lang: str, errors: Errors) -> RawPage | None:
    """Read ``<slug>.<lang>.md``: YAML front matter between ``---`` lines, then Markdown."""
    text = read_text(path, errors)
    if text is None:
        return None
    shown = display_path(path)
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        errors.add(shown, text.count("\n", 0, bad.start()) + 1, "", _invisible(bad.group()))
        return None
    match = _FRONT_MATTER.match(text)
    if match is None:
        if re.match(r"---[ \t]*\r?\n", text):
            errors.add(
                shown,
                1,
                "",
                msg(
                    "the front matter is not closed; end it with a line of ---",
                    "der Vorspann (front matter) ist nicht geschlossen; beenden Sie ihn mit einer Zeile ---",
                ),
            )
        else:
            errors.add(
                shown,
                1,
                "",
                msg(
                    "no front matter; start the file with ---, title: ..., ---",
                    "kein Vorspann (front matter); beginnen Sie die Datei mit ---, title: ..., ---",
                ),
            )
        return None
    front = parse_yaml(match.group(1) or "", shown, errors, first_line=2)
    if front is None and match.group(1) and match.group(1).strip():
        return None
    if not isinstance(front, LMap):
        errors.add(
            shown,
            2,
            "",
            msg(
                "front matter must be a mapping with at least a title",
                "der Vorspann (front matter) muss eine Zuordnung mit mindestens einem title sein",
            ),
        )
        return None
    body = text[match.end() :]
    body_line = text.count("\n", 0, match.end()) + 1
    return RawPage(shown, slug, lang, front, body, body_line)
