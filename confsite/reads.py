"""Record what each page reads from the conference, to render it again only when that changes.

While a page renders, the conference (``conf``) and the registration state (``reg``) it
sees are wrappers that know the *path* by which they were reached. Every value taken out of
a wrapper is handed out wrapped in turn, or recorded with its path and its digest
(digests.py): ``conf.session_by_id['s01'].title`` is recorded with the digest of that title.

- Model objects (:data:`LAZY_TYPES`) become :class:`Lazy`: each attribute read, from a
  template or from Python code such as jsonld.py, is a step of the path. A page that shows
  a part's title does not depend on the part's sessions.
- Lookup tables (``conf.session_by_id``) become :class:`Lookup`: each key taken is a step,
  and so is a key asked for and not found (the page depends on its absence).
- Tuples holding model objects or tuples (``conf.days``) become :class:`Seq`: their length
  and each item taken are steps.
- Methods become :class:`Call`: their plain arguments are a step.

Whatever uses a wrapper in another way (compares it, prints it, hashes it, iterates over a
lookup table, passes it to a function that takes it apart) records the wrapped value whole.
Nothing of the conference reaches a page unrecorded.

The page helper ``c`` (context.PageContext) is the other way in. Its attributes are either
functions of the page's address, their arguments and the site's fingerprint (links,
interface strings, dates, Markdown; Renderer.fingerprint), which need no record; or they
read the conference through the same wrappers; or they read what the build made besides
(``c.download``), and are recorded as calls. An attribute not listed either way makes the
page uncacheable: it is rendered by every build.

A later build evaluates every recorded path on its own conference (digests.Evaluator). A
page whose digests are all unchanged, under an unchanged fingerprint, would render to the
same bytes, so its last bytes are used again (pagecache.py).

A fragment of a page (context.PageContext.fragment) records its reads apart as well
(:meth:`Recorder.apart`), and adds them to the page's: the page depends on them too. A Lazy
records again, in a fragment, what it gave before it: the fragment's record must be whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .digests import ABSENT, PLAIN_TYPES, Digest, Digests, ReadPath
from .model import Conference, Forum, Panel, Part, Person, Registration, Session, Venue
from .registration import PartState, State

#: The paths of the kept fragments used again (Recorder.kept): their indices in the last table.
Reused = tuple[tuple[int, ...], ...]
#: A rendered page or fragment: its bytes, its reads (None: not to be kept), and the kept
#: fragments it used again, which it depends on too.
Page = tuple[bytes, dict[ReadPath, Digest] | None, Reused]

#: Objects whose attributes are recorded one by one: a page showing a part's title does
#: not depend on its sessions, nor one showing the venue's name on its directions.
LAZY_TYPES = (Conference, Part, Session, Person, Forum, Panel, Venue, Registration, State, PartState)

_LAZY_SET = frozenset(LAZY_TYPES)
#: Items that make a tuple a :class:`Seq`, read item by item.
_NESTED_SET = frozenset({tuple, *LAZY_TYPES})

#: The last step of the path that records a wrapped value's type.
_TYPE = ("t", None)


class Recorder:
    """The reads of one page while it renders."""

    def __init__(
        self,
        site: Any,
        lang: str,
        conf: Conference,
        state: State,
        digests: Digests,
        record: bool = True,
        page: str = "",
    ) -> None:
        """Record a page in ``lang``; its page helper is set as ``ctx`` once it is made.

        Without ``record`` (no cache to keep the page in) the page sees the conference as it
        is, and nothing is recorded. ``page`` names the page in the page table.
        """
        self.site = site
        self.page = page
        self.ctx: Any = None
        self.reads: dict[ReadPath, Digest] = {}
        #: False when the page read something that cannot be recorded: render it every time.
        self.cacheable = record
        #: The fragments of the page (context.PageContext.fragment): key, and what was rendered,
        #: or None for one used again.
        self.fragments: list[tuple[str, Page | None]] = []
        #: The paths (indices in the last build's table) of the kept fragments used again: the
        #: page depends on them as on its reads.
        self.kept: list[tuple[int, ...]] = []
        #: Counts the fragments begun: a Lazy's answers are not given again in a new fragment.
        self.generation = 0
        self.digests = digests
        self.conf: Any = Lazy(conf, (("conf",),), self) if record else conf
        self.state: Any = Lazy(state, (("reg",),), self) if record else state
        self._ctx_root: ReadPath = (("c", lang),)

    def result(self, path: ReadPath, value: Any) -> Any:
        """Hand out a value read at ``path``: wrapped if it is read further, else recorded.

        A wrapped value is recorded by its type: a page that only asks whether it is there
        (``'x' in table``, ``is defined``) depends on that.
        """
        kind = type(value)
        if kind in PLAIN_TYPES:  # the most common case first
            self.reads[path] = repr(value)
            return value
        wrapped: Lazy | Lookup | Seq | Call
        if kind in _LAZY_SET:
            wrapped = Lazy(value, path, self)
        elif kind is dict:
            wrapped = Lookup(value, path, self)
        elif kind is tuple and any(type(item) in _NESTED_SET for item in value):
            wrapped = Seq(value, path, self)
        elif callable(value) and not isinstance(value, type):
            wrapped = Call(value, path, self)
        else:
            self.reads[path] = self.digests.of(value)
            return value
        self.reads[(*path, _TYPE)] = repr(kind.__qualname__)  # (as Digests.of spells it)
        return wrapped

    @contextlib.contextmanager
    def apart(self) -> Iterator[Apart]:
        """Record the reads of a fragment of the page apart, and add them to the page's after.

        So too the kept fragments that the fragment uses again.
        """
        outer, cacheable, kept = self.reads, self.cacheable, self.kept
        self.reads, self.cacheable, self.kept = {}, True, []
        self.generation += 1
        part = Apart()
        try:
            yield part
        finally:
            part.reads, part.cacheable, part.kept = self.reads, self.cacheable, tuple(self.kept)
            outer.update(self.reads)
            kept.extend(self.kept)
            self.reads, self.cacheable, self.kept = outer, cacheable and self.cacheable, kept

    def whole(self, path: ReadPath, value: object) -> None:
        """Record a wrapped value whole: something reads it other than attribute by attribute."""
        self.reads[path] = self.digests.of(value)

    def key(self, value: object) -> object:
        """Return a value as a path may hold it; a value it cannot hold makes the page uncacheable.

        A string of a subclass (Markup, made by a block ``set``) is held as a plain string.
        """
        if type(value) in PLAIN_TYPES:
            return value
        if isinstance(value, str):
            return str(value)
        if isinstance(value, tuple):
            items = tuple(self.key(item) for item in value)
            return items if self.cacheable else None
        self.cacheable = False
        return None

    def helper(self, name: str) -> Any:
        """Read an attribute of the page helper ``c``."""
        ctx = self.ctx
        if name in ("conf", "state"):
            return getattr(ctx, name)  # (the wrapped ones)
        if name in ctx.RECORDED:
            return Call(getattr(ctx, name), (*self._ctx_root, ("a", name)), self)
        if name not in ctx.UNRECORDED:
            self.cacheable = False
        return getattr(ctx, name)

    def site_attribute(self, name: str) -> Any:
        """Read an attribute of the renderer (``c.site``): its conference and state are wrapped."""
        if name == "conf":
            return self.conf
        if name == "state":
            return self.state
        if name not in self.site.UNRECORDED:
            self.cacheable = False
        return getattr(self.site, name)

    def routes_attribute(self, name: str) -> Any:
        """Read an attribute of the site's Routes (``c.site.routes``): its conference is wrapped."""
        return self.conf if name == "conf" else getattr(self.site.routes, name)


