"""Changes after the deal (RE-40, RE-41, RE-43): a swap to another unit (换房), a rename (换名) and a refund
(退房), each a :class:`~plugins.real_estate.office_models.Change` row that is requested, approved or
refused, and done; every step a decision with its rule id and a reason in Chinese and English.

- Swap (RE-40): requested by the salesperson; :func:`~plugins.real_estate.change_rules.swap_check` —
  allowed outright (approved at once) or waiting for the manager. Done → the deal's next version on the
  new unit, the old unit available again, the new unit in the old one's state.
- Rename (RE-41): free before the contract; after it a title-transfer fee that finance records paid
  (receipt number) before the rename completes. Done → the deal's next version with the new buyer name.
- Refund (RE-43): refused after the contract (409, nothing written); before it a retention attempt is
  recorded, then the manager approves → the unit cancelled and available again, the subscription
  cancelled, the deal's performance credit reversed (STF-33, rule RE-43); finance refunds each deposit
  with its refund receipt number, the last one closes the change.

Refusals write nothing: 403 (role), 409 (state, rule), 422 (fields), 404 (another tenant's row).
"""
from __future__ import annotations

from sqlalchemy import select, update

from core.calendar.service import tenant_calendar
from core.customers.confidentiality.people import holders
from core.db import db, get_one, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from plugins.real_estate import deal_versions, units
from plugins.real_estate.change_rules import RefundFacts, UnitFacts, refund_check, rename_fee, swap_check
from plugins.real_estate.office_models import Change
from plugins.real_estate.policy import re_policy
from plugins.real_estate.sales_models import Deposit, Subscription, Unit
from plugins.real_estate.unit_rules import MANAGER_ROLES, SALES_ROLES, SYSTEM

SUBJECT = "re_change"
#: who asks for a change, records the retention attempt and completes a swap or rename
REQUESTERS = SALES_ROLES + MANAGER_ROLES
APPROVERS = MANAGER_ROLES
FINANCE = ("finance",)
KIND_LABELS = {"swap": ("换房", "unit swap"), "rename": ("换名", "rename"), "refund": ("退房", "refund")}


# ------------------------------------------------------------------ reading


def get_change(change_id: int, *, for_update: bool = False) -> Change:
    return get_one(Change, change_id, "change", for_update=for_update)


def search(kind: str | None = None, status: str | None = None, subscription_id: int | None = None):
    stmt = select(Change).order_by(Change.id.desc())
    for column, value in (("kind", kind), ("status", status), ("subscription_id", subscription_id)):
        if value is not None:
            stmt = stmt.where(getattr(Change, column) == value)
    return stmt


def _require(user, roles, what_zh: str, what_en: str) -> None:
    if not user.has_role(*roles):
        raise Forbidden(f"{what_en}: needs role {' or '.join(roles)}", reason_zh=f"无权{what_zh}",
                        reason_en=f"not allowed to {what_en}")


def _text(value, field: str, *, required: bool = True, limit: int = 2000) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"invalid {field}", fields={field: ["required"]})
    if len(text) > limit:
        raise InvalidInput(f"invalid {field}", fields={field: [f"Longer than maximum length {limit}."]})
    return text or None


def _open(change: Change, *statuses: str) -> None:
    if change.status not in statuses:
        raise Conflict(f"change {change.id} is {change.status}", reason_zh=f"该变更已{_STATUS_ZH[change.status]}，不能再办理此步骤",
                       reason_en=f"the change is {change.status}; this step is not possible now")


_STATUS_ZH = {"requested": "申请中", "approved": "批准", "done": "办结", "refused": "驳回", "withdrawn": "撤回"}


def _decide(change: Change, check, *, outcome: dict, facts: dict, by: int | None, reason_zh=None, reason_en=None):
    decision = decisions.record(check.rule_id, SUBJECT, change.id, outcome=outcome, facts=facts,
                                reason_zh=reason_zh or check.reason_zh, reason_en=reason_en or check.reason_en,
                                policy=re_policy(utcnow()), decided_by=by)
    change.decision_id = decision.id
    return decision


