"""Portal pages of attribution (判客), RE-10..RE-27, under ``/t/<slug>/re/attribution``.

- ``.index`` — find a customer's attribution, the complaints awaiting a supervisor (RE-15), the way to
  a launch day's or fair's bulk attribution (RE-24).
- ``.customer`` (``/customers/<customer_id>``) — the disputed-attribution "why" page: who would get
  the customer's deal now and why (rule id, reason, both share sets, the facts used: computed, not
  written), the deal's own decision (the core's decision page), the facts recorded and the form to
  record a complaint, discount-seeking or a quarrel (``POST .../facts``).
- ``.decide`` (``POST /facts/<attribution_event_id>/decision``) — a supervisor verifies or rejects a
  complaint.
- ``.bulk`` (``/bulk?event=&day=``) — the manager attributes every customer of the flagged receptions
  at once, one reason for the batch.

Salespeople and the office's managers read and record; supervisors and managers decide complaints (never
one about themselves); the bulk attribution is the managers' (not the supervisor's), as the API.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

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
from sqlalchemy import select

from core.customers import service as customers
from core.customers.confidentiality import access
from core.customers.models import Customer
from core.customers.staff_facts import users_by_id
from core.db import db
from core.plugins.records import NavItem, PortalPages
from plugins.real_estate import attribution
from plugins.real_estate import attribution_facts as facts
from plugins.real_estate.api.attribution import (
    BULK_DECIDERS,
    DECIDERS,
    READERS,
    AttributionFactInSchema,
    AttributionVerdictInSchema,
    preview_answer,
)
from plugins.real_estate.api.attribution import record_fact as record_fact_from
from plugins.real_estate.names import customer_names
from plugins.real_estate.portal import TEMPLATES, TRANSLATIONS
from plugins.real_estate.portal.steps import attempt
from plugins.real_estate.reception_models import EVENTS, AttributionEvent, Reception
from web.portal import select_locale
from web.portal.customer_manage import id_list, user_options
from web.portal.forms import Form
from web.portal.lookups import as_id
from web.portal.tenant_pages import roles_required

bp = Blueprint("re_attribution", __name__, url_prefix="/re/attribution", template_folder=TEMPLATES)


def kind_names() -> dict[str, str]:
    return {"complaint": _("Complaint about a salesperson"), "discount_seeking": _("Discount-seeking"),
            "quarrel": _("Quarrel")}


def event_names() -> dict[str, str]:
    return {"launch": _("Launch day"), "fair": _("Housing fair"), "promotion": _("Promotion")}


def status_names() -> dict[str, str]:
    return {"pending": _("Being verified"), "verified": _("Verified"), "rejected": _("Rejected")}


def _aware(raw: str | None) -> str | None:
    """A ``datetime-local`` value in the company's zone, as an aware ISO time (empty: now)."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # the schema says what is wrong
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(attribution.tenant_timezone()))
    return value.isoformat()


def fact_body(values: dict) -> dict:
    body = {"kind": values.get("kind") or "", "note": values.get("note") or None, "parties": id_list(values.get("parties"))}
    for name in ("against_id", "approached_id", "complaint_id", "unit_id"):
        if (values.get(name) or "").strip():
            body[name] = values[name].strip()
    at = _aware(values.get("at"))
    if at:
        body["at"] = at
    return body


def _customer_page(customer_id: int, fact_form: Form | None = None, status: int = 200):
    customer = customers.get_customer(customer_id)
    answer = preview_answer(customer_id)
    recorded = facts.events_of(customer_id)
    holders = [line.user_id for line in (*answer["performance"], *answer["bonus"])]
    holders += [e.against_id for e in recorded] + [e.approached_id for e in recorded]
    holders += [p for e in recorded for p in (e.parties or [])] + [answer["follow_up_id"]]
    return render_template(
        "re/attribution/customer.html", customer=customer, answer=answer, recorded=recorded,
        names=users_by_id([h for h in holders if h]), reason=answer["reason_en" if select_locale() == "en" else "reason_zh"],
        fact_form=fact_form or Form(values={"kind": "complaint"}), salespeople=user_options("salesperson"),
        kinds=kind_names(), statuses=status_names(), may_decide=g.user.has_role(*DECIDERS)), status


