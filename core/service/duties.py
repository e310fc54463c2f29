"""Recurring duties (SVC-30, SVC-32; PM-07, PM-09): the duty table, the orders generated at each period's
start, the shortfall alert at its end, and the completion evidence of duty orders.

- :func:`create_duty` / :func:`update_duty` — a duty in the tenant's table (422 naming each bad field:
  an unknown work-order type, intake data the type requires that a duty cannot supply, a responsible
  user who is not of the company...).
- :func:`seed_from_policy` — the ``svc.duties`` preset entries (and the ``customer_survey`` duty of
  ``svc.survey.every``) whose code the table lacks are copied into it, once.
- :func:`generate` (job ``svc.duty_generation``, daily) — for each active duty whose current period has
  no run yet: N work orders through :func:`core.service.orders.create_order` (``channel = duty``,
  ``source_type = duty``, ``source_id`` = the duty), each with a ``complete`` deadline fixed at the end
  of its day (:func:`core.service.duties_rules.due_days`) on the deadline engine, so that the SVC-07
  warnings, breaches and escalation apply. A survey duty generates no order (surveys are CUS-64
  rounds) but its period is opened all the same. One run per duty and period: a re-run adds nothing.
- :func:`check_missed` (job ``svc.missed_duties``, daily) — each run whose period has ended is counted
  once: completed duty orders of the period (or, for a survey duty, CUS-64 survey rounds answered in
  the period); a shortfall is a decision (SVC-30, SVC-32 for surveys: "1 of 2") and an alert to the
  responsible manager.
- :func:`completion_errors` — what a duty order's completion data lacks (SVC-30 evidence); the
  completion step calls it.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import func, select

from core.accounts.models import Department, User
from core.accounts.people import People
from core.calendar import Duration
from core.calendar.service import tenant_calendar
from core.customers.models import Customer
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput
from core.notifications.service import notify
from core.service import duties_rules as rules
from core.service import intake_rules, order_types, orders
from core.service.duties_models import ServiceDuty, ServiceDutyRun
from core.service.duties_settings import KINDS, PERIODS, SURVEY_CODE, survey_period
from core.service.models import DONE_STATES, WorkOrder
from core.service.policy import svc_policy
from core.sla import engine as sla
from core.sla.rules import MilestoneSpec

SUBJECT = "service_duty"
EDITABLE = ("title", "site", "building", "asset_class", "customer_id", "work_order_type", "at_least", "period",
            "evidence", "responsible_user_id", "responsible_role", "department_id", "active", "starts_on")


# ------------------------------------------------------------------------------------------ the table


def get_duty(duty_id: int, *, for_update: bool = False) -> ServiceDuty:
    return get_one(ServiceDuty, duty_id, "duty", for_update=for_update)


def search(*, active: bool | None = None, kind: str | None = None, period: str | None = None):
    stmt = select(ServiceDuty)
    for column, value in ((ServiceDuty.active, active), (ServiceDuty.kind, kind), (ServiceDuty.period, period)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(ServiceDuty.code)


def runs_of(duty: ServiceDuty) -> list[ServiceDutyRun]:
    return list(db.session.scalars(select(ServiceDutyRun).where(ServiceDutyRun.duty_id == duty.id)
                                   .order_by(ServiceDutyRun.period_start.desc())))


def scope_text(duty) -> str:
    """The duty's scope in words: site, building, asset class."""
    return " · ".join(p for p in (duty.site, duty.building, duty.asset_class) if p)


def _address(duty) -> str | None:
    return " ".join(p for p in (duty.site, duty.building) if p) or None


def _type_data(duty, wo_type) -> dict:
    """The type's own fields a duty can fill: its scope and its asset class."""
    out = {}
    if "scope" in wo_type.fields and scope_text(duty):
        out["scope"] = scope_text(duty)[:500]
    if "asset" in wo_type.fields and duty.asset_class:
        out["asset"] = duty.asset_class
    return out


