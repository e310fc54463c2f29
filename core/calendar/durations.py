"""Typed durations (DOMAIN.md section 1 "Conventions", CAL-03..CAL-06).

A duration is an amount and a unit, serialised as ``"<amount> <unit>"``
(e.g. ``"3 working_days"``). The unit decides how the duration is added to a
point in time:

=================  ===========  ==============================================
unit               kind         rule
=================  ===========  ==============================================
``minutes``        clock        CAL-06: elapsed time, 24/7, holidays included
``hours``          clock        CAL-06
``business_hours`` business     CAL-04: only time inside business windows
``days``           calendar     CAL-05: Civil Code period, ends 24:00
``weeks``          calendar     CAL-05 (1 week = 7 days)
``months``         calendar     CAL-05 (corresponding day, clamped)
``years``          calendar     CAL-05
``working_days``   working      CAL-03
=================  ===========  ==============================================

Clock and business units accept fractional amounts (``"1.5 hours"``), the
other units whole numbers only. Negative amounts are refused. Singular unit
names (``"1 week"``) are accepted on input; :func:`format_duration` always
writes the canonical plural unit, so ``parse_duration(format_duration(d)) == d``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MINUTES = "minutes"
HOURS = "hours"
BUSINESS_HOURS = "business_hours"
DAYS = "days"
WEEKS = "weeks"
MONTHS = "months"
YEARS = "years"
WORKING_DAYS = "working_days"

#: canonical unit -> kind (``clock`` | ``business`` | ``calendar`` | ``working``)
UNIT_KINDS: dict[str, str] = {
    MINUTES: "clock",
    HOURS: "clock",
    BUSINESS_HOURS: "business",
    DAYS: "calendar",
    WEEKS: "calendar",
    MONTHS: "calendar",
    YEARS: "calendar",
    WORKING_DAYS: "working",
}

#: units whose amount may be fractional
FRACTIONAL_UNITS = frozenset({MINUTES, HOURS, BUSINESS_HOURS})

_SINGULAR = {
    "minute": MINUTES,
    "hour": HOURS,
    "business_hour": BUSINESS_HOURS,
    "day": DAYS,
    "week": WEEKS,
    "month": MONTHS,
    "year": YEARS,
    "working_day": WORKING_DAYS,
}

_PATTERN = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s+(?P<unit>[a-z_]+)\s*$")


@dataclass(frozen=True)
class Duration:
    """A typed duration (section 1): ``Duration(3, "working_days")``.

    ``amount`` is an ``int`` for whole amounts and a ``Decimal`` for fractional
    clock/business amounts; ``unit`` is one of :data:`UNIT_KINDS`.
    """

    amount: int | Decimal
    unit: str

    def __post_init__(self) -> None:
        unit = _SINGULAR.get(self.unit, self.unit)
        if unit not in UNIT_KINDS:
            raise ValueError(
                f"unknown duration unit {self.unit!r}; expected one of "
                + ", ".join(UNIT_KINDS)
            )
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
            raise ValueError(
                f"duration amount must be int or Decimal, got {type(amount).__name__}"
            )
        if isinstance(amount, Decimal):
            if not amount.is_finite():
                raise ValueError(f"duration amount must be finite, got {amount}")
            if amount == amount.to_integral_value():
                amount = int(amount)
            elif unit not in FRACTIONAL_UNITS:
                raise ValueError(
                    f"{unit} take a whole number, got {amount} "
                    f"(fractions only for {', '.join(sorted(FRACTIONAL_UNITS))})"
                )
        if amount < 0:
            raise ValueError(f"duration amount must not be negative, got {amount}")
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "amount", amount)

    @property
    def kind(self) -> str:
        """``clock`` (CAL-06), ``business`` (CAL-04), ``calendar`` (CAL-05) or ``working`` (CAL-03)."""
        return UNIT_KINDS[self.unit]

    def __str__(self) -> str:
        return format_duration(self)


def parse_duration(text: str) -> Duration:
    """Parse ``"<amount> <unit>"`` (section 1), e.g. ``"3 working_days"``, ``"1 week"``.

    Raises ``ValueError`` with a message naming the problem on bad input.
    """
    if not isinstance(text, str):
        raise ValueError(f"duration must be a string like '3 working_days', got {text!r}")
    match = _PATTERN.match(text.lower())
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: expected '<amount> <unit>' such as "
            "'3 working_days', '24 hours' or '2 months'"
        )
    raw_unit = match.group("unit")
    unit = _SINGULAR.get(raw_unit, raw_unit)
    if unit not in UNIT_KINDS:
        raise ValueError(
            f"invalid duration {text!r}: unknown unit {raw_unit!r}; expected one of "
            + ", ".join(UNIT_KINDS)
        )
    raw_amount = match.group("amount")
    try:
        amount: int | Decimal = int(raw_amount) if "." not in raw_amount else Decimal(raw_amount)
    except (ValueError, InvalidOperation) as exc:  # pragma: no cover - regex guards this
        raise ValueError(f"invalid duration {text!r}: bad amount {raw_amount!r}") from exc
    try:
        return Duration(amount, unit)
    except ValueError as exc:
        raise ValueError(f"invalid duration {text!r}: {exc}") from None


def format_duration(duration: Duration) -> str:
    """Serialise as ``"<amount> <canonical unit>"`` (section 1), e.g. ``"1 weeks"``."""
    amount = duration.amount
    if isinstance(amount, Decimal):
        text = format(amount.normalize(), "f")
    else:
        text = str(amount)
    return f"{text} {duration.unit}"
