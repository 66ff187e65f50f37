"""Pages used again from the last build are exactly the pages a build without cache renders.

The page cache (confsite/reads.py, confsite/pagecache.py) keeps each page with what it read
of the conference. These tests change the content one field at a time, every kind of field
of the default conference, and compare the site rendered with the cache to the site rendered
from nothing; and they check that the cache does save work: an edit re-renders only the
pages that show what changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import marshal
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import Markup

from confsite import digests, pagecache, pipeline, reads
from confsite import render as rendering
from confsite.errors import ContentInvalid
from confsite.model import Conference, Person
from confsite.registration import State, state_at

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2019, 3, 1, 12, 0)

Leaf = tuple[str, tuple[Any, ...]]  # file, keys from the file's top to one scalar


def stand_in_flyer(conf: Conference, lang: str, state: State, templates: Path) -> bytes:
    """A flyer whose size follows what the real one shows: titles, parts and times (pages show its size)."""
    shown = [(s.title, s.start, s.end) for s in conf.sessions] + [p.title for p in conf.parts]
    return b"%PDF " + repr((conf.title, shown, conf.venue, lang, state.phase)).encode()


def render(content: Path, now: dt.datetime = NOW, templates: Path = pipeline.TEMPLATES) -> dict[str, bytes]:
    """Render the site in this process (its cache is in the working folder)."""
    conf = pipeline.load(content, templates)
    moment = now.replace(tzinfo=conf.tz)
    return pipeline.render_site(conf, moment, templates, flyers=stand_in_flyer)


def render_checked(
    content: Path,
    monkeypatch: pytest.MonkeyPatch,
    now: dt.datetime = NOW,
    templates: Path = pipeline.TEMPLATES,
    what: object = "",
) -> dict[str, bytes]:
    """Render with the cache of the last renders; check that it equals a render without any cache."""
    cached = render(content, now, templates)
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        full = render(content, now, templates)
    assert differing(cached, full) == [], what
    return cached


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """Name the files that only one site has or that differ."""
    return sorted(path for path in a.keys() | b.keys() if a.get(path) != b.get(path))


def leaves(data: Any, keys: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every scalar of a YAML document with the keys that lead to it."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*keys, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from leaves(value, (*keys, index))
    else:
        yield keys, data


def kind_of(file: str, keys: tuple[Any, ...]) -> str:
    """Name a field without its list positions: program.yaml parts[].sessions[].title.de."""
    return file + " " + ".".join("[]" if isinstance(k, int) else str(k) for k in keys)


def changed(value: Any) -> Any:
    """Return a different value of the same kind (one that may still be valid)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    text = str(value)
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        hours, minutes = map(int, text.split(":"))
        return f"{hours:02d}:{minutes + 5:02d}" if minutes < 50 else f"{hours:02d}:{minutes - 5:02d}"
    if text.startswith(("http://", "https://")):
        return text.rstrip("/") + "/neu"
    return text + " (geändert)"


def rewrite(path: Path, data: Any = None) -> Any:
    """Read a YAML file; with ``data``, write that instead. Return the data."""
    if data is None:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def one_leaf_per_kind(content: Path) -> list[Leaf]:
    """Pick the first scalar of every kind of field in the content's YAML files."""
    picked: dict[str, Leaf] = {}
    for path in sorted(content.glob("*.yaml")):
        for keys, _ in leaves(rewrite(path)):
            picked.setdefault(kind_of(path.name, keys), (path.name, keys))
    return list(picked.values())


def set_leaf(content: Path, leaf: Leaf) -> None:
    """Change one scalar of a content file."""
    file, keys = leaf
    data = holder = rewrite(content / file)
    for key in keys[:-1]:
        holder = holder[key]
    holder[keys[-1]] = changed(holder[keys[-1]])
    rewrite(content / file, data)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a copy of the default content; the cache goes there."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONFSITE_NO_CACHE", raising=False)
    return tmp_path