def _intake(duty, wo_type, description: str) -> dict:
    return {"customer_id": duty.customer_id, "customer_name": None, "address": _address(duty),
            "contact_name": None, "contact_phone": None, "description": description,
            "data": _type_data(duty, wo_type)}


def _check(values: dict) -> None:
    """422 naming each field of a duty that cannot work. Whether its orders could be created is not asked
    of a duty switched off (a preset whose type the company lacks can still be switched off)."""
    errors: dict[str, list[str]] = {}
    if values["kind"] == "work_order" and values.get("active") is False:
        pass
    elif values["kind"] == "work_order":
        if not values.get("work_order_type"):
            errors["work_order_type"] = ["a work-order duty names its work-order type"]
        else:
            wo_type = order_types.tenant_types().get(values["work_order_type"])
            if wo_type is None:
                errors["work_order_type"] = [f"unknown work-order type {values['work_order_type']!r} (SVC-01)"]
            else:
                scope = SimpleNamespace(**{k: values.get(k) for k in ("site", "building", "asset_class", "customer_id")})
                intake = _intake(scope, wo_type, values["title"])
                required = intake_rules.required_for(wo_type.code, wo_type.required,
                                                     svc_policy().values["required_fields"])
                missing = intake_rules.missing(required, intake, intake["data"])
                if missing:
                    errors["work_order_type"] = [
                        f"orders of type {wo_type.code!r} need intake data a duty cannot give: "
                        f"{', '.join(sorted(missing))} (svc.required_fields, SVC-03)"]
    elif values.get("work_order_type") or values.get("evidence"):
        errors["kind"] = ["a survey duty has no work-order type nor completion evidence"]
    if values.get("customer_id") is not None and db.session.scalar(
            select(Customer.id).where(Customer.id == values["customer_id"])) is None:
        errors["customer_id"] = ["not a customer of this company"]
    if values.get("responsible_user_id") is not None and db.session.scalar(
            select(User.id).where(User.id == values["responsible_user_id"])) is None:
        errors["responsible_user_id"] = ["not a user of this company"]
    if values.get("department_id") is not None and db.session.scalar(
            select(Department.id).where(Department.id == values["department_id"])) is None:
        errors["department_id"] = ["not a department of this company"]
    if values.get("responsible_user_id") is None and not values.get("responsible_role"):
        errors["responsible_user_id"] = ["name the responsible manager: a user or a role"]
    if errors:
        raise InvalidInput("invalid duty", fields=errors, rule_id="SVC-30")


def create_duty(data: dict, *, by: int | None, today: dt.date | None = None) -> ServiceDuty:
    """A duty (SVC-30). ``data``: code, title, kind, site, building, asset_class, customer_id,
    work_order_type, at_least, period, evidence, responsible_user_id, responsible_role, active,
    starts_on (default today)."""
    values = {"kind": "work_order", "evidence": [], "active": True, **data}
    if values["kind"] not in KINDS or values.get("period") not in PERIODS:
        raise InvalidInput("invalid duty", fields={k: ["unknown value"] for k, ok in
                                                   (("kind", values["kind"] in KINDS),
                                                    ("period", values.get("period") in PERIODS)) if not ok})
    if db.session.scalar(select(ServiceDuty.id).where(ServiceDuty.code == values["code"])) is not None:
        raise InvalidInput("invalid duty", fields={"code": ["a duty with this code exists"]})
    _check(values)
    if values.get("starts_on") is None:
        values["starts_on"] = today or tenant_calendar()[0].local_date(utcnow())
    duty = ServiceDuty(source="manual", created_by=by, **{k: values.get(k) for k in ("code", "kind", *EDITABLE)})
    duty.evidence = list(values.get("evidence") or [])
    db.session.add(duty)
    db.session.flush()
    return duty


def update_duty(duty: ServiceDuty, data: dict) -> ServiceDuty:
    """Change a duty; the periods already started keep their orders, the next ones follow the change."""
    values = {k: getattr(duty, k) for k in ("code", "kind", *EDITABLE)}
    values.update({k: v for k, v in data.items() if k in EDITABLE})
    if values.get("period") not in PERIODS:
        raise InvalidInput("invalid duty", fields={"period": [f"one of {', '.join(PERIODS)}"]})
    _check(values)
    for key in EDITABLE:
        if key in data:
            setattr(duty, key, list(values[key] or []) if key == "evidence" else values[key])
    db.session.flush()
    return duty


