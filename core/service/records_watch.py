"""Documents and records after completion (SVC-16, SVC-23).

- :func:`add_document` — a customer original (faxed request, sealed form...) attached to an order and
  archived with a custodian (SVC-16). :func:`report_lost` — the custodian lost it: a penalty event on
  the custodian, ``svc_document_lost`` priced by the staff catalog per sheet (PRE-15 ¥50 a sheet;
  unpriced → an open proposal), with its SVC-16 decision.
- :func:`flag_missing_records` — job ``svc.missing_records``: an order still ``completed`` (no service
  record, SVC-13) after ``svc.record_within`` of its completion is flagged once per round with a
  decision SVC-16 and a penalty proposal on its assignee (else its department, STF-14):
  ``svc_missing_record`` priced by the catalog's tier ``on_site`` or ``remote`` (PRE-15 ¥30 / ¥50;
  unpriced → an open proposal). "Recorded" is the order's move to ``recorded`` (its ``recorded_at``).
- :func:`record_post_doc` / :func:`post_docs_status` — SVC-23 documents of the order's type
  (``svc.post_docs``); :func:`flag_missing_post_docs` (same job): at the limit, missing documents flag
  the order with the tenant's penalty (``svc.post_docs.<type>.penalty``, offence
  ``svc_post_docs_missing``) on its assignee. A check is written once per order and round, whatever
  its result, so the sweep never judges an order twice.

Every order is judged under the ``svc`` version it was requested under, on the calendar in force at
its completion; penalties go through :func:`core.staff.penalties.penalise` with a dedupe key.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.notifications.service import notify
from core.policy import service as policy_service
from core.service import order_types, orders
from core.service import records_watch_rules as rules
from core.service.models import DONE_STATES, WorkOrder
from core.service.records_watch_models import ServiceDocument, ServiceOrderCheck, ServicePostDoc
from core.service.records_watch_settings import OFFENCE_DOCUMENT_LOST, OFFENCE_MISSING_RECORD, OFFENCE_POST_DOCS
from core.staff.penalties import penalise

SUBJECT = orders.SUBJECT
DOCUMENT_SUBJECT = "service_document"
KIND_ZH = {"on_site": "现场服务记录", "remote": "远程服务记录"}


def _local(calendar, at: dt.datetime) -> str:
    return f"{calendar.local(at):%Y-%m-%d %H:%M}"


def _user(user_id: int | None, field: str) -> User:
    user = db.session.scalars(select(User).where(User.id == user_id)).first() if user_id is not None else None
    if user is None:
        raise InvalidInput("unknown user", fields={field: ["not an employee of this company"]})
    if not user.is_active:
        raise InvalidInput("inactive user", fields={field: ["this employee is inactive"]})
    return user


def _propose(order: WorkOrder, *, offence: str, occurred_at: dt.datetime, rule_id: str, reason_zh: str,
             reason_en: str, facts: dict, dedupe_key: str, user_id: int | None = None, quantity: int = 1,
             outcome: str | None = None, amount=None) -> tuple[list, str | None]:
    """A penalty proposal on ``user_id`` (else the order's department, STF-14): the entries written and,
    when the catalog cannot price it (a tier it lacks), the reason nothing was written."""
    department_id = None if user_id is not None else order.department_id
    if user_id is None and department_id is None:
        return [], "nobody liable: the order has no assignee nor department"
    try:
        entries = penalise(offence=offence, occurred_at=occurred_at, user_id=user_id, department_id=department_id,
                           subject_type=SUBJECT, subject_id=order.id, quantity=quantity, outcome=outcome,
                           amount=amount, open_amount=amount is None, rule_id=rule_id, reason_zh=reason_zh,
                           reason_en=reason_en, facts=facts, dedupe_key=dedupe_key)
    except InvalidInput as exc:
        return [], "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items()) or exc.message
    return entries, None


def _tell(order: WorkOrder, people: People, *, kind: str, rule_id: str, key: str, zh: str, en: str) -> None:
    told = [order.assignee_id, *people.supervisors_of(order.assignee_id)] if order.assignee_id else \
        [people.head_of(order.department_id)]
    notify(told, kind=kind, rule_id=rule_id, subject_type=SUBJECT, subject_id=order.id, dedupe_key=key,
           title_zh=zh, title_en=en)


# ------------------------------------------------------------------ SVC-16 custody documents

def get_document(document_id: int, *, for_update: bool = False) -> ServiceDocument:
    return get_one(ServiceDocument, document_id, "service document", for_update=for_update)


def documents_of(order_id: int) -> list[ServiceDocument]:
    return list(db.session.scalars(select(ServiceDocument).where(ServiceDocument.order_id == order_id)
                                   .order_by(ServiceDocument.archived_at, ServiceDocument.id)))


def _scan_errors(order: WorkOrder, attachment_id: int | None) -> dict[str, list[str]]:
    """The scan of a document is an attachment of the order (uploaded first: ``POST /attachments``)."""
    if attachment_id is None:
        return {}
    from core.attachments.service import require

    try:
        require(attachment_id, field="attachment_id", subject_type="work_order", subject_id=order.id)
    except InvalidInput as exc:
        return exc.fields
    return {}


def add_document(order: WorkOrder, data: dict, *, by: int | None) -> ServiceDocument:
    """SVC-16: archive a customer original of ``order`` with its custodian. ``data``: kind, description,
    custodian_id, attachment_id, sheets (default 1), archived_at (default now)."""
    errors: dict[str, list[str]] = {}
    try:
        archived_at = fact_time(data.get("archived_at"), "archived_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        archived_at = utcnow()
    try:
        custodian = _user(data.get("custodian_id"), "custodian_id")
    except InvalidInput as exc:
        errors.update(exc.fields)
        custodian = None
    errors.update(_scan_errors(order, data.get("attachment_id")))
    if errors:
        raise InvalidInput("invalid document", fields=errors, rule_id="SVC-16")
    document = ServiceDocument(order_id=order.id, kind=data["kind"], description=data.get("description"),
                               sheets=data.get("sheets") or 1, attachment_id=data.get("attachment_id"),
                               custodian_id=custodian.id, archived_at=archived_at, archived_by=by, state="archived")
    db.session.add(document)
    db.session.flush()
    orders.log_event(order, "document_archived", by=by, at=archived_at,
                     data={"document_id": document.id, "kind": document.kind, "sheets": document.sheets,
                           "custodian_id": custodian.id, "attachment_id": document.attachment_id})
    notify([custodian.id], kind="svc.document_custody", rule_id="SVC-16", subject_type=DOCUMENT_SUBJECT,
           subject_id=document.id, dedupe_key=f"SVC-16:custody:{document.id}",
           title_zh=f"工单{order.number}客户原件（{document.kind}，{document.sheets}页）由您保管",
           title_en=f"You keep the customer original of order {order.number} ({document.kind}, "
                    f"{document.sheets} sheet(s))")
    return document


def report_lost(document: ServiceDocument, reason: str | None, *, by: int | None, at: dt.datetime | None = None,
                sheets: int | None = None) -> ServiceDocument:
    """SVC-16: a custody document was lost — a penalty event on its custodian (per sheet lost, default
    all the document's sheets). 409 when it is already reported lost."""
    if document.state == "lost":
        raise Conflict("this document is already reported lost", rule_id="SVC-16",
                       fields={"reason": ["already reported lost"]})
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say how the document was lost (SVC-16)"]})
    at = fact_time(at, "lost_at")
    if at < document.archived_at:
        raise InvalidInput("invalid time", fields={"lost_at": ["before the document was archived"]})
    lost = sheets or document.sheets
    if lost > document.sheets:
        raise InvalidInput("too many sheets", fields={"sheets": [f"the document has {document.sheets} sheet(s)"]})
    order = orders.get_order(document.order_id)
    custodian = db.session.scalars(select(User).where(User.id == document.custodian_id)).first()
    name = custodian.display_name if custodian else f"#{document.custodian_id}"
    zh = f"工单{order.number}客户原件（{document.kind}）遗失{lost}页，保管人{name}：{reason.strip()}。依据SVC-16。"
    en = f"Order {order.number}: {lost} sheet(s) of a customer original ({document.kind}) lost in the custody of " \
         f"{name}: {reason.strip()}. Under SVC-16."
    decision = decisions.record(
        "SVC-16", SUBJECT, order.id, policy=orders.order_policy(order), decided_by=by,
        outcome={"document_id": document.id, "lost": True, "sheets": lost, "custodian_id": document.custodian_id},
        facts={"kind": document.kind, "archived_at": document.archived_at, "lost_at": at, "reason": reason.strip()},
        reason_zh=zh, reason_en=en)
    entries, problem = _propose(order, offence=OFFENCE_DOCUMENT_LOST, occurred_at=at, rule_id="SVC-16",
                                reason_zh=zh, reason_en=en, user_id=document.custodian_id, quantity=lost,
                                facts={"document_id": document.id, "decision_id": decision.id},
                                dedupe_key=f"SVC-16:lost:{document.id}")
    if problem:
        decision.facts = {**decision.facts, "penalty_not_proposed": problem}
    document.state, document.lost_at, document.lost_by, document.lost_reason = "lost", at, by, reason.strip()
    document.entry_ids, document.decision_id = [e.id for e in entries], decision.id
    db.session.flush()
    orders.log_event(order, "document_lost", by=by, at=at, decision_id=decision.id,
                     data={"document_id": document.id, "sheets": lost, "entry_ids": document.entry_ids})
    return document


# ------------------------------------------------------------------ SVC-16 missing service records

def _check(order: WorkOrder, kind: str) -> ServiceOrderCheck | None:
    return db.session.scalars(select(ServiceOrderCheck).where(
        ServiceOrderCheck.order_id == order.id, ServiceOrderCheck.kind == kind,
        ServiceOrderCheck.round == (order.rework_count or 0))).first()


def checks_of(order_id: int) -> list[ServiceOrderCheck]:
    return list(db.session.scalars(select(ServiceOrderCheck).where(ServiceOrderCheck.order_id == order_id)
                                   .order_by(ServiceOrderCheck.checked_at, ServiceOrderCheck.id)))


def _unchecked(kind: str):
    return (select(WorkOrder).outerjoin(ServiceOrderCheck, and_(
        ServiceOrderCheck.tenant_id == WorkOrder.tenant_id, ServiceOrderCheck.order_id == WorkOrder.id,
        ServiceOrderCheck.kind == kind, ServiceOrderCheck.round == WorkOrder.rework_count))
        .where(ServiceOrderCheck.id.is_(None), WorkOrder.completed_at.is_not(None)))


def flag_missing_records(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-16: completed orders (in any later state) whose service record was not made within
    ``svc.record_within`` — still missing, or made late before this run — are flagged with a proposal,
    once per round; those recorded in time are checked off (result ``in_time``)."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(_unchecked("missing_record").where(
        WorkOrder.status.in_(DONE_STATES), WorkOrder.completed_at <= as_of)
        .order_by(WorkOrder.completed_at, WorkOrder.id)))
    flagged = 0
    types = order_types.tenant_types()
    for order in rows:
        view = orders.order_policy(order)
        calendar, _ = tenant_calendar(order.completed_at)
        due = rules.record_due(calendar, order.completed_at, view.values["record_within"])
        if rules.is_recorded(order.completed_at, order.recorded_at) and order.recorded_at < due.utc:
            db.session.add(ServiceOrderCheck(order_id=order.id, kind="missing_record", round=order.rework_count or 0,
                                             rule_id="SVC-16", result="in_time", completed_at=order.completed_at,
                                             due_on=due.through, due_at=due.utc, checked_at=as_of))
            continue
        if as_of < due.utc:
            continue
        people = people or People()
        kind = rules.record_kind(order_types.is_on_site(order.type, types))
        _flag_record(order, kind, due, view, calendar, as_of, people)
        flagged += 1
    db.session.flush()
    return flagged


