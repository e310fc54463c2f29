"""The sales office's reception (RE-01..RE-05, RE-14, RE-28) over the tables of ``reception_models``.

- the day (:func:`set_order`, :func:`mark_absence`, :func:`mark_back`): the manager's order of the day
  for a project (``re.rotation.order = fixed_daily``) and the absences, stored as the
  :class:`~plugins.real_estate.rotation_rules.DayRotation` JSON of the :class:`ReceptionDay` row;
- an arrival (:func:`register_arrival`): RE-05 "visited before?" required (422, nothing written); the
  customer found by phone (E.164) or created; first-time / returning / designated / assisted judged by
  :func:`rotation_rules.receive` with the day's row locked (``SELECT … FOR UPDATE``) so two arrivals
  never take the same turn; the decision (RE-01/RE-02/RE-14) on the reception; the core's register line
  (CUS-80); the receiver's first-visit claim with the register evidence (RE-03, CUS-21);
- :func:`desk_at`: on turn and standby at an instant, owed make-up turns (RE-01);
- :func:`save_minutes`: the evening meeting's minutes of a day (RE-03);
- :func:`record_offence`: a verified grabbing/competing/neglecting case (RE-04) or provoking disputes
  (RE-28) as entries of the core's staff ledger (STF-01), priced by :mod:`penalty_rules`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.models import User
from core.audit.recorder import json_safe
from core.customers import ownership_store
from core.customers.assignment import register as core_register
from core.customers.assignment.facts import tenant_timezone, user_named, users_named
from core.customers.assignment.models import RegisterEntry
from core.customers.assignment.rules import with_order
from core.customers.confidentiality import access
from core.customers.confidentiality.viewer import unrestricted
from core.customers.fact_time import fact_time
from core.customers.identity import normalise_phone
from core.customers.models import Customer
from core.customers.ownership.service import record_claim
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.staff import ledger
from core.staff.policy import stf_policy
from plugins.real_estate import penalty_rules, register_rules, rotation_rules
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.reception_models import (
    MeetingLine,
    MeetingMinutes,
    Reception,
    ReceptionDay,
)
from plugins.real_estate.sales_models import Project

GRAB_OFFENCES = tuple(penalty_rules.OFFENCES)
PROVOKING = "provoking_disputes"
OFFENCES = GRAB_OFFENCES + (PROVOKING,)


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def get_project(project_id: int) -> Project:
    return get_one(Project, project_id, "project")


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(tenant_timezone())).date()


def _aware(value, field: str, errors: dict) -> dt.datetime | None:
    try:
        return fact_time(value, field)
    except InvalidInput as err:
        errors.update(err.fields)
        return None


def _state(day: ReceptionDay) -> rotation_rules.DayRotation:
    return rotation_rules.DayRotation.from_json(day.state)


def _store(day: ReceptionDay, state: rotation_rules.DayRotation) -> None:
    day.state = state.to_json()
    day.order = list(state.order)


def find_day(project_id: int, day: dt.date, *, lock: bool = False) -> ReceptionDay | None:
    """The project's rotation of ``day``; ``lock`` holds its row until the transaction ends."""
    stmt = select(ReceptionDay).where(ReceptionDay.project_id == project_id, ReceptionDay.day == day)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).first()


def get_day(reception_day_id: int, *, lock: bool = False) -> ReceptionDay:
    return get_one(ReceptionDay, reception_day_id, "reception day", for_update=lock)


def day_view(day: ReceptionDay) -> dict[str, Any]:
    """The day as the API and the pages show it: order with names, pointer, owed turns, absences."""
    state = _state(day)
    return {"id": day.id, "project_id": day.project_id, "day": day.day,
            "order": [{"id": p.id, "name": p.label} for p in state.people],
            "pointer": state.pointer, "owed": state.owed(),
            "absences": [{"id": a.id, "staff_id": a.staff_id, "name": state.name(a.staff_id), "reason": a.reason,
                          "start": a.start, "end": a.end} for a in state.absences]}


# --------------------------------------------------------------------------------------------------
# The day: order and absences (RE-01)
# --------------------------------------------------------------------------------------------------


