"""Assignment and reassignment rules (CUS-30..CUS-36; RE-01, RE-02, RE-23 through CUS-31/CUS-33)."""

import datetime as dt
from decimal import Decimal
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from core.calendar.availability import Availability
from core.customers.assignment.rules import (
    Arrival,
    AssignmentPolicySchema,
    Lead,
    RotationState,
    StaffMember,
    assign_by_tier,
    check_deactivation,
    contact_tasks,
    default_strategy,
    fisher_yates_reference,
    ka_signing_handover,
    load_assignment_policy,
    manual_override,
    next_turn,
    random_draw,
    reassignment_trigger,
    redistribute,
    screen_candidates,
    seeded_shuffle,
    split_lead_batch,
    with_order,
)
from core.errors import InvalidInput

SH = ZoneInfo("Asia/Shanghai")
DEFAULTS = AssignmentPolicySchema().load({})
ON, BIZ, BUSY, OFF, LEAVE = "on_duty", "company_business", "with_customer", "off_duty", "leave"


def at(h, m, day=dt.date(2026, 3, 10)):
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=SH)


def people(**states):
    """StaffMembers with ids 1.. in keyword order: people(A="on_duty", B=...)."""
    return {name: StaffMember(i, name, state) for i, (name, state) in enumerate(states.items(), start=1)}


def roster(names_ids, **states):
    return [StaffMember(sid, name, states.get(name, ON)) for name, sid in names_ids.items()]


# ------------------------------------------------------------------------------------------------
# Settings schema
# ------------------------------------------------------------------------------------------------


def test_cus30_policy_defaults():
    assert DEFAULTS == {
        "assign": {"default": "manual", "by_tier": {}, "team_capacity": {}},
        "rotation": {"accruing_absences": ["company_business", "with_customer"], "order": "fixed",
                     "owed_turns_expire": "never"},
        "batch": {"participants_only": True, "remainder": "fewest_this_month"},
        "reassign": {"on_leave": "random_draw", "scope": "same_department", "block_deactivation": True,
                     "notify_customer": False},
        "contacts": {"min_for_flag": {"key_prospect": 2}},
        "ka": {"handover_on_signing": False, "min_purchase": Decimal("1000000.00"),
               "min_profit_share": Decimal("10.00"), "period": "12 months", "inclusive": False},
    }
    assert load_assignment_policy(None) == DEFAULTS
    assert default_strategy({}) == "manual"


def test_cus30_policy_partial_section_keeps_other_defaults():
    values = load_assignment_policy({"rotation": {"order": "fewest_received_today"},
                                     "reassign": {"notify_customer": True}})
    assert values["rotation"] == {"accruing_absences": ["company_business", "with_customer"],
                                  "order": "fewest_received_today", "owed_turns_expire": "never"}
    assert values["reassign"]["notify_customer"] is True and values["reassign"]["scope"] == "same_department"


def test_cus30_policy_dump_round_trips():
    schema = AssignmentPolicySchema()
    raw = {"assign": {"default": "by_tier", "by_tier": {"A": ["ka", "sales_1"]}, "team_capacity": {"ka": 40}}}
    values = schema.load(raw)
    assert schema.load(schema.dump(values)) == values


@pytest.mark.parametrize("raw, path", [
    ({"assign": {"default": "lottery"}}, ("assign", "default")),
    ({"assign": {"team_capacity": {"ka": -1}}}, ("assign", "team_capacity")),
    ({"assign": {"team_capacity": {"ka": "40"}}}, ("assign", "team_capacity")),
    ({"assign": {"by_tier": {"A": []}}}, ("assign", "by_tier")),
    ({"assign": {"by_tier": {"A": ["ka", "ka"]}}}, ("assign", "by_tier")),
    ({"rotation": {"accruing_absences": ["on_duty"]}}, ("rotation", "accruing_absences")),
    ({"rotation": {"accruing_absences": ["leave", "leave"]}}, ("rotation", "accruing_absences")),
    ({"rotation": {"order": "alphabetical"}}, ("rotation", "order")),
    ({"batch": {"remainder": "first"}}, ("batch", "remainder")),
    ({"reassign": {"scope": "world"}}, ("reassign", "scope")),
    ({"reassign": {"on_leave": "round_robin"}}, ("reassign", "on_leave")),
    ({"contacts": {"min_for_flag": {"key_prospect": 0}}}, ("contacts", "min_for_flag")),
    ({"rotation": {"pointer": 1}}, ("rotation", "pointer")),
    ({"colour": "red"}, ("colour",)),
])
def test_cus30_policy_field_level_errors(raw, path):
    with pytest.raises(ValidationError) as info:
        AssignmentPolicySchema().load(raw)
    messages = info.value.messages
    for key in path:
        assert key in messages, messages
        messages = messages[key]


# ------------------------------------------------------------------------------------------------
# CUS-30 eligibility and by_tier
# ------------------------------------------------------------------------------------------------


