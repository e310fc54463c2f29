"""Referrals and points (DOMAIN.md 3.5, CUS-40..CUS-44) as pure rules.

Pure functions of (policy values, facts, now) → outcome; no database, no Flask. Each outcome carries the
rule id, the facts used (with record ids) and a reason in Chinese and English (:class:`Decided`, shared
with :mod:`core.customers.assignment.rules`); ``record_kwargs()`` gives the arguments of
``core.decisions.service.record``.

Settings (the ``cus`` policy document; :class:`PointsPolicySchema`, spec defaults)::

    cus.referral.owner_rule = normal_claim        CUS-40  alt referrer_owner (RE) | direct_relationship (CAR)
    cus.referral.cash_reward = 0                  CUS-44  yuan, Decimal 2 places half-up (CAR 200)
    cus.referral.cash_reward_kind = cash          CUS-44  alt fuel   (not in the spec: label for finance)
    cus.points.referral_attendance = 100          CUS-42
    cus.points.once_per_referee = true            CUS-42
    cus.points.per_1000 = 100                     CUS-43
    cus.points.rounding = floor                   CUS-43  alt pro_rata
    cus.points.scope = event_sales                CUS-43  alt all_sales

Points are integers; money is ``Decimal`` with 2 places, half-up (section 1). The ledger is append-only
(CUS-41): an entry is never edited; a correction is a reversal entry of the opposite sign that names the
original in ``reverses``; reversals of one entry never exceed it in total. The balance cannot go
negative through spending, only through reversing points already spent (it then shows the debt).

Public API:

- CUS-40: :class:`Referral`, :func:`referee_owner`
- CUS-41: :class:`PointsEntry`, :func:`balance`, :func:`reversed_points`, :func:`append_entry`,
  :func:`reverse_entry`, :func:`spend_points`
- CUS-42: :class:`Attendance`, :func:`attendance_points`
- CUS-43: :class:`Purchase`, :class:`Refund`, :func:`points_for_amount`, :func:`purchase_points`,
  :func:`refund_points`
- CUS-44: :class:`Deal`, :class:`CashReward`, :func:`cash_referral_reward`, :func:`reverse_cash_reward`

Policy versions: a refund is judged with the settings in force when the purchase was made (pass that
version), so a reversal always undoes exactly what the purchase earned.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from core.customers.assignment.rules import DEFAULT_TIMEZONE, Decided
from core.errors import InvalidInput

OWNER_RULES = ("normal_claim", "referrer_owner", "direct_relationship")
ROUNDINGS = ("floor", "pro_rata")
SALES_SCOPES = ("event_sales", "all_sales")
REWARD_KINDS = ("cash", "fuel")
CENT = Decimal("0.01")
THOUSAND = Decimal(1000)


def money(value: Any) -> Decimal:
    """Section 1: CNY as ``Decimal`` with 2 places, half-up."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"¥{money(value):,.2f}"


def _day(at: dt.datetime, timezone: str) -> str:
    """The local date of ``at`` for a reason text (tenant time zone, section 1)."""
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo(timezone))
    return at.date().isoformat()


# --------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------


