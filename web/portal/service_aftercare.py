"""Portal pages: after a work order (售后回访) — return visits (SVC-14) and their issues (CMP-63), custody
documents and missing records (SVC-16), post-completion documents (SVC-23).

- ``portal.service_aftercare.index`` ``/service/aftercare``: return visits by due date (filter due /
  overdue / done), the issues found on them with their assignment limit, the checks at their limits
  (missing service records, missing post-completion documents) and the custody documents, each with
  the staff-ledger fines it proposed and its "why?".
- ``portal.service_aftercare.visit`` ``/service/aftercare/visits/<service_visit_id>``: one visit, its
  record form (customer service), its issues with the assign and settle steps.
- POST ``.../visits/<service_visit_id>/record``, ``.../issues/<service_issue_id>/assign``,
  ``.../issues/<service_issue_id>/outcome``: the API's steps (``web/api/service_aftercare.py``), with
  its schemas, roles and core services.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.decisions.models import Decision
from core.errors import KehuError
from core.service import orders, return_visits
from core.service.models import WorkOrder
from core.service.records_watch_models import ServiceDocument, ServiceOrderCheck
from core.service.return_visit_models import (
    ISSUE_STATES,
    OPEN_VISIT_STATES,
    VISIT_MODES,
    VISIT_OUTCOMES,
    ServiceReturnVisit,
    ServiceVisitIssue,
)
from core.staff.models import StaffEntry
from web.api.service_aftercare import (
    CS_ROLES,
    ISSUE_MANAGERS,
    SvcIssueAssignInSchema,
    SvcIssueOutcomeInSchema,
    SvcVisitRecordInSchema,
)
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form, form_message
from web.portal.paging import paginate
from web.portal.service_forms import blank_to_none, local_instant
from web.portal.tenant_pages import login_required

bp = Blueprint("service_aftercare", __name__, url_prefix="/service/aftercare")

#: the visit filters of the list: open (due or overdue, the default), one state, or all
VISIT_FILTERS = ("open", "due", "overdue", "done", "not_selected", "all")
#: the issue filters: not settled (the default), one state, or all
ISSUE_FILTERS = ("unsettled", *ISSUE_STATES, "all")
#: who may settle an issue on the API (the service manager, or the person assigned to it)
SETTLERS = (*ISSUE_MANAGERS, "technician", "cs_agent")
#: the fields of the record form
RECORD_FIELDS = ("mode", "visited_at", "visitor_id", "who_came", "who_came_id", "attitude", "skill", "outcome",
                 "notes", "issues")

VISIT_STATE_LABELS = {"due": ("待回访", "due"), "overdue": ("回访逾期", "overdue"), "done": ("已回访", "done"),
                      "not_selected": ("未抽中", "not selected")}
ISSUE_STATE_LABELS = {"open": ("待指派", "open"), "assigned": ("处理中", "assigned"), "settled": ("已处理", "settled")}
MODE_LABELS = {"phone": ("电话回访", "by phone"), "on_site": ("上门回访", "on site")}
OUTCOME_LABELS = {"resolved": ("已解决", "resolved"), "partly": ("部分解决", "partly resolved"),
                  "unresolved": ("未解决", "unresolved")}
CHECK_LABELS = {"missing_record": ("服务记录未按时提交", "service record missing"),
                "post_docs": ("完工后文档缺失", "post-completion documents missing")}
DOCUMENT_STATE_LABELS = {"archived": ("已归档", "archived"), "lost": ("已遗失", "lost")}


@visible_to("service_return_visit")
def _visit_visible(user, subject_id: int) -> bool:
    """As the API: every user of the company may read return visits (``GET /service-return-visits/<id>``)."""
    return db.session.scalar(select(ServiceReturnVisit.id).where(ServiceReturnVisit.id == subject_id)) is not None


@visible_to("service_visit_issue")
def _issue_visible(user, subject_id: int) -> bool:
    """As the API: every user of the company may read the issues (``GET /service-visit-issues``)."""
    return db.session.scalar(select(ServiceVisitIssue.id).where(ServiceVisitIssue.id == subject_id)) is not None


# ------------------------------------------------------------------------------------------ pure helpers


def as_int(value):
    """A number typed in a box as an int for the API's strict fields; blank is None; anything else as typed
    (the schema then names the field)."""
    value = blank_to_none(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def issue_lines(text) -> list[dict]:
    """The issues found, one a line (blank lines left out), as the API's ``issues``."""
    return [{"description": line.strip()} for line in str(text or "").splitlines() if line.strip()]


def record_body(values: dict, tz: str) -> dict:
    """The body of ``POST /service-return-visits/<id>/record`` from what was typed."""
    return {"mode": blank_to_none(values.get("mode")), "visited_at": local_instant(values.get("visited_at"), tz),
            "visitor_id": as_int(values.get("visitor_id")), "who_came": blank_to_none(values.get("who_came")),
            "who_came_id": as_int(values.get("who_came_id")), "attitude": as_int(values.get("attitude")),
            "skill": as_int(values.get("skill")), "outcome": blank_to_none(values.get("outcome")),
            "notes": blank_to_none(values.get("notes")), "issues": issue_lines(values.get("issues"))}