def test_cus30_by_tier_full_team_is_skipped_with_reason_capacity():
    policy = load_assignment_policy({"assign": {"default": "by_tier", "by_tier": {"A": ["ka", "sales_1"]},
                                                "team_capacity": {"ka": 40, "sales_1": 60}}})
    a = assign_by_tier(policy, 501, "A", {"ka": 40, "sales_1": 12})
    assert (a.team, a.kind, a.rule_id) == ("sales_1", "tier", "CUS-30")
    assert [(s.candidate, s.reason) for s in a.skipped] == [("ka", "capacity")]
    assert a.facts["skipped"] == [{"candidate": "ka", "reason": "capacity", "owed_turn": False}]
    assert "ka" in a.reason_en and "full (40/40)" in a.reason_en and "已满（40/40）" in a.reason_zh


def test_cus30_by_tier_under_capacity_goes_to_first_team():
    policy = {"assign": {"by_tier": {"A": ["ka", "sales_1"]}, "team_capacity": {"ka": 40}}}
    a = assign_by_tier(policy, 501, "A", {"ka": 39})
    assert a.team == "ka" and a.skipped == ()


def test_cus30_by_tier_no_room_or_no_rule_needs_manual():
    policy = {"assign": {"by_tier": {"A": ["ka"]}, "team_capacity": {"ka": 40}}}
    full = assign_by_tier(policy, 501, "A", {"ka": 41})
    assert full.kind == "none" and full.team is None and "CUS-34" in full.reason_en
    none = assign_by_tier(policy, 502, "C", {})
    assert none.kind == "none" and none.skipped[0].reason == "no_tier_rule"


def test_cus30_screening_records_each_skipped_candidate_with_reason():
    staff = [
        StaffMember(1, "A"),
        StaffMember(2, "B", active=False),
        StaffMember(3, "C", LEAVE),
        StaffMember(4, "D", in_scope=False),
        StaffMember(5, "E", at_capacity=True),
        StaffMember(6, "F", OFF),
    ]
    eligible, skipped = screen_candidates(staff)
    assert [m.id for m in eligible] == [1, 6]  # off duty is fine outside live reception
    assert [(s.candidate, s.reason) for s in skipped] == [(2, "inactive"), (3, "leave"), (4, "out_of_scope"),
                                                         (5, "capacity")]
    eligible, skipped = screen_candidates(staff, require_on_duty=True)
    assert [m.id for m in eligible] == [1] and (6, "off_duty") in [(s.candidate, s.reason) for s in skipped]


# ------------------------------------------------------------------------------------------------
# CUS-31 rotation
# ------------------------------------------------------------------------------------------------


def test_cus31_spec_vector_owed_make_up_turns():
    A, B, C = 1, 2, 3
    names = {"A": A, "B": B, "C": C}
    state = RotationState(order=(A, B, C), pointer=A)

    # 10:00 N1: A on company business → A owes 1, B receives
    n1, state = next_turn(DEFAULTS, state, roster(names, A=BIZ), Arrival(1, at(10, 0), label="N1"))
    assert (n1.staff_id, n1.kind, n1.rule_id) == (B, "regular", "CUS-31")
    assert [(s.candidate, s.reason, s.owed_turn) for s in n1.skipped] == [(A, "company_business", True)]
    assert state.owed_count(A) == 1 and state.at_pointer == C
    assert "A" in n1.reason_en and "owed a make-up turn" in n1.reason_en and "因公外出" in n1.reason_zh

    # 10:20 N2 → C
    n2, state = next_turn(DEFAULTS, state, roster(names, A=BIZ), Arrival(2, at(10, 20), label="N2"))
    assert n2.staff_id == C and state.at_pointer == A and state.owed_count(A) == 1

    # 10:40 A returns; 10:50 N3 → A (make-up, owes 0, pointer unchanged)
    n3, state = next_turn(DEFAULTS, state, roster(names), Arrival(3, at(10, 50), label="N3"))
    assert (n3.staff_id, n3.kind) == (A, "make_up")
    assert state.owed_count(A) == 0 and state.at_pointer == A
    assert n3.facts["make_up_of"]["arrival_id"] == 1

    # 11:10 N4 → A (regular turn)
    n4, state = next_turn(DEFAULTS, state, roster(names), Arrival(4, at(11, 10), label="N4"))
    assert (n4.staff_id, n4.kind) == (A, "regular") and state.at_pointer == B

    # 11:30 N5 → B, N6 → C
    n5, state = next_turn(DEFAULTS, state, roster(names), Arrival(5, at(11, 30), label="N5"))
    n6, state = next_turn(DEFAULTS, state, roster(names), Arrival(6, at(11, 30), label="N6"))
    assert (n5.staff_id, n6.staff_id) == (B, C) and state.at_pointer == A

    # 11:40 a returning customer → their owner, pointer unchanged
    before = state
    ret, state = next_turn(DEFAULTS, state, roster(names),
                           Arrival(7, at(11, 40), kind="returning", customer_id=9001, staff_id=C))
    assert (ret.staff_id, ret.kind, ret.consumes_turn) == (C, "returning", False)
    assert state == before and state.at_pointer == A
    assert "no turn is consumed" in ret.reason_en and "不占轮次" in ret.reason_zh


