"""CUS-21 first-claim evidence and precedence (首访原则): :func:`first_claim`.

Evidence whose window is over is dropped by the replay in
:func:`core.customers.ownership.state.ownership_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from core.calendar import WorkCalendar
from core.customers.ownership.facts import Claim, Decides, Fact, RuleDecision, Staff, claim_fact, id_key
from core.customers.ownership.reasons import claim_reason
from core.customers.ownership.vocabulary import ASSIGNMENT


@dataclass(frozen=True)
class ClaimDecision(Decides):
    """CUS-21 result: the earliest valid evidence and what it prevailed over."""

    claim: Claim
    overruled: tuple[Claim, ...]
    corroborating: tuple[Claim, ...]
    ignored: tuple[tuple[Claim, str], ...]
    tie: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    facts: tuple[Fact, ...]

    @property
    def owner(self) -> Staff:
        return self.claim.claimant

    @property
    def decision(self) -> RuleDecision:
        return self.to_decision()

    def to_decision(self) -> RuleDecision:
        return RuleDecision(self.rule_id, self.facts, {"owner": self.owner, "tie": self.tie},
                            self.reason_zh, self.reason_en)


def first_claim(
    policy: Mapping[str, Any], claims: Iterable[Claim], calendar: WorkCalendar | None = None
) -> ClaimDecision | None:
    """CUS-21 (首访原则): the earliest valid evidence wins.

    Only kinds listed in ``claim.evidence`` count (plus decided ``assignment`` s); unconfirmed
    evidence (CUS-06) does not. Evidence is ranked by its effective time; at the same instant
    the kind listed first in ``claim.evidence`` wins, then the lower record id, and ``tie`` is set
    so that an arbitration can be opened (CUS-27). A claimant's own later evidence corroborates
    (e.g. the evening-meeting record of the register entry); later evidence of others is overruled.
    This function knows no windows: evidence whose window is over is dropped by
    :func:`ownership_state`, which replays the claims. ``calendar`` only gives the time zone of the
    reasons (default Asia/Shanghai).
    """
    accepted, ignored = accepted_claims(policy, claims)
    if not accepted:
        return None
    ranked = sorted(accepted, key=lambda c: claim_key(policy, c))
    winner = ranked[0]
    tie = any(
        c.claimant != winner.claimant and c.at == winner.at and evidence_rank(policy, c) == evidence_rank(policy, winner)
        for c in ranked[1:]
    )
    overruled = tuple(c for c in ranked[1:] if c.claimant != winner.claimant)
    corroborating = tuple(c for c in ranked[1:] if c.claimant == winner.claimant)
    zh, en = claim_reason(calendar, winner, overruled, corroborating, None)
    if tie:
        zh += "证据时间相同，建议开立判客案件（CUS-27）。"
        en += " Evidence at the same instant: an arbitration case should be opened (CUS-27)."
    facts = tuple(claim_fact(c, "winner" if c is winner else "overruled" if c in overruled else "corroborating")
                  for c in ranked) + tuple(claim_fact(c, f"ignored:{why}") for c, why in ignored)
    return ClaimDecision(winner, overruled, corroborating, tuple(ignored), tie, "CUS-21", zh, en, facts)


def accepted_claims(policy: Mapping[str, Any], claims: Iterable[Claim]) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    allowed = set(policy["claim"]["evidence"]) | {ASSIGNMENT}
    accepted, ignored = [], []
    for claim in claims:
        if claim.kind not in allowed:
            ignored.append((claim, "evidence_not_accepted"))
        elif not claim.confirmed:
            ignored.append((claim, "unconfirmed"))
        else:
            accepted.append(claim)
    return accepted, ignored


def evidence_rank(policy: Mapping[str, Any], claim: Claim) -> int:
    evidence = list(policy["claim"]["evidence"])
    return evidence.index(claim.kind) if claim.kind in evidence else len(evidence)


def claim_key(policy: Mapping[str, Any], claim: Claim) -> tuple:
    return (claim.at, evidence_rank(policy, claim), id_key(claim.record_id))
