"""The one way the visit tests give a customer a tier (CUS-50): a manual change in the grades module,
made by the tenant admin and approved by a general manager (created when the tenant has none).
Call inside the tenant's scope."""
from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User, UserRole
from core.accounts.service import create_user
from core.customers.grades.service import set_manual_tier
from core.db import db


def _user_with(role: str, username: str) -> int:
    found = db.session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role == role).order_by(User.id)).first()
    return found if found is not None else create_user(username, username, roles=[role]).id


def set_tier(customer_id: int, tier: str, scheme: str = "grade") -> None:
    approver = _user_with("gm", "tier-approver")
    grader = _user_with("tenant_admin", "tier-grader")
    set_manual_tier(customer_id, scheme, tier=tier, reason="测试评级", approver_id=approver, decided_by=grader)