def test_cus31_absent_for_other_reasons_is_skipped_without_credit():
    A, B, C = 1, 2, 3
    state = RotationState(order=(A, B, C))
    a, state = next_turn(DEFAULTS, state, roster({"A": A, "B": B, "C": C}, A=OFF), Arrival(1, at(9, 0)))
    assert a.staff_id == B and a.skipped[0].owed_turn is False
    assert state.owed == () and state.at_pointer == C


def test_cus31_nobody_present_means_manual_and_no_change():
    A, B = 1, 2
    state = RotationState(order=(A, B), pointer=B)
    a, after = next_turn(DEFAULTS, state, roster({"A": A, "B": B}, A=BIZ, B=OFF), Arrival(1, at(9, 0)))
    assert a.staff_id is None and a.kind == "none" and not a.consumes_turn
    assert [(s.candidate, s.reason, s.owed_turn) for s in a.skipped] == [(2, "off_duty", False),
                                                                        (1, "company_business", False)]
    assert after.owed == () and after.at_pointer == B and "CUS-34" in a.reason_en


def test_cus31_accruing_absences_setting_can_include_off_duty():
    policy = load_assignment_policy({"rotation": {"accruing_absences": ["company_business", "off_duty"]}})
    state = RotationState(order=(1, 2))
    a, state = next_turn(policy, state, roster({"A": 1, "B": 2}, A=OFF), Arrival(1, at(9, 0)))
    assert a.staff_id == 2 and state.owed_count(1) == 1
    b, state = next_turn(policy, state, roster({"A": 1, "B": 2}, A=BUSY), Arrival(2, at(9, 5)))
    assert b.staff_id == 2 and state.owed_count(1) == 1  # with_customer no longer accrues


def test_cus31_earliest_owed_present_member_gets_the_make_up():
    A, B, C = 1, 2, 3
    names = {"A": A, "B": B, "C": C}
    state = RotationState(order=(A, B, C))
    _, state = next_turn(DEFAULTS, state, roster(names, A=BIZ), Arrival(1, at(9, 0)))  # A owes, B
    _, state = next_turn(DEFAULTS, state, roster(names, A=BIZ, C=BUSY), Arrival(2, at(9, 10)))  # C owes, A owes 2nd, B
    assert [o.staff_id for o in state.owed] == [A, C, A]
    # A still away, C back: C makes up first
    x, state = next_turn(DEFAULTS, state, roster(names, A=BIZ), Arrival(3, at(9, 20)))
    assert (x.staff_id, x.kind) == (C, "make_up")
    y, state = next_turn(DEFAULTS, state, roster(names), Arrival(4, at(9, 30)))
    z, state = next_turn(DEFAULTS, state, roster(names), Arrival(5, at(9, 40)))
    assert (y.staff_id, y.kind, z.staff_id, z.kind) == (A, "make_up", A, "make_up") and state.owed == ()


def test_re01_spec_vector_through_cus31():
    wang, li, zhang = 1, 2, 3
    names = {"Wang": wang, "Li": li, "Zhang": zhang}
    state = RotationState(order=(wang, li, zhang))
    day = dt.date(2026, 9, 5)
    n1, state = next_turn(DEFAULTS, state, roster(names), Arrival(1, at(9, 30, day)))
    n2, state = next_turn(DEFAULTS, state, roster(names, Wang=BIZ), Arrival(2, at(10, 15, day)))
    n3, state = next_turn(DEFAULTS, state, roster(names, Wang=BIZ), Arrival(3, at(10, 40, day)))
    n4, state = next_turn(DEFAULTS, state, roster(names, Wang=BIZ), Arrival(4, at(11, 0, day)))
    assert [n.staff_id for n in (n1, n2, n3, n4)] == [wang, li, zhang, li]
    assert state.owed_count(wang) == 1 and state.at_pointer == zhang
    n5, state = next_turn(DEFAULTS, state, roster(names), Arrival(5, at(11, 45, day)))
    assert (n5.staff_id, n5.kind) == (wang, "make_up") and state.at_pointer == zhang
    n6, state = next_turn(DEFAULTS, state, roster(names), Arrival(6, at(12, 10, day)))
    n7, state = next_turn(DEFAULTS, state, roster(names), Arrival(7, at(12, 20, day)))
    n8, state = next_turn(DEFAULTS, state, roster(names), Arrival(8, at(12, 30, day)))
    assert [n.staff_id for n in (n6, n7, n8)] == [zhang, wang, li]


