"""Confidentiality, viewing requests, archive lending, exports, leaks, inspections and retention
through the API (CUS-07, CUS-70..75), with the spec's vectors."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from core.audit.recorder import acting_as
from core.customers import ownership_store
from core.db import db
from core.decisions.models import Decision
from core.errors import InvalidInput
from core.notifications.models import Notification
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute as _execute

SH = ZoneInfo("Asia/Shanghai")
MOBILES = ["13800138000", "13900139000", "13700137000", "13600136000", "13500135000"]


_RUNS = iter(range(10**6))


def execute(tenant_id, name, args):
    """Run a job as the scheduler would, each call a new run (a new slot or a retry with a new record).
    The test's session ends its transaction before and after (on SQLite a reader keeps its snapshot)."""
    db.session.rollback()
    try:
        return _execute(tenant_id, name, args, dedupe_key=f"{name}@{args.get('as_of')}#{next(_RUNS)}")
    finally:
        db.session.rollback()


def _count(owner_engine, table, tenant_id, where=""):
    with owner_engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table} where tenant_id = :t {where}"),
                            {"t": tenant_id}).scalar()


class Org:
    """Tenant A with departments 一部 (and its sub-team 一部一组) and 二部, and their people."""

    def __init__(self, client, make_tenant, handle):
        self.client, self.make_tenant, self.a = client, make_tenant, handle
        h = handle.headers()
        self.d1 = client.post("/api/v1/departments", headers=h, json={"name": "销售一部"}).get_json()["id"]
        self.d1a = client.post("/api/v1/departments", headers=h,
                               json={"name": "一部一组", "parent_id": self.d1}).get_json()["id"]
        self.d2 = client.post("/api/v1/departments", headers=h, json={"name": "销售二部"}).get_json()["id"]
        self.ids, self.tokens = {}, {}
        for name, roles, dep in (("s1", ["salesperson"], self.d1), ("s1a", ["salesperson"], self.d1a),
                                 ("s2", ["salesperson"], self.d2), ("m1", ["dept_manager"], self.d1),
                                 ("agent", ["cs_agent"], None), ("gm", ["gm"], None),
                                 ("csm", ["cs_manager"], None), ("keeper", ["assistant"], None),
                                 ("info", ["info_supervisor"], None), ("sup", ["supervisor"], self.d1),
                                 ("m2", ["dept_manager"], self.d2)):
            uid, token = make_tenant.user(handle, name, roles=roles)
            self.ids[name], self.tokens[name] = uid, token
            if dep:
                r = client.patch(f"/api/v1/users/{uid}", headers=h, json={"department_id": dep})
                assert r.status_code == 200, r.get_json()

    def h(self, who):
        return self.a.headers(self.tokens[who]) if who != "admin" else self.a.headers()

    def customer(self, name, mobile, owner=None, department=None, by="admin", **extra):
        r = self.client.post("/api/v1/customers", headers=self.h(by),
                             json={"name": name, "phones": [{"number": mobile}], **extra})
        assert r.status_code == 201, r.get_json()
        cid = r.get_json()["id"]
        if owner:
            with tenant_scope(self.a.id), acting_as("test"):
                ownership_store.set_owner(cid, owner_id=self.ids[owner], state="protected", rule_id="CUS-20",
                                          reason_zh="测试", reason_en="test", department_id=department)
                db.session.commit()
        return cid

    def get(self, who, url, **kw):
        return self.client.get(url, headers=self.h(who), **kw)

    def post(self, who, url, json=None):
        return self.client.post(url, headers=self.h(who), json=json or {})


@pytest.fixture
def org(client, two_tenants, make_tenant):
    return Org(client, make_tenant, two_tenants[0])


# ------------------------------------------------------------------------------------- CUS-70

