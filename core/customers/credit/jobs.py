"""Job ``cus.credit_evaluation`` (CUS-96, monthly on the 1st): opens the previous month's
limit-execution evaluation for every customer with a limit; idempotent (one per customer and month)."""
from __future__ import annotations

import datetime as dt

from core.customers.credit import service
from core.customers.grades.service import local_today
from core.db import db
from workers.registry import tenant_job


@tenant_job("cus.credit_evaluation")
def credit_evaluation(job, on: str | None = None):
    result = service.open_evaluations(dt.date.fromisoformat(on) if on else local_today(), progress=job.progress)
    db.session.commit()
    return result
