"""Performance credit (STF-30..33, CMP-72): recording a deal, who holds its performance and
commission, when it counts, and its reversal.

- :func:`record_deal` — a deal's credit: the attribution comes from the tenant's plugins
  (``kehu_commission_split``, core default 100% to the owner or, for a probationer, performance to the
  mentor: STF-32), the recognition from ``kehu_credit_recognition`` (core default: when recorded).
  Both are decisions.
- :func:`add_facts` — later events of the deal (pickup, remittance report, documents...): a pending
  deal is judged again and counts once the plugin says so (STF-31).
- :func:`reattribute` — the only way shares change: a new attribution decision (the plugin's again,
  or a manager's with a reason) that supersedes the one in force; the old shares stay with it.
- :func:`reverse` — STF-33: a negative credit in the reversal month, the original untouched (a deal
  that never counted is cancelled instead). :func:`clawback` is CMP-72's reversal for a complaint.

There is no operation that swaps or edits shares (STF-33).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, exists, or_, select

from core.accounts.models import Department, User
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins import get_plugins
from core.plugins.records import CommissionSplit, Deal, Recognition, ShareLine
from core.staff import credit_rules as rules
from core.staff.credit_models import COUNTED, CreditShare, PerformanceCredit
from core.staff.policy import stf_policy
from core.tenancy import current_tenant_id

SUBJECT = "staff_credit"
MAX_AMOUNT = Decimal("1000000000000")
_SUBJECT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")
#: rules under which a credit may be reversed (DOMAIN.md STF-33 lists them); plugin rules use ``<plugin>:<rule>``
REVERSAL_RULES = ("STF-33", "CMP-72", "CAR-35", "CAR-32", "RE-43")


def _relay():
    return get_plugins().for_tenant(current_tenant_id())


def _local_month(at: dt.datetime) -> dt.date:
    calendar, _ = tenant_calendar(at)
    return rules.month_of(calendar.local_date(at))


def deal_of(credit: PerformanceCredit) -> Deal:
    return Deal(credit_id=credit.id, subject_type=credit.subject_type, subject_id=credit.subject_id,
                amount=credit.amount, owner_id=credit.owner_id, deal_at=credit.deal_at,
                department_id=credit.department_id, mentor_id=credit.mentor_id, facts=dict(credit.facts or {}))


# --- reading ----------------------------------------------------------------------------------------


def get_credit(credit_id: int) -> PerformanceCredit:
    credit = db.session.scalars(select(PerformanceCredit).where(PerformanceCredit.id == credit_id)).first()
    if credit is None:
        raise NotFound("credit not found")
    return credit


def shares_of(credit: PerformanceCredit, decision_id: int | None = None) -> list[CreditShare]:
    """The shares of ``credit`` under the decision in force (or under ``decision_id``), performance
    first, each set in holder order."""
    return list(db.session.scalars(
        select(CreditShare).where(CreditShare.credit_id == credit.id,
                                  CreditShare.decision_id == (decision_id or credit.decision_id))
        .order_by(CreditShare.kind.desc(), CreditShare.position)))


def reversal_of(credit: PerformanceCredit) -> PerformanceCredit | None:
    return db.session.scalars(select(PerformanceCredit).where(PerformanceCredit.reverses_id == credit.id)).first()


def _current_share():
    """Join condition: a share of the decision in force of its credit."""
    return and_(CreditShare.credit_id == PerformanceCredit.id, CreditShare.decision_id == PerformanceCredit.decision_id)


def credits(*, user_id: int | None = None, month: dt.date | None = None, state: str | None = None,
            subject_type: str | None = None, subject_id: int | None = None):
    """Credits newest first; ``user_id``: those the employee owns or holds a share of."""
    stmt = select(PerformanceCredit).order_by(PerformanceCredit.deal_at.desc(), PerformanceCredit.id.desc())
    if user_id is not None:
        holds = exists().where(_current_share(), CreditShare.user_id == user_id)
        stmt = stmt.where(or_(PerformanceCredit.owner_id == user_id, holds))
    if month is not None:
        stmt = stmt.where(PerformanceCredit.recognised_month == rules.month_of(month))
    for column, value in ((PerformanceCredit.state, state), (PerformanceCredit.subject_type, subject_type),
                          (PerformanceCredit.subject_id, subject_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def month_shares(month: dt.date, *, user_id: int | None = None):
    """(share, credit) of the shares counting in ``month`` (recognised deals and reversals)."""
    stmt = (select(CreditShare, PerformanceCredit).join(PerformanceCredit, _current_share())
            .where(PerformanceCredit.recognised_month == rules.month_of(month),
                   PerformanceCredit.state.in_(COUNTED))
            .order_by(PerformanceCredit.recognised_at, PerformanceCredit.id, CreditShare.kind.desc(),
                      CreditShare.position))
    if user_id is not None:
        stmt = stmt.where(CreditShare.user_id == user_id)
    return db.session.execute(stmt).all()


def month_figures(user_id: int, month: dt.date) -> dict:
    """An employee's performance and commission counting in ``month`` (STF-34), with one line per
    share."""
    performance, commission, lines = Decimal("0.00"), Decimal("0.00"), []
    for share, credit in month_shares(month, user_id=user_id):
        if share.kind == "performance":
            performance += share.amount
        else:
            commission += share.amount
        lines.append({"credit_id": credit.id, "kind": credit.kind, "reference": credit.reference,
                      "subject_type": credit.subject_type, "subject_id": credit.subject_id,
                      "share": share.kind, "percent": str(share.percent), "amount": str(share.amount)})
    return {"performance": performance, "commission": commission, "lines": lines}


def department_performance(department_id: int, month: dt.date) -> Decimal:
    """The performance of the department's deals counting in ``month`` (STF-42 targets)."""
    total = Decimal("0.00")
    for share, credit in month_shares(month):
        if share.kind == "performance" and credit.department_id == department_id:
            total += share.amount
    return total


