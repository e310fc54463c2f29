"""Approval, dispatch, before and on site, delay notices end to end (SVC-04, SVC-05, SVC-06, SVC-08),
with the spec's vectors and real 2026 dates (Sun 2026-09-20 is a make-up workday of National Day)."""
import threading

import pytest
from sqlalchemy import select

from core.db import db
from core.service.dispatch_models import WorkOrderDispatch
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

PRE03_APPROVAL = {"installation": "dept_manager", "repair": "dept_manager"}
GPS = {"skill": "gps", "area": "朝阳区"}


@pytest.fixture
def desk(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "huaxin-dispatch")
    technician(desk, "wu", skills=["gps", "meter"], areas=["朝阳区"])
    technician(desk, "zheng", skills=["gps"], areas=["海淀区"])
    return desk


def technician(desk, name, who="zhao", expect=(200, 201), **body):
    r = desk.client.put(f"/api/v1/service-technicians/{desk.id(name)}", headers=desk.headers(who), json=body)
    assert r.status_code in ((expect,) if isinstance(expect, int) else expect), r.get_json()
    return r.get_json()


def dispatch(desk, order, who="ma", **body):
    return desk.post(order, "dispatch", who, **body)


def ok(r, status=200):
    assert r.status_code == status, r.get_json()
    return r.get_json()


def svc(desk, body):
    policy_since(desk.handle.id, "svc", body, "2026-01-01")


# ------------------------------------------------------------------------------------------ SVC-04


def test_svc04_dispatch_before_approval_is_409_then_approve_and_dispatch(desk):
    """SVC-04 (1) dispatch before approval → 409; (2) approve then dispatch → 200, decision SVC-04 lists
    the approver (PRE-03: the division manager approves installation and repair orders)."""
    svc(desk, {"approval": PRE03_APPROVAL})
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00", **GPS)
    assert order["approval_roles"] == ["dept_manager"]
    early = dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:10:00+08:00")
    assert early.status_code == 409 and early.get_json()["rule_id"] == "SVC-04"
    assert desk.post(order, "approve", "li").status_code == 403  # a supervisor is not the approver
    approved = ok(desk.post(order, "approve", "zhao", at="2026-09-18T09:30:00+08:00", note="同意"))
    assert approved["status"] == "approved" and approved["approved_by"] == desk.id("zhao")
    assert [e["kind"] for e in approved["events"]][-2:] == ["approval_requested", "approved"]
    decision = desk.decisions(order, "SVC-04")[0]
    assert decision.outcome["approved_by"] == desk.id("zhao") and decision.outcome["role"] == "dept_manager"
    assert "zhao（dept_manager）审批同意" in decision.reason_zh
    body = ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T10:00:00+08:00"))
    assert body["status"] == "dispatched" and body["assignee_id"] == desk.id("wu")
    assert body["dispatched_by"] == desk.id("ma") and body["dispatched_at"] == "2026-09-18T02:00:00+00:00"
    assert desk.decisions(order, "SVC-05")[0].outcome["assignee_id"] == desk.id("wu")
    assert [n.user_id for n in desk.notified("svc.dispatched")] == [desk.id("wu")]
    again = desk.post(order, "approve", "zhao")
    assert again.status_code == 409 and again.get_json()["rule_id"] == "SVC-04"


def test_svc04_an_order_without_approval_needs_none(desk):
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    r = desk.post(order, "approve", "zhao")
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-04"
    assert desk.post(order, "submit-approval", "ma").status_code == 409


def test_svc04_submit_tells_the_approver_and_a_refusal_cancels(desk):
    svc(desk, {"approval": PRE03_APPROVAL})
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    body = ok(desk.post(order, "submit-approval", "ma", at="2026-09-18T09:05:00+08:00"))
    assert body["status"] == "approval_pending"
    assert [n.user_id for n in desk.notified("svc.approval_requested")] == [desk.id("zhao")]
    assert desk.post(order, "reject-approval", "zhao", reason="").status_code == 422
    assert desk.post(order, "reject-approval", "wu", reason="不同意").status_code == 403
    body = ok(desk.post(order, "reject-approval", "zhao", reason="客户欠费，暂不安排", at="2026-09-18T09:20:00+08:00"))
    assert body["status"] == "cancelled" and body["cancel_reason"] == "客户欠费，暂不安排"
    decision = desk.decisions(order, "SVC-04")[0]
    assert decision.outcome["approved"] is False and decision.outcome["rejected_by"] == desk.id("zhao")
    assert [n.user_id for n in desk.notified("svc.approval_rejected")] == [desk.id("ma")]


