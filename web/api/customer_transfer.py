"""Import and export of customers (capability 11): jobs with progress and a row-level report.

- ``POST /customers/imports`` (multipart: ``file`` = .csv or .xlsx) → 202 with the import job; the
  header is checked at once (422 on ``file`` for an unreadable file or a missing name column). Follow
  the job at ``/jobs/<id>``: its result counts ``rows``, ``imported``, ``failed``, ``warnings``.
- ``GET /customers/imports/<job_id>/report`` → the row-level report (CSV with BOM): row number, level
  (error | warning), field, reason, existing customer id.
- ``POST /customers/exports`` {format: csv|xlsx, purpose, unmasked} → 202 with the export job (CUS-74:
  a purpose is required; mobiles and resident ids are masked unless an unmasking role asks otherwise,
  CUS-70); ``GET /customers/exports/<job_id>/download`` once finished.
"""
from __future__ import annotations


from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from core.customers.transfer import jobs as transfer_jobs
from core.customers.transfer.formats import FORMATS, FileProblem
from core.customers.transfer.uploads import keep_upload
from core.db import db
from core.errors import Conflict, InvalidInput, NotFound
from web.api.auth import require_roles
from web.api.jobs import JobSchema, _job, shown
from workers import dispatch

PREFIX = "/customers"
blp = Blueprint("customer_transfer", __name__, description="Customer import and export (CSV, XLSX)")

IMPORTERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager", "assistant",
             "resource_director")
EXPORTERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager", "resource_director")
UNMASKING = ("tenant_admin", "gm", "dept_manager")  # CUS-70 default cus.pii.unmasked_roles (managers)


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": ".csv (UTF-8 or GBK) or .xlsx; first row = header"})


class CustomerExportSchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS))
    purpose = fields.String(required=True, validate=validate.Length(min=2, max=500),
                            metadata={"description": "why the data leaves the system (CUS-74)"})
    unmasked = fields.Boolean(load_default=False, metadata={"description": "full mobiles and resident ids "
                                                                           "(only for " + ", ".join(UNMASKING) + ")"})


def _file_problem(en: str, zh: str | None = None):
    return InvalidInput(en, fields={"file": [en]}, **({"reason_zh": zh} if zh else {}))


@blp.route("/imports")
class Imports(MethodView):
    @require_roles(*IMPORTERS, admin_scope=False)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(202, JobSchema)
    def post(self, files):
        """Start an import of customers from a CSV or XLSX file (a job)."""
        try:
            token, fmt = keep_upload(g.tenant.id, files["file"])
        except FileProblem as problem:
            raise _file_problem(problem.en, problem.zh) from problem
        job = dispatch.enqueue("cus.import", {"upload": token, "fmt": fmt, "created_by": g.user.id},
                               created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


def _finished(job_id: int, name: str):
    job = _job(job_id)
    if job.name != name:
        raise NotFound("not found")
    if job.status != "finished":
        raise Conflict(f"the job is {job.status}", job_status=job.status)
    return job


@blp.route("/imports/<int:job_id>/report")
class ImportReport(MethodView):
    @require_roles(*IMPORTERS, admin_scope=False)
    @blp.response(200, content_type="text/csv")
    def get(self, job_id):
        """The row-level report of a finished import (errors and warnings), CSV with BOM."""
        job = _finished(job_id, "cus.import")
        path = transfer_jobs.report_path(job.tenant_id, job.id)
        if not (job.result or {}).get("report") or not path.exists():
            raise NotFound("this import has no report: every row was imported without warnings")
        return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"import-{job.id}-report.csv")


@blp.route("/exports")
class Exports(MethodView):
    @require_roles(*EXPORTERS, admin_scope=False)
    @blp.arguments(CustomerExportSchema)
    @blp.response(202, JobSchema)
    def post(self, data):
        """Export the tenant's customers (a job; follow it at /jobs/<id>, then download)."""
        if data["unmasked"] and not g.user.has_role(*UNMASKING):
            raise InvalidInput("not allowed to export unmasked personal data",
                               fields={"unmasked": ["only " + ", ".join(UNMASKING)]}, rule_id="CUS-70")
        job = dispatch.enqueue("cus.export", {"fmt": data["format"], "masked": not data["unmasked"],
                                              "purpose": data["purpose"]}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


def may_fetch_export(job, user) -> bool:
    """An unmasked export's file (full mobiles and resident ids) is for the one who started it and the
    roles that may unmask; a masked one for every exporter."""
    return job.created_by == user.id or job.args.get("masked", True) or user.has_role(*UNMASKING)


@blp.route("/exports/<int:job_id>/download")
class ExportDownload(MethodView):
    @require_roles(*EXPORTERS, admin_scope=False)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, job_id):
        """The file of a finished customer export."""
        job = _finished(job_id, "cus.export")
        if not may_fetch_export(job, g.user):
            raise NotFound("job not found")
        fmt = job.args.get("fmt", "csv")
        path = transfer_jobs.export_path(job.tenant_id, job.id, fmt)
        if not path.exists():
            raise NotFound("the export file is gone; start a new export")
        mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return send_file(path, mimetype=mimetype, as_attachment=True,
                         download_name=f"customers-{g.tenant.slug}-{job.id}.{fmt}")
