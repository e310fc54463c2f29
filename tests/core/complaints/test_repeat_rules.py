"""CMP-12 repeat complaints and the CMP-13 complainant count: pure rules with the spec's dates."""
import datetime as dt
from zoneinfo import ZoneInfo

from core.calendar import Duration, WorkCalendar
from core.complaints.repeat_rules import CaseFacts, complainant_total, repeat_of

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(timezone="Asia/Shanghai")
WINDOW = Duration(90, "days")


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


# Liu's repair-quality complaint, closed 2026-03-05
EARLIER = CaseFacts(1, at("2026-02-20 10:00"), "repair_quality", None, "closed", at("2026-03-05 16:00"))


def new(received, category="repair_quality", subject_ref=None):
    return CaseFacts(2, at(received), category, subject_ref, "received")


def test_cmp12_again_within_90_days_of_closing_is_a_repeat():
    found = repeat_of(new("2026-04-10 09:00"), [EARLIER], CAL, WINDOW)
    assert found is not None and found.earlier_id == 1 and found.matched_on == "category"
    assert found.window_through == dt.date(2026, 6, 3) and not found.earlier_open


def test_cmp12_after_the_window_is_not():
    assert repeat_of(new("2026-06-10 09:00"), [EARLIER], CAL, WINDOW) is None
    assert repeat_of(new("2026-06-03 23:59"), [EARLIER], CAL, WINDOW) is not None  # through 06-03 24:00
    assert repeat_of(new("2026-06-04 00:00"), [EARLIER], CAL, WINDOW) is None


def test_cmp12_open_earlier_case_same_subject_and_exclusions():
    still_open = CaseFacts(1, at("2025-01-10 10:00"), "repair_quality", None, "in_progress")
    found = repeat_of(new("2026-04-10 09:00"), [still_open], CAL, WINDOW)
    assert found.earlier_open and found.window_through is None
    other_category = CaseFacts(1, at("2026-04-01 10:00"), "staff_attitude", "川E12345", "closed", at("2026-04-02 10:00"))
    assert repeat_of(new("2026-04-10 09:00"), [other_category], CAL, WINDOW) is None
    found = repeat_of(new("2026-04-10 09:00", subject_ref=" 川e12345 "), [other_category], CAL, WINDOW)
    assert found.matched_on == "subject_ref"
    rejected = CaseFacts(1, at("2026-04-01 10:00"), "repair_quality", None, "rejected")
    assert repeat_of(new("2026-04-10 09:00"), [rejected], CAL, WINDOW) is None
    later = CaseFacts(3, at("2026-04-11 10:00"), "repair_quality", None, "received")
    assert repeat_of(new("2026-04-10 09:00"), [later], CAL, WINDOW) is None


def test_cmp12_the_most_recent_earlier_case_is_named():
    second = CaseFacts(5, at("2026-03-20 10:00"), "repair_quality", None, "closed", at("2026-03-25 10:00"))
    assert repeat_of(new("2026-04-10 09:00"), [EARLIER, second], CAL, WINDOW).earlier_id == 5


def test_cmp13_complainants_count_households_once():
    assert complainant_total([(None, 1), (None, 1), (None, 1)]) == 3
    assert complainant_total([(10, 1), (10, 1), (None, 1)]) == 2  # two cases of one household
    assert complainant_total([(10, 1), (11, 4)]) == 5
