"""Pure rules of scorecards (STF-40) and the forced-ranking flag (STF-43). No database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")


def score_errors(dimensions: list[dict], scores: dict) -> dict:
    """What is wrong with ``scores`` under a scheme's ``dimensions`` ({code: [messages]}): every
    dimension scored once, from 0 to its weight, with at most 2 decimals; no unknown dimension."""
    errors: dict[str, list[str]] = {}
    weights = {d["code"]: Decimal(str(d["weight"])) for d in dimensions}
    for code in scores:
        if code not in weights:
            errors[code] = [f"not a dimension of this scheme ({', '.join(weights)})"]
    for code, weight in weights.items():
        if code not in scores or scores[code] is None:
            errors[code] = ["score every dimension"]
            continue
        try:
            value = Decimal(str(scores[code]))
        except (InvalidOperation, ValueError):
            errors[code] = ["a number of points"]
            continue
        if value != value.quantize(FEN) or not (0 <= value <= weight):
            errors[code] = [f"from 0 to the dimension's weight {format(weight.normalize(), 'f')}, at most 2 decimals"]
    return errors


def total(scores: dict) -> Decimal:
    """STF-40: the scorecard's total, the sum of its dimensions (55 + 18 + 17 → 90)."""
    return sum((Decimal(str(v)) for v in scores.values()), Decimal("0")).quantize(FEN)


def last_placed(totals: dict[int, Decimal]) -> set[int]:
    """Who ranks last among ``totals`` (user → total): the lowest total, all of them on a tie; nobody
    when fewer than two were scored."""
    if len(totals) < 2:
        return set()
    lowest = min(totals.values())
    if all(value == lowest for value in totals.values()):
        return set()  # everyone equal: nobody is last
    return {user for user, value in totals.items() if value == lowest}


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """``count`` months ending with ``month``, oldest first."""
    out, current = [], month.replace(day=1)
    for _ in range(count):
        out.append(current)
        current = (current - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def forced_ranking_due(last_months: set[dt.date], month: dt.date, *, months: int = 3, consecutive: bool = True,
                       window: int = 12) -> bool:
    """STF-43: an employee last in ``month`` (the month just closed) reaches the threshold now — last
    in the ``months`` months ending with it (consecutive), or in ``months`` of the last ``window``
    months — and did not already reach it with the month before (a streak is flagged once)."""
    month = month.replace(day=1)
    if month not in last_months:
        return False
    if consecutive:
        streak = 0
        for m in reversed(months_back(month, months + 1)):
            if m not in last_months:
                break
            streak += 1
        return streak == months
    count = sum(1 for m in months_back(month, window) if m in last_months)
    return count == months
