"""Exports, copies and disclosures of customer data (CUS-74), and the CSV they produce.

An export request names its purpose (no private copies without one), its kind (``ordinary``,
``important``, ``external`` with the recipient) and the customers. Every customer must be one the
requester may download (seen without a grant, or through a grant that is not view-only: CUS-72).
The export inherits the highest level of its customers (CUS-71) and needs the approval steps of
``cus.export.approval`` for its kind (or ``cus.export.classified`` for classified content); it is
pending until every step is approved (one approver per step). Its CSV (UTF-8 with BOM, formulas
neutralised, PII masked for a requester without the right) is logged per customer in the access log.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from core.accounts.models import User
from core.customers.confidentiality import access, approval_rules, export_rules, secrecy_rules
from core.customers.confidentiality import visibility_rules
from core.customers.confidentiality.models import Approval, CustomerExport, CustomerSecrecy
from core.customers.confidentiality.viewer import Viewer
from core.customers.models import Customer
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound

COLUMNS = ("id", "name", "kind", "phones", "resident_id", "uscc", "district", "address", "source", "note", "level")
PII_COLUMNS = {"phones": export_rules.PHONE, "resident_id": export_rules.RESIDENT_ID}


def get_export(export_id: int, user: User) -> CustomerExport:
    found = db.session.scalars(select(CustomerExport).where(CustomerExport.id == export_id)).first()
    if found is None or not (found.requester_id == user.id or user.has_role(*approver_roles(found))
                             or user.has_role("tenant_admin", "gm")):
        raise NotFound("export not found")
    return found


def approver_roles(export: CustomerExport) -> set[str]:
    return {r for step in export.steps for r in approval_rules.step_roles(step)}


def _levels(customer_ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(select(CustomerSecrecy.customer_id, CustomerSecrecy.level)
                                   .where(CustomerSecrecy.customer_id.in_(customer_ids))).all())


def check_downloadable(customer_ids: list[int], viewer: Viewer) -> None:
    """404 for a customer the viewer may not see; 403 for one seen only through a view-only grant."""
    reading = Viewer(viewer.user_id, viewer.roles, viewer.department_id, False, viewer.cache)  # an export reads
    for cid in customer_ids:
        if not access.is_visible(cid, reading):
            raise NotFound(f"customer {cid} not found")
        if not access.may_download(cid, viewer):
            raise Forbidden("a view-only grant does not allow downloads or exports (CUS-72)", rule_id="CUS-72",
                            customer_id=cid)


def create(requester: User, viewer: Viewer, *, kind: str, purpose: str, customer_ids: list[int],
           recipient: str | None = None, at: dt.datetime | None = None) -> CustomerExport:
    at = at or utcnow()
    errors = {}
    if not (purpose or "").strip():
        errors["purpose"] = ["an export needs a purpose (CUS-74: no private copies)"]
    if kind == "external" and not (recipient or "").strip():
        errors["recipient"] = ["an external disclosure names its recipient"]
    if not customer_ids:
        errors["customer_ids"] = ["at least one customer"]
    if errors:
        raise InvalidInput("invalid export", fields=errors)
    ids = sorted(set(customer_ids))
    check_downloadable(ids, viewer)
    view = cus_policy(at)
    level = secrecy_rules.highest(_levels(ids).values())
    steps = export_rules.required_steps(kind, level, view.values)
    export = CustomerExport(requester_id=requester.id, purpose=purpose, kind=kind, recipient=recipient,
                            customer_ids=ids, level=level, steps=steps,
                            status="pending" if steps else "approved", created_at=at)
    db.session.add(export)
    db.session.flush()
    decision = decisions.record(
        "CUS-74", "customer_export", export.id, outcome={"steps": steps, "level": level, "status": export.status},
        reason_zh=f"{kind}导出（密级{secrecy_rules.LEVEL_ZH[level]}，{len(ids)}个客户），"
                  + (f"需审批：{approval_rules.describe(steps)}。" if steps else "无需审批。"),
        reason_en=f"{kind} export (level {level}, {len(ids)} customers): "
                  + (f"needs approval by {approval_rules.describe(steps)}." if steps else "no approval needed."),
        facts={"purpose": purpose, "recipient": recipient, "customer_ids": ids}, policy=view)
    export.decision_id = decision.id
    if steps:
        from core.notifications.service import notify
        from core.customers.confidentiality.people import holders

        notify(holders(approver_roles(export)), kind="cus.export_approval", rule_id="CUS-74",
               subject_type="customer_export", subject_id=export.id, dedupe_key=f"CUS-74:approve:{export.id}",
               title_zh=f"导出待审批（{kind}）：{purpose}", title_en=f"Export to approve ({kind}): {purpose}")
    db.session.flush()
    return export


def approvals(export: CustomerExport) -> list[Approval]:
    return list(db.session.scalars(select(Approval).where(
        Approval.subject_type == "export", Approval.subject_id == export.id).order_by(Approval.id)))


def missing_steps(export: CustomerExport) -> list[str]:
    return approval_rules.progress(export.steps, [a.roles for a in approvals(export) if a.approved])[1]


def decide(export: CustomerExport, user: User, *, approve: bool, note: str | None = None,
           at: dt.datetime | None = None) -> CustomerExport:
    at = at or utcnow()
    if export.status != "pending":
        raise Conflict(f"the export is {export.status}, not pending")
    if user.id == export.requester_id:
        raise Forbidden("a requester cannot approve their own export")
    done = [a for a in approvals(export) if a.approved]
    if any(a.user_id == user.id for a in approvals(export)):
        raise Conflict("already decided by this user")
    if approve and not approval_rules.can_approve(export.steps, [a.roles for a in done], user.roles):
        raise Forbidden(f"needs an approver for: {approval_rules.describe(missing_steps(export))}")
    if not approve and not user.has_role(*approver_roles(export)):
        raise Forbidden("only an approver of this export may reject it")
    db.session.add(Approval(subject_type="export", subject_id=export.id, user_id=user.id, roles=user.roles,
                            approved=approve, note=note, at=at))
    db.session.flush()
    if not approve:
        export.status = "rejected"
    elif not missing_steps(export):
        export.status = "approved"
    db.session.flush()
    return export


def csv_bytes(customers: list[Customer], viewer: Viewer | None) -> bytes:
    """Customers as CSV: UTF-8 with BOM, formulas neutralised, PII masked per row for a viewer
    without the right (CUS-70, CUS-74)."""
    values = access.cus_values(viewer)
    relations = access.relations_of(customers, viewer) if viewer is not None else {}
    levels = _levels([c.id for c in customers])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in customers:
        row = {"id": c.id, "name": c.name, "kind": c.kind, "phones": ";".join(p.e164 for p in c.phones),
               "resident_id": c.resident_id, "uscc": c.uscc, "district": c.district, "address": c.address,
               "source": c.source, "note": c.note, "level": levels.get(c.id, "normal")}
        unmasked = viewer is None or visibility_rules.pii_unmasked(viewer.roles, relations[c.id].names(), values)
        row = export_rules.mask_row(row, PII_COLUMNS, unmasked=unmasked)
        writer.writerow(export_rules.safe_row(row[col] for col in COLUMNS))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def produce(export: CustomerExport, user: User, viewer: Viewer, at: dt.datetime | None = None) -> bytes:
    """The export's CSV for its requester, once approved; each customer logged as exported."""
    if export.requester_id != user.id:
        raise Forbidden("only the requester downloads an export")
    if export.status not in ("approved", "done"):
        raise Conflict(f"the export is {export.status}: approvals missing: "
                       f"{approval_rules.describe(missing_steps(export))}", rule_id="CUS-74")
    check_downloadable(export.customer_ids, viewer)
    customers = list(db.session.scalars(select(Customer).where(Customer.id.in_(export.customer_ids))
                                        .order_by(Customer.id)))
    data = csv_bytes(customers, viewer)
    for customer in customers:
        access.log_view(customer, action="export", export_id=export.id)
    export.status, export.done_at = "done", at or utcnow()
    db.session.flush()
    return data


def single_download(customer: Customer, viewer: Viewer | None) -> bytes:
    """One customer's card as CSV (an ``ordinary`` export of one record): refused under a view-only
    grant (403) and when the tenant requires approval for it (409: use an export request)."""
    if viewer is not None:
        check_downloadable([customer.id], viewer)
    view = cus_policy()
    level = _levels([customer.id]).get(customer.id, "normal")
    steps = export_rules.required_steps("ordinary", level, view.values)
    if steps:
        raise Conflict(f"this download needs approval by {approval_rules.describe(steps)}: make an export request",
                       rule_id="CUS-74")
    data = csv_bytes([customer], viewer)
    access.log_view(customer, action="download")
    return data
