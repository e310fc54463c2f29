"""CMP-23: the customer's owning salesperson / account manager is told when a case of their customer
comes in and at each change of its state — to know, not to handle it.

:func:`notify_owner` is called by :func:`core.complaints.service.log_event` for the kinds in
:data:`STATE_CHANGE_KINDS`, so every area's state changes notify without code of its own. Nobody is
told of their own act, and an employee excluded from the case (CMP-21) is never told.
"""
from __future__ import annotations

from core.complaints.models import Complaint, ComplaintEvent

#: history kinds that are a change of the case's state (log them under these names)
STATE_CHANGE_KINDS = ("received", "accepted", "rejected", "in_progress", "resolved", "closed", "reopened")
_KIND_ZH = {"received": "已受理登记", "accepted": "已受理", "rejected": "不予受理", "in_progress": "处理中",
            "resolved": "已解决", "closed": "已结案", "reopened": "已重新打开"}


def notify_owner(complaint: Complaint, event: ComplaintEvent) -> None:
    from core.customers import ownership_store
    from core.notifications.service import notify

    if complaint.customer_id is None or event.kind not in STATE_CHANGE_KINDS:
        return
    row = ownership_store.current(complaint.customer_id)
    owner = row.owner_id if row else None
    if owner is None or owner == event.by or owner in (complaint.excluded_user_ids or []):
        return
    notify([owner], kind="cmp.customer_case", rule_id="CMP-23", subject_type="complaint", subject_id=complaint.id,
           dedupe_key=f"CMP-23:{complaint.id}:{event.id}",
           title_zh=f"您的客户的投诉 {complaint.number}：{_KIND_ZH[event.kind]}",
           title_en=f"Case {complaint.number} of your customer: {event.kind.replace('_', ' ')}",
           body_zh=f"{complaint.content[:200]}（仅供知悉，不需处理）",
           body_en="For your information: you are not its handler.")