def _flag_record(order, kind, due, view, calendar, as_of, people) -> ServiceOrderCheck:
    within = view.values["record_within"]
    zh = (f"工单{order.number}于{_local(calendar, order.completed_at)}完工，{KIND_ZH[kind]}应于"
          f"{due.through.isoformat()}前录入（{within}），至今未录入，提出处罚建议。依据SVC-16。")
    en = (f"Order {order.number} was completed {_local(calendar, order.completed_at)}; its {kind} service record "
          f"was due through {due.through.isoformat()} ({within}) and is missing: penalty proposed. Under SVC-16.")
    decision = decisions.record(
        "SVC-16", SUBJECT, order.id, policy=view,
        outcome={"missing_record": True, "kind": kind, "liable_user_id": order.assignee_id,
                 "liable_department_id": None if order.assignee_id else order.department_id},
        facts={"completed_at": order.completed_at, "record_within": str(within), "due_on": due.through,
               "due_trace": list(due.trace), "as_of": as_of, "round": order.rework_count or 0},
        reason_zh=zh, reason_en=en)
    entries, problem = _propose(order, offence=OFFENCE_MISSING_RECORD, occurred_at=due.utc, rule_id="SVC-16",
                                reason_zh=zh, reason_en=en, user_id=order.assignee_id, outcome=kind,
                                facts={"decision_id": decision.id, "kind": kind, "due_on": due.through},
                                dedupe_key=f"SVC-16:record:{order.id}:{order.rework_count or 0}")
    if problem:
        decision.facts = {**decision.facts, "penalty_not_proposed": problem}
    check = ServiceOrderCheck(order_id=order.id, kind="missing_record", round=order.rework_count or 0,
                              rule_id="SVC-16", result="missing", completed_at=order.completed_at,
                              due_on=due.through, due_at=due.utc, liable_user_id=order.assignee_id,
                              liable_department_id=None if order.assignee_id else order.department_id,
                              entry_ids=[e.id for e in entries], decision_id=decision.id, checked_at=as_of)
    db.session.add(check)
    orders.log_event(order, "record_missing", by=None, at=as_of, decision_id=decision.id,
                     data={"kind": kind, "due_on": due.through, "entry_ids": check.entry_ids})
    _tell(order, people, kind="svc.record_missing", rule_id="SVC-16",
          key=f"SVC-16:record:{order.id}:{order.rework_count or 0}", zh=zh, en=en)
    return check


