"""Handling a case after intake (CMP-06, CMP-14, CMP-20..22, CMP-43, CMP-01 adoption).

- :func:`accept` / :func:`reject` — the supervisor checks the grounds: accepts, or rejects with a reply
  to the customer (the reply deadline is met by it, the other deadlines end).
- :func:`record_finding` — the finding at conclusion (discipline, general_error, customer_side,
  not_substantiated) with ``grounds_sufficient`` and ``demand_reasonable``; history kind
  ``finding_recorded`` (the staff-ledger proposals start from it).
- :func:`transfer` — work goes to another department: it becomes the handler, never the owner
  (CMP-20); a territory transfer (CMP-22) keeps the registration and the received time.
- :func:`assign_handler` / :func:`handler_pool` — CMP-43 level pool; never an excluded employee (CMP-21).
- :func:`flag_supplier` — a supplier or another company is responsible: the case goes to the VP (or GM).
- :func:`set_tags` — complainant tags (CMP-14), which never change deadlines or consequences.
- :func:`record_adoption` — a suggestion adopted or not (CMP-01).

Every act is a history step with a decision (``decided_by`` the person), in the caller's transaction.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import Department, User
from core.complaints import severity_rules
from core.complaints.exclusion import ensure_not_excluded, is_excluded
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.policy import cmp_policy
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.sla import engine as sla

SUBJECT = "complaint"
FINDINGS = ("discipline", "general_error", "customer_side", "not_substantiated")
FINDING_ZH = {"discipline": "违纪或失职，移交纪律处分程序", "general_error": "一般性过失，纳入员工考核并制定整改计划",
              "customer_side": "客户方原因，向客户解释", "not_substantiated": "投诉不成立，释放扣押款项"}
TRANSFER_KINDS = ("handling", "territory")


def case_time(value, complaint: Complaint, field: str = "at") -> dt.datetime:
    at = fact_time(value or utcnow(), field)
    if at < complaint.received_at:
        raise InvalidInput("invalid time", fields={field: ["must not be before the case was received"]})
    return at


def _active_user(user_id: int | None, field: str) -> User:
    user = db.session.scalars(select(User).where(User.id == user_id)).first() if user_id is not None else None
    if user is None or not user.is_active:
        raise InvalidInput("unknown user", fields={field: ["not an active employee of this company"]})
    return user


def _log(complaint: Complaint, kind: str, **kwargs):
    from core.complaints.service import log_event

    return log_event(complaint, kind, **kwargs)


def _require_open(complaint: Complaint, what: str) -> None:
    if complaint.status not in OPEN_STATUSES:
        raise Conflict(f"case {complaint.number} is {complaint.status}: cannot {what}")


# --- CMP-06 acceptance and findings ------------------------------------------------------------------


def _check_grounds(complaint: Complaint, by: int, what: str) -> None:
    ensure_not_excluded(complaint, by, "approver")
    if complaint.case_type != "complaint":
        raise Conflict(f"only complaints are {what} (this is a {complaint.case_type})")
    if complaint.master_id is not None:
        raise Conflict(f"case {complaint.number} is linked to a master case and handled through it (CMP-13)")
    if complaint.status != "received":
        raise Conflict(f"case {complaint.number} is already {complaint.status}")


def accept(complaint: Complaint, *, by: int, at=None, note: str | None = None,
           grounds_sufficient: bool | None = None) -> Complaint:
    _check_grounds(complaint, by, "accepted")
    at = case_time(at, complaint)
    complaint.status = "accepted"
    complaint.accepted_at, complaint.accepted_by = at, by
    if grounds_sufficient is not None:
        complaint.grounds_sufficient = grounds_sufficient
    decision = decisions.record(
        "CMP-06", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"status": "accepted", "grounds_sufficient": complaint.grounds_sufficient},
        facts={"received_at": complaint.received_at, "accepted_at": at, "note": note},
        reason_zh="经核查投诉理由，予以受理" + (f"：{note}" if note else ""),
        reason_en="grounds checked: the complaint is accepted" + (f": {note}" if note else ""))
    _log(complaint, "accepted", by=by, at=at, note=note, decision_id=decision.id)
    from core.complaints import deadlines  # imported here: deadlines imports the case service

    deadlines.on_event(complaint, "accepted", at, department=_department_name(by))  # CMP-30/32 clocks from acceptance
    return complaint


def _department_name(user_id: int | None) -> str | None:
    """The name of the department of the user who acted (an acceptance's department, CMP-32)."""
    user = db.session.scalars(select(User).where(User.id == user_id)).first() if user_id else None
    if user is None or user.department_id is None:
        return None
    return db.session.scalar(select(Department.name).where(Department.id == user.department_id))


def reject(complaint: Complaint, *, by: int, reply: str, at=None, reason: str | None = None) -> Complaint:
    """Not accepted: ``reply`` is what the customer is told (tactfully when they are at fault)."""
    if not (reply or "").strip():
        raise InvalidInput("a rejection needs its reply", fields={"reply": ["what the customer is told (CMP-06)"]})
    _check_grounds(complaint, by, "rejected")
    at = case_time(at, complaint)
    complaint.status = "rejected"
    complaint.rejection_reply = reply.strip()
    complaint.grounds_sufficient = False
    replied = sla.meet(SUBJECT, complaint.id, "reply", at)
    cancelled = sla.cancel(SUBJECT, complaint.id)
    decision = decisions.record(
        "CMP-06", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"status": "rejected", "grounds_sufficient": False, "milestones_cancelled": cancelled,
                 "reply_met": replied is not None},
        facts={"received_at": complaint.received_at, "rejected_at": at, "reason": reason},
        reason_zh="投诉理由不成立，不予受理，已答复客户" + (f"：{reason}" if reason else ""),
        reason_en="the grounds do not hold: not accepted, the customer was answered" + (f": {reason}" if reason else ""))
    _log(complaint, "rejected", by=by, at=at, note=reason, decision_id=decision.id, data={"reply": complaint.rejection_reply})
    return complaint


