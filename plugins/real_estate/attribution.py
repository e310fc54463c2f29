"""Attribution (判客) of a real-estate customer and its deal, the service (RE-10..RE-27; RE-23 is the
core's CUS-33 redistribution).

- :func:`settings_at` — the rules' settings: the ``re`` and ``cus`` documents in force and the
  tenant's time zone.
- :func:`facts_of` — the :class:`~plugins.real_estate.attribution_rules.AttributionFacts` of a
  customer from the database: claims from the plugin's receptions (the register, RE-03 evidence time
  for late entries) and the evening-meeting lines, the household's (CUS-14, RE-22) and a referral to
  the referrer's performance owner (RE-21); visits from the receptions; complaints, discount-seeking
  and quarrels from :class:`AttributionEvent`; the manager's latest :class:`AttributionOverride`.
- :func:`attribution_of_deal` / :func:`preview` — the rules run at a deal (the core's
  ``kehu_commission_split``) or now, without writing (the "why" page).
- :func:`credit_of_customer`, :func:`rejudge_credit` — the deal's credit of a customer and a new
  attribution decision of it when the facts changed (the core's ``reattribute``).
- :func:`lock_to_performance_owner` — RE-20 / CUS-26: once the deal counts, follow-up and after-sales
  belong to the performance owner (the core's ownership ``record_deal``).

The facts people record (complaints, discount-seeking, quarrels, the manager's bulk attribution) are
in :mod:`plugins.real_estate.attribution_facts`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.accounts.models import User
from core.customers import ownership_store
from core.customers.ownership import households
from core.customers.ownership import service as ownership
from core.customers.ownership.models import CustomerDeal
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.plugins.records import Deal, ShareLine
from core.staff import credit as credits
from core.staff.credit_models import PerformanceCredit
from core.staff.credit_rules import FEN
from core.tenancy import current_tenant_id
from plugins.real_estate import attribution_rules as rules
from plugins.real_estate import deals
from plugins.real_estate import register_rules as register
from plugins.real_estate.policy import re_policy
from plugins.real_estate.reception_models import (
    AttributionEvent,
    AttributionOverride,
    MeetingLine,
    MeetingMinutes,
    Reception,
)


def tenant_timezone() -> str:
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id()).timezone


def settings_at(at=None) -> rules.AttributionSettings:
    """The settings in force at ``at`` (the ``re`` and ``cus`` documents, the tenant's zone)."""
    return rules.AttributionSettings.from_policies(re_policy(at).values, cus_policy(at).values,
                                                   timezone=tenant_timezone())


# --- facts ------------------------------------------------------------------------------------------


def _receptions(customer_ids) -> list[Reception]:
    return list(db.session.scalars(select(Reception).where(Reception.customer_id.in_(list(customer_ids)))
                                   .order_by(Reception.at, Reception.id)))


def _minutes_of(customer_ids) -> list[register.MeetingMinutes]:
    """The evening meetings that list any of ``customer_ids`` (register_rules' shape)."""
    rows = db.session.execute(select(MeetingLine, MeetingMinutes)
                              .join(MeetingMinutes, MeetingMinutes.id == MeetingLine.minutes_id)
                              .where(MeetingLine.customer_id.in_(list(customer_ids)))
                              .order_by(MeetingMinutes.day, MeetingMinutes.id, MeetingLine.id)).all()
    minutes: dict[int, register.MeetingMinutes] = {}
    for line, meeting in rows:
        known = minutes.get(meeting.id)
        lines = (known.lines if known else ()) + (register.MinutesLine(line.customer_id, line.salesperson_id),)
        minutes[meeting.id] = register.MeetingMinutes(meeting.id, meeting.day, meeting.recorded_at, lines,
                                                      meeting.recorded_by)
    return list(minutes.values())


def _evidence_at(reception: Reception, minutes, timezone: str) -> dt.datetime:
    """RE-03: the evidence time of a reception's register line (a late entry counts from when it was
    written unless the visit day's minutes list the customer for the receiver). The reception service
    validated the entry's answers (RE-05) when it was written; only its time is read here."""
    entry = register.RegisterEntry(
        id=reception.id, kind=reception.kind, salesperson_id=reception.receiver_id, customer_id=reception.customer_id,
        visit_at=reception.at, entered_at=max(reception.entered_at or reception.at, reception.at),
        visited_before=reception.visited_before == "yes", previous_receiver_id=reception.said_received_by,
        previous_receiver_forgotten=reception.said_received_by is None)
    return register.register_evidence(entry, minutes, timezone=timezone).at


def _claims(customer_id: int, members: list[int], receptions, minutes, timezone: str) -> list[rules.Claim]:
    """RE-10 evidence of every household member (RE-22): register lines of the salesperson who
    received (an assistant's reception for an absent owner, RE-14, claims nothing) and minutes lines."""
    claims = []
    for r in receptions:
        if r.receiver_id is None or r.assisting_for is not None:
            continue
        via = "customer" if r.customer_id == customer_id else "household"
        claims.append(rules.Claim(r.receiver_id, _evidence_at(r, minutes, timezone), via=via, evidence="register",
                                  record_id=r.id, member_id=None if via == "customer" else r.customer_id))
    for meeting in minutes:
        for member in members:
            for evidence in register.minutes_evidence(meeting, member):
                via = "customer" if member == customer_id else "household"
                claims.append(rules.Claim(evidence.salesperson_id, evidence.at, via=via, evidence="meeting_record",
                                          record_id=meeting.id, member_id=None if via == "customer" else member))
    return claims


def performance_owner_of(customer_id: int) -> int | None:
    """The customer's performance owner: of their latest deal (CUS-26), else their owner now."""
    deal = db.session.scalars(select(CustomerDeal).where(CustomerDeal.customer_id == customer_id)
                              .order_by(CustomerDeal.at.desc(), CustomerDeal.id.desc())).first()
    if deal is not None:
        return deal.performance_owner_id
    row = ownership_store.current(customer_id)
    return row.owner_id if row is not None else None


def _referral_claims(own: list[Reception]) -> list[rules.Claim]:
    """RE-21: a customer brought by an existing customer belongs to that customer's performance owner,
    from the referee's first visit."""
    for r in own:
        if r.referred_by_customer_id is not None:
            owner = performance_owner_of(r.referred_by_customer_id)
            if owner is not None:
                return [rules.Claim(owner, r.at, via="referral", evidence="referral", record_id=r.id,
                                    member_id=r.referred_by_customer_id)]
    return []


def _visit(r: Reception) -> rules.Visit:
    """A reception as the rules see it; "who received you?" answered with a salesperson names them."""
    named = tuple(r.named or ())
    if not named and r.said_received_by is not None:
        named = (r.said_received_by,)
    return rules.Visit(receiver_id=r.receiver_id, at=r.at, present=frozenset(r.present or ()), named=named,
                       designated=r.designated_id, refused=r.refused_id, assisting_for=r.assisting_for,
                       forgot=bool(r.forgot), by_rotation=bool(r.turn_consumed), event=r.event, record_id=r.id)


def _events(customer_id: int) -> list[AttributionEvent]:
    return list(db.session.scalars(select(AttributionEvent).where(AttributionEvent.customer_id == customer_id)
                                   .order_by(AttributionEvent.at, AttributionEvent.id)))


def share_lines(items) -> tuple[ShareLine, ...]:
    """Stored ``[{user_id|department_id, percent}]`` → share lines."""
    return tuple(ShareLine(_percent(item["percent"]), user_id=item.get("user_id"),
                           department_id=item.get("department_id")) for item in items)


def _percent(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN)


def latest_override(customer_id: int) -> AttributionOverride | None:
    return db.session.scalars(select(AttributionOverride).where(AttributionOverride.customer_id == customer_id)
                              .order_by(AttributionOverride.decided_at.desc(), AttributionOverride.id.desc())).first()


def _override(customer_id: int) -> rules.ManagerOverride | None:
    row = latest_override(customer_id)
    if row is None:
        return None
    return rules.ManagerOverride(share_lines(row.performance), share_lines(row.bonus), row.reason, row.decided_by,
                                 row.follow_up_id)


def _department_of(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.department_id).where(User.id == user_id))


