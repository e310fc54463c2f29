"""Portal pages: the tenant's background jobs (imports, exports, reports) with their progress."""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.db import db, get_one
from web.portal.tenant_pages import MANAGERS, login_required
from workers.models import JobRecord

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def status_labels() -> dict[str, str]:
    return {"queued": _("Waiting"), "started": _("Running"), "retrying": _("Retrying"),
            "finished": _("Finished"), "failed": _("Failed")}


def job_view(job: JobRecord) -> dict:
    """The job as the portal shows it (the same figures as ``GET /api/v1/jobs/<id>``)."""
    from web.api.jobs import JobSchema, shown

    view = JobSchema().dump(shown(job))
    view["status_label"] = status_labels().get(view["status"], view["status"])
    return view


def own_job(job_id: int) -> JobRecord:
    """A job of this tenant the user started (managers: any job of the tenant)."""
    job = get_one(JobRecord, job_id, "job")
    if job.created_by != g.user.id and not g.user.has_role(*MANAGERS):
        abort(404)
    return job


@bp.get("")
@login_required
def index():
    query = select(JobRecord).order_by(JobRecord.id.desc()).limit(50)
    if not g.user.has_role(*MANAGERS):
        query = query.where(JobRecord.created_by == g.user.id)
    jobs = [job_view(j) for j in db.session.scalars(query)]
    return render_template("portal/jobs.html", jobs=jobs)


@bp.get("/<int:job_id>")
@login_required
def show(job_id):
    return render_template("portal/job.html", job=job_view(own_job(job_id)))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id):
    """The progress bar's feed (JSON)."""
    return jsonify(job_view(own_job(job_id)))
