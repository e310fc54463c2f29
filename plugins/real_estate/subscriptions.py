"""The subscription (认购书, RE-33): written on a unit with its big deposit, signed, printed in its
copies, immutable once signed; an amendment is a new version approved by the manager.

- :func:`create` / :func:`edit` — a draft; every missing or wrong field is a 422 by field
  (:func:`~plugins.real_estate.subscription_rules.subscription_errors`); the unit must be able to go to
  ``subscribed`` (RE-30: ``available → subscribed`` without a hold and deposits → 409). A signed
  version is never edited (409, :func:`~plugins.real_estate.subscription_rules.edit_check`).
- :func:`sign` — the unit goes ``big_deposit → subscribed``; the schedule becomes Instalment rows; the
  deal is recorded (:func:`plugins.real_estate.deals.record_subscription_deal`) with its milestones.
- :func:`amend` / :func:`approve` — v2 (``previous_id`` → v1) as a draft; the manager's approval signs it
  and keeps v1 as ``superseded``.
- :func:`printed_copies` — the labelled copies to print (``re.subscription.copies``: 4).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.customers.confidentiality import access
from core.customers.confidentiality.viewer import current_viewer, request_viewer
from core.customers.confidentiality.visibility_rules import pii_unmasked
from core.customers.identity import IdentityError, mask_phone, normalise_phone
from core.customers.models import Customer
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from plugins.real_estate import deal_versions, deals, deposits, units
from plugins.real_estate.office_models import Instalment
from plugins.real_estate.policy import re_policy
from plugins.real_estate.sales_models import Subscription
from plugins.real_estate.subscription_rules import (
    CONFLICT,
    Instalment as ScheduleLine,
    SubscriptionDraft,
    SubscriptionVersion,
    amendment_check,
    copies,
    edit_check,
    subscription_errors,
)
from plugins.real_estate.unit_rules import MANAGER_ROLES, SALES_ROLES, move_check

WRITERS = (*SALES_ROLES, *MANAGER_ROLES)
APPROVERS = MANAGER_ROLES
READERS = (*units.UNIT_EDITORS, "salesperson", "assistant", "finance")
#: who lists every subscription of the office; the others only their visible customers' (CUS-70)
WHOLE_OFFICE = (*units.UNIT_EDITORS, "finance")
FIELDS = ("buyer_name", "phone", "mailing_address", "postcode", "price", "balance", "schedule")
SUBJECT = "re_subscription"


def get_subscription(subscription_id: int, *, for_update: bool = False) -> Subscription:
    return get_one(Subscription, subscription_id, "subscription", for_update=for_update)


def _schedule(lines) -> tuple[ScheduleLine, ...]:
    out = []
    for line in lines or ():
        due = line.get("due_on")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                raise InvalidInput("invalid subscription",
                                   fields={"schedule": ["each instalment has a due day (YYYY-MM-DD)"]}) from None
        if due is None:
            raise InvalidInput("invalid subscription", fields={"schedule": ["each instalment has a due day (YYYY-MM-DD)"]})
        out.append(ScheduleLine(due, line.get("amount")))
    return tuple(out)


def _checked(values: dict, unit_id: int) -> dict:
    """The fields of a subscription checked by RE-33 (422 by field), in the form stored."""
    schedule = _schedule(values.get("schedule"))
    draft = SubscriptionDraft(values.get("buyer_name"), unit_id, values.get("price"), values.get("balance"), schedule,
                              values.get("mailing_address"), values.get("postcode"), values.get("phone"))
    errors = subscription_errors(draft)
    if errors:
        raise InvalidInput("invalid subscription", fields=errors, rule_id="RE-33")
    try:
        phone = normalise_phone(values["phone"], field="phone").e164
    except (IdentityError, AttributeError):
        phone = values["phone"].strip()
    return {"buyer_name": values["buyer_name"].strip(), "phone": phone,
            "mailing_address": values["mailing_address"].strip(), "postcode": values["postcode"].strip(),
            "price": Decimal(str(values["price"])).quantize(Decimal("0.01")),
            "balance": Decimal(str(values["balance"])).quantize(Decimal("0.01")),
            "schedule": [{"due_on": line.due_on.isoformat(), "amount": f"{Decimal(str(line.amount)):.2f}"}
                         for line in schedule]}


#: tries at a free number when concurrent creates take the same one (unique number + version)
NUMBER_TRIES = 5


def next_number(at: dt.datetime) -> str:
    """The next number ``RG-<year>-<nnnn>`` in the tenant's local year of ``at``."""
    cal, _view = tenant_calendar(at)
    prefix = f"RG-{cal.local(at).year}-"
    last = db.session.scalar(select(func.max(Subscription.number)).where(Subscription.number.like(f"{prefix}%")))
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:04d}"