def issue_errors_on_box(errors: dict) -> dict:
    """``issues.0.description`` errors shown next to the one issues box."""
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        out.setdefault("issues" if name.startswith("issues") else name, []).extend(messages)
    return out


# ------------------------------------------------------------------------------------------ helpers


def _labels() -> dict:
    return {"visit_states": VISIT_STATE_LABELS, "issue_states": ISSUE_STATE_LABELS, "modes": MODE_LABELS,
            "outcomes": OUTCOME_LABELS, "checks": CHECK_LABELS, "documents": DOCUMENT_STATE_LABELS}


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _orders(ids) -> dict[int, WorkOrder]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(ids)))}


def _decisions(ids) -> dict[int, Decision]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(ids)))}


def _entries(ids) -> dict[int, StaffEntry]:
    """The staff-ledger entries (fines) the checks and lost documents proposed, as the ledger shows them:
    a fine is seen by the employee it is about and the ledger's managers (STF), nobody else."""
    from web.api.staff_ledger import LEDGER_MANAGERS

    ids = {int(i) for i in ids if i}
    if not ids:
        return {}
    stmt = select(StaffEntry).where(StaffEntry.id.in_(ids))
    if not g.user.has_role(*LEDGER_MANAGERS):
        stmt = stmt.where(StaffEntry.user_id == g.user.id)
    return {e.id: e for e in db.session.scalars(stmt)}


def _active_users(*roles) -> list[tuple[int, str]]:
    users = db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.display_name))
    return [(u.id, u.display_name) for u in users if not roles or u.has_role(*roles)]


def _refusal_text(err) -> str:
    return form_message(err, select_locale())


# ------------------------------------------------------------------------------------------ list


@bp.get("")
@login_required
def index():
    """Return visits due (SVC-14), issues (CMP-63), missing records and documents (SVC-16, SVC-23)."""
    shown = {"visits": request.args.get("visits") or "open", "issues": request.args.get("issues") or "unsettled"}
    if shown["visits"] not in VISIT_FILTERS:
        shown["visits"] = "open"
    if shown["issues"] not in ISSUE_FILTERS:
        shown["issues"] = "unsettled"
    stmt = return_visits.search_visits(state=shown["visits"] if shown["visits"] in VISIT_STATE_LABELS else None)
    if shown["visits"] == "open":
        stmt = stmt.where(ServiceReturnVisit.state.in_(OPEN_VISIT_STATES))
    if shown["visits"] == "done":  # the latest visits first
        stmt = stmt.order_by(None).order_by(ServiceReturnVisit.visited_at.desc(), ServiceReturnVisit.id.desc())
    page = paginate(stmt)
    issue_stmt = return_visits.search_issues(state=shown["issues"] if shown["issues"] in ISSUE_STATES else None)
    if shown["issues"] == "unsettled":
        issue_stmt = issue_stmt.where(ServiceVisitIssue.state != "settled")
    issues = list(db.session.scalars(issue_stmt.limit(100)))
    checks = list(db.session.scalars(select(ServiceOrderCheck).where(ServiceOrderCheck.result == "missing")
                                     .order_by(ServiceOrderCheck.checked_at.desc(), ServiceOrderCheck.id.desc())
                                     .limit(50)))
    documents = list(db.session.scalars(select(ServiceDocument).order_by(
        ServiceDocument.state.desc(), ServiceDocument.archived_at.desc(), ServiceDocument.id.desc()).limit(50)))
    order_ids = [v.order_id for v in page.items] + [i.order_id for i in issues] + [c.order_id for c in checks] \
        + [d.order_id for d in documents]
    people = [v.visitor_id for v in page.items] + [i.manager_id for i in issues] + [i.assignee_id for i in issues] \
        + [c.liable_user_id for c in checks] + [d.custodian_id for d in documents]
    decision_ids = [v.decision_id for v in page.items] + [i.decision_id for i in issues] \
        + [c.decision_id for c in checks] + [d.decision_id for d in documents]
    entries = _entries([e for c in checks for e in (c.entry_ids or [])] + [e for d in documents for e in (d.entry_ids or [])])
    filter_args = {k: v for k, v in shown.items()}
    return render_template("portal/service_aftercare/index.html", page=page, shown=shown, filter_args=filter_args,
                           issues=issues, checks=checks, documents=documents, orders=_orders(order_ids),
                           names=_names(people), decisions=_decisions(decision_ids), entries=entries,
                           visit_filters=VISIT_FILTERS, issue_filters=ISSUE_FILTERS, labels=_labels())


# ------------------------------------------------------------------------------------------ one visit


