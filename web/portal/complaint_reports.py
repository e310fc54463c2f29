"""Portal pages: complaint reports (投诉统计报表, CMP-80) and the daily issue digest (CMP-81), for the
roles the API lets read them (``web.api.complaint_reports.READERS``). Every figure is the statistics
the API computes (:func:`core.complaints.reports.statistics`) for the same period, drawn as
server-side SVG charts (:mod:`web.portal.charts`) over tables of the exact numbers.

- ``portal.complaint_reports.index`` ``GET /complaints/reports?date_from=&date_to=&basis=`` — the
  period's figures (default: this month so far, cases received), the stored packs (monthly, weekly,
  half-year, digests) and the latest daily digest.
- ``portal.complaint_reports.export`` ``POST /complaints/reports/export`` — the export job of the
  period (as ``POST /complaint-reports/exports``) → its job page (progress, then CSV / JSON).
- ``portal.complaint_reports.run_pack`` ``POST /complaints/reports/packs`` — a missed pack built for a
  moment (as ``POST /complaint-reports/packs``) → its job page.
- ``portal.complaint_reports.pack`` ``GET /complaints/reports/packs/<pack_id>`` — one stored pack;
  ``pack_download`` its file (``?format=csv|json``, as ``GET /complaint-reports/packs/<id>/download``).
"""
from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select

from core.complaints import reports_packs as packs
from core.complaints import reports_rules as rules
from core.complaints.reports import statistics
from core.complaints.exclusion import not_excluded_condition
from core.complaints.models import Complaint
from core.complaints.reports_export import csv_bytes, json_bytes, sections_of
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.errors import InvalidInput, KehuError
from web.api import complaint_reports as api
from web.portal import charts, select_locale
from web.portal.complaints_labels import labels_of
from web.portal.complaints_rules import as_input
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.paging import paginate
from web.portal.tenant_pages import roles_required
from workers import dispatch

bp = Blueprint("complaint_reports", __name__, url_prefix="/complaints/reports")

PERIOD_FIELDS = ("date_from", "date_to", "basis")


@visible_to(packs.SUBJECT)
def _may_see_pack(user, subject_id) -> bool:
    """As ``GET /complaint-reports/packs/<id>``: the report readers."""
    return user.has_role(*api.READERS)


@bp.app_context_processor
def _reader():
    return {"may_read_complaint_reports": lambda: bool(getattr(g, "user", None)) and g.user.has_role(*api.READERS)}


def percent(rate):
    """A ratio (0.875) as a percentage for a chart (87.5); None stays None."""
    return None if rate is None else round(rate * 100, 1)


def kind_names() -> dict[str, str]:
    return {rules.MONTHLY: _("Monthly statistics"), rules.WEEKLY: _("Weekly report"),
            rules.HALF_YEAR: _("Half-year review"), rules.DIGEST: _("Daily digest")}


def _name(pick, kind: str, code) -> str:
    if code is None:
        return _("not recorded")
    return pick(*labels_of(kind, code))


def figures(report: dict, pick) -> dict:
    """The charts and rows of a CMP-80 report (``statistics``), labels in the reader's language."""
    no_data = _("No data")
    categories = [{**r, "label": pick(r["label_zh"], r["label_en"]) if r["category"] else _("not recorded")}
                  for r in report["categories"]]
    severities = [{**r, "label": _name(pick, "severity", r["severity"])} for r in report["severities"]]
    case_types = [{**r, "label": _name(pick, "type", r["case_type"])} for r in report["case_types"]]
    departments = [{**r, "label": r["department"] or _("no department")}
                   for r in report["departments"]]
    sla = [{**r, "label": _name(pick, "milestone", r["milestone"])} for r in report["sla_attainment"]]
    overdue_rows = report["open_overdue"]["rows"]
    distribution = report["satisfaction"]["distribution"]
    drawn = {
        "categories": charts.bar_chart([(r["label"], r["issues"]) for r in categories],
                                       title=_("Complaints by category"), empty_text=no_data),
        "severities": charts.donut_chart([(r["label"], r["issues"]) for r in severities],
                                         title=_("Complaints by severity"), empty_text=no_data),
        "case_types": charts.donut_chart([(r["label"], r["issues"]) for r in case_types],
                                         title=_("Cases by type"), empty_text=no_data),
        "departments": charts.bar_chart([(r["label"], r["issues"]) for r in departments],
                                        title=_("Complaints by department"), empty_text=no_data),
        "sla": charts.bar_chart([(r["label"], percent(r["rate"])) for r in sla if r["rate"] is not None],
                                title=_("Deadlines met on time, per deadline"), empty_text=no_data,
                                percent=True, top=100),
        "open_overdue": charts.stacked_bar_chart(
            [r["department"] or _("no department") for r in overdue_rows],
            [(_("Overdue"), [r["overdue"] for r in overdue_rows]),
             (_("Open, on time"), [r["open"] - r["overdue"] for r in overdue_rows])],
            title=_("Open complaints by department"), empty_text=no_data),
        "satisfaction": charts.bar_chart([(f"{score}★", n) for score, n in sorted(distribution.items(), reverse=True)]
                                         if report["satisfaction"]["responses"] else [],
                                         title=_("Satisfaction scores"), empty_text=no_data, horizontal=False),
    }
    return {"r": report, "categories": categories, "severities": severities, "case_types": case_types,
            "departments": departments, "sla": sla, "charts": drawn,
            "causes": report["causes"], "root_causes": report["root_causes"], "employees": report["employees"]}


