"""Credit rating and limits (CUS-90..CUS-96) over HTTP and the monthly job."""
import datetime as dt

from sqlalchemy import select, text

from core.calendar.model import add_months_to_date
from core.customers.credit.models import CreditEvaluation, CreditLine, CreditRating
from core.db import db
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.test_customer_grades_api import _customer, _decisions, _tx, execute
from tests.web.api.test_customers_api import _count

ON = {"credit": {"enabled": True}}
CLEAN = {"lawful_reliable": True, "good_operations_2y": True, "strong_funds": True,
         **{k: False for k in ("bad_arrears_2y", "undelivered_goods_2y", "serious_breach_2y",
                               "frequent_broken_promises", "bad_debt_or_asset_transfer", "poor_solvency",
                               "heavy_losses", "serious_decline_or_unfair", "serious_illegality",
                               "ordered_to_suspend", "frozen_accounts_risk")}}
SECTIONS = {"basic": {"name": "华东建材有限公司", "uscc": "91310000MA1FL8XQ30"}, "banks": {"settlement": ["工商银行"]}}


def _month_day(back: int) -> dt.date:
    """The 10th of the month ``back`` months before this one."""
    return add_months_to_date(dt.date.today().replace(day=1), -back).replace(day=10)


def _staff(make_tenant, a):
    return {role: make_tenant.user(a, role, roles=[role]) for role in ("vp", "finance", "gm", "sales_manager",
                                                                       "salesperson")}


def _approved(client, a, cid, staff, grade):
    r = client.post(f"/api/v1/customers/{cid}/credit/rating", headers=a.headers(staff["sales_manager"][1]),
                    json={"grade": grade})
    assert r.status_code == 201, r.get_json()
    for step, role in (("vp_review", "vp"), ("cfo_review", "finance"), ("gm_approval", "gm")):
        r = client.post(f"/api/v1/customers/{cid}/credit/rating/steps", headers=a.headers(staff[role][1]),
                        json={"step": step, "approve": True})
        assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_credit_is_off_by_default(client, two_tenants, owner_engine):
    a, _b = two_tenants
    cid = _customer(client, a)
    r = client.put(f"/api/v1/customers/{cid}/credit/record", headers=a.headers(), json={"sections": SECTIONS})
    assert r.status_code == 409 and "credit.enabled" in r.get_json()["message"]
    assert client.get(f"/api/v1/customers/{cid}/credit", headers=a.headers()).status_code == 409
    r = client.post(f"/api/v1/customers/{cid}/credit/exposure-check", headers=a.headers(),
                    json={"kind": "order", "amount": "1000"})
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CUS-90"
    assert client.get("/api/v1/customers/credit/over-limit", headers=a.headers()).status_code == 409
    assert client.get("/api/v1/customers/999999/credit", headers=a.headers()).status_code == 404
    assert _count(owner_engine, "credit_records", a.id) == 0