# ------------------------------------------------------------------ SVC-23 post-completion documents

def post_docs_of(order_id: int) -> list[ServicePostDoc]:
    return list(db.session.scalars(select(ServicePostDoc).where(ServicePostDoc.order_id == order_id)
                                   .order_by(ServicePostDoc.recorded_at, ServicePostDoc.id)))


def _post_spec(order: WorkOrder, view=None) -> dict | None:
    view = view or orders.order_policy(order)
    return view.values["post_docs"].get(order.type)


def post_docs_status(order: WorkOrder) -> dict:
    """SVC-23: what the order's type requires, by when, what is recorded and what is missing."""
    spec = _post_spec(order)
    recorded = post_docs_of(order.id)
    out = {"order_id": order.id, "type": order.type, "required": list(spec["docs"]) if spec else [],
           "within": str(spec["within"]) if spec else None, "penalty": spec["penalty"] if spec else None,
           "due_on": None, "due_at": None, "recorded": recorded,
           "missing": rules.missing_docs(spec["docs"], [d.doc for d in recorded]) if spec else [],
           "check": _check(order, "post_docs")}
    if spec and order.completed_at is not None:
        calendar, _ = tenant_calendar(order.completed_at)
        due = rules.post_docs_due(calendar, order.completed_at, spec["within"])
        out["due_on"], out["due_at"] = due.through, due.utc
    return out


