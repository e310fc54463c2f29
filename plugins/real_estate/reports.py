"""The sales office's reports (RE-50), read from the registers of one project:

- :func:`daily` — the daily visitor and call statistics (来人来电统计表) of a local day: visits (the
  reception register's ``visit`` lines, new visitors = "visited before?" answered ``no``, RE-05), calls,
  small and big deposits received (the deposit registers, RE-32), subscriptions signed (the deal, RE-26;
  amendments are not new deals) and contracts signed;
- :func:`conversion` — the weekly (Monday..Sunday) or monthly visit/call-to-deal analysis: new visitors,
  calls, deals and the conversion in percent (:func:`plugins.real_estate.report_rules.conversion_report`);
- :func:`deposit_register` — the small or big deposit register of a period, in the order received;
- :func:`signing_list` — the contracts of a period in signing order (RE-34);
- ``*_sections`` — the same as titled tables for the CSV export (UTF-8 with a BOM, CRLF, formulas
  neutralised: the core's :func:`core.complaints.reports_export.csv_bytes`).

Days are the tenant's local days (``tenants.timezone``); nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.complaints.reports_export import csv_bytes
from core.db import db, get_one
from core.errors import InvalidInput
from plugins.real_estate import report_rules as rules
from plugins.real_estate.names import customer_names, people_names
from plugins.real_estate.reception_models import Reception
from plugins.real_estate.sales_models import Contract, Deposit, Project, Subscription, Unit

PERIODS = ("week", "month")
MAX_DAYS = 366  # at most a year in one register or list
__all__ = ["csv_bytes", "conversion", "daily", "deposit_register", "signing_list"]


def project_of(project_id: int) -> Project:
    """The current tenant's project (404 otherwise)."""
    return get_one(Project, project_id, "project")


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("invalid period", fields={"date_to": ["the period ends before it starts"]})
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput("invalid period", fields={"date_to": [f"at most {MAX_DAYS} days in one report"]})


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """00:00 of ``start`` to 24:00 of ``end`` in the tenant zone."""
    cal, _view = tenant_calendar()
    return cal.start_of_day(start), cal.end_of_day(end)


def _local_days(times) -> Counter:
    cal, _view = tenant_calendar()
    return Counter(cal.local_date(t) for t in times)


def _project_units(project_id: int):
    return select(Unit.id).where(Unit.project_id == project_id)


def day_counts(project_id: int, start: dt.date, end: dt.date) -> list[rules.DailyCounts]:
    """The :class:`DailyCounts` of every local day from ``start`` to ``end`` of the project."""
    check_period(start, end)
    since, until = _bounds(start, end)
    receptions = db.session.execute(select(Reception.day, Reception.kind, Reception.visited_before).where(
        Reception.project_id == project_id, Reception.day >= start, Reception.day <= end)).all()
    visits = Counter(r.day for r in receptions if r.kind == "visit")
    new = Counter(r.day for r in receptions if r.kind == "visit" and r.visited_before == "no")
    calls = Counter(r.day for r in receptions if r.kind == "call")
    deposits = db.session.execute(select(Deposit.kind, Deposit.received_at).where(
        Deposit.unit_id.in_(_project_units(project_id)), Deposit.received_at >= since,
        Deposit.received_at < until)).all()
    small = _local_days(d.received_at for d in deposits if d.kind == "small")
    big = _local_days(d.received_at for d in deposits if d.kind == "big")
    subscribed = _local_days(db.session.scalars(select(Subscription.signed_at).where(
        Subscription.unit_id.in_(_project_units(project_id)), Subscription.previous_id.is_(None),
        Subscription.signed_at >= since, Subscription.signed_at < until)))
    contracted = _local_days(db.session.scalars(select(Contract.signed_at).where(
        Contract.unit_id.in_(_project_units(project_id)), Contract.signed_at >= since, Contract.signed_at < until)))
    days, day = [], start
    while day <= end:
        days.append(rules.DailyCounts(day, visits=visits[day], new_visitors=min(new[day], visits[day]),
                                      calls=calls[day], small_deposits=small[day], big_deposits=big[day],
                                      subscriptions=subscribed[day], contracts=contracted[day]))
        day += dt.timedelta(days=1)
    return days


