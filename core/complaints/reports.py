"""Complaint statistics (CMP-80): one report over a period, assembled from the set-based queries of
:mod:`core.complaints.reports_queries` and the pure figures of :mod:`core.complaints.reports_rules`.

:func:`statistics` is what every report shows — the live statistics endpoint, an export job and the
scheduled packs (monthly, weekly, half-year) alike — as JSON-ready values:

- ``period``: the local days, the basis (cases received or closed in the period), the instants, the
  time zone, the due day of a pack;
- ``summary``: issues, complainants, cases, major and repeat issues (linked cases folded, CMP-13);
- ``open_overdue``: open and overdue issues by department and handler at the end of the period (or
  now, if earlier);
- ``sla_attainment``: per milestone, met on time ÷ due in the period;
- ``case_types``, ``severities``, ``departments``, ``categories``, ``causes``, ``cause_classes``,
  ``root_causes``: issues and complainants per value;
- ``employees``: issues per employee complained about;
- ``satisfaction``: responses, mean score, distribution;
- ``return_visits``: the return-visit rate (None until return visits are recorded, see
  :mod:`core.complaints.reports_return_visits`).
"""
from __future__ import annotations

import datetime as dt

from core.calendar.service import tenant_calendar
from core.complaints import reports_queries as queries
from core.complaints import reports_rules as rules
from core.complaints import taxonomy
from core.complaints.policy import cmp_policy
from core.complaints.reports_return_visits import return_visit_rate

#: the steps of a report, for job progress
STEPS = ("summary", "open_overdue", "sla_attainment", "breakdowns", "employees", "satisfaction", "return_visits")


def bounds(period: rules.Period) -> tuple[dt.datetime, dt.datetime]:
    """The instants (UTC) of the period's local days: 00:00 of the first to 24:00 of the last."""
    calendar, _ = tenant_calendar()
    return (calendar.start_of_day(period.first_day).astimezone(dt.timezone.utc),
            calendar.end_of_day(period.last_day).astimezone(dt.timezone.utc))


def _period_view(period: rules.Period, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> dict:
    calendar, _ = tenant_calendar()
    return {"kind": period.kind, "key": period.key, "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(), "basis": period.basis,
            "due_on": period.due_on.isoformat() if period.due_on else None, "from": start.isoformat(),
            "to": end.isoformat(), "as_of": as_of.isoformat(), "timezone": calendar.timezone}


def _labelled(rows: list[dict], labels: dict) -> list[dict]:
    for row in rows:
        found = labels.get(row["category"])
        row["label_zh"], row["label_en"] = (found.label_zh, found.label_en) if found else (row["category"], row["category"])
    return rows


def statistics(period: rules.Period, *, as_of: dt.datetime, progress=None) -> dict:
    """The report of ``period`` as known at ``as_of`` (see the module text)."""
    progress = progress or (lambda *a, **k: None)
    start, end = bounds(period)
    basis = period.basis
    report = {"period": _period_view(period, start, end, as_of)}

    def step(name: str) -> None:
        progress(STEPS.index(name), len(STEPS), name)

    step("summary")
    report["summary"] = rules.summary(queries.summary_row(basis, start, end))
    total = report["summary"]["issues"]
    step("open_overdue")
    at = min(end, as_of)
    report["open_overdue"] = {"at": at.isoformat(), **rules.open_overdue(queries.open_overdue(at))}
    step("sla_attainment")
    report["sla_attainment"] = rules.attainment(queries.attainment(start, end, as_of))
    step("breakdowns")
    for section, column in (("case_types", "case_type"), ("severities", "severity"), ("categories", "category"),
                            ("causes", "cause"), ("cause_classes", "cause_class"), ("root_causes", "root_cause")):
        report[section] = rules.breakdown(queries.grouped(basis, start, end, column), column, total)
    report["categories"] = _labelled(report["categories"], taxonomy.categories(cmp_policy(as_of).values))
    report["departments"] = rules.breakdown(queries.departments(basis, start, end), "department", total)
    step("employees")
    report["employees"] = rules.employees(queries.employees(basis, start, end))
    step("satisfaction")
    report["satisfaction"] = rules.satisfaction(queries.satisfaction(basis, start, end))
    step("return_visits")
    report["return_visits"] = return_visit_rate(start, end)
    progress(len(STEPS), len(STEPS), "done")
    return report