def set_order(project_id: int, day: dt.date, order: list[int], *, set_by: int | None) -> ReceptionDay:
    """RE-01 ``fixed_daily``: the manager's order of ``day``. A new day starts at the first person with the
    owed make-up turns of the project's previous day carried over; changing the order of a day already
    started keeps its pointer where possible, its owed turns and the absences of those still in it."""
    get_project(project_id)
    if not order:
        raise InvalidInput("the order is empty", fields={"order": ["Name the salespeople of the day, in order."]})
    people = [rotation_rules.Salesperson(u.id, u.display_name or u.username)
              for u in users_named(order, "order", active=True)]
    row = find_day(project_id, day, lock=True)
    if row is None:
        previous = db.session.scalars(select(ReceptionDay).where(
            ReceptionDay.project_id == project_id, ReceptionDay.day < day).order_by(ReceptionDay.day.desc())).first()
        state = rotation_rules.start_day(day, people, previous=_state(previous) if previous else None)
        row = ReceptionDay(project_id=project_id, day=day)
        db.session.add(row)
    else:
        old = _state(row)
        ids = tuple(p.id for p in people)
        state = replace(old, people=tuple(people), rotation=with_order(old.rotation, ids),
                        absences=tuple(a for a in old.absences if a.staff_id in ids))
    _store(row, state)
    row.set_by = set_by
    db.session.flush()
    return row


def mark_absence(row: ReceptionDay, *, staff_id: int, reason: str, start: dt.datetime | None,
                 end: dt.datetime | None = None) -> ReceptionDay:
    """A salesperson away (company business, with a customer, off duty, leave) from ``start`` until ``end``
    (open until marked back)."""
    errors: dict = {}
    state = _state(get_day(row.id, lock=True))
    if staff_id not in state.order:
        errors["staff_id"] = ["Not in the order of the day."]
    if reason not in rotation_rules.ABSENCE_REASONS:
        errors["reason"] = [f"One of: {', '.join(rotation_rules.ABSENCE_REASONS)}."]
    start = _aware(start, "start", errors) if start is not None else None
    if start is None and "start" not in errors:
        errors["start"] = ["required"]
    if end is not None and end.tzinfo is None:
        errors["end"] = ["needs a time zone (e.g. +08:00)"]
    elif end is not None and start is not None and end < start:
        errors["end"] = ["Ends before it starts."]
    if start is not None and "start" not in errors and local_day(start) != row.day:
        errors["start"] = ["Not on the day of this order."]
    if errors:
        raise InvalidInput("invalid absence", fields=errors)
    absence = rotation_rules.Absence(staff_id, reason, start, end, id=len(state.absences) + 1)
    _store(row, rotation_rules.mark_absent(state, absence))
    db.session.flush()
    return row


def mark_back(row: ReceptionDay, *, staff_id: int, at: dt.datetime | None) -> ReceptionDay:
    """``staff_id`` is back on the floor at ``at`` (default now)."""
    errors: dict = {}
    state = _state(get_day(row.id, lock=True))
    if staff_id not in state.order:
        errors["staff_id"] = ["Not in the order of the day."]
    at = _aware(at, "at", errors)
    if errors:
        raise InvalidInput("invalid return", fields=errors)
    _store(row, rotation_rules.mark_back(state, staff_id, at))
    db.session.flush()
    return row


# --------------------------------------------------------------------------------------------------
# Arrivals (RE-01, RE-02, RE-03, RE-05, RE-14)
# --------------------------------------------------------------------------------------------------


def _visited_before(value) -> bool | None:
    if value in (True, "yes", "true", "1"):
        return True
    if value in (False, "no", "false", "0"):
        return False
    return None


