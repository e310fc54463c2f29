"""Job ``svc.return_visit_due`` (DOMAIN.md §13; daily 00:43, and on the feedback form through
:func:`core.service.return_visits.on_feedback`): SVC-14 return visits of remote orders completed
without one (a safety net for :func:`~core.service.return_visits.on_completed_remote`), recorded orders
moved on after their visit decision (a safety net for :func:`~core.service.return_visits.on_recorded`,
and for a closure a plugin refused),
overdue visits alerted (a decision SVC-14, the visitor, their supervisors and the service manager told),
CMP-63 escalation of issues nobody was assigned to. Idempotent: a re-run plans, moves, alerts and
escalates nothing twice. ``as_of`` (ISO 8601 with its offset) re-runs a missed day."""
from __future__ import annotations

from core.accounts.people import People
from core.service import return_visits
from core.sla.jobs import moment_of
from workers.registry import tenant_job

JOB = "svc.return_visit_due"
CADENCE = "43 0 * * *"


@tenant_job(JOB, timeout=3600)
def return_visit_due_job(job, *, as_of: str | None = None):
    """SVC-14, CMP-63 (daily)."""
    moment = moment_of(as_of)
    people = People()
    planned = return_visits.plan_remote(moment, people=people)
    moved = return_visits.advance_orders(moment)
    overdue = return_visits.alert_overdue_visits(moment, people=people)
    escalated = return_visits.escalate_issues(moment, people=people)
    return {"planned": planned, "orders_moved": moved, "overdue_alerts": overdue, "issues_escalated": escalated,
            "as_of": moment.isoformat()}
