"""Portal pages: Work orders (工单, SVC) — the service desk, dispatchers and technicians.

- ``portal.service.index`` ``/work-orders``: orders by their next deadline, with the time left; filters
  (mine, type, state, overdue); a technician's own orders first.
- ``portal.service.new`` ``/work-orders/new``: take an order in (SVC-01, SVC-03), the type's own fields.
- ``portal.service.show`` ``/work-orders/<order_id>``: state, deadlines, dispatch, history, decisions and
  the step forms the user may use now; each step posts to ``/work-orders/<order_id>/<step>``.

Every view calls the core services the REST API calls (``web/api/work_orders.py``,
``work_order_dispatch.py``, ``work_order_field.py``) and loads its input with the API's schemas.
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
from sqlalchemy import case, func, select

from core.accounts.models import User
from core.db import db, utcnow
from core.decisions.models import Decision
from core.errors import KehuError
from core.service import (
    completion,
    dispatch,
    dispatch_approval,
    dispatch_delays,
    dispatch_field,
    order_types,
    orders,
    records,
    states,
)
from core.service.models import STATES, WorkOrder
from core.service.policy import svc_policy
from core.sla import engine as sla
from core.sla.models import SlaMilestone
from web.api.work_order_dispatch import (
    SUBMITTERS,
    WoChecklistInSchema,
    WoDelayDecisionInSchema,
    WoDelayNoticeInSchema,
    WoDispatchInSchema,
    WoEtaInSchema,
    WoWorkLogInSchema,
)
from web.api.work_order_field import (
    FIELD,
    CompleteInSchema,
    ReworkInSchema,
    ServiceRecordInSchema,
)
from web.api.work_orders import (
    DESK,
    TAKERS,
    AtInSchema,
    CancelInSchema,
    HoldInSchema,
    WorkOrderInSchema,
)
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.filters import local_time
from web.portal.forms import Form
from web.portal.localise import localise
from web.portal.lookups import visible_customer
from web.portal.paging import paginate
from web.portal.service_forms import (
    INTAKE_FIELDS,
    blank_to_none,
    checked,
    field_kind,
    intake_payload,
    key_values,
    lines_of,
    local_instant,
    parse_parts,
    prefixed,
)
from web.portal.service_steps import (
    CHECK_RESULTS,
    EVENT_LABELS,
    FIELD_LABELS,
    MILESTONE_LABELS,
    MILESTONE_STATES,
    NOTICE_STATES,
    PAUSE_LABELS,
    PRIORITY_LABELS,
    available,
    duration_text,
)
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("service", __name__, url_prefix="/work-orders")

#: the fields each step form shows (its errors sit next to them; any other error is listed on top)
STEP_FIELDS = {
    "submit_approval": ("note",), "approve": ("note",), "reject_approval": ("reason",),
    "dispatch": ("assignee_id", "partner_name", "eta_at", "override_reason", "emergency", "approval.by",
                 "approval.at", "approval.verbal"),
    "reassign": ("assignee_id", "partner_name", "eta_at", "reason", "override_reason", "emergency", "approval.by",
                 "approval.at", "approval.verbal"),
    "checklist": ("note",), "eta": ("eta_at", "customer_told_at", "note"), "arrive": ("at", "note"),
    "complete": ("feedback.result", "feedback.opinion", "feedback.signatory", "feedback.signed",
                 "feedback.photo_attachment_id", "data", "at", "note", "force", "reason"),
    "work_log": ("started_at", "ended_at", "work_done", "parts_used"),
    "delay_notice": ("reason", "proposed_due", "milestone"), "decide": ("new_due_at", "refuse", "note"),
    "record": ("summary",), "rework": ("reason",), "hold": ("reason", "note"), "resume": (), "cancel": ("reason",),
}
#: the milestones still running (not met, not cancelled)
RUNNING = ("open", "breached")


@visible_to("work_order")
def _order_visible(user, subject_id: int) -> bool:
    """As the API: every user of the company may read its work orders (``GET /work-orders/<id>``)."""
    return db.session.scalar(select(WorkOrder.id).where(WorkOrder.id == subject_id)) is not None


# ------------------------------------------------------------------------------------------ helpers


def _labels() -> dict:
    return {"states": states.STATE_LABELS, "priorities": PRIORITY_LABELS, "pauses": PAUSE_LABELS,
            "milestones": MILESTONE_LABELS, "milestone_states": MILESTONE_STATES, "events": EVENT_LABELS,
            "checks": CHECK_RESULTS, "fields": FIELD_LABELS, "notices": NOTICE_STATES}


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _next_due():
    """Per order: the earliest due time of its running deadlines (SVC-07)."""
    return (select(SlaMilestone.tenant_id, SlaMilestone.subject_id.label("order_id"),
                   func.min(SlaMilestone.due_at).label("due_at"))
            .where(SlaMilestone.subject_type == orders.SUBJECT, SlaMilestone.state.in_(RUNNING),
                   SlaMilestone.met_at.is_(None))
            .group_by(SlaMilestone.tenant_id, SlaMilestone.subject_id).subquery())


def _running_milestones(order_ids) -> dict[int, SlaMilestone]:
    """The next running deadline of each order."""
    if not order_ids:
        return {}
    rows = db.session.scalars(select(SlaMilestone).where(
        SlaMilestone.subject_type == orders.SUBJECT, SlaMilestone.subject_id.in_(list(order_ids)),
        SlaMilestone.state.in_(RUNNING), SlaMilestone.met_at.is_(None)).order_by(SlaMilestone.due_at))
    out: dict[int, SlaMilestone] = {}
    for row in rows:
        out.setdefault(row.subject_id, row)
    return out


def _pick(zh_text: str, en_text: str) -> str:
    locale = select_locale()
    return en_text if locale == "en" else localise(zh_text, locale)


def _type_options(types) -> list[tuple[str, str]]:
    return [(code, _pick(t.title_zh, t.title_en)) for code, t in types.items()]


def _refusal(err: KehuError) -> str:
    """The message of a refused step in the reader's language: a plugin's reasons, the domain's Chinese
    reason, or its English message translated."""
    from web.portal.forms import form_message

    locale = select_locale()
    if err.extra.get("reasons_zh") and locale != "en":
        return localise("；".join(err.extra["reasons_zh"]), locale)
    if err.extra.get("reasons_en") and locale == "en":
        return "; ".join(err.extra["reasons_en"])
    return form_message(err, locale)


# ------------------------------------------------------------------------------------------ list


@bp.get("")
@login_required
def index():
    """Orders by their next deadline (open ones by default); a technician's own first."""
    args = request.args
    shown = {"mine": args.get("mine") == "1", "type": args.get("type") or "", "state": args.get("state") or "open",
             "overdue": args.get("overdue") == "1"}
    if shown["state"] not in (*STATES, "open", "all"):
        shown["state"] = "open"
    stmt = orders.search(status=shown["state"] if shown["state"] in STATES else None, type=shown["type"] or None,
                         assignee_id=g.user.id if shown["mine"] else None, open_only=shown["state"] == "open")
    due = _next_due()
    stmt = stmt.order_by(None).outerjoin(
        due, (due.c.order_id == WorkOrder.id) & (due.c.tenant_id == WorkOrder.tenant_id))
    if shown["overdue"]:
        stmt = stmt.where(due.c.due_at < utcnow())
    ordering = []
    if g.user.has_role("technician"):
        ordering.append(case((WorkOrder.assignee_id == g.user.id, 0), else_=1))
    ordering += [due.c.due_at.is_(None), due.c.due_at, WorkOrder.requested_at.desc(), WorkOrder.id.desc()]
    page = paginate(stmt.order_by(*ordering))
    types = order_types.tenant_types()
    filter_args = {k: ("1" if v is True else v) for k, v in shown.items() if v}
    return render_template("portal/service/index.html", page=page, shown=shown, filter_args=filter_args,
                           types=types, type_options=_type_options(types), state_codes=STATES,
                           next_due=_running_milestones([o.id for o in page.items]),
                           names=_names(o.assignee_id for o in page.items), labels=_labels())