# ------------------------------------------------------------------------------------------ SVC-05


def test_svc05_candidates_and_eligibility(desk):
    """An order needing skill gps in 朝阳区: Wu is eligible, Zheng serves 海淀区; off duty is not eligible
    (CAL-11 availability); an ineligible technician only with a supervisor's override."""
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00", **GPS)
    listed = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/candidates", headers=desk.headers("ma")))
    assert [c["user_id"] for c in listed] == [desk.id("wu")]
    everyone = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/candidates?all=true", headers=desk.headers("ma")))
    assert [(c["user_id"], c["eligible"], c["reasons"]) for c in everyone] == [
        (desk.id("wu"), True, []), (desk.id("zheng"), False, ["area"])]
    assert everyone[1]["reason_zh"] == "不负责该区域"
    r = desk.client.patch(f"/api/v1/users/{desk.id('wu')}", headers=desk.headers(), json={"availability": "leave"})
    assert r.status_code == 200, r.get_json()
    assert ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/candidates", headers=desk.headers("ma"))) == []
    refused = dispatch(desk, order, assignee_id=desk.id("wu"))
    assert refused.status_code == 422 and refused.get_json()["rule_id"] == "SVC-05"
    assert "not on duty (leave)" in refused.get_json()["errors"]["json"]["assignee_id"][0]
    not_tech = dispatch(desk, order, assignee_id=desk.id("ma"))
    assert not_tech.status_code == 422 and "not a service technician" in not_tech.get_json()["errors"]["json"]["assignee_id"][0]
    assert dispatch(desk, order, assignee_id=desk.id("zheng"), override_reason="朝阳区无人").status_code == 403
    assert dispatch(desk, order).status_code == 422  # nobody named
    body = ok(dispatch(desk, order, "li", assignee_id=desk.id("zheng"), override_reason="朝阳区技术员休假",
                       at="2026-09-18T09:30:00+08:00"))
    assert body["assignee_id"] == desk.id("zheng")
    decision = desk.decisions(order, "SVC-05")[0]
    assert decision.outcome["override"] is True and decision.facts["ineligible"] == ["area"]
    assert "主管特批：朝阳区技术员休假" in decision.reason_zh


def test_svc05_partner_dispatch_without_approval_is_409(desk):
    """SVC-05 (2): an outside partner needs the department manager's approval
    (svc.dispatch.partner_approval = dept_manager)."""
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    r = dispatch(desk, order, partner_name="顺达安装服务公司", at="2026-09-18T10:00:00+08:00")
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-05"
    assert r.get_json()["approval_needed"] == "partner"
    r = dispatch(desk, order, partner_name="顺达安装服务公司", approval={"by": desk.id("li")})
    assert r.status_code == 422 and "approval.by" in r.get_json()["errors"]["json"]
    body = ok(dispatch(desk, order, partner_name="顺达安装服务公司", at="2026-09-18T10:00:00+08:00",
                       approval={"by": desk.id("zhao"), "at": "2026-09-18T09:50:00+08:00"}))
    assert body["status"] == "dispatched" and body["partner_name"] == "顺达安装服务公司" and body["assignee_id"] is None
    decision = desk.decisions(order, "SVC-05")[0]
    assert decision.outcome["approval_needed"] == "partner" and decision.outcome["approval_by"] == desk.id("zhao")
    assert [n.user_id for n in desk.notified("svc.dispatch_approval_recorded")] == [desk.id("zhao")]
    history = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/dispatches", headers=desk.headers("ma")))
    assert [(d["partner_name"], d["approval_by"], d["approval_at"]) for d in history] == [
        ("顺达安装服务公司", desk.id("zhao"), "2026-09-18T01:50:00+00:00")]


