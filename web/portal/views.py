"""Portal pages. Every page is rendered inside the tenant of its URL; a user of another tenant is
anonymous here, and a tenant that does not exist (or is disabled) answers 404."""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh as babel_refresh
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from core.accounts.models import User
from core.accounts.passwords import verify_password
from core.db import db, utcnow
from core.decisions import service as decisions
from core.plugins import get_plugins
from core.policy import service as policies
from tenants.registry import find_tenant_by_slug
from tenants.service import presets
from web.portal import LOCALES, csrf
from web.portal.localise import localise
from web.portal.session_user import PortalUser
from web.requests import act_for

bp = Blueprint("portal", __name__, url_prefix="/t/<slug>")
log = logging.getLogger("kehu.portal")


def landing():
    return render_template("portal/landing.html")


@bp.url_value_preprocessor
def _pull_slug(endpoint, values):
    g.slug = values.pop("slug", None)


@bp.url_defaults
def _add_slug(endpoint, values):
    if "slug" not in values and g.get("slug"):
        values["slug"] = g.slug


@bp.before_request
def _enter_tenant():
    tenant = find_tenant_by_slug(g.slug or "")
    if tenant is None or tenant.status != "active":
        abort(404)
    g.tenant = tenant
    user = current_user.user if current_user.is_authenticated else None
    act_for(tenant, user)
    babel_refresh()  # the locale depends on this request's tenant and user
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("portal.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles):
    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not g.user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


@bp.app_context_processor
def _portal_context():
    if g.get("tenant") is None:
        return {}
    from web.portal import select_locale

    locale = select_locale()
    relay = get_plugins().for_tenant(g.tenant)
    english = locale == "en"
    role_titles = {code: (r.title_en if english else localise(r.title_zh, locale))
                   for code, r in relay.records("kehu_roles").items()}
    preset = presets().get(g.tenant.industry)
    industry = (preset.title_en if english else localise(preset.title_zh, locale)) if preset else g.tenant.industry
    nav = []
    if g.get("user") is not None:
        items = relay.records("kehu_nav_items").values()
        for item in sorted(items, key=lambda i: (i.order, i.key)):
            if item.roles and not g.user.has_role(*item.roles):
                continue
            try:
                url = url_for(item.endpoint)
            except BuildError:
                log.warning("nav item %s points to unknown endpoint %s", item.key, item.endpoint)
                continue
            nav.append({"key": item.key, "title": item.title_en if english else localise(item.title_zh, locale),
                        "url": url})
    return {"nav": nav, "locale": locale, "locales": LOCALES, "role_titles": role_titles, "industry": industry,
            "zh": lambda text: localise(text, locale)}


@bp.get("/lang/<code>")
def switch_language(code):
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    if g.get("user") is not None:
        g.user.locale = code
        db.session.commit()
    target = request.args.get("next") or url_for("portal.home")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("portal.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        limiter = current_app.extensions["kehu_login_limiter"]
        address = request.remote_addr or "?"
        if limiter.blocked(g.tenant.id, username, address):
            error = _("Too many failed attempts. Try again in a few minutes.")
            return render_template("portal/login.html", error=error, username=username), 429
        user = db.session.scalars(select(User).where(User.username == username)).first()
        if user is not None and user.is_active and verify_password(user.password_hash, password):
            limiter.succeeded(g.tenant.id, username, address)
            user.last_login_at = utcnow()
            db.session.commit()
            session.clear()
            login_user(PortalUser(user))
            target = request.args.get("next") or ""
            if not target.startswith(f"/t/{g.tenant.slug}/"):
                target = url_for("portal.home")
            return redirect(target)
        limiter.failed(g.tenant.id, username, address)
        error = _("Wrong username or password.")
        return render_template("portal/login.html", error=error, username=username), 401
    return render_template("portal/login.html", error=error, username=username)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("portal.login"))


@bp.get("/")
@login_required
def home():
    return render_template("portal/home.html")


@bp.get("/policies", endpoint="policies")
@roles_required("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager")
def policies_page():
    modules = []
    for module, spec in sorted(policies.schemas().items()):
        view = policies.in_force(module)
        modules.append({"module": module, "spec": spec, "view": view, "history": policies.history(module)})
    return render_template("portal/policies.html", modules=modules)


@bp.get("/decisions", endpoint="decisions")
@roles_required("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager")
def decisions_page():
    rows = list(db.session.scalars(decisions.query(
        request.args.get("subject_type") or None,
        request.args.get("subject_id", type=int),
        request.args.get("rule_id") or None,
    ).limit(200)))
    return render_template("portal/decisions.html", decisions=rows)


@bp.get("/users", endpoint="users")
@roles_required("tenant_admin")
def users_page():
    users = list(db.session.scalars(select(User).order_by(User.id)))
    return render_template("portal/users.html", users=users)

