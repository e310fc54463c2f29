"""The sales office's figures and reminders, pure: RE-50 (daily visitor and call statistics, weekly and
monthly visit/call-to-deal conversion, computed from counts the service takes from the registers),
RE-51 (the A/B follow-up sheet's reminder to the supervisor), RE-52 (the weekly plan's reminder).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.calendar import WorkCalendar

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
PERCENT_PLACES = Decimal("0.1")


# ------------------------------------------------------------------ RE-50


@dataclass(frozen=True)
class DailyCounts:
    """One day's counts from the registers (来人/来电登记, deposit registers, RE-03/RE-32): visits
    (of which ``new_visitors`` first visits), calls, deposits, subscriptions (the deal, RE-26), contracts."""

    day: dt.date
    visits: int = 0
    new_visitors: int = 0
    calls: int = 0
    small_deposits: int = 0
    big_deposits: int = 0
    subscriptions: int = 0
    contracts: int = 0


@dataclass(frozen=True)
class DailyReport:
    """RE-50: the daily visitor and call statistics (来人来电统计表)."""

    day: dt.date
    visits: int
    new_visitors: int
    returning_visitors: int
    calls: int
    small_deposits: int
    big_deposits: int
    subscriptions: int
    contracts: int
    rule_id: str = "RE-50"

    def rows(self) -> list[tuple[str, str, int]]:
        """(label zh, label en, count) in the sheet's order."""
        return [("来访", "visits", self.visits), ("新客来访", "new visitors", self.new_visitors),
                ("老客来访", "returning visitors", self.returning_visitors), ("来电", "calls", self.calls),
                ("小定", "small deposits", self.small_deposits), ("大定", "big deposits", self.big_deposits),
                ("认购", "subscriptions", self.subscriptions), ("签约", "contracts", self.contracts)]


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} is a count (a whole number from 0), got {value!r}")
    return value


def daily_report(counts: DailyCounts) -> DailyReport:
    """RE-50: the day's statistics; new visitors are part of the visits."""
    for name in ("visits", "new_visitors", "calls", "small_deposits", "big_deposits", "subscriptions", "contracts"):
        _count(name, getattr(counts, name))
    if counts.new_visitors > counts.visits:
        raise ValueError(f"{counts.new_visitors} new visitors out of {counts.visits} visits")
    return DailyReport(counts.day, counts.visits, counts.new_visitors, counts.visits - counts.new_visitors,
                       counts.calls, counts.small_deposits, counts.big_deposits, counts.subscriptions,
                       counts.contracts)


def conversion_percent(deals: int, base: int) -> Decimal | None:
    """RE-50: ``deals`` per ``base`` in percent, one decimal, half-up (3 of 41 → 7.3); None when the base
    is 0 (no rate)."""
    _count("deals", deals)
    _count("base", base)
    if base == 0:
        return None
    return (Decimal(deals) * 100 / Decimal(base)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday..Sunday week that holds ``day``."""
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month that holds ``day``."""
    start = day.replace(day=1)
    following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                 else start.replace(month=start.month + 1))
    return start, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class ConversionReport:
    """RE-50: the weekly or monthly visit/call-to-deal analysis over ``start..end`` (inclusive); the deal
    is the subscription (RE-26)."""

    period: str
    start: dt.date
    end: dt.date
    visits: int
    new_visitors: int
    calls: int
    subscriptions: int
    visit_conversion: Decimal | None
    call_conversion: Decimal | None
    rule_id: str = "RE-50"


def conversion_report(period: str, start: dt.date, end: dt.date, days) -> ConversionReport:
    """RE-50: sum the :class:`DailyCounts` of ``days`` that fall in ``start..end``; conversion = deals
    (subscriptions) per new visitor, and per call, in percent (week of 2026-09-21: 41 new visitors,
    3 subscriptions → 7.3%)."""
    if period not in ("week", "month"):
        raise ValueError("period is week or month")
    inside = [daily_report(d) for d in days if start <= d.day <= end]
    visits = sum(d.visits for d in inside)
    new = sum(d.new_visitors for d in inside)
    calls = sum(d.calls for d in inside)
    deals = sum(d.subscriptions for d in inside)
    return ConversionReport(period, start, end, visits, new, calls, deals, conversion_percent(deals, new),
                            conversion_percent(deals, calls))


