"""Jobs of the customer archive.

- ``cus.filing_reminders`` (daily 09:00 tenant time, working days only; CUS-04): reminds every overdue
  open filing once per local day and proposes a KPI deduction after ``reminders_before_penalty``
  reminders. The day is ``on`` (ISO date) when given, else the day of the periodic slot in the dedupe
  key (``cus.filing_reminders@2026-10-12T09:00+08:00``: a run delayed past midnight still reminds for
  its slot's day), else the tenant's today. A re-run on the same day adds nothing (one reminder row
  per filing and day, one proposal per filing).
"""
from __future__ import annotations

import datetime as dt
import re

from core.db import db
from workers.registry import tenant_job


@tenant_job("cus.filing_reminders")
def filing_reminders(job, *, on: str | None = None):
    from core.customers.archive import filing
    from core.policy.service import tenant_today

    slot = re.search(r"@(\d{4}-\d{2}-\d{2})T", job.dedupe_key or "")
    if on:
        day = dt.date.fromisoformat(on)
    elif slot:
        day = dt.date.fromisoformat(slot.group(1))
    else:
        day = tenant_today()
    stats = filing.send_reminders(day, progress=job.progress)
    db.session.commit()
    return stats
