"""Generate a synthetic conference in the content format, for benchmarks and tests.

``python bench/synth.py 1000 /tmp/conf`` writes a valid content folder with 1,000 sessions
over several days in many rooms, 1.2 people per session with bios, Markdown descriptions of
about 100 words per language, forum groups and panels. The same size and seed give the same
files, byte for byte. Tests build the data with :func:`conference`, change it, and write it
with :func:`write`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import yaml

#: Sessions start on the hour from 08:00 to 19:00 and last 45 minutes.
FIRST_HOUR, SLOTS_PER_ROOM = 8, 12
FIRST_DAY = dt.date(2030, 9, 2)


def _vocabulary(words: str) -> list[str]:
    """Split a line of words into a list (easier to read than a list of literals)."""
    return words.split()


_DE = _vocabulary(
    "Kommune Verwaltung Quartier Beteiligung Bürgerinnen Nachbarschaft Stadtteil Labor Wandel Netzwerk "
    "Zusammenarbeit Forschung Praxis Daten Wissen Innovation Zukunft Mobilität Energie Klima Bildung "
    "Gesundheit Kultur Jugend Wohnen Arbeit Ehrenamt Stiftung Projekt Erfahrung Methode Werkzeug Ergebnis "
    "gemeinsam offen nachhaltig sozial digital lokal regional neu erfolgreich schwierig und mit für über "
    "durch zwischen wie warum wer gestalten entwickeln erproben teilen lernen verstetigen fördern"
)
_EN = _vocabulary(
    "municipality administration neighbourhood participation citizens district lab change network "
    "cooperation research practice data knowledge innovation future mobility energy climate education "
    "health culture youth housing work volunteering foundation project experience method tool result "
    "together open sustainable social digital local regional new successful difficult and with for about "
    "through between how why who shape develop test share learn consolidate support"
)
_FIRST = _vocabulary(
    "Anna Ben Clara David Eva Felix Greta Hannah Ida Jonas Karl Lena Mara Nils Olga Paul Rosa Sara Tim "
    "Ute Vera Wim Yusuf Zoe Aylin Björn Chiara Deniz Emil Fatma Gül Hamid Inga Jörg Katja Lars Mehmet"
)
_LAST = _vocabulary(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
    "Krause Meier Lehmann Köhler Yılmaz Kaya Nowak Kowalski Rossi García Jensen Novak Dubois"
)
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "í": "i", "é": "e"})


class _Writer:
    """Make random but reproducible texts in German and English."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, vocabulary: list[str], count: int) -> str:
        return " ".join(self.rng.choice(vocabulary) for _ in range(count))

    def title(self) -> dict[str, str]:
        count = self.rng.randint(3, 7)
        state = self.rng.getstate()
        de = self.words(_DE, count).capitalize()
        self.rng.setstate(state)  # the same words in both languages, like a translation
        return {"de": de, "en": self.words(_EN, count).capitalize()}

    def prose(self, vocabulary: list[str], words: int) -> str:
        """Write Markdown of about ``words`` words: paragraphs, emphasis, a link, sometimes a list."""
        blocks: list[str] = []
        left = words
        while left > 0:
            size = min(left, self.rng.randint(25, 45))
            text = self.words(vocabulary, size).capitalize()
            cut = text.split(" ")
            if len(cut) > 4:
                cut[1] = f"**{cut[1]}**"
                cut[3] = f"*{cut[3]}*"
            if self.rng.random() < 0.3:
                cut[-1] = f"[{cut[-1]}](https://example.org/{cut[-1].strip('*')})"
            blocks.append(" ".join(cut) + ".")
            left -= size
        if self.rng.random() < 0.4:
            blocks.append("\n".join(f"- {self.words(vocabulary, 3)}" for _ in range(3)))
        return "\n\n".join(blocks) + "\n"

    def text(self, words: int) -> dict[str, str]:
        return {"de": self.prose(_DE, words), "en": self.prose(_EN, words)}


def default_days(n: int) -> int:
    """Spread small programs over one day and large ones over up to five."""
    return 1 if n <= 200 else min(5, math.ceil(n / 250))


def conference(n: int, seed: int = 1, days: int | None = None) -> dict[str, Any]:
    """Return the content files of a synthetic conference as data: file name -> YAML data or text."""
    w = _Writer(seed)
    days = days or default_days(n)
    dates = [FIRST_DAY + dt.timedelta(days=i) for i in range(days)]
    rooms = max(1, math.ceil(n / (days * SLOTS_PER_ROOM)))
    people = _people(w, math.ceil(n * 1.2))
    ids = [p["id"] for p in people]
    parts: list[dict[str, Any]] = [
        {
            "id": f"day-{d + 1}",
            "title": {"de": f"Tag {d + 1}", "en": f"Day {d + 1}"},
            "date": day,
            "moderators": [ids[d % len(ids)]],
            "description": w.text(40),
            "sessions": [],
        }
        for d, day in enumerate(dates)
    ]
    groups: list[dict[str, Any]] = []
    panels: list[dict[str, Any]] = []
    for i in range(n):
        day, rest = divmod(i, rooms * SLOTS_PER_ROOM)
        slot, room = divmod(rest, rooms)
        session = _session(w, i, slot, room, ids)
        if session["kind"] == "forums":
            groups.append({"session": session["id"], "forums": [_forum(w, i, k, ids) for k in range(3)]})
        elif session["kind"] == "podium":
            panels.append(_panel(w, i, session["id"], ids))
        parts[day % days]["sessions"].append(session)
    return {
        "conference.yaml": _conference_file(w, n, dates),
        "program.yaml": {"parts": [p for p in parts if p["sessions"]]},
        "forums.yaml": {"groups": groups},
        "podium.yaml": {"panels": panels},
        "people.yaml": {"people": people},
        "pages/about.de.md": _page("Über die Konferenz", 1, "main", w.prose(_DE, 150)),
        "pages/about.en.md": _page("About the conference", 1, "main", w.prose(_EN, 150)),
        "pages/impressum.de.md": _page("Impressum", 10, "footer", w.prose(_DE, 60)),
        "pages/impressum.en.md": _page("Imprint", 10, "footer", w.prose(_EN, 60), slug="imprint"),
    }


