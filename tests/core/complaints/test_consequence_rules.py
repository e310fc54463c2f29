"""Pure rules of complaint consequences (CMP-70, CMP-71, CMP-06)."""
import datetime as dt
from decimal import Decimal

import pytest

from core.complaints import consequence_rules as rules
from core.complaints.consequence_settings import PRE01_PENALTIES
from core.complaints.policy import CmpPolicySchema
from core.customers.assignment.rules import StaffMember, seeded_shuffle
from core.errors import InvalidInput

UTC = dt.timezone.utc


def test_settings_default_none_and_pre01_loads():
    values = CmpPolicySchema().load({})
    assert values["penalties"] == {}
    assert values["transfer"]["strategy"] == "random_draw" and values["transfer"]["scope"] == "other_departments"
    pre01 = CmpPolicySchema().load({"penalties": PRE01_PENALTIES})["penalties"]
    assert pre01["unresolved_after"]["employee"] == Decimal("500.00") and str(pre01["unresolved_after"]["limit"]) == "3 days"
    assert pre01["unresolved_after"]["transfer_customer"] is True


def test_settings_refuse_a_limit_outside_unresolved_after_and_unknown_events():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as err:
        CmpPolicySchema().load({"penalties": {"unresolved_after": {"employee": 5}, "grumble_noticed": {"limit": "1 days"},
                                              "bribery": {"employee": 1}}})
    messages = err.value.messages["penalties"]
    assert {"unresolved_after", "grumble_noticed", "bribery"} <= set(messages)


def test_events_of_intake_and_findings():
    assert rules.intake_events("grumble") == ["grumble_noticed"]
    assert rules.intake_events("to_gm") == ["complaint_to_gm"]
    assert rules.intake_events("phone") == []
    assert rules.finding_event("general_error") == "finding_general_error"
    assert rules.finding_event("discipline") == "finding_discipline"
    assert rules.finding_event("customer_side") is None and rules.finding_event(None) is None


def test_cmp70_liable_accused_else_owner_and_head_above_the_employee():
    heads = {10: [7, 1], 20: [8, 1]}
    who = rules.liable(accused_id=3, customer_owner_id=4, department_of={3: 10}, unit_department_id=20,
                       heads_up_from=heads)
    assert (who.employee_id, who.basis, who.department_id, who.dept_manager_id) == (3, "accused", 10, 7)
    owner = rules.liable(accused_id=None, customer_owner_id=4, department_of={4: 20}, unit_department_id=20,
                         heads_up_from=heads)
    assert (owner.employee_id, owner.basis, owner.dept_manager_id) == (4, "customer_owner", 8)
    head_is_employee = rules.liable(accused_id=7, customer_owner_id=None, department_of={7: 10},
                                    unit_department_id=None, heads_up_from=heads)
    assert head_is_employee.dept_manager_id == 1  # the next head up, never the employee themself
    nobody = rules.liable(accused_id=None, customer_owner_id=None, department_of={}, unit_department_id=20,
                          heads_up_from=heads)
    assert (nobody.employee_id, nobody.department_id, nobody.dept_manager_id) == (None, 20, 8)


def test_cmp70_penalty_lines_of_the_pre01_matrix():
    matrix = CmpPolicySchema().load({"penalties": PRE01_PENALTIES})["penalties"]
    who = rules.Liable(3, "accused", 10, 7)
    grumble = rules.penalty_lines(matrix["grumble_noticed"], who)
    assert [(x.role, x.user_id, x.amount) for x in grumble.lines] == [("employee", 3, Decimal("100.00"))]
    to_gm = rules.penalty_lines(matrix["complaint_to_gm"], who)
    assert [(x.role, x.user_id, x.amount) for x in to_gm.lines] == [("employee", 3, Decimal("100.00")),
                                                                     ("dept_manager", 7, Decimal("100.00"))]
    unit_only = rules.penalty_lines(matrix["unresolved_after"], rules.Liable(None, None, 20, None))
    assert [(x.role, x.user_id, x.department_id) for x in unit_only.lines] == [("employee", None, 20)]
    assert unit_only.missing == ("dept_manager",)
    assert rules.penalty_lines(None, who).lines == ()


def test_cmp70_unresolved_at_the_limit():
    limit = dt.datetime(2026, 3, 13, 16, 0, tzinfo=UTC)  # 2026-03-14 00:00 Shanghai
    assert rules.is_unresolved(limit_at=limit, status="in_progress", resolved_at=None, closed_at=None)
    assert rules.is_unresolved(limit_at=limit, status="resolved", resolved_at=limit, closed_at=None)
    assert not rules.is_unresolved(limit_at=limit, status="resolved", resolved_at=limit - dt.timedelta(minutes=1),
                                   closed_at=None)
    assert not rules.is_unresolved(limit_at=limit, status="rejected", resolved_at=None, closed_at=None)


def test_cmp71_seeded_draw_among_other_departments():
    staff = [StaffMember(11, "王", department_id=1), StaffMember(21, "李", department_id=2),
             StaffMember(22, "赵", department_id=2), StaffMember(23, "孙", department_id=2, active=False),
             StaffMember(24, "钱", department_id=2, availability="leave"), StaffMember(31, "周", department_id=3)]
    draw = rules.transfer_draw(staff, seed=20260314, scope="other_departments", from_department_id=1, excluded=[22])
    assert draw.candidates == (21, 31)
    assert draw.shuffled == tuple(seeded_shuffle([21, 31], 20260314)) and draw.winner == draw.shuffled[0]
    reasons = {s["candidate"]: s["reason"] for s in draw.skipped}
    assert reasons == {11: "same_department", 22: "excluded", 23: "inactive", 24: "leave"}
    again = rules.transfer_draw(staff, seed=20260314, scope="other_departments", from_department_id=1, excluded=[22])
    assert again == draw  # the seed makes the draw repeatable
    assert rules.transfer_draw(staff[:1], seed=1, scope="other_departments", from_department_id=1).winner is None
    with pytest.raises(InvalidInput):
        rules.transfer_draw(staff, seed=-1, scope="tenant", from_department_id=1)
