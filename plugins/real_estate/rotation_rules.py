"""RE-01, RE-02 (and RE-14's "not charged a turn"): the sales office's reception rotation of one day as
a pure state machine. No database.

The rotation itself (pointer, owed make-up turns, who is tried and who is credited) is the core's
CUS-31 :func:`core.customers.assignment.rules.next_turn`; this module adds what the sales office
needs around it:

- the day (:class:`DayRotation`): the manager's order of the day (``re.rotation.order = fixed_daily``),
  the CUS-31 state, and the absences of the day with their reasons and times (:class:`Absence`), from
  which each salesperson's availability at an arrival is derived (CAL-11 states);
- arrivals (:class:`Visit`) of four kinds: ``first_time`` (consumes a turn, RE-01), ``returning`` (received
  by their owner, RE-02), ``designated`` (a first-time visitor naming a salesperson on entering, RE-02)
  and ``assisted`` (the owner or the named salesperson is absent, a colleague receives for them, RE-14:
  no turn charged). A returning or designated visit whose salesperson is absent at the arrival becomes
  ``assisted`` on its own;
- the standby (RE-01: while #1 receives, #2 stands by at the desk): whoever would receive the next
  first-time visitor at that instant, the receiver counted as busy with their customer;
- :func:`desk`: on turn and standby at any instant, for the portal's live display.

Absences in ``re.rotation.accruing_absences`` (default company business, with a customer) earn a make-up
turn when the absent salesperson's turn comes (CUS-31); other absences are skipped without credit.
Receiving a customer does not by itself make a salesperson "with a customer" here: that is an absence
the service records (a salesperson out showing units), so the spec's vectors hold as written.

Public: :class:`Salesperson`, :class:`Absence`, :class:`Visit`, :class:`DayRotation`, :class:`Reception`,
:class:`Desk`, :func:`start_day`, :func:`mark_absent`, :func:`mark_back`, :func:`availability_at`,
:func:`receive`, :func:`desk`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar.availability import Availability
from core.customers.assignment.rules import (
    Arrival,
    Decided,
    RotationState,
    Skip,
    StaffMember,
    next_turn,
    with_order,
)
from plugins.real_estate.rotation_settings import RotationSchema

FIRST_TIME, RETURNING, DESIGNATED, ASSISTED = "first_time", "returning", "designated", "assisted"
VISIT_KINDS = (FIRST_TIME, RETURNING, DESIGNATED, ASSISTED)
ABSENCE_REASONS = ("company_business", "with_customer", "off_duty", "leave")
DEFAULT_TIMEZONE = "Asia/Shanghai"
_CORE_KIND = {FIRST_TIME: "new", RETURNING: "returning", DESIGNATED: "designated"}


@dataclass(frozen=True)
class Salesperson:
    """A salesperson in the day's order (the user id and the name used in the reasons)."""

    id: int
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


