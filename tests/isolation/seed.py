"""The same data in each tenant of the cross-tenant suite, made through the API where it has one.

``seed(client, handle)`` returns the ids of what it made, keyed by the path-parameter names of the
API (``user_id``, ``token_id``, ...). A new endpoint whose path parameter is not here makes the
harness fail until its kind of object is seeded: nobody has to remember to cover it.
"""
from __future__ import annotations

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
    claim = client.post(f"/api/v1/customers/{customer_id}/claims", headers=h, json={
        "kind": "register", "note": mark})
    assert claim.status_code == 201, claim.get_json()
    case = client.post(f"/api/v1/customers/{customer_id}/ownership-cases", headers=h, json={
        "reason": "dispute", "note": mark})
    assert case.status_code == 201, case.get_json()
    relative = client.post("/api/v1/customers", headers=h, json={
        "name": f"亲属 {mark}", "phones": [{"number": "13900139000"}], "note": mark})
    assert relative.status_code == 201, relative.get_json()
    link = client.post(f"/api/v1/customers/{customer_id}/household-links", headers=h, json={
        "related_id": relative.get_json()["id"], "relation": "spouse"})
    assert link.status_code == 201, link.get_json()
    export = client.post("/api/v1/exports", headers=h).get_json()  # a job, with a file to download
    with tenant_scope(handle.id):
        db.session.add(SampleReading(meter=mark, value=7))  # a plugin's table is covered too
        decision = decisions.record("CAL-09", "user", user["id"], outcome={"note": mark},
                                    reason_zh=f"测试 {mark}", reason_en=f"test {mark}")
        decision_id = decision.id
        note = notifications.notify([handle.admin_id], kind="test", title_zh=mark, title_en=mark, dedupe_key=mark)
        notification_id = note[0].id
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
        "claim_id": claim.get_json()["id"],
        "case_id": case.get_json()["id"],
        "link_id": link.get_json()["id"],
        "module": "cal",
    }
