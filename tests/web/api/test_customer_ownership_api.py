"""Ownership and protection end to end through the API (CUS-14, CUS-20..CUS-24, CUS-26, CUS-27), with the
spec's vectors and their 2026 dates. The ownership service's clock is set to the vector's moment."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.customers.ownership import clock
from tests.helpers import policy_since
from tests.web.api.test_customers_api import _count

SH = ZoneInfo("Asia/Shanghai")
FIXED = {"ownership": {"mode": "fixed_from_registration"}}


def run_sweep(handle, when: str) -> dict:
    """The CUS-25 sweep as the job layer runs it, as of ``when`` (Shanghai); then a fresh snapshot (the job
    commits in a session of its own)."""
    from core.db import db
    from workers.runtime import execute

    result = execute(handle.id, "cus.ownership_sweep", {"as_of": t(when)}, dedupe_key=f"sweep@{when}")
    db.session.rollback()
    return result


def t(text: str) -> str:
    """A local Shanghai time as the API takes it: ``"2026-03-05 10:02"`` → ISO with +08:00."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH).isoformat()


@pytest.fixture
def now(monkeypatch):
    """``now("2026-03-15 12:00")`` sets the ownership service's clock (Shanghai time)."""
    def set_now(text: str):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
    return set_now


class World:
    def __init__(self, client, handle, make_tenant, policy=FIXED):
        self.client, self.handle = client, handle
        policy_since(handle.id, "cus", policy, "2026-01-01")
        h = handle.headers()
        self.dept1 = client.post("/api/v1/departments", headers=h, json={"name": "销售一部"}).get_json()["id"]
        self.dept2 = client.post("/api/v1/departments", headers=h, json={"name": "销售二部"}).get_json()["id"]
        self.ids, self.tokens = {}, {}
        for name, roles, dept in (("A", ["salesperson"], self.dept1), ("B", ["salesperson"], self.dept1),
                                  ("C", ["salesperson"], self.dept2), ("M", ["dept_manager"], self.dept1),
                                  ("D", ["resource_director"], None), ("S", ["assistant"], self.dept1),
                                  ("G", ["gm"], None)):
            uid, token = make_tenant.user(handle, name, roles=roles)
            self.ids[name], self.tokens[name] = uid, token
            if dept:
                r = client.patch(f"/api/v1/users/{uid}", headers=h, json={"department_id": dept})
                assert r.status_code == 200, r.get_json()
        client.patch(f"/api/v1/departments/{self.dept1}", headers=h, json={"head_user_id": self.ids["M"]})

    def h(self, who=None):
        return self.handle.headers(self.tokens[who] if who else None)

    def customer(self, mobile="13900001111", name="王小明"):
        r = self.client.post("/api/v1/customers", headers=self.h(), json={"name": name, "phones": [{"number": mobile}]})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    def claim(self, cid, who, when, kind="register", **extra):
        # the register (or meeting record) is kept by the tenant admin here: a salesperson cannot see a
        # customer somebody else owns (CUS-70), so evidence for them is recorded by a register keeper
        r = self.client.post(f"/api/v1/customers/{cid}/claims", headers=self.h(),
                             json={"kind": kind, "at": t(when), "claimant_id": self.ids[who], **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def contact(self, cid, who, channel, when):
        r = self.client.post(f"/api/v1/customers/{cid}/contact-log", headers=self.h(who),
                             json={"channel": channel, "at": t(when)})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def owner(self, cid):
        r = self.client.get(f"/api/v1/customers/{cid}/owner", headers=self.h())
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def owner_name(self, cid):
        owner_id = self.owner(cid)["owner_id"]
        return next((n for n, i in self.ids.items() if i == owner_id), owner_id)


@pytest.fixture
def world(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant)


def test_cus20_1_owner_and_why_cus22_1(world, now):
    cid = world.customer()
    now("2026-03-15 12:00")
    world.claim(cid, "B", "2026-03-01 10:00")
    answer = world.owner(cid)
    assert (answer["owner_id"], answer["state"], answer["until"]) == (world.ids["B"], "protected", "2026-05-01")
    assert [d["rule_id"] for d in answer["decisions"]] == ["CUS-21", "CUS-22"]
    assert answer["owner_name"] == "B" and answer["department_id"] == world.dept1
    assert answer["warn_at"].startswith("2026-04-27T16:00")  # 2026-04-28 00:00 Shanghai (CUS-25)
    assert "2026-05-01" in answer["decisions"][1]["reason_zh"] and answer["decisions"][1]["policy_version"] == 1
    # CUS-22 (1): the customer returns 2026-04-15 and A registers: still B's
    now("2026-04-15 12:00")
    world.claim(cid, "A", "2026-04-15 10:00")
    assert world.owner_name(cid) == "B"
    history = world.client.get(f"/api/v1/customers/{cid}/ownership-history", headers=world.h()).get_json()
    assert [(c["rule_id"], c["to_owner_id"]) for c in history] == [("CUS-22", world.ids["B"])]
    claims = world.client.get(f"/api/v1/customers/{cid}/claims", headers=world.h()).get_json()
    assert [c["claimant_id"] for c in claims] == [world.ids["B"], world.ids["A"]]


def test_cus22_2_after_the_window_a_new_claim_takes_it(world, now):
    cid = world.customer()
    now("2026-03-02 09:00")
    world.claim(cid, "B", "2026-03-01 10:00")
    now("2026-05-02 12:00")
    world.claim(cid, "A", "2026-05-02 10:00")
    answer = world.owner(cid)
    assert world.owner_name(cid) == "A" and answer["until"] == "2026-07-02" and answer["state"] == "protected"
    first = answer["decisions"][0]
    assert first["rule_id"] == "CUS-21" and "2026-05-01" in first["reason_en"]  # B's expired claim named


def test_cus22_3_renew_on_contact(client, two_tenants, make_tenant, now):
    w = World(client, two_tenants[0], make_tenant,
              {"ownership": {"mode": "fixed_from_registration", "renew_on_contact": True}})
    cid = w.customer()
    now("2026-03-02 09:00")
    w.claim(cid, "B", "2026-03-01 10:00")
    now("2026-04-15 18:00")
    w.contact(cid, "B", "visit", "2026-04-15 15:00")
    assert w.owner(cid)["until"] == "2026-06-15"


def test_cus21_precedence_vectors(world, now):
    # (1) A registers +8613900001111 2026-03-05 10:02, B at 14:30 → owner A
    one = world.customer("+8613900001111")
    now("2026-03-05 15:00")
    world.claim(one, "A", "2026-03-05 10:02")
    world.claim(one, "B", "2026-03-05 14:30")
    assert world.owner_name(one) == "A"
    # (2) no register entry; the manager's meeting record of 03-05 lists B; A registers 03-06 → owner B
    two = world.customer("13900002222", "李四")
    now("2026-03-06 12:00")
    world.claim(two, "B", "2026-03-05 21:00", kind="meeting_record", note="晚会记录")
    world.claim(two, "A", "2026-03-06 10:00")
    assert world.owner_name(two) == "B"
    # (3) A's register 2026-01-02 (window through 03-02), B registers 03-10 → owner B
    three = world.customer("13900003333", "张三")
    now("2026-01-02 12:00")
    world.claim(three, "A", "2026-01-02 10:00")
    assert world.owner(three)["until"] == "2026-03-02"
    now("2026-03-10 12:00")
    world.claim(three, "B", "2026-03-10 10:00")
    assert world.owner_name(three) == "B"


def test_rejudging_twice_changes_nothing(world, now, owner_engine):
    from core.customers.ownership import service
    from core.tenancy import tenant_scope

    cid = world.customer()
    now("2026-03-15 12:00")
    world.claim(cid, "B", "2026-03-01 10:00")
    before = (_count(owner_engine, "ownership_changes", world.handle.id),
              _count(owner_engine, "decisions", world.handle.id))
    with tenant_scope(world.handle.id):
        assert service.rejudge(cid) == [] and service.rejudge(cid) == []
    after = (_count(owner_engine, "ownership_changes", world.handle.id),
             _count(owner_engine, "decisions", world.handle.id))
    assert before == after


def test_claims_bad_input_writes_nothing(world, now, owner_engine):
    cid = world.customer()
    now("2026-03-15 12:00")
    url = f"/api/v1/customers/{cid}/claims"
    cases = [({"kind": "rumour", "at": t("2026-03-01 10:00")}, "kind"),
             ({"kind": "register", "at": "2026-03-01T10:00:00"}, "at"),
             ({"kind": "register", "at": t("2026-03-20 10:00")}, "at"),  # in the future
             ({"kind": "register", "at": t("2026-03-01 10:00"), "claimant_id": 999999}, "claimant_id"),
             ({"kind": "register", "at": t("2026-03-01 10:00"), "department_id": 999999}, "department_id")]
    for body, field in cases:
        r = world.client.post(url, headers=world.h(), json=body)  # a register keeper may name anybody
        assert r.status_code == 422, (body, r.get_json())
        assert field in r.get_json()["errors"]["json"], r.get_json()
    assert _count(owner_engine, "customer_claims", world.handle.id) == 0
    assert _count(owner_engine, "ownership_changes", world.handle.id) == 0
    r = world.client.post(f"/api/v1/customers/{cid}/deals", headers=world.h("A"), json={"at": t("2026-03-01 10:00")})
    assert r.status_code == 422 and "performance_owner_id" in r.get_json()["errors"]["json"]
    assert world.client.post("/api/v1/customers/999999/claims", headers=world.h("A"),
                             json={"kind": "register"}).status_code == 404


def test_claim_void_rejudges(world, now):
    cid = world.customer()
    now("2026-03-15 12:00")
    first = world.claim(cid, "A", "2026-03-05 10:02")
    world.claim(cid, "B", "2026-03-05 14:30")
    assert world.client.post(f"/api/v1/customers/{cid}/claims/{first['id']}/void",
                             headers=world.h("A")).status_code == 403
    r = world.client.post(f"/api/v1/customers/{cid}/claims/{first['id']}/void", headers=world.h("M"))
    assert r.status_code == 200 and r.get_json()["void"] is True
    assert world.owner_name(cid) == "B"


# --------------------------------------------------------------------------- CUS-23 rolling

ROLLING = {"ownership": {"mode": "rolling_from_last_valid_contact"}, "claim": {"evidence": ["card_signature"]}}


@pytest.fixture
def car(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant, ROLLING)


def test_cus23_1_no_first_contact_voids(car, now):
    cid = car.customer()
    now("2026-06-01 16:00")
    car.claim(cid, "A", "2026-06-01 15:00", kind="card_signature")
    assert car.owner(cid)["until"] == "2026-06-04"
    assert run_sweep(car.handle, "2026-06-05 00:10")["customers"] == 1
    answer = car.owner(cid)
    assert answer["state"] == "claimable" and answer["until"] == "2026-06-04"
    assert answer["decisions"][-1]["rule_id"] == "CUS-25"
    assert "2026-06-05 00:00" in answer["decisions"][-2]["reason_zh"]  # CUS-23: void at 06-05 00:00


def test_cus23_2_contacts_roll_the_window(car, now, owner_engine):
    from core.customers.models import ContactLogEntry
    from core.customers.ownership import service
    from core.db import db
    from core.tenancy import tenant_scope
    from sqlalchemy import select

    cid = car.customer()
    now("2026-06-01 16:00")
    car.claim(cid, "A", "2026-06-01 15:00", kind="card_signature")
    now("2026-06-03 12:00")
    car.contact(cid, "A", "phone_answered", "2026-06-03 10:00")
    assert car.owner(cid)["until"] == "2026-06-10"
    now("2026-06-09 19:00")
    second = car.contact(cid, "A", "phone_answered", "2026-06-09 10:00")
    with tenant_scope(car.handle.id):  # the supervisor's confirmation at 06-09 18:00 (within 24 hours)
        entry = db.session.scalars(select(ContactLogEntry).where(ContactLogEntry.id == second["id"])).one()
        entry.confirmed_at = dt.datetime(2026, 6, 9, 18, 0, tzinfo=SH)
        service.rejudge(cid)
        db.session.commit()
    answer = car.owner(cid)
    assert (answer["state"], answer["until"]) == ("protected", "2026-06-16")
    assert "2026-06-16" in answer["decisions"][-1]["reason_zh"]


def test_cus23_3_three_sms_void_the_claim(car, now):
    cid = car.customer()
    now("2026-06-01 16:00")
    car.claim(cid, "A", "2026-06-01 15:00", kind="card_signature")
    for day in ("03", "09", "15"):
        now(f"2026-06-{day} 12:00")
        car.contact(cid, "A", "sms", f"2026-06-{day} 10:00")
    answer = car.owner(cid)
    assert answer["state"] == "claimable"
    window = answer["decisions"][-2]
    assert window["rule_id"] == "CUS-23" and "voids the claim" in window["reason_en"]


# --------------------------------------------------------------------------- CUS-24 under service

HEALTH = {"ownership": {"mode": "under_service_window"}, "claim": {"evidence": ["submitted_list"]},
          "arbitration": {"arbiter": "assistant", "quarrel_consequence": "fine_each:100"}}


@pytest.fixture
def health(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant, HEALTH)


def test_cus24_vectors(health, now):
    w = health
    cid = w.customer()
    now("2026-01-05 12:00")
    w.claim(cid, "A", "2026-01-05 10:00", kind="submitted_list")
    now("2026-04-20 20:00")
    w.contact(cid, "A", "event_attended", "2026-02-10 10:00")
    w.contact(cid, "A", "event_invited", "2026-04-20 10:00")
    # (1) protected through 2026-05-10, claimable from 05-11
    assert w.owner(cid)["until"] == "2026-05-10"
    run_sweep(w.handle, "2026-05-11 00:10")
    assert w.owner(cid)["state"] == "claimable"
    # (2) a dept-2 employee invites on 05-12; the resource director approves on 05-13
    now("2026-05-12 12:00")
    claim = w.claim(cid, "C", "2026-05-12 10:00", kind="submitted_list")
    assert w.owner_name(cid) == "A"  # awaits approval
    url = f"/api/v1/customers/{cid}/claims/{claim['id']}/approve"
    now("2026-05-13 12:00")
    assert w.client.post(url, headers=w.h("M"), json={}).status_code == 403
    r = w.client.post(url, headers=w.h("D"), json={"at": t("2026-05-13 10:00")})
    assert r.status_code == 200, r.get_json()
    answer = w.owner(cid)
    assert w.owner_name(cid) == "C" and answer["department_id"] == w.dept2
    takeover = answer["decisions"][0]
    assert takeover["rule_id"] == "CUS-24"
    assert all(day in takeover["reason_zh"] for day in ("2026-05-12", "2026-05-13", "2026-05-10"))


def test_cus24_3_home_visit_extends(health, now):
    w = health
    cid = w.customer()
    now("2026-01-05 12:00")
    w.claim(cid, "A", "2026-01-05 10:00", kind="submitted_list")
    now("2026-05-09 20:00")
    w.contact(cid, "A", "event_attended", "2026-02-10 10:00")
    w.contact(cid, "A", "home_visit", "2026-05-09 10:00")
    assert w.owner(cid)["until"] == "2026-08-09"


# --------------------------------------------------------------------------- CUS-26 deal lock


def test_cus26_deal_locks_ownership(world, now):
    cid = world.customer()
    now("2026-03-02 12:00")
    world.claim(cid, "B", "2026-03-01 10:00")
    now("2026-04-20 18:00")
    r = world.client.post(f"/api/v1/customers/{cid}/deals", headers=world.h(), json={  # recorded by the office
        "at": t("2026-04-20 15:00"), "performance_owner_id": world.ids["A"], "kind": "subscription",
        "source": "re:subscription:17"})
    assert r.status_code == 201, r.get_json()
    answer = world.owner(cid)
    assert (world.owner_name(cid), answer["state"], answer["until"]) == ("A", "locked", None)
    assert [d["rule_id"] for d in answer["decisions"]] == ["CUS-26"]
    now("2026-07-02 12:00")  # the 2-month window no longer matters
    from core.customers.ownership import service
    from core.tenancy import tenant_scope

    with tenant_scope(world.handle.id):
        assert service.rejudge(cid) == []
    assert world.owner(cid)["state"] == "locked"
    deals = world.client.get(f"/api/v1/customers/{cid}/deals", headers=world.h()).get_json()
    assert [d["kind"] for d in deals] == ["subscription"]


# --------------------------------------------------------------------------- CUS-27 arbitration


def test_cus27_1_proposal_objection_upheld(world, now):
    cid = world.customer()
    now("2026-03-05 15:00")
    world.claim(cid, "A", "2026-03-05 14:00")
    world.claim(cid, "B", "2026-03-05 10:00")
    now("2026-03-06 09:00")
    r = world.client.post(f"/api/v1/customers/{cid}/ownership-cases", headers=world.h("A"),
                          json={"reason": "collision"})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert (case["status"], case["proposed_owner_id"]) == ("objection_window", world.ids["B"])
    url = f"/api/v1/customers/{cid}/ownership-cases/{case['id']}"
    now("2026-03-07 10:00")  # day 2
    r = world.client.post(f"{url}/objections", headers=world.h("A"), json={"note": "我先接待的"})
    assert r.status_code == 200 and r.get_json()["status"] == "awaiting_arbiter"
    assert r.get_json()["assigned_roles"] == ["dept_manager"]
    assert world.client.post(f"{url}/rulings", headers=world.h("B"), json={"verdict": "uphold"}).status_code == 403
    now("2026-03-10 10:00")
    r = world.client.post(f"{url}/rulings", headers=world.h("M"), json={"verdict": "uphold"})
    assert r.status_code == 200, r.get_json()
    final = r.get_json()
    assert (final["status"], final["final_owner_id"], final["decided_by"]) == ("final", world.ids["B"], world.ids["M"])
    assert world.owner_name(cid) == "B"
    assert world.owner(cid)["decisions"][-1]["rule_id"] == "CUS-27"
    assert world.client.post(f"{url}/objections", headers=world.h("A"), json={}).status_code == 409
    assert [e["kind"] for e in world.client.get(url, headers=world.h()).get_json()["events"]] == ["objection", "ruling"]


def test_cus27_2_and_3_quarrel_fines_and_escalation(health, now):
    w = health
    cid = w.customer()
    now("2026-03-05 15:00")
    w.claim(cid, "A", "2026-03-05 14:00", kind="submitted_list")
    w.claim(cid, "B", "2026-03-05 10:00", kind="submitted_list")
    now("2026-03-06 09:00")
    case = w.client.post(f"/api/v1/customers/{cid}/ownership-cases", headers=w.h("A"),
                         json={"reason": "collision"}).get_json()
    url = f"/api/v1/customers/{cid}/ownership-cases/{case['id']}"
    now("2026-03-06 11:00")
    r = w.client.post(f"{url}/quarrels", headers=w.h("S"), json={"party_ids": [w.ids["A"], w.ids["B"]]})
    assert r.status_code == 200, r.get_json()
    fines = r.get_json()["consequences"]
    assert sorted((c["kind"], c["party"], c["amount"]) for c in fines) == sorted(
        [("fine", w.ids["A"], "100.00"), ("fine", w.ids["B"], "100.00")])
    # (2) two STF entries of ¥100, once each however often the case is judged again
    ledger = w.client.get("/api/v1/staff/entries?offence=quarrel_before_customer", headers=w.h()).get_json()
    assert sorted((e["user_id"], e["amount"], e["rule_id"], e["subject_id"]) for e in ledger) == sorted(
        [(w.ids["A"], "100.00", "CUS-27", case["id"]), (w.ids["B"], "100.00", "CUS-27", case["id"])])
    w.client.post(f"{url}/objections", headers=w.h("A"), json={})
    now("2026-03-08 10:00")
    r = w.client.post(f"{url}/rulings", headers=w.h("S"), json={"verdict": "cannot_decide"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["assigned_roles"]) == ("escalated", ["gm"])
    notes = w.client.get("/api/v1/notifications", headers=w.h("G")).get_json()
    assert any(n["rule_id"] == "CUS-27" for n in notes)
    r = w.client.post(f"{url}/rulings", headers=w.h("G"), json={"verdict": "overturn"})
    assert r.status_code == 422 and "owner_id" in r.get_json()["errors"]["json"]
    r = w.client.post(f"{url}/rulings", headers=w.h("G"), json={"verdict": "overturn", "owner_id": w.ids["A"]})
    assert r.get_json()["status"] == "final" and w.owner_name(cid) == "A"
    ledger = w.client.get("/api/v1/staff/entries?offence=quarrel_before_customer", headers=w.h()).get_json()
    assert len(ledger) == 2


def test_cus27_car_quarrel_raises_hr_flags_never_a_dismissal(client, two_tenants, make_tenant, now):
    w = World(client, two_tenants[0], make_tenant, {**HEALTH, "arbitration": {
        "arbiter": "assistant", "quarrel_consequence": "dismissal_flag_each"}})
    cid = w.customer()
    now("2026-03-05 15:00")
    w.claim(cid, "A", "2026-03-05 14:00", kind="submitted_list")
    w.claim(cid, "B", "2026-03-05 10:00", kind="submitted_list")
    case = w.client.post(f"/api/v1/customers/{cid}/ownership-cases", headers=w.h("A"),
                         json={"reason": "collision"}).get_json()
    now("2026-03-06 11:00")
    url = f"/api/v1/customers/{cid}/ownership-cases/{case['id']}"
    assert w.client.post(f"{url}/quarrels", headers=w.h("S"), json={"party_ids": [w.ids["A"]]}).status_code == 200
    w.client.post(f"{url}/objections", headers=w.h("B"), json={})
    flags = w.client.get("/api/v1/staff/entries?kind=flag", headers=w.h()).get_json()
    assert [(e["user_id"], e["label"], e["amount"], e["rule_id"]) for e in flags] == [
        (w.ids["A"], "dismissal_review", "0.00", "CUS-27")]


# --------------------------------------------------------------------------- CUS-14 households


def test_cus14_household_spouse_and_sibling(world, now):
    wife = world.customer("13900004444", "刘芳")
    husband = world.customer("13900005555", "陈刚")
    brother = world.customer("13900006666", "陈强")
    now("2026-04-02 12:00")
    world.claim(wife, "B", "2026-03-20 10:00")
    world.claim(husband, "A", "2026-04-02 10:00")
    world.claim(brother, "A", "2026-04-02 11:00")
    # (2) a sibling link is a referral link: no effect
    r = world.client.post(f"/api/v1/customers/{husband}/household-links", headers=world.h(),
                          json={"related_id": brother, "relation": "sibling"})
    assert r.status_code == 201
    assert world.owner_name(husband) == "A" and world.owner_name(brother) == "A"
    # (1) spouse: the household is one customer, the earliest valid claim (B's) owns both
    r = world.client.post(f"/api/v1/customers/{husband}/household-links", headers=world.h(),
                          json={"related_id": wife, "relation": "spouse"})
    assert r.status_code == 201, r.get_json()
    assert world.owner_name(wife) == "B" and world.owner_name(husband) == "B"
    assert world.owner(husband)["decisions"][-1]["rule_id"] == "CUS-14"
    assert world.owner_name(brother) == "A"
    links = world.client.get(f"/api/v1/customers/{wife}/household-links", headers=world.h()).get_json()
    assert [(link["customer_id"], link["relation"]) for link in links] == [(husband, "spouse")]
    r = world.client.post(f"/api/v1/customers/{husband}/household-links", headers=world.h(),
                          json={"related_id": husband, "relation": "spouse"})
    assert r.status_code == 422 and "related_id" in r.get_json()["errors"]["json"]
    # unlinking judges each on its own again
    r = world.client.delete(f"/api/v1/customers/{husband}/household-links/{links[0]['id']}", headers=world.h("M"))
    assert r.status_code == 204
    assert world.owner_name(husband) == "A"