@dataclass(frozen=True)
class Absence:
    """``staff_id`` away from the floor for ``reason`` from ``start`` until ``end`` (``None``: not back
    yet). ``reason`` is a CAL-11 state: ``company_business``, ``with_customer``, ``off_duty``, ``leave``."""

    staff_id: int
    reason: str
    start: dt.datetime
    end: dt.datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.reason not in ABSENCE_REASONS:
            raise ValueError(f"absence reason must be one of {ABSENCE_REASONS}, got {self.reason!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"absence ends ({self.end}) before it starts ({self.start})")

    def covers(self, at: dt.datetime) -> bool:
        """Away at ``at``: from ``start`` (included) until ``end`` (excluded: back at ``end``)."""
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Visit:
    """A customer arriving at the sales office (a register entry, CUS-80, before or as it is written).

    ``kind``: ``first_time``, ``returning`` (``staff_id`` = their owner), ``designated`` (a first-time
    visitor naming ``staff_id`` on entering) or ``assisted`` (``staff_id`` = the absent owner or named
    salesperson; ``assistant_id`` = the colleague who receives, or ``None``: whoever is on turn).
    ``known_by``: a salesperson who knows a first-time visitor the visitor did not name (RE-02: the
    rotation applies all the same; kept in the facts).
    """

    id: int | None
    at: dt.datetime
    kind: str = FIRST_TIME
    customer_id: int | None = None
    staff_id: int | None = None
    assistant_id: int | None = None
    known_by: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in VISIT_KINDS:
            raise ValueError(f"visit kind must be one of {VISIT_KINDS}, got {self.kind!r}")
        if self.kind != FIRST_TIME and self.staff_id is None:
            raise ValueError(f"a {self.kind} visit needs the salesperson (staff_id) it belongs to")

    def who(self, lang: str = "en") -> str:
        if self.label:
            return self.label
        if self.customer_id is not None:
            return f"#{self.customer_id}"
        return f"（到访#{self.id}）" if lang == "zh" else f"(visit #{self.id})"


@dataclass(frozen=True)
class DayRotation:
    """One day of the sales office's rotation (RE-01): the order the manager set, the CUS-31 state
    (pointer and owed make-up turns) and the day's absences."""

    day: dt.date
    people: tuple[Salesperson, ...]
    rotation: RotationState
    absences: tuple[Absence, ...] = ()

    @property
    def order(self) -> tuple[int, ...]:
        return tuple(p.id for p in self.people)

    @property
    def pointer(self) -> int | None:
        """The salesperson whose regular turn is next."""
        return self.rotation.at_pointer

    def owed(self) -> dict[int, int]:
        """Make-up turns owed, per salesperson (only those owing)."""
        return self.rotation.owed_counts()

    def name(self, staff_id: int | None) -> str:
        if staff_id is None:
            return "—"
        for person in self.people:
            if person.id == staff_id:
                return person.label
        return f"#{staff_id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "people": [{"id": p.id, "name": p.name} for p in self.people],
            "rotation": self.rotation.to_json(),
            "absences": [{"id": a.id, "staff_id": a.staff_id, "reason": a.reason, "start": a.start.isoformat(),
                          "end": a.end.isoformat() if a.end else None} for a in self.absences],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DayRotation:
        return cls(
            day=dt.date.fromisoformat(data["day"]),
            people=tuple(Salesperson(p["id"], p.get("name") or "") for p in data["people"]),
            rotation=RotationState.from_json(data["rotation"]),
            absences=tuple(Absence(a["staff_id"], a["reason"], dt.datetime.fromisoformat(a["start"]),
                                   dt.datetime.fromisoformat(a["end"]) if a.get("end") else None, a.get("id"))
                           for a in data.get("absences") or ()),
        )


@dataclass(frozen=True, kw_only=True)
class Reception(Decided):
    """Who receives a visit and the rotation after it (RE-01, RE-02, RE-14).

    ``kind``: ``regular`` / ``make_up`` (a turn consumed, RE-01/CUS-31), ``returning`` / ``designated``
    (RE-02), ``assisted`` (RE-14) or ``none`` (nobody on the floor: a manager assigns, CUS-34).
    ``owner_id``: whose customer it is when that is not the receiver's (the absent owner of an assisted
    visit). ``standby_id``: who stands by at the desk while the receiver receives (``None`` when nobody
    can, or ``re.rotation.standby_required = false``); ``standby_missing``: one is required but nobody
    else is on the floor. ``pointer`` and ``owed`` are the rotation after the visit.
    """

    visit_id: int | None
    customer_id: int | None = None
    staff_id: int | None
    kind: str
    consumes_turn: bool = False
    owner_id: int | None = None
    standby_id: int | None = None
    standby_missing: bool = False
    pointer: int | None = None
    owed: Mapping[int, int] = field(default_factory=dict)
    skipped: tuple[Skip, ...] = ()

    subject_type = "reception"

    def subject_id(self) -> int | None:
        return self.visit_id

    def outcome(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "receiver_id": self.staff_id,
            "kind": self.kind,
            "turn_consumed": self.consumes_turn,
            "owner_id": self.owner_id,
            "standby_id": self.standby_id,
            "standby_missing": self.standby_missing,
            "pointer": self.pointer,
            "owed": dict(self.owed),
            "skipped": [s.as_fact() for s in self.skipped],
        }


@dataclass(frozen=True)
class Desk:
    """The live display (RE-01): who is on turn for the next first-time visitor, who stands by."""

    at: dt.datetime
    on_turn_id: int | None
    on_turn_kind: str  # regular | make_up | none
    standby_id: int | None
    standby_missing: bool
    pointer: int | None
    owed: Mapping[int, int]


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """``re.rotation`` with the spec defaults for what is left out (``settings`` = the ``re`` document)."""
    given = (settings or {}).get("rotation") or {}
    return {**RotationSchema().load({}), **given}


def _core_settings(rot: Mapping[str, Any]) -> dict[str, Any]:
    """The CUS-31 settings the core rotation reads: the RE accruing absences, a fixed order (the day's
    order is set by the manager; owed turns across days are decided by :func:`start_day`)."""
    return {"rotation": {"accruing_absences": list(rot["accruing_absences"]), "order": "fixed",
                         "owed_turns_expire": "never"}}


def _local_day(at: dt.datetime, timezone: str) -> dt.date:
    if at.tzinfo is None:
        raise ValueError(f"times must carry a time zone, got {at!r}")
    return at.astimezone(ZoneInfo(timezone)).date()


def start_day(day: dt.date, order: Sequence[Salesperson], *, previous: DayRotation | None = None,
              carry_owed: bool = True) -> DayRotation:
    """RE-01 ``fixed_daily``: the manager's order of the day; the pointer at the first salesperson.

    Owed make-up turns of ``previous`` (the last day's rotation) are carried to salespeople still in
    the order (CUS-31 ``cus.rotation.owed_turns_expire = never``); ``carry_owed = false`` drops them
    (``end_of_day``). The previous day's absences do not carry over."""
    people = tuple(order)
    ids = tuple(p.id for p in people)
    if previous is None or not carry_owed:
        rotation = RotationState(order=ids, day=day)
    else:
        rotation = replace(with_order(previous.rotation, ids), day=day, turns_today=())
    return DayRotation(day=day, people=people, rotation=rotation)


def mark_absent(state: DayRotation, absence: Absence) -> DayRotation:
    """Record an absence (company business 10:00–11:30; ``end = None`` until :func:`mark_back`)."""
    if absence.staff_id not in state.order:
        raise ValueError(f"salesperson {absence.staff_id} is not in the day's order {state.order}")
    return replace(state, absences=state.absences + (absence,))


def mark_back(state: DayRotation, staff_id: int, at: dt.datetime) -> DayRotation:
    """``staff_id`` is back at ``at``: their absences covering ``at`` (open, or planned to end later) end then."""
    absences = tuple(replace(a, end=at) if a.staff_id == staff_id and a.covers(at) else a for a in state.absences)
    return replace(state, absences=absences)


def availability_at(state: DayRotation, at: dt.datetime) -> dict[int, Availability]:
    """Each salesperson's CAL-11 state at ``at`` from the day's absences (the latest started absence
    covering ``at`` wins; none → on duty)."""
    result = {}
    for sid in state.order:
        covering = [a for a in state.absences if a.staff_id == sid and a.covers(at)]
        result[sid] = (Availability(max(covering, key=lambda a: a.start).reason) if covering
                       else Availability.ON_DUTY)
    return result


def _staff(state: DayRotation, at: dt.datetime, busy: int | None = None) -> list[StaffMember]:
    states = availability_at(state, at)
    if busy is not None and states.get(busy) is Availability.ON_DUTY:
        states[busy] = Availability.WITH_CUSTOMER
    return [StaffMember(p.id, p.name, states[p.id]) for p in state.people]


def _standby(rot: Mapping[str, Any], state: DayRotation, at: dt.datetime, receiver: int | None) -> tuple[int | None,
                                                                                                          bool]:
    """RE-01: who would receive the next first-time visitor at ``at`` while ``receiver`` is busy."""
    if not rot["standby_required"] or receiver is None:
        return None, False
    probe, _ = next_turn(_core_settings(rot), state.rotation, _staff(state, at, busy=receiver), Arrival(None, at))
    return probe.staff_id, probe.staff_id is None


def _tail(rule_id: str, via: str | None = None) -> tuple[str, str]:
    if via:
        return f"依据{rule_id}（{via}）。", f"Under {rule_id} ({via})."
    return f"依据{rule_id}。", f"Under {rule_id}."


def _standby_text(state: DayRotation, standby: int | None, missing: bool) -> tuple[str, str]:
    if standby is not None:
        return f"；待接（在接待台候客）：{state.name(standby)}", f"; standby at the desk: {state.name(standby)}"
    if missing:
        return "；无其他在岗人员可候客（待接空缺）", "; nobody else on the floor to stand by (no standby)"
    return "", ""


def _rewrite(core_text: str, core_tail: str, extra: str, tail: str) -> str:
    return core_text.removesuffix(core_tail).rstrip("；;。. ") + extra + ("。" if tail.startswith("依据") else ". ") + tail


def receive(settings: Mapping[str, Any] | None, state: DayRotation, visit: Visit, *,
            timezone: str = DEFAULT_TIMEZONE) -> tuple[Reception, DayRotation]:
    """RE-01/RE-02/RE-14: who receives ``visit``, who stands by, and the day's rotation after it.

    1. ``returning`` / ``designated`` with their salesperson on the floor → that salesperson; no turn
       consumed, pointer and owed turns unchanged (RE-02, through CUS-31).
    2. ``assisted``, or a returning/designated visit whose salesperson is absent at the arrival → the
       ``assistant_id`` if given and on the floor, else whoever is on turn for a first-time visitor;
       the customer stays the owner's; no turn charged, pointer and owed turns unchanged (RE-14).
    3. ``first_time`` → CUS-31: the earliest owed make-up turn of someone on the floor, else the
       salesperson at the pointer, skipping the absent (those away for a reason in
       ``re.rotation.accruing_absences`` are owed a make-up turn). The rule is RE-01.
    4. Nobody on the floor → ``kind = none``; a manager assigns (CUS-34); nothing is consumed or owed.
    """
    rot = _settings(settings)
    if _local_day(visit.at, timezone) != state.day:
        raise ValueError(f"visit at {visit.at} is not on the rotation's day {state.day}")
    staff = _staff(state, visit.at)
    present = {m.id for m in staff if m.availability is Availability.ON_DUTY}
    kind = visit.kind
    if kind in (RETURNING, DESIGNATED) and visit.staff_id not in present:
        kind = ASSISTED
    facts: dict[str, Any] = {
        "visit": {"id": visit.id, "at": visit.at, "kind": visit.kind, "customer_id": visit.customer_id,
                  "staff_id": visit.staff_id, "assistant_id": visit.assistant_id, "known_by": visit.known_by},
        "day": state.day,
        "order": list(state.order),
        "pointer_before": state.pointer,
        "owed_before": state.owed(),
        "availability": {sid: a.value for sid, a in availability_at(state, visit.at).items()},
        "settings": {"accruing_absences": list(rot["accruing_absences"]), "standby_required": rot["standby_required"]},
    }
    if kind == ASSISTED:
        return _assisted(rot, state, visit, present, facts)

    core_event = Arrival(visit.id, visit.at, kind=_CORE_KIND[kind], customer_id=visit.customer_id,
                         staff_id=visit.staff_id if kind != FIRST_TIME else None, label=visit.label)
    core, rotation = next_turn(_core_settings(rot), state.rotation, staff, core_event)
    after = replace(state, rotation=rotation)
    standby, missing = _standby(rot, after, visit.at, core.staff_id)
    rule = "RE-01" if kind == FIRST_TIME else "RE-02"
    tail_zh, tail_en = _tail(rule, "CUS-31")
    s_zh, s_en = _standby_text(after, standby, missing)
    known_zh = known_en = ""
    if kind == FIRST_TIME and visit.known_by is not None and visit.known_by != core.staff_id:
        known_zh = f"；{after.name(visit.known_by)}虽认识该客户，但客户未指定，仍按轮流接待"
        known_en = (f"; {after.name(visit.known_by)} knows the visitor, who did not name them, so the rotation "
                    f"applies")
    zh = _rewrite(core.reason_zh, "依据CUS-31。", known_zh + s_zh, tail_zh)
    en = _rewrite(core.reason_en, "Under CUS-31.", known_en + s_en, tail_en)
    facts.update({k: core.facts[k] for k in ("skipped", "make_up_of") if k in core.facts},
                 pointer_after=after.pointer, owed_after=after.owed(), standby=standby)
    facts["visit"] = {**facts["visit"], "kind_applied": kind}
    return (Reception(rule_id=rule, facts=facts, reason_zh=zh, reason_en=en, visit_id=visit.id,
                      customer_id=visit.customer_id, staff_id=core.staff_id, kind=core.kind,
                      consumes_turn=core.consumes_turn, owner_id=visit.staff_id if kind != FIRST_TIME else None,
                      standby_id=standby, standby_missing=missing, pointer=after.pointer, owed=after.owed(),
                      skipped=core.skipped), after)


def _assisted(rot: Mapping[str, Any], state: DayRotation, visit: Visit, present: set[int],
              facts: dict[str, Any]) -> tuple[Reception, DayRotation]:
    """RE-14: the owner (or named salesperson) is absent; a colleague receives without a turn charged."""
    owner = visit.staff_id
    who_zh, who_en = visit.who("zh"), visit.who("en")
    if visit.assistant_id is not None and visit.assistant_id in present and visit.assistant_id != owner:
        assistant, basis = visit.assistant_id, "named"
    else:
        # whoever is on turn for a first-time visitor, never the owner themself (the probe's state is dropped)
        probe, _ = next_turn(_core_settings(rot), state.rotation, _staff(state, visit.at, busy=owner),
                             Arrival(visit.id, visit.at))
        assistant, basis = probe.staff_id, "on_turn"
    facts.update(pointer_after=state.pointer, owed_after=state.owed(), assistant_basis=basis)
    facts["visit"] = {**facts["visit"], "kind_applied": ASSISTED}
    tail_zh, tail_en = _tail("RE-14")
    if assistant is None:
        zh = (f"客户{who_zh}所找的{state.name(owner)}不在，且无其他在岗人员协助接待，需经理手动指定（CUS-34）；"
              f"不计轮次。{tail_zh}")
        en = (f"{state.name(owner)}, whom visitor {who_en} belongs to, is away and nobody else is on the floor to "
              f"assist: a manager assigns the reception (CUS-34); no turn is counted. {tail_en}")
        facts["standby"] = None
        return (Reception(rule_id="RE-14", facts=facts, reason_zh=zh, reason_en=en, visit_id=visit.id,
                          customer_id=visit.customer_id, staff_id=None, kind="none", owner_id=owner,
                          pointer=state.pointer, owed=state.owed()), state)
    standby, missing = _standby(rot, state, visit.at, assistant)
    s_zh, s_en = _standby_text(state, standby, missing)
    facts["standby"] = standby
    zh = (f"客户{who_zh}所找的{state.name(owner)}不在，由{state.name(assistant)}协助接待，客户仍归"
          f"{state.name(owner)}；协助接待不占轮次，轮次指针仍为{state.name(state.pointer)}{s_zh}。{tail_zh}")
    en = (f"{state.name(owner)}, whom visitor {who_en} belongs to, is away; {state.name(assistant)} receives as an "
          f"assistant and the customer stays {state.name(owner)}'s; an assisted reception is not charged a turn and "
          f"the pointer stays at {state.name(state.pointer)}{s_en}. {tail_en}")
    return (Reception(rule_id="RE-14", facts=facts, reason_zh=zh, reason_en=en, visit_id=visit.id,
                      customer_id=visit.customer_id, staff_id=assistant, kind=ASSISTED, owner_id=owner,
                      standby_id=standby, standby_missing=missing, pointer=state.pointer, owed=state.owed()), state)


def desk(settings: Mapping[str, Any] | None, state: DayRotation, at: dt.datetime) -> Desk:
    """RE-01 live display at ``at``: who would receive the next first-time visitor (on turn, a regular or
    a make-up turn) and who stands by while they do. Changes nothing."""
    rot = _settings(settings)
    probe, _ = next_turn(_core_settings(rot), state.rotation, _staff(state, at), Arrival(None, at))
    standby, missing = _standby(rot, state, at, probe.staff_id)
    return Desk(at=at, on_turn_id=probe.staff_id, on_turn_kind=probe.kind, standby_id=standby,
                standby_missing=missing, pointer=state.pointer, owed=state.owed())
