"""Who is calling the API, for which tenant, with which scopes.

- ``Authorization: Bearer kh_...``: an API token; the tenant is the token's, never a header's.
- A portal session (same-origin pages polling job progress): read-only (GET/HEAD).
- ``/api/v1/platform/...``: a platform admin token ``kp_...``; no tenant is set there.
"""
from __future__ import annotations

import functools

from flask import Flask, abort, g, request
from flask_login import current_user

from core.accounts.service import load_live_token
from core.accounts.tokens import parse_token
from tenants.platform import resolve_platform_token
from tenants.registry import get_tenant
from web.requests import act_for, enter

PUBLIC_PATHS = {"/api/v1/openapi.json", "/api/v1/docs"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _authenticate():
    path = request.path
    if not path.startswith("/api/") or path in PUBLIC_PATHS:
        return None
    raw = _bearer()
    if path.startswith("/api/v1/platform/"):
        admin = resolve_platform_token(raw) if raw else None
        if admin is None:
            abort(401, description="platform admin token required")
        g.platform_admin = admin
        return None
    if raw:
        parsed = parse_token(raw)
        if parsed is None:
            abort(401, description="invalid, expired or revoked token")
        enter(parsed.tenant_id)  # the tenant named inside the token, and only that one
        token = load_live_token(parsed)
        if token is None:
            abort(401, description="invalid, expired or revoked token")
        if token.tenant.status != "active":
            abort(403, description="tenant is disabled")
        g.scopes = set(token.scopes)
        act_for(token.tenant, token.user, entered=True)
        return None
    if current_user.is_authenticated and request.method in READ_METHODS:
        user, tenant = current_user.user, get_tenant(current_user.tenant_id)
        g.scopes = {"read"}
        act_for(tenant, user)
        return None
    abort(401, description="authentication required")


def _check_scope():
    if g.get("tenant") is None:
        return None
    needed = "read" if request.method in READ_METHODS else "write"
    scopes = g.scopes
    granted = scopes if "admin" not in scopes else scopes | {"read", "write"}
    if "write" in granted:
        granted = granted | {"read"}
    if needed not in granted:
        abort(403, description=f"token lacks the '{needed}' scope")
    return None


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
    app.before_request(_check_scope)


def require_roles(*roles: str, admin_scope: bool = True):
    """The calling user must hold one of ``roles`` (and, for writes, an admin-scoped token when the
    role is tenant_admin). ``admin_scope=False`` for everyday writes that a tenant admin may make among
    other roles (e.g. creating customers): the role suffices, with the ordinary ``write`` scope."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = g.get("user")
            if user is None or not user.has_role(*roles):
                abort(403, description=f"needs role: {' or '.join(roles)}")
            if admin_scope and "tenant_admin" in roles and request.method not in READ_METHODS and "admin" not in g.scopes:
                abort(403, description="token lacks the 'admin' scope")
            return view(*args, **kwargs)

        return wrapper

    return decorate
