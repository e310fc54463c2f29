"""Leak reports and custody inspections (CUS-75), retention and the destruction queue (CUS-07).

- Anyone reports a (suspected) leak: the roles of ``cus.leak.notify`` (information supervisor, CS
  manager) are notified at once; remedial actions are added to the report until it is closed.
- The job ``cus.archive_inspection`` opens the custody inspection of the current period
  (``cus.inspection.every``, from 1 January), due at the period's end, and tells the assignees; the
  findings close it.
- The job ``cus.retention_queue`` puts every customer whose last activity (its last change, contact
  or transaction) is older than ``cus.retention.default`` in the destruction queue; the
  ``destroy_approver`` destroys it (its personal data are erased, the archive kept as a stub so that
  history and decisions keep their subject) or keeps it. Both are logged with who and when.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.confidentiality import custody_rules
from core.customers.confidentiality.models import ArchiveInspection, LeakReport, RetentionEntry
from core.customers.confidentiality.people import holders
from core.customers.models import ContactLogEntry, Customer, CustomerKey, CustomerPhone, CustomerTransaction
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, NotFound
from core.notifications.service import notify


# ----------------------------------------------------------------------------------------- leaks

def get_leak(report_id: int) -> LeakReport:
    found = db.session.scalars(select(LeakReport).where(LeakReport.id == report_id)).first()
    if found is None:
        raise NotFound("leak report not found")
    return found


def report_leak(reporter_id: int, *, description: str, customer_id: int | None = None,
                occurred_at: dt.datetime | None = None, at: dt.datetime | None = None) -> LeakReport:
    at = at or utcnow()
    report = LeakReport(reporter_id=reporter_id, customer_id=customer_id, description=description,
                        occurred_at=occurred_at, status="open", actions=[], created_at=at)
    db.session.add(report)
    db.session.flush()
    roles = cus_policy(at).values["leak"]["notify"]
    notify(holders(roles), kind="cus.leak", rule_id="CUS-75", subject_type="leak_report", subject_id=report.id,
           dedupe_key=f"CUS-75:leak:{report.id}", title_zh="客户信息泄密报告", title_en="Customer data leak reported",
           body_zh=description, body_en=description)
    return report


def add_action(report: LeakReport, user_id: int, text: str, *, close: bool = False,
               at: dt.datetime | None = None) -> LeakReport:
    at = at or utcnow()
    if report.status != "open":
        raise Conflict("the report is closed")
    report.actions = [*report.actions, {"at": at.isoformat(), "by": user_id, "text": text}]
    if close:
        report.status, report.closed_at = "closed", at
    db.session.flush()
    return report


# ----------------------------------------------------------------------------------- inspections

def open_inspection(now: dt.datetime) -> ArchiveInspection | None:
    """The inspection of the period containing today (tenant time); created once per period."""
    calendar, _ = tenant_calendar(now)
    today = calendar.local_date(now)
    values = cus_policy(now).values["inspection"]
    start, end = custody_rules.inspection_period(today, values["every"])
    existing = db.session.scalars(select(ArchiveInspection).where(ArchiveInspection.period_start == start)).first()
    if existing is not None:
        return None
    task = ArchiveInspection(period_start=start, period_end=end, due_at=calendar.end_of_day(end), status="open")
    db.session.add(task)
    db.session.flush()
    notify(holders(values["assignees"]), kind="cus.archive_inspection", rule_id="CUS-75",
           subject_type="archive_inspection", subject_id=task.id, due_at=task.due_at,
           dedupe_key=f"CUS-75:inspection:{start.isoformat()}",
           title_zh=f"档案保管检查（{start.isoformat()}至{end.isoformat()}），请于{end.isoformat()}前完成",
           title_en=f"Archive custody inspection {start.isoformat()}..{end.isoformat()}, due through {end.isoformat()}")
    return task


def get_inspection(inspection_id: int) -> ArchiveInspection:
    found = db.session.scalars(select(ArchiveInspection).where(ArchiveInspection.id == inspection_id)).first()
    if found is None:
        raise NotFound("inspection not found")
    return found


def complete_inspection(task: ArchiveInspection, user_id: int, findings: str,
                        at: dt.datetime | None = None) -> ArchiveInspection:
    if task.status != "open":
        raise Conflict("the inspection is already done")
    task.status, task.findings, task.done_by, task.done_at = "done", findings, user_id, at or utcnow()
    db.session.flush()
    return task


# ------------------------------------------------------------------------------------- retention

def _last_activity() -> dict[int, dt.datetime]:
    """Each customer's last activity: its last change, contact or transaction."""
    last = dict(db.session.execute(select(Customer.id, Customer.updated_at)).all())
    for model in (ContactLogEntry, CustomerTransaction):
        for cid, at in db.session.execute(select(model.customer_id, func.max(model.at)).group_by(model.customer_id)):
            if at is not None and (last.get(cid) is None or at > last[cid]):
                last[cid] = at
    return last


