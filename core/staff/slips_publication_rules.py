"""Pure rules of the monthly penalty list for HR (STF-23). No database.

- :func:`month_to_publish` — on a local day, the month whose penalties are compiled: the previous one.
- :func:`due_on` — the list is published to HR by the 10th of the following month.
- :data:`LISTED_STATES` — the approved penalties: approved and every later state that still counts
  (not proposed, not revoked; reversals are netted into the amount of the entry they reverse).
- :func:`totals` and :func:`csv_bytes` — sums per unit, and the list as CSV (UTF-8 with BOM, CRLF,
  text cells that look like formulas neutralised) for Excel.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from core.customers.transfer.formats import neutralise_cell

PUBLISH_BY_DAY = 10
LISTED_STATES = ("approved", "effective", "appealed", "upheld", "modified", "deducted")
CSV_COLUMNS = (
    ("entry_id", "记录号 Entry"), ("employee", "员工 Employee"), ("user_id", "员工号 User id"),
    ("department", "部门 Department"), ("offence", "违纪事项 Offence"), ("rule_id", "规则 Rule"),
    ("occurred_at", "发生时间 Occurred"), ("amount", "处罚金额 Amount"), ("unit", "单位 Unit"),
    ("original_amount", "原金额 Original"), ("state", "状态 State"), ("approved_at", "批准时间 Approved"),
    ("slip_id", "处罚单 Slip"), ("slip_effective_at", "处罚单生效 Slip effective"),
    ("appeal_outcome", "申诉结果 Appeal outcome"),
)


def month_to_publish(local_day: dt.date) -> dt.date:
    """The first day of the month before ``local_day``'s (run on 2026-10-01 → 2026-09-01)."""
    return (local_day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def due_on(month: dt.date) -> dt.date:
    """The 10th of the month after ``month`` (September's list → by 2026-10-10)."""
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following.replace(day=PUBLISH_BY_DAY)


def totals(items: list[dict]) -> dict:
    """The listed amounts summed per unit (strings with 2 decimals)."""
    sums = {"yuan": Decimal("0.00"), "points": Decimal("0.00")}
    for item in items:
        sums[item["unit"]] = sums.get(item["unit"], Decimal("0.00")) + Decimal(item["amount"])
    return {unit: format(value, ".2f") for unit, value in sums.items()}


def csv_bytes(items: list[dict]) -> bytes:
    """The list as CSV with a bilingual header row (UTF-8 with BOM, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _key, title in CSV_COLUMNS])
    for item in items:
        writer.writerow(["" if item.get(key) is None else neutralise_cell(str(item[key])) for key, _title in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
