"""Fees collected in the field (SVC-15), pure: amounts, warranty, the parts-only rule, the remittance
limit on the 2026 calendar (National Day holiday) and the reminder day."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar import Duration
from core.calendar.workcalendar import WorkCalendar
from core.service import fees_rules as rules
from core.service.policy import SvcPolicySchema

CAL = WorkCalendar(timezone="Asia/Shanghai")
SH = ZoneInfo("Asia/Shanghai")
YEAR = Duration(12, "months")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_defaults_as_the_spec_writes_them():
    fees = SvcPolicySchema().load({})["fees"]
    assert fees["field_collection_allowed"] is True
    assert fees["remit_within"] == Duration(1, "working_days")
    assert fees["out_of_warranty"] == "parts_only"
    assert fees["warranty"] == Duration(12, "months")
    assert SvcPolicySchema().load({"fees": {"out_of_warranty": "all"}})["fees"]["out_of_warranty"] == "all"
    with pytest.raises(Exception):
        SvcPolicySchema().load({"fees": {"out_of_warranty": "labour_only"}})
    with pytest.raises(Exception):
        SvcPolicySchema().load({"fees": {"warranty": "3 working_days"}})


def test_380_collected_on_the_eve_of_national_day_is_due_through_10_08():
    """SVC-15 (1): ¥380 collected Wed 2026-09-30 15:00 → remit through 2026-10-08 (10-01..10-07 are the
    National Day holiday); not remitted → the reminder is due on 10-09, not before."""
    due = rules.remit_due(CAL, at(2026, 9, 30, 15), Duration(1, "working_days"))
    assert due.through == dt.date(2026, 10, 8)
    assert due.at == at(2026, 10, 9)
    assert not rules.reminder_due(CAL, due.at, at(2026, 10, 8, 9, 2))
    assert rules.reminder_due(CAL, due.at, at(2026, 10, 9, 9, 2))
    assert rules.overdue_days(CAL, due.through, dt.date(2026, 10, 9)) == 1
    assert rules.overdue_days(CAL, due.through, dt.date(2026, 10, 10)) == 2  # Saturday 10-10 is a make-up workday
    assert not rules.reminder_due(CAL, due.at, at(2026, 10, 11, 9, 2))  # Sunday: no reminder


def test_collections_are_due_the_next_working_day_on_the_tenant_calendar():
    assert rules.remit_due(CAL, at(2026, 9, 15, 16), Duration(1, "working_days")).through == dt.date(2026, 9, 16)
    # Thursday 09-24: Friday 09-25 is the Mid-autumn Festival (09-25..09-27 off) → Monday 09-28
    assert rules.remit_due(CAL, at(2026, 9, 24, 16), Duration(1, "working_days")).through == dt.date(2026, 9, 28)
    # Friday 09-18: Sunday 09-20 is a make-up workday of the National Day holiday
    assert rules.remit_due(CAL, at(2026, 9, 18, 16), Duration(1, "working_days")).through == dt.date(2026, 9, 20)
    assert rules.remit_due(CAL, at(2026, 9, 18, 16), Duration(24, "hours")).at == at(2026, 9, 19, 16)


def test_amounts():
    fee, errors = rules.amounts("120", "80")
    assert errors == {} and fee == rules.Amounts(Decimal("120.00"), Decimal("80.00"), Decimal("200.00"))
    assert rules.amounts(Decimal("380"), None, "380.00")[0].total == Decimal("380.00")
    assert rules.amounts("120", "80", "150")[1] == {"amount": ["must be parts + labour = 200.00"]}
    assert "amount" in rules.amounts(None, None, "150")[1]  # a total alone does not say what it charges for
    assert rules.amounts(None, None)[1] == {"amount": ["a fee is more than ¥0"]}
    assert rules.amounts("-1", "5")[1] == {"amount_parts": ["must be 0 or more"]}
    assert rules.amounts("1.005", "5")[1] == {"amount_parts": ["at most 2 decimals (fen)"]}
    assert rules.amounts("abc", "5")[1] == {"amount_parts": ["not an amount"]}


def test_warranty_covers_its_first_day_for_twelve_months():
    assert rules.warranty_end(dt.date(2025, 10, 8), YEAR) == dt.date(2026, 10, 7)
    inside = rules.warranty({"purchase_date": "2025-10-08"}, dt.date(2026, 10, 7), YEAR)
    assert inside == rules.Warranty(True, "purchase_date", dt.date(2025, 10, 8), dt.date(2026, 10, 7))
    assert rules.warranty({"purchase_date": "2025-10-08"}, dt.date(2026, 10, 8), YEAR).in_warranty is False
    assert rules.warranty_end(dt.date(2026, 1, 31), Duration(1, "months")) == dt.date(2026, 2, 27)
    assert rules.warranty_end(dt.date(2026, 1, 1), Duration(2, "years")) == dt.date(2027, 12, 31)
    assert rules.warranty_end(dt.date(2026, 1, 1), Duration(90, "days")) == dt.date(2026, 3, 31)


def test_flag_and_unknown_purchase_date():
    assert rules.warranty({"purchase_date": "2026-09-01", "warranty": False}, dt.date(2026, 9, 30), YEAR).basis == "flag"
    assert rules.warranty({"purchase_date": "2026-09-01", "warranty": False}, dt.date(2026, 9, 30), YEAR).in_warranty is False
    assert rules.warranty({}, dt.date(2026, 9, 30), YEAR) == rules.Warranty(True, "unknown")


def test_out_of_warranty_charges_parts_only():
    """SVC-15 (2): out of warranty, parts ¥120 and labour ¥80 → refused, labour must be 0."""
    out = rules.warranty({"purchase_date": "2024-05-10"}, dt.date(2026, 9, 30), YEAR)
    fee, _ = rules.amounts("120", "80")
    errors = rules.charge_errors(fee, out, "parts_only")
    assert list(errors) == ["amount_labour"]
    assert errors["amount_labour"][0].startswith("must be 0: out of warranty (the warranty ended 2025-05-09)")
    parts_only, _ = rules.amounts("120", "0")
    assert rules.charge_errors(parts_only, out, "parts_only") == {}
    assert rules.charge_errors(fee, out, "all") == {}
    inside = rules.warranty({"purchase_date": "2026-05-10"}, dt.date(2026, 9, 30), YEAR)
    assert rules.charge_errors(fee, inside, "parts_only") == {}
