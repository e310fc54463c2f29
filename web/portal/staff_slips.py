"""Portal pages: a penalty slip (处罚单) and its appeal (STF-20..22).

- ``portal.staff.slip`` (``/staff/slips/<slip_id>``): the slip, its witnesses, the appeal window and
  the appeal with the reply's deadline (``ui.clock``), each automatic outcome with its "why?".
- POST ``.../sign`` (the employee: receipt, not agreement), ``.../appeal`` (the employee's written
  appeal, or a manager's copy of a paper one), ``.../appeal/reply`` (a manager: upheld, modified,
  revoked), ``.../refusal`` (a manager records a refusal) and ``.../witnesses`` (a witness signs).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.db import db, utcnow
from core.decisions import service as decisions
from core.staff import appeals, ledger, slips
from core.staff.appeals_models import OUTCOMES, SlipAppeal
from core.staff.slips_models import PenaltySlip
from web.api.staff_slips import SlipAppealInSchema, SlipRefusalSchema, SlipReplyInSchema, SlipWitnessInSchema
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.staff import bp
from web.portal.staff_common import attempt, employees, form_input, is_manager, names, offence_labels, through
from web.portal.tenant_pages import login_required


def _visible_slip(slip_id: int) -> PenaltySlip:
    """The slip (404 first); the employee, managers, witnesses, and anyone for a refused slip (to
    witness it), as the API."""
    slip = slips.get_slip(slip_id)
    if slip.user_id == g.user.id or is_manager(g.user) or slip.state == "refused":
        return slip
    if any(w.user_id == g.user.id for w in slips.witnesses_of(slip.id)):
        return slip
    abort(403)


def _slip_page(slip_id: int, forms=None, status=200):
    slip = slips.get_slip(slip_id)
    forms = forms or {}
    appeal = appeals.appeal_of(slip.id)
    entry = ledger.get_entry(slip.staff_entry_id)
    witnesses = slips.witnesses_of(slip.id)
    slip_decisions = list(db.session.scalars(decisions.query(slips.SUBJECT, slip.id)))
    appeal_decisions = list(db.session.scalars(decisions.query(appeals.SUBJECT, appeal.id))) if appeal else []
    people = names([slip.user_id, slip.issued_by, slip.refusal_recorded_by, *(w.user_id for w in witnesses),
                    appeal.submitted_by if appeal else None, appeal.replied_by if appeal else None,
                    appeal.escalated_to if appeal else None])
    mine = slip.user_id == g.user.id
    now = utcnow()
    return render_template(
        "portal/staff/slip.html", slip=slip, entry=entry, appeal=appeal, witnesses=witnesses, people=people,
        slip_decisions=slip_decisions, appeal_decisions=appeal_decisions, mine=mine, manager=is_manager(g.user),
        window_open=now <= slip.appeal_window_ends_at, outcomes=OUTCOMES, offences=offence_labels(),
        window_through=through(slip.appeal_window_ends_at), reply_through=through(appeal.reply_due_at) if appeal else None,
        employees=employees() if is_manager(g.user) else [],
        may_witness=slip.state == "refused" and not mine and all(w.user_id != g.user.id for w in witnesses),
        sign_form=forms.get("sign") or Form(), appeal_form=forms.get("appeal") or Form(),
        reply_form=forms.get("reply") or Form(), refusal_form=forms.get("refusal") or Form(),
        witness_form=forms.get("witness") or Form()), status


@bp.get("/slips/<int:slip_id>")
@login_required
def slip(slip_id):
    _visible_slip(slip_id)
    return _slip_page(slip_id)


def _done(slip_id, message):
    flash(message, "ok")
    return redirect(url_for("portal.staff.slip", slip_id=slip_id))


@bp.post("/slips/<int:slip_id>/sign")
@login_required
def sign_slip(slip_id):
    """STF-20: the employee signs (receipt, not agreement): the slip and its penalty take effect."""
    _visible_slip(slip_id)
    form = Form.posted()
    status, _signed = attempt(lambda: slips.sign(slip_id, by=g.user.id), form, select_locale())
    if status:
        return _slip_page(slip_id, {"sign": form}, status)
    return _done(slip_id, _("Signed: you acknowledge receipt. You may still appeal within the window."))


@bp.post("/slips/<int:slip_id>/appeal")
@login_required
def appeal_slip(slip_id):
    """STF-21: the written appeal within the window (a manager may enter a paper appeal)."""
    _visible_slip(slip_id)
    form = Form.posted()
    data = form_input(form.values, ("text",))

    def step():
        loaded = SlipAppealInSchema().load(data)
        return appeals.file(slip_id, by=g.user.id, on_behalf=is_manager(g.user), **loaded)

    status, _filed = attempt(step, form, select_locale())
    if status:
        return _slip_page(slip_id, {"appeal": form}, status)
    return _done(slip_id, _("Your appeal is received; a written reply is due within the time shown."))


@bp.post("/slips/<int:slip_id>/appeal/reply")
@login_required
def reply_appeal(slip_id):
    """STF-21: the manager's written reply: upheld, modified (new amount) or revoked."""
    _visible_slip(slip_id)
    if not is_manager(g.user):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("outcome", "text", "new_amount"))

    def step():
        loaded = SlipReplyInSchema().load(data)
        return appeals.reply(slip_id, by=g.user.id, **loaded)

    status, _replied = attempt(step, form, select_locale())
    if status:
        return _slip_page(slip_id, {"reply": form}, status)
    return _done(slip_id, _("The reply is recorded and the employee is told."))


@bp.post("/slips/<int:slip_id>/refusal")
@login_required
def refuse_slip(slip_id):
    """STF-20/22: a manager present records the employee's refusal; witnesses sign next."""
    _visible_slip(slip_id)
    if not is_manager(g.user):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("note", "bad_attitude", "evidence"), lists=("evidence",), flags=("bad_attitude",))

    def step():
        return slips.refuse(slip_id, by=g.user.id, **SlipRefusalSchema().load(data))

    status, _refused = attempt(step, form, select_locale())
    if status:
        return _slip_page(slip_id, {"refusal": form}, status)
    return _done(slip_id, _("The refusal is recorded; the slip takes effect when enough witnesses sign."))


@bp.post("/slips/<int:slip_id>/witnesses")
@login_required
def witness_slip(slip_id):
    """STF-20: a witness signs a refused slip (a manager may copy the signature of a paper slip)."""
    _visible_slip(slip_id)
    form = Form.posted()
    data = form_input(form.values, ("user_id",))

    def step():
        loaded = SlipWitnessInSchema().load(data)
        return slips.witness(slip_id, by=g.user.id, may_record_others=is_manager(g.user), **loaded)

    status, _signed = attempt(step, form, select_locale())
    if status:
        return _slip_page(slip_id, {"witness": form}, status)
    return _done(slip_id, _("The witness signature is recorded."))


# ------------------------------------------------------------------------------------ "why?" access

@visible_to("staff_slip")
def _slip_visible(user, subject_id):
    if is_manager(user):
        return True
    found = db.session.scalars(select(PenaltySlip.user_id).where(PenaltySlip.id == subject_id)).first()
    if found is not None and found == user.id:
        return True
    return any(w.user_id == user.id for w in slips.witnesses_of(subject_id)) if found is not None else False


@visible_to("staff_appeal")
def _appeal_visible(user, subject_id):
    if is_manager(user):
        return True
    found = db.session.scalars(select(SlipAppeal.user_id).where(SlipAppeal.id == subject_id)).first()
    return found is not None and found == user.id