def _check_arrival(data: dict, region: str) -> tuple[dt.datetime, str, dict]:
    """The arrival's fields (RE-05 first): 422 naming every missing or wrong one, nothing written."""
    errors: dict[str, list[str]] = {}
    at = _aware(data.get("at"), "at", errors)
    now = utcnow()
    kind = data.get("kind") or "visit"
    entry = register_rules.RegisterEntry(
        id=None, kind=kind, salesperson_id=0, customer_id=None, visit_at=at or now, entered_at=now,
        visited_before=_visited_before(data.get("visited_before")),
        previous_receiver_id=data.get("said_received_by"),
        previous_receiver_name=data.get("said_received_by_name") or "",
        previous_receiver_forgotten=bool(data.get("forgot")))
    try:
        register_rules.validate_entry(entry)
    except InvalidInput as err:
        errors.update(err.fields)
    if not (data.get("customer_name") or "").strip():
        errors["customer_name"] = ["required"]
    phone = ""
    try:
        phone = normalise_phone(data.get("phone") or "", region).stored
    except InvalidInput:
        errors["phone"] = [f"not a valid phone number: {data.get('phone') or ''}"]
    if errors:
        raise InvalidInput("The register entry is incomplete (RE-05).", fields=errors)
    return at, phone, {"entry": entry}


def _owner_of(customer_id: int) -> int | None:
    row = ownership_store.current(customer_id)
    if row is not None and row.owner_id is not None and row.state != "unowned":
        return row.owner_id
    return None


def _core_received_as(kind: str, first_visit: bool) -> str:
    """The core's CUS-80 ``received_as`` of a reception. The core has no "assisted": a colleague who
    receives for an absent owner (RE-14) receives outside the rotation on the owner's behalf, as the
    owner would have received a returning customer (``returning``) or the designated salesperson a
    first-time visitor who named them (``designated``); the reception row keeps ``assisted`` and the
    owner in ``assisting_for``."""
    if kind == rotation_rules.ASSISTED:
        return "designated" if first_visit else "returning"
    return kind


def register_arrival(project_id: int, data: dict, *, region: str = "CN",
                     recorded_by: int | None = None) -> Reception:
    """Receive a visitor or caller at ``project_id``'s sales office. ``data``: ``at`` (aware, default now),
    ``kind`` (visit|call), ``customer_name``, ``phone``, ``visited_before`` (required, RE-05),
    ``said_received_by`` / ``said_received_by_name`` / ``forgot`` (who received them before),
    ``named`` (user ids the customer named on entering; the first is the designated), ``designated_id``,
    ``assistant_id`` (the colleague who assists for an absent owner, RE-14), ``source``, ``note``,
    ``event``, ``intent_class``, ``background``."""
    get_project(project_id)
    at, phone, checked = _check_arrival(data, region)
    named = [u.id for u in users_named(data.get("named") or [], "named")]
    designated_id = data.get("designated_id") or (named[0] if named else None)
    if designated_id is not None:
        user_named(designated_id, "designated_id", active=True)
    if data.get("assistant_id") is not None:
        user_named(data["assistant_id"], "assistant_id", active=True)
    if data.get("said_received_by") is not None:
        user_named(data["said_received_by"], "said_received_by")
    day = local_day(at)
    row = find_day(project_id, day, lock=True)
    if row is None:
        raise InvalidInput("no order of the day", fields={"at": [
            "The manager has not set the order of this day for this project (RE-01)."]})

    customer = core_register.find_customer_by_phone(phone)
    first_visit = customer is None
    if customer is None:
        customer, first_visit = core_register.create_registered_customer(
            data["customer_name"].strip(), data.get("phone"), data.get("source"), region, recorded_by)
    owner_id = _owner_of(customer.id)
    if owner_id is not None:
        visit_kind, staff_id = rotation_rules.RETURNING, owner_id
    elif designated_id is not None:
        visit_kind, staff_id = rotation_rules.DESIGNATED, designated_id
    else:
        visit_kind, staff_id = rotation_rules.FIRST_TIME, None

    settings = re_policy(at)
    state = _state(row)
    # no label: the reasons read "#<customer id>" — they are shown to people who may not see the customer (CUS-70)
    visit = rotation_rules.Visit(id=None, at=at, kind=visit_kind, customer_id=customer.id, staff_id=staff_id,
                                 assistant_id=data.get("assistant_id"))
    outcome, after = rotation_rules.receive(settings.values, state, visit, timezone=tenant_timezone())
    _store(row, after)

    entered_at = checked["entry"].entered_at
    late = register_rules.is_late(replace(checked["entry"], visit_at=at), timezone=tenant_timezone())
    available = rotation_rules.availability_at(state, at)
    entry = RegisterEntry(at=at, kind=data.get("kind") or "visit", customer_name=data["customer_name"].strip(),
                          phone=phone, customer_id=customer.id, first_visit=first_visit, named_salespersons=named,
                          designated_id=designated_id, receiver_id=outcome.staff_id,
                          received_as=_core_received_as(outcome.kind, first_visit),
                          turn_consumed=outcome.consumes_turn, source=data.get("source"), note=data.get("note"),
                          outcome="pending", outcome_reasons=[], recorded_by=recorded_by)
    db.session.add(entry)
    db.session.flush()
    reception = Reception(
        project_id=project_id, day=day, at=at, entered_at=entered_at, late_entry=late,
        kind=data.get("kind") or "visit", customer_id=customer.id, register_entry_id=entry.id,
        visited_before="yes" if checked["entry"].visited_before else "no",
        said_received_by=data.get("said_received_by"), named=named, designated_id=designated_id,
        receiver_id=outcome.staff_id, received_as=outcome.kind, turn_consumed=outcome.consumes_turn,
        assisting_for=outcome.owner_id if outcome.kind == rotation_rules.ASSISTED else None,
        standby_id=outcome.standby_id, present=[sid for sid, a in available.items() if a.value == "on_duty"],
        forgot=bool(data.get("forgot")), event=data.get("event"), intent_class=data.get("intent_class"),
        background=data.get("background"), recorded_by=recorded_by)
    db.session.add(reception)
    db.session.flush()
    kwargs = outcome.record_kwargs()
    kwargs.update(subject_id=reception.id, decided_by=None,
                  facts={**kwargs["facts"], "reception_id": reception.id, "register_entry_id": entry.id,
                         "first_visit": first_visit, "late_entry": late, "project_id": project_id})
    decision = decisions.record(**kwargs, policy=settings)
    reception.decision_id = entry.decision_id = decision.id
    _claim_first_visit(reception, entry, outcome, first_visit or owner_id is None)
    db.session.flush()
    return reception


