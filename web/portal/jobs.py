"""Portal pages: the tenant's background jobs (imports, exports, reports) with their progress.

``show`` is the page a started import or export lands on: the progress bar (``ui.job_progress``),
refreshed by ``web/static/portal.js`` from ``status`` (the figures of ``GET /api/v1/jobs/<id>``) or,
without JavaScript, by a meta refresh; once the job has ended, its summary, its files to download
(:func:`web.portal.transfers.job_files`) or its error in the reader's language."""
from __future__ import annotations

import re

from flask import Blueprint, abort, g, jsonify, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.accounts.models import User
from core.db import db, get_one
from web.portal.forms import translated
from web.portal.tenant_pages import MANAGERS, login_required
from workers.models import JobRecord

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

_ERROR_CLASS = re.compile(r"^[A-Z][\w.]*: ")  # the exception's class name, as the runner records it


def status_labels() -> dict[str, str]:
    return {"queued": _("Waiting"), "started": _("Running"), "retrying": _("Retrying"),
            "finished": _("Finished"), "failed": _("Failed")}


def job_title(name: str) -> str:
    from web.portal.transfers import kind_titles

    titles = {**kind_titles(), "cus.redistribute": _("Customer reassignment")}
    return titles.get(name, name)


def result_page(job: JobRecord) -> str | None:
    """The page that shows what a job did, where it has one beyond the job page."""
    from web.api.customer_assignment import MANAGERS as ASSIGNMENT_MANAGERS

    if job.name == "cus.redistribute" and (job.args or {}).get("run_id") and g.user.has_role(*ASSIGNMENT_MANAGERS):
        return url_for("portal.customer_reassign.show", redistribution_id=int(job.args["run_id"]))
    return None


def job_view(job: JobRecord) -> dict:
    """The job as the portal shows it (the same figures as ``GET /api/v1/jobs/<id>``), with its
    status, step and title in the reader's language."""
    from web.api.jobs import JobSchema, shown

    view = JobSchema().dump(shown(job))
    view["status_label"] = status_labels().get(view["status"], view["status"])
    view["step"] = translated(view["step"]) if view.get("step") else view.get("step")
    view["title"] = job_title(view["name"])
    view["result_page"] = result_page(job)
    return view


def error_text(error: str | None) -> str | None:
    """A job's recorded error (``"InvalidInput: the file is empty: ..."``) in the reader's language:
    a known message translated, any other shown as recorded after a translated lead-in."""
    if not error:
        return None
    message = _ERROR_CLASS.sub("", error, count=1)
    text = translated(message)
    if text != message:
        return text
    return _("The job stopped with an error: %(error)s", error=message)


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
    from web.portal.transfers import job_files

    job = own_job(job_id)
    starter = db.session.scalars(select(User).where(User.id == job.created_by)).first() if job.created_by else None
    return render_template("portal/job.html", job=job_view(job), files=job_files(job),
                           error=error_text(job.error), starter=starter)


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id):
    """The progress bar's feed (JSON)."""
    return jsonify(job_view(own_job(job_id)))
