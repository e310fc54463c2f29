"""Portal pages: Staff (人员考核) — the penalty ledger, penalty proposals and their approval (STF-01/02/23).

- ``portal.staff.index`` (``/staff``): an employee's own ledger, slips to sign, appeals with their
  deadlines, the month's credit and scorecard; a manager's team ledger with filters and pages.
- ``portal.staff.new_penalty`` (``/staff/penalties/new``): propose a penalty priced by the catalog.
- ``portal.staff.new_entry`` (``/staff/entries/new``): an entry by hand — a reward, or a fine a rule of
  its own priced (proposed until approved).
- ``portal.staff.entry`` (``/staff/entries/<staff_entry_id>``): one entry with its "why?", and the
  approver's steps: approve (amount within the range), withdraw, issue the slip, reverse.

Slips and appeals are in :mod:`web.portal.staff_slips`, credit and scorecards in
:mod:`web.portal.staff_pay`; all on this blueprint. Every view calls the services the API calls.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.db import db, utcnow
from core.decisions import service as decisions
from core.policy.service import tenant_today
from core.staff import appeals, credit, ledger, ledger_rules, penalties, scorecards, slips, statements
from core.staff.models import KINDS, STATES, StaffEntry
from web.api.staff_ledger import EntryInSchema, EntryQuerySchema, EntryRevokeSchema, ReverseInSchema
from web.api.staff_penalties import ApproveInSchema, PenaltyInSchema
from web.api.staff_slips import SlipIssueSchema
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.paging import paginate
from web.portal.staff_common import (
    attempt, departments, employees, form_input, is_manager, may_see_user, month_text, names, offence_labels,
    shift_month,
)
from web.portal.tenant_pages import login_required

bp = Blueprint("staff", __name__, url_prefix="/staff")

PENALTY_FIELDS = ("user_id", "team_id", "department_id", "offence", "occurred_at", "subject_type", "subject_id",
                  "quantity", "outcome", "role", "minutes_late", "reason_zh", "reason_en")
ENTRY_FIELDS = ("user_id", "department_id", "kind", "unit", "amount", "offence", "occurred_at", "subject_type",
                "subject_id", "reason_zh", "reason_en")
FILTERS = ("user_id", "department_id", "month", "state", "kind")


def _decision(decision_id):
    return decisions.get(decision_id) if decision_id else None


# ------------------------------------------------------------------------------------ home

def _ledger_query(manager: bool):
    """The filters of the ledger, validated by the API's query schema; an employee's are their own."""
    wanted = FILTERS if manager else ("month", "state", "kind")
    typed = {k: request.args.get(k, "").strip() for k in wanted if request.args.get(k, "").strip()}
    form = Form(values=dict(typed))
    try:
        query = EntryQuerySchema().load(typed)
    except ValidationError as err:
        form.fail(err, select_locale())
        query = dict(err.valid_data or {})
    if not manager:
        query["user_id"] = g.user.id
    stmt = ledger.entries(**query).order_by(None).order_by(StaffEntry.occurred_at.desc(), StaffEntry.id.desc())
    return form, typed, stmt


def _mine(month):
    """The employee's own: slips to sign, appeals, the month's totals, credit and scorecard."""
    me = g.user.id
    to_sign = list(db.session.scalars(slips.slips(user_id=me).where(
        slips.PenaltySlip.state.in_(("issued", "refused")))))
    return {
        "to_sign": to_sign,
        "appeals": list(db.session.scalars(appeals.appeals(user_id=me).limit(10))),
        "totals": ledger.month_totals(me, month),
        "figures": credit.month_figures(me, month),
        "scorecard": scorecards.scorecard_for(me, month) or scorecards.scorecard_for(me, shift_month(month, -1)),
        "to_confirm": list(db.session.scalars(statements.statements(user_id=me, state="issued").limit(3))),
    }


@bp.get("")
@login_required
def index():
    manager = is_manager(g.user)
    month = tenant_today().replace(day=1)
    form, typed, stmt = _ledger_query(manager)
    page = paginate(stmt)
    mine = _mine(month)
    open_appeals = list(db.session.scalars(appeals.appeals(state="open").limit(20))) if manager else []
    people = names([e.user_id for e in page.items] + [a.user_id for a in open_appeals])
    return render_template(
        "portal/staff/index.html", manager=manager, month=month, month_label=month_text(month), form=form,
        args=typed, page=page, mine=mine, offences=offence_labels(), open_appeals=open_appeals, people=people, kinds=KINDS, states=STATES,
        employees=employees() if manager else [], departments=departments() if manager else [])


# ------------------------------------------------------------------------------------ proposing

def _may_propose() -> None:
    if not is_manager(g.user):  # the API's POST /staff/penalties: LEDGER_MANAGERS
        abort(403)


def _penalty_page(form, status=200):
    return render_template("portal/staff/penalty_new.html", form=form, employees=employees(),
                           departments=departments()), status


@bp.get("/penalties/new")
@login_required
def new_penalty():
    _may_propose()
    return _penalty_page(Form(values={"quantity": "1", "user_id": request.args.get("user_id", "")}))


@bp.post("/penalties/new")
@login_required
def propose_penalty():
    _may_propose()
    form = Form.posted()
    data = form_input(form.values, PENALTY_FIELDS, times=("occurred_at",), timezone=g.tenant.timezone)

    def step():
        loaded = PenaltyInSchema().load(data)
        return penalties.penalise(**{**loaded, "occurred_at": loaded["occurred_at"] or utcnow()}, created_by=g.user.id)

    status, written = attempt(step, form, select_locale())
    if status:
        return _penalty_page(form, status)
    flash(_("The penalty is proposed; it counts once its approver approves it."), "ok")
    return redirect(url_for("portal.staff.entry", staff_entry_id=written[0].id))


def _entry_form_page(form, status=200):
    return render_template("portal/staff/entry_new.html", form=form, employees=employees(),
                           departments=departments(), kinds=KINDS), status


@bp.get("/entries/new")
@login_required
def new_entry():
    _may_propose()  # the API's POST /staff/entries: LEDGER_MANAGERS
    return _entry_form_page(Form(values={"kind": "reward", "unit": "yuan", "user_id": request.args.get("user_id", "")}))


@bp.post("/entries/new")
@login_required
def record_entry():
    """STF-01: a manual entry (a reward, or a fine priced by the caller), proposed until approved."""
    _may_propose()
    form = Form.posted()
    data = form_input(form.values, ENTRY_FIELDS, times=("occurred_at",), timezone=g.tenant.timezone)

    def step():
        return ledger.record_entry(**EntryInSchema().load(data), created_by=g.user.id)

    status, written = attempt(step, form, select_locale())
    if status:
        return _entry_form_page(form, status)
    flash(_("The entry is recorded as a proposal; it counts once approved."), "ok")
    return redirect(url_for("portal.staff.entry", staff_entry_id=written.id))


# ------------------------------------------------------------------------------------ one entry

def _entry_page(entry, forms=None, status=200):
    forms = forms or {}
    slip = slips.slip_for_entry(entry.id)
    reversals = list(db.session.scalars(select(StaffEntry).where(StaffEntry.reverses_id == entry.id)))
    approver = penalties.approver_of(entry) if entry.kind != "reward" else None
    pricing = (entry.facts or {}).get("pricing") or {}
    people = names([entry.user_id, entry.created_by, entry.approved_by])
    return render_template(
        "portal/staff/entry.html", entry=entry, slip=slip, reversals=reversals, approver=approver,
        pricing=pricing, people=people, offences=offence_labels(), decision=_decision(entry.decision_id), manager=is_manager(g.user),
        may_approve=approver is not None and g.user.has_role(approver) and entry.user_id != g.user.id,
        reversible=entry.state in ledger_rules.REVERSIBLE and entry.user_id != g.user.id,
        left=entry.amount - ledger.reversed_amount(entry) if entry.state != "reversal" else None,
        approve_form=forms.get("approve") or Form(), revoke_form=forms.get("revoke") or Form(),
        slip_form=forms.get("slip") or Form(), reverse_form=forms.get("reverse") or Form()), status


def _visible_entry(staff_entry_id: int):
    entry = ledger.get_entry(staff_entry_id)  # 404 first
    if entry.user_id is None:
        if not is_manager(g.user):
            abort(403)
    else:
        may_see_user(entry.user_id)
    return entry


@bp.get("/entries/<int:staff_entry_id>")
@login_required
def entry(staff_entry_id):
    return _entry_page(_visible_entry(staff_entry_id))


@bp.post("/entries/<int:staff_entry_id>/approve")
@login_required
def approve_entry(staff_entry_id):
    """STF-23: the catalog's approver approves a penalty (setting an amount within the range, STF-02);
    a manager approves a reward (STF-01)."""
    entry = _visible_entry(staff_entry_id)
    form = Form.posted()
    data = form_input(form.values, ("amount", "reason"))

    def step():
        loaded = ApproveInSchema().load(data)
        if entry.kind == "reward":
            if not is_manager(g.user):
                abort(403)
            return ledger.approve_reward(entry, by=g.user.id, note=loaded["reason"])
        return penalties.approve(entry, by=g.user, amount=loaded["amount"], reason=loaded["reason"])

    status, _done = attempt(step, form, select_locale())
    if status:
        return _entry_page(ledger.get_entry(staff_entry_id), {"approve": form}, status)
    flash(_("Approved."), "ok")
    return redirect(url_for("portal.staff.entry", staff_entry_id=staff_entry_id))


@bp.post("/entries/<int:staff_entry_id>/revoke")
@login_required
def revoke_entry(staff_entry_id):
    """STF-01: a proposal withdrawn before approval, with a reason."""
    entry = _visible_entry(staff_entry_id)
    if not is_manager(g.user):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("reason",))

    def step():
        loaded = EntryRevokeSchema().load(data)
        return ledger.revoke_proposal(entry, by=g.user.id, reason=loaded["reason"])

    status, _done = attempt(step, form, select_locale())
    if status:
        return _entry_page(ledger.get_entry(staff_entry_id), {"revoke": form}, status)
    flash(_("The proposal is withdrawn."), "ok")
    return redirect(url_for("portal.staff.entry", staff_entry_id=staff_entry_id))


@bp.post("/entries/<int:staff_entry_id>/slip")
@login_required
def issue_slip(staff_entry_id):
    """STF-20: the slip of an approved penalty; the appeal window starts (STF-21)."""
    entry = _visible_entry(staff_entry_id)
    if not is_manager(g.user):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("facts", "opinion", "evidence"), lists=("evidence",))

    def step():
        loaded = SlipIssueSchema().load({**data, "staff_entry_id": entry.id})
        return slips.issue(loaded.pop("staff_entry_id"), by=g.user.id, **loaded)

    status, slip = attempt(step, form, select_locale())
    if status:
        return _entry_page(ledger.get_entry(staff_entry_id), {"slip": form}, status)
    flash(_("The slip is issued; the employee is asked to sign it."), "ok")
    return redirect(url_for("portal.staff.slip", slip_id=slip.id))


@bp.post("/entries/<int:staff_entry_id>/reverse")
@login_required
def reverse_entry(staff_entry_id):
    """STF-01: what already counts reversed (all, or part) by a linked entry; the original is kept."""
    entry = _visible_entry(staff_entry_id)
    if not is_manager(g.user):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("reason_zh", "reason_en", "amount"))

    def step():
        return ledger.reverse(entry, by=g.user.id, **ReverseInSchema().load(data))

    status, reversal = attempt(step, form, select_locale())
    if status:
        return _entry_page(ledger.get_entry(staff_entry_id), {"reverse": form}, status)
    flash(_("The entry is reversed; the original is kept."), "ok")
    return redirect(url_for("portal.staff.entry", staff_entry_id=reversal.id))


# ------------------------------------------------------------------------------------ "why?" access

@visible_to("staff_entry")
def _entry_visible(user, subject_id):
    """A decision about a ledger entry: the employee it is about, and the ledger's managers."""
    if is_manager(user):
        return True
    found = db.session.scalars(select(StaffEntry.user_id).where(StaffEntry.id == subject_id)).first()
    return found is not None and found == user.id


from web.portal import staff_pay, staff_slips  # noqa: E402,F401  (their routes hang on this blueprint)
