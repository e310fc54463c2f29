"""The home page of the portal (``portal.home``), by role: each role the user holds adds its section.

- salesperson (and assistant, sales manager): today's follow-ups (due visits, commitments, planned
  visits), customers about to lose protection, own deals and performance credit this month;
- customer service: own open cases, the nearest deadline first, with the time left;
- technician: own open work orders, the nearest deadline first;
- managers (:data:`MANAGERS`): overdue complaints, work orders and follow-ups, escalations, and the
  month's figures (new customers, complaints received and closed, SLA attainment, orders completed).

The data comes from :mod:`web.portal.dashboard_queries` (the core's report queries and services);
every customer list is limited to the customers the user may see through the API.
"""
from __future__ import annotations

from flask import g, render_template, url_for
from werkzeug.routing import BuildError

from core.complaints import taxonomy
from core.complaints.policy import cmp_policy
from core.service import order_types
from core.service.states import STATE_LABELS
from core.sla.engine import label_zh as milestone_zh
from web.portal import dashboard_queries as q
from web.portal.filters import now_utc
from web.portal.tenant_pages import MANAGERS

SALES = ("salesperson", "assistant", "sales_manager")
CUSTOMER_SERVICE = ("cs_agent", "cs_supervisor", "cs_manager")
TECHNICIANS = ("technician",)
SECTIONS = (("sales", SALES), ("cs", CUSTOMER_SERVICE), ("tech", TECHNICIANS), ("manager", MANAGERS))

#: the page of one object, by kind (built by the owning part; no link while it does not exist)
OBJECT_PAGES = {"customer": ("portal.customers.show", "customer_id"),
                "complaint": ("portal.complaints.show", "complaint_id"),
                "work_order": ("portal.service.show", "order_id")}


def sections_for(roles) -> list[str]:
    """The home sections of a user holding ``roles``, in page order."""
    held = set(roles or ())
    return [name for name, wanted in SECTIONS if held & set(wanted)]


def object_url(kind: str, object_id) -> str | None:
    """The URL of an object's page, or None while the part that shows it has no such page."""
    endpoint, arg = OBJECT_PAGES[kind]
    try:
        return url_for(endpoint, **{arg: object_id})
    except BuildError:
        return None


def labels() -> dict:
    """Code → (zh, en) of complaint categories, work-order types and states, deadline milestones."""
    categories = {c.code: (c.label_zh, c.label_en) for c in taxonomy.categories(cmp_policy().values).values()}
    types = {t.code: (t.title_zh, t.title_en) for t in order_types.tenant_types().values()}
    return {"category": categories, "order_type": types, "order_state": STATE_LABELS,
            "milestone": lambda code: (milestone_zh(code), code)}


def render():
    user = g.user
    now = now_utc()
    sections = sections_for(user.roles)
    month = q.month_of(q.local_today(now))
    data: dict = {}
    if "sales" in sections:
        data["sales"] = {"today": q.follow_ups_today(user.id, now), "expiring": q.expiring_customers(user.id, now),
                         "results": q.own_results(user.id, month), "expiry_days": q.EXPIRY_DAYS}
    if "cs" in sections:
        data["cs"] = {"cases": q.my_open_cases(user.id)}
    if "tech" in sections:
        data["tech"] = {"orders": q.my_open_orders(user.id)}
    if "manager" in sections:
        team = q.team_of(user)
        data["manager"] = {"complaints": q.overdue_complaints(now, user.id, team), "orders": q.overdue_orders(now, team),
                           "company_wide": team is None,
                           "follow_ups": q.overdue_follow_ups(now), "escalations": q.escalations(user.id, team),
                           "figures": q.month_figures(month, now)}
    return render_template("portal/home.html", sections=sections, month=month, object_url=object_url,
                           labels=labels(), **data)
