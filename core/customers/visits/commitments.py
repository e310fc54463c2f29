"""Commitments (CUS-63): promises to a customer with an owner and a due time.

:func:`create_commitment` is the one way to record one (visit reports call it for the promises made
during a visit; complaints will for their promised reply times). A contact the owner logs with the
customer keeps a reply or next-visit commitment (:func:`on_contact`); others are fulfilled by hand
(:func:`fulfil`). :func:`alert_overdue` — the job ``cus.commitment_alerts`` — alerts the owner and
their supervisor at the due time of every open commitment, once, with a ``CUS-63`` decision.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.models import ContactLogEntry
from core.customers.visits import commitment_rules as rules
from core.customers.visits.models import Commitment
from core.accounts.people import People
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify



def create_commitment(customer_id: int, *, owner_id: int, due_at: dt.datetime, kind: str, text: str,
                      source_type: str | None = None, source_id: int | None = None,
                      made_at: dt.datetime | None = None, created_by: int | None = None) -> Commitment:
    """Record a promise to ``customer_id`` (which the caller has loaded: it exists in this tenant)."""
    made_at = made_at or utcnow()
    errors: dict[str, list[str]] = {}
    if kind not in rules.KINDS:
        errors["kind"] = [f"one of {', '.join(rules.KINDS)}"]
    if not (text or "").strip():
        errors["text"] = ["say what was promised"]
    if due_at is None or due_at.tzinfo is None:
        errors["due_at"] = ["a time with its time zone (e.g. 2026-09-18T17:00:00+08:00)"]
    elif due_at <= made_at:
        errors["due_at"] = ["must be after the time the promise was made"]
    if made_at.tzinfo is None:
        errors["made_at"] = ["needs a time zone"]
    elif made_at > utcnow() + FUTURE_TOLERANCE:
        errors["made_at"] = ["a promise cannot be made in the future"]
    owner = db.session.scalars(select(User).where(User.id == owner_id)).first() if owner_id else None
    if owner is None or not owner.is_active:
        errors["owner_id"] = ["not an active user of this company"]
    if errors:
        raise InvalidInput("invalid commitment", fields=errors, rule_id="CUS-63")
    commitment = Commitment(customer_id=customer_id, owner_id=owner_id, kind=kind, text=text.strip(),
                            made_at=made_at, due_at=due_at, status="open", source_type=source_type,
                            source_id=source_id, created_by=created_by)
    db.session.add(commitment)
    db.session.flush()
    return commitment


def commitments_of(customer_id: int, status: str | None = None):
    stmt = select(Commitment).where(Commitment.customer_id == customer_id)
    if status:
        stmt = stmt.where(Commitment.status == status)
    return stmt.order_by(Commitment.due_at, Commitment.id)


def get_commitment(customer_id: int, commitment_id: int) -> Commitment:
    row = db.session.scalars(select(Commitment).where(Commitment.id == commitment_id,
                                                      Commitment.customer_id == customer_id)).first()
    if row is None:
        raise NotFound("commitment not found")
    return row


def fulfil(commitment: Commitment, *, by: int | None, note: str | None = None, at: dt.datetime | None = None,
           contact_entry_id: int | None = None) -> Commitment:
    if commitment.status != "open":
        raise Conflict(f"the commitment is already {commitment.status}")
    commitment.status = "fulfilled"
    commitment.fulfilled_at = at or utcnow()
    commitment.fulfilled_by = by
    commitment.fulfil_note = note
    commitment.contact_entry_id = contact_entry_id
    db.session.flush()
    return commitment


def on_contact(entry: ContactLogEntry) -> int:
    """A contact with the customer keeps the owner's open reply / next-visit commitments made before it."""
    if entry.status != "logged" or entry.user_id is None:
        return 0
    rows = list(db.session.scalars(select(Commitment).where(
        Commitment.customer_id == entry.customer_id, Commitment.owner_id == entry.user_id,
        Commitment.status == "open", Commitment.made_at <= entry.at)))
    kept = 0
    contact = rules.Contact(entry.id, entry.user_id, entry.channel, entry.at)
    for row in rows:
        if rules.keeping_contact(row.kind, row.owner_id, row.made_at, [contact]):
            fulfil(row, by=entry.user_id, at=entry.at, contact_entry_id=entry.id,
                   note=f"contact #{entry.id} ({entry.channel})")
            kept += 1
    return kept


def alert_overdue(as_of: dt.datetime | None = None) -> dict:
    """Open commitments at or past their due time: kept by a contact in time → fulfilled; otherwise
    the owner and their supervisor are alerted once (``CUS-63`` decision, ``alerted_at``)."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(Commitment).where(
        Commitment.status == "open", Commitment.alerted_at.is_(None), Commitment.due_at <= as_of)
        .order_by(Commitment.due_at, Commitment.id)))
    if not rows:
        return {"alerted": 0, "kept": 0}
    calendar, _ = tenant_calendar(as_of)
    people = People()
    alerted = kept = 0
    for row in rows:
        contacts = [rules.Contact(e.id, e.user_id, e.channel, e.at) for e in db.session.scalars(
            select(ContactLogEntry).where(ContactLogEntry.customer_id == row.customer_id,
                                          ContactLogEntry.user_id == row.owner_id,
                                          ContactLogEntry.status == "logged",
                                          ContactLogEntry.at >= row.made_at, ContactLogEntry.at <= row.due_at))]
        contact = rules.keeping_contact(row.kind, row.owner_id, row.made_at, contacts, until=row.due_at)
        if contact is not None:
            fulfil(row, by=contact.user_id, at=contact.at, contact_entry_id=contact.id,
                   note=f"contact #{contact.id} ({contact.channel})")
            kept += 1
            continue
        supervisors = people.supervisors_of(row.owner_id)
        zh, en = rules.overdue_reason(row.kind, row.text, calendar.local(row.due_at))
        decision = decisions.record(
            "CUS-63", "commitment", row.id,
            outcome={"alert": True, "owner_id": row.owner_id, "supervisors": supervisors, "due_at": row.due_at},
            facts={"kind": row.kind, "made_at": row.made_at, "due_at": row.due_at, "contacts_in_time": 0,
                   "source": {"type": row.source_type, "id": row.source_id}},
            reason_zh=zh, reason_en=en)
        row.alerted_at, row.alert_decision_id = as_of, decision.id
        notify([row.owner_id, *supervisors], kind="cus.commitment_overdue", rule_id="CUS-63",
               subject_type="commitment", subject_id=row.id, dedupe_key=f"CUS-63:overdue:{row.id}",
               due_at=row.due_at, title_zh=f"答应客户的事已到期：{row.text}"[:300],
               title_en=f"Promise to a customer is due: {row.text}"[:300], body_zh=zh, body_en=en)
        alerted += 1
    db.session.flush()
    return {"alerted": alerted, "kept": kept}
