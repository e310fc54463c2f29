"""Assignment and reassignment of customers and leads (DOMAIN.md 3.4, CUS-30..CUS-36) as pure rules.

Every function here is a pure function of (policy values, facts, now) → outcome. No database, no Flask:
a service loads the facts, calls the rule, stores the outcome and writes its decision with
``core.decisions.service.record(**outcome.record_kwargs(), policy=view)``. Each outcome carries the
rule id, the facts used (with the ids of the records they came from) and a reason in Chinese and English.

Settings (the ``cus`` policy document; :class:`AssignmentPolicySchema`, spec defaults)::

    cus.assign.default = manual                      CUS-30  round_robin | equal_split | random_draw | by_tier | manual
    cus.assign.by_tier = {}                          CUS-30  {grade: [team, next team, ...]}
    cus.assign.team_capacity = {}                    CUS-30  {team: max customers held}
    cus.rotation.accruing_absences = [company_business, with_customer]   CUS-31, CAL-11
    cus.rotation.order = fixed                       CUS-31  alt fewest_received_today
    cus.rotation.owed_turns_expire = never           CUS-31  alt end_of_day   (not in the spec: ambiguity)
    cus.batch.participants_only = true               CUS-32
    cus.batch.remainder = fewest_this_month          CUS-32  alt seeded_shuffle
    cus.reassign.on_leave = random_draw              CUS-33  alt manual
    cus.reassign.scope = same_department             CUS-33  alt same_team | tenant
    cus.reassign.block_deactivation = true           CUS-35
    cus.reassign.notify_customer = false             CUS-35
    cus.contacts.min_for_flag = {key_prospect: 2}    CUS-36
    cus.ka.handover_on_signing = false               CUS-36

Public API (rule ids in brackets):

- eligibility [CUS-30]: :func:`screen_candidate`, :func:`screen_candidates`
- by tier [CUS-30]: :func:`assign_by_tier`
- rotation [CUS-31, RE-01/RE-02]: :class:`RotationState`, :class:`Arrival`, :func:`next_turn`,
  :func:`with_order`
- lead batch [CUS-32]: :func:`split_lead_batch`
- random draw [CUS-33]: :func:`seeded_shuffle`, :func:`random_draw`
- manual override [CUS-34]: :func:`manual_override`
- reassignment triggers [CUS-35]: :func:`check_deactivation`, :func:`reassignment_trigger`,
  :func:`redistribute`
- contacts and KA handover [CUS-36]: :func:`contact_tasks`, :func:`ka_signing_handover`

Seeded randomness (CUS-32 ties, CUS-33): :func:`seeded_shuffle` is ``random.Random(seed).shuffle`` on the
list sorted ascending, with an ``int`` seed ≥ 0. The exact algorithm, so that a draw can be re-run years
later even by another implementation: MT19937 seeded by ``init_by_array`` with the 32-bit words of the
seed (least significant first; ``[0]`` for seed 0); then Fisher–Yates from the end: for ``i`` from
``n-1`` down to ``1``, ``j = randbelow(i+1)``, swap ``x[i]`` and ``x[j]``; ``randbelow(m)`` takes
``k = m.bit_length()`` bits with ``getrandbits(k)`` and draws again while the value is ``≥ m``. This is
what CPython's ``random.shuffle`` does (3.11 here). :func:`fisher_yates_reference` writes it out on
``getrandbits`` alone; the tests pin both against the spec vectors (CUS-33, RE-23) and against each
other, so should a future Python change ``shuffle``, the reference function takes over unchanged.
The seed, the lists and the result are stored in the outcome's facts.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar.availability import (
    DEFAULT_LONG_LEAVE_MIN,
    Availability,
    is_long_leave,
)
from core.calendar.durations import Duration, format_duration
from core.calendar.policy import unique_values
from core.errors import InvalidInput

# --------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------

STRATEGIES = ("round_robin", "equal_split", "random_draw", "by_tier", "manual")
ROTATION_ORDERS = ("fixed", "fewest_received_today")
OWED_TURNS_EXPIRY = ("never", "end_of_day")
ABSENCES = ("off_duty", "leave", "company_business", "with_customer")
BATCH_REMAINDERS = ("fewest_this_month", "seeded_shuffle")
ON_LEAVE_STRATEGIES = ("random_draw", "manual")
REASSIGN_SCOPES = ("same_department", "same_team", "tenant")
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _one_of(choices: Sequence[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class AssignSchema(Schema):
    """``cus.assign`` (CUS-30)."""

    default = fields.String(validate=_one_of(STRATEGIES), load_default="manual")
    by_tier = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.List(fields.String(validate=validate.Length(min=1)), validate=validate.Length(min=1)),
        load_default=dict,
    )
    team_capacity = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0)),
        load_default=dict,
    )

    @validates("by_tier")
    def _teams_listed_once(self, value: dict, data_key: str | None = None, **kwargs: Any) -> None:
        errors = {}
        for grade, teams in value.items():
            try:
                unique_values("team")(teams)
            except ValidationError as exc:
                errors[grade] = exc.messages
        if errors:
            raise ValidationError(errors)


class RotationSchema(Schema):
    """``cus.rotation`` (CUS-31)."""

    accruing_absences = fields.List(
        fields.String(validate=_one_of(ABSENCES)),
        validate=unique_values("absence"),
        load_default=lambda: ["company_business", "with_customer"],
    )
    order = fields.String(validate=_one_of(ROTATION_ORDERS), load_default="fixed")
    owed_turns_expire = fields.String(validate=_one_of(OWED_TURNS_EXPIRY), load_default="never")


class BatchSchema(Schema):
    """``cus.batch`` (CUS-32)."""

    participants_only = fields.Boolean(load_default=True)
    remainder = fields.String(validate=_one_of(BATCH_REMAINDERS), load_default="fewest_this_month")


class ReassignSchema(Schema):
    """``cus.reassign`` (CUS-33, CUS-35)."""

    on_leave = fields.String(validate=_one_of(ON_LEAVE_STRATEGIES), load_default="random_draw")
    scope = fields.String(validate=_one_of(REASSIGN_SCOPES), load_default="same_department")
    block_deactivation = fields.Boolean(load_default=True)
    notify_customer = fields.Boolean(load_default=False)


class ContactsSchema(Schema):
    """``cus.contacts`` (CUS-36)."""

    min_for_flag = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Integer(strict=True, validate=validate.Range(min=1)),
        load_default=lambda: {"key_prospect": 2},
    )


class KaSchema(Schema):
    """``cus.ka``: the handover on signing (CUS-36) and the key-account thresholds (CUS-51)."""

    handover_on_signing = fields.Boolean(load_default=False)
    min_purchase = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0),
                                  load_default=lambda: Decimal("1000000.00"))
    min_profit_share = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=100),
                                      load_default=lambda: Decimal("10.00"),
                                      metadata={"description": "percent of the company's gross profit"})
    period = fields.String(load_default="12 months", metadata={"description": "trailing period"})
    inclusive = fields.Boolean(load_default=False, metadata={"description": "CAL-10: thresholds are strict by default"})


class AssignmentPolicySchema(Schema):
    """The assignment part of the ``cus`` policy document (CUS-30..CUS-36). ``load({})`` → defaults."""

    assign = fields.Nested(AssignSchema, load_default=lambda: AssignSchema().load({}))
    rotation = fields.Nested(RotationSchema, load_default=lambda: RotationSchema().load({}))
    batch = fields.Nested(BatchSchema, load_default=lambda: BatchSchema().load({}))
    reassign = fields.Nested(ReassignSchema, load_default=lambda: ReassignSchema().load({}))
    contacts = fields.Nested(ContactsSchema, load_default=lambda: ContactsSchema().load({}))
    ka = fields.Nested(KaSchema, load_default=lambda: KaSchema().load({}))


def load_assignment_policy(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate and load the assignment settings (``{}`` or ``None`` → all defaults)."""
    return AssignmentPolicySchema().load(dict(raw or {}))


