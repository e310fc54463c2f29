"""Pure rules of the service reports (SVC-40): the period a report covers, and the figures computed
from the grouped counts the queries return (rates, totals, averages). No database, no clock: the
queries are in :mod:`core.service.reports_queries`, the assembly in :mod:`core.service.reports`.

Counting rules:

- an order is **open** at an instant when the last state it had by then (its history) is one of the
  open states (requested … on site, on hold, rework); **overdue** when one of its deadlines was breached
  by then, or was due before then and not met by then (a cancelled deadline is not owed);
- the **on-time rate** of a milestone (SVC-07: approve, dispatch, arrive, complete) is the deadlines met
  by their due time ÷ the deadlines due in the period, as a percentage with one decimal, half up
  (September: 40 completions due, 34 met on time → 85.0); cancelled deadlines are not owed;
- **fees** are those collected in the period (voided ones counted apart): remitted by the report's
  moment, on time (by their limit), outstanding, overdue (outstanding past the limit);
- the **time to complete** is from the request to the completion, in hours (one decimal), of the
  orders completed in the period.
"""
from __future__ import annotations

import calendar as monthdays
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHLY = "monthly"
CUSTOM = "custom"
PACK_KINDS = (MONTHLY,)
MAX_DAYS = 366  # a year at most per report
#: milestones in the order an order meets them; others follow by name
MILESTONE_ORDER = ("approve", "dispatch", "arrive", "complete")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    """What a report covers: local days ``first_day``..``last_day`` (inclusive) and its key."""

    kind: str
    key: str
    first_day: dt.date
    last_day: dt.date


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_period(day: dt.date) -> Period:
    """SVC-40 monthly pack built on local ``day``: the previous month (2026-10-01 → September 2026)."""
    first = _month_start(day, 1)
    last = first.replace(day=monthdays.monthrange(first.year, first.month)[1])
    return Period(MONTHLY, f"{first:%Y-%m}", first, last)


def custom_period(first: dt.date, last: dt.date) -> Period:
    """A period asked for on demand (the live statistics, an export): at most :data:`MAX_DAYS` days."""
    if last < first:
        raise ValueError("the period ends before it starts")
    if (last - first).days >= MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days in one report")
    return Period(CUSTOM, f"{first.isoformat()}..{last.isoformat()}", first, last)


# ---------------------------------------------------------------- figures