def test_cus70_1_salesperson_sees_own_customers_and_gets_404_for_another_departments(org, owner_engine):
    c1 = org.customer("王一", MOBILES[0], owner="s1", department=org.d1)
    c2 = org.customer("李二", MOBILES[1], owner="s2", department=org.d2)
    c3 = org.customer("张三", MOBILES[2], owner="s1a", department=org.d1a)
    r = org.get("s1", f"/api/v1/customers/{c2}")
    assert r.status_code == 404  # CUS-70 (1): not 403
    for sub in ("contact-log", "confidentiality"):
        assert org.get("s1", f"/api/v1/customers/{c2}/{sub}").status_code == 404
    assert org.post("s1", f"/api/v1/customers/{c2}/contact-log", {"channel": "sms"}).status_code == 404
    assert org.client.patch(f"/api/v1/customers/{c2}", headers=org.h("s1"), json={"note": "x"}).status_code == 404
    assert org.get("s1", f"/api/v1/customers/{c1}").status_code == 200
    assert [c["id"] for c in org.get("s1", "/api/v1/customers").get_json()] == [c1]
    assert org.get("s1", "/api/v1/customers?q=李二").get_json() == []  # absent from search too
    # the department manager of 一部 sees 一部 and its sub-team, not 二部
    assert sorted(c["id"] for c in org.get("m1", "/api/v1/customers").get_json()) == sorted([c1, c3])
    assert org.get("m1", f"/api/v1/customers/{c2}").status_code == 404
    assert org.get("sup", f"/api/v1/customers/{c3}").status_code == 200  # supervisor: department scope
    # tenant-wide roles see all
    assert len(org.get("gm", "/api/v1/customers").get_json()) == 3
    assert len(org.get("agent", "/api/v1/customers").get_json()) == 3


def test_unowned_customer_is_its_creators_and_their_departments(org):
    mine = org.customer("赵四", MOBILES[3], by="s1")
    assert org.get("s1", f"/api/v1/customers/{mine}").status_code == 200
    assert org.get("m1", f"/api/v1/customers/{mine}").status_code == 200
    listed = org.get("s1", "/api/v1/customers").get_json()
    assert listed[0]["phones"][0]["e164"] == "+8613600136000" and listed[0]["pii_masked"] is False  # creator
    # the public pool (nobody owns it) is visible to other salespeople, who may claim it, PII masked
    assert org.get("s2", f"/api/v1/customers/{mine}").status_code == 200
    pool = org.get("s2", "/api/v1/customers").get_json()
    assert pool[0]["phones"][0]["e164"] == "136****6000" and pool[0]["pii_masked"] is True
    policy_since(org.a.id, "cus", {"pool_visible": False}, "2026-01-01")
    assert org.get("s2", f"/api/v1/customers/{mine}").status_code == 404
    # once someone else owns it, the creator no longer sees it
    with tenant_scope(org.a.id), acting_as("test"):
        ownership_store.set_owner(mine, owner_id=org.ids["s2"], state="protected", rule_id="CUS-20",
                                  reason_zh="测试", reason_en="test")
        db.session.commit()
    assert org.get("s1", f"/api/v1/customers/{mine}").status_code == 404
    assert org.get("s2", f"/api/v1/customers/{mine}").status_code == 200


def test_cus70_2_cs_agent_list_masks_mobiles_and_resident_ids(org, owner_engine):
    cid = org.customer("王小明", "13800138000", owner="s1", department=org.d1, resident_id="11010519491231002X")
    listed = org.get("agent", "/api/v1/customers").get_json()
    assert listed[0]["phones"][0]["e164"] == "138****8000"  # CUS-70 (2)
    assert listed[0]["resident_id"] == "110105********002X" and listed[0]["pii_masked"] is True
    owner_view = org.get("s1", "/api/v1/customers").get_json()[0]  # the owner sees them in full
    assert owner_view["phones"][0]["e164"] == "+8613800138000" and owner_view["resident_id"] == "11010519491231002X"
    manager_view = org.get("m1", "/api/v1/customers").get_json()[0]  # dept_manager has the right
    assert manager_view["phones"][0]["e164"] == "+8613800138000"
    assert org.get("gm", "/api/v1/customers").get_json()[0]["phones"][0]["e164"] == "138****8000"
    # the stored record is untouched by masking
    with owner_engine.connect() as conn:
        assert conn.execute(text("select e164 from customer_phones where customer_id = :c"), {"c": cid}).scalar() \
            == "+8613800138000"
    # every view of the full record is logged, with its ground
    assert org.get("agent", f"/api/v1/customers/{cid}").status_code == 200
    assert org.get("s1", f"/api/v1/customers/{cid}").status_code == 200
    log = org.get("admin", f"/api/v1/customers/{cid}/views").get_json()
    assert [(v["user_id"], v["basis"], v["action"]) for v in log] == [
        (org.ids["s1"], "owner", "view"), (org.ids["agent"], "role", "view")]
    assert org.get("s1", f"/api/v1/customers/{cid}/views").status_code == 403
    assert _count(owner_engine, "audit_log", org.a.id, "and entity_type = 'customer_views'") == 0


