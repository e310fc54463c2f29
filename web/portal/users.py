"""Portal pages: the tenant's users (tenant administrator): list, create, change roles, department,
availability (CAL-11), password, switch off."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts import service
from core.accounts.models import AVAILABILITY, Department, User
from core.db import db
from core.errors import KehuError
from core.plugins import get_plugins
from web.api.accounts import UserSchema, UserUpdateSchema
from web.portal import select_locale
from web.portal.forms import Form
from web.portal.paging import paginate
from web.portal.tenant_pages import roles_required

bp = Blueprint("users", __name__, url_prefix="/users")


def _choices() -> dict:
    roles = get_plugins().for_tenant(g.tenant).records("kehu_roles")
    departments = list(db.session.scalars(select(Department).order_by(Department.name)))
    labels = {"on_duty": _("On duty"), "off_duty": _("Off duty"), "leave": _("On leave"),
              "company_business": _("On company business"), "with_customer": _("With a customer")}
    return {"roles": sorted(roles), "departments": [(d.id, d.name) for d in departments],
            "availability": [(code, labels.get(code, code)) for code in AVAILABILITY]}


def _blank_to_none(values: dict, *names) -> dict:
    return {k: (None if k in names and v == "" else v) for k, v in values.items()}


@bp.get("")
@roles_required("tenant_admin")
def index():
    query = select(User).order_by(User.id)
    q = (request.args.get("q") or "").strip()
    if q:
        query = query.where(User.username.ilike(f"%{q}%") | User.display_name.ilike(f"%{q}%"))
    role = request.args.get("role") or ""
    if role:
        query = query.where(User.role_rows.any(role=role))
    page = paginate(query)
    return render_template("portal/users/index.html", page=page, users=page.items, q=q, role=role, **_choices())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("tenant_admin")
def new():
    form = Form.posted() if request.method == "POST" else Form()
    if request.method == "POST":
        values = _blank_to_none(form.values, "email", "phone")
        values["roles"] = request.form.getlist("roles")
        try:
            data = UserSchema().load(values)
            user = service.create_user(data["username"], data["display_name"], data.get("password"),
                                       roles=data["roles"], email=data.get("email"), phone=data.get("phone"),
                                       region=g.tenant.region)
            db.session.commit()
        except (KehuError, ValidationError) as err:
            db.session.rollback()
            form.fail(err, select_locale())
            return render_template("portal/users/form.html", form=form, user=None,
                                   chosen=values["roles"], **_choices()), 422
        flash(_("User %(name)s created.", name=user.display_name), "ok")
        return redirect(url_for("portal.users.edit", user_id=user.id))
    return render_template("portal/users/form.html", form=form, user=None, chosen=[], **_choices())


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required("tenant_admin")
def edit(user_id):
    user = service.get_user(user_id)
    if request.method == "GET":
        form = Form(values={"display_name": user.display_name, "email": user.email or "", "phone": user.phone or "",
                            "department_id": user.department_id or "", "team": user.team or "",
                            "availability": user.availability, "is_active": "1" if user.is_active else ""})
        return render_template("portal/users/form.html", form=form, user=user, chosen=user.roles, **_choices())
    form = Form.posted()
    values = _blank_to_none(form.values, "email", "phone", "department_id", "team")
    values["roles"] = request.form.getlist("roles")
    values["is_active"] = bool(request.form.get("is_active"))
    if not values.get("password"):
        values.pop("password", None)
    try:
        data = UserUpdateSchema().load(values)
        service.update_user(user, **data)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return render_template("portal/users/form.html", form=form, user=service.get_user(user_id),
                               chosen=values["roles"], **_choices()), 422
    flash(_("Saved."), "ok")
    return redirect(url_for("portal.users.edit", user_id=user.id))
