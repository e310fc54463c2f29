"""Portal pages of sales control (销控, RE-30..RE-34), under ``/t/<slug>/re/sales``.

- ``board`` ``/``: the sales-control board, units per building and floor, each state by colour AND text,
  filter by project and state; ``setup`` ``/setup``: projects, buildings, units (managers, master sales
  control).
- ``unit`` ``/units/<unit_id>``: the unit with its hold; hold / release / extend (RE-31), finance's deposit
  form (RE-32), its price edit, its subscriptions.
- ``deposits`` ``/deposits``: the small- and big-deposit registers by period.
- ``subscriptions``, ``new_subscription``, ``subscription`` (edit, sign, amend, approve, contract) and
  ``print_subscription`` (the 4 labelled copies, RE-33); ``signing_list`` (RE-34).

Every POST looks its object up first (another tenant's → 404), then hands the form to the same service
as the API; a refusal renders the page again with the field messages (422) or the reason (403/409).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, g, redirect, render_template, request, url_for
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from plugins.real_estate import (
    contracts,
    deal_versions,
    deposits,
    holds,
    subscriptions,
    units,
)
from plugins.real_estate.api.sales import (
    ReBuildingSchema,
    ReContractInSchema,
    ReDepositInSchema,
    ReProjectSchema,
    ReSubscriptionInSchema,
    ReUnitPatchSchema,
    ReUnitSchema,
)
from plugins.real_estate.names import people_names
from plugins.real_estate.portal import TEMPLATES
from plugins.real_estate.portal.steps import attempt
from plugins.real_estate.sales_models import Building, Hold, Project, Subscription, Unit
from plugins.real_estate.unit_rules import MANAGER_ROLES, STATE_LABELS, STATES
from web.portal.forms import Form
from web.portal.lookups import as_id
from web.portal.service_forms import blank_to_none, local_instant
from web.portal.tenant_pages import roles_required

bp = Blueprint("re_sales", __name__, url_prefix="/re/sales", template_folder=TEMPLATES)
T = "re/sales/"


# ------------------------------------------------------------------ helpers


def _tz() -> str:
    return g.tenant.timezone


def schedule_lines(text: str | None) -> list[dict]:
    """The payment schedule typed one instalment a line, ``2026-10-10 500000``."""
    lines = []
    for raw in (text or "").splitlines():
        parts = raw.replace(",", " ").replace("，", " ").split()
        if parts:
            lines.append({"due_on": parts[0], "amount": parts[1] if len(parts) > 1 else None})
    return lines


def schedule_text(schedule) -> str:
    return "\n".join(f"{line['due_on']} {line['amount']}" for line in schedule or [])


def _subscription_body(values: dict) -> dict:
    body = {name: blank_to_none(values.get(name)) for name in subscriptions.FIELDS if name != "schedule"}
    body["schedule"] = schedule_lines(values.get("schedule"))
    return body


def _day_start(text: str | None) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(), ZoneInfo(_tz())) if day else None


# ------------------------------------------------------------------ the board


@bp.route("", endpoint="board")
@roles_required(*units.SALES_READERS)
def board():
    """Units per building and floor (top floor first), each with its state's colour and text."""
    projects = list(db.session.scalars(select(Project).order_by(Project.name)))
    project_id = as_id(request.args.get("project_id")) or (projects[0].id if projects else None)
    state = request.args.get("state") if request.args.get("state") in STATES else ""
    rows = list(db.session.scalars(units.units(project_id=project_id or -1, state=state or None)))
    buildings = {b.id: b for b in db.session.scalars(select(Building).where(Building.project_id == (project_id or -1)))}
    grid: dict[int, dict] = {}
    for unit in rows:
        grid.setdefault(unit.building_id, {}).setdefault(unit.floor, []).append(unit)
    counts = {s: 0 for s in STATES}
    for unit in db.session.scalars(units.units(project_id=project_id or -1)):
        counts[unit.state] += 1
    active = {h.unit_id: h for h in db.session.scalars(select(Hold).where(Hold.status == "active"))}
    return render_template(T + "board.html", projects=projects, project_id=project_id, state=state, grid=grid,
                           buildings=buildings, states=STATES, labels=STATE_LABELS, counts=counts, active=active,
                           names=people_names(h.holder_id for h in active.values()),
                           editor=g.user.has_role(*units.UNIT_EDITORS))


