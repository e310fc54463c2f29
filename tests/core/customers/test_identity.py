"""CUS-10 phones, CUS-11 identity numbers, CUS-12 names (pure rules of core.customers.identity)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from core.customers.identity import (
    IdentityError,
    PhoneSettings,
    mask_phone,
    mask_resident_id,
    name_keys,
    normalise_name,
    normalise_phone,
    org_name_core,
    parse_document,
    parse_resident_id,
    parse_uscc,
    pinyin_initials,
    pinyin_key,
    resident_id_check_digit,
    upgrade_resident_id,
    uscc_check_char,
)
from core.errors import InvalidInput

FAST = settings(max_examples=200, deadline=None, database=None)
TODAY = dt.date(2026, 6, 1)


# --- CUS-10 · Phone normalisation -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["138 0013 8000", "+86-138-0013-8000", "0086 13800138000"])
def test_cus10_mobile_spellings_give_e164(raw):
    result = normalise_phone(raw)
    assert result.e164 == "+8613800138000"
    assert result.stored == "+8613800138000"
    assert result.kind == "mobile"


def test_cus10_landline_with_area_code():
    result = normalise_phone("0830-2345678")
    assert result.e164 == "+868302345678"
    assert (result.kind, result.area_code, result.local_number) == ("landline", "0830", "2345678")


def test_cus10_landline_without_area_code_refused_422():
    with pytest.raises(IdentityError) as err:
        normalise_phone("2345678")
    assert err.value.code == "area_code_required"
    assert err.value.status == 422
    assert isinstance(err.value, InvalidInput) and isinstance(err.value, ValueError)
    assert "area code" in str(err.value) and "区号" in err.value.zh
    assert err.value.fields == {"phone": [str(err.value)]}


def test_cus10_invalid_mobile_12345678901_refused_422():
    with pytest.raises(IdentityError) as err:
        normalise_phone("12345678901", field="mobile")
    assert err.value.code == "invalid_mobile"
    assert err.value.status == 422
    assert "mobile" in err.value.fields
    assert err.value.rule_id == "CUS-10"


def test_cus01_person_with_only_landline_0830_2345678_accepted():
    assert normalise_phone("0830-2345678", expect="landline").e164 == "+868302345678"


@pytest.mark.parametrize("raw", ["(0830)2345678", "+86 0830 2345678", "0830 234 5678", "０８３０－２３４５６７８",
                                 "+86 830 2345678"])
def test_cus10_landline_spellings(raw):
    assert normalise_phone(raw).e164 == "+868302345678"


@pytest.mark.parametrize("raw,ext", [("0830-2345678 转12", "12"), ("0830-2345678-12", "12"),
                                     ("0830-2345678 ext. 305", "305"), ("0830 2345678#8", "8")])
def test_cus10_landline_extension_kept_apart(raw, ext):
    result = normalise_phone(raw)
    assert (result.e164, result.extension) == ("+868302345678", ext)
    assert result.display == f"0830-2345678 转{ext}"


def test_cus10_beijing_two_digit_area_code():
    result = normalise_phone("010-12345678")
    assert (result.e164, result.area_code, result.local_number) == ("+861012345678", "010", "12345678")


def test_cus10_full_width_and_86_prefix():
    assert normalise_phone("１３８ ００１３ ８０００").e164 == "+8613800138000"
    assert normalise_phone("86 13800138000").e164 == "+8613800138000"
    assert normalise_phone("(+86)13800138000").display == "138 0013 8000"


def test_cus10_mobile_is_11_digits_starting_13_to_19():
    for second in "3456789":
        assert normalise_phone(f"1{second}012345678").kind == "mobile"
    for bad in ("10012345678", "11012345678", "12012345678"):
        with pytest.raises(IdentityError, match="mobile"):
            normalise_phone(bad)


@pytest.mark.parametrize("raw,code", [("", "empty"), ("   ", "empty"), ("call me", "invalid_characters"),
                                      ("0830-234567", "invalid_number"), ("95588", "invalid_number"),
                                      ("1380013800", "invalid_number"), ("+86 2345678", "area_code_required"),
                                      ("13800138000 转1", "extension_on_mobile")])
def test_cus10_invalid_numbers_refused(raw, code):
    with pytest.raises(IdentityError) as err:
        normalise_phone(raw)
    assert err.value.code == code
    assert err.value.zh


def test_cus10_area_code_optional_setting():
    bare = normalise_phone("2345678", landline_requires_area_code=False)
    assert (bare.e164, bare.stored, bare.kind) == (None, "2345678", "landline")
    prefixed = normalise_phone("2345678", landline_requires_area_code=False, default_area_code="0830")
    assert prefixed.e164 == "+868302345678"


def test_cus10_expected_kind():
    with pytest.raises(IdentityError) as err:
        normalise_phone("0830-2345678", expect="mobile", field="mobile")
    assert err.value.code == "not_mobile"
    with pytest.raises(IdentityError) as err:
        normalise_phone("13800138000", expect="landline", field="landline")
    assert err.value.code == "not_landline"


def test_cus10_foreign_and_service_numbers():
    assert normalise_phone("+852 9123 4567").e164 == "+85291234567"
    assert normalise_phone("00852 9123 4567").e164 == "+85291234567"
    us = normalise_phone("+1 650 253 0000", expect="landline")  # the US plan cannot tell: accepted as either
    assert us.e164 == "+16502530000" and us.fixed_or_mobile
    assert normalise_phone("400-820-8820").kind == "other"
    hk_tenant = normalise_phone("9123 4567", region="HK")
    assert hk_tenant.e164 == "+85291234567"


def test_cus10_settings_from_policy():
    assert PhoneSettings.from_policy(None) == PhoneSettings("CN", True)
    lenient = PhoneSettings.from_policy({"phone": {"landline_requires_area_code": False}})
    assert lenient.landline_requires_area_code is False
    assert PhoneSettings.from_policy({"phone.region": "hk"}).region == "HK"


def test_cus70_masks():
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_resident_id("11010519491231002X") == "110105********002X"


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@FAST
@given(mobiles, st.sampled_from(["{}", "+86{}", "0086 {}", "+86-{a}-{b}-{c}", "{a} {b} {c}", "86{}"]))
def test_cus10_property_any_spelling_of_a_mobile_gives_the_same_e164(number, template):
    raw = template.format(number, a=number[:3], b=number[3:7], c=number[7:])
    result = normalise_phone(raw)
    assert result.e164 == f"+86{number}"
    assert normalise_phone(result.e164) == result  # idempotent


# --- CUS-11 · Identity numbers ----------------------------------------------------------------------


def test_cus11_resident_id_lower_x_valid_upper_cased_with_birth_date():
    rid = parse_resident_id("11010519491231002x", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.gender == "female"  # 17th digit 2 is even
    assert rid.region_code == "110105" and rid.province_code == "11"


def test_cus11_resident_id_checksum_refused_422():
    with pytest.raises(IdentityError) as err:
        parse_resident_id("110105194912310021", today=TODAY)
    assert err.value.code == "checksum"
    assert err.value.status == 422
    assert err.value.rule_id == "CUS-11"


def test_cus11_legacy_15_digit_converted_to_18():
    rid = parse_resident_id("110105491231002", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.upgraded_from == "110105491231002"
    assert upgrade_resident_id("110105491231002") == "11010519491231002X"


def test_cus11_uscc_valid_and_checksum_refused_422():
    assert parse_uscc("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(IdentityError) as err:
        parse_uscc("91350100M000100Y42")
    assert (err.value.code, err.value.status) == ("checksum", 422)


@pytest.mark.parametrize("raw,code", [
    ("1101051949123100", "length"),
    ("11010519491231002Y", "format"),
    ("99010519491231002X", "region"),
    ("110105194902300021", "birth_date"),  # 1949-02-30
    ("110105202912310021", "birth_date"),  # in the future
])
def test_cus11_resident_id_refusals(raw, code):
    with pytest.raises(IdentityError) as err:
        parse_resident_id(raw, today=TODAY)
    assert err.value.code == code
    assert err.value.zh


def test_cus11_resident_id_birth_date_today_accepted_tomorrow_refused():
    first17 = "110105" + TODAY.strftime("%Y%m%d") + "001"
    assert parse_resident_id(first17 + resident_id_check_digit(first17), today=TODAY).birth_date == TODAY
    with pytest.raises(IdentityError):
        parse_resident_id(first17 + resident_id_check_digit(first17), today=TODAY - dt.timedelta(days=1))


def test_cus11_resident_id_region_check_optional_and_permits_accepted():
    first17 = "99010519800101001"
    number = first17 + resident_id_check_digit(first17)
    assert parse_resident_id(number, today=TODAY, check_region=False).number == number
    permit17 = "81000019800101001"  # HK residents' residence permit: same format and checksum
    assert parse_resident_id(permit17 + resident_id_check_digit(permit17), today=TODAY).gender == "male"


def test_cus11_uscc_normalised_and_other_registrars():
    assert parse_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    first17 = "N2110100MA0000001"  # registration authority N (agriculture): not digit-only
    assert parse_uscc(first17 + uscc_check_char(first17)).startswith("N2")
    for raw, code in [("91350100M000100Y4", "length"), ("91350100M000100I43", "format"),
                      ("B1350100M000100Y43", "format")]:
        with pytest.raises(IdentityError) as err:
            parse_uscc(raw)
        assert err.value.code == code


def test_cus11_typed_documents_without_checksum():
    assert parse_document("passport", " e1234 5678 ").number == "E12345678"
    assert parse_document("hk_macau_permit", "h-1234567-8").key == "hk_macau_permit:H12345678"
    assert parse_document("taiwan_permit", "12345678").number == "12345678"
    assert parse_document("resident_id", "110105491231002", today=TODAY).number == "11010519491231002X"
    with pytest.raises(IdentityError):
        parse_document("passport", "E1")
    with pytest.raises(ValueError):
        parse_document("library_card", "12345")


regions = st.sampled_from(["110105", "310104", "440305", "510302", "650102", "830000"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def resident_ids(draw):
    first17 = draw(regions) + draw(births).strftime("%Y%m%d") + f"{draw(sequences):03d}"
    return first17 + resident_id_check_digit(first17)


@FAST
@given(resident_ids(), st.data())
def test_cus11_property_valid_id_passes_and_any_single_change_fails(number, data):
    assert parse_resident_id(number, today=TODAY).number == number
    assert ric.calc_check_digit(number) == number[-1]  # python-stdnum agrees on the check digit
    position = data.draw(st.integers(min_value=0, max_value=17))
    other = data.draw(st.sampled_from([c for c in "0123456789X" if c != number[position]]))
    changed = number[:position] + other + number[position + 1:]
    with pytest.raises(IdentityError):
        parse_resident_id(changed, today=TODAY)


@FAST
@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_cus11_property_check_digit_matches_stdnum(first17):
    assert resident_id_check_digit(first17) == ric.calc_check_digit(first17 + "0")


@FAST
@given(st.from_regex(r"[1-9][1-9][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True), st.data())
def test_cus11_property_uscc_check_matches_stdnum_and_detects_single_changes(first17, data):
    number = first17 + uscc_check_char(first17)
    assert uscc.is_valid(number)
    assert parse_uscc(number) == number
    position = data.draw(st.integers(min_value=8, max_value=17))
    other = data.draw(st.sampled_from([c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != number[position]]))
    with pytest.raises(IdentityError):
        parse_uscc(number[:position] + other + number[position + 1:])


# --- CUS-12 · Name normalisation --------------------------------------------------------------------


def test_cus12_spaces_removed_exact_name_key():
    assert normalise_name("王 小明") == normalise_name("王小明") == "王小明"
    assert normalise_name("王\u3000小明 ") == "王小明"  # full-width space


def test_cus12_traditional_equals_simplified():
    assert normalise_name("陳小明") == normalise_name("陈小明") == "陈小明"


def test_cus12_same_pinyin_different_characters_fuzzy_only():
    assert pinyin_key("王晓明") == pinyin_key("王小明") == "wangxiaoming"
    assert normalise_name("王晓明") != normalise_name("王小明")


def test_cus12_full_width_latin_and_case():
    assert normalise_name("ＺＨＡＮＧ San") == "zhangsan"
    assert pinyin_key("Zhang San") == pinyin_key("张三") == "zhangsan"
    assert pinyin_initials("王小明") == "wxm"
    assert pinyin_initials("Zhang San") == "zs"


def test_cus12_interpunct_variants_and_umlaut():
    assert normalise_name("买买提•艾力") == normalise_name("买买提·艾力") == normalise_name("买买提・艾力")
    assert pinyin_key("买买提·艾力") == "maimaitiaili"
    assert pinyin_key("吕小明") == pinyin_key("呂小明") == "lvxiaoming"


def test_cus12_org_name_without_legal_form_suffix():
    assert org_name_core("华信安装服务有限公司") == "华信安装服务"
    assert org_name_core("华信安装服务股份有限公司") == "华信安装服务"
    assert org_name_core("华信安装服务有限责任公司") == "华信安装服务"
    assert org_name_core("華信安裝服務有限公司") == "华信安装服务"
    assert org_name_core("有限公司") == "有限公司"  # never empty
    keys = name_keys("华信安装服务有限公司", "organisation")
    assert keys.exact == "华信安装服务有限公司" and keys.core == "华信安装服务"
    assert name_keys("王小明").core is None


@FAST
@given(st.text(max_size=30))
def test_cus12_property_normalise_name_is_idempotent(name):
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert not any(c.isspace() for c in once)
    assert pinyin_key(once) == pinyin_key(name)


chinese_names = st.text(alphabet=st.sampled_from("王小明晓陳陈張张李娜國国華华 　ＡBc·•"), min_size=1, max_size=8)


@FAST
@given(chinese_names)
def test_cus12_property_traditional_and_spacing_do_not_change_keys(name):
    keys = name_keys(name)
    again = name_keys(keys.exact)
    # initials split Latin words at spaces, so only they may differ once spaces are gone
    assert (again.exact, again.pinyin, again.core) == (keys.exact, keys.pinyin, keys.core)
    assert name_keys(name.replace("陳", "陈").replace("張", "张")).pinyin == keys.pinyin
