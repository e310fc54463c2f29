"""The ``cmp.major_watch`` job (DOMAIN.md §13): every minute off the :x0/:x5 ticks, the acknowledgement
(1 hour) and group warning (24 hours) limits of major complaints (CMP-42), run "as of" a moment
(default now) and idempotent (:func:`core.complaints.major.watch`)."""
from __future__ import annotations

import datetime as dt

from core.complaints import major
from core.db import utcnow
from workers.registry import tenant_job

#: every minute except :x0 and :x5 (the lost-job recovery ticks)
CADENCE = "1-4,6-9,11-14,16-19,21-24,26-29,31-34,36-39,41-44,46-49,51-54,56-59 * * * *"


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    moment = dt.datetime.fromisoformat(as_of)
    if moment.tzinfo is None:
        raise ValueError("as_of needs its time zone offset, e.g. 2026-06-19T11:00:00+08:00")
    return moment


@tenant_job("cmp.major_watch")
def major_watch(job, *, as_of: str | None = None):
    """CMP-42 acknowledgement and group warning limits."""
    moment = _as_of(as_of)
    return {**major.watch(moment), "as_of": moment.isoformat()}