def record_finding(complaint: Complaint, *, by: int, finding: str, grounds_sufficient: bool,
                   demand_reasonable: bool, at=None, note: str | None = None) -> Complaint:
    if finding not in FINDINGS:
        raise InvalidInput("invalid finding", fields={"finding": [f"one of {', '.join(FINDINGS)}"]})
    ensure_not_excluded(complaint, by, "approver")
    if complaint.status in ("received", "rejected"):
        raise Conflict(f"case {complaint.number} is {complaint.status}: a finding follows acceptance")
    if complaint.finding is not None:
        raise Conflict(f"the finding of case {complaint.number} is already recorded ({complaint.finding})")
    at = case_time(at, complaint)
    complaint.finding = finding
    complaint.grounds_sufficient = grounds_sufficient
    complaint.demand_reasonable = demand_reasonable
    decision = decisions.record(
        "CMP-06", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"finding": finding, "grounds_sufficient": grounds_sufficient, "demand_reasonable": demand_reasonable},
        facts={"accused_user_id": complaint.accused_user_id, "owner_id": complaint.owner_id,
               "handler_id": complaint.handler_id, "category": complaint.category, "note": note},
        reason_zh=f"调查结论：{FINDING_ZH[finding]}；理由{'充分' if grounds_sufficient else '不充分'}，"
                  f"诉求{'合理' if demand_reasonable else '不合理'}",
        reason_en=f"finding: {finding}; grounds {'sufficient' if grounds_sufficient else 'insufficient'}, "
                  f"demand {'reasonable' if demand_reasonable else 'unreasonable'}")
    _log(complaint, "finding_recorded", by=by, at=at, note=note, decision_id=decision.id,
         data={"finding": finding, "grounds_sufficient": grounds_sufficient, "demand_reasonable": demand_reasonable,
               "accused_user_id": complaint.accused_user_id})
    from core.complaints import consequences  # imported here: consequences imports the case service

    consequences.on_finding(complaint, at)  # CMP-06 → CMP-70: the staff consequence of the finding
    return complaint


# --- CMP-20/22 transfers -----------------------------------------------------------------------------


def _territory_of(complaint: Complaint) -> int | None:
    """The unit the customer belongs to (CMP-22 属地): their ownership department, else their owner's."""
    from core.accounts.people import People
    from core.customers import ownership_store

    if complaint.customer_id is None:
        return None
    row = ownership_store.current(complaint.customer_id)
    if row is None:
        return None
    return row.department_id or People().department_of(row.owner_id)


