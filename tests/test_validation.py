"""The validator, one rule at a time: each test changes one thing in a tiny valid folder.

Every negative test checks what an editor sees: the file, the line (found by searching the
test's own YAML text), the place inside the file, and words in the message they can act on.
Most also check that the one mistake gives exactly one error (no cascade of follow-up noise).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from confbuilder import BACKUPS, Site, make_site
from confsite import yamlparse
from confsite.content import load_conference
from confsite.errors import ContentError
from confsite.pipeline import TEMPLATES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """The minimal folder plus forums.yaml, podium.yaml and a page in both languages."""
    monkeypatch.chdir(tmp_path)
    return make_site(tmp_path, forums=True, podium=True, pages=True)


def single(site: Site) -> ContentError:
    """Return the only error of an invalid folder."""
    errors = site.errors()
    assert len(errors) == 1, "expected exactly one error, got:\n" + "\n".join(map(str, errors))
    return errors[0]


def expect(site: Site, name: str, line: int, where: str, *phrases: str) -> ContentError:
    """Assert that the folder has exactly this one error, with these words in its message."""
    error = single(site)
    assert (error.path, error.line, error.where) == (site.shown(name), line, where), str(error)
    for phrase in phrases:
        assert phrase in error.message, f"{phrase!r} not in: {error}"
    return error


def insert_after(site: Site, name: str, anchor: str, text: str) -> int:
    """Insert ``text`` after the line ``anchor``; return the line of its first inserted line."""
    site.replace(name, anchor, anchor + text)
    return site.line(name, text.splitlines()[0].strip())


# --- positive cases --------------------------------------------------------------------------


def test_minimal_folder_loads(site: Site) -> None:
    conf = site.load()
    assert conf.languages == ("de", "en")
    assert [s.id for s in conf.sessions] == ["welcome", "talk"]
    assert conf.sessions[1].start == dt.datetime(2019, 4, 2, 10, 15, tzinfo=conf.tz)
    assert conf.sessions[1].speakers == ("ada", "grace")
    assert conf.forums == () and conf.panels == ()  # no forums.yaml, no podium.yaml at all


def test_full_folder_with_forums_podium_and_pages_loads(full: Site) -> None:
    conf = full.load()
    assert [f.id for f in conf.forums] == ["forum-a"]
    assert [(p.id, p.session) for p in conf.panels] == [("panel-a", "podium-slot")]
    assert sorted((p.lang, p.slug, p.title) for p in conf.pages) == [
        ("de", "about", "Über uns"),
        ("en", "about", "About us"),
    ]


def test_several_days_and_several_panels(site: Site) -> None:
    site.replace("conference.yaml", "dates: [2019-04-02]", "dates: [2019-04-02, 2019-04-03]")
    site.write(
        "program.yaml",
        """\
        parts:
          - id: day-one
            title: {de: Tag 1, en: Day 1}
            date: 2019-04-02
            sessions:
              - id: podium-one
                start: "10:00"
                end: "11:00"
                kind: podium
                title: {de: Podium 1, en: Panel 1}
          - id: day-two
            title: {de: Tag 2, en: Day 2}
            date: 2019-04-03
            sessions:
              - id: podium-two
                start: "10:00"
                end: "11:00"
                kind: podium
                title: {de: Podium 2, en: Panel 2}
              - id: late
                date: 2019-04-02
                start: "18:00"
                end: "19:00"
                kind: other
                title: Get-together
        """,
    )
    site.write(
        "podium.yaml",
        """\
        panels:
          - id: first
            session: podium-one
            title: {de: Erstes, en: First}
            moderators: [ada]
          - id: second
            session: podium-two
            title: {de: Zweites, en: Second}
            panelists: [ada, grace]
          - id: third
            session: podium-two
            title: {de: Drittes, en: Third}
        """,
    )
    conf = site.load()
    days = {s.id: s.start.date() for s in conf.sessions}
    assert days == {
        "podium-one": dt.date(2019, 4, 2),
        "podium-two": dt.date(2019, 4, 3),
        "late": dt.date(2019, 4, 2),  # a session's own date overrides its part's
    }
    assert [p.id for p in conf.panels] == ["first", "second", "third"]


def test_empty_forum_list_and_empty_group(site: Site) -> None:
    site.write("forums.yaml", "groups: []\n")
    assert site.load().forums == ()


def test_forum_group_without_forums(full: Site) -> None:
    full.write("forums.yaml", "groups:\n  - session: forums-slot\n    forums: []\n")
    assert full.load().forums == ()


def test_sessions_without_speakers(site: Site) -> None:
    site.replace("program.yaml", "        speakers: [ada]\n", "")
    site.replace("program.yaml", "        speakers: [ada, grace]\n", "")
    conf = site.load()
    assert [s.speakers for s in conf.sessions] == [(), ()]


def test_unquoted_times_are_times_not_base_60_numbers(site: Site) -> None:
    site.replace("program.yaml", 'start: "10:15"', "start: 10:15")
    site.replace("program.yaml", 'end: "11:00"', "end: 11:00")
    talk = site.load().sessions[1]
    assert (talk.start.time(), talk.end.time()) == (dt.time(10, 15), dt.time(11, 0))


def test_numbers_written_in_texts_are_kept_as_written(full: Site) -> None:
    """YAML would read 01067 as octal 567, drop the plus of a phone number and the 0 of 1.20."""
    full.replace("conference.yaml", 'postal_code: "42103"', "postal_code: 01067")
    full.replace("conference.yaml", "  email: info@example.org\n", "  phone: +49202123456\n")
    full.replace("program.yaml", "        kind: welcome\n", "        kind: welcome\n        room: 1.20\n")
    full.replace("program.yaml", "        kind: talk\n", "        kind: talk\n        room: 0202\n")
    conf = full.load()
    assert (conf.venue.postal_code, conf.contact.phone) == ("01067", "+49202123456")  # (not 567, 49202123456)
    assert [s.room.get("de") for s in conf.sessions[:2] if s.room] == ["1.20", "0202"]


def test_numbers_written_with_a_plus_zeros_or_underscores_are_numbers(full: Site) -> None:
    full.replace("forums.yaml", "        hosts: [ada]\n", "        hosts: [ada]\n        capacity: +020\n")
    full.replace("conference.yaml", "  country: DE\n", "  country: DE\n  geo: {lat: 51.250, lon: 7_1.5}\n")
    conf = full.load()
    assert conf.forums[0].capacity == 20
    assert (conf.venue.lat, conf.venue.lon) == (51.25, 71.5)


def test_a_number_that_python_does_not_read_is_reported(full: Site) -> None:
    """YAML reads 12.50_ as a number, which Python's float() refuses: a message, no traceback."""
    full.replace("conference.yaml", "  country: DE\n", "  country: DE\n  geo: {lat: 51.25_, lon: 7.15}\n")
    line = full.line("conference.yaml", "geo:")
    expect(full, "conference.yaml", line, "venue.geo.lat", "expected a number")


def test_back_to_back_sessions_in_one_room_do_not_overlap(site: Site) -> None:
    site.replace("program.yaml", '        end: "10:15"\n', '        end: "10:15"\n        room: A\n')
    site.replace("program.yaml", '        end: "11:00"\n', '        end: "11:00"\n        room: A\n')
    assert len(site.load().sessions) == 2


def test_safe_links_are_accepted(site: Site) -> None:
    site.replace(
        "conference.yaml",
        "  email: info@example.org\n",
        "  email: info@example.org\n  url: http://example.org/contact\n  phone: +49 202 123456\n",
    )
    site.replace(
        "people.yaml", "    name: Ada Lovelace\n", "    name: Ada Lovelace\n    url: mailto:ada@example.org\n"
    )
    site.replace(
        "people.yaml", "    name: Grace Hopper\n", "    name: Grace Hopper\n    url: tel:+492021234\n"
    )
    conf = site.load()
    assert [p.url for p in conf.people] == ["mailto:ada@example.org", "tel:+492021234"]


