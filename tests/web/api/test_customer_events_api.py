"""Events, invitations and joint-event lists end to end (DOMAIN.md CUS-81..CUS-83), the nightly list
check through the job layer, and the customer timeline (CUS-05)."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.customers.models import CustomerTransaction
from core.db import db
from core.tenancy import tenant_scope
from tests.web.api.test_customers_api import _count
from workers import dispatch

ZHANG = {"name": "张三", "phones": [{"number": "13900001111"}]}
LI = {"name": "李四", "phones": [{"number": "13900002222"}]}


class Org:
    """A tenant with Div 1 and Div 2 (each with a head and a salesperson) and an assistant."""

    def __init__(self, client, make_tenant, handle):
        self.client, self.t = client, handle
        self.head1, self.head1_token = make_tenant.user(handle, "head1", roles=["dept_manager"])
        self.head2, self.head2_token = make_tenant.user(handle, "head2", roles=["dept_manager"])
        self.sales1, self.sales1_token = make_tenant.user(handle, "sales1", roles=["salesperson"])
        self.sales2, self.sales2_token = make_tenant.user(handle, "sales2", roles=["salesperson"])
        self.assistant, self.assistant_token = make_tenant.user(handle, "zhuli", roles=["assistant"])
        self.div1 = self.post("/departments", {"name": "第一事业部", "head_user_id": self.head1})["id"]
        self.div2 = self.post("/departments", {"name": "第二事业部", "head_user_id": self.head2})["id"]

    def post(self, path, body, token=None, status=201):
        r = self.client.post(f"/api/v1{path}", headers=self.t.headers(token), json=body)
        assert r.status_code == status, r.get_json()
        return r.get_json()

    def get(self, path, token=None):
        r = self.client.get(f"/api/v1{path}", headers=self.t.headers(token))
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def joint_meeting(self, starts_at="2026-06-12T14:00:00+08:00", **extra):
        return self.post("/events", {"kind": "joint_meeting", "title": "健康联合会议", "starts_at": starts_at,
                                     "divisions": [{"department_id": self.div1}, {"department_id": self.div2}],
                                     **extra}, token=self.assistant_token)

    def customer(self, body=ZHANG):
        return self.post("/customers", body)["id"]

    def invite(self, event_id, customer_id, div, at, token=None, status=201, **extra):
        return self.post(f"/events/{event_id}/invitations", {"customer_id": customer_id, "department_id": div,
                                                              "at": at, **extra},
                         token=token, status=status)

    def hand_in(self, event_id, div, day, customer_ids, submitted_at, kind="confirmed", status=201, token=None):
        return self.post(f"/events/{event_id}/lists", {"department_id": div, "day": day, "kind": kind,
                                                        "customer_ids": customer_ids, "submitted_at": submitted_at},
                         token=token or self.assistant_token, status=status)


@pytest.fixture
def org(client, make_tenant, two_tenants):
    a, _b = two_tenants
    return Org(client, make_tenant, a)


def run_check(tenant_id, as_of, **args):
    """The nightly check through the job layer (inline mode: it runs on commit)."""
    with tenant_scope(tenant_id):
        job = dispatch.enqueue("cus.event_list_check", {"as_of": as_of, **args})
        db.session.commit()
        job_id = job.id
    db.session.rollback()
    with tenant_scope(tenant_id):
        from workers.models import JobRecord

        record = db.session.scalars(select(JobRecord).where(JobRecord.id == job_id)).one()
        assert record.status == "finished", record.error
        return record.result


# ------------------------------------------------------------------------------------------- CUS-81


def test_cus81_event_with_divisions_and_bad_input(org, owner_engine):
    event = org.joint_meeting()
    assert (event["session"], event["joint"]) == ("afternoon", True)  # 14:00 → afternoon
    assert [(d["code"], d["name"], d["head_user_id"]) for d in event["divisions"]] == [
        ("div1", "第一事业部", org.head1), ("div2", "第二事业部", org.head2)]
    assert org.get(f"/events/{event['id']}")["title"] == "健康联合会议"
    evening = org.joint_meeting("2026-06-12T19:00:00+08:00")
    assert evening["session"] == "evening"
    before = _count(owner_engine, "customer_events", org.t.id)
    r = org.post("/events", {"kind": "joint_meeting", "title": "x", "starts_at": "2026-06-12T14:00:00+08:00",
                             "divisions": [{"department_id": org.div1}]}, token=org.assistant_token, status=422)
    assert "divisions" in r["errors"]["json"]
    r = org.post("/events", {"kind": "lecture", "title": "x", "starts_at": "2026-06-12T14:00:00+08:00",
                             "divisions": [{"department_id": 999999}, {"department_id": org.div1, "code": "Div 1"}]},
                 token=org.assistant_token, status=422)
    assert set(r["errors"]["json"]["divisions"]) == {"0", "1"}
    r = org.post("/events", {"kind": "banquet", "title": "x", "starts_at": "2026-06-12T14:00:00",
                             "divisions": [{"department_id": org.div1}]}, token=org.assistant_token, status=422)
    assert {"kind", "starts_at"} <= set(r["errors"]["json"])
    org.post("/events", {"kind": "lecture", "title": "x", "starts_at": "2026-06-12T14:00:00+08:00",
                         "divisions": [{"department_id": org.div1}]}, token=org.sales1_token, status=403)
    assert _count(owner_engine, "customer_events", org.t.id) == before  # nothing written


def test_cus81_invitation_confirmed_1805_counts_for_the_next_day(org):
    event = org.joint_meeting()
    zhang = org.customer()
    inv = org.invite(event["id"], zhang, org.div1, "2026-06-10T18:05:00+08:00", token=org.sales1_token)
    assert (inv["state"], inv["effective_day"], inv["employee_id"]) == ("confirmed", "2026-06-11", org.sales1)
    # planned, then confirmed (CAL-08: 10:30Z is 18:30 in Shanghai → 06-11)
    li = org.customer(LI)
    planned = org.invite(event["id"], li, org.div2, "2026-06-10T09:00:00+08:00", state="planned",
                         token=org.sales2_token)
    assert (planned["state"], planned["effective_day"]) == ("planned", None)
    url = f"/events/{event['id']}/invitations/{planned['id']}/confirm"
    confirmed = org.post(url, {"at": "2026-06-10T10:30:00Z"}, token=org.sales2_token, status=200)
    assert (confirmed["state"], confirmed["effective_day"]) == ("confirmed", "2026-06-11")
    org.post(url, {}, token=org.sales2_token, status=409)  # already confirmed
    # bad input names the field
    r = org.invite(event["id"], 999999, org.div1, "2026-06-10T09:00:00+08:00", status=422)
    assert "customer_id" in r["errors"]["json"]
    other = org.post("/departments", {"name": "第三事业部"})["id"]
    r = org.invite(event["id"], zhang, other, "2026-06-10T09:00:00+08:00", status=422)
    assert "department_id" in r["errors"]["json"]
    r = org.invite(event["id"], li, org.div1, "2026-06-13T09:00:00+08:00", status=422)  # after the event
    assert "at" in r["errors"]["json"]
    listed = org.get(f"/events/{event['id']}/invitations?customer_id={zhang}")
    assert [i["id"] for i in listed] == [inv["id"]]


# ------------------------------------------------------------------------------------------- CUS-82


def test_cus82_schedule_of_a_joint_meeting(org):
    event = org.joint_meeting()
    schedule = org.get(f"/events/{event['id']}/schedule")
    div2_daily = [d for d in schedule if d["department_id"] == org.div2 and d["kind"] == "confirmed" and not d["final"]]
    assert [d["day"] for d in div2_daily] == [f"2026-06-{day:02d}" for day in range(5, 12)]  # (1)
    assert {dt.datetime.fromisoformat(d["due_at"]).astimezone(dt.timezone(dt.timedelta(hours=8))).time()
            for d in div2_daily} == {dt.time(18)}
    assert {d["fine"] for d in div2_daily} == {"10.00"}
    finals = [d for d in schedule if d["final"]]
    assert {d["due_at"] for d in finals} == {"2026-06-12T10:00:00+08:00"}  # (2)
    assert {d["status"] for d in schedule} == {"missing"}  # all in the past, nothing handed in
    plans = [d for d in schedule if d["kind"] == "plan"]
    assert {d["department_id"] for d in plans} == {org.div2}  # next_day_plan_required = [div2]
    evening = org.joint_meeting("2026-06-12T19:00:00+08:00")
    finals = [d for d in org.get(f"/events/{evening['id']}/schedule") if d["final"]]
    assert {d["due_at"] for d in finals} == {"2026-06-12T16:00:00+08:00"}  # (3)


def test_cus82_late_list_fines_the_head_10_yuan_once(org, client, two_tenants, owner_engine):
    """CUS-82 (1): Div 2's list of 06-09 handed in at 18:20 → late → ¥10 to the Div 2 head."""
    _a, b = two_tenants
    event = org.joint_meeting()
    zhang = org.customer()
    org.invite(event["id"], zhang, org.div2, "2026-06-09T10:00:00+08:00", token=org.sales2_token)
    for day in range(5, 10):
        for div in (org.div1, org.div2):
            if (div, day) != (org.div2, 9):
                org.hand_in(event["id"], div, f"2026-06-{day:02d}", [], f"2026-06-{day:02d}T17:00:00+08:00")
        org.hand_in(event["id"], org.div2, f"2026-06-{day + 1:02d}", [], f"2026-06-{day:02d}T17:00:00+08:00",
                    kind="plan")
    late = org.hand_in(event["id"], org.div2, "2026-06-09", [zhang], "2026-06-09T18:20:00+08:00",
                       token=org.head2_token)
    assert (late["status"], late["fine"]) == ("late", None)  # the fine comes with the nightly check
    zhang_inv = org.get(f"/events/{event['id']}/invitations?customer_id={zhang}")[0]
    assert (zhang_inv["state"], zhang_inv["listed_on_time"]) == ("listed", False)

    b_before = _count(owner_engine, "decisions", b.id), _count(owner_engine, "notifications", b.id)
    result = run_check(org.t.id, "2026-06-09T21:00:00+08:00")
    assert (result["findings"], result["fines"]) == (1, 1)
    lists = org.get(f"/events/{event['id']}/lists?department_id={org.div2}")
    fined = [x for x in lists if x["fine"]]
    assert [(x["day"], x["status"], x["fine"], x["fined_user_id"]) for x in fined] == [
        ("2026-06-09", "late", "10.00", org.head2)]
    decision = org.get(f"/decisions/{fined[0]['decision_id']}")
    assert decision["rule_id"] == "CUS-82"
    assert decision["outcome"]["penalty"]["user_id"] == org.head2
    assert decision["outcome"]["penalty"]["amount"] in ("10.00", 10, "10")
    assert "18:20" in decision["reason_zh"] and "¥10.00" in decision["reason_en"]
    ledger = org.get(f"/staff/entries?user_id={org.head2}")  # the fine in the staff ledger, dated at the cut-off
    assert [(e["offence"], e["amount"], e["rule_id"], e["occurred_at"], e["state"]) for e in ledger] == [
        ("event_list_late", "10.00", "CUS-82", "2026-06-09T10:00:00+00:00", "proposed")]
    assert decision["outcome"]["penalty"]["entry_id"] == ledger[0]["id"]
    notes = org.get("/notifications", token=org.head2_token)
    assert [n["rule_id"] for n in notes] == ["CUS-82"] and "10.00" in notes[0]["title_en"]
    assert org.get("/notifications", token=org.head1_token) == []
    # idempotent: the same slot or a later run adds nothing for the same list
    again = run_check(org.t.id, "2026-06-09T21:00:00+08:00")
    assert (again["findings"], again["fines"]) == (0, 0)
    assert len(org.get("/notifications", token=org.head2_token)) == 1
    assert len(org.get(f"/staff/entries?user_id={org.head2}")) == 1
    # a run for tenant A never touches tenant B
    assert (_count(owner_engine, "decisions", b.id), _count(owner_engine, "notifications", b.id)) == b_before


