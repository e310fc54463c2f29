"""Scorecards, pay bands, department modifier, forced ranking and scheme approval through the API
(STF-40..44), with the spec's vectors; the pay run and the forced-ranking job run twice with one
effect."""
from types import SimpleNamespace

import pytest

from core.db import db
from tests.helpers import policy_since
from workers.runtime import execute

CARDS = "/api/v1/staff/scorecards"
SCHEMES = "/api/v1/staff/pay-schemes"
SALES = {"title_zh": "销售人员考核", "dimensions": [
    {"code": "results", "label_zh": "销售业绩", "label_en": "Sales results", "weight": 60},
    {"code": "ability", "label_zh": "工作能力", "label_en": "Ability", "weight": 20},
    {"code": "attitude", "label_zh": "工作态度", "label_en": "Attitude", "weight": 20}]}
OFFICE = {"title_zh": "办公室人员考核", "dimensions": [
    {"code": "workload", "label_zh": "工作量", "weight": 20}, {"code": "attitude", "label_zh": "工作态度", "weight": 30},
    {"code": "ability", "label_zh": "工作能力", "weight": 40}, {"code": "effectiveness", "label_zh": "工作效果", "weight": 10}]}


@pytest.fixture
def firm(client, make_tenant):
    handle = make_tenant("stf-scores", "华信销售")
    people = {name: make_tenant.user(handle, name, roles=roles) for name, roles in (
        ("wang", ["salesperson"]), ("li", ["salesperson"]), ("zhao", ["salesperson"]), ("qian", ["assistant"]),
        ("sun", ["assistant"]), ("zhou", ["assistant"]), ("boss", ["dept_manager"]), ("gm", ["gm"]))}
    policy_since(handle.id, "stf", {"scorecards": {"schemes": {"salesperson": SALES, "assistant": OFFICE}}},
                 "2026-01-01")
    one = client.post("/api/v1/departments", headers=handle.headers(), json={"name": "销售一部"}).get_json()
    two = client.post("/api/v1/departments", headers=handle.headers(), json={"name": "销售二部"}).get_json()
    return SimpleNamespace(handle=handle, ids={n: p[0] for n, p in people.items()},
                           tokens={n: p[1] for n, p in people.items()}, one=one["id"], two=two["id"])


def h(firm, who="boss"):
    return firm.handle.headers(firm.tokens[who])


def job(firm, name, args, key):
    db.session.rollback()
    return execute(firm.handle.id, name, args, dedupe_key=key)


def score(client, firm, who, month, results, ability, attitude, by="boss"):
    return client.post(CARDS, headers=h(firm, by), json={
        "user_id": firm.ids[who], "month": month, "scores": {"results": results, "ability": ability, "attitude": attitude}})


def test_stf40_scorecard_total_and_a_dimension_over_its_weight(client, firm):
    schemes = client.get("/api/v1/staff/scorecard-schemes?month=2026-09", headers=h(firm)).get_json()
    assert [(s["role"], [d["weight"] for d in s["dimensions"]]) for s in schemes] == [
        ("assistant", ["20.00", "30.00", "40.00", "10.00"]), ("salesperson", ["60.00", "20.00", "20.00"])]
    r = score(client, firm, "wang", "2026-09", 55, 18, 17)
    assert r.status_code == 201, r.get_json()
    card = r.get_json()
    assert card["total"] == "90.00" and card["scheme"] == "salesperson" and card["state"] == "scored"
    over = score(client, firm, "li", "2026-09", 61, 18, 17)
    assert over.status_code == 422 and "results" in over.get_json()["errors"]["json"]["scores"]
    assert score(client, firm, "wang", "2026-09", 50, 18, 17).status_code == 409
    assert score(client, firm, "li", "2026-09", 55, 18, 17, by="wang").status_code == 403
    assert client.post(CARDS, headers=h(firm), json={"user_id": firm.ids["boss"], "month": "2026-09",
                                                    "scores": {"results": 60}}).status_code == 403  # own month
    assert score(client, firm, "li", "2099-01", 55, 18, 17).status_code == 422
    r = client.post(CARDS, headers=h(firm), json={"user_id": firm.ids["li"], "month": "2026-09", "scheme": "driver",
                                                  "scores": {"results": 1}})
    assert r.status_code == 422
    decision = client.get(f"/api/v1/decisions/{card['decision_id']}", headers=firm.handle.headers()).get_json()
    assert decision["rule_id"] == "STF-40" and "55.00 + 18.00 + 17.00 = 90.00" in decision["reason_zh"]
    # an employee sees their own scores only
    assert [c["id"] for c in client.get(CARDS, headers=h(firm, "wang")).get_json()] == [card["id"]]
    assert client.get(f"{CARDS}?user_id={firm.ids['li']}", headers=h(firm, "wang")).status_code == 403