def _one_of(choices: Sequence[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class PointsSchema(Schema):
    """``cus.points`` (CUS-42, CUS-43)."""

    referral_attendance = fields.Integer(strict=True, validate=validate.Range(min=0), load_default=100)
    once_per_referee = fields.Boolean(load_default=True)
    per_1000 = fields.Integer(strict=True, validate=validate.Range(min=0), load_default=100)
    rounding = fields.String(validate=_one_of(ROUNDINGS), load_default="floor")
    scope = fields.String(validate=_one_of(SALES_SCOPES), load_default="event_sales")


class ReferralSchema(Schema):
    """``cus.referral`` (CUS-40, CUS-44)."""

    owner_rule = fields.String(validate=_one_of(OWNER_RULES), load_default="normal_claim")
    cash_reward = fields.Decimal(places=2, rounding=ROUND_HALF_UP, as_string=True,
                                 validate=validate.Range(min=0), load_default=lambda: Decimal("0.00"))
    cash_reward_kind = fields.String(validate=_one_of(REWARD_KINDS), load_default="cash")


class PointsPolicySchema(Schema):
    """The referral and points part of the ``cus`` policy document (CUS-40..CUS-44). ``load({})`` → defaults."""

    points = fields.Nested(PointsSchema, load_default=lambda: PointsSchema().load({}))
    referral = fields.Nested(ReferralSchema, load_default=lambda: ReferralSchema().load({}))


def load_points_policy(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate and load the referral and points settings (``{}`` or ``None`` → all defaults)."""
    return PointsPolicySchema().load(dict(raw or {}))


_DEFAULTS = PointsPolicySchema().load({})


def _section(settings: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    given = (settings or {}).get(name) or {}
    return {**_DEFAULTS[name], **given}


# --------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Referral:
    """CUS-40: referee ``referee_id`` was brought by customer ``referrer_id``, whose owner (performance
    owner / original receiver) was ``referrer_owner_id`` when the referral was recorded."""

    id: int | None
    referee_id: int
    referrer_id: int
    referrer_owner_id: int | None = None
    at: dt.datetime | None = None
    referee_label: str = ""
    referrer_label: str = ""

    @property
    def referee(self) -> str:
        return self.referee_label or f"#{self.referee_id}"

    @property
    def referrer(self) -> str:
        return self.referrer_label or f"#{self.referrer_id}"


@dataclass(frozen=True)
class Attendance:
    """CUS-42: customer ``customer_id`` at meeting ``event_id`` (``attended = false``: invited only)."""

    id: int | None
    customer_id: int
    event_id: int | None
    at: dt.datetime
    attended: bool = True


@dataclass(frozen=True)
class Purchase:
    """CUS-43: a sale to ``customer_id``; ``event_id`` when made at a club event."""

    id: int
    customer_id: int
    amount: Decimal
    at: dt.datetime
    event_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", money(self.amount))


@dataclass(frozen=True)
class Refund:
    """CUS-43: part or all of purchase ``purchase_id`` refunded."""

    id: int
    purchase_id: int
    amount: Decimal
    at: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", money(self.amount))


@dataclass(frozen=True)
class Deal:
    """CUS-44: the referee's deal; ``recognised_at`` when performance was counted (``None``: not
    recognised, e.g. only a test drive); ``reversed_at`` when it was reversed."""

    id: int
    customer_id: int
    recognised_at: dt.datetime | None = None
    reversed_at: dt.datetime | None = None


# --------------------------------------------------------------------------------------------------
# CUS-40 · referral link and ownership of the referee
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReferralOwnership(Decided):
    """CUS-40 outcome: the referee's owner; with ``arbitration`` the owner is provisional and a CUS-27
    case opens between ``parties`` before ``arbiter``."""

    referee_id: int
    owner_id: int | None
    owner_rule: str
    arbitration: bool = False
    arbiter: str | None = None
    parties: tuple[int, ...] = ()

    def subject_id(self) -> int | None:
        return self.referee_id

    def outcome(self) -> dict[str, Any]:
        return {"owner_id": self.owner_id, "owner_rule": self.owner_rule, "arbitration": self.arbitration,
                "arbiter": self.arbiter, "parties": list(self.parties)}


def referee_owner(settings: Mapping[str, Any] | None, referral: Referral, *, claim_owner_id: int | None,
                  claimed_staff_id: int | None = None, relationship_confirmed: bool = False,
                  arbiter: str = "supervisor", names: Mapping[int, str] | None = None,
                  rule_id: str = "CUS-40") -> ReferralOwnership:
    """CUS-40: who owns a referred customer, by ``cus.referral.owner_rule``.

    - ``normal_claim``: whoever holds the normal claim (``claim_owner_id``: rotation, register, CUS-21).
    - ``referrer_owner`` (RE-21): the referrer's owner recorded on the referral; if it has none, the
      normal claim.
    - ``direct_relationship`` (CAR-19): the normal claim, unless a staff member ``claimed_staff_id``
      claims the direct relationship: confirmed (shown, or ruled by the group leader) → that person;
      not yet confirmed → the claim owner provisionally and an arbitration case (CUS-27) before
      ``arbiter`` (the service passes ``cus.arbitration.arbiter``; CUS-40 names the supervisor).

    ``rule_id`` lets a plugin record the decision under its own rule (``RE-21``, ``CAR-19``).
    """
    rule = _section(settings, "referral")["owner_rule"]
    names = names or {}

    def name(sid: int | None) -> str:
        return "—" if sid is None else names.get(sid, f"#{sid}")

    facts: dict[str, Any] = {
        "referral": {"id": referral.id, "referee_id": referral.referee_id, "referrer_id": referral.referrer_id,
                     "referrer_owner_id": referral.referrer_owner_id, "at": referral.at},
        "claim_owner_id": claim_owner_id, "claimed_staff_id": claimed_staff_id,
        "relationship_confirmed": relationship_confirmed, "owner_rule": rule,
    }
    ref_zh = f"{referral.referee}由老客户{referral.referrer}介绍"
    ref_en = f"{referral.referee} was referred by customer {referral.referrer}"
    tail_zh, tail_en = f"依据{rule_id}。", f"Under {rule_id}."

    def result(owner, zh, en, **extra):
        return ReferralOwnership(rule_id=rule_id, facts=facts, reason_zh=f"{ref_zh}；{zh}。{tail_zh}",
                                 reason_en=f"{ref_en}; {en}. {tail_en}", referee_id=referral.referee_id,
                                 owner_id=owner, owner_rule=rule, **extra)

    if rule == "referrer_owner":
        if referral.referrer_owner_id is not None:
            return result(referral.referrer_owner_id,
                          f"按老带新规则归老客户的原接待人{name(referral.referrer_owner_id)}"
                          f"（本次接待人{name(claim_owner_id)}不改变归属）",
                          f"a referred customer belongs to the referrer's original receiver "
                          f"{name(referral.referrer_owner_id)} (today's receiver {name(claim_owner_id)} "
                          f"does not change that)")
        return result(claim_owner_id, f"老客户无原接待人记录，按正常登记归{name(claim_owner_id)}",
                      f"the referrer has no recorded owner, so the normal claim of {name(claim_owner_id)} decides")
    if rule == "direct_relationship" and claimed_staff_id is not None and claimed_staff_id != claim_owner_id:
        if relationship_confirmed:
            return result(claimed_staff_id,
                          f"经确认{name(claimed_staff_id)}与客户有直接关系，归{name(claimed_staff_id)}",
                          f"{name(claimed_staff_id)} is shown to have the direct relationship and owns the customer")
        return result(claim_owner_id,
                      f"{name(claimed_staff_id)}声称与客户有直接关系，暂归接待人{name(claim_owner_id)}，"
                      f"提交{arbiter}判客（CUS-27）",
                      f"{name(claimed_staff_id)} claims a direct relationship; {name(claim_owner_id)} keeps the "
                      f"customer provisionally and an arbitration case (CUS-27) goes to the {arbiter}",
                      arbitration=True, arbiter=arbiter, parties=(claim_owner_id, claimed_staff_id))
    return result(claim_owner_id, f"按正常登记规则归{name(claim_owner_id)}",
                  f"the normal claim decides: {name(claim_owner_id)}")


# --------------------------------------------------------------------------------------------------
# CUS-41 · points ledger
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PointsEntry(Decided):
    """One ledger entry (CUS-41): ± integer points for ``customer_id`` at ``at``; ``source_type`` /
    ``source_id`` name the record it came from (attendance, purchase, refund, spend...);
    ``referee_id`` the referee it rewards; ``reverses`` the entry it reverses. ``id`` is ``None``
    until stored (:func:`append_entry` numbers entries of a pure ledger)."""

    id: int | None = None
    customer_id: int
    points: int
    at: dt.datetime
    source_type: str
    source_id: int | None = None
    referee_id: int | None = None
    reverses: int | None = None

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"points": self.points, "reverses": self.reverses, "source_type": self.source_type,
                "source_id": self.source_id, "referee_id": self.referee_id}


def balance(entries: Iterable[PointsEntry]) -> int:
    """CUS-41: the balance is the sum of the entries."""
    return sum(e.points for e in entries)


def reversed_points(entries: Iterable[PointsEntry], entry_id: int) -> int:
    """CUS-41: the points of all reversals of entry ``entry_id`` (opposite sign to it, or 0)."""
    if entry_id is None:
        return 0
    return sum(e.points for e in entries if e.reverses == entry_id)


def _ledger_error(message: str, field_name: str = "points") -> InvalidInput:
    return InvalidInput("invalid points entry", fields={field_name: [message]})


def append_entry(entries: Sequence[PointsEntry], entry: PointsEntry) -> tuple[PointsEntry, ...]:
    """CUS-41: the ledger with ``entry`` appended (entries are never edited or removed).

    Refused (:class:`~core.errors.InvalidInput`): zero or non-integer points, another customer's
    ledger, an id already used, a reversal of an unknown entry or of a reversal, a reversal with the
    same sign as its original or beyond it in total, a plain debit larger than the balance. An entry
    without ``id`` gets the next number.
    """
    entries = tuple(entries)
    if isinstance(entry.points, bool) or not isinstance(entry.points, int) or entry.points == 0:
        raise _ledger_error("Points must be a non-zero integer.")
    if entries and entry.customer_id != entries[0].customer_id:
        raise _ledger_error("The entry belongs to another customer's ledger.", "customer_id")
    ids = {e.id for e in entries}
    if entry.id is not None and entry.id in ids:
        raise _ledger_error(f"Entry #{entry.id} exists; entries are never edited, only reversed.", "id")
    if entry.reverses is not None:
        original = next((e for e in entries if e.id == entry.reverses), None)
        if original is None:
            raise _ledger_error(f"No entry #{entry.reverses} to reverse.", "reverses")
        if original.reverses is not None:
            raise _ledger_error("A reversal cannot itself be reversed; append a new entry.", "reverses")
        if (original.points > 0) == (entry.points > 0):
            raise _ledger_error("A reversal has the opposite sign of the entry it reverses.")
        if abs(reversed_points(entries, original.id) + entry.points) > abs(original.points):
            raise _ledger_error(f"Reversals of entry #{original.id} would exceed its {original.points} points.")
    elif entry.points < 0 and balance(entries) + entry.points < 0:
        raise _ledger_error(f"Balance {balance(entries)} does not cover {entry.points} points.")
    if entry.id is None:
        numbered = [e.id for e in entries if e.id is not None]
        entry = replace(entry, id=(max(numbered) + 1) if numbered else 1)
    return entries + (entry,)


def reverse_entry(entries: Sequence[PointsEntry], original_id: int, *, at: dt.datetime, points: int | None = None,
                  source_type: str = "reversal", source_id: int | None = None, reason_zh: str = "",
                  reason_en: str = "", rule_id: str | None = None,
                  facts: Mapping[str, Any] | None = None) -> PointsEntry:
    """CUS-41: a reversal of entry ``original_id`` (all that is not yet reversed, or ``points`` of it,
    given with either sign). The entry is returned, not appended: pass it to :func:`append_entry`."""
    original = next((e for e in entries if e.id == original_id), None)
    if original is None:
        raise _ledger_error(f"No entry #{original_id} to reverse.", "reverses")
    remaining = original.points + reversed_points(entries, original_id)
    amount = -remaining if points is None else -abs(points) if original.points > 0 else abs(points)
    if amount == 0:
        raise _ledger_error(f"Entry #{original_id} is already fully reversed.", "reverses")
    rule = rule_id or original.rule_id
    return PointsEntry(
        rule_id=rule, customer_id=original.customer_id, points=amount, at=at, source_type=source_type,
        source_id=source_id, referee_id=original.referee_id, reverses=original_id,
        facts=dict(facts or {"original": {"id": original_id, "points": original.points}}),
        reason_zh=reason_zh or (f"冲销第{original_id}条积分记录（原{original.points}分）{amount:+d}分。"
                                f"依据{rule}、CUS-41。"),
        reason_en=reason_en or (f"Reversal of entry #{original_id} ({original.points} points): {amount:+d}. "
                                f"Under {rule} and CUS-41."),
    )


def spend_points(entries: Sequence[PointsEntry], customer_id: int, points: int, *, at: dt.datetime,
                 source_type: str = "redemption", source_id: int | None = None, reason_zh: str = "",
                 reason_en: str = "") -> PointsEntry:
    """CUS-41: a debit of ``points`` (> 0) when the balance covers it; refused otherwise."""
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise _ledger_error("Points to spend must be a positive integer.")
    current = balance(entries)
    if points > current:
        raise _ledger_error(f"Balance {current} does not cover {points} points.")
    return PointsEntry(
        rule_id="CUS-41", customer_id=customer_id, points=-points, at=at, source_type=source_type,
        source_id=source_id, facts={"balance_before": current, "source": {"type": source_type, "id": source_id}},
        reason_zh=reason_zh or f"使用积分{points}分（余额{current}→{current - points}）。依据CUS-41。",
        reason_en=reason_en or f"{points} points spent (balance {current} → {current - points}). Under CUS-41.",
    )


@dataclass(frozen=True, kw_only=True)
class PointsAward(Decided):
    """The outcome of a points rule (CUS-42, CUS-43): ``points`` (0 when nothing is earned, with the
    reason) and the ``entry`` to append to the referrer's ledger, if any."""

    customer_id: int
    points: int
    entry: PointsEntry | None = None

    def subject_id(self) -> int | None:
        return self.customer_id

    def outcome(self) -> dict[str, Any]:
        return {"points": self.points, "reverses": self.entry.reverses if self.entry else None}


def _award(rule_id: str, customer_id: int, points: int, facts: dict, zh: str, en: str, *, at: dt.datetime,
           source_type: str, source_id: int | None, referee_id: int | None,
           reverses: int | None = None) -> PointsAward:
    entry = None
    if points:
        entry = PointsEntry(rule_id=rule_id, customer_id=customer_id, points=points, at=at, source_type=source_type,
                            source_id=source_id, referee_id=referee_id, reverses=reverses, facts=facts,
                            reason_zh=zh, reason_en=en)
    return PointsAward(rule_id=rule_id, facts=facts, reason_zh=zh, reason_en=en, customer_id=customer_id,
                       points=points, entry=entry)


def _live(entries: Iterable[PointsEntry], rule_id: str) -> list[PointsEntry]:
    """Originals of ``rule_id`` that are not fully reversed."""
    entries = list(entries)
    return [e for e in entries if e.rule_id == rule_id and e.reverses is None
            and e.points + reversed_points(entries, e.id) != 0]


# --------------------------------------------------------------------------------------------------
# CUS-42 · points per referred attendee
# --------------------------------------------------------------------------------------------------


def attendance_points(settings: Mapping[str, Any] | None, referral: Referral, attendance: Attendance,
                      referrer_entries: Iterable[PointsEntry], *, timezone: str = DEFAULT_TIMEZONE) -> PointsAward:
    """CUS-42: the referrer earns ``cus.points.referral_attendance`` (100) when the referee attends a
    meeting; with ``once_per_referee`` (default) only for the first attendance (an earlier award for
    the referee that is not fully reversed blocks it). The same attendance never earns twice."""
    if attendance.customer_id != referral.referee_id:
        raise InvalidInput("attendance of another customer", fields={"attendance": ["Not the referee's attendance."]})
    cfg = _section(settings, "points")
    entries = list(referrer_entries)
    facts = {"referral": {"id": referral.id, "referee_id": referral.referee_id, "referrer_id": referral.referrer_id},
             "attendance": {"id": attendance.id, "event_id": attendance.event_id, "at": attendance.at,
                            "attended": attendance.attended},
             "referral_attendance": cfg["referral_attendance"], "once_per_referee": cfg["once_per_referee"]}
    head_zh = f"老客户{referral.referrer}介绍的新客户{referral.referee}"
    head_en = f"{referral.referee}, referred by customer {referral.referrer},"
    kw = dict(at=attendance.at, source_type="attendance", source_id=attendance.id, referee_id=referral.referee_id)
    if not attendance.attended:
        return _award("CUS-42", referral.referrer_id, 0, facts, f"{head_zh}受邀但未到会，不奖励积分。依据CUS-42。",
                      f"{head_en} was invited but did not attend; no points. Under CUS-42.", **kw)
    if any(e.source_type == "attendance" and e.source_id == attendance.id and e.source_id is not None
           for e in _live(entries, "CUS-42")):
        return _award("CUS-42", referral.referrer_id, 0, facts, f"{head_zh}本次到会已奖励过积分。依据CUS-42。",
                      f"{head_en} already earned points for this attendance. Under CUS-42.", **kw)
    earlier = [e for e in _live(entries, "CUS-42") if e.referee_id == referral.referee_id]
    if cfg["once_per_referee"] and earlier:
        facts["earlier_award"] = earlier[0].id
        return _award("CUS-42", referral.referrer_id, 0, facts,
                      f"{head_zh}再次到会；每位新客户只奖励一次（首次到会已奖励），本次0分。依据CUS-42。",
                      (f"{head_en} attended again; points are earned once per referee (first attendance), so 0 now. "
                       f"Under CUS-42."),
                      **kw)
    points = cfg["referral_attendance"]
    if not points:
        return _award("CUS-42", referral.referrer_id, 0, facts, f"{head_zh}到会；本租户不设到会积分。依据CUS-42。",
                      f"{head_en} attended; the tenant awards no attendance points. Under CUS-42.", **kw)
    return _award("CUS-42", referral.referrer_id, points, facts,
                  f"{head_zh}参加{_day(attendance.at, timezone)}会议，"
                  f"老客户{referral.referrer}获{points}分。依据CUS-42。",
                  (f"{head_en} attended the meeting on {_day(attendance.at, timezone)}; {referral.referrer} earns "
                   f"{points} points. Under CUS-42."),
                  **kw)


# --------------------------------------------------------------------------------------------------
# CUS-43 · points per ¥1,000 of a referee's purchase
# --------------------------------------------------------------------------------------------------


def points_for_amount(settings: Mapping[str, Any] | None, amount: Decimal | int | str) -> int:
    """CUS-43: points for a (net) amount: ``floor`` → ``per_1000`` per *full* ¥1,000; ``pro_rata`` →
    ``amount × per_1000 / 1000`` rounded down to a whole point. Negative amounts count as 0."""
    cfg = _section(settings, "points")
    net = max(money(amount), Decimal(0))
    per = Decimal(cfg["per_1000"])
    if cfg["rounding"] == "pro_rata":
        return int((net * per / THOUSAND).to_integral_value(rounding=ROUND_FLOOR))
    return int((net / THOUSAND).to_integral_value(rounding=ROUND_FLOOR)) * int(per)


def _rounding_text(cfg: Mapping[str, Any]) -> tuple[str, str]:
    if cfg["rounding"] == "pro_rata":
        return "按比例折算", "pro rata"
    return "每满¥1,000计", "per full ¥1,000"


def purchase_points(settings: Mapping[str, Any] | None, referral: Referral, purchase: Purchase,
                    referrer_entries: Iterable[PointsEntry] = ()) -> PointsAward:
    """CUS-43: the referrer earns :func:`points_for_amount` of the referee's purchase; with
    ``cus.points.scope = event_sales`` (default) only purchases made at a club event count. A
    purchase already awarded earns nothing more."""
    if purchase.customer_id != referral.referee_id:
        raise InvalidInput("purchase of another customer", fields={"purchase": ["Not the referee's purchase."]})
    cfg = _section(settings, "points")
    rz, re_ = _rounding_text(cfg)
    facts = {"referral": {"id": referral.id, "referee_id": referral.referee_id, "referrer_id": referral.referrer_id},
             "purchase": {"id": purchase.id, "amount": purchase.amount, "event_id": purchase.event_id,
                          "at": purchase.at},
             "per_1000": cfg["per_1000"], "rounding": cfg["rounding"], "scope": cfg["scope"]}
    head_zh = f"老客户{referral.referrer}介绍的新客户{referral.referee}购买{_yuan(purchase.amount)}"
    head_en = f"{referral.referee}, referred by customer {referral.referrer}, bought {_yuan(purchase.amount)}"
    kw = dict(at=purchase.at, source_type="purchase", source_id=purchase.id, referee_id=referral.referee_id)
    if cfg["scope"] == "event_sales" and purchase.event_id is None:
        return _award("CUS-43", referral.referrer_id, 0, facts, f"{head_zh}，非活动现场销售，不计积分。依据CUS-43。",
                      f"{head_en} outside a club event; only event sales earn points. Under CUS-43.", **kw)
    if any(e.source_type == "purchase" and e.source_id == purchase.id for e in referrer_entries
           if e.rule_id == "CUS-43" and e.reverses is None):
        return _award("CUS-43", referral.referrer_id, 0, facts, f"{head_zh}，该笔销售已计过积分。依据CUS-43。",
                      f"{head_en}; this purchase already earned its points. Under CUS-43.", **kw)
    points = points_for_amount(settings, purchase.amount)
    return _award("CUS-43", referral.referrer_id, points, facts,
                  f"{head_zh}，{rz}{cfg['per_1000']}分，老客户{referral.referrer}获{points}分。依据CUS-43。",
                  (f"{head_en}; at {cfg['per_1000']} points {re_}, {referral.referrer} earns {points} points. Under "
                   f"CUS-43."),
                  **kw)


def refund_points(settings: Mapping[str, Any] | None, referral: Referral, purchase: Purchase,
                  refunds: Iterable[Refund], referrer_entries: Iterable[PointsEntry]) -> PointsAward:
    """CUS-43: after refunds, the points of the purchase are recomputed on the net amount
    (``purchase − all its refunds``, not below 0) and the difference is a reversal entry referencing
    the purchase's entry. ``refunds`` are all refunds of the purchase so far; the last one is the
    source. Nothing to reverse (no original entry, or the net still earns what is left) → 0."""
    refunds = sorted(refunds, key=lambda r: (r.at, r.id))
    if not refunds:
        raise InvalidInput("no refund", fields={"refunds": ["At least one refund is needed."]})
    if any(r.purchase_id != purchase.id for r in refunds):
        raise InvalidInput("refund of another purchase", fields={"refunds": ["A refund of another purchase."]})
    entries = list(referrer_entries)
    cfg = _section(settings, "points")
    refunded = sum((r.amount for r in refunds), Decimal("0.00"))
    net = max(purchase.amount - refunded, Decimal("0.00"))
    last = refunds[-1]
    original = next((e for e in entries if e.rule_id == "CUS-43" and e.source_type == "purchase"
                     and e.source_id == purchase.id and e.reverses is None), None)
    target = points_for_amount(settings, net)
    facts = {"referral": {"id": referral.id, "referee_id": referral.referee_id, "referrer_id": referral.referrer_id},
             "purchase": {"id": purchase.id, "amount": purchase.amount},
             "refunds": [{"id": r.id, "amount": r.amount, "at": r.at} for r in refunds],
             "net": net, "points_due": target, "original_entry": original.id if original else None,
             "per_1000": cfg["per_1000"], "rounding": cfg["rounding"]}
    kw = dict(at=last.at, source_type="refund", source_id=last.id, referee_id=referral.referee_id)
    amounts = f"{_yuan(purchase.amount)}，退款{_yuan(refunded)}，净额{_yuan(net)}"
    amounts_en = f"{_yuan(purchase.amount)} with {_yuan(refunded)} refunded, net {_yuan(net)}"
    if original is None:
        return _award("CUS-43", referral.referrer_id, 0, facts,
                      f"新客户{referral.referee}购买{amounts}；原销售未计积分，无需冲销。依据CUS-43。",
                      (f"{referral.referee}'s purchase of {amounts_en} earned no points; nothing to reverse. Under "
                       f"CUS-43."),
                      **kw)
    if original.id is None:
        raise InvalidInput("entry not stored", fields={"entries": ["The purchase's points entry has no id yet."]})
    standing = original.points + reversed_points(entries, original.id)
    delta = target - standing
    facts["points_standing"] = standing
    if delta >= 0:
        return _award("CUS-43", referral.referrer_id, 0, facts,
                      f"新客户{referral.referee}购买{amounts}，应得{target}分，现有{standing}分，无需冲销。依据CUS-43。",
                      f"{referral.referee}'s purchase of {amounts_en} earns {target} points and {standing} stand; "
                      f"nothing to reverse. Under CUS-43.", **kw)
    return _award("CUS-43", referral.referrer_id, delta, facts,
                  f"新客户{referral.referee}购买{amounts}，按净额应得{target}分，冲销老客户{referral.referrer}的积分"
                  f"{-delta}分（冲销第{original.id}条记录）。依据CUS-43、CUS-41。",
                  f"{referral.referee}'s purchase of {amounts_en} earns {target} points; {referral.referrer}'s "
                  f"entry #{original.id} is reversed by {delta}. Under CUS-43 and CUS-41.",
                  reverses=original.id, **kw)


# --------------------------------------------------------------------------------------------------
# CUS-44 · cash referral reward
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CashReward(Decided):
    """CUS-44: a reward owed to the referrer (paid by finance), or its reversal (negative ``amount``,
    ``reverses`` = the reward's id)."""

    id: int | None = None
    referrer_id: int
    referee_id: int
    deal_id: int
    amount: Decimal
    kind: str = "cash"
    at: dt.datetime
    reverses: int | None = None

    def subject_id(self) -> int | None:
        return self.referrer_id

    def outcome(self) -> dict[str, Any]:
        return {"amount": self.amount, "kind": self.kind, "deal_id": self.deal_id, "reverses": self.reverses}


@dataclass(frozen=True, kw_only=True)
class RewardDecision(Decided):
    """The outcome of CUS-44: ``reward`` to store (``None`` when nothing is owed, with the reason)."""

    referrer_id: int
    reward: CashReward | None = None

    def subject_id(self) -> int | None:
        return self.referrer_id

    def outcome(self) -> dict[str, Any]:
        return {"reward": self.reward.outcome() if self.reward else None}


def _standing_rewards(rewards: Iterable[CashReward], referee_id: int) -> list[CashReward]:
    rewards = list(rewards)
    return [r for r in rewards if r.referee_id == referee_id and r.reverses is None
            and r.amount + sum((x.amount for x in rewards if x.reverses == r.id and r.id is not None),
                               Decimal(0)) != 0]


def cash_referral_reward(settings: Mapping[str, Any] | None, referral: Referral, deal: Deal | None,
                         prior_rewards: Iterable[CashReward] = (), *,
                         timezone: str = DEFAULT_TIMEZONE) -> RewardDecision:
    """CUS-44: ``cus.referral.cash_reward`` (yuan) is owed to the referrer when the referee's deal is
    recognised, once per referee (a reward not reversed blocks another). No deal, an unrecognised or
    reversed deal, or a reward of 0 → nothing."""
    cfg = _section(settings, "referral")
    amount = money(cfg["cash_reward"])
    kind = cfg["cash_reward_kind"]
    facts = {"referral": {"id": referral.id, "referee_id": referral.referee_id, "referrer_id": referral.referrer_id},
             "deal": None if deal is None else {"id": deal.id, "recognised_at": deal.recognised_at,
                                                "reversed_at": deal.reversed_at},
             "cash_reward": amount, "kind": kind}
    head_zh = f"老客户{referral.referrer}介绍的客户{referral.referee}"
    head_en = f"{referral.referee}, referred by customer {referral.referrer},"

    def nothing(zh: str, en: str) -> RewardDecision:
        return RewardDecision(rule_id="CUS-44", facts=facts, reason_zh=f"{head_zh}{zh}。依据CUS-44。",
                              reason_en=f"{head_en} {en}. Under CUS-44.", referrer_id=referral.referrer_id)

    if deal is not None and deal.customer_id != referral.referee_id:
        raise InvalidInput("deal of another customer", fields={"deal": ["Not the referee's deal."]})
    if deal is None or deal.recognised_at is None:
        return nothing("尚未成交（业绩未确认），无介绍奖励", "has no recognised deal; no referral reward")
    if deal.reversed_at is not None:
        return nothing("的成交已撤销，无介绍奖励", "had the deal reversed; no referral reward")
    if amount <= 0:
        return nothing("成交；本租户不设现金介绍奖励", "closed a deal; the tenant pays no cash referral reward")
    standing = _standing_rewards(prior_rewards, referral.referee_id)
    if standing:
        facts["earlier_reward"] = standing[0].id
        return nothing("已获过介绍奖励（每位被介绍客户一次）", "already earned the referral reward (once per referee)")
    kind_zh = "油费" if kind == "fuel" else "现金"
    zh = (f"{head_zh}于{_day(deal.recognised_at, timezone)}成交（业绩确认），奖励老客户{referral.referrer}"
          f"{kind_zh}{_yuan(amount)}，由财务支付。依据CUS-44。")
    en = (f"{head_en} closed deal #{deal.id} (recognised {_day(deal.recognised_at, timezone)}); "
          f"{referral.referrer} is owed a {kind} reward of {_yuan(amount)}, paid by finance. Under CUS-44.")
    reward = CashReward(rule_id="CUS-44", facts=facts, reason_zh=zh, reason_en=en, referrer_id=referral.referrer_id,
                        referee_id=referral.referee_id, deal_id=deal.id, amount=amount, kind=kind,
                        at=deal.recognised_at)
    return RewardDecision(rule_id="CUS-44", facts=facts, reason_zh=zh, reason_en=en,
                          referrer_id=referral.referrer_id, reward=reward)


def reverse_cash_reward(reward: CashReward, deal: Deal, *, timezone: str = DEFAULT_TIMEZONE) -> RewardDecision:
    """CUS-44: the deal was reversed → a negative reward referencing ``reward`` (stored, so it needs an id)."""
    if deal.id != reward.deal_id or deal.reversed_at is None:
        raise InvalidInput("deal not reversed", fields={"deal": ["The reward's deal has not been reversed."]})
    if reward.id is None or reward.reverses is not None or reward.amount <= 0:
        raise InvalidInput("not a stored reward", fields={"reward": ["Only a stored reward can be reversed."]})
    facts = {"reward": {"id": reward.id, "amount": reward.amount},
             "deal": {"id": deal.id, "reversed_at": deal.reversed_at}}
    zh = (f"客户#{reward.referee_id}的成交#{deal.id}于{_day(deal.reversed_at, timezone)}撤销，冲销介绍奖励"
          f"{_yuan(reward.amount)}（第{reward.id}条）。依据CUS-44。")
    en = (f"Deal #{deal.id} of customer #{reward.referee_id} was reversed on {_day(deal.reversed_at, timezone)}; "
          f"the referral reward #{reward.id} of {_yuan(reward.amount)} is reversed. Under CUS-44.")
    reversal = CashReward(rule_id="CUS-44", facts=facts, reason_zh=zh, reason_en=en, referrer_id=reward.referrer_id,
                          referee_id=reward.referee_id, deal_id=deal.id, amount=-reward.amount, kind=reward.kind,
                          at=deal.reversed_at, reverses=reward.id)
    return RewardDecision(rule_id="CUS-44", facts=facts, reason_zh=zh, reason_en=en, referrer_id=reward.referrer_id,
                          reward=reversal)
