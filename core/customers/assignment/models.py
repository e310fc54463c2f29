"""Tables of assignment and reassignment (CUS-30..CUS-36) and of the visitor and call register (CUS-80).

- :class:`RotationGroup` — one rotation (轮流接待) of a tenant or of one of its departments: the ordered
  members, the pointer, the owed make-up turns and today's turn counts (CUS-31). Locked with
  ``SELECT … FOR UPDATE`` while an arrival is judged, so two arrivals never take the same turn.
- :class:`RegisterEntry` — one line of the visitor/call register (来人/来电登记, CUS-80): time, kind,
  customer name and phone (E.164), first visit or returning, salespersons named by the customer,
  designated salesperson, receiver, whether a rotation turn was consumed, source, outcome and reasons.
- :class:`RedistributionRun` and :class:`RedistributionItem` — a redistribution of a leaver's customers
  (CUS-33/35): the seed, the customer list, the shuffle, the colleagues, and one item per customer
  (position, new owner, the decision once applied). Items are the job's natural keys: a re-run applies
  nothing twice.
- :class:`LeadBatch`, :class:`LeadBatchItem`, :class:`LeadBatchCount` — an event's lead batch split
  evenly (CUS-32), one item per lead, and the batch leads each employee received per local month
  (the remainder goes to the fewest).
- :class:`CustomerFlag` and :class:`StaffContact` — flags such as ``key_prospect`` and the staff linked
  to a customer as its contacts (CUS-36).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.customers.assignment.rules import RotationState
from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow

REGISTER_KINDS = ("visit", "call")
#: how an arrival was received (CUS-31): a rotation turn (regular or make-up), the owner of a
#: returning customer, the salesperson the customer designated, or nobody (a manager assigns, CUS-34)
RECEIVED_AS = ("regular", "make_up", "returning", "designated", "none")
OUTCOMES = ("pending", "deal", "no_deal", "cancelled", "follow_up")
RUN_STATUSES = ("planned", "done")
ITEM_STATUSES = ("planned", "applied", "skipped")
STAFF_SLOTS = ("contact", "developer", "maintainer")


def _user_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["users.tenant_id", "users.id"])


def _customer_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"])


class RotationGroup(TenantScoped, db.Model):
    """A rotation (CUS-31) with its state; ``department_id`` set when the tenant rotates per department."""

    __tablename__ = "rotation_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
    )

    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    members: Mapped[list] = mapped_column(JSONType, default=list)  # user ids, in rotation order
    pointer: Mapped[int | None] = mapped_column(BigInteger)  # whose regular turn is next (None: the first)
    owed: Mapped[list] = mapped_column(JSONType, default=list)  # [{staff_id, owed_at, arrival_id}], oldest first
    day: Mapped[dt.date | None] = mapped_column(Date)  # local day of the last arrival
    turns_today: Mapped[dict] = mapped_column(JSONType, default=dict)  # {staff id: turns passed today}
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def state(self) -> RotationState:
        return RotationState.from_json({"order": self.members or [], "pointer": self.pointer, "owed": self.owed or [],
                                        "day": self.day.isoformat() if self.day else None,
                                        "turns_today": self.turns_today or {}})

    def store(self, state: RotationState) -> None:
        data = state.to_json()
        self.members, self.pointer, self.owed = data["order"], data["pointer"], data["owed"]
        self.day, self.turns_today = state.day, data["turns_today"]

    def owed_counts(self) -> dict[int, int]:
        return self.state().owed_counts()


class RegisterEntry(TenantScoped, db.Model):
    """One visitor or caller (CUS-80)."""

    __tablename__ = "register_entries"
    __table_args__ = (
        _customer_fk(),
        ForeignKeyConstraint(["tenant_id", "rotation_group_id"], ["rotation_groups.tenant_id", "rotation_groups.id"]),
        Index("ix_register_entries_at", "tenant_id", "at"),
        Index("ix_register_entries_phone", "tenant_id", "phone"),
    )

    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(10))  # visit | call
    customer_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))  # E.164 (CUS-10)
    customer_id: Mapped[int | None] = mapped_column(BigInteger)  # created or linked by phone
    first_visit: Mapped[bool] = mapped_column(Boolean)
    named_salespersons: Mapped[list] = mapped_column(JSONType, default=list)  # user ids, in the customer's order
    designated_id: Mapped[int | None] = mapped_column(BigInteger)
    receiver_id: Mapped[int | None] = mapped_column(BigInteger)
    received_as: Mapped[str] = mapped_column(String(20))  # RECEIVED_AS
    turn_consumed: Mapped[bool] = mapped_column(Boolean, default=False)
    rotation_group_id: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    outcome_reasons: Mapped[list] = mapped_column(JSONType, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the CUS-31 decision of the arrival
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RedistributionRun(TenantScoped, db.Model):
    """A redistribution of a leaver's customers (CUS-33, CUS-35 b) planned from one seed."""

    __tablename__ = "redistribution_runs"
    __table_args__ = (
        _user_fk("leaver_id"),
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_redistribution_runs_leaver", "tenant_id", "leaver_id"),
    )

    leaver_id: Mapped[int] = mapped_column(BigInteger)
    trigger: Mapped[str] = mapped_column(String(20))  # long_leave | transfer | departure
    strategy: Mapped[str] = mapped_column(String(20))  # random_draw | manual
    seed: Mapped[int | None] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(20))
    leave_start: Mapped[dt.date | None] = mapped_column(Date)
    leave_end: Mapped[dt.date | None] = mapped_column(Date)
    customers: Mapped[list] = mapped_column(JSONType, default=list)  # ids ascending
    shuffled: Mapped[list] = mapped_column(JSONType, default=list)
    colleagues: Mapped[list] = mapped_column(JSONType, default=list)  # eligible, by id
    skipped: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    dedupe_key: Mapped[str] = mapped_column(String(200))
    decision_id: Mapped[int | None] = mapped_column(BigInteger)  # the CUS-33/35 summary on the employee
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RedistributionItem(TenantOwned, db.Model):
    """One customer of a run: its 1-based position in the shuffle and its new owner."""

    __tablename__ = "redistribution_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "run_id"], ["redistribution_runs.tenant_id", "redistribution_runs.id"]),
        _customer_fk(),
    )

    run_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int | None] = mapped_column(Integer)
    to_owner_id: Mapped[int | None] = mapped_column(BigInteger)  # None: a manager assigns (on_leave = manual)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LeadBatch(TenantScoped, db.Model):
    """An event's lead batch split among its participants (CUS-32)."""

    __tablename__ = "lead_batches"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
    )

    event_id: Mapped[int | None] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(String(7))  # local month of ``at``: 2026-03
    seed: Mapped[int] = mapped_column(BigInteger)
    participants: Mapped[list] = mapped_column(JSONType, default=list)
    priority: Mapped[list] = mapped_column(JSONType, default=list)
    counts: Mapped[dict] = mapped_column(JSONType, default=dict)  # {staff id: leads received}
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadBatchItem(TenantOwned, db.Model):
    """One lead of a batch: who received it (``equal_share``/``remainder``), or ``kept`` by its owner."""

    __tablename__ = "lead_batch_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["lead_batches.tenant_id", "lead_batches.id"]),
        _customer_fk(),
    )

    batch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # equal_share | remainder | kept | unassigned
    staff_id: Mapped[int | None] = mapped_column(BigInteger)  # the receiver, or the owner who keeps it
    position: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)


class LeadBatchCount(TenantOwned, db.Model):
    """Batch leads an employee received in one local month (CUS-32 ``remainder = fewest_this_month``)."""

    __tablename__ = "lead_batch_counts"
    __table_args__ = (_user_fk("staff_id"),)

    staff_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CustomerFlag(TenantOwned, db.Model):
    """A flag of a customer (``key_prospect``…) that may require several staff contacts (CUS-36)."""

    __tablename__ = "customer_flags"
    __table_args__ = (_customer_fk(),)

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flag: Mapped[str] = mapped_column(String(50), primary_key=True)
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffContact(TenantOwned, db.Model):
    """An employee linked to a customer as one of its staff contacts, with a contact-report duty (CUS-36)."""

    __tablename__ = "customer_staff_contacts"
    __table_args__ = (_customer_fk(), _user_fk("user_id"))

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    slot: Mapped[str] = mapped_column(String(20), default="contact")  # contact | developer | maintainer
    report_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "CustomerFlag", "LeadBatch", "LeadBatchCount", "LeadBatchItem", "RedistributionItem",
    "RedistributionRun", "RegisterEntry", "RotationGroup", "StaffContact",
]
