"""Recurring duties (SVC-30, SVC-32; PM-07), pure: periods, due days spread through a period, the
shortfall text, completion evidence and the policy section; then :func:`core.service.duties.completion_errors`
on orders (SVC-30 (2): a water-tank order without a sample result cannot complete)."""
import datetime as dt

import pytest

from core.calendar import Duration
from core.service import duties_rules as rules
from core.service.duties_settings import PM_DUTIES, PRE_DUTIES, survey_period
from core.service.policy import SvcPolicySchema

D = dt.date


def test_periods_hold_their_day():
    assert rules.period_of("month", D(2026, 9, 17)) == rules.Period("month", D(2026, 9, 1), D(2026, 9, 30))
    assert rules.period_of("quarter", D(2026, 11, 3)) == rules.Period("quarter", D(2026, 10, 1), D(2026, 12, 31))
    assert rules.period_of("half_year", D(2026, 6, 30)).end == D(2026, 6, 30)
    assert rules.period_of("half_year", D(2026, 7, 1)) == rules.Period("half_year", D(2026, 7, 1), D(2026, 12, 31))
    assert rules.period_of("year", D(2026, 2, 28)) == rules.Period("year", D(2026, 1, 1), D(2026, 12, 31))
    # ISO week: Monday 2026-09-14 .. Sunday 09-20
    assert rules.period_of("week", D(2026, 9, 17)) == rules.Period("week", D(2026, 9, 14), D(2026, 9, 20))
    assert rules.period_of("day", D(2026, 10, 1)) == rules.Period("day", D(2026, 10, 1), D(2026, 10, 1))
    assert [rules.period_of(k, D(2026, 9, 17)).label for k in rules.MONTHS] == ["2026-09", "2026-Q3", "2026-H2", "2026"]
    assert rules.period_of("week", D(2026, 9, 17)).label == "2026-W38"
    assert rules.period_of("month", D(2026, 12, 5)).next() == rules.Period("month", D(2027, 1, 1), D(2027, 1, 31))


def test_september_pest_control_twice_due_09_15_and_09_30():
    """SVC-30 (1): September 2026 pest control ×2 → due 09-15 and 09-30."""
    assert rules.due_days(rules.period_of("month", D(2026, 9, 1)), 2) == [D(2026, 9, 15), D(2026, 9, 30)]


def test_water_tanks_twice_in_2026_due_06_30_and_12_31():
    """PM-07 (1): 2026 water-tank orders due 06-30 and 12-31."""
    assert rules.due_days(rules.period_of("year", D(2026, 1, 1)), 2) == [D(2026, 6, 30), D(2026, 12, 31)]


def test_spread_in_months_and_days():
    year = rules.period_of("year", D(2026, 1, 1))
    assert rules.due_days(year, 4) == [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]
    # 12/5 = 2.4 months: end of February and 0.4 of March's 31 days → 03-12
    assert rules.due_days(year, 5)[0] == D(2026, 3, 12)
    october = rules.period_of("month", D(2026, 10, 1))
    assert rules.due_days(october, 2) == [D(2026, 10, 15), D(2026, 10, 31)]
    february = rules.period_of("month", D(2026, 2, 1))
    assert rules.due_days(february, 4) == [D(2026, 2, 7), D(2026, 2, 14), D(2026, 2, 21), D(2026, 2, 28)]
    quarter = rules.period_of("quarter", D(2026, 10, 1))
    assert rules.due_days(quarter, 3) == [D(2026, 10, 31), D(2026, 11, 30), D(2026, 12, 31)]
    week = rules.period_of("week", D(2026, 9, 14))
    assert rules.due_days(week, 2) == [D(2026, 9, 16), D(2026, 9, 20)]  # day 3 (3.5) and day 7
    assert rules.due_days(rules.period_of("day", D(2026, 9, 14)), 3) == [D(2026, 9, 14)] * 3
    # more orders than days: none is due before the period's first day ends
    assert rules.due_days(february, 40)[0] == D(2026, 2, 1)
    with pytest.raises(ValueError):
        rules.due_days(february, 0)


def test_shortfall_text():
    """SVC-30 (1): one of two done → "1 of 2", missed."""
    assert (rules.shortfall(2, 1).missed, rules.shortfall(2, 1).text) == (True, "1 of 2")
    assert rules.shortfall(2, 2).missed is False and rules.shortfall(1, 3).missed is False
    assert rules.shortfall(1, 0).text == "0 of 1"


