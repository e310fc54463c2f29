"""Complaint cases: intake (CMP-01..05), reading and the case history.

:func:`create_complaint` is the one way a case comes in, from every channel: it checks the facts
against the tenant's policy in force at the received time (channels, categories), numbers the case
(CMP-05), routes it (CMP-04), gives it its owner (CMP-20, never the accused: CMP-21), starts its
deadlines (CMP-31) and writes the history and decisions, all in the caller's transaction.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import json_safe
from core.calendar.service import tenant_calendar
from core.complaints import exclusion, intake, numbering, taxonomy
from core.complaints.models import CASE_TYPES, SEVERITIES, Complaint, ComplaintEvent
from core.complaints.policy import cmp_policy
from core.customers.fact_time import fact_time
from core.customers.identity import IdentityError, normalise_phone
from core.customers.models import Customer
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput, NotFound
from core.sla import engine as sla
from core.sla.rules import MilestoneSpec

SUBJECT = "complaint"


def log_event(complaint: Complaint, kind: str, *, by: int | None, at: dt.datetime | None = None,
              note: str | None = None, data: dict | None = None, decision_id: int | None = None) -> ComplaintEvent:
    """One step of the case history (shown on the case, in order). A change of the case's state is
    logged under one of :data:`core.complaints.owner_notice.STATE_CHANGE_KINDS` (received, accepted,
    rejected, in_progress, resolved, closed, reopened): the customer's owner is told (CMP-23)."""
    from core.complaints.owner_notice import notify_owner

    event = ComplaintEvent(complaint_id=complaint.id, kind=kind, at=at or utcnow(), by=by, note=note,
                           data=json_safe(data or {}), decision_id=decision_id)
    db.session.add(event)
    db.session.flush()
    notify_owner(complaint, event)
    return event


def _user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalars(select(User).where(User.id == user_id)).first()


def department_named(name: str | None) -> Department | None:
    if not name:
        return None
    return db.session.scalars(select(Department).where(Department.name == name)).first()


def milestone_specs(complaint: Complaint, values: dict) -> list[MilestoneSpec]:
    """CMP-30/31: the deadlines a case starts at intake (the core defaults by type, or the SLA policy
    chosen for it): :func:`core.complaints.deadlines.intake_specs`."""
    from core.complaints.deadlines import intake_specs

    return intake_specs(complaint, values)


