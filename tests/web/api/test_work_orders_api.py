"""Work orders end to end (SVC-01..03, SVC-07 and the moves of SVC-02 the core owns: hold, resume,
cancel), with the spec's vectors and real 2026 dates. Plugin types come from ``kehu_work_order_types`` and
vetoes from ``kehu_work_order_transition`` (the sample plugin)."""

import pytest

from core.service import orders
from core.db import db
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import REPAIR, ServiceDesk

PM_SLA = {"repair": {"urgent": {"arrive": "45 minutes"}, "general": {"complete": "24 hours"}}}


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "huaxin-svc")


def test_unknown_type_is_422(desk):
    """SVC-01 (1): a tenant without the utility plugin creating meter_install → 422 unknown type."""
    r = desk.order(expect=422, type="meter_install", data={"meter_no": "M000001"})
    assert r["errors"]["json"]["type"] == ["unknown work-order type 'meter_install'"]
    types = desk.client.get("/api/v1/work-orders/types", headers=desk.headers()).get_json()
    assert {"installation", "repair", "maintenance", "inspection", "training", "update", "remote_service",
            "on_site_service"} == {t["code"] for t in types}


def test_a_plugin_type_exists_only_for_its_tenants(client, make_tenant):
    utility = ServiceDesk(client, make_tenant, "water-co", plugins=("sample",))
    order = utility.order(type="meter_install", data={"meter_no": "M123456"}, customer_name=None)
    assert order["type"] == "meter_install" and order["data"] == {"meter_no": "M123456"}
    types = {t["code"]: t for t in client.get("/api/v1/work-orders/types", headers=utility.headers()).get_json()}
    assert types["meter_install"]["source"] == "plugin" and types["meter_install"]["completion_checks"] == ["safety_test"]
    bad = utility.order(expect=422, type="meter_install", data={"meter_no": "123"})
    assert "data.meter_no" in bad["errors"]["json"]
    missing = utility.order(expect=422, type="meter_install", data={}, address=None)
    assert set(missing["errors"]["json"]) == {"address", "data.meter_no"}


def test_required_intake_data(desk):
    """SVC-03 (1) repair without purchase_date → 422 naming it; (2) installation with an empty vehicle list."""
    r = desk.order(expect=422, data={"model": "GT-06"})
    assert r["errors"]["json"] == {"data.purchase_date": ["required for this type (SVC-03)"]}
    r = desk.order(expect=422, type="installation", data={"request_doc": "安装申请单 2026-031", "asset_list": []})
    assert r["errors"]["json"] == {"data.asset_list": ["must not be empty (SVC-03)"]}
    r = desk.order(expect=422, data={"model": "GT-06", "purchase_date": "2026-01-05", "colour": "red"})
    assert r["errors"]["json"] == {"data.colour": ["unknown field for type 'repair'"]}
    ok = desk.order(type="installation", data={"request_doc": "安装申请单 2026-031",
                                               "asset_list": [{"plate": "京A12345", "driver": "张师傅"}]})
    assert ok["status"] == "requested" and ok["number"].startswith("WO")


def test_tenant_setting_replaces_the_required_list(desk):
    policy_since(desk.handle.id, "svc", {"required_fields": {"repair": ["fault"]}}, "2026-01-01")
    order = desk.order(data={}, customer_name=None, address=None, contact_name=None, contact_phone=None)
    assert order["status"] == "requested"


def test_intake_phone_numbers_and_numbering(desk):
    first = desk.order(requested_at="2026-09-30T10:00:00+08:00")
    second = desk.order(requested_at="2026-09-30T11:00:00+08:00")
    assert first["contact_phone"] == "+8613800138000"
    assert (first["number"], second["number"]) == ("WO26090001", "WO26090002")
    assert desk.order(requested_at="2026-10-08T09:00:00+08:00")["number"] == "WO26100001"
    bad = desk.order(expect=422, contact_phone="12345")
    assert "contact_phone" in bad["errors"]["json"]
    decision = desk.decisions(first, "SVC-03")[0]
    assert decision.outcome["number"] == "WO26090001"


def test_pm_urgent_repair_arrival_and_general_completion(desk):
    """SVC-07 (1) urgent repair reported Fri 2026-06-19 21:10 → on site due 21:55; (2) general repair →
    completion due 2026-06-20 21:10 (clock time: the weekend counts)."""
    policy_since(desk.handle.id, "svc", {"sla": PM_SLA}, "2026-01-01")
    urgent = desk.order(priority="urgent", requested_at="2026-06-19T21:10:00+08:00")
    general = desk.order(priority="general", requested_at="2026-06-19T21:10:00+08:00")
    assert [(m["code"], m["due_at"], m["rule_id"]) for m in urgent["milestones"]] == [
        ("arrive", "2026-06-19T13:55:00+00:00", "SVC-07")]
    assert [(m["code"], m["due_at"]) for m in general["milestones"]] == [("complete", "2026-06-20T13:10:00+00:00")]
    assert urgent["milestones"][0]["computed_from"]["sla_policy"] == "repair/urgent"
    bad = desk.order(expect=422, priority="critical")
    assert "priority" in bad["errors"]["json"]


