"""Events and invitations: pure rules (DOMAIN.md 3.9 CUS-81..CUS-83, CAL-07) with the spec's vectors.

Official 2026 calendar, Asia/Shanghai."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar import CalendarPolicySchema, calendar_from_policy
from core.customers.events.rules import (
    CONFIRMED_LIST,
    PLAN_LIST,
    Division,
    EventFacts,
    InvitationFacts,
    Submission,
    check_lists,
    default_session,
    effective_day,
    judge,
    list_schedule,
    listing_due,
    load_events_policy,
    may_invite,
    sale_credit,
    window_days,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = calendar_from_policy(CalendarPolicySchema().load({}))
S = load_events_policy({})
DIV1 = Division(11, "div1", "第一事业部", head_id=101)
DIV2 = Division(22, "div2", "第二事业部", head_id=202)


def at(m, d, hh=0, mm=0, ss=0):
    return dt.datetime(2026, m, d, hh, mm, ss, tzinfo=SH)


def joint(hh=14, session="afternoon"):
    """The spec's joint meeting: Fri 2026-06-12 14:00 (or the evening variant)."""
    return EventFacts(1, "joint_meeting", at(6, 12, hh), session, (DIV1, DIV2), "联合会议")


def inv(id, division, confirmed, listed=None, state="confirmed", employee=None):
    return InvitationFacts(id, division.department_id, employee or division.head_id, state, confirmed, listed,
                           division.name, f"员工{id}")


# ----------------------------------------------------------------------------------- settings


def test_defaults_are_the_spec_values():
    assert str(S["window"]) == "7 days" and S["daily_cutoff"] == dt.time(18)
    assert S["event_day_cutoff"] == {"afternoon": dt.time(10), "evening": dt.time(16)}
    assert S["late_list_fine"] == Decimal("10.00")
    assert S["plan_lead_days"] == {"div1": 1, "div2": 0} and S["next_day_plan_required"] == ["div2"]
    assert (S["arbiter"], S["escalate_to"], S["credit"]) == ("assistant", "gm", "current_inviter")


@pytest.mark.parametrize("raw, field", [
    ({"window": "3 hours"}, "window"), ({"window": "0 days"}, "window"), ({"daily_cutoff": "25:00"}, "daily_cutoff"),
    ({"late_list_fine": -1}, "late_list_fine"), ({"plan_lead_days": {"Div 1": 1}}, "plan_lead_days"),
    ({"next_day_plan_required": ["div2", "div2"]}, "next_day_plan_required"), ({"credit": "split"}, "credit"),
    ({"arbiter": "Assistant!"}, "arbiter"),
])
def test_bad_settings_name_the_field(raw, field):
    with pytest.raises(ValidationError) as err:
        load_events_policy({"events": raw})
    assert field in err.value.messages["events"]


# ----------------------------------------------------------------------------------- CUS-81 / CAL-07


def test_cus81_invitation_confirmed_after_the_cutoff_counts_for_the_next_day():
    assert effective_day(at(6, 10, 18, 5), S, CAL) == dt.date(2026, 6, 11)  # CUS-81 (1)


@pytest.mark.parametrize("t, day", [
    (at(6, 10, 17, 59, 59), dt.date(2026, 6, 10)),  # CAL-07 (1)
    (at(6, 10, 18), dt.date(2026, 6, 11)),  # CAL-07 (2): 18:00:00 itself is "after"
    (at(6, 10, 23, 30), dt.date(2026, 6, 11)),  # CAL-07 (3)
    (dt.datetime(2026, 6, 10, 10, 30, tzinfo=dt.timezone.utc), dt.date(2026, 6, 11)),  # CAL-08 (1): 18:30 Shanghai
])
def test_cal07_cutoff_in_the_tenant_zone(t, day):
    assert effective_day(t, S, CAL) == day


def test_cutoff_is_a_setting():
    later = load_events_policy({"events": {"daily_cutoff": "20:00"}})
    assert effective_day(at(6, 10, 18, 5), later, CAL) == dt.date(2026, 6, 10)


def test_session_defaults_from_the_start_time():
    assert default_session(at(6, 12, 14), CAL) == "afternoon"
    assert default_session(at(6, 12, 19), CAL) == "evening"


# ----------------------------------------------------------------------------------- CUS-82