class Apart:
    """The reads of a fragment, once it is rendered (Recorder.apart)."""

    def __init__(self) -> None:
        self.reads: dict[ReadPath, Digest] = {}
        self.cacheable = True
        self.kept: Reused = ()


def argument_key(value: Any) -> object:
    """Return what names an argument of a fragment: a wrapper's path, a plain value; else None."""
    if type(value) in (Lazy, Lookup, Seq, Call):
        return ("path", value._path)
    if type(value) in PLAIN_TYPES:
        return ("value", value)
    return None


class Lazy:
    """A model object whose attributes are recorded as they are read.

    An attribute read again through the same wrapper is recorded already: the model objects
    do not change while a page renders, so the first answer is given again.
    """

    __slots__ = ("_generation", "_obj", "_path", "_rec", "_seen")

    def __init__(self, obj: Any, path: ReadPath, rec: Recorder) -> None:
        self._obj = obj
        self._path = path
        self._rec = rec
        self._seen: dict[str, Any] = {}
        self._generation = rec.generation

    def read(self, name: str) -> Any:
        """Read an attribute (from a template or from Python): recorded at this path plus its name."""
        if self._generation != self._rec.generation:  # in a fragment begun since: record again
            self._seen, self._generation = {}, self._rec.generation
        seen = self._seen
        if name in seen:
            return seen[name]
        path = (*self._path, ("a", name))
        try:
            value = getattr(self._obj, name)
        except AttributeError:  # (Jinja's "is defined" asks this way)
            self._rec.reads[path] = ABSENT
            raise
        seen[name] = result = self._rec.result(path, value)
        return result

    def _whole(self) -> Any:
        self._rec.whole(self._path, self._obj)
        return self._obj

    def __getattr__(self, name: str) -> Any:  # what Python code reads, such as jsonld.py
        return self.read(name)

    def __eq__(self, other: object) -> bool:
        return bool(self._whole() == unwrap(other))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __str__(self) -> str:
        return str(self._whole())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole())


