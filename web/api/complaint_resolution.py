"""A complaint from handling to closure (CMP-41, CMP-42, CMP-50..55). Every write answers with the case
(its solution, approval, reply, closure and authority steps); 409 when the case is not in a state for
the step, 422 naming what is missing, 403 when the caller may not take the step; nothing is written
when a request fails.

- ``POST .../<complaint_id>/start`` received/accepted → in_progress (CMP-41 check of the demand).
- ``POST .../<complaint_id>/demand`` the customer's demand; beyond the authority of the level holding
  the case → offered one level up (CMP-41). ``POST .../escalate`` a person moves it up
  (``dissatisfied`` or ``beyond_authority``).
- ``PUT .../<complaint_id>/customer-reply-time`` the reply time fixed with the customer (CMP-42: a
  major case needs it before its next transition).
- ``GET .../<complaint_id>/major``; ``POST .../major/acknowledge``, ``.../major/meetings`` (minutes),
  ``.../major/group-warning`` (CMP-42).
- ``POST .../solution``, ``.../approval`` (CMP-50); ``.../replies`` (CMP-52); ``.../resolve``;
  ``PUT .../analysis`` (CMP-55); ``POST .../feedback`` (CMP-53); ``.../close`` (CMP-52/53/55). The
  resolve, the final reply and the close are for the case's owner (resolve: its handler too) or a
  supervisor or manager (CMP-20), 403 for anyone else;
  ``.../reopen`` → 201 the new case (CMP-54).
- ``GET .../<complaint_id>/customer-view`` and ``GET /complaints/customer-views?customer_id=`` — the
  customer-facing fields only (CMP-51).
- ``GET/POST .../<complaint_id>/improvements``, ``PATCH .../improvements/<improvement_id>``,
  ``POST .../improvements/<improvement_id>/{sign,countersign,approve,return}`` (CMP-55).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.complaints import authority, improvement, major, reopen, resolution, service
from core.complaints.customer_view import customer_view
from core.complaints.models import Complaint
from core.complaints.resolution_settings import REPLY_METHODS
from core.db import db, utcnow
from core.errors import Forbidden, NotFound
from web.api.auth import require_roles
from web.api.complaints import SUPERVISORS, TAKERS, ComplaintDetailSchema, case_for

PREFIX = "/complaints"
blp = Blueprint("complaint_resolution", __name__,
                description="Complaints from handling to closure: authority ladder, major path, approval, reply, "
                            "closure, reopen, improvement (CMP-41, CMP-42, CMP-50..55)")

#: who records meetings and group warnings of major cases (the GM convenes; the office records)
MAJOR_RECORDERS = ("gm", "vp", "dept_manager", "cs_manager", "assistant", "tenant_admin")
#: who may act on an improvement proposal (the service checks the signer of each step)
SIGNERS = (*TAKERS, "finance", "info_supervisor")
APPROVERS = ("dept_manager", "vp", "gm", "tenant_admin")
_CODE = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="lower-case letters, digits and underscores")


class AuthorityStepSchema(Schema):
    id = fields.Integer()
    from_level = fields.String()
    level = fields.String(metadata={"description": "dept_head | vp | gm"})
    reason = fields.String(metadata={"description": "beyond_authority | dissatisfied"})
    amount = fields.Decimal(as_string=True, allow_none=True)
    limit = fields.Decimal(as_string=True, allow_none=True)
    offered_to = fields.List(fields.Integer())
    skipped = fields.List(fields.String())
    at = fields.DateTime()
    by = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ResolutionCaseSchema(ComplaintDetailSchema):
    """The case with its handling, solution, approval, reply and closure."""

    customer_reply_at = fields.DateTime(allow_none=True)
    solution = fields.String(allow_none=True)
    compensation = fields.Decimal(as_string=True, allow_none=True)
    approval_status = fields.String(allow_none=True, metadata={"description": "not_required | pending | approved | "
                                                                              "returned"})
    approver_role = fields.String(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    approval_text = fields.String(allow_none=True)
    resolution_method = fields.String(allow_none=True)
    action_taken = fields.String(allow_none=True)
    reply_text = fields.String(allow_none=True)
    reply_method = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Integer(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    satisfaction_comment = fields.String(allow_none=True)
    customer_confirmed = fields.Boolean()
    root_cause = fields.String(allow_none=True)
    corrective_action = fields.String(allow_none=True)
    preventive_action = fields.String(allow_none=True)
    human_negligence = fields.Boolean()
    gap_in_standard = fields.Boolean()
    improvement_tracked = fields.Boolean(allow_none=True)
    internal_notes = fields.String(allow_none=True)
    authority_level = fields.Function(authority.current_level, metadata={"description": "handler | dept_head | vp | gm"})
    authority_steps = fields.Function(lambda c: AuthorityStepSchema(many=True).dump(authority.steps_of(c)))


class CaseStepInSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it happened; default now"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CaseDemandInSchema(CaseStepInSchema):
    amount = fields.Decimal(places=2, as_string=True, required=True, validate=validate.Range(min=0, max=10**9))
    demands = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)


class AuthorityEscalationInSchema(CaseStepInSchema):
    reason = fields.String(required=True, validate=validate.OneOf(("dissatisfied", "beyond_authority")))
    amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                            validate=validate.Range(min=0, max=10**9),
                            metadata={"description": "beyond_authority: default the customer's demand"})


class CustomerReplyTimeInSchema(Schema):
    reply_at = fields.AwareDateTime(required=True, metadata={"description": "the reply time agreed with the customer"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class MajorMeetingInSchema(Schema):
    kind = fields.String(load_default="emergency_meeting", validate=validate.OneOf(major.MEETING_KINDS))
    held_at = fields.AwareDateTime(load_default=None)
    minutes = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    attendees = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list)
    resolutions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    convened_by = fields.Integer(load_default=None, allow_none=True)


class MajorMeetingSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    held_at = fields.DateTime()
    convened_by = fields.Integer(allow_none=True)
    attendees = fields.List(fields.String())
    minutes = fields.String()
    resolutions = fields.String(allow_none=True)
    recorded_by = fields.Integer(allow_none=True)


class MajorGroupWarningInSchema(Schema):
    sent_at = fields.AwareDateTime(load_default=None)
    sent_to = fields.List(fields.String(validate=validate.Length(max=100)), required=True,
                          metadata={"description": "e.g. brand division, management, legal, operations VP, CEO"})
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class MajorTrackSchema(Schema):
    complaint_id = fields.Integer()
    flagged_at = fields.DateTime()
    recipients = fields.List(fields.Integer())
    acknowledgements = fields.Dict(metadata={"description": "user id → when acknowledged"})
    ack_due_at = fields.DateTime()
    ack_overdue_at = fields.DateTime(allow_none=True)
    group_warning_due_at = fields.DateTime(allow_none=True)
    group_warning_sent_at = fields.DateTime(allow_none=True)
    group_warning_to = fields.List(fields.String())
    group_warning_text = fields.String(allow_none=True)
    group_warning_overdue_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    meetings = fields.Function(lambda t: MajorMeetingSchema(many=True).dump(
        major.meetings_of(service.get_complaint(t.complaint_id))))


class CaseSolutionInSchema(Schema):
    solution = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    compensation = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                                  validate=validate.Range(min=0, max=10**9))
    resolution_method = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), _CODE])
    at = fields.AwareDateTime(load_default=None)


class SolutionApprovalInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "return")))
    text = fields.String(required=True, validate=validate.Length(min=1, max=10000),
                         metadata={"description": "the approved text (or why it is returned)"})
    at = fields.AwareDateTime(load_default=None)


class CaseReplyInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    method = fields.String(required=True, validate=validate.OneOf(REPLY_METHODS))
    final = fields.Boolean(load_default=True, metadata={
        "description": "true: tells the customer the resolution (needs the approval where required); "
                       "false: first contact or progress"})
    at = fields.AwareDateTime(load_default=None)


class CaseResolveInSchema(Schema):
    resolution_method = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), _CODE])
    action_taken = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    at = fields.AwareDateTime(load_default=None)


class CaseAnalysisInSchema(Schema):
    root_cause = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    corrective_action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    preventive_action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    human_negligence = fields.Boolean(load_default=None, allow_none=True)
    gap_in_standard = fields.Boolean(load_default=None, allow_none=True)
    internal_notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))


class CaseFeedbackInSchema(Schema):
    satisfaction = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=5))
    satisfaction_comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    customer_confirmed = fields.Boolean(load_default=None, allow_none=True)
    at = fields.AwareDateTime(load_default=None)


class CaseCloseInSchema(CaseAnalysisInSchema, CaseFeedbackInSchema):
    resolution_method = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), _CODE])
    action_taken = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000))
    gap_note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000),
                             metadata={"description": "the missing standard or training (the proposal's draft)"})
    gap_kind = fields.String(load_default="standard", validate=validate.OneOf(improvement.KINDS))


class CaseReopenInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000),
                           metadata={"description": "why the customer does not accept the conclusion"})
    at = fields.AwareDateTime(load_default=None)


class ComplaintCustomerViewSchema(Schema):
    """CMP-51: what the customer sees."""

    id = fields.Integer()
    number = fields.String()
    parent_number = fields.String(allow_none=True)
    case_type = fields.String()
    channel = fields.String()
    received_at = fields.DateTime()
    status = fields.String()
    category = fields.String()
    complainant_name = fields.String(allow_none=True)
    subject_ref = fields.String(allow_none=True)
    content = fields.String()
    demands = fields.List(fields.String())
    demand_amount = fields.Decimal(as_string=True, allow_none=True)
    customer_reply_at = fields.DateTime(allow_none=True)
    solution = fields.String(allow_none=True)
    compensation = fields.Decimal(as_string=True, allow_none=True)
    reply_text = fields.String(allow_none=True)
    reply_method = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    satisfaction_comment = fields.String(allow_none=True)
    customer_confirmed = fields.Boolean()


class ComplaintCustomerViewQuerySchema(Schema):
    customer_id = fields.Integer(required=True)


class ComplaintImprovementSchema(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    department_id = fields.Integer(allow_none=True)
    kind = fields.String()
    title = fields.String()
    text = fields.String()
    state = fields.String(metadata={"description": "draft | signed | countersigned | approved"})
    drafted_by = fields.Integer(allow_none=True)
    drafted_at = fields.DateTime()
    signed_by = fields.Integer(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    countersigned_by = fields.Integer(allow_none=True)
    countersigned_at = fields.DateTime(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    returned_note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class ComplaintImprovementInSchema(Schema):
    kind = fields.String(load_default="standard", validate=validate.OneOf(improvement.KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class ComplaintImprovementEditSchema(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(improvement.KINDS))
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    text = fields.String(load_default=None, validate=validate.Length(min=1, max=20000))


class ComplaintImprovementStepSchema(CaseStepInSchema):
    pass


def _concluding(complaint_id: int, step: str, *, handler: bool = False) -> Complaint:
    """CMP-20: the case is concluded (resolved, finally answered, closed) by its owner — whoever took it
    stays answerable until closure — or a supervisor or manager; the handler resolves too. 403 for
    anyone else; the case is read first, so another company's case is still 404."""
    complaint = case_for(complaint_id)
    user = g.user
    if user.id == complaint.owner_id or (handler and user.id == complaint.handler_id) or user.has_role(*SUPERVISORS):
        return complaint
    who = "its owner, its handler" if handler else "its owner"
    raise Forbidden(f"only {who} or a supervisor or manager may {step} this case (CMP-20)")


