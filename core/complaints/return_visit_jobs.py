"""Job ``cmp.return_visits`` (DOMAIN.md §13; daily 00:3x, and on resolution through
:func:`core.complaints.return_visits.on_resolution`): CMP-60/61 selection of resolved cases not yet
decided, with their due visits and visitors; overdue-visit alerts; CMP-63 escalation of issues nobody
was assigned to (also every 5 minutes in ``cmp.breach_consequences``). Idempotent: a re-run decides,
alerts and escalates nothing twice. ``as_of`` (ISO 8601 with its offset) re-runs a missed day."""
from __future__ import annotations

import datetime as dt

from core.accounts.people import People
from core.complaints import return_visits
from core.db import utcnow
from workers.registry import tenant_job

JOB = "cmp.return_visits"
CADENCE = "31 0 * * *"


def as_of_moment(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-06-20T00:31:00+08:00")
    return moment


@tenant_job(JOB, timeout=3600)
def return_visits_job(job, *, as_of: str | None = None):
    """CMP-60..63 (daily)."""
    moment = as_of_moment(as_of)
    people = People()
    decided = return_visits.schedule(moment, people=people)
    overdue = return_visits.alert_overdue_visits(moment, people=people)
    escalated = return_visits.escalate_issues(moment, people=people)
    return {**decided, "overdue_alerts": overdue, "issues_escalated": escalated, "as_of": moment.isoformat()}