def transfer(complaint: Complaint, *, by: int, department_id: int | None, kind: str = "handling", at=None,
             note: str | None = None) -> Complaint:
    """The handling goes to ``department_id``; the owner stays (CMP-20). ``kind = territory``: the case
    belongs to another unit (CMP-22; default target the customer's unit) — registration, received time
    and deadlines are kept."""
    if kind not in TRANSFER_KINDS:
        raise InvalidInput("invalid transfer", fields={"kind": [f"one of {', '.join(TRANSFER_KINDS)}"]})
    _require_open(complaint, "transfer it")
    if department_id is None and kind == "territory" and cmp_policy(complaint.received_at).values["territory"] != "none":
        department_id = _territory_of(complaint)
    department = db.session.scalars(select(Department).where(Department.id == department_id)).first() \
        if department_id is not None else None
    if department is None:
        raise InvalidInput("unknown department", fields={"department_id": ["not a department of this company"]})
    if department.id == complaint.handler_department_id:
        raise Conflict(f"case {complaint.number} is already handled by {department.name}")
    at = case_time(at, complaint)
    before = complaint.handler_department_id
    complaint.handler_department_id = department.id
    complaint.handler_id = None
    rule = "CMP-22" if kind == "territory" else "CMP-20"
    if kind == "territory":
        zh = f"属地管理：转至「{department.name}」处理，保留原登记及受理时间，时限不变"
        en = f"territory: transferred to {department.name}; registration, received time and deadlines kept"
    else:
        zh = f"转至「{department.name}」处理；首问负责制，负责人不变"
        en = f"handling transferred to {department.name}; first-taker ownership: the owner stays"
    decision = decisions.record(
        rule, SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"handler_department_id": department.id, "owner_id": complaint.owner_id,
                 "owner_department_id": complaint.owner_department_id},
        facts={"from_department_id": before, "kind": kind, "received_at": complaint.received_at, "note": note},
        reason_zh=zh, reason_en=en)
    _log(complaint, "transferred", by=by, at=at, note=note, decision_id=decision.id,
         data={"kind": kind, "from_department_id": before, "to_department_id": department.id,
               "owner_id": complaint.owner_id})
    return complaint


# --- CMP-43 handler pool, CMP-21 ---------------------------------------------------------------------


def handler_pool(complaint: Complaint) -> tuple[str, list[int]]:
    """``(level, user ids)``: who may handle the case at its level (CMP-43) — ``agent``: the active
    members of the handling department; a role: its holders in the handling department, else the
    nearest parent department that has some, else the department head (anywhere in the company when
    the case has no department). Excluded employees are never in it (CMP-21)."""
    from core.accounts.people import People

    level = complaint.level or severity_rules.level_for(
        complaint.severity, cmp_policy(complaint.received_at).values["level_by_severity"])
    department_id = complaint.handler_department_id
    if level == "agent":
        ids = list(db.session.scalars(select(User.id).where(User.department_id == department_id,
                                                            User.is_active.is_(True)).order_by(User.id))) \
            if department_id is not None else []
    else:
        people = People()
        holders = people.holders(level)
        ids = [] if department_id is not None else [uid for uid, _ in holders]
        for dep in people.chain(department_id):
            ids = [uid for uid, d in holders if d == dep]
            if ids:
                break
        if not ids and people.head_of(department_id) is not None:
            ids = [people.head_of(department_id)]
    return level, [uid for uid in ids if not is_excluded(complaint, uid)]


def assign_handler(complaint: Complaint, *, by: int, user_id: int, at=None, reason: str | None = None) -> Complaint:
    """Give the case a handler from its level's pool (CMP-43); outside the pool only with a reason;
    never the accused or an excluded employee (CMP-21, 409)."""
    user = _active_user(user_id, "user_id")
    ensure_not_excluded(complaint, user.id, "handler")
    _require_open(complaint, "assign a handler")
    if complaint.handler_id == user.id:
        raise Conflict("already the handler")
    at = case_time(at, complaint)
    level, pool = handler_pool(complaint)
    if user.id not in pool and not (reason or "").strip():
        raise Conflict(f"user {user.id} is not in the {level} pool of this case (CMP-43); give a reason to assign "
                       "outside it", rule_id="CMP-43", fields={"user_id": [f"not in the {level} pool {pool}"]})
    before = complaint.handler_id
    complaint.handler_id = user.id
    decision = decisions.record(
        "CMP-43", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"handler_id": user.id, "in_pool": user.id in pool},
        facts={"level": level, "pool": pool, "previous_handler_id": before, "reason": reason},
        reason_zh=f"指定处理人 {user.display_name}" + ("（处理层级内）" if user.id in pool else f"（层级外，理由：{reason}）"),
        reason_en=f"handler {user.username}" + (f" (in the {level} pool)" if user.id in pool else f" (outside the {level} pool: {reason})"))
    _log(complaint, "handler_assigned", by=by, at=at, note=reason, decision_id=decision.id,
         data={"handler_id": user.id, "previous_handler_id": before, "level": level})
    return complaint


