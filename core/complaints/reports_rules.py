"""Pure rules of the complaint reports (CMP-80, CMP-81): which period a scheduled pack covers and when it
is due, when the daily digest is ready, and the figures computed from the grouped counts the queries
return (rates, means, distributions, totals). No database here: the queries are in
:mod:`core.complaints.reports_queries`, the assembly in :mod:`core.complaints.reports`.

Counting rules used throughout (CMP-13):

- an **issue** is a case that is not linked to a master (``master_id`` empty); the cases linked to it
  are folded into it: they are counted once, as the master, with their complainants;
- the **complainants** of an issue are the master's ``complainant_count`` or the number of cases of
  the issue (the master and its linked cases), whichever is larger (:func:`complainants_of_issue`);
- an issue is **open** at an instant when it was received by then and not yet resolved, closed or
  rejected; it is **overdue** when one of its deadlines was breached by then, or was due before then
  and not met by then.
"""
from __future__ import annotations

import calendar as monthdays
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.complaints.reports_settings import WEEKDAYS, parse_window

MONTHLY = "monthly_statistics"
WEEKLY = "weekly_report"
HALF_YEAR = "half_year_review"
DIGEST = "daily_digest"
PACK_KINDS = (MONTHLY, WEEKLY, HALF_YEAR, DIGEST)
BASES = ("received", "closed")
#: the daily digest is built in the last run of its job before ``cmp.digest.at`` (the job runs every 5 minutes)
DIGEST_LEAD = dt.timedelta(minutes=5)
#: milestones in the order a case meets them; others (stages) follow by name
MILESTONE_ORDER = ("acknowledge", "reply", "solution", "resolve")
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Period:
    """What a report covers: local days ``first_day``..``last_day`` (inclusive), the cases counted by
    their ``basis`` time (received or closed), the pack's key and the day it is due (if any)."""

    kind: str
    key: str
    first_day: dt.date
    last_day: dt.date
    basis: str
    due_on: dt.date | None = None


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=monthdays.monthrange(first.year, first.month)[1])


def monthly_period(day: dt.date, due_day: int) -> Period:
    """CMP-80 monthly statistics built on local ``day``: the previous month's closed cases, due by
    ``due_day`` of ``day``'s month (2026-10-01 → September 2026, due 2026-10-10)."""
    first = _month_start(day, 1)
    return Period(MONTHLY, f"{first:%Y-%m}", first, _month_end(first), "closed", day.replace(day=due_day))


def weekly_period(day: dt.date, weekly_day: str) -> Period:
    """CMP-80 weekly report on or after its report day: the 7 days before the latest ``weekly_day`` on
    or before ``day`` (Monday 2026-09-21 → 09-14..09-20), cases received in them, due on the report day."""
    report_day = day - dt.timedelta(days=(day.weekday() - WEEKDAYS.index(weekly_day)) % 7)
    first, last = report_day - dt.timedelta(days=7), report_day - dt.timedelta(days=1)
    return Period(WEEKLY, f"{first.isoformat()}..{last.isoformat()}", first, last, "received", report_day)


def half_year_period(day: dt.date, windows: list[str]) -> Period | None:
    """CMP-80 half-year review: on a day inside one of the windows (default 06-01..06-10 and
    12-01..12-10), the six whole months before the window's month, closed cases, due by the window's
    last day (2026-12-03 → 2026-06..2026-11, due 2026-12-10). None outside the windows."""
    for text in windows:
        (month, _), (_, last_day) = parse_window(text)
        if day.month == month and day.day <= last_day:
            first = _month_start(day, 6)
            last = _month_end(_month_start(day, 1))
            return Period(HALF_YEAR, f"{first:%Y-%m}..{last:%Y-%m}", first, last, "closed",
                          day.replace(day=last_day))
    return None


def digest_day(now_local: dt.datetime, at: dt.time) -> dt.date | None:
    """CMP-81: the day whose digest is due at ``now_local`` (a local time): yesterday, once the time is
    within :data:`DIGEST_LEAD` of ``cmp.digest.at`` or later; None earlier in the day."""
    today = now_local.date()
    ready = dt.datetime.combine(today, at, tzinfo=now_local.tzinfo) - DIGEST_LEAD
    if ready.date() < today:
        ready = dt.datetime.combine(today, dt.time(0), tzinfo=now_local.tzinfo)
    return today - dt.timedelta(days=1) if now_local >= ready else None


def digest_period(day: dt.date) -> Period:
    return Period(DIGEST, day.isoformat(), day, day, "received")


def custom_period(first: dt.date, last: dt.date, basis: str) -> Period:
    """A period asked for on demand (an export or the live statistics)."""
    if last < first:
        raise ValueError("the period ends before it starts")
    if basis not in BASES:
        raise ValueError(f"basis is one of {', '.join(BASES)}")
    return Period("custom", f"{first.isoformat()}..{last.isoformat()}", first, last, basis)


# ---------------------------------------------------------------- figures from grouped counts

def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded half-up to 4 places; None when nothing was due."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def complainants_of_issue(complainant_count: int | None, linked_cases: int) -> int:
    """CMP-13: the complainants of an issue (the same rule as the queries' SQL)."""
    return max(complainant_count or 1, 1 + linked_cases)


