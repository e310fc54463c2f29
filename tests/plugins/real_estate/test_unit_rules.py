"""RE-30..RE-32: the unit state machine, the hold and its lapse, deposits through finance only (pure)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import WorkCalendar
from plugins.real_estate.policy import RePolicySchema
from plugins.real_estate.unit_rules import (
    MONEY_STATES,
    MOVERS,
    STATES,
    TRANSITIONS,
    DepositFacts,
    HoldFacts,
    deposit_check,
    hold_expires_at,
    hold_lapse,
    may_extend_hold,
    move_check,
    next_states,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(timezone="Asia/Shanghai")


def settings(**overrides):
    return RePolicySchema().load(overrides)


def at(h, m=0, s=0, day=21):
    return dt.datetime(2026, 9, day, h, m, s, tzinfo=SH)


# ------------------------------------------------------------------ RE-30


def test_re30_available_to_subscribed_without_a_hold_is_a_409():
    check = move_check("available", "subscribed", {"salesperson"})
    assert not check.allowed and check.refusal == "conflict" and check.status == 409
    assert check.rule_id == "RE-30"
    assert "hold the unit first" in check.reason_en and "锁定" in check.reason_zh


def test_re30_the_whole_way_from_available_to_paid_off():
    path = [("available", "held", "salesperson"), ("held", "small_deposit", "finance"),
            ("small_deposit", "big_deposit", "finance"), ("big_deposit", "subscribed", "salesperson"),
            ("subscribed", "contracted", "assistant"), ("contracted", "paid_off", "finance")]
    for src, dst, role in path:
        check = move_check(src, dst, {role})
        assert check.allowed and check.status is None, (src, dst)
    assert next_states("paid_off") == ()
    assert move_check("paid_off", "available", {"sales_manager"}).refusal == "conflict"


def test_re30_cancelled_returns_to_available():
    assert move_check("subscribed", "cancelled", {"sales_manager"}).allowed
    assert move_check("cancelled", "available", {"system"}).allowed
    refused = move_check("subscribed", "cancelled", {"salesperson"})
    assert refused.refusal == "forbidden" and refused.status == 403 and refused.rule_id == "RE-43"


def test_re30_only_finance_moves_money_states():
    for src, dst in MOVERS:
        if dst in MONEY_STATES:
            assert MOVERS[(src, dst)][0] == ("finance",)
            for role in ("salesperson", "sales_manager", "assistant", "master_sales_control", "gm"):
                check = move_check(src, dst, {role})
                assert (check.refusal, check.rule_id) == ("forbidden", "RE-32")


def test_every_move_of_the_table_has_its_movers_and_back():
    assert set(TRANSITIONS) == set(STATES)
    assert {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts} == set(MOVERS)


@given(st.sampled_from(STATES), st.sampled_from(STATES),
       st.sets(st.sampled_from(("salesperson", "finance", "sales_manager", "assistant", "system"))))
def test_a_move_is_allowed_exactly_when_the_table_says_so(src, dst, roles):
    check = move_check(src, dst, roles)
    in_table = dst in TRANSITIONS[src] and bool(set(MOVERS[(src, dst)][0]) & roles)
    assert check.allowed == in_table
    assert check.allowed or (check.status in (403, 409) and check.reason_zh and check.reason_en)


def test_unknown_states_are_errors_not_refusals():
    with pytest.raises(ValueError):
        move_check("sold", "held", {"salesperson"})
    with pytest.raises(ValueError):
        move_check("available", "sold", {"salesperson"})


# ------------------------------------------------------------------ RE-31


def test_re31_a_hold_at_10_00_without_deposit_lapses_at_10_30():
    hold = HoldFacts(unit_id=31502, hold_id=1, held_by=7, held_at=at(10))
    assert hold_expires_at(settings(), CAL, hold) == at(10, 30)
    assert hold_lapse(settings(), CAL, hold, at(10, 29, 59)) is None
    lapse = hold_lapse(settings(), CAL, hold, at(10, 30))
    assert lapse.rule_id == "RE-31" and lapse.to_state == "available" and lapse.lapsed_at == at(10, 30)
    assert lapse.outcome() == {"unit_id": 31502, "hold_id": 1, "state": "available",
                               "lapsed_at": "2026-09-21T10:30:00+08:00"}
    assert "10:30" in lapse.reason_zh and "10:30" in lapse.reason_en
    # the lapse is a move the machine allows the service itself to make
    assert move_check("held", "available", {"system"}).allowed


def test_re31_a_recorded_deposit_or_the_managers_extension_keeps_the_hold():
    hold = HoldFacts(unit_id=31502, hold_id=1, held_by=7, held_at=at(10), deposit_recorded=True)
    assert hold_lapse(settings(), CAL, hold, at(18)) is None
    extended = HoldFacts(unit_id=31502, hold_id=1, held_by=7, held_at=at(10), extended_until=at(12))
    assert hold_lapse(settings(), CAL, extended, at(11, 59)) is None
    assert hold_lapse(settings(), CAL, extended, at(12)).lapsed_at == at(12)
    assert may_extend_hold({"sales_manager"}) and not may_extend_hold({"salesperson"})


def test_re31_the_tenant_sets_the_hold_length():
    hold = HoldFacts(unit_id=31502, hold_id=1, held_by=7, held_at=at(10))
    assert hold_expires_at(settings(hold={"ttl": "2 hours"}), CAL, hold) == at(12)


def test_re31_holding_takes_an_available_unit_only():
    assert move_check("available", "held", {"salesperson"}).allowed
    again = move_check("held", "held", {"salesperson"})
    assert again.refusal == "conflict"
    assert move_check("available", "held", {"finance"}).refusal == "forbidden"


# ------------------------------------------------------------------ RE-32


def deposit(**kw):
    base = dict(unit_id=31502, unit_state="held", kind="small", amount=Decimal("5000"), receipt_no="SJ-0001",
                roles=frozenset({"finance"}))
    base.update(kw)
    return DepositFacts(**base)


def test_re32_a_salesperson_posting_a_deposit_is_a_403():
    check = deposit_check(settings(), deposit(roles=frozenset({"salesperson"})))
    assert not check.allowed and check.status == 403 and check.rule_id == "RE-32"
    assert "finance" in check.reason_en and "财务" in check.reason_zh


def test_re32_finance_posts_a_5000_small_deposit():
    check = deposit_check(settings(), deposit())
    assert check.allowed and check.to_state == "small_deposit" and check.register == "small_deposit_register"
    assert check.amount == Decimal("5000.00") and check.rule_id == "RE-32"
    assert "SJ-0001" in check.reason_en and "¥5,000.00" in check.reason_zh
    assert check.outcome() == {"allowed": True, "state": "small_deposit", "register": "small_deposit_register",
                               "amount": "5000.00", "refusal": None}


def test_re32_a_big_deposit_follows_the_small_one_or_the_hold():
    assert deposit_check(settings(), deposit(kind="big", unit_state="small_deposit")).to_state == "big_deposit"
    assert deposit_check(settings(), deposit(kind="big", unit_state="held")).register == "big_deposit_register"
    not_held = deposit_check(settings(), deposit(unit_state="available"))
    assert not_held.status == 409 and not_held.rule_id == "RE-30"


def test_re32_receipt_number_and_minimums():
    missing = deposit_check(settings(), deposit(receipt_no="  "))
    assert missing.status == 422 and set(missing.errors) == {"receipt_no"}
    tenant = settings(deposit={"small_min": "5000.00", "big_min": "50000.00"})
    assert deposit_check(tenant, deposit()).allowed  # at least ¥5,000: the minimum itself is enough (CAL-10)
    short = deposit_check(tenant, deposit(amount=Decimal("4999.99")))
    assert short.status == 422 and "5,000.00" in short.errors["amount"][0]
    assert deposit_check(tenant, deposit(kind="big", amount="49999")).errors["amount"]
    assert deposit_check(settings(), deposit(amount="0")).errors["amount"]
    assert deposit_check(settings(), deposit(amount="abc")).errors["amount"]
