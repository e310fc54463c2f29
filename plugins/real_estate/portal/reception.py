"""Portal pages of the sales office's reception (接待台, RE-01..RE-05, RE-14), under ``/t/<slug>/re/reception``.

- ``.index``: the projects, each with its live desk;
- ``.desk`` (``/<project_id>``): the live desk — on turn, standby, owed make-up turns, today's
  receptions with their "why?" — refreshed every 30 s (``<meta http-equiv="refresh">``);
- ``.arrival`` (``/<project_id>/arrivals``): the visitor/call register form with the "visited before?"
  question (RE-05), names, designation and assisting (RE-14); front desk, salespeople and managers;
- ``.day`` (``/<project_id>/day``): the day's order and absences (managers), with ``.set_order``,
  ``.absence`` and ``.back`` posting to it;
- ``.minutes`` (``/<project_id>/minutes``): the evening meeting's minutes (managers);
- ``.show`` (``/receptions/<reception_id>``): one reception with its decision.

The desk and a reception's page are for those who register arrivals and the managers (as the API); a
customer the reader may not see reads "#id" (CUS-70), and a reception of such a customer is 404 unless the
reader received it, registered it or manages the office.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.customers.assignment.facts import tenant_timezone
from core.db import db, utcnow
from plugins.real_estate import reception as service
from plugins.real_estate.api.reception import (
    RECEIVERS,
    ReAbsenceInSchema,
    ReBackInSchema,
    ReReceptionInSchema,
)
from plugins.real_estate.names import customer_names, people_names
from plugins.real_estate.portal import OFFICE_MANAGERS, TEMPLATES
from plugins.real_estate.portal.steps import attempt
from plugins.real_estate.rotation_rules import ABSENCE_REASONS
from plugins.real_estate.sales_models import Project
from web.portal.customer_manage import user_options
from web.portal.forms import Form
from web.portal.lookups import as_id
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("re_reception", __name__, url_prefix="/re/reception", template_folder=TEMPLATES)
REFRESH_SECONDS = 30


@bp.context_processor
def _roles():
    """What the tabs offer the reader: registering (front desk, salespeople, managers), the manager's pages."""
    user = g.get("user")
    return {"can_register": bool(user and user.has_role(*RECEIVERS)),
            "is_manager": bool(user and user.has_role(*OFFICE_MANAGERS))}


def _today() -> dt.date:
    return service.local_day(utcnow())


def _day_arg() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("day") or "")
    except ValueError:
        return _today()


def local_input(value: str | None) -> dt.datetime | None:
    """A ``datetime-local`` input (no zone) read in the company's time zone; empty → ``None`` (now)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"at": ["Not a date and time."]}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tenant_timezone()))


def arrival_body(values: dict) -> dict:
    """The arrival form as the API's body (RE-05: ``visited_before`` left out when not answered)."""
    named = values.get("named") or []
    body = {"kind": values.get("kind") or "visit", "customer_name": (values.get("customer_name") or "").strip(),
            "phone": (values.get("phone") or "").strip(), "forgot": bool(values.get("forgot")),
            "named": [as_id(v) for v in (named if isinstance(named, list) else [named]) if as_id(v) is not None],
            "said_received_by_name": (values.get("said_received_by_name") or "").strip()}
    if values.get("visited_before") in ("yes", "no"):
        body["visited_before"] = values["visited_before"]
    for name in ("said_received_by", "designated_id", "assistant_id"):
        if as_id(values.get(name)) is not None:
            body[name] = as_id(values.get(name))
    for name in ("source", "note", "background"):
        if (values.get(name) or "").strip():
            body[name] = values[name].strip()
    return body


def _receptions_view(receptions) -> tuple[dict, dict]:
    """The people and the customers of ``receptions`` by id; a customer hidden from the reader reads "#id"."""
    people = people_names([*(r.receiver_id for r in receptions), *(r.standby_id for r in receptions),
                           *(r.assisting_for for r in receptions)])
    return people, customer_names(r.customer_id for r in receptions)


def absence_names() -> dict[str, str]:
    return {"company_business": _("company business"), "with_customer": _("out with a customer"),
            "off_duty": _("off duty"), "leave": _("on leave")}