def test_cus82_a_division_without_head_is_fined_as_a_unit(org):
    """STF-14: nobody to fine by name → the ¥10 goes on the department."""
    r = org.client.patch(f"/api/v1/departments/{org.div2}", headers=org.t.headers(), json={"head_user_id": None})
    assert r.status_code == 200, r.get_json()
    org.joint_meeting()
    run_check(org.t.id, "2026-06-05T18:30:00+08:00")
    unit = org.get(f"/staff/entries?department_id={org.div2}")
    assert [(e["user_id"], e["amount"], e["offence"], e["rule_id"]) for e in unit] == [
        (None, "10.00", "event_list_late", "CUS-82")]
    assert unit[0]["facts"]["nobody_identified"] is True and "STF-14" in unit[0]["reason_en"]


def test_cus82_missing_lists_are_written_and_fined_and_final_lists_reported(org, owner_engine):
    event = org.joint_meeting()
    result = run_check(org.t.id, "2026-06-05T18:30:00+08:00")
    # both divisions' 06-05 lists missing (fined), and Div 2's plan for 06-06 (reported only)
    assert (result["findings"], result["fines"]) == (3, 2)
    rows = org.get(f"/events/{event['id']}/lists")
    assert sorted((x["department_id"], x["kind"], x["day"], x["status"], x["fine"]) for x in rows) == [
        (org.div1, "confirmed", "2026-06-05", "missing", "10.00"), (org.div2, "confirmed", "2026-06-05", "missing", "10.00"),
        (org.div2, "plan", "2026-06-06", "missing", None)]
    # handed in later: late, not fined again
    late = org.hand_in(event["id"], org.div1, "2026-06-05", [], "2026-06-05T19:00:00+08:00")
    assert late["status"] == "late" and late["fine"] == "10.00"
    assert run_check(org.t.id, "2026-06-05T21:00:00+08:00")["fines"] == 0
    # the whole window and the event day: 7 daily lists each, plans of Div 2, finals (reported, no fine)
    result = run_check(org.t.id, "2026-06-12T21:00:00+08:00")
    assert result["fines"] == 2 * 7 - 2
    finals = [x for x in org.get(f"/events/{event['id']}/lists?page_size=100") if x["final"]]
    assert [(x["status"], x["fine"]) for x in finals] == [("missing", None)] * 2
    assert all(x["decision_id"] for x in finals)


