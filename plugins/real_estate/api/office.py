"""The sales office's reports, follow-up sheet and plans (RE-50..RE-52), under ``/api/v1/re/office``.

Reports (RE-50; managers, the sales assistant and finance: :data:`READERS`), days in the tenant's zone:

- ``GET /projects/<project_id>/daily?day=`` → the visitor and call statistics of a day (default today);
- ``GET /projects/<project_id>/conversion?period=week|month&day=`` → the visit/call-to-deal analysis of
  the week (Monday..Sunday) or month holding ``day``, with its days;
- ``GET /projects/<project_id>/deposits?kind=small|big&date_from=&date_to=`` → a deposit register
  (default: this month so far), in the order received;
- ``GET /projects/<project_id>/signings?date_from=&date_to=`` → the signing list, in signing order;
- ``GET /projects/<project_id>/export?report=daily|week|month|small_deposits|big_deposits|signings&day=&date_from=&date_to=``
  → the report as CSV (UTF-8 with a BOM, opens in Excel).

The A/B follow-up sheet (RE-51; the supervisor and managers see all, a salesperson their own customers):

- ``GET /follow-up-sheet`` → the tracked customers, the longest without an entry first;
- ``GET /customers/<customer_id>/follow-ups``; ``POST`` ``{intent_class, day, note, salesperson_id}`` → 201;
- ``GET /follow-ups/<follow_up_id>``.

Plans (RE-52; salespeople and managers write them, managers read everyone's):

- ``GET /plans?user_id=&kind=``; ``POST /plans`` ``{kind: daily|weekly, plan, day}`` → 201 (409 when that
  day's plan is handed in already);
- ``GET /plans/<plan_id>`` (own, or a manager; 403 otherwise); ``POST /plans/<plan_id>/summary``
  ``{summary}`` → the end-of-day summary of one's own daily plan.
"""
from __future__ import annotations

import io

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.plugins.records import ApiEndpoints
from plugins.real_estate import follow_ups, plans, reports
from plugins.real_estate.office_models import PLAN_KINDS
from plugins.real_estate.portal import OFFICE_MANAGERS
from web.api.auth import require_roles

bp = Blueprint("re_office", __name__, description="Real estate: the sales office's reports, A/B follow-up "
                                                   "sheet and plans (RE-50..52)")
ENDPOINTS = ApiEndpoints("real_estate", bp, "/re/office")

READERS = (*OFFICE_MANAGERS, "assistant", "finance")
SHEET_USERS = (*OFFICE_MANAGERS, "salesperson")
PLAN_USERS = (*plans.PLANNERS, *plans.PLAN_READERS)


class ReOfficeDayQuerySchema(Schema):
    day = fields.Date(load_default=None, metadata={"description": "local day (default today)"})


class ReOfficeConversionQuerySchema(ReOfficeDayQuerySchema):
    period = fields.String(load_default="week", validate=validate.OneOf(reports.PERIODS))


class ReOfficePeriodQuerySchema(Schema):
    date_from = fields.Date(load_default=None, metadata={"description": "first local day (default: the 1st)"})
    date_to = fields.Date(load_default=None, metadata={"description": "last local day (default: today)"})


class ReOfficeDepositQuerySchema(ReOfficePeriodQuerySchema):
    kind = fields.String(load_default="small", validate=validate.OneOf(("small", "big")))


class ReOfficeExportQuerySchema(ReOfficePeriodQuerySchema):
    report = fields.String(load_default="daily", validate=validate.OneOf(reports.EXPORTS))
    day = fields.Date(load_default=None)


class ReOfficeDailySchema(Schema):
    day = fields.Date()
    visits = fields.Integer()
    new_visitors = fields.Integer()
    returning_visitors = fields.Integer()
    calls = fields.Integer()
    small_deposits = fields.Integer()
    big_deposits = fields.Integer()
    subscriptions = fields.Integer()
    contracts = fields.Integer()
    rule_id = fields.String()


class ReOfficeConversionSchema(Schema):
    period = fields.String()
    start = fields.Date()
    end = fields.Date()
    visits = fields.Integer()
    new_visitors = fields.Integer()
    calls = fields.Integer()
    subscriptions = fields.Integer(metadata={"description": "the deals (RE-26)"})
    visit_conversion = fields.Decimal(as_string=True, allow_none=True,
                                      metadata={"description": "deals per new visitor, percent"})
    call_conversion = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "deals per call, percent"})
    rule_id = fields.String()
    days = fields.List(fields.Nested(ReOfficeDailySchema))


