"""Structured data (schema.org JSON-LD) for the home page and the session pages."""

from __future__ import annotations

import json
from typing import Any

from . import logos
from .feeds import forum_people, people_with_roles
from .markup import plain
from .model import Conference, Organization, Person, Session, Text
from .registration import State
from .routes import Routes

_SCHEMA = "https://schema.org/"

#: How the registration state of a part reads as the availability of a free ticket.
_AVAILABILITY = {
    "open": "InStock",
    "waitlist": "BackOrder",  # one may sign up, and get a place when someone cancels
    "full": "SoldOut",
    "closed": "SoldOut",
}

#: The home page lists the sessions as sub-events up to this many. Each session page names the
#: conference as its super-event anyway; listing a larger programme on the home page would make
#: it as heavy as the programme itself (1.2 MB at 1,000 sessions) for every visitor.
HOME_SUB_EVENTS = 40

#: Characters that could end the script element or start markup, escaped the way JSON allows.
_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def script_text(data: dict[str, Any]) -> str:
    """Serialize JSON-LD so that no text in it can close the script element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _UNSAFE:  # str.replace: many times faster than str.translate with a table
        text = text.replace(char, escaped)
    return text


def home(conf: Conference, lang: str, routes: Routes, state: State) -> dict[str, Any]:
    """Describe the conference: an Event with its sessions, place, organizers and offers."""
    data = {"@context": "https://schema.org", **_conference(conf, lang, routes)}
    if conf.summary is not None:
        data["description"] = plain(conf.summary.get(lang))
    elif conf.subtitle is not None:
        data["description"] = conf.subtitle.get(lang)
    data["organizer"] = [_organization(conf, org, lang) for org in conf.organizers]
    if conf.funders:
        data["funder"] = [_organization(conf, org, lang) for org in conf.funders]
    data["offers"] = [
        {
            "@type": "Offer",
            "name": part.part.title.get(lang),
            "url": conf.registration.url,
            "availability": _SCHEMA + _AVAILABILITY[part.status],
            "validThrough": part.deadline.isoformat(),
        }
        for part in state.parts
    ]
    for offer in data["offers"]:
        if conf.registration.price is not None:
            price = conf.registration.price
            offer["price"] = int(price) if price == int(price) else price
            offer["priceCurrency"] = conf.registration.currency
        if conf.registration.fee is not None:
            offer["description"] = conf.registration.fee.get(lang)
    if len(conf.sessions) <= HOME_SUB_EVENTS:
        data["subEvent"] = [_session(conf, lang, routes, s) for s in conf.sessions]
    return data


def session(conf: Conference, lang: str, routes: Routes, item: Session) -> dict[str, Any]:
    """Describe one session: an Event with its performers, place and the conference around it."""
    data = {"@context": "https://schema.org", **_session(conf, lang, routes, item)}
    text = _description(item.description, lang) or (item.subtitle.get(lang) if item.subtitle else "")
    if text:
        data["description"] = text
    forums = conf.forums_in(item.id)
    if forums:
        data["subEvent"] = [
            _event(
                name=forum.title.get(lang),
                url=conf.base_url + routes.path("forum", lang, forum.id),
                when=item,
                location=_place(conf, lang, forum.room or item.room),
                performers=[_person(conf, lang, routes, p) for _, p in forum_people(conf, forum.id)],
            )
            for forum in forums
        ]
    data["superEvent"] = _conference(conf, lang, routes)
    return data


def _conference(conf: Conference, lang: str, routes: Routes) -> dict[str, Any]:
    url = conf.base_url + routes.path("home", lang)
    return {
        "@type": "Event",
        "@id": url + "#event",
        "name": conf.title.get(lang),
        "url": url,
        "startDate": conf.start.isoformat(),
        "endDate": conf.end.isoformat(),
        "eventStatus": _SCHEMA + "EventScheduled",
        "eventAttendanceMode": _SCHEMA + "OfflineEventAttendanceMode",
        "inLanguage": conf.default_language,
        "location": _place(conf, lang, None),
    }


def _session(conf: Conference, lang: str, routes: Routes, item: Session) -> dict[str, Any]:
    return _event(
        name=item.title.get(lang),
        url=conf.base_url + routes.path("session", lang, item.id),
        when=item,
        location=_place(conf, lang, item.room),
        performers=[_person(conf, lang, routes, p) for _, p in people_with_roles(conf, item)],
        language=item.title.lang_of(conf.default_language),
    )


def _event(
    name: str,
    url: str,
    when: Session,
    location: dict[str, Any],
    performers: list[dict[str, Any]],
    language: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Event",
        "@id": url + "#event",
        "name": name,
        "url": url,
        "startDate": when.start.isoformat(),
        "endDate": when.end.isoformat(),
        "eventStatus": _SCHEMA + "EventScheduled",
        "eventAttendanceMode": _SCHEMA + "OfflineEventAttendanceMode",
    }
    if language:
        data["inLanguage"] = language
    data["location"] = location
    if performers:
        data["performer"] = performers
    return data


def _place(conf: Conference, lang: str, room: Text | None) -> dict[str, Any]:
    venue = conf.venue
    name = venue.name.get(lang)
    place: dict[str, Any] = {
        "@type": "Place",
        "name": f"{name}, {room.get(lang)}" if room else name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.street,
            "postalCode": venue.postal_code,
            "addressLocality": venue.city.get(lang),
            "addressCountry": venue.country,
        },
    }
    if venue.lat is not None and venue.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
    return place


def _person(conf: Conference, lang: str, routes: Routes, person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Person",
        "name": person.name,
        "url": conf.base_url + routes.path("person", lang, person.id),
    }
    if person.honorific:
        data["honorificPrefix"] = person.honorific
    if person.role:
        data["jobTitle"] = person.role.get(lang)
    if person.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": person.affiliation.get(lang)}
    if person.url:
        data["sameAs"] = person.url
    return data


def _organization(conf: Conference, org: Organization, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Organization", "name": org.name.get(lang)}
    if org.url:
        data["url"] = org.url
    logo = conf.logo(org.logo) if org.logo else None
    if logo is not None and org.logo is not None:
        data["logo"] = conf.base_url + logos.published_path(org.logo, logo)
    return data


def _description(text: Text | None, lang: str) -> str:
    return plain(text.get(lang)) if text else ""
