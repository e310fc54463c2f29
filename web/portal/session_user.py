"""The logged-in portal user. The session id is ``<tenant id>:<user id>``; a session of one tenant is
anonymous in every other tenant's portal."""
from __future__ import annotations

from flask import g
from flask_login import UserMixin
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.tenancy import current_tenant_id_or_none, tenant_scope


class PortalUser(UserMixin):
    def __init__(self, user: User):
        self.user = user
        self.tenant_id = user.tenant_id

    def get_id(self) -> str:
        return f"{self.user.tenant_id}:{self.user.id}"

    @property
    def is_active(self) -> bool:
        return self.user.is_active


def load(session_id: str) -> PortalUser | None:
    try:
        tenant_id, user_id = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    portal_tenant = g.get("tenant")
    if portal_tenant is not None and portal_tenant.id != tenant_id:
        return None
    scope_needed = current_tenant_id_or_none() != tenant_id
    if scope_needed:
        with tenant_scope(tenant_id):
            user = db.session.scalars(select(User).where(User.id == user_id)).first()
    else:
        user = db.session.scalars(select(User).where(User.id == user_id)).first()
    if user is None or not user.is_active:
        return None
    return PortalUser(user)