def test_cus82_daily_lists_due_0605_to_0611_at_1800():
    """CUS-82 (1): joint meeting Fri 2026-06-12 14:00 → daily lists 06-05..06-11 at 18:00, each ¥10."""
    schedule = list_schedule(joint(), S, CAL)
    daily = [d for d in schedule if d.kind == CONFIRMED_LIST and not d.final and d.department_id == DIV2.department_id]
    assert [d.day for d in daily] == [dt.date(2026, 6, day) for day in range(5, 12)]
    assert [d.due_at for d in daily] == [at(6, day, 18) for day in range(5, 12)]
    assert {d.fine for d in daily} == {Decimal("10.00")}
    assert window_days(joint(), S, CAL) == [dt.date(2026, 6, day) for day in range(5, 12)]


def test_cus82_event_day_list_due_1000_afternoon_1600_evening():
    finals = [d for d in list_schedule(joint(), S, CAL) if d.final]
    assert [(d.department_id, d.due_at, d.fine) for d in finals] == [(11, at(6, 12, 10), None), (22, at(6, 12, 10), None)]
    evening = [d for d in list_schedule(joint(19, "evening"), S, CAL) if d.final]  # CUS-82 (3)
    assert {d.due_at for d in evening} == {at(6, 12, 16)}


def test_cus82_div2_late_list_of_0609_is_fined_10_yuan():
    """CUS-82 (1): Div 2's list of 06-09 submitted 18:20 → late → ¥10 to the Div 2 head."""
    event = joint()
    schedule = list_schedule(event, S, CAL)
    subs = [Submission(d.department_id, d.kind, d.day, d.due_at - dt.timedelta(hours=1), i)
            for i, d in enumerate(schedule) if d.day <= dt.date(2026, 6, 9) and d.kind == CONFIRMED_LIST]
    subs = [s for s in subs if not (s.department_id == 22 and s.day == dt.date(2026, 6, 9))]
    subs.append(Submission(22, CONFIRMED_LIST, dt.date(2026, 6, 9), at(6, 9, 18, 20), 99))
    findings = check_lists(event, schedule, subs, at(6, 9, 21), CAL)
    confirmed = [f for f in findings if f.due.kind == CONFIRMED_LIST]
    assert [(f.due.department_id, f.due.day, f.status, f.fine) for f in confirmed] == [
        (22, dt.date(2026, 6, 9), "late", Decimal("10.00"))]
    assert "18:20" in confirmed[0].reason_zh and "¥10.00" in confirmed[0].reason_en
    # Div 2 also owes a plan (next day, lead 0) with each daily list: none was handed in → reported, not fined
    plans = [f for f in findings if f.due.kind == PLAN_LIST]
    assert {f.due.day for f in plans} == {dt.date(2026, 6, d) for d in (6, 7, 8, 9, 10)}
    assert {(f.status, f.fine) for f in plans} == {("missing", None)}


def test_cus82_missing_list_and_nothing_checked_before_its_cutoff():
    event = joint()
    schedule = list_schedule(event, S, CAL)
    findings = check_lists(event, schedule, [], at(6, 5, 17, 59), CAL)
    assert findings == []
    findings = check_lists(event, schedule, [], at(6, 5, 18), CAL)
    assert sorted((f.due.department_id, f.status, f.fine) for f in findings if f.due.kind == CONFIRMED_LIST) == [
        (11, "missing", Decimal("10.00")), (22, "missing", Decimal("10.00"))]


def test_cus82_plan_lists_follow_the_lead_days():
    """Div 2 (lead 0) hands in the plan of the next day; a required Div 1 (lead 1) the day after."""
    both = load_events_policy({"events": {"next_day_plan_required": ["div1", "div2"]}})
    plans = [d for d in list_schedule(joint(), both, CAL) if d.kind == PLAN_LIST]
    div1 = {(d.due_at.date(), d.day) for d in plans if d.department_id == 11}
    div2 = {(d.due_at.date(), d.day) for d in plans if d.department_id == 22}
    assert (dt.date(2026, 6, 9), dt.date(2026, 6, 10)) in div2 and (dt.date(2026, 6, 9), dt.date(2026, 6, 11)) in div1
    assert max(d for _, d in div1) == max(d for _, d in div2) == dt.date(2026, 6, 12)  # nothing after the event


def test_cus82_window_in_working_days_skips_days_off():
    wd = load_events_policy({"events": {"window": "3 working_days"}})
    # Mon 2026-06-22 (06-19..21 are the Dragon Boat holiday) → 06-16, 06-17, 06-18
    event = EventFacts(2, "joint_meeting", at(6, 22, 14), "afternoon", (DIV1, DIV2))
    assert window_days(event, wd, CAL) == [dt.date(2026, 6, 16), dt.date(2026, 6, 17), dt.date(2026, 6, 18)]


