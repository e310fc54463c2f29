"""STF-01 ledger: payroll month, reversal by a linked entry, no deletion, through the API."""
import pytest

from core.db import db
from core.staff import ledger
from core.tenancy import tenant_scope


@pytest.fixture
def office(make_tenant):
    a = make_tenant("stf-ledger", "奖惩公司")
    wang, wang_token = make_tenant.user(a, "wang", roles=["salesperson"])
    boss, boss_token = make_tenant.user(a, "boss", roles=["dept_manager"])
    return a, wang, wang_token, boss_token


def test_stf01_fine_in_its_payroll_month_then_revoked_by_a_reversal(client, office):
    a, wang, wang_token, boss_token = office
    h = a.headers(boss_token)
    r = client.post("/api/v1/staff/entries", headers=h, json={
        "user_id": wang, "kind": "penalty", "amount": "50", "offence": "late_handover",
        "occurred_at": "2026-09-29T15:00:00+08:00", "reason_zh": "档案逾期移交", "reason_en": "late archive handover"})
    assert r.status_code == 201, r.get_json()
    fine = r.get_json()
    assert fine["payroll_month"] == "2026-09" and fine["amount"] == "50.00" and fine["state"] == "proposed"
    assert fine["decision_id"]
    # late at night on the 30th in Shanghai is still September though it is October in UTC+14
    late = client.post("/api/v1/staff/entries", headers=h, json={
        "user_id": wang, "kind": "reward", "amount": "20", "offence": "praise", "occurred_at": "2026-09-30T23:30:00+08:00",
        "reason_zh": "表扬", "reason_en": "praise"}).get_json()
    assert late["payroll_month"] == "2026-09"
    reverse = f"/api/v1/staff/entries/{fine['id']}/reverse"
    body = {"reason_zh": "申诉成立", "reason_en": "appeal upheld"}
    assert client.post(reverse, headers=h, json=body).status_code == 409  # a proposal counts for nothing yet
    r = client.post(f"/api/v1/staff/penalties/{fine['id']}/approve", headers=h, json={})
    assert r.status_code == 200 and r.get_json()["state"] == "approved", r.get_json()
    assert client.post(f"/api/v1/staff/entries/{late['id']}/approve", headers=a.headers(wang_token),
                       json={}).status_code == 403  # nobody approves their own reward
    assert client.post(f"/api/v1/staff/entries/{late['id']}/approve", headers=h, json={}).status_code == 200
    totals = client.get(f"/api/v1/staff/totals?user_id={wang}&month=2026-09", headers=h).get_json()
    assert (totals["penalty_yuan"], totals["reward_yuan"]) == ("50.00", "20.00")
    reversal = client.post(reverse, headers=h, json=body)
    assert reversal.status_code == 201, reversal.get_json()
    body_r = reversal.get_json()
    assert body_r["amount"] == "-50.00" and body_r["reverses_id"] == fine["id"] and body_r["state"] == "reversal"
    assert client.post(reverse, headers=h, json=body).status_code == 409  # nothing left to reverse
    mine = client.get("/api/v1/staff/entries", headers=a.headers(wang_token)).get_json()
    assert [(e["id"], e["amount"]) for e in mine] == [(fine["id"], "50.00"), (late["id"], "20.00"),
                                                      (body_r["id"], "-50.00")]
    assert client.delete(f"/api/v1/staff/entries/{fine['id']}", headers=h).status_code == 405
    september = client.get(f"/api/v1/staff/totals?user_id={wang}&month=2026-09", headers=h).get_json()
    reversal_month = body_r["payroll_month"]
    later = client.get(f"/api/v1/staff/totals?user_id={wang}&month={reversal_month}", headers=h).get_json()
    assert september["penalty_yuan"] == "50.00" and later["penalty_yuan"] == "-50.00"  # original month kept


def test_stf01_a_proposal_is_withdrawn_not_reversed_and_a_revoked_fine_leaves_the_pay(client, office):
    a, wang, wang_token, boss_token = office
    h = a.headers(boss_token)
    fine = client.post("/api/v1/staff/entries", headers=h, json={
        "user_id": wang, "kind": "penalty", "amount": "30", "offence": "x", "occurred_at": "2026-09-10T10:00:00+08:00",
        "reason_zh": "原因", "reason_en": "reason"}).get_json()
    url = f"/api/v1/staff/entries/{fine['id']}/revoke"
    assert client.post(url, headers=h, json={"reason": " "}).status_code == 422
    assert client.post(url, headers=a.headers(wang_token), json={"reason": "不服"}).status_code == 403
    r = client.post(url, headers=h, json={"reason": "记录有误"})
    assert r.status_code == 200 and r.get_json()["state"] == "revoked"
    assert client.post(url, headers=h, json={"reason": "再次"}).status_code == 409
    totals = client.get(f"/api/v1/staff/totals?user_id={wang}&month=2026-09", headers=h).get_json()
    assert totals["penalty_yuan"] == "0.00"


def test_stf01_nobody_reverses_their_own_fine(client, office):
    a, _wang, _wang_token, boss_token = office
    boss = client.get("/api/v1/me", headers=a.headers(boss_token)).get_json()["user"]["id"]
    fine = client.post("/api/v1/staff/entries", headers=a.headers(), json={
        "user_id": boss, "kind": "penalty", "amount": "50", "offence": "x", "occurred_at": "2026-09-10T10:00:00+08:00",
        "reason_zh": "原因", "reason_en": "reason"}).get_json()
    with tenant_scope(a.id):  # approved by the catalog approver
        ledger.move(ledger.get_entry(fine["id"]), "approved", by=None)
        db.session.commit()
    r = client.post(f"/api/v1/staff/entries/{fine['id']}/reverse", headers=a.headers(boss_token),
                    json={"reason_zh": "自己撤销", "reason_en": "my own"})
    assert r.status_code == 403


def test_stf01_entries_need_a_person_or_unit_and_a_salesperson_sees_only_theirs(client, office):
    a, wang, wang_token, boss_token = office
    r = client.post("/api/v1/staff/entries", headers=a.headers(boss_token), json={
        "kind": "penalty", "amount": "50", "offence": "x", "reason_zh": "原因", "reason_en": "reason"})
    assert r.status_code == 422 and "user_id" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/staff/entries", headers=a.headers(wang_token), json={
        "user_id": wang, "kind": "reward", "amount": "500", "offence": "self", "reason_zh": "自奖", "reason_en": "self"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/staff/entries?user_id={a.admin_id}", headers=a.headers(wang_token)).status_code == 403
