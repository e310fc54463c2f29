"""Complaint deadlines end to end (CMP-30..37, CMP-40): the sweep ``cmp.sla_timers`` and the job
``cmp.reminders`` run as of the spec's moments (each twice: one effect), pauses, customer deadlines,
special extensions, stages and promised reply times through the API, with real 2026 dates across the
National Day holiday and its make-up Saturday."""
import datetime as dt

import pytest
from sqlalchemy import func, select, update

from core.complaints.models import Complaint
from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.sla import engine as sla
from core.sla.models import SlaMilestone
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute

UTC = dt.timezone.utc


class Desk:
    """A tenant with a customer-service department: agent Ma, supervisor Li (both in it), department
    manager Zhao (its head), GM Chen, salesman Tang, finance Fu."""

    def __init__(self, client, make_tenant, slug):
        self.client = client
        self.handle = make_tenant(slug, "客服中心")
        self.users = {}
        for name, roles in (("ma", ["cs_agent"]), ("li", ["supervisor"]), ("zhao", ["dept_manager"]),
                            ("chen", ["gm"]), ("tang", ["salesperson"]), ("fu", ["finance"])):
            self.users[name] = make_tenant.user(self.handle, name, roles=roles)
        h = self.handle.headers()
        dept = client.post("/api/v1/departments", headers=h, json={"name": "客服部", "head_user_id": self.id("zhao")})
        assert dept.status_code == 201, dept.get_json()
        self.department_id = dept.get_json()["id"]
        for name in ("ma", "li", "zhao"):
            r = client.patch(f"/api/v1/users/{self.id(name)}", headers=h, json={"department_id": self.department_id})
            assert r.status_code == 200, r.get_json()
        self.runs = 0

    def id(self, name):
        return self.users[name][0]

    def headers(self, name=None):
        return self.handle.headers(self.users[name][1] if name else None)

    def case(self, received_at, who="ma", **body):
        r = self.client.post("/api/v1/complaints", headers=self.headers(who),
                             json={"channel": "phone", "content": "投诉内容", "received_at": received_at, **body})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def get(self, case):
        return self.client.get(f"/api/v1/complaints/{case['id']}", headers=self.headers()).get_json()

    def post(self, case, path, who="ma", **body):
        return self.client.post(f"/api/v1/complaints/{case['id']}/{path}", headers=self.headers(who), json=body)

    def job(self, name, as_of):
        """Run a job as of ``as_of`` (a fresh dedupe key each time, so a second run really runs)."""
        self.runs += 1
        db.session.rollback()
        result = execute(self.handle.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}#{self.runs}")
        assert result is not None, f"{name} failed"
        return result

    def twice(self, name, as_of):
        first = self.job(name, as_of)
        again = self.job(name, as_of)
        return first, again

    def decisions(self, case, rule_id):
        with tenant_scope(self.handle.id):
            return list(db.session.scalars(select(Decision).where(
                Decision.subject_type == "complaint", Decision.subject_id == case["id"], Decision.rule_id == rule_id)
                .order_by(Decision.id)))

    def notified(self, kind, case=None):
        with tenant_scope(self.handle.id):
            stmt = select(Notification.user_id).where(Notification.kind == kind).order_by(Notification.id)
            if case is not None:
                stmt = stmt.where(Notification.subject_id == case["id"])
            return list(db.session.scalars(stmt))

    def meet(self, case, code, at):
        with tenant_scope(self.handle.id):
            sla.meet("complaint", case["id"], code, dt.datetime.fromisoformat(at))
            db.session.commit()

    def close(self, case, at):
        """What the closure step (not built here) does: the case closed and its clocks cancelled."""
        with tenant_scope(self.handle.id):
            moment = dt.datetime.fromisoformat(at)
            db.session.execute(update(Complaint).where(Complaint.id == case["id"]).values(
                status="closed", closed_at=moment))
            sla.cancel("complaint", case["id"])
            db.session.commit()


@pytest.fixture
def desk(client, make_tenant):
    return Desk(client, make_tenant, "cmp-sla")


def by_code(case):
    return {m["code"]: m for m in case["milestones"]}


# ------------------------------------------------------------------ CMP-34, CMP-40, CMP-35 (the sweep)