_DEFAULTS = AssignmentPolicySchema().load({})


def _section(settings: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """One section of the loaded settings, missing keys taking the spec defaults."""
    given = (settings or {}).get(name) or {}
    return {**_DEFAULTS[name], **given}


# --------------------------------------------------------------------------------------------------
# Outcomes: the shape a decision record needs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Decided:
    """What every outcome carries for its decision record (rule id, facts, reason zh + en).

    ``facts`` holds plain JSON-able values (ids, dates, Decimals), each with the id of its record.
    ``decided_by`` is the user id for manual decisions (CUS-34), ``supersedes`` the id of the
    decision this one supersedes.
    """

    rule_id: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    reason_zh: str
    reason_en: str
    decided_by: int | None = None
    supersedes: int | None = None

    subject_type = "customer"

    def subject_id(self) -> int | None:  # pragma: no cover - overridden
        return None

    def outcome(self) -> dict[str, Any]:  # pragma: no cover - overridden
        return {}

    def record_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``core.decisions.service.record`` (add ``policy`` and ``supersedes``)."""
        return {
            "rule_id": self.rule_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id(),
            "outcome": self.outcome(),
            "facts": dict(self.facts),
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "decided_by": self.decided_by,
        }


SKIP_REASONS: dict[str, tuple[str, str]] = {
    "inactive": ("已停用", "inactive"),
    "out_of_scope": ("不在分配范围内", "outside the assignment scope"),
    "capacity": ("已达容量上限", "at capacity"),
    "leave": ("休长假", "on long leave"),
    "off_duty": ("不在岗", "off duty"),
    "company_business": ("因公外出", "away on company business"),
    "with_customer": ("正在接待客户", "busy with a customer"),
    "not_in_roster": ("无在岗记录", "no availability record"),
    "not_participant": ("未参加该活动", "did not take part in the event"),
    "leaver": ("即被调整客户的员工本人", "is the person whose customers are redistributed"),
    "no_tier_rule": ("该等级未配置团队", "no team configured for the grade"),
}


@dataclass(frozen=True)
class Skip:
    """A candidate (staff id or team key) passed over, with its reason code (CUS-30).

    ``owed_turn`` is true when the rotation credited the candidate a make-up turn (CUS-31).
    """

    candidate: int | str
    reason: str
    owed_turn: bool = False

    def as_fact(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "reason": self.reason, "owed_turn": self.owed_turn}


@dataclass(frozen=True)
class StaffMember:
    """An employee as the assignment rules see them (CAL-11 availability, CUS-30 eligibility).

    ``in_scope``: inside the department/team/territory of the assignment; ``at_capacity``: the
    member (or their team, ``cus.assign.team_capacity``) already holds the maximum.
    """

    id: int
    name: str = ""
    availability: Availability | str = Availability.ON_DUTY
    active: bool = True
    in_scope: bool = True
    at_capacity: bool = False
    department_id: int | None = None
    team: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "availability", Availability(self.availability))

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


def _n(count: int, noun: str) -> str:
    """``1 customer`` / ``2 customers`` for the English reasons."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _label(staff_id: int | None, by_id: Mapping[int, StaffMember]) -> str:
    if staff_id is None:
        return "—"
    member = by_id.get(staff_id)
    return member.label if member else f"#{staff_id}"


def _skip_texts(skips: Iterable[Skip], by_id: Mapping[int, StaffMember],
                owed_after: Mapping[int, int] | None = None) -> tuple[str, str]:
    zh, en = [], []
    for skip in skips:
        name = skip.candidate if isinstance(skip.candidate, str) else _label(skip.candidate, by_id)
        rz, re_ = SKIP_REASONS.get(skip.reason, (skip.reason, skip.reason))
        if skip.owed_turn:
            owes = (owed_after or {}).get(skip.candidate, 0)
            zh.append(f"{name}（{rz}，欠补接+1，共欠{owes}次）")
            en.append(f"{name} ({re_}, owed a make-up turn, now owes {owes})")
        else:
            zh.append(f"{name}（{rz}）")
            en.append(f"{name} ({re_})")
    return "、".join(zh), "; ".join(en)


# --------------------------------------------------------------------------------------------------
# CUS-30 · eligibility and by_tier
# --------------------------------------------------------------------------------------------------


def screen_candidate(member: StaffMember, *, require_on_duty: bool = False) -> str | None:
    """CUS-30: ``None`` when ``member`` is eligible, else the reason code.

    Checked in this order: active, in scope, under capacity, availability. ``leave`` (long leave,
    CAL-11) always excludes; with ``require_on_duty`` (live reception, CUS-31) every state but
    ``on_duty`` excludes, otherwise (batch split, redistribution) only leave does.
    """
    if not member.active:
        return "inactive"
    if not member.in_scope:
        return "out_of_scope"
    if member.at_capacity:
        return "capacity"
    if member.availability is Availability.LEAVE:
        return "leave"
    if require_on_duty and member.availability is not Availability.ON_DUTY:
        return member.availability.value
    return None


def screen_candidates(staff: Iterable[StaffMember], *, require_on_duty: bool = False
                      ) -> tuple[tuple[StaffMember, ...], tuple[Skip, ...]]:
    """CUS-30: split ``staff`` into eligible members (input order kept) and skipped ones with reasons."""
    eligible, skipped = [], []
    for member in staff:
        reason = screen_candidate(member, require_on_duty=require_on_duty)
        if reason is None:
            eligible.append(member)
        else:
            skipped.append(Skip(member.id, reason))
    return tuple(eligible), tuple(skipped)


def default_strategy(settings: Mapping[str, Any] | None) -> str:
    """CUS-30: the tenant's default strategy (``cus.assign.default``)."""
    return _section(settings, "assign")["default"]


@dataclass(frozen=True, kw_only=True)
class Assignment(Decided):
    """A customer or lead given to a staff member (or a team, CUS-30 by_tier).

    ``kind``: ``regular`` / ``make_up`` / ``returning`` / ``designated`` (CUS-31), ``equal_share`` /
    ``remainder`` (CUS-32), ``draw`` (CUS-33), ``tier`` (CUS-30), ``manual`` (CUS-34) or ``none``
    when nobody could receive it (``staff_id`` and ``team`` are then ``None``).
    """

    subject: str = "customer"
    customer_id: int | None = None
    lead_id: int | None = None
    staff_id: int | None
    team: str | None = None
    kind: str
    consumes_turn: bool = False
    skipped: tuple[Skip, ...] = ()
    notify_customer: bool = False

    @property
    def subject_type(self) -> str:  # type: ignore[override]
        return self.subject

    def subject_id(self) -> int | None:
        return self.lead_id if self.subject == "lead" else self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "team": self.team,
            "kind": self.kind,
            "consumes_turn": self.consumes_turn,
            "skipped": [s.as_fact() for s in self.skipped],
            "notify_customer": self.notify_customer,
        }