def _next_version(change: Change, old: Subscription, *, by: int, reason: str, **changes) -> Subscription:
    """The deal's next version (its instalments follow it, RE-42 reads the current version)."""
    return deal_versions.new_version(old, by=by, reason=reason, approved_by=change.approved_by, **changes)


# ------------------------------------------------------------------ RE-40 swap


def _facts(unit: Unit) -> UnitFacts:
    return UnitFacts(unit.number, unit.area, unit.price, unit.popularity)


def _swap_check(old: Unit, new: Unit, roles=()):
    settings = re_policy(utcnow()).values
    try:
        return swap_check(settings, _facts(old), _facts(new), approved_by_roles=roles)
    except ValueError as err:
        raise InvalidInput("invalid unit", fields={"to_unit_id": [str(err)]}) from err


def request_swap(subscription_id: int, to_unit_id: int, *, by, reason: str | None = None) -> Change:
    """RE-40: a salesperson asks to move the deal to ``to_unit_id`` (available). Allowed outright →
    approved at once; otherwise it waits for the manager (a manager asking approves it himself)."""
    subscription = deal_versions.lock_subscription(subscription_id)
    new_unit = get_one(Unit, to_unit_id, "unit")
    _require(by, REQUESTERS, "申请换房", "request a swap")
    deal_versions.ensure_current(subscription)
    deal_versions.open_step(subscription)
    old_unit = get_one(Unit, subscription.unit_id, "unit")
    if new_unit.id == old_unit.id:
        raise InvalidInput("invalid unit", fields={"to_unit_id": ["the deal is already on this unit"]})
    _available(new_unit)
    check = _swap_check(old_unit, new_unit, by.roles)
    change = Change(kind="swap", subscription_id=subscription.id, from_unit_id=old_unit.id, to_unit_id=new_unit.id,
                    reason=_text(reason, "reason", required=False), requested_by=by.id,
                    status="approved" if check.allowed else "requested")
    if check.allowed:
        change.decided_at = utcnow()
        change.approved_by = by.id if check.needs_approval else None
    db.session.add(change)
    db.session.flush()
    _decide(change, check, outcome={**check.outcome(), "status": change.status},
            facts=_swap_facts(old_unit, new_unit), by=by.id)
    if not check.allowed:
        notify(holders(APPROVERS), kind="re.change", rule_id="RE-40", subject_type=SUBJECT, subject_id=change.id,
               title_zh=f"换房{old_unit.number}→{new_unit.number}待批准", dedupe_key=f"RE-40:request:{change.id}",
               title_en=f"swap {old_unit.number} → {new_unit.number} awaits your approval",
               body_zh=check.reason_zh, body_en=check.reason_en)
    return change


def _swap_facts(old: Unit, new: Unit) -> dict:
    return {unit.number: {"area": unit.area, "price": unit.price, "popularity": unit.popularity}
            for unit in (old, new)} | {"from": old.number, "to": new.number}


def _available(unit: Unit) -> None:
    if unit.state != "available":
        raise Conflict(f"unit {unit.number} is {unit.state}", rule_id="RE-40",
                       reason_zh=f"房源{unit.number}当前不可售，不能换入", reason_en=f"unit {unit.number} is not available")


def _complete_swap(change: Change, by) -> Subscription:
    old = deal_versions.current_subscription(change.subscription_id)
    old_unit = get_one(Unit, change.from_unit_id, "unit")
    new_unit = get_one(Unit, change.to_unit_id, "unit")
    _available(new_unit)
    state = old_unit.state
    # RE-40 allowed the swap (outright or by the manager): the rule moves both units, as the system
    authority = (SYSTEM, *MANAGER_ROLES)
    balance = old.balance + (new_unit.price - old.price)
    schedule = deal_versions.rebalanced_schedule(old, balance)
    units.move(new_unit, state, authority, allowed_by=_swap_check(old_unit, new_unit, authority),
               customer_id=old_unit.customer_id, salesperson_id=old_unit.salesperson_id)
    units.move(old_unit, "cancelled", authority, customer_id=None, salesperson_id=None)
    units.move(old_unit, "available", authority)
    return _next_version(change, old, by=by.id, reason=f"RE-40 换房 {old_unit.number} → {new_unit.number}",
                         unit_id=new_unit.id, price=new_unit.price, balance=balance, schedule=schedule)


