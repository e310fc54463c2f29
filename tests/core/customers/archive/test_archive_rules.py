"""Pure rules of the archive: CUS-01 required fields, CUS-03 completeness, CUS-04 filing deadlines and
the expense block, with the spec's vectors."""
import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from core.calendar.durations import Duration
from core.calendar.policy import calendar_from_policy, load_calendar_policy
from core.customers.archive import checklist_rules as cl
from core.customers.archive import filing_rules as fr
from core.customers.archive.requirements import ArchiveFacts, missing
from core.customers.archive.settings import ArchivePolicySchema, ChecklistTemplateSchema

SH = ZoneInfo("Asia/Shanghai")
DEFAULTS = ArchivePolicySchema().load({})
PERSON = DEFAULTS["archive"]["required"]["person"]
ORG = DEFAULTS["archive"]["required"]["organisation"]


# --- CUS-01 -----------------------------------------------------------------------------------------

def test_settings_defaults_are_the_specs():
    archive = DEFAULTS["archive"]
    assert PERSON == ["name", "mobile|landline"]
    assert ORG == ["name", "contact_name", "phone", "address"]
    assert archive["categories"] == ["target", "general", "key", "potential"]
    assert archive["lifecycle"] == ["prospect", "active", "lost"]
    assert archive["flags"] == ["special_assistance", "difficult", "key_account"]
    assert (archive["paper"], archive["handover_log"], archive["confirm_by"]) == (False, False, "none")
    assert DEFAULTS["checklists"] == {}
    filing = DEFAULTS["filing"]
    assert filing["enabled"] is False and filing["block_expenses"] is True
    assert filing["new_within"] == Duration(5, "working_days") == filing["change_within"]
    assert filing["reminders_before_penalty"] == 3


@pytest.mark.parametrize("body, field", [
    ({"archive": {"required": {"person": ["name", "mobile||"]}}}, "required"),
    ({"archive": {"fields": [{"name": "name", "label_zh": "名称"}]}}, "fields"),  # reserved
    ({"archive": {"fields": [{"name": "x", "label_zh": "甲", "type": "choice"}]}}, "fields"),  # no choices
    ({"archive": {"fields": [{"name": "x", "label_zh": "甲"}, {"name": "x", "label_zh": "乙"}]}}, "fields"),
    ({"archive": {"confirm_by": "Sales Director"}}, "confirm_by"),
    ({"filing": {"new_within": "5 hours"}}, "new_within"),
    ({"checklists": {"car": {"label_zh": "新车", "items": [{"code": "a", "label_zh": "甲"}, {"code": "a", "label_zh": "乙"}]}}},
     "items"),
    ({"checklists": {"car": {"label_zh": "新车", "items": [{"code": "a", "label_zh": "甲", "any_of": [
        {"code": "b", "label_zh": "乙"}]}]}}}, "any_of"),
])
def test_bad_settings_are_refused(body, field):
    with pytest.raises(ValidationError) as err:
        ArchivePolicySchema().load(body)
    assert field in str(err.value.messages)


def test_cus01_1_organisation_without_contact_name():
    facts = ArchiveFacts("organisation", {"name": "华信"}, phone_kinds=frozenset({"landline"}), has_address=True,
                         contact_names=())
    [gap] = missing(ORG, facts)
    assert (gap.token, gap.field) == ("contact_name", "contacts")
    assert "contact_name" in gap.en and "CUS-01" in gap.en and "联系人" in gap.zh
    ok = ArchiveFacts("organisation", {"name": "华信"}, phone_kinds=frozenset({"landline"}), has_address=True,
                      contact_names=("刘经理",))
    assert missing(ORG, ok) == []


def test_cus01_2_required_extra_field():
    required = ORG + ["category", "enterprise_nature", "supervising_unit"]
    facts = ArchiveFacts("organisation", {"name": "华信", "address": "泸州", "category": "key"},
                         phone_kinds=frozenset({"mobile"}), contact_names=("刘",), extra={"enterprise_nature": "民营"})
    gaps = missing(required, facts, known_extra=["enterprise_nature", "supervising_unit"])
    assert [(g.token, g.field) for g in gaps] == [("supervising_unit", "extra.supervising_unit")]
    # a field nobody declares (a plugin switched off) is not required
    assert missing(required, facts, known_extra=["enterprise_nature"]) == []