def test_visibility_setting_all_and_own(org):
    c2 = org.customer("李二", MOBILES[1], owner="s2", department=org.d2)
    c1 = org.customer("王一", MOBILES[0], owner="s1", department=org.d1)
    policy_since(org.a.id, "cus", {"visibility": "all"}, "2026-01-01")
    assert org.get("s1", f"/api/v1/customers/{c2}").status_code == 200
    policy_since(org.a.id, "cus", {"visibility": "own"}, "2026-01-02")
    assert org.get("m1", f"/api/v1/customers/{c1}").status_code == 404  # own only, even for a manager
    assert org.get("gm", f"/api/v1/customers/{c1}").status_code == 200


# ------------------------------------------------------------------------------------- CUS-71

def test_cus71_1_top_secret_customer_is_404_for_an_agent_not_on_the_list(org, owner_engine):
    cid = org.customer("机密客户", MOBILES[0], owner="s1", department=org.d1)
    url = f"/api/v1/customers/{cid}/confidentiality"
    r = org.client.put(url, headers=org.h("gm"), json={"level": "top_secret", "reason": "重要客户"})
    assert r.status_code == 422 and set(r.get_json()["errors"]["json"]) == {"custodian_id", "viewer_ids"}
    assert _count(owner_engine, "customer_secrecy", org.a.id) == 0  # nothing written
    r = org.client.put(url, headers=org.h("s1"), json={"level": "secret", "reason": "x", "custodian_id": 1,
                                                        "viewer_ids": [1]})
    assert r.status_code == 403  # the owner sees it but may not classify it
    r = org.client.put(url, headers=org.h("gm"), json={
        "level": "top_secret", "custodian_id": org.ids["keeper"], "viewer_ids": [org.ids["s1"]],
        "secret_until": "2099-12-31", "reason": "重要客户"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["level"] == "top_secret" and r.get_json()["viewer_ids"] == [org.ids["s1"]]
    assert org.get("agent", f"/api/v1/customers/{cid}").status_code == 404  # CUS-71 (1)
    assert cid not in [c["id"] for c in org.get("agent", "/api/v1/customers").get_json()]
    assert org.get("gm", f"/api/v1/customers/{cid}").status_code == 404  # not on the list either
    assert org.get("s1", f"/api/v1/customers/{cid}").status_code == 200  # designated
    assert org.get("keeper", f"/api/v1/customers/{cid}").status_code == 200  # custodian
    assert org.get("gm", url).get_json()["level"] == "top_secret"  # the manager still sees the classification
    with tenant_scope(org.a.id):
        decision = db.session.scalars(select(Decision).where(Decision.rule_id == "CUS-71")).one()
        assert decision.decided_by == org.ids["gm"] and decision.outcome["level"] == "top_secret"


def test_cus71_2_secrecy_through_2026_12_31_ends_on_2027_01_01_by_the_job(org, two_tenants):
    a, b = two_tenants
    cid = org.customer("密级客户", MOBILES[0], owner="s1", department=org.d1)
    extended = org.customer("延期客户", MOBILES[1], owner="s1", department=org.d1)
    from core.customers.confidentiality import secrecy

    with tenant_scope(a.id), acting_as("test"):
        for customer in (cid, extended):
            secrecy.classify(customer, level="secret", custodian_id=org.ids["keeper"], viewer_ids=[org.ids["s1"]],
                             secret_until=dt.date(2026, 12, 31), reason="测试", decided_by=org.ids["gm"],
                             at=dt.datetime(2026, 6, 1, 10, tzinfo=SH))
        with pytest.raises(InvalidInput) as err:  # a period cannot end in the past
            secrecy.classify(extended, level="secret", custodian_id=org.ids["keeper"], viewer_ids=[org.ids["s1"]],
                             secret_until=dt.date(2026, 12, 30), reason="x", decided_by=org.ids["gm"],
                             at=dt.datetime(2026, 12, 31, 10, tzinfo=SH))
        assert "secret_until" in err.value.fields
        extension = secrecy.classify(extended, level="secret", custodian_id=org.ids["keeper"],
                                     viewer_ids=[org.ids["s1"]], secret_until=dt.date(2027, 6, 30), reason="延长保密期",
                                     decided_by=org.ids["gm"], at=dt.datetime(2026, 12, 20, 10, tzinfo=SH))
        assert extension["extensions"] == 1
        db.session.commit()
    execute(a.id, "cus.declassify", {"as_of": "2026-12-31T23:00:00+08:00"})
    assert org.get("gm", f"/api/v1/customers/{cid}/confidentiality").get_json()["level"] == "secret"
    assert org.get("agent", f"/api/v1/customers/{cid}").status_code == 404
    execute(b.id, "cus.declassify", {"as_of": "2027-01-01T00:20:00+08:00"})  # another tenant: nothing here
    assert org.get("gm", f"/api/v1/customers/{cid}/confidentiality").get_json()["level"] == "secret"
    for _ in range(2):  # a re-run changes nothing more
        execute(a.id, "cus.declassify", {"as_of": "2027-01-01T00:20:00+08:00"})
    assert org.get("gm", f"/api/v1/customers/{cid}/confidentiality").get_json()["level"] == "normal"
    assert org.get("agent", f"/api/v1/customers/{cid}").status_code == 200
    assert org.get("gm", f"/api/v1/customers/{extended}/confidentiality").get_json()["level"] == "secret"  # extended
    with tenant_scope(a.id):
        auto = db.session.scalars(select(Decision).where(Decision.rule_id == "CUS-71",
                                                         Decision.decided_by.is_(None))).all()
    assert len(auto) == 1 and auto[0].outcome["level"] == "normal" and "2026-12-31" in auto[0].reason_zh


# ------------------------------------------------------------------------------------- CUS-72

def test_cus72_viewing_request_endorsed_approved_view_only_and_time_boxed(org, owner_engine):
    c2 = org.customer("李二", MOBILES[1], owner="s2", department=org.d2)
    with tenant_scope(org.a.id):  # m1 heads 一部
        from core.accounts.models import Department
        db.session.scalars(select(Department).where(Department.id == org.d1)).one().head_user_id = org.ids["m1"]
        db.session.commit()
    r = org.post("s1", "/api/v1/view-requests", {"customer_id": c2, "purpose": "核对地址"})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = org.post("s1", "/api/v1/view-requests", {"customer_id": c2, "purpose": "核对地址", "reason": "配合安装",
                                                 "external_name": "外部审计"})
    assert r.status_code == 422 and "external_document" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "view_requests", org.a.id) == 0
    r = org.post("s1", "/api/v1/view-requests", {"customer_id": c2, "purpose": "核对地址", "reason": "配合安装"})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert (req["case"], req["approver_role"], req["status"]) == ("other", "gm", "pending_endorsement")
    url = f"/api/v1/view-requests/{req['id']}"
    assert org.post("gm", f"{url}/approve").status_code == 409  # not endorsed yet
    assert org.post("s2", f"{url}/endorse").status_code == 404  # not theirs to see
    assert org.post("m1", f"{url}/endorse").get_json()["status"] == "pending_approval"
    assert org.post("m1", f"{url}/approve").status_code == 403  # the case needs the gm
    before = dt.datetime.now(dt.timezone.utc)
    r = org.post("gm", f"{url}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.get_json()["status"] == "approved" and r.get_json()["view_only"] is True
    until = dt.datetime.fromisoformat(r.get_json()["grant_until"]).astimezone(SH)
    assert until == dt.datetime.combine(before.astimezone(SH).date() + dt.timedelta(days=2), dt.time(), SH)
    assert org.get("s1", f"/api/v1/customers/{c2}").status_code == 200  # granted: visible
    assert c2 in [c["id"] for c in org.get("s1", "/api/v1/customers").get_json()]
    r = org.get("s1", f"/api/v1/customers/{c2}/download")
    assert r.status_code == 403 and r.get_json()["rule_id"] == "CUS-72"  # view-only: download refused
    r = org.post("s1", "/api/v1/customer-exports", {"purpose": "x", "customer_ids": [c2]})
    assert r.status_code == 403  # nor exported
    assert org.client.patch(f"/api/v1/customers/{c2}", headers=org.h("s1"), json={"note": "x"}).status_code == 404
    log = org.get("admin", f"/api/v1/customers/{c2}/views").get_json()
    assert [(v["basis"], v["grant_id"]) for v in log] == [("grant", req["id"])]
    # the grant ends: move it into the past
    with tenant_scope(org.a.id), acting_as("test"):
        from core.customers.confidentiality.models import ViewRequest
        db.session.get(ViewRequest, (org.a.id, req["id"])).grant_until = before - dt.timedelta(seconds=1)
        db.session.commit()
    assert org.get("s1", f"/api/v1/customers/{c2}").status_code == 404


def test_cus72_1_grant_approved_2026_05_06_10_00_runs_until_2026_05_07_24_00(org):
    from core.accounts.models import User
    from core.customers.confidentiality import viewing

    c2 = org.customer("李二", MOBILES[1], owner="s2", department=org.d2)
    with tenant_scope(org.a.id), acting_as("test"):
        s1 = db.session.get(User, (org.a.id, org.ids["s1"]))
        gm = db.session.get(User, (org.a.id, org.ids["gm"]))
        request = viewing.create(c2, s1, purpose="p", reason="r", at=dt.datetime(2026, 5, 6, 9, tzinfo=SH))
        viewing.decide(request, gm, approve=True, at=dt.datetime(2026, 5, 6, 10, tzinfo=SH))
        assert request.grant_until == dt.datetime(2026, 5, 8, 0, 0, tzinfo=SH)
        assert request.view_only is True
        db.session.commit()


def test_view_request_case_own_department_and_classified(org):
    c3 = org.customer("张三", MOBILES[2], owner="s1a", department=org.d1a)
    c4 = org.customer("密", MOBILES[3], owner="s2", department=org.d2)
    org.client.put(f"/api/v1/customers/{c4}/confidentiality", headers=org.h("gm"), json={
        "level": "confidential", "custodian_id": org.ids["keeper"], "viewer_ids": [org.ids["s2"]], "reason": "KA"})
    own = org.post("s1", "/api/v1/view-requests", {"customer_id": c3, "purpose": "p", "reason": "r"}).get_json()
    assert (own["case"], own["approver_role"]) == ("own", "dept_manager")  # 一部一组 is under 一部
    assert org.post("m2", f"/api/v1/view-requests/{own['id']}/approve").status_code == 403  # 二部's manager
    assert org.post("m1", f"/api/v1/view-requests/{own['id']}/approve").get_json()["status"] == "approved"
    classified = org.post("s1", "/api/v1/view-requests", {"customer_id": c4, "purpose": "p", "reason": "r"}).get_json()
    assert (classified["case"], classified["approver_role"]) == ("classified", "cs_manager")
    assert org.post("csm", f"/api/v1/view-requests/{classified['id']}/approve").status_code == 200
    assert org.get("s1", f"/api/v1/customers/{c4}").status_code == 200
    assert org.get("agent", f"/api/v1/customers/{c4}").status_code == 404


# ------------------------------------------------------------------------------------- CUS-73

def _loan(org, who="s1", **extra):
    body = {"material": "王小明客户档案", "copies": 1, "reason": "核对合同", "signature": "张三", **extra}
    return org.post(who, "/api/v1/loans", body)


def test_cus73_1_loan_due_through_2026_10_02_reminded_on_10_03(org, two_tenants, owner_engine):
    a, b = two_tenants
    r = org.post("s1", "/api/v1/loans", {"material": "档案", "reason": "x"})
    assert r.status_code == 422 and "signature" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "archive_loans", a.id) == 0
    loan = _loan(org).get_json()
    assert loan["status"] == "pending" and loan["steps"] == ["assistant"]
    url = f"/api/v1/loans/{loan['id']}"
    assert org.post("s2", f"{url}/approve").status_code == 404  # another borrower's loan
    assert org.post("m1", f"{url}/approve").status_code == 403  # not the archive keeper
    r = org.post("keeper", f"{url}/approve", {"borrowed_at": "2026-09-29T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "out" and r.get_json()["due_through"] == "2026-10-02"  # CUS-73 (1)
    execute(a.id, "cus.loan_overdue", {"as_of": "2026-10-02T09:00:00+08:00"})
    execute(b.id, "cus.loan_overdue", {"as_of": "2026-10-03T09:00:00+08:00"})  # B's run: not A's loans
    assert _count(owner_engine, "notifications", a.id, "and kind = 'cus.loan_overdue'") == 0
    for _ in range(2):
        execute(a.id, "cus.loan_overdue", {"as_of": "2026-10-03T09:00:00+08:00"})
    with tenant_scope(a.id):
        notes = db.session.scalars(select(Notification).where(Notification.kind == "cus.loan_overdue")).all()
        assert sorted(n.user_id for n in notes) == sorted([org.ids["s1"], org.ids["keeper"]])  # once each
        assert "2026-10-02" in notes[0].title_zh
    # defaults: no fine, no ban; the return closes it
    r = org.post("keeper", f"{url}/return", {"returned_at": "2026-10-04T10:00:00+08:00"})
    assert r.get_json()["status"] == "returned" and r.get_json()["late_fine"] is None
    assert _loan(org).status_code == 201


def test_cus73_2_car_late_return_costs_10_yuan_and_bans_the_borrower(org, owner_engine):
    policy_since(org.a.id, "cus", {"loan": {"max": "1 day", "late_fine": 10, "ban_on_late": True, "loss_fine": 50,
                                            "approvers": ["sales_manager|supervisor", "assistant"]}}, "2026-01-01")
    loan = _loan(org).get_json()
    assert loan["steps"] == ["sales_manager|supervisor", "assistant"]
    url = f"/api/v1/loans/{loan['id']}"
    r = org.post("sup", f"{url}/approve", {"borrowed_at": "2026-09-29T10:00:00+08:00"})
    assert r.get_json()["status"] == "pending"  # the assistant too (CAR)
    r = org.post("keeper", f"{url}/approve", {"borrowed_at": "2026-09-29T10:00:00+08:00"})
    assert r.get_json()["status"] == "out" and r.get_json()["due_through"] == "2026-09-30"
    r = org.post("keeper", f"{url}/return", {"returned_at": "2026-10-01T11:00:00+08:00"})
    assert r.status_code == 200 and r.get_json()["late_fine"] == "10.00"  # CUS-73 (2)
    with tenant_scope(org.a.id):
        fine = db.session.scalars(select(Decision).where(Decision.id == r.get_json()["late_decision_id"])).one()
    assert fine.rule_id == "CUS-73" and fine.outcome["fine"] == "10.00" and fine.outcome["user_id"] == org.ids["s1"]
    assert _ledger(org, loan["id"]) == [(org.ids["s1"], "archive_loan_late", "10.00", "CUS-73", "2026-10")]
    bans = org.get("keeper", "/api/v1/loan-bans").get_json()
    assert [(x["user_id"], x["reason"]) for x in bans] == [(org.ids["s1"], "late")]
    r = _loan(org)
    assert r.status_code == 409 and r.get_json()["rule_id"] == "CUS-73"  # banned: no new loan
    assert org.client.delete(f"/api/v1/loan-bans/{org.ids['s1']}", headers=org.h("keeper")).status_code == 403
    assert org.client.delete(f"/api/v1/loan-bans/{org.ids['s1']}", headers=org.h("gm")).status_code == 204
    assert _loan(org).status_code == 201


def test_car_lost_file_costs_50_yuan_and_a_ban(org):
    policy_since(org.a.id, "cus", {"loan": {"max": "1 day", "late_fine": 10, "ban_on_late": True,
                                            "loss_fine": 50}}, "2026-01-01")
    loan = _loan(org, "s2").get_json()
    org.post("keeper", f"/api/v1/loans/{loan['id']}/approve", {"borrowed_at": "2026-11-03T09:00:00+08:00"})
    r = org.post("keeper", f"/api/v1/loans/{loan['id']}/lost", {"at": "2026-11-03T15:00:00+08:00"})
    assert r.get_json()["status"] == "lost" and r.get_json()["loss_fine"] == "50.00"
    assert _ledger(org, loan["id"]) == [(org.ids["s2"], "archive_loan_lost", "50.00", "CUS-73", "2026-11")]
    assert _loan(org, "s2").status_code == 409


def _ledger(org, loan_id):
    """The staff ledger entries of a loan's fines (STF-01)."""
    with tenant_scope(org.a.id):
        rows = db.session.scalars(select(StaffEntry).where(StaffEntry.subject_type == "archive_loan",
                                                           StaffEntry.subject_id == loan_id)).all()
        return [(e.user_id, e.offence, str(e.amount), e.rule_id, f"{e.payroll_month:%Y-%m}") for e in rows]


def test_overdue_sweep_applies_the_late_fine_once(org):
    policy_since(org.a.id, "cus", {"loan": {"max": "1 day", "late_fine": 10, "ban_on_late": True}}, "2026-01-01")
    loan = _loan(org).get_json()
    org.post("keeper", f"/api/v1/loans/{loan['id']}/approve", {"borrowed_at": "2026-09-29T10:00:00+08:00"})
    execute(org.a.id, "cus.loan_overdue", {"as_of": "2026-10-01T09:00:00+08:00"})
    execute(org.a.id, "cus.loan_overdue", {"as_of": "2026-10-02T09:00:00+08:00"})
    r = org.post("keeper", f"/api/v1/loans/{loan['id']}/return", {"returned_at": "2026-10-02T10:00:00+08:00"})
    assert r.get_json()["late_fine"] == "10.00"
    with tenant_scope(org.a.id):
        fines = db.session.scalars(select(Decision).where(Decision.rule_id == "CUS-73",
                                                          Decision.subject_id == loan["id"])).all()
        reminders = db.session.scalars(select(Notification).where(Notification.kind == "cus.loan_overdue",
                                                                   Notification.user_id == org.ids["s1"])).all()
    assert len([f for f in fines if "fine" in f.outcome]) == 1 and len(reminders) == 2  # one per day
    assert [x[2] for x in _ledger(org, loan["id"])] == ["10.00"]  # one ledger entry


# ------------------------------------------------------------------------------------- CUS-74

def test_cus74_1_external_export_approved_by_the_supervisor_only_is_still_pending(org, owner_engine):
    policy_since(org.a.id, "cus", {"export": {"approval": {"important": ["gm|info_supervisor"],
                                                           "external": ["info_supervisor", "cs_manager"]}}},
                 "2026-01-01")
    cid = org.customer("=1+1", MOBILES[0], owner="s1", department=org.d1, note="@SUM(A1)")
    r = org.post("s1", "/api/v1/customer-exports", {"kind": "external", "purpose": "对账", "customer_ids": [cid]})
    assert r.status_code == 422 and "recipient" in r.get_json()["errors"]["json"]
    r = org.post("s1", "/api/v1/customer-exports", {"kind": "external", "purpose": "对账", "recipient": "律师事务所",
                                                    "customer_ids": [cid]})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    export = r.get_json()
    url = f"/api/v1/customer-exports/{export['id']}"
    assert org.get("s1", f"{url}/file").status_code == 409
    assert org.post("s1", f"{url}/approve").status_code == 403  # never one's own
    assert [e["id"] for e in org.get("csm", "/api/v1/customer-exports").get_json()] == [export["id"]]  # to approve
    assert org.get("s2", "/api/v1/customer-exports").get_json() == []
    r = org.post("info", f"{url}/approve")
    assert r.get_json()["status"] == "pending" and r.get_json()["missing"] == ["cs_manager"]  # CUS-74 (1)
    assert org.get("s1", f"{url}/file").status_code == 409
    assert org.post("csm", f"{url}/approve").get_json()["status"] == "approved"
    r = org.get("s1", f"{url}/file")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    body = r.data.decode("utf-8-sig")
    assert "'=1+1" in body and "'@SUM(A1)" in body and "+8613800138000" in body  # CUS-74 (2); owner: unmasked
    log = org.get("admin", f"/api/v1/customers/{cid}/views").get_json()
    assert [(v["action"], v["export_id"]) for v in log] == [("export", export["id"])]


def test_download_is_masked_for_a_reader_without_the_pii_right(org):
    cid = org.customer("王小明", "13800138000", owner="s1", department=org.d1, resident_id="11010519491231002X")
    r = org.get("agent", f"/api/v1/customers/{cid}/download")
    assert r.status_code == 200
    body = r.data.decode("utf-8-sig")
    assert "138****8000" in body and "110105********002X" in body and "13800138000" not in body
    policy_since(org.a.id, "cus", {"export": {"approval": {"ordinary": ["gm"]}}}, "2026-01-01")
    assert org.get("agent", f"/api/v1/customers/{cid}/download").status_code == 409


# ------------------------------------------------------------------------------------- CUS-75

def test_leak_report_notifies_info_supervisor_and_cs_manager_at_once(org):
    r = org.post("s1", "/api/v1/leak-reports", {"description": "客户名单疑似外泄"})
    assert r.status_code == 201
    report = r.get_json()
    with tenant_scope(org.a.id):
        told = sorted(n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "cus.leak")))
    assert told == sorted([org.ids["info"], org.ids["csm"]])
    url = f"/api/v1/leak-reports/{report['id']}/actions"
    assert org.post("s1", url, {"text": "x"}).status_code == 403
    assert org.get("s2", f"/api/v1/leak-reports/{report['id']}").status_code == 404
    org.post("csm", url, {"text": "更换系统密码"})
    r = org.post("info", url, {"text": "通知相关客户", "close": True})
    assert r.get_json()["status"] == "closed" and [x["text"] for x in r.get_json()["actions"]] == [
        "更换系统密码", "通知相关客户"]


def test_cus75_1_inspection_tasks_on_2026_01_01_and_07_01_due_at_period_end(org, two_tenants):
    a, b = two_tenants
    for day in ("2026-01-01T00:15:00+08:00", "2026-01-02T00:15:00+08:00", "2026-07-01T00:15:00+08:00",
                "2026-07-01T00:15:00+08:00"):
        execute(a.id, "cus.archive_inspection", {"as_of": day})
    tasks = org.get("csm", "/api/v1/archive-inspections").get_json()
    assert [(t["period_start"], t["period_end"]) for t in tasks] == [
        ("2026-07-01", "2026-12-31"), ("2026-01-01", "2026-06-30")]
    assert dt.datetime.fromisoformat(tasks[1]["due_at"]).astimezone(SH) == dt.datetime(2026, 7, 1, tzinfo=SH)
    with tenant_scope(b.id):
        from core.customers.confidentiality.models import ArchiveInspection
        assert db.session.scalars(select(ArchiveInspection)).all() == []
    r = org.post("csm", f"/api/v1/archive-inspections/{tasks[1]['id']}/complete", {"findings": "档案柜上锁，无缺失"})
    assert r.get_json()["status"] == "done"
    assert org.post("s1", f"/api/v1/archive-inspections/{tasks[0]['id']}/complete",
                    {"findings": "x"}).status_code == 403


# ------------------------------------------------------------------------------------- CUS-07

def test_cus07_records_past_retention_queue_for_approved_destruction(org, two_tenants, owner_engine):
    a, b = two_tenants
    cid = org.customer("王小明", "13800138000", owner="s1", department=org.d1, resident_id="11010519491231002X")
    with tenant_scope(a.id), acting_as("test"):  # last activity 2026-01-10 (the analogue of CUS-07 (1))
        from core.customers.models import Customer
        db.session.get(Customer, (a.id, cid)).updated_at = dt.datetime(2026, 1, 10, 15, tzinfo=SH)
        db.session.commit()
    execute(a.id, "cus.retention_queue", {"as_of": "2027-01-11T02:00:00+08:00"})
    assert org.get("csm", "/api/v1/retention-queue").get_json() == []  # default: kept for ever
    policy_since(a.id, "cus", {"retention": {"default": "1 year"}}, "2026-01-01")
    execute(a.id, "cus.retention_queue", {"as_of": "2027-01-10T02:00:00+08:00"})
    assert org.get("csm", "/api/v1/retention-queue").get_json() == []
    execute(b.id, "cus.retention_queue", {"as_of": "2027-01-11T02:00:00+08:00"})
    assert org.get("csm", "/api/v1/retention-queue").get_json() == []
    for _ in range(2):
        execute(a.id, "cus.retention_queue", {"as_of": "2027-01-11T02:00:00+08:00"})
    queue = org.get("csm", "/api/v1/retention-queue").get_json()
    assert [(q["subject_id"], q["kept_through"], q["status"]) for q in queue] == [(cid, "2027-01-10", "queued")]
    url = f"/api/v1/retention-queue/{queue[0]['id']}"
    assert org.post("gm", f"{url}/destroy").status_code == 403  # destroy_approver: cs_manager
    r = org.post("csm", f"{url}/destroy", {"note": "到期销毁"})
    assert r.status_code == 200 and r.get_json()["status"] == "destroyed" and r.get_json()["decided_by"] == org.ids["csm"]
    with owner_engine.connect() as conn:
        row = conn.execute(text("select name, resident_id from customers where id = :i"), {"i": cid}).one()
        assert row == ("已销毁", None)
        assert conn.execute(text("select count(*) from customer_phones where customer_id = :i"), {"i": cid}).scalar() == 0
    execute(a.id, "cus.retention_queue", {"as_of": "2027-01-12T02:00:00+08:00"})
    assert len(org.get("csm", "/api/v1/retention-queue").get_json()) == 1  # not queued again
