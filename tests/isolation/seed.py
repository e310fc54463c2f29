"""The same data in each tenant of the cross-tenant suite, made through the API where it has one.

``seed(client, handle)`` returns the ids of what it made, keyed by the path-parameter names of the
API (``user_id``, ``token_id``, ...). A new endpoint whose path parameter is not here makes the
harness fail until its kind of object is seeded: nobody has to remember to cover it.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.db import db
from core.decisions import service as decisions
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
    handover = client.post(f"/api/v1/customers/{customer_id}/handovers", headers=h, json={
        "on": dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(), "from_user_id": user["id"], "to_user_id": handle.admin_id, "from_signed": True,
        "to_signed": True, "missing": ["seed_gap"], "note": mark})
    assert handover.status_code == 201, handover.get_json()
    export = client.post("/api/v1/exports", headers=h).get_json()  # a job, with a file to download
    with tenant_scope(handle.id):
        db.session.add(SampleReading(meter=mark, value=7))  # a plugin's table is covered too
        decision = decisions.record("CAL-09", "user", user["id"], outcome={"note": mark},
                                    reason_zh=f"测试 {mark}", reason_en=f"test {mark}")
        decision_id = decision.id
        db.session.commit()
    return {
        "user_id": user["id"],
        "token_id": token["id"],
        "decision_id": decision_id,
        "job_id": export["id"],
        "customer_id": customer_id,
        "department_id": department.get_json()["id"],
        "entry_id": entry.get_json()["id"],
        "item_code": "seed_doc",
        "module": "cal",
    }
