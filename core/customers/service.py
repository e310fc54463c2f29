"""Customers of the current tenant: create with duplicate detection, read, search, update.

- CUS-01: the archive part (contacts, addresses, category, lifecycle stage, flags, extra fields) and
  the required fields of each customer kind (``cus.archive.required.<kind>``) are checked by
  :mod:`core.customers.archive.record`, in the same 422 as the identity fields.
- CUS-10/11/12: phones, resident ids and USCCs are normalised by :mod:`core.customers.identity`; a
  value that does not normalise is a 422 naming its field, and nothing is written.
- CUS-13: every customer stores its :func:`~core.customers.duplicates.match_keys` in ``customer_keys``;
  a create (or an update) loads only the customers sharing a key with it and asks
  :func:`~core.customers.duplicates.find_duplicates`. An exact duplicate is refused with
  :class:`~core.errors.Conflict` (409) carrying ``existing_id`` and the reason in Chinese and English;
  likely duplicates and household hints are created with warnings and a ``CUS-13`` decision.

The settings are the spec's defaults (``cus.phone.*`` with the tenant's region, ``cus.dedupe.*``):
there is no ``cus`` policy document yet. Within one tenant, creates and updates are serialised on
PostgreSQL (a transaction-level advisory lock), so two concurrent requests cannot both create the
same mobile.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select, text

from core.customers.confidentiality import access
from core.customers.duplicates import Candidate, DedupeSettings, DuplicateVerdict, find_duplicates, match_keys
from core.customers.identity import (
    LANDLINE,
    MOBILE,
    IdentityError,
    PhoneResult,
    PhoneSettings,
    name_keys,
    normalise_name,
    normalise_phone,
    parse_resident_id,
    parse_uscc,
    pinyin_key,
)
from core.customers.archive import record as archive
from core.customers.models import ORGANISATION, PERSON, Customer, CustomerKey, CustomerPhone
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy import current_tenant_id

#: plain fields copied as given (after the identity fields are checked)
PLAIN_FIELDS = ("gender", "district", "address", "source", "note")
_LOCK_CLASS = 0x4B4355  # "KCU": advisory lock class of customer writes (one lock per tenant)


@dataclass
class _Clean:
    """A customer's fields after CUS-10/11/12 normalisation; ``phones`` None = unchanged."""

    values: dict
    phones: list[tuple[PhoneResult, str | None]] | None
    archive: archive.ArchiveInput | None = None
    policy: object = None  # the cus PolicyView the archive was checked under


