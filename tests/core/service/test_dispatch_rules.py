"""Dispatch and field rules (SVC-05, SVC-06, SVC-08), pure, with the spec's vectors and real 2026 times."""
import datetime as dt

import pytest
from marshmallow import ValidationError

from core.service import dispatch_rules as rules
from core.service.policy import SvcPolicySchema

CST = dt.timezone(dt.timedelta(hours=8))


def t(day, hh, mm=0):
    return dt.datetime(2026, 9, day, hh, mm, tzinfo=CST)


WU = rules.Technician(user_id=1, skills=("gps", "meter"), areas=("朝阳区",), department_chain=(10, 1))


def test_svc05_eligibility_by_skill_area_and_duty():
    assert rules.ineligibility(WU, skill="gps", area="朝阳区") == []
    assert rules.ineligibility(WU, skill="GPS ", area=None) == []  # case and spaces do not matter
    assert rules.ineligibility(WU, skill=None, area=None) == []  # an order asking for nothing
    assert rules.ineligibility(WU, skill="plumbing", area="海淀区") == ["skill", "area"]
    on_leave = rules.Technician(user_id=1, skills=("gps",), areas=("朝阳区",), availability="leave")
    assert rules.ineligibility(on_leave, skill="gps", area="朝阳区") == ["off_duty"]
    busy = rules.Technician(user_id=1, skills=("*",), areas=("*",), availability="with_customer", active=False)
    assert rules.ineligibility(busy, skill="anything", area="anywhere") == ["not_in_pool", "off_duty"]
    nobody = rules.Technician(user_id=2)  # no skills, no areas: only orders asking for none
    assert rules.ineligibility(nobody, skill="gps", area=None) == ["skill"]
    assert rules.describe(["area", "off_duty"], "leave") == ("不负责该区域；不在岗（leave）",
                                                             "does not serve the area; not on duty (leave)")


def test_svc05_who_needs_the_department_managers_approval():
    assert rules.approval_reason(partner=True, order_department=10, technician_chain=(10, 1)) == "partner"
    assert rules.approval_reason(partner=False, order_department=10, technician_chain=(10, 1)) is None
    assert rules.approval_reason(partner=False, order_department=1, technician_chain=(10, 1)) is None  # sub-team
    assert rules.approval_reason(partner=False, order_department=20, technician_chain=(10, 1)) == "other_department"
    assert rules.approval_reason(partner=False, order_department=None, technician_chain=()) is None


def test_svc06_checklist():
    assert rules.checklist_required(False, "repair", on_site=True) is False
    assert rules.checklist_required(True, "repair", on_site=True) is True
    assert rules.checklist_required(["installation"], "repair", on_site=True) is False
    assert rules.checklist_required(["installation", "repair"], "repair", on_site=True) is True
    assert rules.checklist_required(True, "remote_service", on_site=False) is False  # nobody departs
    items = ["job_details", "tools", "parts", "documents"]
    assert rules.checklist_missing(items, {}) == items
    assert rules.checklist_missing(items, {"job_details": True, "tools": False, "parts": True, "documents": True}) == ["tools"]
    assert rules.checklist_missing(items, dict.fromkeys(items, True)) == []


def test_svc06_settings_defaults_and_validation():
    values = SvcPolicySchema().load({})
    assert values["dispatch"] == {"partner_approval": "dept_manager"}
    assert values["checklist"] == {"required": False, "items": ["job_details", "tools", "parts", "documents"]}
    assert SvcPolicySchema().load({"checklist": {"required": ["repair"]}})["checklist"]["required"] == ["repair"]
    assert SvcPolicySchema().load({"dispatch": {"partner_approval": None}})["dispatch"]["partner_approval"] is None
    for bad in ({"checklist": {"required": "yes"}}, {"checklist": {"items": []}},
                {"checklist": {"required": ["repair", "repair"]}}, {"dispatch": {"partner_approval": "Boss!"}}):
        with pytest.raises(ValidationError):
            SvcPolicySchema().load(bad)


def test_svc08_eta_changes():
    """SVC-08 (2): an ETA moved after the old ETA passed → flagged; before it, the customer must have
    been told."""
    assert rules.eta_change(None, t(18, 14), at=t(18, 9, 30), customer_told_at=None).kind == "set"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 13), customer_told_at=None).error[0] == "customer_told_at"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 13), customer_told_at=t(18, 12, 50)).kind == "told"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 14, 30), customer_told_at=None).kind == "flagged"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 14, 30), customer_told_at=t(18, 14, 10)).kind == "flagged"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 14, 30), customer_told_at=t(18, 13, 55)).kind == "told"
    assert rules.eta_change(t(18, 14), t(18, 14), at=t(18, 13), customer_told_at=t(18, 13)).error[0] == "eta_at"
    assert rules.eta_change(t(18, 14), t(18, 12), at=t(18, 13), customer_told_at=t(18, 13)).error[0] == "eta_at"
    assert rules.eta_change(t(18, 14), t(18, 16), at=t(18, 13), customer_told_at=t(18, 13, 5)).error[0] == "customer_told_at"


def test_svc08_delay_notice_timing():
    """SVC-08 (1): due through 2026-09-22 (24:00); a notice filed 09-22 20:00 is in time."""
    due = t(23, 0)
    assert rules.notice_problem(due_at=due, filed_at=t(22, 20), proposed_due=t(24, 18)) is None
    assert rules.notice_problem(due_at=due, filed_at=t(23, 0), proposed_due=t(24, 18))[0] == "late"
    assert rules.notice_problem(due_at=due, filed_at=t(22, 20), proposed_due=t(22, 23))[0] == "proposed_due"


def test_svc08_breach_attribution():
    """SVC-08 (1): no notice and breach → the assignee; a notice before the deadline covers it unless
    granted (then the new deadline is the assignee's again)."""
    due = t(23, 0)
    assert rules.breach_attribution("complete", assignee_id=7, notices=[], due_at=due) == "attributed"
    assert rules.breach_attribution("arrive", assignee_id=7, notices=[(t(22, 20), "pending")], due_at=due) == "covered"
    assert rules.breach_attribution("complete", assignee_id=7, notices=[(t(22, 20), "refused")], due_at=due) == "covered"
    assert rules.breach_attribution("complete", assignee_id=7, notices=[(t(22, 20), "granted")], due_at=t(24, 18)) \
        == "attributed"
    assert rules.breach_attribution("complete", assignee_id=7, notices=[(t(23, 0), "pending")], due_at=due) == "attributed"
    assert rules.breach_attribution("complete", assignee_id=None, notices=[], due_at=due) == "unassigned"
    assert rules.breach_attribution("dispatch", assignee_id=7, notices=[], due_at=due) == "not_assignee"
