"""The command line: argument parsing and exit codes (0 ok, 1 invalid content, 2 usage).

It imports little: a build starts compiling its templates in a process of its own
(precompile.py) before it imports the rest of confsite, and each command imports what it uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import messages, precompile
from .errors import ContentInvalid, OutputError
from .links import base_url_problem
from .messages import msg
from .precompile import TEMPLATES

if TYPE_CHECKING:
    from .pipeline import BuildResult

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

_EPILOG = """\
commands:
  build   render the site into --out (the default command)
  check   validate the content only; write nothing
  serve   preview on http://127.0.0.1:8000/: rebuilt on every save, open tabs reload
  schema  write the JSON Schemas of the content files (completion in editors) into schemas/
  new     start a new content folder: a small example conference to change

exit status:
  0  success
  1  the content (or a template) has problems; each is printed as
     FILE:LINE: where: what, and the output folder is left exactly as it was
  2  wrong usage (unknown option, bad --now or --base-url, unusable --out)

language:
  messages are in German when --lang de is given or the environment asks for
  German (LANGUAGE, LC_ALL, LC_MESSAGES or LANG starting with de), else in English

examples:
  python build.py
  python build.py check --content content/
  python build.py build --out public/ --base-url https://example.org/kosi-lab/2019/
  python build.py build --now 2019-03-20T12:00   # judge registration as of that moment
  python build.py serve --content content/ --port 8000
  python build.py new my-conference/
"""


class UsageError(Exception):
    """A command-line value that cannot be used."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build a bilingual static conference website from YAML and Markdown.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve,schema,new}")
    for name, text in (
        ("build", "render the site (default)"),
        ("check", "validate the content only"),
        ("serve", "preview the site, rebuilt and reloaded on every change"),
    ):
        sub = commands.add_parser(
            name,
            help=text,
            description=text,
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_lang(sub)
        sub.add_argument(
            "--content",
            type=Path,
            default=Path("content"),
            metavar="DIR",
            help="content folder (default: content/)",
        )
        sub.add_argument(
            "--templates",
            type=Path,
            default=TEMPLATES,
            metavar="DIR",
            help="templates folder (default: the templates that ship with confsite)",
        )
        if name == "serve":
            _add_serve_options(sub)
        if name == "build":
            sub.add_argument(
                "--out",
                type=Path,
                default=Path("site"),
                metavar="DIR",
                help="output folder (default: site/); replaced as a whole",
            )
            sub.add_argument(
                "--base-url",
                metavar="URL",
                help="where the site is published; overrides base_url of conference.yaml",
            )
            sub.add_argument(
                "--now",
                metavar="DATETIME",
                help="judge registration deadlines at this ISO 8601 moment"
                " (local to the conference timezone; default: now)",
            )
    _add_editor_commands(commands)
    return parser


def _add_lang(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lang",
        choices=messages.LANGUAGES,
        help="language of the messages (default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG)",
    )


def _port(text: str) -> int:
    """Read --port: 0 (any free port) to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _add_serve_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: 8000; 0: any free)"
    )
    sub.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0: every network)",
    )
    sub.add_argument(
        "--now",
        metavar="DATETIME",
        help="judge registration at this ISO 8601 moment (default: the current time, at every rebuild)",
    )


def _add_editor_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schema = commands.add_parser(
        "schema",
        help="write the JSON Schemas of the content files",
        description="Write one JSON Schema per content file (and page front matter) for editor completion.",
    )
    _add_lang(schema)
    schema.add_argument(
        "--out", type=Path, default=Path("schemas"), metavar="DIR", help="folder (default: schemas/)"
    )
    new = commands.add_parser(
        "new",
        help="start a new content folder",
        description="Write a small valid bilingual content folder with its schemas into DIR (new or empty).",
    )
    _add_lang(new)
    new.add_argument("folder", type=Path, metavar="DIR", help="the new content folder")


def _with_default_command(argv: list[str]) -> list[str]:
    if argv and argv[0] in ("build", "check", "serve", "schema", "new", "-h", "--help"):
        return argv
    return ["build", *argv]


def parse_now(text: str | None) -> dt.datetime | None:
    """Read --now; a moment without offset is local to the conference."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(
                msg(
                    "--now: {text!r} is not an ISO 8601 date or time (e.g. 2019-03-20T12:00)",
                    "--now: {text!r} ist kein Datum und keine Uhrzeit nach ISO 8601 (z. B. 2019-03-20T12:00)",
                    text=text,
                )
            ) from None
        return dt.datetime.combine(day, dt.time())