def test_list_bad_input_and_roles(org, owner_engine):
    event = org.joint_meeting()
    zhang = org.customer()
    url = f"/events/{event['id']}/lists"
    r = org.hand_in(event["id"], org.div1, "2026-06-09", [zhang], "2026-06-09T17:00:00+08:00", status=422)
    assert "0" in r["errors"]["json"]["customer_ids"]  # Div 1 never invited Zhang
    r = org.hand_in(event["id"], org.div1, "2026-06-01", [], "2026-06-01T17:00:00+08:00", status=422)
    assert "day" in r["errors"]["json"]  # before the window: no list is due
    r = org.hand_in(event["id"], org.div1, "2026-06-09", [], "2026-06-09T17:00:00+08:00", kind="plan", status=422)
    assert "day" in r["errors"]["json"]  # Div 1 owes no plans by default
    r = org.hand_in(event["id"], org.div1, "2026-06-09", [], "2099-06-09T17:00:00+08:00", status=422)
    assert "submitted_at" in r["errors"]["json"]
    org.post(url, {"department_id": org.div1, "day": "2026-06-09", "customer_ids": []}, token=org.sales1_token,
             status=403)
    assert _count(owner_engine, "event_lists", org.t.id) == 0


# ------------------------------------------------------------------------------------------- CUS-83


