"""The case from handling to closure (CMP-41, CMP-42, CMP-50, CMP-52, CMP-53, CMP-55).

State flow: ``received``/``accepted`` → ``in_progress`` → ``resolved`` → ``closed`` (``rejected`` is
decided at acceptance, CMP-06). Each state change is a line of the case history
(:func:`core.complaints.service.log_event`, kind = the new state) and meets or cancels the case's
deadlines: a reply meets ``reply``, a proposed solution ``solution``, the resolution ``resolve``;
closing cancels what is left open.

- :func:`start` — the case is taken in hand; the customer's demand is checked against the handler's
  authority (CMP-41).
- :func:`record_demand` — the customer's demand (amount) during handling, checked the same way.
- :func:`fix_customer_reply_time` — the reply time fixed with the customer (CMP-42). A major case
  without one cannot make its next transition (422).
- :func:`propose_solution` / :func:`decide_approval` — CMP-50: the solution and compensation, and its
  approval by the GM, the VP or the tier of ``cmp.approval.matrix`` before the customer is told.
- :func:`reply` — a reply to the customer (CMP-52): ``final`` tells the resolution (409 before the
  required approval), an interim one is a first contact or progress report.
- :func:`resolve`, :func:`record_analysis`, :func:`record_feedback`, :func:`close` — CMP-52/53/55: no
  closing without a resolution method, an action and a final reply in the form the channel needs
  (a written complaint gets a written reply), with the customer's confirmation where required; root
  cause, corrective and preventive actions; a gap in the standards opens an improvement proposal.

Every check runs before anything is written; a refused request writes nothing.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.accounts.people import People
from core.complaints import authority, deadlines, improvement, return_visits, service
from core.complaints import resolution_rules as rules
from core.complaints.case_people import role_holders
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.policy import cmp_policy
from core.customers.fact_time import fact_time
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from core.sla import engine as sla

ENDED = ("closed", "rejected")
ANALYSIS_FIELDS = ("root_cause", "corrective_action", "preventive_action", "human_negligence", "gap_in_standard",
                   "internal_notes")
FEEDBACK_FIELDS = ("satisfaction", "satisfaction_comment", "customer_confirmed")


def fact_at(complaint: Complaint, value: dt.datetime | None, field: str = "at") -> dt.datetime:
    """When a step happened: aware, not in the future (default now), not before the case came in."""
    at = fact_time(value, field)
    if at < complaint.received_at:
        raise InvalidInput("invalid time", fields={field: ["before the case was received"]})
    return at


def guard_major(complaint: Complaint) -> None:
    """CMP-42: a major case moves on only once a reply time is fixed with the customer."""
    if complaint.severity == "major" and complaint.customer_reply_at is None:
        raise InvalidInput("a major complaint needs a reply time fixed with the customer first (CMP-42)", fields={
            "customer_reply_at": ["fix the reply time with the customer (PUT .../customer-reply-time) first (CMP-42)"]})


def _require(complaint: Complaint, statuses: tuple[str, ...], action: str) -> None:
    if complaint.status not in statuses:
        raise Conflict(f"a {complaint.status} case cannot be {action}")


def _meet(complaint: Complaint, code: str, at: dt.datetime) -> None:
    row = sla.get_milestone(service.SUBJECT, complaint.id, code)
    if row is not None and row.state != "cancelled":
        sla.meet(service.SUBJECT, complaint.id, code, at)


def _enter_in_progress(complaint: Complaint, *, by: int | None, at: dt.datetime, note: str | None = None) -> None:
    complaint.status = "in_progress"
    service.log_event(complaint, "in_progress", by=by, at=at, note=note)


def start(complaint: Complaint, *, by: int | None, at: dt.datetime | None = None, note: str | None = None) -> Complaint:
    """received/accepted → in_progress."""
    at = fact_at(complaint, at)
    _require(complaint, ("received", "accepted"), "taken in hand")
    guard_major(complaint)
    _enter_in_progress(complaint, by=by, at=at, note=note)
    authority.check_amount(complaint, complaint.demand_amount, at=at, by=by, what="demand")
    return complaint


def record_demand(complaint: Complaint, *, amount: Decimal, demands: list[str] | None, by: int | None,
                  at: dt.datetime | None = None, note: str | None = None) -> Complaint:
    """The customer's demand during handling (CMP-03 demand, CMP-41 authority check)."""
    at = fact_at(complaint, at)
    _require(complaint, OPEN_STATUSES, "given a new demand")
    complaint.demand_amount = amount
    if demands:
        complaint.demands = list(dict.fromkeys([*(complaint.demands or []), *demands]))
    service.log_event(complaint, "demand_recorded", by=by, at=at, note=note,
                      data={"amount": amount, "demands": complaint.demands})
    authority.check_amount(complaint, amount, at=at, by=by, what="demand")
    return complaint


