"""CAL-09 recomputation of open deadlines (and CAL-02 provisional → official)."""

import datetime as dt

from core.calendar import HOLIDAY, NationalData, WorkCalendar, recompute_deadline

from .conftest import at

D = dt.date


def test_cal09_tenant_off_day_moves_open_case():
    before = WorkCalendar()
    start = at(2026, 12, 22, 10)
    old = before.add_working_days(start, 3)
    assert old.through == D(2026, 12, 25)
    after = WorkCalendar(overrides=[(D(2026, 12, 24), "off", "added on 12-23")])
    result = recompute_deadline(after, start, "3 working_days", old.at, now=at(2026, 12, 23, 9))
    assert not result.breached
    assert result.new.through == D(2026, 12, 28)
    assert result.moved and result.needs_decision
    assert result.rule == "CAL-09"


def test_cal09_breached_case_untouched():
    after = WorkCalendar(overrides=[(D(2026, 12, 24), "off", "")])
    old_at = at(2026, 12, 21)  # through 2026-12-20
    result = recompute_deadline(after, at(2026, 12, 15, 10), "3 working_days", old_at, now=at(2026, 12, 23, 9))
    assert result.breached
    assert result.new is None
    assert not result.needs_decision


def test_cal02_official_data_confirms_provisional_due_and_writes_cal09():
    start = at(2026, 12, 31, 10)
    old = WorkCalendar().add_working_days(start, 1)
    assert old.provisional
    official = WorkCalendar(national=NationalData({2027: {D(2027, 1, 1): HOLIDAY}}))
    result = recompute_deadline(
        official, start, "1 working_days", old.at, now=at(2027, 1, 1, 3), old_provisional=True)
    assert not result.moved
    assert result.new.provisional is False
    assert result.needs_decision  # provisional → official is recorded


def test_cal02_official_data_with_jan_4_off_moves_due():
    start = at(2026, 12, 31, 10)
    old = WorkCalendar().add_working_days(start, 1)
    official = WorkCalendar(national=NationalData({2027: {D(2027, 1, 1): HOLIDAY, D(2027, 1, 4): HOLIDAY}}))
    result = recompute_deadline(
        official, start, "1 working_days", old.at, now=at(2027, 1, 1, 3), old_provisional=True)
    assert result.new.through == D(2027, 1, 5)
    assert result.moved


def test_cal09_unchanged_calendar_needs_no_decision():
    cal = WorkCalendar()
    start = at(2026, 9, 18, 16)
    old = cal.add_working_days(start, 3)
    result = recompute_deadline(cal, start, "3 working_days", old.at, now=at(2026, 9, 19))
    assert not result.needs_decision
