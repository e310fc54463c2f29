"""CUS-27 ownership conflict arbitration (判客 / 撞单): proposal, objections within the window, the
arbiter's ruling, escalation, quarrel consequences: :func:`arbitrate`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from core.calendar import WorkCalendar
from core.customers.ownership.facts import (
    Claim, ContactEvent, Deal, Decides, Fact, RuleDecision, Staff, claim_fact,
)
from core.customers.ownership.reasons import minute
from core.customers.ownership.settings import QuarrelRule
from core.customers.ownership.state import ownership_state
from core.customers.ownership.vocabulary import ASSIGNMENT, ROLE_EN, ROLE_ZH, UNOWNED, VERDICTS


@dataclass(frozen=True)
class Objection:
    """A party's objection to the proposal (CUS-27)."""

    party: Staff
    at: dt.datetime
    record_id: int | str | None = None


@dataclass(frozen=True)
class Ruling:
    """An arbiter's ruling: ``uphold`` the proposal, ``overturn`` (give ``owner``) or ``cannot_decide``."""

    role: str
    by: Staff
    at: dt.datetime
    verdict: str
    owner: Staff | None = None
    record_id: int | str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == "overturn" and self.owner is None:
            raise ValueError("an overturning ruling names the owner")


@dataclass(frozen=True)
class Quarrel:
    """Parties quarrelling in front of customers (CUS-27)."""

    parties: tuple[Staff, ...]
    at: dt.datetime
    record_id: int | str | None = None


@dataclass(frozen=True)
class ArbitrationCase:
    """The facts of one arbitration case (判客 / 撞单).

    ``proposed_owner``/``proposal_rule``: the outcome the plugin hook ``attribute_owner`` proposes
    (e.g. RE-27); without it the system proposes by :func:`ownership_state` at ``opened_at`` over
    ``claims``, ``contacts`` and ``deals``. ``department``: the department a forfeiture goes to.
    """

    opened_at: dt.datetime
    claims: tuple[Claim, ...] = ()
    contacts: tuple[ContactEvent, ...] = ()
    deals: tuple[Deal, ...] = ()
    objections: tuple[Objection, ...] = ()
    rulings: tuple[Ruling, ...] = ()
    quarrels: tuple[Quarrel, ...] = ()
    proposed_owner: Staff | None = None
    proposal_rule: str | None = None
    department: str | None = None
    record_id: int | str | None = None


@dataclass(frozen=True)
class Consequence:
    """A quarrel consequence (CUS-27): ``forfeit_to_department`` | ``fine`` (STF entry, yuan) |
    ``dismissal_flag`` (HR review flag; dismissal is never automatic)."""

    kind: str
    party: Staff | None
    amount: Decimal | None
    department: str | None
    quarrel_record_id: int | str | None


@dataclass(frozen=True)
class ArbitrationOutcome(Decides):
    """Where a case stands at ``now`` (CUS-27).

    ``status``: ``objection_window`` | ``awaiting_arbiter`` | ``escalated`` | ``final``.
    ``assigned_roles``: who must decide now. ``final_owner`` (``None`` with ``final_department``
    after a forfeiture) is what the service writes as ownership (an ``assignment`` claim) and
    passes to STF-30 for the performance shares.
    """

    status: str
    proposed_owner: Staff | None
    proposal_rule: str
    objection_through: dt.date
    objection_end: dt.datetime
    objections: tuple[Objection, ...]
    late_objections: tuple[Objection, ...]
    assigned_roles: tuple[str, ...]
    final_owner: Staff | None
    final_department: str | None
    decided_by: Staff | None
    decided_at: dt.datetime | None
    consequences: tuple[Consequence, ...]
    rule_id: str
    reason_zh: str
    reason_en: str
    facts: tuple[Fact, ...]

    @property
    def decision(self) -> RuleDecision:
        outcome = {"status": self.status, "proposed_owner": self.proposed_owner, "final_owner": self.final_owner,
                   "final_department": self.final_department, "decided_by": self.decided_by,
                   "decided_at": self.decided_at, "assigned_roles": list(self.assigned_roles),
                   "consequences": [{"kind": c.kind, "party": c.party, "amount": c.amount,
                                     "department": c.department} for c in self.consequences]}
        return RuleDecision(self.rule_id, self.facts, outcome, self.reason_zh, self.reason_en)

    def to_decision(self) -> dict[str, Any]:
        return self.decision.to_record()

    def assignment(self) -> Claim | None:
        """The ownership fact to store once final (an ``assignment`` with rule CUS-27)."""
        if self.status != "final" or self.final_owner is None:
            return None
        return Claim(self.final_owner, ASSIGNMENT, self.decided_at, rule_id="CUS-27")


