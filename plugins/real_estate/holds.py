"""Holding a unit before a deposit (RE-31).

- :func:`hold` — atomic: the unit goes ``available → held`` by a conditional UPDATE (0 rows: 409 naming
  who holds it), then the :class:`Hold` row, which the partial unique index ``uq_re_holds_active_unit``
  allows once per unit (the database's second wall: IntegrityError → 409). It expires after
  ``re.hold.ttl`` (30 minutes); master sales control is notified.
- :func:`release` — by the holder or a manager; :func:`extend` — by a manager (``may_extend_hold``).
- :func:`lapse_due` — the job ``re.hold_lapse`` (every minute): each active hold past its expiry
  without a deposit puts its unit back to available, with a decision RE-31. Idempotent.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.confidentiality.people import holders
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from plugins.real_estate import units
from plugins.real_estate.names import people_names
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.sales_models import Hold, Unit
from plugins.real_estate.unit_rules import (
    SYSTEM,
    HoldFacts,
    hold_expires_at,
    hold_lapse,
    may_extend_hold,
    move_check,
)

SUBJECT = "re_unit"
#: who may release any hold (the holder always may release their own)
RELEASERS = (*OFFICE_MANAGERS, "master_sales_control")


def get_hold(hold_id: int, *, for_update: bool = False) -> Hold:
    return get_one(Hold, hold_id, "hold", for_update=for_update)


def active_hold(unit_id: int) -> Hold | None:
    return db.session.scalars(select(Hold).where(Hold.unit_id == unit_id, Hold.status == "active")).first()


def display_name(user_id: int | None) -> str:
    return people_names([user_id]).get(user_id) or "—"


def _held_elsewhere(unit: Unit) -> Conflict:
    """The 409 of a hold that lost: who holds the unit, until when (or the state it is in)."""
    current = active_hold(unit.id)
    if current is None:
        return Conflict(f"unit {unit.number} is not available (it is {unit.state})", rule_id="RE-31",
                        reason_zh=f"房源{unit.number}已不可售，不能锁定", reason_en=f"unit {unit.number} is {unit.state}: "
                        "it cannot be held")
    cal, _view = tenant_calendar(current.expires_at)
    until = cal.local(current.expires_at)
    name = display_name(current.holder_id)
    return Conflict(f"unit {unit.number} is held by {name} until {until:%H:%M}", rule_id="RE-31",
                    holder_id=current.holder_id, hold_id=current.id,
                    reason_zh=f"房源{unit.number}已被{name}锁定（至{until:%H:%M}）",
                    reason_en=f"unit {unit.number} is held by {name} until {until:%H:%M}")


def hold(unit: Unit, *, by: User, customer_id: int | None = None, at: dt.datetime | None = None) -> Hold:
    """RE-31: hold ``unit`` for ``by`` (and the customer, when known)."""
    at = at or utcnow()
    roles = by.roles
    allowed = move_check("available", "held", roles)
    if not allowed.allowed:
        raise units.refusal(allowed)
    if customer_id is not None and not units.known_customer(customer_id):
        raise InvalidInput("invalid hold", fields={"customer_id": ["not a customer of this company"]})
    if unit.state != "available":
        raise _held_elsewhere(unit)
    try:
        units.move(unit, "held", roles)
    except Conflict:
        raise _held_elsewhere(unit) from None
    settings = re_policy(at).values
    cal, _view = tenant_calendar(at)
    expires = hold_expires_at(settings, cal, HoldFacts(unit.id, 0, by.id, at))
    record = Hold(unit_id=unit.id, customer_id=customer_id, holder_id=by.id, held_at=at, expires_at=expires,
                  status="active")
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise _held_elsewhere(unit) from None
    until = cal.local(expires)
    notify(holders(["master_sales_control"]), kind="re.hold", rule_id="RE-31", subject_type=SUBJECT,
           subject_id=unit.id, dedupe_key=f"RE-31:hold:{record.id}",
           title_zh=f"房源{unit.number}已被{by.display_name}锁定（至{until:%H:%M}）",
           title_en=f"unit {unit.number} held by {by.display_name} until {until:%H:%M}")
    return record


def _active(record: Hold) -> None:
    if record.status != "active":
        raise Conflict(f"the hold is {record.status} already", rule_id="RE-31",
                       reason_zh="该锁定已结束", reason_en=f"the hold is {record.status} already")


def release(record: Hold, *, by: User, at: dt.datetime | None = None) -> Hold:
    """RE-31: the holder or a manager releases a hold; the unit is available again."""
    if record.holder_id != by.id and not by.has_role(*RELEASERS):
        raise Forbidden("only the holder or a manager releases a hold", rule_id="RE-31",
                        reason_zh="只有锁定人或经理可以解除锁定", reason_en="only the holder or a manager releases a hold")
    _active(record)
    unit = units.get_unit(record.unit_id)
    units.move(unit, "available", by.roles)
    record.status, record.ended_at = "released", at or utcnow()
    db.session.flush()
    return record


def extend(record: Hold, *, by: User, until: dt.datetime | None) -> Hold:
    """RE-31: only the manager extends a hold, to a later time."""
    if not may_extend_hold(by.roles):
        raise Forbidden("only the manager extends a hold", rule_id="RE-31", reason_zh="只有经理可以延长锁定",
                        reason_en="only the manager extends a hold")
    _active(record)
    if until is None or until <= record.expires_at or until <= utcnow():
        raise InvalidInput("invalid extension", fields={"until": ["a time after the hold's current expiry (RE-31)"]})
    record.expires_at, record.extended_by = until, by.id
    db.session.flush()
    return record


def lapse_due(now: dt.datetime | None = None) -> list[int]:
    """RE-31: each active hold past its expiry (no deposit: a deposit converts the hold) lapses, its unit
    available again, with a decision. Returns the lapsed holds' ids; a second run finds none.

    Lock order as :func:`plugins.real_estate.deposits.record`: the unit first, then the hold. A unit
    locked by someone else (a deposit being recorded) is skipped (``SKIP LOCKED``): the next run sees
    it again, converted or still due."""
    now = now or utcnow()
    lapsed = []
    due = list(db.session.execute(select(Hold.id, Hold.unit_id).where(Hold.status == "active", Hold.expires_at <= now)
                                  .order_by(Hold.expires_at, Hold.id)))
    for hold_id, unit_id in due:
        unit = db.session.scalars(select(Unit).where(Unit.id == unit_id)
                                  .with_for_update(skip_locked=True)).first()
        if unit is None:
            continue
        db.session.refresh(unit)
        record = db.session.scalars(select(Hold).where(Hold.id == hold_id).with_for_update()
                                    .execution_options(populate_existing=True)).first()
        if record is None or record.status != "active":
            continue
        if _lapse(record, unit, now):
            lapsed.append(record.id)
    return lapsed


def _lapse(record: Hold, unit: Unit, now: dt.datetime) -> bool:
    """One due hold under the locks: lapsed (its unit, still held, available again) with a decision."""
    view = re_policy(record.held_at)
    cal, _cal_view = tenant_calendar(record.held_at)
    facts = HoldFacts(record.unit_id, record.id, record.holder_id, record.held_at, extended_until=record.expires_at)
    lapse = hold_lapse(view.values, cal, facts, now)
    if lapse is None:
        return False
    if unit.state == "held":
        units.move(unit, "available", (SYSTEM,))
    decision = decisions.record("RE-31", SUBJECT, unit.id, outcome=lapse.outcome(), reason_zh=lapse.reason_zh,
                                reason_en=lapse.reason_en, policy=view,
                                facts={"hold_id": record.id, "holder_id": record.holder_id,
                                       "held_at": record.held_at, "expires_at": record.expires_at})
    record.status, record.ended_at, record.decision_id = "lapsed", record.expires_at, decision.id
    db.session.flush()
    return True