def test_default_content_is_valid() -> None:
    conf = load_conference(ROOT / "content", TEMPLATES)
    assert conf.languages == ("de", "en") and conf.sessions


# --- every error of a run, together -------------------------------------------------------------


def test_all_errors_are_reported_together_sorted_by_file_and_line(site: Site) -> None:
    site.replace("program.yaml", 'end: "11:00"', 'end: "13:70"')
    site.replace("program.yaml", "        kind: welcome\n", "        kind: welcome\n        colour: red\n")
    site.replace("people.yaml", "    name: Grace Hopper\n", "    name: Grace Hopper\n    url: javascript:x\n")
    site.replace("conference.yaml", "Europe/Berlin", "Europe/Wuppertal")
    errors = site.errors()
    expected = {
        ("content/conference.yaml", site.line("conference.yaml", "Europe/Wuppertal")),
        ("content/people.yaml", site.line("people.yaml", "javascript:")),
        ("content/program.yaml", site.line("program.yaml", "colour")),
        ("content/program.yaml", site.line("program.yaml", "13:70")),
    }
    assert {(e.path, e.line) for e in errors} == expected
    assert [(e.path, e.line) for e in errors] == sorted((e.path, e.line) for e in errors)


def test_error_reads_file_line_where_what(site: Site) -> None:
    site.replace("program.yaml", 'end: "11:00"', 'end: "13:70"')
    line = site.line("program.yaml", "13:70")
    assert str(single(site)) == (
        f"content/program.yaml:{line}: parts[0].sessions[1].end: '13:70' is not a time (HH:MM)"
    )


# --- keys: unknown, missing, duplicate ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "anchor", "text", "where", "hint"),
    [
        ("conference.yaml", "dates: [2019-04-02]\n", "subtitel: Runde 2\n", "subtitel", "subtitle"),
        ("conference.yaml", "  city: Wuppertal\n", "  citty: Elberfeld\n", "venue.citty", "city"),
        (
            "program.yaml",
            "    title: {de: Vormittag, en: Morning}\n",
            "    descripton: x\n",
            "parts[0].descripton",
            "description",
        ),
        (
            "program.yaml",
            "        kind: talk\n",
            "        speaker: [ada]\n",
            "parts[0].sessions[1].speaker",
            "speakers",
        ),
        (
            "people.yaml",
            "    name: Ada Lovelace\n",
            "    affiliaton: ILS\n",
            "people[0].affiliaton",
            "affiliation",
        ),
        (
            "forums.yaml",
            "        hosts: [ada]\n",
            "        host: [grace]\n",
            "groups[0].forums[0].host",
            "hosts",
        ),
        (
            "podium.yaml",
            "    panelists: [grace]\n",
            "    panelist: [ada]\n",
            "panels[0].panelist",
            "panelists",
        ),
        ("pages/about.en.md", "order: 10\n", "oder: 20\n", "front matter.oder", "order"),
    ],
)
def test_unknown_key_suggests_the_known_one(
    full: Site, name: str, anchor: str, text: str, where: str, hint: str
) -> None:
    line = insert_after(full, name, anchor, text)
    key = where.rsplit(".", 1)[-1]
    expect(full, name, line, where, f"unknown key '{key}'", f"did you mean '{hint}'?")


def test_unknown_key_without_close_match_lists_the_allowed_keys(site: Site) -> None:
    line = insert_after(site, "program.yaml", "        kind: talk\n", "        colour: red\n")
    error = expect(site, "program.yaml", line, "parts[0].sessions[1].colour", "unknown key 'colour'")
    assert "did you mean" not in error.message
    assert "allowed: date, description, end, id, kind" in error.message


@pytest.mark.parametrize(
    ("name", "removed", "anchor", "where", "key"),
    [
        ("program.yaml", '        end: "11:00"\n', "- id: talk", "parts[0].sessions[1]", "end"),
        ("program.yaml", "        kind: welcome\n", "- id: welcome", "parts[0].sessions[0]", "kind"),
        ("people.yaml", "    name: Grace Hopper\n", "- id: grace", "people[1]", "name"),
        ("conference.yaml", "timezone: Europe/Berlin\n", "id: test-conf", "timezone", "timezone"),
        ("conference.yaml", "  url: https://example.org/register\n", "registration:", "registration", "url"),
        ("conference.yaml", "  country: DE\n", "venue:", "venue", "country"),
    ],
)
def test_missing_required_key(site: Site, name: str, removed: str, anchor: str, where: str, key: str) -> None:
    site.replace(name, removed, "")
    expect(site, name, site.line(name, anchor), where, f"missing key '{key}'")


def test_required_key_without_value(site: Site) -> None:
    site.replace("program.yaml", "title: {de: Vortrag, en: Talk}", "title:  # to do")
    expect(
        site, "program.yaml", site.line("program.yaml", "# to do"), "parts[0].sessions[1].title", "no value"
    )


@pytest.mark.parametrize(
    ("name", "original", "anchor", "duplicate", "key"),
    [
        ("program.yaml", "kind: talk", "        kind: talk\n", "        kind: keynote\n", "kind"),
        (
            "conference.yaml",
            "title: {de: Testkonferenz",
            "dates: [2019-04-02]\n",
            "title: Noch einmal\n",
            "title",
        ),
        ("people.yaml", "name: Ada Lovelace", "    name: Ada Lovelace\n", "    name: Ada King\n", "name"),
    ],
)
def test_duplicate_yaml_key_names_both_lines(
    site: Site, name: str, original: str, anchor: str, duplicate: str, key: str
) -> None:
    first = site.line(name, original)
    second = insert_after(site, name, anchor, duplicate)
    # one error only: the file is still checked, nothing else is reported missing or unknown
    expect(site, name, second, key, "duplicate key", f"first given on line {first}")


def test_a_forgotten_dash_that_merges_two_items_says_to_start_an_item(site: Site) -> None:
    """Without its "- ", the talk's keys join the welcome's: a new item is likelier than a duplicate."""
    site.replace("program.yaml", "      - id: talk", "        id: talk")
    start = site.line("program.yaml", "id: talk")
    errors = site.errors()
    keys = ["start", "end", "kind", "title", "speakers"]
    assert [(e.path, e.line, e.where) for e in errors] == [
        ("content/program.yaml", start, "id"),
        *(
            ("content/program.yaml", site.line("program.yaml", f"{key}:", after="id: talk"), key)
            for key in keys
        ),
    ]
    first = site.line("program.yaml", "id: welcome")
    assert errors[0].message == (
        f"duplicate key (first given on line {first}); if a new list item starts on line {start},"
        ' begin it with "- ", else remove one of them'
    )
    assert errors[0].text is not None and errors[0].text.render("de") == (
        f"doppelter Schlüssel (zuerst in Zeile {first}); beginnt in Zeile {start} ein neuer Listeneintrag,"
        ' setzen Sie "- " davor, sonst entfernen Sie einen davon'
    )
    assert all(f"starts on line {start}," in e.message for e in errors)


def test_a_duplicate_key_outside_a_list_item_is_only_to_remove(site: Site) -> None:
    line = insert_after(site, "conference.yaml", "dates: [2019-04-02]\n", "title: Noch einmal\n")
    error = expect(site, "conference.yaml", line, "title")
    first = site.line("conference.yaml", "title: {de")
    assert error.message == f"duplicate key (first given on line {first}); remove one of them"


@pytest.mark.parametrize(
    ("name", "appended", "what", "ident"),
    [
        ("people.yaml", "  - id: ada\n    name: Ada King\n", "person", "ada"),
        (
            "program.yaml",
            "  - id: morning\n    title: X\n    sessions:\n      - id: later\n"
            "        start: '14:00'\n        end: '15:00'\n        kind: talk\n        title: T\n",
            "part",
            "morning",
        ),
        ("forums.yaml", "      - id: forum-a\n        title: B\n", "forum", "forum-a"),
        ("podium.yaml", "  - id: panel-a\n    session: podium-slot\n    title: B\n", "panel", "panel-a"),
    ],
)
def test_duplicate_ids(full: Site, name: str, appended: str, what: str, ident: str) -> None:
    first = full.line(name, f"id: {ident}")
    full.append(name, appended)
    error = single(full)
    assert (error.path, error.line) == (full.shown(name), full.line(name, f"id: {ident}", 2))
    assert error.where.endswith(".id")
    assert f"duplicate {what} id '{ident}'" in error.message
    assert f"content/{name}:{first}" in error.message


