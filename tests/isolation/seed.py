"""The same data in each tenant of the cross-tenant suite, made through the API where it has one.

``seed(client, handle)`` returns the ids of what it made, keyed by the path-parameter names of the
API (``user_id``, ``token_id``, ...). A new endpoint whose path parameter is not here makes the
harness fail until its kind of object is seeded: nobody has to remember to cover it.
"""
from __future__ import annotations

import datetime as dt

from core.customers.confidentiality.models import ArchiveInspection, RetentionEntry
from core.db import db
from core.decisions import service as decisions
from core.notifications import service as notifications
from core.tenancy import tenant_scope
from tests.helpers import PASSWORD
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
    customer = client.post("/api/v1/customers", headers=h, json={
        "name": f"客户 {mark}", "phones": [{"number": "13800138000"}], "district": mark, "note": mark})
    assert customer.status_code == 201, customer.get_json()
    customer_id = customer.get_json()["id"]
    department = client.post("/api/v1/departments", headers=h, json={"name": f"部门 {mark}"})
    assert department.status_code == 201, department.get_json()
    entry = client.post(f"/api/v1/customers/{customer_id}/contact-log", headers=h, json={
        "channel": "phone_answered", "content": mark})
    assert entry.status_code == 201, entry.get_json()
    export = client.post("/api/v1/exports", headers=h).get_json()  # a job, with a file to download
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
    with tenant_scope(handle.id):
        db.session.add(SampleReading(meter=mark, value=7))  # a plugin's table is covered too
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
        "user_id": user["id"],
        "token_id": token["id"],
        "decision_id": decision_id,
        "notification_id": notification_id,
        "job_id": export["id"],
        "customer_id": customer_id,
        "department_id": department.get_json()["id"],
        "entry_id": entry.get_json()["id"],
        "module": "cal",
        "request_id": view_request.get_json()["id"],
        "loan_id": loan.get_json()["id"],
        "export_id": customer_export.get_json()["id"],
        "report_id": leak.get_json()["id"],
        "inspection_id": inspection_id,
        "queue_entry_id": queue_entry_id,
    }