# ------------------------------------------------------------------------------------------ intake


def _render_new(form: Form, status: int = 200):
    types = order_types.tenant_types()
    code = form.value("type")
    wo_type = types.get(code)
    values = svc_policy().values
    from core.service.intake_rules import required_for

    required = required_for(code, wo_type.required, values["required_fields"]) if wo_type else []
    type_fields = [{"name": name, "kind": field_kind(spec), "required": name in required}
                   for name, spec in (wo_type.fields.items() if wo_type else [])]
    customer = visible_customer(form.value("customer_id"))
    shown_fields = ["type", *INTAKE_FIELDS, *(f"data.{f['name']}" for f in type_fields)]
    return render_template("portal/service/new.html", form=form, shown_fields=shown_fields, types=types,
                           type_options=_type_options(types), wo_type=wo_type, type_fields=type_fields,
                           required=required, customer=customer,
                           priorities=values["priorities"], labels=_labels()), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TAKERS)
def new():
    """Take an order in (SVC-01..04, SVC-07): POST ``/work-orders`` of the API."""
    if request.method == "GET":
        form = Form(values={"type": request.args.get("type") or "repair",
                            "priority": svc_policy().values["default_priority"],
                            "customer_id": request.args.get("customer_id", "")})
        return _render_new(form)
    form = Form.posted()
    if "_retype" in form.values:  # another type chosen: its fields, nothing typed lost
        form.values.pop("_retype")
        return _render_new(form)
    wo_type = order_types.tenant_types().get(form.value("type"))
    try:
        body = intake_payload(form.values, wo_type.fields if wo_type else {})
        data = WorkOrderInSchema().load(body)
        order = orders.create_order(data, by=g.user.id, region=g.tenant.region)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _render_new(form, 422)
    flash(_("Work order %(number)s taken in.", number=order.number), "ok")
    return redirect(url_for(".show", order_id=order.id))


