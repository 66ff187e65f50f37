"""A template's own mistake in a call or an expression, told apart from confsite's bugs.

When a page fails, :func:`mistake` tells whether the template is to blame. Jinja's own errors
(a syntax error, an undefined name, a helper's own report: context.Misused) are the
template's. But a template that hands a page helper a value of the wrong kind
(``c.fmt.date('2019-04-02')``, ``c.tx(5)``) makes the helper fail somewhere inside, with a
TypeError or an AttributeError that names no template line. For such an error, the
traceback is looked at from the template's last frame on:

- the template's own code called something with arguments that do not fit it
  (``{{ c.tx() }}``, ``{{ c.t('x', 5) }}``, a macro, a string's method), called what
  cannot be called, or divided by zero: the template's mistake, unless Python's message
  names one of the wrappers that record reads (reads.py), which templates never call;
- the template called a page helper (through the wrapper that records a call, for some),
  and an argument is not of a type that the helper's signature names, or the arguments do
  not fit it: the template's mistake;
- a filter or test of Jinja's failed, with only Jinja's code below the template, on a value
  it cannot take (``conf.title|truncate(20)``): the template's mistake, unless Python's
  message names a wrapper;
- anything else keeps its traceback: the helper or what it calls failed on values it
  accepts, or the template's own code failed on a value that confsite handed it (unpacking
  None, say), either of which may be a bug in confsite.

In the shipped templates (templates/ beside confsite/), only Jinja's own errors are blamed on
the template, and of those not a helper's own report: what else fails there is taken for
confsite's bug. (c.t's missing string, or missing value, is reported as an undefined name.)

:func:`mistake` returns the template's mistake as a Jinja error, for templating.problem to
report at the template's line. Looking costs nothing until a page fails. The helpers that
look values up (``c.link``, ``c.static``, ``c.person``...) report the values they do not
know themselves (context.py).
"""

from __future__ import annotations

import functools
import inspect
import re
import traceback
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from . import reads, templating
from .context import Misused, PageContext
from .i18n import Formatter, MemoFormatter
from .model import Text
from .precompile import TEMPLATES

#: How templates reach the helpers of each class.
_PREFIXES = {PageContext: "c.", MemoFormatter: "c.fmt.", Formatter: "c.fmt."}
#: The classes' names as Python's messages spell a method: "PageContext.tx()".
_CLASS_NAMES = re.compile(rf"\b({'|'.join(cls.__name__ for cls in _PREFIXES)})\.")
#: What Python and Jinja say of a call whose arguments do not fit, or of calling what is no function.
_UNFIT_CALL = re.compile(
    r"\(\) (missing \d+ required|takes |got an unexpected keyword|got multiple values)"
    r"|is not callable|expected (at least |at most )?\d+ arguments?, got \d+"
    r"|^macro '\w+' (takes not more than|takes no keyword argument|was invoked with two values)"
)
#: The wrappers that record reads (reads.py), as Python's messages name them.
_WRAPPERS = re.compile(r"\b(Lazy|Lookup|Seq|Call|Recorder|Apart)\b")
#: A value of the conference in its wrapper, as Python's messages name it.
_WRAPPED = re.compile(r"'(Lazy|Lookup|Seq)' object")
#: Python's count of a method's positional arguments, which counts ``self`` (the whole message).
_COUNTED = re.compile(
    r"(?P<function>[\w.]+)\(\) takes (from \d+ to )?\d+ positional arguments?"
    r" but (?P<given>\d+) (?:was|were) given"
)


def mistake(exc: BaseException, templates: Path) -> jinja2.TemplateError | None:
    """Return the template's mistake that ``exc`` is or comes from, with its traceback; else None.

    None means a bug, which keeps its traceback. Looking never raises: where it would, the
    error is left as it was.
    """
    try:
        shipped = templates.resolve() == TEMPLATES.resolve()
        if isinstance(exc, jinja2.TemplateError):
            return None if shipped and isinstance(exc, Misused) else exc
        return None if shipped else _behind(exc, templates)
    except Exception:  # (looking must not hide the error it looks at)
        return None


