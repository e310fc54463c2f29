"""Pure credit rules (CUS-90..CUS-96) with the spec's vectors."""
import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from core.customers.credit import rules
from core.customers.policy import CusPolicySchema
from core.errors import Conflict, Forbidden, InvalidInput

CREDIT = CusPolicySchema().load({})["credit"]
D = Decimal
CLEAN = {**{k: True for k in rules.A_CONDITIONS}, **{k: False for k in rules.C_TRIGGERS}}


def test_credit_is_off_by_default_and_refresh_every_is_validated():
    assert CREDIT["enabled"] is False and CREDIT["falling_months_for_c"] == 3
    with pytest.raises(ValidationError):
        CusPolicySchema().load({"credit": {"refresh_every": "3 months"}})


def test_cus90_refresh_due_at_quarter_end():
    due = rules.refresh_due(dt.date(2026, 6, 20), CREDIT["refresh_every"])
    assert (due.through, due.overdue_from) == (dt.date(2026, 9, 30), dt.date(2026, 10, 1))
    assert not due.overdue(dt.date(2026, 9, 30)) and due.overdue(dt.date(2026, 10, 1))
    assert due.at.isoformat() == "2026-10-01T00:00:00+08:00"
    assert rules.refresh_due(dt.date(2026, 11, 5)).through == dt.date(2027, 3, 31)


def _facts(since, **kw):
    base = {"on": dt.date(2026, 6, 1), "cooperation_since": since, "assessment": CLEAN,
            "annual_collections": D("900000"), "annual_shipments": D("950000"), "falling_months": 0}
    return rules.CreditFacts(**{**base, **kw})


def test_cus91_three_years_all_a_conditions_is_a():
    outcome = rules.credit_grade(CREDIT, 1, _facts(dt.date(2023, 6, 1)))
    assert outcome.grade == "A" and outcome.rule_id == "CUS-91"


def test_cus91_turnover_falling_four_months_is_c():
    outcome = rules.credit_grade(CREDIT, 1, _facts(dt.date(2023, 6, 1), falling_months=4))
    assert outcome.grade == "C" and outcome.triggers == ("turnover_falling",)
    assert rules.credit_grade(CREDIT, 1, _facts(dt.date(2023, 6, 1), falling_months=2)).grade == "A"
    assert rules.falling_months([D(10), D(9), D(8), D(7), D(6)]) == 4
    assert rules.falling_months([D(5), D(9), D(8)]) == 1


def test_cus91_eight_months_clean_is_b():
    outcome = rules.credit_grade(CREDIT, 1, _facts(dt.date(2025, 10, 1)))
    assert outcome.grade == "B" and "new customer" in outcome.reason_en


def test_cus91_missing_key_data_never_a_and_c_takes_precedence():
    partial = {k: v for k, v in CLEAN.items() if k != "strong_funds"}
    outcome = rules.credit_grade(CREDIT, 1, _facts(dt.date(2020, 1, 1), assessment=partial))
    assert outcome.grade == "B" and outcome.missing == ("strong_funds",)
    c = rules.credit_grade(CREDIT, 1, _facts(dt.date(2025, 10, 1), assessment={"frozen_accounts_risk": True}))
    assert c.grade == "C"
    standard = {**CREDIT, "a_min_annual_volume": D("1000000")}
    assert rules.credit_grade(standard, 1, _facts(dt.date(2020, 1, 1))).grade == "B"


def _step(step, approve=True, user=1):
    return rules.Step(step, user, approve, dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))


def test_cus92_vp_only_not_effective_then_cfo_and_gm_effective():
    at = dt.datetime(2026, 6, 2, tzinfo=dt.timezone.utc)
    kw = dict(at=at, status="proposed")
    vp = rules.apply_step(CREDIT, 9, 1, "A", [], step="vp_review", approve=True, user_id=2, roles=("vp",), **kw)
    assert vp.status == "reviewing" and not vp.effective
    with pytest.raises(Conflict):
        rules.apply_step(CREDIT, 9, 1, "A", [_step("vp_review")], step="gm_approval", approve=True, user_id=4,
                         roles=("gm",), at=at, status="reviewing")
    cfo = rules.apply_step(CREDIT, 9, 1, "A", [_step("vp_review")], step="cfo_review", approve=True, user_id=3,
                           roles=("finance",), at=at, status="reviewing")
    assert not cfo.effective
    gm = rules.apply_step(CREDIT, 9, 1, "A", [_step("vp_review"), _step("cfo_review")], step="gm_approval",
                          approve=True, user_id=4, roles=("gm",), at=at, status="reviewing")
    assert gm.effective and gm.rule_id == "CUS-92" and len(gm.facts["steps"]) == 3


