"""Set-based queries of the service reports (SVC-40): each section is one or a few GROUP BYs over the
tenant's work orders, their history, deadlines and fees (never a query per order); the figures derived
from the counts are computed by the pure functions of :mod:`core.service.reports_rules`, whose module
text states the counting rules the SQL here implements.

Every query goes through the ORM entities, so the tenant's criteria apply to every table, joins and
subqueries included (and row-level security on PostgreSQL): a report never reads another tenant.
Instants are aware UTC datetimes; rows come back as plain dicts.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from core.accounts.models import User
from core.db import db
from core.service.fees_models import ServiceFee
from core.service.models import OPEN_STATES, WorkOrder, WorkOrderEvent
from core.sla.models import SlaMilestone

SUBJECT = "work_order"


def _rows(stmt) -> list[dict]:
    return [dict(row) for row in db.session.execute(stmt).mappings()]


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def _moves(event, at: dt.datetime):
    """The steps of an order's history that set its state (intake and moves; a refused move does not)."""
    return and_(event.to_state.is_not(None), event.kind != "vetoed", event.at <= at)


def states_at(at: dt.datetime):
    """Each order's state at ``at`` (its last move by then), as a subquery (order_id, state)."""
    e = aliased(WorkOrderEvent, name="move")
    later = aliased(WorkOrderEvent, name="later_move")
    newer = exists().where(later.order_id == e.order_id, _moves(later, at),
                           or_(later.at > e.at, and_(later.at == e.at, later.id > e.id)))
    return select(e.order_id, e.to_state.label("state")).where(_moves(e, at), ~newer).subquery("state_at")


def overdue_at(at: dt.datetime):
    """1 when one of the order's deadlines was breached by ``at``, or was due before ``at`` and not met
    by then (a cancelled deadline is not owed); else 0."""
    m = SlaMilestone
    late = (select(m.id).where(
        m.subject_type == SUBJECT, m.subject_id == WorkOrder.id,
        or_(and_(m.breached_at.is_not(None), m.breached_at <= at),
            and_(m.state != "cancelled", m.due_at < at, or_(m.met_at.is_(None), m.met_at > at))))
        .exists())
    return case((late, 1), else_=0)


def open_orders(at: dt.datetime) -> list[dict]:
    """Orders open at ``at`` per (type, technician = the current assignee), with the overdue ones."""
    state = states_at(at)
    inner = (select(WorkOrder.type, WorkOrder.assignee_id, overdue_at(at).label("overdue"))
             .join(state, state.c.order_id == WorkOrder.id)
             .where(state.c.state.in_(OPEN_STATES))
             .subquery("open_orders"))
    who = aliased(User, name="technician")
    return _rows(select(inner.c.type, inner.c.assignee_id.label("technician_id"),
                        who.display_name.label("technician"), func.count().label("open"),
                        func.sum(inner.c.overdue).label("overdue"))
                 .outerjoin(who, who.id == inner.c.assignee_id)
                 .group_by(inner.c.type, inner.c.assignee_id, who.display_name))


def on_time(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[dict]:
    """Per milestone code: the orders' deadlines due in (start, min(end, as_of)] — a deadline "through
    09-30" is due at 09-30 24:00, in September; cancelled ones are not owed — and how many were met on
    time (by the due time) or late (after it, by ``as_of``)."""
    m = SlaMilestone
    until = min(end, as_of)
    met = and_(m.met_at.is_not(None), m.met_at <= as_of)
    return _rows(select(m.code.label("milestone"), func.count().label("due"),
                        _flag(and_(met, m.met_at <= m.due_at)).label("met_on_time"),
                        _flag(and_(met, m.met_at > m.due_at)).label("met_late"))
                 .join(WorkOrder, WorkOrder.id == m.subject_id)
                 .where(m.subject_type == SUBJECT, m.state != "cancelled", m.due_at > start, m.due_at <= until)
                 .group_by(m.code))


def _fee_columns(as_of: dt.datetime) -> tuple:
    f = ServiceFee
    live = f.state != "void"
    remitted = and_(live, f.remitted_at.is_not(None), f.remitted_at <= as_of)
    on_time_ = and_(remitted, f.remitted_at <= f.remit_due_at)
    outstanding = and_(live, or_(f.remitted_at.is_(None), f.remitted_at > as_of))
    overdue = and_(outstanding, f.remit_due_at <= as_of)
    out = []
    for name, condition in (("collected", live), ("remitted", remitted), ("remitted_on_time", on_time_),
                            ("outstanding", outstanding), ("overdue", overdue), ("void", f.state == "void")):
        out += [_flag(condition).label(f"{name}_count"),
                func.sum(case((condition, f.amount), else_=0)).label(f"{name}_amount")]
    out += [func.sum(case((live, f.amount_parts), else_=0)).label("parts_amount"),
            func.sum(case((live, f.amount_labour), else_=0)).label("labour_amount")]
    return tuple(out)


def fees(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> tuple[dict, list[dict], dict]:
    """Fees collected in [start, end) as known at ``as_of``: in total and per collector; and the fees
    remitted in [start, min(end, as_of)] whenever they were collected."""
    f = ServiceFee
    in_period = and_(f.collected_at >= start, f.collected_at < end, f.collected_at <= as_of)
    total = _rows(select(*_fee_columns(as_of)).where(in_period))[0]
    who = aliased(User, name="collector")
    per_collector = _rows(select(f.collector_id, who.display_name.label("collector"), *_fee_columns(as_of))
                          .outerjoin(who, who.id == f.collector_id)
                          .where(in_period).group_by(f.collector_id, who.display_name))
    remitted = _rows(select(func.count().label("count"), func.sum(f.amount).label("amount"))
                     .where(f.state == "remitted", f.remitted_at >= start, f.remitted_at < end,
                            f.remitted_at <= as_of))[0]
    return total, per_collector, remitted


def requested_by_type_state(start: dt.datetime, end: dt.datetime, at: dt.datetime) -> list[dict]:
    """Orders requested in [start, end) per type and their state at ``at`` (the end of the period, or
    now if earlier)."""
    state = states_at(at)
    return _rows(select(WorkOrder.type, state.c.state, func.count().label("orders"))
                 .join(state, state.c.order_id == WorkOrder.id)
                 .where(WorkOrder.requested_at >= start, WorkOrder.requested_at < end)
                 .group_by(WorkOrder.type, state.c.state))


def completions(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(type, requested_at, completed_at) of the orders completed in [start, min(end, as_of)]."""
    return [tuple(row) for row in db.session.execute(
        select(WorkOrder.type, WorkOrder.requested_at, WorkOrder.completed_at)
        .where(WorkOrder.completed_at >= start, WorkOrder.completed_at < end, WorkOrder.completed_at <= as_of))]


def cancellations(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[dict]:
    return _rows(select(WorkOrder.type, func.count().label("orders"))
                 .where(WorkOrder.status == "cancelled", WorkOrder.cancelled_at >= start, WorkOrder.cancelled_at < end,
                        WorkOrder.cancelled_at <= as_of)
                 .group_by(WorkOrder.type))