def test_svc05_other_department_in_an_emergency_then_verbal_approval_recorded(desk, make_tenant):
    """Staff of another department need the approval too; in an emergency the dispatch goes first and
    the verbal approval is recorded afterwards with its time."""
    h = desk.handle.headers()
    engineering = desk.client.post("/api/v1/departments", headers=h, json={"name": "工程部"}).get_json()["id"]
    qian, _token = make_tenant.user(desk.handle, "qian", roles=["technician"])
    assert desk.client.patch(f"/api/v1/users/{qian}", headers=h, json={"department_id": engineering}).status_code == 200
    assert desk.client.put(f"/api/v1/service-technicians/{qian}", headers=desk.headers("zhao"),
                           json={"skills": ["*"], "areas": ["*"]}).status_code == 201
    order = desk.order(requested_at="2026-09-18T21:00:00+08:00", department_id=desk.department_id)
    r = dispatch(desk, order, assignee_id=qian, at="2026-09-18T21:30:00+08:00")
    assert r.status_code == 409 and r.get_json()["approval_needed"] == "other_department"
    ok(dispatch(desk, order, assignee_id=qian, emergency=True, at="2026-09-18T21:30:00+08:00"))
    assert [n.user_id for n in desk.notified("svc.dispatch_approval_due")] == [desk.id("zhao")]
    assert desk.post(order, "dispatch-approval", "ma", by=desk.id("zhao")).status_code == 422  # when?
    assert desk.post(order, "dispatch-approval", "wu", by=desk.id("zhao"), at="2026-09-18T21:25:00+08:00").status_code == 403
    record = ok(desk.post(order, "dispatch-approval", "ma", by=desk.id("zhao"), at="2026-09-18T21:25:00+08:00",
                          verbal=True, note="电话同意"))
    assert record["approval_by"] == desk.id("zhao") and record["approval_verbal"] is True and record["emergency"] is True
    assert record["approval_at"] == "2026-09-18T13:25:00+00:00" and record["approval_recorded_by"] == desk.id("ma")
    decision = desk.decisions(order, "SVC-05")[-1]
    assert "补记" in decision.reason_zh and "2026-09-18 21:25口头批准" in decision.reason_zh
    assert desk.post(order, "dispatch-approval", "ma", by=desk.id("zhao"), at="2026-09-18T21:25:00+08:00").status_code == 409


def test_svc05_no_second_dispatch_and_reassignment_by_a_supervisor(desk):
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00", **GPS)
    ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:30:00+08:00"))
    again = dispatch(desk, order, assignee_id=desk.id("zheng"))
    assert again.status_code == 409 and again.get_json()["rule_id"] == "SVC-05"
    assert desk.post(order, "reassign", "ma", assignee_id=desk.id("zheng"), reason="x").status_code == 403
    assert desk.post(order, "reassign", "li", assignee_id=desk.id("zheng"), override_reason="x").status_code == 422
    same = desk.post(order, "reassign", "li", assignee_id=desk.id("wu"), reason="再派")
    assert same.status_code == 409
    body = ok(desk.post(order, "reassign", "li", assignee_id=desk.id("zheng"), reason="吴师傅车坏了",
                        override_reason="临时支援", at="2026-09-18T10:00:00+08:00"))
    assert body["assignee_id"] == desk.id("zheng") and body["status"] == "dispatched"
    assert body["events"][-1]["kind"] == "reassigned"
    history = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/dispatches", headers=desk.headers("ma")))
    assert [(d["assignee_id"], d["kind"], d["end_reason"]) for d in history] == [
        (desk.id("wu"), "dispatch", "reassigned"), (desk.id("zheng"), "reassign", None)]
    assert [n.user_id for n in desk.notified("svc.reassigned")] == [desk.id("wu")]


