"""Pure rules of CUS-61..64 with the spec's vectors (no database)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar import WorkCalendar
from core.customers.visits import cadence_rules as cadence
from core.customers.visits import commitment_rules, plan_rules, survey_rules
from core.customers.visits.settings import PRE16_VISITS, VisitsPolicySchema

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
CAL = WorkCalendar(timezone="Asia/Shanghai")


def settings(body=None):
    return VisitsPolicySchema().load(body or {})


def test_defaults_of_the_spec():
    values = settings()
    visits, survey = values["visits"], values["survey"]
    assert visits["matrix"] == {} and visits["quota"] == {} and visits["plan_due"] == "last day of month"
    assert visits["holiday"]["tiers"] == ["A"] and str(visits["holiday"]["lead"]) == "3 days"
    assert str(visits["report_within"]) == "2 days" and survey["threshold"] == Decimal(80)


def test_bad_matrix_names_the_field():
    with pytest.raises(ValidationError) as err:
        settings({"visits": {"matrix": {"A": {"supervisor": [{"times": 2, "per": "month"},
                                                             {"times": 1, "per": "month"}],
                                              "agent": [{"times": 0, "per": "week"}]}},
                             "plan_due": "day 30 of month"}})
    messages = err.value.messages["visits"]
    assert "plan_due" in messages
    assert messages["matrix"]["A"]["value"]["supervisor"]["value"] == [
        "At most one cadence per month for a role (join them: times)."]
    assert set(messages["matrix"]["A"]["value"]["agent"]["value"][0]) == {"times", "per"}


def _due(tier, day):
    matrix = settings({"visits": PRE16_VISITS})["visits"]["matrix"]
    return sorted((s.role, s.period_key, s.slot, s.due_on, s.mode) for s in cadence.cadence_visits(tier, matrix, day))


def test_cus61_vector_1_a_customer_in_october_2026():
    assert _due("A", D(2026, 10, 1)) == [
        ("agent", "2026-10", 1, D(2026, 10, 31), "phone_ok"),
        ("gm", "2026", 1, D(2026, 12, 31), "on_site"),
        ("supervisor", "2026-10", 1, D(2026, 10, 15), "phone_ok"),
        ("supervisor", "2026-10", 2, D(2026, 10, 31), "phone_ok"),
        ("supervisor", "2026-Q4", 1, D(2026, 12, 31), "on_site"),
    ]
    assert _due("A", D(2026, 10, 31)) == _due("A", D(2026, 10, 1))  # the same periods all month


def test_pre16_b_and_c_tiers():
    assert [(r, k) for r, k, *_ in _due("B", D(2026, 11, 3))] == [
        ("agent", "2026-11"), ("supervisor", "2026-11"), ("supervisor", "2026-11"), ("supervisor", "2026-Q4")]
    assert [(r, k) for r, k, *_ in _due("C", D(2026, 11, 3))] == [
        ("agent", "2026-11"), ("supervisor", "2026-11"), ("supervisor", "2026-11")]
    assert _due("D", D(2026, 11, 3)) == []


@pytest.mark.parametrize("per,day,times,expected", [
    ("month", D(2026, 11, 5), 2, [D(2026, 11, 15), D(2026, 11, 30)]),
    ("month", D(2026, 2, 5), 2, [D(2026, 2, 14), D(2026, 2, 28)]),
    ("month", D(2026, 10, 5), 3, [D(2026, 10, 10), D(2026, 10, 20), D(2026, 10, 31)]),
    ("quarter", D(2026, 11, 5), 2, [D(2026, 11, 15), D(2026, 12, 31)]),
    ("quarter", D(2026, 11, 5), 3, [D(2026, 10, 31), D(2026, 11, 30), D(2026, 12, 31)]),
    ("year", D(2026, 5, 5), 4, [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]),
    ("year", D(2026, 5, 5), 1, [D(2026, 12, 31)]),
])
def test_visits_are_spread_evenly(per, day, times, expected):
    assert cadence.slot_due_dates(cadence.period_of(day, per), times) == expected


def test_public_holidays_from_the_calendar():
    holidays = cadence.public_holidays(CAL, D(2026, 9, 1), D(2026, 10, 31))
    assert [(h.first, h.last, h.name) for h in holidays] == [
        (D(2026, 9, 25), D(2026, 9, 27), "Mid-autumn Festival"), (D(2026, 10, 1), D(2026, 10, 7), "National Day")]
    assert cadence.public_holidays(CAL, D(2026, 10, 2), D(2026, 10, 8)) == []  # 10-01 started the holiday


def test_cus61_vector_2_national_day_holiday_visit():
    holiday = settings()["visits"]["holiday"]
    holidays = cadence.public_holidays(CAL, D(2026, 9, 20), D(2026, 10, 31))
    on = {day: cadence.holiday_visits("A", holiday, holidays, day) for day in
          (D(2026, 9, 27), D(2026, 9, 28), D(2026, 9, 30), D(2026, 10, 1))}
    assert on[D(2026, 9, 27)] == [] and on[D(2026, 10, 1)] == []
    task = on[D(2026, 9, 28)][0]
    assert (task.period_key, task.available_from, task.due_on, task.role, task.holiday) == (
        "holiday:2026-10-01", D(2026, 9, 28), D(2026, 9, 30), "agent", "National Day")
    assert on[D(2026, 9, 30)][0].key == task.key  # the same task (natural key), however late the job runs
    mid_autumn = cadence.holiday_visits("A", holiday, holidays, D(2026, 9, 22))[0]
    assert (mid_autumn.available_from, mid_autumn.due_on) == (D(2026, 9, 22), D(2026, 9, 24))
    assert cadence.holiday_visits("B", holiday, holidays, D(2026, 9, 28)) == []  # tiers: [A]


def test_modes_accept_their_channels():
    assert cadence.accepts("phone_ok", "phone_answered") and cadence.accepts("phone_ok", "visit")
    assert not cadence.accepts("on_site", "phone_answered")
    assert all(cadence.accepts("on_site", c) for c in ("on_site", "visit", "home_visit"))
    assert not cadence.accepts("phone_ok", "phone_unanswered") and not cadence.accepts("phone_ok", "sms")


def _slot(id, slot, mode="phone_ok", performer=7, key="2026-10", first=D(2026, 10, 1), last=D(2026, 10, 31)):
    return cadence.OpenSlot(id, performer, (1, "supervisor", key), slot, mode, CAL.start_of_day(first),
                            CAL.end_of_day(last))


def _entry(id, when, channel="phone_answered", user=7):
    return cadence.Entry(id, user, channel, dt.datetime.fromisoformat(when).replace(tzinfo=SH))


def test_entries_fulfil_the_earliest_open_slot_once():
    slots = [_slot(1, 1), _slot(2, 2)]
    assert cadence.match_entries(slots, [_entry(10, "2026-10-20 10:00")]) == {1: _entry(10, "2026-10-20 10:00")}
    both = cadence.match_entries(slots, [_entry(11, "2026-10-25 10:00"), _entry(10, "2026-10-03 10:00")])
    assert {k: v.id for k, v in both.items()} == {1: 10, 2: 11}
    assert cadence.match_entries(slots, [_entry(10, "2026-10-03 10:00")], used={(1, "supervisor", "2026-10"): {10}}) == {}


def test_entries_of_others_outside_the_period_or_of_the_wrong_mode_do_not_count():
    slots = [_slot(1, 1)]
    assert cadence.match_entries(slots, [_entry(10, "2026-10-03 10:00", user=8)]) == {}
    assert cadence.match_entries(slots, [_entry(10, "2026-09-30 23:59")]) == {}
    assert cadence.match_entries(slots, [_entry(10, "2026-11-01 00:00")]) == {}
    assert cadence.match_entries(slots, [_entry(10, "2026-10-31 23:59")]) != {}
    quarterly = [_slot(1, 1, mode="on_site", key="2026-Q4", last=D(2026, 12, 31))]
    assert cadence.match_entries(quarterly, [_entry(10, "2026-10-03 10:00")]) == {}
    assert cadence.match_entries(quarterly, [_entry(10, "2026-11-03 10:00", "on_site")]) != {}
    assert cadence.match_entries([_slot(1, 1, performer=None)], [_entry(10, "2026-10-03 10:00")]) == {}


def test_cus62_plan_due_and_flag_month():
    assert plan_rules.plan_due_date(D(2026, 12, 1), "last day of month") == D(2026, 11, 30)
    assert plan_rules.plan_due_date(D(2026, 3, 1), "last day of month") == D(2026, 2, 28)
    assert plan_rules.plan_due_date(D(2026, 12, 1), "day 25 of month") == D(2026, 11, 25)
    assert plan_rules.month_to_flag(D(2026, 12, 1), "last day of month") == D(2026, 12, 1)  # vector (2)
    assert plan_rules.month_to_flag(D(2026, 11, 30), "last day of month") == D(2026, 11, 1)
    assert plan_rules.month_to_flag(D(2026, 11, 26), "day 25 of month") == D(2026, 12, 1)
    with pytest.raises(ValueError):
        plan_rules.parse_month("2026-13")


def test_cus62_vector_1_report_due_two_days_after_the_visit():
    due = plan_rules.report_due(CAL, dt.datetime(2026, 11, 20, 15, 0, tzinfo=SH), settings()["visits"]["report_within"])
    assert due.through == D(2026, 11, 22) and due.at == dt.datetime(2026, 11, 23, tzinfo=SH)
    one_day = plan_rules.report_due(CAL, dt.datetime(2026, 11, 20, 15, 0, tzinfo=SH), "1 days")  # X1-3 preset
    assert one_day.through == D(2026, 11, 21)


def test_quota_is_the_largest_of_the_roles():
    assert plan_rules.quota_for(["salesperson", "supervisor"], {"salesperson": 20, "supervisor": 8}) == 20
    assert plan_rules.quota_for(["assistant"], {"salesperson": 20}) is None


def test_cus63_vector_alert_at_the_promised_time():
    due = dt.datetime(2026, 9, 18, 17, 0, tzinfo=SH)
    assert not commitment_rules.is_overdue(due, due - dt.timedelta(seconds=1))
    assert commitment_rules.is_overdue(due, due)


def test_cus63_contacts_that_keep_a_promise():
    made = dt.datetime(2026, 9, 18, 10, 0, tzinfo=SH)
    call = commitment_rules.Contact(1, 5, "phone_answered", made + dt.timedelta(hours=3))
    assert commitment_rules.keeping_contact("reply", 5, made, [call]) == call
    assert commitment_rules.keeping_contact("reply", 6, made, [call]) is None  # someone else called
    assert commitment_rules.keeping_contact("next_visit", 5, made, [call]) is None  # a call is not a visit
    assert commitment_rules.keeping_contact("delivery", 5, made, [call]) is None  # fulfilled by hand
    missed = commitment_rules.Contact(2, 5, "phone_unanswered", made + dt.timedelta(hours=1))
    assert commitment_rules.keeping_contact("reply", 5, made, [missed]) is None
    assert commitment_rules.keeping_contact("reply", 5, made, [call], until=made + dt.timedelta(hours=2)) is None


ITEMS = [{"code": "service", "label": "服务态度"}, {"code": "delivery", "label": "交货及时"},
         {"code": "quality", "label": "产品质量"}, {"code": "price", "label": "价格"}]
RESPONSES = [{"service": 92, "delivery": 78, "quality": 60, "price": 72},
             {"service": 88, "delivery": 82, "quality": 72, "price": 68}]


def test_cus64_vector_mean_76_5_opens_capa_with_the_lowest_items():
    outcome = survey_rules.evaluate_round(ITEMS, RESPONSES, Decimal(80))
    assert outcome.mean == Decimal("76.50") and outcome.needs_capa
    assert [(i.code, i.mean) for i in outcome.weak_items] == [("quality", Decimal("66.00")), ("price", Decimal("70.00"))]
    assert "76.50" in outcome.reason_zh and "产品质量（66.00）" in outcome.reason_zh


def test_cus64_at_the_threshold_no_capa():
    outcome = survey_rules.evaluate_round(ITEMS, RESPONSES, Decimal("76.50"))
    assert not outcome.needs_capa and outcome.weak_items == ()
    assert survey_rules.evaluate_round(ITEMS, [], 80).mean is None