# ------------------------------------------------------------------------------------------ the order


def _attachments(order):
    from core.attachments import service as attachments

    return attachments.attachments_of(orders.SUBJECT, order.id, kinds=list(completion.PHOTO_KINDS))


def _render_order(order: WorkOrder, forms: dict | None = None, status: int = 200, refused: str | None = None):
    types = order_types.tenant_types()
    wo_type = types.get(order.type)
    nexts = orders.allowed_moves(order)
    milestones = sla.milestones_of(orders.SUBJECT, order.id)
    steps = available(order, g.user, nexts, milestones)
    forms = forms or {}
    events = orders.events_of(order)
    decisions = list(db.session.scalars(select(Decision).where(
        Decision.subject_type == orders.SUBJECT, Decision.subject_id == order.id).order_by(Decision.id)))
    by_id = {d.id: d for d in decisions}
    dispatches = dispatch.dispatches_of(order)
    people = _names([order.assignee_id, order.requested_by, order.approved_by, *(e.by for e in events),
                     *(d.assignee_id for d in dispatches), *(d.dispatched_by for d in dispatches)])
    policy = orders.order_policy(order).values
    context = {"order": order, "wo_type": wo_type, "nexts": nexts, "steps": steps, "events": events,
               "milestones": milestones, "decisions": decisions, "decision_by_id": by_id, "dispatches": dispatches,
               "people": people, "labels": _labels(), "refused": refused, "forms": forms,
               "pause_reasons": policy["deadlines"]["pause_reasons"], "record_list": records.records_of(order),
               "feedback": completion.feedback_of(order), "work_logs": dispatch_field.work_logs(order),
               "notices": dispatch_delays.notices_of(order), "decides_notices": dispatch.is_manager(g.user)}
    step_fields = {name: list(STEP_FIELDS.get(name, ())) for name in steps}
    if "dispatch" in steps or "reassign" in steps:
        context["tech_options"] = [
            (c["user_id"], " · ".join([c["display_name"], _("%(n)s open", n=c["open_orders"])]
                                      + ([] if c["eligible"] else [_pick(c["reason_zh"] or "", c["reason_en"] or "")])))
            for c in dispatch.candidates(order, include_all=True)]
        context["is_manager"] = dispatch.is_manager(g.user)
        role = policy["dispatch"]["partner_approval"]
        context["approval_role"] = role
        context["approver_options"] = [
            (u.id, u.display_name) for u in db.session.scalars(
                select(User).where(User.is_active.is_(True)).order_by(User.display_name)) if role and u.has_role(role)]
    if "checklist" in steps:
        context["checklist_required"], context["checklist_items"] = dispatch_field.checklist_setting(order)
        context["checklist_latest"] = dispatch_field.latest_checklist(order)
        step_fields["checklist"] += [f"items.{i}" for i in context["checklist_items"]]
    if "complete" in steps:
        checks = list(wo_type.completion_checks) if wo_type else []
        context["checks"] = checks
        context["check_options"] = {c.name: [(p, _pick(*CHECK_RESULTS.get(p, (p, p)))) for p in c.passing]
                                    + ([] if "fail" in c.passing else [("fail", _pick(*CHECK_RESULTS["fail"]))])
                                    for c in checks}
        context["on_site"] = order_types.is_on_site(order.type, types)
        context["photo_options"] = [(a.id, a.filename) for a in _attachments(order)]
        if "complete" not in forms and context["photo_options"]:  # the latest photo, chosen already
            forms["complete"] = Form(values={"feedback.photo_attachment_id": context["photo_options"][-1][0]})
        context["may_force"] = g.user.has_role(*completion.FORCERS)
        step_fields["complete"] += [f"checks.{c.name}" for c in checks]
    if "record" in steps:
        context["record_fields"] = records.required_fields(order)
        step_fields["record"] += [f"fields.{n}" for n in context["record_fields"]]
    if "approve" in steps or "submit_approval" in steps:
        approvers = dispatch_approval.approvers(order)
        context["approvers"] = [_names(approvers).get(user_id, f"#{user_id}") for user_id in approvers]
    if "delay_notice" in steps:
        context["milestone_options"] = [(m.code, _pick(*MILESTONE_LABELS.get(m.code, (m.code, m.code))) + " "
                                         + local_time(m.due_at)) for m in milestones
                                        if m.code in ("arrive", "complete") and m.state == "open"]
    step_fields["decide"] = list(STEP_FIELDS["decide"])
    if "hold" in steps:
        context["pause_options"] = [(r, _pick(*PAUSE_LABELS.get(r, (r, r)))) for r in context["pause_reasons"]]
    context["step_fields"] = step_fields
    context["lines_of"] = lines_of
    context["duration_text"] = lambda d: duration_text(d, select_locale() == "en")
    return render_template("portal/service/order.html", **context), status


