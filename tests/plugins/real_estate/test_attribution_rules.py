"""RE-10..RE-27 attribution (判客) as pure rules: every test vector of the spec, with its dates, and
RE-27's properties (every share set sums to 100.00, the same facts give the same outcome)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from core.plugins.records import CommissionSplit, ShareLine
from core.staff.credit_rules import share_errors
from plugins.real_estate import attribution_rules as ar
from plugins.real_estate.attribution_rules import (
    Attribution,
    AttributionFacts,
    AttributionSettings,
    Claim,
    Complaint,
    DiscountSeeking,
    ManagerOverride,
    Quarrel,
    Visit,
    attribute,
)
from plugins.real_estate.validity_rules import check_moment, is_valid_on, valid_through

TZ = ZoneInfo("Asia/Shanghai")
A, B, C, D, E = 1, 2, 3, 4, 5
DEPT = 70
DEFAULTS = AttributionSettings()


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def pairs(lines):
    """A share set as {holder: percent}; the department as 'department'."""
    return {(line.user_id if line.user_id is not None else "department"): line.percent for line in lines}


def first(lines):
    return lines[0].user_id


def P(*items):
    return {k: Decimal(v) for k, v in items}


# --- RE-10, RE-11 -----------------------------------------------------------------------------------


def test_re10_whoever_registered_first():
    """A registers Mr Gu 2026-05-04 10:12, B 2026-05-04 15:40 (same mobile) → A."""
    facts = AttributionFacts(customer_id=11, claims=(Claim(B, at(5, 4, 15, 40)), Claim(A, at(5, 4, 10, 12))))
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-10"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))
    assert outcome.follow_up_id == A


def test_re11_archive_validity():
    """Registered 2026-03-01 → valid through 2026-05-01."""
    assert valid_through(dt.date(2026, 3, 1)) == dt.date(2026, 5, 1)
    assert valid_through(dt.date(2026, 3, 1), "2 months") == dt.date(2026, 5, 1)
    assert is_valid_on(dt.date(2026, 3, 1), dt.date(2026, 5, 1))
    assert not is_valid_on(dt.date(2026, 3, 1), dt.date(2026, 5, 2))
    assert valid_through(dt.date(2026, 12, 31)) == dt.date(2027, 2, 28)  # clamped (CAL-05)
    assert check_moment("takeover_visit", at(4, 15), at(4, 20)) == at(4, 15)
    assert check_moment("deal", at(4, 15), at(4, 20)) == at(4, 20)
    with pytest.raises(ValueError):
        valid_through(dt.date(2026, 3, 1), "3 working_days")


def test_re11_an_expired_archive_gives_way_to_the_salesperson_who_took_over():
    """CUS-22 (2): B registered 03-01; the customer returns 05-06 to A, who signs → A."""
    facts = AttributionFacts(customer_id=12, claims=(Claim(B, at(3, 1)), Claim(A, at(5, 6, 10, 5))),
                             visits=(Visit(B, at(3, 1)), Visit(A, at(5, 6))), deal_at=at(5, 10),
                             deal_salesperson_id=A)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-10" and pairs(outcome.bonus) == P((A, 100))


# --- RE-12..RE-16 -----------------------------------------------------------------------------------

LI = 21


def li_returns(day_month=(4, 15), **visit):
    month, day = day_month
    return AttributionFacts(customer_id=LI, claims=(Claim(B, at(3, 1), record_id=1),),
                            visits=(Visit(B, at(3, 1), present=frozenset({A, B})), Visit(at=at(month, day), **visit)),
                            deal_at=at(4, 20) if (month, day) < (4, 20) else at(month, day + 4),
                            deal_salesperson_id=visit["receiver_id"], department_id=DEPT)


def test_re12_original_on_site():
    """B registered Li 2026-03-01; Li returns Wed 2026-04-15, B on site → B receives; subscription
    2026-04-20 → performance B 100, bonus B 100."""
    facts = li_returns(receiver_id=B, present=frozenset({A, B}), referred_back_by=A)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-12"
    assert pairs(outcome.performance) == P((B, 100)) and pairs(outcome.bonus) == P((B, 100))


def test_re13_customer_refuses_b_while_archive_valid():
    """Li returns 2026-04-15 asking for A while B is on site; subscription 04-20 → performance A 100;
    bonus A 80 / B 20. RE-20: follow-up and after-sales to A."""
    outcome = attribute(DEFAULTS, li_returns(receiver_id=A, present=frozenset({A, B}), refused=B, designated=A))
    assert outcome.rule_id == "RE-13"
    assert pairs(outcome.performance) == P((A, 100))
    assert pairs(outcome.bonus) == P((A, 80), (B, 20)) and first(outcome.bonus) == A
    assert outcome.follow_up_id == A  # RE-20
    assert not outcome.provisional


def test_re13_after_the_archive_expired():
    """Li returns 2026-05-06 → A 100 / B 0."""
    outcome = attribute(DEFAULTS, li_returns((5, 6), receiver_id=A, present=frozenset({A, B}), refused=B,
                                             designated=A))
    assert outcome.rule_id == "RE-13"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))
    assert outcome.facts["original_valid_through"] == "2026-05-01"


def test_re11_validity_checked_at_the_deal():
    """``re.validity.checked_at = deal``: returned 04-15 (valid) but the deal on 05-06 is after 05-01."""
    facts = li_returns(receiver_id=A, present=frozenset({A, B}), refused=B, designated=A)
    late = AttributionFacts(**{**facts.__dict__, "deal_at": at(5, 6)})
    assert pairs(attribute(DEFAULTS, late).bonus) == P((A, 80), (B, 20))
    assert pairs(attribute(AttributionSettings(checked_at="deal"), late).bonus) == P((A, 100))


ZHOU = 31


def zhou(deal_day):
    return AttributionFacts(customer_id=ZHOU, claims=(Claim(B, at(6, 1)),),
                            visits=(Visit(B, at(6, 1)),
                                    Visit(C, at(6, 20), present=frozenset({C, A}), named=(B,), assisting_for=B)),
                            deal_at=at(6, deal_day, 16), deal_salesperson_id=C)


def test_re14_b_absent_c_assists_b80_c20():
    """B registered Zhou 2026-06-01; Zhou returns Sat 2026-06-20 naming B; B on leave; C assists;
    subscription the same day → performance B 100; bonus B 80 / C 20; C's turn not consumed."""
    outcome = attribute(DEFAULTS, zhou(20))
    assert outcome.rule_id == "RE-14"
    assert pairs(outcome.performance) == P((B, 100))
    assert pairs(outcome.bonus) == P((B, 80), (C, 20)) and first(outcome.bonus) == B
    assert outcome.facts["rotation_turn"] == "not_consumed"
    assert outcome.follow_up_id == B


