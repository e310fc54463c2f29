"""Jobs of service contracts (DOMAIN.md §13), idempotent, ``as_of`` (ISO 8601 with its offset) re-runs
a missed day:

- ``svc.contract_expiry`` (daily 06:01): SVC-21 reminder tasks for periods whose reminder day
  (``svc.expiry.remind_before`` before the end) has come, one per period; contracts past their last
  day turned ``expired`` (``ended`` when the customer declined).
- ``svc.renewal_payment`` (daily 06:11): SVC-22 renewals unpaid past ``svc.renewal.pay_within`` of
  their signing → alert to the customer's owner and finance, once.
"""
from __future__ import annotations

from core.accounts.people import People
from core.service import contracts
from core.sla.jobs import moment_of
from workers.registry import tenant_job

EXPIRY_JOB, EXPIRY_CADENCE = "svc.contract_expiry", "1 6 * * *"
PAYMENT_JOB, PAYMENT_CADENCE = "svc.renewal_payment", "11 6 * * *"
PERIODIC = ((EXPIRY_JOB, EXPIRY_CADENCE), (PAYMENT_JOB, PAYMENT_CADENCE))


@tenant_job(EXPIRY_JOB, timeout=3600)
def contract_expiry_job(job, *, as_of: str | None = None):
    """SVC-21 (daily)."""
    moment = moment_of(as_of)
    reminded = contracts.send_reminders(moment, people=People())
    expired = contracts.mark_expired(moment)
    return {"reminders": reminded, "expired": expired, "as_of": moment.isoformat()}


@tenant_job(PAYMENT_JOB, timeout=3600)
def renewal_payment_job(job, *, as_of: str | None = None):
    """SVC-22 (daily)."""
    moment = moment_of(as_of)
    return {"unpaid_alerts": contracts.alert_unpaid(moment, people=People()), "as_of": moment.isoformat()}
