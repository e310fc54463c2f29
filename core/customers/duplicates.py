"""Duplicate detection, households and merges (DOMAIN.md CUS-13, CUS-14, CUS-15).

Pure functions over identity facts; no database, no Flask. A service loads the tenant's candidates
(ideally only those sharing a key: store :func:`match_keys` in an indexed column or side table and
query ``key IN match_keys(new)``), calls :func:`find_duplicates` and acts on the verdict: 409 with the
existing id when ``verdict.refused``, else create and attach ``verdict.likely`` / ``verdict.households``
as warnings. Every verdict and outcome carries its rule id and a reason in Chinese and English.

- CUS-13 :class:`Candidate`, :func:`match_keys`, :func:`find_duplicates`, :func:`check_import`,
  :class:`DuplicateIndex`, :class:`DedupeSettings` (``cus.dedupe.*``).
- CUS-14 :func:`link_kind`, :func:`household_groups`, :func:`household_ownership`,
  :class:`HouseholdSettings` (``cus.household.*``).
- CUS-15 :func:`plan_merge`, :func:`plan_undo`, :func:`undo_moves`, :class:`MergeSettings`
  (``cus.merge.*``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar import WorkCalendar
from core.errors import Conflict

from .identity import (
    DEFAULT_ORG_SUFFIXES,
    DOCUMENT_TYPES,
    LANDLINE,
    MOBILE,
    PASSPORT,
    RESIDENT_ID,
    USCC,
    IdentityError,
    mask_phone,
    mask_resident_id,
    normalise_name,
    normalise_phone,
    org_name_core,
    parse_document,
    parse_resident_id,
    parse_uscc,
    pinyin_key,
    policy_value,
)

__all__ = [
    "LIKELY_FAMILIES",
    "MERGE_MOVES",
    "Candidate",
    "DedupeSettings",
    "DuplicateIndex",
    "DuplicateVerdict",
    "ExactMatch",
    "HouseholdHint",
    "HouseholdOwnership",
    "HouseholdSettings",
    "LikelyMatch",
    "Link",
    "MergePlan",
    "MergeSettings",
    "MergeSide",
    "OwnerClaim",
    "UndoPlan",
    "check_import",
    "find_duplicates",
    "household_groups",
    "household_ownership",
    "link_kind",
    "match_keys",
    "plan_merge",
    "plan_undo",
    "undo_moves",
]

PERSON = "person"
ORGANISATION = "organisation"
KINDS = (PERSON, ORGANISATION)

# ---------------------------------------------------------------------------------------------------
# CUS-13 · keys and settings
# ---------------------------------------------------------------------------------------------------

NAME_LANDLINE = "name+landline"
NAME_BIRTH_DATE = "name+birth_date"
PINYIN_DISTRICT = "pinyin+district"
ORG_NAME_CORE = "org_name_core"
#: the likely-duplicate rules of CUS-13, in the spec's order.
LIKELY_FAMILIES = (NAME_LANDLINE, NAME_BIRTH_DATE, PINYIN_DISTRICT, ORG_NAME_CORE)
#: key family of a bare landline: no rule of its own, it finds household hints (CUS-13 → CUS-14).
LANDLINE_HINT = "landline"
#: families that may be exact rules: the mobile and every CUS-11 document type.
EXACT_BUILTIN = (MOBILE, *DOCUMENT_TYPES)
_RESERVED = frozenset((*EXACT_BUILTIN, *LIKELY_FAMILIES, LANDLINE_HINT))

#: ranking of likely matches (0–100, higher first). The spec sets no score or threshold: every likely
#: match warns; the score only orders the warnings.
DEFAULT_LIKELY_WEIGHTS = {NAME_BIRTH_DATE: 90, NAME_LANDLINE: 85, ORG_NAME_CORE: 75, PINYIN_DISTRICT: 60}

#: (zh, en) labels of the exact families; plugins add theirs through ``DedupeSettings.labels``.
DEFAULT_LABELS = {
    MOBILE: ("手机号", "mobile"),
    RESIDENT_ID: ("身份证号", "resident ID"),
    USCC: ("统一社会信用代码", "unified social credit code"),
    PASSPORT: ("护照号码", "passport number"),
    "hk_macau_permit": ("港澳居民来往内地通行证号码", "Hong Kong/Macau permit number"),
    "taiwan_permit": ("台湾居民来往大陆通行证号码", "Taiwan permit number"),
    "vin": ("车架号（VIN）", "VIN"),
}


@dataclass(frozen=True)
class DedupeSettings:
    """``cus.dedupe.*`` (CUS-13).

    ``exact``: families that refuse creation (409): ``mobile``, the CUS-11 document types and plugin key
    names. ``plugin_keys_exact``: a plugin key carried by a record (CAR: ``vin``) is exact even when not
    listed (the spec: "or a plugin key"). ``likely``: subset of :data:`LIKELY_FAMILIES`.
    ``suggest_households``: a phone shared by persons with different names hints at a household.
    """

    exact: tuple[str, ...] = (MOBILE, RESIDENT_ID, USCC)
    likely: tuple[str, ...] = LIKELY_FAMILIES
    plugin_keys_exact: bool = True
    suggest_households: bool = True
    likely_weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LIKELY_WEIGHTS))
    labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_LABELS))

    def __post_init__(self) -> None:
        object.__setattr__(self, "exact", tuple(self.exact))
        object.__setattr__(self, "likely", tuple(self.likely))
        unknown = [f for f in self.likely if f not in LIKELY_FAMILIES]
        if unknown:
            raise ValueError(f"cus.dedupe.likely: unknown rules {unknown}; expected some of {LIKELY_FAMILIES}")
        wrong = [f for f in self.exact if f in LIKELY_FAMILIES or f == LANDLINE_HINT or not f]
        if wrong:
            raise ValueError(f"cus.dedupe.exact: {wrong} cannot be exact keys")

    @classmethod
    def from_policy(cls, values: Mapping[str, Any] | None, **overrides: Any) -> DedupeSettings:
        """From a loaded ``cus`` policy (nested ``{"dedupe": {"exact": …}}`` or dotted keys)."""
        return cls(exact=tuple(policy_value(values, "dedupe.exact", cls.exact)),
                   likely=tuple(policy_value(values, "dedupe.likely", cls.likely)), **overrides)

    def is_exact(self, family: str) -> bool:
        if family in self.exact:
            return True
        return self.plugin_keys_exact and family not in _RESERVED

    def label(self, family: str) -> tuple[str, str]:
        return self.labels.get(family) or (family.upper(), family.upper())


def _pairs(value: Mapping[str, Any] | Iterable[tuple[str, str]] | None) -> tuple[tuple[str, str], ...]:
    if not value:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    out: list[tuple[str, str]] = []
    for name, values in items:
        for v in ([values] if isinstance(values, str) else values):
            out.append((str(name), str(v)))
    return tuple(out)


@dataclass(frozen=True)
class Candidate:
    """Identity facts of one customer, existing or about to be created (CUS-01 fields used by CUS-13).

    Values may be raw or already normalised (normalisers are idempotent); a value that does not
    normalise (legacy junk) is ignored for matching — validation (422) is the creating service's job.
    ``phones`` mixes mobiles and landlines: the kind is the number's own (CUS-10). ``documents`` holds
    ``(type, number)`` pairs of passports and permits; ``plugin_keys`` ``(name, value)`` pairs or a
    mapping (``{"vin": ["LSVAU2180N2183294"]}``). ``birth_date`` defaults to the resident ids' birth
    dates. ``keys``: pre-computed :func:`match_keys` (e.g. from a column); computed when None.
    """

    id: int | str | None
    tenant_id: int | str
    name: str
    kind: str = PERSON
    aliases: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    resident_ids: tuple[str, ...] = ()
    usccs: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()
    birth_date: dt.date | None = None
    district: str | None = None
    plugin_keys: tuple[tuple[str, str], ...] = ()
    keys: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"customer kind must be one of {KINDS}, got {self.kind!r}")
        for attr in ("aliases", "phones", "resident_ids", "usccs"):
            value = getattr(self, attr)
            object.__setattr__(self, attr, (value,) if isinstance(value, str) else tuple(value))
        object.__setattr__(self, "documents", _pairs(self.documents))
        object.__setattr__(self, "plugin_keys", _pairs(self.plugin_keys))
        reserved = sorted({name for name, _ in self.plugin_keys} & _RESERVED)
        if reserved:
            raise ValueError(f"plugin keys may not reuse built-in key names {reserved}")
        if self.keys is not None:
            object.__setattr__(self, "keys", frozenset(self.keys))

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def label(self) -> str:
        return f"{self.name}（#{self.id}）" if self.id is not None else self.name

    @property
    def label_en(self) -> str:
        return f"{self.name} (#{self.id})" if self.id is not None else self.name


_STORED_CN_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")


@functools.lru_cache(maxsize=1 << 17)  # pure; a phone is looked at several times per import row
def _phone_key(raw: str) -> tuple[str, str] | None:
    if _STORED_CN_MOBILE.match(raw):  # already normalised (CUS-10): the common case, no parsing
        return MOBILE, raw
    try:
        result = normalise_phone(raw, landline_requires_area_code=False)
    except IdentityError:
        return None
    return result.kind, result.stored


def _phones(record: Candidate) -> Iterator[tuple[str, str]]:
    """(kind, stored value) of each phone that normalises (CUS-10)."""
    for raw in record.phones:
        key = _phone_key(raw)
        if key is not None:
            yield key


def _resident_ids(record: Candidate) -> list:
    out = []
    for raw in record.resident_ids:
        try:
            # "today" far ahead: an existing record never stops matching because of the clock.
            out.append(parse_resident_id(raw, today=dt.date.max))
        except IdentityError:
            continue
    return out


def _birth_dates(record: Candidate, residents: list) -> set[dt.date]:
    dates = {r.birth_date for r in residents}
    if record.birth_date:
        dates.add(record.birth_date)
    return dates


def _exact_names(record: Candidate) -> set[str]:
    return {k for k in (normalise_name(n) for n in record.names) if k}


def match_keys(record: Candidate, *, org_suffixes: Iterable[str] = DEFAULT_ORG_SUFFIXES) -> frozenset[str]:
    """Every lookup key of a record (CUS-13), ``family:value`` — independent of the tenant's settings,
    so a stored key column survives a policy change (the settings only decide which families count):

    - ``mobile:+8613800138000``, ``resident_id:11010519491231002X``, ``uscc:…``, ``passport:…``,
      ``hk_macau_permit:…``, ``taiwan_permit:…``, plugin keys ``vin:…``;
    - ``name+landline:王小明|+868302345678``, ``name+birth_date:王小明|1949-12-31``,
      ``pinyin+district:wangxiaoming|朝阳区``, ``org_name_core:华信安装服务`` (organisations);
    - ``landline:+868302345678`` (household hints).

    Keys hold PII in clear (they must compare equal); store them with the same protection as the
    values. Tenant scoping is the store's: keys never cross tenants (CUS-13).
    """
    keys: set[str] = set()
    names = _exact_names(record)
    pinyins = {k for k in (pinyin_key(n) for n in record.names) if k}
    residents = _resident_ids(record)
    for kind, value in _phones(record):
        if kind == MOBILE:
            keys.add(f"{MOBILE}:{value}")
        elif kind == LANDLINE:
            keys.add(f"{LANDLINE_HINT}:{value}")
            keys.update(f"{NAME_LANDLINE}:{n}|{value}" for n in names)
    keys.update(f"{RESIDENT_ID}:{r.number}" for r in residents)
    for raw in record.usccs:
        try:
            keys.add(f"{USCC}:{parse_uscc(raw)}")
        except IdentityError:
            continue
    for doc_type, raw in record.documents:
        try:
            keys.add(parse_document(doc_type, raw, today=dt.date.max).key)
        except (IdentityError, ValueError):
            continue
    for name, value in record.plugin_keys:
        value = "".join(value.split()).upper()
        if value:
            keys.add(f"{name}:{value}")
    if record.kind == PERSON:
        keys.update(f"{NAME_BIRTH_DATE}:{n}|{d.isoformat()}" for n in names for d in _birth_dates(record, residents))
    district = normalise_name(record.district or "")
    if district:
        keys.update(f"{PINYIN_DISTRICT}:{p}|{district}" for p in pinyins)
    if record.kind == ORGANISATION:
        keys.update(f"{ORG_NAME_CORE}:{c}" for c in (org_name_core(n, org_suffixes) for n in record.names) if c)
    return frozenset(keys)


def _keys_of(record: Candidate) -> frozenset[str]:
    return record.keys if record.keys is not None else match_keys(record)


# ---------------------------------------------------------------------------------------------------
# CUS-13 · verdict
# ---------------------------------------------------------------------------------------------------


def _split(key: str) -> tuple[str, str]:
    family, _, value = key.partition(":")
    return family, value


def _show(family: str, value: str) -> str:
    """A key value as shown in a reason: PII masked as CUS-70 says (mobile, resident ID); other
    personal documents keep their last 4 characters; phones in domestic form."""
    if family == MOBILE:
        return mask_phone(value)
    if family == RESIDENT_ID:
        return mask_resident_id(value)
    if family in (PASSPORT, "hk_macau_permit", "taiwan_permit"):
        return "*" * max(len(value) - 4, 0) + value[-4:]
    if family in (LANDLINE_HINT, NAME_LANDLINE):
        try:
            return normalise_phone(value, landline_requires_area_code=False).display
        except IdentityError:
            return value
    return value


@dataclass(frozen=True)
class ExactMatch:
    """An exact duplicate (CUS-13): creation refused with 409 naming ``candidate_id``.

    ``household_hint``: the two are persons with different names sharing the key — if they are
    family, link a household (CUS-14) on the existing customer instead of creating a duplicate."""

    candidate_id: int | str | None
    candidate_name: str
    family: str
    value: str
    household_hint: bool
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-13"


@dataclass(frozen=True)
class LikelyMatch:
    """A likely duplicate (CUS-13): created with a warning. ``families``: the rules that matched,
    ``score``: the highest of their weights (ranking only)."""

    candidate_id: int | str | None
    candidate_name: str
    families: tuple[str, ...]
    score: int
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-13"


@dataclass(frozen=True)
class HouseholdHint:
    """A phone shared by persons with different names: "same household?" (CUS-13 → CUS-14)."""

    candidate_id: int | str | None
    candidate_name: str
    phone: str
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-14"


@dataclass(frozen=True)
class DuplicateVerdict:
    """Outcome of :func:`find_duplicates` (CUS-13)."""

    exact: tuple[ExactMatch, ...] = ()
    likely: tuple[LikelyMatch, ...] = ()
    households: tuple[HouseholdHint, ...] = ()
    rule_id: str = "CUS-13"

    @property
    def refused(self) -> bool:
        return bool(self.exact)

    @property
    def status(self) -> int:
        """HTTP status of a create: 409 refused, 201 created (with warnings if any)."""
        return 409 if self.refused else 201

    @property
    def existing_id(self) -> int | str | None:
        """The existing customer an exact duplicate points at (the first, in rule order)."""
        return self.exact[0].candidate_id if self.exact else None

    @property
    def warnings(self) -> tuple[LikelyMatch | HouseholdHint, ...]:
        return (*self.likely, *self.households)

    @property
    def reason_zh(self) -> str:
        parts = [m.reason_zh for m in (*self.exact, *self.likely, *self.households)]
        return "".join(parts) or "未发现重复客户（CUS-13）。"

    @property
    def reason_en(self) -> str:
        parts = [m.reason_en for m in (*self.exact, *self.likely, *self.households)]
        return " ".join(parts) or "No duplicate customer found (CUS-13)."

    def outcome(self) -> dict[str, Any]:
        """JSON outcome for a decision record (rule CUS-13); values masked as in the reasons."""
        return {
            "refused": self.refused,
            "existing_id": self.existing_id,
            "exact": [{"candidate_id": m.candidate_id, "key": m.family, "household_hint": m.household_hint}
                      for m in self.exact],
            "likely": [{"candidate_id": m.candidate_id, "rules": list(m.families), "score": m.score}
                       for m in self.likely],
            "households": [{"candidate_id": m.candidate_id} for m in self.households],
        }

    def raise_if_refused(self) -> None:
        """Raise :class:`~core.errors.Conflict` (409) naming the existing customer (CUS-13)."""
        if self.refused:
            first = self.exact[0]
            raise Conflict(first.reason_en, existing_id=first.candidate_id, key=first.family,
                           zh=first.reason_zh, rule_id="CUS-13")


def _exact_reason(settings: DedupeSettings, match_family: str, value: str, cand: Candidate,
                  household: bool) -> tuple[str, str]:
    zh_label, en_label = settings.label(match_family)
    shown = _show(match_family, value)
    zh = f"重复客户：{zh_label}{shown}与已有客户「{cand.label}」相同，不能新建（CUS-13）。"
    en = f"Duplicate customer: {en_label} {shown} already belongs to customer {cand.label_en}; not created (CUS-13)."
    if household:
        zh += "姓名不同：如为家庭成员，请在已有客户上建立家庭关联（CUS-14）。"
        en += " The names differ: if this is a family member, link a household (CUS-14) instead."
    return zh, en


def _likely_part(family: str, value: str) -> tuple[str, str]:
    first, _, second = value.partition("|")
    if family == NAME_LANDLINE:
        phone = _show(LANDLINE_HINT, second)
        return f"姓名相同（{first}）且座机相同（{phone}）", f"same name ({first}) and same landline ({phone})"
    if family == NAME_BIRTH_DATE:
        return f"姓名相同（{first}）且出生日期相同（{second}）", f"same name ({first}) and same birth date ({second})"
    if family == PINYIN_DISTRICT:
        return (f"姓名拼音相同（{first}）且区县相同（{second}）",
                f"same name in pinyin ({first}) and same district ({second})")
    return (f"去掉组织形式后名称相同（{first}）",
            f"same organisation name without its legal form ({first})")


class DuplicateIndex:
    """The candidates of one tenant indexed by :func:`match_keys` (CUS-13). Candidates of another
    tenant are never indexed: duplicates are looked for within one tenant only."""

    def __init__(self, tenant_id: int | str, candidates: Iterable[Candidate] = ()):
        self.tenant_id = tenant_id
        self._by_key: dict[str, list[Candidate]] = {}
        self._held: list[Candidate] = []  # keeps every indexed object alive, so id() stays unique
        self._order: dict[int, int] = {}
        for cand in candidates:
            self.add(cand)

    def add(self, cand: Candidate) -> bool:
        """Index a candidate; False (ignored) when it belongs to another tenant."""
        if cand.tenant_id != self.tenant_id:
            return False
        self._held.append(cand)
        self._order.setdefault(id(cand), len(self._order))
        for key in _keys_of(cand):
            self._by_key.setdefault(key, []).append(cand)
        return True

    def check(self, new: Candidate, settings: DedupeSettings | None = None) -> DuplicateVerdict:
        """Judge ``new`` against the indexed candidates (CUS-13; hints CUS-14)."""
        settings = settings or DedupeSettings()
        if new.tenant_id != self.tenant_id:
            raise ValueError("the new record and the index belong to different tenants")
        shared: dict[int, tuple[Candidate, list[str]]] = {}
        for key in sorted(_keys_of(new)):
            for cand in self._by_key.get(key, ()):
                if cand is new or (new.id is not None and cand.id == new.id):
                    continue
                shared.setdefault(id(cand), (cand, []))[1].append(key)
        exact: list[tuple[int, int, ExactMatch]] = []
        likely: list[LikelyMatch] = []
        hints: list[HouseholdHint] = []
        new_names = _exact_names(new)
        for ident, (cand, keys) in sorted(shared.items(), key=lambda item: self._order[item[0]]):
            both_persons = new.kind == cand.kind == PERSON
            names_differ = bool(new_names) and not (new_names & _exact_names(cand))
            family_keys = [_split(k) for k in keys]
            found_exact = False
            for family, value in family_keys:
                if settings.is_exact(family):
                    household = settings.suggest_households and both_persons and names_differ and family == MOBILE
                    zh, en = _exact_reason(settings, family, value, cand, household)
                    rank = settings.exact.index(family) if family in settings.exact else len(settings.exact)
                    exact.append((rank, self._order[ident],
                                  ExactMatch(cand.id, cand.name, family, value, household, zh, en)))
                    found_exact = True
            if found_exact:
                continue
            matched = [(f, v) for f, v in family_keys if f in settings.likely]
            if matched:
                families = tuple(dict.fromkeys(f for f, _ in matched))
                parts = [_likely_part(f, v) for f, v in matched]
                likely.append(LikelyMatch(
                    cand.id, cand.name, families,
                    max(settings.likely_weights.get(f, 50) for f in families),
                    f"可能重复：与已有客户「{cand.label}」{'；'.join(p[0] for p in parts)}（CUS-13）。",
                    f"Possible duplicate of customer {cand.label_en}: {'; '.join(p[1] for p in parts)} (CUS-13).",
                ))
            if settings.suggest_households and both_persons and names_differ:
                for family, value in family_keys:
                    if family == LANDLINE_HINT:
                        phone = _show(LANDLINE_HINT, value)
                        hints.append(HouseholdHint(
                            cand.id, cand.name, value,
                            f"座机{phone}与已有客户「{cand.label}」相同但姓名不同：是否同一家庭？"
                            "请建立家庭关联（CUS-14），而非合并。",
                            f"Same landline {phone} as customer {cand.label_en} but a different name: "
                            "same household? Link a household (CUS-14) rather than merging.",
                        ))
                        break
        exact.sort(key=lambda item: (item[0], item[1]))
        likely.sort(key=lambda m: -m.score)  # stable: candidates keep their order within a score
        return DuplicateVerdict(tuple(m for _, _, m in exact), tuple(likely), tuple(hints))


def find_duplicates(new: Candidate, candidates: Iterable[Candidate],
                    settings: DedupeSettings | None = None) -> DuplicateVerdict:
    """CUS-13: judge a customer about to be created against the tenant's existing customers.

    Only candidates of ``new.tenant_id`` are considered (never across tenants). Exact families
    (``cus.dedupe.exact`` and plugin keys) refuse; likely families (``cus.dedupe.likely``) warn, one
    :class:`LikelyMatch` per candidate listing every rule that matched; a phone shared between
    persons with different names adds a household hint (a flag on an exact mobile match, a
    :class:`HouseholdHint` for a landline).
    """
    return DuplicateIndex(new.tenant_id, candidates).check(new, settings)


def check_import(rows: Sequence[Candidate], existing: Iterable[Candidate],
                 settings: DedupeSettings | None = None, *, first_row: int = 1) -> list[DuplicateVerdict]:
    """CUS-13 for an import: one verdict per row, in order. Each row is judged against the existing
    customers and the earlier rows that will be created (a refused row is not), so two rows of the
    same file duplicate each other too. Rows without an id are named ``row N`` (from ``first_row``).
    A refused verdict is a row error, likely matches and hints are row warnings."""
    if not rows:
        return []
    tenant = rows[0].tenant_id
    index = DuplicateIndex(tenant, existing)
    verdicts = []
    for n, row in enumerate(rows, start=first_row):
        if row.id is None:
            row = replace(row, id=f"row {n}")
        if row.tenant_id != tenant:
            raise ValueError("an import belongs to one tenant")
        verdict = index.check(row, settings)
        verdicts.append(verdict)
        if not verdict.refused:
            index.add(row)
    return verdicts


# ---------------------------------------------------------------------------------------------------
# CUS-14 · Households
# ---------------------------------------------------------------------------------------------------

HOUSEHOLD = "household"
REFERRAL = "referral"
_RELATION_ZH = {"spouse": "配偶", "parent": "父母", "child": "子女", "sibling": "兄弟姐妹", "friend": "朋友"}


@dataclass(frozen=True)
class HouseholdSettings:
    """``cus.household.*`` (CUS-14)."""

    one_customer: bool = True
    relations: tuple[str, ...] = ("spouse", "parent", "child")
    transitive: bool = True  # a household is every customer reachable through counted links

    @classmethod
    def from_policy(cls, values: Mapping[str, Any] | None) -> HouseholdSettings:
        return cls(one_customer=bool(policy_value(values, "household.one_customer", True)),
                   relations=tuple(policy_value(values, "household.relations", cls.relations)))


@dataclass(frozen=True)
class Link:
    """A relation between two customers of one tenant: ``b`` is ``a``'s ``relation``."""

    a: int | str
    b: int | str
    relation: str


