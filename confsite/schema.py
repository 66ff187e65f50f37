"""JSON Schemas of the content files, generated from the records in specs.py, for editors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .fields import Kind, ListOf, MapOf, Record, RecordKind
from .specs import FILES, PAGE

#: Draft 7: the newest draft that the YAML language server (VS Code, Neovim, JetBrains) validates.
DRAFT = "http://json-schema.org/draft-07/schema#"

#: What TextKind.schema() refers to as #/$defs/translations.
TRANSLATIONS: dict[str, Any] = {
    "type": "object",
    "description": "The text in every configured language, e.g. {de: Begrüßung, en: Welcome}",
    "minProperties": 1,
    "propertyNames": {"pattern": "^[a-z]{2,3}$"},
    "additionalProperties": {"type": "string", "minLength": 1},
}


def schema_names() -> dict[str, Record]:
    """Return the record of every schema by its name: one per content file, and page front matter."""
    names = {file.removesuffix(".yaml"): record for file, record in FILES.items()}
    names["page"] = PAGE
    return names


def record_schema(record: Record) -> dict[str, Any]:
    """Describe one record: its keys with their meaning, the required ones, and nothing else."""
    out: dict[str, Any] = {
        "type": "object",
        "description": record.doc,
        "properties": {f.key: {"description": f.doc, **f.kind.schema()} for f in record.fields},
    }
    required = [f.key for f in record.fields if f.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _nested(kind: Kind) -> Iterator[Record]:
    """Yield the records a kind of value contains."""
    if isinstance(kind, RecordKind | MapOf):
        yield kind.record
    elif isinstance(kind, ListOf):
        yield from _nested(kind.item)


def _reachable(root: Record) -> dict[str, Record]:
    """Return every record used below ``root``, by name."""
    found: dict[str, Record] = {}
    stack = [f.kind for f in root.fields]
    while stack:
        for record in _nested(stack.pop()):
            if record.name not in found and record is not root:
                found[record.name] = record
                stack.extend(f.kind for f in record.fields)
    return found


def file_schema(name: str, record: Record) -> dict[str, Any]:
    """Return the complete JSON Schema of one content file."""
    defs = {key: record_schema(r) for key, r in sorted(_reachable(record).items())}
    defs["translations"] = TRANSLATIONS
    what = "front matter of a Markdown page" if record is PAGE else f"{name}.yaml"
    return {
        "$schema": DRAFT,
        "title": f"confsite: {what}",
        **record_schema(record),
        "$defs": dict(sorted(defs.items())),
    }


def render_schemas() -> dict[str, str]:
    """Return the text of every schema file by its file name (e.g. program.schema.json)."""
    return {
        f"{name}.schema.json": json.dumps(file_schema(name, record), indent=2, ensure_ascii=False) + "\n"
        for name, record in schema_names().items()
    }


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in render_schemas().items():
        path = folder / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
