"""Jobs of visits and commitments (DOMAIN.md §13), each run "as of" a moment (default now) in the
tenant's local time and idempotent:

- ``cus.visit_generation`` (daily 00:30): CUS-61 due visits by cadence and holiday visits (natural
  key (customer, role, period, slot)), fulfilment by the contact log, overdue flags and notifications.
  (DOMAIN.md §13 lists holiday visits as ``cus.holiday_visits``; both run here, daily.)
- ``cus.visit_plans_reports`` (daily 09:00 and 18:00): CUS-62 reminders of visit reports past due;
  on the plan's due day from 18:00 a reminder to whoever has not submitted next month's plan; after
  the due day the flag (dedupe keys, one ``missing`` plan per user and month).
- ``cus.commitment_alerts`` (every 5 minutes): CUS-63 alerts at the due time of open commitments
  (once each: ``alerted_at`` and the notification's dedupe key).

``as_of`` (an ISO 8601 time with its offset) lets an administrator re-run a day that was missed.
"""
from __future__ import annotations

import datetime as dt

from core.customers.visits import commitments, due_visits, plans
from core.db import utcnow
from workers.registry import tenant_job


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-10-01T00:30:00+08:00")
    return moment


@tenant_job("cus.visit_generation", timeout=3600)
def visit_generation(job, *, as_of: str | None = None):
    """CUS-61 (daily)."""
    return due_visits.generate(_as_of(as_of), progress=job.progress)


@tenant_job("cus.visit_plans_reports")
def visit_plans_reports(job, *, as_of: str | None = None):
    """CUS-62 (daily 09:00 and 18:00)."""
    moment = _as_of(as_of)
    reminded = plans.remind_reports(moment)
    plan_reminders = plans.remind_plans(moment)
    flagged = plans.flag_missing_plans(moment)
    return {"report_reminders": reminded, "plan_reminders": plan_reminders, "plans_flagged": [p.id for p in flagged],
            "as_of": moment.isoformat()}


@tenant_job("cus.commitment_alerts")
def commitment_alerts(job, *, as_of: str | None = None):
    """CUS-63 (every 5 minutes)."""
    moment = _as_of(as_of)
    return {**commitments.alert_overdue(moment), "as_of": moment.isoformat()}