def _strip(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean(data: dict, region: str, current: Customer | None = None, *, requirements: bool = True) -> _Clean:
    """Validate and normalise ``data`` (all fields of a create, or the changes of an update merged
    over ``current``). Collects every field error, then raises one :class:`InvalidInput`. Without
    ``requirements`` the tenant's required archive fields (CUS-01) are not asked for (a form being typed)."""
    errors: dict = {}
    data, archive_given = archive.split_input(data)
    old = {} if current is None else {
        "kind": current.kind, "name": current.name, "resident_id": current.resident_id,
        "uscc": current.uscc, "birth_date": current.birth_date,
        **{f: getattr(current, f) for f in PLAIN_FIELDS},
    }
    values = {**old, **{k: _strip(v) for k, v in data.items() if k != "phones"}}
    kind = values.get("kind") or PERSON
    values["kind"] = kind
    name = values.get("name") or ""
    if not normalise_name(name):
        errors["name"] = ["required"]
    settings = PhoneSettings(region=region or "CN")

    phones = None
    if "phones" in data or current is None:
        phones, seen = [], set()
        for i, item in enumerate(data.get("phones") or []):
            expect = item.get("kind") if item.get("kind") in (MOBILE, LANDLINE) else None
            try:
                result = normalise_phone(item.get("number"), settings.region,
                                         landline_requires_area_code=settings.landline_requires_area_code,
                                         expect=expect, field="number")
            except IdentityError as err:
                errors.setdefault("phones", {})[str(i)] = {"number": [err.en]}
                continue
            if result.stored not in seen:
                seen.add(result.stored)
                phones.append((result, _strip(item.get("label"))))
        kinds = {r.kind for r, _ in phones}
    else:
        kinds = {p.kind for p in current.phones}

    rid = values.get("resident_id")
    if rid and "resident_id" in data:
        try:
            parsed = parse_resident_id(rid)
        except IdentityError as err:
            errors["resident_id"] = [err.en]
        else:
            values["resident_id"] = parsed.number
            if "birth_date" not in data or data["birth_date"] is None:
                values["birth_date"] = parsed.birth_date
            if not values.get("gender"):
                values["gender"] = parsed.gender
    rid = values.get("resident_id")
    if rid and "resident_id" not in errors and values.get("birth_date") and values["birth_date"].isoformat().replace(
            "-", "") != rid[6:14]:
        errors["birth_date"] = [f"does not match the birth date of the resident id ({rid[6:10]}-{rid[10:12]}-{rid[12:14]})"]
    if values.get("uscc") and "uscc" in data:
        try:
            values["uscc"] = parse_uscc(values["uscc"])
        except IdentityError as err:
            errors["uscc"] = [err.en]
    if kind == PERSON and values.get("uscc"):
        errors["uscc"] = ["only an organisation has a unified social credit code"]
    if kind == ORGANISATION and values.get("resident_id"):
        errors["resident_id"] = ["an organisation has no resident id"]

    # CUS-01 archive fields and the required fields of the tenant (cus.archive.*)
    view = cus_policy()
    settings_now = view.values
    if not requirements:
        settings_now = {**settings_now, "archive": {**settings_now["archive"], "required": {}}}
    archived = archive.clean_archive(archive_given, values, phone_kinds=set() if "phones" in errors else kinds,
                                     region=region or "CN", errors=errors, policy=settings_now, current=current)
    if errors:
        raise InvalidInput("invalid customer", fields=errors)
    return _Clean(values, phones, archived, view)


def _candidate(customer_id, values: dict, phones: list[str]) -> Candidate:
    return Candidate(
        id=customer_id, tenant_id=current_tenant_id(), name=values["name"], kind=values["kind"],
        phones=tuple(phones), resident_ids=(values["resident_id"],) if values.get("resident_id") else (),
        usccs=(values["uscc"],) if values.get("uscc") else (), birth_date=values.get("birth_date"),
        district=values.get("district"),
    )


def candidate_of(customer: Customer) -> Candidate:
    """The CUS-13 identity facts of a stored customer."""
    values = {"name": customer.name, "kind": customer.kind, "resident_id": customer.resident_id,
              "uscc": customer.uscc, "birth_date": customer.birth_date, "district": customer.district}
    return _candidate(customer.id, values, [p.e164 for p in customer.phones])


def _lock_tenant() -> None:
    """Serialise customer writes of the current tenant until the transaction ends (PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("select pg_advisory_xact_lock(:c, :t)"),
                           {"c": _LOCK_CLASS, "t": current_tenant_id() % 2**31})


def _judge(new: Candidate) -> tuple[DuplicateVerdict, frozenset[str]]:
    """CUS-13 against the tenant's customers sharing a key with ``new``; raises 409 when exact."""
    keys = match_keys(new)
    verdict = DuplicateVerdict()
    if keys:
        ids = select(CustomerKey.customer_id).where(CustomerKey.key.in_(sorted(keys))).distinct()
        existing = db.session.scalars(select(Customer).where(Customer.id.in_(ids), Customer.merged_into_id.is_(None))
                                      .order_by(Customer.id))  # tombstones never match (CUS-15)
        verdict = find_duplicates(new, [candidate_of(c) for c in existing], DedupeSettings())
    if verdict.refused:
        first = verdict.exact[0]
        raise Conflict(first.reason_en, existing_id=first.candidate_id, key=first.family, rule_id="CUS-13",
                       reason_zh=first.reason_zh, reason_en=first.reason_en,
                       household_hint=first.household_hint)
    return verdict, keys


def _apply(customer: Customer, clean: _Clean, keys: frozenset[str]) -> None:
    values = clean.values
    customer.kind = values["kind"]
    customer.name = values["name"]
    nk = name_keys(values["name"], values["kind"])
    customer.name_key, customer.name_pinyin, customer.name_initials = nk.exact, nk.pinyin, nk.initials
    for field in ("resident_id", "uscc", "birth_date", *PLAIN_FIELDS):
        setattr(customer, field, values.get(field))
    if clean.phones is not None:
        keep = {p.e164: p for p in customer.phones}
        rows = []
        for result, label in clean.phones:
            row = keep.get(result.stored) or CustomerPhone(e164=result.stored)
            row.kind, row.extension, row.label = result.kind, result.extension, label
            rows.append(row)
        customer.phones = rows
    have = {k.key: k for k in customer.key_rows}
    customer.key_rows = [have.get(k) or CustomerKey(key=k) for k in sorted(keys)]
    archive.apply_archive(customer, clean.archive)


def _record(customer: Customer, verdict: DuplicateVerdict, event: str) -> None:
    """A CUS-13 decision on the customer when it was saved despite likely duplicates."""
    if not verdict.warnings:
        return
    candidates = sorted({w.candidate_id for w in verdict.warnings}, key=str)
    decisions.record("CUS-13", "customer", customer.id, outcome=verdict.outcome(),
                     reason_zh=verdict.reason_zh, reason_en=verdict.reason_en,
                     facts={"event": event, "customer_id": customer.id, "candidates": candidates})


def create_customer(data: dict, region: str = "CN", created_by: int | None = None):
    """Create a customer unless it is an exact duplicate (CUS-13). Returns ``(Customer, verdict)``;
    ``verdict.warnings`` lists the likely duplicates and household hints it was created with."""
    clean = _clean(data, region)
    _lock_tenant()
    verdict, keys = _judge(_candidate(None, clean.values, [r.stored for r, _ in clean.phones]))
    customer = Customer(created_by=created_by)
    _apply(customer, clean, keys)
    db.session.add(customer)
    db.session.flush()
    archive.archive_created(customer, clean.archive, clean.policy)
    _record(customer, verdict, "create")
    return customer, verdict


def update_customer(customer: Customer, changes: dict, region: str = "CN"):
    """Change a customer; the keys are recomputed, and a change that makes it an exact duplicate of
    another customer is refused (409). Returns ``(Customer, verdict)``."""
    clean = _clean(changes, region, current=customer)
    _lock_tenant()
    phones = [r.stored for r, _ in clean.phones] if clean.phones is not None else [p.e164 for p in customer.phones]
    verdict, keys = _judge(_candidate(customer.id, clean.values, phones))
    before = {k.key for k in customer.key_rows}
    _apply(customer, clean, keys)
    customer.updated_at = utcnow()
    db.session.flush()
    archive.archive_updated(customer, clean.archive, changed=bool(changes))
    if keys != before:
        _record(customer, verdict, "update")
    return customer, verdict


def check_duplicates(data: dict, region: str = "CN", current: Customer | None = None) -> DuplicateVerdict:
    """CUS-13 without writing anything: the answer :func:`create_customer` (or :func:`update_customer` of
    ``current``) would give for ``data`` — :class:`InvalidInput` for invalid fields, :class:`Conflict`
    (409) for an exact duplicate, else the verdict with its likely duplicates and household hints (the
    portal's live duplicate warnings, and its "create anyway?" step). The tenant's required archive
    fields (CUS-01) are not asked for: a form being typed is checked before it is complete."""
    clean = _clean(data, region, current=current, requirements=False)
    if clean.phones is not None:
        phones = [r.stored for r, _ in clean.phones]
    else:
        phones = [p.e164 for p in current.phones]
    verdict, _keys = _judge(_candidate(current.id if current is not None else None, clean.values, phones))
    return verdict


def get_customer(customer_id: int) -> Customer:
    """The customer, if the current viewer may see it (CUS-70/71/72); otherwise 404, as for an id of
    another tenant."""
    customer = db.session.scalars(access.restrict(select(Customer).where(Customer.id == customer_id))).first()
    if customer is None:
        raise NotFound("customer not found")
    return customer


def search(q: str | None = None):
    """Customers newest first; ``q`` matches part of the name (CUS-12 exact key, so ``王 小明`` and
    ``陳小明`` find ``王小明``/``陈小明``), part of the toneless pinyin (``wangxiaoming``), the pinyin
    initials (``wxm``), part of a phone's digits (4 or more), or a whole resident id or USCC. Only
    the customers the current viewer may see (CUS-70); merged customers (CUS-15 tombstones) are left out."""
    stmt = access.restrict(select(Customer).where(Customer.merged_into_id.is_(None)).order_by(Customer.id.desc()))
    q = (q or "").strip()
    if not q:
        return stmt
    conditions = []
    key = normalise_name(q)
    if key:
        conditions.append(Customer.name_key.contains(key, autoescape=True))
    pinyin = pinyin_key(q)
    if pinyin:
        conditions.append(Customer.name_pinyin.contains(pinyin, autoescape=True))
        conditions.append(Customer.name_initials == pinyin)
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:
        variants = {digits, digits.lstrip("0")}  # "0830-2345678" is stored +868302345678
        phone_match = or_(*(CustomerPhone.e164.contains(v, autoescape=True) for v in variants if v))
        conditions.append(Customer.id.in_(select(CustomerPhone.customer_id).where(phone_match)))
    compact = re.sub(r"[\s\-]", "", q).upper()
    if len(compact) in (15, 18):
        try:
            compact_rid = parse_resident_id(compact).number
        except IdentityError:
            compact_rid = compact
        conditions.append(Customer.resident_id == compact_rid)
        conditions.append(Customer.uscc == compact)
    return stmt.where(or_(*conditions))


def prepare(data: dict, region: str = "CN"):
    """Validate and normalise the body of a new customer without writing anything (imports):
    ``(values, phones, archive)``, phones as ``[(PhoneResult, label)]``, ``archive`` the cleaned
    archive part (contacts, addresses, category...); raises :class:`InvalidInput`."""
    clean = _clean(data, region)
    return clean.values, clean.phones, clean.archive


def candidate_from(customer_id, values: dict, phones: list[str]) -> Candidate:
    """The CUS-13 identity facts of a prepared customer (``customer_id`` may be a row label)."""
    return _candidate(customer_id, values, phones)
