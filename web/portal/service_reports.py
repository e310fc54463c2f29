"""Portal page: the service report (SVC-40).

- ``portal.service_reports.index`` ``/service/reports?date_from=&date_to=``: the report of a period (default:
  this month so far), the same figures as ``GET /service-reports/statistics`` — open orders by type and
  technician, the on-time rate per milestone, fees collected vs remitted, the service statistics, the
  return-visit results, the contracts ending and the missed duties — each a server-side SVG chart
  (:mod:`web.portal.charts`) with its table under it.
- ``portal.service_reports.export`` ``POST /service/reports/export``: the API's export job
  (``POST /service-reports/exports``) for the period; the user lands on ``portal.jobs.show`` (progress bar,
  then the file).

Managers and finance only, as the API (``READERS``).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError

from core.db import db, utcnow
from core.errors import KehuError
from core.service import order_types
from core.service.reports import statistics
from web.api import service_reports as api
from web.portal import charts, select_locale
from web.portal.forms import Form
from web.portal.localise import localise
from web.portal.service_contracts import labels as contract_labels
from web.portal.service_steps import MILESTONE_LABELS
from web.portal.tenant_pages import roles_required
from workers import dispatch

bp = Blueprint("service_reports", __name__, url_prefix="/service/reports")

PERIOD_FIELDS = ("date_from", "date_to", "format")


def _pick(zh_text: str, en_text: str) -> str:
    locale = select_locale()
    return en_text if locale == "en" else localise(zh_text, locale)


def _filled(values: dict) -> dict:
    """The typed values without the empty ones (an empty date means "the default")."""
    return {k: v for k, v in values.items() if k in PERIOD_FIELDS and v not in ("", None)}


def report_period(values: dict, schema=None):
    """The period of the report from the form's values, validated as the API validates it."""
    args = (schema or api.ServiceReportPeriodSchema)(unknown=EXCLUDE).load(_filled(values))
    return args, api._period(args)


def chart_set(report: dict, type_name, milestone_name) -> dict:
    """The report's charts (SVG markup); the exact figures are in the tables under them."""
    opened, fees = report["open_orders"], report["fees"]
    none_text = _("No data for this period")
    return {
        "by_type": charts.bar_chart([(type_name(r["type"]), r["open"]) for r in opened["by_type"]],
                                    title=_("Open orders by type"), empty_text=none_text),
        "by_technician": charts.bar_chart(
            [(r["technician"] or _("Not assigned to a technician"), r["open"]) for r in opened["by_technician"]],
            title=_("Open orders by technician"), empty_text=none_text),
        "on_time": charts.bar_chart([(milestone_name(r["milestone"]), r["rate"] or 0) for r in report["on_time"]],
                                    title=_("On-time rate per deadline"), percent=True, top=100,
                                    empty_text=none_text),
        "fees": charts.bar_chart([(_("Fees collected"), float(fees["collected"]["amount"])),
                                  (_("Fees remitted"), float(fees["remitted"]["amount"])),
                                  (_("Fees outstanding"), float(fees["outstanding"]["amount"]))],
                                 title=_("Fees collected vs remitted (yuan)"), empty_text=none_text)
        if fees["collected"]["count"] or fees["remitted_in_period"]["count"] else
        charts.bar_chart([], title=_("Fees collected vs remitted (yuan)"), empty_text=none_text),
        "requested": charts.stacked_bar_chart(
            [type_name(t["type"]) for t in report["statistics"]["types"]],
            [(_("Completed in the period"), [t["completed"] for t in report["statistics"]["types"]]),
             (_("Cancelled"), [t["cancelled"] for t in report["statistics"]["types"]])],
            title=_("Orders completed and cancelled by type"), empty_text=none_text),
    }


@bp.get("")
@roles_required(*api.READERS)
def index():
    """The report of the period asked for (422 with the fields' errors for a bad period)."""
    form = Form(values={k: request.args.get(k, "") for k in PERIOD_FIELDS})
    form.values["format"] = form.values["format"] or "csv"
    try:
        _args, period = report_period(form.values)
    except (KehuError, ValidationError) as err:
        form.fail(err, select_locale())
        return render_template("portal/service_reports/index.html", form=form, report=None,
                               shown_fields=PERIOD_FIELDS), 422
    report = statistics(period, as_of=utcnow())
    form.values["date_from"] = form.values["date_from"] or period.first_day.isoformat()
    form.values["date_to"] = form.values["date_to"] or period.last_day.isoformat()
    types = order_types.tenant_types()

    def type_name(code: str) -> str:
        t = types.get(code)
        return _pick(t.title_zh, t.title_en) if t else code

    def milestone_name(code: str) -> str:
        return _pick(*MILESTONE_LABELS.get(code, (code, code)))

    return render_template("portal/service_reports/index.html", form=form, report=report, period=period,
                           charts=chart_set(report, type_name, milestone_name), type_name=type_name,
                           milestone_name=milestone_name, shown_fields=PERIOD_FIELDS,
                           contract_states=contract_labels()["states"])


@bp.post("/export")
@roles_required(*api.READERS)
def export():
    """The export job of the API for the period (CSV or JSON): progress on the job's page."""
    form = Form.posted()
    try:
        args, period = report_period(form.values, api.ServiceReportExportInSchema)
        job = dispatch.enqueue(api.reports_jobs.EXPORT_JOB, {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
            "format": args["format"], "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return render_template("portal/service_reports/index.html", form=form, report=None,
                               shown_fields=PERIOD_FIELDS), 422
    flash(_("The export has started."), "ok")
    return redirect(url_for("portal.jobs.show", job_id=job_id))
