"""Jobs of ownership and protection: the CUS-25 sweep (periodic, every 10 minutes, registered by the core
plugin's ``kehu_periodic_jobs``)."""
from __future__ import annotations

import datetime as dt

from core.customers.ownership import clock, sweep
from workers.registry import tenant_job

SWEEP = "cus.ownership_sweep"
CADENCE = "3-59/10 * * * *"  # every 10 minutes, off the :x0 ticks (see core_plugin)


@tenant_job(SWEEP)
def ownership_sweep(job, *, as_of: str | None = None):
    """Warnings and expiry actions due as of ``as_of`` (ISO time with offset; default now)."""
    moment = dt.datetime.fromisoformat(as_of) if as_of else clock.now()
    if moment.tzinfo is None:
        raise ValueError("as_of needs a time zone")
    return sweep.run(moment, progress=job.progress)