@dataclass(frozen=True)
class OwnerClaim:
    """A customer's resolved ownership claim: who owns it since when, and whether the claim is still
    valid. Not the evidence itself (``core.customers.ownership.facts.Claim``, CUS-21): the ownership rules
    (CUS-20..27) decide owner, time and validity; households and merges take them as facts."""

    customer_id: int | str
    owner: int | str
    at: dt.datetime
    valid: bool = True
    id: int | str | None = None


def link_kind(relation: str, settings: HouseholdSettings | None = None) -> str:
    """CUS-14: ``household`` for a counted relation (spouse, parent, child by default), ``referral``
    for any other (siblings, friends): a referral link has no effect on ownership."""
    settings = settings or HouseholdSettings()
    return HOUSEHOLD if relation in settings.relations else REFERRAL


def household_groups(links: Iterable[Link], settings: HouseholdSettings | None = None) -> list[frozenset]:
    """CUS-14: the households (≥ 2 members) formed by counted links; empty when
    ``one_customer = false``. With ``transitive`` (default) a household is a connected group
    (husband–wife–wife's mother); without it only pairs linked directly count, each pair a group."""
    settings = settings or HouseholdSettings()
    if not settings.one_customer:
        return []
    counted = [link for link in links if link_kind(link.relation, settings) == HOUSEHOLD and link.a != link.b]
    if not settings.transitive:
        pairs = {frozenset((link.a, link.b)) for link in counted}
        return sorted(pairs, key=lambda g: sorted(map(str, g)))
    parent: dict[Any, Any] = {}

    def root(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in counted:
        parent[root(link.a)] = root(link.b)
    groups: dict[Any, set] = {}
    for member in list(parent):
        groups.setdefault(root(member), set()).add(member)
    return sorted((frozenset(g) for g in groups.values() if len(g) > 1), key=lambda g: sorted(map(str, g)))


@dataclass(frozen=True)
class HouseholdOwnership:
    """CUS-14 outcome for one household: ``owner`` (the earliest valid claim's) owns every member.

    ``owner`` is None when no member has a valid claim, or when two owners' earliest valid claims
    are simultaneous (``tie``: arbitration, CUS-27). ``superseded``: valid claims of other owners that
    no longer decide ownership."""

    members: frozenset
    owner: int | str | None
    claim: OwnerClaim | None
    superseded: tuple[OwnerClaim, ...]
    tie: bool
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-14"


def _fmt(at: dt.datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz) if at.tzinfo else at
    return local.strftime("%Y-%m-%d %H:%M")


def household_ownership(links: Iterable[Link], claims: Iterable[OwnerClaim],
                        settings: HouseholdSettings | None = None, *,
                        timezone: str = "Asia/Shanghai") -> list[HouseholdOwnership]:
    """CUS-14 (and RE-22): in each household the earliest valid claim on any member owns every
    member. Links that are not counted relations (siblings, friends) form no household and change
    no ownership. One outcome per household, with a reason in Chinese and English."""
    settings = settings or HouseholdSettings()
    links = list(links)
    tz = ZoneInfo(timezone)
    claims = list(claims)
    outcomes = []
    for group in household_groups(links, settings):
        rels = [link for link in links if link.a in group and link.b in group
                and link_kind(link.relation, settings) == HOUSEHOLD]
        rel_zh = "、".join(f"#{link.b}是#{link.a}的{_RELATION_ZH.get(link.relation, link.relation)}" for link in rels)
        rel_en = ", ".join(f"#{link.b} is the {link.relation} of #{link.a}" for link in rels)
        members_txt = ", ".join(f"#{m}" for m in sorted(group, key=str))
        valid = sorted((c for c in claims if c.customer_id in group and c.valid), key=lambda c: c.at)
        if not valid:
            outcomes.append(HouseholdOwnership(
                group, None, None, (), False,
                f"家庭（{rel_zh}）按一个客户计，但成员均无有效登记，归属未定（CUS-14）。",
                f"Household ({rel_en}) counts as one customer but no member has a valid claim; no owner (CUS-14).",
            ))
            continue
        first = valid[0]
        rivals = [c for c in valid if c.at == first.at and c.owner != first.owner]
        if rivals:
            owners = "、".join(str(o) for o in dict.fromkeys([first.owner, *(c.owner for c in rivals)]))
            outcomes.append(HouseholdOwnership(
                group, None, None, (), True,
                f"家庭（{rel_zh}）按一个客户计；{owners}的最早有效登记同为{_fmt(first.at, tz)}，"
                "需仲裁（CUS-27）（CUS-14）。",
                f"Household ({rel_en}) counts as one customer; the earliest valid claims of {owners} are "
                f"simultaneous ({_fmt(first.at, tz)}): arbitration needed (CUS-27) (CUS-14).",
            ))
            continue
        superseded = tuple(c for c in valid if c.owner != first.owner)
        outcomes.append(HouseholdOwnership(
            group, first.owner, first, superseded, False,
            f"家庭成员{members_txt}（{rel_zh}）按一个客户计：最早的有效登记为客户#{first.customer_id}于"
            f"{_fmt(first.at, tz)}由{first.owner}登记。依据CUS-14，全部成员归{first.owner}。",
            f"Household members {members_txt} ({rel_en}) count as one customer: the earliest valid claim is "
            f"{first.owner}'s on #{first.customer_id} at {_fmt(first.at, tz)}. Under CUS-14 {first.owner} "
            "owns every member.",
        ))
    return outcomes


# ---------------------------------------------------------------------------------------------------
# CUS-15 · Merge and undo
# ---------------------------------------------------------------------------------------------------

#: what a merge of B into A moves to A (CUS-15); B becomes a tombstone pointing to A.
MERGE_MOVES = ("contacts", "timeline", "documents", "points", "complaints", "work_orders", "claims")


@dataclass(frozen=True)
class MergeSettings:
    """``cus.merge.*`` (CUS-15). ``role``: the role a merge (and its undo) needs."""

    undo_window: str = "30 days"
    role: str = "dept_manager"

    @classmethod
    def from_policy(cls, values: Mapping[str, Any] | None) -> MergeSettings:
        return cls(undo_window=str(policy_value(values, "merge.undo_window", "30 days")),
                   role=str(policy_value(values, "merge.role", "dept_manager")))


@dataclass(frozen=True)
class MergeSide:
    """One customer of a merge: its id, its current ownership claim (None if unowned) and points."""

    customer_id: int | str
    claim: OwnerClaim | None = None
    points: int = 0


@dataclass(frozen=True)
class MergePlan:
    """CUS-15 outcome of merging ``tombstone_id`` (B) into ``survivor_id`` (A).

    ``owner``/``owner_claim``: the earliest valid claim of the two; ``points``: the sum;
    ``before``: both sides as they were (what an undo restores); ``undo_until``: the instant the undo
    window ends (exclusive)."""

    survivor_id: int | str
    tombstone_id: int | str
    owner: int | str | None
    owner_claim: OwnerClaim | None
    points: int
    moves: tuple[str, ...]
    merged_at: dt.datetime
    undo_until: dt.datetime
    before: tuple[MergeSide, MergeSide]
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-15"


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar or WorkCalendar()


def plan_merge(survivor: MergeSide, merged: MergeSide, merged_at: dt.datetime,
               settings: MergeSettings | None = None, *, calendar: WorkCalendar | None = None) -> MergePlan:
    """CUS-15: merge ``merged`` (B) into ``survivor`` (A). Ownership goes to the earliest valid claim of
    the two (on equal instants the survivor's); points are summed; :data:`MERGE_MOVES` move to A;
    B becomes a tombstone. ``merged_at`` must be aware; the undo window (``cus.merge.undo_window``,
    a CAL-05 period by default) is counted on the tenant ``calendar``."""
    settings = settings or MergeSettings()
    if survivor.customer_id == merged.customer_id:
        raise ValueError("a customer cannot be merged into itself")
    cal = _calendar(calendar)
    until = cal.add_duration(merged_at, settings.undo_window).at
    valid = [c for c in (survivor.claim, merged.claim) if c is not None and c.valid]
    owner_claim = min(valid, key=lambda c: c.at) if valid else None  # min is stable: A wins ties
    owner = owner_claim.owner if owner_claim else None
    tz = ZoneInfo(cal.timezone)
    a, b = survivor.customer_id, merged.customer_id
    points = survivor.points + merged.points
    if owner_claim is None:
        own_zh, own_en = "两者均无有效登记，合并后无归属人", "neither has a valid claim, so the merged customer has no owner"
    else:
        whose = "#" + str(owner_claim.customer_id)
        own_zh = f"最早的有效登记为{whose}于{_fmt(owner_claim.at, tz)}由{owner}登记，合并后归{owner}"
        own_en = (f"the earliest valid claim is {owner}'s on {whose} at {_fmt(owner_claim.at, tz)}, "
                  f"so {owner} owns the merged customer")
    until_day = (until - dt.timedelta(microseconds=1)).astimezone(tz).date().isoformat()
    return MergePlan(
        survivor_id=a, tombstone_id=b, owner=owner, owner_claim=owner_claim, points=points,
        moves=MERGE_MOVES, merged_at=merged_at, undo_until=until, before=(survivor, merged),
        reason_zh=(f"客户#{b}并入#{a}：{own_zh}；积分合计{points}；#{b}成为指向#{a}的墓碑记录，"
                   f"撤销期至{until_day} 24:00（CUS-15）。"),
        reason_en=(f"Customer #{b} merged into #{a}: {own_en}; points summed to {points}; #{b} becomes a "
                   f"tombstone pointing to #{a}; undo possible through {until_day} (CUS-15)."),
    )


@dataclass(frozen=True)
class UndoPlan:
    """CUS-15 outcome of an undo request. When ``allowed``: ``owners`` restores each side's own owner,
    ``points`` each side's points as they were before (later additions stay with A: the service adds
    A's post-merge ledger entries), ``move_back`` lists what returns to B."""

    allowed: bool
    owners: Mapping[int | str, int | str | None]
    points: Mapping[int | str, int]
    move_back: Mapping[str, tuple]
    reason_zh: str
    reason_en: str
    rule_id: str = "CUS-15"


def undo_moves(moved: Mapping[str, Iterable], current: Mapping[str, Iterable] | None = None) -> dict[str, tuple]:
    """CUS-15: what an undo moves back to B — the records moved at the merge (per kind of
    :data:`MERGE_MOVES`) that A still holds. Records A gained after the merge are not in ``moved`` and
    stay with A. Without ``current`` every moved record goes back."""
    out = {}
    for kind, ids in moved.items():
        ids = tuple(ids)
        if current is not None:
            still = set(current.get(kind, ()))
            ids = tuple(i for i in ids if i in still)
        out[kind] = ids
    return out


def plan_undo(plan: MergePlan, now: dt.datetime, *, moved: Mapping[str, Iterable] | None = None,
              current: Mapping[str, Iterable] | None = None) -> UndoPlan:
    """CUS-15: undo a merge before ``plan.undo_until`` (exclusive), restoring both customers as they
    were (own owners and points); later additions stay with A."""
    a, b = plan.before
    tz = plan.undo_until.tzinfo or ZoneInfo("Asia/Shanghai")
    until_day = (plan.undo_until - dt.timedelta(microseconds=1)).astimezone(tz).date().isoformat()
    if now >= plan.undo_until:
        return UndoPlan(False, {}, {}, {},
                        f"合并已超过撤销期限（{until_day}），不能撤销（CUS-15）。",
                        f"The undo window ended on {until_day}; the merge can no longer be undone (CUS-15).")
    owners = {x.customer_id: (x.claim.owner if x.claim else None) for x in (a, b)}
    return UndoPlan(
        True, owners, {a.customer_id: a.points, b.customer_id: b.points}, undo_moves(moved or {}, current),
        f"撤销合并：#{b.customer_id}恢复，#{a.customer_id}与#{b.customer_id}各自恢复原归属人"
        f"（{owners[a.customer_id]}、{owners[b.customer_id]}）；合并后新增的记录留在#{a.customer_id}（CUS-15）。",
        f"Merge undone: #{b.customer_id} restored; #{a.customer_id} and #{b.customer_id} get their own owners "
        f"back ({owners[a.customer_id]}, {owners[b.customer_id]}); records added after the merge stay with "
        f"#{a.customer_id} (CUS-15).",
    )