def check_base_url(text: str | None) -> str | None:
    """Read --base-url: the http(s) address of a folder, checked as base_url in conference.yaml is."""
    if text is None:
        return None
    problem = base_url_problem(text, ("https", "http"))
    if problem.en:
        raise UsageError(
            msg(
                "--base-url: {problem} (an absolute address such as https://example.org/path/)",
                "--base-url: {problem} (eine vollständige Adresse wie https://example.org/pfad/)",
                problem=problem,
            )
        )
    return text


#: The cyclic garbage collector runs after this many new container objects (Python's default:
#: 700). A build makes millions of short-lived ones that reference counting frees anyway; at
#: the default, collecting took a tenth of a build's CPU time at 1,000 sessions (bench/run.py).
GC_THRESHOLD = 100_000


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = _parser().parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    messages.use(args.lang or messages.from_environment())
    try:
        if args.command in ("serve", "schema", "new"):
            return _editor_command(args)
        if args.command == "check":
            from .pipeline import load  # noqa: PLC0415  (see the module's docstring)

            conf = load(args.content, args.templates, keep=False)  # check writes nothing
            said = msg(
                "{content}: OK ({sessions} sessions, {people} people, {languages} languages)",
                "{content}: in Ordnung ({sessions} Programmpunkte, {people} Personen, {languages} Sprachen)",
                content=args.content,
                sessions=len(conf.sessions),
                people=len(conf.people),
                languages=len(conf.languages),
            )
            print(said)
            return EXIT_OK
        result = _build(args)
    except UsageError as exc:
        print(_usage_error(exc), file=sys.stderr)
        return EXIT_USAGE
    except ContentInvalid as exc:
        print(exc.report(), file=sys.stderr)
        print(exc.summary(), file=sys.stderr)
        return EXIT_INVALID
    except OutputError as exc:
        print(_usage_error(exc), file=sys.stderr)
        return EXIT_USAGE
    built = msg(
        "Built {pages} pages ({files} files) in {languages} languages into {out}/ in {seconds:.2f} s",
        "{pages} Seiten ({files} Dateien) in {languages} Sprachen nach {out}/ geschrieben,"
        " in {seconds:.2f} s",
        pages=result.pages,
        files=result.files,
        languages=len(result.conference.languages),
        out=args.out,
        seconds=result.seconds,
    )
    print(built)
    return EXIT_OK


def _build(args: argparse.Namespace) -> BuildResult:
    """Build the site as ``args`` say."""
    now = parse_now(args.now)
    base_url = check_base_url(args.base_url)
    with precompile.started(args.templates) as compiling:
        from .pipeline import build  # noqa: PLC0415  (after the line above: see precompile.py)

        return build(args.content, args.out, _moment(now), args.templates, base_url, compiling)


def _usage_error(exc: Exception) -> str:
    return str(msg("python build.py: error: {exc}", "python build.py: Fehler: {exc}", exc=exc))


def _editor_command(args: argparse.Namespace) -> int:
    """Run serve, schema or new; wrong usage raises UsageError or OutputError."""
    if args.command == "schema":
        from .schema import write_schemas  # noqa: PLC0415  (see the module's docstring)

        written = write_schemas(args.out)
        print(
            msg(
                "Wrote {n} schemas into {out}/",
                "{n} Schemas nach {out}/ geschrieben",
                n=len(written),
                out=args.out,
            )
        )
    elif args.command == "new":
        from .scaffold import new_site  # noqa: PLC0415  (see the module's docstring)

        files = new_site(args.folder)
        print(
            msg(
                "Wrote {n} files into {folder}/; preview them with:",
                "{n} Dateien nach {folder}/ geschrieben; ansehen mit:",
                n=len(files),
                folder=args.folder,
            )
        )
        print(f"  python build.py serve --content {args.folder}")
    else:
        now = parse_now(args.now)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger = logging.getLogger("confsite")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        from .serve import ListenError, serve  # noqa: PLC0415  (see the module's docstring)

        try:
            serve(args.content, args.templates, args.host, args.port, now)
        except ListenError as exc:
            raise UsageError(str(exc)) from None
        finally:
            logger.removeHandler(handler)
    return EXIT_OK


def _moment(now: dt.datetime | None) -> dt.datetime:
    """Return --now, or the current moment; naive values are resolved by the pipeline."""
    return now if now is not None else dt.datetime.now(dt.UTC)