def test_duplicate_session_id(site: Site) -> None:
    site.replace("program.yaml", "- id: talk", "- id: welcome")
    first, second = site.line("program.yaml", "id: welcome"), site.line("program.yaml", "id: welcome", 2)
    expect(
        site,
        "program.yaml",
        second,
        "parts[0].sessions[1].id",
        "duplicate session id 'welcome'",
        f"content/program.yaml:{first}",
    )


def test_two_forum_groups_for_one_session(full: Site) -> None:
    full.append(
        "forums.yaml", "  - session: forums-slot\n    forums:\n      - id: forum-b\n        title: B\n"
    )
    first = full.line("forums.yaml", "session: forums-slot")
    second = full.line("forums.yaml", "session: forums-slot", 2)
    expect(full, "forums.yaml", second, "groups[1].session", "already has a forum group", f"line {first}")


# --- kinds of values ---------------------------------------------------------------------------


def test_list_where_a_mapping_belongs(site: Site) -> None:
    site.replace(
        "conference.yaml",
        'venue:\n  name: Rathaus\n  street: Hauptstraße 1\n  postal_code: "42103"\n  city: Wuppertal\n'
        "  country: DE\n",
        "venue:\n  - Rathaus\n  - Wuppertal\n",
    )
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "venue:"),
        "venue",
        "expected a mapping with keys like name",
        "got a list",
    )


def test_mapping_where_text_belongs(site: Site) -> None:
    site.replace("people.yaml", "name: Ada Lovelace", "name: {first: Ada, last: Lovelace}")
    expect(
        site,
        "people.yaml",
        site.line("people.yaml", "first: Ada"),
        "people[0].name",
        "expected text",
        "got a mapping",
    )


def test_list_where_a_text_belongs(site: Site) -> None:
    site.replace("program.yaml", "title: {de: Vortrag, en: Talk}", "title: [Vortrag, Talk]")
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", "[Vortrag, Talk]"),
        "parts[0].sessions[1].title",
        "expected a text or a mapping of languages (de, en)",
        "got a list",
    )


def test_text_where_a_list_belongs_shows_the_list_form(site: Site) -> None:
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: ada")
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", "speakers: ada"),
        "parts[0].sessions[1].speakers",
        "expected a list",
        "write [ada]",
    )


def test_yes_read_as_true_is_explained(site: Site) -> None:
    site.replace("people.yaml", "name: Grace Hopper", "name: yes")
    expect(site, "people.yaml", site.line("people.yaml", "name: yes"), "people[1].name", "quote the word")


def test_word_where_a_number_belongs(full: Site) -> None:
    line = insert_after(full, "forums.yaml", "        hosts: [ada]\n", "        capacity: many\n")
    expect(full, "forums.yaml", line, "groups[0].forums[0].capacity", "expected a whole number", "'many'")


# --- dates and times ---------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2019-02-30", "'2019-02-30'"])
def test_impossible_conference_date(site: Site, written: str) -> None:
    site.replace("conference.yaml", "dates: [2019-04-02]", f"dates: [{written}]")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "dates:"),
        "dates[0]",
        "'2019-02-30' is not a date",
        "no such day",
    )


@pytest.mark.parametrize(
    ("written", "english", "german"),
    [
        (
            "2019-02-30",
            "there is no such day (2019-02 has days 01 to 28)",
            "diesen Tag gibt es nicht (2019-02 hat die Tage 01 bis 28)",
        ),
        (
            "2020-02-30",
            "there is no such day (2020-02 has days 01 to 29)",
            "diesen Tag gibt es nicht (2020-02 hat die Tage 01 bis 29)",
        ),
        (
            "2019-04-00",
            "there is no such day (2019-04 has days 01 to 30)",
            "diesen Tag gibt es nicht (2019-04 hat die Tage 01 bis 30)",
        ),
        (
            "2019-13-02",
            "there is no month 13 (months are 01 to 12)",
            "einen Monat 13 gibt es nicht (Monate sind 01 bis 12)",
        ),
        ("0000-04-02", "there is no year 0000", "ein Jahr 0000 gibt es nicht"),
    ],
)
def test_an_impossible_date_says_why_in_both_languages(
    site: Site, written: str, english: str, german: str
) -> None:
    site.replace("conference.yaml", "dates: [2019-04-02]", f"dates: [{written}]")
    error = expect(site, "conference.yaml", site.line("conference.yaml", "dates:"), "dates[0]")
    assert error.message == f"'{written}' is not a date (YYYY-MM-DD); {english}"
    assert error.text is not None
    assert error.text.render("de") == f"'{written}' ist kein Datum (YYYY-MM-DD); {german}"


def test_impossible_session_date(site: Site) -> None:
    line = insert_after(site, "program.yaml", "        kind: talk\n", "        date: 2019-02-30\n")
    expect(
        site, "program.yaml", line, "parts[0].sessions[1].date", "'2019-02-30' is not a date", "no such day"
    )


@pytest.mark.parametrize("written", ["2019-02-29", "2019-02-29 10:00:00", "2019-03-27 25:00:00"])
def test_impossible_registration_deadline(site: Site, written: str) -> None:
    site.replace("conference.yaml", "deadline: 2019-03-27", f"deadline: {written}")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "deadline:"),
        "registration.deadline",
        f"'{written}' is not a date (YYYY-MM-DD) or a local time",
    )


@pytest.mark.parametrize("written", ['"13:70"', "13:70", '"24:00"', "24:00", '"10.30"', '"noon"', "1100"])
def test_impossible_time(site: Site, written: str) -> None:
    site.replace("program.yaml", 'end: "11:00"', f"end: {written}")
    shown = written.strip('"')
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", f"end: {written}"),
        "parts[0].sessions[1].end",
        f"'{shown}' is not a time (HH:MM)",
    )


@pytest.mark.parametrize("end", ["10:15", "10:00"])
def test_end_not_after_start(site: Site, end: str) -> None:
    site.replace("program.yaml", 'end: "11:00"', f'end: "{end}"')
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", "end:", after="- id: talk"),
        "parts[0].sessions[1].end",
        f"ends at {end}, not after its start at 10:15",
    )


def test_session_outside_the_conference_dates(site: Site) -> None:
    line = insert_after(site, "program.yaml", "        kind: talk\n", "        date: 2019-04-03\n")
    expect(
        site,
        "program.yaml",
        line,
        "parts[0].sessions[1].date",
        "2019-04-03 is not a conference day (2019-04-02)",
    )


def test_part_outside_the_conference_dates(site: Site) -> None:
    line = insert_after(
        site, "program.yaml", "    title: {de: Vormittag, en: Morning}\n", "    date: 2019-05-01\n"
    )
    expect(site, "program.yaml", line, "parts[0].date", "2019-05-01 is not a conference day")


def test_multi_day_conference_session_without_date(site: Site) -> None:
    site.replace("conference.yaml", "dates: [2019-04-02]", "dates: [2019-04-02, 2019-04-03]")
    errors = site.errors()
    assert [(e.path, e.line, e.where) for e in errors] == [
        ("content/program.yaml", site.line("program.yaml", "- id: welcome"), "parts[0].sessions[0]"),
        ("content/program.yaml", site.line("program.yaml", "- id: talk"), "parts[0].sessions[1]"),
    ]
    assert all("has no date" in e.message and "several days" in e.message for e in errors)
    # the fix the message suggests works: a date on the part
    insert_after(site, "program.yaml", "    title: {de: Vormittag, en: Morning}\n", "    date: 2019-04-03\n")
    assert {s.start.date() for s in site.load().sessions} == {dt.date(2019, 4, 3)}


# --- overlaps ----------------------------------------------------------------------------------


