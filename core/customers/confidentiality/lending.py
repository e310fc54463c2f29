"""Archive lending (借阅, CUS-73): register, approve, return, loss, overdue sweep.

A borrower registers a loan (material, copies, reason, signature; optionally the customer whose
file it is). The approvers of ``cus.loan.approvers`` approve it (every step); the last approval
hands it out: ``borrowed_at`` (default the approval time) and the due date ``+ cus.loan.max``, with a
CUS-73 decision. A return closes it; a late one (at or after the due instant) costs
``late_fine`` and, with ``ban_on_late``, a ban; a lost file ``loss_fine`` and a ban. The daily job
``cus.loan_overdue`` reminds borrowers of overdue loans and applies the late consequence once.
A banned borrower cannot register a loan (409).

Fines are recorded by :func:`record_fine`, the one place that fines: a CUS-73 decision on the loan
with the amount, and the borrower's penalty in the staff ledger (offence ``archive_loan_late`` or
``archive_loan_lost``, through :func:`core.staff.penalties.penalise`: approved by the catalog's approver
of that offence, counting in its family when the catalog gives one).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.confidentiality import approval_rules, lending_rules
from core.customers.confidentiality.models import Approval, ArchiveLoan, LoanBan
from core.customers.confidentiality.people import holders
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.staff.penalties import penalise


def get_loan(loan_id: int) -> ArchiveLoan:
    loan = db.session.scalars(select(ArchiveLoan).where(ArchiveLoan.id == loan_id)).first()
    if loan is None:
        raise NotFound("loan not found")
    return loan


def ban_of(user_id: int) -> LoanBan | None:
    return db.session.scalars(select(LoanBan).where(LoanBan.user_id == user_id)).first()


def register(*, borrower_id: int, material: str, copies: int, reason: str, signature: str,
             customer_id: int | None = None, at: dt.datetime | None = None) -> ArchiveLoan:
    """Register a loan request; refused (409) for a banned borrower."""
    at = at or utcnow()
    ban = ban_of(borrower_id)
    if ban is not None:
        raise Conflict("the borrower is banned from borrowing (CUS-73)", rule_id="CUS-73",
                       banned_since=ban.since.isoformat(), ban_reason=ban.reason)
    values = cus_policy(at).values
    loan = ArchiveLoan(customer_id=customer_id, material=material, copies=copies, reason=reason,
                       borrower_id=borrower_id, borrower_signature=signature, status="pending",
                       steps=list(values["loan"]["approvers"]))
    db.session.add(loan)
    db.session.flush()
    approvers = holders({r for step in loan.steps for r in approval_rules.step_roles(step)})
    notify(approvers, kind="cus.loan_request", title_zh=f"借阅申请：{material}", title_en=f"Loan request: {material}",
           dedupe_key=f"CUS-73:request:{loan.id}", rule_id="CUS-73", subject_type="archive_loan", subject_id=loan.id)
    return loan


def _approvers(loan: ArchiveLoan) -> list[Approval]:
    return list(db.session.scalars(select(Approval).where(
        Approval.subject_type == "loan", Approval.subject_id == loan.id, Approval.approved.is_(True))))


def approve(loan: ArchiveLoan, approver: User, *, borrowed_at: dt.datetime | None = None,
            at: dt.datetime | None = None) -> ArchiveLoan:
    """One approval; the last missing step hands the loan out and fixes its due date."""
    at = at or utcnow()
    if loan.status != "pending":
        raise Conflict(f"the loan is {loan.status}, not pending")
    if approver.id == loan.borrower_id:
        raise Forbidden("a borrower cannot approve their own loan")
    done = _approvers(loan)
    if any(a.user_id == approver.id for a in done):
        raise Conflict("already approved by this user")
    if not approval_rules.can_approve(loan.steps, [a.roles for a in done], approver.roles):
        raise Forbidden(f"needs an approver for: {approval_rules.describe(approval_rules.progress(loan.steps, [a.roles for a in done])[1])}")
    db.session.add(Approval(subject_type="loan", subject_id=loan.id, user_id=approver.id, roles=approver.roles, at=at))
    db.session.flush()
    _met, missing = approval_rules.progress(loan.steps, [a.roles for a in _approvers(loan)])
    if not missing:
        hand_out(loan, borrowed_at or at)
    return loan


def hand_out(loan: ArchiveLoan, borrowed_at: dt.datetime) -> None:
    calendar, _cal = tenant_calendar(borrowed_at)
    view = cus_policy(borrowed_at)
    deadline = lending_rules.due(calendar, borrowed_at, view.values)
    loan.status, loan.borrowed_at, loan.due_at, loan.due_through = "out", borrowed_at, deadline.utc, deadline.through
    decision = decisions.record(
        "CUS-73", "archive_loan", loan.id, outcome={"due_at": deadline.utc, "due_through": deadline.through},
        reason_zh=f"借阅于{calendar.local(borrowed_at):%Y-%m-%d %H:%M}借出，借阅期限{view.body['loan']['max']}，"
                  f"应于{deadline.through.isoformat()}前归还（CUS-73）。",
        reason_en=f"Borrowed {calendar.local(borrowed_at):%Y-%m-%d %H:%M} for {view.body['loan']['max']}: due through "
                  f"{deadline.through.isoformat()} (CUS-73).",
        facts={"loan_id": loan.id, "borrowed_at": borrowed_at, "trace": list(deadline.trace)}, policy=view)
    loan.decision_id = decision.id
    db.session.flush()


def reject(loan: ArchiveLoan, approver: User, note: str | None, at: dt.datetime | None = None) -> ArchiveLoan:
    if loan.status != "pending":
        raise Conflict(f"the loan is {loan.status}, not pending")
    roles = {r for step in loan.steps for r in approval_rules.step_roles(step)}
    if not roles & set(approver.roles):
        raise Forbidden("only an approver of loans may reject one")
    db.session.add(Approval(subject_type="loan", subject_id=loan.id, user_id=approver.id, roles=approver.roles,
                            approved=False, note=note, at=at or utcnow()))
    loan.status = "rejected"
    db.session.flush()
    return loan


def record_fine(user_id: int, amount: Decimal, *, kind: str, loan: ArchiveLoan, reason_zh: str, reason_en: str,
                policy=None, facts: dict | None = None, at: dt.datetime | None = None):
    """A fine of CUS-73 (``kind`` late | lost): a CUS-73 decision with the amount on the loan and, for an
    amount above 0, the borrower's staff ledger penalty dated ``at`` (once per loan and kind)."""
    decision = decisions.record("CUS-73", "archive_loan", loan.id,
                                outcome={"fine": amount, "kind": kind, "user_id": user_id, "currency": "CNY"},
                                reason_zh=reason_zh, reason_en=reason_en, facts={"loan_id": loan.id, **(facts or {})},
                                policy=policy)
    if amount > 0:
        penalise(offence=f"archive_loan_{kind}", occurred_at=at or utcnow(), user_id=user_id, amount=amount,
                 rule_id="CUS-73", subject_type="archive_loan", subject_id=loan.id, reason_zh=reason_zh,
                 reason_en=reason_en, facts={"loan_id": loan.id, "decision_id": decision.id, **(facts or {})},
                 dedupe_key=f"CUS-73:loan:{loan.id}:{kind}")
    return decision