class Lookup(Mapping[Any, Any]):
    """A lookup table of the conference (by id): each item taken out is recorded by its key."""

    def __init__(self, table: dict[Any, Any], path: ReadPath, rec: Recorder) -> None:
        self._table = table
        self._path = path
        self._rec = rec

    def __getitem__(self, key: Any) -> Any:
        path = (*self._path, ("i", self._rec.key(key)))
        try:
            value = self._table[key]
        except KeyError:  # ("in" and get() ask this way too): the page depends on the absence
            self._rec.reads[path] = ABSENT
            raise
        return self._rec.result(path, value)

    def __iter__(self) -> Iterator[Any]:
        self._rec.whole(self._path, self._table)
        return iter(self._table)

    def __len__(self) -> int:
        self._rec.whole(self._path, self._table)
        return len(self._table)

    def __repr__(self) -> str:
        return repr(unwrap(self))


class Seq:
    """A tuple of model objects (``conf.days``): its length and each item taken are recorded.

    A program page that shows each session's title and time depends on those, not on the
    sessions' descriptions.
    """

    __slots__ = ("_items", "_path", "_rec")

    def __init__(self, items: tuple[Any, ...], path: ReadPath, rec: Recorder) -> None:
        self._items = items
        self._path = path
        self._rec = rec

    def _length(self) -> int:
        self._rec.reads[(*self._path, ("n", None))] = self._rec.digests.of(len(self._items))
        return len(self._items)

    def __len__(self) -> int:
        return self._length()

    def __bool__(self) -> bool:
        return self._length() > 0

    def _item(self, index: int) -> Any:
        return self._rec.result((*self._path, ("i", index)), self._items[index])

    def __iter__(self) -> Iterator[Any]:
        return map(self._item, range(self._length()))

    def __reversed__(self) -> Iterator[Any]:
        return map(self._item, reversed(range(self._length())))

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):  # a slice, say: the items it gives are read whole
            return unwrap(self)[index]
        if index < 0:
            index += self._length()
        if not 0 <= index < len(self._items):
            self._length()  # (what is out of range depends on the length alone)
            raise IndexError(index)
        return self._item(index)

    def __eq__(self, other: object) -> bool:
        return bool(unwrap(self) == unwrap(other))

    def __hash__(self) -> int:
        return hash(unwrap(self))

    def __repr__(self) -> str:
        return repr(unwrap(self))

    def __add__(self, other: Any) -> Any:
        return unwrap(self) + unwrap(other)

    def __radd__(self, other: Any) -> Any:
        return unwrap(other) + unwrap(self)

    def __getattr__(self, name: str) -> Any:  # tuple methods: count, index
        return getattr(unwrap(self), name)


class Call:
    """A method reached through a wrapper: each call is recorded with its arguments."""

    __slots__ = ("_fn", "_path", "_rec")

    def __init__(self, fn: Callable[..., Any], path: ReadPath, rec: Recorder) -> None:
        self._fn = fn
        self._path = path
        self._rec = rec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rec = self._rec
        plain = tuple(unwrap(a) for a in args)
        keys = tuple(rec.key(a) for a in plain)
        if kwargs:  # the templates call with positional arguments; others are not recorded
            rec.cacheable = False
        return rec.result((*self._path, ("c", keys)), self._fn(*plain, **kwargs))

    def __repr__(self) -> str:
        return repr(self._fn)


def peek(value: Any) -> Any:
    """Return the object inside a wrapper without recording it (to name it in a message)."""
    if isinstance(value, Lazy):
        return value._obj
    if isinstance(value, Lookup):
        return value._table
    if isinstance(value, Seq):
        return value._items
    if isinstance(value, Call):
        return value._fn
    return value


def unwrap(value: Any) -> Any:
    """Return the object inside a wrapper (recorded whole), or the value itself."""
    if isinstance(value, Lazy):
        return value._whole()
    if isinstance(value, Lookup):
        value._rec.whole(value._path, value._table)
        return value._table
    if isinstance(value, Seq):
        value._rec.whole(value._path, value._items)
        return value._items
    return value


#: The recorder of the page rendering in this process, if any (templating reads it).
current: Recorder | None = None