def _overlap(site: Site, room_welcome: str, room_talk: str) -> None:
    site.replace("program.yaml", 'start: "10:15"', 'start: "10:10"')
    site.replace("program.yaml", '        end: "10:15"\n', f'        end: "10:15"\n{room_welcome}')
    site.replace("program.yaml", '        end: "11:00"\n', f'        end: "11:00"\n{room_talk}')


@pytest.mark.parametrize(
    ("room_welcome", "room_talk"),
    [("", ""), ("        room: Saal\n", "        room: Saal\n")],
    ids=["no-room", "same-room"],
)
def test_overlapping_sessions_in_one_part_and_room(site: Site, room_welcome: str, room_talk: str) -> None:
    _overlap(site, room_welcome, room_talk)
    error = expect(
        site,
        "program.yaml",
        site.line("program.yaml", 'start: "10:10"'),
        "parts[0].sessions[1].start",
        "'talk' starts at 10:10",
        "before 'welcome'",
        "ends at 10:15",
        f"(line {site.line('program.yaml', '- id: welcome')})",
    )
    said = "in the same room" if room_talk else "ends at 10:15, and neither names its room"
    assert said in error.message


def test_overlapping_sessions_in_different_rooms_are_fine(site: Site) -> None:
    _overlap(site, "        room: Saal A\n", "        room: Saal B\n")
    assert len(site.load().sessions) == 2


def test_overlapping_sessions_in_different_parts_are_fine(site: Site) -> None:
    site.append(
        "program.yaml",
        "  - id: parallel\n    title: {de: Parallel, en: Parallel}\n    sessions:\n"
        '      - id: parallel-talk\n        start: "10:00"\n        end: "11:00"\n        kind: talk\n'
        "        title: {de: Parallel, en: Parallel}\n",
    )
    assert len(site.load().sessions) == 3


# --- registration deadlines ---------------------------------------------------------------------


def test_a_deadline_after_the_conference_is_reported(site: Site) -> None:
    site.replace("conference.yaml", "  deadline: 2019-03-27\n", "  deadline: 2019-04-03T09:00\n")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "deadline: 2019-04-03T09:00"),
        "registration.deadline",
        "2019-04-03 is after the last day of the conference (2019-04-02)",
    )


def test_a_parts_deadline_after_the_part_is_reported(site: Site) -> None:
    site.replace("program.yaml", "    sessions:\n", "    date: 2019-04-02\n    sessions:\n")
    site.replace("conference.yaml", "dates: [2019-04-02]\n", "dates: [2019-04-02, 2019-04-03]\n")
    anchor = "  deadline: 2019-03-27\n"
    site.replace("conference.yaml", anchor, anchor + "  parts:\n    morning:\n      deadline: 2019-04-03\n")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "deadline: 2019-04-03"),
        "registration.parts.morning.deadline",
        "2019-04-03 is after the last day of the part 'morning' (2019-04-02)",
    )


def test_a_deadline_on_the_last_day_is_fine(site: Site) -> None:
    site.replace("conference.yaml", "  deadline: 2019-03-27\n", "  deadline: 2019-04-02T09:00\n")
    assert site.load().registration.deadline is not None


# --- people and sessions referred to by id -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "where", "hint"),
    [
        (
            "program.yaml",
            "speakers: [ada, grace]",
            "speakers: [ada, grase]",
            "parts[0].sessions[1].speakers",
            "grace",
        ),
        (
            "program.yaml",
            "        kind: talk\n",
            "        kind: talk\n        moderators: [adda]\n",
            "parts[0].sessions[1].moderators",
            "ada",
        ),
        (
            "program.yaml",
            "    sessions:\n",
            "    moderators: [grece]\n    sessions:\n",
            "parts[0].moderators",
            "grace",
        ),
        ("forums.yaml", "hosts: [ada]", "hosts: [adda]", "groups[0].forums[0].hosts", "ada"),
        ("podium.yaml", "moderators: [ada]", "moderators: [grac]", "panels[0].moderators", "grace"),
        ("podium.yaml", "panelists: [grace]", "panelists: [grace, adah]", "panels[0].panelists", "ada"),
    ],
)
def test_unknown_person_suggests_a_known_one(
    full: Site, name: str, old: str, new: str, where: str, hint: str
) -> None:
    full.replace(name, old, new)
    unknown = re.findall(r"\b(grase|adda|grece|grac|adah)\b", new)[0]
    line = full.line(name, unknown)
    expect(full, name, line, where, f"unknown person '{unknown}'", f"did you mean '{hint}'?")


def test_unknown_person_without_close_match(site: Site) -> None:
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: [ada, zuse]")
    error = expect(
        site,
        "program.yaml",
        site.line("program.yaml", "zuse"),
        "parts[0].sessions[1].speakers",
        "unknown person 'zuse'",
    )
    assert "did you mean" not in error.message


@pytest.mark.parametrize(
    ("name", "old", "new", "where", "hint"),
    [
        ("forums.yaml", "session: forums-slot", "session: forum-slot", "groups[0].session", "forums-slot"),
        ("podium.yaml", "session: podium-slot", "session: podium-slo", "panels[0].session", "podium-slot"),
    ],
)
def test_unknown_session(full: Site, name: str, old: str, new: str, where: str, hint: str) -> None:
    full.replace(name, old, new)
    unknown = new.split(": ")[1]
    expect(full, name, full.line(name, new), where, f"unknown session '{unknown}'", f"did you mean '{hint}'?")


@pytest.mark.parametrize(
    ("name", "old", "target", "kind", "where", "what", "needed"),
    [
        ("forums.yaml", "session: forums-slot", "talk", "talk", "groups[0].session", "forum group", "forums"),
        (
            "podium.yaml",
            "session: podium-slot",
            "forums-slot",
            "forums",
            "panels[0].session",
            "panel",
            "podium",
        ),
    ],
)
def test_attached_to_a_session_of_the_wrong_kind(
    full: Site, name: str, old: str, target: str, kind: str, where: str, what: str, needed: str
) -> None:
    full.replace(name, old, f"session: {target}")
    kind_line = full.line("program.yaml", "kind:", after=f"- id: {target}")
    expect(
        full,
        name,
        full.line(name, f"session: {target}"),
        where,
        f"session '{target}' is of kind '{kind}'",
        f"a {what} needs a session of kind '{needed}'",
        f"content/program.yaml:{kind_line}",
    )


def test_invalid_session_kind_is_reported_once(full: Site) -> None:
    full.replace("program.yaml", "kind: forums", "kind: forum")
    expect(
        full,
        "program.yaml",
        full.line("program.yaml", "kind: forum"),
        "parts[0].sessions[2].kind",
        "'forum' is not one of",
        "did you mean 'forums'?",
    )


# --- texts in several languages ----------------------------------------------------------------


def test_missing_translation(site: Site) -> None:
    site.replace("program.yaml", "{de: Vortrag, en: Talk}", "{de: Vortrag}")
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", "{de: Vortrag}"),
        "parts[0].sessions[1].title",
        "missing the text in language 'en'",
    )


def test_unconfigured_language_in_a_text(site: Site) -> None:
    site.replace(
        "program.yaml",
        "title: {de: Vortrag, en: Talk}",
        "title:\n          de: Vortrag\n          en: Talk\n          fr: Exposé",
    )
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", "fr: Exposé"),
        "parts[0].sessions[1].title.fr",
        "language 'fr' is not configured (languages: de, en)",
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_language_tagged_neutral_text(site: Site, lang: str) -> None:
    """One text shown in every language, tagged with the language it is written in (any real one)."""
    site.replace("program.yaml", "{de: Vortrag, en: Talk}", f"{{text: States of Change, lang: {lang}}}")
    talk = site.load().sessions[1]
    assert talk.title.get("de") == talk.title.get("en") == "States of Change"
    assert talk.title.lang_of("de") == lang


