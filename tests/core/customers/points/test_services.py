"""The services of CUS-40..44 as other areas call them: ``award_attendance`` (events),
``deal_recognised`` / ``deal_reversed`` (plugins' own deals), ``record_transaction`` (credit, CUS-94),
with the policy version in force at the fact's time and tenant isolation."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.customers.points import awards, ledger, referrals
from core.customers.points.transactions import record_transaction, refunded_total
from core.customers.service import create_customer
from core.db import db
from core.decisions import service as decisions
from core.errors import InvalidInput
from core.tenancy import tenant_scope
from tests.helpers import policy_since

SH = ZoneInfo("Asia/Shanghai")


def at(m, d, h=10):
    return dt.datetime(2026, m, d, h, tzinfo=SH)


def _people(handle, *names):
    with tenant_scope(handle.id):
        out = []
        for i, name in enumerate(names):
            customer, _ = create_customer({"name": name, "phones": [{"number": f"1370000{handle.id % 1000:03d}{i}"}]})
            out.append(customer)
        db.session.commit()
        return [c.id for c in out]


@pytest.fixture
def referred(ctx, two_tenants):
    a, b = two_tenants
    zhou, wu = _people(a, "周老先生", "吴女士")
    with tenant_scope(a.id):
        referrals.record_referral(referrals._customer(wu), referrer_id=zhou, at=at(5, 10))
        db.session.commit()
    return a, b, zhou, wu


def test_award_attendance_as_the_events_area_calls_it(referred):
    a, _b, zhou, wu = referred
    with tenant_scope(a.id):
        assert awards.award_attendance(zhou, 5, at(5, 20, 19)) is None  # Zhou was not referred
        first = awards.award_attendance(wu, 5, at(5, 20, 19))
        assert first.award.entry.points == 100 and first.award.decision.rule_id == "CUS-42"
        assert first.attendance.entry_id == first.award.entry.id
        again = awards.award_attendance(wu, 5, at(5, 20, 19))
        assert again.replayed and again.attendance.id == first.attendance.id and again.award.entry.points == 100
        no_event = awards.award_attendance(wu, None, at(6, 10, 19))
        assert no_event.award.entry is None and no_event.award.outcome.points == 0
        db.session.commit()
        assert ledger.balance_of(zhou) == 100
        with pytest.raises(InvalidInput):
            awards.award_attendance(wu, 7, dt.datetime(2026, 6, 10, 19))  # naive


def test_plugin_deals_trigger_and_reverse_the_cash_reward(referred):
    a, _b, zhou, wu = referred
    policy_since(a.id, "cus", {"referral": {"cash_reward": "200.00", "cash_reward_kind": "fuel"}}, "2026-01-01")
    with tenant_scope(a.id):
        got = awards.deal_recognised(wu, 4242, at(7, 15, 16), deal_type="car_order")
        assert got.outcome.reward.amount == Decimal("200.00") and got.decision.rule_id == "CUS-44"
        assert got.decision.policy_version == 1 and got.decision.subject_id == zhou
        same = awards.deal_recognised(wu, 4242, at(7, 15, 16), deal_type="car_order")
        assert same.decision.id == got.decision.id  # the same deal is decided once
        back = awards.deal_reversed(4242, at(7, 20), deal_type="car_order")
        assert back.outcome.reward.amount == Decimal("-200.00")
        assert awards.deal_reversed(4242, at(7, 21), deal_type="car_order").decision.id == back.decision.id
        assert awards.deal_reversed(1, at(7, 21), deal_type="car_order") is None
        rows = list(db.session.scalars(awards.rewards_of_referrer(zhou)))
        assert [(r.direction, r.amount, r.deal_type) for r in rows] == [
            ("reversal", Decimal("-200.00"), "car_order"), ("reward", Decimal("200.00"), "car_order")]
        db.session.commit()


def test_each_fact_is_judged_under_the_policy_in_force_at_its_time(referred):
    a, _b, zhou, wu = referred
    policy_since(a.id, "cus", {"points": {"per_1000": 200}}, "2026-06-01")
    with tenant_scope(a.id):
        may = record_transaction(wu, kind="purchase", amount="2500.00", at=at(5, 31, 23), event_id=5)
        june = record_transaction(wu, kind="purchase", amount="2500.00", at=at(6, 1, 9), event_id=6)
        assert [x.outcome.points for x in may.awards] == [200]
        assert [x.outcome.points for x in june.awards] == [400]
        assert (may.awards[0].decision.policy_version, june.awards[0].decision.policy_version) == (0, 1)
        refund = record_transaction(wu, kind="refund", amount="1200.00", at=at(6, 5), refund_of=may.id)
        assert [x.outcome.points for x in refund.awards] == [-100]  # v0's floor over ¥1,300
        assert refunded_total(may.id) == Decimal("1200.00")
        db.session.commit()
        assert ledger.balance_of(zhou) == 500


def test_nothing_crosses_tenants(referred):
    a, b, zhou, wu = referred
    with tenant_scope(a.id):
        record_transaction(wu, kind="purchase", amount="2500.00", at=at(5, 20), event_id=5)
        db.session.commit()
    (b_zhou,) = _people(b, "周老先生")
    with tenant_scope(b.id):
        assert referrals.referral_of(wu) is None
        assert awards.award_attendance(wu, 5, at(5, 20)) is None
        assert ledger.entries_of(zhou) == [] and ledger.balance_of(zhou) == 0
        with pytest.raises(InvalidInput) as err:
            referrals.record_referral(referrals._customer(b_zhou), referrer_id=zhou)
        assert "referrer_id" in err.value.fields
        with pytest.raises(InvalidInput) as err:
            record_transaction(b_zhou, kind="refund", amount="1.00", at=at(5, 21), refund_of=1)
        assert "refund_of" in err.value.fields
    with tenant_scope(a.id):
        assert ledger.balance_of(zhou) == 200
        assert decisions.current_for("customer", zhou)[0].rule_id == "CUS-43"
