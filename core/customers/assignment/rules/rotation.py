"""CUS-31 (and RE-01/RE-02 through it): round-robin rotation with owed make-up turns (轮流接待,
补接) as a pure state transition, :func:`next_turn`."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from core.customers.assignment.rules.eligibility import Assignment, screen_candidate
from core.customers.assignment.rules.outcomes import (
    Skip,
    StaffMember,
    _label,
    _skip_texts,
)
from core.customers.assignment.rules.settings import DEFAULT_TIMEZONE, _section

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