class ReOfficeDepositRowSchema(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    unit_id = fields.Integer()
    unit = fields.String()
    customer_id = fields.Integer()
    customer = fields.String()
    salesperson_id = fields.Integer(allow_none=True)
    salesperson = fields.String()
    amount = fields.Decimal(as_string=True, places=2)
    receipt_no = fields.String()
    refunded_at = fields.DateTime(allow_none=True)


class ReOfficeSigningRowSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    signed_at = fields.DateTime()
    unit_id = fields.Integer()
    unit = fields.String()
    customer_id = fields.Integer()
    buyer_name = fields.String()
    price = fields.Decimal(as_string=True, places=2)
    salesperson_id = fields.Integer(allow_none=True)
    salesperson = fields.String()
    custodian_id = fields.Integer()
    custodian = fields.String()


def period_of(args) -> tuple:
    """The query's period: ``date_from`` (default the 1st of this month) to ``date_to`` (default today)."""
    day = reports.today()
    return args["date_from"] or reports.rules.month_of(day)[0], args["date_to"] or day


@bp.route("/projects/<int:project_id>/daily")
class Daily(MethodView):
    @require_roles(*READERS)
    @bp.arguments(ReOfficeDayQuerySchema, location="query")
    @bp.response(200, ReOfficeDailySchema)
    def get(self, args, project_id):
        """RE-50: the visitor and call statistics (来人来电统计表) of a day."""
        return reports.daily_dict(reports.daily(project_id, args["day"] or reports.today()))


@bp.route("/projects/<int:project_id>/conversion")
class Conversion(MethodView):
    @require_roles(*READERS)
    @bp.arguments(ReOfficeConversionQuerySchema, location="query")
    @bp.response(200, ReOfficeConversionSchema)
    def get(self, args, project_id):
        """RE-50: the weekly or monthly visit/call-to-deal analysis."""
        result, days = reports.conversion(project_id, args["period"], args["day"] or reports.today())
        return reports.conversion_dict(result, days)


@bp.route("/projects/<int:project_id>/deposits")
class Deposits(MethodView):
    @require_roles(*READERS)
    @bp.arguments(ReOfficeDepositQuerySchema, location="query")
    @bp.response(200, ReOfficeDepositRowSchema(many=True))
    def get(self, args, project_id):
        """RE-50: the small or big deposit register of a period."""
        return reports.deposit_register(project_id, args["kind"], *period_of(args))


@bp.route("/projects/<int:project_id>/signings")
class Signings(MethodView):
    @require_roles(*READERS)
    @bp.arguments(ReOfficePeriodQuerySchema, location="query")
    @bp.response(200, ReOfficeSigningRowSchema(many=True))
    def get(self, args, project_id):
        """RE-50: the signing list of a period."""
        return reports.signing_list(project_id, *period_of(args))


@bp.route("/projects/<int:project_id>/export")
class Export(MethodView):
    @require_roles(*READERS)
    @bp.arguments(ReOfficeExportQuerySchema, location="query")
    @bp.response(200, content_type="text/csv")
    def get(self, args, project_id):
        """RE-50: one report as CSV (UTF-8 with a BOM)."""
        name, data = reports.export_csv(project_id, args["report"], args["day"], args["date_from"], args["date_to"])
        return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name)


# ------------------------------------------------------------------ RE-51 the follow-up sheet


class ReOfficeSheetLineSchema(Schema):
    customer_id = fields.Integer()
    customer = fields.String()
    intent_class = fields.String()
    salesperson_id = fields.Integer(allow_none=True)
    on_sheet_since = fields.Date()
    last_follow_up_on = fields.Date(allow_none=True)
    last_note = fields.String(allow_none=True)


class ReOfficeFollowUpSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    salesperson_id = fields.Integer()
    intent_class = fields.String()
    day = fields.Date()
    note = fields.String()
    entered_by = fields.Integer(allow_none=True)
    entered_at = fields.DateTime()