# ------------------------------------------------------------------ RE-41 rename


def request_rename(subscription_id: int, new_name: str, *, by, reason: str | None = None) -> Change:
    """RE-41: the new buyer's name; the fee (¥0.00 before the contract) is fixed now."""
    subscription = deal_versions.lock_subscription(subscription_id)
    _require(by, REQUESTERS, "申请换名", "request a rename")
    deal_versions.ensure_current(subscription)
    deal_versions.open_step(subscription)
    name = _text(new_name, "new_name", limit=100)
    if name == subscription.buyer_name:
        raise InvalidInput("invalid name", fields={"new_name": ["the buyer already has this name"]})
    contract, price, fee = _rename_fee(subscription)
    change = Change(kind="rename", subscription_id=subscription.id, from_unit_id=subscription.unit_id,
                    old_name=subscription.buyer_name, new_name=name, fee=fee.fee,
                    reason=_text(reason, "reason", required=False), requested_by=by.id, status="approved",
                    decided_at=utcnow())
    db.session.add(change)
    db.session.flush()
    _decide(change, fee, outcome={**fee.outcome(), "status": change.status}, by=by.id,
            facts={"contract": contract.number if contract else None, "price": price, "old_name": change.old_name,
                   "new_name": name})
    if fee.fee > 0:
        _fee_to_collect(change, subscription, fee)
    return change


def _rename_fee(subscription: Subscription):
    """RE-41 on the deal as it stands: its contract (any version), the price the fee is on, the fee."""
    contract = deal_versions.contract_of(subscription)
    price = contract.price if contract else subscription.price
    return contract, price, rename_fee(re_policy(utcnow()).values, contract_signed=contract is not None, price=price)


def _fee_to_collect(change: Change, subscription: Subscription, fee) -> None:
    notify(holders(FINANCE), kind="re.change", rule_id="RE-41", subject_type=SUBJECT, subject_id=change.id,
           title_zh=f"更名费¥{fee.fee:,.2f}待收（{subscription.number}）", dedupe_key=f"RE-41:fee:{change.id}",
           title_en=f"rename fee ¥{fee.fee:,.2f} to collect ({subscription.number})",
           body_zh=fee.reason_zh, body_en=fee.reason_en)


def _fee_due_since_the_contract(change: Change, subscription: Subscription, by) -> None:
    """RE-41: a rename asked for before the contract and completed after it is a title transfer: its fee
    is set now (finance notified) and the rename waits for it — 409 "fee due", the fee kept (committed)."""
    contract, price, fee = _rename_fee(subscription)
    if contract is None or change.fee or fee.fee <= 0:
        return
    change.fee = fee.fee
    _decide(change, fee, outcome={**fee.outcome(), "status": change.status}, by=by.id,
            facts={"contract": contract.number, "price": price, "old_name": change.old_name,
                   "new_name": change.new_name, "signed_after_request": True})
    _fee_to_collect(change, subscription, fee)
    db.session.commit()  # the fee stands although the completion is refused
    raise Conflict("the rename fee is due: the contract was signed since the request", rule_id="RE-41",
                   reason_zh=f"申请后已签订合同，换名须缴更名费¥{fee.fee:,.2f}，缴清后方可办理",
                   reason_en=f"the contract was signed since the request: the rename fee ¥{fee.fee:,.2f} is due "
                             "before the rename completes")


