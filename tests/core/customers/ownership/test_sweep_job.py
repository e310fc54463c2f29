"""CUS-25 through the job layer (``cus.ownership_sweep``, inline backend): warnings ``warn_before`` ahead to the
owner and the department head, the expiry action at the window end, re-runs doubling nothing, and a run for
tenant A never touching tenant B."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.customers.models import CustomerOwnership, OwnershipChange
from core.db import db
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.web.api.test_customer_ownership_api import FIXED, World, t
from workers.runtime import execute

SH = ZoneInfo("Asia/Shanghai")


def sweep(handle, when: str):
    return execute(handle.id, "cus.ownership_sweep", {"as_of": t(when)}, dedupe_key=f"cus.ownership_sweep@{when}")


def facts(handle, cid):
    db.session.rollback()
    with tenant_scope(handle.id):
        row = db.session.scalars(select(CustomerOwnership).where(CustomerOwnership.customer_id == cid)).one()
        notes = sorted((n.user_id, n.kind) for n in db.session.scalars(select(Notification)))
        changes = [(c.rule_id, c.to_owner_id, c.state) for c in db.session.scalars(
            select(OwnershipChange).where(OwnershipChange.customer_id == cid).order_by(OwnershipChange.at,
                                                                                        OwnershipChange.id))]
        return (row.owner_id, row.state), notes, changes


def claimed(world, monkeypatch):
    from core.customers.ownership import clock

    cid = world.customer()
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 3, 2, 12, tzinfo=SH))
    world.claim(cid, "B", "2026-03-01 10:00")  # protected through 2026-05-01
    return cid


def test_cus25_1_warning_three_days_ahead_once(client, two_tenants, make_tenant, monkeypatch):
    a, b = two_tenants
    wa = World(client, a, make_tenant)
    wb = World(client, b, make_tenant)
    cid = claimed(wa, monkeypatch)
    other = claimed(wb, monkeypatch)
    before_b = facts(b, other)

    sweep(a, "2026-04-27 23:50")
    state, notes, _ = facts(a, cid)
    assert state == (wa.ids["B"], "protected") and notes == []
    result = sweep(a, "2026-04-28 00:10")
    assert result["warnings"] == 2
    state, notes, changes = facts(a, cid)
    assert state == (wa.ids["B"], "expiring")
    assert notes == sorted([(wa.ids["B"], "ownership_expiring"), (wa.ids["M"], "ownership_expiring")])
    sweep(a, "2026-04-28 00:20")  # the next slot: nothing doubles
    again = facts(a, cid)
    assert again[1] == notes and again[2] == changes
    assert facts(b, other) == before_b  # tenant B untouched by tenant A's runs
    sweep(a, "2026-05-02 00:10")  # default on_expiry = claimable: B keeps it until someone else claims
    state, _notes, changes = facts(a, cid)
    assert state == (wa.ids["B"], "claimable") and changes[-1][0] == "CUS-25"
    assert facts(b, other) == before_b


def test_cus25_2_transfer_to_department_manager(client, two_tenants, make_tenant, monkeypatch):
    a, _b = two_tenants
    w = World(client, a, make_tenant, {"ownership": {**FIXED["ownership"], "on_expiry": "transfer_to_role: dept_manager"}})
    cid = claimed(w, monkeypatch)
    sweep(w.handle, "2026-05-01 23:50")
    assert facts(a, cid)[0][0] == w.ids["B"]
    sweep(w.handle, "2026-05-02 00:10")
    state, notes, changes = facts(a, cid)
    assert state == (w.ids["M"], "protected")
    assert changes[-1][:2] == ("CUS-25", w.ids["M"])
    with tenant_scope(a.id):
        change = db.session.scalars(select(OwnershipChange).where(
            OwnershipChange.customer_id == cid, OwnershipChange.rule_id == "CUS-25")).one()
        assert change.at == dt.datetime(2026, 5, 2, tzinfo=SH)  # at 2026-05-02 00:00
    sweep(w.handle, "2026-05-02 00:20")
    sweep(w.handle, "2026-05-03 09:00")
    assert facts(a, cid)[2] == changes


def test_reassign_leaves_a_pending_decision(client, two_tenants, make_tenant, monkeypatch):
    a, _b = two_tenants
    w = World(client, a, make_tenant, {"ownership": {**FIXED["ownership"], "on_expiry": "reassign"}})
    cid = claimed(w, monkeypatch)
    sweep(w.handle, "2026-05-02 00:10")
    state, notes, _ = facts(a, cid)
    assert state == (w.ids["B"], "claimable") and (w.ids["M"], "ownership_pending") in notes
    answer = w.owner(cid)
    assert "awaits reassignment" in answer["decisions"][-1]["reason_en"]
    assert answer["decisions"][-1]["outcome"]["pending_action"] == "reassign"


def test_release_to_pool(client, two_tenants, make_tenant, monkeypatch):
    a, _b = two_tenants
    w = World(client, a, make_tenant, {"ownership": {**FIXED["ownership"], "on_expiry": "release_to_pool"}})
    cid = claimed(w, monkeypatch)
    sweep(w.handle, "2026-05-02 00:10")
    assert facts(a, cid)[0] == (None, "unowned")


def test_the_core_plugin_schedules_the_sweep(plugins):
    periodic = plugins.relay([]).records("kehu_periodic_jobs")
    assert periodic["cus.ownership_sweep"].cadence == "3-59/10 * * * *"
