"""JSON Schemas for editors: generated from the records, in step with the validator, never stale."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from confbuilder import Site, make_site
from confsite.scaffold import STARTER
from confsite.schema import file_schema, render_schemas, schema_names

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
#: Content folders whose files must validate: the default conference, the multi-day test site,
#: and the starter content of ``build.py new``.
FOLDERS = {
    "default": ROOT / "content",
    "multiday": ROOT / "tests" / "sites" / "multiday",
    "starter": STARTER,
}
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


class EditorYaml(yaml.SafeLoader):
    """Read YAML as the YAML language server does (YAML 1.2): dates and 10:00 stay strings."""


def _scalar_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return loader.construct_scalar(node)


def _number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in node.value:  # YAML 1.1 base 60; a string in YAML 1.2
        return node.value
    return loader.construct_yaml_int(node) if node.tag.endswith(":int") else loader.construct_yaml_float(node)


EditorYaml.add_constructor("tag:yaml.org,2002:timestamp", _scalar_text)
EditorYaml.add_constructor("tag:yaml.org,2002:int", _number)
EditorYaml.add_constructor("tag:yaml.org,2002:float", _number)


def validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(file_schema(name, schema_names()[name]))


def schema_errors(name: str, text: str) -> list[str]:
    """Validate YAML text against a schema; return each problem as 'where: message'."""
    data = yaml.load(text, Loader=EditorYaml)  # a SafeLoader
    found = []
    for error in validator(name).iter_errors(data):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        found.append(f"{where.lstrip('.')}: {error.message}")
    return found


def front_matter(path: Path) -> str:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path} has no front matter"
    return match.group(1)


# --- the schema files -------------------------------------------------------------------------


def test_schema_files_are_up_to_date() -> None:
    """schemas/ holds exactly what the generator makes now: run `python build.py schema` to refresh."""
    expected = render_schemas()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert sorted(on_disk) == sorted(expected), "run: python build.py schema"
    for file_name, text in expected.items():
        assert on_disk[file_name] == text, f"schemas/{file_name} is stale; run: python build.py schema"


@pytest.mark.parametrize("name", sorted(schema_names()))
def test_schemas_are_valid_draft7_with_descriptions(name: str) -> None:
    schema = file_schema(name, schema_names()[name])
    jsonschema.Draft7Validator.check_schema(schema)
    records = [schema, *(d for key, d in schema["$defs"].items() if key != "translations")]
    for record in records:
        assert record["additionalProperties"] is False
        assert record["description"]
        for key, prop in record["properties"].items():
            assert prop["description"], f"{key} has no description for hovering"


def test_required_keys_and_translations() -> None:
    program = file_schema("program", schema_names()["program"])
    assert program["required"] == ["parts"]
    session = program["$defs"]["session"]
    assert session["required"] == ["id", "start", "end", "kind", "title"]
    assert "talk" in session["properties"]["kind"]["enum"]
    translations = program["$defs"]["translations"]
    assert jsonschema.Draft7Validator(translations).is_valid({"de": "Begrüßung", "en": "Welcome"})
    assert not jsonschema.Draft7Validator(translations).is_valid({"deutsch": "Begrüßung"})


# --- real content validates ---------------------------------------------------------------------


def _content_files() -> list[tuple[str, Path]]:
    return [
        (label, path)
        for label, folder in FOLDERS.items()
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("pages/*.md"))
    ]


@pytest.mark.parametrize(
    ("label", "path"), _content_files(), ids=[f"{label}/{p.name}" for label, p in _content_files()]
)
def test_content_validates(label: str, path: Path) -> None:
    if path.suffix == ".md":
        assert schema_errors("page", front_matter(path)) == []
    else:
        assert schema_errors(path.stem, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("label", "path"),
    [(label, p) for label, p in _content_files() if p.suffix == ".yaml"],
    ids=[f"{label}/{p.name}" for label, p in _content_files() if p.suffix == ".yaml"],
)
def test_yaml_files_name_their_schema(label: str, path: Path) -> None:
    """The first line tells the YAML language server which schema to use, by a path that resolves."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path}: first line is {first!r}"
    target = match.group(1)
    assert target.endswith(f"/{path.stem}.schema.json")
    if label == "starter":  # `new` writes the schemas beside the starter files
        assert target == f"schemas/{path.stem}.schema.json"
    else:
        assert (path.parent / target).resolve() == (SCHEMAS / f"{path.stem}.schema.json").resolve()


# --- broken content: the schema and the validator agree ----------------------------------------

#: (file, text to replace, replacement, what the validator says)
BROKEN = {
    "unknown key": (
        "program.yaml",
        "kind: talk",
        "kind: talk\n        room: A\n        rooom: B",
        "key 'rooom'",
    ),
    "wrong type": ("conference.yaml", "dates: [2019-04-02]", "dates: 2019-04-02", "expected a list"),
    "wrong type of number": ("forums.yaml", "hosts: [ada]", "hosts: [ada]\n        capacity: many", "whole"),
    "bad time": ("program.yaml", 'end: "11:00"', 'end: "13:70"', "is not a time"),
    "bad kind": ("program.yaml", "kind: talk", "kind: lecture", "is not one of"),
    "missing key": ("people.yaml", "    name: Grace Hopper\n", "", "missing key 'name'"),
    "bad id": ("podium.yaml", "id: panel-a", "id: Panel A", "is not an id"),
    "unsafe link": ("conference.yaml", "https://example.org/register", "http://example.org/register", "safe"),
    "page front matter": ("pages/about.de.md", "order: 10", "order: 10\nmenue: main", "unknown key 'menue'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_content_is_rejected_by_schema_and_validator(tmp_path: Path, case: str) -> None:
    file, old, new, said = BROKEN[case]
    site: Site = make_site(tmp_path, forums=True, podium=True, pages=True)
    site.replace(file, old, new)

    errors = site.errors()
    assert any(said in e.message for e in errors), [str(e) for e in errors]

    text = site.read(file)
    name = "page" if file.endswith(".md") else file.removesuffix(".yaml")
    found = schema_errors(name, front_matter(site.content / file) if name == "page" else text)
    assert found, f"the schema accepts what the validator rejects ({case})"
    # the schema points at the same place as the validator (or the mapping that holds it)
    model_places = {e.where for e in errors if said in e.message}
    schema_places = {f.split(": ", 1)[0] for f in found}
    assert any(m.startswith(s) for m in model_places for s in schema_places), (model_places, found)


def test_valid_builder_content_passes_both(tmp_path: Path) -> None:
    site = make_site(tmp_path, forums=True, podium=True, pages=True)
    site.load()
    for name in ("conference", "program", "forums", "podium", "people"):
        assert schema_errors(name, site.read(f"{name}.yaml")) == []
