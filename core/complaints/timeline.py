"""The complaints of a customer on its timeline (CUS-05): one item per case, at its received time, with
number, type, category, severity and status (the case page holds its steps and decisions). A viewer
excluded from a case (CMP-21) does not see its item."""
from __future__ import annotations

from sqlalchemy import func, select

from core.complaints.models import Complaint
from core.db import db

TYPE_LABELS = {"inquiry": ("咨询", "Inquiry"), "suggestion": ("建议", "Suggestion"), "complaint": ("投诉", "Complaint"),
               "praise": ("表扬", "Praise"), "anomaly": ("异常处理单", "Anomaly report")}
STATUS_LABELS = {"received": ("已登记", "received"), "accepted": ("已受理", "accepted"),
                 "in_progress": ("处理中", "in progress"), "resolved": ("已解决", "resolved"),
                 "closed": ("已结案", "closed"), "rejected": ("不予受理", "rejected")}
SEVERITY_LABELS = {"general": ("一般", "general"), "important": ("重要", "important"), "major": ("重大", "major")}


def _stmt(customer_id: int):
    from core.complaints import exclusion

    stmt = select(Complaint).where(Complaint.customer_id == customer_id)
    viewer = exclusion.acting_user()
    if viewer is not None:  # CMP-21: the employee complained about never sees the case, here neither
        stmt = stmt.where(exclusion.not_excluded_condition(viewer))
    return stmt


def items(customer_id: int, limit: int) -> list[dict]:
    rows = db.session.scalars(_stmt(customer_id).order_by(Complaint.received_at.desc(), Complaint.id.desc())
                              .limit(limit))
    out = []
    for c in rows:
        kind_zh, kind_en = TYPE_LABELS.get(c.case_type, (c.case_type, c.case_type))
        state_zh, state_en = STATUS_LABELS.get(c.status, (c.status, c.status))
        sev_zh, sev_en = SEVERITY_LABELS.get(c.severity, (c.severity, c.severity))
        out.append({"type": "complaint", "at": c.received_at, "actor_id": c.received_by,
                    "summary_zh": f"{kind_zh} {c.number}（{c.category}，{sev_zh}，{state_zh}）",
                    "summary_en": f"{kind_en} {c.number} ({c.category}, {sev_en}, {state_en})",
                    "source": "complaints", "source_id": c.id})
    return out


def count(customer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(_stmt(customer_id).subquery()))