def record_post_doc(order: WorkOrder, data: dict, *, by: int | None) -> ServicePostDoc:
    """SVC-23: record one post-completion document of the order (``data``: doc, attachment_id,
    recorded_at). 422 for a document the type does not require, 409 before completion or when it is
    already recorded. The last one recorded in time closes the check as complete."""
    spec = _post_spec(order)
    doc = data.get("doc")
    if spec is None:
        raise InvalidInput("no post-completion documents", rule_id="SVC-23", fields={"doc": [
            f"the type {order.type} requires no post-completion documents (svc.post_docs)"]})
    if doc not in spec["docs"]:
        raise InvalidInput("unknown document", rule_id="SVC-23",
                           fields={"doc": [f"one of {', '.join(spec['docs'])} (svc.post_docs.{order.type})"]})
    if order.completed_at is None or order.status not in DONE_STATES:
        raise Conflict("the order is not completed", rule_id="SVC-23", state=order.status,
                       fields={"doc": [f"the order is {order.status}: documents follow the completion"]})
    at = fact_time(data.get("recorded_at"), "recorded_at")
    scan = _scan_errors(order, data.get("attachment_id"))
    if scan:
        raise InvalidInput("invalid document", fields=scan, rule_id="SVC-23")
    if db.session.scalar(select(ServicePostDoc.id).where(ServicePostDoc.order_id == order.id,
                                                         ServicePostDoc.doc == doc)) is not None:
        raise Conflict("this document is already recorded", rule_id="SVC-23", fields={"doc": ["already recorded"]})
    row = ServicePostDoc(order_id=order.id, doc=doc, attachment_id=data.get("attachment_id"), recorded_at=at,
                         recorded_by=by)
    db.session.add(row)
    db.session.flush()
    calendar, _ = tenant_calendar(order.completed_at)
    due = rules.post_docs_due(calendar, order.completed_at, spec["within"])
    orders.log_event(order, "post_doc_recorded", by=by, at=at,
                     data={"doc": doc, "attachment_id": row.attachment_id, "late": at >= due.utc,
                           "due_on": due.through})
    missing = rules.missing_docs(spec["docs"], [d.doc for d in post_docs_of(order.id)])
    if not missing and at < due.utc and _check(order, "post_docs") is None:
        db.session.add(ServiceOrderCheck(order_id=order.id, kind="post_docs", round=order.rework_count or 0,
                                         rule_id="SVC-23", result="complete", completed_at=order.completed_at,
                                         due_on=due.through, due_at=due.utc, checked_at=at))
        db.session.flush()
    return row