def _scheme(client, firm, department, month, bases, **extra):
    body = {"department_id": department, "month": month,
            "bases": [{"user_id": firm.ids[n], "base": str(b)} for n, b in bases], **extra}
    return client.post(SCHEMES, headers=h(firm), json=body)


def test_stf41_42_44_pay_after_the_gm_approves_the_scheme(client, firm):
    """3000 at 88 with the challenge met → 2772; 1000 at 88 → 924; 3000 at 88 missed → 2508."""
    score(client, firm, "wang", "2026-09", 52, 18, 18)  # 88
    score(client, firm, "li", "2026-09", 52, 18, 18)  # 88
    score(client, firm, "zhao", "2026-09", 52, 18, 18)  # 88
    r = _scheme(client, firm, firm.one, "2026-09", [("wang", 3000), ("li", 1000), ("qian", 800)],
                department_result="challenge", note="提成：每台车0.5%")
    assert r.status_code == 201, r.get_json()
    one = r.get_json()
    assert one["state"] == "draft"
    assert _scheme(client, firm, firm.one, "2026-09", [("zhao", 3000)]).status_code == 409
    assert _scheme(client, firm, firm.two, "2026-09", [("wang", 3000)]).status_code == 422  # in the other scheme
    two = _scheme(client, firm, firm.two, "2026-09", [("zhao", 3000)], department_result="missed").get_json()
    # pay computed from an unapproved scheme → 409
    assert client.post(f"{SCHEMES}/{one['id']}/pay-run", headers=h(firm)).status_code == 409
    assert client.post(f"{SCHEMES}/{one['id']}/approve", headers=h(firm)).status_code == 403  # the GM approves
    patched = client.patch(f"{SCHEMES}/{one['id']}", headers=h(firm), json={"note": "提成：每台车0.6%"})
    assert patched.status_code == 200 and patched.get_json()["note"] == "提成：每台车0.6%"
    r = client.post(f"{SCHEMES}/{one['id']}/approve", headers=h(firm, "gm"))
    assert r.status_code == 200, r.get_json()
    approved = r.get_json()
    assert approved["state"] == "approved" and approved["job_id"]
    assert client.post(f"{SCHEMES}/{one['id']}/approve", headers=h(firm, "gm")).status_code == 409
    assert client.patch(f"{SCHEMES}/{one['id']}", headers=h(firm), json={"note": "x"}).status_code == 409
    # the job ran on approval (inline in the tests)
    results = {r["user_id"]: r for r in client.get(f"/api/v1/staff/pay-results?pay_scheme_id={one['id']}",
                                                   headers=h(firm)).get_json()}
    wang, li, qian = (results[firm.ids[n]] for n in ("wang", "li", "qian"))
    assert (wang["banded"], wang["modifier"], wang["pay"], wang["band"]) == ("2640.00", "132.00", "2772.00", "[60, 90)")
    assert li["pay"] == "924.00" and li["state"] == "computed"
    assert (qian["state"], qian["held_reason"], qian["pay"]) == ("held", "no_score", None)
    decision = client.get(f"/api/v1/decisions/{wang['decision_id']}", headers=firm.handle.headers()).get_json()
    assert decision["rule_id"] == "STF-42" and "2640.00 + 132.00 = 2772.00" in decision["reason_zh"]
    # the job again → one effect
    before = client.get("/api/v1/staff/pay-results?month=2026-09", headers=h(firm)).get_json()
    job(firm, "stf.pay_run", {"pay_scheme_id": one["id"]}, f"again-{one['id']}")
    assert client.get("/api/v1/staff/pay-results?month=2026-09", headers=h(firm)).get_json() == before
    # qian is scored later; the held result is computed by the next run
    client.post(CARDS, headers=h(firm), json={"user_id": firm.ids["qian"], "month": "2026-09", "scores": {
        "workload": 18, "attitude": 27, "ability": 36, "effectiveness": 9}})  # 90
    ran = client.post(f"{SCHEMES}/{one['id']}/pay-run", headers=h(firm))
    assert ran.status_code == 200
    assert {r["user_id"]: r["pay"] for r in ran.get_json()}[firm.ids["qian"]] == "840.00"  # 800 × 100% + 5%
    # the other department missed its target
    client.post(f"{SCHEMES}/{two['id']}/approve", headers=h(firm, "gm"))
    zhao = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['zhao']}", headers=h(firm)).get_json()
    assert [(r["pay"], r["department_result"], r["modifier_percent"]) for r in zhao] == [("2508.00", "missed", "-5.00")]
    # an employee sees only their own pay
    assert [r["user_id"] for r in client.get("/api/v1/staff/pay-results", headers=h(firm, "li")).get_json()] == [
        firm.ids["li"]]
    assert client.get(SCHEMES, headers=h(firm, "li")).status_code == 403