def seed_from_policy(at: dt.datetime, *, by: int | None = None) -> list[ServiceDuty]:
    """Copy the preset duties of the ``svc`` version in force at ``at`` whose code the table lacks (see
    :mod:`core.service.duties_settings`), starting today, each with a decision. They are copied as the
    policy writes them (without a responsible role: ``dept_manager``); an entry that cannot work (a type
    the tenant lacks) shows when its orders cannot be generated (a decision and an alert)."""
    view = svc_policy(at)
    today = tenant_calendar(at)[0].local_date(at)
    entries = [dict(e) for e in view.values["duties"]]
    period = survey_period(view.values)
    if period is not None and SURVEY_CODE not in {e["code"] for e in entries}:
        from core.customers.policy import cus_policy

        entries.append({"code": SURVEY_CODE, "title": "客户满意度调查", "kind": "survey", "at_least": 1,
                        "period": period, "responsible_role": cus_policy(at).values["survey"]["capa_role"]})
    known = set(db.session.scalars(select(ServiceDuty.code)))
    created = []
    for entry in entries:
        if entry["code"] in known:
            continue
        duty = ServiceDuty(code=entry["code"], title=entry["title"], kind=entry.get("kind") or "work_order",
                           site=entry.get("site"), building=entry.get("building"), asset_class=entry.get("asset_class"),
                           work_order_type=entry.get("work_order_type"), at_least=entry["at_least"],
                           period=entry["period"], evidence=list(entry.get("evidence") or []),
                           responsible_role=entry.get("responsible_role") or "dept_manager", active=True,
                           starts_on=_preset_start(entry, today), source="policy", created_by=by)
        db.session.add(duty)
        db.session.flush()
        zh, en = rules.PERIOD_LABELS[duty.period]
        decisions.record("SVC-30" if duty.kind == "work_order" else "SVC-32", SUBJECT, duty.id, policy=view,
                         outcome={"seeded": True, "code": duty.code, "starts_on": duty.starts_on}, facts={"entry": entry},
                         reason_zh=f"依制度预设建立周期任务「{duty.title}」：每{zh}至少{duty.at_least}次，自{duty.starts_on}起",
                         reason_en=f"duty {duty.code} set up from the policy preset: at least {duty.at_least} per "
                                   f"{en}, from {duty.starts_on}")
        created.append(duty)
        known.add(duty.code)
    return created


def _errors_text(fields: dict) -> str:
    return "; ".join(f"{k}: {' '.join(v) if isinstance(v, list) else v}" for k, v in fields.items())


# ------------------------------------------------------------------------------------------ SVC-30 generation


def _preset_start(entry: dict, today: dt.date) -> dt.date:
    """A survey owed by the regulation counts from the current period (SVC-32: one a year, this year
    included); a duty with orders from today, so from its next whole period (:func:`first_period_start`)."""
    if (entry.get("kind") or "work_order") == "survey":
        return rules.period_of(entry["period"], today).start
    return today


def first_period_start(duty: ServiceDuty) -> dt.date:
    """The first period a duty owes: the one it starts on when it starts on that period's first day, else
    the next one (a duty created mid-month is not born with orders already past due, nor judged on half
    a month)."""
    period = rules.period_of(duty.period, duty.starts_on)
    if duty.starts_on == period.start:
        return period.start
    return rules.period_of(duty.period, period.end + dt.timedelta(days=1)).start


