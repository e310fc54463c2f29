"""Complaint intake and handling through the API (CMP-01, -03, -06, -10..14, -20..23, -43): the spec's
vectors with their dates, roles (403), conflicts (409), bad input (422, nothing written)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.complaints.models import Complaint
from core.customers import ownership_store
from core.customers.ownership.households import add_link
from core.customers.service import create_customer
from core.customers.visits.models import Commitment
from core.db import db
from core.decisions import service as decisions
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.helpers import policy_since

SH = ZoneInfo("Asia/Shanghai")


@dataclass
class Org:
    handle: object
    ids: dict
    tokens: dict
    departments: dict
    liu: int  # customer owned by tang (sales)
    wang: int  # Liu's spouse (one household, CUS-14)
    zhao: int  # customer of the county-B unit

    def h(self, who="ma"):
        return self.handle.headers(self.tokens[who])


@pytest.fixture
def org(make_tenant):
    handle = make_tenant("cmp-handling", "客服公司")
    policy_since(handle.id, "cmp", {"routing": {"staff_attitude": "客服部", "service_not_delivered": "客服部",
                                                "other": "客服部"}}, "2026-01-01")
    ids, tokens = {}, {}
    for name, roles in (("ma", ["cs_agent"]), ("li", ["cs_agent"]), ("sup", ["cs_supervisor", "supervisor"]),
                        ("tang", ["salesperson"]), ("xu", ["salesperson"]), ("mgr", ["dept_manager"]),
                        ("vp", ["vp"]), ("gm", ["gm"]), ("eng", ["technician"]), ("county_a", ["cs_agent"])):
        ids[name], tokens[name] = make_tenant.user(handle, name, roles=roles)
    with tenant_scope(handle.id), acting_as("test"):
        deps = {}
        for name in ("客服部", "工程部", "销售部", "甲县营业所", "乙县营业所"):
            deps[name] = Department(name=name)
            db.session.add(deps[name])
        db.session.flush()
        members = {"ma": "客服部", "li": "客服部", "sup": "客服部", "tang": "销售部", "xu": "销售部", "mgr": "客服部",
                   "eng": "工程部", "county_a": "甲县营业所"}
        for user in db.session.scalars(select(User)):
            if user.username in members:
                user.department_id = deps[members[user.username]].id
        liu, _ = create_customer({"name": "刘先生", "phones": [{"number": "13800138000"}]})
        wang, _ = create_customer({"name": "王女士", "phones": [{"number": "13900139000"}]})
        zhao, _ = create_customer({"name": "赵先生", "phones": [{"number": "13700137000"}]})
        add_link(liu.id, wang.id, "spouse")
        long_ago = dt.datetime(2026, 1, 1, tzinfo=SH)
        for customer, owner, dep in ((liu, "tang", "销售部"), (zhao, "xu", "乙县营业所")):
            ownership_store.set_owner(customer.id, owner_id=ids[owner], state="protected", rule_id="CUS-31",
                                      reason_zh="测试", reason_en="test", at=long_ago, department_id=deps[dep].id)
        org = Org(handle, ids, tokens, {k: v.id for k, v in deps.items()}, liu.id, wang.id, zhao.id)
        db.session.commit()
    db.session.rollback()
    return org


def post(client, org, who="ma", **body):
    return client.post("/api/v1/complaints", headers=org.h(who),
                       json={"channel": "phone", "content": "投诉内容", "category": "staff_attitude", **body})


def create(client, org, who="ma", **body):
    r = post(client, org, who, **body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def act(client, org, case_id, action, who="sup", **body):
    return client.post(f"/api/v1/complaints/{case_id}/{action}", headers=org.h(who), json=body)


def kinds(case):
    return [e["kind"] for e in case["events"]]


def rules_of(org, case_id):
    with tenant_scope(org.handle.id):
        return [d.rule_id for d in db.session.scalars(decisions.query("complaint", case_id))]


def notes(org, who, kind=None):
    with tenant_scope(org.handle.id):
        stmt = select(Notification).where(Notification.user_id == org.ids[who])
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        return list(db.session.scalars(stmt))


def milestones(case):
    return {m["code"]: m for m in case["milestones"]}


def close_case(org, case_id, closed_at):
    """The resolution area closes cases; the tests here only need a closed earlier case."""
    with tenant_scope(org.handle.id):
        row = db.session.scalars(select(Complaint).where(Complaint.id == case_id)).one()
        row.status, row.closed_at = "closed", dt.datetime.fromisoformat(closed_at)
        db.session.commit()


# --- CMP-01 case types ---------------------------------------------------------------------------------


def test_cmp01_suggestion_with_a_promised_reply_date_becomes_a_commitment(client, org):
    case = create(client, org, case_type="suggestion", customer_id=org.liu, content="建议延长周末营业时间",
                  received_at="2026-09-28T10:00:00+08:00", promised_reply_on="2026-10-12")
    assert case["promised_reply_at"] == "2026-10-12T16:00:00+00:00"  # through 10-12 (24:00 Shanghai)
    with tenant_scope(org.handle.id):
        commitment = db.session.scalars(select(Commitment).where(Commitment.source_id == case["id"])).one()
        assert (commitment.customer_id, commitment.owner_id, commitment.kind, commitment.status) == (
            org.liu, org.ids["ma"], "reply", "open")
        assert commitment.due_at == dt.datetime(2026, 10, 13, tzinfo=SH) and commitment.source_type == "complaint"
    assert "reply_promised" in kinds(case) and case["milestones"] == []
    assert [n.rule_id for n in notes(org, "gm", "cmp.suggestion")] == ["CMP-01"]  # reported to leadership
    r = post(client, org, case_type="suggestion", received_at="2026-09-28T10:00:00+08:00",
             promised_reply_on="2026-09-27")
    assert r.status_code == 422 and "promised_reply_on" in r.get_json()["errors"]["json"]
    r = post(client, org, promised_reply_on="2026-10-12")  # a complaint: its next reply is CMP-36's
    assert r.status_code == 422 and "promised_reply_on" in r.get_json()["errors"]["json"]
    # adopted or not, recorded once, by a supervisor
    assert act(client, org, case["id"], "adoption", who="ma", adopted=True).status_code == 403
    r = act(client, org, case["id"], "adoption", adopted=False, note="人手不足，暂不采纳")
    assert r.status_code == 200 and r.get_json()["adopted"] is False
    assert act(client, org, case["id"], "adoption", adopted=True).status_code == 409
    complaint = create(client, org)
    assert act(client, org, complaint["id"], "adoption", adopted=True).status_code == 409


def test_cmp01_inquiry_answered_on_the_spot_meets_its_reply(client, org):
    case = create(client, org, case_type="inquiry", received_at="2026-09-18T16:00:00+08:00", answered_on_the_spot=True)
    reply = milestones(case)["reply"]
    assert reply["state"] == "met" and reply["met_at"] == "2026-09-18T08:00:00+00:00"
    logged = create(client, org, case_type="inquiry", received_at="2026-09-18T16:00:00+08:00")
    assert milestones(logged)["reply"]["state"] == "open"
    assert milestones(logged)["reply"]["due_at"] == "2026-09-19T08:00:00+00:00"  # 09-19 16:00 Shanghai


# --- CMP-03 intake fields --------------------------------------------------------------------------------


def test_cmp03_kehu_complaint_fields_validated_required_and_verified(client, make_tenant):
    from tests.plugins.sample_models import SampleReading

    meters = make_tenant("cmp-meters", "水务公司", plugins=["sample"])
    plain = make_tenant("cmp-plain", "普通公司")
    body = {"channel": "phone", "content": "水表走字快", "category": "meter_fault"}

    def send(handle, **more):
        return client.post("/api/v1/complaints", headers=handle.headers(), json={**body, **more})

    r = send(meters)
    assert r.status_code == 422 and "extra.meter_no" in r.get_json()["errors"]["json"]  # required (CAR: plate)
    r = send(meters, extra={"meter_no": "12345", "reading": -1, "colour": "red"})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]["json"]) == {"extra.meter_no", "extra.reading", "extra.colour"}
    assert client.get("/api/v1/complaints", headers=meters.headers()).get_json() == []
    # not in the master data → taken in with the warning (spec: plate 川E12345 not in the vehicle master)
    r = send(meters, extra={"meter_no": "M123456", "reading": 42})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["warnings"] == ["not_verified"] and case["extra"] == {"meter_no": "M123456", "reading": 42}
    assert [e["data"] for e in case["events"] if e["kind"] == "not_verified"] == [{"fields": ["meter_no"]}]
    with tenant_scope(meters.id):
        db.session.add(SampleReading(meter="M123456", value=40))
        db.session.commit()
    assert send(meters, extra={"meter_no": "M123456"}).get_json()["warnings"] == []
    # only complaints require it; a tenant without the plugin does not know the field
    r = client.post("/api/v1/complaints", headers=meters.headers(), json={
        "channel": "phone", "content": "营业时间？", "case_type": "inquiry"})
    assert r.status_code == 201
    r = client.post("/api/v1/complaints", headers=plain.headers(), json={
        "channel": "phone", "content": "x", "extra": {"meter_no": "M123456"}})
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"extra.meter_no": ["unknown field"]}


def test_cmp03_accused_employee_signature_only_in_person(client, org):
    r = post(client, org, channel="walk_in", accused_user_id=org.ids["tang"], witnesses=[])
    assert r.status_code == 422 and "complainant_signed" in r.get_json()["errors"]["json"]
    case = create(client, org, channel="phone", accused_user_id=org.ids["tang"])  # spec test (3)
    assert case["accused_user_id"] == org.ids["tang"] and case["excluded_user_ids"] == [org.ids["tang"]]
    signed = create(client, org, channel="walk_in", accused_user_id=org.ids["tang"], complainant_signed=True,
                    complainant_name="刘先生")
    assert signed["complainant_signed"] is True and signed["anonymous"] is False
    assert case["anonymous"] is True  # nothing identifies the complainant
    r = post(client, org, demands=["free_car"], tags=["vip"])
    assert r.status_code == 422 and {"demands", "tags"} <= set(r.get_json()["errors"]["json"])


def test_cmp04_cause_list_when_the_tenant_keeps_one(client, org):
    assert create(client, org, cause="anything")["cause"] == "anything"
    policy_since(org.handle.id, "cmp", {"routing": {"staff_attitude": "客服部"}, "causes": ["water_leak", "noise"]},
                 "2026-06-01")
    r = post(client, org, cause="anything", received_at="2026-09-01T10:00:00+08:00")
    assert r.status_code == 422 and "cause" in r.get_json()["errors"]["json"]
    assert create(client, org, cause="noise", received_at="2026-09-01T10:00:00+08:00")["cause"] == "noise"
    vocabulary = client.get("/api/v1/complaints/vocabulary", headers=org.h()).get_json()
    assert vocabulary["causes"] == ["water_leak", "noise"] and "exchange" in vocabulary["demands"]
    assert "collective>=3" in vocabulary["major_criteria"] and "general_error" in vocabulary["findings"]


# --- CMP-06 acceptance and findings ----------------------------------------------------------------------


def test_cmp06_accept_then_finding_recorded_once(client, org):
    case = create(client, org, received_at="2026-09-30T10:00:00+08:00", accused_user_id=org.ids["tang"])
    cid = case["id"]
    r = act(client, org, cid, "finding", finding="general_error", grounds_sufficient=True, demand_reasonable=True)
    assert r.status_code == 409  # a finding follows acceptance
    assert act(client, org, cid, "accept", who="ma").status_code == 403
    r = act(client, org, cid, "accept", at="2026-09-30T11:00:00+08:00", grounds_sufficient=True)
    assert r.status_code == 200, r.get_json()
    accepted = r.get_json()
    assert (accepted["status"], accepted["accepted_by"], accepted["accepted_at"]) == (
        "accepted", org.ids["sup"], "2026-09-30T03:00:00+00:00")
    assert act(client, org, cid, "accept").status_code == 409
    r = act(client, org, cid, "finding", finding="bad_luck", grounds_sufficient=True, demand_reasonable=True)
    assert r.status_code == 422
    r = act(client, org, cid, "finding", finding="general_error", grounds_sufficient=True, demand_reasonable=False,
            note="服务用语不规范")
    assert r.status_code == 200
    found = r.get_json()
    assert (found["finding"], found["grounds_sufficient"], found["demand_reasonable"]) == ("general_error", True, False)
    event = [e for e in found["events"] if e["kind"] == "finding_recorded"][0]
    assert event["data"]["accused_user_id"] == org.ids["tang"] and event["decision_id"] is not None
    assert act(client, org, cid, "finding", finding="customer_side", grounds_sufficient=False,
               demand_reasonable=False).status_code == 409
    # acceptance and finding; the finding's staff consequence for the accused (CMP-06 → CMP-70) is a third
    assert rules_of(org, cid).count("CMP-06") == 3
    proposals = client.get(f"/api/v1/staff/entries?user_id={org.ids['tang']}&subject_type=complaint&subject_id={cid}",
                           headers=org.handle.headers()).get_json()
    assert [(e["rule_id"], e["kind"], e["state"]) for e in proposals] == [("CMP-06", "penalty", "proposed")]


def test_cmp06_reject_with_a_reply_ends_the_clocks(client, org):
    case = create(client, org, received_at="2026-09-30T10:00:00+08:00")
    r = act(client, org, case["id"], "reject", reply="   ")
    assert r.status_code == 422 and "reply" in r.get_json()["errors"]["json"]
    r = act(client, org, case["id"], "reject", reply="经核实，该情况属于正常收费，已向您解释。", reason="customer_side",
            at="2026-09-30T15:00:00+08:00")
    assert r.status_code == 200
    rejected = r.get_json()
    assert rejected["status"] == "rejected" and rejected["rejection_reply"].startswith("经核实")
    m = milestones(rejected)
    assert m["reply"]["state"] == "met" and m["reply"]["met_at"] == "2026-09-30T07:00:00+00:00"
    assert m["solution"]["state"] == m["resolve"]["state"] == "cancelled"
    assert act(client, org, case["id"], "accept").status_code == 409
    r = act(client, org, case["id"], "accept", at="2026-09-29T10:00:00+08:00")
    assert r.status_code in (409, 422)


# --- CMP-10/11 severity and major criteria ---------------------------------------------------------------


def test_cmp10_lowering_major_needs_a_reason_and_a_supervisor(client, org):
    case = create(client, org, severity="major", severity_reason="客户扬言找媒体")
    assert case["severity"] == "major" and case["level"] == "dept_manager"
    cid = case["id"]
    r = act(client, org, cid, "severity", who="sup", severity="general")
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]  # spec test (1)
    assert act(client, org, cid, "severity", who="ma", severity="general", reason="核实为一般问题").status_code == 403
    r = act(client, org, cid, "severity", who="sup", severity="general", reason="核实为一般服务问题")
    assert r.status_code == 200
    lowered = r.get_json()
    assert (lowered["severity"], lowered["level"], lowered["severity_reason"]) == ("general", "agent", "核实为一般服务问题")
    with tenant_scope(org.handle.id):
        cmp10 = db.session.scalars(decisions.query("complaint", cid, "CMP-10")).one()
        cmp11 = db.session.scalars(decisions.query("complaint", cid, "CMP-11")).one()
        assert cmp10.decided_by == org.ids["sup"] and cmp10.supersedes_id == cmp11.id
    assert act(client, org, cid, "severity", who="ma", severity="general", reason="x").status_code == 409
    # raising: to important freely, to major with the criteria that hold or a reason
    assert act(client, org, cid, "severity", who="ma", severity="important").get_json()["level"] == "supervisor"
    r = act(client, org, cid, "severity", who="ma", severity="major")
    assert r.status_code == 422 and "criteria" in r.get_json()["errors"]["json"]
    r = act(client, org, cid, "severity", who="ma", severity="major", criteria=["lift_entrapment"])
    assert r.status_code == 422  # not a criterion of this company
    r = act(client, org, cid, "severity", who="ma", severity="major", reason="涉及整个小区")
    assert r.status_code == 200 and r.get_json()["major_criteria"] == ["wide_impact"]
    events = [e for e in r.get_json()["events"] if e["kind"] == "severity_changed"]
    assert [(e["data"]["from"], e["data"]["to"]) for e in events] == [
        ("general", "major"), ("major", "general"), ("general", "important"), ("important", "major")]


def test_cmp11_also_sent_to_the_12345_hotline_is_major(client, org):
    at_intake = create(client, org, reported_to=["to_authority"])
    assert at_intake["severity"] == "major" and at_intake["major_criteria"] == ["to_authority"]
    # a leaking riser reported by 3 households together → major; by 2 → general (CMP-11 test 1)
    riser = create(client, org, complainant_count=3, reported_to=["media"])
    assert riser["major_criteria"] == ["media", "collective"] and kinds(riser).count("severity_changed") == 1
    assert create(client, org, complainant_count=2)["severity"] == "general"
    case = create(client, org, received_at="2026-09-30T10:00:00+08:00")
    assert case["severity"] == "general" and case["level"] == "agent"
    r = act(client, org, case["id"], "external", who="ma", channel="to_authority", note="客户已拨打12345",
            at="2026-09-30T16:00:00+08:00")
    assert r.status_code == 200
    major = r.get_json()
    assert (major["severity"], major["major_criteria"], major["level"]) == ("major", ["to_authority"], "dept_manager")
    assert kinds(major)[-3:] == ["reported_externally", "severity_changed", "major_flagged"]  # CMP-42 path starts
    assert act(client, org, case["id"], "external", who="ma", channel="to_authority").status_code == 409
    assert act(client, org, case["id"], "external", who="ma", channel="to_gm").status_code == 422
    r = act(client, org, case["id"], "external", who="ma", channel="media")
    assert r.get_json()["major_criteria"] == ["to_authority", "media"] and kinds(r.get_json())[-1] == "major_criteria_added"
    assert "CMP-11" in rules_of(org, case["id"])


def test_cmp11_return_or_exchange_is_major_where_the_tenant_enables_it(client, org):
    assert create(client, org, demands=["exchange"])["severity"] == "general"  # core criteria
    policy_since(org.handle.id, "cmp", {"routing": {"staff_attitude": "客服部"}, "major": {"criteria": [
        "repeat", "to_manufacturer", "to_authority", "media", "collective>=3", "blocking", "disturbance",
        "return_exchange"]}}, "2026-06-01")
    car = create(client, org, demands=["exchange"], received_at="2026-09-01T10:00:00+08:00")
    assert car["severity"] == "major" and car["major_criteria"] == ["return_exchange"]
    flagged = create(client, org, major_criteria=["blocking"], received_at="2026-09-01T10:00:00+08:00")
    assert flagged["severity"] == "major" and flagged["major_criteria"] == ["blocking"]


# --- CMP-12 repeat complaints ----------------------------------------------------------------------------


def test_cmp12_same_household_same_category_within_90_days_is_a_repeat_and_major(client, org):
    first = create(client, org, customer_id=org.liu, received_at="2026-02-20T10:00:00+08:00")
    close_case(org, first["id"], "2026-03-05T16:00:00+08:00")
    again = create(client, org, customer_id=org.wang, received_at="2026-04-10T09:00:00+08:00")  # Liu's spouse
    assert again["is_repeat"] is True and again["repeat_of_id"] == first["id"]
    assert (again["severity"], again["major_criteria"], again["level"]) == ("major", ["repeat"], "dept_manager")
    with tenant_scope(org.handle.id):
        cmp12 = db.session.scalars(decisions.query("complaint", again["id"], "CMP-12")).one()
        assert cmp12.outcome["effects"] == ["major"] and "2026-06-03" in cmp12.reason_zh
    other_category = create(client, org, customer_id=org.liu, category="service_not_delivered",
                            received_at="2026-04-11T09:00:00+08:00")
    assert other_category["is_repeat"] is False


def test_cmp12_after_the_window_is_not_a_repeat(client, org):
    first = create(client, org, customer_id=org.liu, received_at="2026-02-20T10:00:00+08:00")
    close_case(org, first["id"], "2026-03-05T16:00:00+08:00")
    late = create(client, org, customer_id=org.liu, received_at="2026-06-10T09:00:00+08:00")  # window through 06-03
    assert late["is_repeat"] is False and late["severity"] == "general"
    policy_since(org.handle.id, "cmp", {"routing": {"staff_attitude": "客服部"}, "repeat": {"effects": []}},
                 "2026-07-01")
    counted_only = create(client, org, customer_id=org.liu, received_at="2026-07-10T09:00:00+08:00")
    assert counted_only["is_repeat"] is True and counted_only["severity"] == "general"  # effects without major


# --- CMP-13 linking and open letters ----------------------------------------------------------------------


def _lift(client, org, time, **more):
    return create(client, org, category="other", subject_ref="5号楼电梯", content="5号楼电梯停运",
                  received_at=f"2026-09-18T{time}:00+08:00", **more)


def test_cmp13_three_complaints_about_the_lift_one_master_count_three_major(client, org):
    master, second, third = _lift(client, org, "08:10"), _lift(client, org, "08:40"), _lift(client, org, "09:05")
    r = act(client, org, master["id"], "link", complaint_ids=[second["id"]], at="2026-09-18T09:00:00+08:00")
    assert r.status_code == 200
    assert (r.get_json()["complainant_count"], r.get_json()["severity"]) == (2, "general")  # by 2 → general
    r = act(client, org, master["id"], "link", complaint_ids=[third["id"]], at="2026-09-18T09:10:00+08:00")
    linked = r.get_json()
    assert (linked["complainant_count"], linked["severity"], linked["major_criteria"]) == (3, "major", ["collective"])
    assert milestones(linked)["reply"]["due_at"] == "2026-09-19T00:10:00+00:00"  # the master's 08:10 clock
    assert all(m["state"] == "open" for m in linked["milestones"])
    for case in (second, third):
        got = client.get(f"/api/v1/complaints/{case['id']}", headers=org.h()).get_json()
        assert got["master_id"] == master["id"] and {m["state"] for m in got["milestones"]} == {"cancelled"}
        assert "linked" in kinds(got)
    # refused: itself, already linked, a master of others, unknown ids (422), a linked case as master
    assert act(client, org, master["id"], "link", complaint_ids=[master["id"]]).status_code == 409
    assert act(client, org, master["id"], "link", complaint_ids=[second["id"]]).status_code == 409
    fourth = _lift(client, org, "09:30")
    assert act(client, org, fourth["id"], "link", complaint_ids=[master["id"]]).status_code == 409
    assert act(client, org, second["id"], "link", complaint_ids=[fourth["id"]]).status_code == 409
    r = act(client, org, fourth["id"], "link", complaint_ids=[987654321])
    assert r.status_code == 422 and "complaint_ids" in r.get_json()["errors"]["json"]
    assert act(client, org, fourth["id"], "link", who="ma", complaint_ids=[master["id"]]).status_code == 403
    # the open letter goes to every case of the issue
    r = client.post("/api/v1/complaint-letters", headers=org.h("sup"), json={
        "title": "关于5号楼电梯停运的致业主公开信", "body": "电梯已于当日修复……", "complaint_ids": [second["id"]],
        "issued_at": "2026-09-19T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    letter = r.get_json()
    assert letter["complaint_ids"] == sorted([master["id"], second["id"], third["id"]])
    got = client.get(f"/api/v1/complaints/{third['id']}", headers=org.h()).get_json()
    assert got["letter_ids"] == [letter["id"]] and "open_letter" in kinds(got)
    r = client.post(f"/api/v1/complaint-letters/{letter['id']}/cases", headers=org.h("sup"),
                    json={"complaint_ids": [fourth["id"]]})
    assert fourth["id"] in r.get_json()["complaint_ids"]
    r = client.post("/api/v1/complaint-letters", headers=org.h("sup"), json={
        "title": "x", "body": "y", "complaint_ids": [987654321]})
    assert r.status_code == 422
    assert len(client.get("/api/v1/complaint-letters", headers=org.h()).get_json()) == 1


def test_cmp13_households_count_once(client, org):
    master = _lift(client, org, "08:10", customer_id=org.liu)
    spouse = _lift(client, org, "08:40", customer_id=org.wang)
    other = _lift(client, org, "09:05", customer_id=org.zhao)
    r = act(client, org, master["id"], "link", complaint_ids=[spouse["id"], other["id"]])
    assert (r.get_json()["complainant_count"], r.get_json()["severity"]) == (2, "general")


# --- CMP-14 tags ------------------------------------------------------------------------------------------


def test_cmp14_malicious_tag_leaves_the_deadline_unchanged(client, org):
    case = create(client, org, received_at="2026-09-30T10:00:00+08:00")
    r = act(client, org, case["id"], "tags", who="ma", tags=["malicious", "motive_compensation"])
    assert r.status_code == 200
    tagged = r.get_json()
    assert tagged["tags"] == ["malicious", "motive_compensation"]
    assert [(m["code"], m["due_at"]) for m in tagged["milestones"]] == [(m["code"], m["due_at"]) for m in case["milestones"]]
    assert milestones(tagged)["resolve"]["due_at"] == "2026-10-10T16:00:00+00:00"
    assert act(client, org, case["id"], "tags", who="ma", tags=["vip"]).status_code == 422


# --- CMP-20/21/22/43 ownership, exclusion, routing --------------------------------------------------------


def test_cmp20_transfer_makes_engineering_the_handler_never_the_owner(client, org):
    case = create(client, org, received_at="2026-09-18T09:10:00+08:00")
    assert case["owner_id"] == org.ids["ma"] and case["handler_department_id"] == org.departments["客服部"]
    r = act(client, org, case["id"], "transfer", who="ma", department_id=org.departments["工程部"],
            at="2026-09-18T09:30:00+08:00", note="需工程部检修")
    assert r.status_code == 200
    moved = r.get_json()
    assert (moved["owner_id"], moved["handler_department_id"]) == (org.ids["ma"], org.departments["工程部"])
    event = [e for e in moved["events"] if e["kind"] == "transferred"][0]
    assert event["at"] == "2026-09-18T01:30:00+00:00" and event["data"]["owner_id"] == org.ids["ma"]
    assert "CMP-20" in rules_of(org, case["id"])
    assert act(client, org, case["id"], "transfer", who="ma", department_id=org.departments["工程部"]).status_code == 409
    r = act(client, org, case["id"], "transfer", who="ma", department_id=987654321)
    assert r.status_code == 422 and "department_id" in r.get_json()["errors"]["json"]


def test_cmp21_the_accused_never_handles_and_never_sees_the_case(client, org):
    case = create(client, org, accused_user_id=org.ids["tang"], excluded_user_ids=[org.ids["xu"]],
                  customer_id=org.zhao)
    cid = case["id"]
    for who in ("tang", "xu"):
        r = act(client, org, cid, "handler", who="sup", user_id=org.ids[who], reason="熟悉情况")
        assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-21"  # spec test (2)
        assert client.get(f"/api/v1/complaints/{cid}", headers=org.h(who)).status_code == 404
        assert cid not in [c["id"] for c in client.get("/api/v1/complaints", headers=org.h(who)).get_json()]
    assert act(client, org, cid, "tags", who="tang", tags=["malicious"]).status_code == 404
    assert cid in [c["id"] for c in client.get("/api/v1/complaints", headers=org.h("li")).get_json()]
    pool = client.get(f"/api/v1/complaints/{cid}/handler-pool", headers=org.h("sup")).get_json()
    assert org.ids["tang"] not in pool["user_ids"]
    assert notes(org, "xu", "cmp.customer_case") == []  # Zhao's owner is excluded: not told (CMP-23)


def test_cmp43_important_case_handler_pool_is_the_supervisors_of_the_routed_department(client, org):
    case = create(client, org, severity="important")
    assert case["level"] == "supervisor"
    pool = client.get(f"/api/v1/complaints/{case['id']}/handler-pool", headers=org.h()).get_json()
    assert pool == {"level": "supervisor", "department_id": org.departments["客服部"], "user_ids": [org.ids["sup"]]}
    general = create(client, org)
    agents = client.get(f"/api/v1/complaints/{general['id']}/handler-pool", headers=org.h()).get_json()
    assert agents["level"] == "agent" and set(agents["user_ids"]) == {org.ids[n] for n in ("ma", "li", "sup", "mgr")}
    r = act(client, org, case["id"], "handler", user_id=org.ids["li"])
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CMP-43"
    r = act(client, org, case["id"], "handler", user_id=org.ids["sup"])
    assert r.status_code == 200 and r.get_json()["handler_id"] == org.ids["sup"]
    r = act(client, org, case["id"], "handler", user_id=org.ids["li"], reason="主管休假，由李代办")
    assert r.status_code == 200 and r.get_json()["handler_id"] == org.ids["li"]
    assert act(client, org, case["id"], "handler", user_id=987654321).status_code == 422
    assert act(client, org, case["id"], "handler", who="ma", user_id=org.ids["sup"]).status_code == 403


def test_cmp22_territory_transfer_keeps_the_received_time_and_deadlines(client, org):
    case = create(client, org, who="county_a", customer_id=org.zhao, received_at="2026-09-18T16:00:00+08:00")
    before = milestones(case)
    r = act(client, org, case["id"], "transfer", who="county_a", kind="territory", note="属乙县客户")
    assert r.status_code == 200, r.get_json()
    moved = r.get_json()
    assert moved["handler_department_id"] == org.departments["乙县营业所"]  # the customer's unit
    assert moved["received_at"] == case["received_at"] and moved["owner_id"] == org.ids["county_a"]
    after = milestones(moved)
    assert {c: (m["start_at"], m["due_at"]) for c, m in after.items()} == {
        c: (m["start_at"], m["due_at"]) for c, m in before.items()}
    assert after["resolve"]["due_at"] == "2026-09-22T16:00:00+00:00"  # SLA start unchanged: through 09-22
    assert "CMP-22" in rules_of(org, case["id"])
    walk_in = create(client, org)  # no customer: a territory transfer must name the unit
    r = act(client, org, walk_in["id"], "transfer", kind="territory")
    assert r.status_code == 422 and "department_id" in r.get_json()["errors"]["json"]


def test_cmp22_supplier_case_goes_to_the_vp(client, org):
    case = create(client, org)
    r = act(client, org, case["id"], "supplier", who="ma", supplier="华东配件厂", note="配件批次质量问题")
    assert r.status_code == 200
    flagged = r.get_json()
    assert (flagged["supplier"], flagged["handler_id"], flagged["owner_id"]) == ("华东配件厂", org.ids["vp"], org.ids["ma"])
    assert [n.rule_id for n in notes(org, "vp", "cmp.supplier_case")] == ["CMP-22"]
    assert act(client, org, case["id"], "supplier", who="ma", supplier="别家").status_code == 409
    assert act(client, org, case["id"], "supplier", who="ma", supplier=" ").status_code == 422


# --- CMP-23 the customer's owner is told ------------------------------------------------------------------


def test_cmp23_owner_told_on_create_and_each_state_change(client, org):
    case = create(client, org, customer_id=org.liu)
    got = notes(org, "tang", "cmp.customer_case")
    assert len(got) == 1 and got[0].rule_id == "CMP-23" and got[0].subject_id == case["id"]
    act(client, org, case["id"], "tags", who="ma", tags=["potential"])  # not a state change
    assert len(notes(org, "tang", "cmp.customer_case")) == 1
    act(client, org, case["id"], "accept")
    assert len(notes(org, "tang", "cmp.customer_case")) == 2
    own = create(client, org, who="tang", customer_id=org.liu)  # nobody is told of their own act
    assert [n.subject_id for n in notes(org, "tang", "cmp.customer_case")].count(own["id"]) == 0
    assert notes(org, "ma", "cmp.customer_case") == []
