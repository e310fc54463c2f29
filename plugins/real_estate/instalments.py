"""Instalments and default (违约, RE-42): finance records an instalment paid with its receipt number; the
daily job ``re.defaults`` issues the payment-demand notice (催款通知单) the day after the due day (a
decision, a notification to the salesperson and finance, a printable notice page) and starts breach
handling once the default lasts more than ``re.default.breach_after`` (a decision, the managers
notified). Each step happens once per instalment (``notice_at`` / ``breach_at``): a re-run changes nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.customers.confidentiality.people import holders
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from plugins.real_estate.change_rules import DefaultStatus, default_status
from plugins.real_estate.deal_versions import CURRENT
from plugins.real_estate.office_models import Instalment
from plugins.real_estate.policy import re_policy
from plugins.real_estate.sales_models import Subscription
from plugins.real_estate.unit_rules import MANAGER_ROLES

SUBJECT = "re_instalment"
STAGES = ("current", "notice", "breach", "paid")


def get_instalment(instalment_id: int, *, for_update: bool = False) -> Instalment:
    return get_one(Instalment, instalment_id, "instalment", for_update=for_update)


def local_today(now: dt.datetime | None = None) -> dt.date:
    cal, _view = tenant_calendar(now)
    return cal.local(now or utcnow()).date()


def status_of(instalment: Instalment, today: dt.date) -> DefaultStatus:
    """RE-42: where ``instalment`` stands on ``today`` (the ``re`` and ``cal`` versions in force then)."""
    cal, _view = tenant_calendar(today)
    paid_on = cal.local(instalment.paid_at).date() if instalment.paid_at else None
    return default_status(re_policy(today).values, cal, instalment_id=instalment.id, due_on=instalment.due_on,
                          paid_on=paid_on, today=today)


def stage_of(instalment: Instalment, today: dt.date) -> str:
    """``paid``, or the rule's stage (``current`` / ``notice`` / ``breach``) on ``today``."""
    if instalment.paid_at is not None:
        return "paid"
    return status_of(instalment, today).stage


def listing(*, subscription_id: int | None = None, unpaid_only: bool = False):
    """Instalments of current subscriptions, by due day."""
    stmt = (select(Instalment).join(Subscription, Subscription.id == Instalment.subscription_id)
            .where(Subscription.status.in_(CURRENT)).order_by(Instalment.due_on, Instalment.id))
    if subscription_id is not None:
        stmt = stmt.where(Instalment.subscription_id == subscription_id)
    if unpaid_only:
        stmt = stmt.where(Instalment.paid_at.is_(None))
    return stmt


def pay(instalment_id: int, receipt_no: str, *, by, paid_at: dt.datetime | None = None) -> Instalment:
    """RE-42 / RE-32: finance records the instalment paid, with its receipt number."""
    instalment = get_instalment(instalment_id, for_update=True)
    if not by.has_role("finance"):
        raise Forbidden("recording a payment needs role finance", rule_id="RE-32",
                        reason_zh="只有财务可以登记收款", reason_en="only finance records payments")
    if instalment.paid_at is not None:
        raise Conflict("the instalment is already paid", rule_id="RE-42",
                       reason_zh=f"该期款项已付（收据号{instalment.receipt_no}）",
                       reason_en=f"the instalment is already paid (receipt {instalment.receipt_no})")
    receipt = (receipt_no or "").strip()
    if not receipt or len(receipt) > 50:
        raise InvalidInput("invalid payment", fields={"receipt_no": ["Longer than maximum length 50." if receipt
                                                                     else "required"]})
    at = paid_at or utcnow()
    if at > utcnow():
        raise InvalidInput("invalid payment", fields={"paid_at": ["a payment cannot be recorded in the future"]})
    instalment.receipt_no, instalment.paid_at = receipt, at
    status = status_of(instalment, local_today(at))
    decisions.record("RE-42", SUBJECT, instalment.id, outcome={"paid": True, "receipt_no": receipt, **status.outcome()},
                     facts={"due_on": instalment.due_on, "amount": instalment.amount, "paid_at": at},
                     reason_zh=f"财务登记第{instalment.seq}期款¥{instalment.amount:,.2f}已付（收据号{receipt}）；{status.reason_zh}",
                     reason_en=f"finance recorded instalment {instalment.seq} of ¥{instalment.amount:,.2f} paid "
                               f"(receipt {receipt}); {status.reason_en}", policy=re_policy(at), decided_by=by.id)
    db.session.flush()
    return instalment