def _claim_first_visit(reception: Reception, entry: RegisterEntry, outcome: rotation_rules.Reception,
                       unowned: bool) -> None:
    """CUS-21 (RE-10): a customer nobody owns is claimed with the register as evidence (its time per RE-03)
    by the receiver, or, for an assisted visit, by the absent salesperson it was received for (RE-14).
    A customer who already has an owner keeps them: nothing is claimed."""
    claimant = outcome.owner_id if outcome.kind == rotation_rules.ASSISTED else outcome.staff_id
    if not unowned or claimant is None:
        return
    # the RE-05 answers were checked on arrival; only the visit and entry times and the minutes matter here
    evidence = register_rules.register_evidence(
        register_rules.RegisterEntry(id=entry.id, kind=entry.kind, salesperson_id=claimant,
                                     customer_id=entry.customer_id, visit_at=reception.at,
                                     entered_at=reception.entered_at, visited_before=reception.visited_before == "yes",
                                     previous_receiver_forgotten=True),
        _minutes_of(reception.project_id, reception.day), timezone=tenant_timezone())
    user = user_named(claimant, "receiver_id")
    with unrestricted("a reception links the customer by phone, whoever keeps the register"):
        record_claim(entry.customer_id, kind="register", at=evidence.at, claimant_id=user.id,
                     department_id=user.department_id, source_type="register_entry", source_id=entry.id,
                     note=f"RE-03 {reception.received_as}{' late' if reception.late_entry else ''}")


def get_reception(reception_id: int) -> Reception:
    return get_one(Reception, reception_id, "reception")


def get_visible_reception(reception_id: int, viewer: User) -> Reception:
    """One reception for ``viewer``: 404 (as another tenant's) when its customer is hidden from them (CUS-70),
    unless they received it, registered it (they typed the customer in) or manage the office."""
    reception = get_reception(reception_id)
    if reception.id not in openable([reception], viewer):
        raise NotFound("reception not found")
    return reception