def rate(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage with one decimal, half up (34 / 40 → 85.0); None when nothing
    was due."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def money(value) -> Decimal:
    """A sum from the database (None, Decimal, float on SQLite) as yuan with 2 decimals."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _milestone_key(code: str) -> tuple:
    return (MILESTONE_ORDER.index(code), code) if code in MILESTONE_ORDER else (len(MILESTONE_ORDER), code)


def on_time(rows: list[dict]) -> list[dict]:
    """Per milestone: due in the period, met on time, met late, not met, and the on-time rate (%)."""
    out = []
    for r in sorted(rows, key=lambda r: _milestone_key(r["milestone"])):
        due, in_time, late = int(r["due"]), int(r["met_on_time"] or 0), int(r["met_late"] or 0)
        out.append({"milestone": r["milestone"], "due": due, "met_on_time": in_time, "met_late": late,
                    "not_met": due - in_time - late, "rate": rate(in_time, due)})
    return out


def open_orders(rows: list[dict]) -> dict:
    """Open (and overdue) orders per type and technician, with totals per type and per technician.
    Unassigned orders have no technician (listed last)."""
    out = [{"type": r["type"], "technician_id": r["technician_id"], "technician": r["technician"],
            "open": int(r["open"]), "overdue": int(r["overdue"] or 0)} for r in rows]
    out.sort(key=lambda r: (r["type"], r["technician_id"] is None, r["technician"] or "", r["technician_id"] or 0))
    by_type: dict[str, dict] = {}
    by_technician: dict = {}
    for r in out:
        t = by_type.setdefault(r["type"], {"type": r["type"], "open": 0, "overdue": 0})
        p = by_technician.setdefault(r["technician_id"], {"technician_id": r["technician_id"],
                                                          "technician": r["technician"], "open": 0, "overdue": 0})
        for target in (t, p):
            target["open"] += r["open"]
            target["overdue"] += r["overdue"]
    technicians = sorted(by_technician.values(),
                         key=lambda r: (r["technician_id"] is None, -r["open"], r["technician"] or ""))
    total = {"open": sum(r["open"] for r in out), "overdue": sum(r["overdue"] for r in out)}
    return {"rows": out, "by_type": sorted(by_type.values(), key=lambda r: (-r["open"], r["type"])),
            "by_technician": technicians, "total": total}


_FEE_COUNTS = ("collected", "remitted", "remitted_on_time", "outstanding", "overdue", "void")


def _fee_figures(r: dict) -> dict:
    out = {}
    for key in _FEE_COUNTS:
        out[key] = {"count": int(r.get(f"{key}_count") or 0), "amount": str(money(r.get(f"{key}_amount")))}
    out["parts"] = str(money(r.get("parts_amount")))
    out["labour"] = str(money(r.get("labour_amount")))
    out["remittance_rate"] = rate(out["remitted"]["count"], out["collected"]["count"])
    out["on_time_rate"] = rate(out["remitted_on_time"]["count"], out["collected"]["count"])
    return out


def fees(total: dict, by_collector: list[dict], remitted_in_period: dict) -> dict:
    """Fees collected in the period vs remitted (see the module text), in total and per collector;
    and the money remitted in the period whenever it was collected."""
    collectors = [{"collector_id": r["collector_id"], "collector": r["collector"], **_fee_figures(r)}
                  for r in by_collector]
    collectors.sort(key=lambda r: (-Decimal(r["collected"]["amount"]), r["collector"] or "", r["collector_id"]))
    return {**_fee_figures(total), "by_collector": collectors,
            "remitted_in_period": {"count": int(remitted_in_period.get("count") or 0),
                                   "amount": str(money(remitted_in_period.get("amount")))}}


def average_hours(seconds: list[float]) -> float | None:
    """The mean of durations in seconds, in hours with one decimal, half up; None for none."""
    if not seconds:
        return None
    mean = Decimal(str(sum(seconds))) / Decimal(len(seconds)) / Decimal(3600)
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def statistics(requested: list[dict], completions: list[tuple[str, dt.datetime, dt.datetime]],
               cancelled: list[dict]) -> dict:
    """Monthly service statistics: the orders requested in the period by type and their state at its end; the
    orders completed in the period per type with the average time to complete; cancellations."""
    types: dict[str, dict] = {}

    def of(code: str) -> dict:
        return types.setdefault(code, {"type": code, "requested": 0, "states": {}, "completed": 0,
                                       "average_hours_to_complete": None, "cancelled": 0})

    for r in requested:
        row = of(r["type"])
        row["requested"] += int(r["orders"])
        row["states"][r["state"]] = row["states"].get(r["state"], 0) + int(r["orders"])
    durations: dict[str, list[float]] = {}
    for code, requested_at, completed_at in completions:
        durations.setdefault(code, []).append((completed_at - requested_at).total_seconds())
    for code, spans in durations.items():
        row = of(code)
        row["completed"] = len(spans)
        row["average_hours_to_complete"] = average_hours(spans)
    for r in cancelled:
        of(r["type"])["cancelled"] += int(r["orders"])
    rows = sorted(types.values(), key=lambda r: (-r["requested"], r["type"]))
    for row in rows:
        row["states"] = dict(sorted(row["states"].items()))
    every = [s for spans in durations.values() for s in spans]
    return {"types": rows, "total": {"requested": sum(r["requested"] for r in rows),
                                     "completed": len(every), "average_hours_to_complete": average_hours(every),
                                     "cancelled": sum(r["cancelled"] for r in rows)}}