def arbitrate(policy: Mapping[str, Any], calendar: WorkCalendar, case: ArbitrationCase,
              now: dt.datetime) -> ArbitrationOutcome:
    """CUS-27: propose, take objections within ``objection_window``, rule, escalate, finalise.

    - The proposal is the hook's (``case.proposed_owner``) or the current owner by the rules.
    - Objections strictly before the window end (from ``opened_at``) count; later ones are listed
      as late. Without an objection in time the proposal becomes final at the window end.
    - Rulings count in time order when made by a role currently assigned: ``arbiter`` first
      (several roles decide jointly and must agree), then ``escalate_to``. ``cannot_decide`` or a
      disagreement escalates; the last level stays assigned.
    - A quarrel applies ``quarrel_consequence``: ``forfeit_to_department`` makes the case final
      with the department as the holder; ``fine_each:N`` gives one fine of ¥N per party;
      ``dismissal_flag_each`` one HR review flag per party.
    """
    settings = policy["arbitration"]
    calendar.local(now)
    window = calendar.add_duration(case.opened_at, settings["objection_window"])
    facts: list[Fact] = [Fact("case", case.record_id, case.opened_at, "opened")]
    facts += [claim_fact(c, "claim") for c in case.claims]

    # proposal
    if case.proposed_owner is not None:
        proposed, proposal_rule = case.proposed_owner, case.proposal_rule or "attribute_owner"
    else:
        state = ownership_state(policy, calendar, case.claims, case.contacts, case.deals, case.opened_at)
        proposed = state.owner if state.status != UNOWNED else None
        proposal_rule = state.decisions[0].rule_id if proposed else "CUS-21"
    opened = minute(calendar, case.opened_at)
    through = window.through.isoformat()
    if proposed:
        zh = [f"判客案件于{opened}开立；系统依据{proposal_rule}建议客户归{proposed.zh}，异议期至{through}。"]
        en = [f"Arbitration opened {opened}; under {proposal_rule} the system proposes {proposed.en}; "
              f"objections through {through}."]
    else:
        zh = [f"判客案件于{opened}开立；规则无法给出建议，由裁决人决定。"]
        en = [f"Arbitration opened {opened}; the rules give no proposal, the arbiter decides."]

    # quarrels (CUS-27 consequence)
    rule: QuarrelRule = settings["quarrel_consequence"]
    consequences: list[Consequence] = []
    forfeited_at: dt.datetime | None = None
    for quarrel in sorted((q for q in case.quarrels if q.at <= now), key=lambda q: q.at):
        names_zh = "、".join(p.zh for p in quarrel.parties)
        names_en = " and ".join(p.en for p in quarrel.parties)
        day = calendar.local_date(quarrel.at).isoformat()
        facts.append(Fact("quarrel", quarrel.record_id, quarrel.at, ",".join(str(p.id) for p in quarrel.parties)))
        if rule.kind == "forfeit_to_department":
            consequences.append(Consequence("forfeit_to_department", None, None, case.department, quarrel.record_id))
            forfeited_at = forfeited_at or quarrel.at
            dept = f" {case.department}" if case.department else ""
            zh.append(f"{names_zh}于{day}在客户面前争执，该单位业绩与提成归部门{dept.strip()}。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: the unit's performance and bonus "
                      f"go to the department{dept}.")
        elif rule.kind == "fine_each":
            for party in quarrel.parties:
                consequences.append(Consequence("fine", party, rule.amount, None, quarrel.record_id))
            zh.append(f"{names_zh}于{day}在客户面前争执，各罚款¥{rule.amount}。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: a fine of ¥{rule.amount} each.")
        elif rule.kind == "dismissal_flag_each":
            for party in quarrel.parties:
                consequences.append(Consequence("dismissal_flag", party, None, None, quarrel.record_id))
            zh.append(f"{names_zh}于{day}在客户面前争执，各记人事审查标记（不自动辞退）。")
            en.append(f"{names_en} quarrelled in front of the customer on {day}: an HR review flag each "
                      f"(dismissal is never automatic).")

    # objections
    in_time = tuple(o for o in sorted(case.objections, key=lambda o: o.at) if o.at <= now and o.at < window.at)
    late = tuple(o for o in sorted(case.objections, key=lambda o: o.at) if o.at <= now and o.at >= window.at)
    for objection in in_time:
        facts.append(Fact("objection", objection.record_id, objection.at, str(objection.party.id)))
        zh.append(f"{objection.party.zh}于{calendar.local_date(objection.at)}提出异议。")
        en.append(f"{objection.party.en} objected on {calendar.local_date(objection.at)}.")
    for objection in late:
        facts.append(Fact("objection", objection.record_id, objection.at, f"late:{objection.party.id}"))
        zh.append(f"{objection.party.zh}于{calendar.local_date(objection.at)}的异议已过异议期，不予受理。")
        en.append(f"{objection.party.en}'s objection on {calendar.local_date(objection.at)} came after the window.")

    def outcome(status, roles, owner=None, department=None, by=None, at=None) -> ArbitrationOutcome:
        return ArbitrationOutcome(status, proposed, proposal_rule, window.through, window.at, in_time, late,
                                  tuple(roles), owner, department, by, at, tuple(consequences), "CUS-27",
                                  "".join(zh), " ".join(en), tuple(facts))

    if forfeited_at is not None:
        zh.append("裁决生效：该单位归部门。")
        en.append("Final: the unit goes to the department.")
        return outcome("final", (), department=case.department, at=forfeited_at)

    # rulings
    levels = [tuple(settings["arbiter"]), (settings["escalate_to"],)]
    level = 0
    votes: dict[str, Ruling] = {}
    auto_final_at = window.at if proposed is not None and not in_time else None
    for ruling in sorted((r for r in case.rulings if r.at <= now), key=lambda r: r.at):
        if auto_final_at is not None and level == 0 and ruling.at >= auto_final_at:
            break
        roles = levels[level]
        if ruling.role not in roles:
            facts.append(Fact("ruling", ruling.record_id, ruling.at, f"ignored:{ruling.role}"))
            continue
        facts.append(Fact("ruling", ruling.record_id, ruling.at, f"{ruling.role}:{ruling.verdict}"))
        role_zh, role_en = ROLE_ZH.get(ruling.role, ruling.role), ROLE_EN.get(ruling.role, ruling.role)
        day = calendar.local_date(ruling.at)
        if ruling.verdict == "cannot_decide":
            zh.append(f"{role_zh}{ruling.by.zh}于{day}表示无法裁决。")
            en.append(f"The {role_en} {ruling.by.en} could not decide on {day}.")
            level, votes = _escalate(level, levels, zh, en)
            continue
        owner = proposed if ruling.verdict == "uphold" else ruling.owner
        if owner is None:
            zh.append(f"{role_zh}{ruling.by.zh}于{day}维持建议，但并无建议，不予采纳。")
            en.append(f"The {role_en} {ruling.by.en} upheld a proposal that does not exist on {day}; ignored.")
            continue
        verb_zh = "维持建议" if ruling.verdict == "uphold" else "改判"
        verb_en = "upheld the proposal" if ruling.verdict == "uphold" else "overturned it"
        zh.append(f"{role_zh}{ruling.by.zh}于{day}{verb_zh}，客户归{owner.zh}。")
        en.append(f"The {role_en} {ruling.by.en} {verb_en} on {day}: {owner.en}.")
        votes[ruling.role] = ruling
        if all(role in votes for role in roles):
            owners = {(proposed if v.verdict == "uphold" else v.owner) for v in votes.values()}
            if len(owners) == 1:
                final = owners.pop()
                zh.append(f"裁决生效：客户归{final.zh}。")
                en.append(f"Final: the customer belongs to {final.en}.")
                return outcome("final", (), owner=final, by=ruling.by, at=ruling.at)
            zh.append("裁决人意见不一致。")
            en.append("The arbiters disagree.")
            level, votes = _escalate(level, levels, zh, en)

    if level == 0 and auto_final_at is not None and now >= auto_final_at:
        zh.append(f"异议期内无人提出异议，建议于{minute(calendar, auto_final_at)}生效：客户归{proposed.zh}。")
        en.append(f"No objection within the window: the proposal became final at {minute(calendar, auto_final_at)}; "
                  f"the customer belongs to {proposed.en}.")
        return outcome("final", (), owner=proposed, at=auto_final_at)
    if level == 1:
        return outcome("escalated", levels[1])
    if auto_final_at is not None:
        return outcome("objection_window", levels[0])
    roles_zh = "、".join(ROLE_ZH.get(r, r) for r in levels[0])
    zh.append(f"待{roles_zh}裁决。")
    en.append(f"Awaiting the ruling of: {', '.join(ROLE_EN.get(r, r) for r in levels[0])}.")
    return outcome("awaiting_arbiter", levels[0])


def _escalate(level: int, levels: list, zh: list, en: list) -> tuple[int, dict]:
    target = levels[1][0]
    if level == 0:
        zh.append(f"案件升级至{ROLE_ZH.get(target, target)}。")
        en.append(f"The case is escalated to the {ROLE_EN.get(target, target)}.")
    else:
        zh.append(f"已在最高一级（{ROLE_ZH.get(target, target)}），仍待其裁决。")
        en.append(f"Already at the top level ({ROLE_EN.get(target, target)}); the case awaits its ruling.")
    return 1, {}
