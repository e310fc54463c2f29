"""Pure rules of return visits after service (SVC-14, CMP-63 for the issues found). No database, no
clock: the service loads the facts, calls these and stores the outcome with its decision.

- :func:`visit_due` (SVC-14): due within ``svc.return_visit.after`` of the signed feedback form being
  received (remote types: of the completion) on the tenant calendar. Default ``1 working_day`` (次日 read
  as the next working day): a form received Thu 2026-09-24 (Mid-Autumn Festival on Friday) → through
  Mon 2026-09-28; received Wed 2026-09-30 → through Thu 2026-10-08 (National Day). The alternative
  ``1 day`` is through the next calendar day.
- :func:`select_order` / :func:`sample_month` (SVC-14, PM-05): with ``svc.return_visit.rate`` below
  100% an order is visited when (visited so far this month) ÷ (decided so far this month, this order
  counted and not visited) is below the rate — as CMP-60; 20 repairs at 30% → 6 visits.
- :func:`check_record` (SVC-14, CMP-63): a visit records the mode (phone visits are labelled 电话回访),
  attitude and skill rated 1..5 and the result (resolved, partly, unresolved).
- :func:`raises_issue` (CMP-63): a result other than resolved is an unresolved old problem: it goes to
  the service manager even when the visitor wrote no issue.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Duration
from core.calendar.model import Deadline
from core.service.return_visit_models import VISIT_MODES, VISIT_OUTCOMES

PHONE_LABEL = "电话回访"
RATINGS = ("attitude", "skill")
OUTCOME_ZH = {"resolved": "已解决", "partly": "部分解决", "unresolved": "未解决"}
MODE_ZH = {"phone": "电话回访", "on_site": "上门回访"}
REASON_ZH = {"feedback": "收到服务反馈表", "remote_completion": "远程服务完成"}
REASON_EN = {"feedback": "the signed feedback form was received",
             "remote_completion": "the remote service was completed"}


def visit_due(calendar, received_at: dt.datetime, after: Duration | str) -> Deadline:
    """SVC-14: when the return visit after ``received_at`` is late from."""
    return calendar.add_duration(received_at, after)


def month_of(local_day: dt.date) -> dt.date:
    return local_day.replace(day=1)


@dataclass(frozen=True)
class Selection:
    """SVC-14 outcome of the monthly rate for one order."""

    selected: bool
    reason: str  # all | rate | rate_met
    rate: Decimal
    visited_before: int
    decided_count: int  # this order counted
    reason_zh: str
    reason_en: str


def _pct(rate: Decimal) -> str:
    return f"{Decimal(rate).normalize():f}%"


def select_order(*, visited_before: int, decided_before: int, rate: Decimal) -> Selection:
    """SVC-14: is this order visited? ``visited_before`` and ``decided_before`` count the month's orders
    decided before it (selected ones, and all)."""
    rate = Decimal(rate)
    count = decided_before + 1
    if rate >= 100:
        return Selection(True, "all", rate, visited_before, count, "每单回访。依据SVC-14。",
                         "Every order gets its return visit. Under SVC-14.")
    ratio = f"{visited_before}/{count}"
    if Decimal(visited_before) * 100 < rate * count:
        return Selection(True, "rate", rate, visited_before, count,
                         f"本月已回访{ratio}（含本单、未回访），低于回访率{_pct(rate)}，本单回访。依据SVC-14。",
                         f"Visited so far this month {ratio} (this order counted, not visited) is below the rate "
                         f"{_pct(rate)}: this order is visited. Under SVC-14.")
    return Selection(False, "rate_met", rate, visited_before, count,
                     f"本月已回访{ratio}（含本单、未回访），已达回访率{_pct(rate)}，本单不回访。依据SVC-14。",
                     f"Visited so far this month {ratio} (this order counted, not visited) reaches the rate "
                     f"{_pct(rate)}: no visit for this order. Under SVC-14.")


def sample_month(n: int, *, rate: Decimal, visited_before: int = 0, decided_before: int = 0) -> list[Selection]:
    """SVC-14: the selections of ``n`` orders of a month in the order they were decided."""
    out = []
    for _ in range(n):
        selection = select_order(visited_before=visited_before, decided_before=decided_before, rate=rate)
        out.append(selection)
        decided_before += 1
        visited_before += int(selection.selected)
    return out


def check_record(*, mode: str | None, ratings: Mapping[str, object], outcome: str | None
                 ) -> tuple[str | None, dict[str, list[str]]]:
    """SVC-14/CMP-63: the label of the visit and the errors of its record (empty when it is valid)."""
    errors: dict[str, list[str]] = {}
    if mode not in VISIT_MODES:
        errors["mode"] = [f"one of {', '.join(VISIT_MODES)}"]
    for name in RATINGS:
        value = ratings.get(name)
        if value is None:
            errors[name] = [f"rate the {name} from 1 to 5 (SVC-14)"]
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = ["a whole number from 1 to 5"]
    if outcome not in VISIT_OUTCOMES:
        errors["outcome"] = [f"one of {', '.join(VISIT_OUTCOMES)} (SVC-14)"]
    return (PHONE_LABEL if mode == "phone" else None), errors


def raises_issue(outcome: str) -> bool:
    """CMP-63: a problem not (fully) resolved goes to the service manager."""
    return outcome != "resolved"


def unresolved_text(outcome: str, notes: str | None) -> str:
    """The issue raised for a visit whose result is not resolved, when the visitor wrote none."""
    head = f"客户反映问题{OUTCOME_ZH.get(outcome, outcome)}（{outcome}）"
    return f"{head}：{notes.strip()}" if notes and notes.strip() else head