def test_cus83_listed_on_time_customer_cannot_be_invited_by_another_department(org, owner_engine):
    event = org.joint_meeting()
    zhang = org.customer()
    org.invite(event["id"], zhang, org.div1, "2026-06-09T15:00:00+08:00", token=org.sales1_token)
    org.hand_in(event["id"], org.div1, "2026-06-09", [zhang], "2026-06-09T17:00:00+08:00", token=org.head1_token)
    before = _count(owner_engine, "event_invitations", org.t.id)
    r = org.invite(event["id"], zhang, org.div2, "2026-06-10T11:00:00+08:00", token=org.sales2_token, status=409)
    assert r["rule_id"] == "CUS-83" and "第一事业部" in r["reason_zh"] and "listed on time" in r["reason_en"]
    assert r["blocking_invitation_id"]
    r = org.invite(event["id"], zhang, org.div1, "2026-06-10T11:00:00+08:00", token=org.sales1_token, status=409)
    assert "already invited" in r["reason_en"]
    assert _count(owner_engine, "event_invitations", org.t.id) == before


def test_cus83_vector_on_time_list_wins_on_arrival_and_the_sale_credit(org, owner_engine):
    """CUS-83 (1) Div 1 confirms Zhang 06-09 15:00 and hands in no list that day; Div 2 confirms him
    06-10 11:00, listed 06-10 17:30; Zhang attends 06-12 → Div 2's invitation. (2) he buys ¥6,000 →
    100% to the Div 2 inviter, 0% to the original follow-up employee."""
    event = org.joint_meeting()
    eid = event["id"]
    zhang = org.customer()
    div1 = org.invite(eid, zhang, org.div1, "2026-06-09T15:00:00+08:00", token=org.sales1_token)
    div2 = org.invite(eid, zhang, org.div2, "2026-06-10T11:00:00+08:00", token=org.sales2_token)
    listed = org.hand_in(eid, org.div2, "2026-06-10", [zhang], "2026-06-10T17:30:00+08:00", token=org.head2_token)
    assert listed["status"] == "on_time"
    org.hand_in(eid, org.div1, "2026-06-09", [zhang], "2026-06-10T20:00:00+08:00", token=org.head1_token)  # too late
    # the nightly check of 06-10 reports the duplicate to the arbiter (assistant)
    run_check(org.t.id, "2026-06-10T21:00:00+08:00")
    dup = [n for n in org.get("/notifications", token=org.assistant_token) if n["kind"] == "cus.event_duplicate"]
    assert len(dup) == 1 and "第二事业部" in dup[0]["body_zh"]
    # sale before arrival: refused
    org.post(f"/events/{eid}/invitations/{div2['id']}/sales", {"amount": "6000", "at": "2026-06-12T15:00:00+08:00"},
             status=409)
    # arrival recorded on Div 1's invitation: judged Div 2's
    winner = org.post(f"/events/{eid}/invitations/{div1['id']}/attend", {"attended_at": "2026-06-12T13:50:00+08:00"},
                      token=org.assistant_token, status=200)
    assert (winner["id"], winner["state"], winner["department_id"]) == (div2["id"], "attended", org.div2)
    loser = org.get(f"/events/{eid}/invitations/{div1['id']}")
    assert (loser["state"], loser["lost_to_id"]) == ("lost", div2["id"])
    decision = org.get(f"/decisions/{winner['decision_id']}")
    assert decision["rule_id"] == "CUS-83" and decision["outcome"]["lost"] == [div1["id"]]
    assert "第二事业部" in decision["reason_zh"]
    assert any(n["rule_id"] == "CUS-83" for n in org.get("/notifications", token=org.sales1_token))
    # attendance → a contact-log entry event_attended by the inviter (ownership rules see it)
    contacts = org.get(f"/customers/{zhang}/contact-log")
    assert [(c["channel"], c["user_id"]) for c in contacts] == [("event_attended", org.sales2)]
    # recording it again changes nothing
    again = org.post(f"/events/{eid}/invitations/{div2['id']}/attend", {"attended_at": "2026-06-12T14:10:00+08:00"},
                     status=200)
    assert again["attended_at"] == winner["attended_at"]
    assert len(org.get(f"/customers/{zhang}/contact-log")) == 1
    # the losing invitation cannot sell
    org.post(f"/events/{eid}/invitations/{div1['id']}/sales", {"amount": "6000", "at": "2026-06-12T15:00:00+08:00"},
             status=409)
    sale = org.post(f"/events/{eid}/invitations/{div2['id']}/sales",
                    {"amount": "6000", "at": "2026-06-12T15:00:00+08:00", "reference": "POS-1"})
    assert sale["credited_user_id"] == org.sales2
    assert [(c["user_id"], c["role"], c["percent"], c["amount"]) for c in sale["credit"]] == [
        (org.sales2, "current_inviter", "100.00", "6000.00"), (org.sales1, "original_follow_up", "0.00", "0.00")]
    assert "¥6,000.00" in sale["reason_zh"]
    with tenant_scope(org.t.id):
        tx = db.session.scalars(select(CustomerTransaction).where(CustomerTransaction.id == sale["transaction_id"])).one()
        assert (tx.kind, str(tx.amount), tx.event_id, tx.user_id) == ("purchase", "6000.00", eid, org.sales2)
    assert org.get(f"/events/{eid}/invitations/{div2['id']}")["state"] == "sold"
    r = org.post(f"/events/{eid}/invitations/{div2['id']}/sales", {"amount": "0", "at": "2026-06-12T15:00:00+08:00"},
                 status=422)
    assert "amount" in r["errors"]["json"]
    r = org.post(f"/events/{eid}/invitations/{div2['id']}/sales", {"amount": "10", "at": "2026-06-11T15:00:00+08:00"},
                 status=422)
    assert "at" in r["errors"]["json"]

    # CUS-05: the timeline shows the sale, the attendance, the judgement and the invitations
    timeline = org.get(f"/customers/{zhang}/timeline?page_size=50")
    types = [i["type"] for i in timeline]
    assert {"transaction", "attendance", "decision", "invitation", "contact"} <= set(types)
    decisions = [i for i in timeline if i["type"] == "decision"]
    assert {d["rule_id"] for d in decisions} == {"CUS-83"} and len(decisions) == 2  # judgement + credit
    attendance = next(i for i in timeline if i["type"] == "attendance")
    assert (attendance["actor_id"], attendance["source"], attendance["source_id"]) == (
        org.assistant, "event_invitations", div2["id"])


