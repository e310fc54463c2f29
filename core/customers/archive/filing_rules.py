"""CUS-04 filing deadlines (备案): pure, no I/O.

- :func:`filing_due` — a new customer is filed within ``cus.filing.new_within`` (5 working days) of the
  first contact, a change within ``change_within`` of the change, on the tenant calendar (CAL-03: the
  event day is not counted, the period ends at 24:00 of its last working day).
- :func:`expense_verdict` — an expense claim (entertainment, travel, gifts) referencing a customer
  whose new-customer filing is not done at the claim's time is refused with reason ``CUS-04``
  (``cus.filing.block_expenses``); change filings do not block claims.
- :func:`reminder_due` — an open filing is reminded once per working day after its last day;
  :func:`penalty_due` — after ``reminders_before_penalty`` reminders a month-end KPI deduction is
  proposed (STF), once.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

from core.calendar.durations import Duration
from core.calendar.model import Deadline
from core.calendar.workcalendar import WorkCalendar

RULE_ID = "CUS-04"
NEW = "new"
CHANGE = "change"
KINDS = (NEW, CHANGE)


@dataclass(frozen=True)
class FilingFact:
    kind: str
    basis_at: dt.datetime  # first contact, or the change
    due_at: dt.datetime  # end of the period (exclusive instant, UTC)
    due_through: dt.date  # the last local day still in time
    filed_at: dt.datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class ExpenseVerdict:
    allowed: bool
    rule_id: str | None
    reason_zh: str
    reason_en: str
    filing_id: int | None = None


def filing_due(calendar: WorkCalendar, basis_at: dt.datetime, within: Duration) -> Deadline:
    """The end of the filing period started by ``basis_at`` (CUS-04 over CAL-03/05)."""
    return calendar.add_duration(basis_at, within)


def is_filed(filing: FilingFact, at: dt.datetime) -> bool:
    return filing.filed_at is not None and filing.filed_at <= at


def expense_verdict(filings: list[FilingFact], at: dt.datetime, *, enabled: bool, block_expenses: bool,
                    customer_name: str = "") -> ExpenseVerdict:
    """Whether an expense claim at ``at`` for the customer of ``filings`` may go ahead (CUS-04)."""
    if not (enabled and block_expenses):
        return ExpenseVerdict(True, None, "未启用备案费用控制。", "Filing does not block expense claims.")
    unfiled = [f for f in filings if f.kind == NEW and f.basis_at <= at and not is_filed(f, at)]
    if not unfiled:
        return ExpenseVerdict(True, None, f"客户{customer_name}已备案，可报销。",
                              f"Customer {customer_name} is filed: the claim may go ahead.".replace("  ", " "))
    f = unfiled[0]
    late = at >= f.due_at
    zh = (f"客户{customer_name}于{at.date().isoformat()}尚未备案（应于{f.due_through.isoformat()}前备案"
          f"{'，已逾期' if late else ''}），依据CUS-04，涉及该客户的招待、差旅、礼品费用不予报销。")
    en = (f"Customer {customer_name} was not filed on {at.date().isoformat()} (filing due through "
          f"{f.due_through.isoformat()}{', overdue' if late else ''}): under CUS-04 expense claims "
          f"(entertainment, travel, gifts) for this customer are refused.").replace("  ", " ")
    return ExpenseVerdict(False, RULE_ID, zh, en, f.id)


def reminder_due(filing: FilingFact, day: dt.date, calendar: WorkCalendar) -> bool:
    """An open filing is reminded on each working day after its last day (``day`` is local)."""
    return filing.filed_at is None and day > filing.due_through and calendar.is_working_day(day)


def penalty_due(reminders: int, threshold: int, already_proposed: bool) -> bool:
    """After ``threshold`` reminders without filing, propose a KPI deduction, once."""
    return not already_proposed and reminders >= threshold


def month_end(day: dt.date) -> dt.date:
    """The month-end the proposed KPI deduction belongs to."""
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])