# --- attribution (STF-30, STF-32) -------------------------------------------------------------------


def _holders_exist(lines, what: str) -> list[str]:
    errors = []
    for i, line in enumerate(lines):
        if line.user_id is not None and db.session.scalar(select(User.id).where(User.id == line.user_id)) is None:
            errors.append(f"{what}[{i}]: user {line.user_id} is not an employee of this company")
        if line.department_id is not None and db.session.scalar(
                select(Department.id).where(Department.id == line.department_id)) is None:
            errors.append(f"{what}[{i}]: department {line.department_id} is not a department of this company")
    return errors


def _check_split(split: CommissionSplit) -> None:
    errors = {}
    for kind in rules.SHARE_KINDS:
        lines = tuple(getattr(split, kind) or ())
        problems = rules.share_errors(lines, what=kind) or _holders_exist(lines, kind)
        if problems:
            errors[kind] = problems
    if errors:
        raise InvalidInput("invalid shares: each set names its holders and sums to exactly 100.00%",
                           fields=errors, rule_id="STF-30")


def _apply_split(credit: PerformanceCredit, split: CommissionSplit, *, decided_by: int | None,
                 supersedes=None, policy=None):
    """Write the attribution decision and its share rows; the credit points to them."""
    _check_split(split)
    outcome, rows = {}, []
    for kind in rules.SHARE_KINDS:
        lines = [ShareLine(rules.money(line.percent), line.user_id, line.department_id) for line in getattr(split, kind)]
        priced = rules.priced(lines, credit.amount)
        outcome[kind] = [{"user_id": line.user_id, "department_id": line.department_id, "percent": line.percent,
                          "amount": amount} for line, amount in priced]
        rows += [(kind, position, line, amount) for position, (line, amount) in enumerate(priced)]
    decision = decisions.record(
        split.rule_id, SUBJECT, credit.id, policy=policy or stf_policy(credit.deal_at), decided_by=decided_by,
        supersedes=supersedes, outcome=outcome,
        facts={"subject": {"type": credit.subject_type, "id": credit.subject_id}, "reference": credit.reference,
               "amount": credit.amount, "owner_id": credit.owner_id, "mentor_id": credit.mentor_id,
               "deal_at": credit.deal_at, **(split.facts or {})},
        reason_zh=split.reason_zh, reason_en=split.reason_en)
    for kind, position, line, amount in rows:
        db.session.add(CreditShare(credit_id=credit.id, decision_id=decision.id, kind=kind, position=position,
                                   user_id=line.user_id, department_id=line.department_id, percent=line.percent,
                                   amount=amount))
    credit.decision_id = decision.id
    db.session.flush()
    return decision


def _plugin_split(credit: PerformanceCredit) -> CommissionSplit:
    split = _relay().kehu_commission_split(deal=deal_of(credit))
    if split is None:  # the core plugin always answers; only a broken plugin set gets here
        split = rules.default_split(deal_of(credit))
    return split


# --- recognition (STF-31) ---------------------------------------------------------------------------


def _recognise(credit: PerformanceCredit, recognition: Recognition, *, first: bool) -> None:
    """Apply the plugin's answer: count the deal from ``recognition.at``, or keep it pending (a
    decision at recording, and one when it comes to count)."""
    if recognition.at is None:
        credit.state = "pending"
        if not first:
            return
        outcome = {"state": "pending"}
    else:
        if recognition.at.tzinfo is None:
            raise ValueError(f"{recognition.rule_id}: a recognition time needs a time zone")
        credit.state = "recognised"
        credit.recognised_at = recognition.at
        credit.recognised_month = _local_month(recognition.at)
        outcome = {"state": "recognised", "recognised_at": recognition.at,
                   "month": rules.month_label(credit.recognised_month)}
    previous = decisions.get(credit.recognition_decision_id) if credit.recognition_decision_id else None
    decision = decisions.record(
        recognition.rule_id, SUBJECT, credit.id, policy=stf_policy(credit.deal_at), supersedes=previous,
        outcome=outcome, facts={"deal_at": credit.deal_at, "facts": credit.facts or {}},
        reason_zh=recognition.reason_zh, reason_en=recognition.reason_en)
    credit.recognition_decision_id = decision.id
    db.session.flush()


