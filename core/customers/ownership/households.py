"""CUS-14 households (家庭 / 直系亲属): links between customers; a household counts as one customer for
ownership (the earliest valid claim on any member owns every member). Relations outside
``cus.household.relations`` (siblings, friends by default) are referral links with no effect.

The pure grouping is :func:`core.customers.duplicates.household_groups`; this module stores the links and
finds a customer's household.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from core.customers.duplicates import HouseholdSettings, Link, household_groups, link_kind
from core.customers.models import Customer
from core.customers.ownership.models import HouseholdLink
from core.customers.policy import RELATIONS
from core.db import db
from core.errors import Conflict, InvalidInput, NotFound


def settings(values) -> HouseholdSettings:
    return HouseholdSettings.from_policy(values)


def links_of(customer_id: int) -> list[HouseholdLink]:
    """Every link the customer is in (either side), oldest first."""
    return list(db.session.scalars(select(HouseholdLink).where(
        or_(HouseholdLink.customer_id == customer_id, HouseholdLink.related_id == customer_id))
        .order_by(HouseholdLink.id)))


def household(customer_id: int, values) -> tuple[list[int], list[Link]]:
    """``(members, counted links)`` of the customer's household under the policy ``values``; a
    customer outside any household is its own one-member household."""
    hs = settings(values)
    if not hs.one_customer:
        return [customer_id], []
    seen, frontier, links = {customer_id}, [customer_id], {}
    tombstones = select(Customer.id).where(Customer.merged_into_id.is_not(None))  # CUS-15: merged away
    while frontier:
        rows = db.session.scalars(select(HouseholdLink).where(
            or_(HouseholdLink.customer_id.in_(frontier), HouseholdLink.related_id.in_(frontier)),
            HouseholdLink.customer_id.not_in(tombstones), HouseholdLink.related_id.not_in(tombstones)))
        frontier = []
        for row in rows:
            if link_kind(row.relation, hs) != "household":
                continue
            links[row.id] = Link(row.customer_id, row.related_id, row.relation)
            if not hs.transitive:
                continue
            for member in (row.customer_id, row.related_id):
                if member not in seen:
                    seen.add(member)
                    frontier.append(member)
        if not hs.transitive:
            break
    counted = list(links.values())
    for group in household_groups(counted, hs):
        if customer_id in group:
            return sorted(group), [lk for lk in counted if lk.a in group and lk.b in group]
    return [customer_id], []


def add_link(customer_id: int, related_id: int, relation: str, *, created_by: int | None = None) -> HouseholdLink:
    from core.customers.service import get_customer

    if relation not in RELATIONS:
        raise InvalidInput("invalid link", fields={"relation": [f"one of {', '.join(RELATIONS)}"]})
    if related_id == customer_id:
        raise InvalidInput("invalid link", fields={"related_id": ["a customer cannot be linked to itself"]})
    try:
        get_customer(related_id)
    except NotFound:
        raise InvalidInput("invalid link", fields={"related_id": ["no such customer"]}) from None
    existing = db.session.scalars(select(HouseholdLink).where(or_(
        (HouseholdLink.customer_id == customer_id) & (HouseholdLink.related_id == related_id),
        (HouseholdLink.customer_id == related_id) & (HouseholdLink.related_id == customer_id)))).first()
    if existing is not None:
        raise Conflict("these customers are already linked")
    link = HouseholdLink(customer_id=customer_id, related_id=related_id, relation=relation, created_by=created_by)
    db.session.add(link)
    db.session.flush()
    return link


def get_link(customer_id: int, link_id: int) -> HouseholdLink:
    link = db.session.scalars(select(HouseholdLink).where(HouseholdLink.id == link_id, or_(
        HouseholdLink.customer_id == customer_id, HouseholdLink.related_id == customer_id))).first()
    if link is None:
        raise NotFound("household link not found")
    return link
