"""Job ``cmp.breach_consequences`` (DOMAIN.md §13; every 5 minutes): CMP-70 cases still unresolved at
their limit → the matrix's fines, and CMP-71 the customer's transfer; CMP-63 return-visit issues
nobody was assigned to within the limit → escalation. Idempotent: each limit is applied once (the
pending row becomes applied or cancelled; ledger entries carry dedupe keys)."""
from __future__ import annotations

from core.accounts.people import People
from core.complaints import consequences, return_visits
from core.complaints.return_visit_jobs import as_of_moment
from workers.registry import tenant_job

JOB = "cmp.breach_consequences"
CADENCE = "4-59/5 * * * *"


@tenant_job(JOB)
def breach_consequences_job(job, *, as_of: str | None = None):
    """CMP-70, CMP-71, CMP-63 (every 5 minutes)."""
    moment = as_of_moment(as_of)
    people = People()
    result = consequences.sweep(moment, people=people)
    escalated = return_visits.escalate_issues(moment, people=people)
    return {**result, "issues_escalated": escalated, "as_of": moment.isoformat()}