def assign_by_tier(settings: Mapping[str, Any] | None, customer_id: int, grade: str,
                   team_loads: Mapping[str, int], *, label: str = "") -> Assignment:
    """CUS-30 ``by_tier``: the first team listed for ``grade`` in ``cus.assign.by_tier`` that is under
    its ``cus.assign.team_capacity`` (``load < capacity``; a team without a cap has none). Full teams
    are skipped with reason ``capacity``. No team → ``kind = none`` (manual, CUS-34)."""
    assign = _section(settings, "assign")
    teams = list(assign["by_tier"].get(grade, ()))
    caps = assign["team_capacity"]
    who = label or f"#{customer_id}"
    skipped: list[Skip] = []
    chosen = None
    for team in teams:
        cap = caps.get(team)
        load = int(team_loads.get(team, 0))
        if cap is not None and load >= cap:
            skipped.append(Skip(team, "capacity"))
            continue
        chosen = team
        break
    facts = {
        "customer": {"id": customer_id, "grade": grade},
        "teams_in_order": teams,
        "team_capacity": {t: caps.get(t) for t in teams},
        "team_loads": {t: int(team_loads.get(t, 0)) for t in teams},
        "skipped": [s.as_fact() for s in skipped],
    }
    skip_zh = "；".join(f"{s.candidate}已满（{team_loads.get(s.candidate, 0)}/{caps[s.candidate]}）" for s in skipped)
    skip_en = "; ".join(f"{s.candidate} is full ({team_loads.get(s.candidate, 0)}/{caps[s.candidate]})"
                        for s in skipped)
    if chosen is None:
        if not teams:
            skipped = [Skip(grade, "no_tier_rule")]
            zh = f"客户{who}等级{grade}未配置分配团队，需经理手动分配（CUS-34）。依据CUS-30。"
            en = (f"No team is configured for grade {grade}; customer {who} needs a manual assignment (CUS-34). Under "
                  f"CUS-30.")
        else:
            zh = f"客户{who}等级{grade}对应的团队均已满：{skip_zh}，需经理手动分配（CUS-34）。依据CUS-30。"
            en = (f"Every team for grade {grade} is full: {skip_en}; customer {who} needs a manual assignment "
                  f"(CUS-34). Under CUS-30.")
        return Assignment(rule_id="CUS-30", facts=facts, reason_zh=zh, reason_en=en, customer_id=customer_id,
                          staff_id=None, kind="none", skipped=tuple(skipped))
    zh = f"客户{who}等级{grade}，按等级分配给团队{chosen}"
    en = f"Customer {who} (grade {grade}) goes to team {chosen} by tier"
    if skipped:
        zh += f"；跳过：{skip_zh}"
        en += f"; skipped: {skip_en}"
    return Assignment(rule_id="CUS-30", facts=facts, reason_zh=zh + "。依据CUS-30。", reason_en=en + ". Under CUS-30.",
                      customer_id=customer_id, staff_id=None, team=chosen, kind="tier", skipped=tuple(skipped))


# --------------------------------------------------------------------------------------------------
# CUS-31 · round-robin rotation with owed make-up turns
# --------------------------------------------------------------------------------------------------

NEW, RETURNING, DESIGNATED = "new", "returning", "designated"


@dataclass(frozen=True)
class OwedTurn:
    """One make-up turn owed to ``staff_id`` (CUS-31), earned when arrival ``arrival_id`` passed them."""

    staff_id: int
    owed_at: dt.datetime | None = None
    arrival_id: int | None = None