def test_stf42_department_result_from_its_targets(client, firm):
    """The department's performance of the month against its targets (inclusive): challenge met."""
    client.patch(f"/api/v1/users/{firm.ids['wang']}", headers=firm.handle.headers(), json={"department_id": firm.one})
    client.post("/api/v1/staff/credits", headers=h(firm), json={
        "subject_type": "order", "subject_id": 1, "amount": "120000.00", "owner_id": firm.ids["wang"],
        "deal_at": "2026-09-15T10:00:00+08:00"})
    score(client, firm, "wang", "2026-09", 57, 19, 19)  # 95
    scheme = _scheme(client, firm, firm.one, "2026-09", [("wang", 3000)], target="100000",
                     challenge_target="120000").get_json()
    assert _scheme(client, firm, firm.two, "2026-09", [("li", 1)], target="100",
                   challenge_target="90").status_code == 422  # a challenge below the target
    client.post(f"{SCHEMES}/{scheme['id']}/approve", headers=h(firm, "gm"))
    result = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['wang']}", headers=h(firm)).get_json()[0]
    assert (result["department_result"], result["banded"], result["pay"]) == ("challenge", "3150.00", "3307.50")


def test_stf44_an_appealed_score_holds_the_pay_until_answered(client, firm):
    card = score(client, firm, "wang", "2026-09", 52, 18, 18).get_json()  # 88
    url = f"{CARDS}/{card['id']}"
    assert client.post(f"{url}/appeal", headers=h(firm, "li"), json={"reason": "不公"}).status_code == 403
    assert client.post(f"{url}/answer", headers=h(firm), json={"answer": "维持"}).status_code == 409  # not appealed
    r = client.post(f"{url}/appeal", headers=h(firm, "wang"), json={"reason": "九月业绩漏算一台车"})
    assert r.status_code == 200 and r.get_json()["state"] == "appealed"
    assert client.post(f"{url}/appeal", headers=h(firm, "wang"), json={"reason": "again"}).status_code == 409
    scheme = _scheme(client, firm, firm.one, "2026-09", [("wang", 3000)], department_result="challenge").get_json()
    client.post(f"{SCHEMES}/{scheme['id']}/approve", headers=h(firm, "gm"))
    held = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['wang']}", headers=h(firm)).get_json()[0]
    assert (held["state"], held["held_reason"]) == ("held", "score_appealed")
    assert client.post(f"{url}/answer", headers=h(firm, "wang"), json={"answer": "自己答"}).status_code == 403
    bad = client.post(f"{url}/answer", headers=h(firm), json={"answer": "补算", "scores": {
        "results": 70, "ability": 18, "attitude": 18}})
    assert bad.status_code == 422
    r = client.post(f"{url}/answer", headers=h(firm), json={"answer": "核实后补算一台车", "scores": {
        "results": 56, "ability": 18, "attitude": 17}})
    assert r.status_code == 200, r.get_json()
    answered = r.get_json()
    assert (answered["state"], answered["total"]) == ("revised", "91.00")
    decision = client.get(f"/api/v1/decisions/{answered['decision_id']}", headers=firm.handle.headers()).get_json()
    assert decision["rule_id"] == "STF-44" and decision["supersedes_id"] == card["decision_id"]
    paid = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['wang']}", headers=h(firm)).get_json()[0]
    assert (paid["state"], paid["score"], paid["banded"], paid["pay"]) == ("computed", "91.00", "3000.00", "3150.00")