def _customer_of(unit, data: dict) -> int:
    """RE-32/33: the subscription is the depositor's (a different buyer is a rename, RE-41)."""
    customer_id = data.get("customer_id") or unit.customer_id
    if not units.known_customer(customer_id):
        raise InvalidInput("invalid subscription", fields={"customer_id": ["not a customer of this company"]})
    if unit.customer_id is not None and customer_id != unit.customer_id:
        raise InvalidInput("invalid subscription", rule_id="RE-33", fields={"customer_id": [
            ("the subscription is for the customer who paid the deposits on this unit; another buyer is a rename "
             "(RE-41)")]})
    return customer_id


def create(data: dict, *, by: User) -> Subscription:
    """RE-33: a draft subscription on ``data["unit_id"]`` for the unit's depositor (``data["customer_id"]``
    must be them when given); its number is the next free one of the tenant's local year."""
    unit = units.get_unit(data["unit_id"])
    check = move_check(unit.state, "subscribed", by.roles)
    if not check.allowed:
        raise units.refusal(check)
    customer_id = _customer_of(unit, data)
    values = _checked(data, unit.id)
    now = utcnow()
    for attempt in range(NUMBER_TRIES):
        subscription = Subscription(number=next_number(now), version=1, unit_id=unit.id, customer_id=customer_id,
                                    salesperson_id=unit.salesperson_id or by.id, status="draft",
                                    copies=dict(re_policy(now).values["subscription"]["copies"]), created_by=by.id,
                                    **values)
        try:
            with db.session.begin_nested():
                db.session.add(subscription)
            return subscription
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise Conflict("no free subscription number now; try again", rule_id="RE-33",
                               reason_zh="认购书编号被同时占用，请重试",
                               reason_en="the subscription number was taken meanwhile; try again") from None
    raise AssertionError("unreachable")


def _version(subscription: Subscription) -> SubscriptionVersion:
    return SubscriptionVersion(subscription.id, subscription.version, subscription.status != "draft")


def edit(subscription: Subscription, data: dict, *, by: User) -> Subscription:
    """RE-33: a draft is edited in place (each field checked again); a signed one → 409."""
    check = edit_check(_version(subscription))
    if not check.allowed:
        raise units.refusal(check)
    current = {name: getattr(subscription, name) for name in FIELDS}
    current.update({k: v for k, v in data.items() if k in FIELDS})
    for name, value in _checked(current, subscription.unit_id).items():
        setattr(subscription, name, value)
    db.session.flush()
    return subscription


def _instalments(subscription: Subscription) -> list[Instalment]:
    rows = [Instalment(subscription_id=subscription.id, seq=seq, due_on=dt.date.fromisoformat(line["due_on"]),
                       amount=Decimal(str(line["amount"])))
            for seq, line in enumerate(subscription.schedule or [], start=1)]
    db.session.add_all(rows)
    return rows


def sign(subscription: Subscription, *, by: User, at: dt.datetime | None = None) -> Subscription:
    """RE-33: the buyer signed: the unit is subscribed, the instalments are due, the deal is recorded."""
    if subscription.status != "draft":
        raise units.refusal(edit_check(_version(subscription)))
    if subscription.previous_id is not None:
        raise Conflict("an amendment is signed by the manager's approval", rule_id="RE-33",
                       reason_zh="变更版本须经经理批准后生效", reason_en="an amendment takes effect when the manager approves it")
    at = at or utcnow()
    unit = units.get_unit(subscription.unit_id)
    check = units.move(unit, "subscribed", by.roles, customer_id=subscription.customer_id)
    subscription.status, subscription.signed_at = "signed", at
    _instalments(subscription)
    db.session.flush()
    milestones = {**deposits.milestones_of(unit.id, subscription.customer_id), "subscription": at}
    credit = deals.record_subscription_deal(subscription, milestones, by=by.id)
    subscription.credit_id = credit.id
    decisions.record("RE-33", SUBJECT, subscription.id, outcome={"status": "signed", "unit_state": unit.state,
                                                                 "instalments": len(subscription.schedule or [])},
                     reason_zh=f"认购书{subscription.number}已签署；{check.reason_zh}",
                     reason_en=f"subscription {subscription.number} signed; {check.reason_en}", decided_by=by.id,
                     facts={"milestones": milestones, "price": subscription.price})
    db.session.flush()
    return subscription


