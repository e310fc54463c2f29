"""Attribution (判客) of a real-estate customer and its deal, RE-10..RE-27 (not RE-23: the random
redistribution on long leave is the core's CUS-33, ``core.customers.assignment.rules.redistribution``).

Pure functions of (settings, facts) → :class:`Attribution`; no database. :func:`attribute` tries the
rules in RE-27's order, the first that applies decides:

    manager override (RE-24/CUS-34) → quarrel forfeiture (RE-25) → verified complaint (RE-15) →
    discount-seeking (RE-17) → N-th-visit designation (RE-19) → refusal of B (RE-13) → B absent
    (RE-14) → B on site (RE-12) → forgotten receiver (RE-18) → several names (RE-16) → first-visit
    owner (RE-10, reported as RE-22 / RE-21 when B came through the household or a referral).

"B", the original salesperson, is the holder of the earliest claim that was still valid when a later
claim by someone else was made (CUS-21 first-visit principle: later evidence never displaces earlier
valid evidence; expired evidence does not count). Claims are the customer's own archives (register
entries, meeting records), a household member's (RE-22, CUS-14) and a referral to the referrer's
original receiver (RE-21, never expiring). Archive validity is RE-11 (:mod:`.validity_rules`).

The outcome *is* a :class:`core.plugins.records.CommissionSplit` (a subclass with the follow-up
owner and flags), so the plugin's ``kehu_commission_split`` can return it as it is; shares are
Decimal percentages with 2 places, each set sums to exactly 100.00, the performance owner listed
first in both sets (it takes the rounding residue, as ``core.staff.credit_rules``), a zero share is
left out, and the department holds a forfeited set (``ShareLine(department_id=...)``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from typing import Any

from core.plugins.records import CommissionSplit, Recognition, ShareLine
from core.staff.credit_rules import FEN, HUNDRED, share_errors
from plugins.real_estate import validity_rules as validity

#: RE-27: the order in which the rules are tried (documentation and the outcome's ``facts``)
ORDER = ("RE-24", "RE-25", "RE-15", "RE-17", "RE-19", "RE-13", "RE-14", "RE-12", "RE-18", "RE-16", "RE-10")
CLAIM_VIA = ("referral", "customer", "household")  # tie order at the same instant
COMPLAINT_STATUSES = ("pending", "verified", "rejected")
DEAL_EVENTS = ("small_deposit", "big_deposit", "subscription", "contract")
HALF = Decimal("50.00")


# --- settings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributionSettings:
    """The settings the rules read: ``re.validity/absent_owner/forgot/nth_visit/deal_event``,
    ``cus.ownership.validity``, ``cus.referral.owner_rule``, ``cus.arbitration.quarrel_consequence``
    (its kind) and the tenant's time zone (CAL-08, day boundaries)."""

    validity: Any = "2 months"
    checked_at: str = "takeover_visit"
    absent_owner_split: str = "b80_c20"
    forgot_follow_up: str = "receiver"
    nth_split_earlier: str = "equal"
    nth_require_valid_archive: bool = True
    deal_event: str = "subscription"
    referral_owner_rule: str = "referrer_owner"
    quarrel_consequence: str = "forfeit_to_department"
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_policies(cls, re_values: Mapping[str, Any], cus_values: Mapping[str, Any] | None = None,
                      timezone: str = "Asia/Shanghai") -> AttributionSettings:
        """From the loaded ``re`` document and the ``cus`` document (either may be partial)."""
        cus_values = cus_values or {}
        quarrel = cus_values.get("arbitration", {}).get("quarrel_consequence", "forfeit_to_department")
        quarrel = getattr(quarrel, "kind", None) or str(quarrel).partition(":")[0]
        return cls(
            validity=cus_values.get("ownership", {}).get("validity", "2 months"),
            checked_at=re_values.get("validity", {}).get("checked_at", "takeover_visit"),
            absent_owner_split=re_values.get("absent_owner", {}).get("split", "b80_c20"),
            forgot_follow_up=re_values.get("forgot", {}).get("follow_up", "receiver"),
            nth_split_earlier=re_values.get("nth_visit", {}).get("split_earlier", "equal"),
            nth_require_valid_archive=re_values.get("nth_visit", {}).get("require_valid_archive", True),
            deal_event=re_values.get("deal_event", "subscription"),
            referral_owner_rule=cus_values.get("referral", {}).get("owner_rule", "referrer_owner"),
            quarrel_consequence=quarrel,
            timezone=timezone)