def test_one_division_owes_no_lists():
    lecture = EventFacts(3, "lecture", at(6, 12, 14), "afternoon", (DIV1,))
    assert list_schedule(lecture, S, CAL) == []


def test_listing_due_of_a_confirmation():
    event = joint()
    assert listing_due(event, dt.date(2026, 6, 9), S, CAL) == at(6, 9, 18)
    assert listing_due(event, dt.date(2026, 5, 20), S, CAL) == at(6, 5, 18)  # before the window: its first day
    assert listing_due(event, dt.date(2026, 6, 12), S, CAL) == at(6, 12, 10)  # event day: the final cut-off


# ----------------------------------------------------------------------------------- CUS-83


def test_cus83_on_time_list_beats_earlier_unlisted_confirmation():
    """CUS-83 (1): Div 1 confirms Zhang 06-09 15:00, no list that day; Div 2 confirms 06-10 11:00, listed
    06-10 17:30; Zhang attends 06-12 → Div 2's invitation."""
    div1 = inv(1, DIV1, at(6, 9, 15))
    div2 = inv(2, DIV2, at(6, 10, 11), listed=at(6, 10, 17, 30), state="listed")
    verdict = judge([div1, div2], joint(), S, CAL, "张三")
    assert (verdict.winner_id, verdict.loser_ids, verdict.contested) == (2, (1,), True)
    assert "第二事业部" in verdict.reason_zh and "CUS-83" in verdict.reason_en
    assert [i["listed_on_time"] for i in verdict.facts["invitations"]] == [True, False]


def test_cus83_listing_late_does_not_save_the_first_confirmation():
    div1 = inv(1, DIV1, at(6, 9, 15), listed=at(6, 10, 9), state="listed")  # the 06-09 list came late
    div2 = inv(2, DIV2, at(6, 10, 11), listed=at(6, 10, 17, 30), state="listed")
    assert judge([div1, div2], joint(), S, CAL).winner_id == 2


def test_cus83_between_on_time_lists_the_first_confirmation_wins():
    div1 = inv(1, DIV1, at(6, 9, 15), listed=at(6, 9, 17), state="listed")
    div2 = inv(2, DIV2, at(6, 9, 16), listed=at(6, 9, 17, 30), state="listed")
    assert judge([div2, div1], joint(), S, CAL).winner_id == 1


def test_cus83_single_invitation_is_not_contested():
    verdict = judge([inv(5, DIV1, at(6, 9, 15))], joint(), S, CAL)
    assert (verdict.winner_id, verdict.loser_ids, verdict.contested) == (5, (), False)


def test_cus83_listed_on_time_customer_cannot_be_invited_by_another_department():
    div1 = inv(1, DIV1, at(6, 9, 15), listed=at(6, 9, 17), state="listed")
    refusal = may_invite([div1], DIV2.department_id, joint(), S, CAL, "张三")
    assert refusal is not None and refusal.blocking_id == 1 and refusal.rule_id == "CUS-83"
    assert "第一事业部" in refusal.reason_zh and "listed on time" in refusal.reason_en


def test_cus83_unlisted_confirmation_does_not_block_another_department():
    assert may_invite([inv(1, DIV1, at(6, 9, 15))], DIV2.department_id, joint(), S, CAL) is None
    # its own department cannot invite twice
    assert may_invite([inv(1, DIV1, at(6, 9, 15))], DIV1.department_id, joint(), S, CAL).blocking_id == 1


def test_cus83_sale_credit_100_percent_to_the_current_inviter():
    """CUS-83 (2): Zhang buys ¥6,000 → 100% to the Div 2 inviter, 0% to the original follow-up employee."""
    credit = sale_credit(Decimal("6000"), (202, "王二"), S, original=(101, "李一"))
    assert [(s.user_id, s.role, s.percent, s.amount) for s in credit.shares] == [
        (202, "current_inviter", Decimal("100.00"), Decimal("6000.00")),
        (101, "original_follow_up", Decimal("0.00"), Decimal("0.00"))]
    assert sum(s.percent for s in credit.shares) == Decimal("100.00")
    assert "¥6,000.00" in credit.reason_zh and "王二" in credit.reason_en


def test_credit_to_the_owner_when_the_tenant_says_so():
    owner = load_events_policy({"events": {"credit": "owner"}})
    credit = sale_credit(Decimal("6000"), (202, "王二"), owner, original=(101, "李一"), owner=(101, "李一"))
    assert [(s.user_id, s.percent) for s in credit.shares] == [(101, Decimal("100.00")), (202, Decimal("0.00"))]
