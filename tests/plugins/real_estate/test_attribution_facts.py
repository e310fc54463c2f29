"""The attribution facts people record, through the service and into the deal's credit: complaints
verified or rejected (RE-15), quarrels (RE-25, the department's share), the manager's bulk
attribution of a launch day (RE-24), with the spec's vectors."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.decisions import service as decisions
from core.errors import Forbidden, InvalidInput
from core.staff import credit as credits
from plugins.real_estate import attribution
from plugins.real_estate import attribution_facts as facts
from plugins.real_estate.reception_models import AttributionEvent, AttributionOverride
from tests.plugins.real_estate.attribution_support import Office, at, both


@pytest.fixture
def office(make_tenant):
    return Office(make_tenant)


def _user(user_id):
    return db.session.scalars(select(User).where(User.id == user_id)).one()


def li_refuses_b(office):
    li = office.customer("李女士")
    office.reception(li, at(3, 1), "B", rotation=True)
    office.reception(li, at(4, 15), "A", refused="B", designated="A", present=("A", "B"))
    return li


@pytest.mark.parametrize(("verdict", "rule", "expected"), [
    ("verified", "RE-15", both({"A": 100})),
    ("rejected", "RE-13", both({"A": 100}, {"A": 80, "B": 20})),
])
def test_re15_complaint_verified_or_rejected(office, verdict, rule, expected):
    """Complaint about B 2026-04-15, verified 04-16, subscription 04-20 → A 100 / B 0; rejected 04-16
    → A 100 performance, bonus A 80 / B 20."""
    with office.scope():
        li = li_refuses_b(office)
        complaint = facts.record_complaint(li, against_id=office["B"], at=at(4, 15, 11), by=office["A"])
        decision = facts.decide_complaint(complaint, verdict=verdict, user=_user(office.supervisor), at=at(4, 16))
        assert decision.rule_id == "RE-15" and decision.decided_by == office.supervisor
        credit = office.subscribe(li, at(4, 20), "A")
        assert office.shares(credit) == expected
        assert office.rule_of(credit) == rule


def test_re15_pending_is_provisional_and_the_verification_after_the_deal_reattributes(office):
    """Until verified RE-13 applies provisionally; a verification recorded later gives the credit a new
    decision (RE-15), the old shares stay with the old one."""
    with office.scope():
        li = li_refuses_b(office)
        complaint = facts.record_complaint(li, against_id=office["B"], at=at(4, 15, 11), by=office["A"])
        credit = office.subscribe(li, at(4, 20), "A")
        first = credits.decisions.get(credit.decision_id)
        assert first.rule_id == "RE-13" and "暂定" in first.reason_zh
        facts.decide_complaint(complaint, verdict="verified", user=_user(office.manager), at=at(4, 19))
        assert office.rule_of(credit) == "RE-15" and office.shares(credit) == both({"A": 100})
        assert credits.decisions.get(credit.decision_id).supersedes_id == first.id


def test_re15_a_rejected_complaint_makes_the_provisional_split_final(office):
    with office.scope():
        li = li_refuses_b(office)
        complaint = facts.record_complaint(li, against_id=office["B"], at=at(4, 15, 11), by=office["A"])
        credit = office.subscribe(li, at(4, 20), "A")
        facts.decide_complaint(complaint, verdict="rejected", user=_user(office.supervisor), at=at(4, 19))
        final = credits.decisions.get(credit.decision_id)
        assert final.rule_id == "RE-13" and "暂定" not in final.reason_zh and final.supersedes_id is not None
        assert office.shares(credit) == both({"A": 100}, {"A": 80, "B": 20})


def test_re15_only_a_supervisor_or_manager_decides_and_bad_input_writes_nothing(office):
    with office.scope():
        li = li_refuses_b(office)
        complaint = facts.record_complaint(li, against_id=office["B"], at=at(4, 15, 11), by=office["A"])
        with pytest.raises(Forbidden):
            facts.decide_complaint(complaint, verdict="verified", user=_user(office["A"]))
        with pytest.raises(InvalidInput) as err:
            facts.decide_complaint(complaint, verdict="maybe", user=_user(office.supervisor))
        assert "verdict" in err.value.fields and complaint.status == "pending"
        with pytest.raises(InvalidInput) as err:
            facts.record_complaint(li, against_id=999999, by=office["A"])
        assert "against_id" in err.value.fields
        assert len(db.session.scalars(select(AttributionEvent)).all()) == 1


def test_re15_nobody_verifies_or_rejects_a_complaint_about_themselves(office):
    """A complaint against the sales supervisor: the supervisor may neither reject nor verify it (403,
    RE-15), nothing written; the manager decides it."""
    with office.scope():
        li = office.customer("李女士")
        office.reception(li, at(3, 1), "B", rotation=True)
        complaint = facts.record_complaint(li, against_id=office.supervisor, at=at(4, 15, 11), by=office["A"])
        for verdict in ("rejected", "verified"):
            with pytest.raises(Forbidden) as err:
                facts.decide_complaint(complaint, verdict=verdict, user=_user(office.supervisor), at=at(4, 16))
            assert err.value.extra["rule_id"] == "RE-15"
        assert complaint.status == "pending" and complaint.decided_by is None
        assert db.session.scalars(decisions.query(rule_id="RE-15", subject_type="customer")).first() is None
        decision = facts.decide_complaint(complaint, verdict="rejected", user=_user(office.manager), at=at(4, 16))
        assert decision.decided_by == office.manager


def test_re25_quarrel_forfeits_the_unit_to_the_department(office):
    """A and B quarrel over Sun's unit 2-1203 on 2026-05-10 → performance {department 100}, bonus
    {department 100}."""
    with office.scope():
        sun = office.customer("孙先生")
        office.reception(sun, at(5, 2), "A", rotation=True)
        office.reception(sun, at(5, 9), "B", rotation=True)
        facts.record_quarrel(sun, parties=[office["A"], office["B"]], at=at(5, 10), by=office.manager)
        credit = office.subscribe(sun, at(5, 12), "A", unit="2-1203")
        assert office.shares(credit) == both({"dept": 100})
        assert office.rule_of(credit) == "RE-25"
        share = credits.shares_of(credit)[0]
        assert share.department_id == office.dept and share.user_id is None
        assert attribution.lock_to_performance_owner(credit) is None  # the department holds it


def test_re25_quarrel_after_the_deal_reattributes(office):
    with office.scope():
        sun = office.customer("孙先生")
        office.reception(sun, at(5, 2), "A", rotation=True)
        credit = office.subscribe(sun, at(5, 12), "A")
        assert office.rule_of(credit) == "RE-10"
        facts.record_quarrel(sun, parties=[office["A"], office["B"]], at=at(5, 13), by=office.manager)
        assert office.rule_of(credit) == "RE-25" and office.shares(credit) == both({"dept": 100})


def test_re24_launch_day_bulk_attribution(office):
    """Launch day 2026-10-10: 30 receptions flagged ``launch`` → no automatic attribution; the manager
    assigns in bulk → 30 decisions ``decided_by`` the manager, one reason for the batch."""
    with office.scope():
        customers = []
        for i in range(30):
            cid = office.customer(f"开盘客户{i}")
            office.reception(cid, at(10, 10, 9, i), "ABCDE"[i % 5], rotation=True, event="launch")
            customers.append(cid)
        pending = attribution.preview(customers[0]).attribution
        assert pending.rule_id == "RE-24" and pending.pending and pending.performance == ()
        credit = office.subscribe(customers[0], at(10, 10, 15), "A")  # the core's default until then
        assert office.rule_of(credit) == "STF-30"
        assignments = {cid: ([{"user_id": office["ABCDE"[i % 5]], "percent": "100"}],
                             [{"user_id": office["ABCDE"[i % 5]], "percent": "100"}])
                       for i, cid in enumerate(customers)}
        rows = facts.bulk_attribute(event="launch", day=at(10, 10).date(), reason="开盘当日按接待顺序判定",
                                    assignments=assignments, by=_user(office.manager))
        assert len(rows) == 30 and len({r.batch for r in rows}) == 1
        made = db.session.scalars(decisions.query(rule_id="RE-24", subject_type="customer")).all()
        assert len(made) == 30 and {d.decided_by for d in made} == {office.manager}
        assert {d.subject_id for d in made} == set(customers)
        assert all("开盘当日按接待顺序判定" in d.reason_zh for d in made)
        assert office.rule_of(credit) == "RE-24" and office.shares(credit) == both({"A": 100})
        assert attribution.preview(customers[1]).attribution.rule_id == "RE-24"


def test_re24_bulk_refusals_write_nothing(office):
    with office.scope():
        cid = office.customer("开盘客户")
        office.reception(cid, at(10, 10, 9), "A", rotation=True, event="launch")
        other = office.customer("平日客户")
        office.reception(other, at(10, 10, 9), "A", rotation=True)
        good = [{"user_id": office["A"], "percent": "100"}]
        with pytest.raises(Forbidden):
            facts.bulk_attribute(event="launch", day=at(10, 10).date(), reason="x", assignments={cid: (good, good)},
                                 by=_user(office["A"]))
        # RE-24 "the manager decides": not the sales supervisor
        with pytest.raises(Forbidden) as refused:
            facts.bulk_attribute(event="launch", day=at(10, 10).date(), reason="x", assignments={cid: (good, good)},
                                 by=_user(office.supervisor))
        assert refused.value.extra["rule_id"] == "RE-24"
        with pytest.raises(InvalidInput) as err:
            facts.bulk_attribute(event="launch", day=at(10, 10).date(), reason=" ",
                                 assignments={cid: (good, [{"user_id": office["A"], "percent": "90"}]),
                                              other: (good, good)}, by=_user(office.manager))
        assert set(err.value.fields) == {"reason", f"assignments.{cid}", f"assignments.{other}"}
        assert db.session.scalars(select(AttributionOverride)).first() is None
