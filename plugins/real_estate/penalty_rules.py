"""RE-04 (grabbing, competing for, neglecting customers: 抢客、争客、怠慢) and RE-28 (provoking disputes)
as pure rules: the staff-ledger lines (STF-01) they propose, with reasons. No database.

- :func:`grab_penalty` (RE-04): a verified offence costs that day's base salary (monthly base ÷
  ``stf.days_per_month``, 21.75); a serious one, per ``re.penalty.grab_serious``, the month's base plus
  50% of the month's bonus (default) or 50% of base and bonus together (the other reading of
  "當月基本工資和當月應發獎金的50%").
- :func:`provoking_penalty` (RE-28): ``re.penalty.provoking_share`` (50%) of the month's deal bonus and
  an HR dismissal-review flag (never an automatic dismissal, section 1).

Money is ``Decimal``, half-up to the fen. ``stf.days_per_month`` (21.75) is read from the ``stf`` settings
when given, else the spec default (:func:`days_per_month`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.customers.assignment.rules import Decided
from core.staff.ledger_rules import money
from plugins.real_estate.rotation_settings import ReceptionPenaltySchema

DEFAULT_DAYS_PER_MONTH = Decimal("21.75")
OFFENCES: dict[str, tuple[str, str]] = {
    "grabbing": ("抢客", "grabbing a customer"),
    "competing": ("争客", "competing for a customer"),
    "neglecting": ("怠慢客户", "neglecting a customer"),
}
DISMISSAL_REVIEW = "dismissal_review"


@dataclass(frozen=True)
class LedgerLine:
    """A staff-ledger entry to propose (STF-01): ``kind`` penalty | flag, amount in yuan (0 for a flag)."""

    kind: str
    user_id: int
    amount: Decimal
    offence: str
    rule_id: str
    occurred_at: dt.datetime
    unit: str = "yuan"
    label: str | None = None

    def as_fact(self) -> dict[str, Any]:
        return {"kind": self.kind, "user_id": self.user_id, "amount": self.amount, "offence": self.offence,
                "rule_id": self.rule_id, "occurred_at": self.occurred_at, "unit": self.unit, "label": self.label}


@dataclass(frozen=True, kw_only=True)
class Penalty(Decided):
    """What a verified offence costs the offender: the ledger lines and the total in yuan."""

    user_id: int
    amount: Decimal
    lines: tuple[LedgerLine, ...] = ()

    subject_type = "user"

    def subject_id(self) -> int | None:
        return self.user_id

    def outcome(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "amount": self.amount, "lines": [line.as_fact() for line in self.lines]}


@dataclass(frozen=True)
class GrabFacts:
    """A grabbing/competing/neglecting case (RE-04) against ``offender_id``, as verified (or not yet).

    ``monthly_base``: the offender's monthly base salary; ``month_bonus``: the bonus due for the month of
    the offence (used only for serious cases). ``case_id``: the record the finding comes from."""

    offender_id: int
    offence: str
    occurred_at: dt.datetime
    monthly_base: Decimal
    verified: bool = True
    serious: bool = False
    month_bonus: Decimal | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class ProvokingFacts:
    """A verified case of deliberately provoking disputes (RE-28) and the offender's deal bonus of that month."""

    offender_id: int
    occurred_at: dt.datetime
    month_deal_bonus: Decimal
    verified: bool = True
    case_id: int | None = None


def _penalty_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    given = (settings or {}).get("penalty") or {}
    return {**ReceptionPenaltySchema().load({}), **given}


def days_per_month(stf_settings: Mapping[str, Any] | None = None) -> Decimal:
    """``stf.days_per_month`` (21.75): from the ``stf`` settings when they have it, else the spec default."""
    value = (stf_settings or {}).get("days_per_month")
    return Decimal(str(value)) if value is not None else DEFAULT_DAYS_PER_MONTH


def day_base(monthly_base, per_month=DEFAULT_DAYS_PER_MONTH) -> Decimal:
    """RE-04: a day's base salary = monthly base ÷ days per month, half-up to the fen (¥4,350 → ¥200.00)."""
    return money(Decimal(str(monthly_base)) / Decimal(str(per_month)))


