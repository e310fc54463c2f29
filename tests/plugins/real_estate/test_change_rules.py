"""RE-40..RE-43: unit swap, rename fee, default dates, refunds (pure)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import WorkCalendar
from plugins.real_estate.change_rules import (
    RefundFacts,
    UnitFacts,
    default_dates,
    default_status,
    refund_check,
    rename_fee,
    swap_check,
)
from plugins.real_estate.policy import RePolicySchema
from plugins.real_estate.unit_rules import move_check

CAL = WorkCalendar(timezone="Asia/Shanghai")
D = dt.date


def settings(**overrides):
    return RePolicySchema().load(overrides)


U1203 = UnitFacts("1203", Decimal("89"), Decimal("1150000"), "regular")
U1506 = UnitFacts("1506", Decimal("118"), Decimal("1480000"), "regular")
U0802 = UnitFacts("0802", Decimal("76"), Decimal("990000"), "regular")


# ------------------------------------------------------------------ RE-40


def test_re40_1203_to_1506_is_allowed():
    check = swap_check(settings(), U1203, U1506)
    assert check.allowed and not check.needs_approval and check.failed == () and check.rule_id == "RE-40"
    assert "1203 → 1506" in check.reason_en


def test_re40_1203_to_0802_is_a_409_without_approval():
    check = swap_check(settings(), U1203, U0802)
    assert not check.allowed and check.needs_approval and check.status == 409
    assert check.failed == ("area", "price")
    approved = swap_check(settings(), U1203, U0802, approved_by_roles={"sales_manager"})
    assert approved.allowed and approved.needs_approval and "approved" in approved.reason_en
    assert not swap_check(settings(), U1203, U0802, approved_by_roles={"salesperson"}).allowed


def test_re40_good_to_worse_popularity():
    hot = UnitFacts("1506", Decimal("118"), Decimal("1480000"), "hot")
    slow = UnitFacts("1506", Decimal("118"), Decimal("1480000"), "slow")
    assert swap_check(settings(), U1203, hot).failed == ("popularity",)  # regular → hot: better, approval
    assert swap_check(settings(), U1203, slow).allowed  # regular → slow-moving
    same = UnitFacts("1204", Decimal("89"), Decimal("1150000"), "regular")
    assert swap_check(settings(), U1203, same).allowed  # equal area and price: at least (inclusive)
    with pytest.raises(ValueError):
        swap_check(settings(), U1203, UnitFacts("9", 1, 1, "gold"))


# ------------------------------------------------------------------ RE-41


def test_re41_one_percent_of_1480000_is_14800_after_the_contract():
    fee = rename_fee(settings(), contract_signed=True, price=Decimal("1480000"))
    assert fee.fee == Decimal("14800.00") and fee.title_transfer and fee.rule_id == "RE-41"
    assert fee.outcome() == {"fee": "14800.00", "title_transfer": True, "due_before_rename": True}
    assert "¥14,800.00" in fee.reason_zh


def test_re41_free_before_the_contract_and_a_fixed_fee():
    assert rename_fee(settings(), contract_signed=False, price=Decimal("1480000")).fee == Decimal("0.00")
    fixed = settings(rename={"fee": {"kind": "fixed", "value": "3000"}})
    assert rename_fee(fixed, contract_signed=True, price=Decimal("1480000")).fee == Decimal("3000.00")
    # half-up to the fen
    odd = settings(rename={"fee": {"kind": "percent", "value": "0.50"}})
    assert rename_fee(odd, contract_signed=True, price=Decimal("1234567.89")).fee == Decimal("6172.84")


# ------------------------------------------------------------------ RE-42


def test_re42_due_2026_03_10_notice_03_11_breach_from_05_11():
    assert default_dates(settings(), CAL, D(2026, 3, 10)) == (D(2026, 3, 11), D(2026, 5, 11))

    def stage(today, paid_on=None):
        return default_status(settings(), CAL, instalment_id=1, due_on=D(2026, 3, 10), paid_on=paid_on,
                              today=today)

    assert stage(D(2026, 3, 10)).stage == "current"
    notice = stage(D(2026, 3, 11))
    assert notice.stage == "notice" and notice.rule_id == "RE-42" and "2026-03-11" in notice.reason_en
    assert stage(D(2026, 5, 10)).stage == "notice"  # 2 months through 05-10: not yet more than 2 months
    breach = stage(D(2026, 5, 11))
    assert breach.stage == "breach" and "2026-05-11" in breach.reason_zh
    assert breach.outcome() == {"instalment_id": 1, "stage": "breach", "notice_on": "2026-03-11",
                                "breach_from": "2026-05-11"}
    assert stage(D(2026, 5, 11), paid_on=D(2026, 4, 2)).stage == "current"
    assert stage(D(2026, 3, 12), paid_on=D(2026, 3, 10)).stage == "current"


def test_re42_month_ends_clamp():
    assert default_dates(settings(), CAL, D(2026, 12, 31)) == (D(2027, 1, 1), D(2027, 3, 1))


def test_re42_contract_cancelled_for_breach_only_by_the_manager():
    assert move_check("contracted", "cancelled", {"sales_manager"}).rule_id == "RE-42"
    assert move_check("contracted", "cancelled", {"salesperson"}).status == 403


# ------------------------------------------------------------------ RE-43


def test_re43_refund_after_the_contract_is_a_409():
    check = refund_check(RefundFacts(unit_id=31502, requested_on=D(2026, 6, 1), contract_signed_on=D(2026, 5, 20),
                                     retention_logged=True, approver_roles=frozenset({"sales_manager"})))
    assert not check.allowed and check.status == 409 and check.rule_id == "RE-43"
    assert "2026-05-20" in check.reason_en and "坚决不退房" in check.reason_zh


def test_re43_before_the_contract_retention_then_the_managers_approval():
    facts = dict(unit_id=31502, requested_on=D(2026, 6, 1), contract_signed_on=None,
                 deposits=(Decimal("5000"), Decimal("50000")))
    first = refund_check(RefundFacts(**facts))
    assert (first.allowed, first.next_step, first.status) == (False, "retention_attempt", 409)
    second = refund_check(RefundFacts(**facts, retention_logged=True))
    assert (second.allowed, second.next_step, second.status) == (False, "manager_approval", 403)
    done = refund_check(RefundFacts(**facts, retention_logged=True, approver_roles=frozenset({"sales_manager"})))
    assert done.allowed and done.unit_state == "available" and done.refunded_by == "finance"
    assert done.refund_total == Decimal("55000.00")
    # the unit goes subscribed → cancelled (manager) → available (the service)
    assert move_check("subscribed", "cancelled", {"sales_manager"}).allowed
    assert move_check("cancelled", "available", {"system"}).allowed


def test_re43_a_contract_signed_after_the_request_does_not_refuse_it():
    facts = RefundFacts(unit_id=1, requested_on=D(2026, 5, 19), contract_signed_on=D(2026, 5, 20),
                        retention_logged=True, approver_roles=frozenset({"gm"}))
    assert refund_check(facts).allowed


@given(st.decimals(min_value=0, max_value=100_000_000, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_rename_fee_is_half_up_to_the_fen(price, percent):
    s = settings(rename={"fee": {"kind": "percent", "value": str(percent)}})
    fee = rename_fee(s, contract_signed=True, price=price).fee
    assert fee == fee.quantize(Decimal("0.01")) and abs(fee - price * percent / 100) <= Decimal("0.005")
