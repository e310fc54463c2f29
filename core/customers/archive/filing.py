"""Filing duties (备案, CUS-04): opened when a customer is created or changed under ``cus.filing.enabled``,
marked filed, listed, reminded daily when overdue, and checked by expense claims.

Every due date is a ``CUS-04`` decision (the ``cus`` version in force at the first contact or the
change, the calendar days counted); a refused expense claim and a KPI deduction proposal are
decisions too; the proposal is also an open penalty in the staff ledger (offence ``customer_unfiled``,
priced by the catalog when it has the offence, else proposed at 0 for the approver to set). Reminders are rows (:class:`~core.customers.archive.models.FilingReminder`), one per
filing and local working day: the job re-run on the same day adds nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.calendar.service import tenant_calendar
from core.customers.archive import filing_rules as rules
from core.customers.archive.models import CustomerFiling, FilingReminder
from core.customers.models import Customer, CustomerOwnership
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.staff.penalties import penalise


def _fact(f: CustomerFiling) -> rules.FilingFact:
    return rules.FilingFact(f.kind, f.basis_at, f.due_at, f.due_through, f.filed_at, f.id)


def _open(customer: Customer, kind: str, basis_at: dt.datetime) -> CustomerFiling | None:
    view = cus_policy(basis_at)
    settings = view.values["filing"]
    if not settings["enabled"]:
        return None
    within = settings["new_within" if kind == rules.NEW else "change_within"]
    calendar, _cal = tenant_calendar(basis_at)
    deadline = rules.filing_due(calendar, basis_at, within)
    filing = CustomerFiling(customer_id=customer.id, kind=kind, basis_at=basis_at, due_at=deadline.utc,
                            due_through=deadline.through, policy_version=view.version)
    db.session.add(filing)
    db.session.flush()
    what_zh, what_en = ("新客户", "new customer") if kind == rules.NEW else ("客户信息变更", "change")
    basis_day = calendar.local_date(basis_at).isoformat()
    decision = decisions.record(
        rules.RULE_ID, "customer", customer.id, policy=view,
        outcome={"filing_id": filing.id, "kind": kind, "due_through": deadline.through.isoformat(),
                 "due_at": deadline.utc.isoformat(), "provisional": deadline.provisional},
        facts={"basis_at": basis_at.isoformat(), "within": str(within), "calendar": list(deadline.trace)},
        reason_zh=f"{what_zh}{customer.name}于{basis_day}{'首次接触' if kind == rules.NEW else '发生变更'}，"
                  f"依据CUS-04须在{within}内备案，即{deadline.through.isoformat()}（含）前。",
        reason_en=f"The {what_en} of {customer.name} ({'first contact' if kind == rules.NEW else 'changed'} on "
                  f"{basis_day}) must be filed within {within} under CUS-04: through "
                  f"{deadline.through.isoformat()}.")
    filing.decision_id = decision.id
    return filing


def open_new_customer(customer: Customer, first_contact_at: dt.datetime) -> CustomerFiling | None:
    """The filing duty of a new customer, from its first contact (when filing is on then)."""
    return _open(customer, rules.NEW, first_contact_at)


def open_change(customer: Customer, at: dt.datetime) -> CustomerFiling | None:
    """The filing duty of a change; none while the customer's new or an earlier change filing is open
    (that filing covers the change)."""
    if any(f.filed_at is None for f in filings_of(customer.id)):
        return None
    return _open(customer, rules.CHANGE, at)


def filings_of(customer_id: int) -> list[CustomerFiling]:
    return list(db.session.scalars(select(CustomerFiling).where(CustomerFiling.customer_id == customer_id)
                                   .order_by(CustomerFiling.basis_at, CustomerFiling.id)))


def mark_filed(customer: Customer, by: int, at: dt.datetime | None = None, kind: str | None = None):
    """The basic-information form is filed: every open filing of the customer (or of ``kind``) is done."""
    now = utcnow()
    at = at or now
    if at.tzinfo is None:
        raise InvalidInput("invalid filing", fields={"filed_at": ["needs a time zone (e.g. +08:00)"]})
    if at > now + dt.timedelta(minutes=10):
        raise InvalidInput("invalid filing", fields={"filed_at": ["cannot be in the future"]})
    open_ = [f for f in filings_of(customer.id) if f.filed_at is None and (kind is None or f.kind == kind)]
    if not open_:
        raise Conflict("the customer has no open filing", rule_id=rules.RULE_ID)
    for f in open_:
        if at < f.basis_at:
            raise InvalidInput("invalid filing", fields={"filed_at": ["before the first contact or change"]})
        f.filed_at, f.filed_by = at, by
    db.session.flush()
    return open_


def unfiled(overdue_on: dt.date | None = None):
    """Open filings, earliest due first; ``overdue_on``: only those whose last day is before it."""
    stmt = select(CustomerFiling).where(CustomerFiling.filed_at.is_(None))
    if overdue_on is not None:
        stmt = stmt.where(CustomerFiling.due_through < overdue_on)
    return stmt.order_by(CustomerFiling.due_at, CustomerFiling.id)


def check_expense_claim(customer_id: int, at: dt.datetime, *, claim: str | None = None,
                        user_id: int | None = None) -> tuple[rules.ExpenseVerdict, int | None]:
    """May an expense claim at ``at`` reference the customer? Refused with reason ``CUS-04`` while its
    new-customer filing is not done (``cus.filing.block_expenses``); a refusal is a decision.
    Returns ``(verdict, decision id)``."""
    from core.customers.service import get_customer

    customer = get_customer(customer_id)
    if at.tzinfo is None:
        raise InvalidInput("invalid claim", fields={"at": ["needs a time zone (e.g. +08:00)"]})
    view = cus_policy(at)
    settings = view.values["filing"]
    verdict = rules.expense_verdict([_fact(f) for f in filings_of(customer.id)], at, enabled=settings["enabled"],
                                    block_expenses=settings["block_expenses"], customer_name=customer.name)
    decision_id = None
    if not verdict.allowed:
        decision = decisions.record(
            rules.RULE_ID, "customer", customer.id, policy=view, reason_zh=verdict.reason_zh,
            reason_en=verdict.reason_en, outcome={"expense_claim": "refused", "filing_id": verdict.filing_id},
            facts={"at": at.isoformat(), "claim": claim, "claimed_by": user_id})
        decision_id = decision.id
    return verdict, decision_id


def _reminded_user(customer: Customer) -> int | None:
    owner = db.session.scalars(select(CustomerOwnership.owner_id)
                               .where(CustomerOwnership.customer_id == customer.id)).first()
    return owner or customer.created_by


def send_reminders(day: dt.date, progress=None) -> dict:
    """The reminders of ``day`` (tenant-local): one per overdue open filing on a working day, and a
    KPI deduction proposal (decision) after ``reminders_before_penalty`` reminders. Idempotent."""
    calendar, _cal = tenant_calendar(day)
    view = cus_policy(day)
    settings = view.values["filing"]
    stats = {"day": day.isoformat(), "reminded": 0, "proposals": 0}
    if not settings["enabled"] or not calendar.is_working_day(day):
        return stats
    overdue = list(db.session.scalars(unfiled(overdue_on=day)))
    for done, filing in enumerate(overdue):
        if not rules.reminder_due(_fact(filing), day, calendar):
            continue
        customer = db.session.get(Customer, (filing.tenant_id, filing.customer_id))
        exists = db.session.scalars(select(FilingReminder.id).where(
            FilingReminder.filing_id == filing.id, FilingReminder.day == day)).first()
        if exists is None:
            db.session.add(FilingReminder(filing_id=filing.id, customer_id=filing.customer_id, day=day,
                                          user_id=_reminded_user(customer)))
            db.session.flush()
            stats["reminded"] += 1
        count = db.session.scalar(select(func.count()).select_from(FilingReminder)
                                  .where(FilingReminder.filing_id == filing.id))
        threshold = settings["reminders_before_penalty"]
        if rules.penalty_due(count, threshold, filing.penalty_decision_id is not None):
            month_end = rules.month_end(day)
            user_id = _reminded_user(customer)
            decision = decisions.record(
                rules.RULE_ID, "customer", customer.id, policy=view,
                outcome={"proposal": "kpi_deduction", "user_id": user_id, "month_end": month_end.isoformat(),
                         "filing_id": filing.id},
                facts={"reminders": count, "threshold": threshold, "due_through": filing.due_through.isoformat()},
                reason_zh=f"客户{customer.name}应于{filing.due_through.isoformat()}前备案，已提醒{count}次仍未备案，"
                          f"依据CUS-04建议在{month_end.isoformat()}月末考核中扣减KPI。",
                reason_en=f"Customer {customer.name} was due to be filed through {filing.due_through.isoformat()} "
                          f"and is still unfiled after {count} reminders: under CUS-04 a KPI deduction is "
                          f"proposed for the month ending {month_end.isoformat()}.")
            filing.penalty_decision_id = decision.id
            if user_id is not None:
                penalise(offence="customer_unfiled", occurred_at=calendar.start_of_day(day), user_id=user_id,
                         open_amount=True, rule_id=rules.RULE_ID, subject_type="customer", subject_id=customer.id,
                         reason_zh=decision.reason_zh, reason_en=decision.reason_en,
                         facts={"filing_id": filing.id, "decision_id": decision.id, "reminders": count},
                         dedupe_key=f"CUS-04:filing:{filing.id}")
            stats["proposals"] += 1
        if progress:
            progress(done + 1, len(overdue))
    db.session.flush()
    return stats
