"""RE-04 (grabbing, competing, neglecting) and RE-28 (provoking disputes)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.real_estate.penalty_rules import (
    GrabFacts,
    ProvokingFacts,
    day_base,
    days_per_month,
    grab_penalty,
    provoking_penalty,
)
from plugins.real_estate.policy import RePolicySchema

SH = ZoneInfo("Asia/Shanghai")
RE = RePolicySchema().load({})
WHEN = dt.datetime(2026, 5, 10, 15, 0, tzinfo=SH)
WANG = 1


def test_re04_day_base_of_4350_is_200():
    """(1) base ¥4,350 → ¥200.00."""
    p = grab_penalty(RE, GrabFacts(WANG, "grabbing", WHEN, Decimal(4350)))
    assert (p.rule_id, p.amount) == ("RE-04", Decimal("200.00"))
    assert [(line.kind, line.user_id, line.amount, line.offence) for line in p.lines] == [
        ("penalty", WANG, Decimal("200.00"), "grabbing")]
    assert "¥4350.00 ÷ 21.75 = ¥200.00" in p.reason_en and "抢客" in p.reason_zh
    assert p.record_kwargs()["subject_type"] == "user" and p.record_kwargs()["subject_id"] == WANG


def test_re04_serious_case_costs_month_base_plus_half_the_bonus():
    """(2) serious, base ¥4,350, bonus ¥6,000 → ¥7,350."""
    p = grab_penalty(RE, GrabFacts(WANG, "neglecting", WHEN, Decimal(4350), serious=True,
                                   month_bonus=Decimal(6000)))
    assert p.amount == Decimal("7350.00") and p.lines[0].offence == "neglecting_serious"


def test_re04_other_reading_half_of_base_and_bonus():
    other = RePolicySchema().load({"penalty": {"grab_serious": "half_of_base_and_bonus"}})
    p = grab_penalty(other, GrabFacts(WANG, "competing", WHEN, Decimal(4350), serious=True,
                                      month_bonus=Decimal(6000)))
    assert p.amount == Decimal("5175.00")


def test_re04_unverified_costs_nothing_and_serious_needs_the_bonus():
    p = grab_penalty(RE, GrabFacts(WANG, "grabbing", WHEN, Decimal(4350), verified=False))
    assert p.amount == Decimal("0.00") and p.lines == ()
    with pytest.raises(ValueError):
        grab_penalty(RE, GrabFacts(WANG, "grabbing", WHEN, Decimal(4350), serious=True))
    with pytest.raises(ValueError):
        grab_penalty(RE, GrabFacts(WANG, "shouting", WHEN, Decimal(4350)))


def test_re04_days_per_month_from_the_stf_settings_when_present():
    assert days_per_month(None) == Decimal("21.75")
    assert days_per_month({"days_per_month": "22"}) == Decimal(22)
    p = grab_penalty(RE, GrabFacts(WANG, "grabbing", WHEN, Decimal(4400)), stf_settings={"days_per_month": 22})
    assert p.amount == Decimal("200.00")


@given(st.decimals(min_value=0, max_value=10**6, places=2))
def test_re04_day_base_is_to_the_fen(base):
    assert day_base(base) == (base / Decimal("21.75")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_re28_provoking_disputes_costs_half_the_deal_bonus_and_raises_a_flag():
    """(1) month's deal bonus ¥8,000 → ¥4,000 entry + flag."""
    p = provoking_penalty(RE, ProvokingFacts(WANG, WHEN, Decimal(8000)))
    assert (p.rule_id, p.amount) == ("RE-28", Decimal("4000.00"))
    assert [(line.kind, line.amount, line.label) for line in p.lines] == [
        ("penalty", Decimal("4000.00"), None), ("flag", Decimal("0.00"), "dismissal_review")]
    assert "50% of the month's deal bonus ¥8000.00 = ¥4000.00" in p.reason_en
    assert "不自动辞退" in p.reason_zh
    assert provoking_penalty(RE, ProvokingFacts(WANG, WHEN, Decimal(8000), verified=False)).lines == ()


def test_the_day_base_divisor_is_the_core_stf_setting():
    """``stf.days_per_month`` lives in the core's ``stf`` document (21.75 by default, tenant setting)."""
    from core.staff.policy import StfPolicySchema
    from plugins.real_estate.penalty_rules import days_per_month

    values = StfPolicySchema().load({})
    assert values["days_per_month"] == Decimal("21.75") and days_per_month(values) == Decimal("21.75")
    assert days_per_month(StfPolicySchema().load({"days_per_month": "22"})) == Decimal("22")
