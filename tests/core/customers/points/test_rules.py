"""Referral and points rules (CUS-40..CUS-44; RE-21, CAR-19, CAR-50 through them)."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from core.customers.points.rules import (
    Attendance,
    Deal,
    PointsEntry,
    PointsPolicySchema,
    Purchase,
    Referral,
    Refund,
    append_entry,
    attendance_points,
    balance,
    cash_referral_reward,
    load_points_policy,
    money,
    points_for_amount,
    purchase_points,
    referee_owner,
    refund_points,
    reverse_cash_reward,
    reverse_entry,
    spend_points,
)
from core.errors import InvalidInput

SH = ZoneInfo("Asia/Shanghai")
DEFAULTS = PointsPolicySchema().load({})
PRO_RATA = load_points_policy({"points": {"rounding": "pro_rata"}})


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def entry(points, id=None, reverses=None, customer_id=1, rule_id="CUS-42", source_type="attendance", source_id=None,
          referee_id=None):
    return PointsEntry(rule_id=rule_id, customer_id=customer_id, points=points, at=at(2026, 5, 20), id=id,
                       reverses=reverses, source_type=source_type, source_id=source_id, referee_id=referee_id,
                       reason_zh="测试", reason_en="test")


def add(ledger, award_or_entry):
    e = getattr(award_or_entry, "entry", award_or_entry)
    return ledger if e is None else append_entry(ledger, e)


# ------------------------------------------------------------------------------------------------
# Settings schema
# ------------------------------------------------------------------------------------------------


def test_cus42_cus43_cus44_policy_defaults():
    assert DEFAULTS == {
        "points": {"referral_attendance": 100, "once_per_referee": True, "per_1000": 100, "rounding": "floor",
                   "scope": "event_sales"},
        "referral": {"owner_rule": "normal_claim", "cash_reward": Decimal("0.00"), "cash_reward_kind": "cash"},
    }
    assert load_points_policy(None) == DEFAULTS
    schema = PointsPolicySchema()
    assert schema.dump(DEFAULTS)["referral"]["cash_reward"] == "0.00"
    assert schema.load(schema.dump(DEFAULTS)) == DEFAULTS


def test_cus44_cash_reward_is_money_two_places_half_up():
    values = load_points_policy({"referral": {"cash_reward": "200.005", "cash_reward_kind": "fuel"}})
    assert values["referral"]["cash_reward"] == Decimal("200.01")
    assert values["points"]["per_1000"] == 100


@pytest.mark.parametrize("raw, path", [
    ({"points": {"referral_attendance": -1}}, ("points", "referral_attendance")),
    ({"points": {"per_1000": 1.5}}, ("points", "per_1000")),
    ({"points": {"per_1000": "100"}}, ("points", "per_1000")),
    ({"points": {"rounding": "round"}}, ("points", "rounding")),
    ({"points": {"scope": "online"}}, ("points", "scope")),
    ({"points": {"once_per_referee": "sometimes"}}, ("points", "once_per_referee")),
    ({"referral": {"owner_rule": "first_come"}}, ("referral", "owner_rule")),
    ({"referral": {"cash_reward": -5}}, ("referral", "cash_reward")),
    ({"referral": {"cash_reward": "lots"}}, ("referral", "cash_reward")),
    ({"referral": {"cash_reward_kind": "voucher"}}, ("referral", "cash_reward_kind")),
    ({"referral": {"window": "1 year"}}, ("referral", "window")),
    ({"bonus": 1}, ("bonus",)),
])
def test_cus40_to_cus44_policy_field_level_errors(raw, path):
    with pytest.raises(ValidationError) as info:
        PointsPolicySchema().load(raw)
    messages = info.value.messages
    for key in path:
        assert key in messages, messages
        messages = messages[key]


# ------------------------------------------------------------------------------------------------
# CUS-40 referee ownership
# ------------------------------------------------------------------------------------------------

CHEN, QIAN = 701, 702
D_, E_, F_ = 31, 32, 33
NAMES = {D_: "D", E_: "E", F_: "F"}


def test_cus40_re21_referrer_owner_keeps_referee_with_original_receiver():
    policy = load_points_policy({"referral": {"owner_rule": "referrer_owner"}})
    referral = Referral(61, referee_id=QIAN, referrer_id=CHEN, referrer_owner_id=D_, at=at(2026, 9, 5),
                        referee_label="Qian", referrer_label="Chen")
    decision = referee_owner(policy, referral, claim_owner_id=E_, names=NAMES, rule_id="RE-21")
    assert (decision.owner_id, decision.rule_id, decision.arbitration) == (D_, "RE-21", False)
    assert "original receiver D" in decision.reason_en and "Under RE-21" in decision.reason_en
    assert decision.record_kwargs()["subject_id"] == QIAN
    assert decision.facts["referral"]["referrer_owner_id"] == D_


def test_cus40_car_direct_relationship_claim_opens_arbitration_to_supervisor():
    policy = load_points_policy({"referral": {"owner_rule": "direct_relationship"}})
    referral = Referral(62, referee_id=QIAN, referrer_id=CHEN)
    decision = referee_owner(policy, referral, claim_owner_id=E_, claimed_staff_id=F_, names=NAMES)
    assert decision.arbitration and decision.arbiter == "supervisor" and decision.parties == (E_, F_)
    assert decision.owner_id == E_ and "CUS-27" in decision.reason_en


def test_car19_group_leader_confirms_direct_relationship():
    policy = {"referral": {"owner_rule": "direct_relationship"}}
    referral = Referral(63, referee_id=QIAN, referrer_id=CHEN, referee_label="Lu")
    decision = referee_owner(policy, referral, claim_owner_id=E_, claimed_staff_id=F_, relationship_confirmed=True,
                             names=NAMES, rule_id="CAR-19")
    assert (decision.owner_id, decision.rule_id, decision.arbitration) == (F_, "CAR-19", False)


def test_cus40_normal_claim_default_and_fallbacks():
    referral = Referral(64, referee_id=QIAN, referrer_id=CHEN, referrer_owner_id=D_)
    assert referee_owner(DEFAULTS, referral, claim_owner_id=E_).owner_id == E_
    orphan = Referral(65, referee_id=QIAN, referrer_id=CHEN)
    assert referee_owner({"referral": {"owner_rule": "referrer_owner"}}, orphan, claim_owner_id=E_).owner_id == E_
    same = referee_owner({"referral": {"owner_rule": "direct_relationship"}}, referral, claim_owner_id=E_,
                         claimed_staff_id=E_)
    assert same.owner_id == E_ and not same.arbitration


# ------------------------------------------------------------------------------------------------
# CUS-41 ledger
# ------------------------------------------------------------------------------------------------


def test_cus41_spec_vector_plus100_plus200_reversal_minus100():
    ledger = append_entry((), entry(100))
    ledger = append_entry(ledger, entry(200))
    ledger = append_entry(ledger, reverse_entry(ledger, 1, at=at(2026, 5, 21)))
    assert balance(ledger) == 200 and len(ledger) == 3
    assert [(e.id, e.points, e.reverses) for e in ledger] == [(1, 100, None), (2, 200, None), (3, -100, 1)]
    assert ledger[2].rule_id == "CUS-42" and "CUS-41" in ledger[2].reason_en


def test_cus41_entries_are_never_edited_and_reversals_bounded():
    ledger = append_entry(append_entry((), entry(100, id=1)), entry(50, id=2))
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(30, id=1))  # reuse of an id = an edit
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(-150, reverses=1))  # beyond the original
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(20, reverses=1))  # same sign
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(-20, reverses=9))  # unknown original
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(0))
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(5, customer_id=2))
    part = append_entry(ledger, entry(-60, reverses=1))
    with pytest.raises(InvalidInput):
        append_entry(part, entry(-41, reverses=1))
    with pytest.raises(InvalidInput):
        append_entry(part, reverse_entry(part, 3, at=at(2026, 5, 22)))  # a reversal is not reversed
    full = append_entry(part, reverse_entry(part, 1, at=at(2026, 5, 22)))
    assert full[-1].points == -40 and balance(full) == 50
    with pytest.raises(InvalidInput):
        reverse_entry(full, 1, at=at(2026, 5, 23))


def test_cus41_balance_never_negative_except_reversal_of_spent_points():
    ledger = append_entry((), entry(100))
    ledger = append_entry(ledger, spend_points(ledger, 1, 100, at=at(2026, 6, 1)))
    assert balance(ledger) == 0
    with pytest.raises(InvalidInput):
        spend_points(ledger, 1, 1, at=at(2026, 6, 2))
    with pytest.raises(InvalidInput):
        append_entry(ledger, entry(-1))
    ledger = append_entry(ledger, reverse_entry(ledger, 1, at=at(2026, 6, 3)))
    assert balance(ledger) == -100  # the debt shows


# ------------------------------------------------------------------------------------------------
# CUS-42 points per referred attendee
# ------------------------------------------------------------------------------------------------

ZHOU, WU, XU = 801, 802, 803


def test_cus42_spec_vector_zhou_brings_wu_and_xu_then_wu_again():
    wu = Referral(1, referee_id=WU, referrer_id=ZHOU, referee_label="Wu", referrer_label="Zhou")
    xu = Referral(2, referee_id=XU, referrer_id=ZHOU, referee_label="Xu", referrer_label="Zhou")
    ledger = ()
    a1 = attendance_points(DEFAULTS, wu, Attendance(11, WU, 5, at(2026, 5, 20)), ledger)
    ledger = add(ledger, a1)
    a2 = attendance_points(DEFAULTS, xu, Attendance(12, XU, 5, at(2026, 5, 20)), ledger)
    ledger = add(ledger, a2)
    assert (a1.points, a2.points, balance(ledger)) == (100, 100, 200)
    assert a1.rule_id == "CUS-42" and a1.entry.referee_id == WU and a1.entry.source_id == 11
    assert "2026-05-20" in a1.reason_en and "Zhou earns 100 points" in a1.reason_en
    again = attendance_points(DEFAULTS, wu, Attendance(13, WU, 6, at(2026, 6, 10)), ledger)
    assert again.points == 0 and again.entry is None and "once per referee" in again.reason_en
    assert balance(add(ledger, again)) == 200


def test_cus42_once_per_referee_off_and_guards():
    wu = Referral(1, referee_id=WU, referrer_id=ZHOU)
    policy = load_points_policy({"points": {"once_per_referee": False}})
    ledger = add((), attendance_points(policy, wu, Attendance(11, WU, 5, at(2026, 5, 20)), ()))
    again = attendance_points(policy, wu, Attendance(13, WU, 6, at(2026, 6, 10)), ledger)
    assert again.points == 100
    same = attendance_points(policy, wu, Attendance(11, WU, 5, at(2026, 5, 20)), ledger)
    assert same.points == 0  # the same attendance never earns twice
    absent = attendance_points(DEFAULTS, wu, Attendance(14, WU, 7, at(2026, 7, 1), attended=False), ())
    assert absent.points == 0
    zero = attendance_points({"points": {"referral_attendance": 0}}, wu, Attendance(15, WU, 7, at(2026, 7, 1)), ())
    assert zero.points == 0 and zero.entry is None
    with pytest.raises(InvalidInput):
        attendance_points(DEFAULTS, wu, Attendance(16, XU, 7, at(2026, 7, 1)), ())


# ------------------------------------------------------------------------------------------------
# CUS-43 points per ¥1,000 of a referee's purchase
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, floor, pro_rata", [
    ("999", 0, 99), ("1000", 100, 100), ("2500", 200, 250), ("2999", 200, 299), ("1300", 100, 130),
    ("999.99", 0, 99), ("0", 0, 0),
])
def test_cus43_spec_vector_points_per_full_1000(amount, floor, pro_rata):
    assert points_for_amount(DEFAULTS, Decimal(amount)) == floor
    assert points_for_amount(PRO_RATA, Decimal(amount)) == pro_rata


def test_cus43_spec_vector_refund_reverses_on_net_amount():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU, referee_label="Wu", referrer_label="Zhou")
    purchase = Purchase(501, WU, Decimal(2500), at(2026, 5, 20), event_id=5)
    award = purchase_points(DEFAULTS, referral, purchase, ())
    assert award.points == 200 and award.entry.source_id == 501
    ledger = add((), award)
    refund = refund_points(DEFAULTS, referral, purchase, [Refund(91, 501, Decimal(1200), at(2026, 5, 25))], ledger)
    assert refund.points == -100 and refund.entry.reverses == ledger[0].id == 1
    assert refund.facts["net"] == Decimal("1300.00") and refund.facts["points_due"] == 100
    assert "¥1,300.00" in refund.reason_en and "reversed by -100" in refund.reason_en
    ledger = add(ledger, refund)
    assert balance(ledger) == 100 and len(ledger) == 2


def test_cus43_scope_event_sales_vs_all_sales_and_idempotence():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    shop = Purchase(502, WU, Decimal(3000), at(2026, 5, 21))
    assert purchase_points(DEFAULTS, referral, shop).points == 0
    assert purchase_points({"points": {"scope": "all_sales"}}, referral, shop).points == 300
    event = Purchase(503, WU, Decimal(3000), at(2026, 5, 21), event_id=5)
    ledger = add((), purchase_points(DEFAULTS, referral, event))
    assert purchase_points(DEFAULTS, referral, event, ledger).points == 0
    with pytest.raises(InvalidInput):
        purchase_points(DEFAULTS, referral, Purchase(504, XU, Decimal(3000), at(2026, 5, 21), event_id=5))


def test_cus43_refund_without_earned_points_or_within_the_same_band():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    small = Purchase(505, WU, Decimal(999), at(2026, 5, 21), event_id=5)
    assert refund_points(DEFAULTS, referral, small, [Refund(92, 505, Decimal(999), at(2026, 5, 22))], ()).points == 0
    big = Purchase(506, WU, Decimal(2500), at(2026, 5, 21), event_id=5)
    ledger = add((), purchase_points(DEFAULTS, referral, big))
    same_band = refund_points(DEFAULTS, referral, big, [Refund(93, 506, Decimal(300), at(2026, 5, 22))], ledger)
    assert same_band.points == 0 and same_band.entry is None
    with pytest.raises(InvalidInput):
        refund_points(DEFAULTS, referral, big, [Refund(94, 999, Decimal(1), at(2026, 5, 22))], ledger)


amounts = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(1, 300), amounts,
       st.lists(st.integers(1, 100), min_size=1, max_size=5), st.sampled_from(["floor", "pro_rata"]),
       st.integers(0, 500))
def test_cus43_property_purchase_then_full_refund_restores_balance(start, amount, parts, rounding, per):
    policy = load_points_policy({"points": {"rounding": rounding, "per_1000": per}})
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    ledger = append_entry((), entry(start, customer_id=ZHOU, rule_id="CUS-42"))
    before = balance(ledger)
    purchase = Purchase(7, WU, amount, at(2026, 5, 20), event_id=5)
    ledger = add(ledger, purchase_points(policy, referral, purchase, ledger))
    assert balance(ledger) - before == points_for_amount(policy, amount)
    # refund in pieces that add up to the whole amount; after each, points stand at points(net)
    total, refunds = sum(parts), []
    shares = [money(amount * p / total) for p in parts]
    shares[-1] = amount - sum(shares[:-1])
    for i, share in enumerate(shares):
        refunds.append(Refund(100 + i, 7, share, at(2026, 5, 21 + i)))
        ledger = add(ledger, refund_points(policy, referral, purchase, refunds, ledger))
        net = amount - sum(r.amount for r in refunds)
        assert balance(ledger) - before == points_for_amount(policy, net)
    assert balance(ledger) == before


@settings(max_examples=200, deadline=None, database=None)
@given(amounts, amounts)
def test_cus43_property_floor_is_monotone_and_never_above_pro_rata(a, b):
    low, high = sorted((a, b))
    assert points_for_amount(DEFAULTS, low) <= points_for_amount(DEFAULTS, high)
    assert points_for_amount(DEFAULTS, a) <= points_for_amount(PRO_RATA, a)
    assert points_for_amount(DEFAULTS, a) % 100 == 0


# ------------------------------------------------------------------------------------------------
# CUS-44 cash referral reward; CAR-50
# ------------------------------------------------------------------------------------------------

CAR = load_points_policy({"referral": {"cash_reward": 200, "cash_reward_kind": "fuel",
                                       "owner_rule": "direct_relationship"}})


def test_cus44_spec_vector_car_delivered_and_paid_reward_200():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU, referrer_label="Zhou")
    decision = cash_referral_reward(CAR, referral, Deal(71, WU, recognised_at=at(2026, 7, 15)))
    reward = decision.reward
    assert (reward.amount, reward.kind, reward.referrer_id) == (Decimal("200.00"), "fuel", ZHOU)
    assert reward.rule_id == "CUS-44"
    assert decision.rule_id == "CUS-44" and "¥200.00" in decision.reason_en and "2026-07-15" in decision.reason_zh
    assert decision.record_kwargs()["subject_id"] == ZHOU


def test_car50_deal_reversed_reverses_reward_and_test_drive_earns_nothing():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    deal = Deal(71, WU, recognised_at=at(2026, 7, 15))
    stored = replace(cash_referral_reward(CAR, referral, deal).reward, id=5)
    reversed_deal = Deal(71, WU, recognised_at=at(2026, 7, 15), reversed_at=at(2026, 7, 20))
    reversal = reverse_cash_reward(stored, reversed_deal).reward
    assert (reversal.amount, reversal.reverses) == (Decimal("-200.00"), 5)
    assert stored.amount + reversal.amount == 0
    # (2) the referee only test-drives → nothing
    nothing = cash_referral_reward(CAR, referral, None)
    assert nothing.reward is None and "no recognised deal" in nothing.reason_en
    assert cash_referral_reward(CAR, referral, Deal(72, WU)).reward is None


def test_cus44_once_per_referee_default_zero_and_guards():
    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    deal = Deal(71, WU, recognised_at=at(2026, 7, 15))
    assert cash_referral_reward(DEFAULTS, referral, deal).reward is None  # cus.referral.cash_reward = 0
    stored = replace(cash_referral_reward(CAR, referral, deal).reward, id=5)
    second = cash_referral_reward(CAR, referral, Deal(73, WU, recognised_at=at(2026, 8, 1)), [stored])
    assert second.reward is None and "once per referee" in second.reason_en
    reversal = reverse_cash_reward(stored, Deal(71, WU, recognised_at=at(2026, 7, 15), reversed_at=at(2026, 7, 20)))
    stored_reversal = replace(reversal.reward, id=6)
    third = cash_referral_reward(CAR, referral, Deal(73, WU, recognised_at=at(2026, 8, 1)), [stored, stored_reversal])
    assert third.reward is not None and third.reward.deal_id == 73
    with pytest.raises(InvalidInput):
        reverse_cash_reward(stored, deal)  # not reversed
    with pytest.raises(InvalidInput):
        cash_referral_reward(CAR, referral, Deal(74, XU, recognised_at=at(2026, 8, 1)))


def test_cus42_unstored_award_still_counts_and_dates_are_local():
    wu = Referral(1, referee_id=WU, referrer_id=ZHOU)
    utc = dt.datetime(2026, 5, 19, 17, 0, tzinfo=dt.UTC)  # 2026-05-20 01:00 in Shanghai
    first = attendance_points(DEFAULTS, wu, Attendance(11, WU, 5, utc), ())
    assert "2026-05-20" in first.reason_en and "2026-05-20" in first.reason_zh
    again = attendance_points(DEFAULTS, wu, Attendance(12, WU, 6, at(2026, 6, 10)), [first.entry])
    assert again.points == 0


def test_cus40_to_cus44_decision_records_are_json_safe():
    import json

    from core.audit.recorder import json_safe

    referral = Referral(1, referee_id=WU, referrer_id=ZHOU)
    purchase = Purchase(501, WU, Decimal(2500), at(2026, 5, 20), event_id=5)
    outcomes = [
        purchase_points(DEFAULTS, referral, purchase),
        cash_referral_reward(CAR, referral, Deal(71, WU, recognised_at=at(2026, 7, 15))),
        referee_owner(DEFAULTS, referral, claim_owner_id=3),
    ]
    for outcome in outcomes:
        kwargs = outcome.record_kwargs()
        json.dumps(json_safe(kwargs), ensure_ascii=False)
        assert kwargs["rule_id"].startswith("CUS-4") and kwargs["subject_type"] == "customer"
