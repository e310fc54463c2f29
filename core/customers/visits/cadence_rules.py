"""CUS-61 visit cadences per grade: pure rules (no database, no clock).

- :func:`period_of` — the month, quarter or year containing a local date, with its key
  (``2026-10``, ``2026-Q4``, ``2026``), first day and last day.
- :func:`slot_due_dates` — ``times`` visits spread evenly over a period: slot *k* is due through
  day ⌊k·D/times⌋ of the period's D days (2/month in October → 10-15 and 10-31); when the period is
  quarters or a year and ``times`` divides its months, slot *k* is due through the end of month
  k·months/times instead (4/year → the quarter ends). The last slot is always the period's last day.
- :func:`cadence_visits` — the due visits of one customer of a tier for the periods containing a day.
- :func:`public_holidays` / :func:`holiday_visits` — holiday visits: a task from ``lead`` days before
  the first day of each public holiday (a run of national holiday days of one name), due through the
  day before it.
- :func:`accepts` — which contact-log channels fulfil a visit of a mode (phone only for ``phone_ok``).
- :func:`match_entries` — which contact-log entries fulfil which open slots: each entry, oldest
  first, fulfils the earliest open slot of the same performer whose period contains it; an entry
  fulfils at most one slot of a cadence.

Each outcome carries reasons in Chinese and English for its decision (``CUS-61``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.calendar.model import add_months_to_date
from core.calendar.national import HOLIDAY

PHONE_CHANNELS = ("phone_answered",)
ON_SITE_CHANNELS = ("on_site", "visit", "home_visit")
MODE_CHANNELS = {"phone_ok": PHONE_CHANNELS + ON_SITE_CHANNELS, "on_site": ON_SITE_CHANNELS}
PERIOD_ZH = {"month": "月", "quarter": "季度", "year": "年"}
MODE_ZH = {"phone_ok": "电话或拜访", "on_site": "上门拜访"}
MODE_EN = {"phone_ok": "phone or visit", "on_site": "on-site visit"}
HOLIDAY_PERIOD = "holiday"
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    per: str  # month | quarter | year | holiday
    key: str  # 2026-10 | 2026-Q4 | 2026 | holiday:2026-10-01
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}.get(self.per, 0)


def period_of(day: dt.date, per: str) -> Period:
    """The ``per`` period (month, quarter, year) containing the local date ``day``."""
    if per == "month":
        first = day.replace(day=1)
        return Period(per, f"{day.year}-{day.month:02d}", first, add_months_to_date(first, 1) - _ONE_DAY)
    if per == "quarter":
        quarter = (day.month - 1) // 3 + 1
        first = dt.date(day.year, 3 * quarter - 2, 1)
        return Period(per, f"{day.year}-Q{quarter}", first, add_months_to_date(first, 3) - _ONE_DAY)
    if per == "year":
        return Period(per, str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown period {per!r}; use month, quarter or year")


def slot_due_dates(period: Period, times: int) -> list[dt.date]:
    """The last day of each of ``times`` visits spread evenly over ``period`` (see module doc)."""
    if times < 1:
        raise ValueError("times must be at least 1")
    months = period.months
    if months > 1 and months % times == 0:
        step = months // times
        return [add_months_to_date(period.first, step * k) - _ONE_DAY for k in range(1, times + 1)]
    return [period.first + dt.timedelta(days=(k * period.days) // times - 1) for k in range(1, times + 1)]


@dataclass(frozen=True)
class DueSpec:
    """One visit due (CUS-61): natural key (role, period key, slot) for a customer."""

    kind: str  # cadence | holiday
    role: str
    per: str
    period_key: str
    period_first: dt.date
    period_last: dt.date
    slot: int
    times: int
    due_on: dt.date  # due through this local day
    mode: str
    tier: str
    reason_zh: str
    reason_en: str
    holiday: str | None = None
    available_from: dt.date | None = None  # when the task appears (holiday visits: lead before)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.role, self.period_key, self.slot)


def cadence_visits(tier: str, matrix: Mapping[str, Mapping[str, Sequence[Mapping]]], day: dt.date) -> list[DueSpec]:
    """The cadence visits of a customer of ``tier`` for the periods containing ``day`` (CUS-61)."""
    out = []
    for role, cadences in sorted((matrix.get(tier) or {}).items()):
        for cadence in cadences:
            period = period_of(day, cadence["per"])
            times, mode = cadence["times"], cadence["mode"]
            dues = slot_due_dates(period, times)
            for slot, due in enumerate(dues, start=1):
                out.append(DueSpec(
                    "cadence", role, period.per, period.key, period.first, period.last, slot, times, due, mode,
                    tier,
                    reason_zh=(f"依据CUS-61拜访矩阵，{tier}类客户由{_role_zh(role)}每{PERIOD_ZH[period.per]}"
                               f"{MODE_ZH[mode]}{times}次；{period.key}第{slot}次应于{due.isoformat()}前完成。"),
                    reason_en=(f"CUS-61 visit matrix: a tier {tier} customer is visited by the {role} {times} "
                               f"time(s) per {period.per} ({MODE_EN[mode]}); visit {slot} of {period.key} "
                               f"is due through {due.isoformat()}."),
                    available_from=period.first))
    return out


def _role_zh(role: str) -> str:
    return {"agent": "客户负责人", "supervisor": "主管", "gm": "总经理", "dept_manager": "部门经理"}.get(role, role)


@dataclass(frozen=True)
class Holiday:
    first: dt.date
    last: dt.date
    name: str


def public_holidays(calendar, start: dt.date, end: dt.date) -> list[Holiday]:
    """The public holidays whose first day falls in ``start..end``, read from the calendar's national
    data (CAL-01; provisional years use the CAL-02 statutory days). A holiday is a run of national
    holiday days of the same name (国庆 10-01..10-07 is one holiday)."""
    national, fallback = calendar.national, calendar.provisional_fallback
    out: list[Holiday] = []
    day = start - _ONE_DAY
    previous = national.detail(day, fallback)
    day += _ONE_DAY
    while day <= end:
        info = national.detail(day, fallback)
        if info.status == HOLIDAY and not (previous.status == HOLIDAY and previous.name == info.name):
            last = day
            while True:
                nxt = national.detail(last + _ONE_DAY, fallback)
                if nxt.status != HOLIDAY or nxt.name != info.name:
                    break
                last += _ONE_DAY
            out.append(Holiday(day, last, info.name or "holiday"))
        previous = info
        day += _ONE_DAY
    return out


def holiday_visits(tier: str, settings: Mapping, holidays: Iterable[Holiday], day: dt.date) -> list[DueSpec]:
    """Holiday visits of a customer of ``tier`` visible on ``day`` (CUS-61): for each holiday H with
    H − lead ≤ day < H, one task due through H − 1 day."""
    if tier not in settings["tiers"]:
        return []
    lead = int(settings["lead"].amount)
    out = []
    for holiday in holidays:
        created = holiday.first - dt.timedelta(days=lead)
        if not created <= day < holiday.first:
            continue
        due = holiday.first - _ONE_DAY
        role, mode = settings["role"], settings["mode"]
        out.append(DueSpec(
            "holiday", role, HOLIDAY_PERIOD, f"holiday:{holiday.first.isoformat()}", created, due, 1, 1, due,
            mode, tier,
            reason_zh=(f"依据CUS-61节日拜访，{tier}类客户于{holiday.name}（{holiday.first.isoformat()}）前"
                       f"{lead}天生成拜访任务，应于{due.isoformat()}前完成。"),
            reason_en=(f"CUS-61 holiday visit: a tier {tier} customer gets a visit task {lead} day(s) before "
                       f"{holiday.name} ({holiday.first.isoformat()}), due through {due.isoformat()}."),
            holiday=holiday.name, available_from=created))
    return out


def accepts(mode: str, channel: str) -> bool:
    """Whether a contact on ``channel`` fulfils a visit of ``mode`` (phone channels only for phone_ok)."""
    return channel in MODE_CHANNELS[mode]


@dataclass(frozen=True)
class OpenSlot:
    """An open (or overdue) due visit as :func:`match_entries` sees it."""

    id: int
    performer_id: int | None
    cadence: tuple  # (customer, role, period key): slots of one cadence, filled in slot order
    slot: int
    mode: str
    starts: dt.datetime  # the period's first instant (aware)
    ends: dt.datetime  # the period's end (24:00 of its last day, aware)


@dataclass(frozen=True)
class Entry:
    id: int
    user_id: int | None
    channel: str
    at: dt.datetime


def match_entries(slots: Iterable[OpenSlot], entries: Iterable[Entry],
                  used: Mapping[tuple, set] | None = None) -> dict[int, Entry]:
    """``{slot id: entry}``: each entry, oldest first, fulfils the earliest open slot of a cadence
    whose performer made it, whose period contains it and whose mode accepts its channel. ``used``
    gives, per cadence, the entry ids that already fulfilled one of its slots (they count once)."""
    by_cadence: dict[tuple, list[OpenSlot]] = {}
    for slot in sorted(slots, key=lambda s: (s.cadence, s.slot)):
        by_cadence.setdefault(slot.cadence, []).append(slot)
    taken = {k: set(v) for k, v in (used or {}).items()}
    result: dict[int, Entry] = {}
    for entry in sorted(entries, key=lambda e: (e.at, e.id)):
        for cadence, open_slots in by_cadence.items():
            if entry.id in taken.get(cadence, ()):
                continue
            for slot in open_slots:
                if slot.id in result:
                    continue
                if (slot.performer_id is not None and entry.user_id == slot.performer_id
                        and slot.starts <= entry.at < slot.ends and accepts(slot.mode, entry.channel)):
                    result[slot.id] = entry
                    taken.setdefault(cadence, set()).add(entry.id)
                    break
    return result
