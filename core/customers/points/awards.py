"""What a referee's facts earn its referrer: points (CUS-42, CUS-43) and cash rewards (CUS-44).

Entry points (each runs in the caller's transaction, writes its rows and a decision with the rule
id, the reasons zh + en and the ``cus`` policy version in force at the fact's time; a customer
without a referral earns its referrer nothing and nothing is written):

- :func:`award_attendance` — CUS-42: a referee attended a meeting (the events area calls it when an
  attendance is recorded; ``POST /customers/<id>/attendances`` too). One attendance per referee and
  event is kept; a repeat of the same one returns what was decided the first time.
- :func:`on_transaction_recorded` — called by
  :func:`core.customers.points.transactions.record_transaction`: a purchase earns CUS-43 points
  and recognises the referee's deal for CUS-44; a refund reverses CUS-43 points on the net amount
  (judged under the settings in force at the purchase) and a full refund reverses the deal.
- :func:`deal_recognised` / :func:`deal_reversed` — CUS-44, the one trigger of cash referral
  rewards: the core calls them for purchases; a plugin calls them for its own deals (a car
  delivered and paid, a contract signed) with its own ``deal_type``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.customers.models import CustomerTransaction
from core.customers.points import ledger, rules
from core.customers.points.models import PointsLedgerEntry, ReferralAttendance, ReferralReward
from core.customers.points.referrals import as_rule_referral, referral_of
from core.customers.points.transactions import refunds_of
from core.customers.policy import cus_policy
from core.customers.fact_time import FUTURE_TOLERANCE
from core.db import db, utcnow
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import InvalidInput
from core.tenancy import current_tenant_id



def _timezone() -> str:
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id()).timezone or rules.DEFAULT_TIMEZONE


@dataclass
class Award:
    """What a fact earned: the rule's outcome, the entry written (``None`` when 0 points), its
    decision (``None`` when no rule applied: the customer was not referred)."""

    outcome: rules.PointsAward | rules.RewardDecision | None
    entry: PointsLedgerEntry | None = None
    decision: Decision | None = None


@dataclass
class AttendanceResult:
    attendance: ReferralAttendance
    award: Award
    replayed: bool = False


def _record(outcome, policy) -> Decision:
    kwargs = outcome.record_kwargs()
    return decisions.record(kwargs["rule_id"], kwargs["subject_type"], kwargs["subject_id"], outcome=kwargs["outcome"],
                            reason_zh=kwargs["reason_zh"], reason_en=kwargs["reason_en"], facts=kwargs["facts"],
                            policy=policy)


def _apply(award: rules.PointsAward, policy) -> Award:
    """Write the award's entry (with its decision), or only the decision when it earns nothing."""
    if award.entry is not None:
        row = ledger.append(award.entry, policy=policy)
        return Award(award, row, decisions.get(row.decision_id))
    return Award(award, None, _record(award, policy))


# --------------------------------------------------------------------------------------------------
# CUS-42 · points for each referred attendee
# --------------------------------------------------------------------------------------------------


def award_attendance(referee_id: int, event_id: int | None, attended_at: dt.datetime, *,
                     recorded_by: int | None = None) -> AttendanceResult | None:
    """CUS-42: referee ``referee_id`` attended meeting ``event_id`` at ``attended_at``; its referrer
    earns ``cus.points.referral_attendance`` points (once per referee by default). ``None`` when the
    customer has no referral. The same referee and event again returns the first result
    (``replayed``), so a retried call never doubles."""
    if attended_at.tzinfo is None:
        raise InvalidInput("invalid attendance", fields={"attended_at": ["needs a time zone (e.g. +08:00)"]})
    if attended_at > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInput("invalid attendance", fields={"attended_at": ["an attendance cannot be in the future"]})
    referral = referral_of(referee_id)
    if referral is None:
        return None
    if event_id is not None:
        seen = db.session.scalars(select(ReferralAttendance).where(
            ReferralAttendance.customer_id == referee_id, ReferralAttendance.event_id == event_id)).first()
        if seen is not None:
            entry = ledger.get_entry(referral.referrer_id, seen.entry_id) if seen.entry_id else None
            decision = decisions.get(seen.decision_id) if seen.decision_id else None
            return AttendanceResult(seen, Award(None, entry, decision), replayed=True)
    ledger.lock_ledger(referral.referrer_id)
    attendance = ReferralAttendance(customer_id=referee_id, event_id=event_id, at=attended_at, recorded_by=recorded_by)
    db.session.add(attendance)
    db.session.flush()
    policy = cus_policy(attended_at)
    outcome = rules.attendance_points(
        policy.values, as_rule_referral(referral),
        rules.Attendance(attendance.id, referee_id, event_id, attended_at),
        ledger.rule_ledger(referral.referrer_id), timezone=_timezone())
    award = _apply(outcome, policy)
    attendance.entry_id = award.entry.id if award.entry else None
    attendance.decision_id = award.decision.id
    db.session.flush()
    return AttendanceResult(attendance, award)


