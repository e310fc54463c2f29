"""The work-order state machine (SVC-02), required intake data (SVC-03) and deadline selection (SVC-07),
pure."""
import pytest

from core.calendar import Duration
from core.service import deadline_rules, intake_rules, states
from core.service.policy import SvcPolicySchema


def test_default_path_with_and_without_approval():
    assert states.next_states("requested", needs_approval=True)[:1] == ("approval_pending",)
    assert "dispatched" not in states.next_states("requested", needs_approval=True)
    assert states.next_states("requested")[:1] == ("dispatched",)
    assert states.next_states("approval_pending") == ("approved", "on_hold", "cancelled")
    assert "on_site" in states.next_states("dispatched") and "completed" not in states.next_states("dispatched")


def test_requested_cannot_go_on_site():
    """SVC-02 (1): requested → on_site directly is refused."""
    allowed = states.next_states("requested")
    assert "on_site" not in allowed
    zh, en = states.refusal("requested", "on_site", allowed)
    assert "dispatched" in en and "已派工" in zh


def test_remote_orders_skip_arrival():
    assert "completed" in states.next_states("dispatched", on_site=False)
    assert "on_site" not in states.next_states("dispatched", on_site=False)


def test_side_states():
    assert states.next_states("on_hold", held_from="dispatched") == ("dispatched", "cancelled")
    assert states.next_states("completed") == ("recorded", "rework")  # done: no hold, no cancel
    assert states.next_states("rework")[:1] == ("dispatched",)
    assert states.next_states("closed") == () and states.next_states("cancelled") == ()


def test_a_type_may_replace_the_machine():
    machine = {"requested": ("completed",), "completed": ("closed",)}
    assert states.next_states("requested", transitions=machine) == ("completed", "on_hold", "cancelled")
    assert states.next_states("completed", transitions=machine) == ("closed",)


REPAIR = ["customer", "address", "contact", "model", "purchase_date", "fault"]


def test_repair_without_purchase_date_names_it():
    """SVC-03 (1)."""
    intake = {"customer_name": "王先生", "address": "北京市朝阳区1号", "contact_name": "王先生",
              "contact_phone": "+8613800138000", "description": "不开机"}
    assert intake_rules.missing(REPAIR, intake, {"model": "GT-06"}) == {
        "data.purchase_date": ["required for this type (SVC-03)"]}
    assert intake_rules.missing(REPAIR, intake, {"model": "GT-06", "purchase_date": "2026-01-05"}) == {}


def test_installation_with_an_empty_vehicle_list():
    """SVC-03 (2)."""
    assert intake_rules.missing(["request_doc", "asset_list"], {}, {"request_doc": "申请单", "asset_list": []}) == {
        "data.asset_list": ["must not be empty (SVC-03)"]}


def test_intake_names():
    errors = intake_rules.missing(["customer", "contact", "fault"], {"contact_name": "李"}, {})
    assert set(errors) == {"customer_name", "contact_phone", "description"}


def test_tenant_list_wins_over_the_type():
    assert intake_rules.required_for("repair", ("fault",), {"repair": ["address"]}) == ["address"]
    assert intake_rules.required_for("inspection", ("scope",), {"repair": ["address"]}) == ["scope"]


PM_SLA = {"repair": {"urgent": {"arrive": "45 minutes"}, "general": {"complete": "24 hours"}}}


def test_pm_presets_pick_milestones_by_priority():
    """SVC-07: urgent repair on site within 45 minutes; general repair completed within 24 hours."""
    values = SvcPolicySchema().load({"sla": PM_SLA})
    urgent = deadline_rules.specs(values, "repair", "urgent")
    assert [(s.code, s.duration, s.rule_id) for s in urgent] == [("arrive", Duration(45, "minutes"), "SVC-07")]
    general = deadline_rules.specs(values, "repair", "general")
    assert [(s.code, s.duration) for s in general] == [("complete", Duration(24, "hours"))]
    assert deadline_rules.specs(values, "inspection", "urgent") == []


def test_wildcards_and_paths():
    values = SvcPolicySchema().load({"sla": {"*": {"*": {"complete": "3 working_days", "approve": "4 hours"}},
                                             "update": {"*": {"complete": "1 working_days", "arrive": "2 hours"}}}})
    assert [(s.code, str(s.duration)) for s in deadline_rules.specs(values, "repair", "general")] == [
        ("complete", "3 working_days")]  # no approval needed: no approval clock
    assert [s.code for s in deadline_rules.specs(values, "repair", "general", needs_approval=True)] == [
        "approve", "complete"]
    remote = deadline_rules.specs(values, "update", "general", on_site=False)
    assert [(s.code, str(s.duration)) for s in remote] == [("complete", "1 working_days")]


def test_policy_defaults_and_errors():
    values = SvcPolicySchema().load({})
    assert values["required_fields"]["repair"] == REPAIR
    assert values["approval"] == {} and values["priorities"] == ["urgent", "general"]
    with pytest.raises(Exception) as exc:
        SvcPolicySchema().load({"default_priority": "low"})
    assert "default_priority" in str(exc.value)
