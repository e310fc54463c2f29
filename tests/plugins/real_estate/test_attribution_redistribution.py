"""RE-23: a salesperson's long leave or transfer → the manager redistributes their customers by random
draw, the core's CUS-33 (``/api/v1/redistributions``), in a real-estate tenant. The spec's numbers
201..205 stand for the customers created here, in ascending order (as the core's tests map them)."""
from __future__ import annotations

from core.customers import ownership_store
from core.tenancy import tenant_scope
from tests.web.api.test_reassignment_api import _owned_customers, _people


def _office(client, make_tenant):
    handle = make_tenant("re-a", "甲置业", plugins=["real_estate"])
    dept = client.post("/api/v1/departments", headers=handle.headers(), json={"name": "销售部"}).get_json()
    ids = _people(client, handle, make_tenant, ["Xu", "Li", "Zhang"], department_id=dept["id"])
    return handle, dept["id"], ids


def test_re23_long_leave_random_draw(client, make_tenant):
    """Xu on leave 2026-07-01..07-20 (≥ 15 days) owns customers [201..205]; seed 20260701, colleagues
    [Li, Zhang] → shuffled [202,205,204,201,203] → Li: 202, 203, 204; Zhang: 201, 205."""
    handle, dept, ids = _office(client, make_tenant)
    customers = _owned_customers(handle, ids["Xu"], 5, department_id=dept)
    pos = {201 + i: cid for i, cid in enumerate(customers)}
    r = client.post("/api/v1/redistributions", headers=handle.headers(),
                    json={"leaver_id": ids["Xu"], "trigger": "long_leave", "seed": 20260701,
                          "leave_start": "2026-07-01", "leave_end": "2026-07-20",
                          "colleague_ids": [ids["Li"], ids["Zhang"]]})
    assert r.status_code == 202, r.get_json()
    run = r.get_json()
    assert run["shuffled"] == [pos[n] for n in (202, 205, 204, 201, 203)]
    expected = {ids["Li"]: [pos[202], pos[203], pos[204]], ids["Zhang"]: [pos[201], pos[205]]}
    assert run["result"] == {str(k): v for k, v in expected.items()}
    with tenant_scope(handle.id):
        owners = ownership_store.owner_ids(customers)
        assert owners == {cid: sid for sid, cids in expected.items() for cid in cids}


def test_re23_a_short_leave_offers_no_redistribution(client, make_tenant):
    """A leave of 5 days → no redistribution offered (CUS-35: not a long leave)."""
    handle, dept, ids = _office(client, make_tenant)
    customers = _owned_customers(handle, ids["Xu"], 5, department_id=dept)
    r = client.post("/api/v1/redistributions", headers=handle.headers(),
                    json={"leaver_id": ids["Xu"], "trigger": "long_leave", "seed": 20260701,
                          "leave_start": "2026-07-01", "leave_end": "2026-07-05",
                          "colleague_ids": [ids["Li"], ids["Zhang"]]})
    assert r.status_code == 422
    with tenant_scope(handle.id):
        assert set(ownership_store.owner_ids(customers).values()) == {ids["Xu"]}
