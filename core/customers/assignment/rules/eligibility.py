"""CUS-30: eligibility of candidates (active, in scope, under capacity, not on leave) and the
``by_tier`` strategy (grade → team with capacity caps)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from core.calendar.availability import (
    Availability,
)
from core.customers.assignment.rules.outcomes import Decided, Skip, StaffMember, _skip_texts
from core.customers.assignment.rules.settings import _section


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


def pick_team_member(tier: Assignment, members: Iterable[StaffMember], held: Mapping[int, int]) -> Assignment:
    """CUS-30 ``by_tier``, inside the chosen team: the eligible member (active, in scope, under
    capacity, not on long leave) holding the fewest customers (``held``) receives the customer; ties go
    to the lowest id. Skipped members are listed with their reasons after the skipped teams. No eligible
    member → ``kind = none`` (a manager assigns, CUS-34)."""
    if tier.team is None:
        raise ValueError("pick_team_member needs a tier outcome with a team")
    members = list(members)
    eligible, skipped = screen_candidates(members)
    by_id = {m.id: m for m in members}
    chosen = min(eligible, key=lambda m: (int(held.get(m.id, 0)), m.id)) if eligible else None
    facts = {**tier.facts, "team": tier.team, "members": sorted(by_id),
             "held": {m.id: int(held.get(m.id, 0)) for m in members},
             "members_skipped": [s.as_fact() for s in skipped]}
    base_zh = tier.reason_zh.removesuffix("。依据CUS-30。")
    base_en = tier.reason_en.removesuffix(". Under CUS-30.")
    skip_zh, skip_en = _skip_texts(skipped, by_id)
    if chosen is None:
        zh = f"{base_zh}；团队{tier.team}内无合格成员（{skip_zh or '无成员'}），需经理手动分配（CUS-34）。依据CUS-30。"
        en = (f"{base_en}; nobody in team {tier.team} can take it ({skip_en or 'no members'}), a manager assigns it "
              f"(CUS-34). Under CUS-30.")
        return replace(tier, facts=facts, reason_zh=zh, reason_en=en, kind="none",
                       skipped=tier.skipped + tuple(skipped))
    n = int(held.get(chosen.id, 0))
    zh = f"{base_zh}；团队内由持有客户最少的{chosen.label}（{n}名）接手"
    en = f"{base_en}; within the team {chosen.label}, who holds the fewest customers ({n}), takes it"
    if skipped:
        zh += f"；跳过成员：{skip_zh}"
        en += f"; members skipped: {skip_en}"
    return replace(tier, facts=facts, reason_zh=zh + "。依据CUS-30。", reason_en=en + ". Under CUS-30.",
                   staff_id=chosen.id, skipped=tier.skipped + tuple(skipped))
