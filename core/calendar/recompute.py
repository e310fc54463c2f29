"""Recomputing open deadlines after a calendar change (CAL-09, CAL-02).

Pure part of the ``cal.recompute_open_deadlines`` job: given a deadline's
original start and duration, the old due instant and the new calendar, say
what the deadline becomes. Breached deadlines stay breached. The caller
writes the CAL-09 decision (old and new values) when ``needs_decision``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .durations import Duration
from .model import Deadline, require_aware
from .workcalendar import WorkCalendar


@dataclass(frozen=True)
class Recomputation:
    """Outcome of :func:`recompute_deadline` (CAL-09)."""

    old_at: dt.datetime
    old_provisional: bool
    new: Deadline | None
    breached: bool
    rule: str = "CAL-09"

    @property
    def moved(self) -> bool:
        """The due instant changed."""
        return self.new is not None and self.new.at != self.old_at

    @property
    def needs_decision(self) -> bool:
        """A CAL-09 decision is due: the instant moved or provisional became official (CAL-02)."""
        return self.new is not None and (self.moved or self.new.provisional != self.old_provisional)


def recompute_deadline(
    calendar: WorkCalendar,
    start: dt.datetime,
    duration: Duration | str,
    old_at: dt.datetime,
    now: dt.datetime,
    *,
    old_provisional: bool = False,
    audience: str = "internal",
) -> Recomputation:
    """CAL-09: recompute an open deadline from its original ``start``.

    A deadline already breached at ``now`` (``now >= old_at``) is left as is.
    """
    require_aware(old_at)
    require_aware(now)
    if now >= old_at:
        return Recomputation(old_at, old_provisional, None, True)
    new = calendar.add_duration(start, duration, audience)
    return Recomputation(old_at, old_provisional, new, False)
