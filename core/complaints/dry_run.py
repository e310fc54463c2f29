"""Dry-run of a ``cmp`` draft: the deadlines of the open complaints under the draft's SLA settings
(CMP-30/31/32), compared with the due times they run to now.

A case keeps the ``cmp`` version it was received under (CMP-37), so these are comparisons: what the
draft would give the same case received today; cases received from the draft's effective date on get
it. Clocks fixed with the customer (CMP-36) and paused clocks are left out."""
from __future__ import annotations

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.complaints import deadlines_rules as rules
from core.complaints.deadlines import case_facts
from core.complaints.models import OPEN_STATUSES, Complaint
from core.db import db
from core.policy.dry_run import Change, evaluator
from core.sla import dry_run as clocks
from core.sla.engine import label_zh


def _draft_spec(draft: dict, facts: rules.CaseFacts, row):
    """The draft's clock for ``row``'s code: started at intake, at its stage, or the overall limit."""
    code = row.code
    if code.startswith(rules.STAGE_PREFIX):
        stage, _dot, sub = code[len(rules.STAGE_PREFIX):].partition(".")
        return rules.stage_spec(draft, stage, sub or None)
    if code == "overall":
        overall = draft["sla"].get("overall")
        if overall is None:
            return None
        found = [s for s in rules.specs_for_event(draft, facts, overall["start"], department=overall.get("department"),
                                                  stage=overall.get("stage")) if s.code == "overall"]
        return found[0] if found else None
    specs = {s.code: s for s in rules.specs_for_event(draft, facts, "received")}
    return specs.get(code)


@evaluator("cmp")
def complaint_deadlines(current, draft: dict, now) -> list[Change]:
    rows = [row for row in clocks.open_milestones(now, "complaint") if clocks.computed_by_policy(row)]
    if not rows:
        return []
    cases = {c.id: c for c in db.session.scalars(select(Complaint).where(
        Complaint.id.in_({row.subject_id for row in rows}), Complaint.status.in_(OPEN_STATUSES)))}
    pauses = clocks.pauses_of(rows)
    calendars: dict = {}
    changes = []
    for row in rows:
        case = cases.get(row.subject_id)
        if case is None:
            continue
        spec = _draft_spec(draft, case_facts(case, draft), row)
        if row.department not in calendars:
            calendars[row.department] = tenant_calendar(now, row.department)[0]
        calendar = calendars[row.department]
        before = calendar.local(row.due_at)
        name_zh = label_zh(row.code).strip()
        if spec is None:
            changes.append(Change(
                "complaint", case.id, case.number, row.rule_id, before, None,
                f"按草案，{name_zh}期限不再设置（原{before:%Y-%m-%d %H:%M}到期）",
                f"under the draft the case runs no {row.code} clock (now due {before:%Y-%m-%d %H:%M})",
                what=row.code, applies=False))
            continue
        due, _source = clocks.due_under(row, calendar, pauses.get(("complaint", case.id), []), spec.duration)
        if due.utc == row.due_at:
            continue
        changes.append(Change(
            "complaint", case.id, case.number, spec.rule_id, before, due.at,
            f"{name_zh}期限：自{calendar.local(row.start_at):%Y-%m-%d %H:%M}起由{row.duration}改为{spec.duration}，"
            f"到期时间自{before:%Y-%m-%d %H:%M}变为{due.at:%Y-%m-%d %H:%M}",
            f"{row.code} deadline: {spec.duration} instead of {row.duration} from "
            f"{calendar.local(row.start_at):%Y-%m-%d %H:%M}, due {due.at:%Y-%m-%d %H:%M} instead of "
            f"{before:%Y-%m-%d %H:%M}",
            what=row.code, applies=False))
    return changes
