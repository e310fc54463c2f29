"""Money facts of a customer (:class:`~core.customers.models.CustomerTransaction`): purchases, refunds,
shipments, collections, prepayments. Points (CUS-43), cash referral rewards (CUS-44), key-account
thresholds (CUS-51) and credit exposure (CUS-93/94) are computed from them.

:func:`record_transaction` is the one create path: it validates (422 with field errors, nothing
written), writes the row and then lets the rules that follow from it act in the same transaction
(:func:`core.customers.points.awards.on_transaction_recorded`). The credit exposure check (CUS-94)
belongs right before the row is written (see the marked place).

- ``amount``: yuan, a ``Decimal`` > 0 with at most 2 decimal places (section 1); never rounded here:
  an amount with more places is refused.
- ``refund``: must name ``refund_of``, a purchase of the same customer made no later than the refund;
  all refunds of a purchase together never exceed its amount (the net amount is never negative).
  Other kinds must not name ``refund_of``.
- ``at``: an aware time, not in the future (a few minutes of clock skew are tolerated).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from core.accounts.models import User
from core.customers.credit.service import check_exposure
from core.customers.models import TRANSACTION_KINDS, CustomerTransaction
from core.customers.policy import cus_policy
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.errors import InvalidInput, NotFound

MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


def _money_error(value, *, positive: bool) -> str | None:
    """Why ``value`` is not money (CNY, at most 2 places; > 0 when ``positive``), or ``None``."""
    if isinstance(value, (bool, float)) or value is None:
        return "must be a decimal number of yuan (e.g. \"2500.00\")"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "must be a decimal number of yuan (e.g. \"2500.00\")"
    if not number.is_finite():
        return "must be a finite number"
    if number.as_tuple().exponent < -2:
        return "at most 2 decimal places (fen)"
    if positive and number <= 0:
        return "must be greater than 0"
    if abs(number) > MAX_AMOUNT:
        return f"must not exceed {MAX_AMOUNT}"
    return None


def refunded_total(purchase_id: int) -> Decimal:
    """The sum of all refunds of purchase ``purchase_id`` (0.00 when none)."""
    total = db.session.scalar(select(func.coalesce(func.sum(CustomerTransaction.amount), 0)).where(
        CustomerTransaction.kind == "refund", CustomerTransaction.refund_of == purchase_id))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def refunds_of(purchase_id: int) -> list[CustomerTransaction]:
    """The refunds of a purchase, oldest first."""
    return list(db.session.scalars(select(CustomerTransaction).where(
        CustomerTransaction.kind == "refund", CustomerTransaction.refund_of == purchase_id)
        .order_by(CustomerTransaction.at, CustomerTransaction.id)))


def _purchase_for_refund(customer_id: int, purchase_id: int) -> CustomerTransaction | None:
    """The purchase a refund names, locked on PostgreSQL so that two concurrent refunds cannot
    together exceed it."""
    return db.session.scalars(select(CustomerTransaction).where(
        CustomerTransaction.id == purchase_id, CustomerTransaction.customer_id == customer_id,
        CustomerTransaction.kind == "purchase").with_for_update()).first()


#: the transactions that raise a customer's credit exposure (CUS-94)
CREDIT_CHECKED = ("shipment", "prepayment")


def record_transaction(customer_id: int, *, kind: str, amount, at: dt.datetime | None = None,
                       refund_of: int | None = None, event_id: int | None = None, gross_profit=None,
                       reference: str | None = None, user_id: int | None = None,
                       recorded_by: int | None = None, credit_approval_id: int | None = None) -> CustomerTransaction:
    """Record a money fact of ``customer_id`` (which the caller has loaded: it exists in this
    tenant) and apply what follows from it (CUS-43 points, CUS-44 rewards: ``tx.awards``). Raises
    :class:`~core.errors.InvalidInput` (every field error at once) before anything is written."""
    errors: dict[str, list[str]] = {}
    at = at or utcnow()
    if kind not in TRANSACTION_KINDS:
        errors["kind"] = [f"must be one of: {', '.join(TRANSACTION_KINDS)}"]
    problem = _money_error(amount, positive=True)
    if problem:
        errors["amount"] = [problem]
    if gross_profit is not None:
        problem = _money_error(gross_profit, positive=False)
        if problem:
            errors["gross_profit"] = [problem]
    if at.tzinfo is None:
        errors["at"] = ["needs a time zone (e.g. +08:00)"]
    elif at > utcnow() + FUTURE_TOLERANCE:
        errors["at"] = ["a transaction cannot be in the future"]
    purchase = None
    if kind == "refund":
        if refund_of is None:
            errors["refund_of"] = ["a refund names the purchase it refunds"]
        else:
            purchase = _purchase_for_refund(customer_id, refund_of)
            if purchase is None:
                errors["refund_of"] = [f"#{refund_of} is not a purchase of this customer"]
            elif "at" not in errors and at < purchase.at:
                errors["at"] = ["a refund cannot precede its purchase"]
            elif "amount" not in errors:
                already = refunded_total(purchase.id)
                left = purchase.amount - already
                if Decimal(amount) > left:
                    errors["amount"] = [f"exceeds what is left of purchase #{purchase.id}: ¥{left:,.2f} "
                                        f"(¥{purchase.amount:,.2f} less ¥{already:,.2f} refunded)"]
    elif refund_of is not None:
        errors["refund_of"] = ["only a refund names a purchase"]
    if user_id is not None and db.session.scalar(select(User.id).where(User.id == user_id)) is None:
        errors["user_id"] = [f"no staff member #{user_id}"]
    if errors:
        raise InvalidInput("invalid transaction", fields=errors)
    # CUS-94: with credit management on, a shipment or prepayment that would take the exposure over the
    # limit is refused (409) unless a recorded approval is attached; checked before the row is written
    if kind in CREDIT_CHECKED and cus_policy(at).values["credit"]["enabled"]:
        check_exposure(customer_id, kind, Decimal(amount), approval=credit_approval_id)
    tx = CustomerTransaction(customer_id=customer_id, kind=kind, amount=Decimal(amount), at=at,
                             refund_of=refund_of, event_id=event_id,
                             gross_profit=None if gross_profit is None else Decimal(gross_profit),
                             reference=reference, user_id=user_id)
    db.session.add(tx)
    db.session.flush()
    from core.customers.points.awards import on_transaction_recorded

    tx.awards = on_transaction_recorded(tx, purchase=purchase, recorded_by=recorded_by)  # not stored
    return tx


def transactions_of(customer_id: int, kind: str | None = None):
    """The statement of a customer's transactions, newest first."""
    stmt = (select(CustomerTransaction).where(CustomerTransaction.customer_id == customer_id)
            .order_by(CustomerTransaction.at.desc(), CustomerTransaction.id.desc()))
    if kind:
        stmt = stmt.where(CustomerTransaction.kind == kind)
    return stmt


def get_transaction(customer_id: int, transaction_id: int) -> CustomerTransaction:
    tx = db.session.scalars(select(CustomerTransaction).where(
        CustomerTransaction.id == transaction_id, CustomerTransaction.customer_id == customer_id)).first()
    if tx is None:
        raise NotFound("transaction not found")
    return tx
