"""The purchase contract and the signing list (RE-34).

:func:`sign` — the contract follows a signed subscription (its current version) and names the
custodian of the signed documents (422 per :func:`~plugins.real_estate.subscription_rules.contract_errors`);
the unit goes ``subscribed → contracted``; the sale's credit gets its ``contract`` milestone
(:func:`plugins.real_estate.deals.add_milestone`); a decision RE-34 carries the signing-list row, dated
the signing minute. :func:`signing_list` is the contracts in signing order, as rows.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.staff import credit as credits
from plugins.real_estate import deal_versions, deals, units
from plugins.real_estate.sales_models import Contract, Subscription
from plugins.real_estate.subscription_rules import ContractFacts, contract_errors, signing_list_row

SUBJECT = "re_contract"


def get_contract(contract_id: int) -> Contract:
    return get_one(Contract, contract_id, "contract")


def _facts(contract_id: int, subscription: Subscription, signed_at: dt.datetime, custodian_id) -> ContractFacts:
    return ContractFacts(contract_id, subscription.id, subscription.status == "signed", subscription.unit_id,
                         subscription.buyer_name, subscription.price, signed_at, subscription.salesperson_id,
                         custodian_id)


def sign(subscription: Subscription, data: dict, *, by: User) -> Contract:
    """RE-34: the purchase contract of ``subscription`` (``number``, ``custodian_id``, ``signed_at``,
    ``note``)."""
    signed_at = data.get("signed_at") or utcnow()
    custodian_id = data.get("custodian_id")
    errors = contract_errors(_facts(0, subscription, signed_at, custodian_id))
    if custodian_id is not None and not units.known_user(custodian_id):
        errors["custodian_id"] = ["not an employee of this company"]
    number = (data.get("number") or "").strip()
    if not number:
        errors["number"] = ["the contract number is required (RE-34)"]
    elif db.session.scalar(select(Contract.id).where(Contract.number == number)):
        errors["number"] = ["a contract of this number exists already"]
    if errors:
        raise InvalidInput("invalid contract", fields=errors, rule_id="RE-34")
    if deal_versions.contract_of(subscription) is not None:
        raise Conflict("this subscription has its contract already", rule_id="RE-34",
                       reason_zh="该认购书已签订合同", reason_en="this subscription has its contract already")
    unit = units.get_unit(subscription.unit_id)
    check = units.move(unit, "contracted", by.roles)
    contract = Contract(number=number, subscription_id=subscription.id, unit_id=unit.id,
                        customer_id=subscription.customer_id, buyer_name=subscription.buyer_name,
                        price=subscription.price, signed_at=signed_at, custodian_id=custodian_id,
                        salesperson_id=subscription.salesperson_id, note=data.get("note") or None, created_by=by.id)
    db.session.add(contract)
    db.session.flush()
    row = signing_list_row(_facts(contract.id, subscription, signed_at, custodian_id))
    if subscription.credit_id:
        deals.add_milestone(credits.get_credit(subscription.credit_id), "contract", signed_at, by=by.id)
    decisions.record("RE-34", SUBJECT, contract.id, outcome={"unit_state": unit.state,
                                                             "listed_at": row.listed_at.isoformat()},
                     reason_zh=f"合同{number}已签订，保管人已指定，已列入签约一览表；{check.reason_zh}",
                     reason_en=f"contract {number} signed with a custodian named, on the signing list; "
                               f"{check.reason_en}", decided_by=by.id,
                     facts={"subscription_id": subscription.id, "custodian_id": custodian_id, "signed_at": signed_at})
    db.session.flush()
    return contract


def signing_list(*, start: dt.datetime | None = None, end: dt.datetime | None = None):
    """RE-34: the signing list (签约一览表): each contract's row, in signing order."""
    stmt = select(Contract)
    if start is not None:
        stmt = stmt.where(Contract.signed_at >= start)
    if end is not None:
        stmt = stmt.where(Contract.signed_at < end)
    rows = []
    for contract in db.session.scalars(stmt.order_by(Contract.signed_at, Contract.id)):
        row = signing_list_row(ContractFacts(contract.id, contract.subscription_id, True, contract.unit_id,
                                             contract.buyer_name, contract.price, contract.signed_at,
                                             contract.salesperson_id, contract.custodian_id))
        rows.append((contract, row))
    return rows
