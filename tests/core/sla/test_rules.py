"""Pure deadline rules with the spec's vectors on the official 2026 calendar (CMP-33 pauses, CMP-34
warnings, CMP-40 escalation steps)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar, parse_duration
from core.sla import rules

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkCalendar()


def pause(a, b, reason="waiting_customer"):
    return rules.Pause(a, b, reason)


def test_cmp33_day_based_resolve_skips_the_fully_paused_day_not_the_40_percent_one(cal):
    """Received Fri 2026-09-18 16:00, 3 working days → through 09-22 (Sun 09-20 is a make-up day);
    paused Mon 09-21 09:00 → Tue 09-22 12:00: 09-21 fully, 09-22 40% of its business hours → through 09-23."""
    start = at(2026, 9, 18, 16)
    duration = parse_duration("3 working_days")
    assert rules.paused_deadline(cal, start, duration, []).at == at(2026, 9, 23)
    due = rules.paused_deadline(cal, start, duration, [pause(at(2026, 9, 21, 9), at(2026, 9, 22, 12))])
    assert due.at == at(2026, 9, 24)  # 24:00 of 09-23
    assert "2026-09-21 100% paused" in due.explain() and "2026-09-22" not in due.explain().split("CMP-33")[-1]
    assert rules.paused_fraction(cal, dt.date(2026, 9, 22), [pause(at(2026, 9, 21, 9), at(2026, 9, 22, 12))],
                                 "working") == Decimal("0.4")


def test_cmp33_threshold_is_inclusive_and_tenant_set(cal):
    """A day paused exactly half is skipped (CAL-10 'at least'); with the threshold at 0.6 it counts."""
    start = at(2026, 9, 18, 16)
    half = [pause(at(2026, 9, 21, 9), at(2026, 9, 21, 15))]  # 3 h + 1.5 h = 4.5 of 7.5 h = 60%
    assert rules.paused_deadline(cal, start, parse_duration("3 working_days"), half).at == at(2026, 9, 24)
    assert rules.paused_deadline(cal, start, parse_duration("3 working_days"), half,
                                 threshold=Decimal("0.61")).at == at(2026, 9, 23)
    exactly = [pause(at(2026, 9, 21, 9), at(2026, 9, 21, 14, 15))]  # 3 h + 0.75 h = 3.75 of 7.5 h: 50%
    assert rules.paused_fraction(cal, dt.date(2026, 9, 21), exactly, "working") == Decimal("0.5")
    assert rules.paused_deadline(cal, start, parse_duration("3 working_days"), exactly).at == at(2026, 9, 24)
    short = [pause(at(2026, 9, 21, 9), at(2026, 9, 21, 14, 14))]
    assert rules.paused_deadline(cal, start, parse_duration("3 working_days"), short).at == at(2026, 9, 23)


def test_cmp33_a_skipped_day_is_replaced_by_the_next_working_day_past_the_holiday(cal):
    """Wed 2026-09-23 + 3 working days → 09-24, (Mid-Autumn 09-25..27), 09-28, 09-29: through 09-29;
    09-24 paused whole → 09-28, 09-29, 09-30: through 09-30."""
    start = at(2026, 9, 23, 10)
    assert rules.paused_deadline(cal, start, parse_duration("3 working_days"), []).at == at(2026, 9, 30)
    due = rules.paused_deadline(cal, start, parse_duration("3 working_days"),
                                [pause(at(2026, 9, 24, 8), at(2026, 9, 24, 19))])
    assert due.at == at(2026, 10, 1)


def test_cmp33_calendar_days_count_the_whole_day(cal):
    start = at(2026, 9, 18, 16)
    paused = [pause(at(2026, 9, 21, 9), at(2026, 9, 22, 12))]  # 09-21 62.5% of 24 h, 09-22 exactly 50%
    assert rules.paused_deadline(cal, start, parse_duration("5 days"), []).at == at(2026, 9, 24)
    assert rules.paused_deadline(cal, start, parse_duration("5 days"), paused).at == at(2026, 9, 26)


def test_cmp33_hour_based_clocks_add_the_paused_time(cal):
    start = at(2026, 10, 1, 9)
    paused = [pause(at(2026, 10, 1, 12), at(2026, 10, 1, 15, 30))]
    assert rules.paused_deadline(cal, start, parse_duration("24 hours"), paused).at == at(2026, 10, 2, 12, 30)
    # a pause after the due time does not move it
    late = [pause(at(2026, 10, 2, 10), at(2026, 10, 2, 11))]
    assert rules.paused_deadline(cal, start, parse_duration("24 hours"), late).at == at(2026, 10, 2, 9)
    # business hours: the business time inside the pause (Mon 09-21 10:00–11:30 → 1.5 h) is added
    monday = at(2026, 9, 21, 9)
    assert rules.paused_deadline(cal, monday, parse_duration("4 business_hours"), []).at == at(2026, 9, 21, 14, 30)
    assert rules.paused_deadline(cal, monday, parse_duration("4 business_hours"),
                                 [pause(at(2026, 9, 21, 10), at(2026, 9, 21, 11, 30))]).at == at(2026, 9, 21, 16)


def test_cmp33_only_the_reasons_of_a_clock_stop_it_and_a_customer_deadline_applies_when_earlier(cal):
    start = at(2026, 9, 18, 16)
    both = [pause(at(2026, 9, 21, 9), at(2026, 9, 22, 12), "waiting_parts")]
    assert rules.applicable_pauses(both, ["waiting_customer"], start) == []
    assert rules.applicable_pauses(both, None, start) == both
    assert rules.applicable_pauses(both, None, at(2026, 9, 21, 10))[0].start == at(2026, 9, 21, 10)
    # CMP-33 (2): a hotel guest asks for a solution by 20:00 the same day, the default is later → 20:00
    due, source = rules.due_of(cal, at(2026, 9, 18, 16), parse_duration("1 working_days"), [],
                               customer_due=at(2026, 9, 18, 20))
    assert (due.at, source) == (at(2026, 9, 18, 20), "customer")
    due, source = rules.due_of(cal, at(2026, 9, 18, 16), parse_duration("24 hours"), [], customer_due=at(2026, 9, 30))
    assert (due.at, source) == (at(2026, 9, 19, 16), "policy")


def test_cmp34_warning_times(cal):
    reply = cal.add_duration(at(2026, 10, 1, 9), "24 hours")
    assert rules.warn_time(cal, at(2026, 10, 1, 9), reply, parse_duration("24 hours")) == at(2026, 10, 2, 4, 12)
    resolve = cal.add_duration(at(2026, 9, 30, 10), "3 working_days")  # through Sat 10-10 (make-up day)
    assert rules.warn_time(cal, at(2026, 9, 30, 10), resolve, parse_duration("3 working_days")) == at(2026, 10, 10, 9)
    assert rules.warn_time(cal, at(2026, 9, 30, 10), resolve, parse_duration("3 working_days"),
                           mode="fraction") == at(2026, 9, 30, 10) + (at(2026, 10, 11) - at(2026, 9, 30, 10)) * 0.8
    off_day = cal.add_duration(at(2026, 9, 28, 10), "5 days")  # through Sat 10-03, a holiday
    assert rules.warn_time(cal, at(2026, 9, 28, 10), off_day, parse_duration("5 days")) == at(2026, 10, 3)


def test_cmp40_ladder_steps_one_working_day_apart(cal):
    """Resolve due through Sat 2026-10-10 → supervisor at 10-11 00:00, dept manager at 10-13 00:00
    (after Mon 10-12), GM at 10-14 00:00."""
    steps = rules.escalation_times(cal, at(2026, 10, 11), 3, parse_duration("1 working_days"))
    assert steps == [at(2026, 10, 11), at(2026, 10, 13), at(2026, 10, 14)]
    # hour-based intervals count from the step itself
    assert rules.next_escalation(cal, at(2026, 10, 11), parse_duration("4 hours")) == at(2026, 10, 11, 4)
    # a step at the end of the day before National Day waits for the first working day after it
    assert rules.next_escalation(cal, at(2026, 10, 1), parse_duration("1 working_days")) == at(2026, 10, 9)
