"""Periodic jobs of confidentiality, lending and retention (DOMAIN.md §13). Each runs for one tenant,
computes what is due as of the tenant's local time (``as_of``: an ISO instant, default now) and is
idempotent: a re-run in the same slot or day changes nothing more.

- ``cus.loan_overdue`` (daily 09:00): overdue loans → reminders, late fines and bans (CUS-73).
- ``cus.declassify`` (daily 00:20): secrecy periods ended → declassified unless extended (CUS-71).
- ``cus.archive_inspection`` (daily 00:15; creates a task only on a period's first run, 01-01 and
  07-01 by default, or later the same period if a day was missed): custody inspections (CUS-75).
- ``cus.retention_queue`` (daily 02:00): records past retention → destruction queue (CUS-07).
"""
from __future__ import annotations

import datetime as dt

from core.customers.confidentiality import custody, lending, secrecy
from core.customers.confidentiality.viewer import unrestricted
from core.db import utcnow
from workers.registry import tenant_job

PERIODIC = (
    ("cus.loan_overdue", "4 9 * * *"),
    ("cus.declassify", "22 0 * * *"),
    ("cus.archive_inspection", "17 0 * * *"),
    ("cus.retention_queue", "14 2 * * *"),
)


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    at = dt.datetime.fromisoformat(as_of)
    if at.tzinfo is None:
        raise ValueError("as_of needs a time zone")
    return at


@tenant_job("cus.loan_overdue")
def loan_overdue(job, as_of: str | None = None):
    with unrestricted("job cus.loan_overdue"):
        return lending.overdue_sweep(_as_of(as_of), progress=job.progress)


@tenant_job("cus.declassify")
def declassify(job, as_of: str | None = None):
    with unrestricted("job cus.declassify"):
        return secrecy.declassify_due(_as_of(as_of), progress=job.progress)


@tenant_job("cus.archive_inspection")
def archive_inspection(job, as_of: str | None = None):
    with unrestricted("job cus.archive_inspection"):
        task = custody.open_inspection(_as_of(as_of))
        return {"created": task.id if task else None}


@tenant_job("cus.retention_queue")
def retention_queue(job, as_of: str | None = None):
    with unrestricted("job cus.retention_queue"):
        return custody.queue_expired(_as_of(as_of), progress=job.progress)
