"""Fees collected in the field (SVC-15), pure: no database, no clock.

- :func:`amounts` — parts, labour and the total of a fee, checked: amounts in yuan with at most 2
  decimals, not negative, a total above 0 that is parts + labour (a total given alone is refused: an
  out-of-warranty repair may charge parts only, so the fee says what it charges for);
- :func:`warranty` — whether the order is in warranty on the day the fee is collected: out of
  warranty when ``order.data.warranty`` is ``false``, or when the purchase date plus
  ``svc.fees.warranty`` lies before that day (the warranty covers its first day, as SVC-20: 12 months
  from 2025-10-08 cover 2025-10-08..2026-10-07); unknown (no purchase date, no flag) counts as in
  warranty — the restriction applies only to what is known to be out of warranty;
- :func:`charge_errors` — ``svc.fees.out_of_warranty = parts_only``: out of warranty, labour must be 0
  (parts ¥120 + labour ¥80 → refused);
- :func:`remit_due` — the time the money must be with finance: ``svc.fees.remit_within`` from the
  collection on the tenant calendar (¥380 collected Wed 2026-09-30 15:00, 1 working day → the National
  Day holiday is skipped → through 2026-10-08);
- :func:`reminder_due` — the remittance job reminds on a working day once the due time has passed
  (not remitted through 10-08 → reminder on Fri 2026-10-09), one reminder per fee and day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.calendar import Duration
from core.calendar.model import Deadline, add_months_to_date
from core.calendar.workcalendar import WorkCalendar

RULE = "SVC-15"
STATES = ("collected", "remitted", "void")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


def money(value, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    """``value`` as yuan with 2 decimals; an error on ``field`` when it is not a non-negative amount."""
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["not an amount"]
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = ["must be 0 or more"]
        return None
    if amount != amount.quantize(CENT):
        errors[field] = ["at most 2 decimals (fen)"]
        return None
    if amount > MAX_AMOUNT:
        errors[field] = ["too large"]
        return None
    return amount.quantize(CENT)


@dataclass(frozen=True)
class Amounts:
    parts: Decimal
    labour: Decimal
    total: Decimal


def amounts(parts, labour, total=None) -> tuple[Amounts | None, dict[str, list[str]]]:
    """The fee's amounts (parts and labour default to 0; ``total``, when given, must be their sum)."""
    errors: dict[str, list[str]] = {}
    p = money(parts, "amount_parts", errors)
    lab = money(labour, "amount_labour", errors)
    t = money(total, "amount", errors)
    if errors:
        return None, errors
    p, lab = p or Decimal("0.00"), lab or Decimal("0.00")
    if p + lab == 0:
        if t:
            errors["amount"] = ["say what it charges for: give amount_parts and/or amount_labour (SVC-15)"]
        else:
            errors["amount"] = ["a fee is more than ¥0"]
        return None, errors
    if t is not None and t != p + lab:
        errors["amount"] = [f"must be parts + labour = {p + lab}"]
        return None, errors
    return Amounts(p, lab, p + lab), {}


@dataclass(frozen=True)
class Warranty:
    """``in_warranty`` on the collection day, and why (``basis``: flag, purchase_date or unknown)."""

    in_warranty: bool
    basis: str
    purchase_date: dt.date | None = None
    until: dt.date | None = None  # the last day covered


def warranty_end(purchase: dt.date, length: Duration) -> dt.date:
    """The last day a warranty of ``length`` from ``purchase`` covers (its first day counts)."""
    amount = int(length.amount)
    if length.unit == "days":
        end = purchase + dt.timedelta(days=amount)
    elif length.unit == "weeks":
        end = purchase + dt.timedelta(weeks=amount)
    elif length.unit == "months":
        end = add_months_to_date(purchase, amount)
    elif length.unit == "years":
        end = add_months_to_date(purchase, 12 * amount)
    else:
        raise ValueError(f"a warranty is counted in days, weeks, months or years, not {length.unit}")
    return end - dt.timedelta(days=1)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def warranty(order_data: dict, collected_on: dt.date, length: Duration) -> Warranty:
    """Whether an order with ``order_data`` is in warranty on ``collected_on`` (see the module text)."""
    purchase = _date((order_data or {}).get("purchase_date"))
    until = warranty_end(purchase, length) if purchase else None
    if (order_data or {}).get("warranty") is False:
        return Warranty(False, "flag", purchase, until)
    if purchase is None:
        return Warranty(True, "unknown")
    return Warranty(collected_on <= until, "purchase_date", purchase, until)


def charge_errors(fee: Amounts, cover: Warranty, out_of_warranty: str) -> dict[str, list[str]]:
    """``svc.fees.out_of_warranty``: parts_only refuses labour on an out-of-warranty order."""
    if out_of_warranty == "parts_only" and not cover.in_warranty and fee.labour > 0:
        why = (f"the warranty ended {cover.until.isoformat()}" if cover.basis == "purchase_date"
               else "the order is marked out of warranty")
        return {"amount_labour": [f"must be 0: out of warranty ({why}) only parts may be charged "
                                  f"(svc.fees.out_of_warranty = parts_only, SVC-15)"]}
    return {}


def remit_due(calendar: WorkCalendar, collected_at: dt.datetime, within: Duration) -> Deadline:
    """When the money must be with finance (``svc.fees.remit_within`` from the collection)."""
    return calendar.add_duration(collected_at, within)


def reminder_due(calendar: WorkCalendar, due_at: dt.datetime, now: dt.datetime) -> bool:
    """The remittance reminder of ``now``: on a working day, once the due time has passed."""
    return now >= due_at and calendar.is_working_day(now)


def overdue_days(calendar: WorkCalendar, through: dt.date, day: dt.date) -> int:
    """Working days past the last day in time (1 on the first working day after it)."""
    return max(calendar.working_days_between(through, day), 0)
