"""Pure rules of penalties with the spec's vectors: catalog pricing (STF-02), points and supervisor
liability (STF-03), doubling (STF-10), correction limits (STF-11), flags (STF-12, CMP-73), ladders (STF-13),
liability when nobody is identified (STF-14), and the settings' defaults."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar import Duration, WorkCalendar
from core.staff import catalog_rules, corrections_rules, flags_rules, liability_rules, repeats_rules
from core.staff.flags_rules import Occurrence
from core.staff.policy import StfPolicySchema

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(month, day, hour=10, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def values(**body):
    return StfPolicySchema().load(body)


CATALOG = values(catalog={
    "attitude_reasonable": {"min": 50, "max": 100},
    "late_handover": {"amount": 50, "family": "archive", "approver": "resource_director"},
    "missing_signature": {"amount": 20, "family": "archive"},
    "safety_breach": {"tiers": {"no_hazard": {"min": 200, "max": 500}, "hazard": {"min": 500, "max": 1000},
                                "serious": {"flag": "dismissal_review"}}, "approver": "gm"},
    "price_tag_missing": {"amount": 20, "roles": {"supervisor": {"amount": 40}}, "per": "item"},
})["catalog"]


def test_defaults_of_the_penalty_sections():
    v = values()
    assert v["catalog"] == {} and v["points"] == {} and v["ladders"] == {} and v["flags"] == []
    assert v["correction"]["within"] == Duration(1, "working_days")
    assert v["doubling"].families == {"archive": {"salesperson": 2, "service_advisor": 3}}
    assert v["doubling"].perf_pay_deduction == (Decimal("10"), Decimal("30"))
    assert StfPolicySchema().load(StfPolicySchema().dump(v)) == v


@pytest.mark.parametrize("body, field", [
    ({"catalog": {"x": {"min": 50}}}, "catalog"),
    ({"catalog": {"x": {"min": 100, "max": 50}}}, "catalog"),
    ({"catalog": {"x": {"amount": 5, "min": 1, "max": 9}}}, "catalog"),
    ({"catalog": {"x": {}}}, "catalog"),
    ({"catalog": {"X y": {"amount": 5}}}, "catalog"),
    ({"doubling": {"archive": {"salesperson": 0}}}, "doubling"),
    ({"doubling": {"perf_pay_deduction": "30%..10%"}}, "doubling"),
    ({"ladders": {"late": {"steps": [{"nth": 2, "amount": 5}]}}}, "ladders"),
    ({"ladders": {"late": {"steps": [{"nth": 1}]}}}, "ladders"),
    ({"flags": [{"counter": "visits", "window": "6 months", "threshold": 3, "label": "x"}]}, "flags"),
    ({"flags": [{"counter": "complaints", "window": "six months", "threshold": 3, "label": "x"}]}, "flags"),
    ({"correction": {"within": "1 fortnight"}}, "correction"),
])
def test_settings_refuse_what_is_not_a_rule(body, field):
    with pytest.raises(ValidationError) as err:
        values(**body)
    assert field in err.value.messages


def test_stf02_range_proposes_the_minimum_and_the_approver_stays_within_it():
    price = catalog_rules.price(CATALOG, {}, "attitude_reasonable")
    assert (price.amount, price.low, price.high, price.approver) == (Decimal("50.00"), Decimal("50.00"),
                                                                    Decimal("100.00"), "dept_manager")
    allowed = price.range_for()
    assert catalog_rules.amount_problem(Decimal("80"), allowed=allowed, open_amount=False) is None
    assert "out of range" in catalog_rules.amount_problem(Decimal("120"), allowed=allowed, open_amount=False)
    assert catalog_rules.amount_problem(Decimal("100"), allowed=allowed, open_amount=False) is None  # inclusive
    fixed = catalog_rules.price(CATALOG, {}, "late_handover")
    assert fixed.range_for() is None and fixed.approver == "resource_director" and fixed.family == "archive"
    assert "fixed" in catalog_rules.amount_problem(Decimal("60"), allowed=None, open_amount=False)


def test_stf02_tiers_roles_units_and_unknown_offences():
    assert catalog_rules.price(CATALOG, {}, "safety_breach", outcome="hazard").range_for() == (
        Decimal("500.00"), Decimal("1000.00"))
    assert catalog_rules.price(CATALOG, {}, "safety_breach", outcome="serious").flag == "dismissal_review"
    with pytest.raises(catalog_rules.PricingError) as err:
        catalog_rules.price(CATALOG, {}, "safety_breach")
    assert err.value.field == "outcome"
    with pytest.raises(catalog_rules.PricingError):
        catalog_rules.price(CATALOG, {}, "safety_breach", outcome="minor")
    assert catalog_rules.price(CATALOG, {}, "price_tag_missing", quantity=3).amount == Decimal("60.00")
    assert catalog_rules.price(CATALOG, {}, "price_tag_missing", role="supervisor", quantity=3).amount == Decimal("120.00")
    with pytest.raises(catalog_rules.PricingError) as err:
        catalog_rules.price(CATALOG, {}, "smoking")
    assert err.value.field == "offence"
    opened = catalog_rules.price(CATALOG, {}, "customer_unfiled", open_amount=True)
    assert opened.amount == 0 and opened.source == "open"
    assert catalog_rules.amount_problem(Decimal("7"), allowed=None, open_amount=True) is None
    # a price set by the calling rule keeps the catalog's approver and family
    caller = catalog_rules.price(CATALOG, {}, "late_handover", amount=Decimal("30"))
    assert (caller.amount, caller.source, caller.family, caller.approver) == (
        Decimal("30.00"), "caller", "archive", "resource_director")


def test_stf03_points_per_item_absence_and_double_for_the_supervisor():
    pre02 = values(points={"item": 3, "absence": 10, "supervisor_multiplier": 2})["points"]
    missed_log = catalog_rules.price({}, pre02, "work_log_missing")
    assert (missed_log.unit, missed_log.amount, missed_log.source) == ("points", Decimal("3.00"), "points")
    assert catalog_rules.price({}, pre02, "absence_from_post").amount == Decimal("10.00")
    assert liability_rules.supervisor_amount(missed_log.amount, pre02["supervisor_multiplier"]) == Decimal("6.00")
    assert liability_rules.supervisor_amount(Decimal("3"), None) == Decimal("6.00")  # "double" without a setting


def test_stf10_doubling_from_the_threshold_not_compounding():
    doubling = values()["doubling"]
    # (1) salesperson in September: 09-10 late handover ¥50, 09-22 late handover ¥100, 09-28 signature ¥40
    sales = doubling.threshold("archive", "salesperson")
    bases = [Decimal(50), Decimal(50), Decimal(20)]
    assert [b * repeats_rules.multiplier(n, sales) for n, b in enumerate(bases, 1)] == [50, 100, 40]
    # (2) service advisor: ¥50, ¥50, ¥100; the 4th ¥100 (× 2, not × 4)
    advisor = doubling.threshold("archive", "service_advisor")
    assert [50 * repeats_rules.multiplier(n, advisor) for n in (1, 2, 3, 4)] == [50, 50, 100, 100]
    # (3) the first in October counts as 1 again: ¥50
    assert 50 * repeats_rules.multiplier(1, sales) == 50
    assert repeats_rules.period_bounds("month", dt.date(2026, 10, 1)) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert repeats_rules.perf_pay_due(2, sales, doubling.perf_pay_deduction)
    assert not repeats_rules.perf_pay_due(3, sales, doubling.perf_pay_deduction)
    assert doubling.threshold("archive", "cs_agent") is None and repeats_rules.multiplier(5, None) == 1


CAR_LADDER = values(ladders={"late_arrival": {"steps": [
    {"nth": 1, "amount": 20}, {"nth": 2, "amount": 40, "cash_same_day": True}, {"nth": 3, "flag": "dismissal_review"}]}}
)["ladders"]["late_arrival"]
PRE16_LADDER = values(ladders={"late_arrival": {"unit": "points", "steps": [{"nth": 1, "amount": 0}, {"nth": 2, "amount": 2}],
                                                "extras": [{"at": 3, "amount": 5}],
                                                "reclassify": [{"offence": "absenteeism", "late_from": "30 minutes",
                                                                "late_to": "3 hours"}]}})["ladders"]["late_arrival"]


def test_stf13_ladders_car_and_pre16():
    car = [repeats_rules.ladder_step(CAR_LADDER, n) for n in (1, 2, 3)]
    assert [(s.amount, s.cash_same_day, s.flag) for s in car] == [
        (Decimal("20.00"), False, None), (Decimal("40.00"), True, None), (None, False, "dismissal_review")]
    pre16 = [repeats_rules.ladder_step(PRE16_LADDER, n) for n in (1, 2, 3)]
    points = [s.amount for s in pre16] + [e.amount for s in pre16 for e in s.extras]
    assert points == [0, 2, 2, 5] and sum(points) == 9
    assert repeats_rules.ladder_step(PRE16_LADDER, 4).extras == ()  # the −5 comes once, at 3
    assert repeats_rules.reclassified(PRE16_LADDER, 45) == "absenteeism"
    assert repeats_rules.reclassified(PRE16_LADDER, 30) == "absenteeism"  # 30 min counts (inclusive)
    assert repeats_rules.reclassified(PRE16_LADDER, 181) is None and repeats_rules.reclassified(PRE16_LADDER, 10) is None


def test_stf11_limits_across_national_day():
    within = Duration(1, "working_days")
    ordered = at(9, 29, 10)  # Tue
    missed = corrections_rules.missed_limits(ordered, within, CAL, as_of=at(10, 12, 9))
    assert [m.through for m in missed[:3]] == [dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 10, 9)]
    assert missed[0].repeat_at == dt.datetime(2026, 9, 30, 23, 59, 59, tzinfo=SH)  # still September
    corrected = corrections_rules.missed_limits(ordered, within, CAL, as_of=at(10, 12, 9), corrected_at=at(10, 9, 11))
    assert [m.through for m in corrected] == [dt.date(2026, 9, 30), dt.date(2026, 10, 8)]
    assert corrections_rules.missed_limits(ordered, within, CAL, as_of=at(9, 30, 23)) == []
    assert corrections_rules.current_limit(ordered, within, CAL, 1).through == dt.date(2026, 10, 8)


RULE = {"counter": "complaints", "window": Duration(6, "months"), "threshold": 3, "inclusive": True, "label": "review"}


def complaints(*days):
    return [Occurrence(at(m, d), "complaint", i) for i, (m, d) in enumerate(days, 1)]


def test_stf12_cmp73_three_verified_complaints_in_six_months():
    zhou = complaints((1, 5), (3, 20), (6, 30))
    found = flags_rules.triggers(RULE, zhou, CAL)
    assert [(t.occurrence.at.date(), t.count) for t in found] == [(dt.date(2026, 6, 30), 3)]
    assert flags_rules.triggers({**RULE, "inclusive": False}, zhou, CAL) == []
    # outside six months: 2026-01-05 .. 2026-07-06 is more than 6 months
    assert flags_rules.triggers(RULE, complaints((1, 5), (3, 20), (7, 6)), CAL) == []
    # a flag uses its occurrences up: five in six months → one flag, at the third
    assert len(flags_rules.triggers(RULE, complaints((1, 5), (2, 5), (3, 5), (4, 5), (5, 5)), CAL)) == 1
    assert flags_rules.triggers(RULE, zhou, CAL, after=zhou[2]) == []
    assert flags_rules.current_count(RULE, zhou, at(7, 1), CAL) == 3


def test_stf12_calendar_month_and_consecutive_working_days():
    month = {"counter": "offence:late_arrival", "window": "calendar_month", "threshold": 3, "label": "dismissal_review"}
    lates = [Occurrence(at(9, d), "staff_entry", d) for d in (3, 15, 24)]
    assert [t.occurrence.subject_id for t in flags_rules.triggers(month, lates, CAL)] == [24]
    split = [Occurrence(at(m, d), "staff_entry", d) for m, d in ((9, 29), (10, 8), (10, 9))]
    assert flags_rules.triggers(month, split, CAL) == []
    run = {"counter": "offence:absenteeism", "window": "ever", "threshold": 3, "consecutive": True, "label": "t"}
    # Wed 09-30, then National Day off 10-01..07, Thu 10-08: consecutive working days
    absent = [Occurrence(at(m, d), "staff_entry", d) for m, d in ((9, 29), (9, 30), (10, 8))]
    assert [t.count for t in flags_rules.triggers(run, absent, CAL)] == [3]
    gap = [Occurrence(at(m, d), "staff_entry", d) for m, d in ((9, 28), (9, 30), (10, 8))]
    assert flags_rules.triggers(run, gap, CAL) == []


def test_stf14_smallest_identifiable_unit():
    assert liability_rules.liable(7, None, 3) == liability_rules.Liable(7, None, "person")
    assert liability_rules.liable(None, None, 3) == liability_rules.Liable(None, 3, "unit")  # the factory
    assert liability_rules.liable(None, 5, 3) == liability_rules.Liable(None, 5, "team")
    heads = {3: 42}
    assert liability_rules.liable(None, None, 3, when_unidentified="head", head_of=heads.get) == \
        liability_rules.Liable(42, None, "head")
    assert liability_rules.liable(None, None, 9, when_unidentified="head", head_of=heads.get).department_id == 9
    assert liability_rules.liable(None, None, None) is None