def test_re02_returning_and_designated_never_consume_a_turn():
    A, B, C = 1, 2, 3
    names = {"A": A, "B": B, "C": C}
    state = RotationState(order=(A, B, C), pointer=B)
    r, state = next_turn(DEFAULTS, state, roster(names), Arrival(1, at(9, 0), kind="returning", staff_id=A))
    assert r.staff_id == A and state.at_pointer == B
    n, state = next_turn(DEFAULTS, state, roster(names), Arrival(2, at(9, 5)))
    assert n.staff_id == B
    state = RotationState(order=(A, B, C), pointer=B)
    d, state = next_turn(DEFAULTS, state, roster(names), Arrival(3, at(9, 10), kind="designated", staff_id=C))
    assert (d.staff_id, d.kind) == (C, "designated") and state.at_pointer == B
    assert "asked for C" in d.reason_en


def test_cus31_fewest_received_today_order():
    policy = load_assignment_policy({"rotation": {"order": "fewest_received_today"}})
    A, B, C = 1, 2, 3
    names = {"A": A, "B": B, "C": C}
    state = RotationState(order=(A, B, C), turns_today=((A, 2), (B, 0), (C, 1)), day=dt.date(2026, 3, 10))
    x, state = next_turn(policy, state, roster(names), Arrival(1, at(9, 0)))
    assert x.staff_id == B and state.turns(B) == 1
    y, state = next_turn(policy, state, roster(names), Arrival(2, at(9, 10)))
    assert y.staff_id == C  # B and C both 1: the tie goes in order from the pointer (C)
    z, state = next_turn(policy, state, roster(names), Arrival(3, at(9, 20)))
    assert z.staff_id == B and dict(state.turns_today) == {A: 2, B: 2, C: 2} and state.at_pointer == C
    w, state = next_turn(policy, state, roster(names, C=OFF), Arrival(4, at(9, 30)))
    assert w.staff_id == A and state.owed == ()  # C passed without credit: the turn counts as C's
    assert dict(state.turns_today) == {A: 3, B: 2, C: 3}
    v, state = next_turn(policy, state, roster(names), Arrival(5, at(9, 40)))
    assert v.staff_id == B


def test_cus31_fewest_received_today_resets_each_day():
    policy = load_assignment_policy({"rotation": {"order": "fewest_received_today"}})
    state = RotationState(order=(1, 2), turns_today=((1, 5), (2, 0)), day=dt.date(2026, 3, 9))
    x, state = next_turn(policy, state, roster({"A": 1, "B": 2}), Arrival(1, at(9, 0)))
    assert x.staff_id == 1 and state.day == dt.date(2026, 3, 10) and dict(state.turns_today) == {1: 1}


def test_cus31_owed_turns_expire_end_of_day_setting():
    state = RotationState(order=(1, 2), day=dt.date(2026, 3, 9))
    _, state = next_turn(DEFAULTS, state, roster({"A": 1, "B": 2}, A=BIZ), Arrival(1, at(17, 0, dt.date(2026, 3, 9))))
    assert state.owed_count(1) == 1
    kept, _ = next_turn(DEFAULTS, state, roster({"A": 1, "B": 2}), Arrival(2, at(9, 0)))
    assert kept.kind == "make_up"
    policy = load_assignment_policy({"rotation": {"owed_turns_expire": "end_of_day"}})
    lapsed, after = next_turn(policy, state, roster({"A": 1, "B": 2}), Arrival(2, at(9, 0)))
    assert lapsed.kind == "regular" and after.owed == ()


def test_cus31_state_json_round_trip_and_new_order():
    state = RotationState(order=(1, 2, 3), pointer=2, day=dt.date(2026, 3, 10), turns_today=((1, 1),))
    _, state = next_turn(DEFAULTS, state, roster({"A": 1, "B": 2, "C": 3}, B=BIZ), Arrival(1, at(9, 0)))
    assert RotationState.from_json(state.to_json()) == state
    moved = with_order(state, (3, 1))
    assert moved.at_pointer == 3 and moved.owed == ()
    with pytest.raises(ValueError):
        RotationState(order=(1, 1))
    with pytest.raises(ValueError):
        RotationState(order=(1, 2), pointer=7)


def test_cus31_decision_record_shape():
    a, _ = next_turn(DEFAULTS, RotationState(order=(1, 2)), roster({"A": 1, "B": 2}, A=BIZ),
                     Arrival(77, at(10, 0), customer_id=5001))
    kwargs = a.record_kwargs()
    assert kwargs["rule_id"] == "CUS-31" and kwargs["subject_type"] == "customer" and kwargs["subject_id"] == 5001
    assert kwargs["outcome"]["staff_id"] == 2 and kwargs["outcome"]["skipped"][0]["owed_turn"] is True
    assert kwargs["facts"]["arrival"]["id"] == 77 and kwargs["facts"]["availability"] == {1: BIZ, 2: ON}
    assert kwargs["reason_zh"] and kwargs["reason_en"] and kwargs["decided_by"] is None


