"""Performance credit through the API (STF-30..33, CMP-72) and monthly statements (STF-34), with the
spec's vectors. Attribution and recognition come from the decision hooks ``kehu_commission_split``
and ``kehu_credit_recognition``: the sample plugin (tests/plugins/sample_plugin.py) decides for its
tenants, the core plugin for everyone else."""
from types import SimpleNamespace

import pytest

from core.db import db
from workers.runtime import execute

CREDITS = "/api/v1/staff/credits"


@pytest.fixture
def shop(make_tenant):
    handle = make_tenant("stf-credit", "信达汽车", plugins=["sample"])
    people = {name: make_tenant.user(handle, name, roles=roles) for name, roles in (
        ("wang", ["salesperson"]), ("li", ["salesperson"]), ("zhao", ["salesperson"]), ("gao", ["salesperson"]),
        ("fang", ["salesperson"]), ("boss", ["dept_manager"]), ("asst", ["assistant"]))}
    return SimpleNamespace(handle=handle, ids={n: p[0] for n, p in people.items()},
                           tokens={n: p[1] for n, p in people.items()})


def h(shop, who="asst"):
    return shop.handle.headers(shop.tokens[who])


def job(shop, name, as_of):
    db.session.rollback()
    return execute(shop.handle.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}")


def deal(client, shop, subject_id, amount, owner="wang", who="asst", **extra):
    body = {"subject_type": "car_order", "subject_id": subject_id, "amount": amount,
            "owner_id": shop.ids[owner], "reference": f"car #{subject_id}", **extra}
    return client.post(CREDITS, headers=h(shop, who), json=body)


def shares(body, kind):
    return [(s["user_id"], s["percent"], s["amount"]) for s in body["shares"] if s["kind"] == kind]


def test_stf30_kehu_commission_split_vector_and_no_direct_edit(client, shop):
    """performance {A 100}, bonus {A 80, B 20} on ¥12,345.67 → A ¥9,876.54, B ¥2,469.13."""
    a, b = shop.ids["wang"], shop.ids["li"]
    r = deal(client, shop, 812, "12345.67", deal_at="2026-04-20T15:00:00+08:00", facts={"assisted_by": b})
    assert r.status_code == 201, r.get_json()
    credit = r.get_json()
    assert shares(credit, "performance") == [(a, "100.00", "12345.67")]
    assert shares(credit, "bonus") == [(a, "80.00", "9876.54"), (b, "20.00", "2469.13")]
    split = next(d for d in credit["decisions"] if d["id"] == credit["decision_id"])
    assert split["rule_id"] == "sample:co_selling" and split["policy_module"] == "stf"
    # the core's recognition: counted when recorded
    assert credit["state"] == "recognised" and credit["recognised_month"] == "2026-04"
    # nobody edits shares
    url = f"{CREDITS}/{credit['id']}"
    assert client.put(f"{url}/shares", headers=h(shop, "boss"), json=[]).status_code == 405
    assert client.patch(f"{url}/shares", headers=h(shop, "boss"), json=[]).status_code == 405
    assert client.patch(url, headers=h(shop, "boss"), json={"amount": "1"}).status_code == 405
    assert client.delete(url, headers=h(shop, "boss")).status_code == 405
    # a second credit for the same deal: 409
    assert deal(client, shop, 812, "1.00").status_code == 409