def facts_of(customer_id: int, *, deal_at: dt.datetime | None = None, deal_salesperson_id: int | None = None,
             department_id: int | None = None, unit_id: int | None = None,
             settings: rules.AttributionSettings | None = None) -> rules.AttributionFacts:
    """Everything the rules read about ``customer_id``; ``deal_*`` the deal (None: a preview)."""
    settings = settings or settings_at(deal_at)
    members, _links = households.household(customer_id, cus_policy(deal_at).values)
    receptions = _receptions(members)
    own = [r for r in receptions if r.customer_id == customer_id]
    minutes = _minutes_of(members)
    claims = _claims(customer_id, members, receptions, minutes, settings.timezone)
    if settings.referral_owner_rule == "referrer_owner":
        claims += _referral_claims(own)
    events = _events(customer_id)
    unit_events = [e for e in events if unit_id is None or e.unit_id is None or e.unit_id == unit_id]
    visits = tuple(_visit(r) for r in own if r.receiver_id is not None)
    if department_id is None:
        last = deal_salesperson_id or (visits[-1].receiver_id if visits else None)
        department_id = _department_of(last)
    return rules.AttributionFacts(
        customer_id=customer_id, claims=tuple(claims), visits=visits, deal_at=deal_at,
        deal_salesperson_id=deal_salesperson_id, department_id=department_id,
        complaints=tuple(rules.Complaint(e.against_id, e.at, e.status, e.decided_at, e.complaint_id)
                         for e in events if e.kind == "complaint" and e.against_id is not None),
        discount_seeking=tuple(rules.DiscountSeeking(e.approached_id, e.at, e.id)
                               for e in events if e.kind == "discount_seeking" and e.approached_id is not None),
        quarrels=tuple(rules.Quarrel(tuple(e.parties or ()), e.at, record_id=e.id)
                       for e in unit_events if e.kind == "quarrel"),
        override=_override(customer_id), unit=None if unit_id is None else str(unit_id))


