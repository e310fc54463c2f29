"""Grades and tiers (CUS-50), key accounts (CUS-51), regrading cycles (CUS-52) over HTTP and jobs."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.customers.grades.models import GradingTask, KeyAccount
from core.customers.models import CustomerTransaction
from core.db import db
from core.decisions.models import Decision
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.test_customers_api import _count
from workers.runtime import execute as _execute

SH = dt.timezone(dt.timedelta(hours=8))


_RUNS = iter(range(10**6))


def execute(tenant_id, name, args):
    """Run a job as a separate run each time (its own dedupe key): re-runs must not double effects. The
    test's session then starts a fresh snapshot (the job committed in a session of its own)."""
    db.session.rollback()
    result = _execute(tenant_id, name, args, dedupe_key=f"{name}@{args.get('on')}#{next(_RUNS)}")
    db.session.rollback()
    return result


def _customer(client, handle, name="王小明", mobile="13800138000"):
    r = client.post("/api/v1/customers", headers=handle.headers(), json={"name": name, "phones": [{"number": mobile}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _tx(tenant_id, customer_id, kind, amount, at, gross_profit=None, reference=None):
    with tenant_scope(tenant_id):
        db.session.add(CustomerTransaction(customer_id=customer_id, kind=kind, amount=Decimal(amount),
                                           at=dt.datetime.fromisoformat(at).replace(tzinfo=SH),
                                           gross_profit=None if gross_profit is None else Decimal(gross_profit),
                                           reference=reference))
        db.session.commit()


def _decisions(tenant_id, rule_id, customer_id=None):
    db.session.rollback()
    with tenant_scope(tenant_id):
        stmt = select(Decision).where(Decision.rule_id == rule_id).order_by(Decision.id)
        if customer_id is not None:
            stmt = stmt.where(Decision.subject_id == customer_id)
        return list(db.session.scalars(stmt))


def test_cus50_manual_change_needs_reason_and_approver(client, two_tenants, make_tenant, owner_engine):
    a, _b = two_tenants
    cid = _customer(client, a)
    seller_id, seller = make_tenant.user(a, "li", roles=["salesperson"])
    manager_id, _ = make_tenant.user(a, "zhou", roles=["dept_manager"])
    url = f"/api/v1/customers/{cid}/grades/grade"
    assert client.get(url, headers=a.headers(seller)).get_json() == {
        "scheme": "grade", "tiers": ["A", "B", "C"], "tier": None, "temporary": False, "since": None,
        "decision_id": None}
    r = client.put(url, headers=a.headers(seller), json={"tier": "B", "reason": "首单后评定", "approver_id": manager_id})
    assert r.status_code == 200, r.get_json()
    # CUS-50 (1): B→A without approver → 422, nothing written
    r = client.put(url, headers=a.headers(seller), json={"tier": "A", "reason": "年采购额大"})
    assert r.status_code == 422 and "approver_id" in r.get_json()["errors"]["json"]
    assert r.get_json()["rule_id"] == "CUS-50"
    assert _count(owner_engine, "grade_changes", a.id) == 1
    r = client.put(url, headers=a.headers(seller), json={"tier": "A", "reason": "年采购额大", "approver_id": seller_id})
    assert r.status_code == 422  # a salesperson does not approve, and never their own change
    r = client.put(url, headers=a.headers(seller), json={"tier": "S", "reason": "x", "approver_id": manager_id})
    assert r.status_code == 422 and "tier" in r.get_json()["errors"]["json"]
    assert client.put(url, headers=a.headers(seller), json={"tier": "A", "approver_id": manager_id}).status_code == 422
    assert _count(owner_engine, "grade_changes", a.id) == 1
    # with approver → history row + decision (superseding the previous one)
    r = client.put(url, headers=a.headers(seller), json={"tier": "A", "reason": "年采购额大", "approver_id": manager_id})
    assert r.status_code == 200
    change = r.get_json()
    assert (change["from_tier"], change["to_tier"], change["kind"], change["approved_by"], change["decided_by"]) == (
        "B", "A", "manual", manager_id, seller_id)
    decision = client.get(f"/api/v1/decisions/{change['decision_id']}", headers=a.headers()).get_json()
    assert decision["rule_id"] == "CUS-50" and decision["decided_by"] == seller_id
    assert decision["outcome"]["approved_by"] == manager_id and "年采购额大" in decision["reason_zh"]
    first = _decisions(a.id, "CUS-50", cid)[0]
    assert decision["supersedes_id"] == first.id
    assert client.get(url, headers=a.headers()).get_json()["tier"] == "A"
    history = client.get(f"{url}/history", headers=a.headers()).get_json()
    assert [(h["from_tier"], h["to_tier"]) for h in history] == [("B", "A"), (None, "B")]
    assert client.get(f"/api/v1/customers/{cid}/grades/vip", headers=a.headers()).status_code == 404
    assert client.get(f"/api/v1/customers/{cid}/grades", headers=a.headers()).get_json()[0]["tier"] == "A"


def test_cus50_several_schemes_and_numeric_evaluation(client, two_tenants):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"tiers": {
        "schemes": {"grade": ["A", "B", "C"], "vip": ["A", "B", "C", "D"],
                    "metal": ["gold", "diamond", "platinum", "white_gold", "silver"]},
        "criteria": {"vip": {"A": {"metric": "net_purchases", "min": "500000"},
                             "B": {"metric": "net_purchases", "min": "100000"}}}}}, "2026-01-01")
    cid = _customer(client, a)
    _tx(a.id, cid, "purchase", "600000", "2026-03-01T10:00:00", gross_profit="60000")
    _tx(a.id, cid, "refund", "150000", "2026-04-01T10:00:00", gross_profit="15000")
    schemes = client.get(f"/api/v1/customers/{cid}/grades", headers=a.headers()).get_json()
    assert sorted(s["scheme"] for s in schemes) == ["grade", "metal", "vip"]  # schemes are unordered
    r = client.post(f"/api/v1/customers/{cid}/grades/vip/evaluate", headers=a.headers(), json={"on": "2026-06-30"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["tier"], body["changed"], body["change"]["kind"]) == ("B", True, "automatic")  # 450,000 net
    assert "¥450,000.00" in body["reason_en"]
    again = client.post(f"/api/v1/customers/{cid}/grades/vip/evaluate", headers=a.headers(), json={"on": "2026-06-30"})
    assert again.get_json()["changed"] is False
    r = client.post(f"/api/v1/customers/{cid}/grades/vip/evaluate", headers=a.headers(), json={"on": "2027-06-30"})
    assert r.get_json()["tier"] is None  # nothing in the trailing year: the tier stays
    assert client.get(f"/api/v1/customers/{cid}/grades/vip", headers=a.headers()).get_json()["tier"] == "B"


def test_cus51_key_account_job_flags_once(client, two_tenants, make_tenant):
    a, b = two_tenants
    big = _customer(client, a, "大华公司", "13800138001")
    edge = _customer(client, a, "边缘公司", "13800138002")
    share = _customer(client, a, "利润公司", "13800138003")
    other = _customer(client, a, "其他公司", "13800138004")
    _tx(a.id, big, "purchase", "1000000.01", "2026-05-01T10:00:00", gross_profit="10")
    _tx(a.id, edge, "purchase", "1000100.00", "2026-05-01T10:00:00", gross_profit="10")
    _tx(a.id, edge, "refund", "100.00", "2026-06-01T10:00:00", gross_profit="0")  # net ¥1,000,000.00
    _tx(a.id, share, "purchase", "5000", "2026-05-01T10:00:00", gross_profit="100100")  # 10.01 %
    _tx(a.id, other, "purchase", "5000", "2026-05-01T10:00:00", gross_profit="899880")  # company: ¥1,000,000
    _tx(a.id, big, "purchase", "9000000", "2025-09-30T10:00:00", gross_profit="0")  # outside the window
    b_cid = _customer(client, b)
    _tx(b.id, b_cid, "purchase", "5000000", "2026-05-01T10:00:00", gross_profit="1")
    result = execute(a.id, "cus.ka_review", {"on": "2026-10-01"})
    assert result["flagged"] == sorted([big, share, other])  # edge: exactly ¥1,000,000.00 is not over
    assert execute(a.id, "cus.ka_review", {"on": "2026-10-01"})["flagged"] == []  # idempotent
    assert len(_decisions(a.id, "CUS-51")) == 3
    share_decision = _decisions(a.id, "CUS-51", share)[0]
    assert share_decision.outcome["profit_share"] == "10.01" and share_decision.policy_module == "cus"
    with tenant_scope(b.id):
        assert db.session.scalars(select(KeyAccount)).all() == []  # tenant B untouched
    view = client.get(f"/api/v1/customers/{edge}/key-account", headers=a.headers()).get_json()
    assert view["status"] is None and view["evaluation"]["purchases"] == "1000000.00"
    listed = client.get("/api/v1/customers/key-accounts", headers=a.headers()).get_json()
    assert sorted(k["customer_id"] for k in listed) == sorted([big, share, other])
    assert {k["basis"] for k in listed} == {"purchases", "profit_share"}
    # manual potential flag with reason
    url = f"/api/v1/customers/{edge}/key-account"
    seller_id, seller = make_tenant.user(a, "li", roles=["salesperson"])
    assert client.put(url, headers=a.headers(seller), json={"potential": True, "reason": "x"}).status_code == 403
    assert client.put(url, headers=a.headers(), json={"potential": True, "reason": " "}).status_code == 422
    r = client.put(url, headers=a.headers(), json={"potential": True, "reason": "新区域总代理"})
    assert r.status_code == 200 and r.get_json()["status"] == "potential"
    assert r.get_json()["evaluation"]["basis"] == ["potential"]
    assert client.put(f"/api/v1/customers/{big}/key-account", headers=a.headers(),
                      json={"potential": False, "reason": "x"}).status_code == 409
    r = client.put(url, headers=a.headers(), json={"potential": False, "reason": "代理未签约"})
    assert r.status_code == 200 and r.get_json()["status"] is None


def test_cus52_formal_grading_due_and_annual_cycle(client, two_tenants, make_tenant):
    a, b = two_tenants
    new = _customer(client, a, "新客户", "13800138001")
    old = _customer(client, a, "老客户", "13800138002")
    graded = _customer(client, a, "已评级", "13800138003")
    _tx(a.id, new, "purchase", "1000", "2026-03-10T15:00:00")
    _tx(a.id, old, "shipment", "1000", "2025-05-01T10:00:00")
    _tx(a.id, graded, "purchase", "1000", "2025-05-01T10:00:00")
    _tx(b.id, _customer(client, b), "purchase", "1000", "2026-03-10T15:00:00")
    result = execute(a.id, "cus.grading_cycle", {"on": "2026-03-10"})
    assert result["opened"] == sorted([new, old, graded]) and result["window"] == "before"
    tasks = client.get(f"/api/v1/customers/grading-tasks?kind=formal&customer_id={new}", headers=a.headers()).get_json()
    assert len(tasks) == 1
    # CUS-52 (1): cooperation from 2026-03-10 → formal grading due 2026-09-10 (24:00)
    assert tasks[0]["due_through"] == "2026-09-10"
    assert dt.datetime.fromisoformat(tasks[0]["due_at"]) == dt.datetime(2026, 9, 11, tzinfo=SH)
    # CUS-52 (2): the 2027 window
    manager_id, _ = make_tenant.user(a, "zhou", roles=["dept_manager"])
    _assert_window_2027(client, a, manager_id, old, graded, new)
    with tenant_scope(b.id):
        assert db.session.scalars(select(GradingTask)).all() == []


def _assert_window_2027(client, a, manager_id, old, graded, new):
    assert execute(a.id, "cus.grading_cycle", {"on": "2027-03-24"})["window"] == "before"
    opened = execute(a.id, "cus.grading_cycle", {"on": "2027-03-25"})
    assert opened["window"] == "open" and opened["opened"] == sorted([old, graded, new])
    annual = client.get("/api/v1/customers/grading-tasks?kind=annual&cycle=2027", headers=a.headers()).get_json()
    assert {t["due_through"] for t in annual} == {"2027-03-30"}
    assert {dt.datetime.fromisoformat(t["opens_at"]) for t in annual} == {dt.datetime(2027, 3, 25, tzinfo=SH)}
    assert {dt.datetime.fromisoformat(t["due_at"]) for t in annual} == {dt.datetime(2027, 3, 31, tzinfo=SH)}
    # graded inside the window (the change is "now" in the test, so open the tasks as of now)
    with tenant_scope(a.id):
        db.session.execute(GradingTask.__table__.update().where(GradingTask.__table__.c.customer_id == graded)
                           .values(opens_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)))
        db.session.commit()
    r = client.put(f"/api/v1/customers/{graded}/grades/grade", headers=a.headers(),
                   json={"tier": "A", "reason": "年度评审会议确认", "approver_id": manager_id})
    assert r.status_code == 200, r.get_json()
    assert execute(a.id, "cus.grading_cycle", {"on": "2027-03-30"})["listed_ungraded"] == []
    closed = execute(a.id, "cus.grading_cycle", {"on": "2027-03-31"})
    assert closed["window"] == "closed" and closed["listed_ungraded"] == sorted([old, new])
    assert execute(a.id, "cus.grading_cycle", {"on": "2027-04-01"})["listed_ungraded"] == []  # once
    ungraded = client.get("/api/v1/customers/grading/ungraded?year=2027", headers=a.headers()).get_json()
    assert [u["customer_id"] for u in ungraded] == sorted([old, new])
    assert client.get("/api/v1/customers/grading/ungraded", headers=a.headers()).status_code == 422