def test_stf34_unconfirmed_statement_holds_the_pay_when_the_tenant_says_so(client, firm):
    policy_since(firm.handle.id, "stf", {"scorecards": {"schemes": {"salesperson": SALES}},
                                         "statement": {"hold_pay_if_missing": True}}, "2026-02-01")
    score(client, firm, "wang", "2026-09", 48, 16, 16)  # 80
    job(firm, "stf.monthly_close", {"as_of": "2026-10-01T03:07:00+08:00"}, "close-2026-10")
    scheme = _scheme(client, firm, firm.one, "2026-09", [("wang", 1500)], department_result="met").get_json()
    client.post(f"{SCHEMES}/{scheme['id']}/approve", headers=h(firm, "gm"))
    held = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['wang']}", headers=h(firm)).get_json()[0]
    assert (held["state"], held["held_reason"]) == ("held", "statement_unconfirmed")
    statement = client.get("/api/v1/staff/statements?month=2026-09", headers=h(firm, "wang")).get_json()[0]
    client.post(f"/api/v1/staff/statements/{statement['id']}/confirm", headers=h(firm, "wang"))
    paid = client.get(f"/api/v1/staff/pay-results?user_id={firm.ids['wang']}", headers=h(firm)).get_json()[0]
    assert (paid["state"], paid["pay"], paid["modifier"]) == ("computed", "1200.00", "0.00")  # 1500 × 80%


def test_stf43_forced_ranking_flag_after_three_months_last(client, firm):
    """Last in July, August and September 2026 → flag on 2026-10-01; July and September only → none."""
    for month in ("2026-07", "2026-08", "2026-09"):
        score(client, firm, "wang", month, 55, 18, 17)  # 90
        score(client, firm, "li", month, 50, 15, 15)  # 80
        score(client, firm, "zhao", month, 40, 12, 12)  # 64: last three times
    office = {"2026-07": ("qian", "sun"), "2026-08": ("sun", "qian"), "2026-09": ("qian", "sun")}
    for month, (low, high) in office.items():  # qian last in July and September only
        for who, points in ((low, (10, 20, 30, 5)), (high, (18, 27, 36, 9)), ("zhou", (15, 25, 35, 8))):
            body = dict(zip(("workload", "attitude", "ability", "effectiveness"), points))
            assert client.post(CARDS, headers=h(firm), json={"user_id": firm.ids[who], "month": month,
                                                             "scores": body}).status_code == 201
    off = job(firm, "stf.forced_ranking", {"as_of": "2026-10-01T04:08:00+08:00"}, "rank-off")
    assert off["enabled"] is False and off["flagged"] == []  # off by default
    policy_since(firm.handle.id, "stf", {"scorecards": {"schemes": {"salesperson": SALES, "assistant": OFFICE}},
                                         "forced_ranking": {"enabled": True}}, "2026-03-01")
    first = job(firm, "stf.forced_ranking", {"as_of": "2026-10-01T04:08:00+08:00"}, "rank-1")
    again = job(firm, "stf.forced_ranking", {"as_of": "2026-10-01T05:00:00+08:00"}, "rank-2")
    assert len(first["flagged"]) == 1 and again["flagged"] == first["flagged"]
    flags = client.get("/api/v1/staff/entries?kind=flag", headers=h(firm)).get_json()
    assert [(f["user_id"], f["rule_id"], f["label"], f["payroll_month"]) for f in flags] == [
        (firm.ids["zhao"], "STF-43", "forced_ranking_review", "2026-10")]
    assert flags[0]["occurred_at"].startswith("2026-09-30T20:08")  # 2026-10-01 04:08 in Shanghai
    assert flags[0]["facts"]["last_in"] == ["2026-07", "2026-08", "2026-09"]
    # a month later the same streak is not flagged again
    score(client, firm, "wang", "2026-10", 55, 18, 17)
    score(client, firm, "zhao", "2026-10", 40, 12, 12)
    assert job(firm, "stf.forced_ranking", {"as_of": "2026-11-01T04:08:00+08:00"}, "rank-3")["flagged"] == []
