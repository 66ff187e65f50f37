"""Parses kept between builds: a content file that did not change is not parsed again.

Within :func:`kept_parses`, :func:`parse_yaml` takes a document that the last build parsed
without a problem from ``.confsite-cache/yaml-*.marshal`` (as plain tuples, which marshal
reads without running code), and of a large file that changed parses only the changed part
(reparse.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from . import cache, reparse, yamlparse
from .errors import Errors

log = logging.getLogger(__name__)
#: Of texts this long (characters) the kept parse keeps the text too, to parse only what an
#: edit changed (reparse.py); a shorter one parses in a few milliseconds.
REPARSE_FROM = 20_000


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
        parsed = yamlparse.parse_document(text, shown, errors, first_line)
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
            new = yamlparse.parse_nested(part.text, shown, errors, first_line, part.depth - 1)
            if (
                errors
                or new.anchored
                or not isinstance(new.value, yamlparse.LList)
                or new.value.line != part.line
            ):
                return None
            # (the part's own list counts in new.nodes, not among the replaced items)
            nodes = old_nodes - reparse.replaced_nodes(old, part) + new.nodes - 1
            if nodes > yamlparse.MAX_EXPANDED_NODES:
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
    if kind is yamlparse.LMap:
        pairs = tuple((key, _encode(item)) for key, item in value.items())
        return ("map", value.path, value.line, tuple(value.key_lines.items()), pairs)
    if kind is yamlparse.LList:
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
        mapping = yamlparse.LMap(path, line)
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
        sequence = yamlparse.LList(path, line)
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
    """Name what parsing depends on: this module and yamlparse, PyYAML and libyaml, Python's digit limit."""
    libyaml = yaml._yaml.get_version_string() if yaml.__with_libyaml__ else "none"
    return cache.version(
        Path(__file__).read_bytes(),
        Path(yamlparse.__file__).read_bytes(),
        yaml.__version__,
        yamlparse.BASE_LOADER.__name__,
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
        return yamlparse.parse_document(text, shown, errors, first_line).value
    return kept.parse(text, shown, errors, first_line)
