"""Pure rules of CUS-07 and CUS-70..75 with the spec's vectors (no database)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar import WorkCalendar
from core.customers.confidentiality import (
    approval_rules,
    custody_rules,
    export_rules,
    lending_rules,
    secrecy_rules,
    viewing_rules,
    visibility_rules,
)
from core.customers.confidentiality.settings import ConfidentialityPolicySchema

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def values(**body):
    return ConfidentialityPolicySchema().load(body)


def test_defaults_are_the_specs():
    v = values()
    assert v["visibility"] == "own_and_department"
    assert v["pii"]["unmasked_roles"] == ["owner", "custodian", "dept_manager"]
    assert str(v["loan"]["max"]) == "3 days" and v["loan"]["late_fine"] == Decimal("0.00")
    assert v["loan"]["ban_on_late"] is False and v["loan"]["loss_fine"] == Decimal("0.00")
    assert v["view_request"]["approver"] == {"own": "dept_manager", "other": "gm", "classified": "cs_manager"}
    assert v["view_request"]["grant"]["access"] == "view_only" and str(v["view_request"]["grant"]["period"]) == "1 days"
    assert v["export"]["approval"] == {} and v["secrecy"]["default_level"] == "normal"
    assert v["retention"]["default"] is None and v["retention"]["destroy_approver"] == "cs_manager"
    assert str(v["inspection"]["every"]) == "6 months"
    dumped = ConfidentialityPolicySchema().dump(v)
    assert dumped["export"]["approval"] == "none" and dumped["retention"]["default"] == "none"


def test_bad_settings_are_refused():
    with pytest.raises(ValidationError) as err:
        values(visibility="everyone", export={"approval": {"secret": ["gm"]}}, loan={"late_fine": -1})
    assert set(err.value.messages) == {"visibility", "export", "loan"}


# CUS-70 -------------------------------------------------------------------------------------

def test_scope_of_roles_under_each_visibility():
    v = values()
    assert visibility_rules.scope_of(["salesperson"], v) == "own"
    assert visibility_rules.scope_of(["supervisor"], v) == "department"
    assert visibility_rules.scope_of(["salesperson", "dept_manager"], v) == "department"  # the widest
    assert visibility_rules.scope_of(["cs_agent"], v) == "all"
    assert visibility_rules.scope_of(["gm"], v) == "all"
    assert visibility_rules.scope_of(["dept_manager"], values(visibility="own")) == "own"
    assert visibility_rules.scope_of(["salesperson"], values(visibility="all")) == "all"


def test_department_tree_includes_headed_departments_and_sub_departments():
    rows = [(1, None, None), (2, 1, None), (3, 2, None), (4, None, 99), (5, 4, None), (6, None, None)]
    assert visibility_rules.department_tree(rows, 7, 1) == {1, 2, 3}
    assert visibility_rules.department_tree(rows, 99, None) == {4, 5}
    assert visibility_rules.department_tree(rows, 99, 6) == {4, 5, 6}
    assert visibility_rules.department_tree(rows, 7, None) == frozenset()


def test_pii_right_by_role_or_relation():
    v = values()
    assert not visibility_rules.pii_unmasked(["cs_agent"], set(), v)
    assert visibility_rules.pii_unmasked(["salesperson"], {"owner"}, v)
    assert visibility_rules.pii_unmasked(["cs_agent"], {"custodian"}, v)
    assert visibility_rules.pii_unmasked(["dept_manager"], set(), v)
    assert not visibility_rules.pii_unmasked(["salesperson"], {"owner"}, values(pii={"unmasked_roles": ["gm"]}))
    masked = visibility_rules.mask_phones([{"e164": "+8613800138000", "kind": "mobile", "extension": None,
                                            "label": None}])
    assert masked[0]["e164"] == "138****8000"  # CUS-70 (2)
    assert visibility_rules.mask_resident("11010519491231002X") == "110105********002X"


# CUS-71 -------------------------------------------------------------------------------------

def test_cus71_2_secrecy_through_2026_12_31_is_declassified_on_2027_01_01():
    until = dt.date(2026, 12, 31)
    assert not secrecy_rules.declassify_due("secret", until, dt.date(2026, 12, 31))
    assert secrecy_rules.declassify_due("secret", until, dt.date(2027, 1, 1))
    assert not secrecy_rules.declassify_due("normal", until, dt.date(2027, 1, 1))
    assert not secrecy_rules.declassify_due("secret", None, dt.date(2027, 1, 1))


def test_classification_needs_custodian_and_viewers_above_normal():
    assert secrecy_rules.check_classification("normal", None, []) == {}
    assert set(secrecy_rules.check_classification("top_secret", None, [])) == {"custodian_id", "viewer_ids"}
    assert secrecy_rules.highest(["normal", "secret", "confidential"]) == "secret"
    assert secrecy_rules.highest([]) == "normal"


# CUS-72 -------------------------------------------------------------------------------------

def test_cus72_1_grant_from_2026_05_06_10_00_runs_until_2026_05_07_24_00():
    approved = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH)
    until = viewing_rules.grant_until(CAL, approved, values())
    assert until.at == dt.datetime(2026, 5, 8, 0, 0, tzinfo=SH) and until.through == dt.date(2026, 5, 7)
    assert viewing_rules.view_only(values())


def test_view_request_approver_by_case():
    v = values()
    assert viewing_rules.approver_for(viewing_rules.case_of(False, True), v) == "dept_manager"
    assert viewing_rules.approver_for(viewing_rules.case_of(False, False), v) == "gm"
    assert viewing_rules.approver_for(viewing_rules.case_of(True, True), v) == "cs_manager"


# CUS-73 -------------------------------------------------------------------------------------

def test_cus73_1_borrowed_2026_09_29_10_00_is_due_through_2026_10_02():
    due = lending_rules.due(CAL, dt.datetime(2026, 9, 29, 10, 0, tzinfo=SH), values())
    assert due.through == dt.date(2026, 10, 2) and due.at == dt.datetime(2026, 10, 3, 0, 0, tzinfo=SH)
    assert not lending_rules.is_late(due.at, dt.datetime(2026, 10, 2, 23, 59, tzinfo=SH))
    assert lending_rules.is_late(due.at, dt.datetime(2026, 10, 3, 0, 0, tzinfo=SH))


def test_cus73_2_car_preset_late_return_costs_10_yuan_and_a_ban():
    car = values(loan={"max": "1 day", "late_fine": 10, "ban_on_late": True, "loss_fine": 50})
    due = lending_rules.due(CAL, dt.datetime(2026, 9, 29, 10, 0, tzinfo=SH), car)
    assert due.through == dt.date(2026, 9, 30)
    assert lending_rules.is_late(due.at, dt.datetime(2026, 10, 1, 9, 0, tzinfo=SH))
    late = lending_rules.late_consequence(car, due.through, dt.date(2026, 10, 1))
    assert (late.fine, late.ban) == (Decimal("10.00"), True) and "¥10.00" in late.reason_zh
    lost = lending_rules.loss_consequence(car, "王小明档案")
    assert (lost.fine, lost.ban) == (Decimal("50.00"), True)


def test_approval_steps_need_one_approver_each():
    car = ["sales_manager|supervisor", "assistant"]
    assert approval_rules.progress(car, [{"supervisor"}]) == (["sales_manager|supervisor"], ["assistant"])
    assert approval_rules.progress(car, [{"supervisor"}, {"assistant"}])[1] == []
    external = ["info_supervisor", "cs_manager"]
    assert approval_rules.progress(external, [{"info_supervisor", "cs_manager"}])[1] == ["cs_manager"]
    # a later approver still fits when the first could fill either step (matching, not first come)
    assert approval_rules.progress(["a|b", "a"], [{"a", "b"}, {"a"}])[1] == []
    assert not approval_rules.can_approve(external, [{"info_supervisor"}], {"info_supervisor"})
    assert approval_rules.can_approve(external, [{"info_supervisor"}], {"cs_manager"})


# CUS-74 -------------------------------------------------------------------------------------

def test_cus74_2_formula_cells_are_neutralised():
    assert export_rules.neutralise_cell("=1+1") == "'=1+1"
    for lead in ("+", "-", "@", "\t", "\r"):
        assert export_rules.neutralise_cell(f"{lead}x") == f"'{lead}x"
    assert export_rules.neutralise_cell("王小明") == "王小明"
    assert export_rules.neutralise_cell(-5) == -5 and export_rules.neutralise_cell(None) is None


def test_mask_row_masks_pii_columns_unless_unmasked():
    row = {"name": "王小明", "mobile": "+8613800138000;+8613900139000", "rid": "11010519491231002X"}
    cols = {"mobile": "phone", "rid": "resident_id"}
    assert export_rules.mask_row(row, cols) == {"name": "王小明", "mobile": "138****8000;139****9000",
                                                "rid": "110105********002X"}
    assert export_rules.mask_row(row, cols, unmasked=True) == row


def test_cus74_1_export_steps_by_kind_and_level():
    preset = values(export={"approval": {"important": ["gm|info_supervisor"],
                                         "external": ["info_supervisor", "cs_manager"]}})
    assert export_rules.required_steps("external", "normal", preset) == ["info_supervisor", "cs_manager"]
    assert export_rules.required_steps("ordinary", "normal", preset) == []
    assert export_rules.required_steps("ordinary", "secret", preset) == ["gm"]  # classified: never without approval
    assert export_rules.required_steps("ordinary", "normal", values()) == []


# CUS-75 / CUS-07 ----------------------------------------------------------------------------

def test_cus75_1_half_yearly_periods():
    six = values()["inspection"]["every"]
    assert custody_rules.inspection_period(dt.date(2026, 1, 1), six) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert custody_rules.inspection_period(dt.date(2026, 7, 1), six) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert custody_rules.inspection_period(dt.date(2026, 9, 9), six)[0] == dt.date(2026, 7, 1)


def test_cus07_retention_one_year_enters_queue_the_day_after():
    year = values(retention={"default": "1 year"})["retention"]["default"]
    assert custody_rules.retention_through(dt.date(2026, 1, 10), year) == dt.date(2027, 1, 10)
    assert custody_rules.queue_due(dt.date(2026, 1, 10), year, dt.date(2027, 1, 10)) is None
    assert custody_rules.queue_due(dt.date(2026, 1, 10), year, dt.date(2027, 1, 11)) == dt.date(2027, 1, 10)
    five = values(retention={"default": "5 years"})["retention"]["default"]
    assert custody_rules.retention_through(dt.date(2026, 1, 10), five) == dt.date(2031, 1, 10)
    assert custody_rules.queue_due(dt.date(2026, 1, 10), None, dt.date(2099, 1, 1)) is None
