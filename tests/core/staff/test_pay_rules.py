"""STF-41 pay bands and STF-42 department modifier with the spec's vectors; the ``stf`` settings
load({}) to the spec's defaults and refuse bands that do not cover 0..100."""
from decimal import Decimal

import pytest

from core.staff import pay_rules as rules
from core.staff.policy import StfPolicySchema

D = Decimal
BANDS = [rules.band(*b) for b in rules.DEFAULT_BANDS]


@pytest.mark.parametrize("base, score, pay", [
    (1500, 80, "1200.00"),  # the source prints 2000 × 80%; 1500 × 80% is taken as correct
    (3000, 89, "2670.00"), (3000, 90, "3000.00"), (3000, 95, "3150.00"), (3000, 59, "0.00"),
    (500, 80, "400.00"),
    (3000, 100, "3150.00"), (3000, "89.5", "2685.00"), (3000, "94.5", "3000.00"), (3000, 60, "1800.00"),
    (3000, 0, "0.00"),
])
def test_stf41_pay_bands(base, score, pay):
    assert rules.band_pay(base, score, BANDS) == D(pay)


def test_stf41_bands_are_half_open_with_the_top_closed():
    assert rules.band_of(D("89.99"), BANDS)[0].low == 60
    assert rules.band_of(90, BANDS)[0].low == 90
    band, top = rules.band_of(100, BANDS)
    assert band.low == 95 and top and band.label(top) == "[95, 100]"
    assert rules.band_of(60, BANDS)[0].label() == "[60, 90)"
    with pytest.raises(ValueError):
        rules.band_of(101, BANDS)


@pytest.mark.parametrize("base, score, result, pay", [
    (3000, 88, "challenge", "2772.00"),  # 2640 + 132
    (1000, 88, "challenge", "924.00"),
    (3000, 88, "missed", "2508.00"),
    (3000, 95, "challenge", "3307.50"),
    (3000, 88, "met", "2640.00"),
    (3000, 88, None, "2640.00"),
])
def test_stf42_department_modifier(base, score, result, pay):
    scored = rules.scored_pay(base, score, BANDS, result)
    assert scored.pay == D(pay)
    if (base, score, result) == (3000, 88, "challenge"):
        assert (scored.banded, scored.modifier) == (D("2640.00"), D("132.00"))


def test_stf42_department_result_from_targets_inclusive():
    assert rules.department_result(D("120"), target=100, challenge_target=120) == "challenge"
    assert rules.department_result(D("100"), target=100, challenge_target=120) == "met"
    assert rules.department_result(D("99.99"), target=100, challenge_target=120) == "missed"
    assert rules.department_result(D("500"), target=100) == "met"
    assert rules.department_result(D("500")) is None


def test_stf_settings_defaults_and_band_validation():
    schema = StfPolicySchema()
    values = schema.load({})
    assert [b.as_list() for b in values["pay_bands"]] == [[95, 100, 1.05], [90, 95, 1], [60, 90, "score"], [0, 60, 0]]
    assert values["dept_modifier"] == {"challenge": D("5"), "met": D("0"), "missed": D("-5")}
    assert values["statement"] == {"day": 1, "hold_pay_if_missing": False}
    assert values["forced_ranking"] == {"enabled": False, "months": 3, "consecutive": True, "window": 12}
    assert values["scorecards"] == {"period": "month", "schemes": {}}
    assert schema.load(schema.dump(values)) == values
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as gap:
        schema.load({"pay_bands": [[90, 100, 1], [0, 80, 0]]})
    assert "pay_bands" in gap.value.messages
    with pytest.raises(ValidationError):
        schema.load({"pay_bands": [[0, 100, "half"]]})
    custom = schema.load({"pay_bands": [[0, 100, "score"]], "dept_modifier": {"challenge": 10}})
    assert rules.scored_pay(1000, 88, custom["pay_bands"], "challenge", custom["dept_modifier"]).pay == D("968.00")
