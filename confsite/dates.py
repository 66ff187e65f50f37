"""Field kinds of dates and times: a day, a moment or a day, a time of day (HH:MM)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from .fields import MISSING, Ctx, Kind, Loc, describe
from .messages import Message, msg

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

#: The years a conference may fall in: calendars and schedules compute the following day and year.
YEARS = range(1900, 3000)


def parse_date(value: Any) -> dt.date | None:
    """Read a YAML date or a YYYY-MM-DD string."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class Date(Kind):
    """A calendar date, YYYY-MM-DD."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        parsed = parse_date(value)
        if parsed is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a date (YYYY-MM-DD){problem}",
                    "{value} ist kein Datum (YYYY-MM-DD){problem}",
                    value=describe(value),
                    problem=_calendar_problem(value),
                ),
            )
            return MISSING
        return _in_years(ctx, parsed, loc)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _in_years(ctx: Ctx, value: dt.date, loc: Loc) -> Any:
    """Return a date (or date and time) within YEARS, or report it."""
    if value.year in YEARS:
        return value
    ctx.error_at(
        loc,
        msg(
            "{value} lies outside the years {first}–{last}; check the year",
            "{value} liegt außerhalb der Jahre {first}–{last}; prüfen Sie das Jahr",
            value=value.isoformat(),
            first=YEARS.start,
            last=YEARS.stop - 1,
        ),
    )
    return MISSING


def _calendar_problem(value: Any) -> Message:
    """Say why a text shaped like a date is no day of the calendar (2019-02-30)."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value) if isinstance(value, str) else None
    if match is None:
        return msg("", "")
    year, month, day = (int(part) for part in match.groups())
    if year == 0:
        return msg("; there is no year 0000", "; ein Jahr 0000 gibt es nicht")
    if not 1 <= month <= 12:
        return msg(
            "; there is no month {month} (months are 01 to 12)",
            "; einen Monat {month} gibt es nicht (Monate sind 01 bis 12)",
            month=match.group(2),
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return msg(
            "; there is no such day ({month} has days 01 to {days})",
            "; diesen Tag gibt es nicht ({month} hat die Tage 01 bis {days})",
            month=f"{match.group(1)}-{match.group(2)}",
            days=days,
        )
    return msg("", "")


def parse_datetime(value: Any) -> dt.date | dt.datetime | None:
    """Read a date, or a date and time (YYYY-MM-DD HH:MM) without a zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else None
    day = parse_date(value)
    if day is not None:
        return day
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)", value.strip())
        if match:
            try:
                return dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2).zfill(5)}")
            except ValueError:
                return None
    return None


class DateOrTime(Kind):
    """A date, or a local date and time."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        parsed = parse_datetime(value)
        if parsed is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a date (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM){problem}",
                    "{value} ist weder ein Datum (YYYY-MM-DD) noch ein Datum mit Ortszeit"
                    " (YYYY-MM-DD HH:MM){problem}",
                    value=describe(value),
                    problem=_calendar_problem(value),
                ),
            )
            return MISSING
        return _in_years(ctx, parsed, loc)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?$"}


class Time(Kind):
    """A time of day, HH:MM."""

    def parse(self, ctx: Ctx, value: Any, loc: Loc) -> Any:
        match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            ctx.error_at(
                loc,
                msg(
                    "{value} is not a time (HH:MM)",
                    "{value} ist keine Uhrzeit (HH:MM)",
                    value=describe(value),
                ),
            )
            return MISSING
        return dt.time(int(match.group(1)), int(match.group(2)))

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$"}