def test_re14_same_day_50_50():
    """With ``same_day_50_50`` → bonus B 50 / C 50; subscription on 2026-06-27 instead → B 100."""
    fifty = AttributionSettings(absent_owner_split="same_day_50_50")
    same_day = attribute(fifty, zhou(20))
    assert pairs(same_day.performance) == P((B, 100)) and pairs(same_day.bonus) == P((B, 50), (C, 50))
    later = attribute(fifty, zhou(27))
    assert later.rule_id == "RE-14"
    assert pairs(later.performance) == P((B, 100)) and pairs(later.bonus) == P((B, 100))


def complained(status, decided=(4, 16)):
    facts = li_returns(receiver_id=A, present=frozenset({A, B}), refused=B, designated=A)
    complaint = Complaint(B, at(4, 15, 11), status=status, decided_at=at(*decided) if decided else None, case_id=901)
    return AttributionFacts(**{**facts.__dict__, "complaints": (complaint,)})


def test_re15_verified_complaint():
    """Complaint about B 2026-04-15, verified 04-16, subscription 04-20 → A 100 / B 0."""
    outcome = attribute(DEFAULTS, complained("verified"))
    assert outcome.rule_id == "RE-15"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))
    assert outcome.facts["complaint_case_id"] == 901


def test_re15_rejected_complaint_leaves_re13():
    """Complaint rejected 04-16 → A 100 performance, bonus A 80 / B 20."""
    outcome = attribute(DEFAULTS, complained("rejected"))
    assert outcome.rule_id == "RE-13" and not outcome.provisional
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 80), (B, 20))