def sessions(files: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the sessions of a conference made by conference(), in program order (to edit them)."""
    return [s for part in files["program.yaml"]["parts"] for s in part["sessions"]]


def _conference_file(w: _Writer, n: int, dates: list[dt.date]) -> dict[str, Any]:
    return {
        "id": f"synth-{n}",
        "languages": ["de", "en"],
        "timezone": "Europe/Berlin",
        "base_url": f"https://example.org/synth-{n}/",
        "title": {"de": f"Synthetische Konferenz ({n})", "en": f"Synthetic conference ({n})"},
        "subtitle": {"de": "Ein Lasttest", "en": "A load test"},
        "summary": w.text(80),
        "dates": dates,
        "venue": {
            "name": "Kongresszentrum",
            "street": "Messeplatz 1",
            "postal_code": "42103",
            "city": "Wuppertal",
            "country": "DE",
            "geo": {"lat": 51.2562, "lon": 7.1508},
            "directions": w.text(30),
            "accessibility": w.text(30),
        },
        "registration": {
            "url": "https://example.org/register",
            "deadline": dates[0] - dt.timedelta(days=7),
            "fee": {"de": "50 Euro", "en": "50 euros"},
            "price": 50,
        },
        "organizers": [{"name": "Beispielverein", "url": "https://example.org/"}],
        "contact": {"email": "info@example.org"},
    }


def _people(w: _Writer, count: int) -> list[dict[str, Any]]:
    people = []
    for i in range(count):
        first, last = w.rng.choice(_FIRST), w.rng.choice(_LAST)
        person: dict[str, Any] = {
            "id": f"{first}-{last}-{i}".lower().translate(_ASCII),
            "name": f"{first} {last}",
            "affiliation": {"de": f"Institut für {w.words(_DE, 2)}", "en": f"Institute of {w.words(_EN, 2)}"},
            "bio": w.text(60),
        }
        if i % 5 == 0:
            person["honorific"] = "Dr."
        if i % 7 == 0:
            person["role"] = {"de": "Bürgermeisterin", "en": "Mayor"}
        if i % 3 == 0:
            person["url"] = f"https://example.org/people/{person['id']}"
        people.append(person)
    return people


def _session(w: _Writer, i: int, slot: int, room: int, ids: list[str]) -> dict[str, Any]:
    kind = "talk"
    if i % 40 == 17:
        kind = "forums"
    elif i % 40 == 33:
        kind = "podium"
    elif i % 25 == 5:
        kind = "keynote"
    elif i % 30 == 9:
        kind = "break"
    elif i % 20 == 3:
        kind = "workshop"
    hour = FIRST_HOUR + slot
    session: dict[str, Any] = {
        "id": f"s{i:05d}",
        "start": f"{hour:02d}:00",
        "end": f"{hour:02d}:45",
        "kind": kind,
        "title": w.title() if i % 11 else {"text": w.words(_EN, 4).capitalize(), "lang": "en"},
        "room": {"de": f"Saal {room + 1}", "en": f"Room {room + 1}"},
    }
    if kind == "break":
        session["title"] = {"de": "Pause", "en": "Break"}
        return session
    if i % 4 == 0:
        session["subtitle"] = w.title()
    session["description"] = w.text(100)
    if kind in ("talk", "keynote", "workshop"):
        session["speakers"] = w.rng.sample(ids, w.rng.randint(1, 2))
    if i % 9 == 0:
        session["moderators"] = [w.rng.choice(ids)]
    return session


def _forum(w: _Writer, i: int, k: int, ids: list[str]) -> dict[str, Any]:
    return {
        "id": f"f{i:05d}-{k + 1}",
        "title": w.title(),
        "description": w.text(50),
        "hosts": w.rng.sample(ids, 2),
        "room": {"de": f"Forum {k + 1}", "en": f"Forum room {k + 1}"},
        "capacity": 20 + 5 * k,
    }


def _panel(w: _Writer, i: int, session: str, ids: list[str]) -> dict[str, Any]:
    return {
        "id": f"p{i:05d}",
        "session": session,
        "title": w.title(),
        "description": w.text(60),
        "moderators": [w.rng.choice(ids)],
        "panelists": w.rng.sample(ids, 3),
    }


def _page(title: str, order: int, menu: str, body: str, slug: str | None = None) -> str:
    front: dict[str, Any] = {"title": title, "order": order, "menu": menu}
    if slug:
        front["slug"] = slug
    return f"---\n{dump(front)}---\n{body}"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Dump Markdown texts as literal blocks, the way editors write them."""


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_representer)


def dump(data: Any) -> str:
    """Spell one content file's data as YAML, as :func:`write` writes it."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def write(folder: Path, files: dict[str, Any]) -> None:
    """Write the content files of :func:`conference` into ``folder`` (replacing those files)."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else dump(data)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    """Write a synthetic conference: python bench/synth.py N FOLDER [--seed S] [--days D]."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("sessions", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int)
    args = parser.parse_args()
    write(args.folder, conference(args.sessions, args.seed, args.days))


if __name__ == "__main__":
    main()
