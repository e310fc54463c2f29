"""CUS-34: a manager's manual override of a customer's owner (mandatory reason, supersedes the
automatic decision)."""
from __future__ import annotations

from core.customers.assignment.rules.eligibility import Assignment
from core.customers.assignment.rules.outcomes import StaffMember
from core.errors import InvalidInput


def manual_override(customer_id: int, new_owner: StaffMember, *, reason: str, decided_by: int,
                    previous_owner_id: int | None = None, supersedes: int | None = None,
                    label: str = "") -> Assignment:
    """CUS-34: a manager sets the owner of a customer in scope. ``reason`` is mandatory (blank →
    :class:`~core.errors.InvalidInput`, 422); the new owner must be active. The outcome is a decision
    ``decided_by`` the manager that ``supersedes`` the previous decision (kept, never deleted)."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["A reason is required for a manual override."]
    if not new_owner.active:
        errors["owner"] = [f"{new_owner.label} is inactive."]
    if errors:
        raise InvalidInput("invalid manual override", fields=errors)
    reason = reason.strip()
    who = label or f"#{customer_id}"
    facts = {"customer": {"id": customer_id}, "previous_owner": previous_owner_id, "new_owner": new_owner.id,
             "decided_by": decided_by, "supersedes": supersedes, "reason": reason}
    zh = (f"经理（用户#{decided_by}）手动将客户{who}指定给{new_owner.label}，理由：{reason}。"
          f"此决定取代原自动决定（原决定保留）。依据CUS-34。")
    en = (f"A manager (user #{decided_by}) set the owner of customer {who} to {new_owner.label}; reason: {reason}. "
          f"This supersedes the automatic decision, which is kept. Under CUS-34.")
    return Assignment(rule_id="CUS-34", facts=facts, reason_zh=zh, reason_en=en, decided_by=decided_by,
                      supersedes=supersedes, customer_id=customer_id, staff_id=new_owner.id, kind="manual")
