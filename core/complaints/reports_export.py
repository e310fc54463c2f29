"""Complaint reports as files (CMP-80: "exports open in Excel"): CSV in UTF-8 with a BOM and CRLF line
ends, one titled section after another (a blank line between), times in the tenant's zone, rates as
percentages; every text cell that a spreadsheet would run as a formula is neutralised with a leading
apostrophe, as the customer export does (CUS-74): a department named ``=1+1`` stays text. JSON is the
report itself.

:func:`report_sections` and :func:`digest_sections` are pure (report dict → sections); :func:`csv_bytes`
writes sections.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

from core.customers.transfer.formats import neutralise_cell

Section = tuple[str, list[str], list[list]]
_BREAKDOWNS = (
    ("case_types", "case_type", "类型 case type"),
    ("severities", "severity", "严重程度 severity"),
    ("departments", "department", "部门 department"),
    ("categories", "category", "类别 category"),
    ("causes", "cause", "原因 cause"),
    ("cause_classes", "cause_class", "质量/非质量 cause class"),
    ("root_causes", "root_cause", "根本原因 root cause"),
)
_NONE = "（未填写 none）"


def percent(value: float | None) -> str:
    """0.875 → ``87.5%`` (Excel reads it as a percentage); None → empty."""
    if value is None:
        return ""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def local_time(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _period_section(period: dict, tz: ZoneInfo) -> Section:
    rows = [["类型 kind", period["kind"]], ["期间 period", period["key"]],
            ["首日 first day", period.get("first_day", period.get("day"))],
            ["末日 last day", period.get("last_day", period.get("day"))]]
    if "basis" in period:
        rows.append(["口径 basis", {"closed": "结案 closed", "received": "受理 received"}[period["basis"]]])
    if period.get("due_on"):
        rows.append(["报送截止 due by", period["due_on"]])
    if period.get("cut_off"):
        rows.append(["截至 open at", local_time(period["cut_off"], tz)])
    rows.append(["生成于 as of", local_time(period["as_of"], tz)])
    rows.append(["时区 time zone", period["timezone"]])
    return "报表 report", ["项目 item", "值 value"], rows


def report_sections(report: dict) -> list[Section]:
    """The sections of a statistics report (see :mod:`core.complaints.reports`)."""
    tz = ZoneInfo(report["period"]["timezone"])
    s = report["summary"]
    sections = [_period_section(report["period"], tz), (
        "汇总 summary", ["问题 issues", "投诉人 complainants", "案件 cases", "重大 major", "重复投诉 repeats",
                         "重复率 repeat rate"],
        [[s["issues"], s["complainants"], s["cases"], s["major"], s["repeats"], percent(s["repeat_rate"])]])]
    oo = report["open_overdue"]
    sections.append((f"未结与逾期 open and overdue（{local_time(oo['at'], tz)}）",
                     ["部门 department", "处理人 handler", "未结 open", "逾期 overdue", "投诉人 complainants"],
                     [[r["department"] or _NONE, r["handler"] or _NONE, r["open"], r["overdue"], r["complainants"]]
                      for r in oo["rows"]]
                     + [["合计 total", "", oo["total"]["open"], oo["total"]["overdue"], oo["total"]["complainants"]]]))
    sections.append(("时限达成率 SLA attainment",
                     ["节点 milestone", "到期 due", "按时 met on time", "超时完成 met late", "未完成 not met",
                      "达成率 rate"],
                     [[r["milestone"], r["due"], r["met_on_time"], r["met_late"], r["not_met"], percent(r["rate"])]
                      for r in report["sla_attainment"]]))
    for section, key, title in _BREAKDOWNS:
        header = [title, "问题 issues", "投诉人 complainants", "占比 share"]
        rows = []
        for r in report[section]:
            label = r[key] if r[key] is not None else _NONE
            if section == "categories":
                label = f"{r['label_zh']} {r['category']}"
            rows.append([label, r["issues"], r["complainants"], percent(r["share"])])
        sections.append((title, header, rows))
    sections.append(("被投诉员工 employees complained about",
                     ["员工 employee", "部门 department", "问题 issues", "投诉人 complainants", "重大 major",
                      "重复投诉 repeats"],
                     [[r["name"], r["department"] or _NONE, r["issues"], r["complainants"], r["major"], r["repeats"]]
                      for r in report["employees"]]))
    sat = report["satisfaction"]
    sections.append(("满意度 satisfaction", ["评分 score", "问题 issues"],
                     [[score, n] for score, n in sat["distribution"].items()]
                     + [["回复数 responses", sat["responses"]], ["平均分 mean", "" if sat["mean"] is None else sat["mean"]]]))
    visits = report.get("return_visits")
    sections.append(("回访率 return-visit rate", ["应回访 eligible", "已回访 visited", "回访率 rate"],
                     [[visits["eligible"], visits["visited"], percent(visits["rate"])]] if visits
                     else [["暂无数据 not available", "", ""]]))
    return sections


def digest_sections(digest: dict) -> list[Section]:
    """The sections of a daily digest: the period, then one row per case and team."""
    tz = ZoneInfo(digest["period"]["timezone"])
    rows = []
    for team in digest["teams"]:
        name = team["department"] or _NONE
        for case in team["unresolved"]:
            rows.append([name, "未解决 unresolved", case["number"], local_time(case["received_at"], tz), case["category"],
                         case["severity"], case["status"], case["handler"] or _NONE,
                         "是 yes" if case["overdue"] else "否 no", case["complainants"], ""])
        for case in team["new"]:
            rows.append([name, "新增 new", case["number"], local_time(case["received_at"], tz), case["category"],
                         case["severity"], case["status"], case["handler"] or _NONE, "", "",
                         case["master_number"] or ""])
    return [_period_section(digest["period"], tz),
            ("投诉日报 daily digest", ["部门 team", "清单 list", "编号 number", "受理时间 received", "类别 category",
                                     "严重程度 severity", "状态 status", "处理人 handler", "逾期 overdue",
                                     "投诉人 complainants", "主案 master"], rows)]


def sections_of(data: dict) -> list[Section]:
    return digest_sections(data) if "teams" in data else report_sections(data)


def _cell(value) -> str:
    if value is None:
        return ""
    return str(neutralise_cell(value))


def csv_bytes(sections: list[Section]) -> bytes:
    """UTF-8 with BOM, CRLF, formulas neutralised; a section is its title row, header, rows, blank line."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for index, (title, header, rows) in enumerate(sections):
        if index:
            writer.writerow([])
        writer.writerow([_cell(title)])
        writer.writerow([_cell(h) for h in header])
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
