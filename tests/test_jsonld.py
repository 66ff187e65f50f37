"""Structured data: the schema.org Event that search engines read on the home and session pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import html
from test_incremental import synth  # the benchmark's conference generator
from test_pagecache import stand_in_flyer

from confsite.jsonld import HOME_SUB_EVENTS
from confsite.model import Conference
from confsite.pipeline import build, load, render_site
from confsite.routes import Routes

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2019, 3, 1, tzinfo=BERLIN)
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def conf() -> Conference:
    return load(CONTENT)


@pytest.fixture(scope="module")
def site(default_site: Path) -> Path:
    """The default site, built once for the session (conftest.py)."""
    return default_site


def structured(page: bytes) -> dict[str, Any]:
    """Return the one JSON-LD block of a page; its script text must be nothing but the JSON."""
    scripts = html.fromstring(page).xpath('//head/script[@type="application/ld+json"]')
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].text)
    return data


def page(site: Path, folder: str) -> bytes:
    return (site / folder / "index.html").read_bytes()


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_home_page_describes_the_event(site: Path, conf: Conference, lang: str) -> None:
    routes = Routes(conf)
    data = structured(page(site, routes.path("home", lang)))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == conf.title.get(lang)
    assert data["url"] == conf.base_url + routes.path("home", lang)
    assert when(data["startDate"]) == conf.start and when(data["endDate"]) == conf.end
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["inLanguage"] == conf.default_language
    location = data["location"]
    assert location["@type"] == "Place" and location["name"] == conf.venue.name.get(lang)
    assert location["address"] == {
        "@type": "PostalAddress",
        "streetAddress": conf.venue.street,
        "postalCode": conf.venue.postal_code,
        "addressLocality": conf.venue.city.get(lang),
        "addressCountry": conf.venue.country,
    }
    assert [o["name"] for o in data["organizer"]] == [o.name.get(lang) for o in conf.organizers]
    assert [o["url"] for o in data["organizer"]] == [o.url for o in conf.organizers]
    assert [e["name"] for e in data["subEvent"]] == [s.title.get(lang) for s in conf.sessions]
    for event, session in zip(data["subEvent"], conf.sessions, strict=True):
        assert when(event["startDate"]) == session.start and when(event["endDate"]) == session.end
        assert event["url"] == conf.base_url + routes.path("session", lang, session.id)


def offers(site_files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in structured(site_files["en/index.html"])["offers"]}


def test_offers_follow_the_registration_state(conf: Conference) -> None:
    workshop, conference = (p.title.get("en") for p in conf.parts)
    early = offers(render_site(conf, NOW))
    for offer in early.values():
        assert offer["@type"] == "Offer"
        assert offer["price"] == 0 and offer["priceCurrency"] == "EUR"
        assert offer["url"] == conf.registration.url
    # The content marks the workshop as full; the conference is open until 27 March.
    assert early[workshop]["availability"] == SCHEMA + "SoldOut"
    assert early[conference]["availability"] == SCHEMA + "InStock"
    settings = conf.registration.part("konferenz")
    assert settings is not None and settings.deadline is not None
    assert when(early[conference]["validThrough"]) == settings.deadline
    late = offers(render_site(conf, settings.deadline + dt.timedelta(minutes=1)))
    assert late[conference]["availability"] == SCHEMA + "SoldOut"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_session_pages_describe_the_session(site: Path, conf: Conference, lang: str) -> None:
    routes = Routes(conf)
    home = conf.base_url + routes.path("home", lang)
    for session in conf.sessions:
        data = structured(page(site, routes.path("session", lang, session.id)))
        assert data["@type"] == "Event"
        assert data["name"] == session.title.get(lang)
        assert when(data["startDate"]) == session.start and when(data["endDate"]) == session.end
        assert data["url"] == conf.base_url + routes.path("session", lang, session.id)
        assert data["location"]["address"]["streetAddress"] == conf.venue.street
        assert data["superEvent"]["name"] == conf.title.get(lang)
        assert data["superEvent"]["url"] == home
        names = [p["name"] for p in data.get("performer", [])]
        assert all(p["@type"] == "Person" for p in data.get("performer", []))
        for pid in session.speakers:
            assert conf.person(pid).name in names


def test_performers_are_people_with_their_pages(site: Path, conf: Conference) -> None:
    routes = Routes(conf)
    data = structured(page(site, routes.path("session", "en", "grussworte")))
    grimm = next(p for p in data["performer"] if p["name"] == "Vera Grimm")
    assert grimm["honorificPrefix"] == "Dr."
    assert grimm["affiliation"]["name"] == "Federal Ministry of Education and Research (BMBF)"
    assert grimm["url"] == conf.base_url + routes.path("person", "en", "grimm")
    mucke = next(p for p in data["performer"] if p["name"] == "Andreas Mucke")
    assert mucke["jobTitle"] == "Lord Mayor of Wuppertal"


def test_forums_session_lists_its_forums(site: Path, conf: Conference) -> None:
    routes = Routes(conf)
    data = structured(page(site, routes.path("session", "de", "arbeitsforen")))
    assert [e["name"] for e in data["subEvent"]] == [
        f.title.get("de") for f in conf.forums_in("arbeitsforen")
    ]


ATTACK = "</script><script>alert(1)</script>"
HOSTILE = {
    "conference.yaml": f"""
        id: hostile
        languages: [en, de]
        timezone: Europe/Berlin
        base_url: https://example.org/hostile/
        title: {{en: "Safe & sound {ATTACK}", de: "Sicher <!-- {ATTACK}"}}
        dates: [2024-05-06]
        venue:
          name: "Hall {ATTACK}"
          street: Markt 1
          postal_code: "12345"
          city: Musterstadt
          country: DE
        registration: {{url: "https://example.org/register", deadline: 2024-05-01}}
        """,
    "program.yaml": f"""
        parts:
          - id: day
            title: {{en: Day, de: Tag}}
            sessions:
              - id: talk
                start: "10:00"
                end: "11:00"
                kind: talk
                title: "Talk {ATTACK} ]]> -->"
                speakers: [eve]
        """,
    "people.yaml": f"""
        people:
          - {{id: eve, name: "Eve {ATTACK}"}}
        """,
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    for name, text in HOSTILE.items():
        (base / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    build(base, base / "site", now=dt.datetime(2024, 4, 1, tzinfo=BERLIN))
    return base / "site"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("en/", f"Safe & sound {ATTACK}"),
        ("de/", f"Sicher <!-- {ATTACK}"),
        ("en/programme/talk/", f"Talk {ATTACK} ]]> -->"),
    ],
)
def test_no_text_can_leave_the_script_element(hostile: Path, folder: str, name: str) -> None:
    raw = page(hostile, folder)
    document = html.fromstring(raw)
    scripts = document.xpath("//script")
    assert all(s.get("type") == "application/ld+json" or s.get("src") for s in scripts), "a script escaped"
    assert not any("alert(1)" in (s.text or "") for s in scripts if s.get("type") != "application/ld+json")
    data = structured(raw)
    assert data["name"] == name
    assert data["location"]["name"] == f"Hall {ATTACK}"
    script_text = document.xpath('//script[@type="application/ld+json"]')[0].text
    assert script_text.startswith("{") and script_text.endswith("}")
    assert "<" not in script_text and ">" not in script_text and "&" not in script_text
    if folder.endswith("talk/"):
        assert data["performer"][0]["name"] == f"Eve {ATTACK}"


def test_the_price_comes_from_the_content_and_is_left_out_when_unknown(conf: Conference) -> None:
    priced = dataclasses.replace(
        conf, registration=dataclasses.replace(conf.registration, price=20.5, currency="CHF")
    )
    for offer in offers(render_site(priced, NOW)).values():
        assert offer["price"] == 20.5 and offer["priceCurrency"] == "CHF"
    unknown = dataclasses.replace(conf, registration=dataclasses.replace(conf.registration, price=None))
    for offer in offers(render_site(unknown, NOW)).values():
        assert "price" not in offer and "priceCurrency" not in offer


@pytest.mark.parametrize("extra", [0, 1])
def test_a_large_programme_is_described_on_its_session_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: int
) -> None:
    """Up to HOME_SUB_EVENTS sessions the home page lists them; beyond, only their own pages do."""
    monkeypatch.chdir(tmp_path)  # (its caches)
    synth.write(tmp_path / "content", synth.conference(HOME_SUB_EVENTS + extra, seed=5))
    big = load(tmp_path / "content")
    assert len(big.sessions) == HOME_SUB_EVENTS + extra
    files = render_site(big, dt.datetime(2030, 8, 1, 12, tzinfo=big.tz), flyers=stand_in_flyer, feeds=False)
    routes = Routes(big)
    home_page = files[routes.path("home", "en") + "index.html"]
    home = structured(home_page)
    if extra:
        assert "subEvent" not in home
        assert len(home_page) < 30_000
    else:
        assert len(home["subEvent"]) == HOME_SUB_EVENTS
    for session in big.sessions:
        data = structured(files[routes.path("session", "en", session.id) + "index.html"])
        assert data["superEvent"]["@id"] == home["@id"]