def pay_fee(change_id: int, receipt_no: str, *, by) -> Change:
    """RE-41 / RE-32: finance records the rename fee paid with its receipt number."""
    change = get_change(change_id, for_update=True)
    _require(by, FINANCE, "登记收款（仅限财务）", "record a payment (finance only)")
    _open(change, "approved")
    if change.kind != "rename" or not change.fee:
        raise Conflict("no fee is due on this change", rule_id="RE-41", reason_zh="该变更无须缴费",
                       reason_en="no fee is due on this change")
    if change.fee_paid_at is not None:
        raise Conflict("the fee is already paid", rule_id="RE-41", reason_zh=f"更名费已于收据{change.fee_receipt_no}缴清",
                       reason_en=f"the fee is already paid (receipt {change.fee_receipt_no})")
    change.fee_receipt_no = _text(receipt_no, "receipt_no", limit=50)
    change.fee_paid_at = utcnow()
    decisions.record("RE-41", SUBJECT, change.id, outcome={"fee": change.fee, "paid": True,
                                                            "receipt_no": change.fee_receipt_no},
                     reason_zh=f"财务收取更名费¥{change.fee:,.2f}（收据号{change.fee_receipt_no}）",
                     reason_en=f"finance received the rename fee ¥{change.fee:,.2f} (receipt {change.fee_receipt_no})",
                     decided_by=by.id)
    db.session.flush()
    return change


def _complete_rename(change: Change, by) -> Subscription:
    old = deal_versions.current_subscription(change.subscription_id)
    _fee_due_since_the_contract(change, old, by)
    if change.fee and change.fee_paid_at is None:
        raise Conflict("the rename fee is not paid yet", rule_id="RE-41",
                       reason_zh=f"更名费¥{change.fee:,.2f}尚未缴清，不能办理换名",
                       reason_en=f"the rename fee ¥{change.fee:,.2f} is not paid yet: the rename cannot complete")
    return _next_version(change, old, by=by.id, reason=f"RE-41 换名 {change.old_name} → {change.new_name}",
                         buyer_name=change.new_name)


# ------------------------------------------------------------------ RE-43 refund


def _refund_facts(change: Change | None, subscription: Subscription, *, roles=()) -> RefundFacts:
    contract = deal_versions.contract_of(subscription)
    requested = change.requested_at if change else utcnow()
    cal, _view = tenant_calendar(requested)
    unpaid = [d.amount for d in deal_versions.deposits_of(subscription) if d.refunded_at is None]
    return RefundFacts(unit_id=subscription.unit_id, requested_on=cal.local(requested).date(),
                       contract_signed_on=cal.local(contract.signed_at).date() if contract else None,
                       retention_logged=bool(change and change.retention_note), approver_roles=frozenset(roles),
                       deposits=tuple(unpaid))


def request_refund(subscription_id: int, *, by, reason: str | None = None, retention_note: str | None = None) -> Change:
    """RE-43: refused after the contract (409, nothing written); else the request, with the retention
    attempt when it is already known."""
    subscription = deal_versions.lock_subscription(subscription_id)
    _require(by, REQUESTERS, "申请退房", "request a refund")
    deal_versions.ensure_current(subscription)
    deal_versions.open_step(subscription)
    check = refund_check(_refund_facts(None, subscription))
    if check.refusal and check.next_step is None:
        raise units.refusal(check)
    change = Change(kind="refund", subscription_id=subscription.id, from_unit_id=subscription.unit_id,
                    reason=_text(reason, "reason", required=False), requested_by=by.id,
                    retention_note=_text(retention_note, "retention_note", required=False))
    db.session.add(change)
    db.session.flush()
    check = refund_check(_refund_facts(change, subscription))
    _decide(change, check, outcome={**check.outcome(), "status": change.status}, facts={"number": subscription.number},
            by=by.id)
    return change


def record_retention(change_id: int, note: str, *, by) -> Change:
    """RE-43: how the salesperson tried to keep the buyer."""
    change = get_change(change_id, for_update=True)
    _require(by, REQUESTERS, "记录挽留经过", "record the retention attempt")
    _open(change, "requested")
    if change.kind != "refund":
        raise Conflict("only a refund has a retention attempt", reason_zh="只有退房须记录挽留经过",
                       reason_en="only a refund has a retention attempt")
    change.retention_note = _text(note, "note")
    subscription = get_one(Subscription, change.subscription_id, "subscription")
    check = refund_check(_refund_facts(change, subscription))
    _decide(change, check, outcome=check.outcome(), facts={"retention_note": change.retention_note}, by=by.id)
    db.session.flush()
    if check.next_step == "manager_approval":
        notify(holders(APPROVERS), kind="re.change", rule_id="RE-43", subject_type=SUBJECT, subject_id=change.id,
               title_zh=f"退房申请待批准（{subscription.number}）", dedupe_key=f"RE-43:request:{change.id}",
               title_en=f"refund request awaits your approval ({subscription.number})",
               body_zh=check.reason_zh, body_en=check.reason_en)
    return change