@bp.route("/setup", methods=["GET", "POST"], endpoint="setup")
@roles_required(*units.UNIT_EDITORS)
def setup():
    """Projects, buildings and units (RE-30)."""
    forms = {"project": Form(), "building": Form(), "unit": Form(), "import": Form()}
    status = 200
    if request.method == "POST":
        what = request.form.get("what")
        form = forms[what] = Form.posted() if what in forms else Form()
        v = form.values
        if what == "project":
            _made, status = attempt(form, lambda: units.create_project(ReProjectSchema().load(
                {"name": v.get("name", ""), "city": blank_to_none(v.get("city")),
                 "address": blank_to_none(v.get("address"))})))
        elif what == "building":
            project = units.get_project(project_id) if (project_id := as_id(v.get("project_id"))) else None
            if project is None:
                form.add("project_id", "required")
                status = 422
            else:
                _made, status = attempt(form, lambda: units.create_building(project, ReBuildingSchema().load(
                    {"name": v.get("name", ""), "floors": blank_to_none(v.get("floors"))})))
        elif what == "unit":
            building = units.get_building(building_id) if (building_id := as_id(v.get("building_id"))) else None
            if building is None:
                form.add("building_id", "required")
                status = 422
            else:
                body = {k: blank_to_none(v.get(k)) for k in ("number", "floor", "layout", "area", "price",
                                                           "orientation", "popularity")}
                body = {k: val for k, val in body.items() if val is not None}
                _made, status = attempt(form, lambda: units.create_unit(building, ReUnitSchema().load(body)))
        elif what == "import":
            building = units.get_building(building_id) if (building_id := as_id(v.get("building_id"))) else None
            if building is None:
                form.add("building_id", "required")
                status = 422
            else:
                _made, status = attempt(form, lambda: units.import_units(building, v.get("csv") or ""))
        if status == 200:
            return redirect(url_for(".setup"))
    projects = list(db.session.scalars(select(Project).order_by(Project.name)))
    buildings = list(db.session.scalars(select(Building).order_by(Building.project_id, Building.name)))
    return render_template(T + "setup.html", forms=forms, projects=projects, buildings=buildings,
                           project_names={p.id: p.name for p in projects}), status


# ------------------------------------------------------------------ a unit: hold, release, extend, deposit


