"""Visits, plans, reports, commitments and surveys through the API (CUS-61..64): the spec's vectors
end to end, roles, 422 naming the field with nothing written, 409 on repeated acts."""
import pytest

from core.customers.visits.settings import PRE16_VISITS
from core.db import db
from tests.core.customers.visits.world import build_world
from tests.web.api.test_customers_api import _count
from workers.runtime import execute


@pytest.fixture
def world(make_tenant):
    return build_world(make_tenant, policy={"visits": {**PRE16_VISITS, "quota": {"salesperson": 2}}})


def h(world, who="agent"):
    return world.handle.headers(world.tokens[who])


def job(world, name, as_of):
    db.session.rollback()
    return execute(world.handle.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}")


def test_due_visits_per_user_and_fulfilment_by_a_logged_contact(client, world):
    job(world, "cus.visit_generation", "2026-10-01T00:30:00+08:00")
    mine = client.get("/api/v1/visits/due", headers=h(world, "super")).get_json()
    assert [(v["period_key"], v["slot"], v["due_on"], v["mode"]) for v in mine] == [
        ("2026-10", 1, "2026-10-15", "phone_ok"), ("2026-10", 2, "2026-10-31", "phone_ok"),
        ("2026-Q4", 1, "2026-12-31", "on_site")]
    # the test clock is past October (2026-12): those two are overdue even before a job marks them
    assert [v["status"] for v in mine] == ["overdue", "overdue", "open"]
    agent = client.get("/api/v1/visits/due", headers=h(world)).get_json()
    assert [(v["role"], v["performer_id"]) for v in agent] == [("agent", world.agent)]
    r = client.get(f"/api/v1/visits/due?user_id={world.supervisor}", headers=h(world))
    assert r.status_code == 403  # a salesperson sees only their own
    r = client.get(f"/api/v1/visits/due?user_id={world.supervisor}&status=overdue", headers=h(world, "csm"))
    assert r.status_code == 200 and len(r.get_json()) == 2  # a manager sees anyone's
    assert client.get("/api/v1/visits/due?status=late", headers=h(world)).status_code == 422
    r = client.post(f"/api/v1/customers/{world.customer}/contact-log", headers=h(world, "super"), json={
        "channel": "phone_answered", "at": "2026-10-05T10:00:00+08:00", "content": "季度回访"})
    assert r.status_code == 201
    done = client.get("/api/v1/visits/due?status=done", headers=h(world, "super")).get_json()
    assert [(v["period_key"], v["slot"], v["contact_entry_id"]) for v in done] == [("2026-10", 1, r.get_json()["id"])]
    assert len(client.get("/api/v1/visits/due", headers=h(world, "super")).get_json()) == 2


PLAN = {"month": "2026-12", "note": "十二月计划", "visits": [
    {"customer_id": None, "planned_on": "2026-12-03", "purpose": "payment_collection", "expenses": "150.005"},
    {"customer_id": None, "planned_on": "2026-12-10", "purpose": "product_promotion", "gifts": "样品一套"}]}


def _plan(world, **changes):
    body = {**PLAN, "visits": [{**v, "customer_id": world.customer} for v in PLAN["visits"]]}
    body.update(changes)
    return body


