"""The contact log (CUS-60): every call, SMS, visit, on-site visit... with a customer.

Logging is not validity: an unanswered call is logged and never counts for ownership (CUS-23); an
on-site visit needs the customer's signature (422 on ``customer_signed``), or is kept as
``pending_signature`` when the tenant captures offline (``cus.contact_log.offline_capture``).
A supervisor may confirm an entry's valid date (CUS-23 ``confirm_within``, CAR-12).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.customers.models import ContactLogEntry
from core.customers.ownership.contacts import check_contact_log
from core.customers.ownership.facts import ContactEvent
from core.customers.ownership.service import rejudge
from core.customers.visits.contacts import on_contact
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.errors import InvalidInput, NotFound



def log_contact(customer_id: int, *, channel: str, at: dt.datetime | None, user_id: int | None,
                offline_capture: bool = False, **fields) -> ContactLogEntry:
    """Log a contact of ``customer_id`` (which the caller has loaded: it exists in this tenant)."""
    at = at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("invalid contact", fields={"at": ["needs a time zone (e.g. +08:00)"]})
    if at > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInput("invalid contact", fields={"at": ["a contact cannot be in the future"]})
    check = check_contact_log(ContactEvent(channel, at, customer_signed=fields.get("customer_signed")),
                              offline_capture=offline_capture)
    if check.status == "rejected":
        raise InvalidInput(check.reason_en, fields={check.field: [check.reason_en]}, rule_id=check.rule_id,
                           reason_zh=check.reason_zh)
    entry = ContactLogEntry(customer_id=customer_id, channel=channel, at=at, user_id=user_id,
                            status="pending_signature" if check.status == "pending_signature" else "logged",
                            return_visit=bool(fields.pop("return_visit", False)), **fields)
    db.session.add(entry)
    db.session.flush()
    _consequences(entry)
    return entry


def _consequences(entry: ContactLogEntry) -> None:
    """What a contact (or its confirmation) sets off, wherever it was logged from: it may renew or void
    a protection window (CUS-22 renew_on_contact, CUS-23, CUS-24), fulfil due visits (CUS-61) and keep
    promises (CUS-63)."""
    rejudge(entry.customer_id)
    on_contact(entry)


def contacts_of(customer_id: int):
    """The statement of a customer's contact log, newest first."""
    return (select(ContactLogEntry).where(ContactLogEntry.customer_id == customer_id)
            .order_by(ContactLogEntry.at.desc(), ContactLogEntry.id.desc()))


def get_entry(customer_id: int, entry_id: int) -> ContactLogEntry:
    entry = db.session.scalars(select(ContactLogEntry).where(
        ContactLogEntry.id == entry_id, ContactLogEntry.customer_id == customer_id)).first()
    if entry is None:
        raise NotFound("contact log entry not found")
    return entry


def confirm(entry: ContactLogEntry, by: int, *, customer_signed: bool | None = None) -> ContactLogEntry:
    """A supervisor confirms the entry (its valid date becomes the confirmation time when later than
    ``confirm_within``, CUS-23); a pending on-site visit gets its signature here."""
    if entry.confirmed_at is not None:
        return entry
    if entry.status == "pending_signature":
        if not customer_signed:
            raise InvalidInput("the on-site visit still lacks the customer's signature",
                               fields={"customer_signed": ["required to confirm a pending on-site visit"]},
                               rule_id="CUS-60")
        entry.customer_signed = True
        entry.status = "logged"
    entry.confirmed_at = utcnow()
    entry.confirmed_by = by
    db.session.flush()
    _consequences(entry)  # a late confirmation moves the valid date (CUS-23)
    return entry