def queue_expired(now: dt.datetime, progress=None) -> dict:
    """Customers past ``cus.retention.default`` enter the destruction queue (once per expiry)."""
    calendar, _ = tenant_calendar(now)
    today = calendar.local_date(now)
    keep = cus_policy(now).values["retention"]["default"]
    if keep is None:
        return {"queued": []}
    queued_before = set(db.session.execute(select(RetentionEntry.subject_id, RetentionEntry.kept_through)
                                           .where(RetentionEntry.subject_type == "customer")).all())
    erased = set(db.session.scalars(select(RetentionEntry.subject_id).where(
        RetentionEntry.subject_type == "customer", RetentionEntry.status == "destroyed")))
    queued = []
    items = sorted(_last_activity().items())
    for i, (cid, last) in enumerate(items):
        through = custody_rules.queue_due(calendar.local_date(last), keep, today)
        if through is None or (cid, through) in queued_before or cid in erased:
            continue
        db.session.add(RetentionEntry(subject_type="customer", subject_id=cid, retention_class="default",
                                      last_activity_at=last, kept_through=through, status="queued"))
        queued.append(cid)
        if progress:
            progress(i + 1, len(items))
    db.session.flush()
    if queued:
        approver = cus_policy(now).values["retention"]["destroy_approver"]
        notify(holders([approver]), kind="cus.retention_queue", rule_id="CUS-07",
               dedupe_key=f"CUS-07:queue:{today.isoformat()}",
               title_zh=f"{len(queued)}份客户档案保管期满，待审批销毁",
               title_en=f"{len(queued)} customer records past retention await destruction approval")
    return {"queued": queued}


def get_entry(entry_id: int) -> RetentionEntry:
    found = db.session.scalars(select(RetentionEntry).where(RetentionEntry.id == entry_id)).first()
    if found is None:
        raise NotFound("queue entry not found")
    return found


def decide_destruction(entry: RetentionEntry, user: User, *, destroy: bool, note: str | None = None,
                       at: dt.datetime | None = None) -> RetentionEntry:
    """The approver destroys the record (personal data erased, logged) or keeps it."""
    at = at or utcnow()
    view = cus_policy(at)
    approver = view.values["retention"]["destroy_approver"]
    if not user.has_role(approver):
        raise Forbidden(f"needs role: {approver} (CUS-07)")
    if entry.status != "queued":
        raise Conflict(f"the entry is {entry.status}")
    if destroy:
        _erase_customer(entry.subject_id)
    entry.status = "destroyed" if destroy else "kept"
    entry.decided_by, entry.decided_at, entry.note = user.id, at, note
    decision = decisions.record(
        "CUS-07", entry.subject_type, entry.subject_id,
        outcome={"status": entry.status, "kept_through": entry.kept_through},
        reason_zh=(f"保管期至{entry.kept_through.isoformat()}届满，经{approver}批准销毁（个人信息已清除）。"
                   if destroy else f"保管期至{entry.kept_through.isoformat()}届满，{approver}决定继续保存：{note or ''}"),
        reason_en=(f"Retention ran through {entry.kept_through.isoformat()}; destruction approved by {approver} "
                   "(personal data erased)." if destroy else
                   f"Retention ran through {entry.kept_through.isoformat()}; {approver} decided to keep it: {note or ''}"),
        facts={"entry_id": entry.id, "last_activity_at": entry.last_activity_at}, policy=view, decided_by=user.id)
    entry.decision_id = decision.id
    db.session.flush()
    return entry


def _erase_customer(customer_id: int) -> None:
    customer = db.session.scalars(select(Customer).where(Customer.id == customer_id)).first()
    if customer is None:
        return
    db.session.execute(delete(CustomerKey).where(CustomerKey.customer_id == customer_id))
    db.session.execute(delete(CustomerPhone).where(CustomerPhone.customer_id == customer_id))
    db.session.expire(customer, ["phones", "key_rows"])
    customer.name = customer.name_key = customer.name_pinyin = customer.name_initials = "已销毁"
    customer.name_pinyin, customer.name_initials = "", ""
    for field in ("resident_id", "uscc", "birth_date", "gender", "district", "address", "note"):
        setattr(customer, field, None)
    for entry in db.session.scalars(select(ContactLogEntry).where(ContactLogEntry.customer_id == customer_id)):
        entry.content = entry.outcome = entry.next_step = None
    db.session.flush()