def attendances_of(customer_id: int):
    return (select(ReferralAttendance).where(ReferralAttendance.customer_id == customer_id)
            .order_by(ReferralAttendance.at.desc(), ReferralAttendance.id.desc()))


# --------------------------------------------------------------------------------------------------
# CUS-43 · points per ¥1,000 of a referee's purchase
# --------------------------------------------------------------------------------------------------


def _rule_purchase(tx: CustomerTransaction) -> rules.Purchase:
    return rules.Purchase(tx.id, tx.customer_id, tx.amount, tx.at, event_id=tx.event_id)


def purchase_points(purchase: CustomerTransaction) -> Award | None:
    """CUS-43: the referrer of the purchase's customer earns points per ¥1,000 (``cus.points``:
    ``per_1000``, ``rounding``, ``scope``); ``None`` when the customer was not referred."""
    referral = referral_of(purchase.customer_id)
    if referral is None:
        return None
    ledger.lock_ledger(referral.referrer_id)
    policy = cus_policy(purchase.at)
    outcome = rules.purchase_points(policy.values, as_rule_referral(referral), _rule_purchase(purchase),
                                    ledger.rule_ledger(referral.referrer_id))
    return _apply(outcome, policy)


def refund_points(refund: CustomerTransaction, purchase: CustomerTransaction) -> Award | None:
    """CUS-43: after a refund the purchase's points stand at the points of the net amount; the
    difference is a reversal linked to the purchase's entry. Judged under the settings in force at
    the purchase, so a reversal undoes exactly what the purchase earned. ``None`` when the customer
    was not referred; no decision when the purchase never earned points (nothing to reverse)."""
    referral = referral_of(purchase.customer_id)
    if referral is None:
        return None
    ledger.lock_ledger(referral.referrer_id)
    policy = cus_policy(purchase.at)
    refunds = [rules.Refund(r.id, purchase.id, r.amount, r.at) for r in refunds_of(purchase.id)]
    outcome = rules.refund_points(policy.values, as_rule_referral(referral), _rule_purchase(purchase), refunds,
                                  ledger.rule_ledger(referral.referrer_id))
    if outcome.entry is None and outcome.facts.get("original_entry") is None:
        return Award(outcome)
    return _apply(outcome, policy)


# --------------------------------------------------------------------------------------------------
# CUS-44 · cash referral reward
# --------------------------------------------------------------------------------------------------


def _rule_reward(row: ReferralReward) -> rules.CashReward:
    return rules.CashReward(rule_id="CUS-44", reason_zh="", reason_en="", id=row.id, referrer_id=row.referrer_id,
                            referee_id=row.referee_id, deal_id=row.deal_id, amount=row.amount, kind=row.kind,
                            at=row.at, reverses=row.reverses)


def rewards_of_referee(referee_id: int) -> list[ReferralReward]:
    return list(db.session.scalars(select(ReferralReward).where(ReferralReward.referee_id == referee_id)
                                   .order_by(ReferralReward.at, ReferralReward.id)))


def rewards_of_referrer(referrer_id: int):
    """The statement of the rewards owed to (or reversed from) a referrer, newest first."""
    return (select(ReferralReward).where(ReferralReward.referrer_id == referrer_id)
            .order_by(ReferralReward.at.desc(), ReferralReward.id.desc()))


def deal_recognised(referee_id: int, deal_id: int, recognised_at: dt.datetime, *,
                    deal_type: str = "purchase") -> Award | None:
    """CUS-44: the referee's deal ``deal_type``/``deal_id`` was recognised (performance counted) at
    ``recognised_at``: ``cus.referral.cash_reward`` yuan is owed to the referrer, once per referee
    (a reward not reversed blocks another). ``None`` when the customer was not referred or the
    tenant pays no cash reward (nothing to decide). The same deal twice is decided once."""
    referral = referral_of(referee_id)
    if referral is None:
        return None
    existing = db.session.scalars(select(ReferralReward).where(
        ReferralReward.deal_type == deal_type, ReferralReward.deal_id == deal_id,
        ReferralReward.direction == "reward")).first()
    if existing is not None:
        return Award(None, None, decisions.get(existing.decision_id) if existing.decision_id else None)
    policy = cus_policy(recognised_at)
    if rules.money(policy.values["referral"]["cash_reward"]) <= 0:
        return None
    ledger.lock_ledger(referral.referrer_id)
    outcome = rules.cash_referral_reward(
        policy.values, as_rule_referral(referral), rules.Deal(deal_id, referee_id, recognised_at=recognised_at),
        [_rule_reward(r) for r in rewards_of_referee(referee_id)], timezone=_timezone())
    decision = _record(outcome, policy)
    if outcome.reward is not None:
        r = outcome.reward
        db.session.add(ReferralReward(referrer_id=r.referrer_id, referee_id=r.referee_id, deal_type=deal_type,
                                      deal_id=deal_id, direction="reward", amount=r.amount, kind=r.kind, at=r.at,
                                      status="owed", decision_id=decision.id))
        db.session.flush()
    return Award(outcome, None, decision)


