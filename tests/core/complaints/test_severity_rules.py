"""CMP-10 severity changes, CMP-11 major criteria, CMP-43 levels: pure rules with the spec's vectors."""
import pytest

from core.complaints.case_settings import CORE_MAJOR_CRITERIA, CaseHandlingPolicySchema, parse_criterion
from core.complaints.severity_rules import (
    MajorFacts, change_errors, criteria_holding, enabled_criteria, level_for, manual_criteria_errors,
)

CORE = enabled_criteria(CORE_MAJOR_CRITERIA)
CAR = enabled_criteria([*CORE_MAJOR_CRITERIA, "blocking", "disturbance", "return_exchange"])
PM = enabled_criteria([*CORE_MAJOR_CRITERIA, "lift_entrapment", "flooding", "fire"])


def holding(enabled, **facts):
    return [h.criterion for h in criteria_holding(enabled, MajorFacts(**{"channel": "phone", **facts}))]


def test_defaults_of_the_settings():
    values = CaseHandlingPolicySchema().load({})
    assert values["major"]["criteria"] == ["repeat", "to_manufacturer", "to_authority", "media", "collective>=3"]
    assert str(values["repeat"]["window"]) == "90 days" and values["repeat"]["effects"] == ["major"]
    assert values["level_by_severity"] == {"general": "agent", "important": "supervisor", "major": "dept_manager"}
    assert values["supplier_case_to"] == "vp" and values["territory"] == "by_customer_unit"
    assert values["causes"] == [] and "malicious" in values["tags"]
    assert CORE == {"repeat": None, "to_manufacturer": None, "to_authority": None, "media": None, "collective": 3}
    assert parse_criterion("collective>=5") == ("collective", 5)
    with pytest.raises(ValueError):
        parse_criterion("collective>=0")
    errors = CaseHandlingPolicySchema().validate({"major": {"criteria": ["media", "aliens"]}})
    assert "major" in errors


def test_cmp11_collective_by_three_households_is_major_by_two_is_not():
    assert holding(PM, complainant_count=3) == ["collective"]
    assert holding(PM, complainant_count=2) == []
    assert holding(enabled_criteria(["collective>=5"]), complainant_count=4) == []


def test_cmp11_car_exchange_demand_is_major_only_where_enabled():
    assert holding(CAR, demands=("exchange",)) == ["return_exchange"]
    assert holding(CAR, demands=("compensation",)) == []
    assert holding(CORE, demands=("exchange",)) == []


def test_cmp11_also_sent_to_the_12345_hotline_is_major():
    assert holding(CORE, reported_to=("to_authority",)) == ["to_authority"]
    assert holding(CORE, channel="media") == ["media"]
    assert holding(enabled_criteria(["repeat"]), reported_to=("to_authority",)) == []


def test_cmp11_repeat_counts_when_cmp12_effects_say_major():
    assert holding(CORE, is_repeat=True) == ["repeat"]
    assert holding(CORE, is_repeat=True, repeat_makes_major=False) == []


def test_cmp11_criteria_a_person_flags():
    assert manual_criteria_errors(["lift_entrapment"], PM, None) == []
    assert manual_criteria_errors(["lift_entrapment"], CORE, None) != []  # not enabled for this tenant
    assert manual_criteria_errors(["wide_impact"], CORE, "全小区停水") == []
    assert manual_criteria_errors(["wide_impact"], CORE, "") != []
    assert manual_criteria_errors(["media"], CORE, "x") != []  # evaluated from data, not flagged


def test_cmp10_lowering_needs_a_reason():
    assert set(change_errors("major", "general", None, [])) == {"reason"}
    assert set(change_errors("major", "general", "  ", [])) == {"reason"}
    assert change_errors("major", "general", "核实为一般服务问题", []) == {}
    assert change_errors("general", "important", None, []) == {}
    assert set(change_errors("general", "major", None, [])) == {"criteria"}
    assert change_errors("general", "major", None, ["fire"]) == {}
    assert set(change_errors("general", "urgent", "x", [])) == {"severity"}


def test_cmp43_level_by_severity():
    mapping = CaseHandlingPolicySchema().load({})["level_by_severity"]
    assert [level_for(s, mapping) for s in ("general", "important", "major")] == ["agent", "supervisor", "dept_manager"]
    assert level_for("important", {**mapping, "important": "cs_supervisor"}) == "cs_supervisor"