# --- facts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """Evidence that a salesperson holds the customer (RE-10): ``via`` ``customer`` (the customer's own
    register entry or meeting record), ``household`` (a household member's, RE-22; ``member_id`` the
    member) or ``referral`` (RE-21: the referrer's original receiver; ``member_id`` the referrer; ``at``
    the referee's first visit; never expires)."""

    salesperson_id: int
    at: dt.datetime
    via: str = "customer"
    evidence: str = "register"
    record_id: int | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class Visit:
    """One reception of the customer (RE-03 register entry) and what happened at it.

    ``present``: salespeople on site; ``named``: the salespeople the customer named, in order (one name
    = "names B", RE-12/RE-14; several without designating = RE-16); ``designated``: the one the customer
    designated (指定, RE-19; "asks for A", RE-13); ``refused``: the one the customer refused (RE-13/15);
    ``assisting_for``: the absent salesperson the receiver assisted for (RE-14); ``referred_back_by``:
    the salesperson who learned B received the customer before and took them back to B (RE-12);
    ``forgot``: the customer did not remember who received them (RE-18); ``event``: a fair or launch
    day flag (``launch``, ``fair``..., RE-24)."""

    receiver_id: int
    at: dt.datetime
    present: frozenset = frozenset()
    named: tuple = ()
    designated: int | None = None
    refused: int | None = None
    assisting_for: int | None = None
    referred_back_by: int | None = None
    forgot: bool = False
    by_rotation: bool = False
    event: str | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class Complaint:
    """A complaint about a salesperson (RE-15, a CMP case): ``status`` pending | verified | rejected by
    the sales supervisor at ``decided_at``."""

    against_id: int
    at: dt.datetime
    status: str = "pending"
    decided_at: dt.datetime | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class DiscountSeeking:
    """RE-17: the customer approached ``approached_id`` for a bigger discount at ``at``."""

    approached_id: int
    at: dt.datetime
    record_id: int | None = None


@dataclass(frozen=True)
class Quarrel:
    """RE-25: ``parties`` quarrelled over the unit (``kind = quarrel``) or refused the department
    manager's decision (``kind = refused_decision``)."""

    parties: tuple
    at: dt.datetime
    kind: str = "quarrel"
    record_id: int | None = None


@dataclass(frozen=True)
class ManagerOverride:
    """RE-24 / CUS-34: the manager's attribution with its mandatory reason (a bulk one at a fair or
    launch day gives each customer the same reason)."""

    performance: tuple
    bonus: tuple
    reason: str
    decided_by: int
    follow_up_id: int | None = None


@dataclass(frozen=True)
class AttributionFacts:
    """Everything known about one customer's attribution: ``deal_at``/``deal_salesperson_id`` the deal
    (RE-26, :func:`deal_moment`) and who processed it (None while there is no deal: the outcome is
    then the owner a deal would go to); ``department_id`` the sales department (RE-25 forfeiture)."""

    customer_id: int
    claims: tuple = ()
    visits: tuple = ()
    deal_at: dt.datetime | None = None
    deal_salesperson_id: int | None = None
    department_id: int | None = None
    complaints: tuple = ()
    discount_seeking: tuple = ()
    quarrels: tuple = ()
    override: ManagerOverride | None = None
    unit: str | None = None


# --- outcome ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution(CommissionSplit):
    """RE-10..RE-27 outcome: a :class:`CommissionSplit` (``performance``, ``bonus``, ``rule_id``,
    reasons, JSON-able ``facts``) plus the follow-up owner (RE-20: the performance owner; None when
    the department holds it or no decision is made yet), ``pending`` (RE-24: the manager decides, no
    shares yet), ``provisional`` (RE-15: a complaint is still being verified) and ``decided_by`` (the
    manager, CUS-34)."""

    follow_up_id: int | None = None
    pending: bool = False
    provisional: bool = False
    decided_by: int | None = None

    def commission_split(self) -> CommissionSplit | None:
        """What ``kehu_commission_split`` returns: this outcome, or None while pending (RE-24)."""
        return None if self.pending else self

    def outcome(self) -> dict:
        """The decision's outcome (JSON-able)."""
        return {
            "performance": [_line_dict(line) for line in self.performance],
            "bonus": [_line_dict(line) for line in self.bonus],
            "follow_up_id": self.follow_up_id,
            "pending": self.pending,
            "provisional": self.provisional,
        }

    def record_kwargs(self) -> dict:
        """Keyword arguments for ``core.decisions.service.record`` (add subject and policy)."""
        return {"rule_id": self.rule_id, "outcome": self.outcome(), "facts": dict(self.facts),
                "reason_zh": self.reason_zh, "reason_en": self.reason_en, "decided_by": self.decided_by}


def _line_dict(line: ShareLine) -> dict:
    return {"user_id": line.user_id, "department_id": line.department_id, "percent": str(line.percent)}


def shares(*pairs) -> tuple[ShareLine, ...]:
    """A share set from ``(user_id, percent)`` pairs, first holder first: zero shares left out, a
    holder listed twice merged into its first place, percentages to 2 places."""
    merged: dict[int, Decimal] = {}
    for user_id, percent in pairs:
        merged[user_id] = merged.get(user_id, Decimal(0)) + Decimal(str(percent))
    return tuple(ShareLine(p.quantize(FEN), user_id=u) for u, p in merged.items() if p > 0)


def _department(facts: AttributionFacts) -> tuple[ShareLine, ...]:
    if facts.department_id is None:
        raise ValueError("RE-25: the forfeiture needs the sales department (department_id)")
    return (ShareLine(HUNDRED, department_id=facts.department_id),)


def _decided(rule_id: str, performance, bonus, zh: str, en: str, facts: dict, **flags) -> Attribution:
    owner = performance[0].user_id if performance else None
    return Attribution(performance=tuple(performance), bonus=tuple(bonus), rule_id=rule_id, reason_zh=zh,
                       reason_en=en, facts=facts, follow_up_id=flags.pop("follow_up_id", owner), **flags)


def _all_to(user_id: int, rule_id: str, zh: str, en: str, facts: dict, **flags) -> Attribution:
    one = shares((user_id, HUNDRED))
    return _decided(rule_id, one, one, zh, en, facts, **flags)


# --- time and claims --------------------------------------------------------------------------------


def _day(settings: AttributionSettings, at) -> dt.date:
    return validity.local_date(at, settings.timezone)


def _iso(at) -> str | None:
    return None if at is None else at.isoformat()


def _claims(settings: AttributionSettings, facts: AttributionFacts) -> list[Claim]:
    usable = [c for c in facts.claims
              if c.via != "referral" or settings.referral_owner_rule == "referrer_owner"]
    return sorted(usable, key=lambda c: (c.at, CLAIM_VIA.index(c.via), c.salesperson_id, c.record_id or 0))


def _visits(facts: AttributionFacts) -> list[Visit]:
    seen = [v for v in facts.visits if facts.deal_at is None or v.at <= facts.deal_at]
    return sorted(seen, key=lambda v: (v.at, v.record_id or 0, v.receiver_id))


def _through(settings: AttributionSettings, claim: Claim) -> dt.date | None:
    if claim.via == "referral":
        return None  # RE-21: unlimited in principle
    return validity.valid_through(_day(settings, claim.at), settings.validity)


def _valid(settings: AttributionSettings, claim: Claim, moment) -> bool:
    through = _through(settings, claim)
    return through is None or _day(settings, claim.at) <= _day(settings, moment) <= through


def _check(settings: AttributionSettings, facts: AttributionFacts, takeover_at) -> dt.datetime:
    return validity.check_moment(settings.checked_at, takeover_at, facts.deal_at)


@dataclass(frozen=True)
class Original:
    """B, the original salesperson, and whether their claim holds at the check moment (RE-11)."""

    claim: Claim
    valid: bool
    checked_at: dt.datetime

    @property
    def salesperson_id(self) -> int:
        return self.claim.salesperson_id

    def as_fact(self, settings: AttributionSettings) -> dict:
        through = _through(settings, self.claim)
        return {"salesperson_id": self.salesperson_id, "via": self.claim.via, "evidence": self.claim.evidence,
                "claim_record_id": self.claim.record_id, "member_id": self.claim.member_id,
                "registered_at": _iso(self.claim.at), "valid_through": through and through.isoformat(),
                "valid": self.valid, "checked_at": _iso(self.checked_at)}


def original_salesperson(settings: AttributionSettings, facts: AttributionFacts, *, before: dt.datetime,
                         check_at: dt.datetime, inclusive: bool = False,
                         excluding: int | None = None) -> Original | None:
    """RE-10 (CUS-21): B among the claims made before ``before`` (or at it with ``inclusive``): the
    earliest claim keeps the customer unless it had expired when someone else claimed (checked at that
    claim, or at the deal with ``checked_at = deal``); ``valid`` is RE-11 at ``check_at``."""
    owner = None
    for claim in _claims(settings, facts):
        if claim.at > before or (claim.at == before and not inclusive) or claim.salesperson_id == excluding:
            continue
        displaced = owner is not None and claim.salesperson_id != owner.salesperson_id and not _valid(
            settings, owner, _check(settings, facts, claim.at))
        if owner is None or displaced:
            owner = claim
    if owner is None:
        return None
    return Original(owner, _valid(settings, owner, check_at), check_at)


def _latest_claim_of(settings, facts, salesperson_id: int, before: dt.datetime) -> Claim | None:
    mine = [c for c in _claims(settings, facts) if c.salesperson_id == salesperson_id and c.at < before]
    return mine[-1] if mine else None


def _visit_fact(visit: Visit) -> dict:
    return {"record_id": visit.record_id, "at": visit.at.isoformat(), "receiver_id": visit.receiver_id}


def _base_facts(rule_id: str, facts: AttributionFacts, **more) -> dict:
    return {"customer_id": facts.customer_id, "deal_at": _iso(facts.deal_at),
            "deal_salesperson_id": facts.deal_salesperson_id, "unit": facts.unit, "rule": rule_id,
            "order": list(ORDER), **more}


# --- the rules, in RE-27's order --------------------------------------------------------------------


def manager_override(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-24 / CUS-34: the manager's attribution supersedes the rules; receptions flagged with a fair
    or launch day get no automatic attribution (pending until the manager decides)."""
    flagged = [v for v in _visits(facts) if v.event]
    rule_id = "RE-24" if flagged else "CUS-34"
    events = sorted({v.event for v in flagged})
    if facts.override is not None:
        o = facts.override
        if not (o.reason or "").strip():
            raise ValueError("CUS-34: a manager's attribution needs a reason")
        for kind, lines in (("performance", o.performance), ("bonus", o.bonus)):
            errors = share_errors(lines, what=kind)
            if errors:
                raise ValueError("; ".join(errors))
        follow_up = o.follow_up_id if o.follow_up_id is not None else o.performance[0].user_id
        text = o.reason.strip()
        return Attribution(
            performance=tuple(o.performance), bonus=tuple(o.bonus), rule_id=rule_id,
            reason_zh=f"经理判定本客户的业绩与提成：{text}", reason_en=f"The manager decided the attribution: {text}",
            facts=_base_facts(rule_id, facts, events=events, manual=True), follow_up_id=follow_up,
            decided_by=o.decided_by)
    if flagged:
        return Attribution(
            performance=(), bonus=(), rule_id="RE-24", pending=True, follow_up_id=None,
            reason_zh=f"展销会/开盘等活动（{'、'.join(events)}）的接待不自动判客，由经理另行判定。",
            reason_en=f"Receptions at a fair or launch day ({', '.join(events)}) are not attributed automatically: "
                      "the manager decides.",
            facts=_base_facts("RE-24", facts, events=events, visits=[_visit_fact(v) for v in flagged]))
    return None


def quarrel_forfeiture(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-25: salespeople who quarrel over a customer (or refuse the department manager's decision)
    forfeit that unit's performance and bonus to the department."""
    if not facts.quarrels or settings.quarrel_consequence != "forfeit_to_department":
        return None
    quarrels = sorted(facts.quarrels, key=lambda q: (q.at, q.record_id or 0))
    parties = sorted({p for q in quarrels for p in q.parties})
    first = quarrels[0]
    refused = first.kind == "refused_decision"
    what = "拒不服从部门经理裁决" if refused else "争吵"
    what_en = "refused the department manager's decision" if refused else "quarrelled"
    dept = _department(facts)
    return _decided("RE-25", dept, dept,
                    f"销售员{what}（{_day(settings, first.at)}），该单位业绩与奖金归部门所有。",
                    f"The salespeople {what_en} "
                    f"({_day(settings, first.at)}): the unit's performance and bonus go to the department.",
                    _base_facts("RE-25", facts, parties=parties, quarrel_record_ids=[q.record_id for q in quarrels],
                                department_id=facts.department_id),
                    follow_up_id=None)


def _taker_after_refusal(facts: AttributionFacts, visits: list[Visit],
                         refused_id: int) -> tuple[int | None, Visit | None]:
    """Who took over after the customer refused ``refused_id``: the one asked for (or the receiver) at
    the latest refusal visit, else the deal's salesperson."""
    refusals = [v for v in visits if v.refused == refused_id]
    if refusals:
        visit = refusals[-1]
        return (visit.designated if visit.designated is not None else visit.receiver_id), visit
    if facts.deal_salesperson_id is not None and facts.deal_salesperson_id != refused_id:
        return facts.deal_salesperson_id, None
    return None, None


def verified_complaint(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-15: the customer refused B and complained; once the sales supervisor verified the complaint
    the deal has nothing to do with B: A (who followed up) 100%. Pending or rejected: RE-13."""
    visits = _visits(facts)
    for complaint in sorted(facts.complaints, key=lambda c: (c.at, c.case_id or 0)):
        if complaint.status != "verified":
            continue
        if facts.deal_at is not None and complaint.decided_at is not None and complaint.decided_at > facts.deal_at:
            continue
        taker, visit = _taker_after_refusal(facts, visits, complaint.against_id)
        if taker is None or taker == complaint.against_id:
            continue
        b, a = complaint.against_id, taker
        return _all_to(a, "RE-15",
                       f"客户投诉销售员{b}且经销售主管核实（{_day(settings, complaint.decided_at or complaint.at)}），"
                       f"本单与{b}无关，业绩与奖金100%归跟进的销售员{a}。",
                       f"The customer's complaint about salesperson {b} was verified by the sales supervisor "
                       f"({_day(settings, complaint.decided_at or complaint.at)}): the deal has nothing to do with "
                       f"{b}; 100% of performance and bonus to {a}, who followed up.",
                       _base_facts("RE-15", facts, complaint_case_id=complaint.case_id, against_id=b,
                                   verified_at=_iso(complaint.decided_at),
                                   visit=visit and _visit_fact(visit)))
    return None


def discount_seeking(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-17: B's valid customer approaches another salesperson for a bigger discount: 100% of
    performance and bonus to B, even if the other processes the deal."""
    for seeking in sorted(facts.discount_seeking, key=lambda s: (s.at, s.record_id or 0)):
        original = original_salesperson(settings, facts, before=seeking.at,
                                        check_at=_check(settings, facts, seeking.at))
        if original is None or not original.valid or original.salesperson_id == seeking.approached_id:
            continue
        b, other = original.salesperson_id, seeking.approached_id
        return _all_to(b, "RE-17",
                       f"{b}的有效客户为多拿折扣找销售员{other}，即使由{other}办理成交，业绩与奖金仍100%归{b}。",
                       f"Salesperson {b}'s valid customer approached {other} for a bigger discount: 100% of "
                       f"performance and bonus stay with {b}, even though {other} processed the deal.",
                       _base_facts("RE-17", facts, original=original.as_fact(settings), approached_id=other,
                                   approached_at=seeking.at.isoformat()))
    return None


def _earlier_split(settings: AttributionSettings, earlier: list[tuple[int, int]]) -> list[tuple[int, Decimal]]:
    """RE-19: the earlier salespeople's 50% (``earlier``: (salesperson, receptions), first receiver
    first), each part truncated to the fen (the designated salesperson takes the residue)."""
    if settings.nth_split_earlier == "first_receiver":
        return [(earlier[0][0], HALF)]
    if settings.nth_split_earlier == "by_receptions":
        total = sum(n for _, n in earlier)
        return [(s, (HALF * n / total).quantize(FEN, rounding=ROUND_DOWN)) for s, n in earlier]
    part = (HALF / len(earlier)).quantize(FEN, rounding=ROUND_DOWN)
    return [(s, part) for s, _ in earlier]


def nth_visit_designation(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-19: a customer who designates A on the N-th visit (A never received them before, no one
    refused): A 50% of performance and bonus, the earlier salespeople 50%, split by
    ``re.nth_visit.split_earlier`` among those whose latest reception is still within the archive
    validity (RE-11) at the N-th visit; with none, A 100%."""
    visits = _visits(facts)
    for n in range(len(visits) - 1, 0, -1):
        visit = visits[n]
        a = visit.designated
        earlier_visits = visits[:n]
        if a is None or visit.refused is not None or a in {v.receiver_id for v in earlier_visits}:
            continue
        moment = _check(settings, facts, visit.at)
        order, latest, counts = [], {}, {}
        for v in earlier_visits:
            if v.receiver_id not in latest:
                order.append(v.receiver_id)
            latest[v.receiver_id] = v.at
            counts[v.receiver_id] = counts.get(v.receiver_id, 0) + 1
        kept, lapsed = [], []
        for s in order:
            through = validity.valid_through(_day(settings, latest[s]), settings.validity)
            ok = _day(settings, moment) <= through or not settings.nth_require_valid_archive
            (kept if ok else lapsed).append(s)
        facts_out = _base_facts("RE-19", facts, visit=_visit_fact(visit), visit_number=n + 1,
                                earlier=[{"salesperson_id": s, "latest_reception": latest[s].isoformat(),
                                          "receptions": counts[s], "valid": s in kept} for s in order],
                                split_earlier=settings.nth_split_earlier)
        if not kept:
            return _all_to(a, "RE-19",
                           f"客户第{n + 1}次来访指定{a}，此前接待过的销售员建档均已过有效期，业绩与奖金100%归{a}。",
                           f"The customer designated {a} on visit {n + 1}; no earlier salesperson's archive was still "
                           f"valid: 100% of performance and bonus to {a}.", facts_out)
        parts = _earlier_split(settings, [(s, counts[s]) for s in kept])
        lines = shares((a, HUNDRED - sum(p for _, p in parts)), *parts)
        names = "、".join(str(s) for s, _ in parts)
        return _decided("RE-19", lines, lines,
                        f"客户第{n + 1}次来访指定{a}：{a}得业绩与奖金50%，此前接待的销售员（{names}）共得50%。",
                        f"The customer designated {a} on visit {n + 1}: {a} gets 50% of performance and bonus, the "
                        f"salespeople of the earlier visits ({', '.join(str(s) for s, _ in parts)}) share 50%.",
                        facts_out)
    return None


def _pending_complaints(facts: AttributionFacts, against: int) -> list[Complaint]:
    return [c for c in facts.complaints if c.against_id == against and c.status == "pending"]


def refusal_of_original(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-13: the customer refuses B and asks for A: A follows up and holds the performance; bonus
    A 80% / B 20% while B's archive is valid (RE-11), else A 100%. A complaint about B still being
    verified (RE-15) makes this provisional; a rejected one leaves RE-13."""
    visits = _visits(facts)
    for visit in reversed(visits):
        b = visit.refused
        if b is None:
            continue
        a = visit.designated if visit.designated is not None else visit.receiver_id
        if a == b:
            continue
        claim = _latest_claim_of(settings, facts, b, visit.at)
        moment = _check(settings, facts, visit.at)
        valid = claim is not None and _valid(settings, claim, moment)
        pending = _pending_complaints(facts, b)
        rejected = [c for c in facts.complaints if c.against_id == b and c.status == "rejected"]
        performance = shares((a, HUNDRED))
        bonus = shares((a, Decimal(80)), (b, Decimal(20))) if valid else performance
        through = claim and _through(settings, claim)
        facts_out = _base_facts("RE-13", facts, visit=_visit_fact(visit), original_id=b,
                                original_claim_record_id=claim and claim.record_id,
                                original_valid_through=through and through.isoformat(), original_valid=valid,
                                checked_at=moment.isoformat(),
                                complaints_pending=[c.case_id for c in pending],
                                complaints_rejected=[c.case_id for c in rejected])
        if valid:
            zh = f"客户拒绝{b}、要求{a}接待：由{a}跟进，业绩归{a}；{b}建档仍在有效期内，奖金{a} 80% / {b} 20%。"
            en = (f"The customer refused {b} and asked for {a}: {a} follows up and holds the performance; {b}'s "
                  f"archive is still valid, so the bonus is {a} 80% / {b} 20%.")
        else:
            zh = f"客户拒绝{b}、要求{a}接待：由{a}跟进；{b}建档已过有效期，业绩与奖金100%归{a}。"
            en = (f"The customer refused {b} and asked for {a}: {a} follows up; {b}'s archive is no longer valid, so "
                  f"{a} gets 100% of performance and bonus.")
        if pending:
            zh += "对该销售员的投诉尚在核实，本判定为暂定（RE-15）。"
            en += " A complaint about that salesperson is still being verified: this decision is provisional (RE-15)."
        return _decided("RE-13", performance, bonus, zh, en, facts_out, provisional=bool(pending))
    return None


def _names(visit: Visit, b: int) -> bool:
    return visit.named == (b,) or visit.designated == b or visit.assisting_for == b


def absent_original(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-14: the customer names B, B is absent, C assists (no rotation turn): performance B 100%;
    bonus B 80% / C 20% (``re.absent_owner.split = b80_c20``), or 50/50 when the deal closes the same
    day and B 100% otherwise (``same_day_50_50``: an obligatory reception)."""
    for visit in reversed(_visits(facts)):
        b = visit.assisting_for if visit.assisting_for is not None else (
            visit.named[0] if len(visit.named) == 1 else visit.designated)
        c = visit.receiver_id
        if b is None or c == b or visit.refused is not None or b in visit.present or not _names(visit, b):
            continue
        same_day = facts.deal_at is not None and _day(settings, facts.deal_at) == _day(settings, visit.at)
        performance = shares((b, HUNDRED))
        if settings.absent_owner_split == "same_day_50_50":
            bonus = shares((b, HALF), (c, HALF)) if same_day else performance
            zh_split = (f"当日成交，奖金{b} 50% / {c} 50%" if same_day
                        else f"非当日成交，属义务接待，奖金100%归{b}")
            en_split = (f"the deal closed the same day: bonus {b} 50% / {c} 50%" if same_day
                        else f"the deal did not close the same day, an obligatory reception: bonus 100% to {b}")
        else:
            bonus = shares((b, Decimal(80)), (c, Decimal(20)))
            zh_split, en_split = f"奖金{b} 80% / {c} 20%", f"bonus {b} 80% / {c} 20%"
        return _decided("RE-14", performance, bonus,
                        f"客户指名{b}，{b}不在，由{c}协助接待（不占轮序）：业绩100%归{b}，{zh_split}。",
                        f"The customer named {b}, who was absent; {c} assisted (no rotation turn): performance 100% "
                        f"to {b}, {en_split}.",
                        _base_facts("RE-14", facts, visit=_visit_fact(visit), original_id=b, assistant_id=c,
                                    split=settings.absent_owner_split, same_day=same_day,
                                    rotation_turn="not_consumed"))
    return None


def original_on_site(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-12: during reception A learns B received the customer before and B is on site (or the
    customer names B, who is on site): the customer goes back to B, a deal is B's 100%."""
    for visit in reversed(_visits(facts)):
        b = visit.receiver_id
        if visit.refused is not None:
            continue
        handed_back = visit.referred_back_by is not None and visit.referred_back_by != b
        named_present = _names(visit, b) and b in visit.present
        if not (handed_back or named_present):
            continue
        via = f"由{visit.referred_back_by}交回" if handed_back else "客户指名"
        via_en = f"handed back by {visit.referred_back_by}" if handed_back else "named by the customer"
        return _all_to(b, "RE-12",
                       f"客户此前由{b}接待，{b}在场（{via}），客户归{b}，成交业绩与奖金100%归{b}。",
                       f"Salesperson {b} received the customer before and was on site "
                       f"({via_en}): "
                       f"the customer goes back to {b}; 100% of performance and bonus to {b}.",
                       _base_facts("RE-12", facts, visit=_visit_fact(visit), referred_back_by=visit.referred_back_by))
    return None


def forgotten_receiver(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-18: the customer forgot who received them; rotation salesperson A receives (the turn is
    consumed) and the deal is A's. If B is found in the archive and B's archive is valid, A or B
    (``re.forgot.follow_up``, default A) follows up and holds the performance; bonus A 50% / B 50%."""
    for visit in reversed(_visits(facts)):
        if not visit.forgot:
            continue
        a = visit.receiver_id
        moment = _check(settings, facts, visit.at)
        original = original_salesperson(settings, facts, before=visit.at, check_at=moment, excluding=a)
        facts_out = _base_facts("RE-18", facts, visit=_visit_fact(visit), rotation_turn="consumed",
                                original=original and original.as_fact(settings), follow_up=settings.forgot_follow_up)
        if original is None or not original.valid:
            found = "档案中未找到此前接待的销售员" if original is None else f"{original.salesperson_id}建档已过有效期"
            found_en = ("no earlier salesperson was found" if original is None
                        else f"{original.salesperson_id}'s archive had expired")
            return _all_to(a, "RE-18",
                           f"客户忘记此前由谁接待，由轮序的{a}接待；{found}，业绩与奖金100%归{a}。",
                           f"The customer forgot who received them; {a} received them by rotation; "
                           f"{found_en}: 100% of performance and bonus to {a}.", facts_out)
        b = original.salesperson_id
        owner, other = (b, a) if settings.forgot_follow_up == "original" else (a, b)
        performance = shares((owner, HUNDRED))
        bonus = shares((owner, HALF), (other, HALF))
        return _decided("RE-18", performance, bonus,
                        f"客户忘记此前由谁接待，由轮序的{a}接待；事后查到{b}建档仍有效：由{owner}跟进，业绩归{owner}，"
                        f"奖金{a} 50% / {b} 50%。",
                        f"The customer forgot who received them; {a} received them by rotation and then found {b}'s "
                        f"valid archive: {owner} follows up and holds the performance; bonus {a} 50% / {b} 50%.",
                        facts_out)
    return None


def several_names(settings: AttributionSettings, facts: AttributionFacts) -> Attribution | None:
    """RE-16: a repeat visitor names several salespeople without designating one: the first named who
    is present receives, else the next; if none is present, the on-duty rotation salesperson (no turn
    consumed: a returning customer). The receiver gets the deal 100% (absent named salespeople get
    nothing, the spec's default)."""
    for visit in reversed(_visits(facts)):
        if len(visit.named) < 2 or visit.designated is not None or visit.refused is not None:
            continue
        present = [s for s in visit.named if s in visit.present]
        receiver = present[0] if present else visit.receiver_id
        how = f"指名者中第一位在场的{receiver}" if present else f"指名者均不在，由值班轮序的{receiver}（不占轮序）"
        how_en = ("the first named present" if present
                  else "none named was present: the on-duty rotation salesperson, no turn consumed")
        return _all_to(receiver, "RE-16",
                       f"客户指名多位销售员（{'、'.join(str(s) for s in visit.named)}）而未指定，{how}接待，"
                       f"成交业绩与奖金100%归{receiver}。",
                       f"The customer named several salespeople ({', '.join(str(s) for s in visit.named)}) without "
                       f"designating one; {receiver} received them "
                       f"({how_en}): 100% of performance and bonus to {receiver}.",
                       _base_facts("RE-16", facts, visit=_visit_fact(visit), named=list(visit.named),
                                   rotation_turn="consumed" if present else "not_consumed"))
    return None


def first_visit_owner(settings: AttributionSettings, facts: AttributionFacts) -> Attribution:
    """RE-10: whoever registered the customer first owns them (CUS-21), B resolved through the
    household (RE-22) and referrals (RE-21); an archive that had expired when another salesperson
    took the customer over (RE-11) gives way to that salesperson."""
    end = facts.deal_at or max([c.at for c in facts.claims] + [v.at for v in facts.visits], default=None)
    visits = _visits(facts)
    original = None if end is None else original_salesperson(settings, facts, before=end, check_at=end,
                                                                 inclusive=True)
    if original is None:
        taker = facts.deal_salesperson_id if facts.deal_salesperson_id is not None else (
            visits[0].receiver_id if visits else None)
        if taker is None:
            raise ValueError("RE-10: no claim, visit or deal salesperson to attribute")
        return _all_to(taker, "RE-10", f"无人建档在先，业绩与奖金100%归成交的销售员{taker}。",
                       f"Nobody registered the customer earlier: 100% of performance and bonus to {taker}, who made "
                       f"the deal.", _base_facts("RE-10", facts, original=None))
    b = original.salesperson_id
    takeovers = [v for v in visits if v.at > original.claim.at and v.receiver_id != b and v.assisting_for != b]
    takeover_at = takeovers[0].at if takeovers else end
    moment = _check(settings, facts, takeover_at)
    valid = _valid(settings, original.claim, moment)
    original = Original(original.claim, valid, moment)
    taker = takeovers[0].receiver_id if takeovers else facts.deal_salesperson_id
    lapsed = not valid and taker is not None and taker != b
    rule_id = "RE-10" if lapsed else {"household": "RE-22", "referral": "RE-21"}.get(original.claim.via, "RE-10")
    facts_out = _base_facts(rule_id, facts, original=original.as_fact(settings),
                            takeover=_visit_fact(takeovers[0]) if takeovers else None)
    if lapsed:
        return _all_to(taker, "RE-10",
                       f"{b}建档已过有效期（至{_through(settings, original.claim)}），客户由{taker}接手，业绩与奖金100%归{taker}。",
                       f"{b}'s archive was no longer valid (through {_through(settings, original.claim)}) when {taker} "
                       f"took the customer over: 100% of performance and bonus to {taker}.", facts_out)
    if rule_id == "RE-22":
        zh = f"家庭成员此前由{b}接待（首访原则，按一个客户计），成交业绩与奖金100%归{b}。"
        en = (f"A family member was received first by {b} (first-visit principle, the household counts as one "
              f"customer): 100% of performance and bonus to {b}.")
    elif rule_id == "RE-21":
        zh = f"老客户（{original.claim.member_id}）带来的新客户归其原始接待者{b}，成交业绩与奖金100%归{b}。"
        en = (f"A new customer brought by an existing customer ({original.claim.member_id}) belongs to that "
              f"customer's original receiver {b}: 100% of performance and bonus to {b}.")
    else:
        zh = f"谁登记早是谁的客户：{b}最先登记（{_day(settings, original.claim.at)}），业绩与奖金100%归{b}。"
        en = (f"Whoever registered the customer first owns them: {b} registered first "
              f"({_day(settings, original.claim.at)}): 100% of performance and bonus to {b}.")
    return _all_to(b, rule_id, zh, en, facts_out)


RULES = (manager_override, quarrel_forfeiture, verified_complaint, discount_seeking, nth_visit_designation,
         refusal_of_original, absent_original, original_on_site, forgotten_receiver, several_names)


def attribute(settings: AttributionSettings, facts: AttributionFacts) -> Attribution:
    """RE-27: the first rule that applies decides (deterministic for the same facts); RE-10 last."""
    for rule in RULES:
        outcome = rule(settings, facts)
        if outcome is not None:
            return outcome
    return first_visit_owner(settings, facts)


def bulk_override(settings: AttributionSettings, batch, *, performance, bonus, reason: str,
                  decided_by: int) -> list[Attribution]:
    """RE-24: the manager attributes a batch of fair / launch-day receptions at once (CUS-34), one
    reason for the batch: one decision per customer, ``decided_by`` the manager."""
    override = ManagerOverride(tuple(performance), tuple(bonus), reason, decided_by)
    return [manager_override(settings, _with_override(facts, override)) for facts in batch]


def _with_override(facts: AttributionFacts, override: ManagerOverride) -> AttributionFacts:
    return replace(facts, override=override)


# --- RE-26: the deal --------------------------------------------------------------------------------


def deal_moment(settings: AttributionSettings, milestones: Mapping[str, dt.datetime | None]) -> dt.datetime | None:
    """RE-26 (以成交为准): the time of the event that is the deal (``re.deal_event``, default the signed
    subscription 认购书), or None while it has not happened; earlier milestones (a small deposit) are
    not the deal."""
    if settings.deal_event not in DEAL_EVENTS:
        raise ValueError(f"RE-26: deal_event must be one of {DEAL_EVENTS}, got {settings.deal_event!r}")
    return milestones.get(settings.deal_event)


def deal_recognition(settings: AttributionSettings, milestones: Mapping[str, dt.datetime | None]) -> Recognition:
    """RE-26 → STF-31: what ``kehu_credit_recognition`` returns: the deal counts from the deal event,
    pending (``at=None``) until it happens."""
    at = deal_moment(settings, milestones)
    labels = {"subscription": ("认购书签订", "the signed subscription"), "small_deposit": ("小定", "the small deposit"),
              "big_deposit": ("大定", "the big deposit"), "contract": ("购房合同签订", "the signed contract")}
    zh, en = labels[settings.deal_event]
    if at is None:
        return Recognition(at=None, rule_id="RE-26", reason_zh=f"以成交为准：尚待{zh}。",
                           reason_en=f"The deal is {en}, which has not happened yet.")
    return Recognition(at=at, rule_id="RE-26", reason_zh=f"以成交为准：成交时间为{zh}的时间。",
                       reason_en=f"The deal counts from {en}.")


__all__ = [
    "ORDER",
    "RULES",
    "Attribution",
    "AttributionFacts",
    "AttributionSettings",
    "Claim",
    "Complaint",
    "DiscountSeeking",
    "ManagerOverride",
    "Original",
    "Quarrel",
    "Visit",
    "absent_original",
    "attribute",
    "bulk_override",
    "deal_moment",
    "deal_recognition",
    "discount_seeking",
    "first_visit_owner",
    "forgotten_receiver",
    "manager_override",
    "nth_visit_designation",
    "original_on_site",
    "original_salesperson",
    "quarrel_forfeiture",
    "refusal_of_original",
    "several_names",
    "shares",
    "verified_complaint",
]