@pytest.mark.parametrize(
    ("tagged", "where", "phrase"),
    [
        ("{text: Keynote, lang: xx}", "parts[0].sessions[1].title.lang", "'xx' is not a known language code"),
        ("{text: Keynote, lang: EN}", "parts[0].sessions[1].title.lang", "'EN' is not a known language code"),
        ("{text: Keynote}", "parts[0].sessions[1].title", "missing key 'lang'"),
        ("{lang: en}", "parts[0].sessions[1].title", "missing key 'text'"),
        ("{text: Keynote, lang: en, note: x}", "parts[0].sessions[1].title.note", "unknown key 'note'"),
    ],
)
def test_language_tagged_text_mistakes(site: Site, tagged: str, where: str, phrase: str) -> None:
    site.replace("program.yaml", "{de: Vortrag, en: Talk}", tagged)
    expect(site, "program.yaml", site.line("program.yaml", tagged), where, phrase)


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://example.org/f",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ],
)
def test_unsafe_url(site: Site, url: str) -> None:
    line = insert_after(site, "people.yaml", "    name: Ada Lovelace\n", f"    url: '{url}'\n")
    expect(
        site,
        "people.yaml",
        line,
        "people[0].url",
        f"{url!r} is not a safe link",
        "https:, http:, mailto:, tel:",
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("url: https://example.org/register", "url: http://example.org/register", "registration.url"),
        ("base_url: https://example.org/conf/", "base_url: http://example.org/conf/", "base_url"),
    ],
)
def test_https_required(site: Site, old: str, new: str, where: str) -> None:
    site.replace("conference.yaml", old, new)
    expect(
        site, "conference.yaml", site.line("conference.yaml", new), where, "only https: addresses are allowed"
    )


def test_url_without_host(site: Site) -> None:
    line = insert_after(site, "people.yaml", "    name: Ada Lovelace\n", "    url: https:/example.org\n")
    expect(site, "people.yaml", line, "people[0].url", "has no host")


# --- ids, codes and names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ident", "suggested"),
    [
        ("Talk", "talk"),
        ("talk.2", "talk-2"),
        ("talk/2", "talk-2"),
        ("talk_2", "talk-2"),
        ("Vortrag Eins", "vortrag-eins"),
    ],
)
def test_bad_id(site: Site, ident: str, suggested: str) -> None:
    site.replace("program.yaml", "- id: talk", f"- id: '{ident}'")
    expect(
        site,
        "program.yaml",
        site.line("program.yaml", f"id: '{ident}'"),
        "parts[0].sessions[1].id",
        f"'{ident}' is not an id",
        f"e.g. '{suggested}'",
    )


@pytest.mark.parametrize("zone", ["Europe/Wuppertal", "Mars/Olympus", "../../etc/passwd", "Berlin"])
def test_bad_timezone(site: Site, zone: str) -> None:
    site.replace("conference.yaml", "timezone: Europe/Berlin", f"timezone: {zone}")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "timezone:"),
        "timezone",
        f"'{zone}' is not a timezone (e.g. Europe/Berlin)",
    )


@pytest.mark.parametrize(
    ("written", "phrase"),
    [
        ("xx", "'xx' is not a known language code"),
        ("EN", "'EN' is not a language code such as de or en"),
        ("deutsch", "'deutsch' is not a language code"),
        ("no", "quote the word"),  # Norwegian, read by YAML as false
    ],
)
def test_bad_language_code_is_reported_once(full: Site, written: str, phrase: str) -> None:
    """Texts, pages and interface strings are not judged by a broken languages list."""
    full.write("i18n/en.yaml", "home: Start\n")
    full.replace("conference.yaml", "languages: [de, en]", f"languages: [de, {written}]")
    expect(full, "conference.yaml", full.line("conference.yaml", "languages:"), "languages[1]", phrase)


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("XX", "'XX' is not an ISO country code"),
        ("de", "two-letter country code such as DE"),
        ("DEU", "two-letter country code such as DE"),
    ],
)
def test_bad_country_code(site: Site, code: str, phrase: str) -> None:
    site.replace("conference.yaml", "country: DE", f"country: {code}")
    expect(site, "conference.yaml", site.line("conference.yaml", "country:"), "venue.country", phrase)


# --- registration and contact ------------------------------------------------------------------


def _registration_parts(site: Site, text: str) -> None:
    insert_after(site, "conference.yaml", "  deadline: 2019-03-27\n", "  parts:\n" + text)


def test_registration_part_that_is_no_program_part(site: Site) -> None:
    _registration_parts(site, "    mornin:\n      status: open\n")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "mornin:"),
        "registration.parts.mornin",
        "unknown program part 'mornin'",
        "did you mean 'morning'?",
    )


@pytest.mark.parametrize("status", ["opened", "Open", "sold out", "true"])
def test_registration_status_not_in_the_list(site: Site, status: str) -> None:
    _registration_parts(site, f"    morning:\n      status: {status}\n")
    error = expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "status:"),
        "registration.parts.morning.status",
        "is not one of open, waitlist, full, closed",
    )
    if status == "opened":
        assert "did you mean 'open'?" in error.message


def test_registration_part_states_load(site: Site) -> None:
    _registration_parts(site, "    morning:\n      status: waitlist\n      capacity: 30\n")
    conf = site.load()
    assert [(p, r.status, r.capacity) for p, r in conf.registration.parts] == [("morning", "waitlist", 30)]


@pytest.mark.parametrize(
    "empty",
    [
        "contact:\n",
        "contact: {}\n",
        "contact:\n  email:\n  url:\n",
        "contact: {name: , phone: }\n",
        "contact:\n  email: ~\n",
    ],
)
def test_contact_with_no_keys(site: Site, empty: str) -> None:
    site.replace("conference.yaml", "contact:\n  email: info@example.org\n", empty)
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "contact:"),
        "contact",
        "give at least one of name, email, phone, url",
    )


def test_bad_email(site: Site) -> None:
    site.replace("conference.yaml", "info@example.org", "info-at-example.org")
    expect(
        site,
        "conference.yaml",
        site.line("conference.yaml", "email:"),
        "contact.email",
        "is not an e-mail address",
    )


# --- reading files -----------------------------------------------------------------------------


def test_yaml_syntax_error(site: Site) -> None:
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: [ada, grace}")
    expect(site, "program.yaml", site.line("program.yaml", "grace}"), "", "not valid YAML")


