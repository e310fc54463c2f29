"""Jobs of the customer archive.

- ``cus.filing_reminders`` (daily 09:00 tenant time, working days only; CUS-04): reminds every overdue
  open filing once per local day and proposes a KPI deduction after ``reminders_before_penalty``
  reminders. ``on`` (ISO date) runs it as of another day; by default it is the tenant's today. A re-run
  on the same day adds nothing (one reminder row per filing and day, one proposal per filing).
"""
from __future__ import annotations

import datetime as dt

from core.db import db
from workers.registry import tenant_job


@tenant_job("cus.filing_reminders")
def filing_reminders(job, *, on: str | None = None):
    from core.customers.archive import filing
    from core.policy.service import tenant_today

    day = dt.date.fromisoformat(on) if on else tenant_today()
    stats = filing.send_reminders(day, progress=job.progress)
    db.session.commit()
    return stats
