"""Units and sales control (销控), pure: the unit state machine (RE-30), the hold and its lapse (RE-31),
deposits through finance only (RE-32). No database, no clock: the service passes ``now``.

States: ``available → held → small_deposit → big_deposit → subscribed → contracted → paid_off``; a held
unit goes back to ``available`` when released or when the hold lapses; ``cancelled`` (a refund approved
by the manager, RE-43, or breach handling after the contract, RE-42) returns to ``available``. A big
deposit may be taken straight on a held unit (no small deposit first).

Who moves what (:data:`MOVERS`): salespeople and master sales control hold and release; only finance
moves the money states (small deposit, big deposit, paid off); the salesperson, the assistant or the
manager records the subscription and the contract; only the manager cancels. ``system`` is the
service acting on its own (a lapsed hold, a cancelled unit back on sale). Roles only: that the
salesperson releasing a hold is its holder, and that one unit has one holder (atomic, checked in the
database, RE-31), are the service's checks.

:func:`move_check` says whether a move is allowed for a set of roles and, when not, why (rule id, reason
in Chinese and English) and how the service answers: ``conflict`` (409, the move does not exist from
this state) or ``forbidden`` (403, not this role).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from core.calendar import WorkCalendar

STATES = ("available", "held", "small_deposit", "big_deposit", "subscribed", "contracted", "paid_off",
          "cancelled")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "available": ("held",),
    "held": ("available", "small_deposit", "big_deposit"),
    "small_deposit": ("big_deposit", "cancelled"),
    "big_deposit": ("subscribed", "cancelled"),
    "subscribed": ("contracted", "cancelled"),
    "contracted": ("paid_off", "cancelled"),
    "paid_off": (),
    "cancelled": ("available",),
}

#: states only finance may move a unit into (RE-32: salespeople never record money)
MONEY_STATES = ("small_deposit", "big_deposit", "paid_off")
MANAGER_ROLES = ("sales_manager", "gm")
SALES_ROLES = ("salesperson", "assistant", "sales_supervisor")
SYSTEM = "system"

#: (from, to) → (the roles that may make the move, the rule that says so)
MOVERS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("available", "held"): (("salesperson", "sales_supervisor", "master_sales_control") + MANAGER_ROLES, "RE-31"),
    ("held", "available"): (("salesperson", "sales_supervisor", "master_sales_control", SYSTEM) + MANAGER_ROLES,
                            "RE-31"),
    ("held", "small_deposit"): (("finance",), "RE-32"),
    ("held", "big_deposit"): (("finance",), "RE-32"),
    ("small_deposit", "big_deposit"): (("finance",), "RE-32"),
    ("big_deposit", "subscribed"): (SALES_ROLES + MANAGER_ROLES, "RE-33"),
    ("subscribed", "contracted"): (SALES_ROLES + MANAGER_ROLES, "RE-34"),
    ("contracted", "paid_off"): (("finance",), "RE-32"),
    ("small_deposit", "cancelled"): (MANAGER_ROLES, "RE-43"),
    ("big_deposit", "cancelled"): (MANAGER_ROLES, "RE-43"),
    ("subscribed", "cancelled"): (MANAGER_ROLES, "RE-43"),
    ("contracted", "cancelled"): (MANAGER_ROLES, "RE-42"),
    ("cancelled", "available"): ((SYSTEM, "master_sales_control") + MANAGER_ROLES, "RE-30"),
}

STATE_LABELS = {
    "available": ("可售", "available"), "held": ("已锁定", "held"), "small_deposit": ("已交小定", "small deposit paid"),
    "big_deposit": ("已交大定", "big deposit paid"), "subscribed": ("已认购", "subscribed"),
    "contracted": ("已签约", "contracted"), "paid_off": ("已付清", "paid off"), "cancelled": ("已退房", "cancelled"),
}

CONFLICT = "conflict"  # 409
FORBIDDEN = "forbidden"  # 403
INVALID = "invalid"  # 422
STATUS = {CONFLICT: 409, FORBIDDEN: 403, INVALID: 422}


@dataclass(frozen=True)
class MoveCheck:
    """Whether a unit may go from ``from_state`` to ``to_state``; when not, ``refusal`` (``conflict`` or
    ``forbidden``) and the reason. ``rule_id`` names the rule that allows or refuses the move."""

    from_state: str
    to_state: str
    allowed: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    refusal: str | None = None

    @property
    def status(self) -> int | None:
        """The HTTP status the service answers a refusal with (409 / 403), None when allowed."""
        return STATUS.get(self.refusal) if self.refusal else None

    def outcome(self) -> dict:
        return {"from": self.from_state, "to": self.to_state, "allowed": self.allowed, "refusal": self.refusal}


def label(state: str) -> tuple[str, str]:
    return STATE_LABELS.get(state, (state, state))


def next_states(state: str) -> tuple[str, ...]:
    """RE-30: the states a unit in ``state`` may move to (by someone)."""
    if state not in TRANSITIONS:
        raise ValueError(f"unknown unit state {state!r}; expected one of {', '.join(STATES)}")
    return TRANSITIONS[state]


def movers(from_state: str, to_state: str) -> tuple[str, ...]:
    """The roles that may move a unit from ``from_state`` to ``to_state`` (empty: no such move)."""
    return MOVERS.get((from_state, to_state), ((), ""))[0]


def move_check(from_state: str, to_state: str, roles) -> MoveCheck:
    """RE-30..RE-34: may a holder of ``roles`` move a unit from ``from_state`` to ``to_state``?

    Not a move of the machine → ``conflict`` (RE-30, e.g. ``available → subscribed`` without a hold);
    a money state by anyone but finance → ``forbidden`` (RE-32); another move by a role not listed in
    :data:`MOVERS` → ``forbidden`` under that move's rule.
    """
    allowed_next = next_states(from_state)
    if to_state not in STATES:
        raise ValueError(f"unknown unit state {to_state!r}; expected one of {', '.join(STATES)}")
    zh_from, en_from = label(from_state)
    zh_to, en_to = label(to_state)
    if to_state not in allowed_next:
        if allowed_next:
            nexts_zh = "、".join(label(s)[0] for s in allowed_next)
            zh = f"房源{zh_from}，不能直接转为{zh_to}（可转为：{nexts_zh}）"
            en = f"a unit {en_from} cannot go to {en_to} (it may go to: {', '.join(allowed_next)})"
        else:
            zh, en = f"房源{zh_from}，不能再变更", f"a unit {en_from} cannot change any more"
        if from_state == "available" and to_state != "held":
            zh += "；须先核对销控并锁定房源"
            en += "; check sales control and hold the unit first"
        return MoveCheck(from_state, to_state, False, "RE-30", zh, en, CONFLICT)
    who, rule_id = MOVERS[(from_state, to_state)]
    roles = set(roles)
    if roles & set(who):
        return MoveCheck(from_state, to_state, True, rule_id, f"房源由{zh_from}转为{zh_to}",
                         f"the unit goes from {en_from} to {en_to}")
    if to_state in MONEY_STATES:
        return MoveCheck(from_state, to_state, False, "RE-32", f"只有财务可以登记收款（{zh_to}），销售人员不得经手款项",
                         f"only finance records money ({en_to}); salespeople never record or hold money", FORBIDDEN)
    return MoveCheck(from_state, to_state, False, rule_id, f"无权将房源由{zh_from}转为{zh_to}（限：{'、'.join(who)}）",
                     f"not allowed to move a unit from {en_from} to {en_to} (only: {', '.join(who)})", FORBIDDEN)


# ------------------------------------------------------------------ RE-31 hold


@dataclass(frozen=True)
class HoldFacts:
    """One hold on a unit: who holds it since when; ``extended_until`` when the manager extended it;
    ``deposit_recorded`` once finance recorded a deposit on it (the hold then never lapses)."""

    unit_id: int
    hold_id: int
    held_by: int
    held_at: dt.datetime
    extended_until: dt.datetime | None = None
    deposit_recorded: bool = False


@dataclass(frozen=True)
class HoldLapse:
    """RE-31: the hold lapsed at ``lapsed_at``; the unit is available again."""

    unit_id: int
    hold_id: int
    held_by: int
    lapsed_at: dt.datetime
    rule_id: str = "RE-31"
    to_state: str = "available"

    @property
    def reason_zh(self) -> str:
        return f"锁定已于{self.lapsed_at:%Y-%m-%d %H:%M}到期且未交定金，房源恢复可售"

    @property
    def reason_en(self) -> str:
        return f"the hold lapsed at {self.lapsed_at:%Y-%m-%d %H:%M} with no deposit recorded; the unit is available again"

    def outcome(self) -> dict:
        return {"unit_id": self.unit_id, "hold_id": self.hold_id, "state": self.to_state,
                "lapsed_at": self.lapsed_at.isoformat()}


def hold_expires_at(settings: dict, cal: WorkCalendar, hold: HoldFacts) -> dt.datetime:
    """RE-31: ``held_at + re.hold.ttl`` (30 minutes by default, elapsed time), or the manager's extension
    when it is later."""
    expiry = cal.add_duration(hold.held_at, settings["hold"]["ttl"]).at
    if hold.extended_until is not None and hold.extended_until > expiry:
        return hold.extended_until
    return expiry


def hold_lapse(settings: dict, cal: WorkCalendar, hold: HoldFacts, now: dt.datetime) -> HoldLapse | None:
    """RE-31: the lapse of ``hold`` at ``now`` (at or after its expiry, no deposit recorded), else None."""
    if hold.deposit_recorded:
        return None
    expiry = hold_expires_at(settings, cal, hold)
    if now < expiry:
        return None
    return HoldLapse(hold.unit_id, hold.hold_id, hold.held_by, cal.local(expiry))


def may_extend_hold(roles) -> bool:
    """RE-31: only the manager extends a hold."""
    return bool(set(roles) & set(MANAGER_ROLES))


# --------------------------------------------------------------- RE-32 deposits

DEPOSIT_KINDS = {"small": ("small_deposit", "小定"), "big": ("big_deposit", "大定")}


@dataclass(frozen=True)
class DepositFacts:
    """A deposit someone posts on a unit: ``kind`` ``small`` (小定) or ``big`` (大定), the amount in yuan,
    finance's receipt number, the poster's roles and the unit's state."""

    unit_id: int
    unit_state: str
    kind: str
    amount: Decimal | str | None
    receipt_no: str | None
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class DepositCheck:
    """RE-32: allowed → the unit goes to ``to_state`` and a row goes on ``register``; refused →
    ``refusal`` (``forbidden`` 403, ``conflict`` 409, ``invalid`` 422 with ``errors`` by field)."""

    allowed: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    to_state: str | None = None
    register: str | None = None
    amount: Decimal | None = None
    refusal: str | None = None
    errors: dict = field(default_factory=dict)

    @property
    def status(self) -> int | None:
        return STATUS.get(self.refusal) if self.refusal else None

    def outcome(self) -> dict:
        return {"allowed": self.allowed, "state": self.to_state, "register": self.register,
                "amount": str(self.amount) if self.amount is not None else None, "refusal": self.refusal}


