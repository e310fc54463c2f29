"""CMP-12 repeat complaints (二次投诉) at intake: the earlier complaints of the customer's household
(CUS-14) are read and judged by :func:`core.complaints.repeat_rules.repeat_of`; a repeat is marked on the
case (``is_repeat``, ``repeat_of_id``) with a decision naming the effects the tenant set
(``cmp.repeat.effects``: ``major`` makes it a CMP-11 criterion; ``penalty`` is for the staff ledger)."""
from __future__ import annotations

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.complaints import repeat_rules as rules
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.db import db
from core.decisions import service as decisions

SUBJECT = "complaint"


def facts_of(case: Complaint) -> rules.CaseFacts:
    ended = case.closed_at or (case.resolved_at if case.status in ("resolved", "closed") else None)
    return rules.CaseFacts(case.id, case.received_at, case.category, case.subject_ref, case.status, ended)


def household_of(customer_id: int, at) -> list[int]:
    from core.customers.ownership import households
    from core.customers.policy import cus_policy

    members, _links = households.household(customer_id, cus_policy(at).values)
    return members


def detect(complaint: Complaint) -> rules.RepeatFinding | None:
    """Mark ``complaint`` a repeat when it is one; returns the finding."""
    from core.complaints.service import log_event

    if complaint.case_type != "complaint" or complaint.customer_id is None:
        return None
    view = cmp_policy(complaint.received_at)
    window = view.values["repeat"]["window"]
    members = household_of(complaint.customer_id, complaint.received_at)
    earlier = list(db.session.scalars(select(Complaint).where(
        Complaint.customer_id.in_(members), Complaint.case_type == "complaint", Complaint.id != complaint.id,
        Complaint.received_at <= complaint.received_at)))
    calendar, _ = tenant_calendar(complaint.received_at)
    finding = rules.repeat_of(facts_of(complaint), [facts_of(c) for c in earlier], calendar, window)
    if finding is None:
        return None
    first = next(c for c in earlier if c.id == finding.earlier_id)
    complaint.is_repeat = True
    complaint.repeat_of_id = first.id
    on_zh = "同一类别" if finding.matched_on == "category" else "同一事项"
    when_zh = "尚未结案" if finding.earlier_open else f"结案后{window}内（至{finding.window_through}）"
    when_en = "still open" if finding.earlier_open else f"within {window} of its end (through {finding.window_through})"
    effects = view.values["repeat"]["effects"]
    decision = decisions.record(
        "CMP-12", SUBJECT, complaint.id, policy=view,
        outcome={"is_repeat": True, "repeat_of_id": first.id, "effects": effects},
        facts={"customer_id": complaint.customer_id, "household": members, "earlier": first.number,
               "earlier_received_at": first.received_at, "earlier_status": first.status,
               "earlier_ended_at": facts_of(first).ended_at, "matched_on": finding.matched_on, "window": str(window)},
        reason_zh=f"客户（含家庭成员）曾就{on_zh}投诉（{first.number}），{when_zh}再次投诉，属二次投诉",
        reason_en=f"the customer (household) complained about the same {finding.matched_on.replace('_', ' ')} "
                  f"in case {first.number}, {when_en}: a repeat complaint")
    log_event(complaint, "repeat_detected", by=None, at=complaint.received_at, decision_id=decision.id,
              data={"repeat_of_id": first.id, "repeat_of": first.number, "effects": effects})
    return finding
