"""Job ``svc.missing_records`` (DOMAIN.md §13; daily 00:41): completed orders without their service
record after ``svc.record_within`` (SVC-16) and orders missing post-completion documents after their
limit (SVC-23) → flagged with a decision and a penalty proposal on the assignee, once per order and
round. Idempotent: a re-run flags nothing twice. ``as_of`` (ISO 8601 with its offset) re-runs a missed
day."""
from __future__ import annotations

from core.accounts.people import People
from core.service import records_watch
from core.sla.jobs import moment_of
from workers.registry import tenant_job

JOB = "svc.missing_records"
CADENCE = "41 0 * * *"


@tenant_job(JOB, timeout=3600)
def missing_records_job(job, *, as_of: str | None = None):
    """SVC-16, SVC-23 (daily)."""
    moment = moment_of(as_of)
    people = People()
    records = records_watch.flag_missing_records(moment, people=people)
    post_docs = records_watch.flag_missing_post_docs(moment, people=people)
    return {"missing_records": records, "missing_post_docs": post_docs, "as_of": moment.isoformat()}