#: Common slips in YAML: (file, text written, text instead, the line to report (a piece of it),
#: the message in English, in German). In the messages, {piece} stands for the line of that piece.
SLIPS = {
    "colon-in-text": (
        "program.yaml",
        "title: {de: Vortrag, en: Talk}",
        "title: Workshop 1: Begrüßung",
        "Workshop 1",
        'a colon and a space inside a text; put the text in quotes: title: "Workshop 1: Begrüßung"',
        "ein Doppelpunkt mit Leerzeichen in einem Text; setzen Sie den Text in Anführungszeichen:"
        ' title: "Workshop 1: Begrüßung"',
    ),
    "colon-in-a-flow-mapping": (
        "program.yaml",
        "title: {de: Vortrag, en: Talk}",
        "title: {de: Workshop 1: Begrüßung, en: Talk}",
        "Workshop 1",
        "a colon and a space inside a text; put the text in quotes",
        "ein Doppelpunkt mit Leerzeichen in einem Text; setzen Sie den Text in Anführungszeichen",
    ),
    "colon-in-a-text-of-two-lines": (
        "program.yaml",
        "title: {de: Vortrag, en: Talk}",
        "title: Vortrag\n          und Fragen: alle",
        "und Fragen",
        "a colon and a space inside the text that starts on line {title: Vortrag}; put the text in quotes",
        "ein Doppelpunkt mit Leerzeichen im Text, der in Zeile {title: Vortrag} beginnt; setzen Sie den Text"
        " in Anführungszeichen",
    ),
    "key-indented-too-far": (
        "people.yaml",
        "    name: Grace Hopper",
        "    name: Grace Hopper\n     role: Admiral",
        "role: Admiral",
        "this key is indented further than the key above it; indent it like that one",
        "dieser Schlüssel ist weiter eingerückt als der darüber; rücken Sie ihn ein wie jenen",
    ),
    "backtick": (
        "people.yaml",
        "name: Grace Hopper",
        "name: `Grace` Hopper",
        "`Grace`",
        'a text cannot start with `; put it in quotes: name: "`Grace` Hopper"',
        'ein Text kann nicht mit ` beginnen; setzen Sie ihn in Anführungszeichen: name: "`Grace` Hopper"',
    ),
    "at-sign": (
        "people.yaml",
        "name: Grace Hopper",
        "name: '@grace'\n    role: @admiral",
        "@admiral",
        'a text cannot start with @; put it in quotes: role: "@admiral"',
        'ein Text kann nicht mit @ beginnen; setzen Sie ihn in Anführungszeichen: role: "@admiral"',
    ),
    "undefined-alias": (
        "people.yaml",
        "name: Grace Hopper",
        "name: *Grace Hopper",
        "*Grace",
        'a text cannot start with *; put it in quotes: name: "*Grace Hopper"',
        'ein Text kann nicht mit * beginnen; setzen Sie ihn in Anführungszeichen: name: "*Grace Hopper"',
    ),
    "alias-with-a-star-after-it": (
        "people.yaml",
        "name: Grace Hopper",
        "name: *Grace* Hopper",
        "*Grace*",
        'a text cannot start with *; put it in quotes: name: "*Grace* Hopper"',
        'ein Text kann nicht mit * beginnen; setzen Sie ihn in Anführungszeichen: name: "*Grace* Hopper"',
    ),
    "key-indented-too-little": (
        "people.yaml",
        "    name: Grace Hopper",
        "   name: Grace Hopper",
        "Grace Hopper",
        "this line is indented unlike the lines above it (the list or mapping that starts on line"
        " {- id: ada}); indent it like the keys it belongs to",
        "diese Zeile ist anders eingerückt als die Zeilen darüber (die Liste oder Zuordnung, die in Zeile"
        " {- id: ada} beginnt); rücken Sie sie ein wie die Schlüssel, zu denen sie gehört",
    ),
    "dash-without-space": (
        "people.yaml",
        "  - id: grace",
        "  -id: grace",
        "-id: grace",
        'a list item starts with "- " (a dash, then a space)',
        'ein Listeneintrag beginnt mit "- " (Bindestrich, dann Leerzeichen)',
    ),
    "key-without-colon": (
        "people.yaml",
        "  - id: grace",
        "  - id grace",
        "id grace",
        'a line without "key: value"; add the ": " after the key (a text of several lines goes in quotes)',
        'eine Zeile ohne "Schlüssel: Wert"; ergänzen Sie ": " nach dem Schlüssel (ein Text über mehrere'
        " Zeilen gehört in Anführungszeichen)",
    ),
    "quote-never-closed": (
        "people.yaml",
        "name: Grace Hopper",
        'name: "Grace Hopper',
        '"Grace',
        'the quote " that opens here is never closed; close it at the end of the text',
        'das Anführungszeichen ", das hier beginnt, wird nie geschlossen; schließen Sie es am Ende'
        " des Textes",
    ),
    "quote-closed-early": (
        "people.yaml",
        "name: Grace Hopper",
        "name: 'Grace's Hopper'",
        "Grace's",
        "the quoted text ends at the ' before this; write a ' inside it as ''",
        "der Text in Anführungszeichen endet am ' davor; schreiben Sie ein ' darin als ''",
    ),
    "double-quote-closed-early": (
        "people.yaml",
        "name: Grace Hopper",
        'name: "Grace "Amazing" Hopper"',
        "Amazing",
        'the quoted text ends at the " before this; write a " inside it as \\"',
        'der Text in Anführungszeichen endet am " davor; schreiben Sie ein " darin als \\"',
    ),
    "line-separator": (
        "people.yaml",
        "name: Ada Lovelace",
        "name: Ada\u2028Lovelace",
        "Ada\u2028",
        "the invisible line break U+2028 (left by pasting, mostly) ends the line here; remove it",
        "der unsichtbare Zeilenumbruch U+2028 (meist vom Einfügen) beendet hier die Zeile; entfernen Sie ihn",
    ),
}


@pytest.mark.parametrize("slip", SLIPS.values(), ids=SLIPS.keys())
def test_common_yaml_slips_say_what_to_do_at_their_line(site: Site, slip: tuple[str, ...]) -> None:
    name, old, new, needle, english, german = slip
    site.replace(name, old, new)
    error = expect(site, name, site.line(name, needle), "")

    def lines(message: str) -> str:
        return re.sub(r"\{([^}]+)\}", lambda piece: str(site.line(name, piece[1])), message)

    assert error.message == lines(english)
    assert error.text is not None and error.text.render("de") == lines(german)


def test_a_quote_closed_by_a_later_apostrophe_is_reported_where_it_opens(site: Site) -> None:
    """YAML reads on to the next ' (in "Ada's talk", six lines down), and fails only there."""
    site.replace("program.yaml", "title: {de: Begrüßung, en: Welcome}", "title: 'Begrüßung")
    site.replace("program.yaml", "title: {de: Vortrag, en: Talk}", 'title: {de: Vortrag, en: "Ada\'s talk"}')
    error = expect(site, "program.yaml", site.line("program.yaml", "'Begrüßung"), "")
    closed = site.line("program.yaml", "Ada's talk")
    assert error.message == (
        f"the quoted text that starts here ends only on line {closed}; close it with ' on this line"
        " (an apostrophe inside '...' is written '')"
    )
    assert error.text is not None and error.text.render("de") == (
        f"der Text in Anführungszeichen, der hier beginnt, endet erst in Zeile {closed}; schließen Sie ihn"
        " in dieser Zeile mit ' (ein Apostroph in '...' wird '' geschrieben)"
    )


def test_a_line_separator_far_from_a_slip_is_not_blamed_for_it(site: Site) -> None:
    site.replace("people.yaml", "name: Ada Lovelace", 'name: "Ada\u2028Lovelace"')
    site.replace("people.yaml", "    name: Grace Hopper", "   name: Grace Hopper")
    expect(site, "people.yaml", site.line("people.yaml", "Grace Hopper"), "", "this line is indented unlike")


@pytest.mark.parametrize("pasted", ["\u2028", "\u2029", "\x85"])
def test_lines_after_a_pasted_line_break_are_the_lines_an_editor_sees(site: Site, pasted: str) -> None:
    """YAML counts U+2028 (and U+2029, U+0085) as a line break; editors do not."""
    site.replace("people.yaml", "name: Ada Lovelace", f'name: "Ada{pasted}Lovelace"')  # (stays in the text)
    site.replace("people.yaml", "name: Grace Hopper", "name: Grace Hopper\n    nme: Hopper")
    expect(site, "people.yaml", site.line("people.yaml", "nme:"), "people[1].nme", "unknown key 'nme'")


@pytest.mark.parametrize("pasted", ["\u2028", "\x85"])
def test_a_pasted_line_break_that_makes_an_item_is_reported_on_its_line(site: Site, pasted: str) -> None:
    site.replace("people.yaml", "name: Ada Lovelace", f"name: Ada Lovelace{pasted}  - id: bob")
    expect(site, "people.yaml", site.line("people.yaml", "- id: bob"), "people[1]", "missing key 'name'")


def test_lines_of_a_file_saved_with_carriage_returns_only(site: Site) -> None:
    """Old Mac files end lines with CR alone: YAML and editors take it for a line break."""
    site.replace("people.yaml", "name: Grace Hopper", "name: Grace Hopper\n    nme: Hopper\n    role: 'x")
    (site.content / "people.yaml").write_bytes(site.read("people.yaml").replace("\n", "\r").encode())
    errors = site.errors()
    assert [(e.line, e.message[:26]) for e in errors] == [
        (site.line("people.yaml", "role: 'x"), "the quote ' that opens her"),
    ]
    site.replace("people.yaml", "role: 'x", "role: x")
    (site.content / "people.yaml").write_bytes(site.read("people.yaml").replace("\n", "\r").encode())
    expect(site, "people.yaml", site.line("people.yaml", "nme:"), "people[1].nme", "unknown key 'nme'")


