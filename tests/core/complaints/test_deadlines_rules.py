"""Which clocks a complaint runs (CMP-30 policy model, CMP-31 defaults, CMP-32 stages, CMP-35
reminder days): pure rules over loaded ``cmp`` settings and the official 2026 calendar."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar import WorkCalendar, parse_duration
from core.complaints.deadlines_rules import CaseFacts, choose_policy, reminder_due, specs_for_event, stage_spec
from core.complaints.policy import CmpPolicySchema

SH = ZoneInfo("Asia/Shanghai")
PRE10 = {"sla": {"overall": {"start": "accepted", "department": "市场部", "target": "15 days", "hard": "18 days"},
                 "stages": {"market_dept": {"limit": "7 days", "sub_stages": {"processing_unit": {"limit": "2 days"}}},
                            "sales_branch": {"limit": "5 days"}}}}


def load(body=None):
    return CmpPolicySchema().load(body or {})


def complaint(**kw):
    return CaseFacts(**{"case_type": "complaint", "severity": "general", "category": "other", **kw})


def by_code(specs):
    return {s.code: s for s in specs}


def test_cmp31_defaults_at_intake_with_the_ladder_and_the_special_limit():
    specs = by_code(specs_for_event(load(), complaint(), "received"))
    assert {c: (str(s.duration), s.rule_id) for c, s in specs.items()} == {
        "reply": ("24 hours", "CMP-31"), "solution": ("1 working_days", "CMP-31"), "resolve": ("3 working_days", "CMP-31")}
    assert specs["resolve"].special_duration == parse_duration("7 working_days")
    assert specs["resolve"].escalation == ("supervisor", "dept_manager", "gm")
    assert str(specs["resolve"].escalation_interval) == "1 working_days"
    assert all(s.customer_may_set_earlier for s in specs.values())
    special = by_code(specs_for_event(load(), complaint(special=True), "received"))
    assert str(special["resolve"].duration) == "7 working_days" and special["resolve"].special_duration is None
    assert [s.code for s in specs_for_event(load(), complaint(case_type="inquiry"), "received")] == ["reply"]
    assert specs_for_event(load(), complaint(case_type="praise"), "received") == []
    assert specs_for_event(load(), complaint(), "accepted") == []


def test_cmp30_the_first_matching_policy_replaces_the_defaults():
    body = {"sla": {"pause_reasons": ["waiting_customer", "waiting_parts"], "policies": [
        {"name": "大客户重大投诉", "severities": ["major"], "grades": ["A"], "milestones": [
            {"code": "reply", "duration": "2 hours", "customer_may_set_earlier": True},
            {"code": "resolve", "duration": "1 working_day", "hard": "2 working_days", "special": "3 working_days",
             "pause_reasons": ["waiting_parts"]},
            {"code": "confirm", "duration": "3 days", "start": "resolution", "escalate": False}]},
        {"name": "质量投诉", "categories": ["staff_conduct"], "milestones": [
            {"code": "resolve", "duration": "5 working_days"}]}]}}
    values = load(body)
    assert choose_policy(values["sla"], complaint(severity="major", grade="A"))["name"] == "大客户重大投诉"
    assert choose_policy(values["sla"], complaint(severity="major", grade="B")) is None
    assert choose_policy(values["sla"], complaint(category="staff_conduct", severity="major"))["name"] == "质量投诉"
    specs = by_code(specs_for_event(values, complaint(severity="major", grade="A"), "received"))
    assert set(specs) == {"reply", "resolve"} and all(s.rule_id == "CMP-30" for s in specs.values())
    assert specs["reply"].customer_may_set_earlier and not specs["resolve"].customer_may_set_earlier
    assert specs["resolve"].pause_reasons == ("waiting_parts",) and str(specs["resolve"].hard_duration) == "2 working_days"
    assert specs["resolve"].sla_policy == "大客户重大投诉"
    after = specs_for_event(values, complaint(severity="major", grade="A"), "resolution")
    assert [(s.code, s.escalation) for s in after] == [("confirm", ())]


def test_cmp30_settings_are_checked():
    with pytest.raises(ValidationError) as err:
        load({"sla": {"policies": [{"name": "x", "milestones": [
            {"code": "reply", "duration": "2 hours", "start": "stage_entered"},
            {"code": "overall", "duration": "2 hours"}]}]}})
    milestones = err.value.messages["sla"]["policies"][0]["milestones"]
    assert "stage" in milestones[0] and "code" in milestones[1]
    with pytest.raises(ValidationError) as err:
        load({"sla": {"policies": [{"name": "x", "milestones": [
            {"code": "resolve", "duration": "1 working_day", "start": "stage_entered", "stage": "nowhere",
             "pause_reasons": ["strike"]}]}]}})
    assert len(err.value.messages["sla"]["policies"]) == 2  # the unknown stage and the unknown pause reason
    with pytest.raises(ValidationError):
        load({"escalation": {"interval": "soon"}})


def test_cmp32_overall_and_stages_pre10_vector():
    """Market department accepts 2026-03-02 → target through 03-17, hard through 03-20; market stage
    through 03-09; processing unit entered 03-04 → through 03-06; sales branch 03-08 → through 03-13."""
    values, cal = load(PRE10), WorkCalendar()
    assert specs_for_event(values, complaint(), "accepted", department="销售部") == []
    [overall] = specs_for_event(values, complaint(), "accepted", department="市场部")
    accepted = dt.datetime(2026, 3, 2, 10, tzinfo=SH)
    assert (overall.code, overall.rule_id) == ("overall", "CMP-32")
    assert cal.add_duration(accepted, overall.duration).through == dt.date(2026, 3, 17)
    assert cal.add_duration(accepted, overall.hard_duration).through == dt.date(2026, 3, 20)
    market = stage_spec(values, "market_dept")
    unit = stage_spec(values, "market_dept", "processing_unit")
    branch = stage_spec(values, "sales_branch")
    assert (market.code, unit.code, unit.parent_code) == ("stage.market_dept", "stage.market_dept.processing_unit",
                                                          "stage.market_dept")
    assert market.escalation == () and unit.rule_id == "CMP-32"
    assert cal.add_duration(accepted, market.duration).through == dt.date(2026, 3, 9)
    assert cal.add_duration(dt.datetime(2026, 3, 4, 9, tzinfo=SH), unit.duration).through == dt.date(2026, 3, 6)
    assert cal.add_duration(dt.datetime(2026, 3, 8, 9, tzinfo=SH), branch.duration).through == dt.date(2026, 3, 13)
    assert stage_spec(values, "warehouse") is None and stage_spec(values, "sales_branch", "x") is None


def test_cmp35_reminder_days_at_breach_and_every_working_day_after():
    cal = WorkCalendar()
    breach = dt.date(2026, 10, 11)  # resolve through Sat 10-10 breached at 10-11 00:00 (a Sunday)
    days = [breach + dt.timedelta(days=i) for i in range(4)]
    assert [d for d in days if reminder_due(cal, breach, d)] == [
        dt.date(2026, 10, 11), dt.date(2026, 10, 12), dt.date(2026, 10, 13), dt.date(2026, 10, 14)]
    assert not reminder_due(cal, breach, dt.date(2026, 10, 17))  # a Saturday after
    assert not reminder_due(cal, breach, dt.date(2026, 10, 10))
