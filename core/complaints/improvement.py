"""CMP-55 improvement proposals: when no standard or training covers the issue of a case, a proposal
(new standard or training) is drafted — automatically when the case closes with ``gap_in_standard`` —
then signed by the head of the responsible department, countersigned by marketing
(``cmp.improvement.countersign_department``, 市场部) and approved by the GM office
(``cmp.improvement.approve_department``, 总经理办公室, or a GM)::

    draft --sign--> signed --countersign--> countersigned --approve--> approved
      ^------------------ return (with a note) -------------------'

A step nobody is set up for (the department setting is null) is skipped. Whoever may take a step may
return the proposal to draft; a draft can be edited. Those who take the next step are notified.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.accounts.people import People
from core.complaints import service
from core.complaints.case_people import case_department, department_heads
from core.complaints.models import Complaint
from core.complaints.policy import cmp_policy
from core.complaints.resolution_models import ComplaintImprovement
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify

KINDS = ("standard", "training")
ACTIONS = ("sign", "countersign", "approve", "return")
#: the state each action leads to
NEXT_STATE = {"sign": "signed", "countersign": "countersigned", "approve": "approved"}
ACTION_ZH = {"sign": "签字", "countersign": "会签", "approve": "审批"}


def improvements_of(complaint: Complaint) -> list[ComplaintImprovement]:
    return list(db.session.scalars(select(ComplaintImprovement).where(ComplaintImprovement.complaint_id == complaint.id)
                                   .order_by(ComplaintImprovement.drafted_at, ComplaintImprovement.id)))


def get_improvement(complaint: Complaint, improvement_id: int) -> ComplaintImprovement:
    row = db.session.scalars(select(ComplaintImprovement).where(
        ComplaintImprovement.id == improvement_id, ComplaintImprovement.complaint_id == complaint.id)).first()
    if row is None:
        raise NotFound("improvement proposal not found")
    return row


def _settings(complaint: Complaint) -> dict:
    return cmp_policy(complaint.received_at).values["improvement"]


def _members_of(department_name: str | None, people: People) -> set[int]:
    """Active users whose department is the named one or lies under it."""
    department = service.department_named(department_name)
    if department is None:
        return set()
    users = db.session.scalars(select(User.id).where(User.is_active.is_(True), User.department_id.is_not(None)))
    return {uid for uid in users if department.id in people.chain(people.department_of(uid))}


def signers(row: ComplaintImprovement, action: str, complaint: Complaint, people: People) -> set[int]:
    """Who may take ``action`` (sign / countersign / approve) on ``row``."""
    settings = _settings(complaint)
    if action == "sign":
        found = set(department_heads(row.department_id, people))
    elif action == "countersign":
        found = _members_of(settings["countersign_department"], people)
    else:
        found = _members_of(settings["approve_department"], people) | {uid for uid, _ in people.holders("gm")}
    return found - set(complaint.excluded_user_ids or [])


def _next_action(state: str, complaint: Complaint) -> str | None:
    """The action the proposal waits for in ``state`` (countersigning skipped when nobody is set up)."""
    if state == "draft":
        return "sign"
    if state == "signed":
        return "countersign" if _settings(complaint)["countersign_department"] else "approve"
    if state == "countersigned":
        return "approve"
    return None


def _tell_next(row: ComplaintImprovement, complaint: Complaint, people: People, at: dt.datetime) -> None:
    action = _next_action(row.state, complaint)
    if action is None:
        return
    notify(signers(row, action, complaint, people), kind="cmp.improvement.step", rule_id="CMP-55",
           subject_type=service.SUBJECT, subject_id=complaint.id,
           dedupe_key=f"CMP-55:{row.id}:{action}:{at.isoformat()}",
           title_zh=f"投诉 {complaint.number} 的改进提案待您{ACTION_ZH[action]}",
           title_en=f"An improvement proposal of complaint {complaint.number} awaits your {action}",
           body_zh=row.text[:500], body_en=row.text[:500])


def draft(complaint: Complaint, *, kind: str, title: str, text: str, by: int | None,
          at: dt.datetime) -> ComplaintImprovement:
    """A draft proposal for the case's responsible department (CMP-55)."""
    if kind not in KINDS:
        raise InvalidInput("invalid proposal", fields={"kind": [f"one of {', '.join(KINDS)}"]})
    people = People()
    row = ComplaintImprovement(complaint_id=complaint.id, department_id=case_department(complaint, people), kind=kind,
                               title=title, text=text, state="draft", drafted_by=by, drafted_at=at)
    db.session.add(row)
    db.session.flush()
    decision = decisions.record(
        "CMP-55", service.SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at),
        outcome={"improvement_id": row.id, "state": "draft", "kind": kind},
        facts={"gap_in_standard": complaint.gap_in_standard, "department_id": row.department_id},
        reason_zh="无标准或培训覆盖此问题：起草改进提案，经部门负责人签字、市场部会签、总经理办公室审批",
        reason_en="no standard or training covers the issue: an improvement proposal is drafted for the department "
                  "head's signature, marketing's countersignature and the GM office's approval")
    row.decision_id = decision.id
    service.log_event(complaint, "improvement_drafted", by=by, at=at, decision_id=decision.id,
                      data={"improvement_id": row.id, "kind": kind})
    _tell_next(row, complaint, people, at)
    return row


def edit(complaint: Complaint, row: ComplaintImprovement, data: dict, *, by: int | None) -> ComplaintImprovement:
    if row.state != "draft":
        raise Conflict("only a draft proposal can be edited (return it first)")
    if data.get("kind") is not None and data["kind"] not in KINDS:
        raise InvalidInput("invalid proposal", fields={"kind": [f"one of {', '.join(KINDS)}"]})
    for key in ("kind", "title", "text"):
        if data.get(key) is not None:
            setattr(row, key, data[key])
    service.log_event(complaint, "improvement_edited", by=by, data={"improvement_id": row.id})
    return row


def act(complaint: Complaint, row: ComplaintImprovement, action: str, *, user_id: int, note: str | None,
        at: dt.datetime) -> ComplaintImprovement:
    """Take ``action`` (sign, countersign, approve, return) on the proposal: 409 when it does not wait
    for that step, 403 when the user may not take it."""
    if action not in ACTIONS:
        raise InvalidInput("invalid action", fields={"action": [f"one of {', '.join(ACTIONS)}"]})
    people = People()
    waiting = _next_action(row.state, complaint)
    if action == "return":
        if waiting is None or row.state == "draft":
            raise Conflict(f"a {row.state} proposal cannot be returned")
        if not (note or "").strip():
            raise InvalidInput("invalid return", fields={"note": ["say why the proposal is returned"]})
        step = waiting
    else:
        if waiting != action:
            raise Conflict(f"the proposal is {row.state}: it waits for {waiting or 'nothing'}, not {action}")
        step = action
    if user_id not in signers(row, step, complaint, people):
        raise Forbidden(f"you may not {step} this proposal (CMP-55)")
    if action == "return":
        row.state, row.returned_note = "draft", note
        row.signed_by = row.signed_at = row.countersigned_by = row.countersigned_at = None
    else:
        row.state = NEXT_STATE[action]
        setattr(row, f"{row.state}_by", user_id)
        setattr(row, f"{row.state}_at", at)
    db.session.flush()
    service.log_event(complaint, f"improvement_{'returned' if action == 'return' else row.state}", by=user_id, at=at,
                      note=note, data={"improvement_id": row.id})
    _tell_next(row, complaint, people, at)
    return row
