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
    visits = _seed_visits(client, h, customer_id, mark)
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
        "module": "cal",
        **visits,
    }


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
