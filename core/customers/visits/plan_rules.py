"""CUS-62 monthly visit plan and visit report: pure rules (no database, no clock).

- :func:`plan_due_date` — the plan for month M is due through the ``cus.visits.plan_due`` day of the
  month before M (default its last day: the December plan is due through 11-30).
- :func:`month_to_flag` — on a local day, the month whose plan is the latest one past its due date
  (on 2026-12-01: December, due through 2026-11-30); a user without a submitted plan for it is
  flagged.
- :func:`report_due` — a visit report is due ``cus.visits.report_within`` after the visit, on the
  tenant calendar (2 days: visit 2026-11-20 → through 2026-11-22; its reminder goes out on 11-23).
- :func:`quota_for` — the monthly visit quota of a user: the largest ``cus.visits.quota`` of their
  roles (``None``: no quota).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from core.calendar.model import Deadline, add_months_to_date

PURPOSES = ("market_research", "competitor_information", "relationship", "payment_collection",
            "new_development", "product_promotion")
PURPOSE_ZH = {"market_research": "市场调研", "competitor_information": "竞争对手信息", "relationship": "客情维护",
              "payment_collection": "货款回收", "new_development": "新客户开发", "product_promotion": "产品推广"}
_DAY = re.compile(r"^day (\d+) of month$")


def month_key(first: dt.date) -> str:
    return f"{first.year}-{first.month:02d}"


def parse_month(text: str) -> dt.date:
    """``"2026-12"`` → 2026-12-01; ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("a month is written YYYY-MM, e.g. 2026-12")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def plan_due_date(month: dt.date, plan_due: str) -> dt.date:
    """The last day to submit the plan of ``month`` (its first day), per ``cus.visits.plan_due``."""
    previous = add_months_to_date(month.replace(day=1), -1)
    match = _DAY.match(plan_due)
    if match:
        return previous.replace(day=int(match.group(1)))
    return month.replace(day=1) - dt.timedelta(days=1)  # last day of month


def month_to_flag(today: dt.date, plan_due: str) -> dt.date:
    """The month (first day) whose plan is the latest one past its due date on local day ``today``."""
    this_month = today.replace(day=1)
    next_month = add_months_to_date(this_month, 1)
    return next_month if plan_due_date(next_month, plan_due) < today else this_month


def report_due(calendar, visited_at: dt.datetime, within) -> Deadline:
    """When the report of a visit made at ``visited_at`` is due (``cus.visits.report_within``, CAL-05)."""
    return calendar.add_duration(visited_at, within, audience="internal")


def quota_for(roles: Iterable[str], quota: Mapping[str, int]) -> int | None:
    """The monthly planned-visit quota of someone holding ``roles`` (the largest of theirs)."""
    values = [quota[r] for r in roles if r in quota]
    return max(values) if values else None


def plan_flag_reason(month: dt.date, due: dt.date) -> tuple[str, str]:
    return (f"依据CUS-62，{month_key(month)}月度拜访计划应于{due.isoformat()}前提交，逾期未提交。",
            f"CUS-62: the visit plan for {month_key(month)} was due through {due.isoformat()} and was not "
            f"submitted.")
