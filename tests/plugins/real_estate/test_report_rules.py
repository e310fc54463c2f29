"""RE-50..RE-52: the office's figures, the follow-up sheet's reminder, the weekly plan's reminder (pure)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import WorkCalendar
from plugins.real_estate.policy import RePolicySchema
from plugins.real_estate.report_rules import (
    DailyCounts,
    TrackedCustomer,
    conversion_percent,
    conversion_report,
    daily_report,
    follow_up_reminder,
    last_weekly_plan_day_ended,
    month_of,
    week_of,
    weekly_plan_due_day,
    weekly_plan_reminder,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(timezone="Asia/Shanghai")
D = dt.date


def settings(**overrides):
    return RePolicySchema().load(overrides)


def at(y, mo, d, h=0, mi=0, s=0):
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=SH)


# ------------------------------------------------------------------ RE-50

WEEK = [DailyCounts(D(2026, 9, 21), visits=14, new_visitors=9, calls=22, small_deposits=2, subscriptions=1),
        DailyCounts(D(2026, 9, 22), visits=10, new_visitors=7, calls=15),
        DailyCounts(D(2026, 9, 23), visits=8, new_visitors=5, calls=11, subscriptions=1),
        DailyCounts(D(2026, 9, 24), visits=9, new_visitors=6, calls=12),
        DailyCounts(D(2026, 9, 25), visits=5, new_visitors=3, calls=4),
        DailyCounts(D(2026, 9, 26), visits=9, new_visitors=6, calls=6, subscriptions=1),
        DailyCounts(D(2026, 9, 27), visits=7, new_visitors=5, calls=5),
        DailyCounts(D(2026, 9, 28), visits=30, new_visitors=20, calls=30, subscriptions=4)]  # next week


def test_re50_the_daily_report_of_mon_2026_09_21():
    report = daily_report(WEEK[0])
    assert (report.day, report.visits, report.new_visitors, report.calls, report.small_deposits) == (
        D(2026, 9, 21), 14, 9, 22, 2)
    assert report.returning_visitors == 5 and report.rule_id == "RE-50"
    assert ("来访", "visits", 14) in report.rows() and ("小定", "small deposits", 2) in report.rows()


def test_re50_the_week_of_09_21_41_new_visitors_3_subscriptions_is_7_3_percent():
    start, end = week_of(D(2026, 9, 23))
    assert (start, end) == (D(2026, 9, 21), D(2026, 9, 27))
    report = conversion_report("week", start, end, WEEK)
    assert (report.new_visitors, report.subscriptions) == (41, 3)
    assert report.visit_conversion == Decimal("7.3") and report.rule_id == "RE-50"
    assert report.calls == 75 and report.call_conversion == Decimal("4.0")


def test_re50_monthly_and_no_base():
    assert month_of(D(2026, 9, 21)) == (D(2026, 9, 1), D(2026, 9, 30))
    assert month_of(D(2026, 12, 5)) == (D(2026, 12, 1), D(2026, 12, 31))
    month = conversion_report("month", *month_of(D(2026, 9, 21)), WEEK)
    assert (month.new_visitors, month.subscriptions, month.visit_conversion) == (61, 7, Decimal("11.5"))
    assert conversion_percent(0, 0) is None
    assert conversion_report("week", D(2026, 10, 5), D(2026, 10, 11), WEEK).visit_conversion is None


def test_re50_counts_are_counts():
    with pytest.raises(ValueError):
        daily_report(DailyCounts(D(2026, 9, 21), visits=3, new_visitors=4))
    with pytest.raises(ValueError):
        daily_report(DailyCounts(D(2026, 9, 21), calls=-1))


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_conversion_is_half_up_to_one_decimal(deals, base):
    rate = conversion_percent(deals, base)
    assert rate == rate.quantize(Decimal("0.1")) and abs(rate - Decimal(deals) * 100 / base) <= Decimal("0.05")


# ------------------------------------------------------------------ RE-51


def test_re51_class_a_without_a_follow_up_for_7_days_reminds_the_supervisor():
    customer = TrackedCustomer(customer_id=501, intent_class="A", on_sheet_since=D(2026, 9, 1),
                               last_follow_up_on=D(2026, 9, 14))
    assert follow_up_reminder(settings(), CAL, customer, at(2026, 9, 21, 23, 59, 59)) is None
    reminder = follow_up_reminder(settings(), CAL, customer, at(2026, 9, 22))
    assert reminder.rule_id == "RE-51" and reminder.to_role == "sales_supervisor" and reminder.subject_id == 501
    assert reminder.due_from == at(2026, 9, 22)
    assert "7 days" in reminder.reason_en and "A类" in reminder.reason_zh


def test_re51_only_tracked_classes_and_from_going_on_the_sheet():
    c = TrackedCustomer(customer_id=502, intent_class="C", on_sheet_since=D(2026, 9, 1))
    assert follow_up_reminder(settings(), CAL, c, at(2026, 12, 1)) is None
    b = TrackedCustomer(customer_id=503, intent_class="B", on_sheet_since=D(2026, 9, 14))
    assert follow_up_reminder(settings(), CAL, b, at(2026, 9, 22)).subject_id == 503
    assert follow_up_reminder(settings(follow_up_sheet={"remind_after": "10 days"}), CAL, b, at(2026, 9, 22)) is None


# ------------------------------------------------------------------ RE-52


def test_re52_no_weekly_plan_by_sat_2026_09_26_24_00_reminds():
    s = settings()
    assert last_weekly_plan_day_ended(s, CAL, at(2026, 9, 26, 23, 59)) == D(2026, 9, 19)
    assert last_weekly_plan_day_ended(s, CAL, at(2026, 9, 27)) == D(2026, 9, 26)
    earlier = [D(2026, 9, 19)]
    assert weekly_plan_reminder(s, CAL, person_id=7, plans_for=earlier, now=at(2026, 9, 26, 23, 59)) is None
    reminder = weekly_plan_reminder(s, CAL, person_id=7, plans_for=earlier, now=at(2026, 9, 27))
    assert reminder.rule_id == "RE-52" and reminder.subject_id == 7 and reminder.due_from == at(2026, 9, 27)
    assert "2026-09-26" in reminder.reason_en and "周六" in reminder.reason_zh
    handed_in = [weekly_plan_due_day(s, D(2026, 9, 26))]
    assert handed_in == [D(2026, 9, 26)]
    assert weekly_plan_reminder(s, CAL, person_id=7, plans_for=handed_in, now=at(2026, 9, 27, 8)) is None


def test_re52_a_plan_written_midweek_is_for_the_coming_saturday_and_the_day_is_a_setting():
    s = settings()
    assert weekly_plan_due_day(s, D(2026, 9, 23)) == D(2026, 9, 26)
    assert weekly_plan_due_day(s, D(2026, 9, 27)) == D(2026, 10, 3)
    fri = settings(plans={"weekly_day": "fri"})
    assert last_weekly_plan_day_ended(fri, CAL, at(2026, 9, 26)) == D(2026, 9, 25)
    assert last_weekly_plan_day_ended(s, CAL, dt.datetime(2026, 9, 26, 16, tzinfo=dt.UTC)) == D(2026, 9, 26)
