"""National data: official 2026 schedule and the CAL-02 statutory fallback."""

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from core.calendar import (
    HOLIDAY,
    MAKEUP_WORKDAY,
    NORMAL,
    WEEKENDS_ONLY,
    NationalData,
    statutory_holidays,
)

D = dt.date

OFF_2026 = [
    (D(2026, 1, 1), D(2026, 1, 3)),
    (D(2026, 2, 15), D(2026, 2, 23)),
    (D(2026, 4, 4), D(2026, 4, 6)),
    (D(2026, 5, 1), D(2026, 5, 5)),
    (D(2026, 6, 19), D(2026, 6, 21)),
    (D(2026, 9, 25), D(2026, 9, 27)),
    (D(2026, 10, 1), D(2026, 10, 7)),
]
MAKEUP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def test_cal01_national_2026_matches_section1_schedule():
    data = NationalData()
    assert data.has_year(2026)
    holidays = {day for day in (D(2026, 1, 1) + dt.timedelta(n) for n in range(365)) if data.status(day) == HOLIDAY}
    expected = set()
    for first, last in OFF_2026:
        expected.update(first + dt.timedelta(n) for n in range((last - first).days + 1))
    assert holidays == expected
    assert [d for d in (D(2026, 1, 1) + dt.timedelta(n) for n in range(365))
            if data.status(d) == MAKEUP_WORKDAY] == MAKEUP_2026
    assert data.status(D(2026, 3, 10)) == NORMAL
    assert data.status(D(2026, 3, 14)) == NORMAL  # a plain Saturday is not national data


def test_cal02_package_has_no_2027_data():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    data = NationalData()
    assert not data.has_year(2027)
    assert data.is_provisional(D(2027, 1, 4))
    assert not data.is_provisional(D(2026, 12, 31))


def test_cal02_statutory_holidays_2027_are_the_13_days():
    days = statutory_holidays(2027)
    assert len(days) == 13
    assert days == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",  # 除夕 (lunar new year 2027-02-06)
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午",
        D(2027, 9, 15): "中秋",
        D(2027, 10, 1): "国庆",
        D(2027, 10, 2): "国庆",
        D(2027, 10, 3): "国庆",
    }


def test_cal02_spring_festival_starts_on_eve_when_twelfth_month_has_29_days():
    # lunar year 2025 began 2025-01-29; its eve was 2025-01-28 (腊月廿九)
    days = statutory_holidays(2025)
    assert [d for d, name in sorted(days.items()) if name == "春节"] == [
        D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31)]


@pytest.mark.parametrize("year", range(2008, 2027))
def test_cal02_computed_lunar_and_solar_term_dates_fall_in_official_holidays(year):
    """Cross-check of the fallback against published schedules 2008..2026."""
    days = statutory_holidays(year)
    by_name = {}
    for day, name in days.items():
        by_name.setdefault(name, []).append(day)
    # (the package leaves some weekend days inside holiday blocks unlisted,
    # e.g. 2012-06-23, so check "off" rather than membership)
    for name in ("清明", "端午", "中秋"):
        assert not chinese_calendar.is_workday(by_name[name][0]), (year, name)
    new_year_day = sorted(by_name["春节"])[1]  # 正月初一
    assert new_year_day in cc.holidays


def test_cal02_fallback_statuses():
    data = NationalData()
    day = data.detail(D(2027, 1, 1))
    assert (day.status, day.name, day.provisional) == (HOLIDAY, "元旦", True)
    assert data.status(D(2027, 1, 4)) == NORMAL
    assert data.status(D(2027, 1, 1), fallback=WEEKENDS_ONLY) == NORMAL
    assert NationalData(fallback=WEEKENDS_ONLY).status(D(2027, 1, 1)) == NORMAL


def test_cal02_injected_year_data_is_official():
    data = NationalData({2027: {D(2027, 1, 1): HOLIDAY, D(2027, 2, 20): MAKEUP_WORKDAY}})
    assert data.has_year(2027)
    assert not data.is_provisional(D(2027, 1, 1))
    assert data.status(D(2027, 1, 1)) == HOLIDAY
    assert data.status(D(2027, 2, 20)) == MAKEUP_WORKDAY
    assert data.status(D(2027, 2, 6)) == NORMAL  # loaded year: unlisted = normal
    refreshed = NationalData().with_year(2027, {D(2027, 1, 4): HOLIDAY})
    assert refreshed.status(D(2027, 1, 4)) == HOLIDAY
    assert 2027 in refreshed.loaded_years()


def test_cal02_without_package_every_year_is_provisional():
    data = NationalData(use_package=False)
    assert not data.has_year(2026)
    assert data.detail(D(2026, 10, 5)).provisional


@pytest.mark.parametrize(
    "explicit, message",
    [
        ({2027: {D(2026, 1, 1): HOLIDAY}}, "contains 2026-01-01"),
        ({2027: {D(2027, 1, 1): "party"}}, "status must be one of"),
        ({2027: {"2027-01-01": HOLIDAY}}, "must be dates"),
    ],
)
def test_cal02_injected_data_is_validated(explicit, message):
    with pytest.raises(ValueError, match=message):
        NationalData(explicit)


def test_cal02_unknown_fallback_refused():
    with pytest.raises(ValueError, match="provisional_fallback"):
        NationalData(fallback="guess")