# --- the deal ---------------------------------------------------------------------------------------


def milestones_of(deal: Deal) -> dict[str, dt.datetime | None]:
    """The sale's milestones from the deal's facts; the subscription is the deal's own moment when the
    recording party did not list it (a subscription deal is signed when recorded)."""
    raw = (deal.facts or {}).get("milestones") or {}
    milestones = {name: dt.datetime.fromisoformat(value) if value else None for name, value in raw.items()}
    if milestones.get("subscription") is None:
        milestones["subscription"] = deal.deal_at
    return milestones


def customer_of(deal: Deal) -> int | None:
    """The buyer: ``facts.customer_id``, else the subscription's customer."""
    from plugins.real_estate.sales_models import Subscription

    customer_id = (deal.facts or {}).get("customer_id")
    if customer_id is None:
        customer_id = db.session.scalar(select(Subscription.customer_id).where(Subscription.id == deal.subject_id))
    return customer_id


def attribution_of_deal(deal: Deal) -> rules.Attribution | None:
    """RE-27 at the deal (RE-26: its moment is the tenant's deal event, else the signing); None when
    the buyer is unknown."""
    customer_id = customer_of(deal)
    if customer_id is None:
        return None
    settings = settings_at(deal.deal_at)
    moment = rules.deal_moment(settings, milestones_of(deal)) or deal.deal_at
    facts = facts_of(customer_id, deal_at=moment, deal_salesperson_id=deal.owner_id,
                     department_id=deal.department_id, unit_id=(deal.facts or {}).get("unit_id"), settings=settings)
    return rules.attribute(settings, facts)


def commission_split(deal: Deal):
    """``kehu_commission_split`` for a subscription (None for other deals, for a deal without a known
    buyer, and while the manager still has to decide a fair / launch-day customer: RE-24 → the core's
    default until the bulk decision)."""
    if deal.subject_type != deals.SUBJECT_TYPE:
        return None
    outcome = attribution_of_deal(deal)
    return outcome.commission_split() if outcome is not None else None