def grab_penalty(settings: Mapping[str, Any] | None, facts: GrabFacts,
                 stf_settings: Mapping[str, Any] | None = None) -> Penalty:
    """RE-04: the penalty of a grabbing/competing/neglecting case (``settings`` = the ``re`` document).

    Unverified → no line (nothing is proposed before verification). Not serious → the day's base.
    Serious → ``month_base_plus_half_bonus``: month base + 50% of the month's bonus (default), or
    ``half_of_base_and_bonus``: 50% of (month base + month bonus); the bonus is then required."""
    pen = _penalty_settings(settings)
    if facts.offence not in OFFENCES:
        raise ValueError(f"offence must be one of {tuple(OFFENCES)}, got {facts.offence!r}")
    what_zh, what_en = OFFENCES[facts.offence]
    base = money(facts.monthly_base)
    per_month = days_per_month(stf_settings)
    record = {"case_id": facts.case_id, "offender_id": facts.offender_id, "offence": facts.offence,
              "occurred_at": facts.occurred_at, "verified": facts.verified, "serious": facts.serious,
              "monthly_base": base, "month_bonus": money(facts.month_bonus) if facts.month_bonus is not None else None,
              "settings": {"grab": pen["grab"], "grab_serious": pen["grab_serious"], "days_per_month": per_month}}
    if not facts.verified:
        return Penalty(rule_id="RE-04", facts=record, user_id=facts.offender_id, amount=money(0),
                       reason_zh=f"{what_zh}尚未查实，不处罚。依据RE-04。",
                       reason_en=f"The case of {what_en} is not verified: no penalty. Under RE-04.")
    if not facts.serious:
        amount = day_base(base, per_month)
        zh = f"经查实{what_zh}，扣当日基本工资：月基本工资¥{base}÷{per_month}=¥{amount}。依据RE-04。"
        en = (f"Verified {what_en}: that day's base salary is deducted: monthly base ¥{base} ÷ {per_month} = "
              f"¥{amount}. Under RE-04.")
        offence = facts.offence
    else:
        if facts.month_bonus is None:
            raise ValueError("a serious RE-04 case needs the month's bonus (month_bonus)")
        bonus = money(facts.month_bonus)
        offence = f"{facts.offence}_serious"
        if pen["grab_serious"] == "month_base_plus_half_bonus":
            half = money(bonus / 2)
            amount = money(base + half)
            zh = (f"经查实{what_zh}，情节严重：扣当月基本工资¥{base}及当月应发奖金的50%（¥{half}），"
                  f"共¥{amount}。依据RE-04。")
            en = (f"Verified {what_en}, serious: the month's base salary ¥{base} plus 50% of the month's bonus "
                  f"(¥{half}) = ¥{amount}. Under RE-04.")
        else:
            amount = money((base + bonus) / 2)
            zh = (f"经查实{what_zh}，情节严重：扣当月基本工资¥{base}与当月应发奖金¥{bonus}之和的50%，"
                  f"共¥{amount}。依据RE-04。")
            en = (f"Verified {what_en}, serious: 50% of the month's base salary ¥{base} and bonus ¥{bonus} = "
                  f"¥{amount}. Under RE-04.")
    line = LedgerLine("penalty", facts.offender_id, amount, offence, "RE-04", facts.occurred_at)
    return Penalty(rule_id="RE-04", facts=record, reason_zh=zh, reason_en=en, user_id=facts.offender_id,
                   amount=amount, lines=(line,))


def provoking_penalty(settings: Mapping[str, Any] | None, facts: ProvokingFacts) -> Penalty:
    """RE-28: ``re.penalty.provoking_share`` (50%) of the month's deal bonus, and a dismissal review flag
    for a person to decide (section 1: dismissal is never automatic). Unverified → nothing."""
    share = Decimal(str(_penalty_settings(settings)["provoking_share"]))
    bonus = money(facts.month_deal_bonus)
    record = {"case_id": facts.case_id, "offender_id": facts.offender_id, "occurred_at": facts.occurred_at,
              "verified": facts.verified, "month_deal_bonus": bonus, "settings": {"provoking_share": share}}
    if not facts.verified:
        return Penalty(rule_id="RE-28", facts=record, user_id=facts.offender_id, amount=money(0),
                       reason_zh="故意挑起纠纷尚未查实，不处罚。依据RE-28。",
                       reason_en="Deliberately provoking disputes is not verified: no penalty. Under RE-28.")
    amount = money(bonus * share)
    pct = (share * 100).normalize()
    lines = (LedgerLine("penalty", facts.offender_id, amount, "provoking_disputes", "RE-28", facts.occurred_at),
             LedgerLine("flag", facts.offender_id, money(0), "provoking_disputes", "RE-28", facts.occurred_at,
                        label=DISMISSAL_REVIEW))
    zh = (f"经查实故意挑起纠纷：扣当月成交奖金¥{bonus}的{pct:f}%，即¥{amount}；并提交人事审核是否辞退"
          f"（不自动辞退）。依据RE-28。")
    en = (f"Verified deliberate provoking of disputes: {pct:f}% of the month's deal bonus ¥{bonus} = ¥{amount} is "
          f"deducted, and a dismissal review flag goes to HR (never an automatic dismissal). Under RE-28.")
    return Penalty(rule_id="RE-28", facts=record, reason_zh=zh, reason_en=en, user_id=facts.offender_id,
                   amount=amount, lines=lines)
