"""Deducting a month's fines (STF-01): the close of a pay month.

At the monthly close (``stf.monthly_close``, with the month's statements) every fine in yuan that
counts on the pay of that month or an earlier one and is final — ``effective`` (through its slip,
STF-20), ``upheld`` or ``modified`` after an appeal (STF-21), or ``approved`` when the tenant takes
fines without slips (``stf.slip.required = false``) — becomes ``deducted``: it is taken from that
month's pay (``stf.deduct``, the payroll month of each entry). A fine still waiting for its slip or
under appeal waits for a later close. What is deducted is what is left of a fine after its
reversals (an appeal that cut ¥100 to ¥60 deducts ¥60). Where the tenant credits fines to a department fund
(``stf.fund``, e.g. PRE-15 ``after_sales_fund``), the month's deducted fines are posted to it. Each
close writes one STF-01 decision; a second run the same month deducts only what became final since.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.db import db
from core.decisions import service as decisions
from core.staff import ledger
from core.staff.ledger_rules import money
from core.staff.models import StaffEntry, StaffFundPosting
from core.staff.policy import stf_policy

FINAL = ("effective", "upheld", "modified")


def deductible_states(values: dict) -> tuple[str, ...]:
    """The states in which a fine is final under the ``stf`` policy ``values``."""
    return FINAL if values["slip"]["required"] else ("approved", *FINAL)


def deduct(month: dt.date, at: dt.datetime) -> dict:
    """Deduct the final fines counting on ``month`` (first day) or earlier; returns what was done."""
    view = stf_policy(month)
    rows = list(db.session.scalars(select(StaffEntry).where(
        StaffEntry.kind == "penalty", StaffEntry.unit == "yuan", StaffEntry.payroll_month <= month,
        StaffEntry.state.in_(deductible_states(view.values))).order_by(StaffEntry.id)))
    if not rows:
        return {"deducted": 0, "amount": "0.00", "fund": None}
    label = f"{month.year:04d}-{month.month:02d}"
    total = Decimal("0")
    for row in rows:  # what is left of each fine after its reversals (an appeal that modified it)
        net = money(row.amount - ledger.reversed_amount(row))
        row.facts = {**(row.facts or {}), "deducted_in": label, "state_before_deduction": row.state,
                     "deducted_amount": str(net)}
        row.state = "deducted"
        total += max(net, Decimal("0"))
    total = money(total)
    fund = view.values["fund"]
    posting = None
    if fund != "none":
        posting = db.session.scalars(select(StaffFundPosting).where(
            StaffFundPosting.month == month, StaffFundPosting.fund == fund)).first()
        if posting is None:
            posting = StaffFundPosting(month=month, fund=fund, amount=Decimal("0"), entries=0)
            db.session.add(posting)
        posting.amount = money(posting.amount + total)
        posting.entries += len(rows)
    db.session.flush()
    to_fund_zh = f"，计入「{fund}」" if posting else ""
    to_fund_en = f", credited to {fund}" if posting else ""
    decision = decisions.record(
        "STF-01", "staff_month", int(month.strftime("%Y%m")), policy=view,
        outcome={"month": label, "deducted": [row.id for row in rows], "amount": total,
                 "fund": fund if posting else None},
        facts={"states": list(deductible_states(view.values)), "deduct": view.values["deduct"], "at": at},
        reason_zh=f"{month.year}年{month.month}月工资扣除罚款{len(rows)}笔，共{total}元{to_fund_zh}",
        reason_en=f"{label} pay: {len(rows)} fines deducted, ¥{total} in all{to_fund_en}")
    if posting is not None:
        posting.decision_id = decision.id
    return {"deducted": len(rows), "amount": str(total), "fund": fund if posting else None,
            "decision_id": decision.id}


def postings(month: dt.date | None = None):
    stmt = select(StaffFundPosting).order_by(StaffFundPosting.month.desc(), StaffFundPosting.fund)
    if month is not None:
        stmt = stmt.where(StaffFundPosting.month == month.replace(day=1))
    return stmt
