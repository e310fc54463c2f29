"""Jobs of the monthly pay cycle (DOMAIN.md §13), each idempotent (run twice → one effect):

- ``stf.monthly_close`` (daily 03:07; due from ``stf.statement.day``, the 1st by default): STF-34 the
  previous month's statements, one per employee and month; STF-01 the month's final fines deducted
  (and posted to the department fund, ``stf.fund``) — :mod:`core.staff.deduction`.
- ``stf.forced_ranking`` (1st of the month 04:08): STF-43 HR review flags for last places (dedupe key
  per scheme, employee and month).
- ``stf.pay_run`` (started when the GM approves a month's scheme): STF-41/42 scored pay of the
  scheme's employees, each computed once.

``as_of`` (an ISO 8601 time with its offset) lets an administrator re-run a day that was missed.
"""
from __future__ import annotations

import datetime as dt

from core.db import utcnow
from core.staff import deduction, pay, scorecards, statements
from workers.registry import tenant_job

MONTHLY_CLOSE = ("stf.monthly_close", "7 3 * * *")
FORCED_RANKING = ("stf.forced_ranking", "8 4 1 * *")
PERIODIC = (MONTHLY_CLOSE, FORCED_RANKING)


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-10-01T03:00:00+08:00")
    return moment


@tenant_job("stf.monthly_close", timeout=3600)
def monthly_close(job, *, as_of: str | None = None):
    """STF-34: the previous month's statements; STF-01: its fines deducted."""
    moment = _as_of(as_of)
    issued = statements.issue(moment)
    month = dt.date.fromisoformat(f"{issued['month']}-01") if issued["month"] else None
    deducted = deduction.deduct(month, moment) if month else {"deducted": 0}
    return {**issued, "deduction": deducted, "as_of": moment.isoformat()}


@tenant_job("stf.forced_ranking")
def forced_ranking(job, *, as_of: str | None = None):
    """STF-43: last places → HR review flags."""
    moment = _as_of(as_of)
    return {**scorecards.flag_forced_ranking(moment), "as_of": moment.isoformat()}


@tenant_job("stf.pay_run", timeout=3600)
def pay_run(job, *, pay_scheme_id: int):
    """STF-41/42: the scored pay of an approved scheme."""
    return pay.run(pay.get_scheme(pay_scheme_id))
