"""Who owns a customer at a moment and why (CUS-20), replaying claims (CUS-21) and deals (CUS-26)
through the protection windows of the three modes (CUS-22/23/24) and the expiry action (CUS-25):
:func:`ownership_state`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from core.calendar import WorkCalendar
from core.customers.ownership.claims import accepted_claims, claim_key
from core.customers.ownership.contacts import ContactVerdict
from core.customers.ownership.expiry import expiry_action
from core.customers.ownership.facts import (
    Claim, ContactEvent, Deal, Decides, Fact, RuleDecision, Staff, claim_fact, id_key,
)
from core.customers.ownership.reasons import (
    assignment_decision, claim_decision, lock_decision, takeover_decision, window_decision,
)
from core.customers.ownership.settings import OnExpiry
from core.customers.ownership.vocabulary import (
    ASSIGNMENT, CLAIMABLE, EXPIRING, LOCKED, PROTECTED, UNDER_SERVICE, UNOWNED,
)
from core.customers.ownership.windows import Tenure, warning_at_of, window_of


@dataclass(frozen=True)
class OwnershipPeriod:
    """One owner's tenure in the replay (an OwnershipHistory row)."""

    owner: Staff | None
    start: dt.datetime
    end: dt.datetime | None
    end_reason: str | None
    rule_id: str
    record_id: int | str | None


@dataclass(frozen=True)
class OwnershipState(Decides):
    """Who owns the customer at ``now`` and why (CUS-20).

    ``status``: ``unowned`` | ``protected`` | ``expiring`` (warning period, CUS-25) | ``claimable``
    (window over, old owner kept until someone else claims) | ``locked`` (deal, CUS-26).
    ``window_end``: aware instant the protection ends (00:00 after ``valid_through``; the contact
    time for a weak-streak void); ``None`` without a window (mode ``none``, locked, unowned).
    ``ended_at``/``end_reason``: set once the window is over. ``pending_action``: the CUS-25
    action (``reassign``/``transfer_to_role``) the sweep must still carry out with
    :func:`expiry_action`. ``pending_claims``: takeovers awaiting approval (CUS-24).
    ``decisions``: the chain explaining the current state (first the claim, then the window).
    ``rule_id``/``reason_*``/``facts``: those of the last decision of the chain.
    """

    status: str
    owner: Staff | None
    department: str | None
    mode: str
    since: dt.datetime | None
    valid_through: dt.date | None
    window_end: dt.datetime | None
    warning_from: dt.date | None
    warning_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str | None
    previous_owner: Staff | None
    claim: Claim | None
    deal: Deal | None
    last_contact: ContactVerdict | None
    pending_confirmation: tuple[int | str | None, ...]
    pending_claims: tuple[Claim, ...]
    pending_action: OnExpiry | None
    overruled: tuple[tuple[Claim, str], ...]
    history: tuple[OwnershipPeriod, ...]
    provisional: bool
    decisions: tuple[RuleDecision, ...]
    now: dt.datetime

    @property
    def decision(self) -> RuleDecision:
        """The last decision of the chain (the one-shape outcome, :class:`Decides`)."""
        return self.decisions[-1]

    @property
    def rule_id(self) -> str:
        return self.decisions[-1].rule_id

    @property
    def reason_zh(self) -> str:
        return self.decisions[-1].reason_zh

    @property
    def reason_en(self) -> str:
        return self.decisions[-1].reason_en

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.decisions[-1].facts

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(d.rule_id for d in self.decisions)

    def summary(self) -> dict[str, Any]:
        """The CUS-20 answer: ``{owner, state, until, decisions}``."""
        return {
            "owner": None if self.owner is None else self.owner.id,
            "state": self.status,
            "until": self.valid_through,
            "decisions": list(self.rule_ids),
        }

    def to_decision(self) -> dict[str, Any]:
        """The last decision as a Decision-row dict (JSON-friendly)."""
        return self.decisions[-1].to_record()