def _approve_refund(change: Change, by) -> None:
    subscription = deal_versions.current_subscription(change.subscription_id)
    check = refund_check(_refund_facts(change, subscription, roles=by.roles))
    if not check.allowed:
        raise units.refusal(check)
    unit = get_one(Unit, subscription.unit_id, "unit")
    units.move(unit, "cancelled", by.roles)
    units.move(unit, "available", (SYSTEM,), customer_id=None, salesperson_id=None)
    cancelled = db.session.execute(update(Subscription).where(Subscription.id == subscription.id,
                                                              Subscription.status == subscription.status)
                                   .values(status="cancelled").execution_options(synchronize_session=False))
    if cancelled.rowcount != 1:
        raise Conflict("the subscription changed meanwhile", rule_id="RE-43", reason_zh="认购书已被他人变更，请刷新后重试",
                       reason_en="the subscription was changed by someone else; reload and try again")
    db.session.refresh(subscription)
    reversal = _reverse_credit(subscription, change, by)
    change.status, change.approved_by, change.decided_at = "approved", by.id, utcnow()
    deposits = [d for d in deal_versions.deposits_of(subscription) if d.refunded_at is None]
    _decide(change, check, by=by.id, outcome={**check.outcome(), "status": change.status,
                                              "credit_reversal": reversal, "deposits": [d.id for d in deposits]},
            facts={"number": subscription.number, "unit": unit.number, "retention_note": change.retention_note})
    if not deposits:
        change.status, change.done_at = "done", utcnow()
    else:
        notify(holders(FINANCE), kind="re.change", rule_id="RE-43", subject_type=SUBJECT, subject_id=change.id,
               title_zh=f"退房已批准，请退还定金¥{check.refund_total:,.2f}（{subscription.number}）",
               title_en=f"refund approved: pay back the deposits ¥{check.refund_total:,.2f} ({subscription.number})",
               dedupe_key=f"RE-43:refund:{change.id}", body_zh=check.reason_zh, body_en=check.reason_en)


def _reverse_credit(subscription: Subscription, change: Change, by) -> int | None:
    """The deal's performance credit goes back through the core (STF-33 under rule RE-43)."""
    if subscription.credit_id is None:
        return None
    from core.staff import credit

    carrier = credit.reverse(credit.get_credit(subscription.credit_id), rule_id="RE-43", by=by.id,
                             reason_zh=f"认购书{subscription.number}退房，业绩冲回",
                             reason_en=f"subscription {subscription.number} refunded: the credit is reversed",
                             facts={"change_id": change.id})
    return carrier.id


def refund_deposit(change_id: int, deposit_id: int, refund_receipt_no: str, *, by) -> Change:
    """RE-43 / RE-32: finance pays one deposit back with its refund receipt number; the last one closes
    the change."""
    change = get_change(change_id, for_update=True)
    deposit = get_one(Deposit, deposit_id, "deposit", for_update=True)
    _require(by, FINANCE, "登记退款（仅限财务）", "record a refund (finance only)")
    _open(change, "approved")
    subscription = get_one(Subscription, change.subscription_id, "subscription")
    owed = [d for d in deal_versions.deposits_of(subscription) if d.refunded_at is None]
    if change.kind != "refund" or deposit.id not in {d.id for d in owed}:
        raise Conflict("this deposit is not owed back on this change", rule_id="RE-43",
                       reason_zh="该定金不属于本次退房或已退还", reason_en="this deposit is not owed back on this refund")
    deposit.refund_receipt_no = _text(refund_receipt_no, "refund_receipt_no", limit=50)
    deposit.refunded_at = utcnow()
    decisions.record("RE-43", SUBJECT, change.id,
                     outcome={"deposit_id": deposit.id, "amount": deposit.amount,
                              "refund_receipt_no": deposit.refund_receipt_no, "left": len(owed) - 1},
                     reason_zh=f"财务退还定金¥{deposit.amount:,.2f}（收据{deposit.receipt_no}，退款单号{deposit.refund_receipt_no}）",
                     reason_en=f"finance paid back the deposit ¥{deposit.amount:,.2f} (receipt {deposit.receipt_no}, "
                               f"refund {deposit.refund_receipt_no})", decided_by=by.id)
    if len(owed) == 1:
        change.status, change.done_at = "done", utcnow()
    db.session.flush()
    return change


