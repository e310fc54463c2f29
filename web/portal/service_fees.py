"""Portal pages: fees collected in the field (现场收费, SVC-15) — technicians, the service desk and finance.

- ``portal.service_fees.index`` ``/service/fees``: the fees, the longest due first, with the receipt
  number, parts and labour, the warranty, remitted or not, the days since collection and the reminder
  state; filters (state, overdue, mine, order number); totals collected vs remitted; finance's remit step.
  A technician sees the fees they collected (as ``GET /service-fees``).
- ``portal.service_fees.new`` ``/service/fees/orders/<order_id>/new``: record a fee on an order (``POST
  /work-orders/<order_id>/fees``): the receipt number required, parts only out of warranty, refused where
  the company forbids field collection.
- POST ``/service/fees/<fee_id>/remit`` (finance only), ``/service/fees/<fee_id>/void`` (finance, managers).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.decisions.models import Decision
from core.errors import KehuError
from core.service import fees, orders
from core.service.fees_models import ServiceFee
from core.service.fees_rules import STATES
from core.service.models import WorkOrder
from web.api.service_fees import (
    ALL_FEES,
    COLLECTORS,
    READERS,
    REMITTERS,
    VOIDERS,
    ServiceFeeInSchema,
    ServiceFeeRemitInSchema,
    ServiceFeeVoidInSchema,
)
from web.api.work_orders import DESK
from web.portal import select_locale
from web.portal.forms import Form, form_message
from web.portal.paging import paginate
from web.portal.service_forms import blank_to_none, local_instant
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("service_fees", __name__, url_prefix="/service/fees")

FEE_FIELDS = ("amount_parts", "amount_labour", "receipt_no", "collected_at", "collector_id", "note")
STATE_LABELS = {"collected": ("未交财务", "not remitted"), "remitted": ("已交财务", "remitted"), "void": ("已作废", "void")}
REMINDER_LABELS = {"done": ("—", "—"), "in_time": ("未到期", "in time"),
                   "due": ("已逾期，待提醒", "late, reminder due"), "reminded": ("已提醒", "reminded")}


# ------------------------------------------------------------------------------------------ pure helpers


def days_since(collected_on: dt.date, today: dt.date) -> int:
    """Calendar days since the local day of collection (0 on that day)."""
    return max((today - collected_on).days, 0)


def reminder_state(state: str, overdue: bool, reminders: int) -> str:
    """``done`` (remitted or void), ``in_time`` (before its limit), ``due`` (late, not yet reminded) or
    ``reminded`` (the job ``svc.fee_remittance`` reminded it at least once)."""
    if state != "collected":
        return "done"
    if not overdue:
        return "in_time"
    return "reminded" if reminders else "due"


def fee_body(values: dict, tz: str, *, desk: bool) -> dict:
    """The body of ``POST /work-orders/<order_id>/fees`` from what was typed (blank boxes are None; the
    collector only from the desk)."""
    collector = blank_to_none(values.get("collector_id")) if desk else None
    if isinstance(collector, str) and collector.strip().isdigit():
        collector = int(collector)
    return {"amount_parts": blank_to_none(values.get("amount_parts")),
            "amount_labour": blank_to_none(values.get("amount_labour")),
            "receipt_no": blank_to_none(values.get("receipt_no")),
            "collected_at": local_instant(values.get("collected_at"), tz), "collector_id": collector,
            "note": blank_to_none(values.get("note"))}


# ------------------------------------------------------------------------------------------ helpers


def _sees_all() -> bool:
    return g.user.has_role(*ALL_FEES)


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _labels() -> dict:
    return {"states": STATE_LABELS, "reminders": REMINDER_LABELS}


def _order_by_number(number: str) -> WorkOrder | None:
    number = (number or "").strip()
    if not number:
        return None
    return db.session.scalars(select(WorkOrder).where(WorkOrder.number == number)).first()


def _totals(collector_id: int | None, order_id: int | None) -> dict[str, Decimal]:
    """Money collected (not void), remitted, and still with the collectors, over the fees the reader sees."""
    stmt = select(ServiceFee.state, func.coalesce(func.sum(ServiceFee.amount), 0)).group_by(ServiceFee.state)
    if collector_id is not None:
        stmt = stmt.where(ServiceFee.collector_id == collector_id)
    if order_id is not None:
        stmt = stmt.where(ServiceFee.order_id == order_id)
    sums = {state: Decimal(str(total)) for state, total in db.session.execute(stmt)}
    held, remitted = sums.get("collected", Decimal(0)), sums.get("remitted", Decimal(0))
    return {"collected": held + remitted, "remitted": remitted, "outstanding": held}


def _render_index(forms: dict | None = None, status: int = 200, refused: str | None = None):
    args = request.args
    shown = {"state": args.get("state") or "", "overdue": args.get("overdue") == "1", "mine": args.get("mine") == "1",
             "order": (args.get("order") or "").strip()}
    if shown["state"] not in STATES:
        shown["state"] = ""
    collector_id = g.user.id if (shown["mine"] or not _sees_all()) else None
    order = _order_by_number(shown["order"])
    order_id = (order.id if order else -1) if shown["order"] else None
    page = paginate(fees.search(state=shown["state"] or None, overdue=True if shown["overdue"] else None,
                                collector_id=collector_id, order_id=order_id))
    now = utcnow()
    calendar, _view = tenant_calendar(now)
    today = calendar.local_date(now)
    rows = []
    for fee in page.items:
        overdue = fee.state == "collected" and fee.remit_due_at <= now
        rows.append({"fee": fee, "overdue": overdue, "days": days_since(calendar.local_date(fee.collected_at), today),
                     "reminder": reminder_state(fee.state, overdue, fee.reminders or 0),
                     "first_reminder": calendar.next_working_day(fee.remit_due_on)})
    orders_by_id = {o.id: o for o in db.session.scalars(
        select(WorkOrder).where(WorkOrder.id.in_({f.order_id for f in page.items} or {0})))}
    decisions = {d.id: d for d in db.session.scalars(
        select(Decision).where(Decision.id.in_({f.decision_id for f in page.items if f.decision_id} or {0})))}
    filter_args = {k: ("1" if v is True else v) for k, v in shown.items() if v}
    return render_template("portal/service_fees/index.html", page=page, rows=rows, shown=shown, filter_args=filter_args,
                           states=STATES, totals=_totals(collector_id, order_id), order=order, orders=orders_by_id,
                           decisions=decisions, names=_names(f.collector_id for f in page.items),
                           may_remit=g.user.has_role(*REMITTERS), may_void=g.user.has_role(*VOIDERS),
                           may_collect=g.user.has_role(*COLLECTORS), sees_all=_sees_all(), forms=forms or {},
                           refused=refused, labels=_labels()), status


# ------------------------------------------------------------------------------------------ list


@bp.get("")
@roles_required(*READERS)
def index():
    """Fees, the longest due first (``GET /service-fees``); a technician sees the fees they collected."""
    return _render_index()


# ------------------------------------------------------------------------------------------ record a fee


def _may_collect(order: WorkOrder) -> None:
    """As ``POST /work-orders/<order_id>/fees``: the service desk, or the order's assignee (403 otherwise)."""
    if not g.user.has_role(*COLLECTORS):
        abort(403)
    if not g.user.has_role(*DESK) and order.assignee_id != g.user.id:
        abort(403, description="only the order's assignee or the service desk records its fees")