@bp.get("/<int:order_id>")
@login_required
def show(order_id: int):
    return _render_order(orders.get_order(order_id))


def _run_step(order_id: int, name: str, act):
    """Load the order (locked; another tenant's: 404), run ``act(order, form)`` and commit; a refused
    step (409, 403) re-renders the page with the message, bad input (422) with the field errors. A
    plugin's veto and failed completion checks are kept on the order as the API keeps them."""
    order = orders.get_order(order_id, for_update=True)
    form = Form.posted()
    try:
        act(order, form)
        db.session.commit()
    except orders.Vetoed as vetoed:
        db.session.rollback()
        orders.record_vetoes(vetoed, by=g.user.id)
        db.session.commit()
        return _refused(order_id, name, form, vetoed)
    except completion.StaysOnSite as stays:
        db.session.rollback()
        completion.record_failed_checks(stays, by=g.user.id)
        db.session.commit()
        return _refused(order_id, name, form, stays)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        return _refused(order_id, name, form, err)
    flash(_done(name), "ok")
    return redirect(url_for(".show", order_id=order_id))


def _done(name: str) -> str:
    """What the flash message says after a step."""
    return {"submit_approval": _("Sent for approval."), "approve": _("Approved: the order may be dispatched."),
            "reject_approval": _("Approval refused: the order is cancelled."), "dispatch": _("Dispatched."),
            "reassign": _("Reassigned."), "checklist": _("Checklist saved."), "eta": _("Arrival time saved."),
            "arrive": _("On site."),
            "work_log": _("Work logged."), "delay_notice": _("Delay notice filed: the supervisors are told."),
            "decide": _("Delay notice decided."),
            "complete": _("Completed."), "record": _("Service record saved."), "rework": _("Sent back for rework."),
            "hold": _("On hold: its clocks stand still."), "resume": _("Resumed."), "cancel": _("Cancelled.")
            }.get(name, _("Done."))


def _refused(order_id: int, name: str, form: Form, err) -> tuple:
    order = orders.get_order(order_id)
    if isinstance(err, ValidationError) or err.status == 422:
        form.fail(err, select_locale())
        return _render_order(order, {name: form}, 422)
    if err.fields:
        form.fail(err, select_locale())
    form.message = _refusal(err)
    return _render_order(order, {name: form}, err.status if err.status in (403, 409) else 409, refused=form.message)


def _at_note(form: Form) -> dict:
    return AtInSchema().load({"at": local_instant(form.value("at", None), g.tenant.timezone),
                              "note": blank_to_none(form.value("note", None))})


