"""Portal pages: service contracts and warranties, their periods and serials (SVC-20), expiry reminders
(SVC-21) and renewals (SVC-22).

- ``portal.service_contracts.index`` ``/service/contracts``: contracts, the soonest to run out first, with
  their period, serial, state and the days to their end (a badge from the reminder day on: a month
  before); the contracts still waiting for their installation.
- ``portal.service_contracts.new`` ``/service/contracts/new``: a signed contract (POST
  ``/service-contracts`` of the API).
- ``portal.service_contracts.show`` ``/service/contracts/<service_contract_id>``: periods, renewals
  (payment limit, unpaid alerts), reminders and the customer's answers, the customer's warranties,
  "why?" links; forms for the installation date, a renewal, its payment (finance), its cancellation and
  the answer to a reminder — each the API's step with the API's schema and roles.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.errors import KehuError, NotFound
from core.service import contracts
from core.service import contract_rules as rules
from core.service.policy import svc_policy
from web.api.service_contracts import (
    FINANCE,
    WRITERS,
    SvcCancelInSchema,
    SvcContractInSchema,
    SvcInstalledInSchema,
    SvcPaymentInSchema,
    SvcRenewalInSchema,
    SvcResponseInSchema,
)
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form, refusal_status
from web.portal.lookups import visible_customer
from web.portal.paging import paginate
from web.portal.service_forms import blank_to_none, local_instant
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("service_contracts", __name__, url_prefix="/service/contracts")

#: the fields of each form on the contract page (their errors sit next to them)
FORM_FIELDS = {
    "new": ("customer_id", "kind", "subject", "reference", "signed_on", "installed_on", "term", "amount",
            "installation_order_id", "serial", "note"),
    "installed": ("installed_on", "serial"),
    "renew": ("signed_on", "method", "amount", "term", "note"),
    "payment": ("paid_on", "amount", "receipt_no", "serial"),
    "cancel": ("reason",),
    "response": ("outcome", "note", "responded_at"),
}


def labels() -> dict:
    """Codes of the contracts' domain in the reader's language."""
    return {
        "kinds": {"service": _("Service contract"), "warranty": _("Warranty (kind of contract)")},
        "states": {"active": _("Contract in force"), "expired": _("Contract expired"), "renewal_pending": _("Renewal awaiting payment"),
                   "ended": _("Ended (not renewed)")},
        "methods": {"fax": _("By fax"), "e_sign": _("Electronic signature"), "paper": _("Paper original")},
        "renewal_states": {"awaiting_payment": _("Renewal awaiting its payment"), "paid": _("Renewal paid"), "cancelled": _("Cancelled")},
        "outcomes": {"renew": _("Will renew"), "decline": _("Declines renewal"), "undecided": _("Customer undecided")},
        "period_kinds": {"initial": _("Initial period"), "renewal": _("Renewal period")},
    }


@visible_to("service_contract")
def _contract_visible(user, subject_id: int) -> bool:
    """As the API: every user of the company may read its contracts (``GET /service-contracts/<id>``)."""
    try:
        contracts.get_contract(subject_id)
    except NotFound:
        return False
    return True


@visible_to("service_renewal")
def _renewal_visible(user, subject_id: int) -> bool:
    try:
        contracts.get_renewal(subject_id)
    except NotFound:
        return False
    return True


# ------------------------------------------------------------------------------------------ helpers


def today() -> dt.date:
    calendar, _unused = tenant_calendar()
    return calendar.local_date(utcnow())


def days_left(ends_on: dt.date, on: dt.date) -> int:
    """Days from ``on`` to the last day covered (0 = ends today, negative = ended)."""
    return (ends_on - on).days


def end_badge(ends_on: dt.date, on: dt.date, remind_before) -> str:
    """``late`` once ended, ``warn`` from the reminder day (``svc.expiry.remind_before`` before the end),
    else ``ok``."""
    if ends_on < on:
        return "late"
    if rules.reminder_on(ends_on, remind_before) <= on:
        return "warn"
    return "ok"


#: the units of a term or a reminder lead: (Chinese, English)
TERM_UNITS = {"days": ("天", "days"), "weeks": ("周", "weeks"), "months": ("个月", "months"), "years": ("年", "years"),
              "working_days": ("个工作日", "working days")}


def term_text(term, english: bool = False) -> str:
    """``"1 years"`` (or a Duration) → ``1年`` / ``1 years``; anything else as it is."""
    parts = str(term or "").split()
    if len(parts) != 2 or parts[1] not in TERM_UNITS:
        return str(term or "")
    zh, en = TERM_UNITS[parts[1]]
    return f"{parts[0]} {en}" if english else f"{parts[0]}{zh}"


def _term(term) -> str:
    return term_text(term, select_locale() == "en")


def _customer_names(ids) -> dict[int, object]:
    """The customers the reader may see (CUS-70), by id; others are not named."""
    out = {}
    for customer_id in {i for i in ids if i}:
        customer = visible_customer(customer_id)
        if customer is not None:
            out[customer_id] = customer
    return out


def _current_periods(contract_ids, on: dt.date) -> dict:
    """Per contract: the period covering ``on``, else its last one."""
    out = {}
    for contract_id in contract_ids:
        periods = contracts.periods_of(contract_id)
        covering = [p for p in periods if p.starts_on <= on <= p.ends_on]
        out[contract_id] = covering[0] if covering else (periods[-1] if periods else None)
    return out


def _remind_before():
    return svc_policy().values["expiry"]["remind_before"]


def _as_int(raw):
    text = str(raw or "").strip()
    return int(text) if text.isdigit() else (text or None)


def _writer() -> bool:
    return g.user.has_role(*WRITERS)


# ------------------------------------------------------------------------------------------ list


@bp.get("")
@login_required
def index():
    """Contracts, the soonest to run out first; those waiting for their installation apart."""
    args = request.args
    shown = {"state": args.get("state") or "", "kind": args.get("kind") or "", "serial": (args.get("serial") or "").strip()}
    if shown["state"] not in rules.STATES:
        shown["state"] = ""
    if shown["kind"] not in rules.KINDS:
        shown["kind"] = ""
    page = paginate(contracts.search(state=shown["state"] or None, kind=shown["kind"] or None,
                                     serial=shown["serial"] or None))
    on = today()
    waiting = list(db.session.scalars(contracts.search(state="active").where(
        contracts.ServiceContract.installed_on.is_(None)).limit(50)))
    mine = list(db.session.scalars(contracts.search_reminders(state="open", assignee_id=g.user.id).limit(50)))
    items = list(page.items) + waiting
    return render_template(
        "portal/service_contracts/index.html", page=page, shown=shown, waiting=waiting, mine=mine,
        filter_args={k: v for k, v in shown.items() if v}, today=on, remind_before=_remind_before(), term=_term,
        periods=_current_periods([c.id for c in items], on), customers=_customer_names(c.customer_id for c in items),
        days_left=days_left, end_badge=end_badge, labels=labels(), states=rules.STATES, kinds=rules.KINDS,
        may_write=_writer())


# ------------------------------------------------------------------------------------------ new


def _render_new(form: Form, status: int = 200):
    customer = visible_customer(form.value("customer_id"))
    return render_template("portal/service_contracts/new.html", form=form, customer=customer, labels=labels(),
                           kinds=rules.KINDS, shown_fields=FORM_FIELDS["new"]), status


def contract_body(values: dict) -> dict:
    """The body of ``POST /service-contracts`` from the form (blank boxes left out: the schema's defaults)."""
    body = {}
    for name in FORM_FIELDS["new"]:
        raw = values.get(name)
        if isinstance(raw, str) and raw.strip():
            body[name] = raw.strip()
    for name in ("customer_id", "installation_order_id"):
        if name in body:
            body[name] = _as_int(body[name])
    return body


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new():
    """A signed contract (or warranty) with its first period (SVC-20): POST ``/service-contracts``."""
    if request.method == "GET":
        return _render_new(Form(values={"kind": "service", "term": "1 years",
                                        "customer_id": request.args.get("customer_id", "")}))
    form = Form.posted()
    try:
        data = SvcContractInSchema().load(contract_body(form.values))
        if visible_customer(data["customer_id"]) is None:
            raise ValidationError({"customer_id": [_("No customer you may see has this number.")]})
        contract = contracts.create_contract(data, by=g.user.id)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _render_new(form, 422)
    first = contracts.periods_of(contract.id)[0]
    flash(_("Contract saved: covered %(first)s to %(last)s.", first=first.starts_on.isoformat(),
            last=first.ends_on.isoformat()), "ok")
    return redirect(url_for(".show", service_contract_id=contract.id))


# ------------------------------------------------------------------------------------------ the contract


def _render_contract(contract, forms: dict | None = None, status: int = 200):
    from core.decisions.models import Decision
    from sqlalchemy import select

    on = today()
    periods = contracts.periods_of(contract.id)
    renewals = contracts.renewals_of(contract.id)
    reminders = contracts.reminders_of(contract.id)
    customer = visible_customer(contract.customer_id)
    warranties = []
    if customer is not None:
        warranties = [c for c in db.session.scalars(contracts.search(customer_id=contract.customer_id))
                      if c.id != contract.id]
    decision_ids = {i for i in [contract.decision_id, *(p.decision_id for p in periods),
                                *(r.decision_id for r in renewals), *(r.payment_decision_id for r in renewals),
                                *(r.alert_decision_id for r in renewals), *(r.decision_id for r in reminders)] if i}
    decisions = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))} \
        if decision_ids else {}
    new_periods = {p.id: p for p in periods}
    pending = contracts.open_renewal(contract.id)
    forms = forms or {}
    for name in ("installed", "renew", "payment", "cancel", "response"):
        forms.setdefault(name, Form())
    if not forms["renew"].values:
        forms["renew"].values.setdefault("method", "fax")
        forms["renew"].values.setdefault("term", contract.term)
        if contract.amount is not None:
            forms["renew"].values.setdefault("amount", str(contract.amount))
    if pending is not None:
        forms["payment"].values.setdefault("amount", str(pending.amount))
    return render_template(
        "portal/service_contracts/show.html", contract=contract, periods=periods, renewals=renewals,
        reminders=reminders, customer=customer, warranties=warranties, decisions=decisions, pending=pending,
        new_periods=new_periods, forms=forms, fields=FORM_FIELDS, today=on, remind_before=_remind_before(), term=_term,
        days_left=days_left, end_badge=end_badge, labels=labels(), now=utcnow(),
        methods=rules.RENEWAL_METHODS, outcomes=rules.OUTCOMES,
        may_write=_writer(), may_install=g.user.has_role(*WRITERS, "technician"),
        may_pay=g.user.has_role(*FINANCE)), status


