"""Register and rotation end to end through the API (CUS-80, CUS-31), with the spec's times."""
import threading
import time

import pytest
from sqlalchemy import select

from core.customers import ownership_store
from core.customers.assignment.models import RotationGroup
from core.db import db
from core.decisions import service as decisions
from core.tenancy import tenant_scope
from tests.web.api.test_customers_api import _count

DAY = "2026-03-10"


def at(hm: str) -> str:
    return f"{DAY}T{hm}:00+08:00"


@pytest.fixture
def floor(client, two_tenants, make_tenant):
    """Tenant A with salespeople A, B, C in a rotation [A, B, C] (pointer A) and a receptionist."""
    a, _b = two_tenants
    ids = {}
    for name in ("A", "B", "C"):
        ids[name], _ = make_tenant.user(a, f"sales-{name}", roles=["salesperson"])
    ids["desk"], desk_token = make_tenant.user(a, "desk", roles=["assistant"])
    for name in ("A", "B", "C"):
        client.patch(f"/api/v1/users/{ids[name]}", headers=a.headers(), json={"display_name": name})
    r = client.post("/api/v1/rotation-groups", headers=a.headers(),
                    json={"name": "展厅", "members": [ids["A"], ids["B"], ids["C"]]})
    assert r.status_code == 201, r.get_json()
    return a, ids, desk_token, r.get_json()["id"]