def test_cmp34_cmp40_warning_breach_and_ladder_one_working_day_apart(desk):
    """Resolve due through Sat 2026-10-10 (received Wed 09-30 10:00): warned Sat 09:00; breached at
    10-11 00:00 → supervisor; dept manager at 10-13 00:00 (after Mon 10-12); GM at 10-14 00:00."""
    case = desk.case("2026-09-30T10:00:00+08:00")
    desk.meet(case, "reply", "2026-09-30T15:00:00+08:00")
    desk.meet(case, "solution", "2026-10-08T10:00:00+08:00")
    assert by_code(desk.get(case))["resolve"]["warn_at"] == "2026-10-10T01:00:00+00:00"

    first, again = desk.twice("cmp.sla_timers", "2026-10-10T09:01:00+08:00")
    assert (first["warned"], again["warned"]) == (1, 0)
    assert [d.outcome["milestone"] for d in desk.decisions(case, "CMP-34")] == ["resolve"]
    assert desk.notified("cmp.deadline_warning", case) == [desk.id("ma"), desk.id("li")]  # owner and supervisor

    first, again = desk.twice("cmp.sla_timers", "2026-10-11T00:01:00+08:00")
    assert (first["breached"], first["escalated"], again["breached"], again["escalated"]) == (1, 1, 0, 0)
    resolve = by_code(desk.get(case))["resolve"]
    assert (resolve["state"], resolve["breached_at"], resolve["escalation_level"]) == (
        "breached", "2026-10-10T16:00:00+00:00", 1)
    assert [d.outcome["breach"] for d in desk.decisions(case, "CMP-31") if "breach" in d.outcome] == ["resolve"]

    desk.twice("cmp.sla_timers", "2026-10-12T23:59:00+08:00")  # Monday: still level 1
    assert len(desk.decisions(case, "CMP-40")) == 1
    desk.twice("cmp.sla_timers", "2026-10-13T00:01:00+08:00")
    desk.twice("cmp.sla_timers", "2026-10-14T00:01:00+08:00")
    desk.twice("cmp.sla_timers", "2026-10-20T00:01:00+08:00")  # the ladder has three levels
    steps = desk.decisions(case, "CMP-40")
    assert [(d.outcome["level"], d.outcome["role"], d.outcome["at"], d.outcome["notified"]) for d in steps] == [
        (1, "supervisor", "2026-10-10T16:00:00+00:00", [desk.id("li")]),
        (2, "dept_manager", "2026-10-12T16:00:00+00:00", [desk.id("zhao")]),
        (3, "gm", "2026-10-13T16:00:00+00:00", [desk.id("chen")])]
    assert all(d.policy_module == "cmp" and d.policy_version == 0 for d in steps)
    assert desk.notified("cmp.escalation", case) == [desk.id("li"), desk.id("zhao"), desk.id("chen")]
    detail = desk.get(case)
    with tenant_scope(desk.handle.id):
        assert db.session.get(Complaint, (desk.handle.id, case["id"])).escalation_level == 3
    assert [e["kind"] for e in detail["events"]].count("escalated") == 3


def test_cmp40_a_sweep_down_for_days_catches_up_step_by_step(desk):
    case = desk.case("2026-09-30T10:00:00+08:00")
    desk.meet(case, "reply", "2026-09-30T15:00:00+08:00")
    desk.meet(case, "solution", "2026-10-08T10:00:00+08:00")
    first, again = desk.twice("cmp.sla_timers", "2026-10-14T00:01:00+08:00")
    assert (first["warned"], first["breached"], first["escalated"]) == (0, 1, 3)
    assert again == {**again, "warned": 0, "breached": 0, "escalated": 0}
    assert [d.outcome["at"] for d in desk.decisions(case, "CMP-40")] == [
        "2026-10-10T16:00:00+00:00", "2026-10-12T16:00:00+00:00", "2026-10-13T16:00:00+00:00"]


