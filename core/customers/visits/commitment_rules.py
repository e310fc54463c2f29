"""CUS-63 commitments (答应客户的事): pure rules (no database, no clock).

A commitment is a promise to a customer with an owner and a due time. It is kept by a contact the
owner logs with the customer from the moment it was made through its due time, where the kind of
promise allows it (:data:`KEPT_BY`: a promised reply by any contact that reaches the customer, a
promised next visit by a visit); deliveries and fixes are fulfilled by hand. At its due time an
open commitment is overdue: :func:`is_overdue` (at 17:00 for a reply promised for 17:00) and the
owner and their supervisor are alerted.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from core.customers.visits.cadence_rules import ON_SITE_CHANNELS

KINDS = ("reply", "next_visit", "delivery", "fix", "other")
KIND_ZH = {"reply": "答复", "next_visit": "再次拜访", "delivery": "交付", "fix": "维修", "other": "承诺事项"}
REACHING_CHANNELS = ("phone_answered", "sms", "im", "email", "letter", "fax") + ON_SITE_CHANNELS
KEPT_BY = {"reply": REACHING_CHANNELS, "next_visit": ON_SITE_CHANNELS}


@dataclass(frozen=True)
class Contact:
    id: int
    user_id: int | None
    channel: str
    at: dt.datetime


def keeping_contact(kind: str, owner_id: int, made_at: dt.datetime, contacts: Iterable[Contact],
                    until: dt.datetime | None = None) -> Contact | None:
    """The first contact by ``owner_id`` at or after ``made_at`` (and at or before ``until``) whose
    channel keeps a commitment of ``kind``; ``None`` for kinds fulfilled by hand."""
    channels = KEPT_BY.get(kind)
    if not channels:
        return None
    for contact in sorted(contacts, key=lambda c: (c.at, c.id)):
        if contact.user_id == owner_id and contact.channel in channels and contact.at >= made_at \
                and (until is None or contact.at <= until):
            return contact
    return None


def is_overdue(due_at: dt.datetime, now: dt.datetime) -> bool:
    """Overdue from the due time itself (a reply promised for 17:00 is alerted at 17:00)."""
    return now >= due_at


def overdue_reason(kind: str, text: str, due_local: dt.datetime) -> tuple[str, str]:
    when = due_local.strftime("%Y-%m-%d %H:%M")
    return (f"依据CUS-63，答应客户的{KIND_ZH[kind]}「{text}」应于{when}前完成，至今未见记录。",
            f"CUS-63: the {kind.replace('_', ' ')} promised to the customer (\"{text}\") was due at {when}; "
            f"nothing shows it done.")