def generate(moment: dt.datetime) -> dict:
    """Seed the presets, then open the current period of every active duty that has none yet."""
    seeded = seed_from_policy(moment)
    calendar, _ = tenant_calendar(moment)
    today = calendar.local_date(moment)
    counts = {"seeded": len(seeded), "periods": 0, "orders": 0, "failed": 0}
    duty_ids = list(db.session.scalars(select(ServiceDuty.id).where(ServiceDuty.active.is_(True))
                                       .order_by(ServiceDuty.id)))
    for duty_id in duty_ids:
        duty = get_duty(duty_id, for_update=True)
        period = rules.period_of(duty.period, today)
        if not duty.active or first_period_start(duty) > period.start:
            continue
        run = db.session.scalars(select(ServiceDutyRun).where(ServiceDutyRun.duty_id == duty.id,
                                                              ServiceDutyRun.period == period.kind,
                                                              ServiceDutyRun.period_start == period.start)).first()
        if run is not None and run.state != "failed":
            continue
        made = _open_period(duty, period, run, moment, calendar)
        counts["periods"] += made.state != "failed"
        counts["failed"] += made.state == "failed"
        counts["orders"] += len(made.order_ids)
    return counts


def _open_period(duty: ServiceDuty, period: rules.Period, run: ServiceDutyRun | None, moment: dt.datetime,
                 calendar) -> ServiceDutyRun:
    view = svc_policy(moment)
    days = rules.due_days(period, duty.at_least) if duty.kind == "work_order" else []
    first_try = run is None
    if run is None:
        run = ServiceDutyRun(duty_id=duty.id, period=duty.period, period_start=period.start, period_end=period.end,
                             required=duty.at_least, generated_at=moment, state="generated")
        db.session.add(run)
        db.session.flush()
    made: list[tuple[WorkOrder, dt.datetime]] = []
    try:
        with db.session.begin_nested():
            for i, day in enumerate(days, start=1):
                due = calendar.end_of_day(day)
                made.append((_duty_order(duty, period, i, len(days), due, moment, view, calendar), due))
    except InvalidInput as exc:
        run.state, run.errors, run.generated_at = "failed", exc.fields, moment
        db.session.flush()
        if first_try:
            _generation_failed(duty, run, period, exc.fields, view)
        return run
    run.state, run.errors, run.generated_at, run.required = "generated", {}, moment, duty.at_least
    run.order_ids = [order.id for order, _due in made]
    run.due_dates = [day.isoformat() for day in days]
    zh, en = rules.PERIOD_LABELS[duty.period]
    listed = ", ".join(f"{order.number} {calendar.local(due - dt.timedelta(seconds=1)):%m-%d}" for order, due in made)
    decision = decisions.record(
        "SVC-30" if duty.kind == "work_order" else "SVC-32", SUBJECT, duty.id, policy=view,
        outcome={"period": period.label, "orders": [{"id": o.id, "number": o.number, "due_at": due}
                                                    for o, due in made]},
        facts={"at_least": duty.at_least, "period": duty.period, "start": period.start, "end": period.end,
               "run_id": run.id, "kind": duty.kind},
        reason_zh=(f"周期任务「{duty.title}」{period.label}：生成{len(made)}张工单，期限均匀分布于本{zh}（{listed}）"
                   if duty.kind == "work_order" else
                   f"周期任务「{duty.title}」{period.label}开始：本{zh}须至少完成{duty.at_least}次客户调查（CUS-64）"),
        reason_en=(f"duty {duty.code} {period.label}: {len(made)} orders due spread through the {en} ({listed})"
                   if duty.kind == "work_order" else
                   f"duty {duty.code} {period.label} opened: at least {duty.at_least} customer survey(s) this {en}"))
    run.generation_decision_id = decision.id
    db.session.flush()
    return run


def _duty_order(duty: ServiceDuty, period: rules.Period, i: int, n: int, due: dt.datetime, moment: dt.datetime,
                view, calendar) -> WorkOrder:
    wo_type = order_types.type_of(duty.work_order_type)
    department = duty.department_id
    if department is None and duty.responsible_user_id is not None:
        department = db.session.scalar(select(User.department_id).where(User.id == duty.responsible_user_id))
    scope = scope_text(duty)
    description = f"{duty.title}（{period.label} 第{i}/{n}次" + (f"；{scope}" if scope else "") + "）"
    order = orders.create_order({"type": duty.work_order_type, "channel": "duty", "source_type": "duty",
                                 "source_id": duty.id, "requested_at": moment, "department_id": department,
                                 **{k: v for k, v in _intake(duty, wo_type, description).items()}}, by=None)
    _fix_completion_due(order, duty, due, moment, view, calendar)
    return order