def fix_customer_reply_time(complaint: Complaint, *, reply_at: dt.datetime, by: int | None,
                            note: str | None = None) -> Complaint:
    """CMP-42 (and CMP-36): the time the company promised the customer its reply."""
    _require(complaint, (*OPEN_STATUSES, "resolved"), "given a reply time")
    if reply_at.tzinfo is None:
        raise InvalidInput("invalid time", fields={"reply_at": ["needs a time zone (e.g. +08:00)"]})
    if reply_at < complaint.received_at:
        raise InvalidInput("invalid time", fields={"reply_at": ["before the case was received"]})
    complaint.customer_reply_at = reply_at
    service.log_event(complaint, "customer_reply_time_fixed", by=by, note=note, data={"reply_at": reply_at})
    return complaint


def propose_solution(complaint: Complaint, *, solution: str, compensation: Decimal | None,
                     resolution_method: str | None, by: int | None, at: dt.datetime | None = None) -> Complaint:
    """CMP-50: the proposed solution; approval requested where the company requires it."""
    at = fact_at(complaint, at)
    _require(complaint, OPEN_STATUSES, "given a solution")
    if complaint.status != "in_progress":
        guard_major(complaint)
        _enter_in_progress(complaint, by=by, at=at)
    view = cmp_policy(complaint.received_at)
    settings = view.values["approval"]
    role = rules.approver_role(settings["mode"], settings["matrix"], compensation)
    complaint.solution = solution
    complaint.compensation = compensation
    if resolution_method:
        complaint.resolution_method = resolution_method
    complaint.approved_by = complaint.approved_at = complaint.approval_text = None
    decision = None
    if role is None:
        complaint.approval_status, complaint.approver_role = "not_required", None
    else:
        complaint.approval_status, complaint.approver_role = "pending", role
        approvers = role_holders(role, complaint, People())
        tier = "" if settings["mode"] != "matrix" else f"（补偿¥{compensation or Decimal('0.00')}）"
        decision = decisions.record(
            "CMP-50", service.SUBJECT, complaint.id, policy=view,
            outcome={"approver_role": role, "approvers": approvers},
            facts={"mode": settings["mode"], "compensation": compensation,
                   "matrix": {k: str(v) for k, v in settings["matrix"].items()}},
            reason_zh=f"处理方案须经{role}审批后方可答复客户{tier}",
            reason_en=f"the solution needs the approval of the {role} before the customer is told"
                      + (f" (compensation ¥{compensation or Decimal('0.00')})" if tier else ""))
        notify(approvers, kind="cmp.approval.requested", rule_id="CMP-50", subject_type=service.SUBJECT,
               subject_id=complaint.id, dedupe_key=f"CMP-50:{complaint.id}:{decision.id}",
               title_zh=f"投诉 {complaint.number} 处理方案待您审批", title_en=f"Complaint {complaint.number}: "
                                                                   "a solution awaits your approval",
               body_zh=solution[:500], body_en=solution[:500])
    _meet(complaint, "solution", at)
    service.log_event(complaint, "solution_proposed", by=by, at=at, note=solution,
                      decision_id=decision.id if decision else None,
                      data={"compensation": compensation, "approver_role": role})
    authority.check_amount(complaint, compensation, at=at, by=by, what="compensation")
    return complaint


