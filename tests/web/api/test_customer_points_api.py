"""Transactions, referrals, points and referral rewards through the API: the vectors of CUS-40..CUS-44
with their 2026 dates and numbers, bad input (422 naming the field, nothing written), roles."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.customers import ownership_store
from core.db import db
from core.decisions import service as decisions
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.test_customers_api import _count

SH = ZoneInfo("Asia/Shanghai")
API = "/api/v1/customers"
PHONES = iter(f"139{n:08d}" for n in range(10000000, 10001000))


def _customer(client, handle, name):
    r = client.post(API, headers=handle.headers(), json={"name": name, "phones": [{"number": next(PHONES)}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _refer(client, handle, referee, referrer, at="2026-05-10T10:00:00+08:00", **extra):
    return client.post(f"{API}/{referee}/referral", headers=handle.headers(),
                       json={"referrer_id": referrer, "at": at, **extra})


def _tx(client, handle, customer, kind, amount, at, token=None, **extra):
    return client.post(f"{API}/{customer}/transactions", headers=handle.headers(token),
                       json={"kind": kind, "amount": amount, "at": at, **extra})


def _points(client, handle, customer):
    return client.get(f"{API}/{customer}/points", headers=handle.headers()).get_json()


@pytest.fixture
def club(client, two_tenants):
    """Tenant A with Zhou (an existing club customer) who referred Wu and Xu on 2026-05-10."""
    a, _b = two_tenants
    zhou, wu, xu = (_customer(client, a, n) for n in ("周老先生", "吴女士", "徐先生"))
    for referee in (wu, xu):
        r = _refer(client, a, referee, zhou)
        assert r.status_code == 201, r.get_json()
    return a, zhou, wu, xu


# ------------------------------------------------------------------------------------------------
# CUS-42 / CUS-41
# ------------------------------------------------------------------------------------------------


def test_cus42_zhou_brings_wu_and_xu_to_the_0520_meeting_then_wu_again(client, club):
    a, zhou, wu, xu = club
    url = f"{API}/{wu}/attendances"
    r = client.post(url, headers=a.headers(), json={"event_id": 5, "attended_at": "2026-05-20T19:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["points"], body["referrer_id"], body["decision"]["rule_id"]) == (100, zhou, "CUS-42")
    assert "2026-05-20" in body["decision"]["reason_en"] and "周老先生" in body["decision"]["reason_zh"]
    r = client.post(f"{API}/{xu}/attendances", headers=a.headers(),
                    json={"event_id": 5, "attended_at": "2026-05-20T19:05:00+08:00"})
    assert r.get_json()["points"] == 100
    points = _points(client, a, zhou)
    assert points["balance"] == 200 and [e["points"] for e in points["entries"]] == [100, 100]  # vector (1)
    assert {e["referee_id"] for e in points["entries"]} == {wu, xu}
    assert all(e["source"] == "event" and e["rule_id"] == "CUS-42" for e in points["entries"])
    again = client.post(url, headers=a.headers(), json={"event_id": 6, "attended_at": "2026-06-10T19:00:00+08:00"})
    assert again.status_code == 201 and again.get_json()["points"] == 0  # vector (2)
    assert "once per referee" in again.get_json()["decision"]["reason_en"]
    assert again.get_json()["entry_id"] is None
    assert _points(client, a, zhou)["balance"] == 200
    # the same attendance again (a retried call) is answered with the first result
    replay = client.post(url, headers=a.headers(), json={"event_id": 5, "attended_at": "2026-05-20T19:00:00+08:00"})
    assert replay.status_code == 200 and replay.get_json()["id"] == body["id"]
    assert replay.get_json()["points"] == 100 and _points(client, a, zhou)["balance"] == 200
    listed = client.get(url, headers=a.headers()).get_json()
    assert [x["event_id"] for x in listed] == [6, 5]


def test_cus42_attendance_of_a_customer_without_referral_and_bad_input(client, club, owner_engine):
    a, zhou, _wu, _xu = club
    r = client.post(f"{API}/{zhou}/attendances", headers=a.headers(), json={"attended_at": "2026-05-20T19:00:00+08:00"})
    assert r.status_code == 422 and "customer_id" in r.get_json()["errors"]["json"]
    r = client.post(f"{API}/{zhou}/attendances", headers=a.headers(), json={"event_id": 5})
    assert r.status_code == 422 and "attended_at" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "referral_attendances", a.id) == 0
    assert _count(owner_engine, "points_entries", a.id) == 0


def test_cus41_plus100_plus200_reversal_minus100_balance_200_three_entries(client, club, make_tenant):
    a, zhou, wu, xu = club
    first = client.post(f"{API}/{wu}/attendances", headers=a.headers(),
                        json={"event_id": 5, "attended_at": "2026-05-20T19:00:00+08:00"}).get_json()
    sale = _tx(client, a, xu, "purchase", "2000.00", "2026-05-20T20:00:00+08:00", event_id=5)
    assert sale.status_code == 201 and [e["points"] for e in sale.get_json()["effects"]] == [200]
    _seller, seller_token = make_tenant.user(a, "seller", roles=["salesperson"])
    url = f"{API}/{zhou}/points/entries/{first['entry_id']}/reverse"
    assert client.post(url, headers=a.headers(seller_token), json={"reason": "录入错误"}).status_code == 403
    r = client.post(url, headers=a.headers(), json={})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = client.post(url, headers=a.headers(), json={"reason": "吴女士实为老客户，误记"})
    assert r.status_code == 201, r.get_json()
    reversal = r.get_json()
    assert (reversal["points"], reversal["reverses"], reversal["rule_id"]) == (-100, first["entry_id"], "CUS-41")
    points = _points(client, a, zhou)
    assert points["balance"] == 200 and [e["points"] for e in points["entries"]] == [100, 200, -100]
    assert points["entries"][0]["reversed_points"] == -100
    with tenant_scope(a.id):
        decision = decisions.get(reversal["decision_id"])
        assert decision.decided_by == a.admin_id and decision.supersedes_id == first["decision"]["id"]
        assert "误记" in decision.reason_zh
    # nothing is left to reverse; a reversal is not reversed
    assert client.post(url, headers=a.headers(), json={"reason": "again"}).status_code == 422
    r = client.post(f"{API}/{zhou}/points/entries/{reversal['id']}/reverse", headers=a.headers(), json={"reason": "x"})
    assert r.status_code == 422 and "points_entry_id" in r.get_json()["errors"]["json"]
    # no call edits or deletes an entry
    spec = client.get("/api/v1/openapi.json").get_json()
    methods = {m for p, item in spec["paths"].items() if "/points" in p for m in item}
    assert methods <= {"get", "post", "parameters"}


def test_cus41_spend_needs_the_balance_and_reversal_of_spent_points_shows_the_debt(client, club, owner_engine):
    a, zhou, wu, _xu = club
    award = client.post(f"{API}/{wu}/attendances", headers=a.headers(),
                        json={"event_id": 5, "attended_at": "2026-05-20T19:00:00+08:00"}).get_json()
    spend = f"{API}/{zhou}/points/spend"
    r = client.post(spend, headers=a.headers(), json={"points": 101})
    assert r.status_code == 422 and "points" in r.get_json()["errors"]["json"]
    assert client.post(spend, headers=a.headers(), json={"points": 0}).status_code == 422
    assert client.post(spend, headers=a.headers(), json={"points": "10"}).status_code == 422
    assert _count(owner_engine, "points_entries", a.id) == 1
    r = client.post(spend, headers=a.headers(), json={"points": 100, "note": "兑换保温杯"})
    assert r.status_code == 201 and r.get_json()["points"] == -100 and r.get_json()["source"] == "redemption"
    assert "兑换保温杯" in r.get_json()["reason_zh"]
    assert _points(client, a, zhou)["balance"] == 0
    r = client.post(f"{API}/{zhou}/points/entries/{award['entry_id']}/reverse", headers=a.headers(),
                    json={"reason": "会议签到作废"})
    assert r.status_code == 201
    assert _points(client, a, zhou)["balance"] == -100  # the debt shows (CUS-41)
    assert client.post(spend, headers=a.headers(), json={"points": 1}).status_code == 422


def test_ledger_rows_are_append_only(ctx, club):
    from core.customers.points.models import PointsLedgerEntry

    a, zhou, wu, _xu = club
    client = ctx.test_client()
    client.post(f"{API}/{wu}/attendances", headers=a.headers(),
                json={"event_id": 5, "attended_at": "2026-05-20T19:00:00+08:00"})
    with tenant_scope(a.id):
        row = db.session.query(PointsLedgerEntry).one()
        row.points = 1000
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
        row = db.session.query(PointsLedgerEntry).one()
        db.session.delete(row)
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()


# ------------------------------------------------------------------------------------------------
# CUS-43
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rounding, expected", [
    ("floor", {"999.00": 0, "1000.00": 100, "2500.00": 200, "2999.00": 200}),
    ("pro_rata", {"999.00": 99, "1000.00": 100, "2500.00": 250, "2999.00": 299}),
])
def test_cus43_points_per_full_1000_of_an_event_sale(client, club, rounding, expected):
    a, zhou, wu, _xu = club
    if rounding == "pro_rata":
        policy_since(a.id, "cus", {"points": {"rounding": "pro_rata"}}, "2026-01-01")
    for i, (amount, points) in enumerate(expected.items()):
        r = _tx(client, a, wu, "purchase", amount, f"2026-05-2{i}T15:00:00+08:00", event_id=5)
        assert r.status_code == 201, r.get_json()
        effect = [e for e in r.get_json()["effects"] if e["rule_id"] == "CUS-43"]
        assert len(effect) == 1 and effect[0]["points"] == points and effect[0]["customer_id"] == zhou, amount
    assert _points(client, a, zhou)["balance"] == sum(expected.values())


def test_cus43_refund_reverses_on_the_net_amount(client, club):
    a, zhou, wu, _xu = club
    sale = _tx(client, a, wu, "purchase", "2500.00", "2026-05-20T15:00:00+08:00", event_id=5).get_json()
    assert sale["effects"][0]["points"] == 200
    r = _tx(client, a, wu, "refund", "1200.00", "2026-05-25T11:00:00+08:00", refund_of=sale["id"])
    assert r.status_code == 201, r.get_json()
    effect = r.get_json()["effects"]
    assert [(e["rule_id"], e["points"]) for e in effect] == [("CUS-43", -100)]
    assert "¥1,300.00" in effect[0]["reason_en"]
    points = _points(client, a, zhou)
    assert points["balance"] == 100 and [e["points"] for e in points["entries"]] == [200, -100]
    assert points["entries"][1]["reverses"] == points["entries"][0]["id"] == sale["effects"][0]["entry_id"]
    assert points["entries"][1]["source"] == "sale" and points["entries"][1]["source_id"] == r.get_json()["id"]
    # the rest refunded: 0 points stand
    r = _tx(client, a, wu, "refund", "1300.00", "2026-05-26T11:00:00+08:00", refund_of=sale["id"])
    assert [e["points"] for e in r.get_json()["effects"]] == [-100]
    assert _points(client, a, zhou)["balance"] == 0


def test_cus43_refund_is_judged_under_the_purchase_policy(client, club):
    a, zhou, wu, _xu = club
    sale = _tx(client, a, wu, "purchase", "2500.00", "2026-05-20T15:00:00+08:00", event_id=5).get_json()
    policy_since(a.id, "cus", {"points": {"rounding": "pro_rata"}}, "2026-05-22")
    r = _tx(client, a, wu, "refund", "1200.00", "2026-05-25T11:00:00+08:00", refund_of=sale["id"])
    assert [e["points"] for e in r.get_json()["effects"]] == [-100]  # floor (v0), not pro rata (130 → -70)
    with tenant_scope(a.id):
        decision = decisions.get(r.get_json()["effects"][0]["decision_id"])
        assert (decision.policy_module, decision.policy_version) == ("cus", 0)
    assert _points(client, a, zhou)["balance"] == 100


def test_cus43_scope_event_sales_and_all_sales(client, club):
    a, zhou, wu, _xu = club
    shop = _tx(client, a, wu, "purchase", "3000.00", "2026-05-21T15:00:00+08:00").get_json()
    assert [(e["points"], e["entry_id"]) for e in shop["effects"]] == [(0, None)]
    assert "only event sales" in shop["effects"][0]["reason_en"]
    policy_since(a.id, "cus", {"points": {"scope": "all_sales"}}, "2026-06-01")
    shop = _tx(client, a, wu, "purchase", "3000.00", "2026-06-02T15:00:00+08:00").get_json()
    assert [e["points"] for e in shop["effects"]] == [300]
    assert _points(client, a, zhou)["balance"] == 300


def test_purchases_of_customers_without_referral_earn_nothing(client, club, owner_engine):
    a, zhou, _wu, _xu = club
    r = _tx(client, a, zhou, "purchase", "5000.00", "2026-05-21T15:00:00+08:00", event_id=5)
    assert r.status_code == 201 and r.get_json()["effects"] == []
    assert _count(owner_engine, "points_entries", a.id) == 0


# ------------------------------------------------------------------------------------------------
# Transactions: shape, validation, roles
# ------------------------------------------------------------------------------------------------


def test_transactions_are_recorded_and_listed(client, club, make_tenant):
    a, zhou, _wu, _xu = club
    for kind, amount in (("prepayment", "10000.00"), ("shipment", "8000.50"), ("collection", "8000.5")):
        r = _tx(client, a, zhou, kind, amount, "2026-06-01T10:00:00+08:00", gross_profit="-12.30", reference="SO-1")
        assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["kind"], body["amount"], body["gross_profit"], body["user_id"]) == (
        "collection", "8000.50", "-12.30", a.admin_id)
    listed = client.get(f"{API}/{zhou}/transactions", headers=a.headers())
    assert listed.status_code == 200 and len(listed.get_json()) == 3
    only = client.get(f"{API}/{zhou}/transactions?kind=shipment", headers=a.headers()).get_json()
    assert [t["amount"] for t in only] == ["8000.50"]
    _fin, finance = make_tenant.user(a, "cashier", roles=["finance"])
    assert _tx(client, a, zhou, "collection", "1.00", "2026-06-02T10:00:00+08:00", token=finance).status_code == 201
    _tech, tech = make_tenant.user(a, "tech", roles=["technician"])
    assert _tx(client, a, zhou, "collection", "1.00", "2026-06-02T10:00:00+08:00", token=tech).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"kind": "purchase", "amount": "0"}, "amount"),
    ({"kind": "purchase", "amount": "-5.00"}, "amount"),
    ({"kind": "purchase", "amount": "10.001"}, "amount"),
    ({"kind": "purchase", "amount": 10.001}, "amount"),
    ({"kind": "purchase", "amount": "abc"}, "amount"),
    ({"kind": "purchase", "amount": "NaN"}, "amount"),
    ({"kind": "purchase"}, "amount"),
    ({"kind": "gift", "amount": "10.00"}, "kind"),
    ({"kind": "purchase", "amount": "10.00", "gross_profit": "1.234"}, "gross_profit"),
    ({"kind": "purchase", "amount": "10.00", "at": "2026-06-01T10:00:00"}, "at"),
    ({"kind": "purchase", "amount": "10.00", "at": "2099-06-01T10:00:00+08:00"}, "at"),
    ({"kind": "refund", "amount": "10.00"}, "refund_of"),
    ({"kind": "shipment", "amount": "10.00", "refund_of": 1}, "refund_of"),
    ({"kind": "shipment", "amount": "10.00", "user_id": 999999999}, "user_id"),
])
def test_bad_transactions_are_422_and_write_nothing(client, club, owner_engine, body, field):
    a, zhou, _wu, _xu = club
    before = _count(owner_engine, "customer_transactions", a.id)
    r = client.post(f"{API}/{zhou}/transactions", headers=a.headers(), json=body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "customer_transactions", a.id) == before


def test_refunds_name_a_purchase_of_the_customer_and_never_exceed_it(client, club, owner_engine):
    a, zhou, wu, _xu = club
    sale = _tx(client, a, wu, "purchase", "2500.00", "2026-05-20T15:00:00+08:00", event_id=5).get_json()
    other = _tx(client, a, zhou, "purchase", "100.00", "2026-05-20T15:00:00+08:00").get_json()
    prepay = _tx(client, a, wu, "prepayment", "100.00", "2026-05-20T15:00:00+08:00").get_json()
    before = (_count(owner_engine, "customer_transactions", a.id), _count(owner_engine, "points_entries", a.id),
              _count(owner_engine, "decisions", a.id))
    cases = [
        ({"refund_of": other["id"], "amount": "10.00"}, "refund_of"),  # another customer's purchase
        ({"refund_of": prepay["id"], "amount": "10.00"}, "refund_of"),  # not a purchase
        ({"refund_of": 999999999, "amount": "10.00"}, "refund_of"),
        ({"refund_of": sale["id"], "amount": "2500.01"}, "amount"),
        ({"refund_of": sale["id"], "amount": "10.00", "at": "2026-05-19T15:00:00+08:00"}, "at"),
    ]
    for extra, field in cases:
        r = client.post(f"{API}/{wu}/transactions", headers=a.headers(),
                        json={"kind": "refund", "at": "2026-05-25T10:00:00+08:00", **extra})
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], (extra, r.get_json())
    assert _tx(client, a, wu, "refund", "2000.00", "2026-05-25T10:00:00+08:00", refund_of=sale["id"]).status_code == 201
    r = _tx(client, a, wu, "refund", "500.01", "2026-05-26T10:00:00+08:00", refund_of=sale["id"])
    assert r.status_code == 422 and "¥500.00" in r.get_json()["errors"]["json"]["amount"][0]
    assert _count(owner_engine, "customer_transactions", a.id) == before[0] + 1
    assert _count(owner_engine, "points_entries", a.id) == before[1] + 1


# ------------------------------------------------------------------------------------------------
# CUS-44
# ------------------------------------------------------------------------------------------------


def test_cus44_referee_deal_owes_the_referrer_200_paid_by_finance(client, club, make_tenant, owner_engine):
    a, zhou, wu, _xu = club
    policy_since(a.id, "cus", {"referral": {"cash_reward": 200, "cash_reward_kind": "fuel"}}, "2026-01-01")
    r = _tx(client, a, wu, "purchase", "158000.00", "2026-07-15T16:00:00+08:00")
    assert r.status_code == 201, r.get_json()
    reward_effect = [e for e in r.get_json()["effects"] if e["rule_id"] == "CUS-44"]
    assert len(reward_effect) == 1 and reward_effect[0]["amount"] == "200.00"
    assert "2026-07-15" in reward_effect[0]["reason_zh"] and "¥200.00" in reward_effect[0]["reason_en"]
    rewards = client.get(f"{API}/{zhou}/rewards", headers=a.headers()).get_json()
    assert [(x["amount"], x["kind"], x["status"], x["referee_id"]) for x in rewards] == [("200.00", "fuel", "owed", wu)]
    with tenant_scope(a.id):
        decision = decisions.get(rewards[0]["decision_id"])
        assert (decision.rule_id, decision.subject_id, decision.policy_version) == ("CUS-44", zhou, 1)
    # once per referee
    r = _tx(client, a, wu, "purchase", "3000.00", "2026-08-01T16:00:00+08:00")
    second = [e for e in r.get_json()["effects"] if e["rule_id"] == "CUS-44"]
    assert second[0]["amount"] is None and "once per referee" in second[0]["reason_en"]
    assert len(client.get(f"{API}/{zhou}/rewards", headers=a.headers()).get_json()) == 1
    # paid by finance only
    paid = f"{API}/{zhou}/rewards/{rewards[0]['id']}/paid"
    _s, seller = make_tenant.user(a, "seller", roles=["salesperson"])
    assert client.post(paid, headers=a.headers(seller), json={}).status_code == 403
    assert client.post(paid, headers=a.headers(), json={}).status_code == 403  # not even the tenant admin
    fin_id, finance = make_tenant.user(a, "cashier", roles=["finance"])
    r = client.post(paid, headers=a.headers(finance), json={"paid_at": "2026-07-20T10:00:00+08:00"})
    assert r.status_code == 200 and (r.get_json()["status"], r.get_json()["paid_by"]) == ("paid", fin_id)
    assert client.post(paid, headers=a.headers(finance), json={}).status_code == 409
    assert client.post(f"{API}/{wu}/rewards/{rewards[0]['id']}/paid", headers=a.headers(finance),
                       json={}).status_code == 404  # the reward is Zhou's


def test_cus44_full_refund_reverses_the_reward(client, club, make_tenant):
    a, zhou, wu, _xu = club
    policy_since(a.id, "cus", {"referral": {"cash_reward": 200}}, "2026-01-01")
    sale = _tx(client, a, wu, "purchase", "5000.00", "2026-07-15T16:00:00+08:00").get_json()
    r = _tx(client, a, wu, "refund", "1000.00", "2026-07-18T10:00:00+08:00", refund_of=sale["id"])
    assert [e for e in r.get_json()["effects"] if e["rule_id"] == "CUS-44"] == []  # partly refunded: the deal stands
    r = _tx(client, a, wu, "refund", "4000.00", "2026-07-20T10:00:00+08:00", refund_of=sale["id"])
    reversal = [e for e in r.get_json()["effects"] if e["rule_id"] == "CUS-44"]
    assert reversal[0]["amount"] == "-200.00" and "reversed" in reversal[0]["reason_en"]
    rewards = client.get(f"{API}/{zhou}/rewards", headers=a.headers()).get_json()
    assert [(x["direction"], x["amount"], x["status"]) for x in rewards] == [
        ("reversal", "-200.00", "reversal"), ("reward", "200.00", "owed")]
    assert rewards[0]["reverses"] == rewards[1]["id"]
    _f, finance = make_tenant.user(a, "cashier", roles=["finance"])
    for row in rewards:
        r = client.post(f"{API}/{zhou}/rewards/{row['id']}/paid", headers=a.headers(finance), json={})
        assert r.status_code == 409 and r.get_json()["rule_id"] == "CUS-44"
    assert client.get(f"{API}/referral-rewards?status=owed", headers=a.headers(finance)).get_json() == []
    # a new deal after the reversal earns the reward again (once per referee counts standing rewards)
    r = _tx(client, a, wu, "purchase", "6000.00", "2026-08-01T16:00:00+08:00")
    assert [e["amount"] for e in r.get_json()["effects"] if e["rule_id"] == "CUS-44"] == ["200.00"]
    owed = client.get(f"{API}/referral-rewards?status=owed", headers=a.headers(finance)).get_json()
    assert [(x["amount"], x["deal_id"]) for x in owed] == [("200.00", r.get_json()["id"])]
    assert len(client.get(f"{API}/referral-rewards", headers=a.headers()).get_json()) == 3
    assert client.get(f"{API}/referral-rewards?status=lost", headers=a.headers()).status_code == 422


def test_cus44_default_tenant_pays_no_cash_reward(client, club, owner_engine):
    a, zhou, wu, _xu = club
    r = _tx(client, a, wu, "purchase", "5000.00", "2026-07-15T16:00:00+08:00")
    assert [e["rule_id"] for e in r.get_json()["effects"]] == ["CUS-43"]
    assert _count(owner_engine, "referral_rewards", a.id) == 0


# ------------------------------------------------------------------------------------------------
# CUS-40
# ------------------------------------------------------------------------------------------------


def _own(handle, customer_id, owner_id, rule_id, at):
    with tenant_scope(handle.id):
        ownership_store.set_owner(customer_id, owner_id=owner_id, state="protected", rule_id=rule_id, at=at,
                                  reason_zh="测试", reason_en="test")
        db.session.commit()


def test_cus40_1_re_referrer_owner_takes_the_referee(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"referral": {"owner_rule": "referrer_owner"}}, "2026-01-01")
    d_id, _ = make_tenant.user(a, "d", roles=["salesperson"])
    e_id, _ = make_tenant.user(a, "e", roles=["salesperson"])
    chen, qian = _customer(client, a, "陈先生"), _customer(client, a, "钱女士")
    _own(a, chen, d_id, "CUS-22", dt.datetime(2026, 3, 1, 10, tzinfo=SH))  # buyer Chen, owner D
    _own(a, qian, e_id, "CUS-31", dt.datetime(2026, 9, 5, 10, tzinfo=SH))  # rotation gives Qian to E
    r = _refer(client, a, qian, chen, at="2026-09-05T10:30:00+08:00")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["result"], body["owner_id"], body["referrer_owner_id"]) == ("owner_set", d_id, d_id)
    assert body["decision"]["rule_id"] == "CUS-40" and body["decision"]["outcome"]["previous_owner_id"] == e_id
    assert "original receiver" in body["decision"]["reason_en"]
    owner = client.get(f"{API}/{qian}/referral", headers=a.headers()).get_json()
    assert owner["referrer_id"] == chen and owner["decision_id"] == body["decision"]["id"]
    with tenant_scope(a.id):
        assert [c.rule_id for c in ownership_store.history(qian)] == ["CUS-31", "CUS-40"]
    referees = client.get(f"{API}/{chen}/referees", headers=a.headers()).get_json()
    assert [x["referee_id"] for x in referees] == [qian]
    # a referral is a fact: it is not replaced
    other = _customer(client, a, "孙先生")
    assert _refer(client, a, qian, other).status_code == 409


def test_cus40_referrer_owner_does_not_break_a_deal_lock(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"referral": {"owner_rule": "referrer_owner"}}, "2026-01-01")
    d_id, _ = make_tenant.user(a, "d", roles=["salesperson"])
    e_id, _ = make_tenant.user(a, "e", roles=["salesperson"])
    chen, qian = _customer(client, a, "陈先生"), _customer(client, a, "钱女士")
    _own(a, chen, d_id, "CUS-22", dt.datetime(2026, 3, 1, 10, tzinfo=SH))
    with tenant_scope(a.id):
        ownership_store.set_owner(qian, owner_id=e_id, state="locked", rule_id="CUS-26",
                                  at=dt.datetime(2026, 9, 1, tzinfo=SH), reason_zh="成交", reason_en="deal")
        db.session.commit()
    body = _refer(client, a, qian, chen, at="2026-09-05T10:30:00+08:00").get_json()
    assert (body["result"], body["owner_id"]) == ("locked", e_id) and "CUS-26" in body["decision"]["reason_en"]


def test_cus40_2_car_direct_relationship_needs_arbitration(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"referral": {"owner_rule": "direct_relationship"},
                               "arbitration": {"arbiter": ["supervisor", "dept_manager"]}}, "2026-01-01")
    e_id, _ = make_tenant.user(a, "e", roles=["salesperson"])
    f_id, _ = make_tenant.user(a, "f", roles=["salesperson"])
    chen, qian = _customer(client, a, "陈先生"), _customer(client, a, "钱女士")
    _own(a, qian, e_id, "CUS-31", dt.datetime(2026, 9, 5, 10, tzinfo=SH))
    r = _refer(client, a, qian, chen, at="2026-09-05T10:30:00+08:00", claimed_staff_id=f_id)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["result"], body["owner_id"]) == ("needs_arbitration", e_id)  # the owner stays until decided
    outcome = body["decision"]["outcome"]
    assert outcome["result"] == "needs_arbitration" and outcome["parties"] == [e_id, f_id]
    assert outcome["arbiters"] == ["supervisor", "dept_manager"] and "CUS-27" in body["decision"]["reason_en"]
    with tenant_scope(a.id):
        assert [c.rule_id for c in ownership_store.history(qian)] == ["CUS-31"]
    # the CUS-27 case is open for the arbiter, named in the decision
    [case] = client.get(f"/api/v1/customers/{qian}/ownership-cases", headers=a.headers()).get_json()
    assert case["reason"] == "dispute" and case["id"] == outcome["case_id"] and f"#{f_id}" in case["note"]


def test_cus40_normal_claim_changes_nothing(client, two_tenants, make_tenant):
    a, _b = two_tenants
    d_id, _ = make_tenant.user(a, "d", roles=["salesperson"])
    chen, qian = _customer(client, a, "陈先生"), _customer(client, a, "钱女士")
    _own(a, chen, d_id, "CUS-22", dt.datetime(2026, 3, 1, 10, tzinfo=SH))
    body = _refer(client, a, qian, chen).get_json()
    assert (body["result"], body["owner_id"], body["referrer_owner_id"]) == ("unchanged", None, d_id)
    assert body["decision"]["rule_id"] == "CUS-40" and body["decision"]["policy_module"] == "cus"


def test_cus40_bad_referrals_are_422(client, two_tenants, owner_engine):
    a, b = two_tenants
    chen, qian = _customer(client, a, "陈先生"), _customer(client, a, "钱女士")
    elsewhere = _customer(client, b, "陈先生")
    assert _refer(client, a, qian, chen).status_code == 201
    for body, field in (({"referrer_id": elsewhere}, "referrer_id"), ({"referrer_id": chen}, "referrer_id"),
                        ({}, "referrer_id"), ({"referrer_id": qian, "claimed_staff_id": 1}, "referrer_id")):
        r = client.post(f"{API}/{chen}/referral", headers=a.headers(), json=body)  # chen ← qian: a cycle
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], (body, r.get_json())
    r = client.post(f"{API}/{chen}/referral", headers=a.headers(),
                    json={"referrer_id": _customer(client, a, "孙先生"), "at": "2099-01-01T10:00:00+08:00"})
    assert r.status_code == 422 and "at" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "customer_referrals", a.id) == 1
    assert client.get(f"{API}/{chen}/referral", headers=a.headers()).status_code == 404
