"""Start a new content folder: a small valid bilingual conference to change file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import OutputError
from .messages import msg
from .schema import write_schemas

#: The files of a new content folder, kept as real files so they read (and validate) as content.
STARTER = Path(__file__).resolve().parent / "starter"


def new_site(folder: Path) -> list[Path]:
    """Write the starter content and its schemas into ``folder``; refuse a folder with anything in it."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            msg(
                "{folder} exists and is not a folder",
                "{folder} gibt es, aber es ist kein Ordner",
                folder=folder,
            )
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise OutputError(
            msg(
                "{folder} is not empty; choose a new or empty folder",
                "{folder} ist nicht leer; wählen Sie einen neuen oder leeren Ordner",
                folder=folder,
            )
        )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    # The schemas live beside the YAML files that name them (schemas/...), so the folder can move.
    write_schemas(folder / "schemas")
    return sorted(p for p in folder.rglob("*") if p.is_file())
