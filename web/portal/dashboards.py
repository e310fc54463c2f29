"""Portal pages: Dashboards (统计看板), for managers. One page, ``/dashboards?month=YYYY-MM``, with a
server-drawn chart and the table of its numbers for each of:

- complaints of the month by category (CMP-80 statistics, cases received in the month);
- complaint SLA attainment per month, the six months ending with the chosen one (CMP-80), per milestone
  and overall;
- open and overdue complaints by department (CMP-81) and work orders by technician (SVC-40), now or at
  the end of a past month;
- customers by grade (CUS-50) and owner (CUS-20), among those the manager may see (CUS-70);
- follow-up completion per person: due visits (CUS cadence) and commitments due in the month.

The period selector is a plain GET form (works without JavaScript).
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from web.portal import charts
from web.portal import dashboard_queries as q
from web.portal.filters import now_utc
from web.portal.home_page import labels, object_url
from web.portal.tenant_pages import MANAGERS, roles_required

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")


def _percent(rate):
    return None if rate is None else round(rate * 100, 1)


def build(month: q.Month, now, pick) -> dict:
    """The dashboard's data and charts for ``month`` (``pick(zh, en)`` chooses a label's language)."""
    names = labels()
    stats = q.complaint_statistics(month, now)
    categories = [{**c, "label": pick(c["label_zh"], c["label_en"])} for c in stats["categories"]]
    trend = q.sla_trend(month, now)
    milestones = sorted({code for t in trend for code in t["milestones"]},
                        key=lambda c: (q.cmp_rules.MILESTONE_ORDER.index(c) if c in q.cmp_rules.MILESTONE_ORDER else 9, c))
    milestone_names = {code: pick(*names["milestone"](code)) for code in milestones}
    departments = q.overdue_by_department(stats)
    technicians = q.open_orders_by_technician(min(month.end, now))
    customers = q.customers_by_grade_and_owner()
    follow_ups = q.follow_up_completion(month, now)
    no_data = _("No data")
    ungraded, pool = _("ungraded"), _("public pool")
    tier_name = {t: (t if t is not None else ungraded) for t in customers["tiers"]}

    charts_ = {
        "categories": charts.bar_chart([(c["label"], c["issues"]) for c in categories],
                                       title=_("Complaints by category"), empty_text=no_data),
        "sla": charts.line_chart(
            [t["month"] for t in trend],
            [(_("All deadlines"), [_percent(t["overall"]) for t in trend])]
            + [(milestone_names[code], [_percent(t["milestones"].get(code)) for t in trend]) for code in milestones],
            title=_("Complaint deadlines met on time, by month"), empty_text=no_data, percent=True, top=100),
        "departments": charts.stacked_bar_chart(
            [d["department"] or _("no department") for d in departments],
            [(_("Overdue"), [d["overdue"] for d in departments]),
             (_("Open, on time"), [d["open"] - d["overdue"] for d in departments])],
            title=_("Open complaints by department"), empty_text=no_data),
        "technicians": charts.stacked_bar_chart(
            [t["technician"] or _("not assigned") for t in technicians],
            [(_("Overdue"), [t["overdue"] for t in technicians]),
             (_("Open, on time"), [t["open"] - t["overdue"] for t in technicians])],
            title=_("Open work orders by technician"), empty_text=no_data),
        "grades": charts.donut_chart([(tier_name[t], n) for t, n in customers["by_tier"].items()],
                                     title=_("Customers by grade"), empty_text=no_data),
        "owners": charts.stacked_bar_chart(
            [o["owner"] or pool for o in customers["owners"]],
            [(tier_name[t], [o["tiers"].get(t, 0) for o in customers["owners"]]) for t in customers["tiers"]],
            title=_("Customers by owner and grade"), empty_text=no_data),
        "follow_ups": charts.bar_chart(
            [(f["person"] or _("not assigned"), _percent(f["rate"])) for f in follow_ups if f["rate"] is not None],
            title=_("Follow-ups done, by person"), empty_text=no_data, percent=True, top=100),
    }
    return {"stats": stats, "categories": categories, "trend": trend, "milestones": milestones,
            "milestone_names": milestone_names, "departments": departments, "technicians": technicians,
            "customers": customers, "tier_name": tier_name, "follow_ups": follow_ups, "charts": charts_}


@bp.get("")
@roles_required(*MANAGERS)
def index():
    from web.portal import select_locale
    from web.portal.localise import localise

    now = now_utc()
    month, valid = q.parse_month(request.args.get("month"), now)
    locale = select_locale()

    def pick(zh_text, en_text):
        return en_text if locale == "en" else localise(zh_text, locale)

    data = build(month, now, pick)
    error = None if valid else _("Choose a month as YYYY-MM.")
    return render_template("portal/dashboards/index.html", month=month, month_error=error,
                           previous=q.shift_month(month.first, -1), following=q.shift_month(month.first, 1),
                           object_url=object_url, **data), (200 if valid else 422)