def _render_unit(unit: Unit, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    held = holds.active_hold(unit.id)
    history = list(db.session.scalars(select(Hold).where(Hold.unit_id == unit.id).order_by(Hold.id.desc()).limit(10)))
    paid = list(db.session.scalars(deposits.register(unit_id=unit.id)))
    subs = list(db.session.scalars(subscriptions.search(unit_id=unit.id)))
    building = units.get_building(unit.building_id)
    names = people_names([h.holder_id for h in history] + [d.recorded_by for d in paid] + [unit.salesperson_id])
    return render_template(T + "unit.html", unit=unit, building=building, held=held, history=history, paid=paid,
                           subs=subs, names=names, labels=STATE_LABELS, forms=forms,
                           finance=g.user.has_role(*deposits.RECORDERS),
                           editor=g.user.has_role(*units.UNIT_EDITORS),
                           manager=g.user.has_role(*MANAGER_ROLES),
                           may_release=bool(held) and (held.holder_id == g.user.id or g.user.has_role(*holds.RELEASERS)),
                           ), status


@bp.route("/units/<int:unit_id>", endpoint="unit")
@roles_required(*units.SALES_READERS)
def unit_page(unit_id):
    return _render_unit(units.get_unit(unit_id))


@bp.route("/units/<int:unit_id>/hold", methods=["POST"], endpoint="hold")
@roles_required(*units.SALES_READERS)
def hold_unit(unit_id):
    unit = units.get_unit(unit_id)
    form = Form.posted()
    customer = blank_to_none(form.values.get("customer_id"))
    customer_id = as_id(customer)
    if customer is not None and customer_id is None:
        form.add("customer_id", "not a customer of this company")
        return _render_unit(unit, {"hold": form}, 422)
    _made, status = attempt(form, lambda: holds.hold(unit, by=g.user, customer_id=customer_id))
    if status != 200:
        return _render_unit(units.get_unit(unit_id), {"hold": form}, status)
    return redirect(url_for(".unit", unit_id=unit_id))


@bp.route("/holds/<int:hold_id>/release", methods=["POST"], endpoint="release")
@roles_required(*units.SALES_READERS)
def release(hold_id):
    record = holds.get_hold(hold_id, for_update=True)
    form = Form.posted()
    _done, status = attempt(form, lambda: holds.release(record, by=g.user))
    if status != 200:
        return _render_unit(units.get_unit(record.unit_id), {"hold": form}, status)
    return redirect(url_for(".unit", unit_id=record.unit_id))


@bp.route("/holds/<int:hold_id>/extend", methods=["POST"], endpoint="extend")
@roles_required(*units.SALES_READERS)
def extend(hold_id):
    record = holds.get_hold(hold_id, for_update=True)
    form = Form.posted()
    until = local_instant(form.values.get("until"), _tz())
    try:
        until_at = dt.datetime.fromisoformat(until) if until else None
    except ValueError:
        until_at = None
    _done, status = attempt(form, lambda: holds.extend(record, by=g.user, until=until_at))
    if status != 200:
        return _render_unit(units.get_unit(record.unit_id), {"extend": form}, status)
    return redirect(url_for(".unit", unit_id=record.unit_id))


@bp.route("/units/<int:unit_id>/deposits", methods=["POST"], endpoint="deposit")
@roles_required(*units.SALES_READERS)
def deposit(unit_id):
    unit = units.get_unit(unit_id, for_update=True)
    form = Form.posted()
    v = form.values
    body = {"kind": v.get("kind") or "small", "amount": blank_to_none(v.get("amount")) or "0",
            "receipt_no": blank_to_none(v.get("receipt_no")), "customer_id": blank_to_none(v.get("customer_id")),
            "received_at": local_instant(v.get("received_at"), _tz())}
    _made, status = attempt(form, lambda: deposits.record(unit, ReDepositInSchema().load(body), by=g.user))
    if status != 200:
        return _render_unit(units.get_unit(unit_id), {"deposit": form}, status)
    return redirect(url_for(".unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/edit", methods=["POST"], endpoint="edit_unit")
@roles_required(*units.UNIT_EDITORS)
def edit_unit(unit_id):
    unit = units.get_unit(unit_id, for_update=True)
    form = Form.posted()
    body = {k: form.values[k] for k in ("price", "area", "popularity", "orientation", "layout")
            if blank_to_none(form.values.get(k)) is not None}
    _done, status = attempt(form, lambda: units.update_unit(unit, ReUnitPatchSchema().load(body)))
    if status != 200:
        return _render_unit(units.get_unit(unit_id), {"edit": form}, status)
    return redirect(url_for(".unit", unit_id=unit_id))


@bp.route("/deposits", endpoint="deposits")
@roles_required(*deposits.REGISTER_READERS)
def deposit_registers():
    """The small- and big-deposit registers (小定 / 大定登记表) of a period."""
    kind = request.args.get("kind") if request.args.get("kind") in ("small", "big") else "small"
    start, end = _day_start(request.args.get("start")), _day_start(request.args.get("end"))
    rows = list(db.session.scalars(deposits.register(kind=kind, start=start,
                                                     end=end + dt.timedelta(days=1) if end else None)))
    unit_numbers = {u.id: u.number for u in db.session.scalars(select(Unit).where(
        Unit.id.in_({d.unit_id for d in rows} or {-1})))}
    return render_template(T + "deposits.html", rows=rows, kind=kind, start=request.args.get("start") or "",
                           end=request.args.get("end") or "", unit_numbers=unit_numbers,
                           names=people_names([d.recorded_by for d in rows] + [d.salesperson_id for d in rows]),
                           total=sum((d.amount for d in rows), 0))


# ------------------------------------------------------------------ subscriptions (RE-33)


@bp.route("/subscriptions", endpoint="subscriptions")
@roles_required(*subscriptions.READERS)
def subscription_list():
    rows = subscriptions.presented(list(db.session.scalars(subscriptions.search().limit(200))))
    unit_numbers = {u.id: u.number for u in db.session.scalars(select(Unit).where(
        Unit.id.in_({s.unit_id for s in rows} or {-1})))}
    return render_template(T + "subscriptions.html", rows=rows, unit_numbers=unit_numbers)


@bp.route("/subscriptions/new", methods=["GET", "POST"], endpoint="new_subscription")
@roles_required(*subscriptions.WRITERS)
def new_subscription():
    unit_id = as_id(request.values.get("unit_id"))
    unit = units.get_unit(unit_id) if unit_id else None
    if unit is None:
        return redirect(url_for(".board"))
    form = Form.posted() if request.method == "POST" else Form(values={"price": unit.price})
    status = 200
    if request.method == "POST":
        body = {"unit_id": unit.id, "customer_id": blank_to_none(form.values.get("customer_id")),
                **_subscription_body(form.values)}
        made, status = attempt(form, lambda: subscriptions.create(ReSubscriptionInSchema().load(body), by=g.user))
        if made is not None:
            return redirect(url_for(".subscription", subscription_id=made.id))
    return render_template(T + "subscription_new.html", unit=unit, form=form), status


def _render_subscription(found: Subscription, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    versions = deal_versions.versions_of(found)
    unit = units.get_unit(found.unit_id)
    contract = deal_versions.contract_of(found)
    if "edit" not in forms and found.status == "draft":
        forms["edit"] = Form(values={**{k: getattr(found, k) for k in subscriptions.FIELDS},
                                     "schedule": schedule_text(found.schedule)})
    custodians = [(u.id, u.display_name) for u in db.session.scalars(
        select(User).where(User.is_active.is_(True)).order_by(User.display_name))]
    return render_template(T + "subscription.html", sub=found, versions=versions, unit=unit, contract=contract,
                           forms=forms, custodians=custodians, schedule_text=schedule_text,
                           manager=g.user.has_role(*subscriptions.APPROVERS),
                           writer=g.user.has_role(*subscriptions.WRITERS),
                           names=people_names([found.salesperson_id, found.approved_by,
                                         contract.custodian_id if contract else None])), status


@bp.route("/subscriptions/<int:subscription_id>", endpoint="subscription")
@roles_required(*subscriptions.READERS)
def subscription_page(subscription_id):
    return _render_subscription(subscriptions.get_subscription(subscription_id))


def _subscription_step(subscription_id: int, key: str, step):
    """Look the subscription up (404), run ``step(found, form)``, back to its page."""
    found = subscriptions.get_subscription(subscription_id, for_update=True)
    form = Form.posted()
    result, status = attempt(form, lambda: step(found, form))
    if status != 200:
        return _render_subscription(subscriptions.get_subscription(subscription_id), {key: form}, status)
    target = result.id if isinstance(result, Subscription) else subscription_id
    return redirect(url_for(".subscription", subscription_id=target))


@bp.route("/subscriptions/<int:subscription_id>/edit", methods=["POST"], endpoint="edit_subscription")
@roles_required(*subscriptions.WRITERS)
def edit_subscription(subscription_id):
    return _subscription_step(subscription_id, "edit", lambda found, form: subscriptions.edit(
        found, _subscription_body(form.values), by=g.user))


@bp.route("/subscriptions/<int:subscription_id>/sign", methods=["POST"], endpoint="sign")
@roles_required(*subscriptions.WRITERS)
def sign(subscription_id):
    return _subscription_step(subscription_id, "sign", lambda found, form: subscriptions.sign(found, by=g.user))


@bp.route("/subscriptions/<int:subscription_id>/amend", methods=["POST"], endpoint="amend")
@roles_required(*subscriptions.WRITERS)
def amend(subscription_id):
    def step(found, form):
        body = {k: v for k, v in _subscription_body(form.values).items() if v not in (None, [])}
        return subscriptions.amend(found, {**body, "amendment_reason": form.values.get("amendment_reason")},
                                   by=g.user)

    return _subscription_step(subscription_id, "amend", step)


@bp.route("/subscriptions/<int:subscription_id>/approve", methods=["POST"], endpoint="approve")
@roles_required(*subscriptions.READERS)
def approve(subscription_id):
    return _subscription_step(subscription_id, "approve", lambda found, form: subscriptions.approve(found, by=g.user))


@bp.route("/subscriptions/<int:subscription_id>/contract", methods=["POST"], endpoint="contract")
@roles_required(*subscriptions.WRITERS)
def contract(subscription_id):
    def step(found, form):
        v = form.values
        body = {"number": v.get("number") or "", "custodian_id": blank_to_none(v.get("custodian_id")),
                "signed_at": local_instant(v.get("signed_at"), _tz()), "note": blank_to_none(v.get("note"))}
        contracts.sign(found, ReContractInSchema().load(body), by=g.user)
        return found

    return _subscription_step(subscription_id, "contract", step)


@bp.route("/subscriptions/<int:subscription_id>/print", endpoint="print_subscription")
@roles_required(*subscriptions.READERS)
def print_subscription(subscription_id):
    """RE-33: the subscription in its copies, each labelled (customer 1, finance 1, sales 2)."""
    found = subscriptions.get_subscription(subscription_id)
    return render_template(T + "print.html", sub=found, unit=units.get_unit(found.unit_id),
                           copies=subscriptions.printed_copies(found), names=people_names([found.salesperson_id]))


# ------------------------------------------------------------------ the signing list (RE-34)


@bp.route("/signing-list", endpoint="signing_list")
@roles_required(*subscriptions.READERS)
def signing_list():
    rows = contracts.signing_list()
    unit_numbers = {u.id: u.number for u in db.session.scalars(select(Unit).where(
        Unit.id.in_({c.unit_id for c, _row in rows} or {-1})))}
    return render_template(T + "signing_list.html", rows=rows, unit_numbers=unit_numbers,
                           names=people_names([c.salesperson_id for c, _r in rows] + [c.custodian_id for c, _r in rows]))