def _ban(user_id: int, loan: ArchiveLoan, reason: str, at: dt.datetime, decision_id: int | None) -> None:
    if ban_of(user_id) is None:
        db.session.add(LoanBan(user_id=user_id, since=at, loan_id=loan.id, reason=reason, decision_id=decision_id))
        db.session.flush()


def apply_late(loan: ArchiveLoan, at: dt.datetime, returned_on: dt.date | None) -> None:
    """The late consequence of a loan, once (at its late return or when the sweep finds it overdue),
    under the policy in force on the due date."""
    if loan.late_decision_id is not None:
        return
    view = cus_policy(loan.due_at)
    consequence = lending_rules.late_consequence(view.values, loan.due_through, returned_on)
    if consequence.fine <= 0 and not consequence.ban:
        return  # the tenant neither fines nor bans late returns (defaults)
    decision = record_fine(loan.borrower_id, consequence.fine, kind="late", loan=loan, reason_zh=consequence.reason_zh,
                           reason_en=consequence.reason_en, policy=view, at=at,
                           facts={"due_through": loan.due_through, "returned_on": returned_on, "ban": consequence.ban})
    loan.late_fine, loan.late_decision_id = consequence.fine, decision.id
    if consequence.ban:
        _ban(loan.borrower_id, loan, "late", at, decision.id)
    db.session.flush()