def ownership_state(
    policy: Mapping[str, Any],
    calendar: WorkCalendar,
    claims: Iterable[Claim],
    contacts: Iterable[ContactEvent],
    deals: Iterable[Deal],
    now: dt.datetime,
) -> OwnershipState:
    """CUS-20..CUS-26: replay the claims and deals up to ``now`` and judge the current window.

    Pass the claims of every household member together (CUS-14) or of both merged customers
    (CUS-15): the earliest valid claim owns them all. The replay, in time order:

    - a deal locks ownership to its performance owner; later claims are overruled (CUS-26);
    - an ``assignment`` always takes effect (kept locked after a deal);
    - the first accepted claim starts a tenure (CUS-21);
    - a later claim never displaces an owner whose window is still running at the claim's time
      (CUS-21); after the window is over it starts a new tenure (CUS-22 (2)) — in the
      under-service mode another employee's claim takes effect only at its approval (CUS-24).

    The current tenure's window then gives the status at ``now``; when it is over,
    ``ownership.on_expiry`` applies (CUS-25): ``claimable`` keeps the owner, ``release_to_pool``
    clears it, ``reassign``/``transfer_to_role`` keep it with ``pending_action`` set.
    """
    local_now = calendar.local(now)
    mode = policy["ownership"]["mode"]
    accepted, ignored = accepted_claims(policy, claims)
    accepted = [c for c in accepted if c.at <= now]
    contacts = tuple(contacts)
    events: list[tuple[tuple, Claim | Deal]] = [(claim_key(policy, c) + (0,), c) for c in accepted]
    events += [((d.at, 99, id_key(d.record_id), 1), d) for d in deals if d.at <= now]
    events.sort(key=lambda e: e[0])

    tenure: Tenure | None = None
    history: list[OwnershipPeriod] = []
    pending: list[Claim] = []

    def close(end: dt.datetime | None, reason: str | None) -> None:
        if tenure is not None:
            history.append(OwnershipPeriod(tenure.owner, tenure.start, end, reason, tenure.rule_id,
                                           tenure.claim.record_id if tenure.claim else None))

    for _, event in events:
        if isinstance(event, Deal):
            close(event.at, "deal")
            decision = lock_decision(calendar, event, tenure)
            tenure = Tenure(event.performance_owner, event.at, tenure.claim if tenure else None, "CUS-26",
                             decision, deal=event)
            continue
        claim = event
        if claim.kind == ASSIGNMENT:
            close(claim.at, "assignment")
            tenure = Tenure(claim.claimant, claim.at, claim, claim.rule_id or "CUS-34",
                             assignment_decision(calendar, claim, tenure),
                             deal=tenure.deal if tenure else None)
            continue
        if tenure is None:
            tenure = Tenure(claim.claimant, claim.at, claim, "CUS-21", None)
            continue
        if tenure.deal is not None:
            tenure.overruled.append((claim, "locked"))
            continue
        window = window_of(policy, calendar, tenure, contacts, claim.at)
        if window.end is None or claim.at < window.end:
            tenure.overruled.append((claim, "corroborates" if claim.claimant == tenure.owner else "owner_protected"))
            continue
        previous = (tenure.owner, window)
        released = policy["ownership"]["on_expiry"].action == "release_to_pool"
        if mode == UNDER_SERVICE and claim.claimant != tenure.owner and not released:
            if claim.approved_at is None or claim.approved_at > now:
                pending.append(claim)
                continue
            start = max(claim.at, claim.approved_at)
            close(window.end, window.end_reason)
            decision = takeover_decision(policy, calendar, claim, start, previous)
            tenure = Tenure(claim.claimant, start, claim, "CUS-24", decision)
            continue
        close(window.end, window.end_reason)
        tenure = Tenure(claim.claimant, claim.at, claim, "CUS-21", None, previous=previous)

    overruled = tuple(tenure.overruled) if tenure else ()
    ignored_pairs = tuple(ignored)
    if tenure is None:
        decision = RuleDecision(
            "CUS-20", tuple(claim_fact(c, f"ignored:{why}") for c, why in ignored_pairs),
            {"status": UNOWNED, "owner": None},
            "客户无有效认领，处于公海（未归属）。", "No valid claim: the customer is unowned (public pool).",
        )
        return _state(UNOWNED, None, mode, local_now, decisions=(decision,), pending_claims=tuple(pending),
                      overruled=(), history=())

    first = tenure.decision or claim_decision(calendar, tenure)

    if tenure.deal is not None:
        return _state(LOCKED, tenure.owner, mode, local_now, since=tenure.start, claim=tenure.claim,
                      deal=tenure.deal, decisions=(first,), overruled=overruled,
                      history=tuple(history), pending_claims=tuple(pending))

    window = window_of(policy, calendar, tenure, contacts, now)
    warning_at = warning_at_of(policy, calendar, window)
    ended = window.end is not None and now >= window.end
    window_dec = window_decision(policy, calendar, tenure, window, warning_at, ended, now)
    decisions = (first, window_dec)
    common = dict(
        since=tenure.start, claim=tenure.claim, last_contact=window.last,
        valid_through=window.through, window_end=window.end,
        warning_from=None if warning_at is None else calendar.local_date(warning_at), warning_at=warning_at,
        pending_confirmation=window.pending, pending_claims=tuple(pending), overruled=overruled,
        provisional=window.provisional or bool(window.pending),
    )
    if not ended:
        status = EXPIRING if warning_at is not None and now >= warning_at else PROTECTED
        return _state(status, tenure.owner, mode, local_now, decisions=decisions,
                      history=tuple(history), **common)

    close(window.end, window.end_reason)
    on_expiry: OnExpiry = policy["ownership"]["on_expiry"]
    ended_state = _state(CLAIMABLE, tenure.owner, mode, local_now, decisions=decisions,
                         ended_at=window.end, end_reason=window.end_reason, history=tuple(history),
                         pending_action=None if on_expiry.action in ("claimable", "release_to_pool") else on_expiry,
                         **common)
    action = expiry_action(policy, ended_state)
    decisions = decisions + (action.decision,)
    if on_expiry.action == "release_to_pool":
        return _state(UNOWNED, None, mode, local_now, decisions=decisions, ended_at=window.end,
                      end_reason=window.end_reason, previous_owner=tenure.owner, history=tuple(history),
                      **common)
    return _replace_decisions(ended_state, decisions)


def _state(status: str, owner: Staff | None, mode: str, now: dt.datetime, *, decisions: tuple,
           since=None, valid_through=None, window_end=None, warning_from=None, warning_at=None,
           ended_at=None, end_reason=None, previous_owner=None, claim=None, deal=None, last_contact=None,
           pending_confirmation=(), pending_claims=(), pending_action=None, overruled=(), history=(),
           provisional=False) -> OwnershipState:
    return OwnershipState(
        status=status, owner=owner, department=None if owner is None else owner.department, mode=mode,
        since=since, valid_through=valid_through, window_end=window_end, warning_from=warning_from,
        warning_at=warning_at, ended_at=ended_at, end_reason=end_reason, previous_owner=previous_owner,
        claim=claim, deal=deal, last_contact=last_contact, pending_confirmation=pending_confirmation,
        pending_claims=pending_claims, pending_action=pending_action, overruled=overruled,
        history=history, provisional=provisional, decisions=decisions, now=now,
    )


def _replace_decisions(state: OwnershipState, decisions: tuple) -> OwnershipState:
    values = {name: getattr(state, name) for name in OwnershipState.__dataclass_fields__}
    values["decisions"] = decisions
    return OwnershipState(**values)