def test_re15_pending_complaint_makes_re13_provisional():
    outcome = attribute(DEFAULTS, complained("pending", decided=None))
    assert outcome.rule_id == "RE-13" and outcome.provisional
    assert outcome.facts["complaints_pending"] == [901]


def names_c_then_b(present, receiver):
    return AttributionFacts(customer_id=41, claims=(Claim(C, at(7, 4)), Claim(B, at(7, 11))),
                            visits=(Visit(C, at(7, 4)), Visit(B, at(7, 11)),
                                    Visit(receiver, at(7, 18), present=frozenset(present), named=(C, B))),
                            deal_at=at(7, 18, 17), deal_salesperson_id=receiver)


def test_re16_first_named_present():
    """Customer names C then B; C absent, B present → B; deal → B 100."""
    outcome = attribute(DEFAULTS, names_c_then_b({B, D}, B))
    assert outcome.rule_id == "RE-16"
    assert pairs(outcome.performance) == P((B, 100)) and pairs(outcome.bonus) == P((B, 100))


def test_re16_none_named_present():
    """All absent → rotation D receives; deal → D 100; D's turn not consumed."""
    outcome = attribute(DEFAULTS, names_c_then_b({D, E}, D))
    assert outcome.rule_id == "RE-16"
    assert pairs(outcome.performance) == P((D, 100)) and pairs(outcome.bonus) == P((D, 100))
    assert outcome.facts["rotation_turn"] == "not_consumed"


# --- RE-17..RE-19 -----------------------------------------------------------------------------------


def test_re17_discount_seeking():
    """A's valid customer signs with B after asking B for a better price → A 100 / A 100."""
    facts = AttributionFacts(customer_id=51, claims=(Claim(A, at(3, 1)),),
                             visits=(Visit(A, at(3, 1)), Visit(B, at(4, 15), present=frozenset({A, B}))),
                             discount_seeking=(DiscountSeeking(B, at(4, 15)),), deal_at=at(4, 20),
                             deal_salesperson_id=B)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-17"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))


def forgot(b_registered):
    return AttributionFacts(customer_id=61, claims=(Claim(B, b_registered),),
                            visits=(Visit(B, b_registered),
                                    Visit(A, at(7, 3), forgot=True, by_rotation=True, present=frozenset({A}))),
                            deal_at=at(7, 10), deal_salesperson_id=A)


def test_re18_forgotten_receiver_valid_archive():
    """A receives Fri 2026-07-03 by rotation; lookup finds B registered 2026-05-20 (valid through 07-20)
    → performance A 100; bonus A 50 / B 50."""
    outcome = attribute(DEFAULTS, forgot(at(5, 20)))
    assert outcome.rule_id == "RE-18"
    assert pairs(outcome.performance) == P((A, 100))
    assert pairs(outcome.bonus) == P((A, 50), (B, 50)) and first(outcome.bonus) == A
    assert outcome.facts["original"]["valid_through"] == "2026-07-20"
    assert outcome.facts["rotation_turn"] == "consumed"


def test_re18_original_follows_up():
    """``re.forgot.follow_up = original``: B follows up and holds the performance."""
    outcome = attribute(AttributionSettings(forgot_follow_up="original"), forgot(at(5, 20)))
    assert pairs(outcome.performance) == P((B, 100)) and pairs(outcome.bonus) == P((B, 50), (A, 50))
    assert outcome.follow_up_id == B


def test_re18_forgotten_receiver_expired_archive():
    """B registered 2026-04-20 (through 06-20) → A 100 / A 100."""
    outcome = attribute(DEFAULTS, forgot(at(4, 20)))
    assert outcome.rule_id == "RE-18"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))


def test_re19_designation_on_the_third_visit():
    """Visits Sat 08-01 (B), Sun 08-09 (C assisted, B absent), Sat 08-15 designates A; deal 08-22 →
    A 50, B 25, C 25."""
    facts = AttributionFacts(customer_id=71, claims=(Claim(B, at(8, 1)),),
                             visits=(Visit(B, at(8, 1)),
                                     Visit(C, at(8, 9), named=(B,), assisting_for=B, present=frozenset({C})),
                                     Visit(A, at(8, 15), designated=A, present=frozenset({A, B}))),
                             deal_at=at(8, 22), deal_salesperson_id=A)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-19"
    assert pairs(outcome.performance) == P((A, 50), (B, 25), (C, 25)) == pairs(outcome.bonus)
    assert first(outcome.performance) == A
    first_receiver = attribute(AttributionSettings(nth_split_earlier="first_receiver"), facts)
    assert pairs(first_receiver.bonus) == P((A, 50), (B, 50))


