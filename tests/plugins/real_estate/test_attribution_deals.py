"""RE-10..RE-27 end to end: receptions in the plugin's table, a signed subscription recorded as the
core's deal credit (``deals.record_subscription_deal`` → ``kehu_commission_split``), the stored
performance and bonus shares and the decision's rule id, for the spec's vectors."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.customers import ownership_store
from core.customers.ownership import households
from core.customers.ownership import service as ownership
from core.db import db
from core.staff import credit as credits
from plugins.real_estate import attribution, deals
from tests.helpers import policy_since
from tests.plugins.real_estate.attribution_support import Office, at, both


@pytest.fixture
def office(make_tenant):
    return Office(make_tenant)


def test_re10_whoever_registered_first(office):
    """A registers Mr Gu 2026-05-04 10:12, B 2026-05-04 15:40 (same mobile) → A."""
    with office.scope():
        gu = office.customer("顾先生")
        office.reception(gu, at(5, 4, 10, 12), "A", rotation=True)
        office.reception(gu, at(5, 4, 15, 40), "B", rotation=True)
        credit = office.subscribe(gu, at(5, 10), "B")
        assert office.shares(credit) == both({"A": 100})
        assert office.rule_of(credit) == "RE-10"


def li_back(office, month, day, **visit):
    li = office.customer("李女士")
    office.reception(li, at(3, 1), "B", rotation=True, present=("A", "B"))
    office.reception(li, at(month, day), **visit)
    return li


def test_re12_original_on_site(office):
    """B registered Li 2026-03-01; Li returns Wed 2026-04-15, B on site → B receives; subscription
    2026-04-20 → performance B 100, bonus B 100."""
    with office.scope():
        li = li_back(office, 4, 15, receiver="B", said="B", present=("A", "B"))
        credit = office.subscribe(li, at(4, 20), "B")
        assert office.shares(credit) == both({"B": 100})
        assert office.rule_of(credit) == "RE-12"


def test_re13_refusal_with_a_valid_archive_and_re20_after_sales_to_a(office):
    """Li returns 2026-04-15 asking for A while B is on site; subscription 04-20 → performance A 100;
    bonus A 80 / B 20. RE-20: follow-up and after-sales to A (the customer's owner, locked)."""
    with office.scope():
        li = li_back(office, 4, 15, receiver="A", refused="B", designated="A", present=("A", "B"))
        ownership.record_claim(li, kind="register", at=at(3, 1), claimant_id=office["B"])
        assert ownership_store.current(li).owner_id == office["B"]
        credit = office.subscribe(li, at(4, 20), "A")
        assert office.shares(credit) == both({"A": 100}, {"A": 80, "B": 20})
        assert office.rule_of(credit) == "RE-13"
        row = ownership_store.current(li)
        assert row.owner_id == office["A"]  # RE-20 / CUS-26
        deal = db.session.scalars(ownership.deals_of(li)).one()
        assert deal.performance_owner_id == office["A"] and deal.source == f"re:subscription:{credit.subject_id}"


def test_re13_refusal_after_the_archive_expired(office):
    """Li returns 2026-05-06 → A 100 / B 0."""
    with office.scope():
        li = li_back(office, 5, 6, receiver="A", refused="B", designated="A", present=("A", "B"))
        credit = office.subscribe(li, at(5, 10), "A")
        assert office.shares(credit) == both({"A": 100})
        assert office.rule_of(credit) == "RE-13"


def zhou_assisted(office):
    zhou = office.customer("周先生")
    office.reception(zhou, at(6, 1), "B", rotation=True)
    office.reception(zhou, at(6, 20), "C", named=("B",), assisting_for="B", present=("C", "D"))
    return zhou


def test_re14_b_absent_c_assists_b80_c20(office):
    """Zhou returns Sat 2026-06-20 naming B; B on leave; C assists; subscription the same day →
    performance B 100; bonus B 80 / C 20; C's turn not consumed."""
    with office.scope():
        zhou = zhou_assisted(office)
        credit = office.subscribe(zhou, at(6, 20, 16), "C")
        assert office.shares(credit) == both({"B": 100}, {"B": 80, "C": 20})
        decision = credits.decisions.get(credit.decision_id)
        assert decision.rule_id == "RE-14" and decision.facts["rotation_turn"] == "not_consumed"


@pytest.mark.parametrize(("day", "bonus"), [(20, {"B": 50, "C": 50}), (27, {"B": 100})])
def test_re14_same_day_50_50(office, day, bonus):
    """``re.absent_owner.split = same_day_50_50``: bonus B 50 / C 50 the same day; on 06-27 → B 100."""
    policy_since(office.handle.id, "re", {"absent_owner": {"split": "same_day_50_50"}}, "2026-01-01")
    with office.scope():
        zhou = zhou_assisted(office)
        credit = office.subscribe(zhou, at(6, day, 16), "C")
        assert office.shares(credit) == both({"B": 100}, bonus)
        assert office.rule_of(credit) == "RE-14"


def test_re16_several_names_first_present(office):
    """The customer names C then B; C absent, B present → B; deal → B 100."""
    with office.scope():
        wu = office.customer("吴先生")
        office.reception(wu, at(7, 4), "C", rotation=True)
        office.reception(wu, at(7, 11), "B", named=("C", "B"), present=("B", "D"))
        credit = office.subscribe(wu, at(7, 11, 15), "B")
        assert office.shares(credit) == both({"B": 100})
        assert office.rule_of(credit) == "RE-16"


def test_re16_all_named_absent_rotation_receives(office):
    """All absent → rotation D receives (no turn consumed); deal → D 100."""
    with office.scope():
        wu = office.customer("吴先生")
        office.reception(wu, at(7, 4), "C", rotation=True)
        office.reception(wu, at(7, 11), "D", named=("C", "B"), present=("D", "E"))
        credit = office.subscribe(wu, at(7, 11, 15), "D")
        assert office.shares(credit) == both({"D": 100})
        assert credits.decisions.get(credit.decision_id).facts["rotation_turn"] == "not_consumed"


@pytest.mark.parametrize(("registered", "bonus"), [((5, 20), {"A": 50, "B": 50}), ((4, 20), {"A": 100})])
def test_re18_forgotten_receiver(office, registered, bonus):
    """A receives Fri 2026-07-03 by rotation; B registered 05-20 (valid through 07-20) → A 100 /
    A 50 B 50; registered 04-20 (through 06-20) → A 100 / A 100."""
    with office.scope():
        he = office.customer("何先生")
        office.reception(he, at(*registered), "B", rotation=True)
        office.reception(he, at(7, 3), "A", forgot=True, rotation=True)
        credit = office.subscribe(he, at(7, 10), "A")
        assert office.shares(credit) == both({"A": 100}, bonus)
        assert office.rule_of(credit) == "RE-18"


def test_re19_designation_on_the_third_visit(office):
    """Visits Sat 08-01 (B), Sun 08-09 (C assisted, B absent), Sat 08-15 designates A; deal 08-22 →
    A 50, B 25, C 25."""
    with office.scope():
        ma = office.customer("马女士")
        office.reception(ma, at(8, 1), "B", rotation=True)
        office.reception(ma, at(8, 9), "C", assisting_for="B", named=("B",), present=("C",))
        office.reception(ma, at(8, 15), "A", designated="A", present=("A", "B", "C"))
        credit = office.subscribe(ma, at(8, 22), "A")
        assert office.shares(credit) == both({"A": 50, "B": 25, "C": 25})
        assert office.rule_of(credit) == "RE-19"


def test_re19_earlier_archive_expired(office):
    """Only B earlier, registered 2026-05-30 (through 07-30) → A 100."""
    with office.scope():
        ma = office.customer("马女士")
        office.reception(ma, at(5, 30), "B", rotation=True)
        office.reception(ma, at(8, 15), "A", designated="A", present=("A", "B"))
        credit = office.subscribe(ma, at(8, 22), "A")
        assert office.shares(credit) == both({"A": 100})
        assert office.rule_of(credit) == "RE-19"


def test_re21_referred_customer_to_the_referrers_performance_owner(office):
    """Buyer Chen (performance owner D, 2025) brings Qian Sat 2026-09-05; rotation E receives → owner
    D; Qian's deal → D 100."""
    with office.scope():
        chen = office.customer("陈先生")
        ownership.record_deal(chen, at=at(6, 1, year=2025), performance_owner_id=office["D"], kind="subscription")
        qian = office.customer("钱女士")
        office.reception(qian, at(9, 5), "E", rotation=True, referred_by=chen)
        credit = office.subscribe(qian, at(9, 12), "E")
        assert office.shares(credit) == both({"D": 100})
        assert office.rule_of(credit) == "RE-21"


def test_re22_family_member_received_first(office):
    """Husband received by B Sat 2026-09-05; wife received by A Sat 2026-09-12 and signs → B 100."""
    with office.scope():
        husband = office.customer("孙先生")
        wife = office.customer("孙太太")
        households.add_link(wife, husband, "spouse")
        office.reception(husband, at(9, 5), "B", rotation=True)
        office.reception(wife, at(9, 12), "A", rotation=True)
        credit = office.subscribe(wife, at(9, 12, 16), "A")
        assert office.shares(credit) == both({"B": 100})
        assert office.rule_of(credit) == "RE-22"


@pytest.mark.parametrize("approached", ["B", "C"])
def test_re17_discount_seeking_and_re27_before_on_site(office, approached):
    """RE-17: A's valid customer signs with B after asking B for a better price → A 100 / A 100.
    RE-27 (2): B's valid customer (B on site) asks C for a bigger discount and signs with C → B 100."""
    from plugins.real_estate.reception_models import AttributionEvent

    owner = "A" if approached == "B" else "B"
    with office.scope():
        lin = office.customer("林先生")
        office.reception(lin, at(4, 1), owner, rotation=True)
        office.reception(lin, at(4, 15), owner, said=owner, present=(owner, approached))
        db.session.add(AttributionEvent(customer_id=lin, kind="discount_seeking", at=at(4, 18),
                                        approached_id=office[approached]))
        credit = office.subscribe(lin, at(4, 20), approached)
        assert office.shares(credit) == both({owner: 100})
        assert office.rule_of(credit) == "RE-17"


def test_re26_the_deal_is_the_subscription(office):
    """Small deposit 04-18, subscription 04-20 → deal date 04-20 (recognised then)."""
    with office.scope():
        gu = office.customer("顾先生")
        office.reception(gu, at(4, 1), "A", rotation=True)
        credit = office.subscribe(gu, at(4, 20), "A", milestones={"small_deposit": at(4, 18),
                                                                  "subscription": at(4, 20)})
        assert credit.state == "recognised" and credit.recognised_at == at(4, 20)
        assert credits.decisions.get(credit.recognition_decision_id).rule_id == "RE-26"


def test_re26_deal_event_contract_pending_until_the_contract(office):
    """``re.deal_event = contract``: the subscription is pending; the contract makes it count, and only
    then is the customer locked to the performance owner (RE-20)."""
    policy_since(office.handle.id, "re", {"deal_event": "contract"}, "2026-01-01")
    with office.scope():
        gu = office.customer("顾先生")
        office.reception(gu, at(4, 1), "A", rotation=True)
        credit = office.subscribe(gu, at(4, 20), "A")
        assert credit.state == "pending"
        assert db.session.scalars(ownership.deals_of(gu)).first() is None
        deals.add_milestone(credit, "contract", at(5, 8), by=office["A"])
        assert credit.state == "recognised" and credit.recognised_at == at(5, 8)
        assert db.session.scalars(ownership.deals_of(gu)).one().performance_owner_id == office["A"]


def test_re27_the_same_facts_give_the_same_split(office):
    """Determinism: judged again with the same facts → the same outcome, no new decision."""
    with office.scope():
        li = li_back(office, 4, 15, receiver="A", refused="B", designated="A", present=("A", "B"))
        credit = office.subscribe(li, at(4, 20), "A")
        first = attribution.attribution_of_deal(credits.deal_of(credit))
        again = attribution.attribution_of_deal(credits.deal_of(credit))
        assert first == again
        before = credit.decision_id
        assert attribution.rejudge_credit(li, by=office.manager) is None
        assert credit.decision_id == before


def test_a_subscription_deal_recorded_through_the_core(office):
    """``credit.record_deal`` with subject type re_subscription and the buyer in its facts: the same
    attribution (RE-13) and, without milestones, it counts at its signing (RE-26)."""
    with office.scope():
        li = li_back(office, 4, 15, receiver="A", refused="B", designated="A", present=("A", "B"))
        credit = credits.record_deal(subject_type=deals.SUBJECT_TYPE, subject_id=9001, amount="1480000.00",
                                     owner_id=office["A"], deal_at=at(4, 20), facts={"customer_id": li})
        assert office.shares(credit) == both({"A": 100}, {"A": 80, "B": 20})
        assert office.rule_of(credit) == "RE-13"
        assert credit.state == "recognised" and credit.recognised_at == at(4, 20)


def test_other_deals_are_not_the_plugins(office):
    """A deal of another subject type keeps the core's answer."""
    with office.scope():
        credit = credits.record_deal(subject_type="other_sale", subject_id=1, amount="100.00",
                                     owner_id=office["A"], deal_at=at(4, 20))
        assert office.shares(credit) == both({"A": 100})
        assert office.rule_of(credit) == "STF-30"
        assert db.session.scalar(select(credits.PerformanceCredit.id)) is not None