def test_every_kind_of_field_changed_gives_the_pages_of_a_full_render(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = workdir / "content"
    render(content)  # fills the cache
    tried, valid = one_leaf_per_kind(content), []
    assert len(tried) > 60, "the default content should have many kinds of fields"
    for leaf in tried:
        before = (content / leaf[0]).read_text(encoding="utf-8")
        set_leaf(content, leaf)
        try:
            render_checked(content, monkeypatch, what=f"after changing {kind_of(*leaf)}")
        except ContentInvalid:  # (an id or a reference that no longer matches)
            (content / leaf[0]).write_text(before, encoding="utf-8")
            continue
        valid.append(kind_of(*leaf))
    assert len(valid) > 50, valid


def test_a_markdown_page_changed_gives_the_pages_of_a_full_render(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = workdir / "content"
    render(content)
    page = content / "pages" / "projekt.en.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("\n---\n", "\n---\nA new first line.\n\n", 1), encoding="utf-8")
    render_checked(content, monkeypatch)
    title = re.search(r"^title: .*$", text, re.MULTILINE)
    assert title is not None
    page.write_text(text.replace(title.group(0), "title: Renamed"), encoding="utf-8")
    cached = render_checked(content, monkeypatch)
    assert b"Renamed" in cached["en/index.html"], "the menu of every page names the page"


def test_a_later_moment_gives_the_pages_of_a_full_render(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = workdir / "content"
    render(content)
    for later in (dt.datetime(2019, 3, 29, 12, 0), dt.datetime(2019, 4, 2, 12, 0), dt.datetime(2019, 5, 1)):
        render_checked(content, monkeypatch, later, what=later)


def logged_counts(caplog: pytest.LogCaptureFixture, what: str) -> list[tuple[int, int]]:
    """Return the two counts that each render logged so far about ``what``."""
    return [r.args for r in caplog.records if r.name == "confsite.render" and r.msg.startswith(what)]  # type: ignore[misc]


def rendered_counts(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int]]:
    """Return (rendered, unchanged) of the pages of each render logged so far."""
    return logged_counts(caplog, "rendered")


def test_an_edit_renders_only_the_pages_that_show_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    content = workdir / "content"
    caplog.set_level(logging.DEBUG, logger="confsite.render")
    first = render(content)
    pages = sum(1 for path in first if path.endswith("/index.html"))
    assert rendered_counts(caplog)[-1] == (pages, 0)
    render(content)
    assert rendered_counts(caplog)[-1] == (0, pages), "an unchanged site renders no page"
    data = rewrite(content / "program.yaml")
    session = next(s for part in data["parts"] for s in part["sessions"] if s.get("description"))
    session["description"] = {"de": "Neu beschrieben.\n", "en": "Described anew.\n"}
    rewrite(content / "program.yaml", data)
    cached = render_checked(content, monkeypatch)
    # The session's page in both languages; the program and the flyer page show no descriptions.
    assert rendered_counts(caplog)[-2] == (2, pages - 2)  # (the last one rendered without cache)
    assert b"Described anew." in cached[f"en/programme/{session['id']}/index.html"]


def fragment_counts(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int]]:
    """Return (rendered, used again) of the fragments of each render logged so far."""
    return logged_counts(caplog, "fragments")


def test_a_retitled_session_renders_its_own_fragment_of_the_program_only(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The program page shows every session in a fragment of its own (PageContext.fragment)."""
    content = workdir / "content"
    caplog.set_level(logging.DEBUG, logger="confsite.render")
    first = render(content)
    conf = pipeline.load(content)
    per_page = len(conf.sessions)
    assert fragment_counts(caplog)[-1] == (2 * per_page, 0)  # the program in two languages
    data = rewrite(content / "program.yaml")
    data["parts"][1]["sessions"][2]["title"] = {"de": "Ganz neuer Titel", "en": "A brand new title"}
    rewrite(content / "program.yaml", data)
    cached = render_checked(content, monkeypatch)
    assert fragment_counts(caplog)[-2] == (2, 2 * per_page - 2)  # (the last one: without cache)
    assert b"A brand new title" in cached["en/programme/index.html"]
    assert first["en/programme/index.html"] != cached["en/programme/index.html"]
    render(content)
    assert fragment_counts(caplog)[-1] == (0, 0), "an unchanged program page is used again whole"


def kept_reads() -> dict[str, set[tuple[digests.ReadPath, digests.Digest]]]:
    """Return what the page table holds: each page's (or piece's or fragment's) paths and their digests."""
    kept = pagecache.load()
    assert kept is not None
    return {key: {(kept.paths[i], kept.digests[i]) for i in ids} for key, (ids, _) in kept.pages.items()}


def test_pages_rendered_on_two_processes_are_kept_with_their_reads(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each worker numbers the paths it reads (pagecache.Numbering): the table is that of one process."""
    content = workdir / "content"
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)  # (a site this small is otherwise done in one)
    conf = pipeline.load(content)
    moment = NOW.replace(tzinfo=conf.tz)
    tables = []
    for jobs in (1, 2):
        for table in (workdir / ".confsite-cache").glob("pages-*"):
            table.unlink()
        pipeline.render_site(conf, moment, flyers=stand_in_flyer, jobs=jobs)
        tables.append(kept_reads())
    assert len(tables[0]) > 100  # the pages, the calendars' pieces and the program's fragments
    assert tables[1] == tables[0]
    caplog.set_level(logging.DEBUG, logger="confsite.render")
    retitle_the_first_part(content)
    edited = pipeline.load(content)
    cached = pipeline.render_site(edited, moment, flyers=stand_in_flyer, jobs=2)
    with monkeypatch.context() as patch:
        patch.setenv("CONFSITE_NO_CACHE", "1")
        full = pipeline.render_site(edited, moment, flyers=stand_in_flyer, jobs=2)
    assert differing(cached, full) == []
    rendered, unchanged = rendered_counts(caplog)[-2]  # (the last one: without cache)
    assert 0 < rendered < unchanged


def made_page(key: str, *names: str) -> Callable[[], rendering.Made]:
    """A task of Renderer.outputs that makes a page reading the conference's attributes ``names``."""
    page_reads: dict[digests.ReadPath, digests.Digest] = {
        (("conf",), ("a", name)): repr(name) for name in names
    }
    return lambda: (key, (key.encode(), page_reads, ()), [])


def test_two_renders_at_once_in_one_process_keep_their_own_reads(workdir: Path) -> None:
    """The preview renders in one process; two calls of outputs() at once number apart."""
    a1 = rendering._make(100, made_page("a1", "title", "venue"))
    b1 = rendering._make(101, made_page("b1", "dates"))
    a2 = rendering._make(100, made_page("a2", "subtitle", "title"))
    table = pagecache.Table("fingerprint", None, [])
    for source, key, page, fragments in (a1, a2):
        table.add(source, key, page)
        table.add_fragments(source, fragments)
    table.store()
    names = {key: {path[-1][1] for path, _ in kept} for key, kept in kept_reads().items()}
    assert names == {"a1": {"title", "venue"}, "a2": {"subtitle", "title"}}
    assert b1[2][1] == (0,)  # (numbered from 0 in its own call)
    out_of_order = pagecache.Table("fingerprint", None, [])
    with pytest.raises(RuntimeError, match="'a2' came before"):
        out_of_order.add(a2[0], "a2", a2[2])


def add_to_template(templates: Path, name: str, text: str) -> None:
    """Add ``text`` at the start of a template's main block."""
    path = templates / name
    source = path.read_text(encoding="utf-8")
    assert "{% block main %}" in source
    path.write_text(source.replace("{% block main %}", "{% block main %}" + text, 1), encoding="utf-8")


def test_templates_that_read_in_other_ways_give_the_pages_of_a_full_render(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printing the venue reads all of it; the renderer's downloads are not recorded at all."""
    templates = workdir / "templates"
    shutil.copytree(pipeline.TEMPLATES, templates)
    add_to_template(templates, "session.html", "<!-- {{ conf.venue }} -->")
    add_to_template(templates, "person.html", "<!-- {{ c.site.downloads }} -->")
    content = workdir / "content"
    render(content, templates=templates)
    data = rewrite(content / "conference.yaml")
    data["venue"]["street"] = "Kirchplatz 99"
    rewrite(content / "conference.yaml", data)
    cached = render_checked(content, monkeypatch, templates=templates)
    session_pages = [
        data for path, data in cached.items() if path.startswith("en/programme/") and path.count("/") == 3
    ]
    assert session_pages and all(b"Kirchplatz 99" in page for page in session_pages)
    retitle_the_first_part(content)  # the flyer grows
    render_checked(content, monkeypatch, templates=templates)


def recorder_of(conf: Conference) -> tuple[reads.Recorder, State]:
    state = state_at(conf, NOW.replace(tzinfo=conf.tz))
    return reads.Recorder(object(), "en", conf, state, digests.Digests()), state


def test_a_missing_key_is_recorded_and_reads_differently_once_it_is_there() -> None:
    conf = pipeline.load(ROOT / "content")
    rec, state = recorder_of(conf)
    assert "nobody" not in rec.conf.people_by_id
    path = (("conf",), ("a", "people_by_id"), ("i", "nobody"))
    assert path in rec.reads and rec.reads[path] is digests.ABSENT
    assert digests.Evaluator(conf, state, lambda lang: None).digest(path) is digests.ABSENT
    added = dataclasses.replace(conf, people=(*conf.people, Person("nobody", "No Body")))
    assert digests.Evaluator(added, state, lambda lang: None).digest(path) not in (digests.ABSENT, None)


def test_reading_a_wrapped_object_whole_records_all_of_it() -> None:
    conf = pipeline.load(ROOT / "content")
    rec, state = recorder_of(conf)
    assert rec.conf.venue == conf.venue  # compared whole: every field counts
    venue_path = (("conf",), ("a", "venue"))
    moved = dataclasses.replace(conf, venue=dataclasses.replace(conf.venue, lat=0.0))
    evaluator = digests.Evaluator(moved, state, lambda lang: None)
    assert evaluator.digest(venue_path) != rec.reads[venue_path]
    sessions = rec.conf.sessions
    assert len(sessions) == len(conf.sessions)
    length_path = (("conf",), ("a", "sessions"), ("n", None))
    assert rec.reads[length_path] == repr(len(conf.sessions))
    with pytest.raises(IndexError):
        sessions[len(conf.sessions)]
    first = sessions[0].title  # one item, one attribute: nothing else of the sessions
    assert first == conf.sessions[0].title
    assert (("conf",), ("a", "sessions"), ("i", 0), ("a", "title")) in rec.reads
    assert not any(path[-1] == ("a", "description") for path in rec.reads)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename_the_workshop(content: Path) -> None:
    """Give the first part another id (the registration settings follow)."""
    replace_in(content / "program.yaml", "  - id: werkstatt\n", "  - id: werkstatt2\n")
    replace_in(content / "conference.yaml", "    werkstatt:", "    werkstatt2:")


def add_menu_page(content: Path, title: str) -> None:
    """Write a Markdown page, in both languages, that no menu of the site lists."""
    for lang in ("de", "en"):
        page = f"---\ntitle: {title} {lang}\nmenu: none\n---\nText.\n"
        (content / "pages" / f"hinweis.{lang}.md").write_text(page, encoding="utf-8")


def merge_the_parts(content: Path) -> None:
    """Move the workshop's sessions into the conference part: one part instead of two."""
    data = rewrite(content / "program.yaml")
    workshop, rest = data["parts"][0], data["parts"][1]
    rest["sessions"] = workshop["sessions"] + rest["sessions"]
    data["parts"] = [rest]
    rewrite(content / "program.yaml", data)
    settings = rewrite(content / "conference.yaml")
    settings["registration"]["parts"].pop(workshop["id"], None)
    rewrite(content / "conference.yaml", settings)


def retitle_the_first_part(content: Path) -> None:
    data = rewrite(content / "program.yaml")
    data["parts"][0]["title"] = {"de": "Ein anderer Teil", "en": "Another part"}
    rewrite(content / "program.yaml", data)


#: Templates that reach the conference in roundabout ways (found by a review of the cache),
#: and the content change each must show: template, text added to its main block, change.
ROUNDABOUT = {
    "a key asked for with in": (
        "venue.html",
        "{% if 'werkstatt' in conf.part_by_id %}MARK-YES{% else %}MARK-NO{% endif %}",
        rename_the_workshop,
    ),
    "a key asked for with get": (
        "venue.html",
        "{% if conf.part_by_id.get('werkstatt') is none %}MARK-NO{% else %}MARK-YES{% endif %}",
        rename_the_workshop,
    ),
    "an item asked for with is defined": (
        "venue.html",
        "{% if conf.parts[1] is defined %}MARK-TWO{% else %}MARK-ONE{% endif %}",
        merge_the_parts,
    ),
    "the conference of the site's routes": (
        "session.html",
        "<!-- MARK {{ c.site.routes.conf.venue.directions.get(lang)[:30] }} -->",
        lambda content: replace_in(
            content / "conference.yaml", "  directions:\n    de: ", "  directions:\n    de: Neu. "
        ),
    ),
    "an attribute read again in a fragment": (
        "venue.html",
        "{% macro part_title(c, part) %}MARK {{ c.tx(part.title) }}{% endmacro %}"
        "{% set part = conf.parts[0] %}<!-- {{ c.plain(part.title) }} -->"
        "{{ c.fragment('part-title', part_title, part) }}",
        retitle_the_first_part,
    ),
    "a fragment that reads the conference itself": (
        "venue.html",
        "{% macro count(c, n) %}MARK {{ n }} {{ c.conf.parts|length }}{% endmacro %}"
        "{{ c.fragment('count', count, 1) }}",
        merge_the_parts,
    ),
    "a menu of its own": (
        "venue.html",
        "{% for href, label, here in c.nav('none', route) %}MARK {{ label }}{% endfor %}",
        lambda content: add_menu_page(content, "Zweiter Titel"),
    ),
}


@pytest.mark.parametrize("case", list(ROUNDABOUT), ids=list(ROUNDABOUT))
def test_templates_that_reach_the_conference_in_roundabout_ways(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    name, added, change = ROUNDABOUT[case]
    templates = workdir / "templates"
    shutil.copytree(pipeline.TEMPLATES, templates)
    add_to_template(templates, name, added)
    content = workdir / "content"
    if case == "a menu of its own":
        add_menu_page(content, "Erster Titel")
    before = render(content, templates=templates)
    change(content)
    cached = render_checked(content, monkeypatch, templates=templates)
    assert marks(before) != marks(cached), "the change must show in what the template added"


def marks(files: dict[str, bytes]) -> dict[str, list[bytes]]:
    """Return what the ROUNDABOUT templates print (after MARK), by file."""
    return {path: re.findall(rb"MARK[^<]*", data) for path, data in files.items() if b"MARK" in data}


def test_a_key_made_by_a_block_set_is_kept_as_a_plain_string() -> None:
    """A block ``set`` makes Markup under autoescape; the table (marshal) holds plain strings."""
    conf = pipeline.load(ROOT / "content")
    rec, _ = recorder_of(conf)
    key = rec.key(Markup("werkstatt"))
    assert type(key) is str and key == "werkstatt"
    assert type(rec.key((Markup("a"), "b"))[0]) is str  # type: ignore[index]
    assert rec.cacheable


@pytest.mark.parametrize("damage", ["digests cut short", "a path of another kind", "a page of another kind"])
def test_a_page_table_of_another_shape_is_not_used(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    content = workdir / "content"
    render(content)
    (table,) = workdir.glob(".confsite-cache/pages-*.marshal")
    kept = marshal.loads(table.read_bytes())
    if damage == "digests cut short":
        kept["digests"] = kept["digests"][:-1]
    elif damage == "a page of another kind":
        kept["pages"]["de/index.html"] = "not a page"
    else:
        kept["paths"] = (("conf", ["not", "a", "step"]), *kept["paths"][1:])
    table.write_bytes(marshal.dumps(kept))
    render_checked(content, monkeypatch)


def test_a_fragment_depends_on_the_kept_fragments_it_uses_again(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outer fragment rendered again around a kept inner one must still follow the inner one.

    The second edit changes what only the outer fragment reads: it is rendered again, the inner
    one is used again. The third changes what only the inner one reads: the outer one, kept
    after the second edit, must not be used again either.
    """
    templates = workdir / "templates"
    shutil.copytree(pipeline.TEMPLATES, templates)
    macros = (
        "{% macro inner(c, part) %}MARK-IN {{ c.tx(part.title) }}{% endmacro %}"
        "{% macro outer(c, venue, part) %}MARK-OUT {{ c.tx(venue.name) }} "
        "{{ c.fragment('inner', inner, part) }}{% endmacro %}"
    )
    add_to_template(
        templates, "venue.html", macros + "{{ c.fragment('outer', outer, conf.venue, conf.parts[0]) }}"
    )
    content = workdir / "content"
    render(content, templates=templates)
    replace_in(
        content / "conference.yaml", "  name: CityKirche Elberfeld", "  name: CityKirche am Kirchplatz"
    )
    render_checked(content, monkeypatch, templates=templates)
    retitle_the_first_part(content)
    cached = render_checked(content, monkeypatch, templates=templates)
    assert any(b"Another part" in mark for mark in marks(cached)["en/venue/index.html"])