def test_re19_by_receptions_and_residue_to_the_designated():
    visits = (Visit(B, at(8, 1)), Visit(B, at(8, 2)), Visit(C, at(8, 9)), Visit(D, at(8, 10)),
              Visit(A, at(8, 15), designated=A))
    facts = AttributionFacts(customer_id=72, claims=(Claim(B, at(8, 1)),), visits=visits, deal_at=at(8, 22))
    equal = attribute(DEFAULTS, facts)
    assert pairs(equal.bonus) == P((A, "50.02"), (B, "16.66"), (C, "16.66"), (D, "16.66"))
    by = attribute(AttributionSettings(nth_split_earlier="by_receptions"), facts)
    assert pairs(by.bonus) == P((A, 50), (B, 25), (C, "12.50"), (D, "12.50"))


def test_re19_earlier_archive_expired():
    """Only B earlier, registered 2026-05-30 (through 07-30) → A 100."""
    facts = AttributionFacts(customer_id=73, claims=(Claim(B, at(5, 30)),),
                             visits=(Visit(B, at(5, 30)), Visit(A, at(8, 15), designated=A)),
                             deal_at=at(8, 22), deal_salesperson_id=A)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-19"
    assert pairs(outcome.performance) == P((A, 100)) and pairs(outcome.bonus) == P((A, 100))


# --- RE-20..RE-22 -----------------------------------------------------------------------------------


def test_re20_follow_up_to_the_performance_owner():
    """The RE-13 vector → after-sales tasks to A."""
    outcome = attribute(DEFAULTS, li_returns(receiver_id=A, present=frozenset({A, B}), refused=B, designated=A))
    assert outcome.follow_up_id == first(outcome.performance) == A


def test_re21_referred_customer():
    """Buyer Chen (performance owner D, 2025) brings Qian Sat 2026-09-05; rotation E receives →
    owner D; Qian's deal → D 100."""
    chen, qian = 801, 802
    facts = AttributionFacts(customer_id=qian,
                             claims=(Claim(E, at(9, 5, 10, 5), record_id=5),
                                     Claim(D, at(9, 5), via="referral", evidence="referral", member_id=chen)),
                             visits=(Visit(E, at(9, 5), by_rotation=True),), deal_at=at(9, 12),
                             deal_salesperson_id=E)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-21"
    assert pairs(outcome.performance) == P((D, 100)) and pairs(outcome.bonus) == P((D, 100))
    assert outcome.facts["original"]["via"] == "referral" and outcome.facts["original"]["valid_through"] is None
    # a later sale still belongs to D: the referral window is unlimited in principle
    years = AttributionFacts(**{**facts.__dict__, "deal_at": at(12, 30)})
    assert pairs(attribute(DEFAULTS, years).bonus) == P((D, 100))
    # with cus.referral.owner_rule = normal_claim the referral does not count
    normal = attribute(AttributionSettings(referral_owner_rule="normal_claim"), facts)
    assert normal.rule_id == "RE-10" and pairs(normal.bonus) == P((E, 100))


def test_re22_family_members():
    """Husband received by B Sat 2026-09-05; wife received by A Sat 2026-09-12 and signs → B 100."""
    husband, wife = 901, 902
    facts = AttributionFacts(customer_id=wife,
                             claims=(Claim(B, at(9, 5), via="household", member_id=husband),
                                     Claim(A, at(9, 12))),
                             visits=(Visit(A, at(9, 12), by_rotation=True),), deal_at=at(9, 12, 16),
                             deal_salesperson_id=A)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-22"
    assert pairs(outcome.performance) == P((B, 100)) and pairs(outcome.bonus) == P((B, 100))


# --- RE-24..RE-27 -----------------------------------------------------------------------------------


