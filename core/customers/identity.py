"""Identity data of a customer: phones, identity numbers, names (DOMAIN.md CUS-10, CUS-11, CUS-12).

Pure functions: ``(raw value, policy values) → normalised value``; no database, no Flask.

- CUS-10 :func:`normalise_phone` — E.164 with the tenant region (``cus.phone.region = CN``); a Chinese
  mobile is 11 digits starting 1[3-9]; landlines need their area code
  (``cus.phone.landline_requires_area_code = true``) and keep the extension apart.
- CUS-11 :func:`parse_resident_id` (GB 11643, 15-digit legacy numbers upgraded to 18),
  :func:`parse_uscc` (GB 32100), :func:`parse_document` (passports, HK/Macau and Taiwan permits: typed,
  without checksum).
- CUS-12 :func:`normalise_name`, :func:`pinyin_key`, :func:`org_name_core`, :func:`name_keys`.
- CUS-70 :func:`mask_phone`, :func:`mask_resident_id` (the masks named by the spec, used in reasons).

Invalid input raises :class:`IdentityError`: a ``ValueError`` and an :class:`~core.errors.InvalidInput`
(HTTP 422) with ``field``, ``code``, an English message and its Chinese twin ``zh``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import opencc
import phonenumbers
from phonenumbers import PhoneNumberType
from pypinyin import Style, lazy_pinyin

from core.errors import InvalidInput

__all__ = [
    "DEFAULT_ORG_SUFFIXES",
    "DOCUMENT_TYPES",
    "HK_MACAU_PERMIT",
    "LANDLINE",
    "MOBILE",
    "OTHER",
    "PASSPORT",
    "RESIDENT_ID",
    "TAIWAN_PERMIT",
    "USCC",
    "IdentityDocument",
    "IdentityError",
    "NameKeys",
    "PhoneResult",
    "PhoneSettings",
    "ResidentId",
    "is_valid_resident_id",
    "mask_phone",
    "mask_resident_id",
    "name_keys",
    "normalise_name",
    "normalise_phone",
    "org_name_core",
    "parse_document",
    "parse_resident_id",
    "parse_uscc",
    "pinyin_initials",
    "pinyin_key",
    "policy_value",
    "resident_id_check_digit",
    "upgrade_resident_id",
    "uscc_check_char",
]


class IdentityError(InvalidInput, ValueError):
    """A refused identity value (CUS-10/11/12): HTTP 422 naming ``field``.

    ``code`` is stable for clients (``area_code_required``, ``checksum``…); ``str(err)`` and ``en`` are
    English, ``zh`` Chinese.
    """

    def __init__(self, field: str, code: str, en: str, zh: str, rule_id: str):
        super().__init__(en, fields={field: [en]}, code=code, zh=zh, rule_id=rule_id)
        self.field = field
        self.code = code
        self.en = en
        self.zh = zh
        self.rule_id = rule_id


def policy_value(values: Mapping[str, Any] | None, path: str, default: Any) -> Any:
    """A setting from a loaded ``cus`` policy: nested (``{"phone": {"region": …}}``) or dotted keys."""
    if not values:
        return default
    if path in values:
        return values[path]
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


# ---------------------------------------------------------------------------------------------------
# CUS-10 · Phone normalisation
# ---------------------------------------------------------------------------------------------------

MOBILE = "mobile"
LANDLINE = "landline"
OTHER = "other"  #: valid but neither: 400/800 service numbers, VoIP, shared-cost…

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")  # CUS-10: 11 digits starting 1[3-9]
_CN_LOCAL = re.compile(r"^[2-9]\d{6,7}$")  # a landline's local part, 7 or 8 digits
_EXTENSION = re.compile(r"^(?P<number>.*?)\s*(?:转|分机|ext\.?|extn\.?|x|#)\s*(?P<ext>\d{1,6})\s*$", re.IGNORECASE)
_TRAILING_DASH_EXT = re.compile(r"^(?P<number>.*\d)\s*-\s*(?P<ext>\d{1,5})$")
_SEPARATORS = re.compile(r"[\s\-./()\u00a0]")

_TYPE_KIND = {
    PhoneNumberType.MOBILE: MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: MOBILE,
    PhoneNumberType.FIXED_LINE: LANDLINE,
}


@dataclass(frozen=True)
class PhoneSettings:
    """``cus.phone.*`` (CUS-10)."""

    region: str = "CN"
    landline_requires_area_code: bool = True

    @classmethod
    def from_policy(cls, values: Mapping[str, Any] | None) -> PhoneSettings:
        return cls(
            region=str(policy_value(values, "phone.region", "CN")).upper(),
            landline_requires_area_code=bool(policy_value(values, "phone.landline_requires_area_code", True)),
        )


@dataclass(frozen=True)
class PhoneResult:
    """A normalised phone number (CUS-10).

    ``e164`` is what is stored and compared (``+8613800138000``, ``+868302345678``); it is ``None`` only
    for a landline without area code accepted under ``landline_requires_area_code = false``, whose
    ``local_number`` is then stored. ``area_code`` is written the domestic way (``0830``, ``010``).
    """

    e164: str | None
    kind: str
    country_code: int
    national_number: str
    area_code: str | None = None
    local_number: str | None = None
    extension: str | None = None
    fixed_or_mobile: bool = False  # the number plan cannot tell (e.g. US numbers); kind says mobile

    @property
    def stored(self) -> str:
        """The value to store and compare: E.164, or the bare local number (see class doc)."""
        return self.e164 or (self.local_number or self.national_number)

    @property
    def display(self) -> str:
        """Domestic display: ``138 0013 8000``, ``0830-2345678 转12``; foreign numbers in E.164."""
        if self.country_code != 86:
            text = self.e164 or self.national_number
        elif self.kind == OTHER and self.e164:
            text = phonenumbers.format_number(phonenumbers.parse(self.e164),
                                              phonenumbers.PhoneNumberFormat.NATIONAL)
        elif self.kind == MOBILE:
            n = self.national_number
            text = f"{n[:3]} {n[3:7]} {n[7:]}"
        elif self.area_code:
            text = f"{self.area_code}-{self.local_number}"
        else:
            text = self.local_number or self.national_number
        return f"{text} 转{self.extension}" if self.extension else text


def _phone_error(field: str, code: str, en: str, zh: str) -> IdentityError:
    return IdentityError(field, code, en, zh, "CUS-10")


def _split_extension(text: str) -> tuple[str, str | None]:
    m = _EXTENSION.match(text)
    if m and re.search(r"\d", m.group("number")):
        return m.group("number"), m.group("ext")
    return text, None


def normalise_phone(raw: str, region: str = "CN", *, landline_requires_area_code: bool = True,
                    default_area_code: str | None = None, expect: str | None = None,
                    field: str = "phone") -> PhoneResult:
    """Normalise a phone number (CUS-10), refusing invalid ones with :class:`IdentityError` (422).

    Accepts spaces, dashes, dots, brackets, full-width digits, ``+86``/``0086``/``86`` prefixes and an
    extension written ``转12``, ``ext 12``, ``#12`` or, after a complete landline, ``-12``.

    - Chinese numbers (country code 86): a mobile is exactly 11 digits starting 1[3-9] (the spec's
      definition, not the number plan's current allocations); anything else is a landline and must be
      valid in the number plan. A landline without area code is refused when
      ``landline_requires_area_code`` (default ``cus.phone.landline_requires_area_code = true``);
      otherwise ``default_area_code`` (e.g. ``"0830"``) is prefixed if given, else it is kept as a bare
      local number (``e164 = None``).
    - Other countries: valid by the ``phonenumbers`` plan; ``FIXED_LINE_OR_MOBILE`` counts as mobile.
    - ``expect`` (``"mobile"``/``"landline"``) refuses a number of the other kind (the CUS-01 fields
      ``mobile`` and ``landline``); a mobile never carries an extension.
    """
    if raw is None or not str(raw).strip():
        raise _phone_error(field, "empty", "phone number is empty", "电话号码为空")
    known = _CANONICAL.get(raw) if isinstance(raw, str) and raw.startswith("+") else None
    if known is not None:  # an E.164 value this process produced: its result (no parsing again)
        return _check_expected(known, raw, expect, field)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text, extension = _split_extension(text)
    compact = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?\d+", compact):
        raise _phone_error(field, "invalid_characters",
                           f"phone number {raw!r} contains characters that are not part of a phone number",
                           f"电话号码「{raw}」含有非电话号码字符")
    region = (region or "CN").upper()
    result = _parse(compact, region, raw, field, landline_requires_area_code, default_area_code)
    if result is None and extension is None:
        # "0830-2345678-12": a trailing dash group after a complete landline is its extension.
        m = _TRAILING_DASH_EXT.match(text)
        if m:
            number = _SEPARATORS.sub("", m.group("number"))
            try:
                result = _parse(number, region, raw, field, landline_requires_area_code, default_area_code)
            except IdentityError:
                result = None
            if result is not None and result.kind == LANDLINE:
                extension = m.group("ext")
            else:
                result = None
    if result is None:
        raise _phone_error(field, "invalid_number", f"{raw!r} is not a valid phone number",
                           f"「{raw}」不是有效的电话号码")
    if result.e164:
        _remember(result)
    if extension:
        if result.kind == MOBILE:
            raise _phone_error(field, "extension_on_mobile", "a mobile number has no extension",
                               "手机号码不能带分机号")
        result = replace(result, extension=extension)
    return _check_expected(result, raw, expect, field)


#: E.164 value → its result (without extension): normalising a stored value again is an identity, and
#: parsing Chinese landlines is the slow part of an import (each number is read more than once)
_CANONICAL: dict[str, PhoneResult] = {}
_CANONICAL_MAX = 1 << 17


def _remember(result: PhoneResult) -> None:
    if len(_CANONICAL) >= _CANONICAL_MAX:
        _CANONICAL.clear()
    _CANONICAL[result.e164] = result


def _check_expected(result: PhoneResult, raw, expect: str | None, field: str) -> PhoneResult:
    if expect == MOBILE and result.kind != MOBILE:
        raise _phone_error(field, "not_mobile", f"{raw!r} is not a mobile number", f"「{raw}」不是手机号码")
    if expect == LANDLINE and result.kind == MOBILE and not result.fixed_or_mobile:
        raise _phone_error(field, "not_landline", f"{raw!r} is a mobile number, not a landline",
                           f"「{raw}」是手机号码，不是座机号码")
    return result


def _cn_national(compact: str) -> tuple[str, str] | None:
    """The national significant number of a Chinese number and how it was written: ``"country"``
    (``+86``/``0086``/``86``), ``"trunk"`` (leading ``0``, i.e. with area code) or ``"bare"``.
    None when the number is international and not Chinese."""
    if compact.startswith(("+86", "0086")):
        return compact[3 if compact[0] == "+" else 4:].lstrip("0"), "country"  # "+86 0830 …" → 830…
    if compact.startswith(("+", "00")):
        return None
    if compact.startswith("86") and len(compact) == 13 and _CN_MOBILE.match(compact[2:]):
        return compact[2:], "country"
    if compact.startswith("0"):
        return compact[1:], "trunk"
    return compact, "bare"


def _parse(compact: str, region: str, raw: str, field: str, requires_area_code: bool,
           default_area_code: str | None) -> PhoneResult | None:
    cn = _cn_national(compact) if region == "CN" or compact.startswith(("+86", "0086")) else None
    if cn is not None:
        national, written = cn
        if _CN_MOBILE.match(national):
            return PhoneResult(e164=f"+86{national}", kind=MOBILE, country_code=86, national_number=national)
        if national.startswith("1") and len(national) == 11:
            raise _phone_error(field, "invalid_mobile",
                               f"{raw!r} is not a valid Chinese mobile number (11 digits starting 13–19)",
                               f"「{raw}」不是有效的手机号码（应为以13–19开头的11位数字）")
        if written != "trunk" and _CN_LOCAL.match(national):
            # 7–8 digits and no trunk 0: a local number without its area code.
            if default_area_code and not requires_area_code:
                area = default_area_code.lstrip("0")
                return _parse(f"+86{area}{national}", region, raw, field, requires_area_code, None)
            if requires_area_code:
                raise _phone_error(field, "area_code_required",
                                   f"landline {raw!r} needs its area code, e.g. 0830-2345678",
                                   f"座机号码「{raw}」需加上区号，例如 0830-2345678")
            return PhoneResult(e164=None, kind=LANDLINE, country_code=86, national_number=national,
                               local_number=national)
        compact = f"+86{national}"
    elif compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    number_type = phonenumbers.number_type(number)
    kind = _TYPE_KIND.get(number_type, OTHER)
    if number.country_code == 86 and kind == MOBILE and not _CN_MOBILE.match(national):
        kind = OTHER
    area_code = local = None
    if kind == LANDLINE:
        length = phonenumbers.length_of_geographical_area_code(number)
        if length:
            area_code = ("0" if number.country_code == 86 else "") + national[:length]
            local = national[length:]
    return PhoneResult(e164=e164, kind=kind, country_code=number.country_code, national_number=national,
                       area_code=area_code, local_number=local,
                       fixed_or_mobile=number_type == PhoneNumberType.FIXED_LINE_OR_MOBILE)


def mask_phone(value: str) -> str:
    """CUS-70 mask of a phone: ``+8613800138000`` → ``138****8000`` (first 3 and last 4 national
    digits kept). Used in decision reasons, which roles without ``pii.view`` may read."""
    digits = value[3:] if value.startswith("+86") else value.lstrip("+")
    if len(digits) <= 7:
        return "*" * max(len(digits) - 2, 0) + digits[-2:]
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


# ---------------------------------------------------------------------------------------------------
# CUS-11 · Identity numbers
# ---------------------------------------------------------------------------------------------------

RESIDENT_ID = "resident_id"
USCC = "uscc"
PASSPORT = "passport"
HK_MACAU_PERMIT = "hk_macau_permit"
TAIWAN_PERMIT = "taiwan_permit"
#: CUS-11 document types. Passports and permits are typed documents without checksum.
DOCUMENT_TYPES = (RESIDENT_ID, USCC, PASSPORT, HK_MACAU_PERMIT, TAIWAN_PERMIT)

_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # GB 11643: 2^(18-i) mod 11
#: first two digits of a resident id: provinces (GB/T 2260), 71 Taiwan, 81/82/83 the residence
#: permits of Hong Kong, Macau and Taiwan residents (same format and checksum).
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})
_EARLIEST_BIRTH = dt.date(1850, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    """A valid resident id (居民身份证号, CUS-11), always 18 characters with an upper-case ``X``."""

    number: str
    birth_date: dt.date
    gender: str  # "male" (odd 17th digit) | "female" (even)
    region_code: str  # 6 digits (GB/T 2260 at issue; may be a retired code)
    upgraded_from: str | None = None  # the 15-digit legacy number it came from

    @property
    def province_code(self) -> str:
        return self.region_code[:2]


def _id_error(field: str, code: str, en: str, zh: str) -> IdentityError:
    return IdentityError(field, code, en, zh, "CUS-11")


def resident_id_check_digit(first17: str) -> str:
    """GB 11643 check character of the first 17 digits: ``(12 - Σ wᵢ·aᵢ mod 11) mod 11``, 10 → ``X``."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("the check digit needs exactly 17 digits")
    value = (12 - sum(w * int(d) for w, d in zip(_RIC_WEIGHTS, first17)) % 11) % 11
    return "X" if value == 10 else str(value)


def upgrade_resident_id(legacy15: str) -> str:
    """A 15-digit legacy number → its 18-character form (CUS-11): century ``19`` inserted before the
    ``yymmdd`` birth date, check digit appended. Validity is checked by :func:`parse_resident_id`."""
    if len(legacy15) != 15 or not legacy15.isdigit():
        raise ValueError("a legacy resident id has exactly 15 digits")
    first17 = f"{legacy15[:6]}19{legacy15[6:]}"
    return first17 + resident_id_check_digit(first17)


def parse_resident_id(raw: str, *, today: dt.date | None = None, check_region: bool = True,
                      earliest_birth: dt.date = _EARLIEST_BIRTH, field: str = "resident_id") -> ResidentId:
    """Validate and normalise a resident id (CUS-11), or raise :class:`IdentityError` (422).

    18 characters, GB 11643 check digit (``x`` upper-cased), a real birth date not after ``today``
    (default: the system date) nor before ``earliest_birth``; the first two digits a province (or
    71/81/82/83) when ``check_region``. A 15-digit legacy number is upgraded to 18 first.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()
    upgraded_from = None
    if len(text) == 15 and text.isdigit():
        upgraded_from, text = text, upgrade_resident_id(text)
    if len(text) != 18:
        raise _id_error(field, "length", "a resident id has 18 characters (or 15 digits for a legacy one)",
                        "身份证号码应为18位（旧号码15位）")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise _id_error(field, "format", "a resident id is 17 digits followed by a digit or X",
                        "身份证号码应为17位数字加1位数字或X")
    if check_region and text[:2] not in _PROVINCES:
        raise _id_error(field, "region", f"{text[:2]} is not a province code of a resident id",
                        f"身份证号码的省级代码「{text[:2]}」无效")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise _id_error(field, "birth_date", f"{text[6:14]} is not a valid birth date",
                        f"出生日期「{text[6:14]}」无效") from None
    today = today or dt.date.today()
    if birth > today:
        raise _id_error(field, "birth_date", f"birth date {birth.isoformat()} is in the future",
                        f"出生日期{birth.isoformat()}晚于今天")
    if birth < earliest_birth:
        raise _id_error(field, "birth_date", f"birth date {birth.isoformat()} is before {earliest_birth}",
                        f"出生日期{birth.isoformat()}早于{earliest_birth.isoformat()}")
    if text[17] != resident_id_check_digit(text[:17]):
        raise _id_error(field, "checksum", "the resident id's check digit is wrong (GB 11643)",
                        "身份证号码校验位错误")
    return ResidentId(number=text, birth_date=birth, gender="male" if int(text[16]) % 2 else "female",
                      region_code=text[:6], upgraded_from=upgraded_from)


def is_valid_resident_id(raw: str, **kwargs: Any) -> bool:
    try:
        parse_resident_id(raw, **kwargs)
    except IdentityError:
        return False
    return True


def mask_resident_id(number: str) -> str:
    """CUS-70 mask: ``11010519491231002X`` → ``110105********002X``."""
    if len(number) != 18:
        return "*" * max(len(number) - 4, 0) + number[-4:]
    return f"{number[:6]}{'*' * 8}{number[14:]}"


# GB 32100: 31 characters (no I, O, Z, S, V); weights 3^(i) mod 31.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_REGISTRAR = frozenset("123456789ANY")  # registration authority (登记管理部门) code


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a USCC."""
    total = sum(w * _USCC_ALPHABET.index(c) for w, c in zip(_USCC_WEIGHTS, first17))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(raw: str, *, field: str = "uscc") -> str:
    """Validate and normalise a unified social credit code (统一社会信用代码, CUS-11, GB 32100).

    18 characters from the 31-character alphabet; 1st a registration authority (1–9, A, N, Y),
    3rd–8th the 6-digit administrative division; check character last. Returns it upper-cased.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()
    if len(text) != 18:
        raise _id_error(field, "length", "a unified social credit code has 18 characters",
                        "统一社会信用代码应为18位")
    if (any(c not in _USCC_ALPHABET for c in text) or text[0] not in _USCC_REGISTRAR
            or not text[2:8].isdigit()):
        raise _id_error(field, "format", "not a unified social credit code (GB 32100 format)",
                        "统一社会信用代码格式错误")
    if text[17] != uscc_check_char(text[:17]):
        raise _id_error(field, "checksum", "the unified social credit code's check character is wrong (GB 32100)",
                        "统一社会信用代码校验位错误")
    return text


@dataclass(frozen=True)
class IdentityDocument:
    """A typed identity document (CUS-11). ``resident`` is set for resident ids."""

    type: str
    number: str
    resident: ResidentId | None = None

    @property
    def key(self) -> str:
        """Lookup key for duplicate detection (CUS-13): ``resident_id:11010519491231002X``."""
        return f"{self.type}:{self.number}"


def parse_document(doc_type: str, raw: str, *, today: dt.date | None = None,
                   field: str | None = None) -> IdentityDocument:
    """Normalise any CUS-11 document. Resident ids and USCCs are checked as above; passports and
    HK/Macau/Taiwan permits are stored without checksum: upper-cased, separators and brackets removed,
    5–20 letters and digits."""
    field = field or doc_type
    if doc_type == RESIDENT_ID:
        rid = parse_resident_id(raw, today=today, field=field)
        return IdentityDocument(RESIDENT_ID, rid.number, rid)
    if doc_type == USCC:
        return IdentityDocument(USCC, parse_uscc(raw, field=field))
    if doc_type not in DOCUMENT_TYPES:
        raise ValueError(f"unknown identity document type {doc_type!r}; expected one of {DOCUMENT_TYPES}")
    text = re.sub(r"[\s\-./()\[\]]", "", unicodedata.normalize("NFKC", str(raw or ""))).upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", text):
        raise _id_error(field, "format", "a document number has 5–20 letters and digits",
                        "证件号码应为5–20位字母或数字")
    return IdentityDocument(doc_type, text)


# ---------------------------------------------------------------------------------------------------
# CUS-12 · Name normalisation
# ---------------------------------------------------------------------------------------------------

#: legal-form suffixes dropped for fuzzy organisation matches only (CUS-12), longest first.
DEFAULT_ORG_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")

_T2S = opencc.OpenCC("t2s")
# Interpuncts of minority and foreign names (买买提·艾力): all variants compare as U+00B7.
_DOTS = str.maketrans({c: "·" for c in "\u30fb\uff65\u2022\u2027\u2219\u22c5\u0387\u16eb\u2e31\u318d"})
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


@functools.lru_cache(maxsize=None)  # bounded by the characters in use
def _may_be_traditional(ch: str) -> bool:
    return _T2S.convert(ch) != ch


def _to_simplified(text: str) -> str:
    """OpenCC ``t2s`` (phrase-aware), skipped when no character of ``text`` has a Simplified form:
    most names are Simplified already and the phrase conversion is the slow part of a name key."""
    if any(_may_be_traditional(ch) for ch in text):
        return _T2S.convert(text)
    return text


def _normalise_once(text: str, keep_spaces: bool = False) -> str:
    text = unicodedata.normalize("NFKC", text)  # full-width → half-width, U+3000 → space
    text = text.translate(_DOTS)
    text = _to_simplified(text)
    text = text.casefold()
    return _INVISIBLE.sub(" " if keep_spaces else "", text).strip()


@functools.lru_cache(maxsize=65536)  # pure; names repeat (imports of 100,000 rows)
def _fixed_point(text: str, keep_spaces: bool = False) -> str:
    # Traditional→Simplified tables are not always idempotent (薴→苧→苎), nor is NFKC after
    # case-folding: repeat until stable so that the key of a key is the key.
    for _ in range(5):
        again = _normalise_once(text, keep_spaces)
        if again == text:
            break
        text = again
    return text


def normalise_name(name: str) -> str:
    """The exact name key (CUS-12): all whitespace removed (ASCII, full-width, zero-width),
    full-width → half-width (NFKC), Traditional → Simplified (OpenCC ``t2s``), Latin case-folded,
    interpunct variants unified to ``·``. Idempotent. ``王 小明`` → ``王小明``; ``陳小明`` → ``陈小明``."""
    return _fixed_point(str(name or ""))


@functools.lru_cache(maxsize=None)  # bounded by the characters in use
def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK ") and unicodedata.category(ch) == "Lo"


@functools.lru_cache(maxsize=None)  # bounded by the Han characters in use
def _han_syllable(ch: str) -> str:
    # one character at a time: each character always gets its default reading, so the key does not
    # depend on the neighbouring characters (王晓明 and 王小明 agree); ü is written v
    syllables = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return syllables[0] if syllables else ""


def _syllables(text: str) -> list[str]:
    """Pinyin syllables (toneless) for Han characters, one token per Latin/digit run of ``text``
    (already normalised)."""
    tokens: list[str] = []
    run = ""
    for ch in text:
        if _is_han(ch):
            if run:
                tokens.append(run)
                run = ""
            tokens.append(_han_syllable(ch))
        elif ch.isalnum():
            run += ch
        elif run:
            tokens.append(run)
            run = ""
    if run:
        tokens.append(run)
    return [t for t in tokens if t]


def pinyin_key(name: str) -> str:
    """Toneless pinyin key for fuzzy matching (CUS-12): ``王晓明`` and ``王小明`` → ``wangxiaoming``.
    Computed on :func:`normalise_name`, so equal names have equal keys; Latin letters and digits are
    kept, separators and punctuation dropped; ``ü`` of Han characters is written ``v``."""
    return "".join(_syllables(normalise_name(name)))


def pinyin_initials(name: str) -> str:
    """Initials of the pinyin syllables and Latin words (split at spaces): ``王小明`` → ``wxm``,
    ``Zhang San`` → ``zs``."""
    return "".join(t[0] for t in _syllables(_fixed_point(str(name or ""), keep_spaces=True)))


def org_name_core(name: str, suffixes: Iterable[str] = DEFAULT_ORG_SUFFIXES) -> str:
    """An organisation name without its legal-form suffix, for fuzzy matches only (CUS-12):
    ``华信安装服务有限公司`` → ``华信安装服务``. One suffix is removed, the longest that matches."""
    key = normalise_name(name)
    for suffix in sorted((normalise_name(s) for s in suffixes), key=len, reverse=True):
        if suffix and key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class NameKeys:
    """Every comparison key of a name (CUS-12): ``exact`` decides exact-name rules; ``pinyin``,
    ``initials`` and ``core`` (organisations without legal-form suffix) are for fuzzy matches only."""

    exact: str
    pinyin: str
    initials: str
    core: str | None = None


def name_keys(name: str, kind: str = "person", *, org_suffixes: Iterable[str] = DEFAULT_ORG_SUFFIXES) -> NameKeys:
    """All CUS-12 keys of a name; ``core`` only for ``kind = "organisation"``."""
    return NameKeys(
        exact=normalise_name(name),
        pinyin=pinyin_key(name),
        initials=pinyin_initials(name),
        core=org_name_core(name, org_suffixes) if kind == "organisation" else None,
    )