def test_cus62_monthly_plan_submitted_reviewed_and_returned(client, world, owner_engine):
    bad = [
        ({"month": "2026-13"}, "month"),
        ({"visits": [{"customer_id": world.customer, "planned_on": "2027-01-03", "purpose": "relationship"},
                     {"customer_id": world.customer, "planned_on": "2026-12-03", "purpose": "relationship"}]},
         "visits"),
        ({"visits": [{"customer_id": world.customer, "planned_on": "2026-12-03", "purpose": "shopping"}]}, "visits"),
        ({"visits": [{"customer_id": world.customer, "planned_on": "2026-12-03", "purpose": "relationship"}]},
         "visits"),  # one visit, the salesperson quota is 2 (cus.visits.quota)
        ({"visits": [{"customer_id": 987654321, "planned_on": "2026-12-03", "purpose": "relationship"},
                     {"customer_id": world.customer, "planned_on": "2026-12-04", "purpose": "relationship"}]},
         "visits"),
    ]
    for change, field in bad:
        r = client.post("/api/v1/visit-plans", headers=h(world), json=_plan(world, **change))
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], (change, r.get_json())
    assert _count(owner_engine, "visit_plans", world.handle.id) == 0
    r = client.post("/api/v1/visit-plans", headers=h(world), json=_plan(world))
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    assert (plan["month"], plan["status"], plan["user_id"], plan["due_on"]) == (
        "2026-12", "submitted", world.agent, "2026-11-30")
    assert plan["late"] is True  # submitted today, after 2026-11-30
    assert [(v["purpose"], v["expenses"], v["gifts"]) for v in plan["visits"]] == [
        ("payment_collection", "150.01", None), ("product_promotion", "0.00", "样品一套")]
    assert client.post("/api/v1/visit-plans", headers=h(world), json=_plan(world)).status_code == 409
    review = f"/api/v1/visit-plans/{plan['id']}/review"
    assert client.post(review, headers=h(world), json={"approved": True}).status_code == 403
    r = client.post(review, headers=h(world, "super"), json={"approved": False})
    assert r.status_code == 422 and "note" in r.get_json()["errors"]["json"]
    r = client.post(review, headers=h(world, "super"), json={"approved": False, "note": "请补充新客户开发"})
    assert r.status_code == 200 and r.get_json()["status"] == "returned"
    resubmitted = client.post("/api/v1/visit-plans", headers=h(world), json=_plan(world, visits=[
        {"customer_id": world.customer, "planned_on": "2026-12-03", "purpose": "new_development"},
        {"customer_id": world.customer, "planned_on": "2026-12-17", "purpose": "market_research"}]))
    assert resubmitted.status_code == 201 and resubmitted.get_json()["id"] == plan["id"]
    assert [v["purpose"] for v in resubmitted.get_json()["visits"]] == ["new_development", "market_research"]
    r = client.post(review, headers=h(world, "super"), json={"approved": True})
    assert r.status_code == 200 and r.get_json()["status"] == "approved" and r.get_json()["reviewed_by"] == world.supervisor
    assert client.post(review, headers=h(world, "super"), json={"approved": True}).status_code == 409
    listed = client.get("/api/v1/visit-plans?month=2026-12", headers=h(world)).get_json()
    assert [p["id"] for p in listed] == [plan["id"]]
    assert client.get(f"/api/v1/visit-plans/{plan['id']}", headers=h(world, "boss")).status_code == 200
    other, token = _user(client, world, "agent3")
    assert client.get(f"/api/v1/visit-plans/{plan['id']}", headers=world.handle.headers(token)).status_code == 403
    notes = client.get("/api/v1/notifications?kind=cus.visit_plan_reviewed", headers=h(world)).get_json()
    assert len(notes) == 2


def _user(client, world, username):
    from tests.helpers import TenantFactory

    db.session.rollback()  # a fresh snapshot before writing (SQLite: jobs commit on other connections)
    return TenantFactory(client.application).user(world.handle, username, roles=["salesperson"])


def test_flagged_plan_is_submitted_late(client, world):
    job(world, "cus.visit_plans_reports", "2026-12-01T09:00:00+08:00")
    flagged = client.get("/api/v1/visit-plans?month=2026-12&status=missing", headers=h(world)).get_json()
    assert len(flagged) == 1 and flagged[0]["flagged_at"] and flagged[0]["flag_decision_id"]
    r = client.post("/api/v1/visit-plans", headers=h(world), json=_plan(world))
    assert r.status_code == 201 and r.get_json()["id"] == flagged[0]["id"]
    assert (r.get_json()["status"], r.get_json()["late"]) == ("submitted", True)
    why = client.get(f"/api/v1/decisions/{flagged[0]['flag_decision_id']}", headers=world.handle.headers())
    assert why.get_json()["rule_id"] == "CUS-62"