def test_stf30_new_decision_supersedes_the_old_one(client, shop):
    a, b, c = shop.ids["wang"], shop.ids["li"], shop.ids["zhao"]
    credit = deal(client, shop, 813, "12345.67", deal_at="2026-04-20T15:00:00+08:00").get_json()
    first = credit["decision_id"]
    assert shares(credit, "bonus") == [(a, "100.00", "12345.67")]  # the core default (STF-30)
    url = f"{CREDITS}/{credit['id']}/attribution"
    thirds = [{"user_id": a, "percent": "33.34"}, {"user_id": b, "percent": "33.33"}, {"user_id": c, "percent": "33.33"}]
    body = {"performance": thirds, "bonus": thirds, "reason": "判客结果：三人共同接待"}
    assert client.post(url, headers=h(shop, "wang"), json=body).status_code == 403
    assert client.post(url, headers=h(shop, "boss"), json={**body, "reason": None}).status_code == 422
    short = [{"user_id": a, "percent": "50"}, {"user_id": b, "percent": "49.99"}]
    r = client.post(url, headers=h(shop, "boss"), json={**body, "bonus": short})
    assert r.status_code == 422 and "99.99%" in str(r.get_json()["errors"])
    r = client.post(url, headers=h(shop, "boss"), json={**body, "bonus": [{"user_id": 999999, "percent": "100"}]})
    assert r.status_code == 422
    r = client.post(url, headers=h(shop, "boss"), json=body)
    assert r.status_code == 201, r.get_json()
    now = r.get_json()
    assert shares(now, "performance") == [(a, "33.34", "4116.05"), (b, "33.33", "4114.81"), (c, "33.33", "4114.81")]
    newest = next(d for d in now["decisions"] if d["id"] == now["decision_id"])
    assert newest["supersedes_id"] == first and newest["decided_by"] == shop.ids["boss"]
    assert "三人共同接待" in newest["reason_zh"]
    # the old decision and its outcome are kept
    old = next(d for d in now["decisions"] if d["id"] == first)
    assert old["outcome"]["bonus"][0]["percent"] == "100.00"


def test_kehu_commission_split_team_thirds_only_for_tenants_with_the_plugin(client, shop, make_tenant):
    a, b, c = shop.ids["wang"], shop.ids["li"], shop.ids["zhao"]
    credit = deal(client, shop, 814, "100.00", facts={"team": [a, b, c]}).get_json()
    assert shares(credit, "performance") == [(a, "33.34", "33.34"), (b, "33.33", "33.33"), (c, "33.33", "33.33")]
    other = make_tenant("stf-credit-plain", "普通公司")
    seller, _ = make_tenant.user(other, "seller", roles=["salesperson"])
    helper, _ = make_tenant.user(other, "helper", roles=["salesperson"])
    r = client.post(CREDITS, headers=other.headers(), json={
        "subject_type": "car_order", "subject_id": 814, "amount": "100.00", "owner_id": seller,
        "facts": {"assisted_by": helper, "team": [seller, helper]}})
    assert r.status_code == 201, r.get_json()
    assert shares(r.get_json(), "bonus") == [(seller, "100.00", "100.00")]
    assert r.get_json()["decisions"][-1]["rule_id"] == "STF-30"
    # nor does the plugin's kehu_credit_recognition: a GMAC deal there counts when recorded (core default)
    gmac = client.post(CREDITS, headers=other.headers(), json={
        "subject_type": "car_order", "subject_id": 815, "amount": "100.00", "owner_id": seller,
        "deal_at": "2026-08-06T10:00:00+08:00", "facts": {"payment": "gmac"}}).get_json()
    assert (gmac["state"], gmac["recognised_month"]) == ("recognised", "2026-08")


