"""Service reports as files (SVC-40): CSV in UTF-8 with a BOM and CRLF line ends (it opens in Excel),
one titled table after another with a blank line between, times in the tenant's zone, rates as
percentages; every text cell a spreadsheet would run as a formula is neutralised with a leading
apostrophe, as the complaint reports and the customer export do (a technician named ``=1+1`` stays
text). JSON is the report itself.

The tables of the core's sections are written here (``*_tables``: section value → tables); a section
without its own (one another part adds to :data:`core.service.reports.SECTIONS`) gets
:func:`generic_tables`. All pure: report dict → tables → bytes.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from core.complaints.reports_export import csv_bytes, json_bytes, local_time

Table = tuple[str, list[str], list[list]]
_NONE = "（未分配 none）"
__all__ = ["csv_bytes", "json_bytes", "report_tables"]


def percent(value: float | None) -> str:
    """85.0 → ``85.0%``; None → empty."""
    return "" if value is None else f"{value:.1f}%"


def _period_table(period: dict) -> Table:
    tz = ZoneInfo(period["timezone"])
    return ("服务报表 service report", ["项目 item", "值 value"],
            [["类型 kind", period["kind"]], ["期间 period", period["key"]], ["首日 first day", period["first_day"]],
             ["末日 last day", period["last_day"]], ["生成于 as of", local_time(period["as_of"], tz)],
             ["时区 time zone", period["timezone"]]])


def open_orders_tables(value: dict, title: str = "未完工单 open orders", tz: ZoneInfo | None = None) -> list[Table]:
    at = local_time(value["at"], tz) if tz else value["at"]
    rows = [[r["type"], r["technician"] or _NONE, r["open"], r["overdue"]] for r in value["rows"]]
    rows.append(["合计 total", "", value["total"]["open"], value["total"]["overdue"]])
    return [(f"{title}（{at}）", ["类型 type", "技术员 technician", "未完 open", "逾期 overdue"], rows)]


def on_time_tables(value: list[dict], title: str = "按时率 on-time rate", tz: ZoneInfo | None = None) -> list[Table]:
    return [(title, ["节点 milestone", "到期 due", "按时 met on time", "超时完成 met late", "未完成 not met",
                     "按时率 rate"],
             [[r["milestone"], r["due"], r["met_on_time"], r["met_late"], r["not_met"], percent(r["rate"])]
              for r in value])]


_FEE_HEADER = ["收取笔数 collected", "收取金额 amount", "配件 parts", "人工 labour", "已交笔数 remitted",
               "已交金额 remitted amount", "按时交 on time", "未交笔数 outstanding", "未交金额 outstanding amount",
               "逾期笔数 overdue", "逾期金额 overdue amount", "作废 void", "交款率 remittance rate"]


def _fee_cells(r: dict) -> list:
    return [r["collected"]["count"], r["collected"]["amount"], r["parts"], r["labour"], r["remitted"]["count"],
            r["remitted"]["amount"], r["remitted_on_time"]["count"], r["outstanding"]["count"],
            r["outstanding"]["amount"], r["overdue"]["count"], r["overdue"]["amount"], r["void"]["count"],
            percent(r["remittance_rate"])]


def fees_tables(value: dict, title: str = "现场收费 fees collected vs remitted", tz: ZoneInfo | None = None) -> list[Table]:
    rows = [[r["collector"] or _NONE, *_fee_cells(r)] for r in value["by_collector"]]
    rows.append(["合计 total", *_fee_cells(value)])
    period = value["remitted_in_period"]
    return [(title, ["收款人 collector", *_FEE_HEADER], rows),
            ("本期交财务 remitted in the period", ["笔数 count", "金额 amount"], [[period["count"], period["amount"]]])]


def statistics_tables(value: dict, title: str = "服务统计 service statistics", tz: ZoneInfo | None = None) -> list[Table]:
    states = sorted({s for r in value["types"] for s in r["states"]})
    header = ["类型 type", "受理 requested", *states, "完工 completed", "平均完工时长（小时）average hours to complete",
              "取消 cancelled"]

    def hours(v):
        return "" if v is None else f"{v:.1f}"

    rows = [[r["type"], r["requested"], *[r["states"].get(s, 0) for s in states], r["completed"],
             hours(r["average_hours_to_complete"]), r["cancelled"]] for r in value["types"]]
    total = value["total"]
    rows.append(["合计 total", total["requested"], *["" for _ in states], total["completed"],
                 hours(total["average_hours_to_complete"]), total["cancelled"]])
    return [(title, header, rows)]


def _flat(value) -> bool:
    return not isinstance(value, (dict, list))


def generic_tables(value, title: str, tz: ZoneInfo | None = None) -> list[Table]:
    """A section without its own tables: a list of flat dicts → one row each (the keys as header); a
    dict → its flat entries as item/value rows, then each list of dicts in it as a table of its own."""
    if value is None:
        return [(title, ["项目 item", "值 value"], [["暂无数据 not available", ""]])]
    if isinstance(value, list):
        keys = list(dict.fromkeys(k for r in value if isinstance(r, dict) for k, v in r.items() if _flat(v)))
        return [(title, keys, [[r.get(k) for k in keys] for r in value if isinstance(r, dict)])]
    if isinstance(value, dict):
        out = [(title, ["项目 item", "值 value"], [[k, v] for k, v in value.items() if _flat(v)])]
        for key, item in value.items():
            if isinstance(item, list):
                out += generic_tables(item, f"{title} · {key}", tz)
            elif isinstance(item, dict):
                out += generic_tables(item, f"{title} · {key}", tz)
        return out
    return [(title, ["值 value"], [[value]])]


def report_tables(report: dict) -> list[Table]:
    """Every table of a report: the period, then each section in the order of
    :data:`core.service.reports.SECTIONS` (sections the report has), then any other key it has."""
    from core.service.reports import SECTIONS

    tz = ZoneInfo(report["period"]["timezone"])
    tables = [_period_table(report["period"])]
    known = {s.key: s for s in SECTIONS}
    for key in [s.key for s in SECTIONS if s.key in report] + [k for k in report if k not in known and k != "period"]:
        section = known.get(key)
        if section is not None and section.table is not None:
            tables += section.table(report[key], section.title, tz)
        else:
            tables += generic_tables(report[key], section.title if section else key, tz)
    return tables
