"""CUS-01 required archive fields, per tenant and customer kind: pure, no I/O.

``cus.archive.required.<kind>`` lists tokens; ``a|b`` is satisfied by either. :func:`missing` returns
one :class:`Missing` per unsatisfied token, with the request field a client has to fill
(``phones`` for the phone tokens, ``contacts`` for ``contact_name`` and ``email``, ``extra.<name>``
for an extra archive field) and a message in English and Chinese that names the token. A token naming
no known field (e.g. the field of a plugin the tenant has switched off) is not required.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.customers.archive.settings import BUILTIN_TOKENS

PHONE_TOKENS = ("mobile", "landline", "phone")
_REQUEST_FIELD = {"mobile": "phones", "landline": "phones", "phone": "phones", "contact_name": "contacts",
                  "email": "contacts"}
_ZH = {"name": "名称", "mobile": "手机", "landline": "固定电话", "phone": "电话", "address": "地址",
       "district": "区域", "source": "来源", "category": "客户类别", "lifecycle_stage": "客户阶段",
       "resident_id": "身份证号", "uscc": "统一社会信用代码", "email": "电子邮箱", "contact_name": "联系人姓名"}


@dataclass(frozen=True)
class ArchiveFacts:
    """What the requirement check reads of one customer (after normalisation)."""

    kind: str
    values: Mapping[str, Any]  # name, address, district, source, category, lifecycle_stage, resident_id, uscc
    phone_kinds: frozenset[str] = frozenset()  # kinds of the customer's and its contacts' phones
    contact_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    has_address: bool = False  # an address line on the customer or an address row
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Missing:
    token: str  # the requirement as written: "contact_name", "mobile|landline"
    field: str  # the request field to fill
    en: str
    zh: str


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _satisfied(name: str, facts: ArchiveFacts) -> bool:
    if name == "mobile" or name == "landline":
        return name in facts.phone_kinds
    if name == "phone":
        return bool(facts.phone_kinds)
    if name == "contact_name":
        return any(n.strip() for n in facts.contact_names)
    if name == "email":
        return bool(facts.emails)
    if name == "address":
        return facts.has_address or _present(facts.values.get("address"))
    if name in BUILTIN_TOKENS:
        return _present(facts.values.get(name))
    return _present(facts.extra.get(name))


def missing(requirements: Iterable[str], facts: ArchiveFacts, known_extra: Iterable[str] = (),
            setting: str | None = None) -> list[Missing]:
    """The requirements of ``requirements`` that ``facts`` do not satisfy (CUS-01)."""
    known = set(BUILTIN_TOKENS) | set(known_extra)
    setting = setting or f"cus.archive.required.{facts.kind}"
    out = []
    for token in requirements:
        names = [n for n in token.split("|") if n in known]
        if not names or any(_satisfied(n, facts) for n in names):
            continue
        first = names[0]
        request_field = _REQUEST_FIELD.get(first) or (first if first in BUILTIN_TOKENS else f"extra.{first}")
        either = " or ".join(names)
        en = f"required: {either} ({setting}, CUS-01)"
        if "contact_name" in names:
            en = f"required: contact_name, at least one contact with a name ({setting}, CUS-01)"
        zh = "必填：" + "或".join(_ZH.get(n, n) for n in names) + f"（{setting}，CUS-01）"
        out.append(Missing(token, request_field, en, zh))
    return out
