"""The same data in each tenant of the cross-tenant suite, made through the API where it has one.

``seed(client, handle)`` returns the ids of what it made, keyed by the path-parameter names of the
API (``user_id``, ``token_id``, ...). A new endpoint whose path parameter is not here makes the
harness fail until its kind of object is seeded: nobody has to remember to cover it.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


from core.customers.confidentiality.models import ArchiveInspection, RetentionEntry
from core.db import db
from core.decisions import service as decisions
from core.notifications import service as notifications
from core.tenancy import tenant_scope
from tests.helpers import PASSWORD
from tests.isolation.seed_real_estate import seed_real_estate
from tests.plugins.sample_models import SampleReading


def marker(handle) -> str:
    return f"SECRET-{handle.slug}"


def seed(client, handle) -> dict:
    mark = marker(handle)
    h = handle.headers()
    user = client.post("/api/v1/users", headers=h, json={
        "username": f"user-{mark}", "display_name": mark, "password": PASSWORD, "roles": ["salesperson"],
        "phone": "13800138000"}).get_json()
    token = client.post("/api/v1/tokens", headers=h, json={"name": mark, "scopes": ["read"]}).get_json()
    published = client.post("/api/v1/policies/cal/versions", headers=h, json={
        "body": {"overrides": [{"date": "2026-12-24", "kind": "off", "note": mark}]}, "note": mark})
    assert published.status_code == 201, published.get_json()
    archive = client.post("/api/v1/policies/cus/versions", headers=h, json={"body": {
        "archive": {"handover_log": True, "fields": [{"name": "marker", "label_zh": mark, "searchable": True}]},
        "checklists": {"seed_list": {"label_zh": mark, "items": [{"code": "seed_doc", "label_zh": mark},
                                                                 {"code": "seed_gap", "label_zh": mark}]}},
        "filing": {"enabled": True}}, "note": mark})
    assert archive.status_code == 201, archive.get_json()
    customer = client.post("/api/v1/customers", headers=h, json={
        "name": f"客户 {mark}", "phones": [{"number": "13800138000"}], "district": mark, "note": mark,
        "contacts": [{"name": mark, "mobile": "13900139000"}], "addresses": [{"text": mark}],
        "extra": {"marker": mark}})
    assert customer.status_code == 201, customer.get_json()
    customer_id = customer.get_json()["id"]
    # the archive: a document, the paper location and a handover with a missing item (CUS-02/03)
    document = client.put(f"/api/v1/customers/{customer_id}/documents/seed_doc", headers=h,
                          json={"scan_ref": mark, "note": mark})
    assert document.status_code == 200, document.get_json()
    paper = client.put(f"/api/v1/customers/{customer_id}/paper", headers=h, json={"cabinet": mark, "pouch_no": "1"})
    assert paper.status_code == 200, paper.get_json()
    department = client.post("/api/v1/departments", headers=h, json={"name": f"部门 {mark}"})
    assert department.status_code == 201, department.get_json()
    entry = client.post(f"/api/v1/customers/{customer_id}/contact-log", headers=h, json={
        "channel": "phone_answered", "content": mark})
    assert entry.status_code == 201, entry.get_json()
    event = client.post("/api/v1/events", headers=h, json={
        "kind": "lecture", "title": mark, "starts_at": "2026-06-12T14:00:00+08:00", "note": mark,
        "divisions": [{"department_id": department.get_json()["id"]}]})
    assert event.status_code == 201, event.get_json()
    invitation = client.post(f"/api/v1/events/{event.get_json()['id']}/invitations", headers=h, json={
        "customer_id": customer_id, "department_id": department.get_json()["id"], "at": "2026-06-09T10:00:00+08:00",
        "note": mark})
    assert invitation.status_code == 201, invitation.get_json()
    claim = client.post(f"/api/v1/customers/{customer_id}/claims", headers=h, json={
        "kind": "register", "note": mark})
    assert claim.status_code == 201, claim.get_json()
    case = client.post(f"/api/v1/customers/{customer_id}/ownership-cases", headers=h, json={
        "reason": "dispute", "note": mark})
    assert case.status_code == 201, case.get_json()
    relative = client.post("/api/v1/customers", headers=h, json={
        "name": f"亲属 {mark}", "phones": [{"number": "13700137000"}], "note": mark})
    assert relative.status_code == 201, relative.get_json()
    link = client.post(f"/api/v1/customers/{customer_id}/household-links", headers=h, json={
        "related_id": relative.get_json()["id"], "relation": "spouse"})
    assert link.status_code == 201, link.get_json()
    visits = _seed_visits(client, h, customer_id, mark)
    handover = client.post(f"/api/v1/customers/{customer_id}/handovers", headers=h, json={
        "on": dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(), "from_user_id": user["id"], "to_user_id": handle.admin_id, "from_signed": True,
        "to_signed": True, "missing": ["seed_gap"], "note": mark})
    assert handover.status_code == 201, handover.get_json()
    export = client.post("/api/v1/exports", headers=h).get_json()  # a job, with a file to download
    points = _seed_points(client, handle, h, customer_id)
    group = client.post("/api/v1/rotation-groups", headers=h, json={"name": mark, "members": [user["id"]]})
    assert group.status_code == 201, group.get_json()
    register_entry = client.post("/api/v1/register-entries", headers=h, json={
        "customer_name": f"来访 {mark}", "phone": "13800138001", "note": mark, "source": mark})
    assert register_entry.status_code == 201, register_entry.get_json()
    redistribution = client.post("/api/v1/redistributions", headers=h, json={
        "leaver_id": user["id"], "trigger": "transfer", "seed": 1, "colleague_ids": [handle.admin_id]})
    assert redistribution.status_code == 202, redistribution.get_json()
    batch = client.post("/api/v1/lead-batches", headers=h, json={
        "customer_ids": [customer_id], "participant_ids": [user["id"]], "seed": 1})
    assert batch.status_code == 201, batch.get_json()
    flags = client.put(f"/api/v1/customers/{customer_id}/flags", headers=h, json={"flags": ["key_prospect"]})
    contact = client.post(f"/api/v1/customers/{customer_id}/staff-contacts", headers=h, json={"user_id": user["id"]})
    assert flags.status_code == 200 and contact.status_code == 200, contact.get_json()
    # confidentiality (CUS-07, CUS-70..75): classification, a viewing request, a loan, an export
    # request, a leak report; an inspection task and a retention queue entry made by their services
    classified = client.put(f"/api/v1/customers/{customer_id}/confidentiality", headers=h, json={
        "level": "confidential", "custodian_id": handle.admin_id, "viewer_ids": [handle.admin_id], "reason": mark})
    assert classified.status_code == 200, classified.get_json()
    view_request = client.post("/api/v1/view-requests", headers=h, json={
        "customer_id": customer_id, "purpose": mark, "reason": mark})
    assert view_request.status_code == 201, view_request.get_json()
    loan = client.post("/api/v1/loans", headers=h, json={
        "material": mark, "reason": mark, "signature": mark, "customer_id": customer_id})
    assert loan.status_code == 201, loan.get_json()
    customer_export = client.post("/api/v1/customer-exports", headers=h, json={
        "purpose": mark, "customer_ids": [customer_id], "kind": "external", "recipient": mark})
    assert customer_export.status_code == 201, customer_export.get_json()
    leak = client.post("/api/v1/leak-reports", headers=h, json={"description": mark, "customer_id": customer_id})
    assert leak.status_code == 201, leak.get_json()
    # CUS-15: a duplicate merged into the seeded customer (the marker in its name and the reason)
    duplicate = client.post("/api/v1/customers", headers=h, json={
        "name": f"重复 {mark}", "phones": [{"number": "13655500015"}], "note": mark})
    assert duplicate.status_code == 201, duplicate.get_json()
    merge = client.post(f"/api/v1/customers/{customer_id}/merge", headers=h, json={
        "merged_id": duplicate.get_json()["id"], "reason": mark})
    assert merge.status_code == 201, merge.get_json()
    with tenant_scope(handle.id):
        reading = SampleReading(meter=mark, value=7)  # a plugin's table is covered too
        db.session.add(reading)
        db.session.flush()
        reading_id = reading.id
        decision = decisions.record("CAL-09", "user", user["id"], outcome={"note": mark},
                                    reason_zh=f"测试 {mark}", reason_en=f"test {mark}")
        decision_id = decision.id
        note = notifications.notify([handle.admin_id], kind="test", title_zh=mark, title_en=mark, dedupe_key=mark)
        notification_id = note[0].id
        inspection = ArchiveInspection(period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
                                       due_at=dt.datetime(2026, 6, 30, 16, tzinfo=dt.timezone.utc),
                                       findings=mark)
        queued = RetentionEntry(subject_type="customer", subject_id=customer_id, retention_class="default",
                                last_activity_at=dt.datetime(2026, 1, 10, tzinfo=dt.timezone.utc),
                                kept_through=dt.date(2027, 1, 10), status="queued", note=mark)
        db.session.add_all([inspection, queued])
        db.session.flush()
        inspection_id, queue_entry_id = inspection.id, queued.id
        db.session.commit()
    return {
        "reading_id": reading_id,
        "user_id": user["id"],
        "token_id": token["id"],
        "decision_id": decision_id,
        "notification_id": notification_id,
        "job_id": export["id"],
        "customer_id": customer_id,
        "department_id": department.get_json()["id"],
        "entry_id": entry.get_json()["id"],
        "rotation_group_id": group.get_json()["id"],
        "register_entry_id": register_entry.get_json()["id"],
        "redistribution_id": redistribution.get_json()["id"],
        "lead_batch_id": batch.get_json()["id"],
        "event_id": event.get_json()["id"],
        "invitation_id": invitation.get_json()["id"],
        "claim_id": claim.get_json()["id"],
        "case_id": case.get_json()["id"],
        "link_id": link.get_json()["id"],
        "item_code": "seed_doc",
        "module": "cal",
        **points,
        **visits,
        "scheme": "grade",  # a kind of thing (cus.tiers.schemes), with B's customer id beside it
        "request_id": view_request.get_json()["id"],
        "loan_id": loan.get_json()["id"],
        "export_id": customer_export.get_json()["id"],
        "report_id": leak.get_json()["id"],
        "merge_id": merge.get_json()["id"],
        "inspection_id": inspection_id,
        "queue_entry_id": queue_entry_id,
        **_seed_complaints(client, handle, h, customer_id, user["id"], mark),
        **_seed_staff_pay(client, handle, h, user["id"], department.get_json()["id"], mark),
        **_seed_service(client, handle, h, customer_id, user["id"], mark),
        **_seed_dispatch(client, handle, h, customer_id, user["id"], mark),
        **_seed_service_contracts(client, handle, h, customer_id, mark),
        **_seed_service_fees(client, handle, h, user["id"], mark),
        **_seed_service_duties(client, h, customer_id, mark),
        **_seed_service_aftercare(client, handle, h, customer_id, mark),
        **_seed_field(client, handle, h, customer_id, mark),
        **_seed_attachments(client, h, customer_id, mark),
        **seed_real_estate(handle, mark, customer_id, user["id"]),
    }


def _seed_attachments(client, h, customer_id, mark) -> dict:
    """Attachments: a scan of the seeded customer, the marker in its file name and its bytes."""
    import io

    from tests.core.attachments.files import pdf_bytes

    attachment = client.post("/api/v1/attachments", headers=h, content_type="multipart/form-data", data={
        "file": (io.BytesIO(pdf_bytes(mark)), f"{mark}.pdf"), "subject_type": "customer",
        "subject_id": str(customer_id), "kind": "scan"})
    assert attachment.status_code == 201, attachment.get_json()
    return {"attachment_id": attachment.get_json()["id"]}


def _seed_service(client, handle, h, customer_id, user_id, mark) -> dict:
    """SVC: a repair order for the seeded customer."""
    order = client.post("/api/v1/work-orders", headers=h, json={
        "type": "repair", "customer_id": customer_id, "address": mark, "contact_name": mark,
        "contact_phone": "13800138000", "description": mark,
        "data": {"model": mark[:100], "purchase_date": "2026-01-05"}})
    assert order.status_code == 201, order.get_json()
    return {"order_id": order.get_json()["id"]}


def _seed_dispatch(client, handle, h, customer_id, user_id, mark) -> dict:
    """SVC-05/06/08: the seeded user in the dispatch pool, a repair order with a completion deadline
    dispatched to them with an agreed arrival time, and their delay notice on it."""
    from core.accounts.models import User
    from core.service import dispatch_delays
    from core.service.orders import get_order

    tech = client.put(f"/api/v1/service-technicians/{user_id}", headers=h,
                      json={"skills": [mark[:100]], "areas": ["*"], "note": mark})
    assert tech.status_code == 201, tech.get_json()
    sla = client.post("/api/v1/policies/svc/versions", headers=h, json={
        "body": {"sla": {"repair": {"*": {"complete": "30 days"}}}}, "note": mark})
    assert sla.status_code == 201, sla.get_json()
    order = client.post("/api/v1/work-orders", headers=h, json={
        "type": "repair", "customer_id": customer_id, "address": mark, "contact_name": mark,
        "contact_phone": "13800138000", "description": mark, "skill": mark[:60],
        "data": {"model": mark[:100], "purchase_date": "2026-01-05"}}).get_json()
    eta = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    sent = client.post(f"/api/v1/work-orders/{order['id']}/dispatch", headers=h, json={
        "assignee_id": user_id, "reason": mark, "eta_at": eta.isoformat()})
    assert sent.status_code == 200, sent.get_json()
    with tenant_scope(handle.id):
        user = db.session.scalars(db.select(User).where(User.id == user_id)).one()
        notice = dispatch_delays.file_notice(get_order(order["id"], for_update=True), {
            "reason": mark, "proposed_due": eta + dt.timedelta(days=40)}, user=user)
        notice_id = notice.id
        db.session.commit()
    return {"notice_id": notice_id}


def _seed_service_contracts(client, handle, h, customer_id, mark) -> dict:
    """SVC-20..22: a service contract of the seeded customer ending 2026-11-14, its expiry reminder
    (the job's step, here directly) and a renewal awaiting payment."""
    from core.service import contracts

    contract = client.post("/api/v1/service-contracts", headers=h, json={
        "customer_id": customer_id, "subject": mark, "reference": mark[:60], "signed_on": "2025-11-15",
        "installed_on": "2025-11-15", "term": "1 years", "note": mark})
    assert contract.status_code == 201, contract.get_json()
    contract_id = contract.get_json()["id"]
    with tenant_scope(handle.id):
        contracts.send_reminders(dt.datetime(2026, 10, 14, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
        reminder_id = contracts.reminders_of(contract_id)[0].id
        db.session.commit()
    renewal = client.post(f"/api/v1/service-contracts/{contract_id}/renewals", headers=h, json={
        "signed_on": "2026-10-20", "method": "fax", "amount": "12000", "note": mark})
    assert renewal.status_code == 201, renewal.get_json()
    return {"service_contract_id": contract_id, "service_reminder_id": reminder_id,
            "service_renewal_id": renewal.get_json()["id"]}


def _seed_service_fees(client, handle, h, user_id, mark) -> dict:
    """SVC-15 and SVC-40: a repair order on site (moved directly) with a fee collected by the seeded user,
    and the monthly service report pack."""
    from core.service import orders

    order = client.post("/api/v1/work-orders", headers=h, json={
        "type": "repair", "customer_name": mark, "address": mark, "contact_name": mark,
        "contact_phone": "13800138000", "description": mark, "data": {"model": mark[:100], "purchase_date": "2026-01-05"}})
    assert order.status_code == 201, order.get_json()
    with tenant_scope(handle.id):
        wo = orders.get_order(order.get_json()["id"])
        wo.assignee_id = user_id
        orders.move(wo, "dispatched", by=None)
        orders.move(wo, "on_site", by=None)
        db.session.commit()
    fee = client.post(f"/api/v1/work-orders/{order.get_json()['id']}/fees", headers=h, json={
        "amount_parts": "120", "receipt_no": mark[:60], "note": mark})
    assert fee.status_code == 201, fee.get_json()
    pack = client.post("/api/v1/service-reports/packs", headers=h, json={})
    assert pack.status_code == 202 and pack.get_json()["status"] == "finished", pack.get_json()
    return {"fee_id": fee.get_json()["id"], "service_pack_id": pack.get_json()["result"]["pack_id"]}


def _seed_service_duties(client, h, customer_id, mark) -> dict:
    """SVC-30/31: a duty for the seeded customer, a checklist template and a checklist whose damaged item
    waits for its repair data (the default repair intake needs a model and a purchase date)."""
    duty = client.post("/api/v1/service-duties", headers=h, json={
        "code": "seed_duty", "title": mark, "work_order_type": "inspection", "at_least": 2, "period": "month",
        "site": mark, "customer_id": customer_id, "responsible_role": "dept_manager"})
    assert duty.status_code == 201, duty.get_json()
    template = client.post("/api/v1/service-checklist-templates", headers=h, json={
        "code": "seed_round", "title": mark, "site": mark, "items": [{"code": "light", "label": mark}]})
    assert template.status_code == 201, template.get_json()
    checklist = client.post("/api/v1/service-checklists", headers=h, json={
        "template_id": template.get_json()["id"], "note": mark,
        "items": [{"code": "light", "result": "damaged", "note": mark}]})
    assert checklist.status_code == 201, checklist.get_json()
    item = checklist.get_json()["items"][0]
    assert item["repair_state"] == "pending", item
    return {"duty_id": duty.get_json()["id"], "checklist_template_id": template.get_json()["id"],
            "checklist_id": checklist.get_json()["id"], "checklist_item_id": item["id"]}


def _seed_service_aftercare(client, handle, h, customer_id, mark) -> dict:
    """SVC-14/16/23: an order completed (moved directly: the field steps are other modules') with its return
    visit recorded and an issue found on it (CMP-63), and a customer original archived with a custodian."""
    from core.service import orders, return_visits

    order = client.post("/api/v1/work-orders", headers=h, json={
        "type": "repair", "customer_id": customer_id, "address": mark, "contact_name": mark,
        "contact_phone": "13800138000", "description": mark,
        "data": {"model": mark[:100], "purchase_date": "2026-01-05"}})
    assert order.status_code == 201, order.get_json()
    with tenant_scope(handle.id):
        wo = orders.get_order(order.get_json()["id"])
        for state in ("dispatched", "on_site", "completed"):
            orders.move(wo, state, by=None)
        visit_id = return_visits.on_feedback(wo, wo.completed_at).id
        db.session.commit()
    visit = client.post(f"/api/v1/service-return-visits/{visit_id}/record", headers=h, json={
        "mode": "phone", "attitude": 4, "skill": 4, "outcome": "partly", "who_came": mark, "notes": mark,
        "issues": [{"description": mark}]})
    assert visit.status_code == 200, visit.get_json()
    import io

    from tests.core.attachments.files import pdf_bytes

    scan = client.post("/api/v1/attachments", headers=h, content_type="multipart/form-data", data={
        "file": (io.BytesIO(pdf_bytes(mark)), f"{mark}.pdf"), "subject_type": "work_order",
        "subject_id": str(order.get_json()["id"]), "kind": "scan"})
    assert scan.status_code == 201, scan.get_json()
    document = client.post(f"/api/v1/work-orders/{order.get_json()['id']}/documents", headers=h, json={
        "kind": "request_fax", "description": mark, "custodian_id": handle.admin_id,
        "attachment_id": scan.get_json()["id"]})
    assert document.status_code == 201, document.get_json()
    return {"service_visit_id": visit_id, "service_issue_id": visit.get_json()["issues"][0]["id"],
            "service_document_id": document.get_json()["id"]}


def _seed_field(client, handle, h, customer_id, mark) -> dict:
    """SVC-10..13: a remote order of the seeded customer with a terminal swapped (the old one taken back for
    repair), completed and recorded."""
    from core.service import orders

    order = client.post("/api/v1/work-orders", headers=h, json={
        "type": "remote_service", "customer_id": customer_id, "description": mark,
        "data": {"service_kind": "report_issue"}})
    assert order.status_code == 201, order.get_json()
    with tenant_scope(handle.id):  # dispatch is another step's endpoint; here directly
        orders.move(orders.get_order(order.get_json()["id"]), "dispatched", by=None)
        db.session.commit()
    path = f"/api/v1/work-orders/{order.get_json()['id']}"
    swap = client.post(f"{path}/swaps", headers=h, json={"items": [{
        "kind": "terminal", "old": f"OLD-{mark}"[:100], "new": f"NEW-{mark}"[:100], "note": mark,
        "take_back": {"plate": mark[:60], "fault": mark}}]})
    assert swap.status_code == 200, swap.get_json()
    done = client.post(f"{path}/complete", headers=h, json={"note": mark})
    assert done.status_code == 200, done.get_json()
    fields = {name: mark for name in ("report_name", "question", "analysis", "solution")}
    recorded = client.post(f"{path}/record", headers=h, json={"summary": mark, "fields": fields})
    assert recorded.status_code == 200, recorded.get_json()
    return {"asset_id": swap.get_json()["swaps"][0]["old_asset_id"]}


def _seed_complaints(client, handle, h, customer_id, user_id, mark) -> dict:
    """CMP and STF: a complaint about the seeded customer, resolved, with its return visit recorded and an
    issue found on it (CMP-60..63); a staff ledger entry on the seeded user."""
    from core.complaints import return_visits
    from core.complaints.service import get_complaint

    complaint = client.post("/api/v1/complaints", headers=h, json={
        "channel": "phone", "content": mark, "customer_id": customer_id, "complainant_name": mark})
    assert complaint.status_code == 201, complaint.get_json()
    with tenant_scope(handle.id):  # resolution is recorded by the resolution step; here directly
        case = get_complaint(complaint.get_json()["id"])
        case.status, case.resolved_at = "resolved", case.received_at
        return_visits.on_resolution(case)
        visit_id = return_visits.visits_of(case.id)[0].id
        db.session.commit()
    plan = client.post(f"/api/v1/complaints/return-visits/{visit_id}/record", headers=h, json={
        "mode": "on_site", "customer_signed": True, "ratings": {"attitude": 5, "skill": 5, "outcome": 5},
        "visitor_id": user_id, "notes": mark, "issues": [{"description": mark}],
        "next_visit_at": "2099-01-01T10:00:00+08:00"})
    assert plan.status_code == 200, plan.get_json()
    staff_entry = client.post("/api/v1/staff/entries", headers=h, json={
        "user_id": user_id, "kind": "penalty", "amount": "50", "offence": "seed", "reason_zh": mark,
        "reason_en": mark})
    assert staff_entry.status_code == 201, staff_entry.get_json()
    letter = client.post("/api/v1/complaint-letters", headers=h, json={
        "title": mark, "body": mark, "complaint_ids": [complaint.get_json()["id"]]})  # CMP-13
    assert letter.status_code == 201, letter.get_json()
    correction = client.post(f"/api/v1/staff/penalties/{staff_entry.get_json()['id']}/correction", headers=h,
                             json={"note": mark})  # STF-11
    assert correction.status_code == 201, correction.get_json()
    improvement = client.post(f"/api/v1/complaints/{complaint.get_json()['id']}/improvements", headers=h,
                              json={"title": mark, "text": mark})  # CMP-55
    assert improvement.status_code == 201, improvement.get_json()
    pack = client.post("/api/v1/complaint-reports/packs", headers=h, json={"kind": "weekly_report"})  # CMP-80
    assert pack.status_code == 202 and pack.get_json()["status"] == "finished", pack.get_json()
    return {"complaint_id": complaint.get_json()["id"], "staff_entry_id": staff_entry.get_json()["id"],
            "pack_id": pack.get_json()["result"]["pack_id"], "improvement_id": improvement.get_json()["id"],
            "correction_id": correction.get_json()["id"], "complaint_letter_id": letter.get_json()["id"],
            "return_visit_id": visit_id, "visit_issue_id": plan.get_json()["issues"][0]["id"],
            **_seed_slips(client, h, staff_entry.get_json(), mark)}


def _seed_slips(client, h, entry, mark) -> dict:
    """STF-20..23: the entry approved, its slip appealed (on paper, by the admin), the month's list."""
    from core.db import utcnow
    from core.staff import ledger, slips_publication

    entry_id, tenant_id = entry["id"], client.get("/api/v1/me", headers=h).get_json()["tenant"]["id"]
    with tenant_scope(tenant_id):
        ledger.move(ledger.get_entry(entry_id), "approved", by=None)
        db.session.commit()
    slip = client.post("/api/v1/staff/slips", headers=h, json={
        "staff_entry_id": entry_id, "facts": mark, "opinion": mark})
    assert slip.status_code == 201, slip.get_json()
    appeal = client.post(f"/api/v1/staff/slips/{slip.get_json()['id']}/appeal", headers=h, json={"text": mark})
    assert appeal.status_code == 201, appeal.get_json()
    with tenant_scope(tenant_id):
        month = dt.date.fromisoformat(f"{entry['payroll_month']}-01")
        publication, _ = slips_publication.publish(month, at=utcnow())
        db.session.commit()
        return {"slip_id": slip.get_json()["id"], "publication_id": publication.id}


def _seed_staff_pay(client, handle, h, user_id, department_id, mark) -> dict:
    """STF-30..44: a deal's credit, the September statement (by its job), a scorecard, a pay scheme."""
    from core.staff import scorecards
    from tests.helpers import policy_since
    from workers.runtime import execute

    credit = client.post("/api/v1/staff/credits", headers=h, json={
        "subject_type": "seed", "subject_id": 1, "amount": "100.00", "owner_id": user_id, "reference": mark,
        "deal_at": "2026-09-10T10:00:00+08:00"})
    assert credit.status_code == 201, credit.get_json()
    db.session.rollback()  # no transaction of ours open while the job writes (SQLite)
    execute(handle.id, "stf.monthly_close", {"as_of": "2026-10-01T03:07:00+08:00"}, dedupe_key=f"seed-close-{mark}")
    policy_since(handle.id, "stf", {"scorecards": {"schemes": {"salesperson": {"title_zh": mark, "dimensions": [
        {"code": "results", "label_zh": mark, "weight": 100}]}}}}, "2026-01-01")
    with tenant_scope(handle.id):
        scorecard_id = scorecards.score(user_id=user_id, month=dt.date(2026, 9, 1), scores={"results": 70},
                                        by=handle.admin_id, note=mark).id
        db.session.commit()
    scheme = client.post("/api/v1/staff/pay-schemes", headers=h, json={
        "department_id": department_id, "month": "2026-09", "bases": [{"user_id": user_id, "base": "1000"}],
        "note": mark})
    assert scheme.status_code == 201, scheme.get_json()
    statement = client.get(f"/api/v1/staff/statements?user_id={user_id}&month=2026-09", headers=h).get_json()
    return {"credit_id": credit.get_json()["id"], "statement_id": statement[0]["id"], "scorecard_id": scorecard_id,
            "pay_scheme_id": scheme.get_json()["id"]}


def _seed_points(client, handle, h, referrer_id) -> dict:
    """CUS-40..44: a referee of the seeded customer, its purchase (points and a cash reward) and a
    points entry; the marker is in the referee's name and the transaction's reference."""
    from tests.helpers import policy_since

    mark = marker(handle)
    policy_since(handle.id, "cus", {"referral": {"cash_reward": 200}}, "2026-01-01")
    referee = client.post("/api/v1/customers", headers=h, json={
        "name": f"介绍 {mark}", "phones": [{"number": "13900139000"}], "note": mark})
    assert referee.status_code == 201, referee.get_json()
    referee_id = referee.get_json()["id"]
    referral = client.post(f"/api/v1/customers/{referee_id}/referral", headers=h, json={
        "referrer_id": referrer_id, "note": mark, "at": "2026-05-10T10:00:00+08:00"})
    assert referral.status_code == 201, referral.get_json()
    sale = client.post(f"/api/v1/customers/{referee_id}/transactions", headers=h, json={
        "kind": "purchase", "amount": "2500.00", "at": "2026-05-20T15:00:00+08:00", "reference": mark, "event_id": 5})
    assert sale.status_code == 201, sale.get_json()
    effects = {e["rule_id"]: e for e in sale.get_json()["effects"]}
    rewards = client.get(f"/api/v1/customers/{referrer_id}/rewards", headers=h).get_json()
    return {"points_entry_id": effects["CUS-43"]["entry_id"], "reward_id": rewards[0]["id"]}


def _seed_visits(client, h, customer_id, mark) -> dict:
    """CUS-61..64: a visit plan, a visit with its report, a commitment, a survey closed below the
    threshold with its corrective action."""
    plan = client.post("/api/v1/visit-plans", headers=h, json={"month": "2027-01", "note": mark, "visits": [
        {"customer_id": customer_id, "planned_on": "2027-01-05", "purpose": "relationship", "gifts": mark}]})
    assert plan.status_code == 201, plan.get_json()
    visit = client.post(f"/api/v1/customers/{customer_id}/contact-log", headers=h, json={
        "channel": "visit", "content": mark})
    assert visit.status_code == 201, visit.get_json()
    report = client.post(f"/api/v1/customers/{customer_id}/visit-reports", headers=h, json={
        "contact_entry_id": visit.get_json()["id"], "content": mark})
    assert report.status_code == 201, report.get_json()
    commitment = client.post(f"/api/v1/customers/{customer_id}/commitments", headers=h, json={
        "kind": "reply", "text": mark, "due_at": "2027-01-10T17:00:00+08:00"})
    assert commitment.status_code == 201, commitment.get_json()
    survey = client.post("/api/v1/surveys", headers=h, json={"name": mark, "items": [{"code": "service", "label": mark}]})
    assert survey.status_code == 201, survey.get_json()
    survey_id = survey.get_json()["id"]
    response = client.post(f"/api/v1/surveys/{survey_id}/responses", headers=h, json={
        "customer_id": customer_id, "scores": {"service": 50}})
    assert response.status_code == 201, response.get_json()
    closed = client.post(f"/api/v1/surveys/{survey_id}/close", headers=h)
    assert closed.status_code == 200 and closed.get_json()["corrective_action"], closed.get_json()
    return {"plan_id": plan.get_json()["id"], "report_id": report.get_json()["id"],
            "commitment_id": commitment.get_json()["id"], "survey_id": survey_id,
            "action_id": closed.get_json()["corrective_action"]["id"]}
