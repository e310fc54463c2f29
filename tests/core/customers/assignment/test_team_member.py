"""CUS-30 by_tier inside the chosen team: the eligible member holding the fewest customers."""
import pytest

from core.customers.assignment.rules import StaffMember, assign_by_tier, pick_team_member

SETTINGS = {"assign": {"by_tier": {"A": ["ka", "sales"]}, "team_capacity": {"ka": 40}}}


def test_full_team_skipped_then_fewest_held_member():
    tier = assign_by_tier(SETTINGS, 7, "A", {"ka": 40, "sales": 3}, label="王小明")
    members = [StaffMember(1, "甲", "leave", team="sales"), StaffMember(2, "乙", team="sales"),
               StaffMember(3, "丙", team="sales"), StaffMember(4, "丁", active=False, team="sales")]
    out = pick_team_member(tier, members, {1: 0, 2: 2, 3: 1, 4: 0})
    assert (out.team, out.staff_id, out.kind) == ("sales", 3, "tier")
    assert [(s.candidate, s.reason) for s in out.skipped] == [("ka", "capacity"), (1, "leave"), (4, "inactive")]
    assert "ka is full (40/40)" in out.reason_en and "丙, who holds the fewest customers (1)" in out.reason_en
    assert out.reason_zh.endswith("依据CUS-30。") and out.facts["held"] == {1: 0, 2: 2, 3: 1, 4: 0}


def test_ties_go_to_the_lowest_id_and_nobody_means_manual():
    tier = assign_by_tier(SETTINGS, 7, "A", {"ka": 0})
    assert pick_team_member(tier, [StaffMember(9), StaffMember(5)], {}).staff_id == 5
    nobody = pick_team_member(tier, [StaffMember(9, availability="leave")], {})
    assert (nobody.staff_id, nobody.kind) == (None, "none") and "CUS-34" in nobody.reason_en
    with pytest.raises(ValueError):
        pick_team_member(assign_by_tier(SETTINGS, 7, "Z", {}), [], {})
