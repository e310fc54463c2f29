"""The A/B follow-up sheet (客户追踪表, RE-51), held by the sales supervisor.

- A customer's **current intent class** is the class of their latest reception (RE-05 register) or
  follow-up entry, whichever is later (by local day, then time written). Customers whose current class is
  tracked (``re.tracked``, A and B) are on the sheet, since the day their class last became tracked.
- :func:`add_entry` — a line of the sheet: the day's follow-up as reported at the evening meeting,
  entered by the supervisor (or a manager) for any salesperson, or by the salesperson for themselves.
- :func:`sheet` — the sheet: each tracked customer with their class, salesperson, last entry; a
  salesperson sees only their own customers; a customer the viewer may not see (CUS-70) reads ``#<id>``,
  without the note of its last entry. Entries of such a customer are 404 to read and to write.
- :func:`send_reminders` — the daily job's work: a tracked customer with no entry for
  ``re.follow_up_sheet.remind_after`` (7 days) → the supervisors are notified once per gap (the
  notification's dedupe key names the customer and the day the gap started), with a decision (RE-51).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.calendar.service import tenant_calendar
from core.customers import service as customers
from core.customers.confidentiality import access
from core.customers.confidentiality.people import holders
from core.customers.models import Customer
from core.db import db, get_one, utcnow
from core.errors import Forbidden, InvalidInput
from plugins.real_estate.names import customer_names
from plugins.real_estate.office_models import FollowUpEntry
from plugins.real_estate.policy import re_policy
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.reception_models import Reception
from plugins.real_estate.report_rules import TrackedCustomer, follow_up_reminder

#: who keeps the sheet and enters any salesperson's lines
SHEET_KEEPERS = OFFICE_MANAGERS
#: who is reminded of a gap
REMINDED_ROLE = "sales_supervisor"
NOTE_MAX = 2000


@dataclass(frozen=True)
class SheetLine:
    customer_id: int
    customer: str
    intent_class: str
    salesperson_id: int | None
    on_sheet_since: dt.date
    last_follow_up_on: dt.date | None
    last_note: str | None
    visible: bool = True  # the viewer may open the customer (CUS-70)

    def tracked(self) -> TrackedCustomer:
        return TrackedCustomer(self.customer_id, self.intent_class, self.on_sheet_since, self.last_follow_up_on)


def _events(customer_ids=None) -> dict[int, list[tuple]]:
    """Per customer, the (day, written at, class, salesperson, note or None, is entry) of every reception
    with a class and every follow-up entry, oldest first."""
    receptions = select(Reception.customer_id, Reception.day, Reception.at, Reception.intent_class,
                        Reception.receiver_id).where(Reception.intent_class.is_not(None))
    entries = select(FollowUpEntry)
    if customer_ids is not None:
        receptions = receptions.where(Reception.customer_id.in_(customer_ids))
        entries = entries.where(FollowUpEntry.customer_id.in_(customer_ids))
    found: dict[int, list[tuple]] = {}
    for r in db.session.execute(receptions):
        found.setdefault(r.customer_id, []).append((r.day, r.at, r.intent_class, r.receiver_id, None, False))
    for e in db.session.scalars(entries):
        found.setdefault(e.customer_id, []).append((e.day, e.entered_at, e.intent_class, e.salesperson_id, e.note,
                                                    True))
    for events in found.values():
        events.sort(key=lambda ev: (ev[0], ev[1]))
    return found


def _line(customer_id: int, name: str, events: list[tuple], tracked: list[str], *,
          visible: bool = True) -> SheetLine | None:
    """The sheet's line of a customer, or None when their class is not tracked; a customer the viewer may
    not see (CUS-70) keeps its class and dates but not the note of its last entry."""
    day, _at, intent_class, salesperson, _note, _entry = events[-1]
    if intent_class not in tracked:
        return None
    since = day
    for ev in reversed(events):  # the day the class last became tracked
        if ev[2] not in tracked:
            break
        since = ev[0]
    entries = [ev for ev in events if ev[5]]
    last = entries[-1] if entries else None
    return SheetLine(customer_id, name, intent_class, salesperson, since, last[0] if last else None,
                     last[4] if last and visible else None, visible)


def sheet(viewer=None, *, at=None) -> list[SheetLine]:
    """The tracked customers, the longest without an entry first; ``viewer`` (a user) who is not a keeper
    of the sheet sees only the customers they follow up."""
    tracked = re_policy(at).values["tracked"]
    events = _events()
    names = customer_names(events)  # the hidden ones read "#id" (CUS-70)
    visible = set(db.session.scalars(access.restrict(select(Customer.id)).where(Customer.id.in_(list(events)))))
    lines = [line for cid, evs in events.items()
             if (line := _line(cid, names[cid], evs, tracked, visible=cid in visible)) is not None]
    if viewer is not None and not viewer.has_role(*SHEET_KEEPERS):
        lines = [line for line in lines if line.salesperson_id == viewer.id]
    return sorted(lines, key=lambda line: (line.last_follow_up_on or line.on_sheet_since, line.customer_id))


def entries_of(customer_id: int, viewer) -> tuple[Customer, list[FollowUpEntry]]:
    """A customer's follow-up entries, latest first (404 for another tenant's customer, or one the viewer
    may not see: CUS-70)."""
    customer = customers.get_customer(customer_id)
    stmt = select(FollowUpEntry).where(FollowUpEntry.customer_id == customer.id)
    if not viewer.has_role(*SHEET_KEEPERS):
        stmt = stmt.where(FollowUpEntry.salesperson_id == viewer.id)
    return customer, list(db.session.scalars(stmt.order_by(FollowUpEntry.day.desc(), FollowUpEntry.id.desc())))


def get_entry(follow_up_id: int, viewer) -> FollowUpEntry:
    """One entry (404 for another tenant's, or for a customer the viewer may not see: CUS-70)."""
    entry = get_one(FollowUpEntry, follow_up_id, "follow-up entry")
    customers.get_customer(entry.customer_id)
    if not viewer.has_role(*SHEET_KEEPERS) and entry.salesperson_id != viewer.id:
        raise Forbidden("only the supervisor sees other salespeople's follow-ups")
    return entry


def add_entry(customer_id: int, data: dict, by) -> FollowUpEntry:
    """RE-51: one line of the sheet. ``data``: ``intent_class``, ``day`` (date, not in the future),
    ``note``, ``salesperson_id`` (default: ``by``; another salesperson only for the sheet's keepers).
    A customer the writer may not see → 404 (CUS-70)."""
    customer = customers.get_customer(customer_id)
    cal, _view = tenant_calendar()
    today = cal.local_date(utcnow())
    classes = re_policy().values["intent_classes"]
    errors = {}
    intent_class = (data.get("intent_class") or "").strip()
    if intent_class not in classes:
        errors["intent_class"] = [f"one of {', '.join(classes)}"]
    day = data.get("day") or today
    if day > today:
        errors["day"] = ["a follow-up is entered on or after its day"]
    note = (data.get("note") or "").strip()
    if not note:
        errors["note"] = ["what was done with the customer"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"at most {NOTE_MAX} characters"]
    salesperson_id = data.get("salesperson_id") or by.id
    if errors:
        raise InvalidInput("invalid follow-up entry", fields=errors)
    if salesperson_id != by.id:
        if not by.has_role(*SHEET_KEEPERS):
            raise Forbidden("only the supervisor enters other salespeople's follow-ups")
        from core.accounts.models import User

        if db.session.scalar(select(User.id).where(User.id == salesperson_id)) is None:
            raise InvalidInput("invalid follow-up entry", fields={"salesperson_id": ["no such salesperson"]})
    entry = FollowUpEntry(customer_id=customer.id, salesperson_id=salesperson_id, intent_class=intent_class,
                          day=day, note=note, entered_by=by.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def send_reminders(now: dt.datetime) -> dict:
    """RE-51 (daily job): remind the supervisors of every tracked customer without an entry for the set
    period; once per customer and gap (a re-run, or the next day, adds nothing until a new entry)."""
    from core.decisions.service import record
    from core.notifications.service import notify

    view = re_policy(now)
    cal, _cal_view = tenant_calendar(now)
    supervisors = holders([REMINDED_ROLE])
    sent = []
    for line in sheet(at=now):
        reminder = follow_up_reminder(view.values, cal, line.tracked(), now)
        if reminder is None or not supervisors:
            continue
        since = line.last_follow_up_on or line.on_sheet_since
        key = f"RE-51:follow_up:{line.customer_id}:{since}"
        created = notify(supervisors, kind="re.follow_up_gap", rule_id="RE-51", subject_type="customer",
                         subject_id=line.customer_id, dedupe_key=key, due_at=reminder.due_from,
                         title_zh=f"{line.intent_class}类客户{line.customer}待跟进",
                         title_en=f"Class {line.intent_class} customer {line.customer} needs a follow-up",
                         body_zh=reminder.reason_zh, body_en=reminder.reason_en)
        if created:
            record("RE-51", "customer", line.customer_id, outcome=reminder.outcome() | {"notified": supervisors},
                   reason_zh=reminder.reason_zh, reason_en=reminder.reason_en, policy=view,
                   facts={"intent_class": line.intent_class, "on_sheet_since": line.on_sheet_since,
                          "last_follow_up_on": line.last_follow_up_on})
            sent.append(line.customer_id)
    return {"reminded": sent}