availability_states = st.sampled_from([ON, ON, ON, BIZ, BUSY])


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(min_value=1, max_value=5), st.lists(st.lists(availability_states, min_size=5, max_size=5),
                                                       min_size=1, max_size=40))
def test_cus31_property_received_plus_owed_is_fair(n, rounds):
    """Only accruing absences: every member passed by the pointer is credited, so for each member
    (turns received) + (make-up turns still owed) differ by at most one."""
    order = tuple(range(1, n + 1))
    state = RotationState(order=order, day=dt.date(2026, 3, 10))
    received = Counter()
    for i, states in enumerate(rounds):
        staff = [StaffMember(sid, f"S{sid}", states[sid - 1]) for sid in order]
        before = state
        a, state = next_turn(DEFAULTS, state, staff, Arrival(i, at(9, 0) + dt.timedelta(minutes=i)))
        if a.staff_id is None:
            assert state == before
            continue
        received[a.staff_id] += 1
        if a.kind == "make_up":
            assert state.at_pointer == before.at_pointer
        assert all(state.owed_count(s) >= 0 for s in order)
    credited = [received[s] + state.owed_count(s) for s in order]
    assert max(credited) - min(credited) <= 1


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from([ON, BIZ, BUSY, OFF, LEAVE]), min_size=3, max_size=3),
       st.sampled_from(["returning", "designated"]))
def test_cus31_property_non_new_arrivals_leave_state_alone(states, kind):
    state = RotationState(order=(1, 2, 3), pointer=2, owed=(), day=dt.date(2026, 3, 10))
    staff = [StaffMember(i + 1, "", s) for i, s in enumerate(states)]
    a, after = next_turn(DEFAULTS, state, staff, Arrival(1, at(9, 0), kind=kind, staff_id=3))
    assert after == state and a.staff_id == 3 and not a.consumes_turn


# ------------------------------------------------------------------------------------------------
# CUS-32 equal split of a lead batch
# ------------------------------------------------------------------------------------------------

LI, WANG, ZHAO, SUN, QIAN = 11, 12, 13, 14, 15


def batch_people():
    participants = [StaffMember(LI, "Li"), StaffMember(WANG, "Wang"), StaffMember(ZHAO, "Zhao"),
                    StaffMember(SUN, "Sun")]
    return participants, participants + [StaffMember(QIAN, "Qian")]


def test_cus32_spec_vector_23_leads_two_owned():
    participants, department = batch_people()
    leads = [Lead(i, owner_id=(90 if i == 5 else 91 if i == 17 else None)) for i in range(1, 24)]
    split = split_lead_batch(DEFAULTS, leads, participants, seed=20260520, department_staff=department,
                             received_this_month={LI: 4, WANG: 1, ZHAO: 2, SUN: 3}, event_id=3, batch_id=8)
    assert split.counts == {WANG: 6, ZHAO: 5, SUN: 5, LI: 5}
    assert {lead.id: lead.owner_id for lead in split.kept} == {5: 90, 17: 91}
    assert {a.lead_id for a in split.assignments} == set(range(1, 24)) - {5, 17}
    assert all(a.rule_id == "CUS-32" and a.subject == "lead" for a in split.assignments)
    # (2) Qian of the department did not attend → none
    assert QIAN not in split.counts
    assert [(s.candidate, s.reason) for s in split.skipped] == [(QIAN, "not_participant")]
    assert "Qian (did not take part in the event)" in split.reason_en
    assert split.facts["seed"] == 20260520 and split.record_kwargs()["subject_type"] == "lead_batch"
    remainder = [a for a in split.assignments if a.kind == "remainder"]
    assert [a.staff_id for a in remainder] == [WANG] and "fewest" in remainder[0].reason_en


def test_pre01_lecture_batch_of_9_for_3_participants():
    participants = [StaffMember(1, "A"), StaffMember(2, "B"), StaffMember(3, "C")]
    split = split_lead_batch(DEFAULTS, [Lead(i) for i in range(1, 10)], participants, seed=7)
    assert split.counts == {1: 3, 2: 3, 3: 3}


def test_cus32_ties_broken_by_recorded_seed_and_reproducible():
    participants, _ = batch_people()
    leads = [Lead(i) for i in range(1, 7)]  # 6 leads, 4 people, all 0 this month → 2 get a second lead
    one = split_lead_batch(DEFAULTS, leads, participants, seed=42)
    two = split_lead_batch(DEFAULTS, leads, participants, seed=42)
    assert one == two
    assert list(one.priority) == seeded_shuffle([LI, WANG, ZHAO, SUN], 42)
    assert sorted(one.counts.values()) == [1, 1, 2, 2]


def test_cus32_participants_only_false_includes_department():
    participants, department = batch_people()
    policy = {"batch": {"participants_only": False}}
    split = split_lead_batch(policy, [Lead(i) for i in range(1, 11)], participants, seed=1, department_staff=department)
    assert set(split.counts) == {LI, WANG, ZHAO, SUN, QIAN} and set(split.counts.values()) == {2}


