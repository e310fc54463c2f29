"""Users as the confidentiality services need them: roles, holders of a role, department heads."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from core.accounts.models import Department, User, UserRole
from core.db import db
from core.errors import InvalidInput


def user(user_id: int, field: str = "user_id") -> User:
    found = db.session.scalars(select(User).where(User.id == user_id)).first()
    if found is None:
        raise InvalidInput("unknown user", fields={field: ["no such user in this tenant"]})
    return found


def holders(roles: Iterable[str]) -> list[int]:
    """Active users holding any of ``roles``."""
    roles = sorted(set(roles))
    if not roles:
        return []
    stmt = (select(UserRole.user_id).join(User, User.id == UserRole.user_id)
            .where(UserRole.role.in_(roles), User.is_active.is_(True)).distinct())
    return sorted(db.session.scalars(stmt))


def department_head(department_id: int | None) -> int | None:
    if department_id is None:
        return None
    return db.session.scalar(select(Department.head_user_id).where(Department.id == department_id))
