"""A sale of the sales office as a deal of the core's performance credit (STF-30/31, RE-26).

The sales services call these; the attribution (who holds performance and bonus, RE-10..27) and the
moment the deal counts (``re.deal_event``, RE-26) are the plugin's answers to the core's
``kehu_commission_split`` and ``kehu_credit_recognition`` for deals of :data:`SUBJECT_TYPE`.

- :func:`record_subscription_deal` — when a subscription is signed: the credit of the sale (amount =
  the price, the salesperson who wrote it as the recording owner; the shares are the attribution's),
  with the milestones known so far in its facts.
- :func:`add_milestone` — a later milestone of the same sale (the contract): the pending deal is judged
  again and counts once the tenant's deal event has happened.

Once the deal counts, the customer is locked to the performance owner (RE-20 / CUS-26:
:func:`plugins.real_estate.attribution.lock_to_performance_owner`).
"""
from __future__ import annotations

import datetime as dt

from core.staff import credit as credits

SUBJECT_TYPE = "re_subscription"
MILESTONES = ("small_deposit", "big_deposit", "subscription", "contract")


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


def record_subscription_deal(subscription, milestones: dict[str, dt.datetime | None], *, by: int | None):
    """The credit of a signed subscription (one per sale: the first version's id is the subject)."""
    facts = {"customer_id": subscription.customer_id, "unit_id": subscription.unit_id,
             "subscription_number": subscription.number,
             "milestones": {name: _iso(milestones.get(name)) for name in MILESTONES}}
    credit = credits.record_deal(subject_type=SUBJECT_TYPE, subject_id=subscription.id, amount=subscription.price,
                                 owner_id=subscription.salesperson_id, deal_at=subscription.signed_at, facts=facts,
                                 reference=f"认购书 {subscription.number}", by=by)
    _lock(credit, by)
    return credit


def add_milestone(credit, name: str, at: dt.datetime, *, by: int | None):
    """Record a later milestone (``contract``) of the sale on its credit."""
    milestones = dict((credit.facts or {}).get("milestones") or {})
    milestones[name] = _iso(at)
    credit = credits.add_facts(credit, {"milestones": milestones}, by=by)
    _lock(credit, by)
    return credit


def _lock(credit, by: int | None) -> None:
    from plugins.real_estate.attribution import lock_to_performance_owner

    lock_to_performance_owner(credit, by=by)
