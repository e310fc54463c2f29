"""The I/O every change of a deal shares (RE-33: a signed subscription is immutable; a change is a new row
with ``version + 1`` and ``previous_id``, the old one ``superseded``):

- :func:`open_step` — one step at a time on a deal: a pending amendment or an open change → 409.
- :func:`propose_version` / :func:`take_over` / :func:`new_version` — the one way a deal gets its next
  version (an amendment proposed then approved; a swap or rename at once); the instalment rows follow
  the deal (:func:`carry_instalments`: paid ones never change, RE-42).
- :func:`versions_of`, :func:`contract_of`, :func:`deposits_of` — the facts of a deal across its versions.

A unit's state moves only through :func:`plugins.real_estate.units.move`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update

from core.db import db, get_one
from core.errors import Conflict, InvalidInput
from plugins.real_estate.office_models import Change, Instalment
from plugins.real_estate.sales_models import Contract, Deposit, Subscription

#: subscriptions a change may act on: the current version of a deal
CURRENT = ("draft", "signed")


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


def open_step(subscription: Subscription) -> None:
    """One step at a time on a deal (RE-33): a pending amendment or an open change (swap, rename, refund)
    each ends in a version of its own, so a second one → 409 naming the first."""
    pending = db.session.scalar(select(Subscription.id).where(Subscription.previous_id == subscription.id,
                                                              Subscription.status == "draft"))
    if pending is not None:
        raise Conflict(f"amendment {pending} of this subscription awaits the manager", rule_id="RE-33",
                       reason_zh="该认购书有一份变更版本待经理批准，请先批准或处理后再办理",
                       reason_en="an amendment of this subscription awaits the manager's approval: settle it first")
    open_id = db.session.scalar(select(Change.id).where(Change.subscription_id == subscription.id,
                                                        Change.status.in_(("requested", "approved"))))
    if open_id is not None:
        raise Conflict(f"change {open_id} of this subscription is still open", rule_id="RE-33",
                       reason_zh=f"该认购书另有变更#{open_id}正在办理，请先办结或驳回",
                       reason_en=f"change #{open_id} of this subscription is still open: complete or refuse it first")


def propose_version(old: Subscription, *, by: int, reason: str, **changes) -> Subscription:
    """RE-33: the deal's next version as a draft (an amendment waiting for the manager); ``old`` stays in
    force until :func:`take_over`."""
    copied = {column: getattr(old, column) for column in (
        "number", "unit_id", "customer_id", "salesperson_id", "buyer_name", "phone", "mailing_address", "postcode",
        "price", "balance", "schedule", "copies", "credit_id")}
    version = Subscription(**{**copied, **changes}, status="draft", version=old.version + 1, previous_id=old.id,
                           amendment_reason=reason, created_by=by)
    db.session.add(version)
    db.session.flush()
    return version


def new_version(old: Subscription, *, by: int, reason: str, approved_by: int | None = None, **changes) -> Subscription:
    """RE-33: the deal's next version with ``changes`` (unit, price, buyer name ...), in force at once
    (:func:`propose_version` then :func:`take_over`)."""
    return take_over(old, propose_version(old, by=by, reason=reason, **changes), approved_by=approved_by)


def take_over(old: Subscription, version: Subscription, *, approved_by: int | None,
              at=None) -> Subscription:
    """``version`` replaces ``old``: ``old`` ``superseded`` by a conditional UPDATE (409 when someone
    superseded it first), ``version`` in ``old``'s status, and the deal's instalment rows follow it
    (:func:`carry_instalments`: the paid ones unchanged, RE-42)."""
    superseded = db.session.execute(
        update(Subscription).where(Subscription.id == old.id, Subscription.status == old.status)
        .values(status="superseded").execution_options(synchronize_session=False))
    if superseded.rowcount != 1:
        raise Conflict(f"subscription {old.number} v{old.version} changed meanwhile", rule_id="RE-33",
                       reason_zh=f"认购书{old.number}已被他人变更，请刷新后重试",
                       reason_en=f"subscription {old.number} was changed by someone else; reload and try again")
    status = old.status
    db.session.refresh(old)
    version.status, version.approved_by = status, approved_by
    version.signed_at = at or old.signed_at
    db.session.flush()
    carry_instalments(old, version)
    return version


def _lines(schedule) -> list[tuple]:
    return [(dt.date.fromisoformat(str(line["due_on"])), Decimal(str(line["amount"])).quantize(Decimal("0.01")))
            for line in schedule or ()]


def schedule_errors(old: Subscription, schedule) -> dict:
    """RE-42: a new schedule keeps every paid instalment of ``old`` as it is (same place, day, amount);
    ``{"schedule": [...]}`` otherwise."""
    lines = _lines(schedule)
    for row in _rows(old):
        if row.paid_at is None:
            continue
        if row.seq > len(lines) or lines[row.seq - 1] != (row.due_on, row.amount):
            return {"schedule": [(f"instalment {row.seq} (¥{row.amount:,.2f} due {row.due_on}) is paid: "
                              "it stays as it is (RE-42)")]}
    return {}


def _rows(subscription: Subscription) -> list[Instalment]:
    return list(db.session.scalars(select(Instalment).where(Instalment.subscription_id == subscription.id)
                                   .order_by(Instalment.seq)))


def carry_instalments(old: Subscription, version: Subscription) -> None:
    """The instalment rows of ``old`` become ``version``'s: paid rows unchanged (422 when the new schedule
    alters one), unpaid rows take the new schedule's day and amount (a changed line starts the RE-42
    ladder again), lines beyond the rows are added, unpaid rows beyond the schedule removed."""
    if version.status != "signed":
        return  # a draft has no instalments yet: they are made when it is signed
    errors = schedule_errors(old, version.schedule)
    if errors:
        raise InvalidInput("invalid amendment", fields=errors, rule_id="RE-42")
    rows = {row.seq: row for row in _rows(old)}
    for seq, (due_on, amount) in enumerate(_lines(version.schedule), start=1):
        row = rows.pop(seq, None)
        if row is None:
            db.session.add(Instalment(subscription_id=version.id, seq=seq, due_on=due_on, amount=amount))
            continue
        row.subscription_id = version.id
        if row.paid_at is None and (row.due_on, row.amount) != (due_on, amount):
            row.due_on, row.amount = due_on, amount
            row.notice_at = row.notice_decision_id = row.breach_at = row.breach_decision_id = None
    for row in rows.values():  # unpaid (a paid one was checked above)
        db.session.delete(row)
    db.session.flush()


def rebalanced_schedule(subscription: Subscription, balance: Decimal) -> list[dict]:
    """The schedule of ``subscription`` adding up to ``balance``: the difference goes on the last unpaid
    instalment (RE-40 swap, RE-42); 409 when there is none or it would not stay above 0."""
    lines = [dict(line) for line in subscription.schedule or ()]
    difference = balance - sum((amount for _due, amount in _lines(lines)), Decimal(0))
    if not difference:
        return lines
    paid = {row.seq for row in _rows(subscription) if row.paid_at is not None}
    unpaid = [seq for seq in range(1, len(lines) + 1) if seq not in paid]
    last = lines[unpaid[-1] - 1] if unpaid else None
    amount = Decimal(str(last["amount"])) + difference if last else Decimal(0)
    if last is None or amount <= 0:
        raise Conflict("the unpaid instalments cannot take the price difference", rule_id="RE-40",
                       reason_zh=f"未付的分期款不足以调整差价¥{difference:,.2f}，请先修改付款计划",
                       reason_en=f"the unpaid instalments cannot take the difference ¥{difference:,.2f}: "
                                 "amend the payment schedule first")
    last["amount"] = f"{amount:.2f}"
    return lines
