"""CUS-73 archive lending (借阅): pure rules.

- Due date: ``borrowed_at + cus.loan.max`` on the tenant calendar (calendar days by CAL-05 unless the
  tenant writes ``working_days``): borrowed 2026-09-29 10:00 with 3 days → due through 2026-10-02
  (until 2026-10-03 00:00 local); the first overdue reminder is on 2026-10-03.
- Late: returned at or after the due instant. A late loan gives ``cus.loan.late_fine`` (if above 0)
  and, with ``ban_on_late``, a borrowing ban; a lost or damaged file gives ``loss_fine`` and, with
  ``ban_on_loss`` (default true: 篇六/CAR "adds a fine and a ban"), a ban.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Deadline, WorkCalendar


def due(calendar: WorkCalendar, borrowed_at: dt.datetime, values: dict) -> Deadline:
    """When a loan made at ``borrowed_at`` must be back (``cus.loan.max``)."""
    return calendar.add_duration(borrowed_at, values["loan"]["max"], audience="internal")


def is_late(due_at: dt.datetime, at: dt.datetime) -> bool:
    return at >= due_at


@dataclass(frozen=True)
class Consequence:
    """A fine (Decimal yuan, maybe 0) and whether the borrower is banned, with the reasons."""

    fine: Decimal
    ban: bool
    reason_zh: str
    reason_en: str


def late_consequence(values: dict, due_through: dt.date, returned_on: dt.date | None) -> Consequence:
    """The consequence of a late return (or of a loan found overdue before it is back)."""
    loan = values["loan"]
    fine, ban = Decimal(loan["late_fine"]), bool(loan["ban_on_late"])
    when_zh = f"于{returned_on.isoformat()}归还" if returned_on else "逾期未还"
    when_en = f"returned on {returned_on.isoformat()}" if returned_on else "not returned"
    zh = (f"借阅应于{due_through.isoformat()}前归还，{when_zh}，逾期。依据CUS-73，罚款¥{fine}"
          + ("，并停止其借阅资格。" if ban else "。"))
    en = (f"The loan was due through {due_through.isoformat()} and was {when_en}: late. Under CUS-73 a "
          f"fine of ¥{fine}" + (" and a borrowing ban." if ban else "."))
    return Consequence(fine, ban, zh, en)


def loss_consequence(values: dict, material: str) -> Consequence:
    loan = values["loan"]
    fine, ban = Decimal(loan["loss_fine"]), bool(loan["ban_on_loss"])
    zh = f"借阅的档案“{material}”遗失或损坏。依据CUS-73，罚款¥{fine}" + ("，并停止其借阅资格。" if ban else "。")
    en = f"The borrowed file '{material}' was lost or damaged. Under CUS-73 a fine of ¥{fine}" + (
        " and a borrowing ban." if ban else ".")
    return Consequence(fine, ban, zh, en)
