"""Portal pages: Complaints (投诉) — the service desk's list, the intake form and the case page with
its step forms. Every page calls the services the REST API calls (``web/api/complaints*.py``) with the
API's input schemas; a case another tenant owns, or one the user is excluded from (CMP-21), is 404.

- ``portal.complaints.index`` ``GET /complaints`` — cases by nearest deadline (mine/team/all, stage,
  category, overdue), 25 a page.
- ``portal.complaints.new`` ``GET/POST /complaints/new`` — intake (``POST /complaints``); with
  ``action=find`` the customer search runs and the form comes back with everything typed.
- ``portal.complaints.show`` ``GET /complaints/<complaint_id>`` — the case page.
- ``portal.complaints.step_<name>`` ``POST /complaints/<complaint_id>/<name>`` — one step of
  ``complaints_steps.STEPS``; ``portal.complaints.visit_record`` / ``visit_visitor`` — a return visit.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import load_only
from werkzeug.routing import BuildError

from core.complaints import exclusion, return_visits, service
from core.complaints.models import Complaint
from core.complaints.return_visit_models import ReturnVisit, VisitIssue
from core.customers import service as customers
from core.db import db
from core.errors import KehuError
from web.api.complaint_aftercare import (
    ARRANGERS,
    VISIT_STAFF,
    CmpVisitorInSchema,
    CmpVisitRecordInSchema,
)
from web.api.complaints import TAKERS, ComplaintInSchema, case_for
from web.portal import select_locale
from web.portal.complaints_case import (
    SCOPES,
    STAGES,
    case_page,
    categories,
    intake_options,
    list_query,
    next_clocks,
    user_names,
)
from web.portal.complaints_labels import labels_of
from web.portal.complaints_rules import as_input, refusal
from web.portal.complaints_steps import FIELDS, STEPS
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.lookups import visible_customer
from web.portal.paging import paginate
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
# the columns the list shows: a page of 25 cases reads these, not every JSON column of the case
LIST_COLUMNS = (Complaint.id, Complaint.number, Complaint.case_type, Complaint.status, Complaint.category,
                Complaint.severity, Complaint.complainant_name, Complaint.anonymous, Complaint.owner_id,
                Complaint.handler_id, Complaint.received_at)

INTAKE_TIMES = ("received_at",)
INTAKE_LISTS = ("demands", "tags", "reported_to")


@visible_to("complaint")
def _may_see_complaint(user, subject_id) -> bool:
    """As ``GET /complaints/<id>``: every user of the tenant, except those excluded from it (CMP-21)."""
    complaint = db.session.scalars(select(Complaint).where(Complaint.id == subject_id)).first()
    return complaint is not None and not exclusion.is_excluded(complaint, user.id)


@visible_to(return_visits.VISIT_SUBJECT)
def _may_see_visit(user, subject_id) -> bool:
    visit = db.session.scalars(select(ReturnVisit).where(
        ReturnVisit.id == subject_id)).first()
    return visit is not None and _may_see_complaint(user, visit.complaint_id)


@visible_to(return_visits.ISSUE_SUBJECT)
def _may_see_issue(user, subject_id) -> bool:
    issue = db.session.scalars(select(VisitIssue).where(VisitIssue.id == subject_id)).first()
    return issue is not None and _may_see_complaint(user, issue.complaint_id)


@bp.app_context_processor
def _labels():
    return {"cmp_label": labels_of}


@bp.get("")
@login_required
def index():
    scope = request.args.get("scope") if request.args.get("scope") in SCOPES else "mine"
    stage = request.args.get("stage") if request.args.get("stage") in STAGES else "open"
    category = request.args.get("category") or None
    overdue = request.args.get("overdue") == "1"
    query = list_query(g.user, scope=scope, stage=stage, category=category, overdue=overdue)
    page = paginate(query.options(load_only(*LIST_COLUMNS)))
    return render_template("portal/complaints/index.html", page=page, clocks=next_clocks(page.items),
                           people=user_names([c.owner_id for c in page.items] + [c.handler_id for c in page.items]),
                           filters={"scope": scope, "stage": stage, "category": category or "",
                                    "overdue": "1" if overdue else ""},
                           categories=categories(), stages=STAGES, scopes=SCOPES,
                           may_take_in=g.user.has_role(*TAKERS))


def _intake_body(form: Form) -> dict:
    values = {k: v for k, v in form.values.items() if k not in ("action", "customer_q")}
    extra = {k[6:]: v for k, v in values.items() if k.startswith("extra.") and v not in ("", None)}
    values = {k: v for k, v in values.items() if not k.startswith("extra.")}
    body = as_input(values, times=INTAKE_TIMES, lists=INTAKE_LISTS, timezone=g.tenant.timezone)
    body["extra"] = extra
    return body


def _render_new(form: Form, status: int = 200, found=None):
    return render_template("portal/complaints/new.html", form=form, found=found, opts=intake_options(select_locale()),
                           customer=_customer(form.value("customer_id"))), status


def _customer(customer_id):
    return visible_customer(customer_id)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TAKERS)
def new():
    if request.method == "GET":
        form = Form(values={"channel": "phone", "case_type": "complaint", "severity": "general", "category": "other",
                            "customer_id": request.args.get("customer_id", "")})
        return _render_new(form)
    form = Form.posted()
    if form.value("action") == "find":  # the customer search: the form comes back as typed
        q = form.value("customer_q").strip()
        found = list(db.session.scalars(customers.search(q).limit(10))) if q else []
        if not found:
            form.add("customer_q", "No customer matches.")
        return _render_new(form, found=found)
    try:
        data = ComplaintInSchema().load(_intake_body(form))
        complaint = service.create_complaint(data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        _fail(form, err)
        return _render_new(form, 422)
    flash(_("Complaint %(number)s taken in.", number=complaint.number), "ok")
    return redirect(url_for("portal.complaints.show", complaint_id=complaint.id))


def _render_case(complaint, forms: dict | None = None, status: int = 200, refused: str | None = None):
    return render_template("portal/complaints/show.html", forms=forms or {}, refused=refused, empty=Form(),
                           step_fields=FIELDS, customer_url=_customer_url(complaint.customer_id),
                           **case_page(complaint, g.user)), status


def _customer_url(customer_id):
    """The customer's page, where the portal has one (the customers part)."""
    if customer_id is None:
        return None
    try:
        return url_for("portal.customers.show", customer_id=customer_id)
    except BuildError:
        return None