# ------------------------------------------------------------------ RE-51


@dataclass(frozen=True)
class TrackedCustomer:
    """A customer of the follow-up sheet as the reminder sees it: intent class, when the customer went on
    the sheet, the last follow-up entry (None: none yet)."""

    customer_id: int
    intent_class: str
    on_sheet_since: dt.date
    last_follow_up_on: dt.date | None = None


@dataclass(frozen=True)
class Reminder:
    """A reminder to send: to whom (a role or a person), about what, from when."""

    rule_id: str
    to_role: str
    subject_id: int
    due_from: dt.datetime
    reason_zh: str
    reason_en: str

    def outcome(self) -> dict:
        return {"to_role": self.to_role, "subject_id": self.subject_id, "due_from": self.due_from.isoformat()}


def follow_up_reminder(settings: dict, cal: WorkCalendar, customer: TrackedCustomer,
                       now: dt.datetime) -> Reminder | None:
    """RE-51: a customer of a tracked intent class (``re.tracked``, A and B) with no follow-up entry for
    ``re.follow_up_sheet.remind_after`` (7 days, counted from the last entry or from going on the sheet,
    start day not counted, CAL-05) → a reminder to the sales supervisor once that period has ended. Last
    entry 2026-09-14 → reminder from 2026-09-22 00:00 (seven whole days, 09-15..09-21, without one)."""
    if customer.intent_class not in settings["tracked"]:
        return None
    since = customer.last_follow_up_on or customer.on_sheet_since
    period = settings["follow_up_sheet"]["remind_after"]
    due = cal.add_duration(cal.start_of_day(since), period).at
    if now < due:
        return None
    return Reminder("RE-51", "sales_supervisor", customer.customer_id, due,
                    f"{customer.intent_class}类客户自{since}起已{period}无跟进记录，请主管督促",
                    f"class {customer.intent_class} customer with no follow-up entry for {period} since {since}: "
                    "remind the supervisor")


# ------------------------------------------------------------------ RE-52


def weekly_plan_due_day(settings: dict, day: dt.date) -> dt.date:
    """RE-52: the weekly-plan day (``re.plans.weekly_day``, Saturday) a plan written on ``day`` is for:
    that day itself or the next one after it."""
    target = WEEKDAY_KEYS.index(settings["plans"]["weekly_day"])
    return day + dt.timedelta(days=(target - day.weekday()) % 7)


def last_weekly_plan_day_ended(settings: dict, cal: WorkCalendar, now: dt.datetime) -> dt.date:
    """RE-52: the latest weekly-plan day whose 24:00 has passed at ``now`` (tenant zone)."""
    yesterday = cal.local_date(now) - dt.timedelta(days=1)
    target = WEEKDAY_KEYS.index(settings["plans"]["weekly_day"])
    return yesterday - dt.timedelta(days=(yesterday.weekday() - target) % 7)


def weekly_plan_reminder(settings: dict, cal: WorkCalendar, *, person_id: int, plans_for,
                         now: dt.datetime) -> Reminder | None:
    """RE-52: every salesperson and manager hands in the weekly plan by the weekly-plan day's 24:00
    (Saturday). ``plans_for`` are the weekly-plan days the person's plans were handed in for
    (:func:`weekly_plan_due_day` of the day written). No plan for the last day that has ended → a
    reminder (none by Sat 2026-09-26 24:00 → reminder from 2026-09-27 00:00)."""
    due_day = last_weekly_plan_day_ended(settings, cal, now)
    if due_day in set(plans_for):
        return None
    weekday = WEEKDAY_KEYS.index(settings["plans"]["weekly_day"])
    return Reminder("RE-52", "self", person_id, cal.end_of_day(due_day),
                    f"未在{due_day}（{WEEKDAYS_ZH[weekday]}）24:00前提交周计划",
                    f"no weekly plan handed in by {due_day} ({WEEKDAY_KEYS[weekday]}) 24:00")