def test_cus32_ineligible_participant_and_empty_pool():
    split = split_lead_batch(DEFAULTS, [Lead(1), Lead(2)], [StaffMember(1, "A", LEAVE)], seed=3)
    assert split.assignments == () and split.unassigned == (1, 2) and "CUS-34" in split.reason_en
    assert split.skipped[0].reason == "leave"
    with pytest.raises(InvalidInput):
        split_lead_batch(DEFAULTS, [Lead(1), Lead(1)], [StaffMember(1, "A")], seed=3)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.integers(1, 500), st.booleans()), max_size=60, unique_by=lambda t: t[0]),
    st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True),
    st.integers(0, 2**40),
    st.dictionaries(st.integers(1, 40), st.integers(0, 10)),
)
def test_cus32_property_even_and_every_lead_once(lead_specs, staff_ids, seed, received):
    leads = [Lead(i, owner_id=99 if owned else None) for i, owned in lead_specs]
    staff = [StaffMember(s, f"S{s}") for s in staff_ids]
    split = split_lead_batch(DEFAULTS, leads, staff, seed=seed, received_this_month=received)
    free = sorted(i for i, owned in lead_specs if not owned)
    assert sorted(a.lead_id for a in split.assignments) == free
    assert sorted(lead.id for lead in split.kept) == sorted(i for i, owned in lead_specs if owned)
    counts = list(split.counts.values())
    assert max(counts) - min(counts) <= 1 and sum(counts) == len(free)
    # the remainder goes to people with the fewest this month
    if len(free) % len(staff_ids):
        extra = [s for s, c in split.counts.items() if c == max(counts)]
        others = [s for s in staff_ids if s not in extra]
        if others:
            assert max(received.get(s, 0) for s in extra) <= min(received.get(s, 0) for s in others)
    assert split == split_lead_batch(DEFAULTS, leads, staff, seed=seed, received_this_month=received)


# ------------------------------------------------------------------------------------------------
# CUS-33 random draw; RE-23
# ------------------------------------------------------------------------------------------------


def test_cus33_spec_vector_seed_20260315():
    B, C, D = StaffMember(2, "B"), StaffMember(3, "C"), StaffMember(4, "D")
    leaver = StaffMember(1, "X", LEAVE)
    draw = random_draw(DEFAULTS, range(101, 108), [D, B, C], seed=20260315, leaver=leaver)
    assert list(draw.shuffled) == [104, 102, 105, 106, 101, 107, 103]
    assert draw.by_colleague() == {2: [103, 104, 106], 3: [101, 102], 4: [105, 107]}
    # (2) re-run with the same seed → identical; each customer's decision cites seed and position
    assert random_draw(DEFAULTS, [107, 106, 105, 104, 103, 102, 101], [B, C, D], seed=20260315, leaver=leaver) == draw
    positions = {a.customer_id: a.facts["position"] for a in draw.assignments}
    assert positions == {104: 1, 102: 2, 105: 3, 106: 4, 101: 5, 107: 6, 103: 7}
    for a in draw.assignments:
        assert a.rule_id == "CUS-33" and a.facts["seed"] == 20260315
        assert "seed 20260315" in a.reason_en and f"position {a.facts['position']}" in a.reason_en
        assert "种子20260315" in a.reason_zh
    first = next(a for a in draw.assignments if a.customer_id == 104)
    assert first.staff_id == 2 and first.record_kwargs()["subject_id"] == 104


def test_re23_spec_vector_seed_20260701_through_cus33():
    li, zhang = StaffMember(21, "Li", department_id=5), StaffMember(22, "Zhang", department_id=5)
    xu = StaffMember(20, "Xu", LEAVE, department_id=5)
    plan = reassignment_trigger(DEFAULTS, "long_leave", xu, range(201, 206),
                                leave_start=dt.date(2026, 7, 1), leave_end=dt.date(2026, 7, 20))
    assert plan.due and plan.strategy == "random_draw" and plan.delegate_rule == "CUS-33"
    draw = redistribute(DEFAULTS, "long_leave", xu, range(201, 206), [xu, zhang, li], seed=20260701)
    assert list(draw.shuffled) == [202, 205, 204, 201, 203]
    assert draw.by_colleague() == {21: [202, 203, 204], 22: [201, 205]}
    # (2) a leave of 5 days → no redistribution offered
    short = reassignment_trigger(DEFAULTS, "long_leave", xu, range(201, 206),
                                 leave_start=dt.date(2026, 7, 1), leave_end=dt.date(2026, 7, 5))
    assert not short.due and short.strategy is None and "not a long leave" in short.reason_en


def test_cal11_twenty_day_leave_counts_as_long_leave_for_cus33():
    xu = StaffMember(20, "Xu", LEAVE)
    plan = reassignment_trigger(DEFAULTS, "long_leave", xu, [1], leave_start=dt.date(2026, 7, 1),
                                leave_end=dt.date(2026, 7, 20))
    assert plan.due and plan.facts["leave"]["days"] == 20 and plan.facts["leave"]["long"] is True


