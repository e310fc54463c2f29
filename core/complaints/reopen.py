"""CMP-54 reopen: when the customer does not accept the conclusion, a new case linked to the original
(``parent_id``) is opened with the original's facts, a fresh number and a fresh clock from the moment
of reopening. A reopen is not a repeat complaint (CMP-12): the new case is never marked as one. (The
other way — moving the same case up the ladder — is CMP-41, :mod:`core.complaints.authority`.)
"""
from __future__ import annotations

import datetime as dt

from core.complaints import service
from core.complaints.models import Complaint
from core.decisions import service as decisions
from core.errors import Conflict

#: the facts a reopened case takes over from its parent (what the customer said and about whom)
CARRIED = ("case_type", "channel", "category", "cause", "timing", "cause_class", "severity", "severity_reason",
           "complainant_name", "complainant_phone", "anonymous", "customer_id", "subject_ref", "demands",
           "demand_amount", "accused_user_id", "witnesses", "evidence", "complainant_signed", "special",
           "special_reason", "extra", "tags")


def reopen(parent: Complaint, *, reason: str, by: int | None, at: dt.datetime, region: str = "CN") -> Complaint:
    """The new case (see module doc); 409 while the parent is still open or was rejected."""
    if parent.status not in ("resolved", "closed"):
        raise Conflict(f"a {parent.status} case is not reopened: it is still being handled, or was rejected")
    data = {key: getattr(parent, key) for key in CARRIED}
    # CMP-21: whoever was kept out of the parent is kept out of the child from intake (owner, handler)
    data.update(received_at=at, parent_id=parent.id, excluded_user_ids=list(parent.excluded_user_ids or []),
                content=f"{reason.strip()}\n\n（重开 reopened: {parent.number}）{parent.content}"[:10000])
    child = service.create_complaint(data, by=by, region=region)
    decision = decisions.record(
        "CMP-54", service.SUBJECT, child.id, policy=None,
        outcome={"parent_id": parent.id, "parent_number": parent.number, "repeat": False, "number": child.number},
        facts={"parent_status": parent.status, "reopened_at": at, "reason": reason},
        reason_zh=f"客户不接受投诉 {parent.number} 的处理结论，重开为新投诉 {child.number}（重新计时，不计为二次投诉）",
        reason_en=f"the customer does not accept the conclusion of {parent.number}: reopened as {child.number} "
                  "with a fresh clock (not a repeat complaint)")
    service.log_event(child, "reopened_from", by=by, at=at, note=reason, decision_id=decision.id,
                      data={"parent_id": parent.id, "parent_number": parent.number})
    service.log_event(parent, "reopened", by=by, at=at, note=reason, decision_id=decision.id,
                      data={"child_id": child.id, "child_number": child.number})
    return child
