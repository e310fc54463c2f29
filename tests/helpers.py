"""Helpers shared by the tests: tenant factory with users and tokens, API calls."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.accounts.service import create_user, issue_token
from core.audit.recorder import acting_as
from core.db import db
from core.tenancy import tenant_scope
from tenants.service import create_tenant

PASSWORD = "correct horse 9"


@dataclass
class TenantHandle:
    id: int
    slug: str
    name: str
    admin_id: int
    admin_token: str
    tokens: dict = field(default_factory=dict)

    def headers(self, token: str | None = None) -> dict:
        return {"Authorization": f"Bearer {token or self.admin_token}"}


class TenantFactory:
    def __init__(self, app):
        self.app = app

    def __call__(self, slug: str, name: str, industry: str = "generic", plugins=()) -> TenantHandle:
        from tenants.service import set_plugin

        tenant = create_tenant(slug, name, industry, admin={"username": "admin", "password": PASSWORD,
                                                             "display_name": f"{name}管理员"})
        for plugin in plugins:
            set_plugin(tenant, plugin, True)
        with tenant_scope(tenant.id), acting_as("test"):
            from core.accounts.service import find_user

            admin = find_user("admin")
            _token, raw = issue_token(admin, "test", ["read", "write", "admin"])
            handle = TenantHandle(tenant.id, slug, name, admin.id, raw)
            db.session.commit()
        return handle

    def user(self, handle: TenantHandle, username: str, roles=(), scopes=("read", "write"), password=PASSWORD):
        """A user of ``handle``'s tenant with a token; returns (user id, raw token)."""
        with tenant_scope(handle.id), acting_as("test"):
            user = create_user(username, username, password, roles=list(roles))
            _token, raw = issue_token(user, "test", list(scopes))
            db.session.commit()
            return user.id, raw


def policy_since(tenant_id: int, module: str, body: dict, effective_from) -> None:
    """A policy version of ``module`` in force since ``effective_from`` (a date string or date), as if it
    had been published back then: the spec's vectors are dated 2026, publishing refuses past dates."""
    import datetime as dt

    from core.policy import service as policy
    from core.policy.models import PolicyDocument

    day = dt.date.fromisoformat(effective_from) if isinstance(effective_from, str) else effective_from
    with tenant_scope(tenant_id), acting_as("test"):
        latest = len(policy.history(module))
        db.session.add(PolicyDocument(module=module, version=latest + 1, effective_from=day,
                                      body=policy.validate(module, body), note="test"))
        db.session.commit()