def deal_reversed(deal_id: int, reversed_at: dt.datetime, *, deal_type: str = "purchase") -> Award | None:
    """CUS-44: the deal was reversed → its reward (if any, not yet reversed) gets a reversal of the
    opposite amount; a paid reward's reversal is what finance reclaims. ``None`` when the deal
    earned no reward."""
    reward = db.session.scalars(select(ReferralReward).where(
        ReferralReward.deal_type == deal_type, ReferralReward.deal_id == deal_id,
        ReferralReward.direction == "reward")).first()
    if reward is None:
        return None
    done = db.session.scalars(select(ReferralReward).where(ReferralReward.reverses == reward.id)).first()
    if done is not None:
        return Award(None, None, decisions.get(done.decision_id) if done.decision_id else None)
    policy = cus_policy(reversed_at)
    outcome = rules.reverse_cash_reward(
        _rule_reward(reward), rules.Deal(deal_id, reward.referee_id, recognised_at=reward.at, reversed_at=reversed_at),
        timezone=_timezone())
    decision = _record(outcome, policy)
    r = outcome.reward
    db.session.add(ReferralReward(referrer_id=r.referrer_id, referee_id=r.referee_id, deal_type=deal_type,
                                  deal_id=deal_id, direction="reversal", amount=r.amount, kind=r.kind, at=r.at,
                                  reverses=reward.id, status="reversal", decision_id=decision.id))
    db.session.flush()
    return Award(outcome, None, decision)


def all_rewards(status: str | None = None):
    """The statement of the company's referral rewards, newest first; ``owed`` leaves out rewards
    whose deal was reversed before they were paid (nothing is owed)."""
    stmt = select(ReferralReward).order_by(ReferralReward.at.desc(), ReferralReward.id.desc())
    if status:
        stmt = stmt.where(ReferralReward.status == status)
    if status == "owed":
        reversed_ids = select(ReferralReward.reverses).where(ReferralReward.reverses.is_not(None))
        stmt = stmt.where(ReferralReward.id.not_in(reversed_ids))
    return stmt


def reward_reversal(reward: ReferralReward) -> ReferralReward | None:
    return db.session.scalars(select(ReferralReward).where(ReferralReward.reverses == reward.id)).first()


# --------------------------------------------------------------------------------------------------
# Transactions → points and rewards
# --------------------------------------------------------------------------------------------------


def on_transaction_recorded(tx: CustomerTransaction, *, purchase: CustomerTransaction | None = None,
                            recorded_by: int | None = None) -> list[Award]:
    """What a new transaction triggers: a purchase → CUS-43 points and CUS-44 deal recognised; a
    refund → CUS-43 reversal on the net amount and, when the purchase is refunded in full, CUS-44
    deal reversed. Other kinds trigger nothing here."""
    awards: list[Award | None] = []
    if tx.kind == "purchase":
        awards.append(purchase_points(tx))
        awards.append(deal_recognised(tx.customer_id, tx.id, tx.at))
    elif tx.kind == "refund" and purchase is not None:
        awards.append(refund_points(tx, purchase))
        refunded = sum((r.amount for r in refunds_of(purchase.id)), rules.money(0))
        if refunded >= purchase.amount:
            awards.append(deal_reversed(purchase.id, tx.at))
    return [a for a in awards if a is not None]


def get_reward(referrer_id: int, reward_id: int) -> ReferralReward:
    from core.errors import NotFound

    row = db.session.scalars(select(ReferralReward).where(
        ReferralReward.id == reward_id, ReferralReward.referrer_id == referrer_id)).first()
    if row is None:
        raise NotFound("referral reward not found")
    return row


def pay_reward(reward: ReferralReward, *, by: int, paid_at: dt.datetime | None = None) -> ReferralReward:
    """CUS-44: finance pays an owed reward. 409 for a reversal row, a reward already paid, or a
    reward whose deal was reversed before it was paid (nothing is owed any more)."""
    from core.errors import Conflict

    paid_at = paid_at or utcnow()
    if paid_at.tzinfo is None or paid_at > utcnow() + FUTURE_TOLERANCE:
        raise InvalidInput("invalid time", fields={"paid_at": ["an aware time, not in the future"]})
    if reward.direction != "reward":
        raise Conflict("a reversal is not paid; it is what finance reclaims", rule_id="CUS-44")
    if reward.status == "paid":
        raise Conflict(f"reward #{reward.id} was paid on {reward.paid_at.isoformat()}", rule_id="CUS-44")
    if reward_reversal(reward) is not None:
        raise Conflict(f"the deal of reward #{reward.id} was reversed: nothing is owed", rule_id="CUS-44")
    if paid_at < reward.at:
        raise InvalidInput("invalid time", fields={"paid_at": ["cannot precede the reward"]})
    reward.status, reward.paid_at, reward.paid_by = "paid", paid_at, by
    db.session.flush()
    return reward
