"""Fees collected in the field (SVC-15): recorded on the order, remitted to finance, reminded.

- :func:`collect` — a chargeable order records its fee: parts and labour, the invoice/receipt number
  (required), when and by whom it was collected. Refused (409, SVC-15) where the company forbids field
  collection (``svc.fees.field_collection_allowed = false``: all money through finance, RE-32) and on
  an order not yet on site; refused (422) without a receipt number, with a receipt number another fee
  uses, or with labour on an out-of-warranty repair under ``svc.fees.out_of_warranty = parts_only``.
  The fee's remittance limit (``svc.fees.remit_within`` on the tenant calendar) is set at once; a
  decision SVC-15 on the order says how.
- :func:`remit` — finance received the money (once; 409 after that).
- :func:`void` — a fee entered by mistake is voided with its reason (only while not remitted).
- :func:`send_reminders` — the job ``svc.fee_remittance`` (working days 09:02): every fee not remitted
  past its limit → a reminder to the collector, their supervisor and finance, with a decision SVC-15;
  one per fee and day.

A fee is judged under the ``svc`` version its order was requested under (as every rule of the order).
Decisions and history are the order's (``subject_type = "work_order"``), each naming the fee.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.notifications.service import notify
from core.policy import service as policy_service
from core.service import fees_rules as rules
from core.service.fees_models import ServiceFee
from core.service.models import DONE_STATES, WorkOrder
from core.service.orders import SUBJECT, get_order, log_event, order_policy

#: the states in which an order may have collected a fee: the technician is (or was) on site
COLLECTABLE = ("on_site", *DONE_STATES)
#: who is reminded besides the collector and their supervisor
FINANCE_ROLE = "finance"


def _yuan(value) -> str:
    return f"¥{value:,.2f}"


# ------------------------------------------------------------------ reading

def get_fee(fee_id: int, *, for_update: bool = False) -> ServiceFee:
    """The fee; 404 when the tenant has none with this id. ``for_update`` locks it (two finance
    clerks remitting at once: the second sees the first's result)."""
    return get_one(ServiceFee, fee_id, "service fee", for_update=for_update)


def fees_of(order_id: int) -> list[ServiceFee]:
    return list(db.session.scalars(select(ServiceFee).where(ServiceFee.order_id == order_id)
                                   .order_by(ServiceFee.collected_at, ServiceFee.id)))


def overdue_condition(now: dt.datetime):
    """Collected and not remitted past the limit."""
    return and_(ServiceFee.state == "collected", ServiceFee.remit_due_at <= now)


def search(*, state: str | None = None, overdue: bool | None = None, collector_id: int | None = None,
           order_id: int | None = None, now: dt.datetime | None = None):
    """Fees, the longest due first (``state=collected&overdue=true``: the unremitted list)."""
    now = now or utcnow()
    stmt = select(ServiceFee)
    for column, value in ((ServiceFee.state, state), (ServiceFee.collector_id, collector_id),
                          (ServiceFee.order_id, order_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if overdue is True:
        stmt = stmt.where(overdue_condition(now))
    elif overdue is False:
        stmt = stmt.where(or_(ServiceFee.state != "collected", ServiceFee.remit_due_at > now))
    return stmt.order_by(ServiceFee.remit_due_at, ServiceFee.id)


# ------------------------------------------------------------------ collecting

def _collector_errors(collector_id: int | None) -> dict[str, list[str]]:
    if collector_id is None:
        return {"collector_id": ["who collected the money? (the order has no assignee)"]}
    active = db.session.scalar(select(User.is_active).where(User.id == collector_id))
    if active is None:
        return {"collector_id": ["no such user"]}
    if not active:
        return {"collector_id": ["the user is not active"]}
    return {}


def _receipt_errors(receipt_no: str) -> dict[str, list[str]]:
    if not receipt_no:
        return {"receipt_no": ["an invoice or receipt number is required (SVC-15)"]}
    used = db.session.execute(
        select(ServiceFee.id, WorkOrder.number).join(WorkOrder, WorkOrder.id == ServiceFee.order_id)
        .where(ServiceFee.receipt_no == receipt_no, ServiceFee.state != "void")).first()
    if used is not None:
        return {"receipt_no": [f"already recorded on fee {used[0]} of order {used[1]}"]}
    return {}


def collect(order: WorkOrder, data: dict, *, by: int | None) -> ServiceFee:
    """Record a fee collected on ``order`` (locked by the caller). ``data``: amount_parts,
    amount_labour, amount (optional: parts + labour), receipt_no, collected_at (default now),
    collector_id (default the caller's choice: the order's assignee), note."""
    view = order_policy(order)
    settings = view.values["fees"]
    if not settings["field_collection_allowed"]:
        raise Conflict("this company collects no money in the field: all money goes through finance",
                       rule_id="SVC-15", setting="svc.fees.field_collection_allowed",
                       reason_zh="本公司不允许现场收费，所有款项须经财务收取")
    if order.status not in COLLECTABLE:
        raise Conflict(f"no fee before the technician is on site (the order is {order.status})",
                       rule_id="SVC-15", state=order.status, allowed=list(COLLECTABLE))
    errors: dict[str, list[str]] = {}
    try:
        collected_at = fact_time(data.get("collected_at"), "collected_at")
    except InvalidInput as exc:
        errors.update(exc.fields)
        collected_at = None
    if collected_at is not None and collected_at < order.requested_at:
        errors["collected_at"] = ["before the order was requested"]
    receipt_no = (data.get("receipt_no") or "").strip()
    errors.update(_receipt_errors(receipt_no))
    collector_id = data.get("collector_id")
    errors.update(_collector_errors(collector_id))
    fee_amounts, amount_errors = rules.amounts(data.get("amount_parts"), data.get("amount_labour"), data.get("amount"))
    errors.update(amount_errors)
    cover = None
    if collected_at is not None:
        calendar, _ = tenant_calendar(collected_at)
        cover = rules.warranty(order.data or {}, calendar.local_date(collected_at), settings["warranty"])
        if fee_amounts is not None:
            errors.update(rules.charge_errors(fee_amounts, cover, settings["out_of_warranty"]))
    if errors:
        raise InvalidInput("invalid fee", fields=errors, rule_id="SVC-15")
    due = rules.remit_due(calendar, collected_at, settings["remit_within"])
    fee = ServiceFee(order_id=order.id, amount_parts=fee_amounts.parts, amount_labour=fee_amounts.labour,
                     amount=fee_amounts.total, receipt_no=receipt_no, collected_at=collected_at,
                     collector_id=collector_id, recorded_by=by, note=(data.get("note") or "").strip() or None,
                     in_warranty=cover.in_warranty, warranty_until=cover.until, remit_due_at=due.utc,
                     remit_due_on=due.through, state="collected", reminders=0, policy_version=view.version)
    db.session.add(fee)
    db.session.flush()
    local = calendar.local(collected_at)
    warranty_zh = {"flag": "工单标注已过保", "unknown": "保修期未知"}.get(
        cover.basis, f"保修期至{cover.until.isoformat()}" if cover.until else "")
    decision = decisions.record(
        "SVC-15", SUBJECT, order.id, policy=view, decided_by=by,
        outcome={"fee_id": fee.id, "amount": fee.amount, "remit_due_on": fee.remit_due_on,
                 "remit_due_at": fee.remit_due_at, "in_warranty": cover.in_warranty},
        facts={"amount_parts": fee.amount_parts, "amount_labour": fee.amount_labour, "receipt_no": receipt_no,
               "collected_at": collected_at, "collector_id": collector_id,
               "remit_within": str(settings["remit_within"]), "out_of_warranty": settings["out_of_warranty"],
               "warranty": str(settings["warranty"]), "warranty_basis": cover.basis,
               "purchase_date": cover.purchase_date, "warranty_until": cover.until, "trace": due.explain()},
        reason_zh=f"工单{order.number}现场收费{_yuan(fee.amount)}（配件{_yuan(fee.amount_parts)}，"
                  f"人工{_yuan(fee.amount_labour)}，票据号{receipt_no}），{local:%Y-%m-%d %H:%M}收取；"
                  f"{'在保' if cover.in_warranty else '过保'}（{warranty_zh}）；"
                  f"应于{fee.remit_due_on.isoformat()}前交财务",
        reason_en=f"order {order.number}: fee {_yuan(fee.amount)} (parts {_yuan(fee.amount_parts)}, labour "
                  f"{_yuan(fee.amount_labour)}, receipt {receipt_no}) collected {local:%Y-%m-%d %H:%M}; "
                  f"{'in' if cover.in_warranty else 'out of'} warranty ({cover.basis}); "
                  f"to be remitted to finance through {fee.remit_due_on.isoformat()}")
    fee.decision_id = decision.id
    log_event(order, "fee_collected", by=by, at=collected_at, decision_id=decision.id,
              data={"fee_id": fee.id, "amount": fee.amount, "receipt_no": receipt_no, "collector_id": collector_id,
                    "remit_due_on": fee.remit_due_on})
    return fee


# ------------------------------------------------------------------ remitting, voiding

def _open(fee: ServiceFee, step: str) -> None:
    if fee.state != "collected":
        raise Conflict(f"the fee is {fee.state}: it cannot be {step}", rule_id="SVC-15", state=fee.state)


def remit(fee: ServiceFee, *, by: int | None, at: dt.datetime | None = None, note: str | None = None) -> ServiceFee:
    """Finance received the fee's money (``fee`` locked by the caller); 409 when it is not collected."""
    _open(fee, "remitted")
    at = fact_time(at, "remitted_at")
    if at < fee.collected_at:
        raise InvalidInput("invalid remittance", fields={"remitted_at": ["before the fee was collected"]})
    fee.state, fee.remitted_at, fee.remitted_by = "remitted", at, by
    fee.remit_note = (note or "").strip() or None
    late = at > fee.remit_due_at
    log_event(get_order(fee.order_id), "fee_remitted", by=by, at=at, note=fee.remit_note,
              data={"fee_id": fee.id, "amount": fee.amount, "remit_due_on": fee.remit_due_on, "late": late})
    db.session.flush()
    return fee


def void(fee: ServiceFee, *, by: int | None, reason: str, at: dt.datetime | None = None) -> ServiceFee:
    """A fee entered by mistake (``fee`` locked by the caller); only while it is not remitted."""
    _open(fee, "voided")
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why the fee is void"]})
    at = fact_time(at, "at")
    fee.state, fee.voided_at, fee.voided_by, fee.void_reason = "void", at, by, reason.strip()
    log_event(get_order(fee.order_id), "fee_voided", by=by, at=at, note=fee.void_reason,
              data={"fee_id": fee.id, "amount": fee.amount, "receipt_no": fee.receipt_no})
    db.session.flush()
    return fee


# ------------------------------------------------------------------ reminders (job svc.fee_remittance)

def send_reminders(now: dt.datetime) -> dict:
    """Today's reminder for every fee not remitted past its limit (working days; one per fee and day)."""
    calendar, _ = tenant_calendar(now)
    day = calendar.local_date(now)
    if not calendar.is_working_day(now):
        return {"reminders": 0, "working_day": False, "day": day.isoformat()}
    due = list(db.session.scalars(
        select(ServiceFee).where(overdue_condition(now),
                                 or_(ServiceFee.last_reminded_on.is_(None), ServiceFee.last_reminded_on != day))
        .order_by(ServiceFee.remit_due_at, ServiceFee.id)
        .with_for_update().execution_options(populate_existing=True)))
    if not due:
        return {"reminders": 0, "working_day": True, "day": day.isoformat()}
    orders = {o.id: o for o in db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_({f.order_id for f in due})))}
    names = dict(db.session.execute(select(User.id, User.display_name)
                                    .where(User.id.in_({f.collector_id for f in due}))).all())
    people, views = People(), {}
    finance = [uid for uid, _dep in people.holders(FINANCE_ROLE)]
    sent = 0
    for fee in due:
        if not rules.reminder_due(calendar, fee.remit_due_at, now) or fee.last_reminded_on == day:
            continue
        order = orders[fee.order_id]
        if order.policy_version not in views:
            views[order.policy_version] = policy_service.version("svc", order.policy_version)
        to = list(dict.fromkeys([fee.collector_id, *people.supervisors_of(fee.collector_id), *finance]))
        late = rules.overdue_days(calendar, fee.remit_due_on, day)
        collector = names.get(fee.collector_id) or str(fee.collector_id)
        collected = calendar.local(fee.collected_at)
        decision = decisions.record(
            "SVC-15", SUBJECT, order.id, policy=views[order.policy_version],
            outcome={"fee_id": fee.id, "reminder": day, "notified": to, "reminders": fee.reminders + 1},
            facts={"amount": fee.amount, "receipt_no": fee.receipt_no, "collected_at": fee.collected_at,
                   "collector_id": fee.collector_id, "remit_due_on": fee.remit_due_on,
                   "working_days_late": late},
            reason_zh=f"工单{order.number}现场收费{_yuan(fee.amount)}（票据号{fee.receipt_no}，{collector}"
                      f"于{collected:%Y-%m-%d %H:%M}收取）应于{fee.remit_due_on.isoformat()}前交财务，"
                      f"至今未交，已逾期{late}个工作日，提醒收款人、其主管及财务",
            reason_en=f"order {order.number}: fee {_yuan(fee.amount)} (receipt {fee.receipt_no}, collected by "
                      f"{collector} {collected:%Y-%m-%d %H:%M}) was due at finance through "
                      f"{fee.remit_due_on.isoformat()} and is not remitted ({late} working days late): "
                      f"the collector, their supervisor and finance are reminded")
        notify(to, kind="svc.fee_remittance", rule_id="SVC-15", subject_type=SUBJECT, subject_id=order.id,
               dedupe_key=f"SVC-15:remit:{fee.id}:{day.isoformat()}", due_at=fee.remit_due_at,
               title_zh=f"现场收费未交财务：工单{order.number} {_yuan(fee.amount)}（应于{fee.remit_due_on.isoformat()}前）",
               title_en=f"Fee not remitted: order {order.number} {_yuan(fee.amount)} (due through "
                        f"{fee.remit_due_on.isoformat()})",
               body_zh=decision.reason_zh, body_en=decision.reason_en)
        fee.reminders = (fee.reminders or 0) + 1
        fee.last_reminded_on = day
        log_event(order, "fee_reminder", by=None, at=now, decision_id=decision.id,
                  data={"fee_id": fee.id, "day": day, "notified": to})
        sent += 1
    db.session.flush()
    return {"reminders": sent, "working_day": True, "day": day.isoformat()}
