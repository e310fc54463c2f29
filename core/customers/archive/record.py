"""The archive record of a customer (CUS-01) and its confirmation (CUS-06): the service side called by
:mod:`core.customers.service` on every create and update.

- :func:`split_input` takes the archive keys (``contacts``, ``addresses``, ``category``,
  ``lifecycle_stage``, ``flags``, ``extra``, ``first_contact_at``) out of a create or update.
- :func:`clean_archive` normalises contacts (phones by CUS-10 with the tenant region), checks the
  vocabularies (``cus.archive.categories`` / ``.lifecycle`` / ``.flags``) and the extra fields, then the
  required fields of the customer's kind (``cus.archive.required.<kind>``), adding field errors to the
  caller's dict (one 422 for everything).
- :func:`apply_archive` writes them; :func:`archive_created` starts the archive's life: effective at
  once, or awaiting the confirmation signature of ``cus.archive.confirm_by`` (CUS-06), and the filing
  duty when ``cus.filing.enabled`` (CUS-04).
- :func:`confirm` — the signature: the archive takes effect at the signature time.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.customers.archive import extra_fields
from core.customers.archive.models import ADDRESS_KINDS, CustomerAddress, CustomerContact
from core.customers.archive.requirements import ArchiveFacts, missing
from core.customers.identity import LANDLINE, MOBILE, IdentityError, normalise_phone
from core.customers.models import Customer
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Forbidden, InvalidInput

ARCHIVE_KEYS = ("contacts", "addresses", "category", "lifecycle_stage", "flags", "extra", "first_contact_at")
CONTACT_TEXT = ("name", "title", "department", "email", "im", "note")
NOT_REQUIRED = "none"
CONFIRM_RULE = "CUS-06"


@dataclass
class ArchiveInput:
    """The cleaned archive part of a create or update; ``None`` lists = unchanged."""

    values: dict = field(default_factory=dict)  # category, lifecycle_stage, flags, extra
    contacts: list[dict] | None = None
    addresses: list[dict] | None = None
    first_contact_at: dt.datetime | None = None
    changed: bool = False


def split_input(data: Mapping[str, Any]) -> tuple[dict, dict]:
    """``(customer fields, archive fields)`` of a request body."""
    rest = {k: v for k, v in data.items() if k not in ARCHIVE_KEYS}
    return rest, {k: v for k, v in data.items() if k in ARCHIVE_KEYS}


def _text(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_contacts(items, region: str, area_code_required: bool, errors: dict) -> list[dict]:
    rows = []
    for i, item in enumerate(items or []):
        row = {k: _text(item.get(k)) for k in CONTACT_TEXT}
        problems = {}
        for kind in (MOBILE, LANDLINE):
            raw = _text(item.get(kind))
            row[kind], ext = None, None
            if raw is None:
                continue
            try:
                result = normalise_phone(raw, region, landline_requires_area_code=area_code_required,
                                         expect=kind, field=kind)
            except IdentityError as err:
                problems[kind] = [err.en]
                continue
            row[kind] = result.stored
            if kind == LANDLINE:
                ext = result.extension
                row["landline_extension"] = ext
        row.setdefault("landline_extension", None)
        if not problems and not (row["name"] or row[MOBILE] or row[LANDLINE]):
            problems["name"] = ["a contact needs a name or a phone"]
        if problems:
            errors.setdefault("contacts", {})[str(i)] = problems
        rows.append(row)
    return rows


def _clean_addresses(items, errors: dict) -> list[dict]:
    rows = []
    for i, item in enumerate(items or []):
        row = {"kind": item.get("kind") or "office", "text": _text(item.get("text")),
               "district": _text(item.get("district"))}
        if row["kind"] not in ADDRESS_KINDS:
            errors.setdefault("addresses", {}).setdefault(str(i), {})["kind"] = [f"one of {', '.join(ADDRESS_KINDS)}"]
        if not row["text"]:
            errors.setdefault("addresses", {}).setdefault(str(i), {})["text"] = ["required"]
        rows.append(row)
    return rows


def _in_vocabulary(name: str, value, allowed: list, setting: str, errors: dict) -> None:
    if value is not None and value not in allowed:
        errors[name] = [f"not one of cus.archive.{setting}: {', '.join(allowed)}"]


def clean_archive(given: Mapping[str, Any], customer: Mapping[str, Any], *, phone_kinds: set[str], region: str,
                  errors: dict, policy: Mapping[str, Any], current: Customer | None = None) -> ArchiveInput:
    """Clean the archive part (``given``) of a create or update of the customer ``customer`` (its
    cleaned fields, ``kind`` included), checking CUS-01 required fields; errors go into ``errors``."""
    settings = policy["archive"]
    kind = customer["kind"]
    area_code = policy.get("phone", {}).get("landline_requires_area_code", True)
    out = ArchiveInput(changed=bool(given))

    if "contacts" in given or current is None:
        out.contacts = _clean_contacts(given.get("contacts"), region, area_code, errors)
        contacts = out.contacts
    else:
        contacts = [{"name": c.name, MOBILE: c.mobile, LANDLINE: c.landline, "email": c.email}
                    for c in current.contacts]
    if "addresses" in given or current is None:
        out.addresses = _clean_addresses(given.get("addresses"), errors)
        addresses = out.addresses
    else:
        addresses = [{"text": a.text} for a in current.addresses]

    old = {} if current is None else {"category": current.category, "lifecycle_stage": current.lifecycle_stage,
                                      "flags": list(current.flags or [])}
    values = {k: (_text(given[k]) if k in given else old.get(k)) for k in ("category", "lifecycle_stage")}
    _in_vocabulary("category", values["category"], settings["categories"], "categories", errors)
    _in_vocabulary("lifecycle_stage", values["lifecycle_stage"], settings["lifecycle"], "lifecycle", errors)
    flags = given["flags"] if "flags" in given else old.get("flags", [])
    flags = list(dict.fromkeys(flags or []))
    stray = [f for f in flags if f not in settings["flags"]]
    if stray:
        errors["flags"] = [f"not one of cus.archive.flags ({', '.join(settings['flags'])}): {', '.join(stray)}"]
    values["flags"] = flags

    defs = extra_fields.definitions(settings)
    extra, extra_errors = extra_fields.clean_extra(given.get("extra") if "extra" in given else {}, kind, defs,
                                                   current=None if current is None else current.extra)
    errors.update(extra_errors)
    values["extra"] = extra
    out.values = values

    first = given.get("first_contact_at")
    if first is not None:
        if current is not None:
            errors["first_contact_at"] = ["only given when the customer is created"]
        elif first.tzinfo is None:
            errors["first_contact_at"] = ["needs a time zone (e.g. +08:00)"]
        elif first > utcnow() + dt.timedelta(minutes=10):
            errors["first_contact_at"] = ["cannot be in the future"]
        else:
            out.first_contact_at = first

    # CUS-01: the required fields of the tenant for this kind of customer
    kinds = set(phone_kinds)
    kinds |= {k for c in contacts for k in (MOBILE, LANDLINE) if c.get(k)}
    facts = ArchiveFacts(
        kind=kind, values={**customer, **values}, phone_kinds=frozenset(kinds),
        contact_names=tuple(c["name"] for c in contacts if c.get("name")),
        emails=tuple(c["email"] for c in contacts if c.get("email")),
        has_address=any(a.get("text") for a in addresses), extra=extra)
    for gap in missing(settings["required"].get(kind, []), facts, known_extra=[
            name for name, spec in defs.items() if kind in spec.kinds]):
        if gap.field not in errors:
            errors[gap.field] = [gap.en]
    return out


def apply_archive(customer: Customer, archive: ArchiveInput) -> None:
    for name, value in archive.values.items():
        setattr(customer, name, value)
    if archive.contacts is not None:
        customer.contacts = [CustomerContact(position=i, **row) for i, row in enumerate(archive.contacts)]
    if archive.addresses is not None:
        customer.addresses = [CustomerAddress(position=i, **row) for i, row in enumerate(archive.addresses)]


def archive_created(customer: Customer, archive: ArchiveInput, policy_view) -> None:
    """A new archive: effective now unless ``cus.archive.confirm_by`` names a role (CUS-06); its
    filing duty when filing is on (CUS-04)."""
    if policy_view.values["archive"]["confirm_by"] == NOT_REQUIRED:
        customer.effective_at = customer.created_at
    else:
        customer.effective_at = None
    from core.customers.archive import filing

    filing.open_new_customer(customer, archive.first_contact_at or customer.created_at)


def archive_updated(customer: Customer, archive: ArchiveInput, changed: bool) -> None:
    """A change of the archive opens a change filing (CUS-04) when filing is on."""
    if changed:
        from core.customers.archive import filing

        filing.open_change(customer, utcnow())


def confirmation_state(customer: Customer) -> str:
    """``not_required`` (effective at creation), ``pending`` (awaiting the signature) or ``confirmed``."""
    if customer.confirmed_at is not None:
        return "confirmed"
    return "pending" if customer.effective_at is None else "not_required"


def confirm(customer: Customer, user, signed_at: dt.datetime | None = None):
    """The confirmation signature of a new archive (CUS-06): only a holder of the role named by
    ``cus.archive.confirm_by`` (in force when the archive was created) signs; the archive takes effect
    at the signature time. Records a CUS-06 decision."""
    from core.customers.policy import cus_policy

    view = cus_policy(customer.created_at)
    role = view.values["archive"]["confirm_by"]
    if customer.confirmed_at is not None:
        raise InvalidInput("already confirmed", fields={"customer": ["the archive is already confirmed"]},
                           rule_id=CONFIRM_RULE)
    if role == NOT_REQUIRED or customer.effective_at is not None:
        raise InvalidInput("no confirmation needed", rule_id=CONFIRM_RULE,
                           fields={"customer": ["this archive took effect when it was created (cus.archive.confirm_by = none)"]})
    if not user.has_role(role):
        raise Forbidden(f"the archive is confirmed by a {role} (cus.archive.confirm_by)", rule_id=CONFIRM_RULE)
    now = utcnow()
    signed_at = signed_at or now
    if signed_at.tzinfo is None:
        raise InvalidInput("invalid signature time", fields={"signed_at": ["needs a time zone (e.g. +08:00)"]})
    if signed_at < customer.created_at or signed_at > now + dt.timedelta(minutes=10):
        raise InvalidInput("invalid signature time",
                           fields={"signed_at": ["between the archive's creation and now"]})
    customer.confirmed_at = signed_at
    customer.confirmed_by = user.id
    customer.effective_at = signed_at
    db.session.flush()
    when = signed_at.isoformat()
    decisions.record(
        CONFIRM_RULE, "customer", customer.id, policy=view, decided_by=user.id,
        outcome={"effective_at": when, "confirmed_by": user.id},
        facts={"created_at": customer.created_at.isoformat(), "signed_at": when, "confirm_by": role},
        reason_zh=f"客户档案经{role}签字确认，于签字时间{when}生效（CUS-06），建档时间{customer.created_at.isoformat()}不作为生效时间。",
        reason_en=f"The archive was confirmed by the {role} signature; it takes effect at the signature time "
                  f"{when} (CUS-06), not at its creation {customer.created_at.isoformat()}.")
    from core.customers.ownership.service import rejudge

    rejudge(customer.id)  # the claims on it protect from now on (CUS-06 → CUS-20)
    return customer
