"""The staff ledger (STF-01): the one way to write a penalty, reward or HR flag, to move it through
its states and to reverse it.

Every rule that fines or rewards someone (complaint consequences CMP-70, archive lending fines
CUS-73, event-list fines CUS-82, filing KPIs CUS-04, the correction loop STF-11...) calls
:func:`record_entry` with its rule id, the subject it concerns and, for automatic entries, a
``dedupe_key`` so that a job run twice writes one entry. Nothing is deleted: :func:`reverse` writes a
linked entry with the opposite amount and keeps the original (STF-01).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from core.accounts.models import Department, User
from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.staff import ledger_rules as rules
from core.staff.models import KINDS, UNITS, StaffEntry
from core.staff.policy import stf_policy


def _amount(value, errors: dict) -> Decimal | None:
    try:
        amount = rules.money(value)
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = ["a number of yuan or points, e.g. 50 or 12.5"]
        return None
    if amount < 0:
        errors["amount"] = ["must not be negative (a reversal is written by reversing the entry)"]
    elif amount > Decimal("1000000"):
        errors["amount"] = ["at most 1,000,000"]
    return amount


def find_by_dedupe(dedupe_key: str) -> StaffEntry | None:
    return db.session.scalars(select(StaffEntry).where(StaffEntry.dedupe_key == dedupe_key)).first()


def record_entry(*, kind: str, offence: str, rule_id: str, amount, reason_zh: str, reason_en: str,
                 user_id: int | None = None, department_id: int | None = None, unit: str = "yuan",
                 occurred_at: dt.datetime | None = None, subject_type: str | None = None,
                 subject_id: int | None = None, state: str = "proposed", role: str | None = None,
                 base_amount=None, multiplier: int = 1, sequence_in_month: int | None = None,
                 label: str | None = None, facts: dict | None = None, policy=None,
                 dedupe_key: str | None = None, created_by: int | None = None,
                 pay_in_cash_by: dt.datetime | None = None, decision: bool = True) -> StaffEntry:
    """Write one ledger entry (and, unless ``decision=False`` because the caller wrote its own, a
    decision with the same rule and reason). With a ``dedupe_key`` already used, the existing entry is
    returned unchanged: an automatic consequence happens once."""
    if dedupe_key:
        existing = find_by_dedupe(dedupe_key)
        if existing is not None:
            return existing
    occurred_at = occurred_at or utcnow()
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = [f"one of {', '.join(KINDS)}"]
    if unit not in UNITS:
        errors["unit"] = [f"one of {', '.join(UNITS)}"]
    if state not in ("proposed", "approved", "effective"):
        errors["state"] = ["a new entry is proposed, approved or effective"]
    if user_id is None and department_id is None:
        errors["user_id"] = ["name the employee, or the unit (department_id) when nobody is identified"]
    if not (offence or "").strip():
        errors["offence"] = ["name the offence (a code of the catalog)"]
    value = _amount(amount if amount is not None else 0, errors)
    if occurred_at.tzinfo is None:
        errors["occurred_at"] = ["needs a time zone"]
    user = None
    if user_id is not None:
        user = db.session.scalars(select(User).where(User.id == user_id)).first()
        if user is None:
            errors["user_id"] = ["not a user of this company"]
    if department_id is not None and db.session.scalar(select(Department.id).where(Department.id == department_id)) is None:
        errors["department_id"] = ["not a department of this company"]
    if errors:
        raise InvalidInput("invalid staff ledger entry", fields=errors, rule_id="STF-01")
    view = stf_policy(occurred_at)
    calendar, _ = tenant_calendar(occurred_at)
    month = rules.payroll_month(calendar.local_date(occurred_at), view.values["deduct"])
    entry = StaffEntry(
        user_id=user_id, department_id=department_id if department_id is not None else (user.department_id if user else None),
        role=role, kind=kind, unit=unit, amount=value,
        base_amount=rules.money(base_amount) if base_amount is not None else None, multiplier=multiplier,
        offence=offence.strip(), rule_id=rule_id, label=label, subject_type=subject_type, subject_id=subject_id,
        occurred_at=occurred_at, sequence_in_month=sequence_in_month, payroll_month=month, state=state,
        pay_in_cash_by=pay_in_cash_by, reason_zh=reason_zh, reason_en=reason_en, facts=facts or {},
        dedupe_key=dedupe_key, created_by=created_by)
    if state in ("approved", "effective"):
        entry.approved_by, entry.approved_at = created_by, utcnow()
    db.session.add(entry)
    db.session.flush()
    if decision:
        written = decisions.record(
            rule_id, "staff_entry", entry.id, policy=policy, decided_by=created_by,
            outcome={"kind": kind, "user_id": user_id, "department_id": entry.department_id, "amount": value,
                     "unit": unit, "offence": entry.offence, "state": state, "payroll_month": month},
            facts={**(facts or {}), "subject": {"type": subject_type, "id": subject_id},
                   "occurred_at": occurred_at}, reason_zh=reason_zh, reason_en=reason_en)
        entry.decision_id = written.id
    return entry


def get_entry(entry_id: int) -> StaffEntry:
    entry = db.session.scalars(select(StaffEntry).where(StaffEntry.id == entry_id)).first()
    if entry is None:
        raise NotFound("staff ledger entry not found")
    return entry


def move(entry: StaffEntry, to: str, *, by: int | None, note: str | None = None,
         at: dt.datetime | None = None) -> StaffEntry:
    """Move an entry to the next state of STF-01 (409 when the move is not allowed). An entry approved
    after the employee's statement of its month was issued counts on the pay of the month of its
    approval, so that no fine escapes every statement (the original month is kept in its facts)."""
    if not rules.can_move(entry.state, to):
        raise Conflict(f"a {entry.state} entry cannot become {to}", rule_id="STF-01")
    entry.state = to
    if to == "approved":
        entry.approved_by, entry.approved_at = by, at or utcnow()
        _after_a_closed_month(entry)
    if note:
        entry.facts = {**(entry.facts or {}), f"{to}_note": note}
    db.session.flush()
    return entry


def approve_reward(entry: StaffEntry, *, by: int, note: str | None = None) -> StaffEntry:
    """A proposed reward approved by a manager other than its beneficiary (STF-01); it then counts on
    pay. (Penalties and flags are approved by their catalog approver, STF-23: core.staff.penalties.)"""
    if entry.kind != "reward":
        raise Conflict("penalties and flags are approved by their catalog approver (/staff/penalties/<id>/approve)",
                       rule_id="STF-23")
    if entry.user_id == by:
        raise Forbidden("nobody approves their own reward", rule_id="STF-01")
    if entry.state != "proposed":
        raise Conflict(f"the reward is {entry.state}, no longer a proposal", rule_id="STF-01")
    move(entry, "approved", by=by, note=note)
    decisions.record("STF-01", "staff_entry", entry.id, decided_by=by, outcome={"state": "approved"},
                     facts={"amount": entry.amount, "unit": entry.unit, "note": note},
                     reason_zh="奖励经审批生效" + (f"：{note}" if note else ""),
                     reason_en="reward approved" + (f": {note}" if note else ""))
    return entry


def revoke_proposal(entry: StaffEntry, *, by: int, reason: str) -> StaffEntry:
    """A proposal (penalty, reward or flag) withdrawn before approval, with a reason; kept as revoked."""
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why the proposal is withdrawn"]},
                           rule_id="STF-01")
    if entry.user_id == by:
        raise Forbidden("nobody withdraws a proposal about themselves", rule_id="STF-01")
    if entry.state != "proposed":
        raise Conflict(f"the entry is {entry.state}: only a proposal is withdrawn (reverse what counts)",
                       rule_id="STF-01")
    move(entry, "revoked", by=by, note=reason)
    decisions.record("STF-01", "staff_entry", entry.id, decided_by=by, outcome={"state": "revoked"},
                     facts={"amount": entry.amount, "unit": entry.unit, "kind": entry.kind},
                     reason_zh=f"撤回建议：{reason}", reason_en=f"proposal withdrawn: {reason}")
    return entry


def _after_a_closed_month(entry: StaffEntry) -> None:
    from core.staff.statements_models import Statement

    if entry.user_id is None or db.session.scalar(select(Statement.id).where(
            Statement.user_id == entry.user_id, Statement.month == entry.payroll_month)) is None:
        return
    calendar, _ = tenant_calendar(entry.approved_at)
    month = rules.payroll_month(calendar.local_date(entry.approved_at), stf_policy(entry.approved_at).values["deduct"])
    if month > entry.payroll_month:
        entry.facts = {**(entry.facts or {}), "statement_month_closed": entry.payroll_month.isoformat()[:7]}
        entry.payroll_month = month


def reverse(entry: StaffEntry, *, reason_zh: str, reason_en: str, by: int | None, rule_id: str = "STF-01",
            at: dt.datetime | None = None, amount=None, policy=None) -> StaffEntry:
    """Reverse ``entry`` (or ``amount`` of it) by a linked entry with the opposite sign, dated ``at``
    (the reversal month's pay); the original is kept as it was (STF-01, STF-33)."""
    if entry.state == "reversal":
        raise Conflict("a reversal cannot be reversed; record a new entry instead", rule_id="STF-01")
    if entry.state not in rules.REVERSIBLE:
        raise Conflict(f"a {entry.state} entry does not count yet: revoke it instead of reversing it",
                       rule_id="STF-01")
    if by is not None and by == entry.user_id:
        raise Forbidden("nobody reverses an entry of their own", rule_id="STF-01")
    if not (reason_zh or "").strip() or not (reason_en or "").strip():
        raise InvalidInput("a reversal needs a reason", fields={"reason": ["say why the entry is reversed"]},
                           rule_id="STF-01")
    already = reversed_amount(entry)
    part = rules.money(amount) if amount is not None else entry.amount - already
    if part <= 0 or already + part > entry.amount:
        raise Conflict(f"only {entry.amount - already} of this entry is left to reverse", rule_id="STF-01")
    at = at or utcnow()
    calendar, _ = tenant_calendar(at)
    view = policy or stf_policy(at)
    reversal = StaffEntry(
        user_id=entry.user_id, department_id=entry.department_id, role=entry.role, kind=entry.kind, unit=entry.unit,
        amount=-part, multiplier=1, offence=entry.offence, rule_id=rule_id, label=entry.label,
        subject_type=entry.subject_type, subject_id=entry.subject_id, occurred_at=at,
        payroll_month=rules.payroll_month(calendar.local_date(at), view.values["deduct"]), state="reversal",
        reverses_id=entry.id, reason_zh=reason_zh, reason_en=reason_en, facts={"reverses": entry.id},
        created_by=by)
    db.session.add(reversal)
    db.session.flush()
    written = decisions.record(rule_id, "staff_entry", reversal.id, policy=view, decided_by=by,
                               outcome={"reverses": entry.id, "amount": -part, "unit": entry.unit},
                               facts={"original_amount": entry.amount, "already_reversed": already},
                               reason_zh=reason_zh, reason_en=reason_en)
    reversal.decision_id = written.id
    return reversal


def reversed_amount(entry: StaffEntry) -> Decimal:
    total = db.session.scalar(select(func.coalesce(func.sum(StaffEntry.amount), 0))
                              .where(StaffEntry.reverses_id == entry.id))
    return -rules.money(total or 0)


def entries(*, user_id: int | None = None, department_id: int | None = None, month: dt.date | None = None,
            kind: str | None = None, offence: str | None = None, subject_type: str | None = None,
            subject_id: int | None = None, state: str | None = None):
    stmt = select(StaffEntry)
    if user_id is not None:
        stmt = stmt.where(StaffEntry.user_id == user_id)
    if department_id is not None:
        stmt = stmt.where(StaffEntry.department_id == department_id)
    if month is not None:
        stmt = stmt.where(StaffEntry.payroll_month == rules.month_start(month))
    for column, value in ((StaffEntry.kind, kind), (StaffEntry.offence, offence),
                          (StaffEntry.subject_type, subject_type), (StaffEntry.subject_id, subject_id),
                          (StaffEntry.state, state)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(StaffEntry.occurred_at, StaffEntry.id)


def month_totals(user_id: int, month: dt.date) -> dict:
    """Penalties and rewards of ``user_id`` counting on the pay of ``month``: entries in a counting state,
    and reversals of such entries (a revoked fine and its reversal count neither)."""
    original = aliased(StaffEntry)
    counts = or_(StaffEntry.state.in_(rules.COUNTING),
                 and_(StaffEntry.state == "reversal", original.state.in_(rules.COUNTING)))
    rows = db.session.execute(
        select(StaffEntry.kind, StaffEntry.unit, func.sum(StaffEntry.amount))
        .outerjoin(original, and_(original.tenant_id == StaffEntry.tenant_id, original.id == StaffEntry.reverses_id))
        .where(StaffEntry.user_id == user_id, StaffEntry.payroll_month == rules.month_start(month),
               counts, StaffEntry.kind != "flag")
        .group_by(StaffEntry.kind, StaffEntry.unit))
    totals = {f"{kind}_{unit}": rules.money(total) for kind, unit, total in rows}
    return {key: totals.get(key, Decimal("0.00")) for key in
            ("penalty_yuan", "penalty_points", "reward_yuan", "reward_points")}
