"""Who performs a role for a customer (CUS-61 visits, CMP-60 return visits) and who supervises someone (CUS-62/63 alerts, CMP-34 warnings).

- performer role ``agent``: the customer's owner now (``core.customers.ownership_store.current``);
- any other role: the first active user holding it in the owner's department or, walking up the
  department tree, its parents; else the first active user holding it anywhere in the tenant; else
  the head of the owner's department; else nobody (the visit is listed to managers as unassigned).
- :func:`supervisors_of` — a user's supervisors: the active supervisors of their department (or its
  parents), else the department head; never the user themself.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from core.accounts.models import Department, User, UserRole
from core.db import db

AGENT = "agent"


class People:
    """Look-ups for one job run or request: departments and role holders are read once."""

    def __init__(self):
        self._departments = {d.id: d for d in db.session.scalars(select(Department))}
        rows = db.session.execute(
            select(UserRole.role, User.id, User.department_id)
            .join(User, (User.id == UserRole.user_id) & (User.tenant_id == UserRole.tenant_id))
            .where(User.is_active.is_(True)).order_by(User.id))
        self._holders: dict[str, list[tuple[int, int | None]]] = {}
        for role, user_id, department_id in rows:
            self._holders.setdefault(role, []).append((user_id, department_id))
        self._user_department = {uid: dep for holders in self._holders.values() for uid, dep in holders}
        self._department_of = lru_cache(maxsize=None)(self._load_department)

    def _load_department(self, user_id: int) -> int | None:
        if user_id in self._user_department:
            return self._user_department[user_id]
        return db.session.scalar(select(User.department_id).where(User.id == user_id))

    def department_of(self, user_id: int | None) -> int | None:
        return None if user_id is None else self._department_of(user_id)

    def chain(self, department_id: int | None) -> list[int]:
        """The department and its parents, nearest first."""
        out, seen = [], set()
        while department_id is not None and department_id not in seen and department_id in self._departments:
            seen.add(department_id)
            out.append(department_id)
            department_id = self._departments[department_id].parent_id
        return out

    def head_of(self, department_id: int | None) -> int | None:
        department = self._departments.get(department_id) if department_id is not None else None
        return department.head_user_id if department else None

    def holders(self, role: str) -> list[tuple[int, int | None]]:
        return self._holders.get(role, [])

    def nearest_holders(self, role: str, department_id: int | None, excluded=()) -> list[int]:
        """Who holds ``role`` for a matter of ``department_id``: the holders in the nearest department of
        its chain; else every holder in the company; a department manager falls back to the nearest
        department head. Never the ``excluded`` (the next holder up is found instead)."""
        excluded = set(excluded or ())
        holders = [(uid, dep) for uid, dep in self.holders(role) if uid not in excluded]
        for dep_id in self.chain(department_id):
            found = [uid for uid, dep in holders if dep == dep_id]
            if found:
                return found
        if holders:
            return [uid for uid, _dep in holders]
        if role == "dept_manager":
            for dep_id in self.chain(department_id):
                head = self.head_of(dep_id)
                if head is not None and head not in excluded:
                    return [head]
        return []

    def performer(self, role: str, owner_id: int | None) -> int | None:
        """The user who performs ``role``'s visits to a customer owned by ``owner_id``."""
        if role == AGENT:
            return owner_id
        holders = self.holders(role)
        chain = self.chain(self.department_of(owner_id))
        for department_id in chain:
            for user_id, dep in holders:
                if dep == department_id:
                    return user_id
        if holders:
            return holders[0][0]
        return self.head_of(chain[0]) if chain else None

    def supervisors_of(self, user_id: int | None) -> list[int]:
        """The supervisors of ``user_id`` (see module doc)."""
        if user_id is None:
            return []
        chain = self.chain(self.department_of(user_id))
        supervisors = self.holders("supervisor")
        for department_id in chain:
            found = [uid for uid, dep in supervisors if dep == department_id and uid != user_id]
            if found:
                return found
        for department_id in chain:
            head = self.head_of(department_id)
            if head is not None and head != user_id:
                return [head]
        return []
