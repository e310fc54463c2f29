"""Written appeals against penalty slips and their replies (STF-21).

The employee may appeal in writing within ``stf.appeal.window`` (3 calendar days) from the slip's
issue, still signing the slip; the entry moves to ``appealed``. A written reply is due within
``stf.appeal.reply_within`` (1 week) from the appeal's receipt, under the policy version in force at
the receipt. The reply upholds, modifies (the entry is reversed down to the new amount) or revokes
(reversed in full; the original is kept) the entry. The job ``stf.appeal_timers`` closes the windows
and escalates overdue replies to the department head's superior (:func:`escalate_overdue`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.staff import appeals_rules as rules
from core.staff import ledger, ledger_rules
from core.staff.appeals_models import SlipAppeal
from core.staff.policy import stf_policy
from core.staff.slips import get_slip
from core.staff.slips_models import PenaltySlip

SUBJECT = "staff_appeal"
OUTCOME_ZH = {"upheld": "维持原处罚", "modified": "变更处罚", "revoked": "撤销处罚"}


def appeal_of(slip_id: int) -> SlipAppeal | None:
    return db.session.scalars(select(SlipAppeal).where(SlipAppeal.slip_id == slip_id)).first()


def appeals(*, user_id: int | None = None, state: str | None = None, overdue_at: dt.datetime | None = None):
    """Appeals, the earliest reply due first; ``overdue_at``: open ones whose reply is due by then."""
    stmt = select(SlipAppeal)
    if user_id is not None:
        stmt = stmt.where(SlipAppeal.user_id == user_id)
    if state is not None:
        stmt = stmt.where(SlipAppeal.state == state)
    if overdue_at is not None:
        stmt = stmt.where(SlipAppeal.state == "open", SlipAppeal.reply_due_at <= overdue_at)
    return stmt.order_by(SlipAppeal.reply_due_at, SlipAppeal.id)


def _calendar(moment: dt.datetime):
    calendar, _ = tenant_calendar(moment)
    return calendar


def file(slip_id: int, *, by: int, text: str, received_at: dt.datetime | None = None,
         on_behalf: bool = False) -> SlipAppeal:
    """The employee's written appeal (or a manager entering a paper appeal, ``on_behalf``). 403 anyone
    else; 422 received outside the window; 409 a second appeal or an entry that cannot be appealed."""
    slip = get_slip(slip_id, lock=True)
    if by != slip.user_id and not on_behalf:
        raise Forbidden("only the penalised employee appeals (a manager may enter a paper appeal)", rule_id="STF-21")
    received_at = fact_time(received_at, "received_at")
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = ["an appeal is made in writing: give its text"]
    if received_at < slip.issued_at:
        errors["received_at"] = ["cannot be before the slip was issued"]
    elif not rules.within(received_at, slip.appeal_window_ends_at):
        through = rules.through_day(_calendar(slip.appeal_window_ends_at), slip.appeal_window_ends_at)
        errors["received_at"] = [f"the appeal window ended {through:%Y-%m-%d} 24:00 (STF-21)"]
    if errors:
        raise InvalidInput("invalid appeal", fields=errors, rule_id="STF-21")
    if appeal_of(slip.id) is not None:
        raise Conflict("this slip has already been appealed", rule_id="STF-21")
    entry = ledger.get_entry(slip.staff_entry_id)
    if not ledger_rules.can_move(entry.state, "appealed"):
        raise Conflict(f"a {entry.state} penalty cannot be appealed", rule_id="STF-21")
    view = stf_policy(received_at)
    calendar = _calendar(received_at)
    due = rules.reply_due(calendar, received_at, view.values["appeal"]["reply_within"])
    appeal = SlipAppeal(slip_id=slip.id, staff_entry_id=entry.id, user_id=slip.user_id, text=text.strip(),
                        received_at=received_at, submitted_by=by, reply_due_at=due.utc, state="open",
                        policy_version=view.version)
    db.session.add(appeal)
    db.session.flush()
    ledger.move(entry, "appealed", by=by)
    written = decisions.record(
        "STF-21", SUBJECT, appeal.id, policy=view, decided_by=by,
        outcome={"reply_due_at": due.utc, "through": due.through, "entry_state": entry.state},
        facts={"slip": slip.id, "received_at": received_at, "reply_within": str(view.values["appeal"]["reply_within"]),
               "window_ends_at": slip.appeal_window_ends_at, "trace": list(due.trace)},
        reason_zh=f"{calendar.local(received_at):%Y-%m-%d %H:%M}收到书面申诉；须于{due.through:%Y-%m-%d}24:00前书面答复",
        reason_en=f"Written appeal received {calendar.local(received_at):%Y-%m-%d %H:%M}; a written reply is due "
                  f"through {due.through:%Y-%m-%d}")
    appeal.decision_id = written.id
    people = People()
    head = people.head_of(entry.department_id or people.department_of(slip.user_id))
    notify([slip.issued_by, head if head != slip.user_id else None], kind="stf.appeal", rule_id="STF-21",
           subject_type=SUBJECT, subject_id=appeal.id, dedupe_key=f"STF-21:appeal:{appeal.id}",
           title_zh="处罚申诉待答复", title_en="A penalty appeal to answer", due_at=due.utc)
    return appeal


def reply(slip_id: int, *, by: int, outcome: str, text: str, new_amount=None,
          replied_at: dt.datetime | None = None) -> SlipAppeal:
    """The written reply: upheld, modified (``new_amount`` lower than what is left of the entry) or
    revoked. 404 no appeal; 403 the appellant; 409 answered already or the entry moved meanwhile."""
    slip = get_slip(slip_id, lock=True)
    appeal = appeal_of(slip.id)
    if appeal is None:
        raise NotFound("this slip has no appeal")
    if by == appeal.user_id:
        raise Forbidden("nobody answers their own appeal", rule_id="STF-21")
    if appeal.state == "replied":
        raise Conflict("the appeal has been answered", rule_id="STF-21")
    replied_at = fact_time(replied_at, "replied_at")
    entry = ledger.get_entry(appeal.staff_entry_id)
    left = entry.amount - ledger.reversed_amount(entry)
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = ["the reply is written: give its text"]
    if replied_at < appeal.received_at:
        errors["replied_at"] = ["cannot be before the appeal was received"]
    amount = ledger_rules.money(new_amount) if new_amount is not None else None
    if outcome != "modified" and amount is not None:
        errors["new_amount"] = ["only a modified penalty has a new amount"]
    try:
        part = rules.amount_to_reverse(outcome, left=left, new_amount=amount)
    except ValueError as exc:
        errors.setdefault("new_amount" if outcome in rules.OUTCOMES else "outcome", []).append(str(exc))
        part = Decimal("0")
    if errors:
        raise InvalidInput("invalid reply", fields=errors, rule_id="STF-21")
    if entry.state != "appealed":
        raise Conflict(f"the penalty is {entry.state}, no longer under appeal", rule_id="STF-21")
    view = stf_policy(appeal.received_at)
    calendar = _calendar(replied_at)
    ledger.move(entry, outcome, by=by)
    reversal = None
    if part > 0:
        reversal = ledger.reverse(
            entry, amount=part, at=replied_at, by=by, rule_id="STF-21", policy=stf_policy(replied_at),
            reason_zh=f"申诉答复：{OUTCOME_ZH[outcome]}" + (f"为{amount}" if amount is not None else ""),
            reason_en=f"Appeal answered: {outcome}" + (f" to {amount}" if amount is not None else ""))
    late = not rules.within(replied_at, appeal.reply_due_at)
    appeal.state, appeal.replied_at, appeal.replied_by = "replied", replied_at, by
    appeal.reply_text, appeal.outcome, appeal.new_amount = text.strip(), outcome, amount
    appeal.reversal_entry_id = reversal.id if reversal is not None else None
    when = f"{calendar.local(replied_at):%Y-%m-%d %H:%M}"
    decisions.record(
        "STF-21", SUBJECT, appeal.id, policy=view, decided_by=by,
        outcome={"outcome": outcome, "new_amount": amount, "reversed": part, "late": late,
                 "reversal_entry_id": appeal.reversal_entry_id, "entry_state": entry.state},
        facts={"replied_at": replied_at, "reply_due_at": appeal.reply_due_at, "original_amount": entry.amount,
               "left_before": left},
        reason_zh=f"{when}书面答复申诉：{OUTCOME_ZH[outcome]}" + (f"，金额改为{amount}" if amount is not None else "")
                  + ("（逾期答复）" if late else ""),
        reason_en=f"Appeal answered in writing on {when}: {outcome}"
                  + (f", amount now {amount}" if amount is not None else "")
                  + (" (late)" if late else ""))
    notify([appeal.user_id], kind="stf.appeal", rule_id="STF-21", subject_type=SUBJECT, subject_id=appeal.id,
           dedupe_key=f"STF-21:reply:{appeal.id}", title_zh=f"申诉已答复：{OUTCOME_ZH[outcome]}",
           title_en=f"Your appeal was answered: {outcome}")
    return appeal


# ------------------------------------------------------------------------------------ timers

def close_windows(as_of: dt.datetime) -> list[int]:
    """Appeal windows ended by ``as_of``: closed once (at their end); a slip without an appeal gets a
    decision that its penalty stands. Returns the slip ids closed now."""
    rows = list(db.session.scalars(select(PenaltySlip).where(
        PenaltySlip.appeal_window_closed_at.is_(None), PenaltySlip.appeal_window_ends_at <= as_of)
        .order_by(PenaltySlip.appeal_window_ends_at, PenaltySlip.id)))
    for slip in rows:
        slip.appeal_window_closed_at = slip.appeal_window_ends_at
        if appeal_of(slip.id) is None:
            through = rules.through_day(_calendar(slip.appeal_window_ends_at), slip.appeal_window_ends_at)
            decisions.record(
                "STF-21", "staff_slip", slip.id, policy=stf_policy(slip.issued_at),
                outcome={"appeal_window": "closed", "appealed": False},
                facts={"issued_at": slip.issued_at, "window_ends_at": slip.appeal_window_ends_at},
                reason_zh=f"申诉期已于{through:%Y-%m-%d}24:00届满，未收到书面申诉",
                reason_en=f"The appeal window ended {through:%Y-%m-%d} 24:00 without a written appeal")
    db.session.flush()
    return [slip.id for slip in rows]


def escalate_overdue(as_of: dt.datetime) -> list[int]:
    """Open appeals whose reply was due by ``as_of``: escalated once, at their due time, to the
    department head's superior (head of the parent department, else a GM), who is notified."""
    rows = list(db.session.scalars(select(SlipAppeal).where(
        SlipAppeal.state == "open", SlipAppeal.escalated_at.is_(None), SlipAppeal.reply_due_at <= as_of)
        .order_by(SlipAppeal.reply_due_at, SlipAppeal.id)))
    if not rows:
        return []
    people = People()
    gms = [user_id for user_id, _dep in people.holders("gm")]
    for appeal in rows:
        entry = ledger.get_entry(appeal.staff_entry_id)
        chain = people.chain(entry.department_id or people.department_of(appeal.user_id))
        heads = [people.head_of(department_id) for department_id in chain]
        target = rules.superior_of_head(heads, gms, employee_id=appeal.user_id)
        appeal.escalated_at, appeal.escalated_to = appeal.reply_due_at, target
        calendar = _calendar(appeal.reply_due_at)
        through = rules.through_day(calendar, appeal.reply_due_at)
        escalated = decisions.record(
            "STF-21", SUBJECT, appeal.id, policy=stf_policy(appeal.received_at),
            outcome={"escalated_to": target, "escalated_at": appeal.reply_due_at},
            facts={"reply_due_at": appeal.reply_due_at, "department_chain": chain, "heads": heads, "gms": gms},
            reason_zh=f"申诉答复期限{through:%Y-%m-%d}24:00已过仍未答复，"
                      + ("上报部门负责人的上级" if target else "无可上报的上级（请设置上级部门负责人或总经理）"),
            reason_en=f"No reply by the due time ({through:%Y-%m-%d} 24:00): "
                      + ("escalated to the department head's superior" if target
                         else "nobody above the department head to escalate to (set a parent head or a GM)"))
        appeal.escalation_decision_id = escalated.id
        told = [u for u in (target, heads[0] if heads else None) if u != appeal.user_id]
        notify(told, kind="stf.appeal_escalated", rule_id="STF-21",
               subject_type=SUBJECT, subject_id=appeal.id, dedupe_key=f"STF-21:escalated:{appeal.id}",
               title_zh="处罚申诉逾期未答复", title_en="A penalty appeal is overdue for a reply",
               due_at=appeal.reply_due_at)
    db.session.flush()
    return [appeal.id for appeal in rows]