def test_cmp35_reminders_at_breach_and_every_working_day_then_an_investigation_order(desk):
    """Breached 2026-10-10 24:00, still open 10-13 → reminders dated 10-11, 10-12, 10-13; closed 10-14
    → an investigation order to the department, answered by it."""
    case = desk.case("2026-09-30T10:00:00+08:00")
    desk.meet(case, "reply", "2026-09-30T15:00:00+08:00")
    desk.meet(case, "solution", "2026-10-08T10:00:00+08:00")
    desk.twice("cmp.sla_timers", "2026-10-11T00:01:00+08:00")  # the breach: the first reminder, dated 10-11
    desk.twice("cmp.reminders", "2026-10-11T08:28:00+08:00")  # a Sunday: nothing more
    first, again = desk.twice("cmp.reminders", "2026-10-12T08:28:00+08:00")
    assert (first["reminders"], again["reminders"]) == (1, 0)
    desk.twice("cmp.reminders", "2026-10-13T08:28:00+08:00")
    reminders = desk.client.get(f"/api/v1/complaints/{case['id']}/reminders", headers=desk.headers()).get_json()
    assert [r["dated"] for r in reminders] == ["2026-10-11", "2026-10-12", "2026-10-13"]
    assert all(r["department_id"] == desk.department_id for r in reminders)
    assert set(reminders[0]["recipients"]) == {desk.id("zhao"), desk.id("li"), desk.id("ma")}
    assert [o["code"] for o in reminders[0]["overdue"]] == ["resolve"]
    assert len(desk.decisions(case, "CMP-35")) == 3

    desk.close(case, "2026-10-14T16:00:00+08:00")
    first, again = desk.twice("cmp.reminders", "2026-10-15T08:28:00+08:00")
    assert (first["reminders"], first["investigations"], again["investigations"]) == (0, 1, 0)
    [order] = desk.client.get(f"/api/v1/complaints/{case['id']}/investigation", headers=desk.headers()).get_json()
    assert (order["status"], order["department_id"], [b["code"] for b in order["breaches"]]) == (
        "open", desk.department_id, ["resolve"])
    assert set(desk.notified("cmp.investigation", case)) == {desk.id("zhao"), desk.id("li")}
    listed = desk.client.get(f"/api/v1/complaints/investigations?status=open&department_id={desk.department_id}",
                             headers=desk.headers()).get_json()
    assert [o["complaint_id"] for o in listed] == [case["id"]]
    # closed: the ladder stopped (the GM step of 10-14 00:00 had come, none after), no more reminders
    desk.twice("cmp.sla_timers", "2026-10-20T00:01:00+08:00")
    assert len(desk.decisions(case, "CMP-40")) == 1
    assert desk.post(case, "investigation/answer", who="fu", answer="人手不足").status_code == 403
    assert desk.post(case, "investigation/answer", who="ma", answer=" ").status_code == 422
    r = desk.post(case, "investigation/answer", who="ma", answer="配件延误，未及时申请延期")
    assert r.status_code == 200 and r.get_json()["status"] == "answered" and r.get_json()["answered_by"] == desk.id("ma")
    assert desk.post(case, "investigation/answer", who="zhao", answer="再答").status_code == 409


# ------------------------------------------------------------------------------------ CMP-33 pauses


