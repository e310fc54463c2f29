"""Portal pages of changes after the deal (换房退房, RE-40..43), under ``/t/<slug>/re/changes``:

- ``index`` (``/re/changes``): the changes, newest first, and the three forms — swap (the RE-40 check's
  outcome shows on the change's page), rename (the RE-41 fee) and refund (the RE-43 retention attempt).
- ``show`` (``/re/changes/<change_id>``): one change, its decisions ("why?") and the steps the reader may
  take: approve / refuse (manager), complete (swap, rename), record the fee or refund a deposit (finance),
  record the retention attempt.
- ``instalments`` (``/re/changes/instalments``): the instalments of current deals by due day with their
  RE-42 stage (due, notice, breach, paid); finance records a payment with its receipt number.
- ``notice`` (``/re/changes/instalments/<instalment_id>/notice``): the printable payment-demand notice (催款通知单).

Every step calls the same service as the API (``plugins.real_estate.changes`` / ``instalments``).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.customers.staff_facts import users_by_id
from core.db import db
from core.decisions import service as decisions
from plugins.real_estate import changes, deal_versions, instalments
from plugins.real_estate.api.changes import VIEWERS
from plugins.real_estate.office_models import Change
from plugins.real_estate.portal import TEMPLATES
from plugins.real_estate.portal.steps import attempt
from plugins.real_estate.sales_models import Deposit, Subscription, Unit
from web.portal.forms import Form
from web.portal.lookups import as_id
from web.portal.paging import paginate
from web.portal.tenant_pages import roles_required

bp = Blueprint("re_changes", __name__, url_prefix="/re/changes", template_folder=TEMPLATES)

STATUS_LABELS = {"requested": ("待批准", "awaiting approval"), "approved": ("已批准", "approved"),
                 "done": ("已办结", "done"), "refused": ("已驳回", "refused"), "withdrawn": ("已撤回", "withdrawn")}
STAGE_LABELS = {"current": ("未逾期", "not overdue"), "notice": ("已发催款通知单", "payment-demand notice"),
                "breach": ("违约处理", "breach handling"), "paid": ("已付款", "paid")}


def _labels() -> dict:
    return {"kinds": changes.KIND_LABELS, "statuses": STATUS_LABELS, "stages": STAGE_LABELS}


# ------------------------------------------------------------------ the list and the forms


def _index_page(form: Form | None = None, which: str | None = None, status: int = 200):
    page = paginate(changes.search())
    subs = {s.id: s for s in db.session.scalars(select(Subscription).where(Subscription.id.in_(
        [c.subscription_id for c in page.items])))} if page.items else {}
    current = list(db.session.scalars(select(Subscription).where(Subscription.status.in_(deal_versions.CURRENT))
                                      .order_by(Subscription.number)))
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    available = sorted((u for u in units.values() if u.state == "available"), key=lambda u: u.number)
    return render_template("re/changes/index.html", page=page, subs=subs, units=units, form=form or Form(),
                           which=which, labels=_labels(), may_request=g.user.has_role(*changes.REQUESTERS),
                           subscriptions=[(s.id, f"{s.number} · {s.buyer_name} · {units[s.unit_id].number}"
                                           if s.unit_id in units else s.number) for s in current],
                           available=[(u.id, f"{u.number} · {u.area} m² · ¥{u.price:,.2f}") for u in available]), status


@bp.get("")
@roles_required(*VIEWERS)
def index():
    return _index_page()


def _posted_id(form: Form, name: str):
    value = as_id(form.value(name))
    if value is None:
        form.add(name, "required")
    return value


def _request(which: str, make, id_fields=("subscription_id",)):
    """A request form: its ids present (422 next to the field otherwise), then the service."""
    form = Form.posted()
    ids = [_posted_id(form, name) for name in id_fields]
    if not form.errors:
        change, status = attempt(form, lambda: make(form, *ids))
        if status != 200:
            return _index_page(form, which, status)
        flash(_("The change is recorded."), "ok")
        return redirect(url_for(".show", change_id=change.id))
    form.message = _("Please correct the fields marked below.")
    return _index_page(form, which, 422)


@bp.post("/swaps")
@roles_required(*VIEWERS)
def swap():
    return _request("swap", lambda form, sid, unit_id: changes.request_swap(sid, unit_id, by=g.user,
                                                                            reason=form.value("reason")),
                    id_fields=("subscription_id", "to_unit_id"))


@bp.post("/renames")
@roles_required(*VIEWERS)
def rename():
    return _request("rename", lambda form, sid: changes.request_rename(sid, form.value("new_name"), by=g.user,
                                                                       reason=form.value("reason")))


@bp.post("/refunds")
@roles_required(*VIEWERS)
def refund():
    return _request("refund", lambda form, sid: changes.request_refund(
        sid, by=g.user, reason=form.value("reason"), retention_note=form.value("retention_note")))


# ------------------------------------------------------------------ one change and its steps


def _show_page(change: Change, form: Form | None = None, status: int = 200):
    subscription = db.session.scalars(select(Subscription).where(Subscription.id == change.subscription_id)).one()
    unit_ids = [i for i in (change.from_unit_id, change.to_unit_id) if i]
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    trail = list(db.session.scalars(decisions.query(changes.SUBJECT, change.id)))[::-1]
    deposits = deal_versions.deposits_of(subscription) if change.kind == "refund" else []
    people = users_by_id([change.requested_by, change.approved_by])
    user = g.user
    return render_template(
        "re/changes/show.html", change=change, subscription=subscription, units=units, trail=trail,
        decision=trail[-1] if trail else None, deposits=deposits, people=people, form=form or Form(),
        labels=_labels(), is_manager=user.has_role(*changes.APPROVERS), is_finance=user.has_role(*changes.FINANCE),
        is_requester=user.has_role(*changes.REQUESTERS)), status


@bp.get("/<int:change_id>")
@roles_required(*VIEWERS)
def show(change_id: int):
    return _show_page(changes.get_change(change_id))


def _step(change_id: int, act):
    change = changes.get_change(change_id)  # 404 first, whatever the form holds
    form = Form.posted()
    _done, status = attempt(form, lambda: act(form))
    if status != 200:
        return _show_page(changes.get_change(change.id), form, status)
    flash(_("Saved."), "ok")
    return redirect(url_for(".show", change_id=change_id))


@bp.post("/<int:change_id>/approve")
@roles_required(*VIEWERS)
def approve(change_id: int):
    return _step(change_id, lambda form: changes.approve(change_id, by=g.user, reason=form.value("reason")))


@bp.post("/<int:change_id>/refuse")
@roles_required(*VIEWERS)
def refuse(change_id: int):
    return _step(change_id, lambda form: changes.refuse(change_id, by=g.user, reason=form.value("reason")))


@bp.post("/<int:change_id>/complete")
@roles_required(*VIEWERS)
def complete(change_id: int):
    return _step(change_id, lambda form: changes.complete(change_id, by=g.user))


@bp.post("/<int:change_id>/retention")
@roles_required(*VIEWERS)
def retention(change_id: int):
    return _step(change_id, lambda form: changes.record_retention(change_id, form.value("note"), by=g.user))


@bp.post("/<int:change_id>/fee")
@roles_required(*VIEWERS)
def fee(change_id: int):
    return _step(change_id, lambda form: changes.pay_fee(change_id, form.value("receipt_no"), by=g.user))


@bp.post("/<int:change_id>/deposits/<int:deposit_id>/refund")
@roles_required(*VIEWERS)
def refund_deposit(change_id: int, deposit_id: int):
    db.session.scalars(select(Deposit).where(Deposit.id == deposit_id)).first() or abort(404)
    return _step(change_id, lambda form: changes.refund_deposit(change_id, deposit_id, form.value("refund_receipt_no"),
                                                                by=g.user))


# ------------------------------------------------------------------ RE-42 instalments and notices


def _instalments_page(form: Form | None = None, failed_id: int | None = None, status: int = 200):
    today = instalments.local_today()
    rows = list(db.session.scalars(instalments.listing()))
    subs = {s.id: s for s in db.session.scalars(select(Subscription).where(Subscription.id.in_(
        [i.subscription_id for i in rows])))} if rows else {}
    lines = [{"instalment": i, "subscription": subs.get(i.subscription_id), "stage": instalments.stage_of(i, today),
              "status": instalments.status_of(i, today)} for i in rows]
    return render_template("re/changes/instalments.html", lines=lines, today=today, labels=_labels(),
                           form=form or Form(), failed_id=failed_id, is_finance=g.user.has_role(*changes.FINANCE)), status


@bp.get("/instalments")
@roles_required(*VIEWERS)
def instalments_index():
    return _instalments_page()


@bp.post("/instalments/<int:instalment_id>/pay")
@roles_required(*VIEWERS)
def pay(instalment_id: int):
    instalments.get_instalment(instalment_id)  # 404 first
    form = Form.posted()
    _done, status = attempt(form, lambda: instalments.pay(instalment_id, form.value("receipt_no"), by=g.user))
    if status != 200:
        return _instalments_page(form, instalment_id, status)
    flash(_("The payment is recorded."), "ok")
    return redirect(url_for(".instalments_index"))


@bp.get("/instalments/<int:instalment_id>/notice")
@roles_required(*VIEWERS)
def notice(instalment_id: int):
    instalment = instalments.get_instalment(instalment_id)
    if instalment.notice_at is None:
        abort(404)
    return render_template("re/changes/notice.html", notice=instalments.notice_of(instalment), labels=_labels(),
                           stage=instalments.stage_of(instalment, instalments.local_today()))
