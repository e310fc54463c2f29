"""STF-40 scores within their weights and STF-43 forced-ranking streaks (pure)."""
import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from core.staff import scorecards_rules as rules
from core.staff.policy import StfPolicySchema

SALES = [{"code": "results", "weight": "60"}, {"code": "ability", "weight": "20"}, {"code": "attitude", "weight": "20"}]
JUL, AUG, SEP, OCT = (dt.date(2026, m, 1) for m in (7, 8, 9, 10))


def test_stf40_total_and_a_dimension_over_its_weight():
    scores = {"results": 55, "ability": 18, "attitude": 17}
    assert rules.score_errors(SALES, scores) == {}
    assert rules.total(scores) == Decimal("90.00")
    assert rules.score_errors(SALES, {"results": 61, "ability": 18, "attitude": 17}) == {
        "results": ["from 0 to the dimension's weight 60, at most 2 decimals"]}
    assert rules.score_errors(SALES, {"results": 55, "ability": 18}) == {"attitude": ["score every dimension"]}
    assert "not a dimension" in rules.score_errors(SALES, {**scores, "luck": 1})["luck"][0]
    assert rules.score_errors(SALES, {**scores, "ability": "-1"})


def test_stf40_scheme_weights_total_100():
    schema = StfPolicySchema()
    good = {"scorecards": {"schemes": {"salesperson": {"dimensions": [
        {"code": "results", "label_zh": "销售业绩", "weight": 60}, {"code": "ability", "label_zh": "能力", "weight": 20},
        {"code": "attitude", "label_zh": "态度", "weight": 20}]}}}}
    assert schema.load(good)["scorecards"]["schemes"]["salesperson"]["dimensions"][0]["weight"] == Decimal("60")
    bad = {"scorecards": {"schemes": {"salesperson": {"dimensions": [
        {"code": "results", "label_zh": "销售业绩", "weight": 60}, {"code": "ability", "label_zh": "能力", "weight": 30}]}}}}
    with pytest.raises(ValidationError) as err:
        schema.load(bad)
    assert "the weights total 90" in str(err.value.messages)


def test_stf43_last_place():
    assert rules.last_placed({1: Decimal(90), 2: Decimal(70), 3: Decimal(70)}) == {2, 3}
    assert rules.last_placed({1: Decimal(90)}) == set()  # alone: nobody is last
    assert rules.last_placed({1: Decimal(80), 2: Decimal(80)}) == set()  # all equal


def test_stf43_three_consecutive_months_flag_once():
    assert rules.forced_ranking_due({JUL, AUG, SEP}, SEP)
    assert not rules.forced_ranking_due({JUL, SEP}, SEP)  # July and September only
    assert not rules.forced_ranking_due({JUL, AUG, SEP, OCT}, OCT)  # the streak was flagged in September
    assert not rules.forced_ranking_due({JUL, AUG}, SEP)  # not last in the month just closed
    assert rules.forced_ranking_due({JUL, SEP, dt.date(2026, 5, 1)}, SEP, consecutive=False)
    assert not rules.forced_ranking_due({JUL, SEP, dt.date(2025, 5, 1)}, SEP, consecutive=False, window=12)
