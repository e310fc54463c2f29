"""Jobs of recurring duties (DOMAIN.md §13), each run "as of" a moment (default now) and idempotent:

- ``svc.duty_generation`` (daily 00:16): the ``svc.duties`` / ``svc.survey.every`` presets seeded into
  the duty table, then, for each active duty whose current period has no run yet, its N work orders
  due spread through the period (SVC-30, PM-07); a missed day is made up by the next run.
- ``svc.missed_duties`` (daily 00:22): each period that has ended is counted once; a shortfall is a
  decision and an alert to the responsible manager (SVC-30 "1 of 2"; SVC-32 no customer survey).

``as_of`` (an ISO 8601 time with its offset) re-runs a moment that was missed.
"""
from __future__ import annotations

from core.service import duties
from core.sla.jobs import moment_of
from workers.registry import tenant_job

GENERATION = "svc.duty_generation"
GENERATION_CADENCE = "16 0 * * *"
MISSED = "svc.missed_duties"
MISSED_CADENCE = "22 0 * * *"
PERIODIC = ((GENERATION, GENERATION_CADENCE), (MISSED, MISSED_CADENCE))


@tenant_job(GENERATION, timeout=3600)
def duty_generation(job, *, as_of: str | None = None):
    """SVC-30 (daily): orders of the periods that start."""
    moment = moment_of(as_of)
    return {**duties.generate(moment), "as_of": moment.isoformat()}


@tenant_job(MISSED, timeout=3600)
def missed_duties(job, *, as_of: str | None = None):
    """SVC-30, SVC-32 (daily): shortfalls of the periods that ended."""
    moment = moment_of(as_of)
    return {**duties.check_missed(moment), "as_of": moment.isoformat()}