def _fix_completion_due(order: WorkOrder, duty: ServiceDuty, due: dt.datetime, moment: dt.datetime, view,
                        calendar) -> None:
    """The order's ``complete`` deadline is the duty's due time: started fixed (SVC-30) on the deadline
    engine, or, when ``svc.sla`` already gave the order a completion deadline, that one fixed to it."""
    values = view.values
    existing = sla.get_milestone(orders.SUBJECT, order.id, "complete")
    if existing is not None:
        existing.rule_id = "SVC-30"
        existing.computed_from = {**existing.computed_from, "fixed_due": due.astimezone(dt.timezone.utc).isoformat(),
                                  "sla_policy": f"duty:{duty.code}"}
        sla.recompute(existing, at=moment)
        return
    days = (calendar.local_date(due - dt.timedelta(seconds=1)) - calendar.local_date(moment)).days
    spec = MilestoneSpec("complete", Duration(max(days, 0), "days"), "SVC-30", due_at=due,
                         escalation=tuple(values["escalation"]["ladder"]),
                         escalation_interval=values["escalation"]["interval"],
                         pause_reasons=tuple(values["deadlines"]["pause_reasons"]), sla_policy=f"duty:{duty.code}")
    sla.start(orders.SUBJECT, order.id, [spec], moment, policy=view, warn_at=values["deadlines"]["warn_at"],
              facts={"type": order.type, "number": order.number, "duty": duty.code})


def _generation_failed(duty: ServiceDuty, run: ServiceDutyRun, period: rules.Period, errors: dict, view) -> None:
    text = _errors_text(errors)
    decision = decisions.record(
        "SVC-30", SUBJECT, duty.id, policy=view, outcome={"period": period.label, "generated": False, "errors": errors},
        facts={"run_id": run.id, "work_order_type": duty.work_order_type},
        reason_zh=f"周期任务「{duty.title}」{period.label}的工单无法生成：{text}",
        reason_en=f"duty {duty.code} {period.label}: its orders cannot be generated: {text}")
    run.generation_decision_id = decision.id
    notify(responsible(duty, People()), kind="svc.duty_generation_failed", rule_id="SVC-30", subject_type=SUBJECT,
           subject_id=duty.id, dedupe_key=f"SVC-30:generation:{run.id}",
           title_zh=f"周期任务「{duty.title}」{period.label}工单无法生成"[:300],
           title_en=f"Duty {duty.code} {period.label}: orders cannot be generated"[:300],
           body_zh=decision.reason_zh, body_en=decision.reason_en)


def responsible(duty: ServiceDuty, people: People) -> list[int]:
    """The responsible manager: the named user, else every active holder of the named role."""
    if duty.responsible_user_id is not None:
        return [duty.responsible_user_id]
    return [uid for uid, _dep in people.holders(duty.responsible_role)] if duty.responsible_role else []


# ------------------------------------------------------------------------------------------ SVC-30/32 period end


def check_missed(moment: dt.datetime) -> dict:
    """Count every run whose period has ended and is not counted yet; alert each shortfall once."""
    calendar, _ = tenant_calendar(moment)
    today = calendar.local_date(moment)
    ids = list(db.session.scalars(select(ServiceDutyRun.id).where(
        ServiceDutyRun.state.in_(("generated", "failed")), ServiceDutyRun.period_end < today)
        .order_by(ServiceDutyRun.period_end, ServiceDutyRun.id)))
    people = People()
    counts = {"checked": 0, "met": 0, "missed": 0, "skipped": 0}
    for run_id in ids:
        run = db.session.scalars(select(ServiceDutyRun).where(ServiceDutyRun.id == run_id).with_for_update()
                                 .execution_options(populate_existing=True)).first()
        if run is None or run.state not in ("generated", "failed"):
            continue
        duty = get_duty(run.duty_id)
        counts["checked"] += 1
        if not duty.active:
            run.state, run.checked_at = "skipped", moment
            counts["skipped"] += 1
            continue
        done = _done(duty, run, calendar)
        outcome = rules.shortfall(run.required, done)
        _record_check(duty, run, outcome, moment, people, calendar)
        counts["missed" if outcome.missed else "met"] += 1
    db.session.flush()
    return counts


