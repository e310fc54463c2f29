"""Pure rules of grades, tiers and key accounts (CUS-50..CUS-53) with the spec's vectors."""
import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from core.customers.grades import cycles, key_accounts, tiers
from core.customers.grades.effects import grade_priority
from core.customers.policy import CusPolicySchema
from core.errors import InvalidInput, NotFound

DEFAULTS = CusPolicySchema().load({})
TIERS = DEFAULTS["tiers"]
KA = DEFAULTS["ka"]
MANAGER = tiers.Approver(7, "周经理", ("dept_manager",))


# --- CUS-50 -----------------------------------------------------------------------------------------

def test_cus50_manual_change_without_approver_is_refused():
    with pytest.raises(InvalidInput) as err:
        tiers.check_manual_change(TIERS, "grade", 1, tier="A", reason="年度评审", approver=None, approver_id=None,
                                  decided_by=3, previous="B")
    assert err.value.fields == {"approver_id": ["a manual change needs an approver (CUS-50)"]}
    assert err.value.extra["rule_id"] == "CUS-50"


def test_cus50_manual_change_with_approver_gives_the_decision():
    change = tiers.check_manual_change(TIERS, "grade", 1, tier="A", reason=" 年度评审 ", approver=MANAGER,
                                       approver_id=7, decided_by=3, previous="B")
    assert (change.tier, change.previous, change.approver_id, change.reason) == ("A", "B", 7, "年度评审")
    kwargs = change.record_kwargs()
    assert kwargs["rule_id"] == "CUS-50" and kwargs["decided_by"] == 3
    assert kwargs["outcome"] == {"scheme": "grade", "tier": "A", "previous": "B", "kind": "manual",
                                 "approved_by": 7, "temporary": False}
    assert "周经理" in change.reason_zh and "B" in change.reason_en and "A" in change.reason_en


@pytest.mark.parametrize("kwargs, field", [
    ({"tier": "S"}, "tier"),
    ({"reason": "  "}, "reason"),
    ({"approver": tiers.Approver(7, "李", ("salesperson",))}, "approver_id"),
    ({"approver": tiers.Approver(7, "李", ("gm",), active=False)}, "approver_id"),
    ({"approver": tiers.Approver(3, "自己", ("gm",)), "approver_id": 3}, "approver_id"),
    ({"approver": None, "approver_id": 99}, "approver_id"),
])
def test_cus50_bad_manual_changes_name_the_field(kwargs, field):
    args = {"tier": "A", "reason": "x", "approver": MANAGER, "approver_id": 7, "decided_by": 3, **kwargs}
    with pytest.raises(InvalidInput) as err:
        tiers.check_manual_change(TIERS, "grade", 1, **args)
    assert list(err.value.fields) == [field]


def test_cus50_unknown_scheme_is_not_found():
    with pytest.raises(NotFound):
        tiers.scheme_tiers(TIERS, "vip")


def test_cus50_several_ordered_schemes_with_numeric_criteria():
    settings = CusPolicySchema().load({"tiers": {
        "schemes": {"grade": ["A", "B", "C"], "vip": ["A", "B", "C", "D"],
                    "metal": ["gold", "diamond", "platinum", "white_gold", "silver"]},
        "criteria": {"vip": {"A": {"metric": "net_purchases", "min": "500000"},
                             "B": {"metric": "net_purchases", "min": "100000", "inclusive": False},
                             "C": {"metric": "collections", "min": "0"}}}}})["tiers"]
    assert tiers.scheme_tiers(settings, "metal")[0] == "gold"
    at = {"net_purchases": Decimal("500000.00"), "collections": Decimal("1")}
    assert tiers.numeric_tier(settings, "vip", 1, at).tier == "A"  # 以上: inclusive by default
    just = {"net_purchases": Decimal("100000.00"), "collections": Decimal("0")}
    evaluation = tiers.numeric_tier(settings, "vip", 1, just, previous="D", period="12 months")
    assert evaluation.tier == "C" and evaluation.changed  # B is strict (>), C holds at 0 ≥ 0
    assert [c["tier"] for c in evaluation.facts["criteria_checked"]] == ["A", "B", "C"]
    assert tiers.numeric_tier(settings, "grade", 1, at).tier is None  # manual-only scheme
    assert not tiers.numeric_tier(settings, "vip", 1, at, previous="A").changed


def test_cus50_criteria_must_name_schemes_and_tiers():
    with pytest.raises(ValidationError) as err:
        CusPolicySchema().load({"tiers": {"criteria": {"grade": {"S": {"metric": "net_purchases", "min": "1"}}}}})
    assert "criteria" in err.value.messages["tiers"]
    with pytest.raises(ValidationError):
        CusPolicySchema().load({"tiers": {"schemes": {"grade": ["A", "A"]}}})
    with pytest.raises(ValidationError):
        CusPolicySchema().load({"grading": {"scheme": "vip"}})


