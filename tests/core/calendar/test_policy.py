"""The ``cal`` policy document: defaults, validation errors, calendar construction."""

import datetime as dt

import pytest
from marshmallow import ValidationError

from core.calendar import (
    BusinessWindow,
    CalendarPolicySchema,
    Duration,
    HOLIDAY,
    NationalData,
    WorkCalendar,
    calendar_from_policy,
    load_calendar_policy,
)

from .conftest import at

D = dt.date


def errors_of(raw):
    with pytest.raises(ValidationError) as info:
        CalendarPolicySchema().load(raw)
    return info.value.messages


def test_cal_policy_empty_document_loads_all_defaults():
    values = CalendarPolicySchema().load({})
    assert values == {
        "weekly_rest_days": ["sat", "sun"],
        "overrides": [],
        "business_hours": [
            {"start": dt.time(9), "end": dt.time(12)},
            {"start": dt.time(13, 30), "end": dt.time(18)},
        ],
        "working_day_deadline_time": "24:00",
        "roll_last_day_off": {"internal": False, "customer": True},
        "provisional_fallback": "statutory_holidays",
        "long_leave_min": Duration(15, "days"),
        "posts": [],
        "department_calendars": {},
    }


def test_cal_policy_defaults_are_not_shared_between_loads():
    first = load_calendar_policy({})
    first["weekly_rest_days"].append("fri")
    first["business_hours"][0]["start"] = dt.time(7)
    second = load_calendar_policy({})
    assert second["weekly_rest_days"] == ["sat", "sun"]
    assert second["business_hours"][0]["start"] == dt.time(9)


def test_cal_policy_default_calendar_equals_default_workcalendar():
    assert calendar_from_policy(load_calendar_policy({})) == WorkCalendar()


