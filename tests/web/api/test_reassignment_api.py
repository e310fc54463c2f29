"""Redistribution (CUS-33) and its triggers (CUS-35), manual override (CUS-34), lead batches (CUS-32),
by tier (CUS-30) and staff contacts (CUS-36), end to end through the API and the job."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.customers import ownership_store
from core.customers.assignment.models import LeadBatchCount
from core.customers.assignment.rules import seeded_shuffle
from core.customers.service import create_customer
from core.db import db
from core.decisions import service as decisions
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.test_customers_api import _count
from workers.runtime import execute

SH = ZoneInfo("Asia/Shanghai")


def _people(client, handle, make_tenant, names, roles=("salesperson",), department_id=None, team=None):
    ids = {}
    for name in names:
        ids[name], _ = make_tenant.user(handle, f"u-{name}", roles=list(roles))
        body = {"display_name": name}
        if department_id is not None:
            body["department_id"] = department_id
        if team is not None:
            body["team"] = team
        assert client.patch(f"/api/v1/users/{ids[name]}", headers=handle.headers(), json=body).status_code == 200
    return ids


def _owned_customers(handle, owner_id, n, start=0, department_id=None, state="protected"):
    """``n`` customers owned by ``owner_id`` (as a CUS-22 claim would leave them), ids ascending."""
    ids = []
    with tenant_scope(handle.id):
        for i in range(start, start + n):
            customer, _ = create_customer({"name": f"客户{i}", "phones": [{"number": f"1370000{i:04d}"}]})
            if owner_id is not None:
                ownership_store.set_owner(customer.id, owner_id=owner_id, state=state, department_id=department_id,
                                          at=dt.datetime(2026, 3, 1, 10, tzinfo=SH), rule_id="CUS-22",
                                          reason_zh="首访登记", reason_en="first registration")
            ids.append(customer.id)
        db.session.commit()
    return ids


@pytest.fixture
def sales_dept(client, two_tenants, make_tenant):
    a, _b = two_tenants
    dept = client.post("/api/v1/departments", headers=a.headers(), json={"name": "销售一部"}).get_json()
    ids = _people(client, a, make_tenant, ["S", "B", "C", "D"], department_id=dept["id"])
    return a, dept["id"], ids


def test_cus33_random_draw_vector_through_the_job(client, sales_dept):
    a, dept, ids = sales_dept
    customers = _owned_customers(a, ids["S"], 7, department_id=dept)  # stand for [101..107]
    r = client.post("/api/v1/redistributions", headers=a.headers(),
                    json={"leaver_id": ids["S"], "trigger": "departure", "seed": 20260315})
    assert r.status_code == 202, r.get_json()
    run = r.get_json()
    # spec: shuffled [104,102,105,106,101,107,103] → B: 103,104,106; C: 101,102; D: 105,107
    pos = {101 + i: cid for i, cid in enumerate(customers)}
    assert run["shuffled"] == [pos[n] for n in (104, 102, 105, 106, 101, 107, 103)]
    assert run["seed"] == 20260315 and run["colleagues"] == [ids["B"], ids["C"], ids["D"]]
    expected = {ids["B"]: [pos[103], pos[104], pos[106]], ids["C"]: [pos[101], pos[102]], ids["D"]: [pos[105], pos[107]]}
    assert run["result"] == {str(k): v for k, v in expected.items()}
    done = client.get(f"/api/v1/redistributions/{run['id']}", headers=a.headers()).get_json()
    assert done["status"] == "done" and {i["status"] for i in done["items"]} == {"applied"}
    job = client.get(f"/api/v1/jobs/{run['job_id']}", headers=a.headers()).get_json()
    assert (job["status"], job["progress_done"], job["progress_total"]) == ("finished", 7, 7)
    with tenant_scope(a.id):
        owners = ownership_store.owner_ids(customers)
        assert {cid: owners[cid] for cid in customers} == {cid: sid for sid, cids in expected.items() for cid in cids}
        draws = db.session.scalars(decisions.query(rule_id="CUS-33", subject_type="customer")).all()
        assert len(draws) == 7
        first = next(d for d in draws if d.subject_id == pos[104])
        assert first.facts["seed"] == 20260315 and first.facts["position"] == 1
        assert "seed 20260315" in first.reason_en and "position 1" in first.reason_en
    # CUS-33 (2): the job again, or the same request again → the same result, no second decision
    execute(a.id, "cus.redistribute", {"run_id": run["id"]}, dedupe_key="rerun")
    again = client.post("/api/v1/redistributions", headers=a.headers(),
                        json={"leaver_id": ids["S"], "trigger": "departure", "seed": 20260315})
    assert again.status_code == 422  # S owns nothing any more: nothing to redistribute
    with tenant_scope(a.id):
        db.session.rollback()
        assert len(db.session.scalars(decisions.query(rule_id="CUS-33", subject_type="customer")).all()) == 7


def test_the_same_request_returns_the_same_plan(client, sales_dept, ctx):
    a, dept, ids = sales_dept
    _owned_customers(a, ids["S"], 5, department_id=dept)
    inline, ctx.extensions["kehu_jobs"] = ctx.extensions["kehu_jobs"], _Held()  # the job has not run yet
    try:
        body = {"leaver_id": ids["S"], "trigger": "transfer", "seed": 7}
        first = client.post("/api/v1/redistributions", headers=a.headers(), json=body).get_json()
        second = client.post("/api/v1/redistributions", headers=a.headers(), json=body).get_json()
    finally:
        ctx.extensions["kehu_jobs"] = inline
    assert first["id"] == second["id"] and first["result"] == second["result"]


class _Held:
    """A backend that keeps jobs (they stay queued)."""

    def submit(self, *args, **kwargs):
        return None

    def is_pending(self, *args):
        return True


def test_cus35_deactivation_refused_until_redistribution(client, sales_dept, owner_engine):
    a, dept, ids = sales_dept
    customers = _owned_customers(a, ids["S"], 12, department_id=dept)
    r = client.patch(f"/api/v1/users/{ids['S']}", headers=a.headers(), json={"is_active": False})
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["rule_id"] == "CUS-35" and body["owned_customers"] == 12 and "12 customers" in body["reason_en"]
    assert client.get(f"/api/v1/users/{ids['S']}", headers=a.headers()).get_json()["is_active"] is True
    r = client.post("/api/v1/redistributions", headers=a.headers(), json={"leaver_id": ids["S"], "trigger": "departure"})
    assert r.status_code == 202 and r.get_json()["seed"] is not None  # drawn and recorded
    with tenant_scope(a.id):
        draws = db.session.scalars(decisions.query(rule_id="CUS-33", subject_type="customer")).all()
        assert sorted(d.subject_id for d in draws) == customers
        counts = sorted(ownership_store.owner_ids(customers).values())
        assert {counts.count(ids[n]) for n in "BCD"} == {4}
    r = client.patch(f"/api/v1/users/{ids['S']}", headers=a.headers(), json={"is_active": False})
    assert r.status_code == 200 and r.get_json()["is_active"] is False


def test_deactivation_not_blocked_releases_to_the_pool(client, sales_dept):
    a, dept, ids = sales_dept
    policy_since(a.id, "cus", {"reassign": {"block_deactivation": False}}, "2026-01-01")
    customers = _owned_customers(a, ids["S"], 2, department_id=dept)
    r = client.patch(f"/api/v1/users/{ids['S']}", headers=a.headers(), json={"is_active": False})
    assert r.status_code == 200
    with tenant_scope(a.id):
        assert ownership_store.owner_ids(customers) == {}
        assert [c.rule_id for c in ownership_store.history(customers[0])] == ["CUS-22", "CUS-35"]


def test_long_leave_redistributes_only_a_long_leave(client, sales_dept):
    a, dept, ids = sales_dept
    _owned_customers(a, ids["S"], 3, department_id=dept)
    short = {"leaver_id": ids["S"], "trigger": "long_leave", "seed": 1, "leave_start": "2026-07-01",
             "leave_end": "2026-07-10"}
    r = client.post("/api/v1/redistributions", headers=a.headers(), json=short)
    assert r.status_code == 422 and "leave_end" in r.get_json()["errors"]["json"]
    r = client.post("/api/v1/redistributions", headers=a.headers(), json={**short, "leave_end": "2026-07-20"})
    assert r.status_code == 202 and r.get_json()["status"] == "done"  # CAL-11 (2): 20 days is long
    for bad, field in (({"trigger": "holiday"}, "trigger"), ({"leaver_id": 999999}, "leaver_id"),
                       ({"seed": -1}, "seed")):
        r = client.post("/api/v1/redistributions", headers=a.headers(),
                        json={"leaver_id": ids["S"], "trigger": "departure", **bad})
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], bad


def test_job_of_one_tenant_never_touches_another(client, two_tenants, make_tenant, ctx):
    a, b = two_tenants
    ids_b = _people(client, b, make_tenant, ["S", "B"])
    customers = _owned_customers(b, ids_b["S"], 2)
    inline, ctx.extensions["kehu_jobs"] = ctx.extensions["kehu_jobs"], _Held()  # B's run stays planned
    try:
        run = client.post("/api/v1/redistributions", headers=b.headers(),
                          json={"leaver_id": ids_b["S"], "trigger": "departure", "seed": 3}).get_json()
    finally:
        ctx.extensions["kehu_jobs"] = inline
    from workers.models import JobRecord
    from workers.runtime import JobRefused

    with pytest.raises(JobRefused):  # tenant A's run of B's job record: refused
        execute(a.id, "cus.redistribute", {"run_id": run["id"]}, record_id=run["job_id"])
    execute(a.id, "cus.redistribute", {"run_id": run["id"]}, dedupe_key="a-tries-b")  # B's run id, A's record
    db.session.rollback()  # a fresh snapshot: jobs commit in sessions of their own
    with tenant_scope(a.id):
        record = db.session.scalars(select(JobRecord).where(JobRecord.dedupe_key == "a-tries-b")).one()
        assert record.status == "failed" and "redistribution not found" in record.error
    with tenant_scope(b.id):
        assert set(ownership_store.owner_ids(customers).values()) == {ids_b["S"]}
    execute(b.id, "cus.redistribute", {"run_id": run["id"]}, record_id=run["job_id"])  # B's own run works
    with tenant_scope(b.id):
        db.session.rollback()
        assert set(ownership_store.owner_ids(customers).values()) == {ids_b["B"]}


def test_cus34_manual_override(client, sales_dept, owner_engine):
    a, dept, ids = sales_dept
    [customer] = _owned_customers(a, ids["S"], 1, department_id=dept)
    url = f"/api/v1/customers/{customer}/owner-override"
    before = _count(owner_engine, "decisions", a.id)
    for body in ({"owner_id": ids["B"]}, {"owner_id": ids["B"], "reason": "  "}):
        r = client.post(url, headers=a.headers(), json=body)
        assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "decisions", a.id) == before
    r = client.post(url, headers=a.headers(), json={"owner_id": ids["B"], "reason": "房展会现场分配"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["owner_id"] == ids["B"] and body["state"] == "protected"
    decision = body["decision"]
    assert decision["rule_id"] == "CUS-34" and decision["decided_by"] == a.admin_id
    with tenant_scope(a.id):
        [first] = [c for c in ownership_store.history(customer) if c.rule_id == "CUS-22"]
        assert decision["supersedes_id"] == first.decision_id
        current = {d.id for d in decisions.current_for("customer", customer)}
        assert decision["id"] in current and first.decision_id not in current
    assert client.post("/api/v1/customers/999999/owner-override", headers=a.headers(),
                       json={"owner_id": ids["B"], "reason": "x"}).status_code == 404


def test_override_needs_a_manager_in_scope(client, sales_dept, make_tenant):
    a, dept, ids = sales_dept
    [customer] = _owned_customers(a, ids["S"], 1, department_id=dept)
    _sid, seller = make_tenant.user(a, "plain-seller", roles=["salesperson"])
    r = client.post(f"/api/v1/customers/{customer}/owner-override", headers=a.headers(seller),
                    json={"owner_id": ids["B"], "reason": "x"})
    assert r.status_code == 403
    other = client.post("/api/v1/departments", headers=a.headers(), json={"name": "二部"}).get_json()
    mid, manager = make_tenant.user(a, "mgr2", roles=["dept_manager"])
    client.patch(f"/api/v1/users/{mid}", headers=a.headers(), json={"department_id": other["id"]})
    r = client.post(f"/api/v1/customers/{customer}/owner-override", headers=a.headers(manager),
                    json={"owner_id": mid, "reason": "x"})
    assert r.status_code == 404  # owned in another department: not even visible to this manager (CUS-70)


def test_cus32_equal_split_vector(client, two_tenants, make_tenant, owner_engine):
    a, _b = two_tenants
    dept = client.post("/api/v1/departments", headers=a.headers(), json={"name": "科普部"}).get_json()["id"]
    ids = _people(client, a, make_tenant, ["Li", "Wang", "Zhao", "Sun", "Qian", "Zhou"], department_id=dept)
    march = "2026-03-05T10:00:00+08:00"
    n = 0
    for name, earlier in (("Li", 4), ("Wang", 1), ("Zhao", 2), ("Sun", 3)):  # batch leads this month so far
        leads = _owned_customers(a, None, earlier, start=n)
        n += earlier
        r = client.post("/api/v1/lead-batches", headers=a.headers(),
                        json={"customer_ids": leads, "participant_ids": [ids[name]], "seed": 1, "at": march})
        assert r.status_code == 201, r.get_json()
    owned = _owned_customers(a, ids["Zhou"], 2, start=n, department_id=dept)
    free = _owned_customers(a, None, 21, start=n + 2)
    r = client.post("/api/v1/lead-batches", headers=a.headers(), json={
        "customer_ids": free + owned, "participant_ids": [ids[x] for x in ("Li", "Wang", "Zhao", "Sun")],
        "department_id": dept, "seed": 20260320, "event_id": 42, "at": "2026-03-20T15:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    batch = r.get_json()
    name_of = {v: k for k, v in ids.items()}
    assert {name_of[int(k)]: v for k, v in batch["counts"].items()} == {"Wang": 6, "Li": 5, "Zhao": 5, "Sun": 5}
    assert name_of[batch["priority"][0]] == "Wang" and batch["seed"] == 20260320 and batch["month"] == "2026-03"
    kept = {i["customer_id"]: i["staff_id"] for i in batch["items"] if i["kind"] == "kept"}
    assert kept == {owned[0]: ids["Zhou"], owned[1]: ids["Zhou"]}
    skipped = batch["decision"]["outcome"]["skipped"]
    assert {"candidate": ids["Qian"], "reason": "not_participant", "owed_turn": False} in skipped
    assert ids["Qian"] not in {i["staff_id"] for i in batch["items"]}
    with tenant_scope(a.id):
        owners = ownership_store.owner_ids(free + owned)
        assert sorted(name_of[o] for o in owners.values()).count("Wang") == 6
        assert [c.rule_id for c in ownership_store.history(owned[0])] == ["CUS-22"]  # untouched
        counts = dict(db.session.execute(select(LeadBatchCount.staff_id, LeadBatchCount.count)
                                         .where(LeadBatchCount.month == "2026-03")).all())
        assert {name_of[k]: v for k, v in counts.items()} == {"Li": 9, "Wang": 7, "Zhao": 7, "Sun": 8}
    got = client.get(f"/api/v1/lead-batches/{batch['id']}", headers=a.headers()).get_json()
    assert got["counts"] == batch["counts"]
    before = _count(owner_engine, "ownership_changes", a.id)
    for body, field in (({"customer_ids": [999999], "participant_ids": [ids["Li"]]}, "customer_ids"),
                        ({"customer_ids": free[:1], "participant_ids": [999999]}, "participant_ids"),
                        ({"customer_ids": free[:1] * 2, "participant_ids": [ids["Li"]]}, "customer_ids"),
                        ({"customer_ids": free[:1], "participant_ids": []}, "participant_ids")):
        r = client.post("/api/v1/lead-batches", headers=a.headers(), json=body)
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], body
    assert _count(owner_engine, "ownership_changes", a.id) == before


def test_cus30_by_tier_skips_a_full_team(client, two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"assign": {"by_tier": {"A": ["ka", "sales"]}, "team_capacity": {"ka": 40}}},
                 "2026-01-01")
    ka = _people(client, a, make_tenant, ["K1"], team="ka")
    sales = _people(client, a, make_tenant, ["S1", "S2", "S3"], team="sales")
    client.patch(f"/api/v1/users/{sales['S1']}", headers=a.headers(), json={"availability": "leave"})
    _owned_customers(a, ka["K1"], 40)
    _owned_customers(a, sales["S2"], 2, start=40)
    _owned_customers(a, sales["S3"], 1, start=42)
    [customer] = _owned_customers(a, None, 1, start=43)
    r = client.post(f"/api/v1/customers/{customer}/assign-by-tier", headers=a.headers(), json={"grade": "A"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["team"], body["owner_id"], body["assigned"]) == ("sales", sales["S3"], True)
    assert body["skipped"] == [{"candidate": "ka", "reason": "capacity", "owed_turn": False},
                               {"candidate": sales["S1"], "reason": "leave", "owed_turn": False}]
    assert body["decision"]["rule_id"] == "CUS-30" and "ka is full (40/40)" in body["reason_en"]
    r = client.post(f"/api/v1/customers/{customer}/assign-by-tier", headers=a.headers(), json={"grade": "Z"})
    assert r.status_code == 200 and r.get_json()["assigned"] is False  # no team for the grade: manual
    assert client.post(f"/api/v1/customers/{customer}/assign-by-tier", headers=a.headers(),
                       json={"grade": ""}).status_code == 422


def test_cus36_second_staff_contact_task(client, two_tenants, make_tenant):
    a, _b = two_tenants
    dept = client.post("/api/v1/departments", headers=a.headers(), json={"name": "大客户部"}).get_json()
    ids = _people(client, a, make_tenant, ["M", "P", "Q"], department_id=dept["id"])
    client.patch(f"/api/v1/departments/{dept['id']}", headers=a.headers(), json={"head_user_id": ids["M"]})
    [customer] = _owned_customers(a, ids["P"], 1, department_id=dept["id"])
    url = f"/api/v1/customers/{customer}/staff-contacts"
    assert client.post(url, headers=a.headers(), json={"user_id": ids["P"]}).status_code == 200
    r = client.put(f"/api/v1/customers/{customer}/flags", headers=a.headers(), json={"flags": ["key_prospect"]})
    assert r.status_code == 200, r.get_json()
    [task] = r.get_json()["tasks"]
    assert (task["flag"], task["required"], task["current"], task["assignee_id"]) == ("key_prospect", 2, 1, ids["M"])
    assert "add a second staff contact" in task["reason_en"]
    with tenant_scope(a.id):
        [d] = db.session.scalars(decisions.query("customer", customer, "CUS-36")).all()
        assert d.outcome["task"] == "add_staff_contact" and d.outcome["assignee_id"] == ids["M"]
    client.put(f"/api/v1/customers/{customer}/flags", headers=a.headers(), json={"flags": ["key_prospect"]})
    with tenant_scope(a.id):  # the same open task is not recorded twice
        assert len(db.session.scalars(decisions.query("customer", customer, "CUS-36")).all()) == 1
    r = client.post(url, headers=a.headers(), json={"user_id": ids["Q"], "slot": "maintainer"})
    assert r.status_code == 200 and r.get_json()["tasks"] == []
    assert {c["user_id"] for c in r.get_json()["contacts"]} == {ids["P"], ids["Q"]}
    r = client.delete(f"{url}/{ids['Q']}", headers=a.headers())
    assert r.status_code == 200 and len(r.get_json()["tasks"]) == 1
    assert client.post(url, headers=a.headers(), json={"user_id": 999999}).status_code == 422
    assert client.delete(f"{url}/{ids['Q']}", headers=a.headers()).status_code == 404


def test_seeded_shuffle_depends_only_on_positions():
    """Why the service test may stand real ids for the spec's [101..107]."""
    assert seeded_shuffle(range(101, 108), 20260315) == [104, 102, 105, 106, 101, 107, 103]
    assert seeded_shuffle([5, 9, 30, 31, 77, 78, 1000], 20260315) == [31, 9, 77, 78, 5, 1000, 30]


def test_cus35_b_a_long_leave_hands_the_customers_on_by_itself(client, sales_dept):
    """Putting a salesperson on leave (availability) redistributes their customers by the tenant's
    strategy (CUS-33) when the leave is long (CAL-11: 15 days or more); a short leave changes nothing."""

    a, dept, ids = sales_dept
    customers = _owned_customers(a, ids["S"], 3, department_id=dept)
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=5)).isoformat()
    r = client.patch(f"/api/v1/users/{ids['S']}", headers=a.headers(), json={"availability": "leave",
                                                                              "availability_until": soon})
    assert r.status_code == 200
    with tenant_scope(a.id):
        assert set(ownership_store.owner_ids(customers).values()) == {ids["S"]}  # a short leave: they stay
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)).isoformat()
    r = client.patch(f"/api/v1/users/{ids['S']}", headers=a.headers(), json={"availability_until": later})
    assert r.status_code == 200
    runs = client.get("/api/v1/decisions?rule_id=CUS-35", headers=a.headers()).get_json()
    assert runs, "a CUS-35 decision records the trigger"
    with tenant_scope(a.id):
        owners = ownership_store.owner_ids(customers)
    assert set(owners) == set(customers) and ids["S"] not in owners.values()  # nothing orphaned