def test_re24_launch_day_bulk_override():
    """Launch day 2026-10-10: 30 receptions flagged ``launch`` → no automatic attribution; the manager
    assigns in bulk → 30 decisions ``decided_by = user``."""
    manager = 99
    batch = [AttributionFacts(customer_id=1000 + i, claims=(Claim(A, at(10, 10, 9, i)),),
                              visits=(Visit(A if i % 2 else B, at(10, 10, 9, i), event="launch"),),
                              deal_at=at(10, 10, 15), deal_salesperson_id=A if i % 2 else B) for i in range(30)]
    automatic = [attribute(DEFAULTS, facts) for facts in batch]
    assert all(o.rule_id == "RE-24" and o.pending and not o.performance for o in automatic)
    assert all(o.commission_split() is None for o in automatic)
    decided = ar.bulk_override(DEFAULTS, batch, performance=[ShareLine(Decimal("100.00"), user_id=C)],
                               bonus=[ShareLine(Decimal("100.00"), user_id=C)], reason="开盘日统一分配",
                               decided_by=manager)
    assert len(decided) == 30
    assert all(o.rule_id == "RE-24" and o.decided_by == manager and pairs(o.bonus) == P((C, 100)) for o in decided)
    assert all(o.record_kwargs()["decided_by"] == manager for o in decided)
    with pytest.raises(ValueError):
        ar.bulk_override(DEFAULTS, batch[:1], performance=[ShareLine("100.00", user_id=C)],
                         bonus=[ShareLine("100.00", user_id=C)], reason=" ", decided_by=manager)


def test_cus34_manager_override_without_event_comes_first():
    facts = li_returns(receiver_id=A, present=frozenset({A, B}), refused=B, designated=A)
    override = ManagerOverride((ShareLine(Decimal("60.00"), user_id=B), ShareLine(Decimal("40.00"), user_id=A)),
                               (ShareLine(Decimal("100.00"), user_id=B),), "双方协商", decided_by=99)
    outcome = attribute(DEFAULTS, AttributionFacts(**{**facts.__dict__, "override": override}))
    assert outcome.rule_id == "CUS-34" and outcome.decided_by == 99 and outcome.follow_up_id == B


def test_re25_quarrel_forfeits_to_the_department():
    """A and B quarrel over Sun's unit 2-1203 on 2026-05-10 → performance {department 100}, bonus
    {department 100}."""
    facts = AttributionFacts(customer_id=55, unit="2-1203", claims=(Claim(A, at(5, 1)),),
                             visits=(Visit(A, at(5, 1)), Visit(B, at(5, 10), present=frozenset({A, B}))),
                             quarrels=(Quarrel((A, B), at(5, 10, 15)),), deal_at=at(5, 12), deal_salesperson_id=B,
                             department_id=DEPT)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-25"
    assert pairs(outcome.performance) == {"department": Decimal("100.00")} == pairs(outcome.bonus)
    assert outcome.performance[0].department_id == DEPT and outcome.follow_up_id is None
    # another consequence (a fine per party) does not move the shares
    fine = attribute(AttributionSettings(quarrel_consequence="fine_each"), facts)
    assert fine.rule_id == "RE-10" and pairs(fine.bonus) == P((A, 100))


def test_re26_the_deal_is_the_subscription():
    """Small deposit 04-18, subscription 04-20 → deal date 04-20."""
    milestones = {"small_deposit": at(4, 18), "subscription": at(4, 20)}
    assert ar.deal_moment(DEFAULTS, milestones) == at(4, 20)
    recognition = ar.deal_recognition(DEFAULTS, milestones)
    assert recognition.at == at(4, 20) and recognition.rule_id == "RE-26"
    assert ar.deal_recognition(DEFAULTS, {"small_deposit": at(4, 18)}).at is None
    assert ar.deal_moment(AttributionSettings(deal_event="small_deposit"), milestones) == at(4, 18)


def test_re27_discount_seeking_before_original_on_site():
    """B's valid customer (B on site) asks C for a bigger discount and signs with C → RE-17 applies
    before RE-12/RE-13 → B 100 / B 100."""
    facts = AttributionFacts(customer_id=81, claims=(Claim(B, at(3, 1)),),
                             visits=(Visit(B, at(3, 1)), Visit(C, at(4, 15), present=frozenset({B, C}), named=(B,))),
                             discount_seeking=(DiscountSeeking(C, at(4, 15, 11)),), deal_at=at(4, 20),
                             deal_salesperson_id=C)
    outcome = attribute(DEFAULTS, facts)
    assert outcome.rule_id == "RE-17"
    assert pairs(outcome.performance) == P((B, 100)) and pairs(outcome.bonus) == P((B, 100))


