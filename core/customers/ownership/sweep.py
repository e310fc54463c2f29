"""CUS-25 expiry warnings and expiry actions, as of a moment (the periodic job ``cus.ownership_sweep``).

For every customer whose protection window ends within the warning horizon, the ownership is
re-judged as of ``as_of`` (tenant time zone): the state moves to ``expiring`` when the warning
starts, and at the window end ``cus.ownership.on_expiry`` applies (``claimable``, ``release_to_pool``,
``reassign`` — left pending with a clear decision until an assignment strategy runs it —,
``transfer_to_role``), each written through ``set_owner`` with a CUS-25 decision by the re-judging.
The owner and the department head are notified ``warn_before`` ahead (one notification per window
and person). Re-runs change nothing: writes happen only on a change, notifications are deduplicated.
Arbitration cases whose objection window passed without objection become final (CUS-27).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import Department
from core.calendar.service import tenant_calendar
from core.customers.models import CustomerOwnership
from core.customers.ownership import cases
from core.customers.ownership import service as ownership
from core.customers.ownership.vocabulary import CLAIMABLE, EXPIRING, PROTECTED
from core.customers.policy import cus_policy
from core.db import db
from core.decisions.models import Decision
from core.notifications import service as notifications


def _horizon(values) -> dt.timedelta:
    warn = values["ownership"]["warn_before"]
    per_unit = {"minutes": dt.timedelta(minutes=1), "hours": dt.timedelta(hours=1), "days": dt.timedelta(days=1),
                "weeks": dt.timedelta(weeks=1)}
    return per_unit[warn.unit] * float(warn.amount) + dt.timedelta(days=2)


def due_customers(as_of: dt.datetime) -> list[int]:
    """Customers with a running window that ends within the warning horizon (or has ended)."""
    horizon = as_of + _horizon(cus_policy(as_of).values)
    return list(db.session.scalars(select(CustomerOwnership.customer_id).where(
        CustomerOwnership.state.in_((PROTECTED, EXPIRING)), CustomerOwnership.until.is_not(None),
        CustomerOwnership.until <= horizon).order_by(CustomerOwnership.customer_id)))


def _head_of(department_id: int | None) -> int | None:
    if department_id is None:
        return None
    return db.session.scalars(select(Department.head_user_id).where(Department.id == department_id)).first()


def warn(customer_id: int, calendar) -> int:
    """Notify the owner and the department head of an expiring window (CUS-25)."""
    row = ownership.store.current(customer_id)
    if row is None or row.state != EXPIRING or row.owner_id is None:
        return 0
    through = ownership.local_through(row.until, calendar)
    created = notifications.notify(
        [row.owner_id, _head_of(row.department_id)], kind="ownership_expiring",
        title_zh=f"客户保护期将于{through}届满", title_en=f"Customer protection ends through {through}",
        body_zh="请在保护期届满前跟进或成交，否则按制度处理（CUS-25）。",
        body_en="Follow up or close before the window ends; then the policy's expiry action applies (CUS-25).",
        dedupe_key=f"CUS-25:warn:{customer_id}:{through}", rule_id="CUS-25", subject_type="customer",
        subject_id=customer_id, due_at=row.until)
    return len(created)


def notify_expired(customer_id: int, calendar) -> int:
    """Tell the department head that a window ended with an action still pending (reassign)."""
    row = ownership.store.current(customer_id)
    if row is None or row.state != CLAIMABLE:
        return 0
    decision = db.session.scalars(select(Decision).where(Decision.id == row.decision_id)).first()
    pending = (decision.outcome or {}).get("pending_action") if decision else None
    if not pending:
        return 0
    through = ownership.local_through(row.until, calendar)
    created = notifications.notify(
        [_head_of(row.department_id)], kind="ownership_pending", title_zh="客户待重新分配",
        title_en="Customer awaits reassignment", body_zh=decision.reason_zh, body_en=decision.reason_en,
        dedupe_key=f"CUS-25:pending:{customer_id}:{through}", rule_id="CUS-25", subject_type="customer",
        subject_id=customer_id)
    return len(created)


def run(as_of: dt.datetime, progress=None) -> dict:
    calendar, _view = tenant_calendar(as_of)
    ids = due_customers(as_of)
    changed = warned = pending = 0
    for done, customer_id in enumerate(ids, 1):
        changed += len(ownership.rejudge(customer_id, as_of=as_of))
        warned += warn(customer_id, calendar)
        pending += notify_expired(customer_id, calendar)
        if progress is not None and (done % 50 == 0 or done == len(ids)):
            progress(done, len(ids))
    finalised = cases.refresh_due(as_of)
    return {"as_of": as_of.isoformat(), "customers": len(ids), "changes": changed, "warnings": warned,
            "pending_notices": pending, "cases": finalised}
