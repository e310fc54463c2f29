"""Jobs of assignment: ``cus.redistribute`` applies a planned redistribution of a leaver's customers
(CUS-33, CUS-35). It takes the run id only; the plan (seed, shuffle, new owners) is stored with the run,
so a retry or a duplicate run gives the same result and applies nothing twice."""
from __future__ import annotations

from core.customers.assignment.redistribution import JOB, apply_run
from workers.registry import tenant_job


@tenant_job(JOB)
def redistribute_customers(job, *, run_id: int | None = None):
    """Give each planned customer of run ``run_id`` to its new owner, reporting progress."""
    if run_id is None:
        return {"applied": 0, "skipped": 0}
    return apply_run(int(run_id), progress=job.progress)
