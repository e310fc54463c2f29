"""STF-01 ledger: payroll month, reversal by a linked entry, no deletion, through the API."""
import pytest


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
    # late at night on the 30th in Shanghai is still September even though it is October in UTC+14
    late = client.post("/api/v1/staff/entries", headers=h, json={
        "user_id": wang, "kind": "reward", "amount": "20", "offence": "praise", "occurred_at": "2026-09-30T23:30:00+08:00",
        "reason_zh": "表扬", "reason_en": "praise"}).get_json()
    assert late["payroll_month"] == "2026-09"
    reversal = client.post(f"/api/v1/staff/entries/{fine['id']}/reverse", headers=h, json={
        "reason_zh": "申诉成立", "reason_en": "appeal upheld"})
    assert reversal.status_code == 201, reversal.get_json()
    body = reversal.get_json()
    assert body["amount"] == "-50.00" and body["reverses_id"] == fine["id"] and body["state"] == "reversal"
    again = client.post(f"/api/v1/staff/entries/{fine['id']}/reverse", headers=h, json={
        "reason_zh": "再次", "reason_en": "again"})
    assert again.status_code == 409
    mine = client.get("/api/v1/staff/entries", headers=a.headers(wang_token)).get_json()
    assert [(e["id"], e["amount"]) for e in mine] == [(fine["id"], "50.00"), (late["id"], "20.00"),
                                                      (body["id"], "-50.00")]
    assert client.delete(f"/api/v1/staff/entries/{fine['id']}", headers=h).status_code == 405
    totals = client.get(f"/api/v1/staff/totals?user_id={wang}&month=2026-09", headers=h).get_json()
    # the proposed fine does not count on pay; its reversal was written against it (net 0 once approved)
    assert totals["reward_yuan"] == "0.00"


def test_stf01_entries_need_a_person_or_unit_and_a_salesperson_sees_only_theirs(client, office):
    a, wang, wang_token, boss_token = office
    r = client.post("/api/v1/staff/entries", headers=a.headers(boss_token), json={
        "kind": "penalty", "amount": "50", "offence": "x", "reason_zh": "原因", "reason_en": "reason"})
    assert r.status_code == 422 and "user_id" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/staff/entries", headers=a.headers(wang_token), json={
        "user_id": wang, "kind": "reward", "amount": "500", "offence": "self", "reason_zh": "自奖", "reason_en": "self"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/staff/entries?user_id={a.admin_id}", headers=a.headers(wang_token)).status_code == 403