def _post_doc_types() -> set[str]:
    """The types any version of the tenant's ``svc`` policy names in ``svc.post_docs``."""
    return {code for view in policy_service.all_versions("svc") for code in view.values["post_docs"]}


def flag_missing_post_docs(as_of: dt.datetime | None = None, *, people: People | None = None) -> int:
    """SVC-23: orders past their documents' limit with some missing → flagged with the tenant's penalty,
    once; complete ones are closed as such."""
    as_of = as_of or utcnow()
    types = _post_doc_types()
    if not types:
        return 0
    rows = list(db.session.scalars(_unchecked("post_docs").where(
        WorkOrder.type.in_(sorted(types)), WorkOrder.status.in_(DONE_STATES), WorkOrder.completed_at <= as_of)
        .order_by(WorkOrder.completed_at, WorkOrder.id)))
    flagged = 0
    for order in rows:
        view = orders.order_policy(order)
        spec = _post_spec(order, view)
        round_ = order.rework_count or 0
        if spec is None:
            db.session.add(ServiceOrderCheck(order_id=order.id, kind="post_docs", round=round_, rule_id="SVC-23",
                                             result="not_required", completed_at=order.completed_at, checked_at=as_of))
            continue
        calendar, _ = tenant_calendar(order.completed_at)
        due = rules.post_docs_due(calendar, order.completed_at, spec["within"])
        if as_of < due.utc:
            continue
        in_time = [d.doc for d in post_docs_of(order.id) if d.recorded_at < due.utc]
        missing = rules.missing_docs(spec["docs"], in_time)
        if not missing:
            db.session.add(ServiceOrderCheck(order_id=order.id, kind="post_docs", round=round_, rule_id="SVC-23",
                                             result="complete", completed_at=order.completed_at, due_on=due.through,
                                             due_at=due.utc, checked_at=as_of))
            continue
        people = people or People()
        _flag_post_docs(order, spec, missing, due, view, calendar, as_of, people)
        flagged += 1
    db.session.flush()
    return flagged