@bp.get("/<int:complaint_id>")
@login_required
def show(complaint_id):
    return _render_case(service.get_complaint(complaint_id))


def _fail(form: Form, err) -> Form:
    """The field errors of a refusal; a refusal that names its fields says so at the top."""
    form.fail(err, select_locale())
    if isinstance(err, KehuError) and err.fields and not err.extra.get("reason_zh"):
        form.message = _("Please correct the fields marked below.")
    return form


def _status_name(code: str) -> str:
    zh, en = labels_of("status", code)
    return en if select_locale() == "en" else zh


def _refused(form: Form, err: KehuError, complaint, name: str):
    """A refused or invalid step: the case page again, with the message and what was typed."""
    db.session.rollback()
    _fail(form, err)
    form.message = refusal(err.message, _status_name) or form.message
    complaint = service.get_complaint(complaint.id)
    return _render_case(complaint, {name: form}, err.status if err.status in (403, 409, 422) else 409,
                        refused=form.message)


def _take_step(name: str, complaint_id: int):
    step = STEPS[name]
    complaint = case_for(complaint_id)  # first: another tenant's case is 404 whatever the form holds
    form = Form.posted()
    if not g.user.has_role(*step.roles):
        db.session.rollback()
        form.message = _("Your role may not take this step.")
        return _render_case(service.get_complaint(complaint_id), {name: form}, 403, refused=form.message)
    try:
        data = step.schema().load(as_input(form.values, times=step.times, lists=step.lists,
                                           timezone=g.tenant.timezone))
        shown = step.run(complaint, data)
        db.session.commit()
    except ValidationError as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _render_case(service.get_complaint(complaint_id), {name: form}, 422)
    except KehuError as err:
        if err.status == 404:
            raise
        return _refused(form, err, complaint, name)
    flash(_("Saved."), "ok")
    target = shown.id if isinstance(shown, Complaint) else complaint_id
    return redirect(url_for("portal.complaints.show", complaint_id=target) + f"#step-{name}")


def _step_view(name: str):
    def view(complaint_id):
        return _take_step(name, complaint_id)

    view.__name__ = f"step_{name}"
    return login_required(view)


for _name in STEPS:
    bp.add_url_rule(f"/<int:complaint_id>/{_name.replace('_', '-')}", endpoint=f"step_{_name}",
                    view_func=_step_view(_name), methods=["POST"])


def _visit_of(complaint_id: int, return_visit_id: int):
    complaint = case_for(complaint_id)
    visit = return_visits.get_visit(return_visit_id)
    if visit.complaint_id != complaint.id:
        abort(404)
    return complaint, visit


def _visit_step(complaint_id: int, return_visit_id: int, name: str, roles, schema, run):
    complaint, visit = _visit_of(complaint_id, return_visit_id)
    form = Form.posted()
    key = f"{name}-{visit.id}"
    if not g.user.has_role(*roles):
        db.session.rollback()
        form.message = _("Your role may not take this step.")
        return _render_case(service.get_complaint(complaint_id), {key: form}, 403, refused=form.message)
    try:
        data = schema().load(as_input(form.values, times=("visited_at", "next_visit_at"), lines={"issues": "description"},
                                      timezone=g.tenant.timezone))
        run(visit, data)
        db.session.commit()
    except ValidationError as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _render_case(service.get_complaint(complaint_id), {key: form}, 422)
    except KehuError as err:
        if err.status == 404:
            raise
        return _refused(form, err, complaint, key)
    flash(_("Saved."), "ok")
    return redirect(url_for("portal.complaints.show", complaint_id=complaint_id) + "#return-visits")


@bp.post("/<int:complaint_id>/return-visits/<int:return_visit_id>/record")
@login_required
def visit_record(complaint_id, return_visit_id):
    """``POST /complaints/return-visits/<id>/record``: the visit, its ratings and issues (CMP-62/63)."""
    return _visit_step(complaint_id, return_visit_id, "visit", VISIT_STAFF, CmpVisitRecordInSchema,
                       lambda visit, data: return_visits.record_visit(visit, data, by=g.user.id))


@bp.post("/<int:complaint_id>/return-visits/<int:return_visit_id>/visitor")
@login_required
def visit_visitor(complaint_id, return_visit_id):
    """``PUT /complaints/return-visits/<id>/visitor``: the visitor (CMP-60 seniority, never the accused)."""
    return _visit_step(complaint_id, return_visit_id, "visitor", ARRANGERS, CmpVisitorInSchema,
                       lambda visit, data: return_visits.assign_visitor(visit, data["visitor_id"], by=g.user.id))
