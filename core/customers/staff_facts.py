"""Employees as the pure customer rules see them: :class:`~core.customers.ownership.facts.Staff`
(names in reasons) and :class:`~core.customers.assignment.rules.StaffMember` (eligibility, CUS-30),
loaded from the tenant's users (department, team, availability, active flag)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from core.accounts.models import User
from core.customers.assignment.rules import StaffMember
from core.customers.ownership.facts import Staff
from core.db import db


def users_by_id(user_ids: Iterable[int]) -> dict[int, User]:
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def staff(user: User) -> Staff:
    """For the reasons of a decision: the display name (zh) and username (en)."""
    return Staff(user.id, user.display_name, user.username, str(user.department_id) if user.department_id else None)


def staff_member(user: User, *, in_scope: bool = True, at_capacity: bool = False) -> StaffMember:
    """For eligibility (CUS-30): active flag and CAL-11 availability."""
    return StaffMember(user.id, user.display_name, user.availability or "on_duty", active=user.is_active,
                       in_scope=in_scope, at_capacity=at_capacity, department_id=user.department_id,
                       team=user.team)


def department_users(department_id: int | None, *, active_only: bool = True) -> list[User]:
    """The users of a department, by id (``None``: users without a department)."""
    stmt = select(User).where(User.department_id == department_id if department_id is not None
                              else User.department_id.is_(None)).order_by(User.id)
    if active_only:
        stmt = stmt.where(User.is_active.is_(True))
    return list(db.session.scalars(stmt))