def _render_visit(visit: ServiceReturnVisit, forms: dict | None = None, status: int = 200,
                  refused: str | None = None):
    order = orders.get_order(visit.order_id)
    issues = return_visits.issues_of_visit(visit.id)
    forms = forms or {}
    may_record = visit.state in OPEN_VISIT_STATES and g.user.has_role(*CS_ROLES)
    may_assign = g.user.has_role(*ISSUE_MANAGERS)
    # the settle step as the API allows it: the service manager, or the person assigned to the issue —
    # never the technician whose work it is about (CMP-63)
    settles = {i.id for i in issues if i.state != "settled" and g.user.id != order.assignee_id
               and g.user.has_role(*SETTLERS) and (may_assign or i.assignee_id == g.user.id)}
    decisions = list(db.session.scalars(select(Decision).where(
        ((Decision.subject_type == orders.SUBJECT) & (Decision.subject_id == order.id)
         & Decision.rule_id.in_(("SVC-14", "SVC-16", "SVC-23", "CMP-63"))) |
        ((Decision.subject_type == return_visits.VISIT_SUBJECT) & (Decision.subject_id == visit.id)) |
        ((Decision.subject_type == return_visits.ISSUE_SUBJECT) & Decision.subject_id.in_([i.id for i in issues] or [0])))
        .order_by(Decision.id)))
    people = _names([visit.visitor_id, visit.recorded_by, visit.who_came_id, order.assignee_id,
                     *(i.manager_id for i in issues), *(i.assignee_id for i in issues),
                     *(i.outcome_by for i in issues)])
    context = {"visit": visit, "order": order, "issues": issues, "forms": forms, "refused": refused,
               "may_record": may_record, "may_assign": may_assign, "settles": settles, "decisions": decisions,
               "decision_by_id": {d.id: d for d in decisions}, "people": people, "labels": _labels(),
               "modes": VISIT_MODES, "outcomes": VISIT_OUTCOMES, "record_fields": RECORD_FIELDS}
    if may_record:
        context["record_form"] = forms.get("record") or Form(values={"mode": "phone"})
        context["user_options"] = _active_users()
        context["tech_options"] = _active_users("technician")
    if may_assign and any(i.state != "settled" for i in issues):
        context["assignee_options"] = _active_users()
    return render_template("portal/service_aftercare/visit.html", **context), status


@bp.get("/visits/<int:service_visit_id>")
@login_required
def visit(service_visit_id: int):
    return _render_visit(return_visits.get_visit(service_visit_id))


def _failed(visit_id: int, name: str, form: Form, err):
    """A refused step: 422 with the field errors, else 403/409 with the message (nothing written)."""
    db.session.rollback()
    visit = return_visits.get_visit(visit_id)
    if isinstance(err, ValidationError) or err.status == 422:
        form.fail(err, select_locale())
        form.errors = issue_errors_on_box(form.errors)
        return _render_visit(visit, {name: form}, 422)
    form.message = _refusal_text(err)
    return _render_visit(visit, {name: form}, err.status if err.status in (403, 409) else 409, refused=form.message)


@bp.post("/visits/<int:service_visit_id>/record")
@login_required
def record(service_visit_id: int):
    """SVC-14: record the visit (``POST /service-return-visits/<id>/record``, customer-service staff)."""
    visit = return_visits.get_visit(service_visit_id, for_update=True)
    if not g.user.has_role(*CS_ROLES):
        abort(403)
    form = Form.posted()
    try:
        data = SvcVisitRecordInSchema().load(record_body(form.values, g.tenant.timezone))
        return_visits.record_visit(visit, data, by=g.user.id)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _failed(service_visit_id, "record", form, err)
    flash(_("Return visit recorded."), "ok")
    return redirect(url_for(".visit", service_visit_id=service_visit_id))


@bp.post("/issues/<int:service_issue_id>/assign")
@login_required
def assign(service_issue_id: int):
    """CMP-63: the service manager assigns someone to the issue."""
    issue = return_visits.get_issue(service_issue_id, for_update=True)
    if not g.user.has_role(*ISSUE_MANAGERS):
        abort(403)
    form = Form.posted()
    try:
        data = SvcIssueAssignInSchema().load({"assignee_id": as_int(form.value("assignee_id", None))})
        return_visits.assign_issue(issue, data["assignee_id"], by=g.user.id, at=data["assigned_at"])
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _failed(issue.visit_id, f"assign-{service_issue_id}", form, err)
    flash(_("Issue assigned."), "ok")
    return redirect(url_for(".visit", service_visit_id=issue.visit_id))


@bp.post("/issues/<int:service_issue_id>/outcome")
@login_required
def settle(service_issue_id: int):
    """CMP-63: the issue's outcome, by the person assigned or the service manager (never the technician
    whose work it is about: the core refuses)."""
    issue = return_visits.get_issue(service_issue_id, for_update=True)
    visit_id = issue.visit_id
    if not g.user.has_role(*SETTLERS):
        abort(403)
    form = Form.posted()
    try:
        data = SvcIssueOutcomeInSchema().load({"outcome": form.value("outcome")})
        return_visits.settle_issue(issue, data["outcome"], by=g.user.id, at=data["settled_at"],
                                   may_settle_unassigned=g.user.has_role(*ISSUE_MANAGERS))
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _failed(visit_id, f"outcome-{service_issue_id}", form, err)
    flash(_("Issue settled."), "ok")
    return redirect(url_for(".visit", service_visit_id=visit_id))
