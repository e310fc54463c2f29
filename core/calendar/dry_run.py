"""Dry-run of a ``cal`` draft: the open deadlines of every kind (complaints, work orders, ...) computed
again from their original start on the DRAFT calendar (CAL-09), compared with their due times now.

These changes apply: the nightly ``cal.recompute_open_deadlines`` computes open deadlines on the
calendar in force, so once the draft is in force the clocks still open move as shown (computed here as
of now; a clock due before the draft's effective date will be met or breached first). Breached and
paused clocks are left alone, as the recompute does."""
from __future__ import annotations

from core.calendar.policy import calendar_from_policy
from core.policy.dry_run import Change, evaluator
from core.sla import dry_run as clocks
from core.sla.engine import label_zh


def _tenant_timezone() -> str:
    from core.tenancy import current_tenant_id
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id()).timezone


def _labels(rows) -> dict[tuple[str, int], str]:
    """How people know the subjects: the number of a complaint or a work order."""
    from sqlalchemy import select

    from core.complaints.models import Complaint
    from core.db import db
    from core.service.models import WorkOrder

    out: dict[tuple[str, int], str] = {}
    for subject_type, model in (("complaint", Complaint), ("work_order", WorkOrder)):
        ids = {row.subject_id for row in rows if row.subject_type == subject_type}
        if ids:
            for subject_id, number in db.session.execute(select(model.id, model.number).where(model.id.in_(ids))):
                out[(subject_type, subject_id)] = number
    return out


@evaluator("cal")
def open_deadlines(current, draft: dict, now) -> list[Change]:
    rows = clocks.open_milestones(now)
    if not rows:
        return []
    base = calendar_from_policy(draft, timezone=_tenant_timezone())
    calendars: dict = {}
    pauses = clocks.pauses_of(rows)
    labels = _labels(rows)
    changes = []
    for row in rows:
        if row.department not in calendars:
            calendars[row.department] = base.for_department(row.department) if row.department else base
        calendar = calendars[row.department]
        due, _source = clocks.due_under(row, calendar, pauses.get((row.subject_type, row.subject_id), []))
        if due.utc == row.due_at:
            continue
        before = calendar.local(row.due_at)
        name = labels.get((row.subject_type, row.subject_id), f"{row.subject_type} {row.subject_id}")
        changes.append(Change(
            row.subject_type, row.subject_id, name, "CAL-09", before, due.at,
            f"工作日历变更：{label_zh(row.code).strip()}期限（{row.duration}）自{before:%Y-%m-%d %H:%M}改为"
            f"{due.at:%Y-%m-%d %H:%M}",
            f"calendar changed: the {row.code} deadline ({row.duration}) moves from {before:%Y-%m-%d %H:%M} to "
            f"{due.at:%Y-%m-%d %H:%M}",
            what=row.code, applies=True))
    return changes
