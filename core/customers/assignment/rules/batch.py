"""CUS-32: equal split of an event's lead batch among its participants, remainder to those with
the fewest batch leads this month, ties by a seeded shuffle."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