def _post(rule: str, name: str):
    """Register the step view ``name`` at ``/<order_id>/<rule>``."""

    def register(act):
        @login_required
        def view(order_id: int):
            return _run_step(order_id, name, act)

        bp.add_url_rule(f"/<int:order_id>/{rule}", name, view, methods=["POST"])
        return act

    return register


@_post("submit-approval", "submit_approval")
def _submit_approval(order, form):
    _need_role(*SUBMITTERS)
    data = _at_note(form)
    dispatch_approval.submit(order, by=g.user.id, at=data["at"], note=data["note"])


@_post("approve", "approve")
def _approve(order, form):
    data = _at_note(form)
    dispatch_approval.approve(order, user=g.user, at=data["at"], note=data["note"])


@_post("reject-approval", "reject_approval")
def _reject_approval(order, form):
    data = CancelInSchema().load({"reason": form.value("reason")})
    dispatch_approval.reject(order, data["reason"], user=g.user, at=data["at"])


def _need_role(*roles):
    if not g.user.has_role(*roles):
        abort(403)


def _dispatch_body(form: Form) -> dict:
    assignee = form.value("assignee_id")
    body = {"assignee_id": int(assignee) if str(assignee).isdigit() else blank_to_none(assignee),
            "partner_name": blank_to_none(form.value("partner_name", None)),
            "reason": blank_to_none(form.value("reason", None)),
            "override_reason": blank_to_none(form.value("override_reason", None)),
            "emergency": checked(form.value("emergency", None)),
            "eta_at": local_instant(form.value("eta_at", None), g.tenant.timezone)}
    approver = form.value("approval.by")
    if str(approver).strip():  # SVC-05: a partner or staff of another department, approved beforehand
        body["approval"] = {"by": approver, "verbal": checked(form.value("approval.verbal", None)),
                            "at": local_instant(form.value("approval.at", None), g.tenant.timezone)}
    return WoDispatchInSchema().load(body)


@_post("dispatch", "dispatch")
def _dispatch(order, form):
    _need_role(*DESK)
    dispatch.dispatch(order, _dispatch_body(form), user=g.user)


@_post("reassign", "reassign")
def _reassign(order, form):
    _need_role(*DESK)
    dispatch.dispatch(order, _dispatch_body(form), user=g.user, reassign=True)


@_post("checklist", "checklist")
def _checklist(order, form):
    items = {name: checked(value) for name, value in prefixed(form.values, "items").items()}
    _required, names = dispatch_field.checklist_setting(order)
    data = WoChecklistInSchema().load({"items": {n: items.get(n, False) for n in names},
                                       "note": blank_to_none(form.value("note", None))})
    dispatch_field.tick_checklist(order, data["items"], user=g.user, at=data["at"], note=data["note"])


@_post("eta", "eta")
def _eta(order, form):
    tz = g.tenant.timezone
    data = WoEtaInSchema().load({"eta_at": local_instant(form.value("eta_at", None), tz),
                                 "customer_told_at": local_instant(form.value("customer_told_at", None), tz),
                                 "note": blank_to_none(form.value("note", None))})
    dispatch_field.change_eta(order, data["eta_at"], user=g.user, at=data["at"],
                              customer_told_at=data["customer_told_at"], note=data["note"])


@_post("arrive", "arrive")
def _arrive(order, form):
    data = _at_note(form)
    dispatch_field.arrive(order, user=g.user, at=data["at"], note=data["note"])


@_post("work-log", "work_log")
def _work_log(order, form):
    tz = g.tenant.timezone
    data = WoWorkLogInSchema().load({"started_at": local_instant(form.value("started_at", None), tz),
                                     "ended_at": local_instant(form.value("ended_at", None), tz),
                                     "work_done": form.value("work_done"),
                                     "parts_used": parse_parts(form.value("parts_used", None))})
    dispatch_field.add_work_log(order, data, user=g.user)


@_post("delay-notice", "delay_notice")
def _delay_notice(order, form):
    data = WoDelayNoticeInSchema().load({
        "reason": form.value("reason"),
        "proposed_due": local_instant(form.value("proposed_due", None), g.tenant.timezone),
        "milestone": blank_to_none(form.value("milestone", None))})
    dispatch_delays.file_notice(order, data, user=g.user)