def _behind(exc: BaseException, templates: Path) -> jinja2.TemplateRuntimeError | None:
    """Return the template's mistake behind an error that is not Jinja's own (see above), or None."""
    frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
    root = templates.resolve()
    in_templates = [
        i for i, frame in enumerate(frames) if templating.in_folder(frame.f_code.co_filename, root)
    ]
    if not in_templates:
        return None
    called = frames[in_templates[-1] + 1 :]
    if not called:  # (raised by the template's own code)
        said = _WRAPPED.sub("a value of the conference", str(exc))  # (it is not callable)
        if isinstance(exc, TypeError) and _UNFIT_CALL.search(said) and not _WRAPPERS.search(said):
            return _reported(_as_templates_call(said), exc)
        if isinstance(exc, ZeroDivisionError):
            return _reported(f"ZeroDivisionError: {said}", exc)
        return None
    jinjas = _jinjas_filter(called)
    if jinjas is not None:
        return _filters_mistake(jinjas, exc)
    if called[0].f_code is reads.Call.__call__.__code__:  # (a call recorded with its arguments)
        if len(called) == 1:
            return _unbound(called[0].f_locals, exc)
        called = called[1:]
    helper = _helpers().get(called[0].f_code)
    if helper is None:
        return None
    name, function = helper
    wrong = _wrong_argument(function, called[0].f_locals)
    return None if wrong is None else _reported(f"{name}(): {wrong}", exc)


#: What Jinja's filters and tests raise when they are given a value they cannot take.
_FILTER_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)
_JINJA = Path(jinja2.__file__).parent


def _jinjas_filter(called: list[types.FrameType]) -> str | None:
    """Name the filter or test of Jinja's that failed, if only Jinja's code ran below the template.

    A filter that calls back into confsite (reading an attribute through the environment,
    comparing wrapped values) is not only Jinja's: that may be confsite's bug. Filters that
    are Python's own functions (``length``, ``count``, ``abs``) leave no frame, so they fail
    in the template's own code.
    """
    if not all(Path(frame.f_code.co_filename).is_relative_to(_JINJA) for frame in called):
        return None
    names = _jinjas_functions()
    return next((names[frame.f_code] for frame in called if frame.f_code in names), None)


def _filters_mistake(jinjas: str, exc: BaseException) -> jinja2.TemplateRuntimeError | None:
    """Return the mistake of giving Jinja's filter or test (named ``jinjas``) a value it cannot take.

    Unless Python's message names a wrapper of reads.py: that may be the wrapper's bug.
    """
    said = str(exc)
    if not isinstance(exc, _FILTER_ERRORS) or _WRAPPERS.search(said):
        return None
    hint = " (a text of the content: c.plain() gives it in this page's language)" if "'Text'" in said else ""
    return _reported(f"{jinjas}: {type(exc).__name__}: {said}{hint}", exc)


@functools.cache
def _jinjas_functions() -> dict[types.CodeType, str]:
    """Return the code of each filter and test of Jinja's: how a template names it ("filter 'round'")."""
    named: dict[types.CodeType, list[str]] = {}
    plain = jinja2.Environment()  # (its filters and tests are Jinja's own)
    for kind, functions in (("filter", plain.filters), ("test", plain.tests)):
        for name, function in functions.items():
            unwrapped = inspect.unwrap(typing.cast(Callable[..., Any], function))
            code = getattr(unwrapped, "__code__", None)  # (Python's own functions have none)
            if isinstance(code, types.CodeType):
                named.setdefault(code, []).append(f"{kind} {name!r}")
    return {code: " or ".join(names) for code, names in named.items()}


def _as_templates_call(said: str, function: Callable[..., Any] | None = None) -> str:
    """Name the helpers in Python's message as templates call them: "c.tx()", not "PageContext.tx()".

    And count a method's arguments as templates pass them: Python counts ``self`` among those
    it takes and is given. ``function`` is the one called (bound); else a helper by its name.
    """
    counted = _COUNTED.fullmatch(said)
    if counted is not None:
        function = function or _helper_named(counted["function"])
        if inspect.ismethod(function):
            said = _takes(counted["function"], inspect.signature(function), int(counted["given"]) - 1)
    prefixes = {cls.__name__: prefix for cls, prefix in _PREFIXES.items()}
    return _CLASS_NAMES.sub(lambda match: prefixes[match[1]], said)


