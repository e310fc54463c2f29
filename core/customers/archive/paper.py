"""The paper archive and its handover log (CUS-02).

- :func:`set_location` — where the paper archive is kept (cabinet, pouch no.) and its custodian.
- :func:`record_handover` — an entry of the handover log (签收簿, ``cus.archive.handover_log``): date,
  from, to, both signatures, the items received (they complete the electronic archive: documents
  with their attributes) and those noted missing (unsatisfied until provided, so completeness drops).
  Under ``cus.archive.paper = true`` the paper must have a location (given with the handover or set
  before): 422 on ``location`` otherwise.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core.accounts.models import User
from core.customers.archive import checklists
from core.customers.archive.models import ArchiveHandover, PaperArchive
from core.customers.models import Customer
from core.customers.policy import cus_policy
from core.db import db
from core.errors import Conflict, InvalidInput, NotFound

RULE_ID = "CUS-02"


def location_of(customer_id: int) -> PaperArchive | None:
    return db.session.scalars(select(PaperArchive).where(PaperArchive.customer_id == customer_id)).first()


def get_location(customer_id: int) -> PaperArchive:
    found = location_of(customer_id)
    if found is None:
        raise NotFound("the customer has no paper archive location")
    return found


def _check_users(ids: Mapping[str, int | None]) -> None:
    errors = {}
    for field, user_id in ids.items():
        if user_id is not None and db.session.scalars(select(User.id).where(User.id == user_id)).first() is None:
            errors[field] = ["no such user in this tenant"]
    if errors:
        raise InvalidInput("unknown user", fields=errors)


def set_location(customer: Customer, data: Mapping[str, Any], by: int | None) -> PaperArchive:
    _check_users({"custodian_id": data.get("custodian_id")})
    found = location_of(customer.id)
    if found is None:
        found = PaperArchive(customer_id=customer.id)
        db.session.add(found)
    found.cabinet = data["cabinet"].strip()
    found.pouch_no = data["pouch_no"].strip()
    found.custodian_id = data.get("custodian_id")
    found.updated_by = by
    db.session.flush()
    return found


def handovers_of(customer_id: int):
    return (select(ArchiveHandover).where(ArchiveHandover.customer_id == customer_id)
            .order_by(ArchiveHandover.on.desc(), ArchiveHandover.id.desc()))


def record_handover(customer: Customer, data: Mapping[str, Any], by: int | None) -> ArchiveHandover:
    """Log a handover of the customer's paper archive (CUS-02) and complete the electronic archive."""
    on: dt.date = data["on"]
    settings = cus_policy(on).values["archive"]
    if not settings["handover_log"]:
        raise Conflict("the handover log is off for this tenant (cus.archive.handover_log = false)",
                       rule_id=RULE_ID)
    errors: dict = {}
    for side in ("from_signed", "to_signed"):
        if not data.get(side):
            errors[side] = ["both sides sign the handover log (CUS-02)"]
    if data["from_user_id"] == data["to_user_id"]:
        errors["to_user_id"] = ["the paper is handed to someone else"]
    received = [item["item_code"] for item in data.get("received", [])]
    missing = list(dict.fromkeys(data.get("missing", [])))
    if len(set(received)) != len(received):
        errors["received"] = ["an item is listed twice"]
    both = sorted(set(received) & set(missing))
    if both:
        errors["missing"] = [f"received and missing at once: {', '.join(both)}"]
    location = data.get("location")
    if settings["paper"] and location is None and location_of(customer.id) is None:
        errors["location"] = ["the paper archive needs a location: cabinet and pouch no. (cus.archive.paper, CUS-02)"]
    if errors:
        raise InvalidInput("invalid handover", fields=errors, rule_id=RULE_ID)
    _check_users({"from_user_id": data["from_user_id"], "to_user_id": data["to_user_id"]})
    all_templates = checklists.templates()
    checklists.check_codes(received, "received", all_templates)
    checklists.check_codes(missing, "missing", all_templates)
    if location is not None:
        set_location(customer, {"custodian_id": data["to_user_id"], **location}, by)
    entry = ArchiveHandover(customer_id=customer.id, on=on, from_user_id=data["from_user_id"],
                            to_user_id=data["to_user_id"], from_signed=True, to_signed=True, received=received,
                            missing=missing, note=data.get("note"), created_by=by)
    db.session.add(entry)
    db.session.flush()
    for item in data.get("received", []):
        checklists.put_document(customer, item["item_code"], item, by, handover_id=entry.id)
    for code in missing:
        checklists.mark_missing(customer, code, by, entry.id)
    return entry
