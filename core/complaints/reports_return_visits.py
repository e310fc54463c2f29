"""The return-visit rate of the complaint reports (CMP-80 "return-visit rate", fed by CMP-60..62).

One GROUP BY over the return-visit decisions (:class:`~core.complaints.return_visit_models.VisitSelection`)
of the cases resolved in the period: eligible = resolved complaints that are not exempt (anonymous and
written-reply-only cases leave the denominator, CMP-61); visited = those whose visit after resolution
(visit number 1) is done. Returns ``{"eligible": n, "visited": n, "rate": r}`` (``rate`` a fraction,
None when nothing was eligible).
"""
from __future__ import annotations

import datetime as dt
from sqlalchemy import and_, case, func, select

from core.complaints.reports_rules import ratio
from core.complaints.return_visit_models import ReturnVisit, VisitSelection
from core.db import db


def return_visit_rate(start: dt.datetime, end: dt.datetime) -> dict:
    """Visited ÷ eligible resolved cases resolved in [start, end)."""
    visited_first = and_(ReturnVisit.tenant_id == VisitSelection.tenant_id,
                         ReturnVisit.complaint_id == VisitSelection.complaint_id,
                         ReturnVisit.number == 1, ReturnVisit.state == "done")
    row = db.session.execute(
        select(func.count(VisitSelection.id),
               func.count(case((ReturnVisit.id.is_not(None), 1))))
        .select_from(VisitSelection).outerjoin(ReturnVisit, visited_first)
        .where(VisitSelection.outcome.in_(("selected", "not_selected")),
               VisitSelection.resolved_at >= start, VisitSelection.resolved_at < end)).one()
    eligible, visited = int(row[0] or 0), int(row[1] or 0)
    return {"eligible": eligible, "visited": visited, "rate": ratio(visited, eligible)}