def test_cus33_scope_and_eligibility_of_colleagues():
    leaver = StaffMember(1, "X", department_id=5, team="t1")
    same = StaffMember(2, "Same", department_id=5, team="t2")
    other = StaffMember(3, "Other", department_id=6, team="t1")
    away = StaffMember(4, "Away", LEAVE, department_id=5)
    gone = StaffMember(5, "Gone", active=False, department_id=5)
    draw = random_draw(DEFAULTS, [1, 2], [leaver, same, other, away, gone], seed=9, leaver=leaver)
    assert draw.colleagues == (2,)
    assert {(s.candidate, s.reason) for s in draw.skipped} == {(1, "leaver"), (3, "out_of_scope"), (4, "leave"),
                                                            (5, "inactive")}
    team = random_draw({"reassign": {"scope": "same_team"}}, [1, 2], [leaver, same, other], seed=9, leaver=leaver)
    assert team.colleagues == (3,)
    anyone = random_draw({"reassign": {"scope": "tenant"}}, [1, 2], [leaver, same, other], seed=9, leaver=leaver)
    assert anyone.colleagues == (2, 3)


def test_cus33_notify_customer_setting_reaches_each_assignment():
    draw = random_draw({"reassign": {"notify_customer": True}}, [1], [StaffMember(2, "B")], seed=1)
    assert draw.assignments[0].notify_customer is True
    assert random_draw(DEFAULTS, [1], [StaffMember(2, "B")], seed=1).assignments[0].notify_customer is False


def test_cus33_seed_must_be_a_non_negative_integer():
    for bad in (-1, 1.5, "42", True, None):
        with pytest.raises(InvalidInput):
            seeded_shuffle([1, 2], bad)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(1, 10**6), unique=True, max_size=80), st.integers(0, 2**64))
def test_cus33_property_documented_algorithm_equals_random_shuffle(items, seed):
    expected = sorted(items)
    random.Random(seed).shuffle(expected)
    assert seeded_shuffle(items, seed) == expected == fisher_yates_reference(items, seed)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(1, 10**5), unique=True, max_size=60),
       st.lists(st.integers(1, 50), unique=True, min_size=1, max_size=7), st.integers(0, 2**32))
def test_cus33_property_reproducible_even_and_complete(customers, colleague_ids, seed):
    colleagues = [StaffMember(c, f"S{c}") for c in colleague_ids]
    draw = random_draw(DEFAULTS, customers, colleagues, seed=seed)
    again = random_draw(DEFAULTS, list(reversed(customers)), list(reversed(colleagues)), seed=seed)
    assert draw == again
    assert sorted(a.customer_id for a in draw.assignments) == sorted(customers)
    counts = [len(v) for v in draw.by_colleague().values()]
    assert max(counts) - min(counts) <= 1


# ------------------------------------------------------------------------------------------------
# CUS-34 manual override
# ------------------------------------------------------------------------------------------------


def test_cus34_override_without_reason_is_422():
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInput) as info:
            manual_override(501, StaffMember(2, "B"), reason=reason, decided_by=900)
        assert info.value.status == 422 and "reason" in info.value.fields


def test_cus34_override_with_reason_is_a_user_decision_superseding_the_automatic_one():
    a = manual_override(501, StaffMember(2, "B"), reason="开盘日现场分配", decided_by=900, previous_owner_id=1,
                        supersedes=4711)
    assert (a.rule_id, a.kind, a.staff_id, a.decided_by, a.supersedes) == ("CUS-34", "manual", 2, 900, 4711)
    assert a.record_kwargs()["decided_by"] == 900
    assert "开盘日现场分配" in a.reason_zh and "开盘日现场分配" in a.reason_en and "supersedes" in a.reason_en


def test_cus34_override_to_inactive_employee_refused():
    with pytest.raises(InvalidInput) as info:
        manual_override(501, StaffMember(2, "B", active=False), reason="x", decided_by=900)
    assert "owner" in info.value.fields


# ------------------------------------------------------------------------------------------------
# CUS-35 reassignment triggers
# ------------------------------------------------------------------------------------------------


def test_cus35_deactivation_blocked_until_redistribution_then_allowed():
    seller = StaffMember(1, "Zhou", department_id=5)
    colleagues = [StaffMember(2, "B", department_id=5), StaffMember(3, "C", department_id=5)]
    owned = list(range(301, 313))
    check = check_deactivation(DEFAULTS, seller, owned)
    assert (check.allowed, check.status, check.rule_id) == (False, 409, "CUS-35") and len(check.owned) == 12
    plan = reassignment_trigger(DEFAULTS, "departure", seller, owned)
    assert plan.due and plan.strategy == "random_draw"
    draw = redistribute(DEFAULTS, "departure", seller, owned, colleagues, seed=20260401)
    assert len(draw.assignments) == 12 and draw.unassigned == ()
    assert {a.customer_id for a in draw.assignments} == set(owned)
    still_owned = [a.customer_id for a in draw.assignments if a.staff_id == seller.id]
    after = check_deactivation(DEFAULTS, seller, still_owned)
    assert (after.allowed, after.status) == (True, 200)


