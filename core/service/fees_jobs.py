"""Job ``svc.fee_remittance`` (DOMAIN.md §13, SVC-15; working days 09:02 tenant time): every fee not
remitted to finance past ``svc.fees.remit_within`` → a reminder to the collector, their supervisor and
finance, with a decision SVC-15 on the order. On a day off nothing is sent (the cadence runs daily; the
job skips days off). One reminder per fee and day: a re-run, a retry or a second run that day sends
nothing more. ``as_of`` (ISO 8601 with its offset) re-runs a missed day."""
from __future__ import annotations

from core.service import fees
from core.sla.jobs import moment_of
from workers.registry import tenant_job

JOB = "svc.fee_remittance"
CADENCE = "2 9 * * *"


@tenant_job(JOB)
def fee_remittance(job, *, as_of: str | None = None):
    """SVC-15 (working days 09:00)."""
    moment = moment_of(as_of)
    return {**fees.send_reminders(moment), "as_of": moment.isoformat()}
