"""Service records (SVC-13): every handled request leaves a record — a summary and the fields its type
(and, for remote and on-site service, its service kind ``data.service_kind``) requires — which moves
the completed order to ``recorded`` and appears on the customer's timeline (:mod:`core.service.timeline`).

The fields required are :func:`core.service.field_rules.record_fields_for` under the ``svc`` version the
order was requested under: ``svc.record_fields`` by type or ``type.service_kind``, else the type's own
``record_fields`` and the SVC-13 / PRE-15 remote record kinds (a ``remote_service`` order with
``service_kind = report_issue`` needs report name, question, analysis and solution). None of these
commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.customers.fact_time import fact_time
from core.db import db
from core.errors import InvalidInput
from core.service import field_rules, order_types, orders
from core.service.field_models import WorkOrderRecord
from core.service.models import WorkOrder


def required_fields(order: WorkOrder) -> list[str]:
    """The fields the service record of ``order`` must fill (SVC-13)."""
    wo_type = order_types.tenant_types().get(order.type)
    setting = orders.order_policy(order).values["record_fields"]
    kind = (order.data or {}).get("service_kind")
    return field_rules.record_fields_for(order.type, wo_type.record_fields if wo_type else (),
                                         str(kind) if kind else None, setting)


def record(order: WorkOrder, *, summary: str, fields: dict | None, by: int | None,
           at: dt.datetime | None = None) -> WorkOrderRecord:
    """Record the service of a completed order (SVC-13): 409 when it is not completed (SVC-02), 422
    naming ``summary`` or each missing ``fields.<name>``; then the order is ``recorded``."""
    at = fact_time(at, "at")
    orders.require_move(order, "recorded")
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = ["say what was done"]
    if order.completed_at is not None and at < order.completed_at:
        errors["at"] = ["before the order was completed"]
    required = required_fields(order)
    errors.update(field_rules.record_errors(required, fields))
    if errors:
        raise InvalidInput("the service record is incomplete", fields=errors, rule_id="SVC-13", required=required)
    row = WorkOrderRecord(order_id=order.id, summary=summary.strip(), fields=json_safe(fields or {}),
                          required=required, recorded_at=at, recorded_by=by, policy_version=order.policy_version)
    db.session.add(row)
    db.session.flush()
    orders.move(order, "recorded", by=by, at=at, data={"record_id": row.id})
    from core.service.return_visits import on_recorded

    on_recorded(order, at)  # SVC-14: on to the return visit, or closed when none is due
    return row


def records_of(order: WorkOrder) -> list[WorkOrderRecord]:
    return list(db.session.scalars(select(WorkOrderRecord).where(WorkOrderRecord.order_id == order.id)
                                   .order_by(WorkOrderRecord.recorded_at, WorkOrderRecord.id)))