def test_cus35_no_eligible_colleague_leaves_nothing_orphaned():
    seller = StaffMember(1, "Zhou", department_id=5)
    draw = redistribute(DEFAULTS, "transfer", seller, [301, 302], [StaffMember(2, "B", department_id=6)], seed=1)
    assert draw.assignments == () and draw.unassigned == (301, 302)
    assert not check_deactivation(DEFAULTS, seller, draw.unassigned).allowed


def test_cus35_block_deactivation_off_and_manual_on_leave():
    seller = StaffMember(1, "Zhou")
    assert check_deactivation({"reassign": {"block_deactivation": False}}, seller, [1]).status == 200
    manual = redistribute({"reassign": {"on_leave": "manual"}}, "departure", seller, [3, 1, 2], [])
    assert manual.strategy == "manual" and manual.unassigned == (1, 2, 3) and "CUS-34" in manual.reason_en
    with pytest.raises(InvalidInput):
        redistribute(DEFAULTS, "departure", seller, [1], [StaffMember(2, "B")])  # random draw needs a seed


def test_cus35_other_triggers_name_their_rule():
    plan = reassignment_trigger(DEFAULTS, "under_service", StaffMember(1, "Z"), [1])
    assert plan.delegate_rule == "CUS-24"
    assert reassignment_trigger(DEFAULTS, "complaint_unresolved", StaffMember(1, "Z"), [1]).delegate_rule == "CMP-71"
    with pytest.raises(InvalidInput):
        reassignment_trigger(DEFAULTS, "holiday", StaffMember(1, "Z"), [1])


# ------------------------------------------------------------------------------------------------
# CUS-36 contacts and KA handover
# ------------------------------------------------------------------------------------------------


def test_cus36_key_prospect_with_one_contact_asks_manager_for_a_second():
    tasks = contact_tasks(DEFAULTS, 601, ["key_prospect"], [7], manager_id=3)
    assert len(tasks) == 1
    task = tasks[0]
    assert (task.rule_id, task.assignee_id, task.required, task.current, task.missing) == ("CUS-36", 3, 2, 1, 1)
    assert "add a second staff contact" in task.reason_en and "增加第2名员工联系人" in task.reason_zh
    assert contact_tasks(DEFAULTS, 601, ["key_prospect"], [7, 8]) == ()
    assert contact_tasks(DEFAULTS, 601, ["vip"], []) == ()


def test_cus36_ka_handover_on_signing_setting():
    assert ka_signing_handover(DEFAULTS, 601, agreement_id=9, developer_id=7) is None
    h = ka_signing_handover({"ka": {"handover_on_signing": True}}, 601, agreement_id=9, developer_id=7)
    assert h.rule_id == "CUS-36" and h.to_team == "cs" and h.outcome()["handover"]["from_staff_id"] == 7


def test_cal11_availability_values_are_the_calendar_enum():
    assert StaffMember(1, "A", "company_business").availability is Availability.COMPANY_BUSINESS
    with pytest.raises(ValueError):
        StaffMember(1, "A", "holiday")


def test_cus30_to_cus36_decision_records_are_json_safe():
    import json

    from core.audit.recorder import json_safe
    from core.decisions.service import RULE_ID

    participants, department = batch_people()
    outcomes = [
        next_turn(DEFAULTS, RotationState(order=(1, 2)), roster({"A": 1, "B": 2}, A=BIZ), Arrival(1, at(9, 0)))[0],
        split_lead_batch(DEFAULTS, [Lead(1), Lead(2, owner_id=9)], participants, seed=1, department_staff=department),
        random_draw(DEFAULTS, [1, 2, 3], participants, seed=1),
        check_deactivation(DEFAULTS, StaffMember(1, "Z"), [1]),
        reassignment_trigger(DEFAULTS, "long_leave", StaffMember(1, "Z"), [1], leave_start=dt.date(2026, 7, 1),
                             leave_end=dt.date(2026, 7, 20)),
        manual_override(1, StaffMember(2, "B"), reason="fair", decided_by=3),
        contact_tasks(DEFAULTS, 1, ["key_prospect"], [])[0],
        assign_by_tier({"assign": {"by_tier": {"A": ["ka"]}}}, 1, "A", {}),
    ]
    for outcome in outcomes:
        kwargs = outcome.record_kwargs()
        json.dumps(json_safe(kwargs), ensure_ascii=False)
        assert RULE_ID.match(kwargs["rule_id"]) and kwargs["reason_zh"] and kwargs["reason_en"]
    assert [o.record_kwargs()["subject_type"] for o in outcomes[1:4]] == ["lead_batch", "employee", "employee"]