def test_cus92_roles_twice_closed_and_rejection():
    at = dt.datetime(2026, 6, 2, tzinfo=dt.timezone.utc)
    with pytest.raises(Forbidden):
        rules.apply_step(CREDIT, 9, 1, "A", [], step="vp_review", approve=True, user_id=2, roles=("salesperson",),
                         at=at, status="proposed")
    with pytest.raises(Conflict):
        rules.apply_step(CREDIT, 9, 1, "A", [_step("vp_review")], step="vp_review", approve=True, user_id=2,
                         roles=("vp",), at=at, status="reviewing")
    no = rules.apply_step(CREDIT, 9, 1, "A", [], step="cfo_review", approve=False, user_id=3, roles=("finance",),
                          at=at, status="proposed")
    assert no.status == "rejected" and not no.effective
    with pytest.raises(Conflict):
        rules.apply_step(CREDIT, 9, 1, "A", [], step="vp_review", approve=True, user_id=2, roles=("vp",), at=at,
                         status="rejected")


def test_cus93_limits_by_grade():
    a = rules.max_limit(CREDIT, 1, "A", kind="long", has_history=True, avg_shipments=D("820000"),
                        avg_collections=D("760000"))
    assert (a.max_limit, a.kind, str(a.term)) == (D("760000.00"), "long", "1 months")
    b = rules.max_limit(CREDIT, 1, "B", kind="temporary", has_history=True, avg_shipments=D("500000"),
                        avg_collections=D("450000"), mortgage_value=D("300000"))
    assert (b.max_limit, b.kind, str(b.term)) == (D("300000.00"), "temporary", "15 days")
    c = rules.max_limit(CREDIT, 1, "C", kind="long", has_history=True, avg_shipments=D("1"), avg_collections=D("1"))
    assert (c.max_limit, c.kind, c.term) == (D("0.00"), "none", None)


def test_cus93_a_without_history_b_without_mortgage_unrated_existing_lower():
    a = rules.max_limit(CREDIT, 1, "A", kind="long", has_history=False, avg_shipments=D("820000"),
                        avg_collections=D("760000"))
    assert (a.max_limit, a.kind) == (D("760000.00"), "temporary")
    assert rules.max_limit(CREDIT, 1, "B", kind="long", has_history=True, avg_shipments=D("5"),
                           avg_collections=D("5")).max_limit == D("0.00")
    assert rules.max_limit(CREDIT, 1, None, kind="long", has_history=False, avg_shipments=D("5"),
                           avg_collections=D("5")).kind == "none"
    kept = rules.max_limit(CREDIT, 1, "A", kind="long", has_history=True, avg_shipments=D("820000"),
                           avg_collections=D("760000"), existing_limit=D("500000"))
    assert kept.max_limit == D("500000.00") and "existing lower limit" in kept.reason_en


def test_cus94_exposure_over_limit_needs_approval():
    refused = rules.check_exposure(CREDIT, 1, limit=D("500000"), exposure=D("420000"), kind="shipment",
                                   amount=D("100000"))
    assert not refused.allowed and refused.after == D("520000.00") and "¥520,000.00" in refused.reason_en
    approval = rules.ApprovalFacts(5, 8, "shipment", D("100000"))
    allowed = rules.check_exposure(CREDIT, 1, limit=D("500000"), exposure=D("420000"), kind="shipment",
                                   amount=D("100000"), approval=approval)
    assert allowed.allowed and allowed.approval_id == 5
    for bad in (rules.ApprovalFacts(5, 8, "order", D("100000")), rules.ApprovalFacts(5, 8, "shipment", D("99999")),
                rules.ApprovalFacts(5, 8, "shipment", D("100000"), used=True)):
        assert not rules.check_exposure(CREDIT, 1, limit=D("500000"), exposure=D("420000"), kind="shipment",
                                        amount=D("100000"), approval=bad).allowed
    assert rules.check_exposure(CREDIT, 1, limit=D("500000"), exposure=D("400000"), kind="shipment",
                                amount=D("100000")).allowed  # exactly at the limit


def test_cus94_no_limit_may_only_decrease():
    assert not rules.check_exposure(CREDIT, 1, limit=None, exposure=D("80000"), kind="order", amount=D("1000")).allowed
    assert rules.check_exposure(CREDIT, 1, limit=None, exposure=D("80000"), kind="collection",
                                amount=D("1000")).allowed
    off = {**CREDIT, "block_over_limit": False}
    assert rules.check_exposure(off, 1, limit=None, exposure=D("80000"), kind="order", amount=D("1000")).allowed


def test_cus95_raising_a_limit_without_exception_is_refused():
    with pytest.raises(InvalidInput) as err:
        rules.check_adjustment(CREDIT, existing=D("300000"), new=D("350000"), exception_approved=False)
    assert "limit" in err.value.fields
    rules.check_adjustment(CREDIT, existing=D("300000"), new=D("350000"), exception_approved=True)
    rules.check_adjustment(CREDIT, existing=D("300000"), new=D("200000"), exception_approved=False)


def test_cus96_evaluation_month():
    assert rules.evaluation_month(dt.date(2026, 10, 1)) == "2026-09"
    assert rules.evaluation_month(dt.date(2027, 1, 1)) == "2026-12"
