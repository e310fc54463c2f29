"""Facts the assignment services load for the pure rules: staff as :class:`StaffMember` at a moment
(CAL-11 availability), the tenant's time zone, users named in a request, owned customers."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.models import User
from core.customers import ownership_store
from core.customers.assignment.rules import StaffMember
from core.customers.models import CustomerOwnership
from core.db import db, utcnow
from core.errors import InvalidInput
from core.tenancy import current_tenant_id

#: ownership states in which a customer is validly owned (CUS-20): its leads stay with the owner (CUS-32)
VALIDLY_OWNED = ("protected", "expiring", "locked")


def tenant_timezone() -> str:
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id()).timezone or "Asia/Shanghai"


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(ZoneInfo(tenant_timezone()))


def availability_at(user: User, at: dt.datetime | None = None) -> str:
    """CAL-11: the user's availability at ``at``; a state whose ``availability_until`` has passed is over
    (back on duty)."""
    at = at or utcnow()
    if user.availability_until is not None and user.availability_until <= at:
        return "on_duty"
    return user.availability or "on_duty"


def member_at(user: User, at: dt.datetime | None = None, *, in_scope: bool = True,
              at_capacity: bool = False) -> StaffMember:
    """The user as the CUS-30 eligibility rules see them at ``at``."""
    return StaffMember(user.id, user.display_name, availability_at(user, at), active=user.is_active,
                       in_scope=in_scope, at_capacity=at_capacity, department_id=user.department_id, team=user.team)


def users_named(ids: Iterable[int], field: str, *, active: bool = False) -> list[User]:
    """The users with ``ids`` in the given order; an unknown (or, with ``active``, inactive) one is a 422
    on ``field``; a user listed twice too."""
    ids = list(ids)
    if len(set(ids)) != len(ids):
        raise InvalidInput("a user is listed twice", fields={field: ["A user is listed twice."]})
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise InvalidInput("unknown user", fields={field: [f"No such user: {', '.join(map(str, unknown))}."]})
    if active:
        inactive = [i for i in ids if not found[i].is_active]
        if inactive:
            raise InvalidInput("inactive user", fields={field: [f"Inactive user: {', '.join(map(str, inactive))}."]})
    return [found[i] for i in ids]


def user_named(user_id: int, field: str, *, active: bool = False) -> User:
    return users_named([user_id], field, active=active)[0]


def owned_customer_ids(user_id: int) -> list[int]:
    """Customers ``user_id`` owns now, ascending."""
    return sorted(db.session.scalars(ownership_store.owned_by(user_id)))


def held_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Customers each user owns now (0 for none)."""
    ids = list(user_ids)
    counts = {i: 0 for i in ids}
    if ids:
        for owner in db.session.scalars(select(CustomerOwnership.owner_id).where(CustomerOwnership.owner_id.in_(ids))):
            counts[owner] += 1
    return counts