def _flag_post_docs(order, spec, missing, due, view, calendar, as_of, people) -> ServiceOrderCheck:
    penalty = spec["penalty"]
    amount_zh = f"，处罚¥{penalty}" if penalty is not None else ""
    amount_en = f"; penalty ¥{penalty}" if penalty is not None else ""
    zh = (f"工单{order.number}于{_local(calendar, order.completed_at)}完工，应于{due.through.isoformat()}前提交"
          f"{'、'.join(spec['docs'])}（{spec['within']}），缺{'、'.join(missing)}{amount_zh}。依据SVC-23。")
    en = (f"Order {order.number} was completed {_local(calendar, order.completed_at)}; {', '.join(spec['docs'])} "
          f"were due through {due.through.isoformat()} ({spec['within']}); missing {', '.join(missing)}{amount_en}. "
          f"Under SVC-23.")
    decision = decisions.record(
        "SVC-23", SUBJECT, order.id, policy=view,
        outcome={"missing": missing, "penalty": penalty, "liable_user_id": order.assignee_id,
                 "liable_department_id": None if order.assignee_id else order.department_id},
        facts={"completed_at": order.completed_at, "within": str(spec["within"]), "docs": spec["docs"],
               "due_on": due.through, "due_trace": list(due.trace), "as_of": as_of, "round": order.rework_count or 0},
        reason_zh=zh, reason_en=en)
    entries, problem = _propose(order, offence=OFFENCE_POST_DOCS, occurred_at=due.utc, rule_id="SVC-23",
                                reason_zh=zh, reason_en=en, user_id=order.assignee_id, amount=penalty,
                                facts={"decision_id": decision.id, "missing": missing, "due_on": due.through},
                                dedupe_key=f"SVC-23:post-docs:{order.id}:{order.rework_count or 0}")
    if problem:
        decision.facts = {**decision.facts, "penalty_not_proposed": problem}
    check = ServiceOrderCheck(order_id=order.id, kind="post_docs", round=order.rework_count or 0, rule_id="SVC-23",
                              result="missing", completed_at=order.completed_at, due_on=due.through, due_at=due.utc,
                              missing=missing, liable_user_id=order.assignee_id,
                              liable_department_id=None if order.assignee_id else order.department_id,
                              entry_ids=[e.id for e in entries], decision_id=decision.id, checked_at=as_of)
    db.session.add(check)
    orders.log_event(order, "post_docs_missing", by=None, at=as_of, decision_id=decision.id,
                     data={"missing": missing, "due_on": due.through, "entry_ids": check.entry_ids})
    _tell(order, people, kind="svc.post_docs_missing", rule_id="SVC-23",
          key=f"SVC-23:post-docs:{order.id}:{order.rework_count or 0}", zh=zh, en=en)
    return check