# ------------------------------------------------------------------ the steps


def approve(change_id: int, *, by, reason: str | None = None) -> Change:
    """The manager approves a swap that RE-40 does not allow outright, or a refund after the retention
    attempt (RE-43)."""
    change = get_change(change_id, for_update=True)
    _require(by, APPROVERS, "批准（仅限销售经理）", "approve (sales manager only)")
    _open(change, "requested")
    if change.kind == "swap":
        old_unit = get_one(Unit, change.from_unit_id, "unit")
        new_unit = get_one(Unit, change.to_unit_id, "unit")
        check = _swap_check(old_unit, new_unit, by.roles)
        change.status, change.approved_by, change.decided_at = "approved", by.id, utcnow()
        _decide(change, check, outcome={**check.outcome(), "status": change.status},
                facts={**_swap_facts(old_unit, new_unit), "note": _text(reason, "reason", required=False)}, by=by.id)
    elif change.kind == "refund":
        _approve_refund(change, by)
    else:
        raise Conflict("a rename needs no approval", reason_zh="换名无须批准", reason_en="a rename needs no approval")
    db.session.flush()
    return change


def refuse(change_id: int, *, by, reason: str) -> Change:
    """The manager refuses a change that waits for him, with a reason."""
    change = get_change(change_id, for_update=True)
    _require(by, APPROVERS, "驳回（仅限销售经理）", "refuse (sales manager only)")
    _open(change, "requested", "approved")
    if change.kind == "refund" and change.status == "approved":
        raise Conflict("the refund is approved", reason_zh="退房已批准，不能驳回", reason_en="the refund is approved")
    text = _text(reason, "reason")
    rule = {"swap": "RE-40", "rename": "RE-41", "refund": "RE-43"}[change.kind]
    change.status, change.decided_at = "refused", utcnow()
    decision = decisions.record(rule, SUBJECT, change.id, outcome={"status": "refused"}, facts={"reason": text},
                                reason_zh=f"经理驳回{KIND_LABELS[change.kind][0]}申请：{text}",
                                reason_en=f"the manager refused the {KIND_LABELS[change.kind][1]}: {text}", decided_by=by.id)
    change.decision_id = decision.id
    db.session.flush()
    return change


def complete(change_id: int, *, by) -> Subscription:
    """A swap or a rename is done: the deal's next version. 409 while the manager's approval (RE-40) or
    the fee (RE-41) is missing."""
    change = get_change(change_id, for_update=True)
    _require(by, REQUESTERS, "办理变更", "complete a change")
    if change.kind == "refund":
        raise Conflict("a refund completes with its deposit refunds", rule_id="RE-43",
                       reason_zh="退房经理批准后由财务退还定金办结", reason_en="a refund completes once finance refunds the deposits")
    if change.status == "requested" and change.kind == "swap":
        old_unit = get_one(Unit, change.from_unit_id, "unit")
        new_unit = get_one(Unit, change.to_unit_id, "unit")
        raise units.refusal(_swap_check(old_unit, new_unit))
    _open(change, "approved")
    version = _complete_swap(change, by) if change.kind == "swap" else _complete_rename(change, by)
    change.status, change.done_at = "done", utcnow()
    rule = "RE-40" if change.kind == "swap" else "RE-41"
    decision = decisions.record(rule, SUBJECT, change.id,
                                outcome={"status": "done", "subscription_id": version.id, "version": version.version},
                                reason_zh=f"{KIND_LABELS[change.kind][0]}办结：认购书{version.number}第{version.version}版",
                                reason_en=f"{KIND_LABELS[change.kind][1]} done: subscription {version.number} "
                                          f"v{version.version}", decided_by=by.id)
    change.decision_id = decision.id
    db.session.flush()
    return version
