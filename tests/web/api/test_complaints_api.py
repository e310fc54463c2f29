"""Complaint intake through the API (CMP-01..05, CMP-20/21, CMP-30/31, CMP-34): the spec's vectors with
real dates across the National Day holiday and its make-up workday."""
import pytest

from core.db import db
from core.decisions import service as decisions
from core.tenancy import tenant_scope


@pytest.fixture
def desk(make_tenant):
    a = make_tenant("cmp-desk", "客服中心")
    agent, token = make_tenant.user(a, "ma", roles=["cs_agent"])
    tang, tang_token = make_tenant.user(a, "tang", roles=["salesperson"])
    return a, {"ma": (agent, token), "tang": (tang, tang_token)}


def post(client, a, token, **body):
    return client.post("/api/v1/complaints", headers=a.headers(token), json={"channel": "phone", "content": "投诉内容",
                                                                             **body})


def by_code(case):
    return {m["code"]: m for m in case["milestones"]}


def test_cmp31_default_deadlines_across_national_day(client, desk):
    a, users = desk
    r = post(client, a, users["ma"][1], received_at="2026-09-30T10:00:00+08:00")
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    m = by_code(case)
    assert m["reply"]["due_at"] == "2026-10-01T02:00:00+00:00"  # 10-01 10:00 Shanghai, 24 h elapsed
    assert m["solution"]["due_at"] == "2026-10-08T16:00:00+00:00"  # through 10-08 (1 working day)
    assert m["resolve"]["due_at"] == "2026-10-10T16:00:00+00:00"  # through Sat 10-10 (make-up workday)
    assert all(x["rule_id"] == "CMP-31" and x["policy_version"] == 0 and x["state"] == "open" for x in m.values())
    assert m["resolve"]["computed_from"]["unit"] == "working_days" and m["resolve"]["paused"] is False
    # CMP-34: hour-based at 80% of the allowance, day-based at the opening of business hours of the due day
    assert m["reply"]["warn_at"] == "2026-09-30T21:12:00+00:00"  # 10-01 05:12 Shanghai
    assert m["resolve"]["warn_at"] == "2026-10-10T01:00:00+00:00"  # Sat 10-10 09:00, a working day
    special = post(client, a, users["ma"][1], received_at="2026-09-30T10:00:00+08:00", special=True,
                   special_reason="需厂家鉴定").get_json()
    assert by_code(special)["resolve"]["due_at"] == "2026-10-15T16:00:00+00:00"  # through 10-15


def test_cmp31_friday_before_spring_festival_make_up_day(client, desk):
    a, users = desk
    case = post(client, a, users["ma"][1], received_at="2026-02-13T17:00:00+08:00").get_json()
    m = by_code(case)
    assert m["solution"]["due_at"] == "2026-02-14T16:00:00+00:00"  # through Sat 02-14 (make-up day)
    assert m["resolve"]["due_at"] == "2026-02-25T16:00:00+00:00"  # through 02-25


def test_cmp34_warning_of_a_24_hour_reply(client, desk):
    a, users = desk
    case = post(client, a, users["ma"][1], received_at="2026-10-01T09:00:00+08:00").get_json()
    assert by_code(case)["reply"]["warn_at"] == "2026-10-01T20:12:00+00:00"  # 10-02 04:12 Shanghai


def test_cmp01_inquiry_reply_within_24_hours_and_praise_without_deadline(client, desk):
    a, users = desk
    inquiry = post(client, a, users["ma"][1], case_type="inquiry", received_at="2026-09-18T16:00:00+08:00").get_json()
    assert [(m["code"], m["due_at"], m["rule_id"]) for m in inquiry["milestones"]] == [
        ("reply", "2026-09-19T08:00:00+00:00", "CMP-01")]
    praise = post(client, a, users["ma"][1], case_type="praise").get_json()
    assert praise["milestones"] == [] and praise["case_type"] == "praise"