def test_cmp33_pause_and_resume_vector(desk):
    """Received Fri 2026-09-18 16:00, resolve through 09-22; paused Mon 09-21 09:00 → Tue 09-22 12:00
    (09-21 fully, 09-22 40%) → through 2026-09-23."""
    case = desk.case("2026-09-18T16:00:00+08:00")
    assert by_code(case)["resolve"]["due_at"] == "2026-09-22T16:00:00+00:00"
    r = desk.post(case, "pause", reason="waiting_customer", note="等客户提供照片", at="2026-09-21T09:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    m = by_code(r.get_json())
    assert m["resolve"]["paused"] is True
    # reply due 09-19 16:00 and solution through Sun 09-20 (a make-up day): past due, a breach is never paused
    assert m["reply"]["paused"] is False and m["solution"]["paused"] is False
    assert desk.post(case, "pause", reason="waiting_parts", at="2026-09-21T10:00:00+08:00").status_code == 409
    r = desk.post(case, "resume", at="2026-09-22T12:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    resolve = by_code(r.get_json())["resolve"]
    assert (resolve["paused"], resolve["due_at"]) == (False, "2026-09-23T16:00:00+00:00")
    assert resolve["warn_at"] == "2026-09-23T01:00:00+00:00"  # 09:00 of the new due day (CMP-34)
    assert resolve["computed_from"]["pauses"] == [{"start": "2026-09-21T01:00:00+00:00",
                                                   "end": "2026-09-22T04:00:00+00:00", "reason": "waiting_customer"}]
    assert any("2026-09-21 100% paused" in step for step in resolve["computed_from"]["trace"])
    [paused, resumed] = desk.decisions(case, "CMP-33")
    assert paused.outcome["paused"] == ["resolve"]
    assert {m["milestone"]: m["new_due_at"] for m in resumed.outcome["moved"]}["resolve"] == "2026-09-23T16:00:00+00:00"
    pauses = desk.client.get(f"/api/v1/complaints/{case['id']}/pauses", headers=desk.headers()).get_json()
    assert [(p["reason"], p["ended_at"]) for p in pauses] == [("waiting_customer", "2026-09-22T04:00:00+00:00")]
    assert desk.post(case, "resume", at="2026-09-22T13:00:00+08:00").status_code == 409  # not paused


def test_cmp33_pause_refusals_write_nothing(desk):
    case = desk.case("2026-09-18T16:00:00+08:00")
    r = desk.post(case, "pause", reason="strike", at="2026-09-21T09:00:00+08:00")
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = desk.post(case, "pause", reason="waiting_customer", at="2026-09-17T09:00:00+08:00")
    assert r.status_code == 422 and "at" in r.get_json()["errors"]["json"]  # before the case came in
    assert desk.post(case, "pause", who="fu", reason="waiting_customer").status_code == 403
    r = desk.post(case, "pause", reason="waiting_customer", at="2026-09-30T09:00:00+08:00")
    assert r.status_code == 409  # every clock already past due then
    about_tang = desk.case("2026-09-18T16:00:00+08:00", accused_user_id=desk.id("tang"), category="staff_attitude")
    assert desk.post(about_tang, "pause", who="tang", reason="waiting_customer").status_code == 404  # CMP-21: the accused never sees the case
    assert desk.client.get(f"/api/v1/complaints/{case['id']}/pauses", headers=desk.headers()).get_json() == []
    assert desk.decisions(case, "CMP-33") == []


def test_cmp33_a_customers_earlier_deadline_replaces_the_default(desk):
    """The guest wants a solution by 20:00 the same day; the default (1 working day) is later → 20:00."""
    case = desk.case("2026-09-18T16:00:00+08:00")
    r = desk.post(case, "customer-deadline", milestone="solution", due_at="2026-09-18T20:00:00+08:00", note="当晚离店")
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["due_at"], r.get_json()["computed_from"]["source"]) == ("2026-09-18T12:00:00+00:00", "customer")
    assert r.get_json()["warn_at"] == "2026-09-18T11:12:00+00:00"  # 80% of the 4 hours
    later = desk.post(case, "customer-deadline", milestone="resolve", due_at="2026-09-30T18:00:00+08:00")
    assert later.status_code == 422 and "due_at" in later.get_json()["errors"]["json"]
    assert desk.post(case, "customer-deadline", milestone="overall",
                     due_at="2026-09-19T12:00:00+08:00").status_code == 422
    [decision] = desk.decisions(case, "CMP-33")
    assert decision.outcome["milestone"] == "solution"


def test_cmp33_customer_deadline_only_where_the_policy_allows(desk):
    policy_since(desk.handle.id, "cmp", {"sla": {"customer_may_set_earlier": ["solution"]}}, "2026-01-01")
    case = desk.case("2026-09-18T16:00:00+08:00")
    r = desk.post(case, "customer-deadline", milestone="resolve", due_at="2026-09-20T12:00:00+08:00")
    assert r.status_code == 422 and "milestone" in r.get_json()["errors"]["json"]


def test_cmp33_special_extension_needs_a_reason_and_a_supervisor(desk):
    case = desk.case("2026-09-30T10:00:00+08:00")
    assert desk.post(case, "special-extension", who="ma", reason="需厂家鉴定").status_code == 403
    r = desk.post(case, "special-extension", who="li", reason="  ")
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = desk.post(case, "special-extension", who="li", reason="需厂家鉴定", at="2026-10-02T10:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    detail = r.get_json()
    assert detail["special"] is True
    assert by_code(detail)["resolve"]["due_at"] == "2026-10-15T16:00:00+00:00"  # 7 working days: through 10-15
    assert by_code(detail)["resolve"]["duration"] == "7 working_days"
    [decision] = desk.decisions(case, "CMP-33")
    assert decision.decided_by == desk.id("li")
    assert desk.post(case, "special-extension", who="li", reason="again").status_code == 409


def test_cmp33_a_breached_deadline_is_not_extended(desk):
    case = desk.case("2026-09-30T10:00:00+08:00")
    desk.job("cmp.sla_timers", "2026-10-11T00:01:00+08:00")
    assert desk.post(case, "special-extension", who="li", reason="需厂家鉴定").status_code == 409
    assert by_code(desk.get(case))["resolve"]["duration"] == "3 working_days"


# ------------------------------------------------------------------------------- CMP-32 stages


PRE10 = {"sla": {"overall": {"start": "accepted", "department": "市场部", "target": "15 days", "hard": "18 days"},
                 "stages": {"market_dept": {"limit": "7 days", "sub_stages": {"processing_unit": {"limit": "2 days"}}},
                            "sales_branch": {"limit": "5 days"}}}}


def test_cmp32_stage_limits_inside_the_overall_target_and_hard_limit(desk):
    """Market dept accepts 2026-03-02 → target through 03-17, hard through 03-20; market stage through
    03-09; processing unit entered 03-04 → through 03-06; sales branch entered 03-08 → through 03-13.
    The processing unit finishes 03-07 → a stage breach decision, the overall limit still on time."""
    from core.complaints import deadlines

    policy_since(desk.handle.id, "cmp", PRE10, "2026-01-01")
    case = desk.case("2026-03-01T15:00:00+08:00")
    with tenant_scope(desk.handle.id):
        complaint = db.session.get(Complaint, (desk.handle.id, case["id"]))
        assert deadlines.on_event(complaint, "accepted", dt.datetime(2026, 3, 2, 10, tzinfo=UTC), department="销售部") == []
        deadlines.on_event(complaint, "accepted", dt.datetime.fromisoformat("2026-03-02T10:00:00+08:00"),
                           department="市场部")
        db.session.commit()
    r = desk.post(case, "stages", stage="market_dept", sub_stage="processing_unit", at="2026-03-02T10:00:00+08:00")
    assert r.status_code == 409  # the sub-stage runs inside its stage
    r = desk.post(case, "stages", stage="market_dept", at="2026-03-02T10:00:00+08:00")
    assert r.status_code == 201 and r.get_json()["due_at"] == "2026-03-09T16:00:00+00:00"
    assert desk.post(case, "stages", stage="market_dept", at="2026-03-02T11:00:00+08:00").status_code == 409
    assert desk.post(case, "stages", stage="warehouse").status_code == 422
    r = desk.post(case, "stages", stage="market_dept", sub_stage="processing_unit", at="2026-03-04T09:00:00+08:00")
    assert r.status_code == 201 and r.get_json()["due_at"] == "2026-03-06T16:00:00+00:00"
    r = desk.post(case, "stages/finish", stage="market_dept", sub_stage="processing_unit", at="2026-03-07T10:00:00+08:00")
    assert r.status_code == 200 and r.get_json()["state"] == "breached" and r.get_json()["met_at"]
    r = desk.post(case, "stages", stage="sales_branch", at="2026-03-08T09:00:00+08:00")
    assert r.status_code == 201 and r.get_json()["due_at"] == "2026-03-13T16:00:00+00:00"
    m = by_code(desk.get(case))
    assert (m["overall"]["due_at"], m["overall"]["hard_due_at"], m["overall"]["state"]) == (
        "2026-03-17T16:00:00+00:00", "2026-03-20T16:00:00+00:00", "open")
    stage_breaches = [d.outcome for d in desk.decisions(case, "CMP-32") if "stage_breach" in d.outcome]
    assert [o["stage_breach"] for o in stage_breaches] == ["stage.market_dept.processing_unit"]

    desk.twice("cmp.sla_timers", "2026-03-10T00:01:00+08:00")  # the market stage (through 03-09) runs late
    stage_breaches = [d.outcome["stage_breach"] for d in desk.decisions(case, "CMP-32") if "stage_breach" in d.outcome]
    assert stage_breaches == ["stage.market_dept.processing_unit", "stage.market_dept"]
    assert by_code(desk.get(case))["overall"]["state"] == "open"
    # stage timers do not walk the ladder (the case's reply, solution and resolve, breached too, do)
    assert {d.outcome["milestone"] for d in desk.decisions(case, "CMP-40")} == {"reply", "solution", "resolve"}

    desk.twice("cmp.sla_timers", "2026-03-18T00:01:00+08:00")
    overall = [d.outcome for d in desk.decisions(case, "CMP-32") if d.outcome.get("breach") == "overall"]
    assert len(overall) == 1 and by_code(desk.get(case))["overall"]["state"] == "breached"
    first, again = desk.twice("cmp.sla_timers", "2026-03-21T00:01:00+08:00")
    assert (first["hard_breached"], again["hard_breached"]) == (1, 0)
    assert [d.outcome["hard_breach"] for d in desk.decisions(case, "CMP-32") if "hard_breach" in d.outcome] == ["overall"]


# -------------------------------------------------------------------------- CMP-36 reply times


def test_cmp36_a_promised_reply_with_a_customer_is_a_commitment(desk):
    customer = desk.client.post("/api/v1/customers", headers=desk.headers(), json={
        "name": "刘先生", "phones": [{"number": "13800138001"}]}).get_json()
    case = desk.case("2026-05-11T10:00:00+08:00", customer_id=customer["id"])
    r = desk.post(case, "reply-times", due_at="2026-05-12T15:00:00+08:00", text="告知检测结果",
                  at="2026-05-11T16:00:00+08:00")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["commitment_id"] and r.get_json()["milestone"] is None
    [commitment] = desk.client.get(f"/api/v1/customers/{customer['id']}/commitments",
                                   headers=desk.headers()).get_json()
    assert (commitment["kind"], commitment["due_at"], commitment["owner_id"]) == (
        "reply", "2026-05-12T07:00:00+00:00", desk.id("ma"))
    desk.job("cus.commitment_alerts", "2026-05-12T15:01:00+08:00")  # CUS-63: nothing logged → alerted
    assert desk.id("ma") in desk.notified("cus.commitment_overdue")
    assert [d.outcome["commitment_id"] for d in desk.decisions(case, "CMP-36")] == [commitment["id"]]


def test_cmp36_without_a_customer_the_reply_time_is_kept_on_the_case(desk):
    """Next reply fixed 2026-05-12 15:00 → reminder at 15:00 if no reply logged."""
    case = desk.case("2026-05-11T10:00:00+08:00")
    r = desk.post(case, "reply-times", due_at="2026-05-12T15:00:00+08:00", text="告知检测结果",
                  at="2026-05-11T16:00:00+08:00")
    assert r.status_code == 201 and r.get_json()["milestone"] == "next_reply.1"
    kept = desk.case("2026-05-11T10:00:00+08:00")
    desk.post(kept, "reply-times", due_at="2026-05-12T15:00:00+08:00", text="告知检测结果", at="2026-05-11T16:00:00+08:00")
    with tenant_scope(desk.handle.id):
        from core.complaints import deadlines

        assert deadlines.reply_logged(db.session.get(Complaint, (desk.handle.id, kept["id"])),
                                      dt.datetime.fromisoformat("2026-05-12T11:00:00+08:00")) == 1
        db.session.commit()
    desk.twice("cmp.sla_timers", "2026-05-12T15:01:00+08:00")
    assert by_code(desk.get(case))["next_reply.1"]["state"] == "breached"
    [alert] = [d for d in desk.decisions(case, "CMP-36") if "breach" in d.outcome]
    assert alert.outcome["breach"] == "next_reply.1" and alert.outcome["breached_at"] == "2026-05-12T07:00:00+00:00"
    with tenant_scope(desk.handle.id):
        told = db.session.scalars(select(Notification.user_id).where(
            Notification.dedupe_key.like("CMP-36:breach:%"), Notification.subject_id == case["id"]))
        assert set(told) == {desk.id("ma"), desk.id("zhao"), desk.id("li")}
    assert by_code(desk.get(kept))["next_reply.1"]["state"] == "met"
    assert [d for d in desk.decisions(kept, "CMP-36") if "breach" in d.outcome] == []
    assert desk.decisions(case, "CMP-40") and all(d.outcome["milestone"] != "next_reply.1"
                                                  for d in desk.decisions(case, "CMP-40"))
    bad = desk.post(case, "reply-times", due_at="2026-05-11T15:00:00+08:00", text="", at="2026-05-11T16:00:00+08:00")
    assert bad.status_code == 422 and {"due_at", "text"} <= set(bad.get_json()["errors"]["json"])


# ----------------------------------------------------------------------- CMP-37, CAL-09


def test_cmp37_a_case_keeps_the_version_it_started_under(desk):
    """resolve 3 → 5 working days effective 2026-10-01; a case received 09-30 keeps 3."""
    policy_since(desk.handle.id, "cmp", {"sla": {"resolve": "5 working_days"}}, "2026-10-01")
    before = desk.case("2026-09-30T10:00:00+08:00")
    after = desk.case("2026-10-09T10:00:00+08:00")
    assert (by_code(before)["resolve"]["duration"], by_code(before)["resolve"]["policy_version"]) == ("3 working_days", 0)
    assert by_code(before)["resolve"]["due_at"] == "2026-10-10T16:00:00+00:00"
    assert (by_code(after)["resolve"]["duration"], by_code(after)["resolve"]["policy_version"]) == ("5 working_days", 1)
    # a stage or a resumed pause later still follows the version of the case: its pause reasons
    r = desk.post(before, "pause", reason="waiting_parts", at="2026-10-09T09:00:00+08:00")
    assert r.status_code == 200


def test_cal09_a_calendar_change_recomputes_open_unbreached_deadlines(desk):
    """Due 2026-12-25 (3 working days from 12-22); the tenant adds an off day 12-24 effective 12-23 →
    due 12-28, a CAL-09 decision; a deadline breached on 12-20 is untouched. Run twice: one decision."""
    from core.calendar import parse_duration
    from core.sla.rules import MilestoneSpec

    with tenant_scope(desk.handle.id):
        open_one = sla.start("work_order", 1, [MilestoneSpec("resolve", parse_duration("3 working_days"), "SVC-07")],
                             dt.datetime.fromisoformat("2026-12-22T10:00:00+08:00"), policy=None)[0]
        late = sla.start("work_order", 2, [MilestoneSpec("resolve", parse_duration("3 working_days"), "SVC-07")],
                         dt.datetime.fromisoformat("2026-12-15T10:00:00+08:00"), policy=None)[0]
        assert open_one.due_at == dt.datetime(2026, 12, 25, 16, tzinfo=UTC) and late.due_at.day == 18
        ids = open_one.id, late.id
        db.session.commit()
    policy_since(desk.handle.id, "cal", {"overrides": [{"date": "2026-12-24", "kind": "off", "note": "平安夜"}]},
                 "2026-12-23")
    first, again = desk.twice("cal.recompute_open_deadlines", "2026-12-23T03:37:00+08:00")
    assert (first["moved"], again["moved"]) == (1, 0)
    with tenant_scope(desk.handle.id):
        moved = db.session.get(SlaMilestone, (desk.handle.id, ids[0]))
        untouched = db.session.get(SlaMilestone, (desk.handle.id, ids[1]))
        assert moved.due_at == dt.datetime(2026, 12, 28, 16, tzinfo=UTC)  # through 12-28
        assert moved.computed_from["calendar"]["version"] == 1
        assert untouched.due_at == dt.datetime(2026, 12, 18, 16, tzinfo=UTC)
        [decision] = db.session.scalars(select(Decision).where(Decision.rule_id == "CAL-09"))
        assert (decision.subject_type, decision.subject_id) == ("work_order", 1)
        assert (decision.outcome["old_due_at"], decision.outcome["new_due_at"]) == (
            "2026-12-25T16:00:00+00:00", "2026-12-28T16:00:00+00:00")
        assert decision.policy_module == "cal" and decision.policy_version == 1
        assert db.session.scalar(select(func.count()).select_from(Decision).where(Decision.subject_type == "work_order",
                                                                                  Decision.rule_id == "SVC-07")) == 2


def test_cmp30_the_policy_of_an_a_grade_customers_major_complaint_and_a_clock_from_resolution(desk):
    """cmp.sla.policies chosen by severity × customer grade (the CUS-50 tier); its resolve replaces the
    default, and its confirm clock starts when resolve is met."""
    from core.customers.grades.models import CustomerGrade

    policy_since(desk.handle.id, "cmp", {"sla": {"policies": [
        {"name": "大客户重大投诉", "severities": ["major"], "grades": ["A"], "milestones": [
            {"code": "reply", "duration": "2 hours"},
            {"code": "resolve", "duration": "1 working_day", "hard": "2 working_days"},
            {"code": "confirm", "duration": "3 days", "start": "resolution", "escalate": False}]}]}}, "2026-01-01")
    customers = [desk.client.post("/api/v1/customers", headers=desk.headers(), json={
        "name": name, "phones": [{"number": phone}]}).get_json() for name, phone in (
        ("王总", "13800138002"), ("李女士", "13800138003"))]
    with tenant_scope(desk.handle.id):
        db.session.add(CustomerGrade(customer_id=customers[0]["id"], scheme="grade", tier="A",
                                     since=dt.datetime(2026, 1, 5, tzinfo=UTC)))
        db.session.commit()
    major_a = desk.case("2026-09-30T10:00:00+08:00", customer_id=customers[0]["id"], severity="major",
                        severity_reason="媒体曝光")
    major_other = desk.case("2026-09-30T10:00:00+08:00", customer_id=customers[1]["id"], severity="major",
                            severity_reason="媒体曝光")
    m = by_code(major_a)
    assert set(m) == {"reply", "resolve"}
    assert (m["reply"]["due_at"], m["reply"]["rule_id"]) == ("2026-09-30T04:00:00+00:00", "CMP-30")
    assert (m["resolve"]["due_at"], m["resolve"]["hard_due_at"]) == ("2026-10-08T16:00:00+00:00",
                                                                     "2026-10-09T16:00:00+00:00")
    assert m["resolve"]["computed_from"]["sla_policy"] == "大客户重大投诉"
    assert set(by_code(major_other)) == {"reply", "solution", "resolve"}  # grade B or none: the defaults
    desk.meet(major_a, "resolve", "2026-10-08T15:00:00+08:00")
    confirm = by_code(desk.get(major_a))["confirm"]
    assert (confirm["start_at"], confirm["due_at"], confirm["rule_id"]) == (
        "2026-10-08T07:00:00+00:00", "2026-10-11T16:00:00+00:00", "CMP-30")


def test_cmp21_the_accused_supervisor_gets_none_of_the_cases_deadline_traffic(desk):
    """Supervisor Li is complained about: the warning, the breach, the ladder's supervisor step, the
    reminders and the investigation order go to the next holder up (department head Zhao), never Li."""
    case = desk.case("2026-09-30T10:00:00+08:00", accused_user_id=desk.id("li"))
    desk.meet(case, "reply", "2026-09-30T15:00:00+08:00")
    desk.meet(case, "solution", "2026-10-08T10:00:00+08:00")
    desk.job("cmp.sla_timers", "2026-10-10T09:01:00+08:00")
    assert desk.notified("cmp.deadline_warning", case) == [desk.id("ma"), desk.id("zhao")]
    desk.job("cmp.sla_timers", "2026-10-11T00:01:00+08:00")
    [step] = desk.decisions(case, "CMP-40")
    assert (step.outcome["role"], step.outcome["notified"]) == ("supervisor", [desk.id("zhao")])
    desk.job("cmp.reminders", "2026-10-12T08:28:00+08:00")
    desk.close(case, "2026-10-14T16:00:00+08:00")
    desk.job("cmp.reminders", "2026-10-15T08:28:00+08:00")
    with tenant_scope(desk.handle.id):
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.subject_id == case["id"])))
    assert desk.id("li") not in told and {desk.id("ma"), desk.id("zhao")} <= told
    assert desk.notified("cmp.investigation", case) == [desk.id("zhao")]
    reminders = desk.client.get(f"/api/v1/complaints/{case['id']}/reminders", headers=desk.headers()).get_json()
    assert reminders and all(desk.id("li") not in r["recipients"] for r in reminders)