def _picker():
    from web.portal.complaints_case import picker

    return picker(select_locale())


def _period_args(values: dict) -> dict:
    body = {k: v for k, v in values.items() if k in PERIOD_FIELDS and v not in ("", None)}
    return api.ComplaintReportPeriodSchema(unknown=EXCLUDE).load(body)


def _page(form: Form, report: dict | None, status: int = 200, pack_form: Form | None = None):
    kind = request.args.get("kind") if request.args.get("kind") in rules.PACK_KINDS else None
    page = paginate(packs.packs(kind))
    digest = db.session.scalars(packs.packs(rules.DIGEST).limit(1)).first()
    shown = figures(report, _picker()) if report else None
    return render_template("portal/complaint_reports/index.html", form=form, fig=shown, page=page, kind=kind or "",
                           kinds=kind_names(), digest=digest, bases=rules.BASES,
                           pack_form=pack_form or Form(values={"kind": rules.MONTHLY})), status


@bp.get("")
@roles_required(*api.READERS)
def index():
    form = Form(values={k: request.args.get(k, "") for k in PERIOD_FIELDS})
    try:
        period = api._period(_period_args(form.values))
    except (KehuError, ValidationError) as err:
        form.fail(err, select_locale())
        return _page(form, None, 422)
    form.values.update({"date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
                        "basis": period.basis})
    return _page(form, statistics(period, as_of=utcnow()))


@bp.post("/export")
@roles_required(*api.READERS)
def export():
    """As ``POST /complaint-reports/exports``: the job of the period → its page."""
    form = Form.posted()
    try:
        period = api._period(_period_args(form.values))
        job = dispatch.enqueue("cmp.report_export", {
            "date_from": period.first_day.isoformat(), "date_to": period.last_day.isoformat(),
            "basis": period.basis, "as_of": utcnow().isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _page(form, None, 422)
    return redirect(url_for("portal.jobs.show", job_id=job_id))


@bp.post("/packs")
@roles_required(*api.READERS)
def run_pack():
    """As ``POST /complaint-reports/packs``: a missed run made up (a pack that exists is not built again)."""
    form = Form.posted()
    try:
        data = api.ComplaintReportPackInSchema(unknown=EXCLUDE).load(
            as_input({k: form.values.get(k) for k in ("kind", "as_of")}, times=("as_of",), timezone=g.tenant.timezone))
        as_of = fact_time(data["as_of"], "as_of")
        job = dispatch.enqueue(api.PACK_JOBS[data["kind"]], {"as_of": as_of.isoformat()}, created_by=g.user.id)
        job_id = job.id
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        period = Form(values={k: request.args.get(k, "") for k in PERIOD_FIELDS})
        form.fail(err, select_locale())
        return _page(period, None, 422, pack_form=form)
    return redirect(url_for("portal.jobs.show", job_id=job_id))


@bp.get("/packs/<int:pack_id>")
@roles_required(*api.READERS)
def pack(pack_id):
    row = packs.get_pack(pack_id)
    shown = None if row.kind == rules.DIGEST else figures(row.data, _picker())
    return render_template("portal/complaint_reports/pack.html", pack=row, fig=shown, kinds=kind_names(),
                           teams=digest_teams(row.data, readable_cases(row.data)))


def readable_cases(data: dict) -> set[int]:
    """The cases of a digest pack the reader may open (not those they are excluded from, CMP-21)."""
    ids = {c.get("complaint_id") for t in data.get("teams", []) for c in (*t["unresolved"], *t["new"])}
    ids.discard(None)
    if not ids:
        return set()
    return set(db.session.scalars(select(Complaint.id).where(Complaint.id.in_(ids),
                                                             not_excluded_condition(g.user.id))))


def digest_teams(data: dict, readable: set[int]) -> list[dict]:
    """The teams of a digest pack, each case's received time as an instant (for ``|local``), listing only
    the ``readable`` cases; the others are counted as ``hidden``, never listed."""
    def shown(cases):
        return [{**c, "received": dt.datetime.fromisoformat(c["received_at"])} for c in cases
                if c.get("complaint_id") in readable]

    teams = []
    for t in data.get("teams", []):
        unresolved, new = shown(t["unresolved"]), shown(t["new"])
        hidden = len(t["unresolved"]) + len(t["new"]) - len(unresolved) - len(new)
        teams.append({**t, "unresolved": unresolved, "new": new, "hidden": hidden})
    return teams


@bp.get("/packs/<int:pack_id>/download")
@roles_required(*api.READERS)
def pack_download(pack_id):
    row = packs.get_pack(pack_id)
    try:
        fmt = api.ComplaintReportDownloadSchema().load({"format": request.args.get("format", "csv")})["format"]
    except ValidationError as err:
        raise InvalidInput("invalid format", fields=err.messages) from err
    name = f"{row.kind}-{row.period_key.replace('..', '_')}"
    if fmt == "json":
        return send_file(io.BytesIO(json_bytes(row.data)), mimetype="application/json", as_attachment=True,
                         download_name=f"{name}.json")
    return send_file(io.BytesIO(csv_bytes(sections_of(row.data))), mimetype="text/csv", as_attachment=True,
                     download_name=f"{name}.csv")
