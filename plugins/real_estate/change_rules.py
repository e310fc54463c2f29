"""Changes after the deal, pure: unit swap (换房, RE-40), rename after the contract (换名, RE-41), default
(违约, RE-42) and refunds (退房, RE-43).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.calendar import WorkCalendar
from plugins.real_estate.unit_rules import CONFLICT, FORBIDDEN, MANAGER_ROLES, STATUS

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ RE-40


@dataclass(frozen=True)
class UnitFacts:
    """A unit as the swap rule sees it: number, area in m², price in yuan, popularity class."""

    unit_no: str
    area: Decimal | str
    price: Decimal | str
    popularity: str


@dataclass(frozen=True)
class SwapCheck:
    """RE-40: ``failed`` lists the criteria the swap breaks (``area``, ``price``, ``popularity``); with
    none it is allowed outright, else only with the manager's approval (``conflict``, 409, without)."""

    allowed: bool
    needs_approval: bool
    failed: tuple[str, ...]
    rule_id: str
    reason_zh: str
    reason_en: str
    refusal: str | None = None

    @property
    def status(self) -> int | None:
        return STATUS.get(self.refusal) if self.refusal else None

    def outcome(self) -> dict:
        return {"allowed": self.allowed, "needs_approval": self.needs_approval, "failed": list(self.failed)}


_CRITERIA = {"area": ("面积变小", "smaller area"), "price": ("金额变小", "lower price"),
             "popularity": ("房源更畅销", "a more popular unit")}


def swap_check(settings: dict, old: UnitFacts, new: UnitFacts, *, approved_by_roles=()) -> SwapCheck:
    """RE-40: small → large, good → worse, low → high amount: the new unit's area and price are at least
    the old one's (inclusive) and its popularity class is not higher (``re.units.popularity_classes``,
    most popular first). Otherwise the swap needs the manager's approval (``approved_by_roles``)."""
    classes = list(settings["units"]["popularity_classes"])
    for unit in (old, new):
        if unit.popularity not in classes:
            raise ValueError(f"unit {unit.unit_no}: popularity class {unit.popularity!r} is not one of {classes}")
    failed = []
    if Decimal(str(new.area)) < Decimal(str(old.area)):
        failed.append("area")
    if money(new.price) < money(old.price):
        failed.append("price")
    if classes.index(new.popularity) < classes.index(old.popularity):
        failed.append("popularity")
    what = f"{old.unit_no} → {new.unit_no}"
    if not failed:
        return SwapCheck(True, False, (), "RE-40", f"换房{what}符合以小换大、以好换差、以金额小换金额大",
                         f"swap {what} goes small → large, good → worse, low → high amount: allowed")
    zh = "、".join(_CRITERIA[f][0] for f in failed)
    en = ", ".join(_CRITERIA[f][1] for f in failed)
    if set(approved_by_roles) & set(MANAGER_ROLES):
        return SwapCheck(True, True, tuple(failed), "RE-40", f"换房{what}（{zh}）经经理批准",
                         f"swap {what} ({en}) approved by the manager")
    return SwapCheck(False, True, tuple(failed), "RE-40", f"换房{what}（{zh}）须经经理批准",
                     f"swap {what} ({en}) needs the manager's approval", CONFLICT)


# ------------------------------------------------------------------ RE-41


@dataclass(frozen=True)
class RenameFee:
    """RE-41: the fee due before a rename completes (¥0.00 before the contract)."""

    fee: Decimal
    title_transfer: bool
    rule_id: str
    reason_zh: str
    reason_en: str

    def outcome(self) -> dict:
        return {"fee": str(self.fee), "title_transfer": self.title_transfer, "due_before_rename": self.fee > 0}


def rename_fee(settings: dict, *, contract_signed: bool, price) -> RenameFee:
    """RE-41: before the contract a rename is free; after it, it is a title transfer charged
    ``re.rename.fee`` — ``fixed`` yuan, or ``percent`` of the contract price (half-up to the fen)."""
    if not contract_signed:
        return RenameFee(Decimal("0.00"), False, "RE-41", "签约前换名，不收费", "rename before the contract: free")
    fee_setting = settings["rename"]["fee"]
    value = Decimal(str(fee_setting["value"]))
    if fee_setting["kind"] == "percent":
        fee = money(money(price) * value / HUNDRED)
        how_zh, how_en = f"房价¥{money(price):,.2f}的{value}%", f"{value}% of ¥{money(price):,.2f}"
    else:
        fee = money(value)
        how_zh, how_en = "固定金额", "fixed amount"
    return RenameFee(fee, True, "RE-41", f"签约后换名视为更名过户，收取更名费¥{fee:,.2f}（{how_zh}），缴清后方可办理",
                     f"rename after the contract is a title transfer: fee ¥{fee:,.2f} ({how_en}) due before it "
                     "completes")


# ------------------------------------------------------------------ RE-42


@dataclass(frozen=True)
class DefaultStatus:
    """RE-42 for one instalment on ``today``: ``stage`` is ``current`` (paid, or not yet overdue),
    ``notice`` (a payment-demand notice is due, on ``notice_on``) or ``breach`` (breach-of-contract
    handling, a manager task, from ``breach_from``)."""

    instalment_id: int
    stage: str
    notice_on: dt.date
    breach_from: dt.date
    rule_id: str
    reason_zh: str
    reason_en: str

    def outcome(self) -> dict:
        return {"instalment_id": self.instalment_id, "stage": self.stage, "notice_on": self.notice_on.isoformat(),
                "breach_from": self.breach_from.isoformat()}


