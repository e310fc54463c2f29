"""Pure rules of return visits (CMP-60..63) with the spec's vectors, on the official 2026 calendar."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar.policy import calendar_from_policy, load_calendar_policy
from core.complaints import return_visit_rules as rules
from core.complaints.policy import CmpPolicySchema

CAL = calendar_from_policy(load_calendar_policy({}), timezone="Asia/Shanghai")
SH = ZoneInfo("Asia/Shanghai")
DEFAULTS = CmpPolicySchema().load({})["return_visit"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def test_settings_defaults_are_the_specs():
    assert str(DEFAULTS["within"]) == "3 days" and DEFAULTS["rate"] == Decimal("50.00")
    assert DEFAULTS["always"] == ["important", "major"]
    assert DEFAULTS["visitor"] == {"general": ["cs_agent"], "important": ["supervisor"], "major": ["company_manager"]}
    assert DEFAULTS["phone_allowed_from"] == 2 and DEFAULTS["major_on_site"] is True
    assert str(DEFAULTS["issue_assign_within"]) == "4 business_hours"
    assert CmpPolicySchema().load({"return_visit": {"rate": "30%"}})["return_visit"]["rate"] == Decimal("30.00")
    pm = CmpPolicySchema().load({"return_visit": {"visitor": {"general": "property_assistant"}}})["return_visit"]
    assert pm["visitor"] == {"general": ["property_assistant"], "important": ["supervisor"],
                             "major": ["company_manager"]}


def test_cmp60_due_three_calendar_days_holiday_included():
    due = rules.visit_due(CAL, at("2026-06-16 15:00"), DEFAULTS["within"])  # Tue; Fri 06-19 is Dragon Boat
    assert due.through == dt.date(2026, 6, 19)
    assert due.at == at("2026-06-20 00:00")


def test_cmp60_june_sample_to_the_rate():
    order = ["general", "general", "important", "general", "major", "general", "general", "general", "important",
             "general"]
    names = ["G1", "G2", "I1", "G3", "M1", "G4", "G5", "G6", "I2", "G7"]
    picks = rules.sample_month(order, rate=Decimal("50"), always=DEFAULTS["always"])
    assert [n for n, s in zip(names, picks) if s.selected] == ["G1", "I1", "M1", "G5", "I2"]
    assert [s.reason for s in picks] == ["rate", "rate_met", "always", "rate_met", "always", "rate_met", "rate",
                                         "rate_met", "always", "rate_met"]
    # G5: 3 visited of 7 resolved (this one counted, not visited) < 50%; G6: 4/8 is not below
    assert (picks[6].visited_before, picks[6].resolved_count) == (3, 7)
    assert (picks[7].visited_before, picks[7].resolved_count) == (4, 8)
    assert "3/7" in picks[6].reason_zh and "50%" in picks[6].reason_en


def test_cmp61_exempt_cases_leave_the_denominator():
    anonymous = rules.select_case("major", visited_before=0, resolved_before=0, rate=Decimal("50"),
                                  always=DEFAULTS["always"], anonymous=True)
    assert (anonymous.outcome, anonymous.reason, anonymous.counted, anonymous.rule_id) == (
        "exempt", "anonymous", False, "CMP-61")
    letter = rules.select_case("general", visited_before=0, resolved_before=0, rate=Decimal("50"),
                               always=DEFAULTS["always"], written_reply_only=True)
    assert (letter.outcome, letter.reason) == ("exempt", "written_reply_only")


@pytest.mark.parametrize("roles, required, ok", [
    (["cs_agent"], ["company_manager"], False),  # CMP-60 test (3): an agent for a major case
    (["dept_manager"], ["company_manager"], False),
    (["gm"], ["company_manager"], True),
    (["vp"], ["company_manager"], True),
    (["cs_supervisor"], ["supervisor"], True),  # same level
    (["cs_agent"], ["supervisor"], False),
    (["cs_manager"], ["cs_agent"], True),  # more senior
    (["salesperson"], ["cs_agent"], True),
    (["meter_reader"], ["cs_agent"], False),  # a plugin role outside the levels
    (["property_assistant"], ["property_assistant", "cs_agent"], True),
])
def test_cmp60_visitor_seniority(roles, required, ok):
    assert rules.qualifies(roles, required) is ok


def test_cmp62_modes():
    good = {"attitude": 5, "skill": 4, "outcome": 4}
    kwargs = {"ratings": good, "phone_allowed_from": 2, "major_on_site": True}
    label, errors = rules.check_visit(number=2, severity="important", mode="phone", customer_signed=False, **kwargs)
    assert (label, errors) == ("电话回访", {})
    label, errors = rules.check_visit(number=2, severity="major", mode="phone", customer_signed=False, **kwargs)
    assert "mode" in errors
    _, errors = rules.check_visit(number=1, severity="general", mode="phone", customer_signed=False, **kwargs)
    assert "mode" in errors  # the first visit is on site
    _, errors = rules.check_visit(number=1, severity="general", mode="on_site", customer_signed=False, **kwargs)
    assert list(errors) == ["customer_signed"]
    label, errors = rules.check_visit(number=1, severity="major", mode="on_site", customer_signed=True, **kwargs)
    assert (label, errors) == (None, {})
    _, errors = rules.check_visit(number=1, severity="major", mode="on_site", customer_signed=True,
                                  ratings={"attitude": 6, "skill": 3}, phone_allowed_from=2, major_on_site=True)
    assert list(errors) == ["ratings"]


def test_cmp63_issue_assignment_within_four_business_hours_over_national_day():
    due = rules.issue_assign_due(CAL, at("2026-09-30 16:00"), DEFAULTS["issue_assign_within"])
    assert due.at == at("2026-10-08 11:00")
