"""Merge and undo of customers end to end through the API (CUS-15), with the spec's vectors and their
2026 dates: the surviving owner is the earliest valid claim of the two, points are summed, contacts,
contact log and transactions move, an undo within the window restores both customers with their own
owners (later additions stay with A), after the window it is refused."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.customers.ownership import clock
from tests.helpers import policy_since
from tests.web.api.test_customers_api import _count

SH = ZoneInfo("Asia/Shanghai")
FIXED = {"ownership": {"mode": "fixed_from_registration"}}


def t(text: str) -> str:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH).isoformat()


@pytest.fixture
def now(monkeypatch):
    """``now("2026-05-05 10:00")`` sets the clock of the ownership and merge services (Shanghai)."""
    def set_now(text: str):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
    return set_now


class World:
    """A tenant with the fixed-from-registration mode: in department 1 the salespeople C and D, the
    department manager M (merges) and a salesperson X (may not merge); E sells in department 2."""

    def __init__(self, client, handle, make_tenant):
        self.client, self.handle = client, handle
        policy_since(handle.id, "cus", FIXED, "2026-01-01")
        h = handle.headers()
        self.dept1 = client.post("/api/v1/departments", headers=h, json={"name": "销售一部"}).get_json()["id"]
        self.dept2 = client.post("/api/v1/departments", headers=h, json={"name": "销售二部"}).get_json()["id"]
        self.ids, self.tokens = {}, {}
        for name, roles, dept in (("C", ["salesperson"], self.dept1), ("D", ["salesperson"], self.dept1),
                                  ("M", ["dept_manager"], self.dept1), ("X", ["salesperson"], self.dept1),
                                  ("E", ["salesperson"], self.dept2)):
            uid, token = make_tenant.user(handle, name, roles=roles)
            self.ids[name], self.tokens[name] = uid, token
            r = client.patch(f"/api/v1/users/{uid}", headers=h, json={"department_id": dept})
            assert r.status_code == 200, r.get_json()

    def h(self, who=None):
        return self.handle.headers(self.tokens[who] if who else None)

    def get(self, url, who=None):
        r = self.client.get(f"/api/v1{url}", headers=self.h(who))
        assert r.status_code == 200, (url, r.get_json())
        return r.get_json()

    def post(self, url, body, who=None, status=201):
        r = self.client.post(f"/api/v1{url}", headers=self.h(who), json=body)
        assert r.status_code == status, (url, r.status_code, r.get_json())
        return r.get_json()

    def customer(self, name, mobile, **extra):
        return self.post("/customers", {"name": name, "phones": [{"number": mobile}], **extra})["id"]

    def claim(self, cid, who, when):
        return self.post(f"/customers/{cid}/claims", {"kind": "register", "at": t(when), "claimant_id": self.ids[who]})

    def purchase(self, cid, amount, when):
        return self.post(f"/customers/{cid}/transactions",
                         {"kind": "purchase", "amount": amount, "at": t(when), "event_id": 7})

    def referee(self, referrer, name, mobile):
        """A customer referred by ``referrer``: its purchases at events earn ``referrer`` points (CUS-43)."""
        cid = self.customer(name, mobile)
        self.post(f"/customers/{cid}/referral", {"referrer_id": referrer, "at": t("2026-04-01 10:00")})
        return cid

    def contact(self, cid, when, content):
        return self.post(f"/customers/{cid}/contact-log", {"channel": "visit", "at": t(when), "content": content})

    def owner(self, cid):
        owner_id = self.get(f"/customers/{cid}/owner")["owner_id"]
        return next((n for n, i in self.ids.items() if i == owner_id), owner_id)

    def balance(self, cid):
        return self.get(f"/customers/{cid}/points")["balance"]

    def ids_of(self, url):
        return sorted(row["id"] for row in self.get(url))


@pytest.fixture
def world(client, two_tenants, make_tenant):
    return World(client, two_tenants[0], make_tenant)


def _pair(world, now):
    """The spec's vector: A owned by C from the claim of 2026-05-01, B owned by D from 2026-04-20 (valid);
    A's referee bought 1,000 yuan at an event (100 points for A, CUS-43), B's 2,000 yuan (200 points for
    B); A and B each bought something themselves (transactions)."""
    a = world.customer("王小明", "13800138000", contacts=[{"name": "王太太", "mobile": "13900000001"}])
    b = world.customer("王晓明", "13900139000", contacts=[{"name": "王先生", "mobile": "13900000002"}])
    now("2026-04-20 12:00")
    world.claim(b, "D", "2026-04-20 10:00")
    now("2026-05-01 12:00")
    world.claim(a, "C", "2026-05-01 10:00")
    world.purchase(world.referee(a, "李一", "13700000001"), "1000.00", "2026-05-01 15:00")
    world.purchase(world.referee(b, "李二", "13700000002"), "2000.00", "2026-04-25 15:00")
    world.purchase(a, "300.00", "2026-05-01 16:00")
    world.purchase(b, "400.00", "2026-04-26 16:00")
    world.contact(a, "2026-05-01 11:00", "A 首访")
    world.contact(b, "2026-04-20 11:00", "B 首访")
    assert (world.owner(a), world.owner(b)) == ("C", "D")
    assert (world.balance(a), world.balance(b)) == (100, 200)
    return a, b


def test_cus15_1_merged_owner_is_the_earliest_valid_claim_and_points_are_summed(world, now, owner_engine):
    a, b = _pair(world, now)
    before = {
        "contact_log": world.ids_of(f"/customers/{a}/contact-log") + world.ids_of(f"/customers/{b}/contact-log"),
        "transactions": world.ids_of(f"/customers/{a}/transactions") + world.ids_of(f"/customers/{b}/transactions"),
        "claims": world.ids_of(f"/customers/{a}/claims") + world.ids_of(f"/customers/{b}/claims"),
    }
    now("2026-05-05 10:00")
    record = world.post(f"/customers/{a}/merge", {"merged_id": b, "reason": "同一人重复建档"}, who="M")
    assert (record["survivor_id"], record["merged_id"], record["status"]) == (a, b, "merged")
    assert record["merged_owner_before"]["owner_id"] == world.ids["D"]
    assert record["survivor_owner_before"]["owner_id"] == world.ids["C"]
    assert record["survivor_owner_after"]["owner_id"] == world.ids["D"]
    # the undo window: 30 days from 2026-05-05, through 2026-06-04 (ends 2026-06-05 00:00 Shanghai)
    assert dt.datetime.fromisoformat(record["undo_deadline"]) == dt.datetime(2026, 6, 5, tzinfo=SH)

    # ownership: D's claim of 2026-04-20 is the earliest valid claim of the two (CUS-21)
    assert world.owner(a) == "D"
    decisions = world.get(f"/decisions?subject_type=customer&subject_id={a}&rule_id=CUS-15")
    assert len(decisions) == 1 and decisions[0]["id"] == record["decision_id"]
    reason = decisions[0]["reason_zh"]
    assert f"#{b}" in reason and f"#{a}" in reason and "C" in reason and "D" in reason
    assert decisions[0]["decided_by"] == world.ids["M"]
    # points summed, everything moved to A
    assert (world.balance(a), world.balance(b)) == (300, 0)
    assert world.ids_of(f"/customers/{a}/contact-log") == sorted(before["contact_log"])
    assert world.ids_of(f"/customers/{a}/transactions") == sorted(before["transactions"])
    assert world.ids_of(f"/customers/{a}/claims") == sorted(before["claims"])
    assert world.get(f"/customers/{b}/contact-log") == []
    phones = sorted(p["e164"] for p in world.get(f"/customers/{a}")["phones"])
    assert phones == ["+8613800138000", "+8613900139000"]
    contacts = sorted(c["name"] for c in world.get(f"/customers/{a}")["contacts"])
    assert contacts == ["王先生", "王太太"]
    assert set(record["moved"]) >= {"contact_log", "customer_transactions", "points_entries", "customer_claims",
                                     "customer_phones", "customer_contacts"}

    # B is a tombstone: resolves, out of lists and search, never a duplicate, read-only
    tomb = world.get(f"/customers/{b}")
    assert tomb["merged_into_id"] == a and tomb["merged_at"]
    assert b not in [c["id"] for c in world.get("/customers")]
    assert [c["id"] for c in world.get("/customers?q=王晓明")] == [a]  # the same pinyin: A, never the tombstone
    dup = world.client.post("/api/v1/customers", headers=world.h(), json={"name": "王晓明", "phones": [{"number": "13900139000"}]})
    assert dup.status_code == 409 and dup.get_json()["existing_id"] == a  # B's mobile now lives on A
    for method, url, body in (("patch", f"/customers/{b}", {"note": "x"}),
                              ("post", f"/customers/{b}/contact-log", {"channel": "visit", "at": t("2026-05-05 09:00")}),
                              ("post", f"/customers/{b}/merge", {"merged_id": a, "reason": "x"})):
        r = getattr(world.client, method)(f"/api/v1{url}", headers=world.h(), json=body)
        assert r.status_code == 409 and r.get_json()["merged_into_id"] == a, (url, r.get_json())
    again = world.client.post(f"/api/v1/customers/{a}/merge", headers=world.h("M"), json={"merged_id": b, "reason": "x"})
    assert again.status_code == 409
    merges = world.get(f"/customers/{b}/merges")
    assert [m["id"] for m in merges] == [record["id"]] == [m["id"] for m in world.get(f"/customers/{a}/merges")]
    assert _count(owner_engine, "customer_keys", world.handle.id) and not _keys_of(owner_engine, b)


def _keys_of(owner_engine, customer_id):
    from sqlalchemy import text

    with owner_engine.connect() as conn:
        return sorted(conn.execute(text("select key from customer_keys where customer_id = :c"), {"c": customer_id}).scalars())


def test_cus15_2_undo_on_day_10_restores_both_with_their_own_owners(world, now, owner_engine):
    a, b = _pair(world, now)
    keys = (_keys_of(owner_engine, a), _keys_of(owner_engine, b))
    rows = {cid: (world.ids_of(f"/customers/{cid}/contact-log"), world.ids_of(f"/customers/{cid}/transactions"),
                  world.ids_of(f"/customers/{cid}/claims"), sorted(c["id"] for c in world.get(f"/customers/{cid}")["contacts"]))
            for cid in (a, b)}
    now("2026-05-05 10:00")
    record = world.post(f"/customers/{a}/merge", {"merged_id": b, "reason": "重复建档"}, who="M")
    assert world.owner(a) == "D"
    # after the merge, A gets a new contact and a new purchase: they stay with A
    now("2026-05-08 12:00")
    later_contact = world.contact(a, "2026-05-08 10:00", "合并后来访")["id"]
    later_sale = world.purchase(a, "500.00", "2026-05-08 11:00")["id"]
    world.purchase(world.referee(a, "李三", "13700000003"), "1000.00", "2026-05-08 11:30")
    assert world.balance(a) == 400

    now("2026-05-15 10:00")  # day 10
    undone = world.post(f"/customers/{a}/merges/{record['id']}/undo", {"reason": "并非同一人"}, who="M", status=200)
    assert (undone["status"], undone["undone_by"]) == ("undone", world.ids["M"])
    assert (world.owner(a), world.owner(b)) == ("C", "D")
    assert (world.balance(a), world.balance(b)) == (200, 200)
    assert world.ids_of(f"/customers/{a}/contact-log") == sorted(rows[a][0] + [later_contact])
    assert world.ids_of(f"/customers/{a}/transactions") == sorted(rows[a][1] + [later_sale])
    assert world.ids_of(f"/customers/{b}/contact-log") == rows[b][0]
    assert world.ids_of(f"/customers/{b}/transactions") == rows[b][1]
    assert (world.ids_of(f"/customers/{a}/claims"), world.ids_of(f"/customers/{b}/claims")) == (rows[a][2], rows[b][2])
    assert tuple(sorted(c["id"] for c in world.get(f"/customers/{x}")["contacts"]) for x in (a, b)) == (rows[a][3], rows[b][3])
    assert (_keys_of(owner_engine, a), _keys_of(owner_engine, b)) == keys
    restored = world.get(f"/customers/{b}")
    assert restored["merged_into_id"] is None and [p["e164"] for p in restored["phones"]] == ["+8613900139000"]
    assert b in [c["id"] for c in world.get("/customers?q=王晓明")]
    # decisions: the undo supersedes the merge decision on A, and is recorded on B too
    on_a = world.get(f"/decisions?subject_type=customer&subject_id={a}&rule_id=CUS-15")
    undo_decision = next(d for d in on_a if d["id"] == undone["undo_decision_id"])
    assert undo_decision["supersedes_id"] == record["decision_id"]
    assert any(d["decided_by"] == world.ids["M"] for d in
               world.get(f"/decisions?subject_type=customer&subject_id={b}&rule_id=CUS-15"))
    # once undone, never again; B is writable again
    again = world.client.post(f"/api/v1/customers/{a}/merges/{record['id']}/undo", headers=world.h("M"), json={})
    assert again.status_code == 409
    world.contact(b, "2026-05-15 09:00", "恢复后来访")


def test_cus15_undo_after_the_window_is_refused_naming_the_deadline(world, now):
    a, b = _pair(world, now)
    now("2026-05-05 10:00")
    record = world.post(f"/customers/{a}/merge", {"merged_id": b, "reason": "重复"}, who="M")
    now("2026-06-05 00:00")  # the window ran through 2026-06-04
    r = world.client.post(f"/api/v1/customers/{a}/merges/{record['id']}/undo", headers=world.h("M"), json={})
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["through"] == "2026-06-04" and "2026-06-05T00:00:00+08:00" in r.get_json()["message"]
    assert world.owner(a) == "D" and world.get(f"/customers/{b}")["merged_into_id"] == a
    now("2026-06-04 23:59")  # the last minute of the window
    world.post(f"/customers/{a}/merges/{record['id']}/undo", {}, who="M", status=200)
    assert (world.owner(a), world.owner(b)) == ("C", "D")


def test_cus15_roles_bad_input_and_tombstones_write_nothing(world, now, owner_engine):
    a, b = _pair(world, now)
    now("2026-05-05 10:00")
    tenant = world.handle.id
    counted = ("customer_merges", "decisions", "ownership_changes")
    before = {table: _count(owner_engine, table, tenant) for table in counted}
    url = f"/api/v1/customers/{a}/merge"
    for body, field in (({"reason": "x"}, "merged_id"), ({"merged_id": b}, "reason"),
                        ({"merged_id": b, "reason": ""}, "reason"), ({"merged_id": "b", "reason": "x"}, "merged_id"),
                        ({"merged_id": a, "reason": "x"}, "merged_id")):
        r = world.client.post(url, headers=world.h("M"), json=body)
        assert r.status_code == 422, (body, r.get_json())
        errors = r.get_json()["errors"]
        assert field in errors.get("json", errors), (body, errors)
    assert world.client.post(url, headers=world.h("X"), json={"merged_id": b, "reason": "x"}).status_code == 403
    assert world.client.post(url, headers=world.h("M"), json={"merged_id": 999999, "reason": "x"}).status_code == 404
    # a customer of another department is not visible to this department's manager (CUS-70): 404
    elsewhere = world.customer("赵六", "13600000006")
    world.claim(elsewhere, "E", "2026-05-04 10:00")
    assert world.client.post(url, headers=world.h("M"), json={"merged_id": elsewhere, "reason": "x"}).status_code == 404
    before = {table: _count(owner_engine, table, tenant) for table in counted}
    assert world.client.post("/api/v1/customers/999999/merge", headers=world.h("M"),
                             json={"merged_id": b, "reason": "x"}).status_code == 404
    assert {table: _count(owner_engine, table, tenant) for table in counted} == before
    assert world.get(f"/customers/{a}/merges") == []
    assert (world.balance(a), world.balance(b)) == (100, 200)


def test_cus15_merge_role_from_the_policy(world, now):
    # two customers of the public pool (visible to everybody); cus.merge.role = salesperson
    a, b = world.customer("钱七", "13600000007"), world.customer("钱 七", "13600000008")
    now("2026-05-05 10:00")
    r = world.client.post(f"/api/v1/customers/{a}/merge", headers=world.h("X"), json={"merged_id": b, "reason": "重复"})
    assert r.status_code == 403 and "dept_manager" in r.get_json()["message"]
    policy_since(world.handle.id, "cus", {**FIXED, "merge": {"role": "salesperson"}}, "2026-01-02")
    record = world.post(f"/customers/{a}/merge", {"merged_id": b, "reason": "重复"}, who="X")
    assert record["survivor_owner_after"] is None and world.get(f"/customers/{a}/owner")["owner_id"] is None


def test_cus15_never_across_tenants(client, two_tenants, make_tenant, now, owner_engine):
    world = World(client, two_tenants[0], make_tenant)
    other = two_tenants[1]
    a = world.customer("王小明", "13800138000")
    foreign = client.post("/api/v1/customers", headers=other.headers(),
                          json={"name": "王晓明", "phones": [{"number": "13900139000"}]}).get_json()["id"]
    client.post(f"/api/v1/customers/{foreign}/contact-log", headers=other.headers(),
                json={"channel": "visit", "at": t("2026-04-20 11:00")})
    now("2026-05-05 10:00")
    r = client.post(f"/api/v1/customers/{a}/merge", headers=world.h("M"), json={"merged_id": foreign, "reason": "x"})
    assert r.status_code == 404
    assert _count(owner_engine, "customer_merges", world.handle.id) == 0
    assert _count(owner_engine, "customer_merges", other.id) == 0
    assert _count(owner_engine, "contact_log", other.id) == 1
    assert client.get(f"/api/v1/customers/{foreign}", headers=other.headers()).get_json()["merged_into_id"] is None
    assert len(client.get(f"/api/v1/customers/{foreign}/contact-log", headers=other.headers()).get_json()) == 1