@bp.get("/<int:service_contract_id>")
@login_required
def show(service_contract_id: int):
    return _render_contract(contracts.get_contract(service_contract_id))


def _step(service_contract_id: int, name: str, roles: tuple, act, done: str):
    """Load the contract (locked; another tenant's: 404), check the roles as the API, run ``act(contract,
    form)`` and commit; bad input → 422 with the field errors, a refusal → 409 with its message."""
    contract = contracts.get_contract(service_contract_id, for_update=True)
    if not g.user.has_role(*roles):
        abort(403)
    form = Form.posted()
    try:
        act(contract, form)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        status = refusal_status(err)
        form.fail(err, select_locale())
        return _render_contract(contracts.get_contract(service_contract_id), {name: form}, status)
    flash(done, "ok")
    return redirect(url_for(".show", service_contract_id=service_contract_id))


def _text(form: Form, name: str):
    return blank_to_none(form.value(name, None))


@bp.post("/<int:service_contract_id>/installed")
@login_required
def installed(service_contract_id: int):
    """SVC-20: the installation date — the first period re-dated from it, the serial issued."""

    def act(contract, form):
        data = SvcInstalledInSchema().load({"installed_on": _text(form, "installed_on"),
                                            "serial": _text(form, "serial")})
        contracts.on_installed(contract, data["installed_on"], by=g.user.id, serial=data["serial"])

    return _step(service_contract_id, "installed", (*WRITERS, "technician"), act,
                 _("Installation date saved: the serial is issued."))