def openable(receptions: list[Reception], viewer: User) -> set[int]:
    """The ids of ``receptions`` whose page ``viewer`` may open (see :func:`get_visible_reception`)."""
    if viewer.has_role(*OFFICE_MANAGERS):
        return {r.id for r in receptions}
    visible = set(db.session.scalars(access.restrict(select(Customer.id)).where(
        Customer.id.in_({r.customer_id for r in receptions})))) if receptions else set()
    return {r.id for r in receptions
            if viewer.id in (r.receiver_id, r.recorded_by) or r.customer_id in visible}


def receptions_of(project_id: int, day: dt.date) -> list[Reception]:
    get_project(project_id)
    return list(db.session.scalars(select(Reception).where(Reception.project_id == project_id, Reception.day == day)
                                   .order_by(Reception.at, Reception.id)))


# --------------------------------------------------------------------------------------------------
# The live desk (RE-01)
# --------------------------------------------------------------------------------------------------


def desk_at(project_id: int, at: dt.datetime | None = None) -> dict[str, Any]:
    """Who is on turn for the next first-time visitor at ``at`` (default now), who stands by, the owed
    make-up turns; ``day`` is ``None`` when the manager has not set the day's order."""
    get_project(project_id)
    at = at or utcnow()
    row = find_day(project_id, local_day(at))
    if row is None:
        return {"at": at, "day": None, "on_turn_id": None, "on_turn_kind": "none", "standby_id": None,
                "standby_missing": False, "pointer": None, "owed": {}, "names": {}}
    state = _state(row)
    shown = rotation_rules.desk(re_policy(at).values, state, at)
    return {"at": at, "day": day_view(row), "on_turn_id": shown.on_turn_id, "on_turn_kind": shown.on_turn_kind,
            "standby_id": shown.standby_id, "standby_missing": shown.standby_missing, "pointer": shown.pointer,
            "owed": dict(shown.owed), "names": {p.id: p.label for p in state.people},
            "availability": {sid: a.value for sid, a in rotation_rules.availability_at(state, at).items()}}


# --------------------------------------------------------------------------------------------------
# The evening meeting (RE-03)
# --------------------------------------------------------------------------------------------------


def _minutes_of(project_id: int, day: dt.date) -> list[register_rules.MeetingMinutes]:
    rows = db.session.scalars(select(MeetingMinutes).where(MeetingMinutes.project_id == project_id,
                                                           MeetingMinutes.day == day))
    return [register_rules.MeetingMinutes(
        m.id, m.day, m.recorded_at, tuple(register_rules.MinutesLine(line.customer_id, line.salesperson_id)
                                          for line in lines_of(m.id)), m.recorded_by) for m in rows]


def lines_of(minutes_id: int) -> list[MeetingLine]:
    return list(db.session.scalars(select(MeetingLine).where(MeetingLine.minutes_id == minutes_id)
                                   .order_by(MeetingLine.id)))


def get_minutes(minutes_id: int) -> MeetingMinutes:
    return get_one(MeetingMinutes, minutes_id, "minutes")


def find_minutes(project_id: int, day: dt.date) -> MeetingMinutes | None:
    return db.session.scalars(select(MeetingMinutes).where(MeetingMinutes.project_id == project_id,
                                                           MeetingMinutes.day == day)).first()


