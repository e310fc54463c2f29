"""Complaint reports (CMP-80) and the daily digest (CMP-81): statistics, exports, scheduled packs.

- ``GET /complaint-reports/statistics?date_from=&date_to=&basis=received|closed`` → the statistics of
  the local days (default: this month so far, cases received) as JSON.
- ``POST /complaint-reports/exports`` {date_from, date_to, basis} → 202 the export job (follow it at
  ``/jobs/<id>``: progress by section); ``GET /complaint-reports/exports/<job_id>/download?format=csv|json``
  once finished (CSV with a BOM that opens in Excel; 409 while it runs).
- ``GET /complaint-reports/packs?kind=`` → the stored packs (monthly statistics, weekly reports,
  half-year reviews, daily digests), latest period first; ``GET /complaint-reports/packs/<pack_id>``
  → one pack with its report; ``.../download?format=csv|json``.
- ``POST /complaint-reports/packs`` {kind, as_of} → 202 the pack's job run for ``as_of`` (a missed run
  made up; a pack that exists is not built again).

Reports show the whole tenant's cases, employees complained about included: managers only.
"""
from __future__ import annotations

import io

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar.service import tenant_calendar, year_errors
from core.complaints import reports_jobs
from core.complaints import reports_packs as packs
from core.complaints import reports_rules as rules
from core.complaints.reports import statistics
from core.complaints.reports_export import csv_bytes, json_bytes, sections_of
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.errors import Conflict, InvalidInput, NotFound
from web.api.auth import require_roles
from web.api.jobs import JobSchema, _job, shown
from web.api.pagination import page_of
from workers import dispatch

PREFIX = "/complaint-reports"
blp = Blueprint("complaint_reports", __name__,
                description="Complaint reports: statistics, exports, monthly/weekly/half-year packs, daily digest (CMP-80/81)")

READERS = ("tenant_admin", "gm", "vp", "dept_manager", "cs_manager", "cs_supervisor")
PACK_JOBS = {rules.MONTHLY: "cmp.monthly_statistics", rules.WEEKLY: "cmp.weekly_reports",
             rules.HALF_YEAR: "cmp.half_year_review", rules.DIGEST: "cmp.daily_digest"}
FORMATS = ("csv", "json")
MAX_DAYS = 366  # a year at most per report


class ComplaintReportPeriodSchema(Schema):
    date_from = fields.Date(load_default=None, metadata={"description": "first local day (default: the 1st of this month)"})
    date_to = fields.Date(load_default=None, metadata={"description": "last local day, inclusive (default: today)"})
    basis = fields.String(load_default="received", validate=validate.OneOf(rules.BASES),
                          metadata={"description": "count the cases received or closed in the period"})

    @validates_schema
    def _order(self, data, **kwargs):
        first, last = data.get("date_from"), data.get("date_to")
        errors = {**year_errors(first, "date_from"), **year_errors(last, "date_to")}
        if errors:
            raise ValidationError(errors)
        if first and last and last < first:
            raise ValidationError("the period ends before it starts", "date_to")
        if first and last and (last - first).days >= MAX_DAYS:
            raise ValidationError(f"at most {MAX_DAYS} days in one report", "date_to")


class ComplaintStatisticsSchema(Schema):
    period = fields.Dict()
    summary = fields.Dict(metadata={"description": "issues (linked cases folded, CMP-13), complainants, cases, "
                                                  "major, repeats, repeat_rate"})
    open_overdue = fields.Dict(metadata={"description": "at, rows by department and handler, total"})
    sla_attainment = fields.List(fields.Dict(), metadata={"description": "per milestone: due, met_on_time, "
                                                                        "met_late, not_met, rate"})
    case_types = fields.List(fields.Dict())
    severities = fields.List(fields.Dict())
    departments = fields.List(fields.Dict())
    categories = fields.List(fields.Dict())
    causes = fields.List(fields.Dict())
    cause_classes = fields.List(fields.Dict())
    root_causes = fields.List(fields.Dict())
    employees = fields.List(fields.Dict(), metadata={"description": "issues per employee complained about"})
    satisfaction = fields.Dict(metadata={"description": "responses, mean, distribution 1..5"})
    return_visits = fields.Dict(allow_none=True, metadata={"description": "the return-visit rate; null until "
                                                                         "return visits are recorded"})


class ComplaintReportDownloadSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS))


class ComplaintReportPackQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(rules.PACK_KINDS))


class ComplaintReportPackInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(rules.PACK_KINDS))
    as_of = fields.AwareDateTime(load_default=None, metadata={"description": "run as if at this moment (default now)"})


class ComplaintReportPackSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    period_key = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    basis = fields.String()
    period_start = fields.DateTime()
    period_end = fields.DateTime()
    due_on = fields.Date(allow_none=True)
    as_of = fields.DateTime()
    built_at = fields.DateTime()
    job_id = fields.Integer(allow_none=True)
    policy_version = fields.Integer()
    decision_id = fields.Integer(allow_none=True)
    summary = fields.Dict()


class ComplaintReportPackDetailSchema(ComplaintReportPackSchema):
    data = fields.Dict()


def _period(args) -> rules.Period:
    calendar, _ = tenant_calendar()
    today = calendar.local_date(utcnow())
    last = args["date_to"] or today
    first = args["date_from"] or last.replace(day=1)
    if last < first:
        raise InvalidInput("invalid period", fields={"date_to": ["the period ends before it starts"]})
    if (last - first).days >= MAX_DAYS:  # again with the defaults filled in (a date_from years ago)
        field = "date_to" if args["date_to"] is not None or args["date_from"] is None else "date_from"
        raise InvalidInput("invalid period", fields={field: [f"at most {MAX_DAYS} days in one report"]})
    return rules.custom_period(first, last, args["basis"])


def _file(data: dict, fmt: str, name: str):
    if fmt == "json":
        return send_file(io.BytesIO(json_bytes(data)), mimetype="application/json", as_attachment=True,
                         download_name=f"{name}.json")
    return send_file(io.BytesIO(csv_bytes(sections_of(data))), mimetype="text/csv", as_attachment=True,
                     download_name=f"{name}.csv")


@blp.route("/statistics")
class Statistics(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ComplaintReportPeriodSchema, location="query")
    @blp.response(200, ComplaintStatisticsSchema)
    def get(self, args):
        """The complaint statistics of a period, now (CMP-80)."""
        period = _period(args)
        return statistics(period, as_of=utcnow())


@blp.route("/exports")
class Exports(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.arguments(ComplaintReportPeriodSchema)
    @blp.response(202, JobSchema)
    def post(self, args):
        """Export the statistics of a period (a job with progress; then download CSV or JSON)."""
        period = _period(args)
        job = dispatch.enqueue("cmp.report_export", {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(), "basis": period.basis,
            "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/exports/<int:job_id>/download")
class ExportDownload(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ComplaintReportDownloadSchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args, job_id):
        """The file of a finished export: CSV (UTF-8 with BOM) or JSON."""
        job = _job(job_id)
        if job.name != "cmp.report_export":
            raise NotFound("export not found")
        if job.status != "finished":
            raise Conflict(f"the export is {job.status}", job_status=job.status)
        path = reports_jobs.export_path(job.tenant_id, job.id, args["format"])
        if not path.exists():
            raise NotFound("the export file is gone; start a new export")
        mimetype = "application/json" if args["format"] == "json" else "text/csv"
        return send_file(path, mimetype=mimetype, as_attachment=True,
                         download_name=f"complaints-{g.tenant.slug}-{job.result['period'].replace('..', '_')}"
                                       f".{args['format']}")


@blp.route("/packs")
class Packs(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ComplaintReportPackQuerySchema, location="query")
    @blp.response(200, ComplaintReportPackSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The stored report packs, latest period first."""
        return page_of(packs.packs(args.get("kind")), pagination_parameters)

    @require_roles(*READERS, admin_scope=False)
    @blp.arguments(ComplaintReportPackInSchema)
    @blp.response(202, JobSchema)
    def post(self, data):
        """Run a pack's job for a moment (default now): builds the pack of that moment's period if missing."""
        as_of = fact_time(data["as_of"], "as_of")
        job = dispatch.enqueue(PACK_JOBS[data["kind"]], {"as_of": as_of.isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/packs/<int:pack_id>")
class PackItem(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ComplaintReportPackDetailSchema)
    def get(self, pack_id):
        """One pack with its report."""
        return packs.get_pack(pack_id)


@blp.route("/packs/<int:pack_id>/download")
class PackDownload(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ComplaintReportDownloadSchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args, pack_id):
        """A pack as a file: CSV (UTF-8 with BOM, opens in Excel) or JSON."""
        pack = packs.get_pack(pack_id)
        return _file(pack.data, args["format"], f"{pack.kind}-{pack.period_key.replace('..', '_')}")