@bp.post("/<int:service_contract_id>/renewals")
@login_required
def renew(service_contract_id: int):
    """SVC-22: a renewal returned signed — payment due within ``svc.renewal.pay_within``."""

    def act(contract, form):
        data = SvcRenewalInSchema().load({k: _text(form, k) for k in FORM_FIELDS["renew"] if _text(form, k) is not None})
        contracts.renew(contract, data, by=g.user.id)

    return _step(service_contract_id, "renew", WRITERS, act, _("Renewal saved: finance is told when it is due."))


def _renewal_of(contract, service_renewal_id: int):
    renewal = contracts.get_renewal(service_renewal_id, for_update=True)
    if renewal.contract_id != contract.id:
        raise NotFound("service renewal not found")
    return renewal


@bp.post("/<int:service_contract_id>/renewals/<int:service_renewal_id>/payment")
@login_required
def payment(service_contract_id: int, service_renewal_id: int):
    """SVC-22 (finance): the payment — the next period from the day after the old end, a new serial."""
    contracts.get_renewal(service_renewal_id)  # another tenant's: 404 before anything else

    def act(contract, form):
        renewal = _renewal_of(contract, service_renewal_id)
        data = SvcPaymentInSchema().load({k: _text(form, k) for k in FORM_FIELDS["payment"] if _text(form, k) is not None})
        contracts.record_payment(renewal, data, by=g.user.id)

    return _step(service_contract_id, "payment", FINANCE, act, _("Payment recorded: the next period is added."))


@bp.post("/<int:service_contract_id>/renewals/<int:service_renewal_id>/cancel")
@login_required
def cancel(service_contract_id: int, service_renewal_id: int):
    """A renewal that will not be paid, with its reason."""
    contracts.get_renewal(service_renewal_id)

    def act(contract, form):
        renewal = _renewal_of(contract, service_renewal_id)
        data = SvcCancelInSchema().load({"reason": form.value("reason")})
        contracts.cancel_renewal(renewal, data["reason"], by=g.user.id)

    return _step(service_contract_id, "cancel", WRITERS, act, _("Renewal cancelled."))


@bp.post("/<int:service_contract_id>/reminders/<int:service_reminder_id>/response")
@login_required
def response(service_contract_id: int, service_reminder_id: int):
    """SVC-21: the customer's answer to the expiry reminder (renew, decline, undecided)."""
    contracts.get_reminder(service_reminder_id)

    def act(contract, form):
        reminder = contracts.get_reminder(service_reminder_id, for_update=True)
        if reminder.contract_id != contract.id:
            raise NotFound("service contract reminder not found")
        data = SvcResponseInSchema().load({
            "outcome": form.value("outcome"), "note": _text(form, "note"),
            **({"responded_at": local_instant(form.value("responded_at", None), g.tenant.timezone)}
               if _text(form, "responded_at") else {})})
        contracts.record_response(reminder, data["outcome"], data["note"], by=g.user.id, at=data["responded_at"])

    return _step(service_contract_id, "response", WRITERS, act, _("The customer's answer is saved."))