def arrive(client, handle, token, hm, phone, name="客户", **extra):
    r = client.post("/api/v1/register-entries", headers=handle.headers(token),
                    json={"at": at(hm), "customer_name": name, "phone": phone, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def set_availability(client, handle, user_id, state):
    r = client.patch(f"/api/v1/users/{user_id}", headers=handle.headers(), json={"availability": state})
    assert r.status_code == 200, r.get_json()


def group_state(client, handle, group_id):
    return client.get(f"/api/v1/rotation-groups/{group_id}", headers=handle.headers()).get_json()


def test_cus31_rotation_vector_and_cus80_returning_customer(client, floor):
    a, ids, desk, group_id = floor
    name_of = {v: k for k, v in ids.items()}
    # 10:00 N1: A is away on company business → A owes 1, B receives
    set_availability(client, a, ids["A"], "company_business")
    n1 = arrive(client, a, desk, "10:00", "13900000001", "新客一")
    assert (name_of[n1["receiver_id"]], n1["received_as"], n1["turn_consumed"], n1["first_visit"]) == (
        "B", "regular", True, True)
    assert n1["decision"]["rule_id"] == "CUS-31"
    assert n1["decision"]["outcome"]["skipped"] == [
        {"candidate": ids["A"], "reason": "company_business", "owed_turn": True}]
    assert "A (away on company business, owed a make-up turn, now owes 1)" in n1["decision"]["reason_en"]
    state = group_state(client, a, group_id)
    assert (state["pointer"], state["owed"]) == (ids["C"], {str(ids["A"]): 1})
    # 10:20 N2 → C
    assert name_of[arrive(client, a, desk, "10:20", "13900000002")["receiver_id"]] == "C"
    # 10:40 A returns; 10:50 N3 → A (make-up, owes 0)
    set_availability(client, a, ids["A"], "on_duty")
    n3 = arrive(client, a, desk, "10:50", "13900000003")
    assert (name_of[n3["receiver_id"]], n3["received_as"], n3["turn_consumed"]) == ("A", "make_up", True)
    assert group_state(client, a, group_id)["owed"] == {}
    # 11:10 N4 → A (regular turn); 11:30 N5 → B, N6 → C
    n4 = arrive(client, a, desk, "11:10", "13900000004")
    assert (name_of[n4["receiver_id"]], n4["received_as"]) == ("A", "regular")
    assert name_of[arrive(client, a, desk, "11:30", "13900000005")["receiver_id"]] == "B"
    assert name_of[arrive(client, a, desk, "11:30", "13900000006")["receiver_id"]] == "C"
    before = group_state(client, a, group_id)
    assert before["pointer"] == ids["A"]
    # 11:40 a returning customer (N1, phone written differently) → their owner B, pointer unchanged (CUS-80 (1))
    back = arrive(client, a, desk, "11:40", "+86 139-0000-0001", "新客一")
    assert (back["customer_id"], back["first_visit"], back["turn_consumed"]) == (n1["customer_id"], False, False)
    assert (name_of[back["receiver_id"]], back["received_as"]) == ("B", "returning")
    assert group_state(client, a, group_id)["pointer"] == ids["A"]
    with tenant_scope(a.id):
        owners = {n: ownership_store.current(e["customer_id"]).owner_id for n, e in (("N1", n1), ("N3", n3), ("N4", n4))}
        assert owners == {"N1": ids["B"], "N3": ids["A"], "N4": ids["A"]}
        # one change, from the register claim judged by the ownership rules (CUS-21; mode none: no window,
        # CUS-20); the return changed nothing
        assert [c.rule_id for c in ownership_store.history(n1["customer_id"])] == ["CUS-20"]
        listed = client.get(f"/api/v1/register-entries?day={DAY}", headers=a.headers()).get_json()
        assert len(listed) == 7 and listed[0]["id"] == back["id"]


def test_designation_never_consumes_a_turn_and_outcome_needs_reasons(client, floor, make_tenant):
    a, ids, desk, group_id = floor
    entry = arrive(client, a, desk, "09:30", "13900000011", "指名客", named_salespersons=[ids["C"], ids["B"]],
                   kind="call")
    assert (entry["receiver_id"], entry["received_as"], entry["turn_consumed"]) == (ids["C"], "designated", False)
    assert entry["designated_id"] == ids["C"] and entry["named_salespersons"] == [ids["C"], ids["B"]]
    assert group_state(client, a, group_id)["pointer"] == ids["A"]
    url = f"/api/v1/register-entries/{entry['id']}"
    r = client.patch(url, headers=a.headers(desk), json={"outcome": "no_deal"})
    assert r.status_code == 422 and "outcome_reasons" in r.get_json()["errors"]["json"]
    r = client.patch(url, headers=a.headers(desk), json={"outcome": "no_deal", "outcome_reasons": ["价格太高"]})
    assert r.status_code == 200 and r.get_json()["outcome_reasons"] == ["价格太高"]
    # a named salesperson who has left is passed over for the next one named
    gone, _ = make_tenant.user(a, "gone", roles=["salesperson"])
    assert client.patch(f"/api/v1/users/{gone}", headers=a.headers(), json={"is_active": False}).status_code == 200
    entry = arrive(client, a, desk, "09:40", "13900000012", named_salespersons=[gone, ids["B"]])
    assert (entry["receiver_id"], entry["designated_id"], entry["received_as"]) == (ids["B"], ids["B"], "designated")


def test_bad_register_input_is_422_and_writes_nothing(client, floor, owner_engine):
    a, ids, desk, _group_id = floor
    url = "/api/v1/register-entries"
    cases = [
        ({"at": at("10:00"), "customer_name": "x", "phone": "12345"}, "phone"),
        ({"at": at("10:00"), "customer_name": " ", "phone": "13900000021"}, "customer_name"),
        ({"at": at("10:00"), "customer_name": "x", "phone": "13900000021", "designated_id": 999999}, "designated_id"),
        ({"at": at("10:00"), "customer_name": "x", "phone": "13900000021", "rotation_group_id": 999999},
         "rotation_group_id"),
        ({"at": "2099-01-01T10:00:00+08:00", "customer_name": "x", "phone": "13900000021"}, "at"),
        ({"at": at("10:00"), "customer_name": "x", "phone": "13900000021", "kind": "letter"}, "kind"),
    ]
    for body, field in cases:
        r = client.post(url, headers=a.headers(desk), json=body)
        assert r.status_code == 422 and field in r.get_json()["errors"]["json"], (body, r.get_json())
    for table in ("register_entries", "customers", "decisions", "ownership_changes"):
        assert _count(owner_engine, table, a.id) == 0, table
    r = client.post(url, headers=a.headers(), json={})
    assert r.status_code == 422


def test_several_groups_need_the_group_or_department(client, floor, make_tenant):
    a, ids, desk, group_id = floor
    dept = client.post("/api/v1/departments", headers=a.headers(), json={"name": "二部"}).get_json()
    r = client.post("/api/v1/rotation-groups", headers=a.headers(),
                    json={"name": "二部轮值", "members": [ids["C"]], "department_id": dept["id"]})
    assert r.status_code == 201
    second_group = r.get_json()["id"]
    r = client.post("/api/v1/register-entries", headers=a.headers(desk),
                    json={"at": at("10:00"), "customer_name": "x", "phone": "13900000031"})
    assert r.status_code == 422 and "rotation_group_id" in r.get_json()["errors"]["json"]
    entry = arrive(client, a, desk, "10:00", "13900000031", department_id=dept["id"])
    assert (entry["receiver_id"], entry["rotation_group_id"]) == (ids["C"], second_group)
    assert group_state(client, a, group_id)["pointer"] == ids["A"]  # the other group's turn is untouched


@pytest.mark.postgres_only
def test_simultaneous_arrivals_never_share_a_turn(app, client, floor):
    """The rotation row is locked while an arrival is judged: a second arrival waits for the first."""
    a, ids, desk, group_id = floor
    from core.customers.assignment import register

    held, release = threading.Event(), threading.Event()

    def hold_lock():
        with app.app_context(), tenant_scope(a.id):
            group = register.get_group(group_id, lock=True)
            held.set()
            release.wait(5)
            state = group.state()
            group.pointer = state.order[1]  # someone else's arrival took A's turn meanwhile
            db.session.commit()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert held.wait(5)
    answer = {}

    def arrive_now():
        with app.app_context():
            answer["r"] = app.test_client().post("/api/v1/register-entries", headers=a.headers(desk), json={
                "at": at("10:00"), "customer_name": "并发", "phone": "13900000041"}).get_json()

    second = threading.Thread(target=arrive_now)
    second.start()
    time.sleep(0.5)
    assert "r" not in answer  # waiting for the lock
    release.set()
    holder.join(5)
    second.join(10)
    assert answer["r"]["receiver_id"] == ids["B"]  # saw the committed pointer, not A's stale turn
    with tenant_scope(a.id):
        db.session.rollback()
        assert db.session.scalars(select(RotationGroup.pointer).where(RotationGroup.id == group_id)).one() == ids["C"]


@pytest.mark.postgres_only
def test_concurrent_arrivals_share_the_turns_fairly(app, client, floor):
    a, ids, desk, group_id = floor
    results, start = [], threading.Barrier(6)

    def arrive_now(i):
        with app.app_context():
            start.wait(5)
            r = app.test_client().post("/api/v1/register-entries", headers=a.headers(desk), json={
                "at": at("10:00"), "customer_name": f"并发{i}", "phone": f"1390000005{i}"})
            results.append((r.status_code, r.get_json().get("receiver_id")))

    threads = [threading.Thread(target=arrive_now, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(code for code, _ in results) == [201] * 6
    received = sorted(r for _, r in results)
    assert received == sorted([ids["A"], ids["B"], ids["C"]] * 2)
    with tenant_scope(a.id):
        assert len(db.session.scalars(decisions.query(rule_id="CUS-31")).all()) == 6  # 6 turns
        assert len(db.session.scalars(decisions.query(rule_id="CUS-20")).all()) == 6  # 6 claims judged