# --- CMP-22 supplier cases ---------------------------------------------------------------------------


def flag_supplier(complaint: Complaint, *, by: int, supplier: str, at=None, note: str | None = None) -> Complaint:
    """A supplier or another company is responsible: the case goes to the VP (``cmp.supplier_case_to``;
    the GM when there is no VP) with the supplier flag."""
    from core.accounts.people import People
    from core.notifications.service import notify

    if not (supplier or "").strip():
        raise InvalidInput("name the supplier", fields={"supplier": ["who is responsible (CMP-22)"]})
    _require_open(complaint, "flag a supplier")
    if complaint.supplier:
        raise Conflict(f"case {complaint.number} is already flagged for supplier {complaint.supplier}")
    at = case_time(at, complaint)
    first_role = cmp_policy(complaint.received_at).values["supplier_case_to"]
    people = People()
    target = role = None
    for role in dict.fromkeys((first_role, "gm")):
        candidates = [uid for uid, _ in people.holders(role) if not is_excluded(complaint, uid)]
        if candidates:
            target = candidates[0]
            break
    if target is None:
        raise Conflict("nobody holds the role vp or gm to take the supplier case (CMP-22)")
    complaint.supplier = supplier.strip()
    before = complaint.handler_id
    complaint.handler_id = target
    complaint.handler_department_id = people.department_of(target) or complaint.handler_department_id
    decision = decisions.record(
        "CMP-22", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"supplier": complaint.supplier, "handler_id": target, "role": role},
        facts={"supplier_case_to": first_role, "previous_handler_id": before, "note": note},
        reason_zh=f"责任在供应商/其他公司「{complaint.supplier}」，转{'副总经理' if role == 'vp' else '总经理'}处理",
        reason_en=f"a supplier or another company is responsible ({complaint.supplier}): the case goes to the {role}")
    _log(complaint, "supplier_flagged", by=by, at=at, note=note, decision_id=decision.id,
         data={"supplier": complaint.supplier, "handler_id": target, "role": role})
    notify([target], kind="cmp.supplier_case", rule_id="CMP-22", subject_type=SUBJECT, subject_id=complaint.id,
           dedupe_key=f"CMP-22:supplier:{complaint.id}", title_zh=f"供应商责任投诉 {complaint.number} 转您处理",
           title_en=f"Supplier case {complaint.number} is yours to handle", body_zh=decision.reason_zh,
           body_en=decision.reason_en)
    return complaint


# --- CMP-14 tags, CMP-01 adoption --------------------------------------------------------------------


def set_tags(complaint: Complaint, tags: list[str], *, by: int, at=None) -> Complaint:
    """Replace the complainant tags. They never touch deadlines or consequences (CMP-14)."""
    allowed = cmp_policy(complaint.received_at).values["tags"]
    bad = [t for t in tags if t not in allowed]
    if bad:
        raise InvalidInput("unknown tags", fields={"tags": [f"unknown {bad}; one of {', '.join(allowed)} (cmp.tags)"]})
    at = case_time(at, complaint)
    before = list(complaint.tags or [])
    complaint.tags = list(dict.fromkeys(tags))
    _log(complaint, "tagged", by=by, at=at, data={"from": before, "to": complaint.tags})
    return complaint


def record_adoption(complaint: Complaint, *, by: int, adopted: bool, at=None, note: str | None = None) -> Complaint:
    if complaint.case_type != "suggestion":
        raise Conflict(f"only a suggestion is adopted or not (this is a {complaint.case_type})")
    if complaint.adopted is not None:
        raise Conflict(f"already recorded: {'adopted' if complaint.adopted else 'not adopted'}")
    at = case_time(at, complaint)
    complaint.adopted = adopted
    decision = decisions.record(
        "CMP-01", SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=by,
        outcome={"adopted": adopted}, facts={"note": note},
        reason_zh=("建议已采纳" if adopted else "建议未采纳") + (f"：{note}" if note else ""),
        reason_en=("suggestion adopted" if adopted else "suggestion not adopted") + (f": {note}" if note else ""))
    _log(complaint, "adoption_recorded", by=by, at=at, note=note, decision_id=decision.id, data={"adopted": adopted})
    return complaint
