"""Portal pages: imports and exports (导入导出), ``/data``.

The index lists what the user may run (a customer import from a CSV or XLSX file; a customer export;
the complaint and service report exports; the whole company's data for the tenant admin) and the
user's recent jobs with their progress bars. Each form starts the job the API starts, with the API's
schemas and role lists, then redirects to the job page (``portal.jobs.show``), where the progress bar
runs and, once the job has finished, the summary and the download links are shown.

Files are served only for jobs of this tenant that the user started (managers: any), and only to the
roles the API serves them to; otherwise 404.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from core.customers.transfer import jobs as transfer_jobs
from core.customers.transfer.formats import FileProblem
from core.customers.transfer import uploads
from core.customers.transfer.uploads import keep_upload
from core.db import db, utcnow
from core.errors import Conflict, InvalidInput, KehuError
from web.api import complaint_reports as complaint_api
from web.api import customer_transfer as customer_api
from web.api import service_reports as service_api
from web.portal.forms import Form
from web.portal.jobs import job_view, own_job
from web.portal.localise import localise
from web.portal.tenant_pages import login_required, roles_required
from workers import dispatch
from workers.models import JobRecord

bp = Blueprint("transfers", __name__, url_prefix="/data")

CUSTOMER_IMPORT, CUSTOMER_EXPORT = "cus.import", "cus.export"
COMPLAINT_EXPORT, SERVICE_EXPORT, TENANT_EXPORT = "cmp.report_export", "svc.report_export", "tenants.export"
TENANT_EXPORTERS = ("tenant_admin",)

#: who may start each job and download its files (the API's role lists)
ROLES = {
    CUSTOMER_IMPORT: customer_api.IMPORTERS,
    CUSTOMER_EXPORT: customer_api.EXPORTERS,
    COMPLAINT_EXPORT: complaint_api.READERS,
    SERVICE_EXPORT: service_api.READERS,
    TENANT_EXPORT: TENANT_EXPORTERS,
}
RECENT = 20


def kind_titles() -> dict[str, str]:
    return {CUSTOMER_IMPORT: _("Customer import"), CUSTOMER_EXPORT: _("Customer export"),
            COMPLAINT_EXPORT: _("Complaint report export"), SERVICE_EXPORT: _("Service report export"),
            TENANT_EXPORT: _("Export of all company data")}


def may_run(user, job_name: str) -> bool:
    return user.has_role(*ROLES[job_name])


# ---------------------------------------------------------------- files of finished jobs

def _finished(job: JobRecord, *names: str) -> JobRecord:
    """The job, when it is one of ``names``, the user may have its files, and it has finished."""
    if job.name not in names or not may_run(g.user, job.name):
        abort(404)
    if job.name == CUSTOMER_EXPORT and not customer_api.may_fetch_export(job, g.user):
        abort(404)
    if job.status != "finished":
        raise Conflict(_("The job has not finished yet."))
    return job


def download_formats(job: JobRecord) -> tuple[str, ...]:
    """The formats a finished export can be downloaded in."""
    if job.name == CUSTOMER_EXPORT:
        return ((job.result or {}).get("format") or job.args.get("fmt", "csv"),)
    if job.name == COMPLAINT_EXPORT:
        return complaint_api.FORMATS
    if job.name == SERVICE_EXPORT:
        return ((job.result or {}).get("format", "csv"),)
    if job.name == TENANT_EXPORT:
        return ("zip",)
    return ()


def export_file(job: JobRecord, fmt: str) -> Path:
    """Where the export job wrote its file (the paths of the job modules the API serves from)."""
    if job.name == CUSTOMER_EXPORT:
        return transfer_jobs.export_path(job.tenant_id, job.id, fmt)
    if job.name == COMPLAINT_EXPORT:
        from core.complaints import reports_jobs

        return reports_jobs.export_path(job.tenant_id, job.id, fmt)
    if job.name == SERVICE_EXPORT:
        from core.service import reports_jobs

        return reports_jobs.export_path(job.tenant_id, job.id, fmt)
    from tenants.jobs import export_path

    return export_path(job.tenant_id, job.id)


def download_name(job: JobRecord, fmt: str) -> str:
    period = str((job.result or {}).get("period", "")).replace("..", "_")
    stem = {CUSTOMER_EXPORT: f"customers-{g.tenant.slug}-{job.id}",
            COMPLAINT_EXPORT: f"complaints-{g.tenant.slug}-{period}",
            SERVICE_EXPORT: f"service-{g.tenant.slug}-{period}",
            TENANT_EXPORT: f"kehu-{g.tenant.slug}-{job.id}"}[job.name]
    return f"{stem}.{fmt}"


MIMETYPES = {"csv": "text/csv", "json": "application/json", "zip": "application/zip",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def job_files(job: JobRecord) -> list[tuple[str, str]]:
    """(label, url) of the files of a finished job that this user may download."""
    if job.status != "finished" or job.name not in ROLES or not may_run(g.user, job.name):
        return []
    if job.name == CUSTOMER_IMPORT:
        if not (job.result or {}).get("report"):
            return []
        return [(_("Row-error report (CSV)"), url_for("portal.transfers.report", job_id=job.id))]
    return [(_("Download %(format)s", format=fmt.upper()),
             url_for("portal.transfers.download", job_id=job.id, format=fmt)) for fmt in download_formats(job)]


@bp.get("/jobs/<int:job_id>/report")
@login_required
def report(job_id):
    """The row-level report of a finished import: the CSV (UTF-8 with BOM) the API serves."""
    job = _finished(own_job(job_id), CUSTOMER_IMPORT)
    path = transfer_jobs.report_path(job.tenant_id, job.id)
    if not (job.result or {}).get("report") or not path.exists():
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"import-{job.id}-report.csv")


@bp.get("/jobs/<int:job_id>/download")
@login_required
def download(job_id):
    """The file of a finished export (``?format=`` where the export has several)."""
    job = _finished(own_job(job_id), CUSTOMER_EXPORT, COMPLAINT_EXPORT, SERVICE_EXPORT, TENANT_EXPORT)
    formats = download_formats(job)
    fmt = request.args.get("format") or formats[0]
    if fmt not in formats:
        abort(404)
    path = export_file(job, fmt)
    if not path.exists():
        raise Conflict(_("The file is gone; start a new export."))
    return send_file(path, mimetype=MIMETYPES.get(fmt, "application/octet-stream"), as_attachment=True,
                     download_name=download_name(job, fmt))


# ---------------------------------------------------------------- the index and its forms

def _recent_jobs() -> list[dict]:
    query = (select(JobRecord).where(JobRecord.name.in_(list(ROLES)), JobRecord.created_by == g.user.id)
             .order_by(JobRecord.id.desc()).limit(RECENT))
    return [job_view(job) for job in db.session.scalars(query)]


def _page(forms: dict | None = None, status: int = 200):
    titles = kind_titles()
    runnable = [name for name in ROLES if may_run(g.user, name)]
    return render_template("portal/transfers/index.html", forms=forms or {}, runnable=runnable, titles=titles,
                           jobs=_recent_jobs(), may_unmask=g.user.has_role(*customer_api.UNMASKING),
                           max_mb=uploads.MAX_UPLOAD // 2**20), status


@bp.get("")
@login_required
def index():
    return _page()


def _started(job_id: int):
    flash(_("The job has started."), "ok")
    return redirect(url_for("portal.jobs.show", job_id=job_id))


def _refused(key: str, form: Form, err: Exception):
    from web.portal import select_locale

    db.session.rollback()
    form.fail(err, select_locale())
    return _page({key: form}, 422)


def _filled(values: dict) -> dict:
    """The typed values without the empty ones (an empty date field means "the default")."""
    return {k: v for k, v in values.items() if v not in ("", None)}


# customer import ------------------------------------------------------------

def _file_text(problem: FileProblem, locale: str) -> str:
    return problem.en if locale == "en" else localise(problem.zh, locale)


@bp.post("/imports")
@roles_required(*customer_api.IMPORTERS)
def start_import():
    from web.portal import select_locale

    form = Form.posted()
    try:
        token, fmt = keep_upload(g.tenant.id, request.files.get("file"))
    except FileProblem as problem:
        form.add("file", _file_text(problem, select_locale()))
        form.message = _("Please correct the fields marked below.")
        return _page({"import": form}, 422)
    job = dispatch.enqueue(CUSTOMER_IMPORT, {"upload": token, "fmt": fmt, "created_by": g.user.id},
                           created_by=g.user.id)
    job_id = job.id
    db.session.commit()
    return _started(job_id)


@bp.errorhandler(RequestEntityTooLarge)
def _request_too_large(err):
    """A file over the server's request limit: the import form again, the message at its field."""
    from web.portal import select_locale

    if g.get("user") is None or g.get("tenant") is None:
        return err
    problem = FileProblem(f"the file is larger than {uploads.MAX_UPLOAD // 2**20} MB: split it", "文件过大，请拆分")
    form = Form().add("file", _file_text(problem, select_locale()))
    form.message = _("Please correct the fields marked below.")
    return _page({"import": form}, 413)


