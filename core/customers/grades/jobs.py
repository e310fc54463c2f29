"""Jobs of grades and key accounts: ``cus.ka_review`` (CUS-51, daily) and ``cus.grading_cycle``
(CUS-52, daily). Each takes the local day ``on`` (ISO date; default the tenant's today) and is
idempotent: the marks and tasks they write are natural keys, so a re-run does nothing twice."""
from __future__ import annotations

import datetime as dt

from core.customers.grades import service
from core.db import db
from workers.registry import tenant_job


def _day(on: str | None) -> dt.date:
    return dt.date.fromisoformat(on) if on else service.local_today()


@tenant_job("cus.ka_review")
def ka_review(job, on: str | None = None):
    """CUS-51: mark the customers that qualify as key accounts and are not marked yet."""
    result = service.review_key_accounts(_day(on), progress=job.progress)
    db.session.commit()
    return result


@tenant_job("cus.grading_cycle")
def grading_cycle(job, on: str | None = None):
    """CUS-52: formal-grading tasks of new customers, the annual window's tasks, the ungraded list."""
    result = service.open_grading_tasks(_day(on), progress=job.progress)
    db.session.commit()
    return result
