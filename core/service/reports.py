"""Service reports (SVC-40): one report over a period, made of sections. What every report shows — the
live statistics endpoint, an export job and the monthly packs alike — is :func:`statistics`: the
``period`` and one entry per section of :data:`SECTIONS`, as JSON-ready values.

A section is a :class:`ReportSection`: its key in the report, its title in the CSV (Chinese and
English) and a function of the :class:`ReportContext` (the period's instants, the moment the report
is made for, the tenant's time zone) returning the section's value. Adding a section is one line in
:data:`SECTIONS`; its CSV table comes from ``table`` (value → header and rows) or, when it has none,
from the generic rendering of :mod:`core.service.reports_export` (a list of flat dicts → one row each;
a dict → item/value rows).

The core's sections:

- ``open_orders``: orders open at the end of the period (or now, if earlier) by type and technician,
  with the overdue ones;
- ``on_time``: per milestone, deadlines met by their due time ÷ deadlines due in the period (%);
- ``fees``: fees collected in the period vs remitted (on time, outstanding, overdue), per collector;
- ``statistics``: orders requested in the period per type and their state at its end (or now, if
  earlier), orders completed in it with the average time to complete, cancelled;
- ``return_visits``, ``expiring_contracts``, ``missed_duties``: :mod:`core.service.reports_sections`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from core.calendar.service import tenant_calendar
from core.service import reports_export as export
from core.service import reports_queries as queries
from core.service import reports_rules as rules
from core.service import reports_sections as sections


@dataclass(frozen=True)
class ReportContext:
    """What a section function gets: the period, its instants [start, end), the report's moment and the
    tenant's time zone; ``until`` = min(end, as_of), the instant "now or the end" of the period."""

    period: rules.Period
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    timezone: str

    @property
    def until(self) -> dt.datetime:
        return min(self.end, self.as_of)


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str  # "中文 English", the CSV section title
    build: Callable[[ReportContext], Any]
    #: (value, title, tz) → the section's CSV tables [(title, header, rows)]; None: the generic rendering
    table: Callable[..., list[tuple[str, list[str], list[list]]]] | None = None


def open_orders(ctx: ReportContext) -> dict:
    return {"at": ctx.until.isoformat(), **rules.open_orders(queries.open_orders(ctx.until))}


def on_time(ctx: ReportContext) -> list[dict]:
    return rules.on_time(queries.on_time(ctx.start, ctx.end, ctx.as_of))


def fees(ctx: ReportContext) -> dict:
    return rules.fees(*queries.fees(ctx.start, ctx.end, ctx.as_of))


def service_statistics(ctx: ReportContext) -> dict:
    return rules.statistics(queries.requested_by_type_state(ctx.start, ctx.end, ctx.until),
                            queries.completions(ctx.start, ctx.end, ctx.as_of),
                            queries.cancellations(ctx.start, ctx.end, ctx.as_of))


#: the report's sections, in order (one line each; see the module text)
SECTIONS: list[ReportSection] = [
    ReportSection("open_orders", "未完工单 open orders", open_orders, export.open_orders_tables),
    ReportSection("on_time", "按时率 on-time rate", on_time, export.on_time_tables),
    ReportSection("fees", "现场收费 fees collected vs remitted", fees, export.fees_tables),
    ReportSection("statistics", "服务统计 service statistics", service_statistics, export.statistics_tables),
    ReportSection("return_visits", "服务回访 return-visit results", sections.return_visits),
    ReportSection("expiring_contracts", "到期合同 contracts ending", sections.expiring_contracts),
    ReportSection("missed_duties", "未完成的定期任务 missed duties", sections.missed_duties),
]


def bounds(period: rules.Period) -> tuple[dt.datetime, dt.datetime]:
    """The instants (UTC) of the period's local days: 00:00 of the first to 24:00 of the last."""
    calendar, _ = tenant_calendar()
    return (calendar.start_of_day(period.first_day).astimezone(dt.timezone.utc),
            calendar.end_of_day(period.last_day).astimezone(dt.timezone.utc))


def statistics(period: rules.Period, *, as_of: dt.datetime, progress=None,
               sections: list[ReportSection] | None = None) -> dict:
    """The report of ``period`` as known at ``as_of``: ``period`` and one entry per section."""
    progress = progress or (lambda *a, **k: None)
    sections = SECTIONS if sections is None else sections
    start, end = bounds(period)
    calendar, _ = tenant_calendar()
    ctx = ReportContext(period, start, end, as_of, calendar.timezone)
    report: dict = {"period": {"kind": period.kind, "key": period.key, "first_day": period.first_day.isoformat(),
                               "last_day": period.last_day.isoformat(), "from": start.isoformat(),
                               "to": end.isoformat(), "as_of": as_of.isoformat(), "timezone": calendar.timezone}}
    for index, section in enumerate(sections):
        progress(index, len(sections), section.key)
        report[section.key] = section.build(ctx)
    progress(len(sections), len(sections), "done")
    return report


def summary(report: dict) -> dict:
    """The headline figures of a report (for the list of packs)."""
    out = {}
    if "open_orders" in report:
        out["open_orders"] = report["open_orders"]["total"]["open"]
    if "on_time" in report:
        out["on_time"] = {r["milestone"]: r["rate"] for r in report["on_time"]}
    if "fees" in report:
        out["fees_collected"] = report["fees"]["collected"]
        out["fees_outstanding"] = report["fees"]["outstanding"]
    if "statistics" in report:
        out["orders_requested"] = report["statistics"]["total"]["requested"]
        out["orders_completed"] = report["statistics"]["total"]["completed"]
    return out