def received_names() -> dict[str, str]:
    return {"regular": _("regular turn"), "make_up": _("make-up turn"), "returning": _("returning customer"),
            "designated": _("named on entering"), "assisted": _("assisting for a colleague"),
            "none": _("nobody on the floor")}


@bp.get("", endpoint="index")
@login_required
def index():
    projects = list(db.session.scalars(select(Project).order_by(Project.name)))
    return render_template("re/reception/index.html", projects=projects)


@bp.get("/<int:project_id>", endpoint="desk")
@roles_required(*RECEIVERS)
def desk(project_id: int):
    project = service.get_project(project_id)
    now = utcnow()
    shown = service.desk_at(project_id, now)
    receptions = service.receptions_of(project_id, service.local_day(now))
    people, customers = _receptions_view(receptions)
    return render_template("re/reception/desk.html", project=project, desk=shown, receptions=receptions,
                           people=people, customers=customers, refresh=REFRESH_SECONDS,
                           openable=service.openable(receptions, g.user),
                           received_names=received_names(), absence_names=absence_names())


def _arrival_page(project: Project, form: Form, status: int = 200):
    salespeople = user_options("salesperson")
    return render_template("re/reception/arrival.html", project=project, form=form, salespeople=salespeople,
                           kinds=[("visit", _("Walk-in visitor")), ("call", _("Caller"))]), status


@bp.get("/<int:project_id>/arrivals", endpoint="arrival")
@roles_required(*RECEIVERS)
def arrival(project_id: int):
    return _arrival_page(service.get_project(project_id), Form(values={"kind": "visit"}))


@bp.post("/<int:project_id>/arrivals", endpoint="register")
@roles_required(*RECEIVERS)
def register(project_id: int):
    project = service.get_project(project_id)
    form = Form.posted()
    def register():
        data = ReReceptionInSchema().load(arrival_body(form.values))
        data["at"] = local_input(form.values.get("at"))
        return service.register_arrival(project_id, data, region=g.tenant.region, recorded_by=g.user.id).id

    reception_id, status = attempt(form, register)
    if status != 200:
        return _arrival_page(project, form, status)
    flash(_("Arrival registered."), "ok")
    return redirect(url_for(".show", reception_id=reception_id))


@bp.get("/receptions/<int:reception_id>", endpoint="show")
@roles_required(*RECEIVERS)
def show(reception_id: int):
    from core.decisions import service as decisions

    reception = service.get_visible_reception(reception_id, g.user)
    people = people_names([reception.receiver_id, reception.standby_id, reception.assisting_for,
                           reception.said_received_by, reception.designated_id, reception.recorded_by,
                           *(reception.named or ())])
    decision = decisions.get(reception.decision_id) if reception.decision_id else None
    return render_template("re/reception/show.html", reception=reception, people=people, decision=decision,
                           project=service.get_project(reception.project_id),
                           customer=customer_names([reception.customer_id]).get(reception.customer_id),
                           received_names=received_names())


def _day_page(project: Project, day: dt.date, form: Form | None = None, status: int = 200):
    row = service.find_day(project.id, day)
    view = service.day_view(row) if row else None
    salespeople = user_options("salesperson")
    positions = {p["id"]: i + 1 for i, p in enumerate(view["order"])} if view else {}
    return render_template("re/reception/day.html", project=project, day=day, view=view, form=form or Form(),
                           salespeople=salespeople, positions=positions, absence_names=absence_names(),
                           reasons=[(r, absence_names()[r]) for r in ABSENCE_REASONS]), status


@bp.get("/<int:project_id>/day", endpoint="day")
@roles_required(*OFFICE_MANAGERS)
def day(project_id: int):
    return _day_page(service.get_project(project_id), _day_arg())


def order_from(values: dict) -> list[int]:
    """The order of the day from the form's ``position_<user id>`` fields (empty: not on the floor today)."""
    chosen = []
    for key, value in values.items():
        position, user_id = as_id(value), as_id(key.removeprefix("position_"))
        if key.startswith("position_") and position is not None and user_id is not None:
            chosen.append((position, user_id))
    return [uid for _pos, uid in sorted(chosen)]


