"""The facts the ownership rules read (CUS-20..CUS-27): employees, claims (CUS-21 evidence),
contacts (CUS-60), deals (CUS-26); and the shape every outcome has for its decision record
(:class:`Fact`, :class:`RuleDecision`, :class:`Decides` with ``record_kwargs()``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from core.calendar.model import require_aware
from core.customers.ownership.settings import OnExpiry, QuarrelRule
from core.customers.ownership.vocabulary import ASSIGNMENT, CONTACT_KINDS, EVIDENCE_KINDS


@dataclass(frozen=True)
class Staff:
    """An employee as the facts name them; equal by ``id`` only.

    ``name`` is used in Chinese reasons, ``name_en`` (else ``name``) in English ones; both fall
    back to the id.
    """

    id: int | str
    name: str = field(default="", compare=False)
    name_en: str = field(default="", compare=False)
    department: str | None = field(default=None, compare=False)

    @property
    def zh(self) -> str:
        return self.name or str(self.id)

    @property
    def en(self) -> str:
        return self.name_en or self.name or str(self.id)


@dataclass(frozen=True)
class Claim:
    """Evidence of a claim on a customer (CUS-21), or a decided assignment.

    ``at`` is the evidence's effective time: register entry time, the recorded end of the evening
    meeting, the card signature time (CUS-06, CAR-10), the list's confirmation time, or the time an
    assignment takes effect. ``confirmed = False`` (CUS-06: archive not yet confirmed) gives no
    protection. ``approved_at``/``approved_by``: the claim approver's approval of a takeover of a
    claimable customer in the under-service mode (CUS-24). ``rule_id`` names the decision behind an
    ``assignment`` (``CUS-25``, ``CUS-27``, ``CUS-34``...).
    """

    claimant: Staff
    kind: str
    at: dt.datetime
    record_id: int | str | None = None
    confirmed: bool = True
    approved_at: dt.datetime | None = None
    approved_by: Staff | None = None
    rule_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS and self.kind != ASSIGNMENT:
            raise ValueError(f"unknown evidence kind {self.kind!r}")
        require_aware(self.at)
        if self.approved_at is not None:
            require_aware(self.approved_at)


@dataclass(frozen=True)
class ContactEvent:
    """One contact-log entry (CUS-60) reduced to what the ownership rules read.

    ``kind`` is one of :data:`CONTACT_KINDS` (channel and outcome: ``phone_answered``,
    ``phone_unanswered``, ``event_attended``, ``event_invited``...). ``by`` is the employee who made
    it (``None``: unknown, counted for the owner). ``confirmed_at``: the supervisor's confirmation
    of the contact's valid date (CAR-12). ``customer_signed``: the customer's signature on an
    on-site visit (CUS-60).
    """

    kind: str
    at: dt.datetime
    by: Staff | None = None
    record_id: int | str | None = None
    confirmed_at: dt.datetime | None = None
    customer_signed: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in CONTACT_KINDS:
            raise ValueError(f"unknown contact kind {self.kind!r}; expected one of {CONTACT_KINDS}")
        require_aware(self.at)
        if self.confirmed_at is not None:
            require_aware(self.confirmed_at)


@dataclass(frozen=True)
class Deal:
    """A deal as the plugin defines it (RE subscription, CAR paid order...) (CUS-26)."""

    at: dt.datetime
    performance_owner: Staff
    kind: str = "deal"
    record_id: int | str | None = None

    def __post_init__(self) -> None:
        require_aware(self.at)


@dataclass(frozen=True)
class Fact:
    """A fact a decision used: its kind, source record id, time and a short detail."""

    kind: str
    record_id: int | str | None
    at: dt.datetime | None = None
    detail: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "record_id": self.record_id, "at": iso(self.at), "detail": self.detail}


class Decides:
    """The one shape of every outcome of the ownership rules: its :class:`RuleDecision` as
    ``decision`` (the last of a chain) and the keyword arguments to store it.

    ``record_kwargs(subject_id)`` → ``core.decisions.service.record(**kwargs, policy=view)``;
    ``owner_kwargs()`` → ``core.customers.ownership_store.set_owner(customer_id, owner_id=..., state=...,
    **kwargs, policy=view)``. Values are JSON-ready (staff as ids, instants as UTC ISO strings).
    """

    decision: RuleDecision  # provided by each outcome (a field or a property)

    def owner_kwargs(self) -> dict[str, Any]:
        record = self.decision.to_record()
        return {"rule_id": record["rule_id"], "reason_zh": record["reason_zh"], "reason_en": record["reason_en"],
                "facts": {"facts": record["facts"]}, "outcome": record["outcome"]}

    def record_kwargs(self, subject_id: int | str | None = None, subject_type: str = "customer") -> dict[str, Any]:
        return {"subject_type": subject_type, "subject_id": subject_id, **self.owner_kwargs()}


@dataclass(frozen=True)
class RuleDecision(Decides):
    """One decision of a chain: rule id, facts, outcome, reasons (the shape of a Decision row)."""

    rule_id: str
    facts: tuple[Fact, ...]
    outcome: Mapping[str, Any]
    reason_zh: str
    reason_en: str

    @property
    def decision(self) -> RuleDecision:
        return self

    def to_record(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "facts": [f.to_record() for f in self.facts],
            "outcome": {k: jsonable(v) for k, v in self.outcome.items()},
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


def claim_fact(claim: Claim, detail: str) -> Fact:
    return Fact(f"claim:{claim.kind}", claim.record_id, claim.at, f"{claim.claimant.id}:{detail}")


def contact_key(contact: ContactEvent) -> tuple:
    return (contact.at, id_key(contact.record_id))


def id_key(record_id: Any) -> tuple:
    if record_id is None:
        return (2, "")
    if isinstance(record_id, int):
        return (0, f"{record_id:020d}")
    return (1, str(record_id))


def iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return value.isoformat()


def jsonable(value: Any) -> Any:
    if isinstance(value, Staff):
        return value.id
    if isinstance(value, (dt.datetime, dt.date)):
        return iso(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (OnExpiry, QuarrelRule)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return value
