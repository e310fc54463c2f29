"""CUS-25: what happens when a protection window ends (``cus.ownership.on_expiry``):
:func:`expiry_action`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from core.customers.ownership.facts import ASSIGNMENT, Claim, Decides, Fact, RuleDecision, Staff
from core.customers.ownership.reasons import END_EN, END_ZH, minute_of
from core.customers.ownership.settings import OnExpiry
from core.customers.ownership.vocabulary import CLAIMABLE, LOCKED, PROTECTED, ROLE_EN, ROLE_ZH, UNOWNED

if TYPE_CHECKING:
    from core.customers.ownership.state import OwnershipState


@dataclass(frozen=True)
class ExpiryOutcome(Decides):
    """What happens at the end of a window (CUS-25): the action and the resulting owner."""

    action: str
    at: dt.datetime
    previous_owner: Staff | None
    new_owner: Staff | None
    status: str
    role: str | None
    decision: RuleDecision

    @property
    def rule_id(self) -> str:
        return self.decision.rule_id

    @property
    def reason_zh(self) -> str:
        return self.decision.reason_zh

    @property
    def reason_en(self) -> str:
        return self.decision.reason_en

    def assignment(self) -> Claim | None:
        """The fact to store so that later replays see the new owner (``reassign``/``transfer``)."""
        if self.new_owner is None or self.action not in ("reassign", "transfer_to_role"):
            return None
        return Claim(self.new_owner, ASSIGNMENT, self.at, rule_id="CUS-25")


def expiry_action(
    policy: Mapping[str, Any], state: OwnershipState, successor: Staff | None = None
) -> ExpiryOutcome | None:
    """CUS-25: the ``ownership.on_expiry`` action for a state whose window is over (else ``None``).

    ``claimable``: the owner is kept until someone else claims. ``release_to_pool``: the owner is
    cleared. ``reassign`` (CUS-30 strategy) and ``transfer_to_role: <role>`` need the person the
    service resolves (``successor``: the strategy's pick, or the holder of the role in the owner's
    department); without one the action stays pending. The new ownership starts at the window
    end; store :meth:`ExpiryOutcome.assignment` as a claim.
    """
    if state.ended_at is None or state.status == LOCKED:
        return None
    on_expiry: OnExpiry = policy["ownership"]["on_expiry"]
    previous = state.owner or state.previous_owner
    at = state.ended_at.astimezone(state.now.tzinfo)
    when = minute_of(at)
    through = state.valid_through.isoformat() if state.valid_through else when
    who_zh = previous.zh if previous else "原负责人"
    who_en = previous.en if previous else "the previous owner"
    head_zh = f"{who_zh}的保护期至{through}结束（{END_ZH[state.end_reason]}）；依据CUS-25（on_expiry = {on_expiry}），"
    head_en = f"{who_en}'s protection ran through {through} ({END_EN[state.end_reason]}); under CUS-25 (on_expiry = {on_expiry}) "
    role = on_expiry.role
    if on_expiry.action == "claimable":
        new_owner, status = previous, CLAIMABLE
        zh = head_zh + f"自{when}起客户可被他人认领，认领前仍由{who_zh}保留。"
        en = head_en + f"the customer is claimable from {when}; {who_en} keeps it until someone else claims."
    elif on_expiry.action == "release_to_pool":
        new_owner, status = None, UNOWNED
        zh = head_zh + f"自{when}起客户释放至公海，{who_zh}不再负责。"
        en = head_en + f"the customer is released to the public pool from {when}; {who_en} no longer owns it."
    elif on_expiry.action == "reassign":
        new_owner = successor
        status = PROTECTED if successor else CLAIMABLE
        if successor:
            zh = head_zh + f"自{when}起按分配策略（CUS-30）重新分配给{successor.zh}。"
            en = head_en + f"the customer is reassigned by the assignment strategy (CUS-30) to {successor.en} from {when}."
        else:
            zh = head_zh + f"自{when}起待按分配策略（CUS-30）重新分配。"
            en = head_en + f"the customer awaits reassignment by the assignment strategy (CUS-30) from {when}."
    else:
        new_owner = successor
        status = PROTECTED if successor else CLAIMABLE
        role_zh, role_en = ROLE_ZH.get(role, role), ROLE_EN.get(role, role)
        if successor:
            zh = head_zh + f"自{when}起移交{role_zh}{successor.zh}。"
            en = head_en + f"the customer is transferred to the {role_en} {successor.en} from {when}."
        else:
            zh = head_zh + f"自{when}起待移交{role_zh}。"
            en = head_en + f"the customer awaits transfer to the {role_en} from {when}."
    facts = (Fact("window_end", state.claim.record_id if state.claim else None, at, state.end_reason or ""),)
    outcome = {"action": on_expiry.action, "role": role, "at": at, "previous_owner": previous,
               "new_owner": new_owner, "status": status}
    decision = RuleDecision("CUS-25", facts, outcome, zh, en)
    return ExpiryOutcome(on_expiry.action, at, previous, new_owner, status, role, decision)