def _plugin_recognition(credit: PerformanceCredit) -> Recognition:
    recognition = _relay().kehu_credit_recognition(deal=deal_of(credit))
    return recognition if recognition is not None else rules.default_recognition(deal_of(credit))


# --- writing ----------------------------------------------------------------------------------------


def _amount(value, errors: dict) -> Decimal | None:
    try:
        amount = rules.money(value)
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = ["a number of yuan, e.g. 12345.67"]
        return None
    if amount <= 0 or amount >= MAX_AMOUNT:
        errors["amount"] = ["more than 0 and less than 1,000,000,000,000"]
    return amount


def _user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalars(select(User).where(User.id == user_id)).first()


def record_deal(*, subject_type: str, subject_id: int, amount, owner_id: int, mentor_id: int | None = None,
                deal_at: dt.datetime | None = None, facts: dict | None = None, reference: str | None = None,
                by: int | None = None) -> PerformanceCredit:
    """Record a deal's credit: attribution and recognition by the tenant's plugins (STF-30/31/32).
    One credit per subject (409 for a second)."""
    errors: dict[str, list[str]] = {}
    if not _SUBJECT_TYPE.match(subject_type or "") or len(subject_type) > 40:
        errors["subject_type"] = ["a code in lower-case letters, digits and underscores (e.g. car_order)"]
    value = _amount(amount, errors)
    owner = _user(owner_id)
    if owner is None:
        errors["owner_id"] = ["not an employee of this company"]
    if mentor_id is not None and (_user(mentor_id) is None or mentor_id == owner_id):
        errors["mentor_id"] = ["an employee of this company other than the owner"]
    if errors:
        raise InvalidInput("invalid deal", fields=errors, rule_id="STF-30")
    deal_at = fact_time(deal_at, "deal_at")
    taken = db.session.scalar(select(PerformanceCredit.id).where(
        PerformanceCredit.subject_type == subject_type, PerformanceCredit.subject_id == subject_id,
        PerformanceCredit.kind == "deal"))
    if taken is not None:
        raise Conflict(f"{subject_type} {subject_id} already has its credit (#{taken}); changes are new decisions",
                       rule_id="STF-30")
    credit = PerformanceCredit(subject_type=subject_type, subject_id=subject_id, kind="deal", reference=reference,
                               amount=value, owner_id=owner_id, mentor_id=mentor_id,
                               department_id=owner.department_id, deal_at=deal_at, state="pending",
                               facts=dict(facts or {}), created_by=by)
    db.session.add(credit)
    db.session.flush()
    _apply_split(credit, _plugin_split(credit), decided_by=None)
    _recognise(credit, _plugin_recognition(credit), first=True)
    return credit


def _open_deal(credit: PerformanceCredit, action: str) -> None:
    if credit.kind != "deal":
        raise Conflict(f"a reversal cannot be {action}", rule_id="STF-33")
    if credit.state == "cancelled" or reversal_of(credit) is not None:
        raise Conflict(f"this credit was reversed and cannot be {action}", rule_id="STF-33")


def add_facts(credit: PerformanceCredit, facts: dict, *, by: int | None) -> PerformanceCredit:
    """Add later facts of the deal; a pending deal is judged again (STF-31). A counted deal stays
    counted."""
    _open_deal(credit, "changed")
    if not facts:
        raise InvalidInput("no facts", fields={"facts": ["name at least one fact"]})
    credit.facts = {**(credit.facts or {}), **facts}
    db.session.flush()
    if credit.state == "pending":
        _recognise(credit, _plugin_recognition(credit), first=False)
    return credit


def reattribute(credit: PerformanceCredit, *, by: int, performance=None, bonus=None, rule_id: str | None = None,
                reason: str | None = None):
    """A new attribution decision superseding the one in force: the plugin's again (no shares given)
    or a manager's (both sets and a reason). Returns the decision."""
    _open_deal(credit, "attributed again")
    old = decisions.get(credit.decision_id)
    if performance is None and bonus is None:
        split = _plugin_split(credit)
    else:
        errors = {}
        if performance is None or bonus is None:
            errors["performance" if performance is None else "bonus"] = ["give both share sets"]
        if not (reason or "").strip():
            errors["reason"] = ["a manager's attribution needs the reason"]
        if errors:
            raise InvalidInput("invalid attribution", fields=errors, rule_id="STF-30")
        text = reason.strip()
        split = CommissionSplit(
            performance=tuple(performance), bonus=tuple(bonus), rule_id=rule_id or "STF-30",
            reason_zh=f"经理重新判定本单业绩与提成：{text}", reason_en=f"A manager decided the shares again: {text}",
            facts={"previous_decision": old.id, "manual": True})
    return _apply_split(credit, split, decided_by=by, supersedes=old)