@bp.get("", endpoint="index")
@roles_required(*READERS)
def index():
    wanted = (request.args.get("customer_id") or "").strip()
    if wanted:
        customer_id = as_id(wanted)
        if customer_id is None:
            abort(404)
        return redirect(url_for(".customer", customer_id=customer_id))
    visible = access.restrict(select(Customer.id))  # CUS-70: only customers the viewer may see
    pending = [e for e in db.session.scalars(select(AttributionEvent).where(
        AttributionEvent.kind == "complaint", AttributionEvent.status == "pending",
        AttributionEvent.customer_id.in_(visible)).order_by(AttributionEvent.at))]
    return render_template("re/attribution/index.html", pending=pending, may_decide=g.user.has_role(*DECIDERS),
                           may_bulk=g.user.has_role(*BULK_DECIDERS), names=users_by_id([e.against_id for e in pending if e.against_id]),
                           events=event_names())


@bp.get("/customers/<int:customer_id>", endpoint="customer")
@roles_required(*READERS)
def customer(customer_id: int):
    return _customer_page(customer_id)[0]


@bp.post("/customers/<int:customer_id>/facts", endpoint="record_fact")
@roles_required(*READERS)
def record_fact(customer_id: int):
    customers.get_customer(customer_id)  # 404 before the form is read
    form = Form.posted()
    _done, status = attempt(form, lambda: record_fact_from(
        customer_id, AttributionFactInSchema().load(fact_body(form.values)), g.user.id))
    if status != 200:
        return _customer_page(customer_id, form, status)
    flash(_("Recorded; the attribution was judged again."), "ok")
    return redirect(url_for(".customer", customer_id=customer_id))


@bp.post("/facts/<int:attribution_event_id>/decision", endpoint="decide")
@roles_required(*DECIDERS)
def decide(attribution_event_id: int):
    event = facts.get_event(attribution_event_id)  # 404 before the form is read
    form = Form.posted()
    def decide_it():
        data = AttributionVerdictInSchema().load({"verdict": form.values.get("verdict") or "",
                                                   "note": form.values.get("note") or None})
        facts.decide_complaint(event, verdict=data["verdict"], user=g.user, note=data["note"])

    _done, status = attempt(form, decide_it)
    if status != 200:
        flash(form.message, "error")
        return _customer_page(event.customer_id, status=status)
    flash(_("Decided; the attribution was judged again."), "ok")
    return redirect(url_for(".customer", customer_id=event.customer_id))


def _bulk_page(form: Form, status: int = 200):
    event = form.value("event") or "launch"
    try:
        day = dt.date.fromisoformat(form.value("day"))
    except ValueError:
        day = None
    rows = []
    if day is not None and event in EVENTS:
        flagged = facts.flagged_customers(event, day)
        receivers = {}
        for r in db.session.scalars(select(Reception).where(
                Reception.customer_id.in_(flagged), Reception.event == event,
                Reception.day == day).order_by(Reception.at)):
            receivers.setdefault(r.customer_id, r.receiver_id)
        names = customer_names(flagged)
        rows = [{"customer_id": cid, "name": names.get(cid, f"#{cid}"), "receiver_id": receivers.get(cid)}
                for cid in flagged]
    return render_template("re/attribution/bulk.html", form=form, rows=rows, events=event_names(),
                           day=day, event=event, salespeople=user_options("salesperson")), status


@bp.route("/bulk", methods=["GET", "POST"], endpoint="bulk")
@roles_required(*BULK_DECIDERS)
def bulk():
    if request.method == "GET":
        return _bulk_page(Form(values={"event": request.args.get("event") or "launch",
                                       "day": request.args.get("day") or ""}))[0]
    form = Form.posted()
    assignments = {}
    for key, value in form.values.items():
        customer_id, owner_id = as_id(key.removeprefix("owner_")), as_id(value)
        if key.startswith("owner_") and customer_id is not None and owner_id is not None:
            share = [{"user_id": owner_id, "percent": "100.00"}]
            assignments[customer_id] = (share, share)
    try:
        day = dt.date.fromisoformat(form.value("day"))
    except ValueError:
        form.add("day", "Not a valid date.")
        return _bulk_page(form, 422)
    rows, status = attempt(form, lambda: facts.bulk_attribute(
        event=form.value("event"), day=day, reason=form.value("reason"), assignments=assignments, by=g.user))
    if status != 200:
        return _bulk_page(form, status)
    flash(_("%(n)s customers attributed, one decision each.", n=len(rows)), "ok")
    return redirect(url_for(".bulk", event=form.value("event"), day=day.isoformat()))



PAGES = PortalPages("real_estate", bp, translations=TRANSLATIONS)
NAV = NavItem("re_attribution", "判客", "Attribution", "plugin_pages.re_attribution.index", order=13, roles=READERS)
