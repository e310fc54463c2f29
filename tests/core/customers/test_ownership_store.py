"""The one writer of ownership (CUS-20): every change has a decision and a history row."""
import datetime as dt
from zoneinfo import ZoneInfo

from core.customers import ownership_store
from core.customers.service import create_customer
from core.db import db
from core.decisions import service as decisions
from core.tenancy import tenant_scope

SH = ZoneInfo("Asia/Shanghai")


def test_set_owner_records_decision_history_and_current(ctx, two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        customer, _ = create_customer({"name": "王小明", "phones": [{"number": "13800138000"}]})
        at = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SH)
        until = dt.datetime(2026, 5, 2, 0, 0, tzinfo=SH)
        ownership_store.set_owner(customer.id, owner_id=a.admin_id, state="protected", until=until, at=at,
                                  rule_id="CUS-22", reason_zh="首访登记", reason_en="first registration")
        change = ownership_store.set_owner(customer.id, owner_id=None, state="unowned", rule_id="CUS-25",
                                           reason_zh="到期释放", reason_en="released at expiry")
        db.session.commit()
        row = ownership_store.current(customer.id)
        assert (row.owner_id, row.state, row.until) == (None, "unowned", None)
        assert [(c.from_owner_id, c.to_owner_id, c.rule_id) for c in ownership_store.history(customer.id)] == [
            (None, a.admin_id, "CUS-22"), (a.admin_id, None, "CUS-25")]
        decision = decisions.get(change.decision_id)
        assert decision.rule_id == "CUS-25" and decision.outcome["previous_owner_id"] == a.admin_id
        assert ownership_store.owner_ids([customer.id]) == {}
    with tenant_scope(b.id):
        assert ownership_store.current(customer.id) is None  # never across tenants
        assert ownership_store.history(customer.id) == []