def _render_new(order: WorkOrder, form: Form, status: int = 200, refused: str | None = None):
    desk = g.user.has_role(*DESK)
    found = fees.fees_of(order.id)
    if not _sees_all():
        found = [f for f in found if f.collector_id == g.user.id]
    collectors = []
    if desk:
        users = db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.display_name))
        collectors = [(u.id, u.display_name) for u in users]
    view = orders.order_policy(order).values["fees"]
    return render_template("portal/service_fees/new.html", order=order, form=form, refused=refused, desk=desk,
                           collectors=collectors, fees=found, settings=view, labels=_labels(),
                           names=_names([order.assignee_id, *(f.collector_id for f in found)]),
                           shown_fields=list(FEE_FIELDS)), status


@bp.route("/orders/<int:order_id>/new", methods=["GET", "POST"])
@login_required
def new(order_id: int):
    """SVC-15: record a fee collected on the order."""
    order = orders.get_order(order_id, for_update=request.method == "POST")
    _may_collect(order)
    if request.method == "GET":
        return _render_new(order, Form(values={"collector_id": order.assignee_id or ""}))
    form = Form.posted()
    desk = g.user.has_role(*DESK)
    try:
        data = ServiceFeeInSchema().load(fee_body(form.values, g.tenant.timezone, desk=desk))
        if desk:
            data["collector_id"] = data["collector_id"] if data["collector_id"] is not None else order.assignee_id
        else:  # a technician records the fees they collected themselves
            data["collector_id"] = g.user.id
        fee = fees.collect(order, data, by=g.user.id)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        order = orders.get_order(order_id)
        if isinstance(err, ValidationError) or err.status == 422:
            form.fail(err, select_locale())
            return _render_new(order, form, 422)
        form.message = form_message(err, select_locale())
        return _render_new(order, form, err.status if err.status in (403, 409) else 409, refused=form.message)
    flash(_("Fee recorded: to be remitted to finance through %(day)s.", day=fee.remit_due_on.isoformat()), "ok")
    return redirect(url_for(".index", order=order.number))