def test_a_slip_in_front_matter_is_reported_at_its_line_of_the_file(full: Site) -> None:
    full.replace("pages/about.en.md", "title: About us", "title: About: us")
    error = expect(full, "pages/about.en.md", full.line("pages/about.en.md", "About: us"), "")
    assert error.message == 'a colon and a space inside a text; put the text in quotes: title: "About: us"'


def test_unclosed_bracket_names_the_line_where_it_opens(site: Site) -> None:
    site.replace("program.yaml", "speakers: [ada, grace]", "speakers: [ada, grace")
    error = single(site)
    opened = site.line("program.yaml", "[ada, grace")
    assert error.path == "content/program.yaml" and error.line >= opened
    assert (
        "not valid YAML" in error.message and f"the [...] list that starts on line {opened}" in error.message
    )


@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x0c", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_raw_control_character_is_reported_at_its_line(site: Site, char: str) -> None:
    """Word leaves \\x0b for Shift+Enter; pasted, it is invisible and YAML refuses the whole file."""
    site.replace("program.yaml", "title: {de: Vortrag, en: Talk}", f"title: {{de: Vor{char}trag, en: Talk}}")
    error = expect(
        site,
        "program.yaml",
        site.line("program.yaml", f"Vor{char}trag"),
        "",
        f"the text holds the invisible character U+{ord(char):04X}, which pages cannot show; remove it",
    )
    assert error.text is not None
    assert error.text.render("de") == (
        f"der Text enthält das unsichtbare Zeichen U+{ord(char):04X}, das Seiten nicht zeigen können;"
        " entfernen Sie es"
    )


def test_every_raw_control_character_is_reported(site: Site) -> None:
    site.replace("people.yaml", "name: Ada Lovelace", "name: Ada\x0bLovelace\x0b")
    site.replace("people.yaml", "name: Grace Hopper", "name: Grace\x01Hopper")
    errors = site.errors()
    assert [(e.path, e.line, e.message[:45]) for e in errors] == [
        (
            "content/people.yaml",
            site.line("people.yaml", "Ada"),
            "the text holds the invisible character U+000B",
        ),
        (
            "content/people.yaml",
            site.line("people.yaml", "Grace"),
            "the text holds the invisible character U+0001",
        ),
    ]


def test_many_raw_control_characters_are_reported_up_to_a_limit(site: Site) -> None:
    site.write("people.yaml", "people:\n" + "".join(f"  - id: p{n}\n    name: P\x0b{n}\n" for n in range(30)))
    errors = site.errors()
    assert len(errors) == yamlparse.MAX_INVISIBLE + 1
    assert [e.line for e in errors[: yamlparse.MAX_INVISIBLE]] == [
        2 * n + 3 for n in range(yamlparse.MAX_INVISIBLE)
    ]
    assert errors[-1].line == 2 * yamlparse.MAX_INVISIBLE + 3
    assert errors[-1].message == "more invisible characters follow from here; remove them too"


def test_every_control_character_of_a_page_is_reported(full: Site) -> None:
    full.replace("pages/about.en.md", "We are **us**.", "We\x0b are\n**us**\x1b.")
    errors = full.errors()
    assert [(e.path, e.line, e.message[:46]) for e in errors] == [
        (
            "content/pages/about.en.md",
            full.line("pages/about.en.md", "We"),
            "the text holds the invisible character U+000B,",
        ),
        (
            "content/pages/about.en.md",
            full.line("pages/about.en.md", "**us**"),
            "the text holds the invisible character U+001B,",
        ),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [("        kind: talk", "\tkind: talk"), ("    name: Grace Hopper", "  \tname: Grace Hopper")],
    ids=["tab-indent", "tab-after-spaces"],
)
def test_tab_indentation(site: Site, old: str, new: str) -> None:
    name = "program.yaml" if "kind" in old else "people.yaml"
    site.replace(name, old, new)
    expect(site, name, site.line(name, new.strip()), "", "a tab character; indent YAML with spaces only")


def test_file_that_is_not_utf8(site: Site) -> None:
    line = site.line("people.yaml", "Grace Hopper")
    text = site.read("people.yaml").replace("Grace Hopper", "Grâce Hopper")
    (site.content / "people.yaml").write_bytes(text.encode("latin-1"))
    # one error: the program's references to people are not reported as unknown on top
    expect(site, "people.yaml", line, "", "byte 0xe2 is not UTF-8", "save the file with UTF-8 encoding")


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing here yet\n"])
@pytest.mark.parametrize("name", ["conference.yaml", "program.yaml", "people.yaml"])
def test_empty_file(site: Site, name: str, text: str) -> None:
    site.write(name, text)
    expect(site, name, 1, "", "file is empty", f"the keys of {name}")


@pytest.mark.parametrize("name", ["conference.yaml", "program.yaml", "people.yaml"])
def test_missing_required_file(site: Site, name: str) -> None:
    site.remove(name)
    expect(site, name, 1, "", "file not found", f"every content folder needs {name}")


def _rename(site: Site, old: str, new: str) -> None:
    (site.content / old).rename(site.content / new)


@pytest.mark.parametrize(
    ("old", "new", "meant", "what"),
    [
        ("podium.yaml", "podium.yml", "podium.yaml", "file"),
        ("forums.yaml", "Forums.yaml", "forums.yaml", "file"),
        ("people.yaml", "People.YML", "people.yaml", "file"),
        ("program.yaml", "program.yml", "program.yaml", "file"),  # (and not "program.yaml: file not found")
        ("pages", "Pages", "pages", "folder"),
        ("i18n/de.yaml", "i18n/de.yml", "de.yaml", "file"),
        ("i18n/de.yaml", "i18n/de.YAML", "de.yaml", "file"),  # (DE.yaml: "language 'DE' is not configured")
    ],
)
def test_a_file_or_folder_named_almost_as_one_that_is_read(
    full: Site, old: str, new: str, meant: str, what: str
) -> None:
    """Else left out in silence: the forums, the podium or the pages would be missing from the site."""
    full.write("i18n/de.yaml", "home: Start\n")
    _rename(full, old, new)
    error = expect(full, new, 1, "", f"confsite does not read a {what} of this name; did you mean '{meant}'?")
    assert error.text is not None
    assert error.text.render("de") == (
        f"{'eine Datei' if what == 'file' else 'einen Ordner'} dieses Namens liest confsite nicht;"
        f" meinten Sie '{meant}'?"
    )


def test_a_file_named_almost_as_one_beside_it(full: Site) -> None:
    full.write("podium.yml", full.read("podium.yaml"))
    expect(
        full,
        "podium.yml",
        1,
        "",
        "confsite reads 'podium.yaml' beside it, not this file; move what this one holds there and remove it",
    )


def test_a_page_in_a_subfolder_of_pages(full: Site) -> None:
    full.write("pages/alt/team.de.md", "---\ntitle: Team\n---\n")
    full.write("pages/alt/.hidden.de.md", "---\ntitle: Team\n---\n")
    full.write("pages/alt/team.de.md~", "---\ntitle: Team\n---\n")
    full.write("pages/alt/photo.jpg", "")
    error = expect(
        full,
        "pages/alt/team.de.md",
        1,
        "",
        "a page in a subfolder of pages/ is not read; move this file into pages/ itself",
    )
    assert error.text is not None and error.text.render("de") == (
        "eine Seite in einem Unterordner von pages/ wird nicht gelesen; verschieben Sie diese Datei"
        " direkt nach pages/"
    )


def test_other_files_and_folders_in_the_content_folder_are_allowed(full: Site) -> None:
    for name in ("logo.png", "README.md", "notes.txt", "program-old.yaml", "img/photo.jpg", "program.yaml~"):
        full.write(name, "")
    full.load()


def test_missing_content_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    error = single(Site(tmp_path))
    assert (error.path, error.line, error.message) == ("content", 1, "content folder not found")