@bp.post("/<int:order_id>/delay-notice/<int:notice_id>/decide")
@login_required
def decide(order_id: int, notice_id: int):
    """SVC-08: a supervisor grants a new due time or refuses (``.../delay-notice/<notice_id>/decide``)."""

    def act(order, form):
        notice = dispatch_delays.get_notice(order, notice_id, for_update=True)
        refuse = form.value("refuse") == "1"
        data = WoDelayDecisionInSchema().load({
            "new_due_at": None if refuse else local_instant(form.value("new_due_at", None), g.tenant.timezone),
            "refuse": refuse, "note": blank_to_none(form.value("note", None))})
        dispatch_delays.decide_notice(order, notice, data, user=g.user)

    return _run_step(order_id, "decide", act)


@_post("complete", "complete")
def _complete(order, form):
    _need_role(*FIELD)
    dispatch_field.acts_for_assignee(order, g.user, desk=True)
    feedback = None
    if order_types.is_on_site(order.type):
        photo = blank_to_none(form.value("feedback.photo_attachment_id", None))
        upload = request.files.get("feedback_photo")
        if upload is not None and upload.filename:
            photo = _keep_photo(order, upload, form)
        feedback = {"result": blank_to_none(form.value("feedback.result", None)),
                    "opinion": blank_to_none(form.value("feedback.opinion", None)),
                    "signatory": blank_to_none(form.value("feedback.signatory", None)),
                    "signed": checked(form.value("feedback.signed", None)),
                    "photo_attachment_id": int(photo) if str(photo or "").isdigit() else photo}
    body = {"checks": {k: v for k, v in prefixed(form.values, "checks").items() if str(v).strip()},
            "feedback": feedback, "data": key_values(form.value("data", None)),
            "at": local_instant(form.value("at", None), g.tenant.timezone),
            "note": blank_to_none(form.value("note", None)), "force": checked(form.value("force", None)),
            "reason": blank_to_none(form.value("reason", None))}
    data = CompleteInSchema().load(body)
    completion.complete(order, by=g.user.id, at=data["at"], checks=data["checks"], feedback=data["feedback"],
                        data=data["data"], note=data["note"], force=data["force"], reason=data["reason"],
                        may_force=g.user.has_role(*completion.FORCERS))


def _keep_photo(order, upload, form: Form) -> int:
    """The photo of the signed form, kept on the order at once (its own transaction): a refused
    completion does not lose it, the form offers it again."""
    from core.attachments import service as attachments

    try:
        photo = attachments.store(orders.SUBJECT, order.id, upload.stream, upload.filename, kind="signed_form",
                                  by=g.user.id)
    except KehuError as err:
        raise _renamed(err, "feedback.photo_attachment_id") from None
    db.session.commit()
    orders.get_order(order.id, for_update=True)  # locked again for the step
    form.values["feedback.photo_attachment_id"] = str(photo.id)
    return photo.id


def _renamed(err: KehuError, field: str) -> KehuError:
    """An upload's error (on ``file``) shown next to the photo box."""
    err.fields = {field: [m for messages in err.fields.values() for m in messages]} if err.fields else \
        {field: [err.message]}
    return err


@_post("record", "record")
def _record(order, form):
    _need_role(*FIELD)
    dispatch_field.acts_for_assignee(order, g.user, desk=True)
    fields = {k: v.strip() for k, v in prefixed(form.values, "fields").items() if isinstance(v, str) and v.strip()}
    data = ServiceRecordInSchema().load({"summary": form.value("summary"), "fields": fields})
    records.record(order, summary=data["summary"], fields=data["fields_"], by=g.user.id, at=data["at"])


@_post("rework", "rework")
def _rework(order, form):
    _need_role(*DESK)
    data = ReworkInSchema().load({"reason": form.value("reason")})
    completion.rework(order, data["reason"], by=g.user.id, at=data["at"])


@_post("hold", "hold")
def _hold(order, form):
    _need_role(*DESK, "technician")
    data = HoldInSchema().load({"reason": form.value("reason"), "note": blank_to_none(form.value("note", None))})
    orders.hold(order, data["reason"], by=g.user.id, at=data["at"], note=data["note"])


@_post("resume", "resume")
def _resume(order, form):
    _need_role(*DESK, "technician")
    orders.resume(order, by=g.user.id)


@_post("cancel", "cancel")
def _cancel(order, form):
    _need_role(*DESK)
    data = CancelInSchema().load({"reason": form.value("reason")})
    orders.cancel(order, data["reason"], by=g.user.id, at=data["at"])