def create_complaint(data: dict, *, by: int | None, region: str = "CN") -> Complaint:
    """Take in a case. ``data``: case_type, channel, content, category, received_at (default now),
    complainant_name/phone, anonymous, customer_id, subject_ref, demands, demand_amount,
    accused_user_id, excluded_user_ids, witnesses, evidence, complainant_signed, severity, severity_reason,
    major_criteria, reported_to, complainant_count, special, special_reason, extra, tags, cause,
    promised_reply_on (suggestions), answered_on_the_spot (inquiries). Intake's own checks and effects
    are in :mod:`core.complaints.intake`. Raises :class:`InvalidInput` naming each bad field; writes
    nothing then."""
    received_at = data.get("received_at") or utcnow()
    errors: dict[str, list[str]] = {}
    try:
        received_at = fact_time(received_at, "received_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        received_at = utcnow()  # the other checks still run under today's policy; nothing is written
    view = cmp_policy(received_at)
    values = view.values
    case_type = data.get("case_type", "complaint")
    if case_type not in CASE_TYPES:
        errors["case_type"] = [f"one of {', '.join(CASE_TYPES)}"]
    channel = data.get("channel")
    if channel not in taxonomy.channels(values):
        errors["channel"] = [f"not a channel of this company: {channel!r} (CMP-02; a tenant adds its own in "
                             "cmp.channels.extra)"]
    cats = taxonomy.categories(values)
    category = data.get("category") or "other"
    if category not in cats:
        errors["category"] = [f"unknown category {category!r}; one of {', '.join(sorted(cats))}"]
    severity = data.get("severity") or "general"
    if severity not in SEVERITIES:
        errors["severity"] = [f"one of {', '.join(SEVERITIES)}"]
    if not (data.get("content") or "").strip():
        errors["content"] = ["say what the customer said"]
    anonymous = bool(data.get("anonymous"))
    phone = None
    if data.get("complainant_phone"):
        try:
            phone = normalise_phone(data["complainant_phone"], region, field="complainant_phone").e164
        except IdentityError as exc:
            errors["complainant_phone"] = [str(exc)]
    customer_id = data.get("customer_id")
    if customer_id is not None and db.session.scalar(select(Customer.id).where(Customer.id == customer_id)) is None:
        errors["customer_id"] = ["not a customer of this company"]
    accused = data.get("accused_user_id")
    if accused is not None and _user(accused) is None:
        errors["accused_user_id"] = ["not an employee of this company"]
    if data.get("special") and not (data.get("special_reason") or "").strip():
        errors["special_reason"] = ["a special case needs its reason (CMP-31)"]
    cleaned, intake_errors = intake.check(data, values, case_type, tenant_calendar(received_at)[0].local_date(received_at))
    errors.update(intake_errors)
    if errors:
        raise InvalidInput("invalid complaint", fields=errors)

    calendar, _ = tenant_calendar(received_at)
    local = calendar.local(received_at)
    fmt = values["numbering"]
    period = numbering.period_key(local, fmt["reset"])
    serial = numbering.allocate(period)
    if numbering.overflows(fmt["format"], serial) and fmt["overflow"] == "refuse":
        raise InvalidInput("the case number is full this period", fields={
            "number": [f"serial {serial} does not fit {fmt['format']}; widen cmp.numbering.format (CMP-05)"]})
    complaint = Complaint(
        number=numbering.format_number(fmt["format"], local, serial), number_period=period, serial=serial,
        case_type=case_type, channel=channel, received_at=received_at, received_by=by,
        complainant_name=None if anonymous and not data.get("complainant_name") else data.get("complainant_name"),
        complainant_phone=phone, anonymous=cleaned["anonymous"], customer_id=customer_id,
        subject_ref=data.get("subject_ref"),
        content=data["content"].strip(), demands=list(data.get("demands") or []),
        demand_amount=data.get("demand_amount"), accused_user_id=accused,
        excluded_user_ids=cleaned["excluded_user_ids"], witnesses=list(data.get("witnesses") or []),
        evidence=list(data.get("evidence") or []), complainant_signed=bool(data.get("complainant_signed")),
        extra=json_safe(cleaned["extra"]), tags=list(dict.fromkeys(data.get("tags") or [])), category=category,
        reported_to=list(dict.fromkeys(data.get("reported_to") or [])),
        complainant_count=data.get("complainant_count") or 1, intake_complainant_count=data.get("complainant_count") or 1,
        cause=data.get("cause"), timing=data.get("timing"), cause_class=data.get("cause_class"),
        severity="general" if severity == "major" else severity,  # major is flagged by intake.after_intake
        severity_reason=data.get("severity_reason"), special=bool(data.get("special")),
        special_reason=data.get("special_reason"), status="received", policy_version=view.version, created_by=by,
        parent_id=data.get("parent_id"))  # CMP-54 reopen
    routed = department_named(cats[category].department)
    complaint.handler_department_id = routed.id if routed else None
    db.session.add(complaint)
    db.session.flush()
    if numbering.overflows(fmt["format"], serial):
        _overflow_notice(complaint, fmt["format"], view)
    log_event(complaint, "received", by=by, at=received_at, data={"channel": channel, "number": complaint.number})
    _route(complaint, cats[category], routed, view)
    _take(complaint, by, view)
    intake.after_intake(complaint, data, cleaned, by=by, asked_severity=severity)
    sla.start(SUBJECT, complaint.id, milestone_specs(complaint, values), received_at, policy=view,
              warn_at=values["sla"]["warn_at"], facts={"case_type": case_type, "severity": complaint.severity,
                                                        "special": complaint.special})
    if case_type == "inquiry" and data.get("answered_on_the_spot"):
        intake.answer_on_the_spot(complaint, by=by)
    from core.complaints import consequences  # CMP-70 events at intake (imported here: it imports this module)
    consequences.on_intake(complaint)
    return complaint


def _overflow_notice(complaint: Complaint, fmt: str, view) -> None:
    from core.accounts.people import People
    from core.notifications.service import notify

    decision = decisions.record(
        "CMP-05", SUBJECT, complaint.id, policy=view,
        outcome={"number": complaint.number, "widened": True},
        facts={"serial": complaint.serial, "format": fmt, "period": complaint.number_period},
        reason_zh=f"本期第{complaint.serial}件超出编号位数（{fmt}），已加宽为 {complaint.number}；请加宽编号格式",
        reason_en=f"serial {complaint.serial} outgrows {fmt}; widened to {complaint.number} — widen the format")
    notify([uid for uid, _ in People().holders("tenant_admin")], kind="cmp.numbering_overflow", rule_id="CMP-05",
           subject_type=SUBJECT, subject_id=complaint.id, dedupe_key=f"CMP-05:overflow:{complaint.number_period}",
           title_zh="投诉编号位数不足，请加宽编号格式", title_en="Complaint numbers outgrew their format: widen it",
           body_zh=decision.reason_zh, body_en=decision.reason_en)


def _route(complaint: Complaint, category: taxonomy.Category, routed: Department | None, view) -> None:
    """CMP-04: the responsible department of the category."""
    decision = decisions.record(
        "CMP-04", SUBJECT, complaint.id, policy=view,
        outcome={"handler_department_id": routed.id if routed else None},
        facts={"category": category.code, "routing": category.department, "source": category.source},
        reason_zh=(f"类别「{category.label_zh}」由「{routed.name}」负责处理" if routed
                   else f"类别「{category.label_zh}」未指定责任部门"),
        reason_en=(f"category {category.code} is handled by {routed.name}" if routed
                   else f"category {category.code} has no responsible department"))
    log_event(complaint, "routed", by=None, at=complaint.received_at,
              data={"department_id": routed.id if routed else None}, decision_id=decision.id)


def _take(complaint: Complaint, by: int | None, view) -> None:
    """CMP-20: whoever takes the case in owns it; CMP-21: never the employee complained about."""
    if by is None:
        return
    if by in (complaint.excluded_user_ids or []):
        complaint.owner_id = None
        complaint.owner_department_id = complaint.handler_department_id
        decision = decisions.record(
            "CMP-21", SUBJECT, complaint.id, policy=view,
            outcome={"owner_id": None, "owner_department_id": complaint.owner_department_id},
            facts={"taker": by, "accused_user_id": complaint.accused_user_id},
            reason_zh="受理人即被投诉人，不得处理本投诉，转由部门队列负责",
            reason_en="the taker is the employee complained about and may not handle it: the department queue owns it")
    else:
        complaint.owner_id = by
        decision = decisions.record(
            "CMP-20", SUBJECT, complaint.id, policy=view, outcome={"owner_id": by},
            facts={"taker": by, "received_at": complaint.received_at},
            reason_zh="首问负责制：谁受理谁负责，直至结案", reason_en="first-taker ownership: whoever takes it owns it until closed")
    log_event(complaint, "owned", by=by, at=complaint.received_at,
              data={"owner_id": complaint.owner_id, "owner_department_id": complaint.owner_department_id},
              decision_id=decision.id)
    db.session.flush()


def get_complaint(complaint_id: int, *, for_update: bool = False) -> Complaint:
    """The case; 404 also for the employee it is about (or anyone excluded from it) when they ask
    (CMP-21: they never see it). ``for_update``: the row is locked until the transaction ends and read
    afresh, so that two steps on one case (two approvers, two closes) happen one after the other."""
    stmt = select(Complaint).where(Complaint.id == complaint_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    complaint = db.session.scalars(stmt).first()
    if complaint is None or exclusion.is_excluded(complaint, exclusion.acting_user()):
        raise NotFound("complaint not found")
    return complaint


def search(*, status: str | None = None, category: str | None = None, owner_id: int | None = None,
           customer_id: int | None = None, case_type: str | None = None, severity: str | None = None,
           number: str | None = None):
    stmt = select(Complaint)
    viewer = exclusion.acting_user()
    if viewer is not None:
        stmt = stmt.where(exclusion.not_excluded_condition(viewer))  # CMP-21
    for column, value in ((Complaint.status, status), (Complaint.category, category),
                          (Complaint.owner_id, owner_id), (Complaint.customer_id, customer_id),
                          (Complaint.case_type, case_type), (Complaint.severity, severity),
                          (Complaint.number, number)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(Complaint.received_at.desc(), Complaint.id.desc())


def events_of(complaint: Complaint) -> list[ComplaintEvent]:
    return list(db.session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                   .order_by(ComplaintEvent.at, ComplaintEvent.id)))
