"""Messages to editors in English or German: content errors and what the commands print.

Each message is written in both languages where it is made, ``msg(english, german, **values)``,
so that no message can lack its translation and both read in their context. Values are put
in with ``str.format``; a value that is itself a message is shown in the same language.

The language follows ``--lang``; without it the environment, read as gettext reads it
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first one set), so an editor whose system speaks
German reads German; anything else reads English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

#: The languages messages are written in; English is the default.
LANGUAGES = ("en", "de")

_current = {"lang": "en"}


@dataclass(frozen=True)
class Message:
    """A message in English and German, with the values to put into it."""

    en: str
    de: str
    values: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str | None = None) -> str:
        """Return the message in ``lang`` (default: the language in use)."""
        lang = lang or current()
        template = self.de if lang == "de" else self.en
        return template.format(**{name: shown(value, lang) for name, value in self.values})

    def __str__(self) -> str:
        return self.render()


def msg(en: str, de: str, /, **values: object) -> Message:
    """Write a message in English and German: ``msg("{n} files", "{n} Dateien", n=3)``."""
    return Message(en, de, tuple(values.items()))


def quoted(text: str) -> str:
    """Quote a value as messages show what an editor wrote: its repr, long ones shortened."""
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def shown(value: object, lang: str) -> object:
    """Return a value as a message shows it: messages in ``lang``, lists joined by commas.

    In German, numbers have a decimal comma and points between thousands (0,95; 20.000).
    """
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(shown(item, lang)) for item in value)
    if lang == "de" and isinstance(value, int | float) and not isinstance(value, bool):
        return _GermanNumber(value)
    return value


class _GermanNumber:
    """A number that formats the German way: the format's "." and "," change places."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec).translate(_SWAP)


_SWAP = str.maketrans(".,", ",.")


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """Choose the language the environment asks for: "de" for German locales, else "en"."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            first = value.split(":")[0].lower()
            return "de" if first == "de" or first.startswith(("de_", "de.", "de-", "de@")) else "en"
    return "en"


def use(lang: str) -> None:
    """Show messages in ``lang`` from now on (this process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"messages are written in {', '.join(LANGUAGES)}, not {lang!r}")
    _current["lang"] = lang


def current() -> str:
    """Return the language messages are shown in."""
    return _current["lang"]