def daily(project_id: int, day: dt.date) -> rules.DailyReport:
    """RE-50: the project's visitor and call statistics of ``day``."""
    project_of(project_id)
    return rules.daily_report(day_counts(project_id, day, day)[0])


def conversion(project_id: int, period: str, day: dt.date) -> tuple[rules.ConversionReport, list[rules.DailyReport]]:
    """RE-50: the week (Monday..Sunday) or month holding ``day``: the analysis and its days."""
    if period not in PERIODS:
        raise InvalidInput("invalid period", fields={"period": ["week or month"]})
    project_of(project_id)
    start, end = rules.week_of(day) if period == "week" else rules.month_of(day)
    days = day_counts(project_id, start, end)
    return rules.conversion_report(period, start, end, days), [rules.daily_report(d) for d in days]


def deposit_register(project_id: int, kind: str, start: dt.date, end: dt.date) -> list[dict]:
    """RE-50/RE-32: the small or big deposits received from ``start`` to ``end``, in the order received."""
    if kind not in ("small", "big"):
        raise InvalidInput("invalid register", fields={"kind": ["small or big"]})
    project_of(project_id)
    check_period(start, end)
    since, until = _bounds(start, end)
    rows = db.session.execute(select(Deposit, Unit.number).join(Unit, Unit.id == Deposit.unit_id).where(
        Unit.project_id == project_id, Deposit.kind == kind, Deposit.received_at >= since,
        Deposit.received_at < until).order_by(Deposit.received_at, Deposit.id)).all()
    customers = customer_names(d.customer_id for d, _n in rows)
    people = people_names(d.salesperson_id for d, _n in rows)
    return [{"id": d.id, "received_at": d.received_at, "unit_id": d.unit_id, "unit": number,
             "customer_id": d.customer_id, "customer": customers.get(d.customer_id, ""),
             "salesperson_id": d.salesperson_id, "salesperson": people.get(d.salesperson_id, ""),
             "amount": d.amount, "receipt_no": d.receipt_no, "refunded_at": d.refunded_at} for d, number in rows]


def _buyer(contract: Contract, customers: dict[int, str]) -> str:
    """The buyer's name on the contract, or ``#<id>`` when the viewer may not see the customer (CUS-70)."""
    hidden = f"#{contract.customer_id}"
    if contract.customer_id is not None and customers.get(contract.customer_id) == hidden:
        return hidden
    return contract.buyer_name


def signing_list(project_id: int, start: dt.date, end: dt.date) -> list[dict]:
    """RE-50/RE-34: the contracts signed from ``start`` to ``end``, in signing order."""
    project_of(project_id)
    check_period(start, end)
    since, until = _bounds(start, end)
    rows = db.session.execute(select(Contract, Unit.number).join(Unit, Unit.id == Contract.unit_id).where(
        Unit.project_id == project_id, Contract.signed_at >= since, Contract.signed_at < until)
        .order_by(Contract.signed_at, Contract.id)).all()
    people = people_names([c.salesperson_id for c, _n in rows] + [c.custodian_id for c, _n in rows])
    customers = customer_names(c.customer_id for c, _n in rows)
    return [{"id": c.id, "number": c.number, "signed_at": c.signed_at, "unit_id": c.unit_id, "unit": number,
             "customer_id": c.customer_id, "buyer_name": _buyer(c, customers), "price": c.price,
             "salesperson_id": c.salesperson_id, "salesperson": people.get(c.salesperson_id, ""),
             "custodian_id": c.custodian_id, "custodian": people.get(c.custodian_id, "")} for c, number in rows]


# ------------------------------------------------------------------ as JSON-ready dicts


def daily_dict(report: rules.DailyReport) -> dict:
    return asdict(report)


def conversion_dict(report: rules.ConversionReport, days: list[rules.DailyReport]) -> dict:
    return {**asdict(report), "days": [asdict(d) for d in days]}


# ------------------------------------------------------------------ CSV sections (title, header, rows)


