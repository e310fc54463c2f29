"""CUS-13 duplicate detection, CUS-14 households, CUS-15 merge and undo (core.customers.duplicates)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.customers.duplicates import (
    MERGE_MOVES,
    Candidate,
    DedupeSettings,
    DuplicateIndex,
    HouseholdSettings,
    Link,
    MergeSettings,
    MergeSide,
    OwnerClaim,
    check_import,
    find_duplicates,
    household_groups,
    household_ownership,
    link_kind,
    match_keys,
    plan_merge,
    plan_undo,
    undo_moves,
)
from core.customers.identity import is_valid_resident_id, resident_id_check_digit
from core.errors import Conflict

SH = ZoneInfo("Asia/Shanghai")
FAST = settings(max_examples=150, deadline=None, database=None)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


WANG = Candidate(17, "T1", "王小明", phones=("+8613800138000", "0830-2345678"), district="朝阳区",
                 resident_ids=("11010519491231002X",))


# --- CUS-13 · Duplicate detection: the spec's vectors -----------------------------------------------


def test_cus13_same_mobile_in_same_tenant_refused_409_with_existing_id():
    verdict = find_duplicates(Candidate(None, "T1", "王小明", phones=("138-0013-8000",)), [WANG])
    assert verdict.refused and verdict.status == 409
    assert verdict.existing_id == 17
    assert verdict.exact[0].family == "mobile" and verdict.exact[0].value == "+8613800138000"
    assert "138****8000" in verdict.reason_zh and "#17" in verdict.reason_en
    assert "13800138000" not in verdict.reason_zh + verdict.reason_en  # masked (CUS-70)
    with pytest.raises(Conflict) as err:
        verdict.raise_if_refused()
    assert err.value.status == 409 and err.value.extra["existing_id"] == 17


def test_cus13_same_mobile_in_other_tenant_created_201():
    verdict = find_duplicates(Candidate(None, "T2", "王小明", phones=("138-0013-8000",)), [WANG])
    assert not verdict.refused and verdict.status == 201
    assert verdict.warnings == ()
    verdict.raise_if_refused()  # no-op


def test_cus13_same_pinyin_same_district_created_with_warning_naming_wang():
    verdict = find_duplicates(Candidate(None, "T1", "王晓明", district="朝阳区"), [WANG])
    assert verdict.status == 201
    [warning] = verdict.likely
    assert warning.candidate_id == 17 and warning.candidate_name == "王小明"
    assert warning.families == ("pinyin+district",)
    assert "王小明" in warning.reason_zh and "wangxiaoming" in warning.reason_en


def test_cus13_other_name_same_mobile_refused_409():
    verdict = find_duplicates(Candidate(None, "T1", "李娜", phones=("13800138000",)), [WANG])
    assert verdict.status == 409 and verdict.existing_id == 17
    assert verdict.exact[0].household_hint  # different names: "link a household instead" (CUS-14)
    assert "CUS-14" in verdict.reason_zh and "household" in verdict.reason_en


def test_cus13_other_name_same_landline_only_created_with_household_warning():
    verdict = find_duplicates(Candidate(None, "T1", "李娜", phones=("0830 2345678",)), [WANG])
    assert verdict.status == 201
    assert verdict.likely == ()
    [hint] = verdict.households
    assert hint.candidate_id == 17 and hint.rule_id == "CUS-14"
    assert "是否同一家庭" in hint.reason_zh and "same household?" in hint.reason_en
    assert "0830-2345678" in hint.reason_zh


# --- CUS-13 · the other keys -------------------------------------------------------------------------


def test_cus13_resident_id_exact_even_in_legacy_15_digit_form():
    verdict = find_duplicates(Candidate(None, "T1", "王小明", resident_ids=("110105491231002",)), [WANG])
    assert verdict.existing_id == 17 and verdict.exact[0].family == "resident_id"
    assert "110105********002X" in verdict.reason_zh


def test_cus13_uscc_exact_and_org_name_core_likely():
    org = Candidate(5, "T1", "华信安装服务有限公司", kind="organisation", usccs=("91350100M000100Y43",))
    same_code = Candidate(None, "T1", "华信", kind="organisation", usccs=("91350100m000100y43",))
    assert find_duplicates(same_code, [org]).existing_id == 5
    renamed = Candidate(None, "T1", "華信安裝服務股份有限公司", kind="organisation")
    verdict = find_duplicates(renamed, [org])
    assert verdict.status == 201 and verdict.likely[0].families == ("org_name_core",)
    assert "华信安装服务" in verdict.likely[0].reason_zh


def test_cus13_name_and_landline_likely():
    verdict = find_duplicates(Candidate(None, "T1", "王 小明", phones=("(0830)2345678",)), [WANG])
    assert verdict.status == 201
    assert verdict.likely[0].families == ("name+landline",)
    assert verdict.households == ()  # same name: a likely duplicate, not a household


def test_cus13_name_and_birth_date_likely_birth_date_from_resident_id():
    verdict = find_duplicates(Candidate(None, "T1", "陳小明", birth_date=dt.date(1980, 5, 1)),
                              [Candidate(3, "T1", "陈小明", resident_ids=("110105198005010015",))])
    # 110105198005010015 is not a valid id, so no birth date comes from it: no match
    assert not is_valid_resident_id("110105198005010015")
    assert verdict.likely == ()
    first17 = "11010519800501001"
    good = Candidate(3, "T1", "陈小明", resident_ids=(first17 + resident_id_check_digit(first17),))
    verdict = find_duplicates(Candidate(None, "T1", "陳小明", birth_date=dt.date(1980, 5, 1)), [good])
    assert verdict.likely[0].families == ("name+birth_date",) and verdict.likely[0].score == 90


def test_cus13_several_likely_rules_one_warning_per_candidate_ranked():
    other = Candidate(9, "T1", "王晓明", district="朝阳区")
    new = Candidate(None, "T1", "王小明", phones=("0830-2345678",), district="朝阳区")
    verdict = find_duplicates(new, [other, WANG])
    assert [m.candidate_id for m in verdict.likely] == [17, 9]
    assert set(verdict.likely[0].families) == {"name+landline", "pinyin+district"}
    assert verdict.likely[0].score == 85 and verdict.likely[1].score == 60


def test_cus13_plugin_key_vin_is_exact():
    car = Candidate(40, "T1", "赵六", plugin_keys={"vin": ["LSVAU2180N2183294"]})
    verdict = find_duplicates(Candidate(None, "T1", "钱七", plugin_keys={"vin": "lsvau2180n2183294"}), [car])
    assert verdict.existing_id == 40 and verdict.exact[0].family == "vin"
    assert "车架号" in verdict.reason_zh
    lenient = DedupeSettings(plugin_keys_exact=False)
    assert not find_duplicates(Candidate(None, "T1", "钱七", plugin_keys={"vin": "LSVAU2180N2183294"}),
                               [car], lenient).refused


def test_cus13_passport_exact_only_when_configured():
    holder = Candidate(8, "T1", "John Smith", documents=[("passport", "E12345678")])
    new = Candidate(None, "T1", "JOHN SMITH", documents=[("passport", "e1234 5678")])
    assert not find_duplicates(new, [holder]).refused
    strict = DedupeSettings(exact=("mobile", "resident_id", "uscc", "passport"))
    verdict = find_duplicates(new, [holder], strict)
    assert verdict.existing_id == 8 and "****5678" in verdict.reason_zh


def test_cus13_settings_select_rules():
    only_exact = DedupeSettings.from_policy({"dedupe": {"likely": []}})
    assert find_duplicates(Candidate(None, "T1", "王晓明", district="朝阳区"), [WANG], only_exact).warnings == ()
    no_mobile = DedupeSettings.from_policy({"dedupe.exact": ["resident_id", "uscc"]}, plugin_keys_exact=False)
    assert not find_duplicates(Candidate(None, "T1", "李娜", phones=("13800138000",)), [WANG], no_mobile).refused
    with pytest.raises(ValueError):
        DedupeSettings(likely=("name+email",))
    with pytest.raises(ValueError):
        DedupeSettings(exact=("mobile", "pinyin+district"))
    defaults = DedupeSettings.from_policy(None)
    assert defaults.exact == ("mobile", "resident_id", "uscc")
    assert defaults.likely == ("name+landline", "name+birth_date", "pinyin+district", "org_name_core")


def test_cus13_self_and_junk_values_never_match():
    assert find_duplicates(WANG, [WANG]).warnings == () and not find_duplicates(WANG, [WANG]).refused
    junk = Candidate(2, "T1", "旧数据", phones=("n/a", "12345"), resident_ids=("123",), usccs=("x",))
    assert match_keys(junk) == frozenset()
    assert find_duplicates(Candidate(None, "T1", "李娜", phones=("12345",)), [junk]).status == 201


def test_cus13_match_keys_shape_and_precomputed_keys():
    keys = match_keys(WANG)
    assert keys == {
        "mobile:+8613800138000",
        "landline:+868302345678",
        "name+landline:王小明|+868302345678",
        "resident_id:11010519491231002X",
        "name+birth_date:王小明|1949-12-31",
        "pinyin+district:wangxiaoming|朝阳区",
    }
    stored = Candidate(17, "T1", "王小明", keys=keys)  # keys loaded from a column
    assert find_duplicates(Candidate(None, "T1", "x", phones=("13800138000",)), [stored]).existing_id == 17


def test_cus13_import_rows_duplicate_each_other_and_existing():
    rows = [
        Candidate(None, "T1", "张三", phones=("13900000001",)),
        Candidate(None, "T1", "张三丰", phones=("139 0000 0001",)),  # duplicates row 2 (created)
        Candidate(None, "T1", "王小明", phones=("13800138000",)),  # duplicates the existing #17
        Candidate(None, "T1", "王晓明", district="朝阳区"),  # warns: #17
    ]
    verdicts = check_import(rows, [WANG], first_row=2)
    assert [v.status for v in verdicts] == [201, 409, 409, 201]
    assert verdicts[1].existing_id == "row 2"
    assert verdicts[2].existing_id == 17
    assert verdicts[3].likely[0].candidate_id == 17
    assert check_import([], [WANG]) == []


def test_cus13_index_refuses_other_tenant_record():
    index = DuplicateIndex("T1")
    assert index.add(WANG) is True
    assert index.add(Candidate(1, "T2", "王小明", phones=("13800138000",))) is False
    with pytest.raises(ValueError):
        index.check(Candidate(None, "T2", "王小明"))


def test_cus13_outcome_for_the_decision_record():
    verdict = find_duplicates(Candidate(None, "T1", "李娜", phones=("13800138000",)), [WANG])
    assert verdict.outcome() == {
        "refused": True, "existing_id": 17,
        "exact": [{"candidate_id": 17, "key": "mobile", "household_hint": True}],
        "likely": [], "households": [],
    }
    assert find_duplicates(Candidate(None, "T1", "李娜"), [WANG]).reason_en == "No duplicate customer found (CUS-13)."


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0830[2-8][0-9]{6}", fullmatch=True)


@FAST
@given(st.lists(mobiles | landlines, max_size=3), st.lists(mobiles | landlines, max_size=3),
       st.sampled_from(["王小明", "王晓明", "李娜"]), st.sampled_from(["王小明", "李娜"]))
def test_cus13_property_exactness_is_symmetric_and_tenant_bound(phones_a, phones_b, name_a, name_b):
    a = Candidate(1, "T1", name_a, phones=tuple(phones_a))
    b = Candidate(2, "T1", name_b, phones=tuple(phones_b))
    shared_mobile = {p for p in phones_a if p.startswith("1")} & {p for p in phones_b if p.startswith("1")}
    assert find_duplicates(a, [b]).refused == find_duplicates(b, [a]).refused == bool(shared_mobile)
    elsewhere = Candidate(3, "T2", name_a, phones=tuple(phones_a))
    assert find_duplicates(elsewhere, [b]).status == 201 and not find_duplicates(elsewhere, [b]).warnings


@FAST
@given(mobiles, st.sampled_from(["{}", "+86 {}", "0086-{}", "86{}"]))
def test_cus13_property_match_keys_ignore_spelling(number, template):
    raw = Candidate(1, "T1", "王 小明", phones=(template.format(number),))
    clean = Candidate(1, "T1", "王小明", phones=(f"+86{number}",))
    assert match_keys(raw) == match_keys(clean)


# --- CUS-14 · Households -----------------------------------------------------------------------------

WIFE, HUSBAND = 101, 102
CLAIMS = [OwnerClaim(WIFE, "B", at(2026, 3, 20)), OwnerClaim(HUSBAND, "A", at(2026, 4, 2))]


def test_cus14_spouse_link_earliest_valid_claim_owns_both():
    [outcome] = household_ownership([Link(WIFE, HUSBAND, "spouse")], CLAIMS)
    assert outcome.owner == "B" and outcome.members == {WIFE, HUSBAND}
    assert outcome.rule_id == "CUS-14"
    assert outcome.superseded == (CLAIMS[1],)
    assert "依据CUS-14，全部成员归B" in outcome.reason_zh and "B owns every member" in outcome.reason_en


def test_cus14_sibling_link_has_no_effect_on_ownership():
    assert household_ownership([Link(WIFE, HUSBAND, "sibling")], CLAIMS) == []
    assert link_kind("sibling") == "referral" and link_kind("friend") == "referral"
    assert link_kind("spouse") == link_kind("parent") == link_kind("child") == "household"


def test_re22_family_member_first_received_owns_the_later_members_deal():
    # RE-22 (1): husband received by B Sat 2026-09-05; wife received by A Sat 2026-09-12 → B.
    claims = [OwnerClaim("husband", "B", at(2026, 9, 5)), OwnerClaim("wife", "A", at(2026, 9, 12))]
    [outcome] = household_ownership([Link("husband", "wife", "spouse")], claims)
    assert outcome.owner == "B"


def test_cus14_invalid_claims_ignored_ties_go_to_arbitration():
    expired = [OwnerClaim(WIFE, "B", at(2026, 3, 20), valid=False), OwnerClaim(HUSBAND, "A", at(2026, 4, 2))]
    assert household_ownership([Link(WIFE, HUSBAND, "spouse")], expired)[0].owner == "A"
    none = household_ownership([Link(WIFE, HUSBAND, "spouse")], [])[0]
    assert none.owner is None and "no member has a valid claim" in none.reason_en
    tie = household_ownership([Link(WIFE, HUSBAND, "spouse")],
                              [OwnerClaim(WIFE, "B", at(2026, 3, 20)), OwnerClaim(HUSBAND, "A", at(2026, 3, 20))])[0]
    assert tie.tie and tie.owner is None and "CUS-27" in tie.reason_en


def test_cus14_groups_transitive_and_settings():
    links = [Link(1, 2, "spouse"), Link(2, 3, "parent"), Link(4, 5, "sibling"), Link(3, 6, "child")]
    assert household_groups(links) == [frozenset({1, 2, 3, 6})]
    pairs = household_groups(links, HouseholdSettings(transitive=False))
    assert pairs == [frozenset({1, 2}), frozenset({2, 3}), frozenset({3, 6})]
    assert household_groups(links, HouseholdSettings.from_policy({"household": {"one_customer": False}})) == []
    spouses_only = HouseholdSettings.from_policy({"household.relations": ["spouse"]})
    assert household_groups(links, spouses_only) == [frozenset({1, 2})]


# --- CUS-15 · Merge and undo -------------------------------------------------------------------------

A_SIDE = MergeSide("A", OwnerClaim("A", "C", at(2026, 5, 1)), points=120)
B_SIDE = MergeSide("B", OwnerClaim("B", "D", at(2026, 4, 20)), points=80)
MERGED_AT = at(2026, 5, 10)


def test_cus15_merge_earliest_valid_claim_owns_points_summed():
    plan = plan_merge(A_SIDE, B_SIDE, MERGED_AT)
    assert plan.owner == "D" and plan.owner_claim == B_SIDE.claim
    assert plan.points == 200
    assert (plan.survivor_id, plan.tombstone_id) == ("A", "B")
    assert plan.moves == MERGE_MOVES
    assert plan.rule_id == "CUS-15" and "归D" in plan.reason_zh and "D owns" in plan.reason_en


def test_cus15_undo_on_day_10_restores_both_owners():
    plan = plan_merge(A_SIDE, B_SIDE, MERGED_AT)
    undo = plan_undo(plan, MERGED_AT + dt.timedelta(days=10),
                     moved={"contacts": [7, 8], "points": [55]},
                     current={"contacts": [7, 8, 9], "points": [55, 56]})
    assert undo.allowed
    assert undo.owners == {"A": "C", "B": "D"}
    assert undo.points == {"A": 120, "B": 80}
    assert undo.move_back == {"contacts": (7, 8), "points": (55,)}  # 9 and 56 came later: stay with A


def test_cus15_undo_window_30_days_ends_at_24_00_of_day_30():
    plan = plan_merge(A_SIDE, B_SIDE, MERGED_AT)
    assert plan.undo_until == at(2026, 6, 10, 0, 0)  # through 2026-06-09 (CAL-05)
    assert plan_undo(plan, at(2026, 6, 9, 23, 59)).allowed
    late = plan_undo(plan, at(2026, 6, 10, 0, 0))
    assert not late.allowed and "2026-06-09" in late.reason_zh
    short = plan_merge(A_SIDE, B_SIDE, MERGED_AT, MergeSettings.from_policy({"merge": {"undo_window": "7 days"}}))
    assert short.undo_until == at(2026, 5, 18, 0, 0)


def test_cus15_invalid_or_missing_claims_and_ties():
    expired_b = MergeSide("B", OwnerClaim("B", "D", at(2026, 4, 20), valid=False), points=80)
    assert plan_merge(A_SIDE, expired_b, MERGED_AT).owner == "C"
    assert plan_merge(MergeSide("A"), MergeSide("B"), MERGED_AT).owner is None
    same_time = MergeSide("B", OwnerClaim("B", "D", at(2026, 5, 1)))
    assert plan_merge(A_SIDE, same_time, MERGED_AT).owner == "C"  # tie: the survivor's
    with pytest.raises(ValueError):
        plan_merge(A_SIDE, A_SIDE, MERGED_AT)
    assert MergeSettings().role == "dept_manager"


def test_cus15_undo_moves_without_current_returns_everything_moved():
    assert undo_moves({"timeline": [1, 2]}) == {"timeline": (1, 2)}
    assert undo_moves({"timeline": [1, 2]}, {"timeline": [2]}) == {"timeline": (2,)}
