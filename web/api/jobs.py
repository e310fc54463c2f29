"""Background jobs of the tenant: status and progress, failures, retries, and the tenant's export."""
from __future__ import annotations

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.db import db
from core.errors import Conflict, NotFound
from web.api.auth import require_roles
from web.api.pagination import newest_first, page_of
from workers import dispatch
from workers.context import live_progress
from workers.models import JobRecord

PREFIX = ""
blp = Blueprint("jobs", __name__, description="Background jobs: progress, results, failures, retries")

STATUSES = ("queued", "started", "retrying", "finished", "failed")


class JobSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.String(metadata={"description": " | ".join(STATUSES)})
    attempts = fields.Integer()
    progress_done = fields.Integer()
    progress_total = fields.Integer(allow_none=True)
    percent = fields.Method("_percent", metadata={"description": "0-100, when the total is known"})
    step = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    enqueued_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)

    def _percent(self, job):
        if not job["progress_total"]:
            return 100 if job["status"] == "finished" else None
        return min(100, round(100 * job["progress_done"] / job["progress_total"]))


class JobQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    name = fields.String()


def _job(job_id: int) -> JobRecord:
    job = db.session.scalars(select(JobRecord).where(JobRecord.id == job_id)).first()
    if job is None:
        raise NotFound("job not found")
    return job


def shown(job: JobRecord) -> dict:
    """The job as the API shows it; in embedded mode with live progress not yet in the database."""
    view = {c.key: getattr(job, c.key) for c in JobRecord.__mapper__.column_attrs}
    if job.status == "started":
        view.update(live_progress(job.tenant_id, job.id) or {})
    return view


@blp.route("/jobs")
class Jobs(MethodView):
    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The tenant's jobs, newest first; ``status=failed`` lists what failed."""
        return [shown(job) for job in page_of(newest_first(JobRecord, args), pagination_parameters)]


@blp.route("/jobs/<int:job_id>")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """One job: status, progress (done/total, current step), result or error."""
        return shown(_job(job_id))


@blp.route("/jobs/<int:job_id>/retry")
class JobRetry(MethodView):
    @require_roles("tenant_admin")
    @blp.response(202, JobSchema)
    def post(self, job_id):
        """Run a failed job again."""
        dispatch.retry(_job(job_id))
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/exports")
class Exports(MethodView):
    @require_roles("tenant_admin")
    @blp.response(202, JobSchema)
    def post(self):
        """Export everything the tenant owns (a job; follow it at /jobs/<id>, then download)."""
        job = dispatch.enqueue("tenants.export", created_by=g.user.id)
        job_id = job.id
        db.session.commit()
        return shown(_job(job_id))


@blp.route("/exports/<int:job_id>/download")
class ExportDownload(MethodView):
    @require_roles("tenant_admin")
    @blp.response(200, content_type="application/zip")
    def get(self, job_id):
        """The zip of a finished export."""
        from tenants.jobs import export_path

        job = _job(job_id)
        if job.name != "tenants.export":
            raise NotFound("export not found")
        if job.status != "finished":
            raise Conflict(f"the export is {job.status}", job_status=job.status)
        path = export_path(job.tenant_id, job.id)
        if not path.exists():
            raise NotFound("the export file is gone; start a new export")
        return send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"kehu-{g.tenant.slug}-{job.id}.zip")