@bp.post("/<int:project_id>/day", endpoint="set_order")
@roles_required(*OFFICE_MANAGERS)
def set_order(project_id: int):
    project = service.get_project(project_id)
    form = Form.posted()
    try:
        the_day = dt.date.fromisoformat(form.values.get("day") or "")
    except ValueError:
        the_day = None
    def set_order():
        if the_day is None:
            raise ValidationError({"day": ["Not a date."]})
        service.set_order(project_id, the_day, order_from(form.values), set_by=g.user.id)

    _done, status = attempt(form, set_order)
    if status != 200:
        return _day_page(project, the_day or _today(), form, status)
    flash(_("Order of the day saved."), "ok")
    return redirect(url_for(".day", project_id=project_id, day=the_day.isoformat()))


def _day_step(reception_day_id: int, schema, step, message: str):
    row = service.get_day(reception_day_id)
    project = service.get_project(row.project_id)
    form = Form.posted()
    values = {k: v for k, v in form.values.items() if str(v).strip()}
    def act():
        for name in ("start", "end", "at"):
            if name in values:
                values[name] = local_input(values[name]).isoformat()
        step(row, **schema().load(values))

    _done, status = attempt(form, act)
    if status != 200:
        return _day_page(project, row.day, form, status)
    flash(message, "ok")
    return redirect(url_for(".day", project_id=project.id, day=row.day.isoformat()))


@bp.post("/days/<int:reception_day_id>/absences", endpoint="absence")
@roles_required(*OFFICE_MANAGERS)
def absence(reception_day_id: int):
    return _day_step(reception_day_id, ReAbsenceInSchema, service.mark_absence, _("Absence recorded."))


@bp.post("/days/<int:reception_day_id>/back", endpoint="back")
@roles_required(*OFFICE_MANAGERS)
def back(reception_day_id: int):
    return _day_step(reception_day_id, ReBackInSchema, service.mark_back, _("Back on the floor."))


def _minutes_page(project: Project, day: dt.date, form: Form | None = None, status: int = 200):
    receptions = service.receptions_of(project.id, day)
    minutes = service.find_minutes(project.id, day)
    lines = service.lines_of(minutes.id) if minutes else []
    people, customers = _receptions_view(receptions)
    people.update(people_names(line.salesperson_id for line in lines))
    customers.update(customer_names(line.customer_id for line in lines))
    listed = {(line.customer_id, line.salesperson_id) for line in lines}
    return render_template("re/reception/minutes.html", project=project, day=day, receptions=receptions,
                           minutes=minutes, lines=lines, listed=listed, people=people, customers=customers,
                           form=form or Form(values={"note": minutes.note if minutes else ""})), status


@bp.get("/<int:project_id>/minutes", endpoint="minutes")
@roles_required(*OFFICE_MANAGERS)
def minutes(project_id: int):
    return _minutes_page(service.get_project(project_id), _day_arg())


def minutes_lines(values: dict) -> list[dict]:
    """The ticked ``line`` values ``<customer id>:<salesperson id>`` as minutes lines."""
    ticked = values.get("line") or []
    lines = []
    for value in ticked if isinstance(ticked, list) else [ticked]:
        customer, _sep, salesperson = str(value).partition(":")
        if as_id(customer) is not None and as_id(salesperson) is not None:
            lines.append({"customer_id": as_id(customer), "salesperson_id": as_id(salesperson)})
    return lines


@bp.post("/<int:project_id>/minutes", endpoint="save_minutes")
@roles_required(*OFFICE_MANAGERS)
def save_minutes(project_id: int):
    project = service.get_project(project_id)
    form = Form.posted()
    try:
        the_day = dt.date.fromisoformat(form.values.get("day") or "")
    except ValueError:
        the_day = _today()
    _done, status = attempt(form, lambda: service.save_minutes(
        project_id, the_day, note=(form.values.get("note") or "").strip() or None, lines=minutes_lines(form.values),
        recorded_by=g.user.id))
    if status != 200:
        return _minutes_page(project, the_day, form, status)
    flash(_("Minutes saved."), "ok")
    return redirect(url_for(".minutes", project_id=project_id, day=the_day.isoformat()))