def test_attendance_bad_input(org):
    event = org.joint_meeting()
    zhang = org.customer()
    planned = org.invite(event["id"], zhang, org.div1, "2026-06-09T15:00:00+08:00", state="planned")
    url = f"/events/{event['id']}/invitations/{planned['id']}/attend"
    org.post(url, {"attended_at": "2026-06-12T14:00:00+08:00"}, status=409)  # never confirmed
    r = org.post(url, {"attended_at": "2026-06-11T14:00:00+08:00"}, status=422)
    assert "attended_at" in r["errors"]["json"]
    assert org.get(f"/customers/{zhang}/contact-log") == []


# ------------------------------------------------------------------------------------------- CUS-05


def test_cus05_timeline_newest_first_with_type_and_actor(org, client):
    """CUS-05 (1), with a transaction standing in for the complaint (complaints do not exist yet): fax
    logged 2026-03-03 and a purchase 2026-03-05 → newest first, both with type and actor."""
    cid = org.customer()
    org.post(f"/customers/{cid}/contact-log", {"channel": "fax", "at": "2026-03-03T10:00:00+08:00",
                                                "content": "报价单传真"}, token=org.sales1_token)
    with tenant_scope(org.t.id):
        db.session.add(CustomerTransaction(customer_id=cid, kind="purchase", amount="1280.00", user_id=org.sales2,
                                           at=dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.timezone.utc)))
        db.session.commit()
    items = org.get(f"/customers/{cid}/timeline")
    assert [(i["type"], i["actor_id"], i["actor_name"]) for i in items] == [
        ("transaction", org.sales2, "sales2"), ("contact", org.sales1, "sales1")]
    assert items[0]["summary_zh"] == "购买 ¥1,280.00" and items[0]["summary_en"] == "Purchase ¥1,280.00"
    assert items[1]["summary_zh"] == "传真：报价单传真" and items[1]["source"] == "contact_log"
    assert items[0]["at"] > items[1]["at"]
    only = org.get(f"/customers/{cid}/timeline?types=contact")
    assert [i["type"] for i in only] == ["contact"]
    r = client.get(f"/api/v1/customers/{cid}/timeline?page=2&page_size=1", headers=org.t.headers())
    assert [i["type"] for i in r.get_json()] == ["contact"]
    assert '"total": 2' in r.headers["X-Pagination"]
    r = client.get(f"/api/v1/customers/{cid}/timeline?types=contact,invoice", headers=org.t.headers())
    assert r.status_code == 422 and "types" in r.get_json()["errors"]["json"]
    assert client.get("/api/v1/customers/999999/timeline", headers=org.t.headers()).status_code == 404