def notice_of(instalment: Instalment) -> dict:
    """The payment-demand notice (催款通知单) as issued: the deal, the buyer, the amount, the breach day."""
    subscription = _subscription(instalment)
    status = status_of(instalment, local_today())
    return {"instalment": instalment, "number": subscription.number, "buyer_name": subscription.buyer_name,
            "phone": subscription.phone, "mailing_address": subscription.mailing_address,
            "issued_at": instalment.notice_at, "breach_from": status.breach_from,
            "decision": decisions.get(instalment.notice_decision_id) if instalment.notice_decision_id else None}


# ------------------------------------------------------------------ the daily ladder


def run_defaults(now: dt.datetime, progress=None) -> dict:
    """RE-42 for every unpaid instalment of a current subscription on the local day of ``now``: the
    notice once it is due, breach handling once the default lasts too long; each once."""
    today = local_today(now)
    rows = list(db.session.scalars(listing(unpaid_only=True).where(Instalment.due_on < today)))
    notices, breaches = [], []
    for i, instalment in enumerate(rows):
        if progress:
            progress(i, len(rows), "RE-42")
        status = status_of(instalment, today)
        if status.stage in ("notice", "breach") and instalment.notice_at is None:
            _issue_notice(instalment, status, now)
            notices.append(instalment.id)
        if status.stage == "breach" and instalment.breach_at is None:
            _start_breach(instalment, status, now)
            breaches.append(instalment.id)
    db.session.flush()
    return {"day": today.isoformat(), "checked": len(rows), "notices": notices, "breaches": breaches}


def _subscription(instalment: Instalment) -> Subscription:
    return get_one(Subscription, instalment.subscription_id, "subscription")


def _issue_notice(instalment: Instalment, status: DefaultStatus, now: dt.datetime) -> None:
    subscription = _subscription(instalment)
    decision = decisions.record(
        "RE-42", SUBJECT, instalment.id, outcome={**status.outcome(), "action": "notice"}, policy=re_policy(now),
        facts={"number": subscription.number, "buyer": subscription.buyer_name, "seq": instalment.seq,
               "due_on": instalment.due_on, "amount": instalment.amount},
        reason_zh=f"认购书{subscription.number}第{instalment.seq}期款¥{instalment.amount:,.2f}于{instalment.due_on}到期未付，"
                  f"发出催款通知单",
        reason_en=f"instalment {instalment.seq} of subscription {subscription.number} (¥{instalment.amount:,.2f}) due "
                  f"{instalment.due_on} unpaid: payment-demand notice issued")
    instalment.notice_at, instalment.notice_decision_id = now, decision.id
    notify([subscription.salesperson_id, *holders(("finance",))], kind="re.default", rule_id="RE-42",
           subject_type=SUBJECT, subject_id=instalment.id, dedupe_key=f"RE-42:notice:{instalment.id}",
           title_zh=f"催款通知单：{subscription.buyer_name}第{instalment.seq}期款¥{instalment.amount:,.2f}逾期",
           title_en=f"payment-demand notice: {subscription.buyer_name}'s instalment {instalment.seq} "
                    f"(¥{instalment.amount:,.2f}) overdue",
           body_zh=status.reason_zh, body_en=status.reason_en)


def _start_breach(instalment: Instalment, status: DefaultStatus, now: dt.datetime) -> None:
    subscription = _subscription(instalment)
    decision = decisions.record(
        "RE-42", SUBJECT, instalment.id, outcome={**status.outcome(), "action": "breach"}, policy=re_policy(now),
        facts={"number": subscription.number, "seq": instalment.seq, "due_on": instalment.due_on,
               "notice_decision_id": instalment.notice_decision_id},
        reason_zh=status.reason_zh, reason_en=status.reason_en)
    instalment.breach_at, instalment.breach_decision_id = now, decision.id
    notify(holders(MANAGER_ROLES), kind="re.default", rule_id="RE-42", subject_type=SUBJECT, subject_id=instalment.id,
           dedupe_key=f"RE-42:breach:{instalment.id}",
           title_zh=f"违约处理：{subscription.buyer_name}（{subscription.number}）逾期超过规定期限",
           title_en=f"breach handling: {subscription.buyer_name} ({subscription.number}) in default too long",
           body_zh=status.reason_zh, body_en=status.reason_en)