def _helper_named(qualname: str) -> Callable[..., Any] | None:
    """Return the helper that Python names ``Class.method`` (bound to nothing in particular)."""
    class_name, _, name = qualname.partition(".")
    for cls in _PREFIXES:
        if cls.__name__ == class_name and inspect.isfunction(vars(cls).get(name)):
            return types.MethodType(vars(cls)[name], object())  # (its signature, without self)
    return None


def _takes(function: str, signature: inspect.Signature, given: int) -> str:
    """Say how many positional arguments a function takes (by ``signature``) and was given."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p for p in signature.parameters.values() if p.kind in kinds]
    least = sum(1 for p in positional if p.default is p.empty)
    takes = f"{least}" if least == len(positional) else f"from {least} to {len(positional)}"
    arguments = "argument" if takes == "1" else "arguments"
    were = "was" if given == 1 else "were"
    return f"{function}() takes {takes} positional {arguments} but {given} {were} given"


def _reported(what: str, exc: BaseException) -> jinja2.TemplateRuntimeError:
    """Return a Jinja error saying ``what``, with the traceback of ``exc`` (with the template's line)."""
    return jinja2.TemplateRuntimeError(what).with_traceback(exc.__traceback__)


def _unbound(values: dict[str, Any], exc: BaseException) -> jinja2.TemplateRuntimeError | None:
    """Return the mistake of a recorded call whose arguments do not fit its function (Call's ``values``)."""
    call, plain, kwargs = values.get("self"), values.get("plain"), values.get("kwargs", {})
    if not isinstance(call, reads.Call) or not isinstance(plain, tuple) or not isinstance(exc, TypeError):
        return None
    try:
        inspect.signature(call._fn).bind(*plain, **kwargs)
    except TypeError:
        return _reported(_as_templates_call(str(exc), call._fn), exc)
    return None


@functools.cache
def _helpers() -> dict[types.CodeType, tuple[str, Callable[..., Any]]]:
    """Return each helper's code: its name as templates call it, and its function."""
    found: dict[types.CodeType, tuple[str, Callable[..., Any]]] = {}
    for cls, prefix in _PREFIXES.items():
        for name, function in vars(cls).items():
            if not name.startswith("_") and inspect.isfunction(function):
                found[function.__code__] = (f"{prefix}{name}", function)
    return found


def _wrong_argument(function: Callable[..., Any], values: dict[str, Any]) -> str | None:
    """Say which argument of a call (its frame's ``values``) has a type the signature does not allow."""
    try:
        hints = typing.get_type_hints(function)
    except (NameError, TypeError):  # (an annotation that cannot be evaluated here: no one to blame)
        return None
    for parameter in list(inspect.signature(function).parameters.values())[1:]:  # (not self)
        if parameter.name not in values or parameter.name not in hints:
            continue
        given = values[parameter.name]
        if parameter.kind is parameter.VAR_POSITIONAL:
            given_ones = list(given)
        elif parameter.kind is parameter.VAR_KEYWORD:
            given_ones = list(given.values())
        else:
            given_ones = [given]
        for value in given_ones:
            inner = reads.peek(value)
            if not _fits(inner, hints[parameter.name]):
                expected = _describe(hints[parameter.name])
                return f"{parameter.name} must be {expected}, not {type(inner).__name__} {_shown(inner)}"
    return None


def _fits(value: Any, hint: Any) -> bool:
    """Tell whether ``value`` is of the type ``hint`` (unions, None, classes, callables; else yes)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:  # (a class too, as Python 3.11 sees it)
        return True
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # (Any, and what no helper takes)


def _describe(hint: Any) -> str:
    """Name a type as the messages do: "date or datetime", "Text or None"."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(option) for option in typing.get_args(hint))
    if hint is type(None):
        return "None"
    if hint is Text:
        return "Text (a text of the content, such as session.title)"
    return getattr(hint, "__name__", str(hint))


def _shown(value: Any) -> str:
    """Show a value briefly: its repr, cut after 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