def test_cus05_ownership_change_shows_once_with_its_rule(org):
    from core.customers import ownership_store

    cid = org.customer()
    with tenant_scope(org.t.id):
        ownership_store.set_owner(cid, owner_id=org.sales1, state="protected", rule_id="CUS-21",
                                  reason_zh="首访登记", reason_en="first registration",
                                  at=dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.timezone.utc))
        db.session.commit()
    items = org.get(f"/customers/{cid}/timeline")
    assert [(i["type"], i["rule_id"]) for i in items] == [("ownership", "CUS-21")]  # its decision is not repeated
    assert "sales1" in items[0]["summary_zh"] and "public pool" in items[0]["summary_en"]


def test_cus83_arbiter_escalates_to_the_gm_who_rules(org, make_tenant):
    """The coordination assistant (arbiter) cannot decide and escalates to the GM; the GM's ruling, with a
    reason, supersedes the automatic judgement made on arrival."""
    gm, gm_token = make_tenant.user(org.t, "gm", roles=["gm"])
    event = org.joint_meeting()
    eid = event["id"]
    zhang = org.customer()
    div1 = org.invite(eid, zhang, org.div1, "2026-06-09T15:00:00+08:00", token=org.sales1_token)
    div2 = org.invite(eid, zhang, org.div2, "2026-06-10T11:00:00+08:00", token=org.sales2_token)
    org.hand_in(eid, org.div2, "2026-06-10", [zhang], "2026-06-10T17:30:00+08:00")
    judged = org.post(f"/events/{eid}/invitations/{div2['id']}/attend", {"attended_at": "2026-06-12T13:50:00+08:00"},
                      status=200)
    automatic = judged["decision_id"]
    award = f"/events/{eid}/invitations/{div1['id']}/award"
    org.post(award, {"reason": "我来定"}, token=org.sales1_token, status=403)
    org.post(f"/events/{eid}/invitations/{div1['id']}/escalate", {"reason": "x"}, token=gm_token, status=403)
    r = org.post(f"/events/{eid}/invitations/{div1['id']}/escalate", {"reason": ""}, token=org.assistant_token,
                 status=422)
    assert "reason" in r["errors"]["json"]
    escalated = org.post(f"/events/{eid}/invitations/{div1['id']}/escalate", {"reason": "两部各执一词"},
                         token=org.assistant_token, status=200)
    assert "两部各执一词" in escalated["reason_zh"]
    notes = org.get("/notifications", token=gm_token)
    assert [n["kind"] for n in notes] == ["cus.event_duplicate_escalated"]
    ruled = org.post(award, {"reason": "第一事业部有上门服务记录"}, token=gm_token, status=200)
    assert ruled["supersedes_id"] == automatic
    assert (ruled["invitation"]["state"], ruled["invitation"]["attended_at"]) == ("attended", judged["attended_at"])
    lost = org.get(f"/events/{eid}/invitations/{div2['id']}")
    assert (lost["state"], lost["lost_to_id"]) == ("lost", div1["id"])
    decision = org.get(f"/decisions/{ruled['decision_id']}")
    assert (decision["rule_id"], decision["decided_by"], decision["outcome"]["manual"]) == ("CUS-83", gm, True)
    assert org.get(f"/decisions/{automatic}")["rule_id"] == "CUS-83"  # superseded, never deleted
    sale = org.post(f"/events/{eid}/invitations/{div1['id']}/sales", {"amount": "6000", "at": "2026-06-12T15:00:00+08:00"})
    assert sale["credited_user_id"] == org.sales1
    org.post(f"/events/{eid}/invitations/{div2['id']}/award", {"reason": "再改"}, token=gm_token, status=409)  # sold


def test_event_list_check_for_tenant_a_never_touches_tenant_b(client, make_tenant, two_tenants, owner_engine):
    """Both tenants have a joint meeting with every list missing; the check run for A writes A's
    findings only."""
    a, b = two_tenants
    org_a, org_b = Org(client, make_tenant, a), Org(client, make_tenant, b)
    org_a.joint_meeting()
    event_b = org_b.joint_meeting()
    before = {t: _count(owner_engine, t, b.id) for t in ("event_lists", "decisions", "notifications")}
    result = run_check(a.id, "2026-06-12T21:00:00+08:00")
    assert result["fines"] == 14
    assert _count(owner_engine, "event_lists", a.id) > 0
    assert {t: _count(owner_engine, t, b.id) for t in before} == before
    # asked for B's event by id, A's job finds nothing (another tenant's id is not found)
    assert run_check(a.id, "2026-06-12T21:00:00+08:00", event_id=event_b["id"])["events"] == 0
    assert {t: _count(owner_engine, t, b.id) for t in before} == before