def test_the_outcome_is_what_kehu_commission_split_returns():
    outcome = attribute(DEFAULTS, zhou(20))
    assert isinstance(outcome, CommissionSplit) and outcome.commission_split() is outcome
    assert outcome.record_kwargs()["outcome"]["bonus"] == [
        {"user_id": B, "department_id": None, "percent": "80.00"},
        {"user_id": C, "department_id": None, "percent": "20.00"}]
    assert AttributionSettings.from_policies(
        {"absent_owner": {"split": "same_day_50_50"}, "validity": {"checked_at": "deal"}},
        {"arbitration": {"quarrel_consequence": "fine_each:100"}, "ownership": {"validity": "3 months"}},
    ) == AttributionSettings(validity="3 months", checked_at="deal", absent_owner_split="same_day_50_50",
                             quarrel_consequence="fine_each")


# --- RE-27 (1): properties --------------------------------------------------------------------------

PEOPLE = st.sampled_from([A, B, C, D, E])
MOMENTS = st.builds(lambda d, h: dt.datetime(2026, 3, 1, 9, tzinfo=TZ) + dt.timedelta(days=d, hours=h),
                    st.integers(0, 200), st.integers(0, 10))
CLAIMS = st.builds(Claim, PEOPLE, MOMENTS, st.sampled_from(["customer", "household", "referral"]))
VISITS = st.builds(Visit, PEOPLE, MOMENTS, present=st.frozensets(PEOPLE),
                   named=st.lists(PEOPLE, max_size=3, unique=True).map(tuple),
                   designated=st.none() | PEOPLE, refused=st.none() | PEOPLE,
                   assisting_for=st.none() | PEOPLE, referred_back_by=st.none() | PEOPLE, forgot=st.booleans(),
                   event=st.sampled_from([None] * 9 + ["launch"]))
FACTS = st.builds(
    AttributionFacts, customer_id=st.just(1), claims=st.lists(CLAIMS, max_size=4).map(tuple),
    visits=st.lists(VISITS, max_size=5).map(tuple), deal_at=st.none() | MOMENTS,
    deal_salesperson_id=PEOPLE, department_id=st.just(DEPT),
    complaints=st.lists(st.builds(Complaint, PEOPLE, MOMENTS, st.sampled_from(ar.COMPLAINT_STATUSES),
                                  st.none() | MOMENTS), max_size=2).map(tuple),
    discount_seeking=st.lists(st.builds(DiscountSeeking, PEOPLE, MOMENTS), max_size=1).map(tuple),
    quarrels=st.lists(st.builds(Quarrel, st.tuples(PEOPLE, PEOPLE), MOMENTS), max_size=1).map(tuple))
SETTINGS = st.builds(AttributionSettings, checked_at=st.sampled_from(["takeover_visit", "deal"]),
                     absent_owner_split=st.sampled_from(["b80_c20", "same_day_50_50"]),
                     forgot_follow_up=st.sampled_from(["receiver", "original"]),
                     nth_split_earlier=st.sampled_from(["equal", "first_receiver", "by_receptions"]),
                     nth_require_valid_archive=st.booleans(),
                     quarrel_consequence=st.sampled_from(["forfeit_to_department", "fine_each"]))


@hsettings(max_examples=400, deadline=None)
@given(SETTINGS, FACTS)
def test_re27_every_share_set_sums_to_100_and_runs_agree(settings, facts):
    outcome = attribute(settings, facts)
    assert outcome == attribute(settings, facts)
    assert outcome.rule_id in ar.ORDER + ("RE-21", "RE-22", "CUS-34")
    if outcome.pending:
        assert outcome.rule_id == "RE-24" and not outcome.performance and not outcome.bonus
        return
    for kind in ("performance", "bonus"):
        lines = getattr(outcome, kind)
        assert share_errors(lines, what=kind) == []
        assert sum(line.percent for line in lines) == Decimal("100.00")
    assert outcome.follow_up_id == outcome.performance[0].user_id
    assert isinstance(outcome, Attribution)
