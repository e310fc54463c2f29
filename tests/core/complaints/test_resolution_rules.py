"""Pure rules of the case from handling to closure, with the spec's vectors (CMP-41, CMP-42, CMP-50,
CMP-52, CMP-53, CMP-55)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.calendar import CalendarPolicySchema, Duration, calendar_from_policy
from core.complaints import major_rules
from core.complaints import resolution_rules as rules
from core.complaints.policy import CmpPolicySchema
from core.complaints.resolution_settings import ApprovalSchema

CAL = calendar_from_policy(CalendarPolicySchema().load({}))
SH = ZoneInfo("Asia/Shanghai")
DEFAULTS = CmpPolicySchema().load({})


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_defaults_of_the_resolution_sections():
    assert DEFAULTS["approval"]["mode"] == "none"
    assert DEFAULTS["approval"]["matrix"] == {"dept_manager": Decimal("1000"), "vp": Decimal("5000"), "gm": "above"}
    major = DEFAULTS["major"]
    assert (major["notify"], major["ack_within"], major["group_warning_within"], major["group_member"]) == (
        ["dept_manager", "gm"], Duration(1, "hours"), Duration(24, "hours"), False)
    assert DEFAULTS["close"]["requires_confirmation"] is False
    assert DEFAULTS["reply"]["forms"]["letter"] == ["letter", "email"] and DEFAULTS["reply"]["form_follows_channel"]
    assert DEFAULTS["authority"]["limits"]["handler"] == Decimal("500")


def test_cmp41_demand_beyond_the_handlers_authority_goes_to_the_department_head():
    limits = {"handler": Decimal("500")}
    step = rules.next_authority_level("handler", "beyond_authority", Decimal("2000"), limits)
    assert (step.from_level, step.level, step.reason, step.amount, step.limit) == (
        "handler", "dept_head", "beyond_authority", Decimal("2000"), Decimal("500"))
    # within authority (the limit itself included, CAL-10): nothing moves
    assert rules.next_authority_level("handler", "beyond_authority", Decimal("500"), limits) is None
    # a level without a limit decides any amount; the GM is the top
    assert rules.next_authority_level("dept_head", "beyond_authority", Decimal("99999"), limits) is None
    assert rules.next_authority_level("gm", "dissatisfied", None, limits) is None


def test_cmp41_dissatisfaction_climbs_one_level_at_a_time():
    levels, level = [], "handler"
    while (step := rules.next_authority_level(level, "dissatisfied", None, {})) is not None:
        level = step.level
        levels.append(level)
    assert levels == ["dept_head", "vp", "gm"]
    with pytest.raises(ValueError):
        rules.next_authority_level("handler", "angry", None, {})


def test_cmp50_matrix_vectors():
    matrix = DEFAULTS["approval"]["matrix"]
    assert rules.approver_role("matrix", matrix, Decimal("800")) == "dept_manager"
    assert rules.approver_role("matrix", matrix, Decimal("3000")) == "vp"
    assert rules.approver_role("matrix", matrix, Decimal("12000")) == "gm"
    assert rules.approver_role("matrix", matrix, Decimal("1000")) == "dept_manager"  # inclusive
    assert rules.approver_role("matrix", matrix, Decimal("1000.01")) == "vp"
    assert rules.approver_role("matrix", matrix, None) == "dept_manager"  # no compensation: the lowest tier


def test_cmp50_modes():
    matrix = DEFAULTS["approval"]["matrix"]
    assert rules.approver_role("none", matrix, Decimal("12000")) is None
    assert rules.approver_role("gm", matrix, Decimal("1")) == "gm"
    assert rules.approver_role("vp", matrix, None) == "vp"
    assert rules.may_approve("vp", {"gm"}) and rules.may_approve("dept_manager", {"vp"})
    assert not rules.may_approve("gm", {"vp", "dept_manager"}) and not rules.may_approve("vp", {"tenant_admin"})


def test_cmp50_matrix_needs_exactly_one_top_tier():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        ApprovalSchema().load({"matrix": {"dept_manager": 1000, "vp": 5000}})
    with pytest.raises(ValidationError):
        ApprovalSchema().load({"matrix": {"vp": "above", "gm": "above"}})
    loaded = ApprovalSchema().load({"mode": "matrix", "matrix": {"gm": "above", "cs_manager": "200"}})
    assert rules.matrix_tiers(loaded["matrix"]) == [("cs_manager", Decimal("200.00")), ("gm", None)]


def test_cmp52_a_letter_complaint_needs_a_written_reply():
    forms = DEFAULTS["reply"]["forms"]
    assert rules.reply_form_gap("letter", ["phone"], forms, True) == ["letter", "email"]
    assert rules.reply_form_gap("letter", ["phone", "letter"], forms, True) is None
    assert rules.reply_form_gap("letter", ["phone"], forms, False) is None  # the company allows it
    assert rules.reply_form_gap("phone", ["sms"], forms, True) is None  # a channel not listed


def test_cmp52_cmp53_closing_conditions():
    gaps = rules.closing_gaps(resolution_method=None, action_taken=" ", replied=False, requires_confirmation=True,
                              customer_confirmed=False)
    assert set(gaps) == {"resolution_method", "action_taken", "reply", "customer_confirmed"}
    assert rules.closing_gaps(resolution_method="repair", action_taken="换件", replied=True,
                              requires_confirmation=False, customer_confirmed=False) == {}


def test_cmp55_human_negligence_is_exempt_from_tracking():
    assert rules.improvement_tracked(False) is True
    assert rules.improvement_tracked(True) is False


def test_cmp42_lift_entrapment_on_the_dragon_boat_holiday():
    """Flagged major Fri 2026-06-19 10:00 (a holiday): hours are elapsed time."""
    plan = major_rules.schedule(CAL, at(2026, 6, 19, 10), Duration(1, "hours"), Duration(24, "hours"), True)
    assert plan.ack_due == at(2026, 6, 19, 11)
    assert plan.group_warning_due == at(2026, 6, 20, 10)
    alone = major_rules.schedule(CAL, at(2026, 6, 19, 10), Duration(1, "hours"), Duration(24, "hours"), False)
    assert alone.group_warning_due is None


def test_cmp42_what_the_watch_does_and_when_it_looks_again():
    state = major_rules.TrackState(recipients=(1, 2), acknowledged=frozenset({2}), ack_due_at=at(2026, 6, 19, 11),
                                   ack_overdue_at=None, group_warning_due_at=at(2026, 6, 20, 10),
                                   group_warning_sent_at=None, group_warning_overdue_at=None)
    assert major_rules.next_check(state) == at(2026, 6, 19, 11)
    assert major_rules.due_now(state, at(2026, 6, 19, 10, 59)) == major_rules.Due((), False)
    assert major_rules.due_now(state, at(2026, 6, 19, 11)) == major_rules.Due((1,), False)
    done = major_rules.TrackState(**{**state.__dict__, "ack_overdue_at": at(2026, 6, 19, 11, 1)})
    assert major_rules.next_check(done) == at(2026, 6, 20, 10)
    assert major_rules.due_now(done, at(2026, 6, 20, 10)) == major_rules.Due((), True)
    sent = major_rules.TrackState(**{**done.__dict__, "group_warning_sent_at": at(2026, 6, 20, 9)})
    assert major_rules.next_check(sent) is None
