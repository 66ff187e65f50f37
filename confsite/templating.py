"""The Jinja environment: its options, made once per process, and compiled templates kept between builds."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import shutil
import traceback
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from . import cache, reads
from .errors import ContentError, ContentInvalid, display_path
from .walk import FileState, files_below, states_below

log = logging.getLogger(__name__)


def make_environment(templates: Path) -> jinja2.Environment:
    """Return the Jinja environment of a templates folder, made once per process.

    The environment does not look at a template's file each time the template is used (a
    site of 4,000 pages would ask 27,000 times); instead its compiled templates are dropped
    here, when any file of the folder has changed since the last call.
    """
    folder = templates.resolve()
    env = _environment(folder, cache.enabled())
    state = states_below(folder)
    if _seen.get(folder) != state:
        if env.cache is not None:
            env.cache.clear()
        _seen[folder] = state
        _digests.pop(folder, None)
    return env


def folder_digest(templates: Path) -> str:
    """Return a digest of every file of a templates folder (names and bytes), as last seen."""
    folder = templates.resolve()
    if folder not in _digests:
        digest = hashlib.sha256()
        for path in map(Path, files_below(folder)):
            if path.is_file():
                digest.update(f"{path.relative_to(folder).as_posix()}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
        _digests[folder] = digest.hexdigest()
    return _digests[folder]


#: The name that Jinja gives a macro's code in a traceback (a block's is "block 'main'").
_MACRO = "template"


def problem(exc: jinja2.TemplateError, templates: Path, template: str) -> ContentInvalid:
    """Report a template that does not compile, or fails while ``template`` renders, at its file and line.

    The line is where Jinja found the mistake, else that of the innermost template in the
    traceback (an undefined name, a missing include), else the first of ``template``. A
    mistake inside a macro also names the template line that called the macro.
    """
    root = templates.resolve()
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        frames = [(Path(exc.filename), exc.lineno, "")]
    else:
        found = traceback.extract_tb(exc.__traceback__)
        frames = [(Path(f.filename), f.lineno or 1, f.name) for f in found if in_folder(f.filename, root)]
    file, line, code = frames[-1] if frames else (root / template, 1, "")
    what = f"no template {exc.name!r}" if isinstance(exc, jinja2.TemplateNotFound) else str(exc.message)
    if code == _MACRO and len(frames) > 1:  # (a block or a template's own code needs no caller)
        caller, called_at, _ = frames[-2]
        what += f" (in a macro called from {display_path(caller)}:{called_at})"
    return ContentInvalid([ContentError(display_path(file), line, "template", what)])


def in_folder(filename: str, root: Path) -> bool:
    """Tell whether a file named in a traceback is a template of the resolved folder ``root``.

    (Jinja names the templates' files below the resolved folder.)
    """
    return Path(filename).is_relative_to(root)


def compile_all(env: jinja2.Environment, order: Sequence[str] = ()) -> None:
    """Compile every template of ``env``, in the ``order`` of the beginnings of their names.

    Those that begin with none of ``order`` come last, and alike ones by name; the files of
    static/ are copied, not rendered, and left alone. Each is compiled once per process (and
    with a cache, once until it changes: see _environment). This only saves the pages time:
    a template that cannot be compiled (a mistake, or not UTF-8) is left to the page that
    uses it, to report, and one that no page uses is never reported.
    """

    def rank(name: str) -> tuple[int, str]:
        return next((i for i, start in enumerate(order) if name.startswith(start)), len(order)), name

    names = env.list_templates(extensions=("html", "xml"))
    for name in sorted((name for name in names if not name.startswith("static/")), key=rank):
        with contextlib.suppress(Exception):  # (see above)
            env.get_template(name)


#: templates folder -> the state of its files when its environment was last handed out
_seen: dict[Path, dict[str, FileState]] = {}
#: templates folder -> folder_digest(), dropped when the folder changes
_digests: dict[Path, str] = {}


@functools.cache
def _environment(templates: Path, keep_compiled: bool) -> jinja2.Environment:
    """Create the Jinja environment: strict undefined, autoescape for HTML and XML.

    Jinja compiles a template once and again only when its file changes, so one environment
    serves every build of a process (the preview's too). With ``keep_compiled`` the compiled
    code also goes to .confsite-cache/ for the next process: each entry is checked against its
    template's source, and the folder is named by this module (which sets the options that
    compiling depends on) and the Jinja and Python versions.
    """
    return RecordingEnvironment(
        loader=_Loader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # see make_environment
        bytecode_cache=_bytecode_cache() if keep_compiled else None,
    )


class _Loader(jinja2.FileSystemLoader):
    """The templates of a folder; one that is not UTF-8 is a mistake at its first such line."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        """Return a template's text, file name and up-to-date check, as Jinja's loader does."""
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            path = Path(self.searchpath[0], *template.split("/"))
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:  # (where in the file, not in the chunk read)
                line = data.count(b"\n", 0, exc.start) + 1
                what = f"is not UTF-8 (byte {data[exc.start]:#04x}); save it as UTF-8"
                raise jinja2.TemplateSyntaxError(what, line, template, str(path)) from None
            raise


#: What templates call that cannot ask Jinja for its context (pass_context and the like):
#: these carry no attribute of their own, and their types set none.
_CALLED_AS_THEY_ARE = frozenset(
    {types.BuiltinFunctionType, types.MethodWrapperType, jinja2.runtime.Macro, reads.Call}
)


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling functions, methods and macros without Jinja's checks of each call.

    Jinja asks every callable whether it wants the context (``pass_context`` sets its
    ``jinja_pass_arg``) in three Python-level steps. A function or method that is not marked,
    and what cannot be marked, is called directly, as Jinja would call it; the rest goes to
    Jinja.
    """

    @jinja2.utils.internalcode
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (as Jinja names them)
        """Call ``__obj`` as Jinja's Context.call does."""
        kind = type(__obj)
        function = __obj.__func__ if kind is types.MethodType else __obj  # (a method is marked on it)
        if kind in _CALLED_AS_THEY_ARE or (
            type(function) is types.FunctionType and "jinja_pass_arg" not in function.__dict__
        ):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class RecordingEnvironment(jinja2.Environment):
    """An environment whose templates' reads of the conference are recorded (see reads.py).

    Outside a page render (``reads.current`` is None) it is a plain Jinja environment.
    """

    context_class = _Context

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Read ``obj.attribute``, recording it when ``obj`` is a wrapper or the page helper."""
        rec = reads.current
        if rec is not None:
            try:
                if type(obj) is reads.Lazy:
                    return obj.read(attribute)
                if obj is rec.ctx:
                    return rec.helper(attribute)
                if obj is rec.site:
                    return rec.site_attribute(attribute)
                if obj is rec.site.routes:
                    return rec.routes_attribute(attribute)
            except AttributeError:
                return super().getattr(reads.unwrap(obj), attribute)
        try:  # (Jinja's first step, without calling it: the most frequent call of a page)
            return getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Read ``obj[argument]``; on a wrapped model object a name reads its attribute."""
        if reads.current is not None and type(obj) is reads.Lazy and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk; one that cannot be written is skipped."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Store one compiled template, or nothing if the folder is not writable."""
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("not keeping a compiled template: %s", error)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Return the folder of compiled templates, or None where it cannot be made."""
    version = cache.version(Path(__file__).read_bytes(), jinja2.__version__)
    folder = Path.cwd() / cache.ROOT / "jinja" / version
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.debug("not keeping compiled templates in %s: %s", folder, error)
        return None
    for old in folder.parent.iterdir():  # compiled by other versions: never read again
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    cache.remove_unfinished(folder)  # (of Jinja's writes, as of write_file's)
    return _BytecodeCache(str(folder))
