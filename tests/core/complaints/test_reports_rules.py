"""CMP-80/81 pure rules: the periods of the scheduled packs with the spec's vector (2026-10-01 →
September's closed cases, due 2026-10-10), the digest time, the CMP-13 complainant rule, rates,
satisfaction, the settings' defaults and the CSV (BOM, CRLF, formulas neutralised)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.complaints import reports_rules as rules
from core.complaints.policy import CmpPolicySchema
from core.complaints.reports_export import csv_bytes, percent

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def test_cmp80_monthly_statistics_on_october_1st_cover_september_due_october_10th():
    period = rules.monthly_period(D(2026, 10, 1), 10)
    assert (period.kind, period.key, period.first_day, period.last_day, period.basis, period.due_on) == (
        "monthly_statistics", "2026-09", D(2026, 9, 1), D(2026, 9, 30), "closed", D(2026, 10, 10))
    # a run later in October (a missed 1st) still means September; January means last December
    assert rules.monthly_period(D(2026, 10, 9), 10).key == "2026-09"
    january = rules.monthly_period(D(2027, 1, 1), 5)
    assert (january.key, january.first_day, january.last_day, january.due_on) == (
        "2026-12", D(2026, 12, 1), D(2026, 12, 31), D(2027, 1, 5))
    assert rules.monthly_period(D(2026, 3, 1), 10).last_day == D(2026, 2, 28)


def test_cmp80_weekly_report_covers_the_seven_days_before_the_report_day():
    monday = rules.weekly_period(D(2026, 9, 21), "mon")
    assert (monday.key, monday.first_day, monday.last_day, monday.basis, monday.due_on) == (
        "2026-09-14..2026-09-20", D(2026, 9, 14), D(2026, 9, 20), "received", D(2026, 9, 21))
    # the days after the report day mean the same week: the daily run finds it built
    assert rules.weekly_period(D(2026, 9, 27), "mon").key == "2026-09-14..2026-09-20"
    assert rules.weekly_period(D(2026, 9, 28), "mon").key == "2026-09-21..2026-09-27"
    friday = rules.weekly_period(D(2026, 9, 21), "fri")
    assert (friday.first_day, friday.last_day, friday.due_on) == (D(2026, 9, 11), D(2026, 9, 17), D(2026, 9, 18))


def test_cmp80_half_year_review_in_the_first_ten_days_of_june_and_december():
    windows = ["06-01..06-10", "12-01..12-10"]
    december = rules.half_year_period(D(2026, 12, 1), windows)
    assert (december.key, december.first_day, december.last_day, december.basis, december.due_on) == (
        "2026-06..2026-11", D(2026, 6, 1), D(2026, 11, 30), "closed", D(2026, 12, 10))
    june = rules.half_year_period(D(2026, 6, 10), windows)
    assert (june.key, june.first_day, june.last_day, june.due_on) == (
        "2025-12..2026-05", D(2025, 12, 1), D(2026, 5, 31), D(2026, 6, 10))
    assert rules.half_year_period(D(2026, 6, 11), windows) is None
    assert rules.half_year_period(D(2026, 7, 1), windows) is None
    assert rules.half_year_period(D(2026, 12, 1), ["01-01..01-15", "07-01..07-15"]) is None
    assert rules.half_year_period(D(2027, 1, 3), ["01-01..01-15", "07-01..07-15"]).key == "2026-07..2026-12"


def test_cmp81_the_digest_of_yesterday_is_ready_at_cmp_digest_at():
    at = dt.time(7, 50)
    # the spec's vector: 2026-09-21 07:50 → the digest of 2026-09-20 (cases open at 09-20 24:00)
    assert rules.digest_day(dt.datetime(2026, 9, 21, 7, 50, tzinfo=SH), at) == D(2026, 9, 20)
    # the job runs every 5 minutes: its last run before 07:50 builds it, earlier ones do not
    assert rules.digest_day(dt.datetime(2026, 9, 21, 7, 49, tzinfo=SH), at) == D(2026, 9, 20)
    assert rules.digest_day(dt.datetime(2026, 9, 21, 7, 44, tzinfo=SH), at) is None
    assert rules.digest_day(dt.datetime(2026, 9, 21, 23, 59, tzinfo=SH), at) == D(2026, 9, 20)
    assert rules.digest_day(dt.datetime(2026, 9, 21, 0, 0, tzinfo=SH), dt.time(0, 2)) == D(2026, 9, 20)
    assert rules.digest_period(D(2026, 9, 20)).key == "2026-09-20"


def test_cmp13_three_linked_complaints_are_one_issue_with_three_complainants():
    assert rules.complainants_of_issue(1, 2) == 3  # the master kept its own count
    assert rules.complainants_of_issue(3, 2) == 3  # the linking set the master's count to the issue's
    assert rules.complainants_of_issue(3, 0) == 3  # one collective case of 3 households
    assert rules.complainants_of_issue(None, 0) == 1


def test_rates_means_and_breakdowns():
    assert rules.ratio(7, 8) == 0.875 and rules.ratio(2, 3) == 0.6667 and rules.ratio(0, 0) is None
    assert rules.satisfaction([{"score": 5, "issues": 2}, {"score": 4, "issues": 1}, {"score": 1, "issues": 1}]) == {
        "responses": 4, "mean": 3.75, "distribution": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 2}}
    assert rules.satisfaction([]) == {"responses": 0, "mean": None,
                                      "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
    rows = [{"milestone": "stage.market_dept", "due": 2, "met_on_time": 2, "met_late": 0},
            {"milestone": "resolve", "due": 8, "met_on_time": 5, "met_late": 1},
            {"milestone": "reply", "due": 9, "met_on_time": 6, "met_late": 0}]
    assert [(r["milestone"], r["not_met"], r["rate"]) for r in rules.attainment(rows)] == [
        ("reply", 3, 0.6667), ("resolve", 2, 0.625), ("stage.market_dept", 0, 1.0)]
    breakdown = rules.breakdown([{"cause": None, "issues": 5, "complainants": 5},
                                 {"cause": "attitude", "issues": 1, "complainants": 1},
                                 {"cause": "equipment", "issues": 2, "complainants": 4}], "cause", 8)
    assert [(r["cause"], r["issues"], r["share"]) for r in breakdown] == [
        ("equipment", 2, 0.25), ("attitude", 1, 0.125), (None, 5, 0.625)]
    assert rules.summary({"issues": 4, "complainants": 6, "cases": 6, "major": 1, "repeats": 1})["repeat_rate"] == 0.25


def test_report_settings_defaults_and_validation():
    values = CmpPolicySchema().load({})
    assert values["reports"] == {"monthly_due_day": 10, "weekly_day": "mon",
                                 "half_year": ["06-01..06-10", "12-01..12-10"]}
    assert values["digest"]["at"] == dt.time(7, 50)
    assert CmpPolicySchema().dump(values)["digest"] == {"at": "07:50"}
    for bad in ({"reports": {"monthly_due_day": 31}}, {"reports": {"weekly_day": "monday"}},
                {"reports": {"half_year": ["06-02..06-10"]}}, {"reports": {"half_year": ["06-01..07-10"]}},
                {"reports": {"half_year": ["06-01..06-10", "06-01..06-05"]}}, {"digest": {"at": "25:00"}}):
        with pytest.raises(ValidationError):
            CmpPolicySchema().load(bad)


def test_csv_opens_in_excel_and_never_runs_a_formula():
    data = csv_bytes([("类别 category", ["类别", "问题 issues", "占比"], [["=HYPERLINK(\"http://x\")", 3, percent(0.875)],
                                                                       ["-1+1", -1, percent(1.0)]])])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.split("\r\n")[:4] == ["类别 category", "类别,问题 issues,占比", "\"'=HYPERLINK(\"\"http://x\"\")\",3,87.5%",
                                      "'-1+1,-1,100%"]
    assert percent(None) == "" and percent(0.6667) == "66.67%"
