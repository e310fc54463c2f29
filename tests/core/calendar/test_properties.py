"""Property tests of CAL-03, CAL-04 and CAL-05 arithmetic over 2025..2027."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import WorkCalendar

from .conftest import SHANGHAI

CAL = WorkCalendar()
HALL = WorkCalendar(weekly_rest_days=(), overrides=[(dt.date(2026, 6, 1), "off", "")])

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 6, 30), timezones=st.just(SHANGHAI)
)
hours = st.decimals(min_value=0, max_value=60, places=2, allow_nan=False, allow_infinity=False)
calendars = st.sampled_from([CAL, HALL])
FAST = settings(max_examples=150, deadline=None, database=None)


@FAST
@given(calendars, instants, st.integers(min_value=1, max_value=30))
def test_cal03_property_lands_on_working_day_and_counts_back(cal, t, n):
    due = cal.add_working_days(t, n)
    assert cal.is_working_day(due.through)
    assert cal.working_days_between(t, due.through) == n
    assert len(due.counted_days) == n
    assert due.through > t.astimezone(SHANGHAI).date()
    assert due.at == cal.end_of_day(due.through)


@FAST
@given(calendars, instants, st.integers(min_value=0, max_value=20))
def test_cal03_property_monotonic_in_n(cal, t, n):
    this, following = cal.add_working_days(t, n).at, cal.add_working_days(t, n + 1).at
    if n == 0 and not cal.is_working_day(t):
        assert this == following  # N = 0 on an off day = the next working day (CAL-03)
    else:
        assert this < following


@FAST
@given(calendars, instants, hours, hours)
def test_cal04_property_monotonic_in_hours(cal, t, h1, h2):
    low, high = sorted((h1, h2))
    assert cal.add_business_hours(t, low).at <= cal.add_business_hours(t, high).at


@FAST
@given(instants, instants, hours)
def test_cal04_property_monotonic_in_start(t1, t2, h):
    early, late = sorted((t1, t2))
    assert CAL.add_business_hours(early, h).at <= CAL.add_business_hours(late, h).at


@FAST
@given(instants, hours)
def test_cal04_property_result_inside_business_hours_and_additive(t, h):
    due = CAL.add_business_hours(t, h)
    local = due.at.astimezone(SHANGHAI)
    assert CAL.is_working_day(local.date())
    windows = CAL.business_windows(local.date())
    assert any(start <= due.utc <= end for start, end in windows)
    split = h / 2
    halfway = CAL.add_business_hours(t, split).at
    assert abs(CAL.add_business_hours(halfway, h - split).at - due.at) <= dt.timedelta(microseconds=1)


@FAST
@given(instants, st.integers(min_value=0, max_value=30))
def test_cal05_property_months_land_on_corresponding_or_last_day(t, n):
    start = t.astimezone(SHANGHAI).date()
    through = CAL.add_months(t, n).through
    months = (through.year - start.year) * 12 + through.month - start.month
    assert months == n
    assert through.day == start.day or (through.day < start.day and (through + dt.timedelta(days=1)).day == 1)


@FAST
@given(instants, st.integers(min_value=0, max_value=60))
def test_cal05_property_roll_never_earlier_and_lands_on_working_day(t, n):
    plain = CAL.add_days(t, n)
    rolled = CAL.add_days(t, n, roll=True)
    assert rolled.at >= plain.at
    assert CAL.is_working_day(rolled.through)
    assert (rolled.at == plain.at) == CAL.is_working_day(plain.through)