def default_dates(settings: dict, cal: WorkCalendar, due_on: dt.date) -> tuple[dt.date, dt.date]:
    """RE-42: (the notice day, the first day of breach handling) for an instalment due on ``due_on``.

    The notice goes out on the last day of ``re.default.notice_after`` counted from the due date (1 day:
    the day after it); breach handling starts once the default has lasted more than
    ``re.default.breach_after`` — the day after that period (CAL-05, start day not counted): due
    2026-03-10 → notice 2026-03-11, 2 months through 05-10, breach from 2026-05-11. Internal deadlines:
    no roll over holidays."""
    start = cal.start_of_day(due_on)
    notice_on = cal.add_duration(start, settings["default"]["notice_after"]).through
    breach_through = cal.add_duration(start, settings["default"]["breach_after"]).through
    return notice_on, breach_through + dt.timedelta(days=1)


def default_status(settings: dict, cal: WorkCalendar, *, instalment_id: int, due_on: dt.date,
                   paid_on: dt.date | None, today: dt.date) -> DefaultStatus:
    """RE-42: where an instalment due on ``due_on`` stands on ``today`` (paid on ``paid_on`` or not)."""
    notice_on, breach_from = default_dates(settings, cal, due_on)
    if paid_on is not None and paid_on <= due_on:
        return DefaultStatus(instalment_id, "current", notice_on, breach_from, "RE-42", "已按期付款", "paid on time")
    if paid_on is not None and paid_on <= today:
        return DefaultStatus(instalment_id, "current", notice_on, breach_from, "RE-42",
                             f"逾期款已于{paid_on}付清", f"the overdue instalment was paid on {paid_on}")
    if today < notice_on:
        return DefaultStatus(instalment_id, "current", notice_on, breach_from, "RE-42",
                             f"{due_on}到期，尚未逾期", f"due {due_on}, not overdue yet")
    if today < breach_from:
        return DefaultStatus(instalment_id, "notice", notice_on, breach_from, "RE-42",
                             f"{due_on}到期未付款，{notice_on}发出催款通知单；{breach_from}起仍未付则进入违约处理",
                             f"instalment due {due_on} unpaid: payment-demand notice on {notice_on}; breach handling "
                             f"from {breach_from} if still unpaid")
    return DefaultStatus(instalment_id, "breach", notice_on, breach_from, "RE-42",
                         f"{due_on}到期款逾期超过{settings['default']['breach_after']}，自{breach_from}起按违约处理（经理）",
                         f"instalment due {due_on} unpaid for more than {settings['default']['breach_after']}: breach "
                         f"handling from {breach_from} (manager)")


# ------------------------------------------------------------------ RE-43


@dataclass(frozen=True)
class RefundFacts:
    """A refund request (退房): when it was made, when the contract was signed (None: subscription
    only), whether a retention attempt is logged, the roles of who approves (empty: nobody yet), the
    deposits paid (yuan)."""

    unit_id: int
    requested_on: dt.date
    contract_signed_on: dt.date | None
    retention_logged: bool = False
    approver_roles: frozenset[str] = field(default_factory=frozenset)
    deposits: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class RefundCheck:
    """RE-43: allowed → the unit is cancelled and available again, finance refunds ``refund_total``;
    else ``refusal`` (``conflict`` 409: after the contract, or no retention attempt yet; ``forbidden``
    403: no manager's approval) and ``next_step`` (``retention_attempt`` / ``manager_approval``)."""

    allowed: bool
    rule_id: str
    reason_zh: str
    reason_en: str
    refusal: str | None = None
    next_step: str | None = None
    unit_state: str | None = None
    refund_total: Decimal | None = None
    refunded_by: str | None = None

    @property
    def status(self) -> int | None:
        return STATUS.get(self.refusal) if self.refusal else None

    def outcome(self) -> dict:
        return {"allowed": self.allowed, "next_step": self.next_step, "unit_state": self.unit_state,
                "refund_total": str(self.refund_total) if self.refund_total is not None else None,
                "refunded_by": self.refunded_by, "refusal": self.refusal}


def refund_check(facts: RefundFacts) -> RefundCheck:
    """RE-43: refused in principle. After the contract (signed on or before the request): refused (409).
    Before it: a retention attempt is recorded first (409 until then), then the manager may approve
    (403 until then); approved → the unit is available again and finance refunds the deposits."""
    if facts.contract_signed_on is not None and facts.contract_signed_on <= facts.requested_on:
        return RefundCheck(False, "RE-43", f"合同已于{facts.contract_signed_on}签订，坚决不退房",
                           f"the contract was signed on {facts.contract_signed_on}: no refund after the contract",
                           refusal=CONFLICT)
    if not facts.retention_logged:
        return RefundCheck(False, "RE-43", "退房原则上不予办理：须先记录挽留客户的经过",
                           "refunds are refused in principle: record the retention attempt first",
                           refusal=CONFLICT, next_step="retention_attempt")
    if not set(facts.approver_roles) & set(MANAGER_ROLES):
        return RefundCheck(False, "RE-43", "挽留未果，退房须经销售经理批准",
                           "retention failed: the refund needs the sales manager's approval",
                           refusal=FORBIDDEN, next_step="manager_approval")
    total = sum((money(d) for d in facts.deposits), Decimal("0.00"))
    return RefundCheck(True, "RE-43", f"挽留未果，经理批准退房：房源恢复可售，财务退还定金¥{total:,.2f}",
                       f"retention failed, refund approved by the manager: the unit is available again, finance "
                       f"refunds the deposits (¥{total:,.2f})",
                       unit_state="available", refund_total=total, refunded_by="finance")