@bp.get("/record")
@roles_required(*COLLECTORS)
def record():
    """The order named by its number (``?order=``) → its fee form."""
    order = _order_by_number(request.args.get("order", ""))
    if order is None:
        flash(_("No work order with this number."), "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".new", order_id=order.id))


# ------------------------------------------------------------------------------------------ remit, void


def _step_failed(name: str, form: Form, err):
    db.session.rollback()
    if isinstance(err, ValidationError) or err.status == 422:
        form.fail(err, select_locale())
        form.message = form.message or _("Check the form.")
        return _render_index({name: form}, 422, refused=form.message)
    form.message = form_message(err, select_locale())
    return _render_index({name: form}, err.status if err.status in (403, 409) else 409, refused=form.message)


@bp.post("/<int:fee_id>/remit")
@login_required
def remit(fee_id: int):
    """Finance received the money (``POST /service-fees/<fee_id>/remit``); 409 once remitted or void."""
    fee = fees.get_fee(fee_id, for_update=True)
    if not g.user.has_role(*REMITTERS):
        abort(403)
    form = Form.posted()
    try:
        data = ServiceFeeRemitInSchema().load({
            "remitted_at": local_instant(form.value("remitted_at", None), g.tenant.timezone),
            "note": blank_to_none(form.value("note", None))})
        fees.remit(fee, by=g.user.id, at=data["remitted_at"], note=data["note"])
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _step_failed(f"remit-{fee_id}", form, err)
    flash(_("Remittance recorded."), "ok")
    return redirect(url_for(".index", **{k: v for k, v in request.args.items() if k != "page"}))


@bp.post("/<int:fee_id>/void")
@login_required
def void(fee_id: int):
    """A fee entered by mistake (``POST /service-fees/<fee_id>/void``), with its reason; not once remitted."""
    fee = fees.get_fee(fee_id, for_update=True)
    if not g.user.has_role(*VOIDERS):
        abort(403)
    form = Form.posted()
    try:
        data = ServiceFeeVoidInSchema().load({"reason": form.value("reason")})
        fees.void(fee, by=g.user.id, reason=data["reason"])
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _step_failed(f"void-{fee_id}", form, err)
    flash(_("Fee voided."), "ok")
    return redirect(url_for(".index"))