def test_stf31_kehu_credit_recognition_gmac_counts_at_the_remittance_report(client, shop):
    """CAR GMAC deal: down payment 2026-08-06, pickup 08-20, remittance report 08-25 → counted 2026-08-25."""
    r = deal(client, shop, 90, "150000.00", deal_at="2026-08-06T10:00:00+08:00",
             facts={"payment": "gmac", "down_payment_at": "2026-08-06T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    credit = r.get_json()
    assert credit["state"] == "pending" and credit["recognised_month"] is None
    pending = client.get(f"{CREDITS}?state=pending", headers=h(shop, "boss")).get_json()
    assert [c["id"] for c in pending] == [credit["id"]]
    url = f"{CREDITS}/{credit['id']}/facts"
    assert client.post(url, headers=h(shop, "wang"), json={"facts": {"pickup_at": "x"}}).status_code == 403
    picked = client.post(url, headers=h(shop), json={"facts": {"pickup_at": "2026-08-20T16:00:00+08:00"}}).get_json()
    assert picked["state"] == "pending"
    counted = client.post(url, headers=h(shop), json={"facts": {"remittance_report_at": "2026-08-25T11:00:00+08:00"}})
    assert counted.status_code == 200, counted.get_json()
    body = counted.get_json()
    assert body["state"] == "recognised" and body["recognised_month"] == "2026-08"
    assert body["recognised_at"].startswith("2026-08-25T03:00:00")
    stf31 = [d for d in body["decisions"] if d["rule_id"] == "STF-31"]
    assert [d["outcome"]["state"] for d in stf31] == ["recognised", "pending"]  # newest first
    assert stf31[0]["supersedes_id"] == stf31[1]["id"]
    assert [c["id"] for c in client.get(f"{CREDITS}?month=2026-08", headers=h(shop, "boss")).get_json()] == [body["id"]]
    # never before pickup: a report received before the car left counts at pickup
    early = deal(client, shop, 91, "90000.00", deal_at="2026-08-06T10:00:00+08:00", facts={
        "payment": "gmac", "remittance_report_at": "2026-08-28T09:00:00+08:00",
        "pickup_at": "2026-09-02T10:00:00+08:00"}).get_json()
    assert early["state"] == "recognised" and early["recognised_month"] == "2026-09"


def test_stf32_mentor_holds_the_performance_the_probationer_is_paid(client, shop):
    """Probationer Gao sells car #90 (mentor Fang) → performance Fang 100%, commission payee Gao."""
    gao, fang = shop.ids["gao"], shop.ids["fang"]
    r = deal(client, shop, 90, "150000.00", owner="gao", mentor_id=fang)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert shares(body, "performance") == [(fang, "100.00", "150000.00")]
    assert shares(body, "bonus") == [(gao, "100.00", "150000.00")]
    assert body["owner_id"] == gao and body["mentor_id"] == fang
    assert next(d for d in body["decisions"] if d["id"] == body["decision_id"])["rule_id"] == "STF-32"
    assert deal(client, shop, 92, "1.00", owner="gao", mentor_id=gao).status_code == 422
    # both see it: the holder of the performance and the payee
    for who in ("gao", "fang"):
        assert [c["id"] for c in client.get(CREDITS, headers=h(shop, who)).get_json()] == [body["id"]]
    assert client.get(CREDITS, headers=h(shop, "li")).get_json() == []
    assert client.get(f"{CREDITS}/{body['id']}", headers=h(shop, "li")).status_code == 403
    assert client.post(CREDITS, headers=h(shop, "wang"), json={
        "subject_type": "car_order", "subject_id": 93, "amount": "1", "owner_id": shop.ids["wang"]}).status_code == 403


def test_stf33_cmp72_clawback_is_a_reversal_in_its_own_month(client, shop):
    """Manager cancels car #88's credit with reason → STF-30 reversal, decision CMP-72; negative credit
    in the reversal month, original month unchanged."""
    a, b = shop.ids["wang"], shop.ids["li"]
    credit = deal(client, shop, 88, "12345.67", deal_at="2026-09-10T10:00:00+08:00",
                  facts={"assisted_by": b}).get_json()
    complaint = client.post("/api/v1/complaints", headers=h(shop, "boss"), json={
        "channel": "phone", "content": "销售承诺的赠品未兑现", "accused_user_id": a,
        "extra": {"meter_no": "M000088"}}).get_json()  # the sample plugin (on for this shop) asks for it
    assert "id" in complaint, complaint
    url = f"{CREDITS}/{credit['id']}/clawback"
    body = {"complaint_id": complaint["id"], "reason": "销售误导导致投诉", "at": "2026-10-12T10:00:00+08:00"}
    assert client.post(url, headers=h(shop, "asst"), json=body).status_code == 403
    assert client.post(url, headers=h(shop, "boss"), json={**body, "reason": "  "}).status_code == 422
    assert client.post(url, headers=h(shop, "boss"), json={k: v for k, v in body.items() if k != "reason"}).status_code == 422
    assert client.post(url, headers=h(shop, "boss"), json={**body, "complaint_id": 999999}).status_code == 422
    r = client.post(url, headers=h(shop, "boss"), json=body)
    assert r.status_code == 201, r.get_json()
    reversal = r.get_json()
    assert reversal["kind"] == "reversal" and reversal["reverses_id"] == credit["id"]
    assert reversal["amount"] == "-12345.67" and reversal["recognised_month"] == "2026-10"
    assert shares(reversal, "bonus") == [(a, "80.00", "-9876.54"), (b, "20.00", "-2469.13")]
    decision = next(d for d in reversal["decisions"] if d["id"] == reversal["decision_id"])
    assert decision["rule_id"] == "CMP-72" and decision["decided_by"] == shop.ids["boss"]
    assert complaint["number"] in decision["reason_zh"] and "销售误导导致投诉" in decision["reason_zh"]
    original = client.get(f"{CREDITS}/{credit['id']}", headers=h(shop, "boss")).get_json()
    assert original["state"] == "recognised" and original["recognised_month"] == "2026-09"
    assert original["amount"] == "12345.67" and original["reversed_by_id"] == reversal["id"]
    september = client.get(f"{CREDITS}?month=2026-09", headers=h(shop, "boss")).get_json()
    october = client.get(f"{CREDITS}?month=2026-10", headers=h(shop, "boss")).get_json()
    assert [c["id"] for c in september] == [credit["id"]] and [c["id"] for c in october] == [reversal["id"]]
    events = client.get(f"/api/v1/complaints/{complaint['id']}", headers=h(shop, "boss")).get_json()["events"]
    assert "credit_clawback" in [e["kind"] for e in events]
    # once only; no attribution, facts or reversal of a reversed deal or of the reversal itself
    assert client.post(url, headers=h(shop, "boss"), json=body).status_code == 409
    assert client.post(f"{CREDITS}/{credit['id']}/reverse", headers=h(shop, "boss"), json={"reason": "x"}).status_code == 409
    assert client.post(f"{CREDITS}/{reversal['id']}/reverse", headers=h(shop, "boss"), json={"reason": "x"}).status_code == 409
    assert client.post(f"{CREDITS}/{credit['id']}/attribution", headers=h(shop, "boss"), json={}).status_code == 409


def test_stf33_reversal_by_rule_and_a_pending_deal_is_cancelled(client, shop):
    counted = deal(client, shop, 95, "5000.00", deal_at="2026-09-10T10:00:00+08:00").get_json()
    url = f"{CREDITS}/{counted['id']}/reverse"
    early = {"rule_id": "CAR-35", "reason": "泄露库存信息", "at": "2026-09-01T10:00:00+08:00"}
    assert client.post(url, headers=h(shop, "boss"), json=early).status_code == 422  # before it counted
    assert client.post(url, headers=h(shop, "boss"), json={**early, "rule_id": "XX-1"}).status_code == 422
    r = client.post(url, headers=h(shop, "boss"), json={**early, "at": "2026-09-20T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["recognised_month"] == "2026-09" and body["amount"] == "-5000.00"
    assert body["decisions"][0]["rule_id"] == "CAR-35"
    pending = deal(client, shop, 96, "8000.00", facts={"payment": "gmac"}).get_json()
    r = client.post(f"{CREDITS}/{pending['id']}/reverse", headers=h(shop, "boss"), json={
        "rule_id": "CAR-32", "reason": "缺保险单复印件"})
    assert r.status_code == 201
    assert r.get_json()["id"] == pending["id"] and r.get_json()["state"] == "cancelled"
    assert client.post(f"{CREDITS}/{pending['id']}/facts", headers=h(shop), json={
        "facts": {"pickup_at": "2026-09-01T10:00:00+08:00"}}).status_code == 409


def test_stf34_statements_on_the_1st_once_and_confirmed_by_the_employee(client, shop):
    """2026-10-01 statements for September generated once; re-run → no duplicate."""
    from core.staff import ledger
    from core.tenancy import tenant_scope

    a, b = shop.ids["wang"], shop.ids["li"]
    deal(client, shop, 812, "12345.67", deal_at="2026-09-12T15:00:00+08:00", facts={"assisted_by": b})
    deal(client, shop, 813, "1000.00", deal_at="2026-10-02T15:00:00+08:00")  # October: not on September's
    import datetime as dt

    with tenant_scope(shop.handle.id):
        ledger.record_entry(kind="penalty", offence="late_handover", rule_id="STF-01", amount=50, user_id=a,
                            occurred_at=dt.datetime(2026, 9, 22, 10, tzinfo=dt.timezone.utc), state="approved",
                            reason_zh="档案逾期移交", reason_en="late archive handover")
        db.session.commit()
    assert job(shop, "stf.monthly_close", "2026-09-30T03:07:00+08:00")["month"] == "2026-08"
    first = job(shop, "stf.monthly_close", "2026-10-01T03:07:00+08:00")
    again = job(shop, "stf.monthly_close", "2026-10-02T03:07:00+08:00")
    assert first["month"] == again["month"] == "2026-09"
    assert again["issued"] == []
    listed = client.get("/api/v1/staff/statements?month=2026-09", headers=h(shop, "boss")).get_json()
    mine = {s["user_id"]: s for s in listed}
    assert sorted(mine) == sorted([a, b]) and len(listed) == len(first["issued"]) == 2
    assert (mine[a]["performance"], mine[a]["commission"], mine[a]["penalty_yuan"]) == ("12345.67", "9876.54", "50.00")
    assert (mine[b]["performance"], mine[b]["commission"], mine[b]["penalty_yuan"]) == ("0.00", "2469.13", "0.00")
    assert mine[a]["state"] == "issued" and [line["share"] for line in mine[a]["lines"]] == ["performance", "bonus"]
    url = f"/api/v1/staff/statements/{mine[a]['id']}"
    assert client.get(url, headers=h(shop, "li")).status_code == 403
    assert client.post(f"{url}/confirm", headers=h(shop, "li")).status_code == 403
    assert client.post(f"{url}/confirm", headers=h(shop, "boss")).status_code == 403
    r = client.post(f"{url}/confirm", headers=h(shop, "wang"))
    assert r.status_code == 200 and r.get_json()["state"] == "confirmed"
    assert client.post(f"{url}/confirm", headers=h(shop, "wang")).status_code == 409
    notes = client.get("/api/v1/notifications", headers=h(shop, "wang")).get_json()
    assert [n["rule_id"] for n in notes if n["kind"] == "stf_statement"] == ["STF-34"]
    decision = client.get(f"/api/v1/decisions/{mine[a]['decision_id']}", headers=shop.handle.headers()).get_json()
    assert decision["rule_id"] == "STF-34" and "12345.67" in decision["reason_zh"]


def test_stf34_statement_day_setting(client, shop):
    from tests.helpers import policy_since

    policy_since(shop.handle.id, "stf", {"statement": {"day": 5}}, "2026-01-01")
    deal(client, shop, 812, "100.00", deal_at="2026-09-12T15:00:00+08:00")
    assert job(shop, "stf.monthly_close", "2026-10-01T03:07:00+08:00")["month"] is None
    assert len(job(shop, "stf.monthly_close", "2026-10-05T03:07:00+08:00")["issued"]) == 1
