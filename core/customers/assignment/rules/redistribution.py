"""CUS-33: random draw with a recorded seed (随机抽数); CUS-35: reassignment triggers, the
deactivation check (a) and the redistribution of a leaver's customers (b)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.calendar.availability import (
    DEFAULT_LONG_LEAVE_MIN,
    is_long_leave,
)
from core.calendar.durations import Duration, format_duration
from core.customers.assignment.rules.eligibility import Assignment, screen_candidates
from core.customers.assignment.rules.outcomes import (
    Decided,
    Skip,
    StaffMember,
    _label,
    _n,
    _skip_texts,
)
from core.customers.assignment.rules.settings import _section
from core.customers.assignment.rules.shuffle import _check_seed, seeded_shuffle
from core.errors import InvalidInput

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
