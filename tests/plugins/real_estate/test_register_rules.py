"""RE-03 (registers and the evening-meeting minutes as evidence) and RE-05 (ask first)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from plugins.real_estate.register_rules import (
    MeetingMinutes,
    MinutesLine,
    RegisterEntry,
    is_late,
    minutes_evidence,
    register_evidence,
    validate_entry,
)

SH = ZoneInfo("Asia/Shanghai")
A, B = 21, 22
GU = 9001


def at(day, h, m):
    return dt.datetime(2026, 5, day, h, m, tzinfo=SH)


def entry(visit_at, entered_at, **kw):
    values = {"id": 1, "kind": "visit", "salesperson_id": A, "customer_id": GU, "visit_at": visit_at,
              "entered_at": entered_at, "visited_before": False}
    values.update(kw)
    return RegisterEntry(**values)


def minutes_of(day, *lines, ended=(20, 30)):
    return MeetingMinutes(id=100 + day, day=dt.date(2026, 5, day), ended_at=at(day, *ended),
                          lines=tuple(MinutesLine(c, s) for c, s in lines))


def test_re03_entry_on_the_day_is_evidence_at_its_entry_time():
    e = entry(at(4, 10, 12), at(4, 10, 15))
    ev = register_evidence(e)
    assert (ev.rule_id, ev.kind, ev.at, ev.late_entry, ev.salesperson_id) == ("RE-03", "register", at(4, 10, 15),
                                                                              False, A)
    assert "Under RE-03." in ev.reason_en


def test_re03_entry_3_days_late_is_accepted_flagged_and_dated_at_entry():
    """(1) a register entry made 3 days after the visit → accepted with late_entry = true; its evidence time is
    the entry time unless the minutes of the visit day list the customer."""
    e = entry(at(4, 10, 12), at(7, 9, 0))
    assert is_late(e)
    ev = register_evidence(e, [minutes_of(4, (4711, A)), minutes_of(5, (GU, A))])
    assert ev.late_entry and ev.at == at(7, 9, 0) and ev.corroborated_by is None
    assert ev.facts["days_late"] == 3 and ev.facts["minutes_of_visit_day"] == [104]
    assert "3 day(s) later" in ev.reason_en and "补登" in ev.reason_zh


def test_re03_late_entry_listed_in_the_visit_day_minutes_keeps_the_visit_time():
    e = entry(at(4, 10, 12), at(7, 9, 0))
    ev = register_evidence(e, [minutes_of(4, (GU, A))])
    assert ev.late_entry and ev.at == at(4, 10, 12) and ev.corroborated_by == 104
    assert "CUS-21" in ev.reason_en and "当日晚会记录列有该客户" in ev.reason_zh
    # minutes listing the customer for another salesperson do not corroborate A's entry
    ev = register_evidence(e, [minutes_of(4, (GU, B))])
    assert ev.at == at(7, 9, 0) and ev.corroborated_by is None


def test_re03_late_is_by_local_day_not_by_hours():
    assert not is_late(entry(at(4, 9, 0), at(4, 23, 59)))
    # 23:30 in Shanghai on 05-04 is 15:30 UTC; entered 00:10 on 05-05 local → late
    assert is_late(entry(at(4, 23, 30), at(5, 0, 10)))


def test_re03_minutes_alone_are_evidence_at_the_meeting_end():
    found = minutes_evidence(minutes_of(5, (GU, B), (4711, A)), GU)
    assert [(e.kind, e.salesperson_id, e.at) for e in found] == [("meeting_record", B, at(5, 20, 30))]


def test_re05_entry_without_visited_before_is_refused_naming_the_field():
    """(1) register entry without the answer to "visited before?" → 422."""
    with pytest.raises(InvalidInput) as raised:
        validate_entry(entry(at(4, 10, 12), at(4, 10, 15), visited_before=None))
    assert raised.value.status == 422 and list(raised.value.fields) == ["visited_before"]
    with pytest.raises(InvalidInput):
        register_evidence(entry(at(4, 10, 12), at(4, 10, 15), visited_before=None))


def test_re05_who_received_them_is_asked_when_they_visited_before():
    with pytest.raises(InvalidInput) as raised:
        validate_entry(entry(at(4, 10, 12), at(4, 10, 15), visited_before=True))
    assert list(raised.value.fields) == ["previous_receiver"]
    validate_entry(entry(at(4, 10, 12), at(4, 10, 15), visited_before=True, previous_receiver_id=B))
    validate_entry(entry(at(4, 10, 12), at(4, 10, 15), visited_before=True, previous_receiver_name="小王"))
    validate_entry(entry(at(4, 10, 12), at(4, 10, 15), visited_before=True, previous_receiver_forgotten=True))


def test_re05_entry_kind_and_times_are_checked():
    with pytest.raises(InvalidInput) as raised:
        validate_entry(entry(at(4, 10, 12), at(4, 10, 0), kind="fax"))
    assert set(raised.value.fields) == {"kind", "entered_at"}