def test_cus01_3_person_with_only_a_landline():
    assert missing(PERSON, ArchiveFacts("person", {"name": "王"}, phone_kinds=frozenset({"landline"}))) == []
    [gap] = missing(PERSON, ArchiveFacts("person", {"name": "王"}, phone_kinds=frozenset({"other"})))
    assert (gap.token, gap.field) == ("mobile|landline", "phones") and "mobile or landline" in gap.en


# --- CUS-03 -----------------------------------------------------------------------------------------

def _template(items):
    return ChecklistTemplateSchema().load({"label_zh": "新车档案", "items": items})


CAR_NEW = _template([{"code": f"item{i}", "label_zh": f"资料{i}"} for i in range(1, 12)] + [
    {"code": "special", "label_zh": "特定客户其他资料", "condition": {"field": "flags", "op": "contains",
                                                                 "value": "special_assistance"}}])


def test_cus03_1_eleven_required_one_conditional_ten_satisfied():
    docs = [cl.Provided(f"item{i}") for i in range(1, 11)]
    result = cl.evaluate("car_new", CAR_NEW, {"kind": "person", "flags": []}, docs)
    assert (result.required, result.satisfied, result.percent) == (11, 10, Decimal("90.91"))
    assert [i.code for i in result.missing] == ["item11"]
    assert result.items[-1].status == "not_applicable"
    # the condition holds: the conditional item counts
    held = cl.evaluate("car_new", CAR_NEW, {"kind": "person", "flags": ["special_assistance"]}, docs)
    assert (held.required, held.satisfied, held.percent) == (12, 10, Decimal("83.33"))


EITHER = _template([{"code": "id_or_org_code", "label_zh": "身份证复印件（正反面）或组织机构代码证", "any_of": [
    {"code": "id_copy", "label_zh": "身份证复印件", "both_sides": True},
    {"code": "org_code_certificate", "label_zh": "组织机构代码证"}]}])


def test_cus03_2_either_or_with_a_one_sided_id_copy():
    result = cl.evaluate("t", EITHER, {"kind": "person"}, [cl.Provided("id_copy", both_sides=False)])
    [item] = result.items
    assert item.satisfied is False and result.percent == Decimal("0.00")
    assert [(r.item, r.code) for r in item.reasons] == [("id_copy", "both_sides"), ("org_code_certificate", "not_provided")]
    both = cl.evaluate("t", EITHER, {"kind": "person"}, [cl.Provided("id_copy", both_sides=True)])
    assert both.items[0].satisfied and both.items[0].satisfied_by == "id_copy" and both.percent == Decimal("100.00")
    org = cl.evaluate("t", EITHER, {"kind": "organisation"}, [cl.Provided("org_code_certificate")])
    assert org.items[0].satisfied_by == "org_code_certificate"  # CAR-03 (3)


def test_attributes_original_signatures_and_missing_at_handover():
    t = _template([{"code": "contract", "label_zh": "合同", "form": "original", "customer_signature": True,
                    "staff_signature": True}, {"code": "photo", "label_zh": "照片", "required": False}])
    copy = cl.evaluate("t", t, {}, [cl.Provided("contract", form="copy", customer_signed=True)])
    assert {r.code for r in copy.items[0].reasons} == {"original", "staff_signature"}
    assert copy.items[1].status == "optional" and copy.required == 1
    good = cl.Provided("contract", form="original", customer_signed=True, staff_signed=True)
    assert cl.evaluate("t", t, {}, [good]).percent == Decimal("100.00")
    gone = cl.Provided("contract", form="original", customer_signed=True, staff_signed=True, missing=True)
    assert [r.code for r in cl.evaluate("t", t, {}, [gone]).items[0].reasons] == ["missing_at_handover"]