def save_minutes(project_id: int, day: dt.date, *, note: str | None, lines: list[dict],
                 recorded_by: int) -> MeetingMinutes:
    """The evening meeting of ``day``: one line per customer with the salesperson who received them. Saving
    the day's minutes again replaces their lines (one record per project and day)."""
    get_project(project_id)
    errors: dict[str, list[str]] = {}
    seen = set()
    for i, line in enumerate(lines):
        if db.session.scalar(select(Customer.id).where(Customer.id == line["customer_id"])) is None:
            errors[f"lines.{i}.customer_id"] = ["No such customer."]
        if line["customer_id"] in seen:
            errors[f"lines.{i}.customer_id"] = ["This customer is listed twice."]
        seen.add(line["customer_id"])
        try:
            user_named(line["salesperson_id"], f"lines.{i}.salesperson_id")
        except InvalidInput as err:
            errors.update(err.fields)
    if errors:
        raise InvalidInput("invalid minutes", fields=errors)
    minutes = find_minutes(project_id, day)
    if minutes is None:
        minutes = MeetingMinutes(project_id=project_id, day=day)
        db.session.add(minutes)
    minutes.note, minutes.recorded_by, minutes.recorded_at = note, recorded_by, utcnow()
    db.session.flush()
    for old in lines_of(minutes.id):
        db.session.delete(old)
    db.session.flush()
    for line in lines:
        db.session.add(MeetingLine(minutes_id=minutes.id, customer_id=line["customer_id"],
                                   salesperson_id=line["salesperson_id"], new_customer=line.get("new_customer", True),
                                   follow_up=line.get("follow_up")))
    db.session.flush()
    return minutes


# --------------------------------------------------------------------------------------------------
# Grabbing, competing, neglecting (RE-04) and provoking disputes (RE-28)
# --------------------------------------------------------------------------------------------------


def _penalty(data: dict) -> penalty_rules.Penalty:
    errors: dict[str, list[str]] = {}
    offence = data.get("offence")
    if offence not in OFFENCES:
        errors["offence"] = [f"One of: {', '.join(OFFENCES)}."]
    at = _aware(data.get("occurred_at"), "occurred_at", errors)
    if offence in GRAB_OFFENCES:
        if data.get("monthly_base") is None:
            errors["monthly_base"] = ["required: the offender's monthly base salary"]
        if data.get("serious") and data.get("month_bonus") is None:
            errors["month_bonus"] = ["required for a serious case: the month's bonus"]
    if offence == PROVOKING and data.get("month_deal_bonus") is None:
        errors["month_deal_bonus"] = ["required: the offender's deal bonus of the month"]
    if errors:
        raise InvalidInput("invalid offence", fields=errors)
    settings = re_policy(at).values
    if offence == PROVOKING:
        return penalty_rules.provoking_penalty(settings, penalty_rules.ProvokingFacts(
            data["offender_id"], at, Decimal(str(data["month_deal_bonus"])), case_id=data.get("reception_id")))
    return penalty_rules.grab_penalty(settings, penalty_rules.GrabFacts(
        data["offender_id"], offence, at, Decimal(str(data["monthly_base"])), serious=bool(data.get("serious")),
        month_bonus=Decimal(str(data["month_bonus"])) if data.get("month_bonus") is not None else None,
        case_id=data.get("reception_id")), stf_policy(at).values)


def record_offence(data: dict, *, recorded_by: int) -> list:
    """A manager records a verified offence: the staff-ledger entries (STF-01) of the penalty — a proposal
    for the approver, with its decision under RE-04 / RE-28 — and, for RE-28, the HR dismissal-review flag
    (never a dismissal). ``data``: ``offence``, ``offender_id``, ``occurred_at``, ``serious``,
    ``monthly_base``, ``month_bonus``, ``month_deal_bonus``, ``reception_id``, ``note``."""
    user_named(data.get("offender_id"), "offender_id")
    if data.get("reception_id") is not None:
        try:
            get_reception(data["reception_id"])
        except NotFound:
            raise InvalidInput("unknown reception", fields={"reception_id": ["No such reception."]}) from None
    penalty = _penalty(data)
    if not penalty.lines:
        raise Conflict("nothing to record", reason_zh=penalty.reason_zh, reason_en=penalty.reason_en)
    view = re_policy(penalty.lines[0].occurred_at)
    facts = json_safe({**penalty.facts, "note": data.get("note")})
    return [ledger.record_entry(
        kind=line.kind, offence=line.offence, rule_id=line.rule_id, amount=line.amount, unit=line.unit,
        label=line.label, reason_zh=penalty.reason_zh, reason_en=penalty.reason_en, user_id=line.user_id,
        occurred_at=line.occurred_at, subject_type="reception" if data.get("reception_id") else "user",
        subject_id=data.get("reception_id") or line.user_id, facts=facts, policy=view, created_by=recorded_by)
        for line in penalty.lines]
