"""Which tenants have timers due: the fan-out's filter for sweeps that run every minute.

A timer source is a tenant table with a ``next_check_at`` column, the next instant its sweep has work
for a row (a warning, a breach, an escalation step, an acknowledgement limit). :func:`tenants_due`
answers, for all tenants at once, which tenants have a row of each source due by a moment: on
PostgreSQL by the SECURITY DEFINER function ``kehu_tenants_with_due_timers`` (tenant ids only, the
application role cannot read other tenants' rows; migration 0024), elsewhere by a query outside any
tenant scope. A periodic job declared with ``only_when_due=<source>`` is enqueued only for those
tenants, so a platform of 10,000 quiet tenants costs one indexed query a minute, not 10,000 jobs.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import column, select, table, text

from core.db import UTCDateTime, db

#: source → the table whose ``next_check_at`` says when its sweep has work (keep in step with the
#: PostgreSQL function of migration 0024)
SOURCES = {
    "sla": "sla_milestones",  # CMP-31..34, CMP-40, SVC-07: core.sla.sweep
    "major": "complaint_major_tracks",  # CMP-42: core.complaints.major.watch
}


def tenants_due(sources, at: dt.datetime) -> dict[str, set[int]]:
    """``{source: tenant ids with a timer of that source due at or before at}`` for ``sources``."""
    wanted = sorted(set(sources))
    found: dict[str, set[int]] = {source: set() for source in wanted}
    if not wanted:
        return found
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text("select source, tenant_id from kehu_tenants_with_due_timers(:at)"), {"at": at})
    else:
        from core.tenancy import unscoped

        with unscoped("fan-out: which tenants have timers due (ids only)"):
            rows = []
            for source in wanted:
                t = table(SOURCES[source], column("tenant_id"), column("next_check_at", UTCDateTime()))
                stmt = select(t.c.tenant_id).distinct().where(t.c.next_check_at <= at)
                rows.extend((source, tenant_id) for tenant_id in db.session.scalars(stmt))
    for source, tenant_id in rows:
        if source in found:
            found[source].add(tenant_id)
    return found
