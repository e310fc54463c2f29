"""Request lifecycle: request id, tenant and actor context, access log."""
from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, request

from core.audit import recorder
from core.customers.confidentiality.viewer import Viewer, enter_viewer, leave_viewer
from core.tenancy.context import enter_tenant, leave_tenant

log = logging.getLogger("kehu.access")

# The portal's pages: scripts only from Kehu's own files (no inline script, nothing fetched from elsewhere),
# never framed by another site, forms only posted back to Kehu.
PORTAL_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def enter(tenant_id: int) -> None:
    """Enter a tenant for the rest of this request (undone at teardown)."""
    if g.get("_tenant_token") is None:
        g._tenant_token = enter_tenant(tenant_id)


def act_for(tenant, user=None, actor: str | None = None, entered: bool = False) -> None:
    """Make the rest of this request run as ``tenant`` (and ``user``); undone at teardown."""
    g.tenant = tenant
    g.user = user
    if not entered:
        g._tenant_token = enter_tenant(tenant.id)
    label = actor or (f"user:{user.id}" if user is not None else "anonymous")
    g._actor_token = recorder._actor.set((label, user.id if user is not None else None))
    # CUS-70: what this user may see of the customers (a change never rides on a view-only grant)
    g._viewer_token = enter_viewer(Viewer.of(user, writing=request.method not in ("GET", "HEAD", "OPTIONS")))


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
        g.started = time.perf_counter()
        g.tenant = None
        g.user = None
        # the user is resolved anew for every request, inside the tenant of its URL (g outlives a
        # request when an application context was already pushed, e.g. by a CLI command or a test)
        for cached in ("_login_user", "csrf_token"):  # Flask-Login's user, Flask-WTF's token
            g.pop(cached, None)

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.path.startswith("/t/"):
            response.headers.update(PORTAL_HEADERS)
        if app.config.get("KEHU_ACCESS_LOG", False):
            log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"request_id": g.get("request_id"), "path": request.path, "status": response.status_code,
                       "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)},
            )
        return response

    @app.teardown_request
    def _leave(_exc):
        viewer_token = g.pop("_viewer_token", None)
        if viewer_token is not None:
            leave_viewer(viewer_token)
        actor_token = g.pop("_actor_token", None)
        if actor_token is not None:
            recorder._actor.reset(actor_token)
        tenant_token = g.pop("_tenant_token", None)
        if tenant_token is not None:
            leave_tenant(tenant_token)
