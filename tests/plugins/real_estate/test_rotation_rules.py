"""RE-01, RE-02 (and RE-14's uncharged turn): the sales office's rotation of one day."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.customers.assignment.rules import RotationState
from plugins.real_estate.policy import RePolicySchema
from plugins.real_estate.rotation_rules import (
    Absence,
    DayRotation,
    Salesperson,
    Visit,
    availability_at,
    desk,
    mark_absent,
    mark_back,
    receive,
    start_day,
)

SH = ZoneInfo("Asia/Shanghai")
RE = RePolicySchema().load({})
DAY = dt.date(2026, 9, 7)  # a Monday
WANG, LI, ZHANG = 1, 2, 3
A, B, C = 11, 12, 13


def at(h, m, day=DAY):
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=SH)


def abc(pointer=None):
    people = (Salesperson(A, "A"), Salesperson(B, "B"), Salesperson(C, "C"))
    return DayRotation(day=DAY, people=people, rotation=RotationState(order=(A, B, C), pointer=pointer, day=DAY))


def test_re01_spec_vector_wang_li_zhang():
    """order [Wang, Li, Zhang]; 09:30 new N1 → Wang (standby Li); Wang on company business 10:00–11:30;
    10:15 N2 → Li; 10:40 N3 → Zhang; 11:00 N4 (Wang's turn, absent) → Li, Wang owes 1, pointer Zhang;
    11:45 N5 → Wang (make-up, pointer unchanged); 12:10 N6 → Zhang; N7 → Wang; N8 → Li."""
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li"), Salesperson(ZHANG, "Zhang")])
    assert day.pointer == WANG

    n1, day = receive(RE, day, Visit(1, at(9, 30), label="N1"))
    assert (n1.staff_id, n1.standby_id, n1.kind, n1.rule_id) == (WANG, LI, "regular", "RE-01")
    assert n1.consumes_turn and day.pointer == LI
    assert "待接（在接待台候客）：Li" in n1.reason_zh and "standby at the desk: Li" in n1.reason_en
    assert n1.reason_zh.endswith("依据RE-01（CUS-31）。") and n1.reason_en.endswith("Under RE-01 (CUS-31).")

    day = mark_absent(day, Absence(WANG, "company_business", at(10, 0), at(11, 30)))

    n2, day = receive(RE, day, Visit(2, at(10, 15), label="N2"))
    assert n2.staff_id == LI and day.pointer == ZHANG and day.owed() == {}

    n3, day = receive(RE, day, Visit(3, at(10, 40), label="N3"))
    assert n3.staff_id == ZHANG and day.pointer == WANG

    n4, day = receive(RE, day, Visit(4, at(11, 0), label="N4"))
    assert (n4.staff_id, n4.kind) == (LI, "regular")
    assert day.owed() == {WANG: 1} and day.pointer == ZHANG
    assert [(s.candidate, s.reason, s.owed_turn) for s in n4.skipped] == [(WANG, "company_business", True)]
    assert n4.outcome()["owed"] == {WANG: 1} and n4.outcome()["pointer"] == ZHANG
    assert "Wang (away on company business, owed a make-up turn, now owes 1)" in n4.reason_en

    n5, day = receive(RE, day, Visit(5, at(11, 45), label="N5"))
    assert (n5.staff_id, n5.kind, n5.consumes_turn) == (WANG, "make_up", True)
    assert day.pointer == ZHANG and day.owed() == {}
    assert n5.standby_id == ZHANG
    assert n5.facts["make_up_of"]["arrival_id"] == 4 and n5.facts["settings"]["standby_required"] is True

    n6, day = receive(RE, day, Visit(6, at(12, 10), label="N6"))
    n7, day = receive(RE, day, Visit(7, at(12, 20), label="N7"))
    n8, day = receive(RE, day, Visit(8, at(12, 30), label="N8"))
    assert [n.staff_id for n in (n6, n7, n8)] == [ZHANG, WANG, LI]
    assert [n.kind for n in (n6, n7, n8)] == ["regular"] * 3


def test_re01_desk_shows_on_turn_and_standby_live():
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li"), Salesperson(ZHANG, "Zhang")])
    assert (desk(RE, day, at(9, 0)).on_turn_id, desk(RE, day, at(9, 0)).standby_id) == (WANG, LI)
    day = mark_absent(day, Absence(WANG, "company_business", at(10, 0)))
    shown = desk(RE, day, at(10, 5))
    assert (shown.on_turn_id, shown.standby_id, shown.pointer) == (LI, ZHANG, WANG)
    assert day.owed() == {}  # the display changes nothing
    day = mark_back(day, WANG, at(11, 30))
    early = mark_back(mark_absent(day, Absence(LI, "company_business", at(12, 0), at(15, 0))), LI, at(13, 0))
    assert availability_at(early, at(13, 0))[LI].value == "on_duty"
    assert availability_at(day, at(11, 29))[WANG].value == "company_business"
    assert availability_at(day, at(11, 30))[WANG].value == "on_duty"


def test_re01_standby_not_named_when_not_required_and_missing_when_alone():
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li")])
    off = RePolicySchema().load({"rotation": {"standby_required": False}})
    n, _ = receive(off, day, Visit(1, at(9, 30)))
    assert (n.staff_id, n.standby_id, n.standby_missing) == (WANG, None, False)
    day = mark_absent(day, Absence(LI, "off_duty", at(9, 0)))
    n, _ = receive(RE, day, Visit(2, at(9, 30)))
    assert (n.staff_id, n.standby_id, n.standby_missing) == (WANG, None, True)
    assert "no standby" in n.reason_en


def test_re01_accruing_absences_come_from_re_rotation():
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li")])
    day = mark_absent(day, Absence(WANG, "off_duty", at(9, 0), at(12, 0)))
    n, after = receive(RE, day, Visit(1, at(9, 30)))
    assert n.staff_id == LI and after.owed() == {}  # off duty: skipped without credit
    widened = RePolicySchema().load({"rotation": {"accruing_absences": ["company_business", "with_customer",
                                                                        "off_duty"]}})
    n, after = receive(widened, day, Visit(1, at(9, 30)))
    assert n.staff_id == LI and after.owed() == {WANG: 1}


def test_re01_with_customer_accrues_and_nobody_present_goes_to_a_manager():
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li")])
    day = mark_absent(day, Absence(WANG, "with_customer", at(9, 0)))
    n, day = receive(RE, day, Visit(1, at(9, 30)))
    assert n.staff_id == LI and day.owed() == {WANG: 1}
    day = mark_absent(day, Absence(LI, "leave", at(9, 40)))
    n, after = receive(RE, day, Visit(2, at(9, 45)))
    assert (n.staff_id, n.kind, n.consumes_turn) == (None, "none", False) and after == day
    assert "CUS-34" in n.reason_en


def test_re01_order_of_the_day_carries_owed_turns_of_those_still_listed():
    day = start_day(DAY, [Salesperson(WANG, "Wang"), Salesperson(LI, "Li"), Salesperson(ZHANG, "Zhang")])
    day = mark_absent(day, Absence(WANG, "company_business", at(9, 0)))
    _, day = receive(RE, day, Visit(1, at(9, 30)))
    assert day.owed() == {WANG: 1}
    nxt = dt.date(2026, 9, 8)
    tomorrow = start_day(nxt, [Salesperson(ZHANG, "Zhang"), Salesperson(WANG, "Wang")], previous=day)
    assert tomorrow.owed() == {WANG: 1} and tomorrow.pointer == ZHANG and tomorrow.absences == ()
    n, tomorrow = receive(RE, tomorrow, Visit(2, at(9, 0, nxt)))
    assert (n.staff_id, n.kind) == (WANG, "make_up")
    assert start_day(nxt, day.people, previous=day, carry_owed=False).owed() == {}
    with pytest.raises(ValueError):
        receive(RE, day, Visit(3, at(9, 0, nxt)))  # not the rotation's day
    assert DayRotation.from_json(day.to_json()) == day


def test_re02_returning_customer_never_consumes_a_turn():
    """(1) order [A, B, C], pointer B; a returning customer of A arrives → A receives, pointer B; next new → B."""
    day = abc(pointer=B)
    r, day = receive(RE, day, Visit(1, at(9, 0), kind="returning", customer_id=501, staff_id=A))
    assert (r.staff_id, r.kind, r.consumes_turn, r.rule_id, r.owner_id) == (A, "returning", False, "RE-02", A)
    assert day.pointer == B
    assert "不占轮次" in r.reason_zh and r.reason_en.endswith("Under RE-02 (CUS-31).")
    n, day = receive(RE, day, Visit(2, at(9, 10)))
    assert n.staff_id == B


def test_re02_first_time_visitor_naming_a_salesperson_is_theirs_outside_the_rotation():
    """(2) first-time visitor asks for C → C, pointer stays B."""
    day = abc(pointer=B)
    d, after = receive(RE, day, Visit(1, at(9, 0), kind="designated", staff_id=C))
    assert (d.staff_id, d.kind, d.consumes_turn, d.rule_id) == (C, "designated", False, "RE-02")
    assert after.pointer == B and after.rotation == day.rotation


def test_re02_knowing_a_visitor_who_does_not_name_you_does_not_bypass_the_rotation():
    day = abc(pointer=B)
    n, after = receive(RE, day, Visit(1, at(9, 0), known_by=C))
    assert (n.staff_id, n.kind, n.rule_id) == (B, "regular", "RE-01") and after.pointer == C
    assert "C knows the visitor, who did not name them, so the rotation applies" in n.reason_en
    assert n.facts["visit"]["known_by"] == C


def test_re14_assisting_for_an_absent_owner_is_not_charged_a_turn():
    day = abc(pointer=A)
    day = mark_absent(day, Absence(B, "leave", at(8, 0)))
    # the returning customer's owner B is on leave: whoever is on turn (A) assists, pointer stays at A
    r, after = receive(RE, day, Visit(1, at(9, 0), kind="returning", customer_id=77, staff_id=B))
    assert (r.staff_id, r.kind, r.owner_id, r.consumes_turn, r.rule_id) == (A, "assisted", B, False, "RE-14")
    assert after.pointer == A and after.rotation == day.rotation
    assert r.standby_id == C
    assert "客户仍归B" in r.reason_zh and "not charged a turn" in r.reason_en
    # a named assistant (C) assists; A keeps the turn
    r, after = receive(RE, day, Visit(2, at(9, 5), kind="assisted", staff_id=B, assistant_id=C))
    assert (r.staff_id, r.kind, r.facts["assistant_basis"]) == (C, "assisted", "named") and after.pointer == A
    n, _ = receive(RE, after, Visit(3, at(9, 10)))
    assert n.staff_id == A
    # nobody to assist
    day = mark_absent(mark_absent(day, Absence(A, "off_duty", at(8, 0))), Absence(C, "off_duty", at(8, 0)))
    r, _ = receive(RE, day, Visit(4, at(9, 20), kind="designated", staff_id=B))
    assert (r.staff_id, r.kind, r.owner_id) == (None, "none", B)


# ------------------------------------------------------------------------------------------------
# Property: any sequence of arrivals and absences
# ------------------------------------------------------------------------------------------------

PEOPLE = (Salesperson(1, "P1"), Salesperson(2, "P2"), Salesperson(3, "P3"), Salesperson(4, "P4"))
reasons = st.sampled_from(["company_business", "with_customer", "off_duty", "leave"])
events = st.lists(
    st.one_of(
        st.tuples(st.just("away"), st.sampled_from([1, 2, 3, 4]), reasons),
        st.tuples(st.just("back"), st.sampled_from([1, 2, 3, 4]), st.none()),
        st.tuples(st.just("visit"), st.sampled_from(["first_time", "returning", "designated", "assisted"]),
                  st.sampled_from([1, 2, 3, 4])),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(events)
def test_property_first_time_received_by_someone_present_turns_only_for_first_time_owed_never_negative(seq):
    day = start_day(DAY, PEOPLE)
    now = at(9, 0)
    for number, (what, x, y) in enumerate(seq, start=1):
        now += dt.timedelta(minutes=5)
        if what == "away":
            day = mark_absent(day, Absence(x, y, now))
            continue
        if what == "back":
            day = mark_back(day, x, now)
            continue
        present = {sid for sid, a in availability_at(day, now).items() if a.value == "on_duty"}
        owed_before = day.owed()
        visit = Visit(number, now, kind=x) if x == "first_time" else Visit(number, now, kind=x, staff_id=y)
        r, after = receive(RE, day, visit)
        assert r.consumes_turn == (x == "first_time" and r.staff_id is not None)
        states = availability_at(day, now)
        assert all(states[s.candidate].value in ("company_business", "with_customer") for s in r.skipped if s.owed_turn)
        if r.staff_id is None:
            assert not present or x != "first_time" and not (present - {y})
        else:
            assert r.staff_id in present
        if x == "first_time":
            assert (r.staff_id is None) == (not present)
        if not r.consumes_turn:
            assert after.rotation.pointer == day.rotation.pointer and after.owed() == owed_before
        assert all(n > 0 for n in after.owed().values())
        assert all(after.rotation.owed_count(sid) >= 0 for sid in after.order)
        if r.kind == "assisted":
            assert r.owner_id == y and r.staff_id != y
        if r.kind == "make_up":
            assert after.rotation.owed_count(r.staff_id) == day.rotation.owed_count(r.staff_id) - 1
        assert r.standby_id is None or (r.standby_id in present and r.standby_id != r.staff_id)
        day = after