def _done(complaint: Complaint) -> Complaint:
    db.session.commit()
    return complaint


@blp.route("/<int:complaint_id>/start")
class Start(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseStepInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """received/accepted → in_progress; the demand is checked against the handler's authority (CMP-41)."""
        return _done(resolution.start(case_for(complaint_id), by=g.user.id, at=data["at"], note=data["note"]))


@blp.route("/<int:complaint_id>/demand")
class Demand(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseDemandInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """The customer's demand; beyond the authority of the level holding the case → one level up (CMP-41)."""
        return _done(resolution.record_demand(case_for(complaint_id), amount=data["amount"], demands=data["demands"],
                                              by=g.user.id, at=data["at"], note=data["note"]))


@blp.route("/<int:complaint_id>/escalate")
class Escalate(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(AuthorityEscalationInSchema)
    @blp.response(201, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """Move the case one level up the authority ladder (CMP-41); 409 at the top or within authority."""
        complaint = case_for(complaint_id)
        at = resolution.fact_at(complaint, data["at"])
        authority.escalate(complaint, reason=data["reason"], amount=data["amount"], note=data["note"], at=at,
                           by=g.user.id)
        return _done(complaint)


@blp.route("/<int:complaint_id>/customer-reply-time")
class CustomerReplyTime(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CustomerReplyTimeInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def put(self, data, complaint_id):
        """The reply time fixed with the customer (CMP-42, CMP-36)."""
        return _done(resolution.fix_customer_reply_time(case_for(complaint_id), reply_at=data["reply_at"], by=g.user.id,
                                                        note=data["note"]))


@blp.route("/<int:complaint_id>/major")
class MajorPath(MethodView):
    @blp.response(200, MajorTrackSchema)
    def get(self, complaint_id):
        """The major-complaint path: who was told, acknowledgements, limits, group warning, meetings (CMP-42)."""
        track = major.track_of(case_for(complaint_id))
        if track is None:
            raise NotFound("not a major complaint")
        return track


@blp.route("/<int:complaint_id>/major/acknowledge")
class MajorAcknowledge(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseStepInSchema)
    @blp.response(200, MajorTrackSchema)
    def post(self, data, complaint_id):
        """One of those told acknowledges the major complaint (CMP-42)."""
        complaint = case_for(complaint_id)
        at = resolution.fact_at(complaint, data["at"])
        track = major.acknowledge(complaint, user_id=g.user.id, at=at)
        db.session.commit()
        return track


@blp.route("/<int:complaint_id>/major/meetings")
class MajorMeetings(MethodView):
    @require_roles(*MAJOR_RECORDERS, admin_scope=False)
    @blp.arguments(MajorMeetingInSchema)
    @blp.response(201, MajorMeetingSchema)
    def post(self, data, complaint_id):
        """Minutes of the emergency meeting or crisis team convened by the GM (CMP-42)."""
        complaint = case_for(complaint_id)
        held_at = resolution.fact_at(complaint, data["held_at"], "held_at")
        meeting = major.record_meeting(complaint, kind=data["kind"], held_at=held_at, minutes=data["minutes"],
                                       attendees=data["attendees"], resolutions=data["resolutions"],
                                       convened_by=data["convened_by"], by=g.user.id)
        db.session.commit()
        return meeting


@blp.route("/<int:complaint_id>/major/group-warning")
class MajorGroupWarning(MethodView):
    @require_roles(*MAJOR_RECORDERS, admin_scope=False)
    @blp.arguments(MajorGroupWarningInSchema)
    @blp.response(200, MajorTrackSchema)
    def post(self, data, complaint_id):
        """The warning report sent to the group (CMP-42); 409 for a company not in a group."""
        complaint = case_for(complaint_id)
        sent_at = resolution.fact_at(complaint, data["sent_at"], "sent_at")
        track = major.record_group_warning(complaint, sent_at=sent_at, sent_to=data["sent_to"], text=data["text"],
                                           by=g.user.id)
        db.session.commit()
        return track


@blp.route("/<int:complaint_id>/solution")
class Solution(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseSolutionInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """The proposed solution and compensation; approval requested where required (CMP-50)."""
        return _done(resolution.propose_solution(case_for(complaint_id), solution=data["solution"],
                                                 compensation=data["compensation"],
                                                 resolution_method=data["resolution_method"], by=g.user.id,
                                                 at=data["at"]))


@blp.route("/<int:complaint_id>/approval")
class Approval(MethodView):
    @require_roles(*APPROVERS, admin_scope=False)
    @blp.arguments(SolutionApprovalInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """Approve or return the solution (CMP-50): the approver's role or one above it; 403 otherwise."""
        return _done(resolution.decide_approval(case_for(complaint_id), user_id=g.user.id, roles=set(g.user.roles),
                                                approve=data["decision"] == "approve", text=data["text"],
                                                at=data["at"]))


@blp.route("/<int:complaint_id>/replies")
class Replies(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseReplyInSchema)
    @blp.response(201, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """A reply to the customer and its method (CMP-52); a final one before the required approval → 409."""
        complaint = (_concluding(complaint_id, "give the final reply to") if data["final"]
                     else case_for(complaint_id))
        return _done(resolution.reply(complaint, text=data["text"], method=data["method"],
                                      final=data["final"], by=g.user.id, at=data["at"]))


@blp.route("/<int:complaint_id>/resolve")
class Resolve(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseResolveInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """→ resolved; meets the resolve deadline."""
        return _done(resolution.resolve(_concluding(complaint_id, "resolve", handler=True), resolution_method=data["resolution_method"],
                                        action_taken=data["action_taken"], by=g.user.id, at=data["at"]))


@blp.route("/<int:complaint_id>/analysis")
class Analysis(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseAnalysisInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def put(self, data, complaint_id):
        """Root cause, corrective and preventive actions, gap in the standards, internal notes (CMP-55)."""
        return _done(resolution.record_analysis(case_for(complaint_id), data, by=g.user.id))


@blp.route("/<int:complaint_id>/feedback")
class Feedback(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseFeedbackInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """The customer's satisfaction (1–5, comment) and confirmation of the handling record (CMP-53)."""
        return _done(resolution.record_feedback(case_for(complaint_id), data, by=g.user.id, at=data["at"]))


@blp.route("/<int:complaint_id>/close")
class Close(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseCloseInSchema)
    @blp.response(200, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """resolved → closed (CMP-52/53/55); 422 naming each missing condition."""
        return _done(resolution.close(_concluding(complaint_id, "close"), data, by=g.user.id, at=data["at"]))


@blp.route("/<int:complaint_id>/reopen")
class Reopen(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CaseReopenInSchema)
    @blp.response(201, ResolutionCaseSchema)
    def post(self, data, complaint_id):
        """A new case linked to this one, with a fresh number and clock; not a repeat (CMP-54)."""
        parent = case_for(complaint_id)
        at = resolution.fact_at(parent, data["at"])
        return _done(reopen.reopen(parent, reason=data["reason"], by=g.user.id, at=at, region=g.tenant.region))


def _parent_number(complaint: Complaint) -> str | None:
    if complaint.parent_id is None:
        return None
    return db.session.scalar(select(Complaint.number).where(Complaint.id == complaint.parent_id))


@blp.route("/<int:complaint_id>/customer-view")
class CustomerView(MethodView):
    @blp.response(200, ComplaintCustomerViewSchema)
    def get(self, complaint_id):
        """The case as the customer sees it: customer-facing fields only (CMP-51)."""
        complaint = case_for(complaint_id)
        return customer_view(complaint, _parent_number(complaint))


@blp.route("/customer-views")
class CustomerViews(MethodView):
    @blp.arguments(ComplaintCustomerViewQuerySchema, location="query")
    @blp.response(200, ComplaintCustomerViewSchema(many=True))
    def get(self, args):
        """A customer's cases for the customer (export, portal): customer-facing fields only (CMP-51)."""
        cases = db.session.scalars(service.search(customer_id=args["customer_id"]))
        return [customer_view(c, _parent_number(c)) for c in cases]


@blp.route("/<int:complaint_id>/improvements")
class Improvements(MethodView):
    @blp.response(200, ComplaintImprovementSchema(many=True))
    def get(self, complaint_id):
        """The case's improvement proposals (CMP-55)."""
        return improvement.improvements_of(case_for(complaint_id))

    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementInSchema)
    @blp.response(201, ComplaintImprovementSchema)
    def post(self, data, complaint_id):
        """Draft an improvement proposal (new standard or training) for the case (CMP-55)."""
        row = improvement.draft(case_for(complaint_id), kind=data["kind"], title=data["title"], text=data["text"],
                                by=g.user.id, at=utcnow())
        db.session.commit()
        return row


@blp.route("/<int:complaint_id>/improvements/<int:improvement_id>")
class ImprovementItem(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementEditSchema)
    @blp.response(200, ComplaintImprovementSchema)
    def patch(self, data, complaint_id, improvement_id):
        """Edit a draft proposal (409 once signed: return it first)."""
        complaint = case_for(complaint_id)
        row = improvement.edit(complaint, improvement.get_improvement(complaint, improvement_id), data, by=g.user.id)
        db.session.commit()
        return row


def _act(action: str, data: dict, complaint_id: int, improvement_id: int):
    complaint = case_for(complaint_id)
    row = improvement.get_improvement(complaint, improvement_id)
    at = resolution.fact_at(complaint, data["at"])
    row = improvement.act(complaint, row, action, user_id=g.user.id, note=data["note"], at=at)
    db.session.commit()
    return row


@blp.route("/<int:complaint_id>/improvements/<int:improvement_id>/sign")
class ImprovementSign(MethodView):
    @require_roles(*SIGNERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementStepSchema)
    @blp.response(200, ComplaintImprovementSchema)
    def post(self, data, complaint_id, improvement_id):
        """The head of the responsible department signs the draft (CMP-55)."""
        return _act("sign", data, complaint_id, improvement_id)


@blp.route("/<int:complaint_id>/improvements/<int:improvement_id>/countersign")
class ImprovementCountersign(MethodView):
    @require_roles(*SIGNERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementStepSchema)
    @blp.response(200, ComplaintImprovementSchema)
    def post(self, data, complaint_id, improvement_id):
        """Marketing countersigns (CMP-55; cmp.improvement.countersign_department)."""
        return _act("countersign", data, complaint_id, improvement_id)


@blp.route("/<int:complaint_id>/improvements/<int:improvement_id>/approve")
class ImprovementApprove(MethodView):
    @require_roles(*SIGNERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementStepSchema)
    @blp.response(200, ComplaintImprovementSchema)
    def post(self, data, complaint_id, improvement_id):
        """The GM office, or a GM, approves (CMP-55; cmp.improvement.approve_department)."""
        return _act("approve", data, complaint_id, improvement_id)


@blp.route("/<int:complaint_id>/improvements/<int:improvement_id>/return")
class ImprovementReturn(MethodView):
    @require_roles(*SIGNERS, admin_scope=False)
    @blp.arguments(ComplaintImprovementStepSchema)
    @blp.response(200, ComplaintImprovementSchema)
    def post(self, data, complaint_id, improvement_id):
        """Back to draft with a note, by whoever may take the proposal's next step (CMP-55)."""
        return _act("return", data, complaint_id, improvement_id)
