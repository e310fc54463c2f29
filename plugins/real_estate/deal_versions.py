"""The I/O every change after the deal shares: a unit's move by a conditional UPDATE on its expected state
(RE-30, checked with :func:`plugins.real_estate.unit_rules.move_check`), a subscription's new version
(immutable once signed, RE-33: an amendment is a new row with ``version + 1`` and ``previous_id``, the
old one ``superseded``), and the facts of a deal across its versions (its contract, its deposits).
"""
from __future__ import annotations

from sqlalchemy import select, update

from core.db import db, get_one, utcnow
from core.errors import Conflict, Forbidden
from plugins.real_estate.sales_models import Contract, Deposit, Subscription, Unit
from plugins.real_estate.unit_rules import move_check

#: subscriptions a change may act on: the current version of a deal
CURRENT = ("draft", "signed")


def refusal(check) -> Exception:
    """The domain error of a refused check of the pure rules (``status`` 403 or 409)."""
    error = Forbidden if check.status == 403 else Conflict
    return error(check.reason_en, rule_id=check.rule_id, reason_zh=check.reason_zh, reason_en=check.reason_en)


def move_unit(unit: Unit, expected: str, to_state: str, roles, **values) -> None:
    """Move ``unit`` from ``expected`` to ``to_state`` when ``roles`` may (403/409 otherwise)."""
    check = move_check(expected, to_state, roles)
    if not check.allowed:
        raise refusal(check)
    set_state(unit, expected, to_state, **values)


def set_state(unit: Unit, expected: str, to_state: str, **values) -> None:
    """``unit`` from ``expected`` to ``to_state`` as one ``UPDATE … WHERE state = <expected>``: a writer who
    moved it first wins, the other gets 409. Unchecked: a swap's new unit takes the old one's state
    (RE-40), a move the state machine of RE-30 does not have."""
    moved = db.session.execute(
        update(Unit).where(Unit.id == unit.id, Unit.state == expected)
        .values(state=to_state, version=Unit.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise Conflict(f"unit {unit.number} is no longer {expected}", rule_id="RE-30",
                       reason_zh=f"房源{unit.number}的状态已被他人变更，请刷新后重试",
                       reason_en=f"unit {unit.number} was changed by someone else; reload and try again")
    db.session.refresh(unit)


def lock_subscription(subscription_id: int) -> Subscription:
    """The subscription ``subscription_id`` locked for the change (404 another tenant's or unknown)."""
    return get_one(Subscription, subscription_id, "subscription", for_update=True)


def current_subscription(subscription_id: int) -> Subscription:
    """:func:`lock_subscription`, 409 when it is not the deal's current version."""
    return ensure_current(lock_subscription(subscription_id))


def ensure_current(subscription: Subscription) -> Subscription:
    if subscription.status not in CURRENT:
        raise Conflict(f"subscription {subscription.number} v{subscription.version} is {subscription.status}",
                       rule_id="RE-33",
                       reason_zh=f"认购书{subscription.number}第{subscription.version}版已{_status_zh(subscription.status)}，"
                                 "请在现行版本上办理",
                       reason_en=f"subscription {subscription.number} v{subscription.version} is {subscription.status}; "
                                 "act on its current version")
    return subscription


def _status_zh(status: str) -> str:
    return {"superseded": "被新版本取代", "cancelled": "作废"}.get(status, status)


def versions_of(subscription: Subscription) -> list[Subscription]:
    """Every version of the deal (same number), oldest first."""
    return list(db.session.scalars(select(Subscription).where(Subscription.number == subscription.number)
                                   .order_by(Subscription.version)))


def contract_of(subscription: Subscription) -> Contract | None:
    """The deal's purchase contract, signed on any of its versions (RE-34)."""
    ids = [s.id for s in versions_of(subscription)]
    return db.session.scalars(select(Contract).where(Contract.subscription_id.in_(ids))).first()


def deposits_of(subscription: Subscription) -> list[Deposit]:
    """The buyer's deposits on the units of every version of the deal (RE-32), oldest first."""
    versions = versions_of(subscription)
    units = {s.unit_id for s in versions}
    return list(db.session.scalars(select(Deposit).where(Deposit.customer_id == subscription.customer_id,
                                                         Deposit.unit_id.in_(units)).order_by(Deposit.id)))


def new_version(old: Subscription, *, by: int, reason: str, approved_by: int | None = None, **changes) -> Subscription:
    """RE-33: the deal's next version with ``changes`` (unit, price, buyer name ...); ``old`` becomes
    ``superseded`` by a conditional UPDATE (409 when someone superseded it first)."""
    copied = {column: getattr(old, column) for column in (
        "number", "unit_id", "customer_id", "salesperson_id", "buyer_name", "phone", "mailing_address", "postcode",
        "price", "balance", "schedule", "status", "signed_at", "copies", "credit_id")}
    version = Subscription(**{**copied, **changes}, version=old.version + 1, previous_id=old.id,
                           amendment_reason=reason, approved_by=approved_by, created_by=by)
    superseded = db.session.execute(
        update(Subscription).where(Subscription.id == old.id, Subscription.status == old.status)
        .values(status="superseded").execution_options(synchronize_session=False))
    if superseded.rowcount != 1:
        raise Conflict(f"subscription {old.number} v{old.version} changed meanwhile", rule_id="RE-33",
                       reason_zh=f"认购书{old.number}已被他人变更，请刷新后重试",
                       reason_en=f"subscription {old.number} was changed by someone else; reload and try again")
    db.session.add(version)
    db.session.flush()
    db.session.refresh(old)
    return version
