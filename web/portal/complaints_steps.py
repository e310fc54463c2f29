"""The step forms of a complaint's case page, one entry per step: who may take it (the roles of the
API endpoint), the API's input schema, the names of its time fields and list fields, and the call
of the same service function the API endpoint makes. A step's view (``complaints.py``) loads the
case first (404 for another tenant's case or one the user is excluded from), checks the role, loads
the form through the schema (422 with field errors), runs the step (409 refused with the message),
commits and redirects back to the case page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import g
from marshmallow import Schema

from core.complaints import authority, deadlines, handling, reopen, resolution, severity, severity_rules
from core.errors import Forbidden
from web.api import complaint_deadlines as deadline_api
from web.api import complaint_resolution as resolution_api
from web.api import complaints as complaint_api
from web.api.complaints import SUPERVISORS, TAKERS


@dataclass(frozen=True)
class Step:
    roles: tuple[str, ...]
    schema: type[Schema]
    run: Callable  # (complaint, data) -> the case to show afterwards (a reopen shows the new case)
    times: tuple[str, ...] = ("at",)
    lists: tuple[str, ...] = ()
    lines: dict = field(default_factory=dict)


def _concluding(complaint, step: str, *, handler: bool = False):
    """CMP-20, the API's own check: the owner (the handler too where ``handler``), or a supervisor or
    manager; 403 for anyone else."""
    return resolution_api._concluding(complaint.id, step, handler=handler)


def _severity(complaint, data):
    """As ``POST /complaints/<id>/severity``: lowering needs a supervisor."""
    lowering = severity_rules.SEVERITY_RANK[data["severity"]] < severity_rules.SEVERITY_RANK[complaint.severity]
    if lowering and not g.user.has_role(*SUPERVISORS):
        raise Forbidden(f"lowering a severity needs role: {' or '.join(SUPERVISORS)}")
    at = handling.case_time(data.pop("at"), complaint)
    severity.change_severity(complaint, data["severity"], by=g.user.id, at=at, reason=data["reason"],
                             criteria=data["criteria"])
    return complaint


def _escalate(complaint, data):
    at = resolution.fact_at(complaint, data["at"])
    authority.escalate(complaint, reason=data["reason"], amount=data["amount"], note=data["note"], at=at,
                       by=g.user.id)
    return complaint


def _reply(complaint, data):
    if data["final"]:
        _concluding(complaint, "give the final reply to")
    return resolution.reply(complaint, text=data["text"], method=data["method"], final=data["final"], by=g.user.id,
                            at=data["at"])


def _close(complaint, data):
    return resolution.close(_concluding(complaint, "close"), data, by=g.user.id, at=data["at"])


def _reopen(complaint, data):
    at = resolution.fact_at(complaint, data["at"])
    return reopen.reopen(complaint, reason=data["reason"], by=g.user.id, at=at, region=g.tenant.region)


STEPS: dict[str, Step] = {
    "accept": Step(SUPERVISORS, complaint_api.ComplaintAcceptInSchema,
                   lambda c, d: handling.accept(c, by=g.user.id, **d)),
    "reject": Step(SUPERVISORS, complaint_api.ComplaintRejectInSchema,
                   lambda c, d: handling.reject(c, by=g.user.id, **d)),
    "handler": Step(SUPERVISORS, complaint_api.ComplaintHandlerInSchema,
                    lambda c, d: handling.assign_handler(c, by=g.user.id, **d)),
    "finding": Step(SUPERVISORS, complaint_api.ComplaintFindingInSchema,
                    lambda c, d: handling.record_finding(c, by=g.user.id, **d)),
    "severity": Step(TAKERS, complaint_api.ComplaintSeverityInSchema, _severity, lists=("criteria",)),
    "start": Step(TAKERS, resolution_api.CaseStepInSchema,
                  lambda c, d: resolution.start(c, by=g.user.id, at=d["at"], note=d["note"])),
    "demand": Step(TAKERS, resolution_api.CaseDemandInSchema,
                   lambda c, d: resolution.record_demand(c, amount=d["amount"], demands=d["demands"], by=g.user.id,
                                                         at=d["at"], note=d["note"]), lists=("demands",)),
    "escalate": Step(TAKERS, resolution_api.AuthorityEscalationInSchema, _escalate),
    "customer_reply_time": Step(TAKERS, resolution_api.CustomerReplyTimeInSchema,
                                lambda c, d: resolution.fix_customer_reply_time(c, reply_at=d["reply_at"],
                                                                                by=g.user.id, note=d["note"]),
                                times=("reply_at",)),
    "pause": Step(TAKERS, deadline_api.CmpPauseInSchema,
                  lambda c, d: deadlines.pause(c, d["reason"], d["at"], by=g.user.id, note=d["note"]) and c),
    "resume": Step(TAKERS, deadline_api.CmpResumeInSchema,
                   lambda c, d: deadlines.resume(c, d["at"], by=g.user.id, note=d["note"]) and c),
    "solution": Step(TAKERS, resolution_api.CaseSolutionInSchema,
                     lambda c, d: resolution.propose_solution(c, solution=d["solution"], compensation=d["compensation"],
                                                              resolution_method=d["resolution_method"], by=g.user.id,
                                                              at=d["at"])),
    "approval": Step(resolution_api.APPROVERS, resolution_api.SolutionApprovalInSchema,
                     lambda c, d: resolution.decide_approval(c, user_id=g.user.id, roles=set(g.user.roles),
                                                             approve=d["decision"] == "approve", text=d["text"],
                                                             at=d["at"])),
    "reply": Step(TAKERS, resolution_api.CaseReplyInSchema, _reply),
    "resolve": Step(TAKERS, resolution_api.CaseResolveInSchema,
                    lambda c, d: resolution.resolve(_concluding(c, "resolve", handler=True),
                                                    resolution_method=d["resolution_method"],
                                                    action_taken=d["action_taken"], by=g.user.id, at=d["at"])),
    "feedback": Step(TAKERS, resolution_api.CaseFeedbackInSchema,
                     lambda c, d: resolution.record_feedback(c, d, by=g.user.id, at=d["at"])),
    "close": Step(TAKERS, resolution_api.CaseCloseInSchema, _close),
    "reopen": Step(TAKERS, resolution_api.CaseReopenInSchema, _reopen),
}


#: the fields each step form shows (the others' errors are listed at the top of the form)
FIELDS = {
    "accept": ["note", "grounds_sufficient"], "reject": ["reply", "reason"], "handler": ["user_id", "reason"],
    "finding": ["finding", "grounds_sufficient", "demand_reasonable", "note"], "severity": ["severity", "reason"],
    "start": ["note"], "demand": ["amount", "note"], "escalate": ["reason", "amount", "note"],
    "customer_reply_time": ["reply_at", "note"], "pause": ["reason", "note"], "resume": ["note"],
    "solution": ["solution", "compensation", "resolution_method"], "approval": ["decision", "text"],
    "reply": ["text", "method", "final"], "resolve": ["resolution_method", "action_taken"],
    "feedback": ["satisfaction", "satisfaction_comment", "customer_confirmed"],
    "close": ["root_cause", "corrective_action", "preventive_action", "human_negligence", "gap_in_standard",
              "internal_notes"],
    "reopen": ["reason"],
}
