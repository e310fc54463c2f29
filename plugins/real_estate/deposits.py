"""Deposits through finance only (RE-32): small (小定) and big (大定) deposits with finance's receipt
number, and their registers.

:func:`record` checks with :func:`~plugins.real_estate.unit_rules.deposit_check` — the role first (403:
only finance; nothing written), then the unit's state (409), then the fields (422) — and the receipt
number's uniqueness (422); then the unit moves (``small_deposit`` / ``big_deposit``), a hold on it is
converted (it never lapses), and a decision RE-32 is written. :func:`register` lists them by kind and
period.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import User
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from plugins.real_estate import holds, units
from plugins.real_estate.policy import re_policy
from plugins.real_estate.sales_models import Deposit, Unit
from plugins.real_estate.unit_rules import DEPOSIT_KINDS, DepositFacts, deposit_check

RECORDERS = ("finance",)
#: who reads the registers (the assistant fills the lists from them, RE-34)
REGISTER_READERS = (*units.UNIT_EDITORS, "finance", "assistant")
RECEIPT_TAKEN = "this receipt number is recorded already (RE-32)"


def get_deposit(deposit_id: int) -> Deposit:
    return get_one(Deposit, deposit_id, "deposit")


def _receipt_taken(receipt_no: str) -> InvalidInput:
    return InvalidInput("receipt number taken", fields={"receipt_no": [RECEIPT_TAKEN]}, rule_id="RE-32")


def record(unit: Unit, data: dict, *, by: User) -> Deposit:
    """RE-32: finance records a deposit (``kind``, ``amount``, ``receipt_no``, ``customer_id``,
    ``received_at``) on ``unit``. Locks the unit, then its hold (the order of :func:`holds.lapse_due`);
    a hold past its expiry → 409 (hold again)."""
    unit = units.get_unit(unit.id, for_update=True)
    at = data.get("received_at") or utcnow()
    if data.get("kind") not in DEPOSIT_KINDS:
        raise InvalidInput("invalid deposit", fields={"kind": [f"one of {', '.join(DEPOSIT_KINDS)}"]})
    view = re_policy(at)
    check = deposit_check(view.values, DepositFacts(unit.id, unit.state, data.get("kind"), data.get("amount"),
                                                    data.get("receipt_no"), frozenset(by.roles)))
    if not check.allowed:
        raise units.refusal(check)
    receipt_no = data["receipt_no"].strip()
    held = holds.active_hold(unit.id)
    if held is not None:
        db.session.refresh(held, with_for_update=True)
    if held is not None and held.expires_at <= utcnow():
        raise Conflict(f"the hold on unit {unit.number} expired", rule_id="RE-31",
                       reason_zh=f"房源{unit.number}的锁定已过期，请重新锁定后再收定金",
                       reason_en=f"the hold on unit {unit.number} expired: hold it again, then record the deposit")
    customer_id = data.get("customer_id") or (held.customer_id if held else None) or unit.customer_id
    if not units.known_customer(customer_id):
        raise InvalidInput("invalid deposit", fields={"customer_id": ["the customer who pays the deposit (RE-32)"]})
    if data.get("salesperson_id") is not None and not units.known_user(data["salesperson_id"]):
        raise InvalidInput("invalid deposit", fields={"salesperson_id": ["not an employee of this company"]})
    if db.session.scalar(select(Deposit.id).where(Deposit.receipt_no == receipt_no)):
        raise _receipt_taken(receipt_no)
    salesperson_id = data.get("salesperson_id") or (held.holder_id if held else None) or unit.salesperson_id
    deposit = Deposit(unit_id=unit.id, customer_id=customer_id, salesperson_id=salesperson_id, kind=data["kind"],
                      amount=check.amount, receipt_no=receipt_no, received_at=at, recorded_by=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(deposit)
    except IntegrityError:
        raise _receipt_taken(receipt_no) from None
    units.move(unit, check.to_state, by.roles, customer_id=customer_id, salesperson_id=salesperson_id)
    if held is not None:
        held.status, held.ended_at = "converted", at
    decisions.record("RE-32", "re_unit", unit.id, outcome={**check.outcome(), "deposit_id": deposit.id},
                     reason_zh=check.reason_zh, reason_en=check.reason_en, policy=view, decided_by=by.id,
                     facts={"kind": deposit.kind, "amount": deposit.amount, "receipt_no": receipt_no,
                            "customer_id": customer_id, "hold_id": held.id if held else None})
    db.session.flush()
    return deposit


def register(*, kind: str | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None,
             unit_id: int | None = None):
    """The deposit register (小定登记表 / 大定登记表): deposits of ``kind`` received in ``[start, end)``,
    in the order received."""
    stmt = select(Deposit)
    if kind:
        stmt = stmt.where(Deposit.kind == kind)
    if start is not None:
        stmt = stmt.where(Deposit.received_at >= start)
    if end is not None:
        stmt = stmt.where(Deposit.received_at < end)
    if unit_id is not None:
        stmt = stmt.where(Deposit.unit_id == unit_id)
    return stmt.order_by(Deposit.received_at, Deposit.id)


def milestones_of(unit_id: int, customer_id: int) -> dict[str, dt.datetime | None]:
    """The first small and big deposit of ``customer_id`` on ``unit_id`` not refunded (RE-26's
    milestones of the sale)."""
    found: dict[str, dt.datetime | None] = {"small_deposit": None, "big_deposit": None}
    for deposit in db.session.scalars(register(unit_id=unit_id).where(Deposit.customer_id == customer_id,
                                                                      Deposit.refunded_at.is_(None))):
        key = f"{deposit.kind}_deposit"
        if found.get(key) is None:
            found[key] = deposit.received_at
    return found
