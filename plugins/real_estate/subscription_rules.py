"""The subscription (认购书) and the contract, pure: RE-33 (required fields, the printed copies, immutability
once signed with amendments as new versions approved by the manager) and RE-34 (the contract follows the
subscription, a custodian for the signed documents, the signing list row right after the signing).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.customers.identity import IdentityError, normalise_phone
from plugins.real_estate.unit_rules import CONFLICT, FORBIDDEN, MANAGER_ROLES, STATUS

FEN = Decimal("0.01")
#: a Chinese postcode (邮政编码): six digits
POSTCODE = re.compile(r"^\d{6}$")
#: RE-33: the order the copies are listed in
COPY_HOLDERS = (("customer", "客户"), ("finance", "财务"), ("sales", "销售"))


@dataclass(frozen=True)
class Instalment:
    """One line of the payment schedule."""

    due_on: dt.date
    amount: Decimal | str


@dataclass(frozen=True)
class SubscriptionDraft:
    """What a subscription records (RE-33): buyer, unit, price, balance and payment schedule, the buyer's
    current mailing address, postcode and phone."""

    buyer_name: str | None
    unit_id: int | None
    price: Decimal | str | None
    balance: Decimal | str | None
    schedule: tuple[Instalment, ...] = ()
    mailing_address: str | None = None
    postcode: str | None = None
    phone: str | None = None


def _amount(value) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount.quantize(FEN) if amount.is_finite() else None


def subscription_errors(draft: SubscriptionDraft) -> dict[str, list[str]]:
    """RE-33: each missing or wrong field of a subscription, by field (empty: complete; else 422).

    Price above 0; balance from 0 to the price; the schedule's instalments (each above 0) add up to the
    balance; a 6-digit postcode; a valid phone (CUS-10)."""
    errors: dict[str, list[str]] = {}

    def missing(name: str, text: str) -> None:
        errors.setdefault(name, []).append(f"{text} is required on a subscription (RE-33)")

    if not (draft.buyer_name or "").strip():
        missing("buyer_name", "the buyer's name")
    if draft.unit_id is None:
        missing("unit_id", "the unit")
    price, balance = _amount(draft.price), _amount(draft.balance)
    if draft.price is None:
        missing("price", "the price")
    elif price is None or price <= 0:
        errors["price"] = ["the price is an amount in yuan above 0 (RE-33)"]
    if draft.balance is None:
        missing("balance", "the balance")
    elif balance is None or balance < 0 or (price is not None and price > 0 and balance > price):
        errors["balance"] = ["the balance is an amount from 0 to the price (RE-33)"]
    if not draft.schedule:
        if balance is None or balance > 0:
            missing("schedule", "the payment schedule")
    else:
        amounts = [_amount(line.amount) for line in draft.schedule]
        if any(a is None or a <= 0 for a in amounts):
            errors["schedule"] = ["each instalment is an amount in yuan above 0 (RE-33)"]
        elif balance is not None and "balance" not in errors and sum(amounts) != balance:
            errors["schedule"] = [f"the instalments add up to ¥{sum(amounts):,.2f}, not the balance "
                                  f"¥{balance:,.2f} (RE-33)"]
    if not (draft.mailing_address or "").strip():
        missing("mailing_address", "the current mailing address")
    if not (draft.postcode or "").strip():
        missing("postcode", "the postcode")
    elif not POSTCODE.match(draft.postcode.strip()):
        errors["postcode"] = ["a postcode has 6 digits (RE-33)"]
    if not (draft.phone or "").strip():
        missing("phone", "the phone number")
    else:
        try:
            normalise_phone(draft.phone, field="phone")
        except IdentityError as exc:
            errors["phone"] = [f"{exc.en} (CUS-10)"]
    return errors


@dataclass(frozen=True)
class Copy:
    holder: str
    title_zh: str
    count: int


def copies(settings: dict) -> tuple[Copy, ...]:
    """RE-33: the printed copies by holder (``re.subscription.copies``: customer 1, finance 1, sales 2)."""
    configured = settings["subscription"]["copies"]
    return tuple(Copy(holder, zh, configured[holder]) for holder, zh in COPY_HOLDERS if configured.get(holder))


def copies_total(settings: dict) -> int:
    """RE-33: how many copies are printed in all (4 by default)."""
    return sum(c.count for c in copies(settings))


# -------------------------------------------------------------- versions


@dataclass(frozen=True)
class SubscriptionVersion:
    """The subscription as stored: its version number and whether it is signed."""

    subscription_id: int
    version: int
    signed: bool


@dataclass(frozen=True)
class ChangeCheck:
    """RE-33: how a change to a subscription is made. ``mode`` is ``edit`` (in place, unsigned) or
    ``new_version`` (``new_version`` is its number; ``kept_version`` stays as it was)."""

    allowed: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    mode: str | None = None
    new_version: int | None = None
    kept_version: int | None = None
    refusal: str | None = None

    @property
    def status(self) -> int | None:
        return STATUS.get(self.refusal) if self.refusal else None

    def outcome(self) -> dict:
        return {"allowed": self.allowed, "mode": self.mode, "new_version": self.new_version,
                "kept_version": self.kept_version, "refusal": self.refusal}


def edit_check(current: SubscriptionVersion) -> ChangeCheck:
    """RE-33: an unsigned subscription is edited in place; a signed one is immutable (PATCH → 409)."""
    if current.signed:
        return ChangeCheck(False, "RE-33", f"认购书第{current.version}版已签署，不能修改；变更须另立新版本并经经理批准",
                           f"subscription v{current.version} is signed and cannot be changed; an amendment is a new "
                           "version approved by the manager", refusal=CONFLICT)
    return ChangeCheck(True, "RE-33", "认购书尚未签署，可直接修改", "the subscription is not signed yet: edited in place",
                       mode="edit")


def amendment_check(current: SubscriptionVersion, approver_roles) -> ChangeCheck:
    """RE-33: an amendment to a signed subscription is a new version (v+1, the signed one kept) approved
    by the manager; ``approver_roles`` are the roles of who approves (empty: nobody yet → 403). An
    unsigned subscription needs no amendment (409: edit it)."""
    if not current.signed:
        return ChangeCheck(False, "RE-33", "认购书尚未签署，直接修改即可，无须新版本",
                           "the subscription is not signed: edit it, no new version is needed", refusal=CONFLICT)
    if not set(approver_roles) & set(MANAGER_ROLES):
        return ChangeCheck(False, "RE-33", "已签署认购书的变更须经销售经理批准",
                           "an amendment to a signed subscription needs the sales manager's approval",
                           refusal=FORBIDDEN)
    new = current.version + 1
    return ChangeCheck(True, "RE-33", f"经理批准变更：生成认购书第{new}版，第{current.version}版保留",
                       f"amendment approved by the manager: subscription v{new}, v{current.version} kept",
                       mode="new_version", new_version=new, kept_version=current.version)


# --------------------------------------------------------------- RE-34


@dataclass(frozen=True)
class ContractFacts:
    """A purchase contract being signed: its subscription, the unit, the buyer, the price, when it was
    signed, who keeps the signed documents."""

    contract_id: int
    subscription_id: int | None
    subscription_signed: bool
    unit_id: int
    buyer_name: str
    price: Decimal
    signed_at: dt.datetime
    salesperson_id: int | None = None
    custodian_id: int | None = None


def contract_errors(facts: ContractFacts) -> dict[str, list[str]]:
    """RE-34: the contract follows a signed subscription, and the signed documents have a custodian."""
    errors: dict[str, list[str]] = {}
    if facts.subscription_id is None or not facts.subscription_signed:
        errors["subscription_id"] = ["the purchase contract follows a signed subscription (RE-34)"]
    if facts.custodian_id is None:
        errors["custodian_id"] = ["name the custodian of the signed documents (RE-34)"]
    return errors


@dataclass(frozen=True)
class SigningListRow:
    """RE-34: the signing list (签约一览表) row the assistant's list gets right after the signing: dated
    the minute the contract was signed."""

    contract_id: int
    subscription_id: int | None
    unit_id: int
    buyer_name: str
    price: Decimal
    salesperson_id: int | None
    signed_at: dt.datetime
    listed_at: dt.datetime
    rule_id: str = "RE-34"


def signing_list_row(facts: ContractFacts) -> SigningListRow:
    """RE-34: the signing list row for a signed contract, listed at the signing minute."""
    listed_at = facts.signed_at.replace(second=0, microsecond=0)
    return SigningListRow(facts.contract_id, facts.subscription_id, facts.unit_id, facts.buyer_name,
                          Decimal(str(facts.price)).quantize(FEN), facts.salesperson_id, facts.signed_at, listed_at)