def _local(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    cal, _view = tenant_calendar()
    return cal.local(t).strftime("%Y-%m-%d %H:%M")


def _percent(value) -> str:
    return "" if value is None else f"{value}%"


def daily_sections(project: Project, report: rules.DailyReport) -> list:
    return [(f"来人来电统计表 visitor and call statistics — {project.name} {report.day}",
             ["项目 item", "数量 count"], [[f"{zh} {en}", n] for zh, en, n in report.rows()])]


def conversion_sections(project: Project, report: rules.ConversionReport, days: list[rules.DailyReport]) -> list:
    title = {"week": "周来访来电成交分析 weekly", "month": "月来访来电成交分析 monthly"}[report.period]
    summary = [["期间 period", f"{report.start}..{report.end}"], ["来访 visits", report.visits],
               ["新客来访 new visitors", report.new_visitors], ["来电 calls", report.calls],
               ["成交（认购） deals (subscriptions)", report.subscriptions],
               ["来访成交率 visit conversion", _percent(report.visit_conversion)],
               ["来电成交率 call conversion", _percent(report.call_conversion)]]
    rows = [[d.day, d.visits, d.new_visitors, d.returning_visitors, d.calls, d.small_deposits, d.big_deposits,
             d.subscriptions, d.contracts] for d in days]
    return [(f"{title} — {project.name}", ["项目 item", "值 value"], summary),
            ("每日 by day", ["日期 day", "来访 visits", "新客 new", "老客 returning", "来电 calls", "小定 small",
                            "大定 big", "认购 subscriptions", "签约 contracts"], rows)]


def deposit_sections(project: Project, kind: str, start: dt.date, end: dt.date, rows: list[dict]) -> list:
    title = {"small": "小定登记表 small deposit register", "big": "大定登记表 big deposit register"}[kind]
    return [(f"{title} — {project.name} {start}..{end}",
             ["收款时间 received", "房号 unit", "客户 customer", "销售 salesperson", "金额（元） amount (yuan)",
              "收据号 receipt", "退款时间 refunded"],
             [[_local(r["received_at"]), r["unit"], r["customer"], r["salesperson"], f"{r['amount']:.2f}",
               r["receipt_no"], _local(r["refunded_at"])] for r in rows])]


def signing_sections(project: Project, start: dt.date, end: dt.date, rows: list[dict]) -> list:
    return [(f"签约一览表 signing list — {project.name} {start}..{end}",
             ["签约时间 signed", "合同号 contract", "房号 unit", "买受人 buyer", "成交价（元） price (yuan)",
              "销售 salesperson", "保管人 custodian"],
             [[_local(r["signed_at"]), r["number"], r["unit"], r["buyer_name"], f"{r['price']:.2f}",
               r["salesperson"], r["custodian"]] for r in rows])]


# ------------------------------------------------------------------ exports

EXPORTS = ("daily", "week", "month", "small_deposits", "big_deposits", "signings")


def today() -> dt.date:
    from core.db import utcnow

    cal, _view = tenant_calendar()
    return cal.local_date(utcnow())


def export_csv(project_id: int, report: str, day: dt.date | None = None, start: dt.date | None = None,
               end: dt.date | None = None) -> tuple[str, bytes]:
    """One report as a CSV file ``(file name, bytes)``: ``daily`` / ``week`` / ``month`` of ``day``
    (default today), or the ``small_deposits`` / ``big_deposits`` registers and the ``signings`` list of
    ``start..end`` (default: this month so far)."""
    project = project_of(project_id)
    if report not in EXPORTS:
        raise InvalidInput("invalid report", fields={"report": [f"one of {', '.join(EXPORTS)}"]})
    day = day or today()
    start = start or rules.month_of(day)[0]
    end = end or day
    if report == "daily":
        return f"re-daily-{project.id}-{day}.csv", csv_bytes(daily_sections(project, daily(project_id, day)))
    if report in PERIODS:
        result, days = conversion(project_id, report, day)
        return (f"re-{report}-{project.id}-{result.start}.csv",
                csv_bytes(conversion_sections(project, result, days)))
    if report == "signings":
        return (f"re-signings-{project.id}-{start}_{end}.csv",
                csv_bytes(signing_sections(project, start, end, signing_list(project_id, start, end))))
    kind = report.split("_")[0]
    rows = deposit_register(project_id, kind, start, end)
    return f"re-{kind}-deposits-{project.id}-{start}_{end}.csv", csv_bytes(deposit_sections(project, kind, start,
                                                                                           end, rows))
