"""Portal pages. Every page is rendered inside the tenant of its URL; a user of another tenant is
anonymous here, and a tenant that does not exist (or is disabled) answers 404."""
from __future__ import annotations

import logging

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from core.accounts.models import User
from core.accounts.passwords import verify_password
from core.db import db, utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision
from web.portal import LOCALES
from web.portal.decision_access import may_see
from web.portal.paging import paginate
from web.portal.session_user import PortalUser
from web.portal.tenant_pages import MANAGERS, login_required, tenant_blueprint

bp = tenant_blueprint("portal", __name__)
log = logging.getLogger("kehu.portal")
_mounted: set[str] = set()


def mount_parts(parts) -> None:
    """Hang the portal's parts (one blueprint per module) under this one, once per process."""
    for part in parts:
        if part.name not in _mounted:
            bp.register_blueprint(part)
            _mounted.add(part.name)


def local_target(target: str | None) -> str:
    """Where to go after logging in or switching the language: a page of this tenant's portal, never
    another site: anything else, and any backslash or control character (browsers drop tabs and read a
    backslash as a slash), goes to the home page."""
    prefix = f"/t/{g.tenant.slug}/"
    target = target or ""
    if not target.startswith(prefix) or any(c == "\\" or ord(c) < 32 for c in target):
        return url_for("portal.home")
    return target


def landing():
    return render_template("portal/landing.html")


@bp.get("/lang/<code>")
def switch_language(code):
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    if g.get("user") is not None:
        g.user.locale = code
        db.session.commit()
    return redirect(local_target(request.args.get("next")))


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
            return redirect(local_target(request.args.get("next")))
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
    from web.portal import home_page

    return home_page.render()


@bp.get("/decisions", endpoint="decisions")
@login_required
def decisions_page():
    """The decision log, filtered by subject and rule: the decisions about one subject for whoever may
    open it; the whole log for managers, less the decisions about subjects they may not open (a case they
    are excluded from, a customer they may not see), which are left out of the page and counted."""
    subject_type = request.args.get("subject_type") or None
    subject_id = request.args.get("subject_id", type=int)
    if subject_id is not None and subject_type is not None:
        if not may_see(g.user, subject_type, subject_id):
            abort(403)
    elif not g.user.has_role(*MANAGERS):
        abort(403)
    query = decisions.query(subject_type, subject_id, request.args.get("rule_id") or None)
    page = paginate(query)
    seen: dict[tuple, bool] = {}
    for d in page.items:
        key = (d.subject_type, d.subject_id)
        if key not in seen:
            seen[key] = may_see(g.user, *key)
    shown = [d for d in page.items if seen[(d.subject_type, d.subject_id)]]
    return render_template("portal/decisions.html", page=page, decisions=shown, hidden=len(page.items) - len(shown),
                           subject_type=subject_type, subject_id=subject_id)


@bp.get("/decisions/<int:decision_id>", endpoint="decision")
@login_required
def decision_page(decision_id):
    """One decision: the rule, the policy version it was made under, the facts, the outcome, the reason."""
    found = decisions.get(decision_id)
    if not may_see(g.user, found.subject_type, found.subject_id):
        abort(403)
    superseded_by = db.session.scalars(select(Decision).where(Decision.supersedes_id == found.id)).first()
    return render_template("portal/decision.html", d=found, superseded_by=superseded_by)
