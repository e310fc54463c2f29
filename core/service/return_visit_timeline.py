"""The service return visits of a customer on its timeline (CUS-05, SVC-14): one item per visit made,
at its visit time, by its visitor — the customer's visit log of after-service calls and visits (the
order's page holds the rest)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from core.service import return_visit_rules as rules
from core.service.models import WorkOrder
from core.service.return_visit_models import ServiceReturnVisit


def _stmt(customer_id: int):
    return select(ServiceReturnVisit).where(ServiceReturnVisit.customer_id == customer_id,
                                            ServiceReturnVisit.state == "done")


def items(customer_id: int, limit: int) -> list[dict]:
    rows = list(db.session.execute(
        _stmt(customer_id).add_columns(WorkOrder.number)
        .join(WorkOrder, (WorkOrder.tenant_id == ServiceReturnVisit.tenant_id)
              & (WorkOrder.id == ServiceReturnVisit.order_id))
        .order_by(ServiceReturnVisit.visited_at.desc(), ServiceReturnVisit.id.desc()).limit(limit)))
    out = []
    for visit, number in rows:
        mode_zh = rules.MODE_ZH.get(visit.mode, visit.mode)
        result_zh = rules.OUTCOME_ZH.get(visit.outcome, visit.outcome)
        came = f"，上门人员：{visit.who_came}" if visit.who_came else ""
        came_en = f", technician: {visit.who_came}" if visit.who_came else ""
        out.append({"type": "service_return_visit", "at": visit.visited_at, "actor_id": visit.visitor_id,
                    "summary_zh": f"服务回访 工单{number}（{mode_zh}）：态度{visit.attitude}分，技术{visit.skill}分，"
                                  f"{result_zh}{came}",
                    "summary_en": f"Service return visit, order {number} ({visit.mode}): attitude {visit.attitude}, "
                                  f"skill {visit.skill}, {visit.outcome}{came_en}",
                    "source": "service_return_visits", "source_id": visit.id, "rule_id": "SVC-14"})
    return out


def count(customer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(_stmt(customer_id).subquery()))