def reverse(credit: PerformanceCredit, *, rule_id: str, reason_zh: str, reason_en: str, by: int | None,
            at: dt.datetime | None = None, facts: dict | None = None) -> PerformanceCredit:
    """STF-33: reverse a deal's credit by decision. A counted deal gets a linked negative credit in
    the month of ``at`` with the same shares negated (the original month is unchanged); a pending one
    is cancelled (it never counted). Returns the credit that carries the effect."""
    _open_deal(credit, "reversed")
    at = fact_time(at, "at")
    if credit.state == "recognised" and at < credit.recognised_at:
        raise InvalidInput("invalid reversal time", fields={"at": ["not before the deal counted"]}, rule_id="STF-33")
    policy = stf_policy(at)
    if credit.state == "pending":
        credit.state = "cancelled"
        previous = decisions.get(credit.recognition_decision_id) if credit.recognition_decision_id else None
        decision = decisions.record(rule_id, SUBJECT, credit.id, policy=policy, decided_by=by, supersedes=previous,
                                    outcome={"state": "cancelled"}, facts={**(facts or {}), "cancelled_at": at},
                                    reason_zh=reason_zh, reason_en=reason_en)
        credit.recognition_decision_id = decision.id
        db.session.flush()
        return credit
    reversal = PerformanceCredit(
        subject_type=credit.subject_type, subject_id=credit.subject_id, kind="reversal", reference=credit.reference,
        amount=-credit.amount, owner_id=credit.owner_id, mentor_id=credit.mentor_id,
        department_id=credit.department_id, deal_at=credit.deal_at, state="reversal", recognised_at=at,
        recognised_month=_local_month(at), reverses_id=credit.id, facts={"reverses": credit.id}, created_by=by)
    db.session.add(reversal)
    db.session.flush()
    shares = shares_of(credit)
    decision = decisions.record(
        rule_id, SUBJECT, reversal.id, policy=policy, decided_by=by,
        outcome={"reverses": credit.id, "amount": reversal.amount, "month": rules.month_label(reversal.recognised_month),
                 "shares": [{"kind": s.kind, "user_id": s.user_id, "department_id": s.department_id,
                             "percent": s.percent, "amount": -s.amount} for s in shares]},
        facts={**(facts or {}), "original_month": rules.month_label(credit.recognised_month),
               "original_decision": credit.decision_id, "reversed_at": at},
        reason_zh=reason_zh, reason_en=reason_en)
    for share in shares:
        db.session.add(CreditShare(credit_id=reversal.id, decision_id=decision.id, kind=share.kind,
                                   position=share.position, user_id=share.user_id, department_id=share.department_id,
                                   percent=share.percent, amount=-share.amount))
    reversal.decision_id = reversal.recognition_decision_id = decision.id
    db.session.flush()
    return reversal


def clawback(credit: PerformanceCredit, *, complaint_id: int, reason: str, by: int,
             at: dt.datetime | None = None) -> PerformanceCredit:
    """CMP-72: a manager cancels a deal's performance and commission because of a complaint (the
    reason is required): an STF-33 reversal under rule CMP-72, noted in the case history."""
    from core.complaints import service as complaints

    if not (reason or "").strip():
        raise InvalidInput("a clawback needs the reason", fields={"reason": ["say why the credit is cancelled"]},
                           rule_id="CMP-72")
    _open_deal(credit, "reversed")
    try:
        complaint = complaints.get_complaint(complaint_id)
    except NotFound:
        raise InvalidInput("no such complaint", fields={"complaint_id": ["not a complaint of this company"]},
                           rule_id="CMP-72") from None
    text = reason.strip()
    label = credit.reference or f"{credit.subject_type} #{credit.subject_id}"
    result = reverse(
        credit, rule_id="CMP-72", by=by, at=at,
        facts={"complaint_id": complaint.id, "complaint_number": complaint.number, "reason": text},
        reason_zh=f"因投诉{complaint.number}，经理取消{label}的业绩与提成：{text}",
        reason_en=f"Because of complaint {complaint.number} the manager cancelled the performance and commission "
                  f"of {label}: {text}")
    complaints.log_event(complaint, "credit_clawback", by=by, note=text, decision_id=result.recognition_decision_id,
                         data={"credit_id": credit.id, "reversal_id": result.id if result.kind == "reversal" else None})
    return result