# --- CUS-51 -----------------------------------------------------------------------------------------

def _figures(purchases="0", mine="0", company="100", potential=None):
    return key_accounts.KaFigures(Decimal(purchases), Decimal(mine), Decimal(company), dt.date(2025, 10, 2),
                                  dt.date(2026, 10, 1), potential_reason=potential)


def test_cus51_purchase_threshold_is_strict():
    assert not key_accounts.qualify(KA, 1, _figures("1000000.00")).qualifies
    ka = key_accounts.qualify(KA, 1, _figures("1000000.01"))
    assert ka.qualifies and ka.basis == ("purchases",)
    assert "¥1,000,000.01" in ka.reason_zh and ka.rule_id == "CUS-51"


def test_cus51_profit_share_threshold_is_strict():
    exactly = key_accounts.qualify(KA, 1, _figures(mine="100000.00", company="1000000.00"))
    assert exactly.share == Decimal("10.00") and not exactly.qualifies
    over = key_accounts.qualify(KA, 1, _figures(mine="100100.00", company="1000000.00"))
    assert over.share == Decimal("10.01") and over.basis == ("profit_share",)


def test_cus51_inclusive_setting_potential_flag_and_no_company_profit():
    inclusive = {**KA, "inclusive": True}
    assert key_accounts.qualify(inclusive, 1, _figures("1000000.00")).basis == ("purchases",)
    assert key_accounts.qualify(KA, 1, _figures(potential="新开发的区域代理")).basis == ("potential",)
    assert key_accounts.profit_share(Decimal("5"), Decimal("0")) is None
    assert key_accounts.profit_share(Decimal("1"), Decimal("3")) == Decimal("33.33")


def test_cus51_trailing_window():
    assert key_accounts.trailing_window(dt.date(2026, 12, 31), "12 months") == (dt.date(2026, 1, 1),
                                                                                dt.date(2026, 12, 31))
    assert key_accounts.trailing_window(dt.date(2026, 10, 1), "12 months")[0] == dt.date(2025, 10, 2)
    assert key_accounts.trailing_window(dt.date(2026, 3, 31), "1 months")[0] == dt.date(2026, 3, 1)


# --- CUS-52 -----------------------------------------------------------------------------------------

def test_cus52_formal_grading_due_after_six_months():
    due = cycles.formal_grading_due(dt.date(2026, 3, 10), DEFAULTS["grading"]["new_customer_after"])
    assert due.through == dt.date(2026, 9, 10)
    assert due.at.isoformat() == "2026-09-11T00:00:00+08:00"  # 2026-09-10 24:00
    assert not due.overdue(dt.datetime.fromisoformat("2026-09-10T23:59:59+08:00"))
    assert due.overdue(dt.datetime.fromisoformat("2026-09-11T00:00:00+08:00"))
    assert cycles.formal_grading_due(dt.date(2026, 8, 31), "6 months").through == dt.date(2027, 2, 28)


def test_cus52_annual_window_2027():
    window = cycles.annual_window(2027, DEFAULTS["grading"]["annual_window"])
    assert window.opens.isoformat() == "2027-03-25T00:00:00+08:00"
    assert window.closes.isoformat() == "2027-03-31T00:00:00+08:00"  # 2027-03-30 24:00
    at = dt.datetime.fromisoformat
    assert window.state(at("2027-03-24T23:59:59+08:00")) == "before"
    assert window.state(at("2027-03-25T00:00:00+08:00")) == "open"
    assert window.state(at("2027-03-30T23:59:59+08:00")) == "open"
    assert window.state(at("2027-03-31T00:00:00+08:00")) == "closed"
    assert cycles.ungraded([5, 3, 9, 3], [9]) == [3, 5]


def test_cus52_window_setting_is_validated():
    for bad in ("3-25..3-30", "03-30..03-25", "02-30..03-01"):
        with pytest.raises(ValidationError):
            CusPolicySchema().load({"grading": {"annual_window": bad}})
    assert cycles.annual_window(2027, "02-20..02-29").last_day == dt.date(2027, 2, 28)


# --- CUS-53 -----------------------------------------------------------------------------------------

def test_cus53_a_customers_complaint_listed_first():
    complaints = [("10:00", {"grade": "B"}), ("10:05", {"grade": "A"}), ("10:01", {}), ("09:59", {"grade": "C"})]
    ordered = sorted(complaints, key=lambda c: (grade_priority(c[1]), c[0]))
    assert [c[0] for c in ordered] == ["10:05", "10:00", "09:59", "10:01"]
    assert sorted(complaints, key=lambda c: (grade_priority(c[1], enabled=False), c[0]))[0][0] == "09:59"
    assert grade_priority("gold", ["gold", "silver"]) == 0 and grade_priority("iron", ["gold", "silver"]) == 2