def test_cus62_visit_report_with_promises_becomes_commitments(client, world, owner_engine):
    base = f"/api/v1/customers/{world.customer}"
    visit = client.post(f"{base}/contact-log", headers=h(world), json={
        "channel": "visit", "at": "2026-11-20T15:00:00+08:00", "content": "拜访"}).get_json()
    call = client.post(f"{base}/contact-log", headers=h(world), json={
        "channel": "phone_answered", "at": "2026-11-20T16:00:00+08:00"}).get_json()
    r = client.post(f"{base}/visit-reports", headers=h(world), json={"contact_entry_id": call["id"], "content": "x"})
    assert r.status_code == 422 and "contact_entry_id" in r.get_json()["errors"]["json"]
    r = client.post(f"{base}/visit-reports", headers=h(world), json={
        "contact_entry_id": visit["id"], "content": "客户关心交期",
        "promises": [{"kind": "delivery", "text": "12月5日前送样", "due_at": "2026-12-05T18:00:00"}]})
    assert r.status_code == 422 and "promises" in r.get_json()["errors"]["json"]  # naive due time
    assert _count(owner_engine, "visit_reports", world.handle.id) == 0
    r = client.post(f"{base}/visit-reports", headers=h(world), json={
        "contact_entry_id": visit["id"], "content": "客户关心交期",
        "promises": [{"kind": "delivery", "text": "12月5日前送样", "due_at": "2026-12-05T18:00:00+08:00"}]})
    assert r.status_code == 201, r.get_json()
    report = r.get_json()
    assert report["due_at"] == "2026-11-22T16:00:00+00:00" and report["late"] is True  # through 11-22 (Shanghai)
    [promise] = report["commitments"]
    assert (promise["kind"], promise["owner_id"], promise["source_type"], promise["source_id"]) == (
        "delivery", world.agent, "visit_report", report["id"])
    assert promise["made_at"] == "2026-11-20T07:00:00+00:00"  # promised during the visit
    r = client.post(f"{base}/visit-reports", headers=h(world), json={"contact_entry_id": visit["id"], "content": "y"})
    assert r.status_code == 409
    review = f"/api/v1/visit-reports/{report['id']}/review"
    assert client.post(review, headers=h(world, "super"), json={"approved": True}).get_json()["status"] == "approved"
    assert [x["id"] for x in client.get(f"{base}/visit-reports", headers=h(world)).get_json()] == [report["id"]]
    assert client.get(f"/api/v1/visit-reports/{report['id']}", headers=h(world)).status_code == 200


def test_cus63_commitment_alert_at_the_promised_time(client, world, owner_engine):
    url = f"/api/v1/customers/{world.customer}/commitments"
    bad = [({"kind": "reply", "text": "回复", "due_at": "2026-09-18T17:00:00"}, "due_at"),
           ({"kind": "reply", "text": "回复", "due_at": "2026-09-18T09:00:00+08:00",
             "made_at": "2026-09-18T10:00:00+08:00"}, "due_at"),
           ({"kind": "bribe", "text": "回复", "due_at": "2026-09-18T17:00:00+08:00"}, "kind"),
           ({"kind": "reply", "text": "回复", "due_at": "2026-09-18T17:00:00+08:00", "owner_id": 987654321}, "owner_id")]
    for body, field in bad:
        r = client.post(url, headers=h(world), json=body)
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], (body, r.get_json())
    assert _count(owner_engine, "commitments", world.handle.id) == 0
    r = client.post(url, headers=h(world), json={"kind": "reply", "text": "下午五点前回复报价",
                                                 "made_at": "2026-09-18T10:00:00+08:00",
                                                 "due_at": "2026-09-18T17:00:00+08:00"})
    assert r.status_code == 201 and r.get_json()["owner_id"] == world.agent
    promise = r.get_json()
    job(world, "cus.commitment_alerts", "2026-09-18T16:55:00+08:00")
    assert client.get("/api/v1/notifications?kind=cus.commitment_overdue", headers=h(world)).get_json() == []
    job(world, "cus.commitment_alerts", "2026-09-18T17:00:00+08:00")
    [alert] = client.get("/api/v1/notifications?kind=cus.commitment_overdue", headers=h(world)).get_json()
    assert (alert["subject_id"], alert["due_at"], alert["rule_id"]) == (promise["id"], "2026-09-18T09:00:00+00:00", "CUS-63")
    assert len(client.get("/api/v1/notifications?kind=cus.commitment_overdue", headers=h(world, "super")).get_json()) == 1
    fulfil = f"{url}/{promise['id']}/fulfil"
    other, token = _user(client, world, "agent4")
    assert client.post(fulfil, headers=world.handle.headers(token), json={}).status_code == 404  # not their customer (CUS-70)
    r = client.post(fulfil, headers=h(world), json={"note": "已电话回复"})
    assert r.status_code == 200 and r.get_json()["status"] == "fulfilled" and r.get_json()["fulfilled_by"] == world.agent
    assert client.post(fulfil, headers=h(world), json={}).status_code == 409
    assert [c["status"] for c in client.get(f"{url}?status=fulfilled", headers=h(world)).get_json()] == ["fulfilled"]