def decide_approval(complaint: Complaint, *, user_id: int, roles: set[str], approve: bool, text: str,
                    at: dt.datetime | None = None) -> Complaint:
    """CMP-50: the approver approves (or returns) the solution; approver, time and text are recorded."""
    at = fact_at(complaint, at)
    if complaint.approval_status != "pending":
        raise Conflict("no solution awaits approval")
    if user_id in (complaint.excluded_user_ids or []):
        raise Conflict("the employee complained about never approves the case (CMP-21)")
    if not rules.may_approve(complaint.approver_role, roles):
        raise Forbidden(f"the solution needs the approval of the {complaint.approver_role} (CMP-50)")
    complaint.approval_status = "approved" if approve else "returned"
    complaint.approved_by, complaint.approved_at, complaint.approval_text = user_id, at, text
    verb_zh, verb_en = ("批准", "approved") if approve else ("退回", "returned")
    decision = decisions.record(
        "CMP-50", service.SUBJECT, complaint.id, policy=cmp_policy(complaint.received_at), decided_by=user_id,
        outcome={"approval_status": complaint.approval_status, "approved_by": user_id, "approved_at": at},
        facts={"approver_role": complaint.approver_role, "compensation": complaint.compensation},
        reason_zh=f"处理方案已{verb_zh}：{text}", reason_en=f"the solution was {verb_en}: {text}")
    service.log_event(complaint, "solution_approved" if approve else "solution_returned", by=user_id, at=at,
                      note=text, decision_id=decision.id)
    return complaint


def reply(complaint: Complaint, *, text: str, method: str, final: bool, by: int | None,
          at: dt.datetime | None = None) -> Complaint:
    """CMP-52: a reply to the customer, with its method. A final reply tells the resolution: where an
    approval is required it must be approved first (409)."""
    at = fact_at(complaint, at)
    _require(complaint, (*OPEN_STATUSES, "resolved"), "replied to")
    if final:
        mode = cmp_policy(complaint.received_at).values["approval"]["mode"]
        if mode != "none" and complaint.approval_status != "approved":
            raise Conflict(f"the solution must be approved by the {complaint.approver_role or mode} before the "
                           "customer is told (CMP-50)")
        complaint.reply_text, complaint.reply_method, complaint.replied_at = text, method, at
    _meet(complaint, "reply", at)
    deadlines.reply_logged(complaint, at)  # CMP-36: promised reply times kept
    service.log_event(complaint, "replied", by=by, at=at, note=text, data={"method": method, "final": final})
    return complaint


def resolve(complaint: Complaint, *, resolution_method: str | None, action_taken: str | None, by: int | None,
            at: dt.datetime | None = None) -> Complaint:
    """→ resolved (through in_progress when the case was not yet in hand)."""
    at = fact_at(complaint, at)
    _require(complaint, OPEN_STATUSES, "resolved")
    guard_major(complaint)
    if complaint.status != "in_progress":
        _enter_in_progress(complaint, by=by, at=at)
    if resolution_method:
        complaint.resolution_method = resolution_method
    if action_taken:
        complaint.action_taken = action_taken
    complaint.status, complaint.resolved_at = "resolved", at
    _meet(complaint, "resolve", at)
    service.log_event(complaint, "resolved", by=by, at=at,
                      data={"resolution_method": complaint.resolution_method})
    return_visits.on_resolution(complaint)  # CMP-60: the return visit is decided at once
    return complaint


def record_analysis(complaint: Complaint, data: dict, *, by: int | None) -> Complaint:
    """CMP-55 root cause, corrective and preventive actions (and internal notes) before closure."""
    _require(complaint, (*OPEN_STATUSES, "resolved"), "analysed")
    given = {k: data[k] for k in ANALYSIS_FIELDS if data.get(k) is not None}
    for key, value in given.items():
        setattr(complaint, key, value)
    service.log_event(complaint, "analysis_recorded", by=by, data={"fields": sorted(given)})
    return complaint


def record_feedback(complaint: Complaint, data: dict, *, by: int | None, at: dt.datetime | None = None) -> Complaint:
    """CMP-53 the customer's satisfaction (1–5 and comment) and confirmation of the handling record."""
    at = fact_at(complaint, at)
    _require(complaint, (*OPEN_STATUSES, "resolved"), "given feedback")
    given = _feedback(data)
    for key, value in given.items():
        setattr(complaint, key, value)
    service.log_event(complaint, "feedback_recorded", by=by, at=at, data=given)
    return complaint