def test_percent_rounds_half_up_and_applies_filters():
    assert cl.percent(1, 8) == Decimal("12.50") and cl.percent(2, 3) == Decimal("66.67")
    assert cl.percent(1, 6) == Decimal("16.67") and cl.percent(0, 0) == Decimal("100.00")
    t = ChecklistTemplateSchema().load({"label_zh": "甲", "kinds": ["organisation"], "stages": ["active"],
                                        "items": [{"code": "a", "label_zh": "甲"}]})
    assert cl.applies(t, {"kind": "organisation", "lifecycle_stage": "active"})
    assert not cl.applies(t, {"kind": "person", "lifecycle_stage": "active"})
    assert not cl.applies(t, {"kind": "organisation", "lifecycle_stage": "lost"})
    assert cl.condition_holds({"field": "extra.financed", "op": "eq", "value": True}, {"extra": {"financed": True}})
    assert not cl.condition_holds({"field": "category", "op": "in", "value": ["key"]}, {"category": "general"})
    assert cl.condition_holds({"field": "source", "op": "absent"}, {"source": None})


# --- CUS-04 -----------------------------------------------------------------------------------------

CAL = calendar_from_policy(load_calendar_policy({}), timezone="Asia/Shanghai")


def test_cus04_1_first_contact_thursday_due_through_october_9():
    first = dt.datetime(2026, 9, 24, 15, 0, tzinfo=SH)  # Thu; 25..27 off, 10-01..07 off
    due = fr.filing_due(CAL, first, Duration(5, "working_days"))
    assert due.through == dt.date(2026, 10, 9)
    assert due.at == dt.datetime(2026, 10, 10, 0, 0, tzinfo=SH)
    assert due.counted_days == (dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30),
                                dt.date(2026, 10, 8), dt.date(2026, 10, 9))


def _filing(filed_at=None):
    first = dt.datetime(2026, 9, 24, 15, 0, tzinfo=SH)
    due = fr.filing_due(CAL, first, Duration(5, "working_days"))
    return fr.FilingFact("new", first, due.utc, due.through, filed_at, id=7)


def test_cus04_2_expense_claim_for_an_unfiled_customer_is_refused():
    at = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SH)
    verdict = fr.expense_verdict([_filing()], at, enabled=True, block_expenses=True, customer_name="华信")
    assert (verdict.allowed, verdict.rule_id, verdict.filing_id) == (False, "CUS-04", 7)
    assert "2026-10-09" in verdict.reason_zh and "CUS-04" in verdict.reason_en and "overdue" in verdict.reason_en
    filed = _filing(filed_at=dt.datetime(2026, 10, 9, 17, 0, tzinfo=SH))
    assert fr.expense_verdict([filed], at, enabled=True, block_expenses=True).allowed
    # filed after the claim: the claim was for an unfiled customer
    late = _filing(filed_at=dt.datetime(2026, 10, 13, 9, 0, tzinfo=SH))
    assert not fr.expense_verdict([late], at, enabled=True, block_expenses=True).allowed
    assert fr.expense_verdict([_filing()], at, enabled=True, block_expenses=False).allowed
    assert fr.expense_verdict([_filing()], at, enabled=False, block_expenses=True).allowed
    change = dataclasses.replace(_filing(), kind="change")
    assert fr.expense_verdict([change], at, enabled=True, block_expenses=True).allowed  # changes never block


def test_reminders_on_working_days_after_the_last_day_and_penalty_once():
    f = _filing()
    assert not fr.reminder_due(f, dt.date(2026, 10, 9), CAL)  # still in time
    assert fr.reminder_due(f, dt.date(2026, 10, 10), CAL)  # Sat 10-10 is a make-up working day
    assert not fr.reminder_due(f, dt.date(2026, 10, 11), CAL)  # Sunday
    assert fr.reminder_due(f, dt.date(2026, 10, 12), CAL)
    assert not fr.penalty_due(2, 3, False) and fr.penalty_due(3, 3, False) and not fr.penalty_due(4, 3, True)
    assert fr.month_end(dt.date(2026, 10, 14)) == dt.date(2026, 10, 31)