def deposit_check(settings: dict, facts: DepositFacts) -> DepositCheck:
    """RE-32: only finance posts a deposit, with a receipt number and at least ``re.deposit.<kind>_min``
    (inclusive, CAL-10); a small deposit on a held unit, a big one on a held unit or one with a small
    deposit. Checked in that order: role (403), state (409), fields (422)."""
    if facts.kind not in DEPOSIT_KINDS:
        raise ValueError(f"deposit kind must be one of {', '.join(DEPOSIT_KINDS)}")
    to_state, kind_zh = DEPOSIT_KINDS[facts.kind]
    move = move_check(facts.unit_state, to_state, facts.roles)
    if not move.allowed:
        return DepositCheck(False, move.rule_id, move.reason_zh, move.reason_en, refusal=move.refusal)
    errors: dict[str, list[str]] = {}
    if not (facts.receipt_no or "").strip():
        errors["receipt_no"] = ["a deposit is recorded with finance's receipt number (RE-32)"]
    amount = None
    try:
        amount = Decimal(str(facts.amount)).quantize(Decimal("0.01")) if facts.amount is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    least = settings["deposit"][f"{facts.kind}_min"]
    if amount is None or not amount.is_finite() or amount <= 0:
        errors["amount"] = ["the deposit is an amount in yuan above 0 (RE-32)"]
    elif least is not None and amount < least:
        errors["amount"] = [f"a {facts.kind} deposit is at least ¥{least:,.2f} (re.deposit.{facts.kind}_min, RE-32)"]
    if errors:
        return DepositCheck(False, "RE-32", "定金登记不完整：" + "、".join(errors),
                            "the deposit cannot be recorded: " + ", ".join(errors), refusal=INVALID, errors=errors)
    return DepositCheck(True, "RE-32", f"财务登记{kind_zh}¥{amount:,.2f}（收据号{facts.receipt_no.strip()}），房源转为{label(to_state)[0]}",
                        f"finance recorded a {facts.kind} deposit of ¥{amount:,.2f} (receipt {facts.receipt_no.strip()}); "
                        f"the unit is {label(to_state)[1]}",
                        to_state=to_state, register=f"{facts.kind}_deposit_register", amount=amount)
