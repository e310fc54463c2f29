"""Work orders on the customer's timeline (CUS-05, SVC-13): one ``work_order`` item per order, at its
request time, with number, type and state; one ``service_record`` item per service record, at its
time, with the order's number and the record's summary (the order page holds the steps, swaps,
feedback and decisions)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from core.service import order_types, states
from core.service.field_models import WorkOrderRecord
from core.service.models import WorkOrder

TYPES = ("work_order", "service_record")


def _clip(text: str | None, n: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _orders(customer_id: int):
    return select(WorkOrder).where(WorkOrder.customer_id == customer_id)


def _records(customer_id: int):
    return (select(WorkOrderRecord, WorkOrder.number)
            .join(WorkOrder, (WorkOrder.id == WorkOrderRecord.order_id) & (WorkOrder.tenant_id == WorkOrderRecord.tenant_id))
            .where(WorkOrder.customer_id == customer_id))


def items(customer_id: int, types: frozenset, limit: int) -> list[dict]:
    out = []
    if "work_order" in types:
        kinds = order_types.tenant_types()
        for o in db.session.scalars(_orders(customer_id).order_by(WorkOrder.requested_at.desc(), WorkOrder.id.desc())
                                    .limit(limit)):
            wo_type = kinds.get(o.type)
            type_zh, type_en = (wo_type.title_zh, wo_type.title_en) if wo_type else (o.type, o.type)
            state_zh, state_en = states.STATE_LABELS.get(o.status, (o.status, o.status))
            out.append({"type": "work_order", "at": o.requested_at, "actor_id": o.requested_by,
                        "summary_zh": f"{type_zh}工单 {o.number}（{state_zh}）",
                        "summary_en": f"{type_en} order {o.number} ({state_en})",
                        "source": "work_orders", "source_id": o.id})
    if "service_record" in types:
        rows = db.session.execute(_records(customer_id).order_by(WorkOrderRecord.recorded_at.desc(),
                                                                 WorkOrderRecord.id.desc()).limit(limit))
        for r, number in rows:
            out.append({"type": "service_record", "at": r.recorded_at, "actor_id": r.recorded_by,
                        "summary_zh": f"服务记录 {number}：{_clip(r.summary)}",
                        "summary_en": f"Service record {number}: {_clip(r.summary)}",
                        "source": "work_order_records", "source_id": r.id, "rule_id": "SVC-13"})
    return out


def count(customer_id: int, types: frozenset) -> int:
    total = 0
    if "work_order" in types:
        total += db.session.scalar(select(func.count()).select_from(_orders(customer_id).subquery()))
    if "service_record" in types:
        total += db.session.scalar(select(func.count()).select_from(_records(customer_id).subquery()))
    return total