def _feedback(data: dict) -> dict:
    given = {k: data[k] for k in FEEDBACK_FIELDS if data.get(k) is not None}
    score = given.get("satisfaction")
    if score is not None and not 1 <= score <= 5:
        raise InvalidInput("invalid satisfaction", fields={"satisfaction": ["a score from 1 to 5 (CMP-53)"]})
    return given


def final_reply_methods(complaint: Complaint) -> list[str]:
    return [e.data.get("method") for e in service.events_of(complaint) if e.kind == "replied" and e.data.get("final")]


def close(complaint: Complaint, data: dict, *, by: int | None, at: dt.datetime | None = None) -> Complaint:
    """resolved → closed, when every closing condition holds (422 naming each one missing)."""
    at = fact_at(complaint, at)
    _require(complaint, ("resolved",), "closed (resolve it first)")
    if at < complaint.resolved_at:
        raise InvalidInput("invalid time", fields={"at": ["before the case was resolved"]})
    guard_major(complaint)
    values = cmp_policy(complaint.received_at).values
    feedback = _feedback(data)
    merged = {
        "resolution_method": data.get("resolution_method") or complaint.resolution_method,
        "action_taken": data.get("action_taken") or complaint.action_taken,
        "customer_confirmed": feedback.get("customer_confirmed", complaint.customer_confirmed),
    }
    gaps = rules.closing_gaps(resolution_method=merged["resolution_method"], action_taken=merged["action_taken"],
                              replied=complaint.replied_at is not None,
                              requires_confirmation=values["close"]["requires_confirmation"],
                              customer_confirmed=bool(merged["customer_confirmed"]))
    if complaint.replied_at is not None:
        lacking = rules.reply_form_gap(complaint.channel, final_reply_methods(complaint), values["reply"]["forms"],
                                       values["reply"]["form_follows_channel"])
        if lacking:
            gaps["reply_method"] = [f"a {complaint.channel} complaint needs a reply by {' or '.join(lacking)} "
                                    f"(CMP-52; cmp.reply.forms)"]
    analysis = {k: data[k] for k in ANALYSIS_FIELDS if data.get(k) is not None}
    gap_in_standard = analysis.get("gap_in_standard", complaint.gap_in_standard)
    if gaps:
        raise InvalidInput("the case cannot be closed yet", fields=gaps)
    complaint.resolution_method, complaint.action_taken = merged["resolution_method"], merged["action_taken"]
    for key, value in {**feedback, **analysis}.items():
        setattr(complaint, key, value)
    complaint.improvement_tracked = rules.improvement_tracked(bool(complaint.human_negligence))
    complaint.status, complaint.closed_at, complaint.closed_by = "closed", at, by
    view = cmp_policy(complaint.received_at)
    decision = decisions.record(
        "CMP-55", service.SUBJECT, complaint.id, policy=view,
        outcome={"improvement_tracked": complaint.improvement_tracked, "improvement_proposal": bool(gap_in_standard)},
        facts={"root_cause": complaint.root_cause, "human_negligence": complaint.human_negligence,
               "gap_in_standard": complaint.gap_in_standard},
        reason_zh=("人为疏忽，免于改进跟踪" if complaint.human_negligence else "纠正预防措施纳入改进跟踪")
        + ("；无标准或培训覆盖，起草改进提案" if gap_in_standard else ""),
        reason_en=("human negligence: exempt from improvement tracking" if complaint.human_negligence
                   else "corrective and preventive actions are tracked")
        + ("; no standard or training covers it: an improvement proposal is drafted" if gap_in_standard else ""))
    if gap_in_standard:
        text = (data.get("gap_note") or "").strip() or complaint.root_cause or "（待起草 to be drafted）"
        improvement.draft(complaint, kind=data.get("gap_kind") or "standard", title=f"{complaint.number} 改进提案",
                          text=text, by=by, at=at)
    sla.cancel(service.SUBJECT, complaint.id)
    service.log_event(complaint, "closed", by=by, at=at, decision_id=decision.id,
                      data={"satisfaction": complaint.satisfaction})
    return complaint