@pytest.mark.postgres_only
def test_svc05_two_concurrent_dispatches_one_200_one_409(app, desk):
    """SVC-05 (1): two dispatchers assign the same order at the same moment → one 200, one 409; one
    dispatch in force, one SVC-05 decision."""
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00", skill="gps")
    start, codes = threading.Barrier(2), []

    def assign(who, tech):
        with app.app_context():
            start.wait(10)
            r = app.test_client().post(f"/api/v1/work-orders/{order['id']}/dispatch", headers=desk.headers(who),
                                       json={"assignee_id": desk.id(tech), "at": "2026-09-18T09:30:00+08:00"})
            codes.append(r.status_code)

    threads = [threading.Thread(target=assign, args=args) for args in (("ma", "wu"), ("li", "zheng"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [200, 409]
    assert len(desk.decisions(order, "SVC-05")) == 1
    with tenant_scope(desk.handle.id):
        rows = list(db.session.scalars(select(WorkOrderDispatch).where(WorkOrderDispatch.order_id == order["id"])))
        assert len(rows) == 1 and rows[0].ended_at is None
    assert [e["kind"] for e in desk.get(order)["events"]].count("dispatched") == 1


def test_technician_pool(desk):
    assert desk.client.put(f"/api/v1/service-technicians/{desk.id('li')}", headers=desk.headers("ma"),
                           json={"skills": ["gps"]}).status_code == 403
    created = technician(desk, "li", expect=201, skills=["gps", " gps", "电工"], areas=["*"], note="兼职")
    assert created["skills"] == ["gps", "电工"] and created["availability"] == "on_duty"
    updated = technician(desk, "li", expect=200, active=False)
    assert updated["active"] is False and updated["skills"] == ["gps", "电工"]
    pool = ok(desk.client.get("/api/v1/service-technicians?skill=GPS&area=海淀区", headers=desk.headers("ma")))
    assert [t["user_id"] for t in pool] == [desk.id("zheng"), desk.id("li")]
    assert ok(desk.client.get("/api/v1/service-technicians?active=false", headers=desk.headers()))[0]["user_id"] == desk.id("li")
    assert desk.client.delete(f"/api/v1/service-technicians/{desk.id('li')}", headers=desk.headers("chen")).status_code == 204
    assert desk.client.get(f"/api/v1/service-technicians/{desk.id('li')}", headers=desk.headers()).status_code == 404
    assert desk.client.put("/api/v1/service-technicians/999999", headers=desk.headers("zhao"), json={}).status_code == 404
    assert technician(desk, "wu", expect=422, skills=[""])


# ------------------------------------------------------------------------------------------ SVC-06


def test_svc02_requested_to_on_site_through_arrive_is_409(desk):
    """SVC-02 (1): requested → on_site directly → 409."""
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    r = desk.post(order, "arrive", "wu", at="2026-09-18T10:00:00+08:00")
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-02"
    assert "dispatched" in r.get_json()["allowed"]


def test_svc06_arrival_without_the_checklist_when_required_is_409(desk):
    """SVC-06 (1): dispatched → on_site without the checklist when the tenant requires it → 409."""
    svc(desk, {"checklist": {"required": ["repair"]}, "sla": {"repair": {"*": {"arrive": "4 hours"}}}})
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:30:00+08:00"))
    state = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/checklist", headers=desk.headers("wu")))
    assert state == {"required": True, "items": ["job_details", "tools", "parts", "documents"], "latest": None}
    r = desk.post(order, "arrive", "wu", at="2026-09-18T10:30:00+08:00")
    assert r.status_code == 409 and r.get_json()["rule_id"] == "SVC-06"
    assert r.get_json()["missing"] == ["job_details", "tools", "parts", "documents"]
    assert desk.post(order, "checklist", "zheng", items={"tools": True}).status_code == 403
    bad = desk.post(order, "checklist", "wu", items={"ladder": True})
    assert bad.status_code == 422 and "items.ladder" in bad.get_json()["errors"]["json"]
    partial = ok(desk.post(order, "checklist", "wu", items={"job_details": True, "tools": False, "parts": True,
                                                              "documents": True}, at="2026-09-18T09:40:00+08:00"), 201)
    assert partial["complete"] is False and partial["missing"] == ["tools"]
    r = desk.post(order, "arrive", "wu", at="2026-09-18T10:30:00+08:00")
    assert r.status_code == 409 and r.get_json()["missing"] == ["tools"]
    ok(desk.post(order, "checklist", "wu", items={"job_details": True, "tools": True, "parts": True,
                                                  "documents": True}, at="2026-09-18T09:45:00+08:00"), 201)
    body = ok(desk.post(order, "arrive", "wu", at="2026-09-18T10:30:00+08:00"))
    assert body["status"] == "on_site" and body["on_site_at"] == "2026-09-18T02:30:00+00:00"
    assert body["milestones"][0]["state"] == "met"
    assert body["events"][-1]["kind"] == "arrived" and body["events"][-1]["data"]["checklist_id"] is not None


def test_svc06_no_checklist_needed_by_default_and_only_the_assignee_arrives(desk):
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:30:00+08:00"))
    assert desk.post(order, "arrive", "zheng").status_code == 403
    assert desk.post(order, "arrive", "wu", at="2026-09-18T09:00:00+08:00").status_code == 422  # before dispatch
    assert ok(desk.post(order, "arrive", "wu", at="2026-09-18T10:30:00+08:00"))["status"] == "on_site"


def test_svc06_work_log(desk):
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:30:00+08:00"))
    assert desk.post(order, "work-log", "wu", started_at="2026-09-18T10:40:00+08:00",
                     ended_at="2026-09-18T11:00:00+08:00", work_done="检查").status_code == 409  # not on site yet
    ok(desk.post(order, "arrive", "wu", at="2026-09-18T10:30:00+08:00"))
    first = ok(desk.post(order, "work-log", "wu", started_at="2026-09-18T10:40:00+08:00",
                         ended_at="2026-09-18T11:20:00+08:00", work_done="更换主板",
                         parts_used=[{"name": "主板 GT-06", "qty": "1"}, {"name": "线束", "qty": "2.5", "unit": "m"}]), 201)
    assert first["parts_used"] == [{"name": "主板 GT-06", "qty": "1.000"}, {"name": "线束", "qty": "2.500", "unit": "m"}]
    ok(desk.post(order, "work-log", "wu", started_at="2026-09-18T11:30:00+08:00",
                 ended_at="2026-09-18T11:50:00+08:00", work_done="测试定位上报"), 201)
    bad = desk.post(order, "work-log", "wu", started_at="2026-09-18T10:00:00+08:00",
                    ended_at="2026-09-18T09:50:00+08:00", work_done="x")
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["json"]) == {"started_at", "ended_at"}
    assert desk.post(order, "work-log", "wu", started_at="2026-09-18T11:00:00+08:00",
                     ended_at="2026-09-18T11:10:00+08:00", work_done="x",
                     parts_used=[{"name": "螺丝", "qty": 0}]).status_code == 422
    assert desk.post(order, "work-log", "zheng", started_at="2026-09-18T11:00:00+08:00",
                     ended_at="2026-09-18T11:10:00+08:00", work_done="x").status_code == 403
    logs = ok(desk.client.get(f"/api/v1/work-orders/{order['id']}/work-log", headers=desk.headers("ma")))
    assert [log["work_done"] for log in logs] == ["更换主板", "测试定位上报"]


# ------------------------------------------------------------------------------------------ SVC-08

THREE_DAYS = {"sla": {"repair": {"*": {"complete": "3 working_days"}}}}


def _dispatched_order(desk):
    """A repair requested Fri 2026-09-18 10:00 with 3 working days: due through Tue 2026-09-22 (Sun 09-20
    is worked), dispatched to Wu."""
    order = desk.order(requested_at="2026-09-18T10:00:00+08:00")
    assert order["milestones"][0]["due_at"] == "2026-09-22T16:00:00+00:00"
    ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T10:30:00+08:00"))
    return order


def _staff_entries(desk, order):
    with tenant_scope(desk.handle.id):
        return list(db.session.scalars(select(StaffEntry).where(StaffEntry.subject_type == "work_order",
                                                               StaffEntry.subject_id == order["id"])))


def test_svc08_notice_before_the_deadline_and_the_supervisor_sets_a_new_due(desk):
    """SVC-08 (1): due through 2026-09-22; notice filed 09-22 20:00 → the supervisor sets a new due; no
    notice and breach → decision SVC-08 with the assignee (and an STF penalty proposal)."""
    svc(desk, THREE_DAYS)
    noticed, silent = _dispatched_order(desk), _dispatched_order(desk)
    assert desk.post(noticed, "delay-notice", "zheng", reason="x", proposed_due="2026-09-24T18:00:00+08:00",
                     at="2026-09-22T20:00:00+08:00").status_code == 403
    r = desk.post(noticed, "delay-notice", "wu", reason="等待厂家配件", proposed_due="2026-09-22T23:00:00+08:00",
                  at="2026-09-22T20:00:00+08:00")
    assert r.status_code == 422 and "proposed_due" in r.get_json()["errors"]["json"]
    notice = ok(desk.post(noticed, "delay-notice", "wu", reason="等待厂家配件", proposed_due="2026-09-24T18:00:00+08:00",
                          at="2026-09-22T20:00:00+08:00"), 201)
    assert notice["state"] == "pending" and notice["milestone"] == "complete"
    assert notice["due_at"] == "2026-09-22T16:00:00+00:00"
    assert [n.user_id for n in desk.notified("svc.delay_notice")] == [desk.id("li")]
    url = f"delay-notice/{notice['id']}/decide"
    assert desk.post(noticed, url, "wu", new_due_at="2026-09-24T18:00:00+08:00").status_code == 403
    assert desk.post(noticed, url, "li").status_code == 422  # neither a new time nor a refusal
    decided = ok(desk.post(noticed, url, "li", new_due_at="2026-09-24T18:00:00+08:00", note="同意",
                           at="2026-09-22T21:00:00+08:00"))
    assert decided["state"] == "granted" and decided["new_due_at"] == "2026-09-24T10:00:00+00:00"
    assert desk.get(noticed)["milestones"][0]["due_at"] == "2026-09-24T10:00:00+00:00"
    decision = desk.decisions(noticed, "SVC-08")[0]
    assert decision.outcome["granted"] is True and "由2026-09-23 00:00改为2026-09-24 18:00" in decision.reason_zh
    assert desk.post(noticed, url, "li", refuse=True).status_code == 409  # decided once

    first, again = desk.twice("cmp.sla_timers", "2026-09-23T00:01:00+08:00")
    assert first["breached"] == 1 and again["breached"] == 0  # only the silent order
    assert [d.id for d in desk.decisions(noticed, "SVC-08")] == [decision.id]
    attributed = desk.decisions(silent, "SVC-08")
    assert len(attributed) == 1 and attributed[0].outcome["attributed"] is True
    assert attributed[0].outcome["assignee_id"] == desk.id("wu") and "经办人wu" in attributed[0].reason_zh
    entries = _staff_entries(desk, silent)
    assert [(e.user_id, e.offence, e.rule_id, e.amount) for e in entries] == [
        (desk.id("wu"), "svc_breach_without_notice", "SVC-08", 0)]
    assert attributed[0].outcome["penalty"]["entry_id"] == entries[0].id
    assert {n.user_id for n in desk.notified("svc.breach_attributed")} == {desk.id("wu"), desk.id("li")}
    assert _staff_entries(desk, noticed) == []
    late = desk.post(silent, "delay-notice", "wu", reason="来不及", proposed_due="2026-09-24T18:00:00+08:00",
                     at="2026-09-23T08:00:00+08:00")
    assert late.status_code == 409 and late.get_json()["rule_id"] == "SVC-08"


def test_svc08_a_pending_or_late_decided_notice(desk):
    """A notice filed in time and still pending at the breach: not attributed; the supervisor deciding
    after the deadline cannot undo the breach (409). A notice at the deadline is too late."""
    svc(desk, THREE_DAYS)
    order, other = _dispatched_order(desk), _dispatched_order(desk)
    notice = ok(desk.post(order, "delay-notice", "wu", reason="客户不在家", proposed_due="2026-09-23T18:00:00+08:00",
                          at="2026-09-22T20:00:00+08:00"), 201)
    assert desk.post(order, "delay-notice", "wu", reason="再申请", proposed_due="2026-09-24T18:00:00+08:00",
                     at="2026-09-22T20:30:00+08:00").status_code == 409  # one waiting already
    late = desk.post(order, f"delay-notice/{notice['id']}/decide", "li", new_due_at="2026-09-23T18:00:00+08:00",
                     at="2026-09-23T09:00:00+08:00")
    assert late.status_code == 409  # the deadline passed before the decision: a breach is not undone
    assert desk.job("cmp.sla_timers", "2026-09-23T00:01:00+08:00")["breached"] == 2
    covered = desk.decisions(order, "SVC-08")
    assert len(covered) == 1 and covered[0].outcome["attributed"] is False
    assert covered[0].outcome["notice_id"] == notice["id"] and _staff_entries(desk, order) == []
    at_deadline = desk.post(other, "delay-notice", "wu", reason="x", proposed_due="2026-09-24T18:00:00+08:00",
                            at="2026-09-23T00:00:00+08:00")
    assert at_deadline.status_code == 409
    refused = ok(desk.post(order, f"delay-notice/{notice['id']}/decide", "li", refuse=True, note="已超期",
                           at="2026-09-23T09:00:00+08:00"))
    assert refused["state"] == "refused"
    assert desk.get(order)["milestones"][0]["state"] == "breached"


def test_svc08_eta_moved_after_the_old_eta_passed_is_flagged(desk):
    """SVC-08 (2): an ETA moved after the old ETA passed → flagged (decision, supervisor told); a change
    before it records when the customer was told."""
    order = desk.order(requested_at="2026-09-18T09:00:00+08:00")
    body = ok(dispatch(desk, order, assignee_id=desk.id("wu"), at="2026-09-18T09:30:00+08:00",
                       eta_at="2026-09-18T14:00:00+08:00"))
    assert body["eta_at"] == "2026-09-18T06:00:00+00:00" and body["events"][-1]["kind"] == "eta_set"
    untold = desk.post(order, "eta", "wu", eta_at="2026-09-18T16:00:00+08:00", at="2026-09-18T13:00:00+08:00")
    assert untold.status_code == 422 and "customer_told_at" in untold.get_json()["errors"]["json"]
    told = ok(desk.post(order, "eta", "wu", eta_at="2026-09-18T16:00:00+08:00", at="2026-09-18T13:00:00+08:00",
                        customer_told_at="2026-09-18T12:50:00+08:00"))
    assert told["eta_at"] == "2026-09-18T08:00:00+00:00"
    decision = desk.decisions(order, "SVC-08")[0]
    assert decision.outcome["flagged"] is False and "已于2026-09-18 12:50告知客户" in decision.reason_zh
    assert desk.notified("svc.eta_late_change") == []
    assert desk.post(order, "eta", "zheng", eta_at="2026-09-18T18:00:00+08:00").status_code == 403
    ok(desk.post(order, "eta", "wu", eta_at="2026-09-18T18:00:00+08:00", at="2026-09-18T16:30:00+08:00"))
    flagged = desk.decisions(order, "SVC-08")[1]
    assert flagged.outcome["flagged"] is True and flagged.outcome["eta_change"] == "flagged"
    assert flagged.outcome["old_eta_at"] == "2026-09-18T08:00:00+00:00"
    assert [n.user_id for n in desk.notified("svc.eta_late_change")] == [desk.id("li")]
    assert desk.get(order)["events"][-1]["kind"] == "eta_changed"
    # told before the old time, recorded after it: not flagged
    ok(desk.post(order, "eta", "ma", eta_at="2026-09-18T20:00:00+08:00", at="2026-09-18T18:30:00+08:00",
                 customer_told_at="2026-09-18T17:40:00+08:00"))
    assert desk.decisions(order, "SVC-08")[2].outcome["flagged"] is False