class ReOfficeFollowUpInSchema(Schema):
    intent_class = fields.String(required=True, validate=validate.Length(min=1, max=1))
    day = fields.Date(load_default=None, metadata={"description": "the evening meeting's day (default today)"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=follow_ups.NOTE_MAX))
    salesperson_id = fields.Integer(load_default=None, metadata={"description": "default: the caller"})


@bp.route("/follow-up-sheet")
class Sheet(MethodView):
    @require_roles(*SHEET_USERS)
    @bp.response(200, ReOfficeSheetLineSchema(many=True))
    def get(self):
        """RE-51: the A/B follow-up sheet (客户追踪表)."""
        return follow_ups.sheet(g.user)


@bp.route("/customers/<int:customer_id>/follow-ups")
class CustomerFollowUps(MethodView):
    @require_roles(*SHEET_USERS)
    @bp.response(200, ReOfficeFollowUpSchema(many=True))
    def get(self, customer_id):
        """A customer's follow-up entries, latest first."""
        return follow_ups.entries_of(customer_id, g.user)[1]

    @require_roles(*SHEET_USERS, admin_scope=False)
    @bp.arguments(ReOfficeFollowUpInSchema)
    @bp.response(201, ReOfficeFollowUpSchema)
    def post(self, data, customer_id):
        """RE-51: enter the day's follow-up of a customer (from the evening meeting)."""
        entry = follow_ups.add_entry(customer_id, data, g.user)
        db.session.commit()
        return entry


@bp.route("/follow-ups/<int:follow_up_id>")
class FollowUpItem(MethodView):
    @require_roles(*SHEET_USERS)
    @bp.response(200, ReOfficeFollowUpSchema)
    def get(self, follow_up_id):
        """One follow-up entry."""
        return follow_ups.get_entry(follow_up_id, g.user)


# ------------------------------------------------------------------ RE-52 plans


class ReOfficePlanSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    kind = fields.String()
    day = fields.Date(metadata={"description": "daily: the day planned; weekly: the weekly-plan day (Saturday)"})
    plan = fields.String()
    summary = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    summarised_at = fields.DateTime(allow_none=True)


class ReOfficePlanInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(PLAN_KINDS))
    plan = fields.String(required=True, validate=validate.Length(min=1, max=plans.TEXT_MAX))
    day = fields.Date(load_default=None, metadata={"description": "daily: the day planned (default today)"})


class ReOfficePlanQuerySchema(Schema):
    user_id = fields.Integer(load_default=None, metadata={"description": "managers: anyone's; default: all"})
    kind = fields.String(load_default=None, validate=validate.OneOf(PLAN_KINDS))


class ReOfficeSummaryInSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=1, max=plans.TEXT_MAX))


@bp.route("/plans")
class Plans(MethodView):
    @require_roles(*PLAN_USERS)
    @bp.arguments(ReOfficePlanQuerySchema, location="query")
    @bp.response(200, ReOfficePlanSchema(many=True))
    def get(self, args):
        """Plans, latest first: one's own, or (managers) anyone's."""
        return plans.plans_for(g.user, user_id=args["user_id"], kind=args["kind"])

    @require_roles(*plans.PLANNERS, admin_scope=False)
    @bp.arguments(ReOfficePlanInSchema)
    @bp.response(201, ReOfficePlanSchema)
    def post(self, data):
        """RE-52: hand in the daily plan or the weekly plan."""
        plan = plans.submit(data, g.user)
        db.session.commit()
        return plan


@bp.route("/plans/<int:plan_id>")
class PlanItem(MethodView):
    @require_roles(*PLAN_USERS)
    @bp.response(200, ReOfficePlanSchema)
    def get(self, plan_id):
        """One plan (own, or a manager)."""
        return plans.get_plan(plan_id, g.user)


@bp.route("/plans/<int:plan_id>/summary")
class PlanSummary(MethodView):
    @require_roles(*PLAN_USERS, admin_scope=False)  # the author only: checked on the plan (404 before 403)
    @bp.arguments(ReOfficeSummaryInSchema)
    @bp.response(200, ReOfficePlanSchema)
    def post(self, data, plan_id):
        """RE-52: the end-of-day summary of one's own daily plan."""
        plan = plans.summarise(plan_id, data, g.user)
        db.session.commit()
        return plan
