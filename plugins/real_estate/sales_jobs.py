"""The background jobs of sales control: ``re.hold_lapse`` every minute (RE-31)."""
from __future__ import annotations

import datetime as dt

from core.db import db
from core.plugins.records import PeriodicJob
from plugins.real_estate import holds
from workers.registry import tenant_job

HOLD_LAPSE = "re.hold_lapse"
#: the periodic jobs of sales control (one line in hooks.py ``kehu_periodic_jobs``)
PERIODIC = [PeriodicJob(HOLD_LAPSE, "* * * * *")]  # RE-31: lapsed holds back on sale within the minute


@tenant_job(HOLD_LAPSE, plugin="real_estate")
def hold_lapse(job, *, as_of: str | None = None):
    """RE-31: the holds past their expiry with no deposit lapse; their units are available again
    (``as_of``: an ISO instant, default now). Idempotent: a lapsed hold is not active any more."""
    lapsed = holds.lapse_due(dt.datetime.fromisoformat(as_of) if as_of else None)
    db.session.commit()
    return {"lapsed": lapsed}
