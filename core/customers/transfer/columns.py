"""The columns of a customer file: what each header means, in Chinese or English.

An import maps each header to a field by :data:`COLUMNS` (case, spaces and full-width forms
ignored); an unknown header is reported once and its column ignored; ``name`` is required. A row
becomes the body of a customer create (the same validation as ``POST /customers``): phones from
``mobile``, ``landline`` and ``phone`` columns (several numbers in one cell split at ``; ，、/``).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: field → accepted headers (the first is the one exports write, then the English name)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名/名称", "name", "姓名", "名称", "客户名称", "客户姓名", "单位名称"),
    "kind": ("类型", "kind", "客户类型"),
    "mobile": ("手机", "mobile", "手机号", "手机号码", "移动电话"),
    "landline": ("座机", "landline", "固定电话", "固话", "办公电话", "电话"),
    "phone": ("其他电话", "phone", "联系电话", "联系方式"),
    "resident_id": ("身份证号", "resident_id", "身份证", "身份证号码", "居民身份证"),
    "uscc": ("统一社会信用代码", "uscc", "信用代码"),
    "birth_date": ("出生日期", "birth_date", "生日"),
    "gender": ("性别", "gender"),
    "district": ("区县", "district", "区域", "所在区"),
    "address": ("地址", "address", "联系地址", "住址"),
    "source": ("来源", "source", "客户来源"),
    "note": ("备注", "note"),
    "category": ("客户类别", "category", "类别"),
    "contact_name": ("联系人", "contact_name", "联系人姓名"),
    "contact_mobile": ("联系人手机", "contact_mobile"),
}
KINDS = {"个人": "person", "person": "person", "自然人": "person", "单位": "organisation", "企业": "organisation",
         "公司": "organisation", "组织": "organisation", "organisation": "organisation", "organization": "organisation"}
GENDERS = {"男": "male", "male": "male", "m": "male", "女": "female", "female": "female", "f": "female"}
_SPLIT = re.compile(r"[;；,，、/]+")


def _key(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header or "")).casefold()


_LOOKUP = {_key(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


def map_header(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """``({column index: field}, [unknown headers])``; a field named twice keeps its first column."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        field = _LOOKUP.get(_key(title))
        if field is None:
            if title.strip():
                unknown.append(title.strip())
        elif field not in mapping.values():
            mapping[index] = field
    return mapping, unknown


def _date(text: str) -> dt.date | str:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # left as text: the create validation names the field


def row_body(mapping: dict[int, str], row: list[str]) -> tuple[dict, dict]:
    """The create body of one row and its field errors found here (kind, gender, birth date)."""
    values = {field: (row[i] if i < len(row) else "") for i, field in mapping.items()}
    body: dict = {}
    errors: dict = {}
    phones = []
    for field, kind in (("mobile", "mobile"), ("landline", "landline"), ("phone", None)):
        for number in _SPLIT.split(values.get(field) or ""):
            if number.strip():
                phones.append({"number": number.strip(), **({"kind": kind} if kind else {})})
    body["phones"] = phones
    for field in ("name", "resident_id", "uscc", "district", "address", "source", "note", "category"):
        if values.get(field):
            body[field] = values[field]
    if values.get("contact_name") or values.get("contact_mobile"):  # an organisation's contact (CUS-01)
        body["contacts"] = [{"name": values.get("contact_name") or None, "mobile": values.get("contact_mobile") or None}]
    if values.get("kind"):
        kind = KINDS.get(_key(values["kind"]))
        if kind is None:
            errors["kind"] = ["个人 or 单位 (person or organisation)"]
        else:
            body["kind"] = kind
    if values.get("gender"):
        gender = GENDERS.get(_key(values["gender"]))
        if gender is None:
            errors["gender"] = ["男 or 女 (male or female)"]
        else:
            body["gender"] = gender
    if values.get("birth_date"):
        birth = _date(values["birth_date"])
        if isinstance(birth, str):
            errors["birth_date"] = ["not a date (2026-03-01)"]
        else:
            body["birth_date"] = birth
    return body, errors
