"""Find the part of a YAML document that an edit changed, and put a new parse of it in place.

An editor changes one session of a program.yaml of 1,000 sessions (2 MB): parsing the whole
file again takes 0.3 s, parsing the session alone a millisecond. The last build's text and its
parse (kept by the loader as nested tuples, with the line of every item, see keptparse._encode)
tell where each item of each list starts. :func:`locate` finds the deepest block list whose
items ``i`` to ``j`` hold every changed line, with an item ``j + 1`` after them that did not
change. Those lines are parsed on their own (the loader does that), and :func:`splice` puts the
new items in place of the old ones, moving the line of everything after them.

Standing alone, the lines of a few items of a block list (``- ...`` lines at one indentation
and what is indented below them) mean what they mean inside the whole document. The loader uses
a part only where that holds: no anchors or aliases anywhere, no document markers or directives
in the part, line breaks that are all newlines, the part's first line and the line after it
starting an item at the same indentation, and the part parsing, without a problem, into a list
that starts on its first line. Anywhere else it parses the whole text, as before.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

#: A document encoded by keptparse._encode: ("map", path, line, key lines, pairs),
#: ("list", path, line, item lines, items), a tagged date or time, or a plain value.
Encoded = Any

#: Line breaks other than \n, which YAML counts as line breaks too (and Python's splitlines).
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
#: Lines that mean something to the whole stream: document markers and directives.
_STREAM_LINES = re.compile(r"^(?:---|\.\.\.|%)", re.MULTILINE)
#: A line that starts a block list item: its indentation, then a dash and a space or the end.
_ITEM_LINE = re.compile(r"( *)-(?: |$)", re.MULTILINE)


@dataclass(frozen=True)
class Part:
    """Items ``first``..``last`` of the list at ``path`` changed; ``text`` is their new text.

    ``text`` is padded with empty lines so that its lines are the file's lines. ``depth``
    counts the lists and mappings that hold the items, the list included; ``shift`` is the
    number of lines the edit added.
    """

    path: tuple[int, ...]
    first: int
    last: int
    line: int
    depth: int
    shift: int
    text: str


def usable(text: str) -> bool:
    """Tell whether parts of ``text`` may be parsed alone: its line breaks are all newlines."""
    return _OTHER_BREAKS.search(text) is None


def locate(old_text: str, new_text: str, old: Encoded, first_line: int = 1) -> Part | None:
    """Return the smallest part of ``new_text`` to parse again, or None to parse it all.

    ``old`` is the parse of ``old_text``, a text that is :func:`usable`; ``first_line`` is the
    line of the file on which the texts start (lines in ``old`` are the file's).
    """
    start = _common_prefix(old_text, new_text)
    end = _common_suffix(old_text, new_text, start)
    old_end, new_end = len(old_text) - end, len(new_text) - end  # where the common end starts
    if _OTHER_BREAKS.search(new_text, start, new_end) is not None:
        return None
    # The changed lines, in the file's numbers: from the one holding the first changed character
    # to the one holding the first character after the change (both may change).
    first = old_text.count("\n", 0, start) + first_line
    last = first + old_text.count("\n", start, old_end)
    found = _run(old, first, last, ())
    if found is None:
        return None
    path, i, j = found
    lines = _node(old, path)[3]
    shift = new_text.count("\n", start, new_end) - (last - first)
    # The part: from the start of item i's line (before the change, so the same in both texts)
    # to the start of item j + 1's line (after it: the same, ``len(new) - len(old)`` further on).
    begin = _line_start(old_text, start, lines[i] - first)
    after = _line_start(old_text, old_end, lines[j + 1] - last)
    moved = after + len(new_text) - len(old_text)
    # Item i's dash on its first line, before and after the edit (an item whose value starts on
    # the line after its dash would leave the dash out of the part), as item j + 1's is.
    heads = (_ITEM_LINE.match(old_text, begin), _ITEM_LINE.match(new_text, begin))
    tail = _ITEM_LINE.match(new_text, moved)
    if tail is None or any(head is None or head.group(1) != tail.group(1) for head in heads):
        return None
    padding = "\n" * (lines[i] - first_line)  # so that the part's lines are the file's
    text = padding + new_text[begin:moved]
    if _STREAM_LINES.search(text, len(padding)) is not None:
        return None
    return Part(path, i, j, lines[i], len(path) + 1, shift, text)


def _line_start(text: str, at: int, lines: int) -> int:
    """Return where the line starts that is ``lines`` after (or before) the line holding ``at``."""
    start = text.rfind("\n", 0, at) + 1
    for _ in range(lines):
        start = text.index("\n", start) + 1
    for _ in range(-lines):
        start = text.rfind("\n", 0, start - 1) + 1
    return start


def replaced_nodes(old: Encoded, part: Part) -> int:
    """Count the nodes (values, lists, mappings) of the items the part replaces in ``old``."""
    items = _node(old, part.path)[4][part.first : part.last + 1]
    return sum(_nodes(item) for item in items)


def _nodes(node: Encoded) -> int:
    if not _collection(node):
        return 1  # a plain value, a date or a time: one scalar
    if node[0] == "map":
        return 1 + sum(1 + _nodes(value) for _, value in node[4])  # (each key is a scalar)
    return 1 + sum(_nodes(item) for item in node[4])


def splice(old: Encoded, part: Part, new: Encoded) -> Encoded:
    """Return ``old`` with the part's items replaced by the items of the list ``new``."""
    return _replace(old, part.path, part, new)


def _replace(node: Encoded, path: tuple[int, ...], part: Part, new: Encoded) -> Encoded:
    tag, shown, line, lines, children = node
    d = part.shift
    if not path:
        lines = (*lines[: part.first], *new[3], *(n + d for n in lines[part.last + 1 :]))
        items = (*children[: part.first], *new[4], *(_shift(c, d) for c in children[part.last + 1 :]))
        return (tag, shown, line, lines, items)
    k, rest = path[0], path[1:]
    if tag == "map":
        lines = (*lines[: k + 1], *((key, n + d) for key, n in lines[k + 1 :]))
        key, value = children[k]
        pairs = (
            *children[:k],
            (key, _replace(value, rest, part, new)),
            *((key, _shift(value, d)) for key, value in children[k + 1 :]),
        )
        return (tag, shown, line, lines, pairs)
    lines = (*lines[: k + 1], *(n + d for n in lines[k + 1 :]))
    items = (
        *children[:k],
        _replace(children[k], rest, part, new),
        *(_shift(c, d) for c in children[k + 1 :]),
    )
    return (tag, shown, line, lines, items)


def _shift(node: Encoded, lines: int) -> Encoded:
    """Return an encoded value with every line moved by ``lines``."""
    if not lines or not _collection(node):
        return node
    tag, shown, line, at, children = node
    if tag == "map":
        return (
            tag,
            shown,
            line + lines,
            tuple((key, n + lines) for key, n in at),
            tuple((key, _shift(value, lines)) for key, value in children),
        )
    return (tag, shown, line + lines, tuple(n + lines for n in at), tuple(_shift(c, lines) for c in children))


def _collection(node: Encoded) -> bool:
    """Tell whether an encoded value is a mapping or a list (not a plain value, date or time)."""
    return type(node) is tuple and node[0] in ("map", "list")


def _child(node: Encoded, k: int) -> Encoded:
    """Return the ``k``-th value of an encoded mapping or item of an encoded list."""
    return node[4][k][1] if node[0] == "map" else node[4][k]


def _node(root: Encoded, path: tuple[int, ...]) -> Encoded:
    node = root
    for k in path:
        node = _child(node, k)
    return node


Run = tuple[tuple[int, ...], int, int]


def _run(node: Encoded, first: int, last: int, path: tuple[int, ...]) -> Run | None:
    """Find the deepest list whose items ``i``..``j`` hold lines ``first``..``last``: (path, i, j).

    An item ``j + 1`` follows them.
    """
    if not _collection(node):
        return None
    starts = [n for _, n in node[3]] if node[0] == "map" else list(node[3])
    if starts != sorted(starts):  # (flow style, or keys merged in)
        return None
    k = bisect.bisect_right(starts, first) - 1
    if k < 0:
        return None
    deeper = _run(_child(node, k), first, last, (*path, k))
    if deeper is not None or node[0] == "map":
        return deeper
    after = bisect.bisect_right(starts, last)  # the first item that starts after the change
    if after >= len(starts):
        return None
    return path, k, after - 1


def _common_prefix(a: str, b: str) -> int:
    """Return the length of the longest common start of ``a`` and ``b``."""
    low, high = 0, min(len(a), len(b))
    while low < high:  # a[:low] == b[:low]; they differ somewhere before high + 1
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: str, b: str, prefix: int) -> int:
    """Return the length of the longest common end of ``a`` and ``b`` that leaves ``prefix`` alone."""
    low, high = 0, min(len(a), len(b)) - prefix
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid : len(a) - low] == b[len(b) - mid : len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low