# exports ----------------------------------------------------------------------

@bp.post("/customer-exports")
@roles_required(*customer_api.EXPORTERS)
def export_customers():
    form = Form.posted()
    try:
        data = customer_api.CustomerExportSchema(unknown=EXCLUDE).load(_filled(form.values))
        if data["unmasked"] and not g.user.has_role(*customer_api.UNMASKING):
            raise InvalidInput("not allowed to export unmasked personal data",
                               fields={"unmasked": [_("Only the tenant admin, GM and department managers may "
                                                      "export full mobiles and resident ids.")]},
                               rule_id="CUS-70")
        job = dispatch.enqueue(CUSTOMER_EXPORT, {"fmt": data["format"], "masked": not data["unmasked"],
                                                 "purpose": data["purpose"]}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _refused("customer_export", form, err)
    return _started(job_id)


@bp.post("/complaint-reports")
@roles_required(*complaint_api.READERS)
def export_complaint_report():
    form = Form.posted()
    try:
        args = complaint_api.ComplaintReportPeriodSchema(unknown=EXCLUDE).load(_filled(form.values))
        period = complaint_api._period(args)
        job = dispatch.enqueue(COMPLAINT_EXPORT, {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
            "basis": period.basis, "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _refused("complaint_export", form, err)
    return _started(job_id)


@bp.post("/service-reports")
@roles_required(*service_api.READERS)
def export_service_report():
    form = Form.posted()
    try:
        args = service_api.ServiceReportExportInSchema(unknown=EXCLUDE).load(_filled(form.values))
        period = service_api._period(args)
        job = dispatch.enqueue(SERVICE_EXPORT, {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
            "format": args["format"], "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        return _refused("service_export", form, err)
    return _started(job_id)


@bp.post("/everything")
@roles_required(*TENANT_EXPORTERS)
def export_everything():
    job = dispatch.enqueue(TENANT_EXPORT, created_by=g.user.id)
    job_id = job.id
    db.session.commit()
    return _started(job_id)