def credit_recognition(deal: Deal):
    """``kehu_credit_recognition`` (RE-26): counted at the tenant's deal event, pending until then."""
    if deal.subject_type != deals.SUBJECT_TYPE:
        return None
    return rules.deal_recognition(settings_at(deal.deal_at), milestones_of(deal))


@dataclass(frozen=True)
class Preview:
    """The "why" of a customer: the attribution a deal would get now, the facts it read, the deal's
    credit if there is one (its decision is the core's decision page)."""

    attribution: rules.Attribution
    facts: rules.AttributionFacts
    credit: PerformanceCredit | None


def preview(customer_id: int, at: dt.datetime | None = None) -> Preview:
    """Who would get this customer's deal now, and why (computed, not written)."""
    at = at or utcnow()
    credit = credit_of_customer(customer_id)
    settings = settings_at(at)
    facts = facts_of(customer_id, settings=settings, deal_salesperson_id=credit.owner_id if credit else None)
    return Preview(rules.attribute(settings, facts), facts, credit)


def credit_of_customer(customer_id: int) -> PerformanceCredit | None:
    """The latest open deal credit of the customer's subscriptions (not cancelled)."""
    from plugins.real_estate.sales_models import Subscription

    mine = select(Subscription.id).where(Subscription.customer_id == customer_id)
    return db.session.scalars(credits.credits(subject_type=deals.SUBJECT_TYPE).where(
        PerformanceCredit.kind == "deal", PerformanceCredit.state != "cancelled",
        PerformanceCredit.subject_id.in_(mine))).first()


def _current_sets(credit: PerformanceCredit) -> dict:
    sets: dict[str, list] = {"performance": [], "bonus": []}
    for share in credits.shares_of(credit):
        sets[share.kind].append((share.user_id, share.department_id, _percent(share.percent)))
    return sets


def rejudge_credit(customer_id: int, *, by: int | None):
    """A fact changed: the customer's deal credit gets a new attribution decision when the outcome
    differs from the one in force (the old shares stay with the old decision). Returns it or None."""
    credit = credit_of_customer(customer_id)
    if credit is None or credits.reversal_of(credit) is not None:
        return None
    split = commission_split(credits.deal_of(credit))
    if split is None:
        return None
    old = credits.decisions.get(credit.decision_id)
    new_sets = {kind: [(line.user_id, line.department_id, _percent(line.percent)) for line in getattr(split, kind)]
                for kind in ("performance", "bonus")}
    if old.rule_id == split.rule_id and old.reason_zh == split.reason_zh and _current_sets(credit) == new_sets:
        return None  # the same outcome (a provisional one that became final has another reason)
    decision = credits.reattribute(credit, by=by)
    lock_to_performance_owner(credit, by=by)
    return decision


def lock_to_performance_owner(credit: PerformanceCredit, *, by: int | None = None) -> CustomerDeal | None:
    """RE-20 / CUS-26: once the deal counts, the customer (follow-up and after-sales) belongs to the
    performance owner: the core's ownership deal, once per owner (a new attribution → a new one)."""
    if credit.state != "recognised":
        return None
    owner = next((s.user_id for s in credits.shares_of(credit) if s.kind == "performance"), None)
    customer_id = customer_of(credits.deal_of(credit))
    if owner is None or customer_id is None:
        return None  # RE-25: the department holds the unit; ownership stays as it is
    source = f"re:subscription:{credit.subject_id}"
    done = db.session.scalars(select(CustomerDeal).where(CustomerDeal.customer_id == customer_id,
                                                         CustomerDeal.source == source)
                              .order_by(CustomerDeal.id.desc())).first()
    if done is not None and done.performance_owner_id == owner:
        return None
    return ownership.record_deal(customer_id, at=credit.recognised_at, performance_owner_id=owner,
                                 kind="subscription", source=source)