def test_cmp02_channels_and_cmp04_categories_are_the_tenants(client, desk):
    a, users = desk
    assert post(client, a, users["ma"][1], channel="to_gm").status_code == 201
    r = post(client, a, users["ma"][1], channel="fax")
    assert r.status_code == 422 and "channel" in r.get_json()["errors"]["json"]
    r = post(client, a, users["ma"][1], category="repair_quality")
    assert r.status_code == 422 and "category" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/policies/cmp/versions", headers=a.headers(), json={"body": {"channels": {"extra": ["fax"]}}})
    assert r.status_code in (200, 201), r.get_json()
    assert post(client, a, users["ma"][1], channel="fax").status_code == 201
    codes = [c["code"] for c in client.get("/api/v1/complaints/categories", headers=a.headers()).get_json()]
    assert codes[:5] == ["service_not_delivered", "staff_conduct", "staff_attitude", "interdepartment_dispute", "other"]


def test_bad_intake_names_each_field_and_writes_nothing(client, desk):
    a, users = desk
    r = post(client, a, users["ma"][1], content="", complainant_phone="12345", customer_id=999999,
             special=True, received_at="2099-01-01T00:00:00+08:00")
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert {"content", "complainant_phone", "customer_id", "special_reason", "received_at"} <= set(errors)
    assert client.get("/api/v1/complaints", headers=a.headers()).get_json() == []


def test_cmp20_first_taker_owns_and_cmp21_the_accused_never_does(client, desk):
    a, users = desk
    ma, ma_token = users["ma"]
    tang, tang_token = users["tang"]
    case = post(client, a, ma_token).get_json()
    assert case["owner_id"] == ma and case["received_by"] == ma
    about_tang = post(client, a, tang_token, accused_user_id=tang, category="staff_attitude").get_json()
    assert about_tang["owner_id"] is None and about_tang["accused_user_id"] == tang
    with tenant_scope(a.id):
        rules = [d.rule_id for d in db.session.scalars(decisions.query("complaint", about_tang["id"]))]
        assert "CMP-21" in rules and "CMP-20" not in rules
    kinds = [e["kind"] for e in client.get(f"/api/v1/complaints/{case['id']}", headers=a.headers()).get_json()["events"]]
    assert kinds == ["received", "routed", "owned"]


def test_kehu_complaint_categories_route_only_for_tenants_with_the_plugin(client, make_tenant):
    """A plugin's category (CMP-04) exists for its tenants only, routed to its department unless the
    tenant's cmp.routing names another."""
    with_plugin = make_tenant("cmp-plug", "计量公司", plugins=["sample"])
    without = make_tenant("cmp-noplug", "普通公司")
    meter = client.post("/api/v1/departments", headers=with_plugin.headers(), json={"name": "计量班"}).get_json()
    body = {"channel": "phone", "content": "电表走字快", "category": "meter_fault", "extra": {"meter_no": "M000001"}}
    case = client.post("/api/v1/complaints", headers=with_plugin.headers(), json=body)
    assert case.status_code == 201, case.get_json()
    assert case.get_json()["handler_department_id"] == meter["id"]
    assert client.post("/api/v1/complaints", headers=without.headers(), json=body).status_code == 422
    cats = {c["code"]: c for c in client.get("/api/v1/complaints/categories", headers=with_plugin.headers()).get_json()}
    assert cats["meter_fault"]["source"] == "plugin" and cats["meter_fault"]["department"] == "计量班"
    other = client.post("/api/v1/departments", headers=with_plugin.headers(), json={"name": "客服部"}).get_json()
    r = client.post("/api/v1/policies/cmp/versions", headers=with_plugin.headers(),
                    json={"body": {"routing": {"meter_fault": "客服部"}}})
    assert r.status_code == 201, r.get_json()
    rerouted = client.post("/api/v1/complaints", headers=with_plugin.headers(), json=body).get_json()
    assert rerouted["handler_department_id"] == other["id"]