def test_cus64_survey_mean_76_5_opens_a_capa_with_the_lowest_items(client, world, owner_engine):
    csm = h(world, "csm")
    r = client.post("/api/v1/surveys", headers=csm, json={"name": "2026年度客户满意度调查", "method": "online", "items": [
        {"code": "service", "label": "服务态度"}, {"code": "delivery", "label": "交货及时"},
        {"code": "quality", "label": "产品质量"}, {"code": "price", "label": "价格"}]})
    assert r.status_code == 201, r.get_json()
    survey = r.get_json()
    url = f"/api/v1/surveys/{survey['id']}"
    for scores in ({"service": 101}, {"taste": 90}, {}):
        r = client.post(f"{url}/responses", headers=csm, json={"scores": scores})
        assert r.status_code == 422 and "scores" in r.get_json()["errors"]["json"], (scores, r.get_json())
    assert _count(owner_engine, "survey_responses", world.handle.id) == 0
    second = client.post("/api/v1/customers", headers=h(world), json={"name": "乙客户", "phones": [{"number": "13900139000"}]})
    for customer, scores in ((world.customer, {"service": 92, "delivery": 78, "quality": 60, "price": 72}),
                             (second.get_json()["id"], {"service": 88, "delivery": 82, "quality": 72, "price": 68})):
        r = client.post(f"{url}/responses", headers=csm, json={"customer_id": customer, "scores": scores})
        assert r.status_code == 201, r.get_json()
    again = client.post(f"{url}/responses", headers=csm, json={"customer_id": world.customer, "scores": {"service": 1}})
    assert again.status_code == 409
    assert client.post(f"{url}/close", headers=h(world)).status_code == 403  # a salesperson does not close it
    r = client.post(f"{url}/close", headers=csm)
    assert r.status_code == 200, r.get_json()
    closed = r.get_json()
    assert (closed["status"], closed["mean"], closed["threshold"]) == ("closed", "76.50", "80.00")
    capa = closed["corrective_action"]
    assert [(i["code"], i["mean"]) for i in capa["items"]] == [("quality", "66.00"), ("price", "70.00")]
    assert capa["owner_id"] == world.cs_manager and capa["status"] == "open"
    assert client.get(f"/api/v1/decisions/{closed['decision_id']}", headers=world.handle.headers()).get_json()["rule_id"] == "CUS-64"
    assert client.post(f"{url}/close", headers=csm).status_code == 409
    assert client.post(f"{url}/responses", headers=csm, json={"scores": {"service": 90}}).status_code == 409
    assert [a["id"] for a in client.get("/api/v1/corrective-actions?status=open", headers=csm).get_json()] == [capa["id"]]
    assert len(client.get("/api/v1/notifications?kind=cus.corrective_action", headers=csm).get_json()) == 1
    close = f"/api/v1/corrective-actions/{capa['id']}/close"
    assert client.post(close, headers=csm, json={}).status_code == 422
    r = client.post(close, headers=csm, json={"note": "质量整改：增加出厂检验"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"


def test_a_round_at_or_above_the_threshold_opens_no_capa(client, world):
    csm = h(world, "csm")
    survey = client.post("/api/v1/surveys", headers=csm, json={"name": "电话回访", "method": "phone",
                                                                "items": [{"code": "service", "label": "服务"}]}).get_json()
    client.post(f"/api/v1/surveys/{survey['id']}/responses", headers=csm, json={"scores": {"service": 80}})
    closed = client.post(f"/api/v1/surveys/{survey['id']}/close", headers=csm).get_json()
    assert closed["mean"] == "80.00" and closed["corrective_action"] is None
