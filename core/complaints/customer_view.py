"""CMP-51 what the customer may see of a case: the customer-facing fields only. Internal handling
(notes, the employee complained about, witnesses, evidence, root cause, approvals, decisions, penalty
notes) is never shown or exported to the customer; the solution and compensation only once the
customer has been told them (a final reply) and, where an approval is required, approved.

A whitelist: a column added to the case later stays internal until it is named here.
"""
from __future__ import annotations

from core.complaints.models import Complaint

CUSTOMER_FIELDS = (
    "id", "number", "case_type", "channel", "received_at", "status", "category", "complainant_name", "subject_ref",
    "content", "demands", "demand_amount", "customer_reply_at", "reply_text", "reply_method", "replied_at",
    "resolved_at", "closed_at", "satisfaction", "satisfaction_comment", "customer_confirmed",
)


def customer_view(complaint: Complaint, parent_number: str | None = None) -> dict:
    """The case as the customer sees it (see module doc)."""
    view = {name: getattr(complaint, name) for name in CUSTOMER_FIELDS}
    told = complaint.replied_at is not None and complaint.approval_status in (None, "not_required", "approved")
    view["solution"] = complaint.solution if told else None
    view["compensation"] = complaint.compensation if told else None
    view["parent_number"] = parent_number
    return view
