"""Pure rules of slips, appeals and the penalty list (STF-20..23) with the spec's vectors."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar import Duration, Threshold
from core.calendar.policy import calendar_from_policy, load_calendar_policy
from core.staff import appeals_rules, slips_publication_rules, slips_rules
from core.staff.slips_settings import SlipsPolicySchema

SH = ZoneInfo("Asia/Shanghai")
CAL = calendar_from_policy(load_calendar_policy({}), timezone="Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def test_settings_defaults_are_the_spec_s():
    values = SlipsPolicySchema().load({})
    assert values["slip"] == {"required": True, "witnesses_on_refusal": 2, "witnesses_inclusive": True}
    assert values["appeal"] == {"window": Duration(3, "days"), "reply_within": Duration(1, "weeks")}
    assert values["publication"]["hr_roles"] == ["gm", "finance"]


def test_stf20_refusal_with_one_witness_is_not_effective_the_second_makes_it_effective_at_its_time():
    two = slips_rules.witness_threshold({"witnesses_on_refusal": 2, "witnesses_inclusive": True})
    first, second = at("2026-09-28T16:00"), at("2026-09-28T16:20")
    assert slips_rules.effective_by_witnesses([first], two) is None
    assert slips_rules.effective_by_witnesses([second, first], two) == second
    # 两个以上 read strictly (inclusive = false): the third witness's time
    strict = Threshold(2, inclusive=False)
    third = at("2026-09-29T09:00")
    assert slips_rules.effective_by_witnesses([first, second], strict) is None
    assert slips_rules.effective_by_witnesses([first, third, second], strict) == third


def test_stf22_hr_flag_needs_refusal_bad_attitude_and_evidence():
    assert slips_rules.calls_for_hr_flag(refused=True, bad_attitude=True, evidence=["监控录像 09-28"])
    assert not slips_rules.calls_for_hr_flag(refused=True, bad_attitude=True, evidence=[])
    assert not slips_rules.calls_for_hr_flag(refused=True, bad_attitude=True, evidence=["  "])
    assert not slips_rules.calls_for_hr_flag(refused=True, bad_attitude=False, evidence=["照片"])
    assert not slips_rules.calls_for_hr_flag(refused=False, bad_attitude=True, evidence=["照片"])


def test_stf21_window_through_10_01_and_reply_due_through_10_07():
    end = appeals_rules.window_end(CAL, at("2026-09-28T15:00"), Duration(3, "days"))
    assert end.through == dt.date(2026, 10, 1)
    assert end.at == at("2026-10-02T00:00")
    assert appeals_rules.within(at("2026-10-01T23:59"), end.utc)
    assert not appeals_rules.within(at("2026-10-02T09:00"), end.utc)
    due = appeals_rules.reply_due(CAL, at("2026-09-30T11:00"), Duration(1, "weeks"))
    # 10-07 is a National Day holiday: an internal deadline is not rolled (CAL-05)
    assert due.through == dt.date(2026, 10, 7)
    assert appeals_rules.through_day(CAL, due.utc) == dt.date(2026, 10, 7)
    assert CAL.local_date(due.utc) == dt.date(2026, 10, 8)  # the escalation day


def test_stf21_amount_to_reverse_per_outcome():
    left = Decimal("100.00")
    assert appeals_rules.amount_to_reverse("upheld", left=left, new_amount=None) == 0
    assert appeals_rules.amount_to_reverse("revoked", left=left, new_amount=None) == left
    assert appeals_rules.amount_to_reverse("modified", left=left, new_amount=Decimal("60.00")) == Decimal("40.00")
    for bad in (None, Decimal("0"), Decimal("100.00"), Decimal("120.00")):
        with pytest.raises(ValueError):
            appeals_rules.amount_to_reverse("modified", left=left, new_amount=bad)
    with pytest.raises(ValueError):
        appeals_rules.amount_to_reverse("annulled", left=left, new_amount=None)


def test_stf21_escalation_goes_to_the_head_of_the_parent_department_else_the_gm():
    # employee 7 in a team headed by 5, under a department headed by 3; GM 1
    assert appeals_rules.superior_of_head([5, 3], [1], employee_id=7) == 3
    assert appeals_rules.superior_of_head([5, None, 2], [1], employee_id=7) == 2
    assert appeals_rules.superior_of_head([5], [1], employee_id=7) == 1
    assert appeals_rules.superior_of_head([5, 5], [1], employee_id=7) == 1  # the same person heads both
    assert appeals_rules.superior_of_head([7, 3], [1], employee_id=7) == 3  # the employee heads the team
    assert appeals_rules.superior_of_head([], [1], employee_id=7) == 1  # no department
    assert appeals_rules.superior_of_head([1], [1], employee_id=7) is None  # the GM heads it: nobody above


def test_stf23_previous_month_due_on_the_10th_and_csv_with_bom():
    assert slips_publication_rules.month_to_publish(dt.date(2026, 10, 1)) == dt.date(2026, 9, 1)
    assert slips_publication_rules.month_to_publish(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    assert slips_publication_rules.due_on(dt.date(2026, 9, 1)) == dt.date(2026, 10, 10)
    assert slips_publication_rules.due_on(dt.date(2026, 12, 1)) == dt.date(2027, 1, 10)
    items = [{"entry_id": 1, "employee": "=王", "amount": "50.00", "unit": "yuan", "offence": "late"},
             {"entry_id": 2, "employee": "李", "amount": "3.00", "unit": "points", "offence": "absence"}]
    assert slips_publication_rules.totals(items) == {"yuan": "50.00", "points": "3.00"}
    data = slips_publication_rules.csv_bytes(items)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("记录号 Entry,员工 Employee")
    assert lines[1].startswith("1,'=王,,,late,")  # a formula-like name is neutralised