def test_evidence_needs_the_check_result():
    """SVC-30 (2), pure: no sample result → an error on checks.sample_test."""
    assert rules.evidence_errors(["sample_test"], {}) == {
        "checks.sample_test": ["required: the sample_test result (SVC-30)"]}
    assert rules.evidence_errors(["sample_test"], {"checks": {"sample_test": "  "}}) != {}
    assert rules.evidence_errors(["sample_test"], {"checks": {"sample_test": {"result": None}}}) != {}
    assert rules.evidence_errors(["sample_test"], {"checks": {"other": "pass"}}) != {}
    assert rules.evidence_errors(["sample_test"], {"checks": {"sample_test": "pass"}}) == {}
    assert rules.evidence_errors(["sample_test"], {"checks": {"sample_test": {"result": "fail"}}}) == {}
    assert rules.evidence_errors([], None) == {}


def test_policy_section_defaults_and_presets():
    values = SvcPolicySchema().load({})
    assert values["duties"] == [] and values["survey"]["every"] == Duration(1, "years")
    assert survey_period(values) == "year"
    assert survey_period(SvcPolicySchema().load({"survey": {"every": None}})) is None
    assert survey_period(SvcPolicySchema().load({"survey": {"every": "6 months"}})) == "half_year"
    pm = SvcPolicySchema().load({"duties": PM_DUTIES})["duties"]
    assert [(d["code"], d["at_least"], d["period"], d["evidence"]) for d in pm] == [
        ("pest_control", 2, "month", []), ("water_tanks", 2, "year", ["sample_test"]),
        ("inspection_rounds", 1, "day", [])]
    assert SvcPolicySchema().load({"duties": PRE_DUTIES})["duties"][0]["kind"] == "survey"


@pytest.mark.parametrize("body, field", [
    ({"survey": {"every": "2 years"}}, "survey"),
    ({"duties": [{"code": "x", "title": "X", "at_least": 1, "period": "month"}]}, "duties"),  # no order type
    ({"duties": [{**PM_DUTIES[0], "period": "fortnight"}]}, "duties"),
    ({"duties": [PM_DUTIES[0], PM_DUTIES[0]]}, "duties"),
    ({"duties": [{**PM_DUTIES[0], "at_least": 0}]}, "duties"),
])
def test_policy_section_refuses(body, field):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as exc:
        SvcPolicySchema().load(body)
    assert field in exc.value.messages


# ------------------------------------------------------------------------------------------ on orders


def test_water_tank_order_without_a_sample_result_cannot_complete(make_tenant):
    """SVC-30 (2): the completion step asks :func:`completion_errors`; a water-tank order without a
    sample result gets an error on ``checks.sample_test``, with one it gets none; an order no duty
    generated, or of a duty without evidence, needs nothing."""
    from core.db import db
    from core.service import duties, orders
    from core.tenancy import tenant_scope
    from tests.helpers import acting_as

    handle = make_tenant("tanks", "物业公司")
    with tenant_scope(handle.id), acting_as("test"):
        tanks = duties.create_duty({"code": "water_tanks", "title": "水箱清洗消毒", "work_order_type": "maintenance",
                                    "at_least": 2, "period": "year", "evidence": ["sample_test"],
                                    "responsible_role": "dept_manager", "asset_class": "生活水箱"}, by=None)
        rounds = duties.create_duty({"code": "rounds", "title": "日常巡查", "work_order_type": "inspection",
                                     "at_least": 1, "period": "day", "responsible_role": "supervisor"}, by=None)
        tank_order = orders.create_order({"type": "maintenance", "source_type": "duty", "source_id": tanks.id,
                                          "channel": "duty", "description": "水箱清洗"}, by=None)
        round_order = orders.create_order({"type": "inspection", "source_type": "duty", "source_id": rounds.id,
                                           "channel": "duty"}, by=None)
        plain = orders.create_order({"type": "maintenance", "description": "保养"}, by=None)
        assert duties.completion_errors(tank_order, {"result": "done"}) == {
            "checks.sample_test": ["required of the duty water_tanks: the sample_test result (SVC-30)"]}
        assert duties.completion_errors(tank_order, {"checks": {"sample_test": "pass"}}) == {}
        assert duties.completion_errors(tank_order, None) != {}
        assert duties.completion_errors(round_order, {}) == {}
        assert duties.completion_errors(plain, {}) == {}
        db.session.rollback()
