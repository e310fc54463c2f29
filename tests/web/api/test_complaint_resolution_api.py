"""A complaint from handling to closure through the API (CMP-41, CMP-42, CMP-50..55): the spec's
vectors with their dates, the 422/409/403 paths with nothing written, the major watch run twice."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute

URL = "/api/v1/complaints"


@pytest.fixture
def office(make_tenant, client):
    """客服部 (head Wang, agent Ma), 市场部 (Liu), 总经理办公室 (Zhao); a VP and a GM; Tang, a salesperson."""
    a = make_tenant("cmp-res", "客服公司")
    people = {}
    for handle, roles in (("ma", ["cs_agent"]), ("wang", ["dept_manager"]), ("li", ["vp"]), ("zhou", ["gm"]),
                          ("liu", ["salesperson"]), ("zhao", ["assistant"]), ("tang", ["salesperson"])):
        people[handle] = make_tenant.user(a, handle, roles=roles)
    departments = {}
    for name, members, head in (("客服部", ["ma", "wang"], "wang"), ("市场部", ["liu"], None),
                                ("总经理办公室", ["zhao", "zhou"], None)):
        dep = client.post("/api/v1/departments", headers=a.headers(),
                          json={"name": name, "head_user_id": people[head][0] if head else None}).get_json()
        departments[name] = dep["id"]
        for member in members:
            r = client.patch(f"/api/v1/users/{people[member][0]}", headers=a.headers(), json={"department_id": dep["id"]})
            assert r.status_code == 200, r.get_json()
    return SimpleNamespace(handle=a, ids={k: v[0] for k, v in people.items()}, tokens={k: v[1] for k, v in people.items()},
                           departments=departments)


def h(office, who="ma"):
    return office.handle.headers(office.tokens[who])


def policy(office, body):
    policy_since(office.handle.id, "cmp", body, "2026-01-01")


def take_in(client, office, at, **body):
    r = client.post(URL, headers=h(office), json={"channel": "phone", "content": "投诉内容", "received_at": at, **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def post(client, office, case, step, who="ma", **body):
    return client.post(f"{URL}/{case['id']}/{step}", headers=h(office, who), json=body)


def notes(office, kind=None):
    with tenant_scope(office.handle.id):
        stmt = select(Notification.user_id, Notification.kind).order_by(Notification.id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        return [tuple(row) for row in db.session.execute(stmt)]


def decisions_of(office, case, rule):
    with tenant_scope(office.handle.id):
        return list(db.session.scalars(select(Decision).where(
            Decision.subject_type == "complaint", Decision.subject_id == case["id"], Decision.rule_id == rule)
            .order_by(Decision.id)))


def events(client, office, case):
    return [e["kind"] for e in client.get(f"{URL}/{case['id']}", headers=h(office)).get_json()["events"]]


def milestones(client, office, case):
    return {m["code"]: m for m in client.get(f"{URL}/{case['id']}", headers=h(office)).get_json()["milestones"]}


def job(office, as_of, run):
    db.session.rollback()
    return execute(office.handle.id, "cmp.major_watch", {"as_of": as_of}, dedupe_key=f"major_watch@{as_of}#{run}")


# CMP-41 ------------------------------------------------------------------------------------------------

def test_cmp41_demand_beyond_the_handlers_authority_is_offered_to_the_department_head(client, office):
    policy(office, {"authority": {"limits": {"handler": 500, "dept_head": 1000, "vp": 5000}}})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    assert post(client, office, case, "start", at="2026-09-01T09:10:00+08:00").status_code == 200
    r = post(client, office, case, "demand", amount="2000", demands=["compensation"], at="2026-09-01T09:30:00+08:00")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["authority_level"] == "dept_head" and body["demand_amount"] == "2000.00"
    [step] = body["authority_steps"]
    assert (step["from_level"], step["level"], step["reason"], step["amount"], step["limit"], step["offered_to"]) == (
        "handler", "dept_head", "beyond_authority", "2000.00", "500.00", [office.ids["wang"]])
    [decision] = decisions_of(office, case, "CMP-41")
    assert decision.outcome["reason"] == "beyond_authority" and "超出经办人权限¥500.00" in decision.reason_zh
    assert notes(office, "cmp.authority.offered") == [(office.ids["wang"], "cmp.authority.offered")]
    # the same demand again: the department head has it to decide, nothing moves
    again = post(client, office, case, "demand", amount="2000", at="2026-09-01T10:00:00+08:00").get_json()
    assert again["authority_level"] == "dept_head" and len(again["authority_steps"]) == 1


def test_cmp41_a_demand_taken_in_at_intake_is_checked_when_the_case_is_taken_in_hand(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", demand_amount="2000")
    body = post(client, office, case, "start", at="2026-09-01T09:10:00+08:00").get_json()
    assert body["authority_level"] == "dept_head" and body["status"] == "in_progress"


def test_cmp41_dissatisfaction_climbs_to_the_gm_and_stops_there(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    levels = []
    for minute in (10, 20, 30):
        r = post(client, office, case, "escalate", reason="dissatisfied", at=f"2026-09-01T09:{minute}:00+08:00")
        assert r.status_code == 201, r.get_json()
        levels.append((r.get_json()["authority_level"], r.get_json()["authority_steps"][-1]["offered_to"]))
    assert levels == [("dept_head", [office.ids["wang"]]), ("vp", [office.ids["li"]]), ("gm", [office.ids["zhou"]])]
    r = post(client, office, case, "escalate", reason="dissatisfied")
    assert r.status_code == 409
    assert len(decisions_of(office, case, "CMP-41")) == 3


def test_cmp41_an_amount_within_authority_is_not_escalated(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    r = post(client, office, case, "escalate", reason="beyond_authority", amount="500")
    assert r.status_code == 409
    assert post(client, office, case, "escalate", reason="beyond_authority").status_code == 409  # no amount at all
    assert decisions_of(office, case, "CMP-41") == []


def test_cmp41_a_level_nobody_holds_is_skipped(client, office):
    client.patch(f"/api/v1/users/{office.ids['li']}", headers=office.handle.headers(), json={"is_active": False})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    post(client, office, case, "escalate", reason="dissatisfied")
    step = post(client, office, case, "escalate", reason="dissatisfied").get_json()["authority_steps"][-1]
    assert (step["level"], step["skipped"], step["offered_to"]) == ("gm", ["vp"], [office.ids["zhou"]])


# CMP-42 ------------------------------------------------------------------------------------------------

def test_cmp42_lift_entrapment_flagged_major_on_the_dragon_boat_holiday(client, office):
    policy(office, {"major": {"group_member": True}})
    case = take_in(client, office, "2026-06-19T10:00:00+08:00", severity="major", subject_ref="5号楼电梯",
                   content="电梯困人")
    track = client.get(f"{URL}/{case['id']}/major", headers=h(office)).get_json()
    assert track["flagged_at"] == "2026-06-19T02:00:00+00:00"
    assert track["ack_due_at"] == "2026-06-19T03:00:00+00:00"  # 11:00
    assert track["group_warning_due_at"] == "2026-06-20T02:00:00+00:00"  # 2026-06-20 10:00
    assert sorted(track["recipients"]) == sorted([office.ids["wang"], office.ids["zhou"]])
    [decision] = decisions_of(office, case, "CMP-42")
    assert decision.outcome["notified_at"] == "2026-06-19T10:00:00+08:00"  # notifications at 10:00
    with tenant_scope(office.handle.id):
        told = db.session.execute(select(Notification.user_id, Notification.due_at).where(
            Notification.kind == "cmp.major.notify")).all()
        assert sorted(u for u, _ in told) == sorted([office.ids["wang"], office.ids["zhou"]])
        assert {due.isoformat() for _, due in told} == {"2026-06-19T03:00:00+00:00"}
    assert "major_flagged" in events(client, office, case)

    # no reply time fixed with the customer: the next transition is refused, nothing written
    before = events(client, office, case)
    r = post(client, office, case, "start", at="2026-06-19T10:20:00+08:00")
    assert r.status_code == 422 and "customer_reply_at" in r.get_json()["errors"]["json"]
    assert events(client, office, case) == before
    r = client.put(f"{URL}/{case['id']}/customer-reply-time", headers=h(office),
                   json={"reply_at": "2026-06-19T16:00:00+08:00"})
    assert r.status_code == 200 and r.get_json()["customer_reply_at"] == "2026-06-19T08:00:00+00:00"
    assert post(client, office, case, "start", at="2026-06-19T10:20:00+08:00").get_json()["status"] == "in_progress"

    # acknowledgements: only those told; Wang in time, the GM not at all
    assert post(client, office, case, "major/acknowledge", who="ma").status_code == 403
    r = post(client, office, case, "major/acknowledge", who="wang", at="2026-06-19T10:30:00+08:00")
    assert r.status_code == 200 and list(r.get_json()["acknowledgements"]) == [str(office.ids["wang"])]

    assert job(office, "2026-06-19T10:59:00+08:00", 1)["ack_overdue"] == []
    assert job(office, "2026-06-19T11:01:00+08:00", 1)["ack_overdue"] == [case["id"]]
    assert job(office, "2026-06-19T11:01:00+08:00", 2)["ack_overdue"] == []  # run twice: one effect
    assert job(office, "2026-06-19T11:03:00+08:00", 1)["ack_overdue"] == []
    assert notes(office, "cmp.major.ack_overdue") == [(office.ids["zhou"], "cmp.major.ack_overdue")]

    meeting = post(client, office, case, "major/meetings", who="zhao", held_at="2026-06-19T13:00:00+08:00",
                   minutes="启动应急预案，维保单位到场", attendees=["周总", "王经理"], convened_by=office.ids["zhou"])
    assert meeting.status_code == 201, meeting.get_json()
    assert post(client, office, case, "major/meetings", who="ma", minutes="x").status_code == 403

    assert job(office, "2026-06-20T10:01:00+08:00", 1)["group_warning_overdue"] == [case["id"]]
    assert job(office, "2026-06-20T10:02:00+08:00", 2)["group_warning_overdue"] == []
    assert sorted(u for u, _ in notes(office, "cmp.major.group_warning_overdue")) == sorted(
        [office.ids["zhou"], office.ids["ma"]])
    assert len(decisions_of(office, case, "CMP-42")) == 3  # flagged, acknowledgement late, group warning late

    r = post(client, office, case, "major/group-warning", who="zhao", sent_at="2026-06-20T12:00:00+08:00",
             sent_to=["品牌事业部", "法务部"], text="电梯困人事件预警报告")
    assert r.status_code == 200 and r.get_json()["group_warning_sent_at"] == "2026-06-20T04:00:00+00:00"
    assert post(client, office, case, "major/group-warning", who="zhao", sent_to=["法务部"], text="again").status_code == 409
    path = client.get(f"{URL}/{case['id']}/major", headers=h(office)).get_json()
    assert [m["minutes"] for m in path["meetings"]] == ["启动应急预案，维保单位到场"]


def test_cmp42_a_company_outside_a_group_has_no_group_warning(client, office):
    case = take_in(client, office, "2026-06-19T10:00:00+08:00", severity="major")
    track = client.get(f"{URL}/{case['id']}/major", headers=h(office)).get_json()
    assert track["group_warning_due_at"] is None
    r = post(client, office, case, "major/group-warning", who="zhao", sent_to=["法务部"], text="报告")
    assert r.status_code == 409
    # everyone acknowledges in time: the watch has nothing to do
    for who in ("wang", "zhou"):
        assert post(client, office, case, "major/acknowledge", who=who, at="2026-06-19T10:40:00+08:00").status_code == 200
    assert job(office, "2026-06-19T11:01:00+08:00", 1)["checked"] == 0


def test_cmp42_a_general_case_has_no_major_path(client, office):
    case = take_in(client, office, "2026-06-19T10:00:00+08:00")
    assert client.get(f"{URL}/{case['id']}/major", headers=h(office)).status_code == 404
    assert post(client, office, case, "major/acknowledge", who="wang").status_code == 409
    assert post(client, office, case, "major/meetings", who="zhao", minutes="x").status_code == 409
    assert post(client, office, case, "start").status_code == 200  # no reply time needed


# CMP-50 ------------------------------------------------------------------------------------------------

def test_cmp50_gm_approval_before_the_customer_is_told(client, office):
    policy(office, {"approval": {"mode": "gm"}})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", channel="walk_in")
    r = post(client, office, case, "solution", solution="更换配件并补偿", compensation="800",
             resolution_method="compensation", at="2026-09-01T11:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["approval_status"], r.get_json()["approver_role"], r.get_json()["status"]) == (
        "pending", "gm", "in_progress")
    assert milestones(client, office, case)["solution"]["met_at"] == "2026-09-01T03:00:00+00:00"
    # a first contact is not the solution: allowed, and it meets the reply deadline
    interim = post(client, office, case, "replies", text="已受理，正在处理", method="phone", final=False,
                   at="2026-09-01T09:30:00+08:00")
    assert interim.status_code == 201 and interim.get_json()["reply_text"] is None
    assert milestones(client, office, case)["reply"]["state"] == "met"
    r = post(client, office, case, "replies", text="补偿800元", method="visit", at="2026-09-01T12:00:00+08:00")
    assert r.status_code == 409  # reply before GM approval
    assert post(client, office, case, "approval", who="wang", decision="approve", text="同意").status_code == 403
    r = post(client, office, case, "approval", who="zhou", decision="approve", text="同意补偿800元",
             at="2026-09-01T13:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["approval_status"], body["approved_by"], body["approved_at"], body["approval_text"]) == (
        "approved", office.ids["zhou"], "2026-09-01T05:00:00+00:00", "同意补偿800元")
    r = post(client, office, case, "replies", text="补偿800元", method="visit", at="2026-09-01T14:00:00+08:00")
    assert r.status_code == 201 and r.get_json()["reply_method"] == "visit"
    assert post(client, office, case, "approval", who="zhou", decision="approve", text="再批").status_code == 409


def test_cmp50_matrix_by_the_compensation(client, office):
    policy(office, {"approval": {"mode": "matrix"}})
    roles = []
    for amount in ("800", "3000", "12000"):
        case = take_in(client, office, "2026-09-01T09:00:00+08:00")
        body = post(client, office, case, "solution", solution="补偿", compensation=amount).get_json()
        roles.append(body["approver_role"])
        [decision] = decisions_of(office, case, "CMP-50")
        assert decision.outcome["approver_role"] == body["approver_role"]
    assert roles == ["dept_manager", "vp", "gm"]
    assert [u for u, _ in notes(office, "cmp.approval.requested")] == [
        office.ids["wang"], office.ids["li"], office.ids["zhou"]]


def test_cmp50_a_returned_solution_is_proposed_again_and_the_accused_never_approves(client, office):
    policy(office, {"approval": {"mode": "vp"}})
    client.patch(f"/api/v1/users/{office.ids['tang']}", headers=office.handle.headers(), json={"roles": ["vp"]})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", accused_user_id=office.ids["tang"],
                   category="staff_attitude")
    post(client, office, case, "solution", solution="道歉")
    assert post(client, office, case, "approval", who="tang", decision="approve", text="同意").status_code == 404  # the accused never sees the case (CMP-21)
    r = post(client, office, case, "approval", who="li", decision="return", text="补偿不足")
    assert r.get_json()["approval_status"] == "returned"
    assert post(client, office, case, "replies", text="道歉", method="phone").status_code == 409
    assert post(client, office, case, "solution", solution="道歉并补偿", compensation="200").get_json()[
        "approval_status"] == "pending"


# CMP-52 / CMP-53 -----------------------------------------------------------------------------------------

def test_cmp52_no_close_without_resolution_action_and_reply(client, office):
    case = take_in(client, office, "2026-09-30T10:00:00+08:00")
    assert post(client, office, case, "close").status_code == 409  # not resolved yet
    r = post(client, office, case, "resolve", at="2026-10-08T10:00:00+08:00")
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    before = events(client, office, case)
    r = post(client, office, case, "close", at="2026-10-08T11:00:00+08:00")
    assert r.status_code == 422
    assert set(r.get_json()["errors"]["json"]) == {"resolution_method", "action_taken", "reply"}
    assert events(client, office, case) == before
    post(client, office, case, "replies", text="已更换", method="phone", at="2026-10-08T10:30:00+08:00")
    r = post(client, office, case, "close", resolution_method="repair", action_taken="更换配件", satisfaction=4,
             satisfaction_comment="满意", at="2026-10-08T11:00:00+08:00")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["closed_at"], body["satisfaction"], body["reply_method"]) == (
        "closed", "2026-10-08T03:00:00+00:00", 4, "phone")
    m = milestones(client, office, case)
    # the reply came after its due time (10-01 10:00): met late, so it stays a breach, with its time
    assert (m["reply"]["state"], m["resolve"]["state"], m["solution"]["state"]) == ("breached", "met", "cancelled")
    assert m["reply"]["met_at"] == "2026-10-08T02:30:00+00:00"
    assert [k for k in events(client, office, case) if k in ("in_progress", "resolved", "replied", "closed")] == [
        "in_progress", "resolved", "replied", "closed"]
    assert post(client, office, case, "resolve").status_code == 409


def test_cmp52_a_letter_complaint_replied_by_phone_only_does_not_close(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", channel="letter")
    post(client, office, case, "replies", text="电话答复", method="phone", at="2026-09-01T10:00:00+08:00")
    post(client, office, case, "resolve", resolution_method="explanation", action_taken="解释说明")
    r = post(client, office, case, "close")
    assert r.status_code == 422 and set(r.get_json()["errors"]["json"]) == {"reply_method"}
    post(client, office, case, "replies", text="书面答复", method="letter", at="2026-09-02T10:00:00+08:00")
    assert post(client, office, case, "close").status_code == 200


def test_cmp52_unless_the_company_allows_any_form(client, office):
    policy(office, {"reply": {"form_follows_channel": False}})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", channel="letter")
    post(client, office, case, "replies", text="电话答复", method="phone", at="2026-09-01T10:00:00+08:00")
    post(client, office, case, "resolve", resolution_method="explanation", action_taken="解释说明")
    assert post(client, office, case, "close").status_code == 200


def test_cmp53_confirmation_required_and_satisfaction_from_1_to_5(client, office):
    policy(office, {"close": {"requires_confirmation": True}})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    post(client, office, case, "replies", text="已处理", method="phone", at="2026-09-01T10:00:00+08:00")
    post(client, office, case, "resolve", resolution_method="repair", action_taken="维修")
    r = post(client, office, case, "close")
    assert r.status_code == 422 and set(r.get_json()["errors"]["json"]) == {"customer_confirmed"}
    assert post(client, office, case, "feedback", satisfaction=6).status_code == 422
    r = post(client, office, case, "feedback", satisfaction=5, satisfaction_comment="很好", customer_confirmed=True)
    assert r.status_code == 200 and r.get_json()["customer_confirmed"] is True
    assert post(client, office, case, "close").get_json()["status"] == "closed"


# CMP-51 / CMP-54 / CMP-55 ----------------------------------------------------------------------------------

def test_cmp51_the_customer_sees_customer_facing_fields_only(client, office):
    customer = client.post("/api/v1/customers", headers=h(office), json={
        "name": "刘女士", "phones": [{"number": "13800138000"}]}).get_json()
    case = take_in(client, office, "2026-09-01T09:00:00+08:00", customer_id=customer["id"],
                   accused_user_id=office.ids["tang"], category="staff_attitude", witnesses=["同事甲"])
    client.put(f"{URL}/{case['id']}/analysis", headers=h(office), json={"internal_notes": "内部：拟处罚唐某200元",
                                                                         "root_cause": "服务态度"})
    post(client, office, case, "solution", solution="道歉并赠送保养一次", compensation="300")
    view = client.get(f"{URL}/{case['id']}/customer-view", headers=h(office)).get_json()
    for internal in ("internal_notes", "accused_user_id", "witnesses", "root_cause", "approval_text", "owner_id"):
        assert internal not in view
    assert view["solution"] is None  # not told yet
    post(client, office, case, "replies", text="向您致歉", method="phone")
    view = client.get(f"{URL}/{case['id']}/customer-view", headers=h(office)).get_json()
    assert (view["solution"], view["compensation"], view["reply_text"]) == ("道歉并赠送保养一次", "300.00", "向您致歉")
    exported = client.get(f"{URL}/customer-views?customer_id={customer['id']}", headers=h(office)).get_json()
    assert [c["number"] for c in exported] == [case["number"]]
    assert "内部" not in str(exported) and "internal_notes" not in exported[0]
    full = client.get(f"{URL}/{case['id']}", headers=h(office)).get_json()
    assert full["accused_user_id"] == office.ids["tang"]  # staff still see it


def test_cmp54_reopen_is_a_new_case_linked_to_its_parent_not_a_repeat(client, office):
    cases = [take_in(client, office, f"2026-09-0{day}T09:00:00+08:00", channel="letter", category="other",
                     complainant_name="刘女士", complainant_phone="13800138000", demand_amount="300")
             for day in range(1, 6)]
    parent = cases[-1]
    assert parent["number"] == "260905"
    assert post(client, office, parent, "reopen", reason="仍不满意").status_code == 409  # still open
    post(client, office, parent, "replies", text="书面答复", method="letter", at="2026-09-05T15:00:00+08:00")
    post(client, office, parent, "resolve", resolution_method="explanation", action_taken="解释",
         at="2026-09-06T10:00:00+08:00")
    post(client, office, parent, "close", at="2026-09-06T11:00:00+08:00")
    r = post(client, office, parent, "reopen", reason="客户不接受结论", at="2026-09-10T09:00:00+08:00")
    assert r.status_code == 201, r.get_json()
    child = r.get_json()
    assert child["number"] == "260906" and child["number"].startswith("2609")
    assert (child["parent_id"], child["is_repeat"], child["status"], child["channel"]) == (
        parent["id"], False, "received", "letter")
    assert (child["complainant_phone"], child["demand_amount"]) == ("+8613800138000", "300.00")  # the parent's facts
    m = {x["code"]: x for x in child["milestones"]}
    assert m["reply"]["start_at"] == "2026-09-10T01:00:00+00:00"  # a fresh clock
    [decision] = decisions_of(office, child, "CMP-54")
    assert decision.outcome["repeat"] is False and decision.outcome["parent_number"] == "260905"
    assert "reopened" in events(client, office, parent)
    view = client.get(f"{URL}/{child['id']}/customer-view", headers=h(office)).get_json()
    assert view["parent_number"] == "260905"


def test_cmp55_gap_in_standard_at_closure_opens_an_improvement_proposal(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    post(client, office, case, "replies", text="已处理", method="phone", at="2026-09-01T10:00:00+08:00")
    post(client, office, case, "resolve", resolution_method="repair", action_taken="维修")
    r = post(client, office, case, "close", root_cause="无电梯困人应急标准", corrective_action="培训",
             preventive_action="制定标准", gap_in_standard=True, gap_note="制定电梯困人应急处置标准")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["improvement_tracked"] is True
    [proposal] = client.get(f"{URL}/{case['id']}/improvements", headers=h(office)).get_json()
    assert (proposal["state"], proposal["text"], proposal["department_id"]) == (
        "draft", "制定电梯困人应急处置标准", office.departments["客服部"])
    assert notes(office, "cmp.improvement.step") == [(office.ids["wang"], "cmp.improvement.step")]
    base = f"{URL}/{case['id']}/improvements/{proposal['id']}"

    def act(step, who, **body):
        return client.post(f"{base}/{step}", headers=h(office, who), json=body)

    assert act("sign", "ma").status_code == 403
    assert act("approve", "zhou").status_code == 409  # not signed yet
    assert act("sign", "wang").get_json()["state"] == "signed"
    assert act("countersign", "zhou").status_code == 403  # marketing countersigns
    assert act("return", "liu").status_code == 422  # a return needs its note
    assert act("return", "liu", note="请补充培训计划").get_json()["state"] == "draft"
    r = client.patch(base, headers=h(office), json={"text": "制定标准并培训"})
    assert r.status_code == 200 and r.get_json()["text"] == "制定标准并培训"
    assert act("sign", "wang").status_code == 200
    assert client.patch(base, headers=h(office), json={"text": "改"}).status_code == 409
    assert act("countersign", "liu").get_json()["state"] == "countersigned"
    approved = act("approve", "zhao").get_json()
    assert (approved["state"], approved["approved_by"], approved["signed_by"], approved["countersigned_by"]) == (
        "approved", office.ids["zhao"], office.ids["wang"], office.ids["liu"])
    assert act("approve", "zhou").status_code == 409


def test_cmp55_human_negligence_is_exempt_from_tracking_and_no_gap_no_proposal(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    post(client, office, case, "replies", text="已处理", method="phone", at="2026-09-01T10:00:00+08:00")
    post(client, office, case, "resolve", resolution_method="apology", action_taken="道歉")
    body = post(client, office, case, "close", root_cause="员工疏忽", human_negligence=True).get_json()
    assert (body["improvement_tracked"], body["human_negligence"]) == (False, True)
    assert client.get(f"{URL}/{case['id']}/improvements", headers=h(office)).get_json() == []
    [decision] = decisions_of(office, case, "CMP-55")
    assert decision.outcome == {"improvement_tracked": False, "improvement_proposal": False}


def test_steps_are_dated_after_intake_and_not_in_the_future(client, office):
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    r = post(client, office, case, "start", at="2026-08-31T09:00:00+08:00")
    assert r.status_code == 422 and "at" in r.get_json()["errors"]["json"]
    assert post(client, office, case, "start", at="2099-01-01T09:00:00+08:00").status_code == 422
    with tenant_scope(office.handle.id):
        from core.complaints.models import ComplaintEvent

        assert db.session.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.complaint_id == case["id"], ComplaintEvent.kind == "in_progress")) == 0


def test_cmp20_only_the_owner_handler_or_a_manager_resolves_answers_finally_and_closes(client, office, make_tenant):
    from core.complaints.models import Complaint

    case = take_in(client, office, "2026-09-01T09:00:00+08:00")  # Ma takes it in: Ma owns it
    with tenant_scope(office.handle.id):
        db.session.get(Complaint, (office.handle.id, case["id"])).handler_id = office.ids["tang"]
        db.session.commit()
    reply = dict(text="书面答复", method="letter", at="2026-09-01T15:00:00+08:00")
    r = post(client, office, case, "replies", who="liu", **reply)
    assert r.status_code == 403  # Liu is neither owner, handler nor a manager
    assert post(client, office, case, "replies", who="liu", **{**reply, "final": False}).status_code == 201
    assert post(client, office, case, "replies", who="tang", **reply).status_code == 403  # the handler: not the final
    assert post(client, office, case, "replies", **reply).status_code == 201  # the owner
    resolve = dict(resolution_method="explanation", action_taken="解释", at="2026-09-02T10:00:00+08:00")
    assert post(client, office, case, "resolve", who="liu", **resolve).status_code == 403
    assert post(client, office, case, "resolve", who="tang", **resolve).status_code == 200  # the handler resolves
    assert post(client, office, case, "close", who="tang", at="2026-09-02T11:00:00+08:00").status_code == 403
    assert post(client, office, case, "close", who="liu", at="2026-09-02T11:00:00+08:00").status_code == 403
    r = post(client, office, case, "close", who="wang", at="2026-09-02T11:00:00+08:00")  # a department manager
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    other = make_tenant("cmp-res-b", "别的公司")
    _uid, token = make_tenant.user(other, "ma_b", roles=["cs_agent"])
    r = client.post(f"{URL}/{case['id']}/close", headers=other.headers(token), json={})
    assert r.status_code == 404  # another company's case: not found before any role check


@pytest.mark.postgres_only
def test_cmp50_two_approvers_at_once_decide_once(app, client, office):
    """The case row is locked by each step: of two vice presidents approving at the same moment, one
    decides (200) and the other finds nothing pending (409) — one CMP-50 decision."""
    import threading

    policy(office, {"approval": {"mode": "vp"}})
    client.patch(f"/api/v1/users/{office.ids['zhao']}", headers=office.handle.headers(), json={"roles": ["vp"]})
    case = take_in(client, office, "2026-09-01T09:00:00+08:00")
    assert post(client, office, case, "solution", solution="补偿", compensation="300").status_code == 200
    start, codes = threading.Barrier(2), []

    def approve(who):
        with app.app_context():
            start.wait(10)
            r = app.test_client().post(f"{URL}/{case['id']}/approval", headers=h(office, who),
                                       json={"decision": "approve", "text": f"{who}同意"})
            codes.append(r.status_code)

    threads = [threading.Thread(target=approve, args=(who,)) for who in ("li", "zhao")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]
    assert len(decisions_of(office, case, "CMP-50")) == 2  # the request for approval, then one decision
