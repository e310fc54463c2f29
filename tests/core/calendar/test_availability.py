"""CAL-11 duty roster and availability."""

import datetime as dt

import pytest

from core.calendar import (
    Availability,
    Post,
    WorkCalendar,
    accrues_owed_turn,
    count_on_duty,
    is_long_leave,
    roster_breaches,
)

D = dt.date


def test_cal11_front_desk_with_one_on_duty_is_breached():
    counts = count_on_duty([("front_desk", "on_duty"), ("front_desk", "with_customer"), ("floor", "on_duty")])
    assert counts == {"front_desk": 1, "floor": 1}
    breaches = roster_breaches([Post("front_desk", 2), {"post": "floor", "min_on_duty": 1}], counts)
    assert len(breaches) == 1
    breach = breaches[0]
    assert (breach.post, breach.min_on_duty, breach.on_duty, breach.shortfall) == ("front_desk", 2, 1, 1)
    assert breach.rule == "CAL-11"


def test_cal11_post_without_anyone_counts_zero():
    assert roster_breaches([("night_guard", 1)], {})[0].on_duty == 0
    assert roster_breaches([("front_desk", 2)], {"front_desk": 2}) == []


def test_cal11_twenty_day_leave_is_long_leave():
    assert is_long_leave(D(2026, 7, 1), D(2026, 7, 20), "15 days")
    assert is_long_leave(D(2026, 7, 1), D(2026, 7, 20))  # default cal.long_leave_min = 15 days


def test_cal11_long_leave_threshold_is_inclusive():
    assert is_long_leave(D(2026, 7, 1), D(2026, 7, 15))  # exactly 15 days
    assert not is_long_leave(D(2026, 7, 1), D(2026, 7, 14))


def test_cal11_long_leave_other_units():
    assert is_long_leave(D(2026, 7, 1), D(2026, 7, 14), "2 weeks")
    assert is_long_leave(D(2026, 7, 1), D(2026, 7, 31), "1 month")
    assert not is_long_leave(D(2026, 7, 1), D(2026, 7, 30), "1 month")
    cal = WorkCalendar()
    # 2026-09-28..10-09: working days 09-28, 09-29, 09-30, 10-08, 10-09
    assert is_long_leave(D(2026, 9, 28), D(2026, 10, 9), "5 working_days", calendar=cal)
    assert not is_long_leave(D(2026, 9, 28), D(2026, 10, 9), "6 working_days", calendar=cal)
    with pytest.raises(ValueError, match="calendar"):
        is_long_leave(D(2026, 9, 28), D(2026, 10, 9), "5 working_days")
    with pytest.raises(ValueError):
        is_long_leave(D(2026, 7, 1), D(2026, 7, 20), "48 hours")
    with pytest.raises(ValueError, match="before"):
        is_long_leave(D(2026, 7, 20), D(2026, 7, 1))


def test_cal11_only_company_business_and_with_customer_accrue_owed_turns():
    assert accrues_owed_turn(Availability.COMPANY_BUSINESS)
    assert accrues_owed_turn("with_customer")
    for state in ("on_duty", "off_duty", "leave"):
        assert not accrues_owed_turn(state)
    assert accrues_owed_turn("leave", accruing=["leave"])
    with pytest.raises(ValueError):
        accrues_owed_turn("napping")