def amend(current: Subscription, data: dict, *, by: User) -> Subscription:
    """RE-33: an amendment to a signed subscription: a new version (draft) waiting for the manager."""
    check = amendment_check(_version(current), by.roles)
    if check.refusal == CONFLICT or current.status != "signed":
        raise units.refusal(check if check.refusal == CONFLICT else edit_check(_version(current)))
    deal_versions.open_step(current)
    reason = (data.get("amendment_reason") or "").strip()
    if not reason:
        raise InvalidInput("invalid amendment", fields={"amendment_reason": ["say why the subscription changes (RE-33)"]})
    values = {name: getattr(current, name) for name in FIELDS}
    values.update({k: v for k, v in data.items() if k in FIELDS})
    checked = _checked(values, current.unit_id)
    errors = deal_versions.schedule_errors(current, checked["schedule"])
    if errors:
        raise InvalidInput("invalid amendment", fields=errors, rule_id="RE-42")
    return deal_versions.propose_version(current, by=by.id, reason=reason, **checked)


def approve(amendment: Subscription, *, by: User, at: dt.datetime | None = None) -> Subscription:
    """RE-33: the manager approves an amendment: it is signed, the version before it is kept as
    ``superseded``."""
    if amendment.previous_id is None or amendment.status != "draft":
        raise Conflict("only a pending amendment is approved", rule_id="RE-33",
                       reason_zh="只有待批准的变更版本可以批准", reason_en="only a pending amendment is approved")
    previous = get_subscription(amendment.previous_id, for_update=True)
    check = amendment_check(_version(previous), by.roles)
    if not check.allowed:
        raise units.refusal(check)
    if previous.status != "signed":
        raise units.refusal(amendment_check(SubscriptionVersion(previous.id, previous.version, False), by.roles))
    deal_versions.take_over(previous, amendment, approved_by=by.id, at=at or utcnow())
    decisions.record("RE-33", SUBJECT, amendment.id, outcome=check.outcome(), reason_zh=check.reason_zh,
                     reason_en=check.reason_en, decided_by=by.id,
                     facts={"previous_id": previous.id, "reason": amendment.amendment_reason})
    db.session.flush()
    return amendment


def printed_copies(subscription: Subscription):
    """RE-33: the copies to print, each labelled (holder, its number of that holder's copies)."""
    holders = copies({"subscription": {"copies": subscription.copies or {}}})
    labelled = []
    for holder in holders:
        for n in range(1, holder.count + 1):
            labelled.append({"holder": holder.holder, "title_zh": holder.title_zh, "n": n, "of": holder.count})
    return labelled


def search(*, status: str | None = None, unit_id: int | None = None, customer_id: int | None = None):
    """The subscriptions the viewer may list: the whole office's for :data:`WHOLE_OFFICE`, otherwise only
    those of customers the viewer may see (CUS-70). Show them through :func:`presented`."""
    stmt = select(Subscription)
    viewer = current_viewer()
    if viewer is not None and not set(viewer.roles) & set(WHOLE_OFFICE):
        stmt = stmt.where(Subscription.customer_id.in_(access.restrict(select(Customer.id))))
    if status:
        stmt = stmt.where(Subscription.status == status)
    if unit_id is not None:
        stmt = stmt.where(Subscription.unit_id == unit_id)
    if customer_id is not None:
        stmt = stmt.where(Subscription.customer_id == customer_id)
    return stmt.order_by(Subscription.id.desc())


class MaskedSubscription:
    """A listed subscription whose buyer's phone the viewer may not read (CUS-70): the phone masked.
    Read-only; the row behind it is never changed."""

    def __init__(self, subscription: Subscription):
        self._subscription = subscription
        self.phone = mask_phone(subscription.phone or "")

    def __getattr__(self, name):
        return getattr(self._subscription, name)


def presented(rows: list[Subscription]) -> list:
    """Listed subscriptions as the viewer may see them: the buyer's phone masked without the PII right on
    that customer (``cus.pii.unmasked_roles``, its owner), as the core masks customers."""
    viewer = request_viewer()
    if viewer is None or not rows:
        return rows
    customers = list(db.session.scalars(select(Customer).where(Customer.id.in_({r.customer_id for r in rows}))))
    relations = access.relations_of(customers, viewer)
    values = access.cus_values(viewer)
    allowed = {c.id for c in customers if pii_unmasked(viewer.roles, relations[c.id].names(), values)}
    return [row if row.customer_id in allowed else MaskedSubscription(row) for row in rows]
