"""Service reports (SVC-40): statistics, exports, monthly packs.

- ``GET /service-reports/statistics?date_from=&date_to=`` → the report of the local days (default: this
  month so far) as JSON: open orders by type and technician, on-time rate per milestone, fees collected
  vs remitted, service statistics. At most 366 days (422 otherwise).
- ``POST /service-reports/exports`` {format: csv|json, date_from, date_to} → 202 the export job (follow
  it at ``/jobs/<id>``: progress by section); ``GET /service-reports/exports/<job_id>/download`` once
  finished (CSV with a BOM that opens in Excel; 409 while it runs).
- ``GET /service-reports/packs`` → the stored monthly packs, latest first;
  ``GET /service-reports/packs/<service_pack_id>`` → one pack with its report;
  ``.../download?format=csv|json``; ``POST /service-reports/packs`` {as_of} → 202 the monthly job run
  for ``as_of`` (a missed run made up; a pack that exists is not built again).

Reports show the whole company's orders, technicians and money: managers and finance only.
"""
from __future__ import annotations

import io

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from core.calendar.service import tenant_calendar, year_errors
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.service import reports_jobs
from core.service import reports_packs as packs
from core.service import reports_rules as rules
from core.service.reports import statistics
from core.service.reports_export import csv_bytes, json_bytes, report_tables
from web.api.auth import require_roles
from web.api.jobs import JobSchema, _job, shown
from web.api.pagination import page_of
from workers import dispatch

PREFIX = "/service-reports"
blp = Blueprint("service_reports", __name__,
                description="Service reports: open orders, on-time rate, fees, statistics, exports, monthly packs (SVC-40)")

READERS = ("tenant_admin", "gm", "vp", "dept_manager", "supervisor", "cs_manager", "finance")
FORMATS = reports_jobs.FORMATS


class ServiceReportPeriodSchema(Schema):
    date_from = fields.Date(load_default=None, metadata={"description": "first local day (default: the 1st of this month)"})
    date_to = fields.Date(load_default=None, metadata={"description": "last local day, inclusive (default: today)"})

    @validates_schema
    def _order(self, data, **kwargs):
        first, last = data.get("date_from"), data.get("date_to")
        errors = {**year_errors(first, "date_from"), **year_errors(last, "date_to")}
        if errors:
            raise ValidationError(errors)
        if first and last and last < first:
            raise ValidationError("the period ends before it starts", "date_to")
        if first and last and (last - first).days >= rules.MAX_DAYS:
            raise ValidationError(f"at most {rules.MAX_DAYS} days in one report", "date_to")


class ServiceReportExportInSchema(ServiceReportPeriodSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS))


class ServiceStatisticsSchema(Schema):
    period = fields.Dict()
    open_orders = fields.Dict(metadata={"description": "at, rows by type and technician, by_type, by_technician, total"})
    on_time = fields.List(fields.Dict(), metadata={"description": "per milestone: due, met_on_time, met_late, "
                                                                 "not_met, rate (%, one decimal)"})
    fees = fields.Dict(metadata={"description": "collected, remitted, remitted_on_time, outstanding, overdue, void "
                                                "(count, amount), parts, labour, rates, by_collector, "
                                                "remitted_in_period"})
    statistics = fields.Dict(metadata={"description": "types (requested, states, completed, average hours to "
                                                      "complete, cancelled), total"})

    @post_dump(pass_original=True)
    def _other_sections(self, data, original, **kwargs):
        """Sections added to core.service.reports.SECTIONS are shown as they are."""
        return {**{k: v for k, v in original.items() if k not in data}, **data}


class ServiceReportDownloadSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS))


class ServiceReportPackQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(rules.PACK_KINDS))


class ServiceReportPackInSchema(Schema):
    as_of = fields.AwareDateTime(load_default=None, metadata={"description": "run as if at this moment (default now)"})


class ServiceReportPackSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    period_key = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    period_start = fields.DateTime()
    period_end = fields.DateTime()
    as_of = fields.DateTime()
    built_at = fields.DateTime()
    job_id = fields.Integer(allow_none=True)
    policy_version = fields.Integer()
    decision_id = fields.Integer(allow_none=True)
    summary = fields.Dict()


class ServiceReportPackDetailSchema(ServiceReportPackSchema):
    data = fields.Dict()


def _period(args) -> rules.Period:
    calendar, _ = tenant_calendar()
    today = calendar.local_date(utcnow())
    last = args["date_to"] or today
    first = args["date_from"] or last.replace(day=1)
    try:
        return rules.custom_period(first, last)
    except ValueError as exc:  # again with the defaults filled in (a date_from years ago)
        field = "date_to" if args["date_to"] is not None or args["date_from"] is None else "date_from"
        raise InvalidInput("invalid period", fields={field: [str(exc)]}) from None


@blp.route("/statistics")
class Statistics(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ServiceReportPeriodSchema, location="query")
    @blp.response(200, ServiceStatisticsSchema)
    def get(self, args):
        """The service report of a period, now (SVC-40)."""
        return statistics(_period(args), as_of=utcnow())


@blp.route("/exports")
class Exports(MethodView):
    @require_roles(*READERS, admin_scope=False)
    @blp.arguments(ServiceReportExportInSchema)
    @blp.response(202, JobSchema)
    def post(self, args):
        """Export the report of a period as CSV or JSON (a job with progress; then download the file)."""
        period = _period(args)
        job = dispatch.enqueue(reports_jobs.EXPORT_JOB, {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
            "format": args["format"], "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/exports/<int:job_id>/download")
class ExportDownload(MethodView):
    @require_roles(*READERS)
    @blp.response(200, content_type="text/csv")
    def get(self, job_id):
        """The file of a finished export: CSV (UTF-8 with BOM) or JSON, as asked for."""
        job = _job(job_id)
        if job.name != reports_jobs.EXPORT_JOB:
            raise NotFound("export not found")
        if job.status != "finished":
            raise Conflict(f"the export is {job.status}", job_status=job.status)
        fmt = job.result.get("format", "csv")
        path = reports_jobs.export_path(job.tenant_id, job.id, fmt)
        if not path.exists():
            raise NotFound("the export file is gone; start a new export")
        return send_file(path, mimetype="application/json" if fmt == "json" else "text/csv", as_attachment=True,
                         download_name=f"service-{g.tenant.slug}-{job.result['period'].replace('..', '_')}.{fmt}")


@blp.route("/packs")
class Packs(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ServiceReportPackQuerySchema, location="query")
    @blp.response(200, ServiceReportPackSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The stored report packs, latest period first."""
        return page_of(packs.packs(args.get("kind")), pagination_parameters)

    @require_roles(*READERS, admin_scope=False)
    @blp.arguments(ServiceReportPackInSchema)
    @blp.response(202, JobSchema)
    def post(self, data):
        """Run the monthly job for a moment (default now): builds the previous month's pack if missing."""
        as_of = fact_time(data["as_of"], "as_of")
        job = dispatch.enqueue(reports_jobs.MONTHLY_JOB, {"as_of": as_of.isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/packs/<int:service_pack_id>")
class PackItem(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ServiceReportPackDetailSchema)
    def get(self, service_pack_id):
        """One pack with its report."""
        return packs.get_pack(service_pack_id)


@blp.route("/packs/<int:service_pack_id>/download")
class PackDownload(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ServiceReportDownloadSchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args, service_pack_id):
        """A pack as a file: CSV (UTF-8 with BOM, opens in Excel) or JSON."""
        pack = packs.get_pack(service_pack_id)
        name = f"service-{pack.kind}-{pack.period_key}"
        if args["format"] == "json":
            return send_file(io.BytesIO(json_bytes(pack.data)), mimetype="application/json", as_attachment=True,
                             download_name=f"{name}.json")
        return send_file(io.BytesIO(csv_bytes(report_tables(pack.data))), mimetype="text/csv", as_attachment=True,
                         download_name=f"{name}.csv")