def test_file_that_is_not_a_mapping(site: Site) -> None:
    site.write("people.yaml", "- id: ada\n  name: Ada Lovelace\n")
    expect(site, "people.yaml", 1, "", "expected a mapping with keys like people", "got a list")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object/apply:os.system ['touch pwned']", "!!python/object/apply:os.system"),
        ("!!python/object/new:os.system ['touch pwned']", "!!python/object/new:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!shell touch pwned", "!shell"),
    ],
)
def test_yaml_tags_that_construct_objects(site: Site, value: str, shown: str) -> None:
    site.replace("people.yaml", "name: Grace Hopper", f"name: {value}")
    expect(
        site,
        "people.yaml",
        site.line("people.yaml", value),
        "",
        "YAML tags that construct objects are not allowed",
        shown,
    )
    assert not (site.root / "pwned").exists()


def test_alias_bomb_is_refused(site: Site) -> None:
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    site.write("people.yaml", "\n".join(rows) + "\npeople: []\n")
    expect(site, "people.yaml", 1, "", "too many aliases")


def test_small_aliases_are_fine(site: Site) -> None:
    site.append("people.yaml", "  - id: grace-junior\n    name: *grace\n")
    site.replace("people.yaml", "name: Grace Hopper", "name: &grace Grace Hopper")
    assert [p.name for p in site.load().people] == ["Ada Lovelace", "Grace Hopper", "Grace Hopper"]


def test_merged_mapping_keys_yield_to_the_keys_written_beside_them(site: Site) -> None:
    site.replace("program.yaml", "      - id: talk\n", "      - &talk\n        id: talk\n")
    site.append(
        "program.yaml",
        '      - <<: *talk\n        id: talk-2\n        start: "11:00"\n        end: "11:30"\n',
    )
    talk = site.load().session_by_id["talk-2"]
    assert (talk.title.get("en"), talk.start.hour, talk.end.minute) == ("Talk", 11, 30)


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BACKUPS)
def test_backups_beside_a_page_are_left_out(full: Site, name: str) -> None:
    full.write(f"pages/{name}", "no front matter, no page name")
    assert sorted((p.lang, p.title) for p in full.load().pages) == [("de", "Über uns"), ("en", "About us")]


def test_page_with_unknown_language_suffix(full: Site) -> None:
    full.write("pages/about.eng.md", "---\ntitle: About\n---\n")
    expect(full, "pages/about.eng.md", 1, "", "language 'eng' is not configured", "did you mean 'en'?")


def test_page_file_name_without_language(full: Site) -> None:
    full.write("pages/contact.md", "---\ntitle: Contact\n---\n")
    expect(full, "pages/contact.md", 1, "", "<slug>.<language>.md")


def test_page_without_its_translation(full: Site) -> None:
    full.remove("pages/about.en.md")
    expect(full, "pages/about.de.md", 1, "", "no 'en' translation", "add pages/about.en.md")


def test_page_whose_translation_is_a_draft(full: Site) -> None:
    full.replace("pages/about.en.md", "order: 10", "draft: true")
    expect(full, "pages/about.de.md", 1, "", "'en' translation pages/about.en.md is a draft")


def test_pages_that_are_drafts_in_every_language_are_left_out(full: Site) -> None:
    full.replace("pages/about.en.md", "order: 10", "draft: true")
    full.replace("pages/about.de.md", "order: 10", "draft: true")
    assert full.load().pages == ()


def test_broken_front_matter(full: Site) -> None:
    full.replace("pages/about.en.md", "title: About us", "title: [About us")
    error = single(full)  # the German page does not also complain about a missing translation
    assert error.path == "content/pages/about.en.md" and "not valid YAML" in error.message
    assert f"starts on line {full.line('pages/about.en.md', '[About us')}" in error.message


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        ("title: About\n\nWe are us.\n", 1, "no front matter"),
        ("---\ntitle: About\nWe are us.\n", 1, "front matter is not closed"),
        ("---\n---\nWe are us.\n", 2, "front matter must be a mapping with at least a title"),
        ("---\n- About\n---\nWe are us.\n", 2, "front matter must be a mapping"),
    ],
)
def test_page_front_matter_shape(full: Site, text: str, line: int, phrase: str) -> None:
    full.write("pages/about.en.md", text)
    expect(full, "pages/about.en.md", line, "", phrase)


def test_front_matter_without_title(full: Site) -> None:
    full.replace("pages/about.en.md", "title: About us\n", "")
    expect(full, "pages/about.en.md", 2, "front matter", "missing key 'title'")


def test_front_matter_line_numbers_count_from_the_file_start(full: Site) -> None:
    full.replace("pages/about.en.md", "order: 10", "order: ten")
    expect(
        full,
        "pages/about.en.md",
        full.line("pages/about.en.md", "order: ten"),
        "front matter.order",
        "expected a whole number",
    )


# --- interface strings (i18n overrides) --------------------------------------------------------


def test_i18n_override_with_unknown_key(site: Site) -> None:
    site.write("i18n/en.yaml", "home: Start\nprogramm: Schedule\n")
    expect(site, "i18n/en.yaml", 2, "programm", "unknown interface string", "did you mean 'program'?")


def test_i18n_override_replaces_a_shipped_string(site: Site) -> None:
    site.write("i18n/en.yaml", "program: Schedule\n")
    assert site.load().ui("en")["program"] == "Schedule"


def test_i18n_override_for_unconfigured_language(site: Site) -> None:
    site.write("i18n/fr.yaml", "home: Accueil\n")
    expect(site, "i18n/fr.yaml", 1, "", "language 'fr' is not configured (languages: de, en)")


def test_i18n_override_that_is_not_a_mapping(site: Site) -> None:
    site.write("i18n/de.yaml", "- Start\n")
    expect(site, "i18n/de.yaml", 1, "", "expected a mapping of string names to texts")


def _add_french(site: Site) -> None:
    """Configure fr and give every text a French version."""
    site.replace("conference.yaml", "languages: [de, en]", "languages: [de, en, fr]")
    for name in ("conference.yaml", "program.yaml"):
        site.write(name, re.sub(r"en: ([^}]+)\}", r"en: \1, fr: \1}", site.read(name)))


def test_language_the_templates_do_not_ship_needs_every_string(site: Site) -> None:
    _add_french(site)
    first_key = sorted(yaml.safe_load((TEMPLATES / "i18n" / "en.yaml").read_text(encoding="utf-8")))[0]
    error = expect(
        site, "i18n/fr.yaml", 1, "", "language 'fr' has no interface strings shipped", "create this file"
    )
    assert error.message.split("missing: ")[1].startswith(f"{first_key}, ")
    site.write("i18n/fr.yaml", f"{first_key}: x\n")
    error = expect(site, "i18n/fr.yaml", 1, "", "this file must supply them all")
    assert first_key not in error.message.split("missing: ")[1].split(", ")


def test_language_the_templates_do_not_ship_with_every_string(site: Site) -> None:
    _add_french(site)
    site.write("i18n/fr.yaml", (TEMPLATES / "i18n" / "en.yaml").read_text(encoding="utf-8"))
    site.replace("i18n/fr.yaml", "home: Home", "home: Accueil")
    conf = site.load()
    assert conf.languages == ("de", "en", "fr") and conf.ui("fr")["home"] == "Accueil"


@pytest.mark.parametrize("name", ["conference.yaml", "program.yaml", "people.yaml"])
@pytest.mark.parametrize(
    ("text", "phrase"),
    [("parts: [\n", "not valid YAML"), ("", "file is empty"), ("- just a list\n", "expected a mapping")],
    ids=["syntax", "empty", "list"],
)
def test_one_broken_file_gives_one_error(full: Site, name: str, text: str, phrase: str) -> None:
    """Forums, podium, registration and pages refer to it: none of them adds follow-up errors."""
    insert_after(
        full, "conference.yaml", "  deadline: 2019-03-27\n", "  parts:\n    morning:\n      status: open\n"
    )
    full.write(name, text)
    error = single(full)
    assert error.path == full.shown(name) and phrase in error.message
