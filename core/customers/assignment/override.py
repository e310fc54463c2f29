"""CUS-34: a manager sets the owner of a customer in scope, with a mandatory reason. The change is a
decision ``decided_by`` the manager that supersedes the decision of the current ownership (kept, never
deleted). Managers of the whole company (:data:`COMPANY_WIDE`) may override any customer; a department's
manager only customers owned in their department (or by nobody) and only to staff of their
department."""
from __future__ import annotations

from core.accounts.models import User
from core.customers import ownership_store
from core.customers import service as customers
from core.customers.assignment.facts import member_at, user_named
from core.customers.assignment.rules import manual_override
from core.customers.policy import cus_policy
from core.db import utcnow
from core.decisions import service as decisions
from core.errors import Forbidden, InvalidInput

COMPANY_WIDE = ("tenant_admin", "gm", "vp", "resource_director")


def override_owner(customer_id: int, owner_id: int | None, reason: str | None, manager: User):
    """Make ``owner_id`` the owner of ``customer_id`` (CUS-34). Returns the ownership change."""
    customer = customers.get_customer(customer_id)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["A reason is required for a manual override."]
    if owner_id is None:
        errors["owner_id"] = ["required"]
    if errors:
        raise InvalidInput("invalid manual override", fields=errors)
    owner = user_named(owner_id, "owner_id")
    row = ownership_store.current(customer.id)
    if not manager.has_role(*COMPANY_WIDE):
        department = manager.department_id
        if row is not None and row.owner_id is not None and row.department_id != department:
            raise Forbidden("customer outside your department", fields={"customer": [
                "This customer is owned in another department."]})
        if owner.department_id != department:
            raise Forbidden("owner outside your department", fields={"owner_id": [
                "The new owner is not in your department."]})
    previous = decisions.get(row.decision_id) if row is not None and row.decision_id else None
    now = utcnow()
    outcome = manual_override(customer.id, member_at(owner, now), reason=reason, decided_by=manager.id,
                              previous_owner_id=row.owner_id if row else None,
                              supersedes=previous.id if previous else None, label=customer.name)
    keep = row is not None and row.owner_id is not None and row.state != "unowned"
    return ownership_store.set_owner(
        customer.id, owner_id=owner.id, state=row.state if keep else "protected", until=row.until if keep else None,
        department_id=owner.department_id, at=now, rule_id="CUS-34", reason_zh=outcome.reason_zh,
        reason_en=outcome.reason_en, facts=dict(outcome.facts), outcome={"kind": "manual"},
        policy=cus_policy(now), decided_by=manager.id, supersedes=previous)
