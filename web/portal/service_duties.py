"""Portal pages: recurring duties (SVC-30, SVC-32) and inspection checklists (SVC-31).

- ``portal.service_duties.index`` ``/service/duties``: the duties by code with their latest period (orders
  generated, due days, done of required), the periods that ended short ("1 of 2", the missed-duty alerts)
  and the checklist templates.
- ``portal.service_duties.new`` ``/service/duties/new``: set a duty up (POST ``/service-duties``).
- ``portal.service_duties.show`` ``/service/duties/<duty_id>``: the duty with its periods, their orders
  (links to the work orders) and due days, the outcome and its "why?"; switch it off or on (PATCH
  ``active``).
- ``portal.service_duties.template`` ``/service/duties/templates/<checklist_template_id>``: a checklist
  template's items and the inspections recorded with it, their damaged items and repair orders.

Views call the services the API calls (``web/api/service_duties.py``) with its schemas and roles.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts.models import Department, User
from core.db import db
from core.decisions.models import Decision
from core.errors import KehuError
from core.plugins import get_plugins
from core.service import checklists, duties, order_types
from core.service.duties_models import ServiceDuty, ServiceDutyRun
from core.service.duties_settings import KINDS, PERIODS
from core.service.models import WorkOrder
from web.api.service_duties import DUTY_MANAGERS, SvcDutyInSchema, SvcDutyPatchSchema
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form, refusal_status
from web.portal.localise import localise
from web.portal.lookups import visible_customer
from web.portal.paging import paginate
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("service_duties", __name__, url_prefix="/service/duties")

NEW_FIELDS = ("code", "title", "kind", "site", "building", "asset_class", "customer_id", "work_order_type",
              "at_least", "period", "evidence", "responsible_user_id", "responsible_role", "department_id",
              "active", "starts_on")
#: the roles offered as the responsible manager (every holder is told of a shortfall)
RESPONSIBLE_ROLES = ("dept_manager", "supervisor", "cs_manager", "gm")


def labels() -> dict:
    return {
        "periods": {"day": _("per day"), "week": _("per week"), "month": _("per month"), "quarter": _("per quarter"),
                    "half_year": _("per half year"), "year": _("per year")},
        "kinds": {"work_order": _("Work orders generated"), "survey": _("Customer surveys counted")},
        "runs": {"generated": _("Orders generated"), "failed": _("Generation failed"), "met": _("Done"),
                 "missed": _("Missed (short of the number)"), "skipped": _("Skipped (switched off)")},
        "sources": {"manual": _("Set up here"), "policy": _("From the policy preset")},
    }


@visible_to("service_duty")
def _duty_visible(user, subject_id: int) -> bool:
    """As the API: every user of the company may read its duties (``GET /service-duties/<id>``)."""
    return db.session.scalar(select(ServiceDuty.id).where(ServiceDuty.id == subject_id)) is not None


# ------------------------------------------------------------------------------------------ helpers


def done_text(run) -> str:
    """"1 of 2": what was done of what was required, once the period was counted."""
    if run.done is None:
        return ""
    return _("%(done)s of %(required)s", done=run.done, required=run.required)


def missed_runs(limit: int = 20) -> list[tuple]:
    """The latest periods that ended short: (run, duty), newest first (the missed-duty alerts)."""
    return list(db.session.execute(select(ServiceDutyRun, ServiceDuty).join(
        ServiceDuty, ServiceDuty.id == ServiceDutyRun.duty_id).where(ServiceDutyRun.state == "missed")
        .order_by(ServiceDutyRun.period_end.desc(), ServiceDutyRun.id.desc()).limit(limit)).all())


def latest_runs(duty_ids) -> dict:
    """Per duty: its latest period."""
    out: dict = {}
    if not duty_ids:
        return out
    for run in db.session.scalars(select(ServiceDutyRun).where(ServiceDutyRun.duty_id.in_(list(duty_ids)))
                                  .order_by(ServiceDutyRun.period_start)):
        out[run.duty_id] = run
    return out


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _role_options() -> list[tuple[str, str]]:
    """The roles offered as the responsible manager, with their titles (``kehu_roles``)."""
    locale = select_locale()
    roles = get_plugins().for_tenant(g.tenant).records("kehu_roles")
    return [(code, roles[code].title_en if locale == "en" else localise(roles[code].title_zh, locale))
            for code in RESPONSIBLE_ROLES if code in roles]


def _type_options() -> list[tuple[str, str]]:
    locale = select_locale()
    return [(code, t.title_en if locale == "en" else localise(t.title_zh, locale))
            for code, t in order_types.tenant_types().items()]


def duty_body(values: dict) -> dict:
    """The body of ``POST /service-duties`` from the form: blank boxes left out, the evidence one per comma,
    numbers as typed (the schema names a bad one), the checkbox ``active``."""
    body = {}
    for name in NEW_FIELDS:
        raw = values.get(name)
        if isinstance(raw, str) and raw.strip():
            body[name] = raw.strip()
    for name in ("at_least", "customer_id", "responsible_user_id", "department_id"):
        if name in body and body[name].isdigit():
            body[name] = int(body[name])
    body["evidence"] = [e.strip() for e in body.get("evidence", "").replace("，", ",").split(",") if e.strip()]
    body["active"] = values.get("active") not in (None, "", "0", "false")
    return body


# ------------------------------------------------------------------------------------------ list


@bp.get("")
@login_required
def index():
    """The duties, the periods that ended short, the checklist templates."""
    shown = {"active": request.args.get("active") or ""}
    active = {"1": True, "0": False}.get(shown["active"])
    page = paginate(duties.search(active=active))
    templates = list(db.session.scalars(checklists.templates()))
    missed = missed_runs()
    return render_template(
        "portal/service_duties/index.html", page=page, shown=shown, filter_args={k: v for k, v in shown.items() if v},
        latest=latest_runs([d.id for d in page.items]), missed=missed, templates=templates, done_text=done_text,
        names=_names(d.responsible_user_id for d in page.items), labels=labels(),
        types=dict(_type_options()), may_manage=g.user.has_role(*DUTY_MANAGERS))


# ------------------------------------------------------------------------------------------ new


def _render_new(form: Form, status: int = 200):
    users = [(str(u.id), u.display_name) for u in db.session.scalars(
        select(User).where(User.is_active.is_(True)).order_by(User.display_name))]
    departments = [(str(d.id), d.name) for d in db.session.scalars(select(Department).order_by(Department.name))]
    customer = visible_customer(form.value("customer_id"))
    return render_template("portal/service_duties/new.html", form=form, shown_fields=NEW_FIELDS, labels=labels(),
                           type_options=_type_options(), users=users, departments=departments, customer=customer,
                           periods=PERIODS, kinds=KINDS, role_options=_role_options()), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*DUTY_MANAGERS)
def new():
    """Set a duty up: at least N per period for a scope (SVC-30): POST ``/service-duties``."""
    if request.method == "GET":
        return _render_new(Form(values={"kind": "work_order", "period": "month", "at_least": "1", "active": "1",
                                        "responsible_role": "dept_manager"}))
    form = Form.posted()
    try:
        data = SvcDutyInSchema().load(duty_body(form.values))
        if data["customer_id"] is not None and visible_customer(data["customer_id"]) is None:
            raise ValidationError({"customer_id": [_("No customer you may see has this number.")]})
        duty = duties.create_duty(data, by=g.user.id)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _render_new(form, 422)
    flash(_("Duty %(code)s saved: its orders are generated at the start of each period.", code=duty.code), "ok")
    return redirect(url_for(".show", duty_id=duty.id))


# ------------------------------------------------------------------------------------------ the duty


def _render_duty(duty, status: int = 200, message: str | None = None):
    runs = duties.runs_of(duty)[:24]
    order_ids = [i for run in runs for i in (run.order_ids or [])]
    orders = {o.id: o for o in db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(order_ids)))} \
        if order_ids else {}
    decision_ids = {i for run in runs for i in (run.generation_decision_id, run.check_decision_id) if i}
    decisions = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))} \
        if decision_ids else {}
    department = db.session.scalars(select(Department).where(Department.id == duty.department_id)).first() \
        if duty.department_id else None
    return render_template(
        "portal/service_duties/show.html", duty=duty, runs=runs, orders=orders, decisions=decisions,
        customer=visible_customer(duty.customer_id) if duty.customer_id else None, department=department,
        names=_names([duty.responsible_user_id]), labels=labels(), types=dict(_type_options()),
        done_text=done_text, message=message, may_manage=g.user.has_role(*DUTY_MANAGERS)), status


@bp.get("/<int:duty_id>")
@login_required
def show(duty_id: int):
    return _render_duty(duties.get_duty(duty_id))


@bp.post("/<int:duty_id>/active")
@login_required
def switch(duty_id: int):
    """Switch the duty off (no new period, no alert for the current one) or on again: PATCH ``active``."""
    duty = duties.get_duty(duty_id, for_update=True)
    if not g.user.has_role(*DUTY_MANAGERS):
        abort(403)
    form = Form.posted()
    try:
        data = SvcDutyPatchSchema().load({"active": form.value("active") == "1"})
        duties.update_duty(duty, data)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        status = refusal_status(err)
        form.fail(err, select_locale())
        return _render_duty(duties.get_duty(duty_id), status, form.message)
    flash(_("Duty switched on.") if duty.active else _("Duty switched off."), "ok")
    return redirect(url_for(".show", duty_id=duty_id))


# ------------------------------------------------------------------------------------------ checklists


@bp.get("/templates/<int:checklist_template_id>")
@login_required
def template(checklist_template_id: int):
    """A checklist template and the inspections recorded with it (SVC-31)."""
    found = checklists.get_template(checklist_template_id)
    page = paginate(checklists.search(template_id=found.id))
    items = {c.id: checklists.items_of(c) for c in page.items}
    repair_ids = [i.repair_order_id for rows in items.values() for i in rows if i.repair_order_id]
    repairs = {o.id: o for o in db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(repair_ids)))} \
        if repair_ids else {}
    return render_template("portal/service_duties/template.html", template=found, page=page, items=items,
                           repairs=repairs, names=_names(c.inspector_id for c in page.items))