def test_cus90_record_refresh_due_at_quarter_end(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    cid = _customer(client, a)
    supervisor_id, supervisor = make_tenant.user(a, "sup", roles=["supervisor"])
    url = f"/api/v1/customers/{cid}/credit/record"
    r = client.put(url, headers=a.headers(supervisor), json={"sections": SECTIONS, "refreshed_on": "2026-06-20"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["refresh_due"], body["filled_by"], body["sections"]["basic"]["name"]) == (
        "2026-09-30", supervisor_id, "华东建材有限公司")
    assert body["overdue"] is True  # today is past 2026-10-01
    overdue = client.get("/api/v1/customers/credit/overdue-records", headers=a.headers()).get_json()
    assert [o["customer_id"] for o in overdue] == [cid]
    r = client.put(url, headers=a.headers(supervisor), json={"sections": {"gossip": {}}})
    assert r.status_code == 422 and "sections" in r.get_json()["errors"]["json"]
    r = client.put(url, headers=a.headers(supervisor), json={"sections": {}, "refreshed_on": "2099-01-01"})
    assert r.status_code == 422 and "refreshed_on" in r.get_json()["errors"]["json"]
    _id, seller = make_tenant.user(a, "li", roles=["salesperson"])
    assert client.put(url, headers=a.headers(seller), json={"sections": SECTIONS}).status_code == 403


def test_cus91_92_rating_chain(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    new = _customer(client, a, "新公司", "13800138001")
    _tx(a.id, new, "shipment", "100000", "2026-05-01T10:00:00")
    _tx(a.id, new, "collection", "100000", "2026-06-01T10:00:00")
    headers = a.headers(staff["sales_manager"][1])
    url = f"/api/v1/customers/{new}/credit/rating"
    assert client.post(url, headers=headers, json={"grade": "B"}).status_code == 409  # no record yet
    client.put(f"/api/v1/customers/{new}/credit/record", headers=a.headers(), json={"sections": SECTIONS,
                                                                                    "assessment": CLEAN})
    r = client.post(url, headers=headers, json={"grade": "A"})
    assert r.status_code == 422 and "never A" in r.get_json()["errors"]["json"]["grade"][0]  # cooperation < 1 year
    r = client.post(url, headers=headers, json={"grade": "B"})
    assert r.status_code == 201 and r.get_json()["rule_grade"] == "B"
    assert client.post(url, headers=headers, json={"grade": "B"}).status_code == 409  # one open proposal
    steps = f"{url}/steps"
    # CUS-92: reviewed by the VP only → not effective
    r = client.post(steps, headers=a.headers(staff["vp"][1]), json={"step": "vp_review", "approve": True})
    assert r.status_code == 200 and (r.get_json()["status"], r.get_json()["effective"]) == ("reviewing", False)
    assert client.post(steps, headers=a.headers(staff["gm"][1]), json={"step": "gm_approval",
                                                                       "approve": True}).status_code == 409
    assert client.post(steps, headers=a.headers(staff["vp"][1]), json={"step": "cfo_review",
                                                                       "approve": True}).status_code == 403
    assert client.get(f"/api/v1/customers/{new}/credit", headers=a.headers()).get_json()["effective_grade"] is None
    r = client.post(steps, headers=a.headers(staff["finance"][1]), json={"step": "cfo_review", "approve": True})
    assert r.get_json()["effective"] is False
    r = client.post(steps, headers=a.headers(staff["gm"][1]), json={"step": "gm_approval", "approve": True})
    assert (r.get_json()["status"], r.get_json()["effective"]) == ("approved", True)
    assert len(r.get_json()["steps"]) == 3
    assert client.get(f"/api/v1/customers/{new}/credit", headers=a.headers()).get_json()["effective_grade"] == "B"
    chain = _decisions(a.id, "CUS-92", new)
    assert len(chain) == 3 and chain[-1].outcome["effective"] is True and chain[-1].supersedes_id == chain[-2].id
    assert _decisions(a.id, "CUS-91", new)[0].outcome["credit_grade"] == "B"


def test_cus91_old_clean_customer_is_a_and_falling_turnover_is_c(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    old = _customer(client, a, "老公司", "13800138001")
    _tx(a.id, old, "shipment", "50000", "2023-06-01T10:00:00")
    for back in range(1, 13):  # a steady year: the 12 complete months before this one
        day = _month_day(back)
        _tx(a.id, old, "shipment", "80000", f"{day.isoformat()}T10:00:00")
        _tx(a.id, old, "collection", "80000", f"{day.isoformat()}T11:00:00")
    client.put(f"/api/v1/customers/{old}/credit/record", headers=a.headers(), json={"sections": SECTIONS,
                                                                                    "assessment": CLEAN})
    assert _approved(client, a, old, staff, "A")["grade"] == "A"
    falling = _customer(client, a, "下滑公司", "13800138002")
    _tx(a.id, falling, "shipment", "50000", "2023-06-01T10:00:00")
    _tx(a.id, falling, "collection", "50000", "2023-06-02T10:00:00")
    for back, amount in zip(range(5, 0, -1), ("90000", "80000", "70000", "60000", "50000")):
        _tx(a.id, falling, "shipment", amount, f"{_month_day(back).isoformat()}T10:00:00")  # 4 months falling
    client.put(f"/api/v1/customers/{falling}/credit/record", headers=a.headers(), json={"sections": SECTIONS,
                                                                                        "assessment": CLEAN})
    r = client.post(f"/api/v1/customers/{falling}/credit/rating", headers=a.headers(staff["sales_manager"][1]),
                    json={"grade": "B"})
    assert r.status_code == 422 and "turnover falling" in r.get_json()["errors"]["json"]["grade"][0]


def test_cus93_95_limits(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    gm = a.headers(staff["gm"][1])
    cid = _customer(client, a)
    _tx(a.id, cid, "shipment", "1", "2023-06-01T10:00:00")
    today = dt.date.today()
    _tx(a.id, cid, "shipment", "9840000", f"{(today - dt.timedelta(days=40)).isoformat()}T10:00:00")  # 820,000/month
    _tx(a.id, cid, "collection", "9120000", f"{(today - dt.timedelta(days=39)).isoformat()}T10:00:00")  # 760,000/month
    url = f"/api/v1/customers/{cid}/credit/limit"
    r = client.put(url, headers=gm, json={"limit": "1000", "kind": "long"})
    assert r.status_code == 422 and "no credit" in r.get_json()["errors"]["json"]["limit"][0]  # not rated
    client.put(f"/api/v1/customers/{cid}/credit/record", headers=a.headers(), json={"sections": SECTIONS,
                                                                                    "assessment": CLEAN})
    _approved(client, a, cid, staff, "A")
    temp = client.get(url, headers=a.headers()).get_json()
    assert (temp["kind"], temp["max_limit"]) == ("temporary", "760000.00")  # A without credit history
    r = client.put(url, headers=gm, json={"limit": "500000", "kind": "temporary"})
    assert r.status_code == 200, r.get_json()
    # CUS-93 (1): A with history, shipments 820,000 / collections 760,000 → 760,000
    assert client.get(url, headers=a.headers()).get_json()["max_limit"] == "760000.00"
    assert client.put(url, headers=a.headers(staff["vp"][1]), json={"limit": "1", "kind": "long"}).status_code == 403
    # CUS-95 (1): raising without exception → 422
    r = client.put(url, headers=gm, json={"limit": "600000", "kind": "long"})
    assert r.status_code == 422 and r.get_json()["rule_id"] == "CUS-95"
    approval = client.post(f"/api/v1/customers/{cid}/credit/approvals", headers=gm,
                           json={"kind": "limit_increase", "amount": "800000", "reason": "年度合同续签"}).get_json()
    r = client.put(url, headers=gm, json={"limit": "760000.01", "kind": "long", "exception_approval_id": approval["id"]})
    assert r.status_code == 422 and r.get_json()["rule_id"] == "CUS-93"  # over the grade's maximum
    r = client.put(url, headers=gm, json={"limit": "760000", "kind": "long", "exception_approval_id": approval["id"]})
    assert r.status_code == 200 and (r.get_json()["limit"], r.get_json()["term"]) == ("760000.00", "1 months")
    lines = _decisions(a.id, "CUS-93", cid)
    assert lines[-1].outcome["limit"] == "760000.00" and lines[-1].supersedes_id == lines[0].id
    r = client.put(url, headers=gm, json={"limit": "700000", "kind": "long", "exception_approval_id": approval["id"]})
    assert r.status_code == 422  # an approval is used once
    assert client.put(url, headers=gm, json={"limit": "-5", "kind": "long"}).status_code == 422


def test_cus93_b_with_mortgage(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    cid = _customer(client, a)
    today = dt.date.today()
    _tx(a.id, cid, "shipment", "6000000", f"{(today - dt.timedelta(days=40)).isoformat()}T10:00:00")  # 500,000
    _tx(a.id, cid, "collection", "5400000", f"{(today - dt.timedelta(days=39)).isoformat()}T10:00:00")  # 450,000
    client.put(f"/api/v1/customers/{cid}/credit/record", headers=a.headers(), json={"sections": SECTIONS,
                                                                                    "assessment": CLEAN})
    _approved(client, a, cid, staff, "B")
    url = f"/api/v1/customers/{cid}/credit/limit"
    assert client.get(url, headers=a.headers()).get_json()["max_limit"] == "0.00"  # no mortgage
    # CUS-93 (2): B, averages 500,000/450,000, mortgage 300,000 → 300,000; temporary term 15 days
    r = client.get(f"{url}?kind=temporary&mortgage_value=300000", headers=a.headers()).get_json()
    assert (r["max_limit"], r["term"]) == ("300000.00", "15 days")
    r = client.put(url, headers=a.headers(staff["gm"][1]), json={"limit": "300000", "kind": "temporary",
                                                                 "mortgage_value": "300000"})
    assert r.status_code == 200 and r.get_json()["term"] == "15 days"


def test_cus94_exposure_check(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    cid = _customer(client, a)
    with tenant_scope(a.id):
        from core.decisions import service as decisions

        decision = decisions.record("CUS-93", "customer", cid, outcome={"limit": "500000"}, reason_zh="测试",
                                    reason_en="test")
        db.session.add(CreditLine(customer_id=cid, grade="A", kind="long", credit_limit=500000, term="1 months",
                                  granted_by=staff["gm"][0], granted_at=dt.datetime.now(dt.timezone.utc),
                                  decision_id=decision.id))
        db.session.commit()
    _tx(a.id, cid, "shipment", "400000", "2026-09-01T10:00:00")
    _tx(a.id, cid, "prepayment", "20000", "2026-09-02T10:00:00", reference="PO-7")
    _tx(a.id, cid, "prepayment", "30000", "2026-09-03T10:00:00", reference="PO-8")
    _tx(a.id, cid, "shipment", "0.01", "2026-09-04T10:00:00", reference="PO-8")  # PO-8 arrived and accepted
    _tx(a.id, cid, "collection", "0.01", "2026-09-05T10:00:00")
    url = f"/api/v1/customers/{cid}/credit/exposure-check"
    seller = a.headers(staff["salesperson"][1])
    # CUS-94 (1): limit 500,000, exposure 420,000, shipment 100,000 → 409
    r = client.post(url, headers=seller, json={"kind": "shipment", "amount": "100000"})
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert (body["rule_id"], body["exposure"], body["exposure_after"], body["limit"]) == (
        "CUS-94", "420000.00", "520000.00", "500000.00")
    assert "520,000.00" in body["reason_zh"]
    assert client.post(f"/api/v1/customers/{cid}/credit/approvals", headers=seller,
                       json={"kind": "shipment", "amount": "100000", "reason": "x"}).status_code == 403
    approval = client.post(f"/api/v1/customers/{cid}/credit/approvals", headers=a.headers(staff["gm"][1]),
                           json={"kind": "shipment", "amount": "100000", "reason": "老客户年末备货"})
    assert approval.status_code == 201
    approval_id = approval.get_json()["id"]
    r = client.post(url, headers=seller, json={"kind": "shipment", "amount": "100000", "approval_id": approval_id})
    assert r.status_code == 200 and r.get_json()["allowed"] is True
    decision = _decisions(a.id, "CUS-94", cid)[-1]
    assert r.get_json()["decision_id"] == decision.id and decision.outcome["approval_id"] == approval_id
    r = client.post(url, headers=seller, json={"kind": "shipment", "amount": "100000", "approval_id": approval_id})
    assert r.status_code == 422 and "approval_id" in r.get_json()["errors"]["json"]  # used once
    assert client.post(url, headers=seller, json={"kind": "shipment", "amount": "80000"}).get_json()["allowed"]
    assert client.post(url, headers=seller, json={"kind": "gift", "amount": "1"}).status_code == 422
    assert client.post(url, headers=seller, json={"kind": "order", "amount": "0"}).status_code == 422
    # CUS-94 (2): no limit, balance 80,000, order on credit 1,000 → 409
    other = _customer(client, a, "无额度公司", "13800138009")
    _tx(a.id, other, "shipment", "80000", "2026-09-01T10:00:00")
    r = client.post(f"/api/v1/customers/{other}/credit/exposure-check", headers=seller,
                    json={"kind": "order", "amount": "1000"})
    assert r.status_code == 409 and "only decrease" in r.get_json()["message"]
    assert client.post(f"/api/v1/customers/{other}/credit/exposure-check", headers=seller,
                       json={"kind": "collection", "amount": "1000"}).status_code == 200
    _tx(a.id, cid, "shipment", "200000", "2026-09-10T10:00:00")  # now over the limit
    over = client.get("/api/v1/customers/credit/over-limit", headers=a.headers()).get_json()
    assert [(o["customer_id"], o["exposure"]) for o in over] == [(cid, "620000.00")]


def test_cus96_job_opens_september_evaluation(client, two_tenants, make_tenant):
    a, b = two_tenants
    policy_since(a.id, "cus", ON, "2026-01-01")
    with_limit = _customer(client, a, "有额度", "13800138001")
    without = _customer(client, a, "无额度", "13800138002")
    with tenant_scope(a.id):
        from core.decisions import service as decisions

        decision = decisions.record("CUS-93", "customer", with_limit, outcome={}, reason_zh="测试", reason_en="test")
        db.session.add(CreditLine(customer_id=with_limit, grade="A", kind="long", credit_limit=300000,
                                  term="1 months", granted_by=a.admin_id, granted_at=dt.datetime.now(dt.timezone.utc),
                                  decision_id=decision.id))
        db.session.commit()
    finance_id, finance = make_tenant.user(a, "cfo", roles=["finance"])
    result = execute(a.id, "cus.credit_evaluation", {"on": "2026-10-01"})
    assert (result["month"], result["opened"]) == ("2026-09", [with_limit])
    assert (result["quarter"], result["reviews"]) == ("2026-Q3", [with_limit])  # the quarterly review (CUS-96)
    again = execute(a.id, "cus.credit_evaluation", {"on": "2026-10-01"})
    assert again["opened"] == [] and again["reviews"] == []  # once per period
    assert "quarter" not in execute(a.id, "cus.credit_evaluation", {"on": "2026-11-01"})  # monthly only
    [note] = client.get("/api/v1/notifications?kind=cus.credit_review", headers=a.headers(finance)).get_json()
    assert note["title_en"] == "2026-Q3 quarterly credit review: 1 customers" and note["rule_id"] == "CUS-96"
    review = client.get("/api/v1/customers/credit/evaluations?month=2026-Q3", headers=a.headers()).get_json()
    assert [(e["customer_id"], e["status"]) for e in review] == [(with_limit, "open")]
    listed = client.get("/api/v1/customers/credit/evaluations?month=2026-09", headers=a.headers()).get_json()
    assert [(e["customer_id"], e["limit"], e["status"]) for e in listed] == [(with_limit, "300000.00", "open")]
    assert without not in [e["customer_id"] for e in listed]
    assert execute(b.id, "cus.credit_evaluation", {"on": "2026-10-01"})["skipped"]  # B has credit off
    with tenant_scope(b.id):
        assert db.session.scalars(select(CreditEvaluation)).all() == []
        assert db.session.scalars(select(CreditRating)).all() == []


def test_cus94_recording_a_shipment_over_the_limit_is_refused(client, two_tenants, make_tenant, owner_engine):
    """The transactions API applies the exposure check itself (CUS-94): nothing over the limit is
    written without a recorded approval; with credit management off nothing is checked."""
    a, _b = two_tenants
    url_of = "/api/v1/customers/{}/transactions".format
    free = _customer(client, a, "现款公司", "13800138007")
    r = client.post(url_of(free), headers=a.headers(), json={"kind": "shipment", "amount": "90000.00",
                                                             "at": "2026-09-01T10:00:00+08:00"})
    assert r.status_code == 201  # credit management off (the default): no check
    policy_since(a.id, "cus", ON, "2026-01-01")
    staff = _staff(make_tenant, a)
    cid = _customer(client, a)
    with tenant_scope(a.id):
        from core.decisions import service as decisions

        decision = decisions.record("CUS-93", "customer", cid, outcome={"limit": "500000"}, reason_zh="测试",
                                    reason_en="test")
        db.session.add(CreditLine(customer_id=cid, grade="A", kind="long", credit_limit=500000, term="1 months",
                                  granted_by=staff["gm"][0], granted_at=dt.datetime.now(dt.timezone.utc),
                                  decision_id=decision.id))
        db.session.commit()
    body = {"kind": "shipment", "amount": "420000.00", "at": "2026-09-01T10:00:00+08:00"}
    assert client.post(url_of(cid), headers=a.headers(), json=body).status_code == 201
    over = {**body, "amount": "100000.00", "at": "2026-09-02T10:00:00+08:00"}
    r = client.post(url_of(cid), headers=a.headers(), json=over)
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CUS-94"
    with owner_engine.connect() as conn:
        count = conn.execute(text("select count(*) from customer_transactions where tenant_id = :t and customer_id = :c"),
                             {"t": a.id, "c": cid}).scalar()
    assert count == 1  # nothing written
    approval = client.post(f"/api/v1/customers/{cid}/credit/approvals", headers=a.headers(staff["gm"][1]),
                           json={"kind": "shipment", "amount": "100000", "reason": "年末备货"}).get_json()
    r = client.post(url_of(cid), headers=a.headers(), json={**over, "credit_approval_id": approval["id"]})
    assert r.status_code == 201, r.get_json()
