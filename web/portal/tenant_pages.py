"""What every portal page does first: take the tenant from the URL (``/t/<slug>/...``), refuse a tenant
that does not exist or is disabled (404), resolve the user inside that tenant, pick the language, and
check the CSRF token of every form. Attached to the core portal blueprint and to the blueprint that
holds the plugins' pages; the latter also answers 404 for a plugin the tenant has not enabled."""
from __future__ import annotations

import functools

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import refresh as babel_refresh
from flask_login import current_user

from core.plugins import get_plugins
from tenants.registry import find_tenant_by_slug
from web.requests import act_for

MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager")


def _pull_slug(endpoint, values):
    g.slug = (values or {}).pop("slug", None)


def _add_slug(endpoint, values):
    if "slug" not in values and g.get("slug"):
        values["slug"] = g.slug


def _enter_tenant():
    from web.portal import csrf

    tenant = find_tenant_by_slug(g.slug or "")
    if tenant is None or tenant.status != "active":
        abort(404)
    g.tenant = tenant  # before the user is loaded: a session of another tenant is anonymous here
    user = current_user.user if current_user.is_authenticated else None
    act_for(tenant, user)
    babel_refresh()  # the locale depends on this request's tenant and user
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def tenant_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under ``/t/<slug>`` whose pages run inside the tenant of their URL."""
    bp = Blueprint(name, import_name, url_prefix="/t/<slug>")
    bp.url_value_preprocessor(_pull_slug)
    bp.url_defaults(_add_slug)
    bp.before_request(_enter_tenant)
    return bp


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles):
    """Logged in and holding one of ``roles`` (403 otherwise)."""

    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not g.user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def plugin_pages_blueprint(pages) -> Blueprint:
    """The parent of every installed plugin's pages (records of ``kehu_portal_pages``), built per
    application. A request for a page of a plugin the tenant has not enabled answers 404, as if the
    page did not exist."""
    parent = tenant_blueprint("plugin_pages", __name__)
    owner = {page.blueprint.name: page.plugin for page in pages}

    @parent.before_request
    def _only_enabled_plugins():
        child = request.blueprints[0].split(".", 1)[1] if len(request.blueprints) > 1 else None
        plugin = owner.get(child.split(".", 1)[0]) if child else None
        if plugin is None or plugin not in get_plugins().for_tenant(g.tenant).enabled:
            abort(404)

    for page in pages:
        parent.register_blueprint(page.blueprint)
    return parent
