"""Complaint deadlines (CMP-32..36): pauses, customer deadlines, special extensions, stage timers,
promised reply times, reminders and investigation orders. The deadlines themselves (due time, how it
was computed, policy version, paused) are on ``GET /complaints/<complaint_id>`` (CMP-30).

- ``POST /complaints/<complaint_id>/pause`` {reason, note, at} — CMP-33, reason from
  ``cmp.sla.pause_reasons``; ``POST …/resume`` {at, note} — the due times computed again.
- ``POST /complaints/<complaint_id>/customer-deadline`` {milestone, due_at} — CMP-33, only earlier.
- ``POST /complaints/<complaint_id>/special-extension`` {reason} — CMP-33, supervisors.
- ``POST /complaints/<complaint_id>/stages`` {stage, sub_stage, at} — CMP-32, a stage entered;
  ``POST …/stages/finish`` — left (late: a stage breach).
- ``POST /complaints/<complaint_id>/reply-times`` {due_at, text, kind} — CMP-36.
- ``GET /complaints/<complaint_id>/pauses``, ``…/reminders`` (CMP-35), ``…/investigation`` and
  ``POST …/investigation/answer`` {answer} (CMP-35, the responsible department);
  ``GET /complaints/investigations?status=&department_id=``.

Every write answers 422 naming the bad field, 409 when the case or the clock is not in a state for
it, 403 for a role that may not (or the employee complained about, CMP-21); nothing is written then.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.complaints import deadlines, deadlines_orders
from core.complaints.deadlines_models import ORDER_STATUSES
from core.complaints.service import SUBJECT
from core.db import db
from core.sla import engine as sla
from web.api.auth import require_roles
from web.api.complaints import TAKERS, ComplaintDetailSchema, MilestoneSchema, case_for
from web.api.pagination import page_of

PREFIX = "/complaints"
blp = Blueprint("complaint_deadlines", __name__,
                description="Complaint deadlines: pauses, customer deadlines, stages, reply times, reminders (CMP-32..36)")

#: who may grant a special extension (CMP-33: the supervisor or above)
SUPERVISORS = ("supervisor", "cs_supervisor", "cs_manager", "dept_manager", "sales_manager", "vp", "gm", "tenant_admin")


class CmpPauseInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"description": "one of cmp.sla.pause_reasons"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class CmpResumeInSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class CmpCustomerDeadlineInSchema(Schema):
    milestone = fields.String(load_default="resolve", validate=validate.Length(min=1, max=80))
    due_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CmpSpecialExtensionInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None)


class CmpStageInSchema(Schema):
    stage = fields.String(required=True, validate=validate.Length(min=1, max=60))
    sub_stage = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class CmpReplyTimeInSchema(Schema):
    due_at = fields.AwareDateTime(required=True)
    text = fields.String(required=True, validate=validate.Length(max=2000))
    kind = fields.String(load_default="next_reply", validate=validate.OneOf(deadlines.NEXT_REPLY_KINDS))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it was promised; default now"})


class CmpReplyTimeSchema(Schema):
    kind = fields.String()
    due_at = fields.DateTime()
    commitment_id = fields.Integer(allow_none=True, metadata={"description": "CUS-63, when the case has a customer"})
    milestone = fields.String(allow_none=True, metadata={"description": "the clock on the case, without a customer"})


class CmpPauseSchema(Schema):
    id = fields.Integer()
    reason = fields.String()
    note = fields.String(allow_none=True)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    started_by = fields.Integer(allow_none=True)
    ended_by = fields.Integer(allow_none=True)


class CmpReminderSchema(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    dated = fields.Date()
    department_id = fields.Integer(allow_none=True)
    recipients = fields.List(fields.Integer())
    overdue = fields.List(fields.Dict())
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CmpInvestigationSchema(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    department_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    breaches = fields.List(fields.Dict())
    status = fields.String(metadata={"description": "open | answered"})
    answer = fields.String(allow_none=True)
    answered_by = fields.Integer(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CmpInvestigationAnswerInSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(max=10000))


class CmpInvestigationQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    department_id = fields.Integer()


@blp.route("/<int:complaint_id>/pause")
class Pause(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpPauseInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """Pause the case's clocks with a reason (CMP-33)."""
        complaint = case_for(complaint_id)
        deadlines.pause(complaint, data["reason"], data["at"], by=g.user.id, note=data["note"])
        db.session.commit()
        return complaint


