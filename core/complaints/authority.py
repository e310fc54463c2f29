"""CMP-41 dissatisfaction and authority ladder: outside breaches (CMP-40), a case moves up one level —
handler → department head → VP in charge → GM — when the customer is still dissatisfied, or when the
amount at stake (the customer's demand, the compensation proposed) exceeds what the level holding the
case may grant (``cmp.authority.limits``). The case is *offered* to the new level: a decision, a step
row, a notification to its holders and a line in the case history; the holder decides within their
authority or passes it on. A level nobody holds is skipped (a company without a VP goes to the GM).

Automatic checks (a demand recorded, the case taken in hand, a solution proposed) never offer the same
amount twice: the level it was offered to decides it first.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.accounts.people import People
from core.complaints import service
from core.complaints.case_people import role_holders
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.complaints.resolution_models import ComplaintAuthorityStep
from core.complaints.resolution_rules import AuthorityStep, next_authority_level
from core.complaints.resolution_settings import AUTHORITY_LADDER
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict
from core.notifications.service import notify

LEVEL_ZH = {"handler": "经办人", "dept_head": "部门负责人", "vp": "主管副总", "gm": "总经理"}
REASON_ZH = {"beyond_authority": "超出权限", "dissatisfied": "客户仍不满意"}


def steps_of(complaint: Complaint) -> list[ComplaintAuthorityStep]:
    return list(db.session.scalars(select(ComplaintAuthorityStep).where(
        ComplaintAuthorityStep.complaint_id == complaint.id).order_by(ComplaintAuthorityStep.at, ComplaintAuthorityStep.id)))


def current_level(complaint: Complaint) -> str:
    steps = steps_of(complaint)
    return steps[-1].level if steps else "handler"


def check_amount(complaint: Complaint, amount: Decimal | None, *, at: dt.datetime, by: int | None,
                 what: str) -> ComplaintAuthorityStep | None:
    """Automatic CMP-41 check of ``amount`` (``what``: demand | compensation) against the level holding
    the case; returns the step when the case moved up."""
    if amount is None:
        return None
    steps = steps_of(complaint)
    if steps and steps[-1].reason == "beyond_authority" and steps[-1].amount == amount:
        return None  # already offered for this amount: the level it went to decides it
    level = steps[-1].level if steps else "handler"
    limits = cmp_policy(complaint.received_at).values["authority"]["limits"]
    step = next_authority_level(level, "beyond_authority", amount, limits)
    return _offer(complaint, step, at=at, by=by, note=None, what=what) if step else None


def escalate(complaint: Complaint, *, reason: str, amount: Decimal | None, note: str | None, at: dt.datetime,
             by: int | None) -> ComplaintAuthorityStep:
    """A person moves the case up (CMP-41): ``dissatisfied``, or ``beyond_authority`` for ``amount``
    (default the customer's demand). 409 at the top of the ladder, or when the amount is within the
    authority of the level holding the case."""
    if complaint.status not in ("received", "accepted", "in_progress", "resolved"):
        raise Conflict(f"a {complaint.status} case does not move up the ladder")
    level = current_level(complaint)
    amount = amount if amount is not None else (complaint.demand_amount if reason == "beyond_authority" else None)
    limits = cmp_policy(complaint.received_at).values["authority"]["limits"]
    step = next_authority_level(level, reason, amount, limits)
    if step is None:
        if level == AUTHORITY_LADDER[-1]:
            raise Conflict("the case is with the GM already: there is no level above (CMP-41)")
        raise Conflict(f"¥{amount} is within the authority of the {level} "
                       f"(¥{limits.get(level)}): nothing to escalate (CMP-41)" if amount is not None
                       else "name the amount that exceeds the authority (CMP-41)")
    return _offer(complaint, step, at=at, by=by, note=note, what="demand")


def _offer(complaint: Complaint, step: AuthorityStep, *, at: dt.datetime, by: int | None, note: str | None,
           what: str) -> ComplaintAuthorityStep:
    people = People()
    level, skipped = step.level, []
    holders = role_holders(level, complaint, people)
    while not holders and level != AUTHORITY_LADDER[-1]:
        skipped.append(level)
        level = AUTHORITY_LADDER[AUTHORITY_LADDER.index(level) + 1]
        holders = role_holders(level, complaint, people)
    view = cmp_policy(complaint.received_at)
    if step.reason == "beyond_authority":
        reason_zh = (f"{'客户要求' if what == 'demand' else '拟定补偿'}¥{step.amount}超出{LEVEL_ZH[step.from_level]}"
                     f"权限¥{step.limit}，提交{LEVEL_ZH[level]}处理")
        reason_en = (f"the {what} of ¥{step.amount} exceeds the {step.from_level}'s authority of ¥{step.limit}: "
                     f"offered to the {level}")
    else:
        reason_zh = f"客户对处理仍不满意，由{LEVEL_ZH[step.from_level]}上报{LEVEL_ZH[level]}"
        reason_en = f"the customer is still dissatisfied: offered by the {step.from_level} to the {level}"
    if skipped:
        reason_zh += f"（无人担任：{'、'.join(LEVEL_ZH[s] for s in skipped)}）"
        reason_en += f" (nobody holds: {', '.join(skipped)})"
    decision = decisions.record(
        "CMP-41", service.SUBJECT, complaint.id, policy=view,
        outcome={"level": level, "offered_to": holders, "reason": step.reason, "skipped": skipped},
        facts={"from_level": step.from_level, "amount": step.amount, "limit": step.limit, "what": what,
               "handler_department_id": complaint.handler_department_id},
        reason_zh=reason_zh, reason_en=reason_en)
    row = ComplaintAuthorityStep(complaint_id=complaint.id, from_level=step.from_level, level=level,
                                 reason=step.reason, amount=step.amount, limit=step.limit, offered_to=holders,
                                 skipped=skipped, at=at, by=by, note=note, decision_id=decision.id)
    db.session.add(row)
    db.session.flush()
    notify(holders, kind="cmp.authority.offered", rule_id="CMP-41", subject_type=service.SUBJECT,
           subject_id=complaint.id, dedupe_key=f"CMP-41:{complaint.id}:{row.id}",
           title_zh=f"投诉 {complaint.number} 提交您处理（{REASON_ZH[step.reason]}）",
           title_en=f"Complaint {complaint.number} is offered to you ({step.reason})",
           body_zh=reason_zh, body_en=reason_en)
    service.log_event(complaint, "authority_offered", by=by, at=at, note=note, decision_id=decision.id,
                      data={"level": level, "reason": step.reason, "amount": step.amount, "offered_to": holders})
    return row
