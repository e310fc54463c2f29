"""RE-03 and RE-05: register entries (来人/来电登记, CUS-80) and the evening-meeting minutes (晚会记录) as
attribution evidence (RE-10, CUS-21). No database.

- :func:`validate_entry` (RE-05): the on-turn salesperson asks every customer whether they visited before
  and who received them; an entry without the answer to "visited before?" is refused with an
  :class:`~core.errors.InvalidInput` naming the field (422). A customer who visited before answers who
  received them: a salesperson, a name, or that they forgot (RE-18).
- :func:`register_evidence` (RE-03): an entry is written "at the time"; one written on a later local day
  than the visit is accepted with ``late_entry = true``. Its evidence time is the entry time, unless the
  minutes of the visit day's evening meeting list the customer for the same salesperson: the minutes
  then corroborate the visit and the evidence time is the visit time (CUS-21: the meeting record
  corroborates the register). An on-time entry's evidence time is its entry time.
- :func:`minutes_evidence` (CUS-21): with no register entry, the minutes decide alone; their time is the
  recorded end of that evening meeting.

Times carry a time zone; days are local days in ``cal.timezone`` (default Asia/Shanghai).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import InvalidInput

DEFAULT_TIMEZONE = "Asia/Shanghai"
ENTRY_KINDS = ("visit", "call")


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the visitor (``visit``) or call (``call``) register, as the salesperson writes it.

    ``visit_at``: when the customer came (or called); ``entered_at``: when the line was written.
    ``visited_before``: the answer to "visited before?" (RE-05; ``None`` = not asked).
    ``previous_receiver_id`` / ``previous_receiver_name`` / ``previous_receiver_forgotten``: the answer to
    "who received you?" when they did.
    """

    id: int | None
    kind: str
    salesperson_id: int
    customer_id: int | None
    visit_at: dt.datetime
    entered_at: dt.datetime
    visited_before: bool | None = None
    previous_receiver_id: int | None = None
    previous_receiver_name: str = ""
    previous_receiver_forgotten: bool = False


@dataclass(frozen=True)
class MinutesLine:
    """A customer the manager recorded at the evening meeting, with the salesperson who received them."""

    customer_id: int
    salesperson_id: int


@dataclass(frozen=True)
class MeetingMinutes:
    """The minutes of one evening meeting (晚会): its local day, its recorded end, the customers listed."""

    id: int | None
    day: dt.date
    ended_at: dt.datetime
    lines: tuple[MinutesLine, ...] = ()
    recorded_by: int | None = None

    def lists(self, customer_id: int | None, salesperson_id: int | None = None) -> bool:
        return any(line.customer_id == customer_id and (salesperson_id is None or line.salesperson_id == salesperson_id)
                   for line in self.lines)


@dataclass(frozen=True)
class Evidence:
    """A claim's evidence for CUS-21 / RE-10: kind (``register`` / ``meeting_record``), its time, who it
    names, and how it was judged (RE-03)."""

    rule_id: str
    kind: str
    at: dt.datetime
    salesperson_id: int
    customer_id: int | None
    late_entry: bool = False
    corroborated_by: int | None = None  # the minutes that corroborate a late entry
    facts: dict[str, Any] = field(default_factory=dict)
    reason_zh: str = ""
    reason_en: str = ""


def _local_day(at: dt.datetime, timezone: str) -> dt.date:
    if at.tzinfo is None:
        raise ValueError(f"times must carry a time zone, got {at!r}")
    return at.astimezone(ZoneInfo(timezone)).date()


def validate_entry(entry: RegisterEntry) -> None:
    """RE-05: refuse an entry without the answers the on-turn salesperson must ask (→ 422).

    ``visited_before`` must be answered; a customer who visited before must say who received them (a
    salesperson, a name, or ``previous_receiver_forgotten``, RE-18). Also: a known kind, and an entry not
    written before the visit."""
    errors: dict[str, list[str]] = {}
    if entry.kind not in ENTRY_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(ENTRY_KINDS)}."]
    if entry.visited_before is None:
        errors["visited_before"] = ["Ask the customer whether they visited before (RE-05): the answer is required."]
    elif entry.visited_before and entry.previous_receiver_id is None and not entry.previous_receiver_name.strip() \
            and not entry.previous_receiver_forgotten:
        errors["previous_receiver"] = ["Ask who received them before (RE-05): a salesperson, a name, or 'forgotten'."]
    if entry.entered_at < entry.visit_at:
        errors["entered_at"] = ["An entry cannot be written before the visit."]
    if errors:
        raise InvalidInput("The register entry is incomplete (RE-05).", fields=errors)