def test_cal_policy_full_document_round_trips():
    raw = {
        "weekly_rest_days": ["sun"],
        "overrides": [{"date": "2026-12-24", "kind": "off", "note": "anniversary"}],
        "business_hours": [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
        "working_day_deadline_time": "business_close",
        "roll_last_day_off": {"internal": True},
        "provisional_fallback": "weekends_only",
        "long_leave_min": "1 month",
        "posts": [{"post": "front_desk", "min_on_duty": 2}],
        "department_calendars": {
            "hall": {"weekly_rest_days": [], "business_hours": [{"start": "09:00", "end": "24:00"}]}
        },
    }
    schema = CalendarPolicySchema()
    values = schema.load(raw)
    assert values["roll_last_day_off"] == {"internal": True, "customer": True}
    assert values["long_leave_min"] == Duration(1, "months")
    assert values["department_calendars"]["hall"]["business_hours"][0]["end"] == dt.time(0)
    assert "overrides" not in values["department_calendars"]["hall"]  # inherits
    dumped = schema.dump(values)
    assert dumped["department_calendars"]["hall"]["business_hours"][0] == {"start": "09:00", "end": "24:00"}
    assert dumped["long_leave_min"] == "1 months"
    assert schema.load(dumped) == values


def test_cal_policy_builds_configured_calendar():
    values = load_calendar_policy({
        "overrides": [{"date": "2026-12-24", "kind": "off"}],
        "working_day_deadline_time": "business_close",
        "business_hours": [{"start": "08:30", "end": "17:30"}],
        "department_calendars": {"hall": {"weekly_rest_days": []}},
    })
    national = NationalData({2027: {D(2027, 1, 1): HOLIDAY}})
    cal = calendar_from_policy(values, national=national)
    assert cal.national is national
    assert cal.business_hours == (BusinessWindow(dt.time(8, 30), dt.time(17, 30)),)
    assert cal.add_working_days(at(2026, 12, 23, 10), 1).at == at(2026, 12, 25, 17, 30)
    hall = cal.for_department("hall")
    assert hall.is_working_day(D(2026, 11, 22)) and not cal.is_working_day(D(2026, 11, 22))
    assert not hall.is_working_day(D(2026, 12, 24))  # tenant override inherited
    assert not cal.add_working_days(at(2026, 12, 31), 1).provisional


def test_cal_policy_timezone_is_the_tenants_not_a_policy_setting():
    assert errors_of({"timezone": "Asia/Urumqi"}) == {"timezone": ["Unknown field."]}
    assert calendar_from_policy(load_calendar_policy({}), timezone="Asia/Urumqi").timezone == "Asia/Urumqi"


def test_cal_policy_bad_time():
    errors = errors_of({"business_hours": [{"start": "9am", "end": "12:00"}, {"start": "13:00", "end": "25:00"}]})
    assert "start" in errors["business_hours"][0]
    assert "end" in errors["business_hours"][1]


def test_cal_policy_window_end_before_start():
    errors = errors_of({"business_hours": [{"start": "12:00", "end": "09:00"}]})
    assert errors == {"business_hours": {0: {"end": ["End must be after start."]}}}


def test_cal_policy_overlapping_windows():
    errors = errors_of({"business_hours": [{"start": "09:00", "end": "12:00"}, {"start": "11:30", "end": "14:00"}]})
    assert errors == {"business_hours": ["Windows 09:00–12:00 and 11:30–14:00 overlap."]}


def test_cal_policy_adjacent_windows_allowed():
    values = load_calendar_policy({"business_hours": [{"start": "09:00", "end": "12:00"}, {"start": "12:00", "end": "14:00"}]})
    assert len(values["business_hours"]) == 2


def test_cal_policy_unknown_weekday():
    errors = errors_of({"weekly_rest_days": ["sat", "saturday"]})
    assert list(errors) == ["weekly_rest_days"] and 1 in errors["weekly_rest_days"]


def test_cal_policy_duplicate_weekday():
    assert errors_of({"weekly_rest_days": ["sat", "sat"]}) == {"weekly_rest_days": ["Duplicate weekday 'sat'."]}


def test_cal_policy_override_kind_must_be_off_or_work():
    errors = errors_of({"overrides": [{"date": "2026-12-24", "kind": "holiday"}]})
    assert errors == {"overrides": {0: {"kind": ["Must be one of: off, work."]}}}


def test_cal_policy_duplicate_override_date():
    errors = errors_of({"overrides": [{"date": "2026-12-24", "kind": "off"}, {"date": "2026-12-24", "kind": "work"}]})
    assert errors == {"overrides": {1: {"date": ["Duplicate override date 2026-12-24 (also item 0)."]}}}


def test_cal_policy_bad_override_date():
    assert "date" in errors_of({"overrides": [{"date": "2026-02-30", "kind": "off"}]})["overrides"][0]


def test_cal_policy_bad_choices_and_durations():
    errors = errors_of({
        "working_day_deadline_time": "17:00",
        "provisional_fallback": "guess",
        "long_leave_min": "2 hours",
        "posts": [{"post": "front_desk", "min_on_duty": -1}],
    })
    assert set(errors) == {"working_day_deadline_time", "provisional_fallback", "long_leave_min", "posts"}
    assert errors_of({"long_leave_min": "lots"})["long_leave_min"][0].startswith("invalid duration")


def test_cal_policy_duplicate_post():
    errors = errors_of({"posts": [{"post": "front_desk", "min_on_duty": 2}, {"post": "front_desk", "min_on_duty": 1}]})
    assert errors == {"posts": ["Duplicate post 'front_desk'."]}


def test_cal_policy_department_errors_are_field_level():
    errors = errors_of({"department_calendars": {"hall": {
        "weekly_rest_days": ["funday"],
        "business_hours": [{"start": "10:00", "end": "09:00"}],
        "overrides": [{"date": "2026-12-24", "kind": "off"}, {"date": "2026-12-24", "kind": "off"}],
    }}})
    hall = errors["department_calendars"]["hall"]["value"]
    assert set(hall) == {"weekly_rest_days", "business_hours", "overrides"}
    assert hall["business_hours"] == {0: {"end": ["End must be after start."]}}


def test_cal_policy_unknown_keys_refused():
    assert errors_of({"weekend": ["sat"]}) == {"weekend": ["Unknown field."]}
    assert "colour" in errors_of({"overrides": [{"date": "2026-12-24", "kind": "off", "colour": "red"}]})["overrides"][0]
