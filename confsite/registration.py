"""The registration state at a given moment: open, waitlist, full, closed, or over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Conference, Part, Status


@dataclass(frozen=True)
class PartState:
    """The registration state of one part of the program at ``now``."""

    part: Part
    status: Status
    deadline: dt.datetime
    deadline_is_day: bool
    capacity: int | None
    #: When registration for the part ends: its deadline, or the event's start if that comes first.
    closes: dt.datetime

    @property
    def can_register(self) -> bool:
        """Tell whether the form may be offered for this part."""
        return self.status in ("open", "waitlist")


@dataclass(frozen=True)
class State:
    """The registration state of the whole event at ``now``."""

    now: dt.datetime
    phase: str  # "before", "running" (during the event) or "over"
    parts: tuple[PartState, ...]
    deadline: dt.datetime
    deadline_is_day: bool
    #: When the event starts, which ends registration too.
    starts: dt.datetime

    @property
    def open(self) -> bool:
        """Tell whether any part can still be registered for."""
        return any(p.can_register for p in self.parts)

    def part(self, part_id: str) -> PartState:
        """Return the state of one part."""
        return next(p for p in self.parts if p.part.id == part_id)

    @property
    def open_deadline(self) -> tuple[dt.datetime, bool]:
        """Return the latest deadline among the parts still open."""
        candidates = [(p.deadline, p.deadline_is_day) for p in self.parts if p.can_register]
        return max(candidates) if candidates else (self.deadline, self.deadline_is_day)

    @property
    def open_closes(self) -> dt.datetime:
        """Return when the registration of :attr:`open_deadline` ends (the event's start, if earlier)."""
        return min(self.open_deadline[0], self.starts)


def state_at(conf: Conference, now: dt.datetime) -> State:
    """Judge every part's registration at ``now`` (an aware moment)."""
    reg = conf.registration
    phase = "before"
    if now >= conf.end:
        phase = "over"
    elif now >= conf.start:
        phase = "running"
    parts = []
    for part in conf.parts:
        settings = reg.part(part.id)
        deadline, is_day = reg.deadline, reg.deadline_is_day
        status: Status = "open"
        capacity = None
        if settings is not None:
            status = settings.status
            capacity = settings.capacity
            if settings.deadline is not None:
                deadline, is_day = settings.deadline, settings.deadline_is_day
        if status in ("open", "waitlist") and (now > deadline or phase != "before"):
            status = "closed"
        parts.append(PartState(part, status, deadline, is_day, capacity, min(deadline, conf.start)))
    return State(now, phase, tuple(parts), reg.deadline, reg.deadline_is_day, conf.start)
