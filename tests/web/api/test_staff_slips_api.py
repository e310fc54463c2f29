"""Penalty slips, appeals and the monthly penalty list through the API (STF-20..23): the spec's vectors
with their dates, who may do what (403), repeated or out-of-order acts (409), bad input with nothing
written (422), and the jobs run twice with one effect."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.staff import ledger, slips
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from workers.runtime import execute

API = "/api/v1/staff"


@pytest.fixture
def office(client, make_tenant):
    """销售部 (head: director) ⊃ 销售一组 (head: boss); wang works in the team; two colleagues witness."""
    a = make_tenant("stf-slips", "处罚单公司")
    people = {name: make_tenant.user(a, name, roles=roles) for name, roles in (
        ("wang", ["salesperson"]), ("boss", ["dept_manager"]), ("director", ["dept_manager"]), ("gm", ["gm"]),
        ("li", ["salesperson"]), ("zhao", ["salesperson"]), ("cash", ["finance"]))}
    admin = a.headers()
    sales = client.post("/api/v1/departments", headers=admin, json={
        "name": "销售部", "head_user_id": people["director"][0]}).get_json()
    team = client.post("/api/v1/departments", headers=admin, json={
        "name": "销售一组", "parent_id": sales["id"], "head_user_id": people["boss"][0]}).get_json()
    for name in ("wang", "li", "zhao", "boss"):
        r = client.patch(f"/api/v1/users/{people[name][0]}", headers=admin, json={"department_id": team["id"]})
        assert r.status_code == 200, r.get_json()
    return SimpleNamespace(handle=a, ids={k: v[0] for k, v in people.items()}, tokens={k: v[1] for k, v in people.items()},
                           team=team["id"], sales=sales["id"])


def h(office, who):
    return office.handle.headers(office.tokens[who])


def penalty(client, office, amount="50", occurred_at="2026-09-28T10:00:00+08:00", approve=True, kind="penalty",
            who="wang"):
    r = client.post(f"{API}/entries", headers=h(office, "boss"), json={
        "user_id": office.ids[who], "kind": kind, "amount": amount, "offence": "attitude_reasonable",
        "occurred_at": occurred_at, "reason_zh": "服务态度差", "reason_en": "poor attitude"})
    assert r.status_code == 201, r.get_json()
    if approve:
        with tenant_scope(office.handle.id):
            ledger.move(ledger.get_entry(r.get_json()["id"]), "approved", by=office.ids["boss"])
            db.session.commit()
    return r.get_json()["id"]


def issue(client, office, entry_id, issued_at="2026-09-28T15:00:00+08:00", **extra):
    return client.post(f"{API}/slips", headers=h(office, "boss"), json={
        "staff_entry_id": entry_id, "facts": "09-28 顶撞客户", "opinion": "罚款50元", "issued_at": issued_at, **extra})


def entry_state(office, entry_id):
    with tenant_scope(office.handle.id):
        state = ledger.get_entry(entry_id).state
        db.session.rollback()
        return state


def count(office, model, *where):
    with tenant_scope(office.handle.id):
        n = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.rollback()
        return n


def job(office, name, as_of, run=1):
    db.session.rollback()
    return execute(office.handle.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}#{run}")


# ------------------------------------------------------------------------------------ STF-20

def test_stf20_refusal_one_witness_not_effective_second_witness_effective_at_that_time(client, office):
    entry_id = penalty(client, office)
    r = issue(client, office, entry_id)
    assert r.status_code == 201, r.get_json()
    slip = r.get_json()
    assert (slip["state"], slip["amount"], slip["witnesses_needed"]) == ("issued", "50.00", "≥2")
    sid = slip["id"]
    assert client.get(f"{API}/slips/{sid}", headers=h(office, "li")).status_code == 403  # not yet to witness
    # a witness cannot sign before a refusal is recorded
    assert client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "li"), json={
        "signed_at": "2026-09-28T15:05:00+08:00"}).status_code == 409
    # the employee does not record their own refusal; a salesperson cannot record one either
    assert client.post(f"{API}/slips/{sid}/refusal", headers=h(office, "wang"), json={}).status_code == 403
    r = client.post(f"{API}/slips/{sid}/refusal", headers=h(office, "boss"), json={
        "refused_at": "2026-09-28T15:10:00+08:00", "note": "拒绝签字"})
    assert r.status_code == 200 and r.get_json()["state"] == "refused"
    assert client.post(f"{API}/slips/{sid}/refusal", headers=h(office, "boss"), json={}).status_code == 409
    # the employee is no witness of their own refusal; nothing written
    r = client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "wang"), json={
        "signed_at": "2026-09-28T15:20:00+08:00"})
    assert r.status_code == 422 and "user_id" in r.get_json()["errors"]["json"]
    r = client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "li"), json={
        "signed_at": "2026-09-28T15:05:00+08:00"})
    assert r.status_code == 422 and "signed_at" in r.get_json()["errors"]["json"]  # before the refusal
    # a colleague may not sign in somebody else's name
    assert client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "li"), json={
        "user_id": office.ids["zhao"], "signed_at": "2026-09-28T15:20:00+08:00"}).status_code == 403
    one = client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "li"), json={
        "signed_at": "2026-09-28T15:20:00+08:00"})
    assert one.status_code == 201, one.get_json()
    assert one.get_json()["state"] == "refused" and one.get_json()["effective_at"] is None
    assert entry_state(office, entry_id) == "approved"
    assert client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "li"), json={
        "signed_at": "2026-09-28T15:25:00+08:00"}).status_code == 409  # the same witness twice
    two = client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "zhao"), json={
        "signed_at": "2026-09-28T15:30:00+08:00"}).get_json()
    assert (two["state"], two["effective_by"], two["effective_at"]) == ("effective", "witnesses",
                                                                        "2026-09-28T07:30:00+00:00")
    assert [w["user_id"] for w in two["witnesses"]] == [office.ids["li"], office.ids["zhao"]]
    assert entry_state(office, entry_id) == "effective"
    assert count(office, Decision, Decision.rule_id == "STF-20", Decision.subject_id == sid) == 3  # issue, refusal, effect
    assert client.post(f"{API}/slips/{sid}/witnesses", headers=h(office, "boss"), json={
        "signed_at": "2026-09-28T15:40:00+08:00"}).status_code == 409  # already effective
    assert client.post(f"{API}/slips/{sid}/sign", headers=h(office, "wang"), json={}).status_code == 409
    assert client.get(f"{API}/slips/{sid}", headers=h(office, "li")).status_code == 200  # a witness reads it


def test_stf20_signing_acknowledges_receipt_and_makes_the_entry_effective(client, office):
    entry_id = penalty(client, office)
    sid = issue(client, office, entry_id).get_json()["id"]
    with tenant_scope(office.handle.id):  # stf.slip.required: no other way to effective
        with pytest.raises(Exception) as refused:
            slips.require_effective_slip(ledger.get_entry(entry_id))
        assert getattr(refused.value, "status", None) == 409
        db.session.rollback()
    assert client.post(f"{API}/slips/{sid}/sign", headers=h(office, "boss"), json={}).status_code == 403
    r = client.post(f"{API}/slips/{sid}/sign", headers=h(office, "wang"), json={"signed_at": "2026-09-28T14:00:00+08:00"})
    assert r.status_code == 422 and "signed_at" in r.get_json()["errors"]["json"]  # before the issue
    r = client.post(f"{API}/slips/{sid}/sign", headers=h(office, "wang"), json={"signed_at": "2026-09-28T15:02:00+08:00"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["state"], r.get_json()["effective_by"]) == ("effective", "signature")
    assert r.get_json()["effective_at"] == "2026-09-28T07:02:00+00:00"
    assert entry_state(office, entry_id) == "effective"
    with tenant_scope(office.handle.id):
        slips.require_effective_slip(ledger.get_entry(entry_id))  # passes now
        db.session.rollback()
    mine = client.get(f"{API}/slips", headers=h(office, "wang")).get_json()
    assert [s["id"] for s in mine] == [sid]
    assert client.get(f"{API}/slips?user_id={office.ids['wang']}", headers=h(office, "li")).status_code == 403
    assert count(office, Notification, Notification.user_id == office.ids["wang"], Notification.rule_id == "STF-20") == 2


def test_stf20_issue_needs_a_manager_an_approved_penalty_and_one_slip(client, office):
    entry_id = penalty(client, office)
    r = client.post(f"{API}/slips", headers=h(office, "li"), json={
        "staff_entry_id": entry_id, "facts": "x", "opinion": "y"})
    assert r.status_code == 403
    proposed = penalty(client, office, approve=False)
    assert issue(client, office, proposed).status_code == 409
    reward = penalty(client, office, kind="reward")
    r = issue(client, office, reward)
    assert r.status_code == 422 and "staff_entry_id" in r.get_json()["errors"]["json"]
    r = issue(client, office, entry_id, issued_at="2026-09-28T09:00:00+08:00")
    assert r.status_code == 422 and "issued_at" in r.get_json()["errors"]["json"]  # before the offence
    r = issue(client, office, entry_id, issued_at="2030-01-01T09:00:00+08:00")
    assert r.status_code == 422 and "issued_at" in r.get_json()["errors"]["json"]  # in the future
    r = issue(client, office, entry_id, amount="80")
    assert r.status_code == 422 and "amount" in r.get_json()["errors"]["json"]
    own = penalty(client, office, who="boss")
    assert issue(client, office, own).status_code == 403  # nobody issues their own slip
    assert count(office, slips.PenaltySlip) == 0
    assert issue(client, office, entry_id, amount="50").status_code == 201
    assert issue(client, office, entry_id).status_code == 409


# ------------------------------------------------------------------------------------ STF-22

def test_stf22_refusal_with_evidence_and_bad_attitude_raises_the_hr_flag(client, office):
    plain = issue(client, office, penalty(client, office)).get_json()["id"]
    r = client.post(f"{API}/slips/{plain}/refusal", headers=h(office, "boss"), json={
        "refused_at": "2026-09-28T15:10:00+08:00", "bad_attitude": True})  # no evidence
    assert r.status_code == 200 and r.get_json()["hr_flag_entry_id"] is None
    sid = issue(client, office, penalty(client, office), evidence=["监控录像 2026-09-28 09:55"]).get_json()["id"]
    r = client.post(f"{API}/slips/{sid}/refusal", headers=h(office, "boss"), json={
        "refused_at": "2026-09-28T15:10:00+08:00", "bad_attitude": True, "evidence": ["客户投诉录音"]})
    assert r.status_code == 200, r.get_json()
    flag_id = r.get_json()["hr_flag_entry_id"]
    flag = client.get(f"{API}/entries/{flag_id}", headers=h(office, "boss")).get_json()
    assert (flag["kind"], flag["label"], flag["rule_id"], flag["user_id"], flag["subject_id"]) == (
        "flag", "final_warning_or_dismissal", "STF-22", office.ids["wang"], sid)
    assert count(office, StaffEntry, StaffEntry.kind == "flag") == 1
    # HR (stf.publication.hr_roles = gm, finance) is told
    assert count(office, Notification, Notification.rule_id == "STF-22") == 2


# ------------------------------------------------------------------------------------ STF-21

def test_stf21_window_through_10_01_appeal_on_10_02_is_422(client, office):
    entry_id = penalty(client, office)
    slip = issue(client, office, entry_id).get_json()
    assert slip["appeal_window_through"] == "2026-10-01"
    sid = slip["id"]
    r = client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
        "text": "我不服", "received_at": "2026-10-02T09:00:00+08:00"})
    assert r.status_code == 422 and "received_at" in r.get_json()["errors"]["json"]
    assert entry_state(office, entry_id) == "approved"
    assert client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "li"), json={
        "text": "替他申诉", "received_at": "2026-10-01T09:00:00+08:00"}).status_code == 403
    r = client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
        "text": "我不服", "received_at": "2026-10-01T23:30:00+08:00"})
    assert r.status_code == 201, r.get_json()
    assert entry_state(office, entry_id) == "appealed"
    assert client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
        "text": "再次", "received_at": "2026-10-01T23:40:00+08:00"}).status_code == 409
    # the slip is still to be signed while appealed; its signature does not end the appeal
    signed = client.post(f"{API}/slips/{sid}/sign", headers=h(office, "wang"), json={
        "signed_at": "2026-10-01T23:45:00+08:00"}).get_json()
    assert signed["state"] == "effective" and signed["appeal"]["state"] == "open"
    assert entry_state(office, entry_id) == "appealed"


def test_stf21_reply_due_through_10_07_none_escalates_on_10_08_once(client, office):
    entry_id = penalty(client, office)
    sid = issue(client, office, entry_id).get_json()["id"]
    r = client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
        "text": "当时客户先出言不逊", "received_at": "2026-09-30T11:00:00+08:00"})
    appeal = r.get_json()
    assert appeal["reply_due_through"] == "2026-10-07" and appeal["reply_due_at"] == "2026-10-07T16:00:00+00:00"
    assert job(office, "stf.appeal_timers", "2026-10-07T23:59:00+08:00")["escalated"] == []
    result = job(office, "stf.appeal_timers", "2026-10-08T00:04:00+08:00")
    assert result["escalated"] == [appeal["id"]]
    again = job(office, "stf.appeal_timers", "2026-10-08T00:04:00+08:00", run=2)
    assert again is not None and again["escalated"] == [] and again["windows_closed"] == []
    got = client.get(f"{API}/slips/{sid}", headers=h(office, "boss")).get_json()["appeal"]
    # the team head's superior is the head of the parent department
    assert (got["escalated_to"], got["escalated_at"]) == (office.ids["director"], "2026-10-07T16:00:00+00:00")
    assert got["overdue"] is True
    assert count(office, Decision, Decision.subject_type == "staff_appeal", Decision.subject_id == appeal["id"]) == 2
    assert count(office, Notification, Notification.kind == "stf.appeal_escalated",
                 Notification.user_id == office.ids["director"]) == 1
    overdue = client.get(f"{API}/appeals?overdue=true", headers=h(office, "director")).get_json()
    assert [a["id"] for a in overdue] == [appeal["id"]]
    assert client.get(f"{API}/appeals?user_id={office.ids['wang']}", headers=h(office, "li")).status_code == 403


def test_stf21_escalation_without_a_parent_head_goes_to_the_gm(client, office):
    client.patch(f"/api/v1/departments/{office.team}", headers=office.handle.headers(), json={"parent_id": None})
    sid = issue(client, office, penalty(client, office)).get_json()["id"]
    appeal = client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
        "text": "不服", "received_at": "2026-09-30T11:00:00+08:00"}).get_json()
    job(office, "stf.appeal_timers", "2026-10-08T00:04:00+08:00")
    got = client.get(f"{API}/slips/{sid}", headers=h(office, "boss")).get_json()["appeal"]
    assert got["id"] == appeal["id"] and got["escalated_to"] == office.ids["gm"]


def test_stf21_window_closes_once_by_the_job(client, office):
    quiet = issue(client, office, penalty(client, office)).get_json()["id"]
    appealed = issue(client, office, penalty(client, office)).get_json()["id"]
    client.post(f"{API}/slips/{appealed}/appeal", headers=h(office, "wang"), json={
        "text": "不服", "received_at": "2026-09-29T10:00:00+08:00"})
    assert job(office, "stf.appeal_timers", "2026-10-01T23:59:00+08:00")["windows_closed"] == []
    assert sorted(job(office, "stf.appeal_timers", "2026-10-02T00:04:00+08:00")["windows_closed"]) == sorted(
        [quiet, appealed])
    assert job(office, "stf.appeal_timers", "2026-10-02T00:04:00+08:00", run=2)["windows_closed"] == []
    closed = client.get(f"{API}/slips/{quiet}", headers=h(office, "boss")).get_json()
    assert closed["appeal_window_closed_at"] == "2026-10-01T16:00:00+00:00"
    # only the slip without an appeal gets the "penalty stands" decision
    assert count(office, Decision, Decision.rule_id == "STF-21", Decision.subject_type == "staff_slip") == 3


def test_stf21_outcomes_uphold_modify_revoke_with_reversals(client, office):
    def appealed(amount):
        entry_id = penalty(client, office, amount=amount)
        sid = issue(client, office, entry_id).get_json()["id"]
        client.post(f"{API}/slips/{sid}/appeal", headers=h(office, "wang"), json={
            "text": "不服", "received_at": "2026-09-29T10:00:00+08:00"})
        return entry_id, sid

    def reply(sid, who="boss", **body):
        return client.post(f"{API}/slips/{sid}/appeal/reply", headers=h(office, who), json={
            "text": "经核实", "replied_at": "2026-10-05T10:00:00+08:00", **body})

    kept, kept_slip = appealed("50")
    cut, cut_slip = appealed("100")
    gone, gone_slip = appealed("50")
    assert reply(kept_slip, who="wang", outcome="revoked").status_code == 403
    for body in ({"outcome": "modified"}, {"outcome": "modified", "new_amount": "100"},
                 {"outcome": "modified", "new_amount": "0"}, {"outcome": "upheld", "new_amount": "20"}):
        r = reply(cut_slip, **body)
        assert r.status_code == 422 and "new_amount" in r.get_json()["errors"]["json"], body
    r = reply(cut_slip, outcome="modified", replied_at="2026-09-28T10:00:00+08:00", new_amount="60")
    assert r.status_code == 422 and "replied_at" in r.get_json()["errors"]["json"]
    assert count(office, StaffEntry, StaffEntry.state == "reversal") == 0
    assert reply(kept_slip, outcome="upheld").get_json()["outcome"] == "upheld"
    assert entry_state(office, kept) == "upheld"
    modified = reply(cut_slip, outcome="modified", new_amount="60").get_json()
    revoked = reply(gone_slip, outcome="revoked").get_json()
    assert reply(gone_slip, outcome="upheld").status_code == 409
    assert (entry_state(office, cut), entry_state(office, gone)) == ("modified", "revoked")
    boss = h(office, "boss")
    part = client.get(f"{API}/entries/{modified['reversal_entry_id']}", headers=boss).get_json()
    full = client.get(f"{API}/entries/{revoked['reversal_entry_id']}", headers=boss).get_json()
    assert (part["amount"], part["reverses_id"], part["rule_id"], part["payroll_month"]) == (
        "-40.00", cut, "STF-21", "2026-10")
    assert (full["amount"], full["reverses_id"]) == ("-50.00", gone)
    original = client.get(f"{API}/entries/{gone}", headers=boss).get_json()
    assert (original["amount"], original["state"]) == ("50.00", "revoked")  # kept
    # on pay: the revoked fine and its reversal count neither (no −¥50 in October); the cut one −¥40
    october = client.get(f"{API}/totals?user_id={office.ids['wang']}&month=2026-10", headers=boss).get_json()
    assert october["penalty_yuan"] == "-40.00"
    assert count(office, Notification, Notification.user_id == office.ids["wang"], Notification.rule_id == "STF-21") == 3


# ------------------------------------------------------------------------------------ STF-23

def test_stf23_previous_month_approved_penalties_published_once_to_hr_with_csv(client, office):
    effective = penalty(client, office, amount="50", occurred_at="2026-09-10T10:00:00+08:00")
    client.post(f"{API}/slips/{issue(client, office, effective).get_json()['id']}/sign", headers=h(office, "wang"),
                json={"signed_at": "2026-09-28T15:05:00+08:00"})
    cut = penalty(client, office, amount="100", occurred_at="2026-09-22T10:00:00+08:00")
    cut_slip = issue(client, office, cut).get_json()["id"]
    client.post(f"{API}/slips/{cut_slip}/appeal", headers=h(office, "wang"), json={
        "text": "不服", "received_at": "2026-09-29T10:00:00+08:00"})
    client.post(f"{API}/slips/{cut_slip}/appeal/reply", headers=h(office, "boss"), json={
        "outcome": "modified", "new_amount": "60", "text": "减轻", "replied_at": "2026-09-30T10:00:00+08:00"})
    gone = penalty(client, office, amount="30", occurred_at="2026-09-23T10:00:00+08:00")
    with tenant_scope(office.handle.id):
        ledger.move(ledger.get_entry(gone), "revoked", by=office.ids["boss"])
        db.session.commit()
    penalty(client, office, amount="20", occurred_at="2026-09-24T10:00:00+08:00", approve=False)  # proposed
    penalty(client, office, amount="20", occurred_at="2026-09-25T10:00:00+08:00", kind="reward")
    penalty(client, office, amount="40", occurred_at="2026-10-01T10:00:00+08:00")  # October
    first = job(office, "stf.penalty_publication", "2026-10-01T02:47:00+08:00")
    assert (first["month"], first["created"], first["entries"]) == ("2026-09", True, 2)
    second = job(office, "stf.penalty_publication", "2026-10-01T02:47:00+08:00", run=2)
    assert (second["publication_id"], second["created"]) == (first["publication_id"], False)
    assert count(office, Decision, Decision.rule_id == "STF-23") == 1
    assert count(office, Notification, Notification.rule_id == "STF-23") == 2  # the GM and finance
    pid = first["publication_id"]
    assert client.get(f"{API}/penalty-publications", headers=h(office, "wang")).status_code == 403
    assert client.get(f"{API}/penalty-publications/{pid}/csv", headers=h(office, "li")).status_code == 403
    listed = client.get(f"{API}/penalty-publications", headers=h(office, "cash")).get_json()
    assert [(p["month"], p["due_on"], p["entry_count"], p["totals"]["yuan"]) for p in listed] == [
        ("2026-09", "2026-10-10", 2, "110.00")]
    items = client.get(f"{API}/penalty-publications/{pid}", headers=h(office, "gm")).get_json()["items"]
    assert [(i["entry_id"], i["amount"], i["original_amount"], i["state"], i["appeal_outcome"]) for i in items] == [
        (effective, "50.00", "50.00", "effective", None), (cut, "60.00", "100.00", "modified", "modified")]
    assert items[0]["employee"] == "wang" and items[0]["department"] == "销售一组"
    csv = client.get(f"{API}/penalty-publications/{pid}/csv", headers=h(office, "cash"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.startswith(b"\xef\xbb\xbf")
    rows = csv.data.decode("utf-8-sig").split("\r\n")
    assert rows[0].startswith("记录号 Entry,员工 Employee") and rows[1].startswith(f"{effective},wang,")
    assert len([row for row in rows if row]) == 3


def test_stf20_the_witness_count_is_the_setting_in_force_at_the_issue(client, office):
    from tests.helpers import policy_since

    policy_since(office.handle.id, "stf", {"slip": {"witnesses_on_refusal": 3}, "appeal": {"window": "1 working_days"}},
                 "2026-09-01")
    slip = issue(client, office, penalty(client, office)).get_json()
    assert (slip["witnesses_needed"], slip["appeal_window_through"]) == ("≥3", "2026-09-29")
    client.post(f"{API}/slips/{slip['id']}/refusal", headers=h(office, "boss"), json={
        "refused_at": "2026-09-28T15:10:00+08:00"})
    for n, who in enumerate(("li", "zhao"), start=1):
        r = client.post(f"{API}/slips/{slip['id']}/witnesses", headers=h(office, who), json={
            "signed_at": f"2026-09-28T15:2{n}:00+08:00"})
        assert r.get_json()["state"] == "refused"
    # a manager copies the third signature of the paper slip
    r = client.post(f"{API}/slips/{slip['id']}/witnesses", headers=h(office, "boss"), json={
        "user_id": office.ids["cash"], "signed_at": "2026-09-28T15:40:00+08:00"})
    assert (r.get_json()["state"], r.get_json()["effective_at"]) == ("effective", "2026-09-28T07:40:00+00:00")
    assert r.get_json()["witnesses"][-1]["recorded_by"] == office.ids["boss"]
