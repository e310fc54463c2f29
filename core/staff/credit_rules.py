"""Pure rules of performance credit (STF-30..33): share sets, amounts per share, the core's default
attribution and recognition. No database.

Conventions (DOMAIN.md §1): money is CNY with 2 places, half-up; shares are percentages with 2 places
and each set sums to exactly 100.00; a rounding residue goes to the first-listed holder (the
performance owner).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from core.plugins.records import CommissionSplit, Deal, Recognition, ShareLine

FEN = Decimal("0.01")
HUNDRED = Decimal("100.00")
SHARE_KINDS = ("performance", "bonus")


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


def allocate(amount, percents) -> list[Decimal]:
    """STF-30: the amount of each share of ``amount`` (yuan), each rounded half-up to the fen; the
    residue that makes them add up to ``amount`` goes to the first holder.

    >>> allocate("12345.67", ["80", "20"])
    [Decimal('9876.54'), Decimal('2469.13')]
    """
    total = money(amount)
    parts = [money(total * Decimal(str(p)) / HUNDRED) for p in percents]
    if parts:
        parts[0] += total - sum(parts, Decimal("0.00"))
    return parts


def equal_percents(count: int) -> list[Decimal]:
    """``count`` equal shares of 100.00%: each the fen-truncated equal part, the residue to the first
    (3 → 33.34, 33.33, 33.33; 6 → 16.70, 16.66 × 5)."""
    if count < 1:
        raise ValueError("at least one holder")
    part = (HUNDRED / count).quantize(FEN, rounding=ROUND_DOWN)
    return [HUNDRED - part * (count - 1)] + [part] * (count - 1)


def share_errors(lines, *, what: str) -> list[str]:
    """What is wrong with one share set (empty when it is valid): at least one holder, each an
    employee or a department (not both), each holder once, percentages with at most 2 places,
    positive, summing to exactly 100.00."""
    if not lines:
        return [f"{what}: at least one holder"]
    errors, seen, total = [], set(), Decimal("0")
    for i, line in enumerate(lines):
        if (line.user_id is None) == (line.department_id is None):
            errors.append(f"{what}[{i}]: name an employee (user_id) or the department (department_id), not both")
            continue
        holder = ("user", line.user_id) if line.user_id is not None else ("department", line.department_id)
        if holder in seen:
            errors.append(f"{what}[{i}]: {holder[0]} {holder[1]} is listed twice")
        seen.add(holder)
        try:
            percent = Decimal(str(line.percent))
        except (InvalidOperation, ValueError):
            errors.append(f"{what}[{i}]: the percentage is not a number")
            continue
        if percent != percent.quantize(FEN) or percent <= 0 or percent > HUNDRED:
            errors.append(f"{what}[{i}]: a percentage above 0 and at most 100, with at most 2 decimals")
        total += percent
    if not errors and total != HUNDRED:
        errors.append(f"{what}: the shares add up to {total}%, not 100.00%")
    return errors


def priced(lines, amount) -> list[tuple[ShareLine, Decimal]]:
    """Each line of a valid share set with its amount of ``amount`` (residue to the first)."""
    return list(zip(lines, allocate(amount, [line.percent for line in lines])))


def default_split(deal: Deal) -> CommissionSplit:
    """The core's attribution when no plugin decides: 100% of both sets to the owner (STF-30); a
    probationer's performance to the mentor, the commission still to the probationer (STF-32)."""
    if deal.mentor_id is not None and deal.mentor_id != deal.owner_id:
        return CommissionSplit(
            performance=(ShareLine(HUNDRED, user_id=deal.mentor_id),),
            bonus=(ShareLine(HUNDRED, user_id=deal.owner_id),),
            rule_id="STF-32",
            reason_zh="试用期员工的销售业绩计入带教师傅，提成仍归试用期员工本人。",
            reason_en="A probationer's sale counts toward the mentor's performance; the commission is paid to the "
                      "probationer.",
            facts={"owner_id": deal.owner_id, "mentor_id": deal.mentor_id})
    return CommissionSplit(
        performance=(ShareLine(HUNDRED, user_id=deal.owner_id),),
        bonus=(ShareLine(HUNDRED, user_id=deal.owner_id),),
        rule_id="STF-30",
        reason_zh="无插件另行判定：业绩与提成100%归成交负责人。",
        reason_en="No plugin decided otherwise: 100% of the performance and of the commission to the deal's owner.",
        facts={"owner_id": deal.owner_id})


def default_recognition(deal: Deal) -> Recognition:
    """STF-31 core default: a deal counts when it is recorded."""
    return Recognition(at=deal.deal_at, rule_id="STF-31", reason_zh="成交登记即计入业绩。",
                       reason_en="The deal counts from the time it was recorded.")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
