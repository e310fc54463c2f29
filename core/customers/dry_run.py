"""Dry-run of a ``cus`` draft: the protection windows of the owned customers (CUS-22..CUS-25) judged
under the draft's ownership settings, compared with the stored ones — when the protection ends
(ownership released or handed on, CUS-25) and the state it gives now.

A window keeps the ``cus`` version of its start (policy versions, CUS §1), so these are comparisons:
what the draft would decide for a tenure starting under it. The household (CUS-14), the contacts,
claims and deals are those stored; nothing is written."""
from __future__ import annotations

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.customers.confidentiality import access
from core.customers.models import Customer, CustomerOwnership
from core.customers.ownership import households
from core.customers.ownership.service import load_facts
from core.customers.ownership.state import ownership_state
from core.db import db
from core.policy.dry_run import Change, evaluator

#: states with a protection window that a policy change can move
WINDOWED = ("protected", "expiring")
_STATE_ZH = {"unowned": "公海", "protected": "保护中", "expiring": "即将到期", "claimable": "可认领", "locked": "已锁定"}


def _text(at, calendar) -> str:
    return "—" if at is None else f"{calendar.local(at):%Y-%m-%d %H:%M}"


@evaluator("cus")
def protection_windows(current, draft: dict, now) -> list[Change]:
    rows = list(db.session.scalars(select(CustomerOwnership).where(
        CustomerOwnership.state.in_(WINDOWED), CustomerOwnership.owner_id.is_not(None))
        .order_by(CustomerOwnership.customer_id)))
    if not rows:
        return []
    # named only where the reader may see the customer (CUS-70/71: a classified customer stays "#id")
    names = dict(db.session.execute(access.restrict(select(Customer.id, Customer.name).where(
        Customer.id.in_([row.customer_id for row in rows])))).all())
    calendar, _view = tenant_calendar(now)
    changes = []
    for row in rows:
        members, links = households.household(row.customer_id, draft)
        facts = load_facts(members, links)
        state = ownership_state(draft, calendar, facts.claims, facts.contacts, facts.deals, now)
        owner_id = state.owner.id if state.owner is not None else None
        if state.window_end == row.until and state.status == row.state and owner_id == row.owner_id:
            continue
        before, after = _text(row.until, calendar), _text(state.window_end, calendar)
        changes.append(Change(
            "customer", row.customer_id, names.get(row.customer_id, f"#{row.customer_id}"), state.rule_id,
            row.until and calendar.local(row.until), state.window_end and calendar.local(state.window_end),
            f"保护期：至{before}（{_STATE_ZH.get(row.state, row.state)}）变为至{after}"
            f"（{_STATE_ZH.get(state.status, state.status)}）。{state.reason_zh}",
            f"protection: until {before} ({row.state}) becomes until {after} ({state.status}). {state.reason_en}",
            what="protection", applies=False))
    return changes