def test_breach_warns_and_escalates_through_the_complaint_sweep(desk):
    """SVC-07: the same engine and sweep as complaints: warning at 80%, breach decision, escalation."""
    policy_since(desk.handle.id, "svc", {"sla": PM_SLA}, "2026-01-01")
    order = desk.order(priority="urgent", requested_at="2026-06-19T21:10:00+08:00")
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id, wo.status = desk.id("wu"), "dispatched"
        db.session.commit()
    first, again = desk.twice("cmp.sla_timers", "2026-06-19T21:47:00+08:00")
    assert first["warned"] == 1 and again["warned"] == 0
    warning = desk.notified("svc.deadline_warning")
    assert {n.user_id for n in warning} == {desk.id("wu"), desk.id("li")}  # Wu and his supervisor
    first, again = desk.twice("cmp.sla_timers", "2026-06-19T21:56:00+08:00")
    assert first["breached"] == 1 and again["breached"] == 0
    breach = [d for d in desk.decisions(order, "SVC-07") if "breach" in d.outcome]
    assert len(breach) == 1 and breach[0].outcome["assignee_id"] == desk.id("wu")
    assert "应于2026-06-19 21:55前完成" in breach[0].reason_zh
    history = [e["kind"] for e in desk.get(order)["events"]]
    assert "deadline_breached" in history and "escalated" in history
    assert desk.notified("svc.escalation")[0].user_id == desk.id("li")  # level 1: supervisor


def test_hold_moves_the_due_time_and_cancel_stops_the_clock(desk):
    policy_since(desk.handle.id, "svc", {"sla": {"repair": {"*": {"complete": "24 hours"}}}}, "2026-01-01")
    order = desk.order(requested_at="2026-06-19T09:00:00+08:00")
    r = desk.post(order, "hold", reason="awaiting_parts", at="2026-06-19T10:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "on_hold" and r.get_json()["held_from"] == "requested"
    assert r.get_json()["next_states"] == ["requested", "cancelled"]
    assert desk.post(order, "hold", reason="awaiting_parts").status_code == 409
    r = desk.post(order, "resume", at="2026-06-19T13:00:00+08:00")
    body = r.get_json()
    assert body["status"] == "requested" and body["hold_reason"] is None
    assert body["milestones"][0]["due_at"] == "2026-06-20T04:00:00+00:00"  # 24 h + the 3 h held
    assert desk.post(order, "hold", reason="lunch").status_code == 422
    assert desk.post(order, "cancel", reason="").status_code == 422
    r = desk.post(order, "cancel", reason="客户已自行修好")
    assert r.get_json()["status"] == "cancelled" and r.get_json()["milestones"][0]["state"] == "cancelled"
    again = desk.post(order, "cancel", reason="again")
    assert again.status_code == 409 and again.get_json()["rule_id"] == "SVC-02"


def test_roles(desk):
    assert desk.client.post("/api/v1/work-orders", headers=desk.headers("fu"), json=REPAIR).status_code == 403
    order = desk.order(who="wu")
    assert desk.post(order, "cancel", who="wu", reason="x").status_code == 403


def test_a_plugin_veto_keeps_the_order_and_is_recorded(client, make_tenant):
    """SVC-02 (2): a plugin's veto of a move → 409 with its reason, kept as a decision."""
    utility = ServiceDesk(client, make_tenant, "water-co2", plugins=("sample",))
    order = utility.order(type="meter_install", data={"meter_no": "M123456"})
    with tenant_scope(utility.handle.id):
        wo = orders.get_order(order["id"])
        for state in ("dispatched", "on_site"):
            orders.move(wo, state, by=None)
        db.session.commit()
        with pytest.raises(orders.Vetoed) as vetoed:
            orders.move(wo, "completed", by=None, data={})
        assert vetoed.value.extra["reasons_zh"] == ["装表完工须上传铅封照片"]
        db.session.rollback()
        orders.record_vetoes(vetoed.value, by=None)
        db.session.commit()
    decision = utility.decisions(order, "SVC-02")[0]
    assert decision.outcome == {"vetoed": "completed", "stays": "on_site"}
    assert utility.get(order)["events"][-1]["kind"] == "vetoed"


def test_a_repair_request_taken_as_a_case_opens_a_work_order(desk):
    """CMP-01: help and repair requests open a work order; the case and the order name each other."""
    case = desk.client.post("/api/v1/complaints", headers=desk.headers("ma"), json={
        "channel": "phone", "content": "车载终端不定位，请派人维修", "complainant_name": "刘师傅",
        "complainant_phone": "13900139000"}).get_json()
    r = desk.client.post(f"/api/v1/work-orders/from-complaint/{case['id']}", headers=desk.headers("ma"), json={
        "address": "北京市丰台区南四环西路188号", "data": {"model": "GT-06", "purchase_date": "2025-11-20"}})
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert (order["complaint_id"], order["channel"], order["type"]) == (case["id"], "complaint", "repair")
    assert (order["contact_name"], order["contact_phone"], order["customer_name"]) == (
        "刘师傅", "+8613900139000", "刘师傅")
    assert order["description"] == "车载终端不定位，请派人维修"
    history = desk.client.get(f"/api/v1/complaints/{case['id']}", headers=desk.headers()).get_json()["events"]
    assert any(e["kind"] == "work_order_opened" and e["data"]["work_order_id"] == order["id"] for e in history)
    missing = desk.client.post(f"/api/v1/work-orders/from-complaint/{case['id']}", headers=desk.headers("ma"),
                               json={"data": {"model": "GT-06"}})
    assert missing.status_code == 422 and set(missing.get_json()["errors"]["json"]) == {"address", "data.purchase_date"}
    assert desk.client.post("/api/v1/work-orders/from-complaint/999999", headers=desk.headers("ma"),
                            json={}).status_code == 404