def summary(row: dict) -> dict:
    """Totals of the issues in the period: issues, complainants, cases, major and repeat issues."""
    issues = int(row.get("issues") or 0)
    repeats = int(row.get("repeats") or 0)
    return {"issues": issues, "complainants": int(row.get("complainants") or 0), "cases": int(row.get("cases") or 0),
            "major": int(row.get("major") or 0), "repeats": repeats, "repeat_rate": ratio(repeats, issues)}


def open_overdue(rows: list[dict]) -> dict:
    """Open and overdue issues by department and handler, departments by name, the biggest first."""
    out = [{"department_id": r["department_id"], "department": r["department"], "handler_id": r["handler_id"],
            "handler": r["handler"], "open": int(r["open"]), "overdue": int(r["overdue"] or 0),
            "complainants": int(r["complainants"] or 0)} for r in rows]
    out.sort(key=lambda r: (r["department"] is None, r["department"] or "", -r["open"], r["handler"] or ""))
    total = {"open": sum(r["open"] for r in out), "overdue": sum(r["overdue"] for r in out),
             "complainants": sum(r["complainants"] for r in out)}
    return {"rows": out, "total": total}


def _milestone_key(code: str) -> tuple:
    return (MILESTONE_ORDER.index(code), code) if code in MILESTONE_ORDER else (len(MILESTONE_ORDER), code)


def attainment(rows: list[dict]) -> list[dict]:
    """SLA attainment per milestone: met on time ÷ due in the period (CMP-80)."""
    out = []
    for r in sorted(rows, key=lambda r: _milestone_key(r["milestone"])):
        due, on_time, late = int(r["due"]), int(r["met_on_time"] or 0), int(r["met_late"] or 0)
        out.append({"milestone": r["milestone"], "due": due, "met_on_time": on_time, "met_late": late,
                    "not_met": due - on_time - late, "rate": ratio(on_time, due)})
    return out


def breakdown(rows: list[dict], key: str, total_issues: int) -> list[dict]:
    """Issues and complainants per value of ``key`` (category, cause, department...), the most
    frequent first, with each value's share of the issues; an empty value is listed last as None.
    Other columns of the rows (a label, an id) are kept."""
    out = [{**r, "issues": int(r["issues"]), "complainants": int(r["complainants"] or 0),
            "share": ratio(int(r["issues"]), total_issues)} for r in rows]
    out.sort(key=lambda r: (r[key] is None, -r["issues"], str(r[key])))
    return out


def employees(rows: list[dict]) -> list[dict]:
    """Issues per employee complained about (the accused), the most complained about first."""
    out = [{"user_id": r["user_id"], "name": r["name"], "department": r["department"], "issues": int(r["issues"]),
            "complainants": int(r["complainants"] or 0), "major": int(r["major"] or 0),
            "repeats": int(r["repeats"] or 0)} for r in rows]
    out.sort(key=lambda r: (-r["issues"], r["name"] or "", r["user_id"]))
    return out


def satisfaction(rows: list[dict]) -> dict:
    """Mean score (2 places, half-up) and the distribution over 1..5 of the issues with a score."""
    distribution = {str(score): 0 for score in SCORES}
    for r in rows:
        if r["score"] is not None and str(r["score"]) in distribution:
            distribution[str(r["score"])] += int(r["issues"])
    responses = sum(distribution.values())
    total = sum(int(score) * n for score, n in distribution.items())
    mean = (float((Decimal(total) / Decimal(responses)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            if responses else None)
    return {"responses": responses, "mean": mean, "distribution": distribution}


# ---------------------------------------------------------------- the daily digest (CMP-81)

_CASE_FIELDS = ("complaint_id", "number", "case_type", "category", "severity", "status", "handler_id", "handler")


def _case_view(row: dict, extra: tuple[str, ...]) -> dict:
    view = {key: row[key] for key in _CASE_FIELDS + extra}
    view["received_at"] = row["received_at"].isoformat()
    if "overdue" in view:
        view["overdue"] = bool(view["overdue"])
    return view


def digest_teams(unresolved: list[dict], new: list[dict]) -> list[dict]:
    """The digest per team (department): its unresolved issues and its new cases, with counts; teams
    with neither are left out; teams by name, cases without a department last."""
    teams: dict = {}

    def team_of(row: dict) -> dict:
        return teams.setdefault(row["department_id"], {
            "department_id": row["department_id"], "department": row["department"], "head_id": row["head_id"],
            "unresolved": [], "new": []})

    for row in unresolved:
        team_of(row)["unresolved"].append(_case_view(row, ("overdue", "complainants")))
    for row in new:
        team_of(row)["new"].append(_case_view(row, ("master_number",)))
    out = sorted(teams.values(), key=lambda t: (t["department_id"] is None, t["department"] or ""))
    for team in out:
        team["counts"] = {"unresolved": len(team["unresolved"]),
                          "overdue": sum(1 for c in team["unresolved"] if c["overdue"]), "new": len(team["new"])}
    return out