@dataclass(frozen=True)
class RotationState:
    """The rotation of one post/floor (CUS-31): ordered staff ids, the pointer, owed turns.

    ``pointer`` is the staff id whose regular turn is next (``None`` = the first in ``order``).
    ``owed`` lists make-up turns oldest first (a member owing 2 appears twice). ``day`` is the local
    day of the last arrival; ``turns_today`` counts, per member, the turns that passed them today
    (used by ``order = fewest_received_today``).
    """

    order: tuple[int, ...]
    pointer: int | None = None
    owed: tuple[OwedTurn, ...] = ()
    day: dt.date | None = None
    turns_today: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", tuple(self.order))
        object.__setattr__(self, "owed", tuple(self.owed))
        turns = dict(self.turns_today)
        object.__setattr__(self, "turns_today", tuple(sorted((int(k), int(v)) for k, v in turns.items())))
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"rotation order lists a member twice: {self.order}")
        if self.pointer is not None and self.pointer not in self.order:
            raise ValueError(f"pointer {self.pointer} is not in the rotation order {self.order}")

    @property
    def at_pointer(self) -> int | None:
        """The staff id whose regular turn is next."""
        if self.pointer is not None:
            return self.pointer
        return self.order[0] if self.order else None

    def owed_count(self, staff_id: int) -> int:
        return sum(1 for o in self.owed if o.staff_id == staff_id)

    def owed_counts(self) -> dict[int, int]:
        return {sid: self.owed_count(sid) for sid in self.order if self.owed_count(sid)}

    def turns(self, staff_id: int) -> int:
        return dict(self.turns_today).get(staff_id, 0)

    def to_json(self) -> dict[str, Any]:
        """A JSON form for storage; :meth:`from_json` reads it back."""
        return {
            "order": list(self.order),
            "pointer": self.pointer,
            "owed": [{"staff_id": o.staff_id, "owed_at": o.owed_at.isoformat() if o.owed_at else None,
                      "arrival_id": o.arrival_id} for o in self.owed],
            "day": self.day.isoformat() if self.day else None,
            "turns_today": {str(k): v for k, v in self.turns_today},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RotationState:
        return cls(
            order=tuple(data.get("order") or ()),
            pointer=data.get("pointer"),
            owed=tuple(OwedTurn(o["staff_id"], dt.datetime.fromisoformat(o["owed_at"]) if o.get("owed_at") else None,
                                o.get("arrival_id")) for o in data.get("owed") or ()),
            day=dt.date.fromisoformat(data["day"]) if data.get("day") else None,
            turns_today=tuple((int(k), int(v)) for k, v in (data.get("turns_today") or {}).items()),
        )


def with_order(state: RotationState, order: Sequence[int]) -> RotationState:
    """A new order (e.g. the manager's order of the day, RE-01 ``fixed_daily``): the pointer goes to the
    first member; owed turns of members still in the order are kept, the others' are dropped."""
    order = tuple(order)
    return replace(state, order=order, pointer=None, owed=tuple(o for o in state.owed if o.staff_id in order),
                   turns_today=tuple((k, v) for k, v in state.turns_today if k in order))


@dataclass(frozen=True)
class Arrival:
    """A customer arriving at a rotation post (the ``event`` of :func:`next_turn`).

    ``kind``: ``new`` (first visit, consumes a turn), ``returning`` (received by their owner
    ``staff_id``) or ``designated`` (a first-time visitor who names ``staff_id`` on entering).
    """

    id: int | None
    at: dt.datetime
    kind: str = NEW
    customer_id: int | None = None
    staff_id: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (NEW, RETURNING, DESIGNATED):
            raise ValueError(f"arrival kind must be new, returning or designated, got {self.kind!r}")
        if self.kind != NEW and self.staff_id is None:
            raise ValueError(f"a {self.kind} arrival needs the staff_id who receives it")

    def who(self, lang: str = "en") -> str:
        """The arrival in a reason text: its label, ``#customer_id`` or the arrival id."""
        if self.label:
            return self.label
        if self.customer_id is not None:
            return f"#{self.customer_id}"
        return f"（到访#{self.id}）" if lang == "zh" else f"(arrival #{self.id})"


def _local_day(at: dt.datetime, timezone: str) -> dt.date:
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(ZoneInfo(timezone)).date()


def _roll_day(state: RotationState, day: dt.date, expire: str) -> RotationState:
    if state.day == day:
        return state
    owed = state.owed if (expire == "never" or state.day is None) else ()
    return replace(state, day=day, turns_today=(), owed=owed)


def _rotation_status(member: StaffMember | None, accruing: set[str]) -> tuple[str, str | None]:
    """``("present", None)``, ``("accrue", reason)`` or ``("skip", reason)`` for one rotation member."""
    if member is None:
        return "skip", "not_in_roster"
    reason = screen_candidate(member, require_on_duty=True)
    if reason is None:
        return "present", None
    if reason in accruing:
        return "accrue", reason
    return "skip", reason


def _turn_sequence(state: RotationState, order_mode: str) -> list[int]:
    if not state.order:
        return []
    start = state.order.index(state.at_pointer)
    cyclic = list(state.order[start:] + state.order[:start])
    if order_mode == "fewest_received_today":
        return sorted(cyclic, key=state.turns)  # stable: ties keep the order from the pointer
    return cyclic


def _rotation_facts(settings_rot: Mapping[str, Any], state: RotationState, staff_by_id: Mapping[int, StaffMember],
                    event: Arrival) -> dict[str, Any]:
    return {
        "arrival": {"id": event.id, "at": event.at, "kind": event.kind, "customer_id": event.customer_id,
                    "staff_id": event.staff_id},
        "order": list(state.order),
        "pointer_before": state.at_pointer,
        "owed_before": {sid: n for sid, n in state.owed_counts().items()},
        "availability": {sid: (staff_by_id[sid].availability.value if sid in staff_by_id else None)
                         for sid in state.order},
        "settings": {"order": settings_rot["order"], "accruing_absences": list(settings_rot["accruing_absences"])},
    }


def next_turn(settings: Mapping[str, Any] | None, state: RotationState, staff: Iterable[StaffMember],
              event: Arrival, *, timezone: str = DEFAULT_TIMEZONE) -> tuple[Assignment, RotationState]:
    """CUS-31: who receives ``event``, and the rotation state after it (a pure state transition).

    ``staff`` gives each member's availability at the arrival time (CAL-11); members of the order
    missing from it are treated as absent without credit.

    1. ``returning`` → their owner; ``designated`` → the named salesperson. No turn consumed, pointer
       and owed turns unchanged (CUS-31, RE-02).
    2. Make-up: the oldest owed turn whose member is present (on duty and eligible, CUS-30) is used
       up: that member receives, the pointer does not move.
    3. Regular turn: members are tried from the pointer in order (``order = fewest_received_today``:
       by fewest turns passed today, ties in order from the pointer). The first present member
       receives and the pointer moves past them. A member tried before them whose absence is in
       ``cus.rotation.accruing_absences`` (default company business, with a customer) is owed one
       make-up turn; other absences and ineligible members are skipped without credit.
    4. Nobody present → ``kind = none``, no turn is consumed and no owed turn accrues (the arrival
       goes to a manual assignment, CUS-34).

    ``turns_today`` (for ``fewest_received_today``) counts the regular turns received plus the turns
    that passed a member (owed or not); make-up turns are not counted, the turn was counted when it
    was owed, so both orders honour the same credit rules. With ``owed_turns_expire = end_of_day``
    owed turns lapse at the first arrival of a new local day (default: they never lapse).
    """
    rot = _section(settings, "rotation")
    accruing = set(rot["accruing_absences"])
    staff_by_id = {m.id: m for m in staff}
    state = _roll_day(state, _local_day(event.at, timezone), rot["owed_turns_expire"])
    facts = _rotation_facts(rot, state, staff_by_id, event)
    who, who_en = event.who("zh"), event.who("en")

    if event.kind in (RETURNING, DESIGNATED):
        name = _label(event.staff_id, staff_by_id)
        if event.kind == RETURNING:
            zh = f"老客户{who}再次到访，由其归属人{name}接待，不占轮次，轮次指针不变。依据CUS-31。"
            en = (f"Returning customer {who_en} is received by their owner {name}; no turn is consumed and the pointer "
                  f"does not move. Under CUS-31.")
        else:
            zh = f"首次到访客户{who}进门即指定{name}接待，归{name}，不占轮次，轮次指针不变。依据CUS-31。"
            en = (f"First-time visitor {who_en} asked for {name} on entering and is {name}'s customer; no turn is "
                  f"consumed and the pointer does not move. Under CUS-31.")
        facts["pointer_after"] = state.at_pointer
        return (Assignment(rule_id="CUS-31", facts=facts, reason_zh=zh, reason_en=en, customer_id=event.customer_id,
                           staff_id=event.staff_id, kind=event.kind), state)

    status = {sid: _rotation_status(staff_by_id.get(sid), accruing) for sid in state.order}

    for index, owed in enumerate(state.owed):
        if status.get(owed.staff_id, ("skip", None))[0] == "present":
            after = replace(state, owed=state.owed[:index] + state.owed[index + 1:])
            name = _label(owed.staff_id, staff_by_id)
            left = after.owed_count(owed.staff_id)
            facts.update(pointer_after=after.at_pointer, make_up_of={"arrival_id": owed.arrival_id,
                                                                     "owed_at": owed.owed_at})
            zh = (f"新客户{who}由{name}补接（此前空轮欠补接，现尚欠{left}次）；补接不移动轮次指针，"
                  f"下一位正常轮次仍为{_label(after.at_pointer, staff_by_id)}。依据CUS-31。")
            en = (f"New customer {who_en} goes to {name} as a make-up turn (owed for a missed round; "
                  f"{left} still owed); the pointer stays at {_label(after.at_pointer, staff_by_id)}. Under CUS-31.")
            return (Assignment(rule_id="CUS-31", facts=facts, reason_zh=zh, reason_en=en, customer_id=event.customer_id,
                               staff_id=owed.staff_id, kind="make_up", consumes_turn=True), after)

    receiver = None
    skipped: list[Skip] = []
    for sid in _turn_sequence(state, rot["order"]):
        kind, reason = status[sid]
        if kind == "present":
            receiver = sid
            break
        skipped.append(Skip(sid, reason, owed_turn=(kind == "accrue")))

    if receiver is None:
        skipped = [Skip(s.candidate, s.reason) for s in skipped]  # nobody received: no turn passed, none owed
        skip_zh, skip_en = _skip_texts(skipped, staff_by_id)
        facts.update(pointer_after=state.at_pointer, skipped=[s.as_fact() for s in skipped])
        zh = (f"新客户{who}到访时轮值人员均不在岗：{skip_zh or '无人'}；"
              f"无人接待，需经理手动指定（CUS-34），不计轮次。依据CUS-31。")
        en = (f"Nobody in the rotation could receive new customer {who_en}: {skip_en or 'no members'}; "
              f"a manager assigns it (CUS-34) and no turn is counted. Under CUS-31.")
        return (Assignment(rule_id="CUS-31", facts=facts, reason_zh=zh, reason_en=en, customer_id=event.customer_id,
                           staff_id=None, kind="none", skipped=tuple(skipped)), state)

    new_owed = state.owed + tuple(OwedTurn(s.candidate, event.at, event.id) for s in skipped if s.owed_turn)
    position = state.order.index(receiver)
    pointer = state.order[(position + 1) % len(state.order)]
    turns = dict(state.turns_today)
    for sid in [s.candidate for s in skipped] + [receiver]:
        turns[sid] = turns.get(sid, 0) + 1
    after = replace(state, pointer=pointer, owed=new_owed, turns_today=tuple(turns.items()))
    name = _label(receiver, staff_by_id)
    owed_after = after.owed_counts()
    skip_zh, skip_en = _skip_texts(skipped, staff_by_id, owed_after)
    facts.update(pointer_after=pointer, skipped=[s.as_fact() for s in skipped], owed_after=owed_after)
    zh = f"新客户{who}按轮流顺序由{name}接待（正常轮次）"
    en = f"New customer {who_en} is received by {name} in rotation (regular turn)"
    if skipped:
        zh += f"；跳过：{skip_zh}"
        en += f"; skipped: {skip_en}"
    zh += f"；下一位：{_label(pointer, staff_by_id)}。依据CUS-31。"
    en += f"; next in turn: {_label(pointer, staff_by_id)}. Under CUS-31."
    return (Assignment(rule_id="CUS-31", facts=facts, reason_zh=zh, reason_en=en, customer_id=event.customer_id,
                       staff_id=receiver, kind="regular", consumes_turn=True, skipped=tuple(skipped)), after)


# --------------------------------------------------------------------------------------------------
# Seeded shuffle (CUS-32, CUS-33)
# --------------------------------------------------------------------------------------------------


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput("invalid seed", fields={"seed": ["The seed must be an integer ≥ 0."]})
    return seed


def seeded_shuffle(items: Iterable[Any], seed: int) -> list[Any]:
    """The items sorted ascending, then ``random.Random(seed).shuffle``d (see the module doc)."""
    result = sorted(items)
    random.Random(_check_seed(seed)).shuffle(result)
    return result


def fisher_yates_reference(items: Iterable[Any], seed: int) -> list[Any]:
    """The documented algorithm of :func:`seeded_shuffle` written out on ``getrandbits`` (MT19937)."""
    rng = random.Random(_check_seed(seed))
    result = sorted(items)

    def randbelow(n: int) -> int:
        k = n.bit_length()
        r = rng.getrandbits(k)
        while r >= n:
            r = rng.getrandbits(k)
        return r

    for i in range(len(result) - 1, 0, -1):
        j = randbelow(i + 1)
        result[i], result[j] = result[j], result[i]
    return result


# --------------------------------------------------------------------------------------------------
# CUS-32 · equal split of an event's lead batch
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lead:
    """A lead of a batch after the CRM entry step (normalised, deduplicated).

    ``owner_id``: the employee who already validly owns the customer (CUS-20), else ``None``.
    """

    id: int
    customer_id: int | None = None
    owner_id: int | None = None
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class BatchSplit(Decided):
    """CUS-32 outcome: one :class:`Assignment` per free lead, the owned leads kept, the counts."""

    batch_id: int | None = None
    event_id: int | None = None
    seed: int
    assignments: tuple[Assignment, ...]
    kept: tuple[Lead, ...] = ()
    counts: Mapping[int, int] = field(default_factory=dict)
    priority: tuple[int, ...] = ()
    skipped: tuple[Skip, ...] = ()
    unassigned: tuple[int, ...] = ()

    subject_type = "lead_batch"

    def subject_id(self) -> int | None:
        return self.batch_id

    def outcome(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "leads": {a.lead_id: a.staff_id for a in self.assignments},
            "kept": {lead.id: lead.owner_id for lead in self.kept},
            "unassigned": list(self.unassigned),
            "skipped": [s.as_fact() for s in self.skipped],
        }


def split_lead_batch(settings: Mapping[str, Any] | None, leads: Iterable[Lead], participants: Iterable[StaffMember], *,
                     seed: int, received_this_month: Mapping[int, int] | None = None,
                     department_staff: Iterable[StaffMember] = (), event_id: int | None = None,
                     batch_id: int | None = None) -> BatchSplit:
    """CUS-32: split an event's lead batch evenly among the participants.

    1. Leads with an ``owner_id`` stay with their owner (``kept``); the others are sorted by id.
    2. Candidates: the participants (``cus.batch.participants_only = true``; department members who
       did not take part are skipped, reason ``not_participant``) or participants and department
       staff (``false``), screened by CUS-30 (active, not on long leave, in scope, under capacity).
    3. Priority: candidate ids ascending, shuffled by :func:`seeded_shuffle` with ``seed``; with
       ``cus.batch.remainder = fewest_this_month`` then stably sorted by batch leads received this
       month (fewest first; the shuffle breaks ties). ``seeded_shuffle``: the shuffle alone.
    4. Lead ``i`` (0-based, ascending id) goes to ``priority[i mod k]``: everybody gets ``n // k``,
       the first ``n mod k`` in priority one more (the remainder).
    """
    batch = _section(settings, "batch")
    seed = _check_seed(seed)
    department_staff = list(department_staff)
    received = {int(k): int(v) for k, v in (received_this_month or {}).items()}
    leads = list(leads)
    if len({lead.id for lead in leads}) != len(leads):
        raise InvalidInput("invalid lead batch", fields={"leads": ["A lead is listed twice."]})
    kept = tuple(sorted((lead for lead in leads if lead.owner_id is not None), key=lambda lead: lead.id))
    free = sorted((lead for lead in leads if lead.owner_id is None), key=lambda lead: lead.id)

    participants = list(participants)
    participant_ids = {m.id for m in participants}
    skipped: list[Skip] = []
    pool = list(participants)
    for member in department_staff:
        if member.id in participant_ids or member.id in {m.id for m in pool}:
            continue
        if batch["participants_only"]:
            skipped.append(Skip(member.id, "not_participant"))
        else:
            pool.append(member)
    eligible, screened_out = screen_candidates(pool)
    skipped = list(screened_out) + skipped
    by_id = {m.id: m for m in list(pool) + list(department_staff)}

    shuffled = seeded_shuffle([m.id for m in eligible], seed)
    if batch["remainder"] == "fewest_this_month":
        priority = sorted(shuffled, key=lambda sid: received.get(sid, 0))
    else:
        priority = list(shuffled)
    k = len(priority)
    n = len(free)
    base = n // k if k else 0
    facts_common = {
        "batch_id": batch_id,
        "event_id": event_id,
        "seed": seed,
        "candidates_ascending": sorted(m.id for m in eligible),
        "shuffled": shuffled,
        "priority": priority,
        "received_this_month": {sid: received.get(sid, 0) for sid in priority},
        "settings": {"participants_only": batch["participants_only"], "remainder": batch["remainder"]},
    }
    assignments = []
    counts = {sid: 0 for sid in priority}
    for i, lead in enumerate(free if k else ()):
        sid = priority[i % k]
        counts[sid] += 1
        kind = "equal_share" if i < base * k else "remainder"
        name = _label(sid, by_id)
        lead_name = lead.label or f"#{lead.id}"
        if kind == "equal_share":
            zh = (f"活动线索{lead_name}按平均分配给参加活动的{name}（{n}条线索、{k}人，每人{base}条）；"
                  f"随机种子{seed}。依据CUS-32。")
            people = "1 person" if k == 1 else f"{k} people"
            en = (f"Event lead {lead_name} goes to participant {name} by equal split ({_n(n, 'lead')}, {people}, "
                  f"{base} each); seed {seed}. Under CUS-32.")
        else:
            zh = (f"活动线索{lead_name}为余数线索，给本月所获活动线索最少的{name}（本月此前{received.get(sid, 0)}条，"
                  f"同数以种子{seed}随机排序）。依据CUS-32。")
            en = (f"Event lead {lead_name} is a remainder lead and goes to {name}, who had the fewest batch leads "
                  f"this month ({received.get(sid, 0)}; ties broken by seed {seed}). Under CUS-32.")
        assignments.append(Assignment(
            rule_id="CUS-32", subject="lead", lead_id=lead.id, customer_id=lead.customer_id, staff_id=sid, kind=kind,
            facts={**facts_common, "lead": {"id": lead.id, "customer_id": lead.customer_id}, "position": i + 1},
            reason_zh=zh, reason_en=en,
        ))
    unassigned = tuple(lead.id for lead in free) if not k else ()
    skip_zh, skip_en = _skip_texts(skipped, by_id)
    count_zh = "、".join(f"{_label(sid, by_id)} {counts[sid]}条" for sid in priority)
    count_en = ", ".join(f"{_label(sid, by_id)} {counts[sid]}" for sid in priority)
    if k:
        zh = f"活动线索{len(leads)}条：已有归属{len(kept)}条保持不变，其余{n}条平均分配：{count_zh}；随机种子{seed}"
        en = (f"Event batch of {_n(len(leads), 'lead')}: {len(kept)} already owned stay with their owners, {n} split "
              f"evenly: {count_en}; seed {seed}")
    else:
        zh = (f"活动线索{len(leads)}条：已有归属{len(kept)}条保持不变，"
              f"其余{n}条无合格参加人员可分配，需经理手动分配（CUS-34）")
        en = (f"Event batch of {_n(len(leads), 'lead')}: {len(kept)} already owned stay; no eligible participant "
              f"for the other {n}, a manager assigns them (CUS-34)")
    if skipped:
        zh += f"；未参与分配：{skip_zh}"
        en += f"; left out: {skip_en}"
    facts = {**facts_common, "leads": [lead.id for lead in leads], "kept": {lead.id: lead.owner_id for lead in kept},
             "skipped": [s.as_fact() for s in skipped]}
    return BatchSplit(rule_id="CUS-32", facts=facts, reason_zh=zh + "。依据CUS-32。", reason_en=en + ". Under CUS-32.",
                      batch_id=batch_id, event_id=event_id, seed=seed, assignments=tuple(assignments), kept=kept,
                      counts=counts, priority=tuple(priority), skipped=tuple(skipped), unassigned=unassigned)


# --------------------------------------------------------------------------------------------------
# CUS-33 · random draw with recorded seed;  CUS-35 · reassignment triggers
# --------------------------------------------------------------------------------------------------

REDISTRIBUTION_TRIGGERS: dict[str, tuple[str, str]] = {
    "long_leave": ("休长假", "is on long leave"),
    "transfer": ("调离", "is transferred"),
    "departure": ("离职", "is leaving the company"),
}
#: CUS-35 triggers decided by other rules; they do not redistribute a person's customers here.
DELEGATED_TRIGGERS: dict[str, str] = {
    "under_service": "CUS-24",
    "complaint_unresolved": "CMP-71",
    "void_card": "CAR-14",
    "expiry": "CUS-25",
    "manual": "CUS-34",
}


@dataclass(frozen=True, kw_only=True)
class Redistribution(Decided):
    """CUS-33 outcome (also used for ``on_leave = manual``, when ``assignments`` is empty)."""

    trigger: str
    staff_id: int | None
    strategy: str
    seed: int | None = None
    customers: tuple[int, ...] = ()
    shuffled: tuple[int, ...] = ()
    colleagues: tuple[int, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    skipped: tuple[Skip, ...] = ()
    unassigned: tuple[int, ...] = ()

    subject_type = "employee"

    def subject_id(self) -> int | None:
        return self.staff_id

    def outcome(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "result": {a.customer_id: a.staff_id for a in self.assignments},
            "unassigned": list(self.unassigned),
            "skipped": [s.as_fact() for s in self.skipped],
        }

    def by_colleague(self) -> dict[int, list[int]]:
        """Colleague id → customer ids received, ascending."""
        result: dict[int, list[int]] = {sid: [] for sid in self.colleagues}
        for a in self.assignments:
            result.setdefault(a.staff_id, []).append(a.customer_id)
        return {sid: sorted(ids) for sid, ids in result.items()}


def _in_reassign_scope(scope: str, leaver: StaffMember | None, member: StaffMember) -> bool:
    if leaver is None or scope == "tenant":
        return True
    if scope == "same_department":
        return member.department_id == leaver.department_id
    return member.team == leaver.team


def random_draw(settings: Mapping[str, Any] | None, customer_ids: Iterable[int], colleagues: Iterable[StaffMember], *,
                seed: int, leaver: StaffMember | None = None, trigger: str = "long_leave") -> Redistribution:
    """CUS-33: redistribute ``customer_ids`` by a seeded random draw.

    Colleagues: the leaver excluded, those outside ``cus.reassign.scope`` (same department by default,
    ``same_team``, ``tenant``) skipped ``out_of_scope``, then CUS-30 screening (active, not on long
    leave, in scope, under capacity); the eligible ones sorted by id. Customers: ids ascending,
    shuffled by :func:`seeded_shuffle` with ``seed``; the customer at 0-based index ``i`` goes to
    ``colleagues[i mod k]`` (counts differ by at most one). Each customer's assignment cites the seed
    and its 1-based position in the shuffled list. No eligible colleague → all customers
    ``unassigned`` (nothing is orphaned silently: CUS-35 keeps blocking the deactivation).
    """
    reassign = _section(settings, "reassign")
    seed = _check_seed(seed)
    colleagues = list(colleagues)
    customers = sorted(set(customer_ids))
    pool, skipped = [], []
    for member in colleagues:
        if leaver is not None and member.id == leaver.id:
            skipped.append(Skip(member.id, "leaver"))
            continue
        if not _in_reassign_scope(reassign["scope"], leaver, member):
            skipped.append(Skip(member.id, "out_of_scope"))
        else:
            pool.append(member)
    eligible, screened_out = screen_candidates(pool)
    skipped = list(screened_out) + skipped
    ordered = sorted(eligible, key=lambda m: m.id)
    by_id = {m.id: m for m in colleagues}
    if leaver is not None:
        by_id.setdefault(leaver.id, leaver)
    shuffled = seeded_shuffle(customers, seed)
    ids = [m.id for m in ordered]
    trig_zh, trig_en = REDISTRIBUTION_TRIGGERS.get(trigger, (trigger, f"({trigger})"))
    leaver_name = leaver.label if leaver else "—"
    facts_common = {
        "trigger": trigger,
        "leaver": leaver.id if leaver else None,
        "seed": seed,
        "customers_ascending": customers,
        "shuffled": shuffled,
        "colleagues_by_id": ids,
        "scope": reassign["scope"],
    }
    assignments = []
    if ids:
        for i, customer_id in enumerate(shuffled):
            sid = ids[i % len(ids)]
            name = _label(sid, by_id)
            zh = (f"{leaver_name}{trig_zh}，其客户由经理按随机抽数重新分配：种子{seed}，客户#{customer_id}在洗牌结果中"
                  f"列第{i + 1}位，按同事编号顺序轮发给{name}。依据CUS-33。")
            en = (f"{leaver_name} {trig_en}; their customers are redistributed by random draw: seed {seed}, customer "
                  f"#{customer_id} is at position {i + 1} of the shuffled list and is dealt to {name} "
                  f"(colleagues in id order). Under CUS-33.")
            assignments.append(Assignment(
                rule_id="CUS-33", customer_id=customer_id, staff_id=sid, kind="draw",
                notify_customer=reassign["notify_customer"], reason_zh=zh, reason_en=en,
                facts={**facts_common, "customer": {"id": customer_id}, "position": i + 1},
            ))
    unassigned = tuple(customers) if not ids else ()
    skip_zh, skip_en = _skip_texts(skipped, by_id)
    if ids:
        zh = f"{leaver_name}{trig_zh}，{len(customers)}名客户以种子{seed}随机抽数分配给{len(ids)}名同事"
        en = (f"{leaver_name} {trig_en}; {_n(len(customers), 'customer')} drawn with seed {seed} "
              f"among {_n(len(ids), 'colleague')}")
    else:
        zh = f"{leaver_name}{trig_zh}，无合格同事可接收其{len(customers)}名客户，需经理手动分配（CUS-34）"
        en = (f"{leaver_name} {trig_en}; no eligible colleague can take their {_n(len(customers), 'customer')}, "
              f"a manager assigns them (CUS-34)")
    if skipped:
        zh += f"；未参与：{skip_zh}"
        en += f"; left out: {skip_en}"
    return Redistribution(
        rule_id="CUS-33", facts={**facts_common, "skipped": [s.as_fact() for s in skipped]},
        reason_zh=zh + "。依据CUS-33。", reason_en=en + ". Under CUS-33.", trigger=trigger,
        staff_id=leaver.id if leaver else None, strategy="random_draw", seed=seed, customers=tuple(customers),
        shuffled=tuple(shuffled), colleagues=tuple(ids), assignments=tuple(assignments), skipped=tuple(skipped),
        unassigned=unassigned,
    )


@dataclass(frozen=True, kw_only=True)
class DeactivationCheck(Decided):
    """CUS-35 (a): may ``staff_id`` be deactivated now? ``status`` is the HTTP answer (200 or 409)."""

    staff_id: int
    allowed: bool
    status: int
    owned: tuple[int, ...] = ()

    subject_type = "employee"

    def subject_id(self) -> int | None:
        return self.staff_id

    def outcome(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "status": self.status, "owned": list(self.owned)}


def check_deactivation(settings: Mapping[str, Any] | None, staff: StaffMember,
                       owned_customer_ids: Iterable[int]) -> DeactivationCheck:
    """CUS-35 (a): with ``cus.reassign.block_deactivation`` (default true) an employee who still owns
    customers cannot be deactivated (409) until a redistribution (:func:`redistribute`) has run."""
    reassign = _section(settings, "reassign")
    owned = tuple(sorted(set(owned_customer_ids)))
    blocked = bool(owned) and reassign["block_deactivation"]
    facts = {"staff": {"id": staff.id}, "owned_customers": list(owned),
             "block_deactivation": reassign["block_deactivation"]}
    if blocked:
        zh = f"{staff.label}仍有{len(owned)}名归属客户，须先重新分配才能停用。依据CUS-35。"
        en = (f"{staff.label} still owns {_n(len(owned), 'customer')}; they must be redistributed before deactivation. "
              f"Under CUS-35.")
        return DeactivationCheck(rule_id="CUS-35", facts=facts, reason_zh=zh, reason_en=en, staff_id=staff.id,
                                 allowed=False, status=409, owned=owned)
    if owned:
        zh = f"{staff.label}仍有{len(owned)}名归属客户，本租户设置不阻止停用（客户成为无人负责）。依据CUS-35。"
        en = (f"{staff.label} still owns {_n(len(owned), 'customer')}; the tenant does not block deactivation "
              f"(they are left without an owner). Under CUS-35.")
    else:
        zh = f"{staff.label}名下已无归属客户，可以停用。依据CUS-35。"
        en = f"{staff.label} owns no customers any more and may be deactivated. Under CUS-35."
    return DeactivationCheck(rule_id="CUS-35", facts=facts, reason_zh=zh, reason_en=en, staff_id=staff.id,
                             allowed=True, status=200, owned=owned)


@dataclass(frozen=True, kw_only=True)
class ReassignmentPlan(Decided):
    """CUS-35: whether a trigger calls for redistributing a person's customers, and how."""

    trigger: str
    staff_id: int
    due: bool
    strategy: str | None
    delegate_rule: str | None
    customer_ids: tuple[int, ...] = ()
    notify_customer: bool = False

    subject_type = "employee"

    def subject_id(self) -> int | None:
        return self.staff_id

    def outcome(self) -> dict[str, Any]:
        return {"due": self.due, "strategy": self.strategy, "delegate_rule": self.delegate_rule,
                "customers": list(self.customer_ids), "notify_customer": self.notify_customer}


def reassignment_trigger(settings: Mapping[str, Any] | None, trigger: str, staff: StaffMember,
                         owned_customer_ids: Iterable[int], *, leave_start: dt.date | None = None,
                         leave_end: dt.date | None = None,
                         long_leave_min: Duration | str = DEFAULT_LONG_LEAVE_MIN) -> ReassignmentPlan:
    """CUS-35: ``long_leave`` (only when the leave is long, ≥ ``cal.long_leave_min``, CAL-11),
    ``transfer`` and ``departure`` redistribute the person's customers with ``cus.reassign.on_leave``
    (CUS-33 ``random_draw`` or ``manual``). The other triggers of CUS-35 name the rule that handles
    them (:data:`DELEGATED_TRIGGERS`)."""
    reassign = _section(settings, "reassign")
    owned = tuple(sorted(set(owned_customer_ids)))
    facts: dict[str, Any] = {"trigger": trigger, "staff": {"id": staff.id}, "owned_customers": list(owned),
                             "on_leave": reassign["on_leave"]}
    if trigger in DELEGATED_TRIGGERS:
        rule = DELEGATED_TRIGGERS[trigger]
        return ReassignmentPlan(rule_id="CUS-35", facts=facts, trigger=trigger, staff_id=staff.id, due=True,
                                strategy=None, delegate_rule=rule, customer_ids=owned,
                                reason_zh=f"触发条件{trigger}由{rule}处理。依据CUS-35。",
                                reason_en=f"Trigger {trigger} is handled by {rule}. Under CUS-35.")
    if trigger not in REDISTRIBUTION_TRIGGERS:
        raise InvalidInput("unknown reassignment trigger", fields={"trigger": [f"Unknown trigger {trigger!r}."]})
    trig_zh, trig_en = REDISTRIBUTION_TRIGGERS[trigger]
    due = bool(owned)
    if trigger == "long_leave":
        if leave_start is None or leave_end is None:
            raise InvalidInput("leave dates needed",
                               fields={"leave": ["A long-leave trigger needs start and end dates."]})
        long = is_long_leave(leave_start, leave_end, long_leave_min)
        minimum = long_leave_min if isinstance(long_leave_min, str) else format_duration(long_leave_min)
        facts["leave"] = {"start": leave_start, "end": leave_end, "days": (leave_end - leave_start).days + 1,
                          "long_leave_min": minimum, "long": long}
        if not long:
            zh = (f"{staff.label}请假{leave_start}至{leave_end}（{facts['leave']['days']}天），未达长假标准"
                  f"（{facts['leave']['long_leave_min']}），不重新分配其客户。依据CUS-35、CAL-11。")
            en = (f"{staff.label}'s leave {leave_start}..{leave_end} ({facts['leave']['days']} days) is not a long "
                  f"leave (minimum {facts['leave']['long_leave_min']}); no redistribution. Under CUS-35 and CAL-11.")
            return ReassignmentPlan(rule_id="CUS-35", facts=facts, reason_zh=zh, reason_en=en, trigger=trigger,
                                    staff_id=staff.id, due=False, strategy=None, delegate_rule=None, customer_ids=owned)
    strategy = reassign["on_leave"]
    delegate = "CUS-33" if strategy == "random_draw" else "CUS-34"
    if not due:
        zh = f"{staff.label}{trig_zh}，名下无归属客户，无需重新分配。依据CUS-35。"
        en = f"{staff.label} {trig_en} and owns no customers; nothing to redistribute. Under CUS-35."
    else:
        how_zh = "随机抽数（CUS-33）" if strategy == "random_draw" else "经理手动指定（CUS-34）"
        how_en = "random draw (CUS-33)" if strategy == "random_draw" else "manual assignment by the manager (CUS-34)"
        zh = f"{staff.label}{trig_zh}，其{len(owned)}名客户须重新分配，方式：{how_zh}。依据CUS-35。"
        en = (f"{staff.label} {trig_en}; their {_n(len(owned), 'customer')} must be redistributed by {how_en}. "
              f"Under CUS-35.")
    return ReassignmentPlan(rule_id="CUS-35", facts=facts, reason_zh=zh, reason_en=en, trigger=trigger,
                            staff_id=staff.id, due=due, strategy=strategy if due else None,
                            delegate_rule=delegate if due else None, customer_ids=owned,
                            notify_customer=reassign["notify_customer"] and due)


def redistribute(settings: Mapping[str, Any] | None, trigger: str, leaver: StaffMember,
                 owned_customer_ids: Iterable[int], colleagues: Iterable[StaffMember], *,
                 seed: int | None = None) -> Redistribution:
    """CUS-35 (b)/(a): redistribute everything ``leaver`` owns with ``cus.reassign.on_leave``:
    ``random_draw`` → :func:`random_draw` (``seed`` required); ``manual`` → nothing assigned, every
    customer listed ``unassigned`` for the manager's overrides (CUS-34)."""
    reassign = _section(settings, "reassign")
    if reassign["on_leave"] == "random_draw":
        if seed is None:
            raise InvalidInput("seed needed", fields={"seed": ["A random draw needs a seed."]})
        return random_draw(settings, owned_customer_ids, colleagues, seed=seed, leaver=leaver, trigger=trigger)
    customers = tuple(sorted(set(owned_customer_ids)))
    trig_zh, trig_en = REDISTRIBUTION_TRIGGERS.get(trigger, (trigger, f"({trigger})"))
    return Redistribution(
        rule_id="CUS-35", facts={"trigger": trigger, "leaver": leaver.id, "customers": list(customers),
                                 "on_leave": "manual"},
        reason_zh=f"{leaver.label}{trig_zh}，其{len(customers)}名客户由经理逐一手动指定（CUS-34）。依据CUS-35。",
        reason_en=(f"{leaver.label} {trig_en}; the manager assigns each of their {_n(len(customers), 'customer')} "
                   f"by hand (CUS-34). Under CUS-35."),
        trigger=trigger, staff_id=leaver.id, strategy="manual", customers=customers, unassigned=customers,
    )


# --------------------------------------------------------------------------------------------------
# CUS-34 · manual override
# --------------------------------------------------------------------------------------------------


def manual_override(customer_id: int, new_owner: StaffMember, *, reason: str, decided_by: int,
                    previous_owner_id: int | None = None, supersedes: int | None = None,
                    label: str = "") -> Assignment:
    """CUS-34: a manager sets the owner of a customer in scope. ``reason`` is mandatory (blank →
    :class:`~core.errors.InvalidInput`, 422); the new owner must be active. The outcome is a decision
    ``decided_by`` the manager that ``supersedes`` the previous decision (kept, never deleted)."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["A reason is required for a manual override."]
    if not new_owner.active:
        errors["owner"] = [f"{new_owner.label} is inactive."]
    if errors:
        raise InvalidInput("invalid manual override", fields=errors)
    reason = reason.strip()
    who = label or f"#{customer_id}"
    facts = {"customer": {"id": customer_id}, "previous_owner": previous_owner_id, "new_owner": new_owner.id,
             "decided_by": decided_by, "supersedes": supersedes, "reason": reason}
    zh = (f"经理（用户#{decided_by}）手动将客户{who}指定给{new_owner.label}，理由：{reason}。"
          f"此决定取代原自动决定（原决定保留）。依据CUS-34。")
    en = (f"A manager (user #{decided_by}) set the owner of customer {who} to {new_owner.label}; reason: {reason}. "
          f"This supersedes the automatic decision, which is kept. Under CUS-34.")
    return Assignment(rule_id="CUS-34", facts=facts, reason_zh=zh, reason_en=en, decided_by=decided_by,
                      supersedes=supersedes, customer_id=customer_id, staff_id=new_owner.id, kind="manual")


# --------------------------------------------------------------------------------------------------
# CUS-36 · several contacts per important customer; handover on signing
# --------------------------------------------------------------------------------------------------

_ORDINALS_EN = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth"}


@dataclass(frozen=True, kw_only=True)
class ContactTask(Decided):
    """CUS-36: a task for the manager to link more staff contacts to a flagged customer."""

    customer_id: int
    flag: str
    required: int
    current: int
    assignee_id: int | None = None
    assignee_role: str = "dept_manager"

    @property
    def missing(self) -> int:
        return self.required - self.current

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"task": "add_staff_contact", "flag": self.flag, "required": self.required, "current": self.current,
                "missing": self.missing, "assignee_id": self.assignee_id, "assignee_role": self.assignee_role}


def contact_tasks(settings: Mapping[str, Any] | None, customer_id: int, flags: Iterable[str],
                  staff_contact_ids: Iterable[int], *, manager_id: int | None = None,
                  label: str = "") -> tuple[ContactTask, ...]:
    """CUS-36: for each of the customer's ``flags`` with a minimum in ``cus.contacts.min_for_flag``
    (default ``{key_prospect: 2}``) that the distinct staff contacts do not reach, one task to the
    manager (``manager_id``, role ``dept_manager``) to add the missing contacts."""
    minimums = _section(settings, "contacts")["min_for_flag"]
    current = len(set(staff_contact_ids))
    who = label or f"#{customer_id}"
    tasks = []
    for flag in sorted(set(flags)):
        required = minimums.get(flag)
        if required is None or current >= required:
            continue
        nxt = current + 1
        if required - current == 1:
            what_en = f"add a {_ORDINALS_EN.get(nxt, f'{nxt}th')} staff contact"
            what_zh = f"增加第{nxt}名员工联系人"
        else:
            what_en = f"add {required - current} more staff contacts"
            what_zh = f"再增加{required - current}名员工联系人"
        tasks.append(ContactTask(
            rule_id="CUS-36", customer_id=customer_id, flag=flag, required=required, current=current,
            assignee_id=manager_id,
            facts={"customer": {"id": customer_id}, "flag": flag, "min_for_flag": required,
                   "staff_contacts": sorted(set(staff_contact_ids))},
            reason_zh=f"客户{who}标记为{flag}，须至少{required}名员工联系人，目前{current}名：请{what_zh}。依据CUS-36。",
            reason_en=(f"Customer {who} is flagged {flag} and needs at least {required} staff contacts; "
                       f"it has {current}: {what_en}. Under CUS-36."),
        ))
    return tuple(tasks)


@dataclass(frozen=True, kw_only=True)
class Handover(Decided):
    """CUS-36: maintenance of a KA customer handed from the developer to the CS team on signing."""

    customer_id: int
    agreement_id: int | None
    from_staff_id: int | None
    to_team: str

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"handover": {"slot": "maintainer", "from_staff_id": self.from_staff_id, "to_team": self.to_team,
                             "agreement_id": self.agreement_id}}


def ka_signing_handover(settings: Mapping[str, Any] | None, customer_id: int, *, agreement_id: int | None,
                        developer_id: int | None, cs_team: str = "cs", label: str = "") -> Handover | None:
    """CUS-36: with ``cus.ka.handover_on_signing`` a signed KA agreement hands maintenance to ``cs_team``
    (the developer keeps the developer slot); ``None`` when the tenant does not hand over."""
    if not _section(settings, "ka")["handover_on_signing"]:
        return None
    who = label or f"#{customer_id}"
    return Handover(
        rule_id="CUS-36", customer_id=customer_id, agreement_id=agreement_id, from_staff_id=developer_id,
        to_team=cs_team,
        facts={"customer": {"id": customer_id}, "agreement": {"id": agreement_id}, "developer": developer_id,
               "to_team": cs_team},
        reason_zh=f"大客户{who}签订协议（#{agreement_id}），维护工作移交客服团队{cs_team}，开发人员保留开发职责。依据CUS-36。",
        reason_en=f"Key account {who} signed agreement #{agreement_id}; maintenance is handed over to the CS team "
                  f"{cs_team}, the developer keeps the developer slot. Under CUS-36.",
    )