def _done(duty: ServiceDuty, run: ServiceDutyRun, calendar) -> int:
    """What counts for the period: the duty's orders completed by its end (a completed order sent back
    for rework does not count until it is done again); for a survey duty, the CUS-64 survey rounds
    with a response in the period."""
    start, end = calendar.start_of_day(run.period_start), calendar.end_of_day(run.period_end)
    if duty.kind == "survey":
        from core.customers.visits.models import SurveyResponse

        return db.session.scalar(select(func.count(func.distinct(SurveyResponse.round_id))).where(
            SurveyResponse.responded_at >= start, SurveyResponse.responded_at < end)) or 0
    if not run.order_ids:
        return 0
    return db.session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.id.in_(run.order_ids), WorkOrder.status.in_(DONE_STATES), WorkOrder.completed_at < end)) or 0


def _record_check(duty: ServiceDuty, run: ServiceDutyRun, outcome: rules.Shortfall, moment: dt.datetime,
                  people: People, calendar) -> None:
    rule_id = "SVC-32" if duty.kind == "survey" else "SVC-30"
    label = rules.Period(run.period, run.period_start, run.period_end).label
    what_zh = "客户调查" if duty.kind == "survey" else "工单"
    to = responsible(duty, people) if outcome.missed else []
    if outcome.missed:
        zh = (f"周期任务「{duty.title}」{label}未完成：至少{outcome.required}次，实际完成{outcome.done}次"
              f"（{outcome.text}），已提醒负责人")
        en = f"duty {duty.code} {label} missed: {outcome.text} done"
    else:
        zh = f"周期任务「{duty.title}」{label}已完成：{outcome.text}"
        en = f"duty {duty.code} {label} met: {outcome.text} done"
    decision = decisions.record(
        rule_id, SUBJECT, duty.id, policy=svc_policy(moment),
        outcome={"period": label, "required": outcome.required, "done": outcome.done, "missed": outcome.missed,
                 "text": outcome.text, "notified": to},
        facts={"run_id": run.id, "start": run.period_start, "end": run.period_end, "order_ids": run.order_ids,
               "kind": duty.kind, "counted": what_zh},
        reason_zh=zh, reason_en=en)
    run.state = "missed" if outcome.missed else "met"
    run.done, run.checked_at, run.check_decision_id, run.notified = outcome.done, moment, decision.id, to
    if outcome.missed:
        notify(to, kind="svc.missed_duty", rule_id=rule_id, subject_type=SUBJECT, subject_id=duty.id,
               dedupe_key=f"{rule_id}:missed:{run.id}",
               title_zh=f"周期任务未完成：{duty.title} {label}（{outcome.text}）"[:300],
               title_en=f"Missed duty: {duty.code} {label} ({outcome.text})"[:300],
               body_zh=zh, body_en=en)


# ------------------------------------------------------------------------------------------ SVC-30 evidence


def completion_errors(order: WorkOrder, data: dict | None) -> dict[str, list[str]]:
    """Field → messages for what the completion ``data`` of ``order`` lacks under its duty (SVC-30): a
    duty requiring ``sample_test`` needs ``data["checks"]["sample_test"]`` (a result, or
    ``{"result": ...}``). Empty for an order that no duty generated or whose duty requires nothing."""
    if order.source_type != "duty" or order.source_id is None:
        return {}
    duty = db.session.scalars(select(ServiceDuty).where(ServiceDuty.id == order.source_id)).first()
    if duty is None or not duty.evidence:
        return {}
    return rules.evidence_errors(duty.evidence, data, duty_title=duty.code)
