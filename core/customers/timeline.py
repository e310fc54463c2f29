"""A customer's timeline (CUS-05): every contact, transaction, ownership change, decision, invitation
and attendance of the customer in time order, newest first, each with its type, time, actor, a
summary in Chinese and English and the record it comes from.

The timeline is assembled from :data:`SOURCES`, a plain list. A source says which item types it gives
and has two plain functions: ``items(customer_id, types, limit)`` → at most ``limit`` items newest
first (of the wanted ``types``), and ``count(customer_id, types)``. A page at ``offset`` takes the first
``offset + limit`` items of each source, merges them and cuts the page out, so no source has to
give more than the page asked for. Complaints are one source (their steps and decisions stay on the
case page); work orders join the same way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Callable

from sqlalchemy import func, literal, or_, select

from core.accounts.models import User
from core.customers.models import ContactLogEntry, CustomerTransaction, OwnershipChange
from core.db import db
from core.decisions.models import Decision


@dataclass(frozen=True)
class TimelineItem:
    type: str
    at: dt.datetime
    actor_id: int | None  # the user who acted; None: the system (an automatic decision)
    summary_zh: str
    summary_en: str
    source: str  # the table of the record
    source_id: int
    rule_id: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Source:
    types: tuple[str, ...]
    items: Callable[[int, frozenset, int], list[TimelineItem]]
    count: Callable[[int, frozenset], int]


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _clip(text: str | None, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ------------------------------------------------------------------------------------------- contacts

CHANNEL_LABELS = {
    "phone_answered": ("电话（接通）", "Call (answered)"), "phone_unanswered": ("电话（未接通）", "Call (unanswered)"),
    "sms": ("短信", "SMS"), "visit": ("来访", "Visit"), "home_visit": ("上门拜访", "Home visit"),
    "on_site": ("现场服务", "On-site visit"), "im": ("即时通讯", "IM"), "email": ("邮件", "Email"),
    "letter": ("信函", "Letter"), "fax": ("传真", "Fax"), "event_attended": ("参加活动", "Event attended"),
    "event_invited": ("活动邀约", "Event invitation"),
}


def _contacts_stmt(customer_id: int):
    return select(ContactLogEntry).where(ContactLogEntry.customer_id == customer_id)


def contact_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    rows = db.session.scalars(_contacts_stmt(customer_id).order_by(ContactLogEntry.at.desc(), ContactLogEntry.id.desc())
                              .limit(limit))
    items = []
    for e in rows:
        zh, en = CHANNEL_LABELS.get(e.channel, (e.channel, e.channel))
        detail = _clip(e.content or e.outcome)
        items.append(TimelineItem("contact", e.at, e.user_id, f"{zh}：{detail}" if detail else zh,
                                  f"{en}: {detail}" if detail else en, "contact_log", e.id))
    return items


def contact_count(customer_id: int, types: frozenset) -> int:
    return _count(_contacts_stmt(customer_id))


# --------------------------------------------------------------------------------------- transactions

TRANSACTION_LABELS = {"purchase": ("购买", "Purchase"), "refund": ("退款", "Refund"), "shipment": ("发货", "Shipment"),
                      "collection": ("回款", "Collection"), "prepayment": ("预付款", "Prepayment")}


def _transactions_stmt(customer_id: int):
    return select(CustomerTransaction).where(CustomerTransaction.customer_id == customer_id)


def transaction_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    rows = db.session.scalars(_transactions_stmt(customer_id)
                              .order_by(CustomerTransaction.at.desc(), CustomerTransaction.id.desc()).limit(limit))
    items = []
    for t in rows:
        zh, en = TRANSACTION_LABELS.get(t.kind, (t.kind, t.kind))
        amount = f"¥{Decimal(t.amount):,.2f}"
        at_event = ("（活动 #%d）" % t.event_id, f" (event #{t.event_id})") if t.event_id else ("", "")
        items.append(TimelineItem("transaction", t.at, t.user_id, f"{zh} {amount}{at_event[0]}",
                                  f"{en} {amount}{at_event[1]}", "customer_transactions", t.id))
    return items


def transaction_count(customer_id: int, types: frozenset) -> int:
    return _count(_transactions_stmt(customer_id))


# ------------------------------------------------------------------------------------------ ownership


def _ownership_stmt(customer_id: int):
    return select(OwnershipChange).where(OwnershipChange.customer_id == customer_id)


def ownership_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    rows = list(db.session.scalars(_ownership_stmt(customer_id)
                                   .order_by(OwnershipChange.at.desc(), OwnershipChange.id.desc()).limit(limit)))
    names = _names([r.from_owner_id for r in rows] + [r.to_owner_id for r in rows])
    items = []
    for r in rows:
        before = names.get(r.from_owner_id, "公共池" if r.from_owner_id is None else f"#{r.from_owner_id}")
        after = names.get(r.to_owner_id, "公共池" if r.to_owner_id is None else f"#{r.to_owner_id}")
        before_en = names.get(r.from_owner_id, "public pool" if r.from_owner_id is None else f"#{r.from_owner_id}")
        after_en = names.get(r.to_owner_id, "public pool" if r.to_owner_id is None else f"#{r.to_owner_id}")
        items.append(TimelineItem("ownership", r.at, r.decided_by, f"归属：{before} → {after}（{r.state}，{r.rule_id}）",
                                  f"Ownership: {before_en} → {after_en} ({r.state}, {r.rule_id})", "ownership_changes",
                                  r.id, r.rule_id))
    return items


def ownership_count(customer_id: int, types: frozenset) -> int:
    return _count(_ownership_stmt(customer_id))


# ------------------------------------------------------------------------------------------ decisions


def _event_invitation_ids(customer_id: int):
    from core.customers.events.models import EventInvitation

    return select(EventInvitation.id).where(EventInvitation.customer_id == customer_id).scalar_subquery()


#: the decisions about a customer: ``(subject_type, ids of that subject belonging to the customer)``
DECISION_SUBJECTS: list[tuple[str, Callable]] = [
    ("customer", lambda customer_id: literal(customer_id)),
    ("event_invitation", _event_invitation_ids),
]


def _decisions_stmt(customer_id: int):
    about = []
    for subject_type, ids in DECISION_SUBJECTS:
        target = ids(customer_id)
        condition = Decision.subject_id == target if subject_type == "customer" else Decision.subject_id.in_(target)
        about.append((Decision.subject_type == subject_type) & condition)
    shown_as_ownership = (select(OwnershipChange.decision_id)
                          .where(OwnershipChange.customer_id == customer_id, OwnershipChange.decision_id.is_not(None))
                          .scalar_subquery())
    return select(Decision).where(or_(*about), Decision.id.not_in(shown_as_ownership))


def decision_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    """Decisions about the customer and its records; those already shown as an ownership change are
    not repeated."""
    rows = db.session.scalars(_decisions_stmt(customer_id).order_by(Decision.created_at.desc(), Decision.id.desc())
                              .limit(limit))
    return [TimelineItem("decision", d.created_at, d.decided_by, f"{d.rule_id}：{_clip(d.reason_zh, 120)}",
                         f"{d.rule_id}: {_clip(d.reason_en, 160)}", "decisions", d.id, d.rule_id) for d in rows]


def decision_count(customer_id: int, types: frozenset) -> int:
    return _count(_decisions_stmt(customer_id))


# ---------------------------------------------------------------------------------- events (CUS-81)


def event_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    from core.customers.events.service import timeline_items

    wanted = [i for i in timeline_items(customer_id, None) if i["type"] in types]
    return [TimelineItem(**i) for i in wanted[:limit]]


def event_count(customer_id: int, types: frozenset) -> int:
    from core.customers.events.service import timeline_counts

    counts = timeline_counts(customer_id)
    return sum(n for t, n in counts.items() if t in types)


# ------------------------------------------------------------------------------------------ complaints


def complaint_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    from core.complaints import timeline as complaints

    return [TimelineItem(**i) for i in complaints.items(customer_id, limit)]


def complaint_count(customer_id: int, types: frozenset) -> int:
    from core.complaints import timeline as complaints

    return complaints.count(customer_id)


# ------------------------------------------------------------------------------- service return visits


def service_visit_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    from core.service import return_visit_timeline as visits

    return [TimelineItem(**i) for i in visits.items(customer_id, limit)]


def service_visit_count(customer_id: int, types: frozenset) -> int:
    from core.service import return_visit_timeline as visits

    return visits.count(customer_id)


# ---------------------------------------------------------------------------------- work orders (SVC)


def work_order_items(customer_id: int, types: frozenset, limit: int) -> list[TimelineItem]:
    from core.service import timeline as service

    return [TimelineItem(**i) for i in service.items(customer_id, types, limit)]


def work_order_count(customer_id: int, types: frozenset) -> int:
    from core.service import timeline as service

    return service.count(customer_id, types)


# -------------------------------------------------------------------------------------------- registry

SOURCES: list[Source] = [
    Source(("contact",), contact_items, contact_count),
    Source(("transaction",), transaction_items, transaction_count),
    Source(("ownership",), ownership_items, ownership_count),
    Source(("decision",), decision_items, decision_count),
    Source(("invitation", "attendance"), event_items, event_count),
    Source(("complaint",), complaint_items, complaint_count),
    Source(("service_return_visit",), service_visit_items, service_visit_count),
    Source(("work_order", "service_record"), work_order_items, work_order_count),
]


def item_types() -> list[str]:
    return [t for source in SOURCES for t in source.types]


def timeline(customer_id: int, *, types=None, offset: int = 0, limit: int = 20) -> tuple[list[dict], int]:
    """One page of the customer's timeline (newest first) and the number of items in all; ``types``
    limits it to some item types (default all). Each item has its actor's name."""
    wanted = frozenset(types or item_types())
    unknown = wanted - set(item_types())
    if unknown:
        raise ValueError(f"unknown timeline types: {', '.join(sorted(unknown))}")
    items: list[TimelineItem] = []
    total = 0
    for source in SOURCES:
        mine = wanted.intersection(source.types)
        if not mine:
            continue
        items.extend(source.items(customer_id, frozenset(mine), offset + limit))
        total += source.count(customer_id, frozenset(mine))
    items.sort(key=lambda i: (i.at, i.source_id), reverse=True)
    page = items[offset: offset + limit]
    names = _names(i.actor_id for i in page)
    return [{**i.as_dict(), "actor_name": names.get(i.actor_id)} for i in page], total
