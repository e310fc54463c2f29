"""Portal pages of the sales office's reports, follow-up sheet and plans (RE-50..RE-52), under
``/t/<slug>/re/office``:

- ``reports`` ``/reports``: the projects, each with its reports (managers, the assistant, finance);
- ``project_reports`` ``/projects/<project_id>/reports?day=``: the day's visitor and call statistics, the
  week's and the month's visit/call-to-deal analysis, each an SVG chart with its numbers in a table and
  a CSV export link;
- ``deposits`` ``/projects/<project_id>/deposits?kind=small|big&date_from=&date_to=``: a deposit register;
- ``signings`` ``/projects/<project_id>/signings?date_from=&date_to=``: the signing list;
- ``export`` ``/projects/<project_id>/export?report=&day=&date_from=&date_to=``: a report as CSV (BOM);
- ``sheet`` ``/follow-ups``: the A/B follow-up sheet (supervisor and managers: all; a salesperson:
  their own customers); ``customer_follow_ups`` ``/customers/<customer_id>/follow-ups`` (GET, POST):
  a customer's entries and the form to enter the day's follow-up;
- ``plans`` ``/plans`` (GET, POST): my plans and the forms for today's and the weekly plan (managers:
  ``?user_id=`` anyone's); ``plan`` ``/plans/<plan_id>`` (GET) and ``/plans/<plan_id>/summary`` (POST).

The pages call the services the API calls (``plugins/real_estate/api/office.py``), with its roles.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select

from core.customers.confidentiality.people import holders
from core.db import db
from core.errors import KehuError
from core.plugins.records import NavItem, PortalPages
from plugins.real_estate import follow_ups, plans, reports
from plugins.real_estate.api import office as api
from plugins.real_estate.names import people_names
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import TEMPLATES, TRANSLATIONS
from plugins.real_estate.portal.steps import attempt
from plugins.real_estate.report_rules import weekly_plan_due_day
from plugins.real_estate.sales_models import Project
from web.portal import charts, select_locale
from web.portal.forms import Form, refusal_status
from web.portal.lookups import as_id
from web.portal.tenant_pages import roles_required

bp = Blueprint("re_office", __name__, url_prefix="/re/office", template_folder=TEMPLATES)
PAGES = PortalPages("real_estate", bp, translations=TRANSLATIONS)
NAV_ITEMS = (
    NavItem("re_office_reports", "售楼报表", "Sales office reports", "plugin_pages.re_office.reports", order=18,
            roles=api.READERS),
    NavItem("re_office_plans", "工作计划", "Work plans", "plugin_pages.re_office.plans", order=19,
            roles=api.PLAN_USERS),
    NavItem("re_office_sheet", "客户追踪表", "Follow-up sheet", "plugin_pages.re_office.sheet", order=20,
            roles=api.SHEET_USERS),
)
FOLLOW_UP_FIELDS = ("intent_class", "day", "note", "salesperson_id")
PLAN_FIELDS = ("kind", "plan", "day")


@bp.context_processor
def _office_roles():
    return {"office_readers": api.READERS}


def _query(schema) -> tuple[dict, Form]:
    """The page's query arguments validated as the API validates them (a bad value: the form's error,
    the default used)."""
    form = Form(values={k: v for k, v in request.args.items()})
    try:
        return schema(unknown=EXCLUDE).load(form.values), form
    except ValidationError as err:
        form.fail(err, select_locale())
        clean = {k: v for k, v in form.values.items() if k not in err.messages}
        return schema(unknown=EXCLUDE).load(clean), form


# ------------------------------------------------------------------ RE-50 reports


@bp.get("/reports", endpoint="reports")
@roles_required(*api.READERS)
def reports_index():
    projects = list(db.session.scalars(select(Project).order_by(Project.name)))
    return render_template("re/office/reports.html", projects=projects)



def _daily_chart(report) -> str:
    labels = {"visits": _("Visits"), "new_visitors": _("New visitors"), "returning_visitors": _("Returning visitors"),
              "calls": _("Calls"), "small_deposits": _("Small deposits"), "big_deposits": _("Big deposits"),
              "subscriptions": _("Subscriptions"), "contracts": _("Contracts signed")}
    return charts.bar_chart([(labels[key], getattr(report, key)) for key in labels],
                            title=_("Visitors and calls of %(day)s", day=report.day),
                            empty_text=_("No data for this period"))


def _period_chart(result, days) -> str:
    return charts.line_chart([d.day.strftime("%m-%d") for d in days],
                             [(_("New visitors"), [d.new_visitors for d in days]), (_("Calls"), [d.calls for d in days]),
                              (_("Subscriptions"), [d.subscriptions for d in days])],
                             title=_("Visits, calls and deals from %(start)s to %(end)s", start=result.start,
                                     end=result.end), empty_text=_("No data for this period"))


def _conversion_chart(week, month) -> str:
    items = [(_("Visit conversion, week"), week.visit_conversion or 0),
             (_("Visit conversion, month"), month.visit_conversion or 0),
             (_("Call conversion, week"), week.call_conversion or 0),
             (_("Call conversion, month"), month.call_conversion or 0)]
    top = max(float(v) for _label, v in items)
    return charts.bar_chart(items, title=_("Conversion to deals"), percent=True,
                            top=charts.nice_max(top) if top else 100, empty_text=_("No data for this period"))


@bp.get("/projects/<int:project_id>/reports")
@roles_required(*api.READERS)
def project_reports(project_id: int):
    project = reports.project_of(project_id)
    args, form = _query(api.ReOfficeDayQuerySchema)
    day = args["day"] or reports.today()
    form.values["day"] = day.isoformat()
    report = reports.daily(project.id, day)
    week, week_days = reports.conversion(project.id, "week", day)
    month, month_days = reports.conversion(project.id, "month", day)
    chart_set = {"daily": _daily_chart(report), "week": _period_chart(week, week_days),
                 "month": _period_chart(month, month_days), "conversion": _conversion_chart(week, month)}
    return render_template("re/office/project_reports.html", project=project, form=form, day=day, report=report,
                           week=week, week_days=week_days, month=month, month_days=month_days, charts=chart_set)


def _period_page(project_id: int, schema):
    project = reports.project_of(project_id)
    args, form = _query(schema)
    start, end = api.period_of(args)
    form.values.update(date_from=start.isoformat(), date_to=end.isoformat())
    return project, args, form, start, end


@bp.get("/projects/<int:project_id>/deposits")
@roles_required(*api.READERS)
def deposits(project_id: int):
    project, args, form, start, end = _period_page(project_id, api.ReOfficeDepositQuerySchema)
    form.values["kind"] = args["kind"]
    try:
        rows = reports.deposit_register(project.id, args["kind"], start, end)
    except KehuError as err:
        form.fail(err, select_locale())
        rows = []
    chart = charts.bar_chart([(r["received_at"].strftime("%m-%d") + " " + r["unit"], float(r["amount"])) for r in rows],
                             title=_("Deposits received (yuan)"), empty_text=_("No data for this period"))
    return render_template("re/office/deposits.html", project=project, form=form, kind=args["kind"], rows=rows,
                           chart=chart, start=start, end=end)


@bp.get("/projects/<int:project_id>/signings")
@roles_required(*api.READERS)
def signings(project_id: int):
    project, _args, form, start, end = _period_page(project_id, api.ReOfficePeriodQuerySchema)
    try:
        rows = reports.signing_list(project.id, start, end)
    except KehuError as err:
        form.fail(err, select_locale())
        rows = []
    by_day: dict[str, int] = {}
    for r in rows:
        key = r["signed_at"].strftime("%m-%d")
        by_day[key] = by_day.get(key, 0) + 1
    chart = charts.bar_chart(list(by_day.items()), title=_("Contracts signed per day"), horizontal=False,
                             empty_text=_("No data for this period"))
    return render_template("re/office/signings.html", project=project, form=form, rows=rows, chart=chart,
                           start=start, end=end)


@bp.get("/projects/<int:project_id>/export")
@roles_required(*api.READERS)
def export(project_id: int):
    reports.project_of(project_id)
    try:
        args = api.ReOfficeExportQuerySchema(unknown=EXCLUDE).load(dict(request.args))
        name, data = reports.export_csv(project_id, args["report"], args["day"], args["date_from"], args["date_to"])
    except (KehuError, ValidationError) as err:
        return Response(str(getattr(err, "messages", None) or getattr(err, "fields", err)), status=refusal_status(err),
                        mimetype="text/plain")
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ------------------------------------------------------------------ RE-51 the follow-up sheet


@bp.get("/follow-ups")
@roles_required(*api.SHEET_USERS)
def sheet():
    lines = follow_ups.sheet(g.user)
    return render_template("re/office/sheet.html", lines=lines, names=people_names(line.salesperson_id for line in lines),
                           today=reports.today())


def _customer_page(customer_id: int, form: Form, status: int = 200):
    customer, entries = follow_ups.entries_of(customer_id, g.user)
    people = people_names([e.salesperson_id for e in entries] + [e.entered_by for e in entries])
    salespeople = []
    if g.user.has_role(*follow_ups.SHEET_KEEPERS):
        named = people_names(holders(["salesperson"]))
        salespeople = sorted(named.items(), key=lambda item: (item[1], item[0]))
    return render_template("re/office/customer_follow_ups.html", customer=customer, entries=entries, names=people,
                           form=form, salespeople=salespeople, shown_fields=FOLLOW_UP_FIELDS,
                           classes=[(c, c) for c in re_policy().values["intent_classes"]]), status


@bp.route("/customers/<int:customer_id>/follow-ups", methods=["GET", "POST"])
@roles_required(*api.SHEET_USERS)
def customer_follow_ups(customer_id: int):
    if request.method == "GET":
        return _customer_page(customer_id, Form(values={"day": reports.today().isoformat()}))
    follow_ups.entries_of(customer_id, g.user)  # 404 before the form is read
    form = Form.posted()
    values = {k: v for k, v in form.values.items() if k in FOLLOW_UP_FIELDS and v not in ("", None)}
    _done, status = attempt(form, lambda: follow_ups.add_entry(
        customer_id, api.ReOfficeFollowUpInSchema().load(values), g.user))
    if status != 200:
        return _customer_page(customer_id, form, status)
    flash(_("Follow-up entered."), "ok")
    return redirect(url_for(".customer_follow_ups", customer_id=customer_id))


# ------------------------------------------------------------------ RE-52 plans


def _plans_page(form: Form, status: int = 200):
    user_id = as_id(request.args.get("user_id"))
    shown = plans.plans_for(g.user, user_id=user_id)
    today = reports.today()
    weekly_day = weekly_plan_due_day(re_policy().values, today)
    mine = {(p.kind, p.day) for p in shown if p.user_id == g.user.id}
    return render_template("re/office/plans.html", plans=shown, names=people_names({p.user_id for p in shown}),
                           form=form, today=today, weekly_day=weekly_day,
                           daily_done=("daily", today) in mine, weekly_done=("weekly", weekly_day) in mine,
                           may_write=g.user.has_role(*plans.PLANNERS),
                           sees_all=g.user.has_role(*plans.PLAN_READERS), shown_fields=PLAN_FIELDS), status


@bp.route("/plans", methods=["GET", "POST"], endpoint="plans")
@roles_required(*api.PLAN_USERS)
def plans_page():
    if request.method == "GET":
        return _plans_page(Form())
    form = Form.posted()
    values = {k: v for k, v in form.values.items() if k in PLAN_FIELDS and v not in ("", None)}
    def hand_in():
        if not g.user.has_role(*plans.PLANNERS):
            from core.errors import Forbidden

            raise Forbidden("only salespeople and managers of the office hand in plans")
        return plans.submit(api.ReOfficePlanInSchema().load(values), g.user)

    plan, status = attempt(form, hand_in)
    if status != 200:
        return _plans_page(form, status)
    flash(_("Plan handed in."), "ok")
    return redirect(url_for(".plan", plan_id=plan.id))



def _plan_page(plan_id: int, form: Form, status: int = 200):
    plan = plans.get_plan(plan_id, g.user)
    return render_template("re/office/plan.html", plan=plan, names=people_names([plan.user_id]), form=form,
                           mine=plan.user_id == g.user.id), status


@bp.get("/plans/<int:plan_id>")
@roles_required(*api.PLAN_USERS)
def plan(plan_id: int):
    return _plan_page(plan_id, Form())


@bp.post("/plans/<int:plan_id>/summary")
@roles_required(*api.PLAN_USERS)
def plan_summary(plan_id: int):
    plans.get_plan(plan_id, g.user)  # 404 / 403 before the form is read
    form = Form.posted()
    summary = {k: v for k, v in form.values.items() if k == "summary" and v}
    _done, status = attempt(form, lambda: plans.summarise(plan_id, api.ReOfficeSummaryInSchema().load(summary), g.user))
    if status != 200:
        return _plan_page(plan_id, form, status)
    flash(_("Summary saved."), "ok")
    return redirect(url_for(".plan", plan_id=plan_id))

