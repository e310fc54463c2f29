"""WorkCalendar vectors of CAL-01..CAL-08 on the official 2026 calendar."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar import (
    HOLIDAY,
    BusinessWindow,
    DepartmentCalendar,
    Duration,
    NationalData,
    Override,
    WorkCalendar,
    through_date,
)

from .conftest import SHANGHAI, at

D = dt.date
UTC = dt.timezone.utc


# ---------------------------------------------------------------- CAL-01


def test_cal01_makeup_sunday_is_working(cal):
    assert cal.is_working_day(D(2026, 9, 20))
    assert "make-up" in cal.day_info(D(2026, 9, 20)).reason


def test_cal01_national_day_monday_is_off(cal):
    assert not cal.is_working_day(D(2026, 10, 5))
    assert "national holiday" in cal.day_info(D(2026, 10, 5)).reason


def test_cal01_makeup_saturday_oct_10_is_working(cal):
    assert cal.is_working_day(D(2026, 10, 10))


def test_cal01_national_day_week_statuses(cal):
    week = [D(2026, 10, 1) + dt.timedelta(n) for n in range(12)]
    assert [cal.is_working_day(d) for d in week] == [
        False, False, False, False, False, False, False,  # 10-01..07 holiday
        True, True, True,  # Thu 10-08, Fri 10-09, Sat 10-10 (make-up)
        False, True,  # Sun 10-11 rest, Mon 10-12
    ]


def test_cal01_plain_weekend_and_weekday(cal):
    assert not cal.is_working_day(D(2026, 11, 21))  # Sat
    assert cal.is_working_day(D(2026, 11, 23))  # Mon


def test_cal01_tenant_off_day_dec_24_moves_next_working_day():
    tenant = WorkCalendar(overrides=[(D(2026, 12, 24), "off", "company anniversary")])
    assert not tenant.is_working_day(D(2026, 12, 24))
    assert "company anniversary" in tenant.day_info(D(2026, 12, 24)).reason
    due = tenant.add_working_days(at(2026, 12, 23, 10), 1)
    assert due.through == D(2026, 12, 25)
    assert WorkCalendar().add_working_days(at(2026, 12, 23, 10), 1).through == D(2026, 12, 24)


def test_cal01_tenant_work_override_beats_national_holiday():
    tenant = WorkCalendar(overrides=[Override(D(2026, 10, 5), "work", "inventory")])
    assert tenant.is_working_day(D(2026, 10, 5))
    assert tenant.add_working_days(at(2026, 9, 30, 10), 1).through == D(2026, 10, 5)


def test_cal01_department_business_hall_works_sundays():
    tenant = WorkCalendar(department_calendars={"hall": DepartmentCalendar(weekly_rest_days=())})
    hall = tenant.for_department("hall")
    assert hall.is_working_day(D(2026, 11, 22))  # Sun
    assert not tenant.is_working_day(D(2026, 11, 22))
    assert hall.department == "hall"
    assert not hall.is_working_day(D(2026, 10, 1))  # national holidays still apply


def test_cal01_department_inherits_and_adds_overrides():
    tenant = WorkCalendar(
        overrides=[(D(2026, 12, 24), "off", "")],
        department_calendars={"hall": {"overrides": [(D(2026, 12, 26), "work", "sale")],
                                       "business_hours": ["10:00-20:00"]}},
    )
    hall = tenant.for_department("hall")
    assert not hall.is_working_day(D(2026, 12, 24))
    assert hall.is_working_day(D(2026, 12, 26))
    assert hall.weekly_rest_days == ("sat", "sun")
    assert hall.business_hours == (BusinessWindow(dt.time(10), dt.time(20)),)
    assert tenant.for_department("unknown") is tenant


def test_cal01_invalid_configuration_refused():
    with pytest.raises(ValueError, match="unknown weekday"):
        WorkCalendar(weekly_rest_days=["sat", "caturday"])
    with pytest.raises(ValueError, match="duplicate override"):
        WorkCalendar(overrides=[(D(2026, 1, 5), "off"), (D(2026, 1, 5), "work")])
    with pytest.raises(ValueError, match="'off' or 'work'"):
        WorkCalendar(overrides=[(D(2026, 1, 5), "holiday")])
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(business_hours=["09:00-12:00", "11:00-13:00"])
    with pytest.raises(ValueError, match="after start"):
        WorkCalendar(business_hours=["12:00-09:00"])
    with pytest.raises(ValueError, match="time zone"):
        WorkCalendar(timezone="Mars/Olympus")


# ---------------------------------------------------------------- CAL-02


def test_cal02_provisional_2027_new_year():
    due = WorkCalendar().add_working_days(at(2026, 12, 31, 10), 1)
    assert due.through == D(2027, 1, 4)
    assert due.provisional is True
    assert any("元旦" in step and "provisional" in step for step in due.trace)


def test_cal02_2027_data_loaded_with_jan_4_working():
    national = NationalData({2027: {D(2027, 1, 1): HOLIDAY}})
    due = WorkCalendar(national=national).add_working_days(at(2026, 12, 31, 10), 1)
    assert due.through == D(2027, 1, 4)
    assert due.provisional is False


def test_cal02_2027_data_loaded_with_jan_4_off():
    national = NationalData({2027: {D(2027, 1, 1): HOLIDAY, D(2027, 1, 4): HOLIDAY}})
    due = WorkCalendar(national=national).add_working_days(at(2026, 12, 31, 10), 1)
    assert due.through == D(2027, 1, 5)
    assert due.provisional is False


def test_cal02_weekends_only_fallback():
    cal = WorkCalendar(provisional_fallback="weekends_only")
    assert cal.is_working_day(D(2027, 1, 1))
    due = cal.add_working_days(at(2026, 12, 31, 10), 1)
    assert due.through == D(2027, 1, 1)
    assert due.provisional


def test_cal02_statutory_fallback_spring_festival_2027(cal):
    # 除夕 2027-02-05 (Fri) .. 02-08 (Mon); no make-up days
    assert [cal.is_working_day(D(2027, 2, 4) + dt.timedelta(n)) for n in range(6)] == [
        True, False, False, False, False, True]
    assert cal.provisional_years(D(2026, 6, 1), D(2028, 1, 1)) == [2027, 2028]


def test_cal02_deadline_inside_official_year_is_not_provisional(cal):
    assert not cal.add_working_days(at(2026, 12, 28, 10), 2).provisional


def test_cal02_override_decides_without_national_data():
    cal = WorkCalendar(overrides=[(D(2027, 1, 4), "work", "")])
    assert not cal.day_info(D(2027, 1, 4)).provisional


# ---------------------------------------------------------------- CAL-03


def test_cal03_friday_plus_three_working_days(cal):
    due = cal.add_working_days(at(2026, 9, 18, 16), 3)
    assert due.through == D(2026, 9, 22)
    assert due.at == at(2026, 9, 23)
    assert due.counted_days == (D(2026, 9, 20), D(2026, 9, 21), D(2026, 9, 22))
    assert due.rule == "CAL-03" and not due.provisional


def test_cal03_national_day_three_working_days_through_makeup_saturday(cal):
    due = cal.add_working_days(at(2026, 9, 30, 10), 3)
    assert due.through == D(2026, 10, 10)
    assert due.counted_days == (D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10))


def test_cal03_national_day_seven_working_days(cal):
    assert cal.add_working_days(at(2026, 9, 30, 10), 7).through == D(2026, 10, 15)


def test_cal03_mid_autumn_one_working_day(cal):
    assert cal.add_working_days(at(2026, 9, 24, 10), 1).through == D(2026, 9, 28)


def test_cal03_event_day_never_counted_even_late_or_off(cal):
    assert cal.add_working_days(at(2026, 9, 18, 0, 0), 1).through == D(2026, 9, 20)
    assert cal.add_working_days(at(2026, 9, 18, 23, 59), 1).through == D(2026, 9, 20)
    assert cal.add_working_days(at(2026, 10, 3, 10), 1).through == D(2026, 10, 8)


def test_cal03_zero_working_days_same_working_day(cal):
    assert cal.add_working_days(at(2026, 9, 18, 16), 0).through == D(2026, 9, 18)
    assert cal.add_working_days(at(2026, 10, 3, 16), 0).through == D(2026, 10, 8)


def test_cal03_business_close_deadline_time():
    cal = WorkCalendar(working_day_deadline_time="business_close")
    due = cal.add_working_days(at(2026, 9, 18, 16), 3)
    assert due.at == at(2026, 9, 22, 18)
    assert due.through == D(2026, 9, 22)


def test_cal03_working_days_between(cal):
    assert cal.working_days_between(at(2026, 9, 18, 16), D(2026, 9, 22)) == 3
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 15)) == 7
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert cal.working_days_between(D(2026, 10, 15), D(2026, 9, 30)) == -7


def test_cal03_negative_or_fractional_count_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 9, 18), -1)
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 9, 18), 1.5)


# ---------------------------------------------------------------- CAL-04


def test_cal04_wednesday_before_national_day_plus_four_business_hours(cal):
    due = cal.add_business_hours(at(2026, 9, 30, 17), 4)
    assert due.at == at(2026, 10, 8, 12)
    assert due.rule == "CAL-04"
    assert due.counted_days == (D(2026, 9, 30), D(2026, 10, 8))


def test_cal04_saturday_event_starts_on_makeup_sunday(cal):
    assert cal.add_business_hours(at(2026, 9, 19, 10), 2).at == at(2026, 9, 20, 11)


def test_cal04_dragon_boat_holiday_event(cal):
    assert cal.add_business_hours(at(2026, 6, 19, 9), 4).at == at(2026, 6, 22, 14, 30)


def test_cal04_fractional_and_lunch_break(cal):
    assert cal.add_business_hours(at(2026, 9, 21, 11, 30), Decimal("0.5")).at == at(2026, 9, 21, 12)
    assert cal.add_business_hours(at(2026, 9, 21, 11, 30), Decimal("0.75")).at == at(2026, 9, 21, 13, 45)
    assert cal.add_business_hours(at(2026, 9, 21, 12, 30), 1.5).at == at(2026, 9, 21, 15)
    assert cal.add_business_hours(at(2026, 9, 21, 19), 0).at == at(2026, 9, 22, 9)


def test_cal04_department_business_hours():
    cal = WorkCalendar(department_calendars={"hall": {"business_hours": ["08:30-17:30"]}})
    assert cal.for_department("hall").add_business_hours(at(2026, 9, 21, 8), 9).at == at(2026, 9, 21, 17, 30)


def test_cal04_utc_input_is_read_in_tenant_zone(cal):
    # 2026-09-30 09:00Z = 17:00 Shanghai
    due = cal.add_business_hours(dt.datetime(2026, 9, 30, 9, tzinfo=UTC), 4)
    assert due.utc == dt.datetime(2026, 10, 8, 4, tzinfo=UTC)


# ---------------------------------------------------------------- CAL-05


def test_cal05_two_months_from_march_1(cal):
    due = cal.add_months(at(2026, 3, 1, 10), 2)
    assert due.through == D(2026, 5, 1)
    assert due.at == at(2026, 5, 2)
    assert not due.provisional


def test_cal05_two_months_clamped_to_february_end(cal):
    assert cal.add_months(at(2026, 12, 31, 10), 2).through == D(2027, 2, 28)


def test_cal05_month_clamping_more(cal):
    assert cal.add_months(at(2026, 1, 31), 1).through == D(2026, 2, 28)
    assert cal.add_months(at(2026, 3, 31), 1).through == D(2026, 4, 30)
    assert cal.add_months(at(2026, 8, 31), 6).through == D(2027, 2, 28)
    assert cal.add_years(at(2028, 2, 29), 1).through == D(2029, 2, 28)
    assert cal.add_months(at(2026, 3, 1), 0).through == D(2026, 3, 1)


def test_cal05_customer_payment_week_rolls_past_national_day(cal):
    due = cal.add_duration(at(2026, 9, 28, 10), Duration(1, "weeks"), audience="customer")
    assert due.through == D(2026, 10, 8)
    assert any("203" in step for step in due.trace)


def test_cal05_internal_week_does_not_roll(cal):
    due = cal.add_duration(at(2026, 9, 28, 10), "1 week", audience="internal")
    assert due.through == D(2026, 10, 5)


def test_cal05_days_and_explicit_roll(cal):
    assert cal.add_days(at(2026, 9, 28, 10), 3).through == D(2026, 10, 1)
    assert cal.add_days(at(2026, 9, 28, 10), 3, roll=True).through == D(2026, 10, 8)
    assert cal.add_days(at(2026, 3, 1), 0).through == D(2026, 3, 1)


def test_cal05_roll_settings_are_tenant_configurable():
    cal = WorkCalendar(roll_last_day_off_internal=True, roll_last_day_off_customer=False)
    assert cal.add_duration(at(2026, 9, 28), "1 week").through == D(2026, 10, 8)
    assert cal.add_duration(at(2026, 9, 28), "1 week", "customer").through == D(2026, 10, 5)
    with pytest.raises(ValueError, match="audience"):
        cal.add_duration(at(2026, 9, 28), "1 week", "partner")


def test_cal05_roll_into_provisional_year_is_provisional(cal):
    due = cal.add_days(at(2026, 12, 25), 7, roll=True)  # last day 2027-01-01 (statutory)
    assert due.through == D(2027, 1, 4)
    assert due.provisional
    assert not cal.add_days(at(2026, 12, 25), 7).provisional  # no roll → calendar not consulted


# ---------------------------------------------------------------- CAL-06


def test_cal06_24_hours_elapsed_over_holiday(cal):
    due = cal.add_duration(at(2026, 10, 1, 9), "24 hours")
    assert due.at == at(2026, 10, 2, 9)
    assert due.rule == "CAL-06" and not due.provisional


def test_cal06_24_business_hours_over_national_day(cal):
    due = cal.add_duration(at(2026, 10, 1, 9), "24 business_hours")
    assert due.at == at(2026, 10, 12, 10, 30)


def test_cal06_minutes(cal):
    assert cal.add_duration(at(2026, 10, 1, 23, 30), "45 minutes").at == at(2026, 10, 2, 0, 15)
    assert cal.add_hours(at(2026, 10, 1, 9), Decimal("1.25")).at == at(2026, 10, 1, 10, 15)


def test_cal06_elapsed_time_across_dst_zone():
    cal = WorkCalendar(timezone="Europe/Berlin")
    start = dt.datetime(2026, 3, 28, 12, tzinfo=ZoneInfo("Europe/Berlin"))  # DST starts 03-29
    assert cal.add_duration(start, "24 hours").at == dt.datetime(2026, 3, 29, 13, tzinfo=ZoneInfo("Europe/Berlin"))


# ---------------------------------------------------------------- CAL-07


def test_cal07_before_cutoff_same_day(cal):
    assert cal.effective_day(at(2026, 6, 10, 17, 59, 59), "18:00") == D(2026, 6, 10)


def test_cal07_at_cutoff_next_day(cal):
    assert cal.effective_day(at(2026, 6, 10, 18, 0, 0), "18:00") == D(2026, 6, 11)


def test_cal07_late_evening_next_day(cal):
    assert cal.effective_day(at(2026, 6, 10, 23, 30), dt.time(18)) == D(2026, 6, 11)


# ---------------------------------------------------------------- CAL-08


def test_cal08_utc_1030_is_shanghai_1830_next_day(cal):
    assert cal.effective_day(dt.datetime(2026, 6, 10, 10, 30, tzinfo=UTC), "18:00") == D(2026, 6, 11)


def test_cal08_day_boundary_uses_tenant_zone(cal):
    # 2026-09-18 16:30Z is already Saturday 00:30 in Shanghai: the event day is 09-19
    due = cal.add_working_days(dt.datetime(2026, 9, 18, 16, 30, tzinfo=UTC), 1)
    assert due.through == D(2026, 9, 20)
    assert due.utc == dt.datetime(2026, 9, 20, 16, tzinfo=UTC)
    assert due.at.tzinfo == SHANGHAI


def test_cal08_naive_datetimes_refused(cal):
    naive = dt.datetime(2026, 9, 18, 16)
    for call in (
        lambda: cal.add_working_days(naive, 1),
        lambda: cal.add_business_hours(naive, 1),
        lambda: cal.add_months(naive, 1),
        lambda: cal.add_duration(naive, "24 hours"),
        lambda: cal.effective_day(naive, "18:00"),
        lambda: cal.is_working_day(naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


def test_cal08_other_tenant_zone():
    cal = WorkCalendar(timezone="America/New_York", weekly_rest_days=["sat", "sun"])
    # 2026-09-18 23:00 Shanghai = 2026-09-18 11:00 New York (Friday)
    due = cal.add_working_days(at(2026, 9, 18, 23), 1)
    assert due.through == D(2026, 9, 20)  # 09-20 is a Chinese make-up day in the national data
    assert due.at.tzinfo == ZoneInfo("America/New_York")


# -------------------------------------------------------- through-date helper


def test_sec1_through_date_representation(cal):
    due = cal.add_days(at(2026, 3, 1), 10)
    assert due.at == at(2026, 3, 12, 0, 0)
    assert through_date(due) == D(2026, 3, 11) == due.through
    assert through_date(at(2026, 10, 8, 12)) == D(2026, 10, 8)
    assert "through 2026-03-11" in due.explain()