def is_late(entry: RegisterEntry, *, timezone: str = DEFAULT_TIMEZONE) -> bool:
    """RE-03: written on a later local day than the visit (the register is kept "at the time")."""
    return _local_day(entry.entered_at, timezone) > _local_day(entry.visit_at, timezone)


def register_evidence(entry: RegisterEntry, minutes: Iterable[MeetingMinutes] = (), *,
                      timezone: str = DEFAULT_TIMEZONE) -> Evidence:
    """RE-03: the entry's evidence (see module doc). ``minutes``: evening meetings of the office (any days;
    only the visit day's count). Validates the entry first (RE-05)."""
    validate_entry(entry)
    visit_day = _local_day(entry.visit_at, timezone)
    late = is_late(entry, timezone=timezone)
    facts: dict[str, Any] = {
        "entry": {"id": entry.id, "kind": entry.kind, "salesperson_id": entry.salesperson_id,
                  "customer_id": entry.customer_id, "visit_at": entry.visit_at, "entered_at": entry.entered_at},
        "visit_day": visit_day,
        "late_entry": late,
    }
    if not late:
        return Evidence(rule_id="RE-03", kind="register", at=entry.entered_at, salesperson_id=entry.salesperson_id,
                        customer_id=entry.customer_id, facts=facts,
                        reason_zh=f"登记于{_fmt(entry.entered_at, timezone)}（当日登记），以登记时间为证据时间。依据RE-03。",
                        reason_en=(f"Entered at {_fmt(entry.entered_at, timezone)} (on the day): the entry time is the "
                                   f"evidence time. Under RE-03."))
    days_late = (_local_day(entry.entered_at, timezone) - visit_day).days
    facts["days_late"] = days_late
    same_day = [m for m in minutes if m.day == visit_day]
    listing = next((m for m in same_day if m.lists(entry.customer_id, entry.salesperson_id)), None)
    facts["minutes_of_visit_day"] = [m.id for m in same_day]
    if listing is not None:
        facts["corroborated_by"] = listing.id
        return Evidence(rule_id="RE-03", kind="register", at=entry.visit_at, salesperson_id=entry.salesperson_id,
                        customer_id=entry.customer_id, late_entry=True, corroborated_by=listing.id, facts=facts,
                        reason_zh=(f"到访{visit_day.isoformat()}，{days_late}天后才登记（补登）；当日晚会记录列有该客户，"
                                   f"以到访时间{_fmt(entry.visit_at, timezone)}为证据时间。依据RE-03（CUS-21）。"),
                        reason_en=(f"Visit on {visit_day.isoformat()} entered {days_late} day(s) later (late entry); the "
                                   f"evening-meeting minutes of that day list the customer, so the visit time "
                                   f"{_fmt(entry.visit_at, timezone)} is the evidence time. Under RE-03 (CUS-21)."))
    return Evidence(rule_id="RE-03", kind="register", at=entry.entered_at, salesperson_id=entry.salesperson_id,
                    customer_id=entry.customer_id, late_entry=True, facts=facts,
                    reason_zh=(f"到访{visit_day.isoformat()}，{days_late}天后才登记（补登）；当日晚会记录未列该客户，"
                               f"以登记时间{_fmt(entry.entered_at, timezone)}为证据时间。依据RE-03。"),
                    reason_en=(f"Visit on {visit_day.isoformat()} entered {days_late} day(s) later (late entry); the "
                               f"evening-meeting minutes of that day do not list the customer, so the entry time "
                               f"{_fmt(entry.entered_at, timezone)} is the evidence time. Under RE-03."))


def minutes_evidence(minutes: MeetingMinutes, customer_id: int) -> list[Evidence]:
    """CUS-21 (RE-03): the claims the minutes make alone (no register entry): one per salesperson they
    list for ``customer_id``, at the recorded end of the meeting."""
    found = []
    for line in minutes.lines:
        if line.customer_id != customer_id:
            continue
        found.append(Evidence(
            rule_id="RE-03", kind="meeting_record", at=minutes.ended_at, salesperson_id=line.salesperson_id,
            customer_id=customer_id, facts={"minutes_id": minutes.id, "day": minutes.day, "ended_at": minutes.ended_at},
            reason_zh=f"{minutes.day.isoformat()}晚会记录列有该客户，以会议结束时间为证据时间。依据RE-03（CUS-21）。",
            reason_en=(f"The evening-meeting minutes of {minutes.day.isoformat()} list the customer: the meeting's end "
                       f"is the evidence time. Under RE-03 (CUS-21).")))
    return found


def _fmt(at: dt.datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