@blp.route("/<int:complaint_id>/resume")
class Resume(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpResumeInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """Resume the paused clocks; each due time is computed again without the pause (CMP-33)."""
        complaint = case_for(complaint_id)
        deadlines.resume(complaint, data["at"], by=g.user.id, note=data["note"])
        db.session.commit()
        return complaint


@blp.route("/<int:complaint_id>/pauses")
class Pauses(MethodView):
    @blp.response(200, CmpPauseSchema(many=True))
    def get(self, complaint_id):
        """The case's pauses, oldest first."""
        return sla.pauses_of(SUBJECT, case_for(complaint_id).id)


@blp.route("/<int:complaint_id>/customer-deadline")
class CustomerDeadline(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpCustomerDeadlineInSchema)
    @blp.response(200, MilestoneSchema)
    def post(self, data, complaint_id):
        """The customer's own deadline for a milestone; it applies when earlier (CMP-33)."""
        complaint = case_for(complaint_id)
        row = deadlines.set_customer_deadline(complaint, data["milestone"], data["due_at"], by=g.user.id,
                                              note=data["note"])
        db.session.commit()
        return row


@blp.route("/<int:complaint_id>/special-extension")
class SpecialExtension(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(CmpSpecialExtensionInSchema)
    @blp.response(200, ComplaintDetailSchema)
    def post(self, data, complaint_id):
        """Extend the case to its special limits, with a reason (CMP-33; supervisors)."""
        complaint = case_for(complaint_id)
        deadlines.grant_special_extension(complaint, data["reason"], by=g.user.id, at=data["at"])
        db.session.commit()
        return complaint


@blp.route("/<int:complaint_id>/stages")
class Stages(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpStageInSchema)
    @blp.response(201, MilestoneSchema)
    def post(self, data, complaint_id):
        """The case enters a stage or sub-stage: its timer starts (CMP-32)."""
        complaint = case_for(complaint_id)
        row = deadlines.enter_stage(complaint, data["stage"], data["at"], sub_stage=data["sub_stage"], by=g.user.id)
        db.session.commit()
        return row


@blp.route("/<int:complaint_id>/stages/finish")
class StageFinish(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpStageInSchema)
    @blp.response(200, MilestoneSchema)
    def post(self, data, complaint_id):
        """The case leaves a stage or sub-stage; late is a stage breach, apart from the overall limit (CMP-32)."""
        complaint = case_for(complaint_id)
        row = deadlines.finish_stage(complaint, data["stage"], data["at"], sub_stage=data["sub_stage"], by=g.user.id)
        db.session.commit()
        return row


@blp.route("/<int:complaint_id>/reply-times")
class ReplyTimes(MethodView):
    @require_roles(*TAKERS, admin_scope=False)
    @blp.arguments(CmpReplyTimeInSchema)
    @blp.response(201, CmpReplyTimeSchema)
    def post(self, data, complaint_id):
        """A reply time promised to the customer (CMP-36): a CUS-63 commitment, or a clock on the case."""
        complaint = case_for(complaint_id)
        result = deadlines.fix_next_reply(complaint, data["due_at"], data["text"], kind=data["kind"], by=g.user.id,
                                          at=data["at"])
        db.session.commit()
        return result


@blp.route("/<int:complaint_id>/reminders")
class Reminders(MethodView):
    @blp.response(200, CmpReminderSchema(many=True))
    def get(self, complaint_id):
        """The reminders (催办单) of an overdue case, by day (CMP-35)."""
        return deadlines_orders.reminders_of(case_for(complaint_id))


@blp.route("/<int:complaint_id>/investigation")
class Investigation(MethodView):
    @blp.response(200, CmpInvestigationSchema(many=True))
    def get(self, complaint_id):
        """The investigation order (查办单) of a case closed after a breach (CMP-35), if any."""
        return deadlines_orders.orders_of(case_for(complaint_id))


@blp.route("/<int:complaint_id>/investigation/answer")
class InvestigationAnswer(MethodView):
    @blp.arguments(CmpInvestigationAnswerInSchema)
    @blp.response(200, CmpInvestigationSchema)
    def post(self, data, complaint_id):
        """The responsible department says why the case ran late (CMP-35)."""
        order = deadlines_orders.answer(case_for(complaint_id), data["answer"], by=g.user)
        db.session.commit()
        return order


@blp.route("/investigations")
class Investigations(MethodView):
    @blp.arguments(CmpInvestigationQuerySchema, location="query")
    @blp.response(200, CmpInvestigationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Investigation orders, newest first (a department's open ones: ``status=open&department_id=``)."""
        return page_of(deadlines_orders.investigations(**args), pagination_parameters)
