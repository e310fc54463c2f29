"""Jobs of events and invitations.

``cus.event_list_check`` (nightly, 21:00 tenant time; CUS-82/83): the lists due by now that are
missing or came late — one CUS-82 decision each, the ¥10 fine of the head for a daily list, a
notification — and the customers confirmed by two departments of an upcoming event, reported to the
arbiter. Idempotent: a list is judged once (its row keeps the decision), notifications have dedupe
keys, so a re-run of the same slot, a retry or a later run changes nothing already done.
"""
from __future__ import annotations

import datetime as dt

from core.db import db, utcnow
from workers.registry import tenant_job


@tenant_job("cus.event_list_check")
def event_list_check(job, *, as_of: str | None = None, event_id: int | None = None) -> dict:
    """Check as of ``as_of`` (ISO time with zone; default now), all events in a window or ``event_id``."""
    from core.customers.events.service import check_lists

    when = dt.datetime.fromisoformat(as_of) if as_of else utcnow()
    if when.tzinfo is None:
        raise ValueError("as_of needs a time zone")
    summary = check_lists(when, event_id=event_id, progress=job.progress)
    db.session.commit()
    return summary