def give_back(loan: ArchiveLoan, *, at: dt.datetime | None = None) -> ArchiveLoan:
    """The return of a loan (closes it); late returns get their consequence."""
    at = at or utcnow()
    if loan.status != "out":
        raise Conflict(f"the loan is {loan.status}, not out")
    if at < loan.borrowed_at:
        raise InvalidInput("invalid return", fields={"returned_at": ["before the loan was made"]})
    loan.status, loan.returned_at = "returned", at
    if lending_rules.is_late(loan.due_at, at):
        calendar, _ = tenant_calendar(at)
        apply_late(loan, at, calendar.local_date(at))
    db.session.flush()
    return loan


def report_lost(loan: ArchiveLoan, *, at: dt.datetime | None = None) -> ArchiveLoan:
    """The file was lost or damaged: loss fine and (``ban_on_loss``) a ban; the loan is closed."""
    at = at or utcnow()
    if loan.status != "out":
        raise Conflict(f"the loan is {loan.status}, not out")
    view = cus_policy(at)
    consequence = lending_rules.loss_consequence(view.values, loan.material)
    decision = record_fine(loan.borrower_id, consequence.fine, kind="lost", loan=loan, reason_zh=consequence.reason_zh,
                           reason_en=consequence.reason_en, policy=view, facts={"ban": consequence.ban}, at=at)
    loan.status, loan.lost_at, loan.loss_fine = "lost", at, consequence.fine
    if consequence.ban:
        _ban(loan.borrower_id, loan, "lost", at, decision.id)
    db.session.flush()
    return loan


def lift_ban(user_id: int) -> None:
    ban = ban_of(user_id)
    if ban is None:
        raise NotFound("no ban for this user")
    db.session.delete(ban)
    db.session.flush()


def overdue_sweep(now: dt.datetime, progress=None) -> dict:
    """Loans out past their due instant: the borrower is reminded once per local day (and the
    approvers told), and the late consequence applied once. Idempotent."""
    calendar, _ = tenant_calendar(now)
    today = calendar.local_date(now)
    loans = list(db.session.scalars(select(ArchiveLoan).where(ArchiveLoan.status == "out", ArchiveLoan.due_at <= now)
                                    .order_by(ArchiveLoan.id)))
    reminded = 0
    for i, loan in enumerate(loans):
        approvers = [a.user_id for a in _approvers(loan)]
        created = notify(
            [loan.borrower_id, *approvers], kind="cus.loan_overdue", rule_id="CUS-73", subject_type="archive_loan",
            subject_id=loan.id, dedupe_key=f"CUS-73:overdue:{loan.id}:{today.isoformat()}", due_at=loan.due_at,
            title_zh=f"借阅逾期：{loan.material}（应于{loan.due_through.isoformat()}前归还）",
            title_en=f"Overdue loan: {loan.material} (due through {loan.due_through.isoformat()})")
        reminded += len(created)
        apply_late(loan, now, None)
        if progress:
            progress(i + 1, len(loans))
    return {"overdue": len(loans), "notified": reminded}
