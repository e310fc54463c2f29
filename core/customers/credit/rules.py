"""Credit rating and limits (DOMAIN.md 3.10, CUS-90..CUS-96) as pure rules: (settings, facts, now) →
outcome with reasons in Chinese and English. The service loads the facts and records the decisions.

- CUS-90 :func:`refresh_due` — a credit record is fully refreshed every ``cus.credit.refresh_every``
  (1 quarter): due at the end of the quarter after the one of the last refresh.
- CUS-91 :func:`credit_grade` — A/B/C; C takes precedence; new customers and customers missing key
  data are never A.
- CUS-92 :func:`apply_step` — proposal → VP review + CFO review (any order) → GM approval; effective
  only when approved.
- CUS-93 :func:`max_limit` — the highest limit and the term a grade allows.
- CUS-94 :func:`check_exposure` — an order, shipment or prepayment that would take exposure over the
  limit is refused unless a written approval is attached.
- CUS-95 :func:`check_adjustment` — an adjusted limit is lower than the original unless an exception
  is approved.
- CUS-96 :func:`evaluation_month` — the month a monthly evaluation opened on a day covers.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar.durations import Duration, format_duration
from core.calendar.model import add_months_to_date
from core.customers.credit.settings import STEPS, quarters
from core.customers.grades.outcome import Decided, money, yuan
from core.errors import Conflict, Forbidden, InvalidInput

ZERO = Decimal("0.00")
GRADES = ("A", "B", "C")

# --------------------------------------------------------------------------------------------------
# CUS-90 · refresh of the investigation record
# --------------------------------------------------------------------------------------------------

#: the sections of the credit investigation record (CUS-90), as structured JSON objects
SECTIONS = ("basic", "shareholders", "banks", "operations", "finances", "history", "credit_record", "other")


@dataclass(frozen=True)
class RefreshDue:
    through: dt.date  # the last day the refresh is in time (a quarter end)
    overdue_from: dt.date  # the first day it is overdue
    at: dt.datetime  # 24:00 of ``through`` local

    def overdue(self, today: dt.date) -> bool:
        return today >= self.overdue_from


def _quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of ``quarter`` of ``year`` (quarters past 4 roll into the next years)."""
    year += (quarter - 1) // 4
    quarter = (quarter - 1) % 4 + 1
    return add_months_to_date(dt.date(year, 3 * quarter, 1), 1) - dt.timedelta(days=1)


def refresh_due(last_refreshed: dt.date, every: str = "1 quarter", tz: str = "Asia/Shanghai") -> RefreshDue:
    """CUS-90: refreshed on 2026-06-20 (Q2) → due through 2026-09-30 (end of Q3), overdue 2026-10-01."""
    n = quarters(every)
    quarter = (last_refreshed.month - 1) // 3 + 1
    through = _quarter_end(last_refreshed.year, quarter + n)
    overdue = through + dt.timedelta(days=1)
    return RefreshDue(through, overdue, dt.datetime.combine(overdue, dt.time(0), ZoneInfo(tz)))


# --------------------------------------------------------------------------------------------------
# CUS-91 · credit grade A/B/C
# --------------------------------------------------------------------------------------------------

#: A conditions given by the investigation (True = holds; None = not known: key data missing)
A_CONDITIONS = {
    "lawful_reliable": ("合法经营、诚实守信", "lawful and reliable"),
    "good_operations_2y": ("近两年经营状况良好", "good operations in the last 2 years"),
    "strong_funds": ("资金实力雄厚、偿债能力强", "strong funds and solvency"),
}
#: C triggers (True = present; None = not known)
C_TRIGGERS = {
    "bad_arrears_2y": ("近两年有恶意拖欠", "bad arrears in the past 2 years"),
    "undelivered_goods_2y": ("近两年有欠货不交", "undelivered goods in the past 2 years"),
    "serious_breach_2y": ("近两年有严重违约", "serious breach in the past 2 years"),
    "frequent_broken_promises": ("经常失信", "frequent broken promises"),
    "bad_debt_or_asset_transfer": ("有呆坏账纠纷或转移资产", "bad-debt disputes or asset transfer"),
    "poor_solvency": ("偿债能力差", "poor solvency"),
    "heavy_losses": ("严重亏损", "heavy losses"),
    "serious_decline_or_unfair": ("经营严重下滑或有不正当行为", "serious decline or unfair conduct"),
    "serious_illegality": ("有严重违法行为", "serious illegality"),
    "ordered_to_suspend": ("被责令停业整顿", "ordered to suspend"),
    "frozen_accounts_risk": ("有账户被冻结风险", "risk of frozen accounts"),
}


@dataclass(frozen=True)
class CreditFacts:
    """What CUS-91 reads: the assessment of the investigation record and the figures computed from
    the customer's transactions (annual collections and deliveries, months of falling turnover)."""

    on: dt.date
    cooperation_since: dt.date | None
    assessment: Mapping[str, bool | None] = field(default_factory=dict)
    annual_collections: Decimal | None = None
    annual_shipments: Decimal | None = None
    falling_months: int = 0


@dataclass(frozen=True, kw_only=True)
class CreditGrade(Decided):
    grade: str
    triggers: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def outcome(self) -> dict[str, Any]:
        return {"credit_grade": self.grade, "c_triggers": list(self.triggers), "missing": list(self.missing)}


def credit_grade(credit: Mapping[str, Any], customer_id: int, facts: CreditFacts) -> CreditGrade:
    """CUS-91 under the ``cus.credit`` section ``credit``."""
    a = facts.assessment
    triggers = [k for k in C_TRIGGERS if a.get(k) is True]
    falling = int(facts.falling_months or 0)
    if falling >= credit["falling_months_for_c"]:
        triggers.append("turnover_falling")
    missing = [k for k in (*A_CONDITIONS, *C_TRIGGERS) if a.get(k) is None]
    if facts.cooperation_since is None:
        missing.append("cooperation_since")
    if facts.annual_collections is None or facts.annual_shipments is None:
        missing.append("annual_volume")
    one_year = facts.cooperation_since is not None and facts.on >= add_months_to_date(facts.cooperation_since, 12)
    standard = money(credit["a_min_annual_volume"])
    volume_ok = (facts.annual_collections is not None and facts.annual_shipments is not None
                 and money(facts.annual_collections) >= standard and money(facts.annual_shipments) >= standard)
    failed_a = [k for k in A_CONDITIONS if a.get(k) is False]
    facts_out = {"on": facts.on, "cooperation_since": facts.cooperation_since, "assessment": dict(a),
                 "annual_collections": facts.annual_collections, "annual_shipments": facts.annual_shipments,
                 "falling_months": falling, "falling_months_for_c": credit["falling_months_for_c"],
                 "a_min_annual_volume": standard}
    if triggers:
        names_zh = "、".join(C_TRIGGERS[t][0] if t in C_TRIGGERS else f"营业额连续{falling}个月下降" for t in triggers)
        names_en = ", ".join(C_TRIGGERS[t][1] if t in C_TRIGGERS else f"turnover falling {falling} months in a row"
                             for t in triggers)
        zh, en, grade = f"存在：{names_zh}，信用等级为C（C优先）", f"{names_en}: credit grade C (C takes precedence)", "C"
    elif one_year and not missing and not failed_a and volume_ok:
        zh = f"合作满一年（自{facts.cooperation_since.isoformat()}），A类条件全部满足，无C类情形，信用等级为A"
        en = (f"cooperating for a year or more (since {facts.cooperation_since.isoformat()}), every A condition "
              f"holds and no C trigger: credit grade A")
        grade = "A"
    else:
        why_zh, why_en = [], []
        if not one_year:
            why_zh.append("新客户（合作不满一年）")
            why_en.append("a new customer (less than a year of cooperation)")
        if missing:
            why_zh.append(f"关键资料缺失（{', '.join(missing)}）")
            why_en.append(f"key data missing ({', '.join(missing)})")
        if failed_a:
            why_zh.append("未满足：" + "、".join(A_CONDITIONS[k][0] for k in failed_a))
            why_en.append("not met: " + ", ".join(A_CONDITIONS[k][1] for k in failed_a))
        if not volume_ok and "annual_volume" not in missing:
            why_zh.append(f"年回款/发货额低于公司标准{yuan(standard)}")
            why_en.append(f"annual collections/deliveries below the company standard {yuan(standard)}")
        zh = f"{'；'.join(why_zh)}，不能评为A；无C类情形，信用等级为B"
        en = f"{'; '.join(why_en)}: never A; no C trigger: credit grade B"
        grade = "B"
    return CreditGrade(rule_id="CUS-91", subject_id=customer_id, facts=facts_out,
                       reason_zh=f"客户#{customer_id}：{zh}。依据CUS-91。",
                       reason_en=f"Customer #{customer_id}: {en}. Under CUS-91.", grade=grade,
                       triggers=tuple(triggers), missing=tuple(missing))


def falling_months(monthly_turnover: list[Decimal]) -> int:
    """Months in a row, ending with the last one, whose turnover fell below the month before
    (oldest first): [10, 9, 8, 7, 6] → 4."""
    count = 0
    for i in range(len(monthly_turnover) - 1, 0, -1):
        if monthly_turnover[i] < monthly_turnover[i - 1]:
            count += 1
        else:
            break
    return count


def better(grade: str, than: str) -> bool:
    return GRADES.index(grade) < GRADES.index(than)


# --------------------------------------------------------------------------------------------------
# CUS-92 · rating approval chain
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    step: str
    user_id: int
    approve: bool
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class StepOutcome(Decided):
    status: str  # proposed | reviewing | approved | rejected
    step: str

    @property
    def effective(self) -> bool:
        return self.status == "approved"

    def outcome(self) -> dict[str, Any]:
        return {"status": self.status, "step": self.step, "effective": self.effective}


def apply_step(credit: Mapping[str, Any], rating_id: int, customer_id: int, grade: str, steps: list[Step], *,
               step: str, approve: bool, user_id: int, roles: tuple[str, ...], at: dt.datetime,
               status: str) -> StepOutcome:
    """CUS-92: one step of the chain on a rating proposal of ``grade`` with the ``steps`` done so far.
    Raises Forbidden (403) for a user without the step's role (``cus.credit.approval_roles``),
    Conflict (409) for a closed proposal, a step done twice, or the GM approval before both reviews."""
    if step not in STEPS:
        raise InvalidInput("unknown step", fields={"step": [f"one of {', '.join(STEPS)}"]})
    if status in ("approved", "rejected"):
        raise Conflict(f"the rating proposal is already {status}", rule_id="CUS-92")
    allowed = list(credit["approval_roles"][step])
    if not set(roles) & set(allowed):
        raise Forbidden(f"the {step} needs one of the roles {', '.join(allowed)}", rule_id="CUS-92")
    done = {s.step for s in steps}
    if step in done:
        raise Conflict(f"the {step} is done already", rule_id="CUS-92")
    if step == "gm_approval" and not {"vp_review", "cfo_review"} <= done:
        missing = [s for s in ("vp_review", "cfo_review") if s not in done]
        raise Conflict(f"the GM approves after the VP and CFO reviews; missing: {', '.join(missing)}",
                       rule_id="CUS-92")
    names = {"vp_review": ("副总审核", "VP review"), "cfo_review": ("财务总监审核", "CFO review"),
             "gm_approval": ("总经理审批", "GM approval")}
    all_steps = [*steps, Step(step, user_id, approve, at)]
    trail_zh = "；".join(f"{names[s.step][0]}{'同意' if s.approve else '不同意'}" for s in all_steps)
    trail_en = "; ".join(f"{names[s.step][1]} {'approved' if s.approve else 'rejected'}" for s in all_steps)
    if not approve:
        new_status = "rejected"
        zh_end, en_end = "评级未获通过，不生效", "the rating is rejected and never takes effect"
    elif step == "gm_approval":
        new_status = "approved"
        zh_end, en_end = f"信用等级{grade}经批准生效", f"credit grade {grade} is approved and takes effect"
    else:
        new_status = "reviewing"
        zh_end, en_end = "尚待审批，未生效", "awaiting the remaining steps: not effective yet"
    facts = {"rating_id": rating_id, "grade": grade, "approval_roles": {k: list(v) for k, v in
                                                                        credit["approval_roles"].items()},
             "steps": [{"step": s.step, "user_id": s.user_id, "approve": s.approve, "at": s.at} for s in all_steps]}
    return StepOutcome(rule_id="CUS-92", subject_id=customer_id, facts=facts, decided_by=user_id,
                       reason_zh=f"客户#{customer_id}信用等级{grade}提案：{trail_zh}；{zh_end}。依据CUS-92。",
                       reason_en=f"Credit grade {grade} proposal for customer #{customer_id}: {trail_en}; {en_end}. "
                                 f"Under CUS-92.", status=new_status, step=step)


# --------------------------------------------------------------------------------------------------
# CUS-93 · limits and terms by grade
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class LimitOutcome(Decided):
    grade: str | None
    kind: str  # long | temporary | none
    max_limit: Decimal
    term: Duration | None

    def outcome(self) -> dict[str, Any]:
        return {"grade": self.grade, "kind": self.kind, "max_limit": self.max_limit,
                "term": format_duration(self.term) if self.term else None}


def max_limit(credit: Mapping[str, Any], customer_id: int, grade: str | None, *, kind: str, has_history: bool,
              avg_shipments: Decimal, avg_collections: Decimal, mortgage_value: Decimal | None = None,
              existing_limit: Decimal | None = None) -> LimitOutcome:
    """CUS-93: the highest limit and the term for ``grade`` (the approved credit grade; ``None``: not
    rated → cash on delivery). ``kind`` is ``long`` or ``temporary``."""
    terms = credit["terms"]
    ship, coll = money(avg_shipments), money(avg_collections)
    mortgage = money(mortgage_value) if mortgage_value is not None else None
    facts = {"grade": grade, "kind": kind, "has_history": has_history, "avg_monthly_shipments": ship,
             "avg_monthly_collections": coll, "mortgage_value": mortgage, "existing_limit": existing_limit,
             "average_window": format_duration(credit["average_window"])}
    term = None
    if grade is None:
        cap, zh, en = ZERO, "未评定信用等级，只能款到发货", "no approved credit grade: cash on delivery only"
    elif grade == "C":
        cap, zh, en = ZERO, "C级客户不给予信用", "grade C: no credit"
    elif grade == "A" and not has_history:
        kind, cap, term = "temporary", coll, terms["A"]
        zh = f"A级无信用记录，只给临时信用：额度不超过月均回款{yuan(coll)}，期限不超过{format_duration(term)}"
        en = (f"grade A without credit history: temporary credit only, limit at most the average monthly "
              f"collections {yuan(coll)}, term at most {format_duration(term)}")
    elif grade == "A":
        kind, cap, term = "long", min(ship, coll), terms["A"]
        zh = (f"A级有信用记录，长期信用：额度不超过月均发货{yuan(ship)}与月均回款{yuan(coll)}的较小者{yuan(cap)}，"
              f"期限不超过{format_duration(term)}")
        en = (f"grade A with credit history: long-term credit, limit at most min(average monthly shipments "
              f"{yuan(ship)}, collections {yuan(coll)}) = {yuan(cap)}, term at most {format_duration(term)}")
    elif not mortgage:
        cap, zh, en = ZERO, "B级未办妥财产抵押手续，不给予信用", "grade B without completed property mortgage: no credit"
    else:
        cap = min(ship, coll, mortgage)
        term = terms["B_temp"] if kind == "temporary" else terms["B_long"]
        label_zh = "临时" if kind == "temporary" else "长期"
        zh = (f"B级已办妥抵押，{label_zh}信用：额度不超过月均发货{yuan(ship)}、月均回款{yuan(coll)}、抵押价值{yuan(mortgage)}"
              f"中的最小者{yuan(cap)}，期限{format_duration(term)}")
        en = (f"grade B with a completed mortgage, {kind} credit: limit at most min(average monthly shipments "
              f"{yuan(ship)}, collections {yuan(coll)}, mortgaged value {yuan(mortgage)}) = {yuan(cap)}, term "
              f"{format_duration(term)}")
    if cap == ZERO:
        kind, term = "none", None
    elif existing_limit is not None and money(existing_limit) < cap:
        cap = money(existing_limit)
        zh += f"；原有较低额度{yuan(cap)}保持不变"
        en += f"; the existing lower limit {yuan(cap)} is kept"
    return LimitOutcome(rule_id="CUS-93", subject_id=customer_id, facts=facts, grade=grade, kind=kind,
                        max_limit=cap, term=term, reason_zh=f"客户#{customer_id}：{zh}。依据CUS-93。",
                        reason_en=f"Customer #{customer_id}: {en}. Under CUS-93.")


def check_adjustment(credit: Mapping[str, Any], *, existing: Decimal | None, new: Decimal,
                     exception_approved: bool) -> None:
    """CUS-95: an adjusted limit is lower than the original unless ``cus.credit.allow_increase`` or an
    approved exception (422 on ``limit`` otherwise)."""
    if existing is None or money(new) <= money(existing) or credit["allow_increase"] or exception_approved:
        return
    raise InvalidInput("an adjusted limit must be lower than the original unless an exception is approved",
                       fields={"limit": [f"{yuan(new)} raises the limit {yuan(existing)}: needs an approved "
                                         f"exception (CUS-95)"]}, rule_id="CUS-95")


# --------------------------------------------------------------------------------------------------
# CUS-94 · exposure check
# --------------------------------------------------------------------------------------------------

INCREASING = ("order", "shipment", "prepayment")
DECREASING = ("collection", "refund")


@dataclass(frozen=True)
class ApprovalFacts:
    """A written approval of the higher authority for going over the limit (CUS-94)."""

    id: int
    approved_by: int
    kind: str
    amount: Decimal
    used: bool = False


@dataclass(frozen=True, kw_only=True)
class ExposureCheck(Decided):
    allowed: bool
    exposure: Decimal
    after: Decimal
    limit: Decimal | None
    approval_id: int | None = None
    decision_id: int | None = None  # set by the service when it recorded the decision

    def outcome(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "exposure_after": self.after, "limit": self.limit,
                "approval_id": self.approval_id}


def check_exposure(credit: Mapping[str, Any], customer_id: int, *, limit: Decimal | None, exposure: Decimal,
                   kind: str, amount: Decimal, approval: ApprovalFacts | None = None) -> ExposureCheck:
    """CUS-94: would ``kind`` of ``amount`` take the exposure (receivables + prepayments not yet
    accepted) over the limit? Without a limit (cash on delivery) a customer may only decrease its
    balance. Over the limit → ``allowed = False`` unless a matching, unused ``approval`` is attached
    (or ``cus.credit.block_over_limit`` is off). The caller raises 409 on a refusal."""
    amount, exposure = money(amount), money(exposure)
    limit = money(limit) if limit is not None and money(limit) > 0 else None
    after = exposure + amount if kind in INCREASING else exposure - amount
    facts = {"kind": kind, "amount": amount, "exposure": exposure, "exposure_after": after, "limit": limit,
             "block_over_limit": credit["block_over_limit"],
             "approval": None if approval is None else {"id": approval.id, "approved_by": approval.approved_by,
                                                        "kind": approval.kind, "amount": approval.amount}}
    base = dict(rule_id="CUS-94", subject_id=customer_id, facts=facts, exposure=exposure, after=after, limit=limit)
    if kind in DECREASING:
        return ExposureCheck(**base, allowed=True, reason_zh=f"客户#{customer_id}{kind}减少占用至{yuan(after)}。依据CUS-94。",
                             reason_en=f"Customer #{customer_id}: the {kind} lowers the exposure to {yuan(after)}. "
                                       f"Under CUS-94.")
    if limit is None:
        over_zh = f"客户#{customer_id}无信用额度（款到发货），现有占用{yuan(exposure)}，只能减少，不能新增{yuan(amount)}"
        over_en = (f"Customer #{customer_id} has no credit limit (cash on delivery) and an exposure of "
                   f"{yuan(exposure)}: it may only decrease, not grow by {yuan(amount)}")
    elif after > limit:
        over_zh = f"客户#{customer_id}占用{yuan(exposure)}加本次{yuan(amount)}为{yuan(after)}，超过信用额度{yuan(limit)}"
        over_en = (f"Customer #{customer_id}: exposure {yuan(exposure)} + {yuan(amount)} = {yuan(after)} exceeds the "
                   f"limit {yuan(limit)}")
    else:
        return ExposureCheck(**base, allowed=True,
                             reason_zh=f"客户#{customer_id}占用{yuan(after)}未超过信用额度{yuan(limit)}。依据CUS-94。",
                             reason_en=f"Customer #{customer_id}: exposure {yuan(after)} within the limit "
                                       f"{yuan(limit)}. Under CUS-94.")
    if approval is not None and not approval.used and approval.kind == kind and money(approval.amount) >= amount:
        return ExposureCheck(**base, allowed=True, approval_id=approval.id,
                             reason_zh=f"{over_zh}；附上级书面批准#{approval.id}，准予办理。依据CUS-94。",
                             reason_en=f"{over_en}; written approval #{approval.id} attached: allowed. Under CUS-94.")
    if not credit["block_over_limit"]:
        return ExposureCheck(**base, allowed=True, reason_zh=f"{over_zh}；本公司设置不拦截，予以记录。依据CUS-94。",
                             reason_en=f"{over_en}; the tenant does not block (cus.credit.block_over_limit = false): "
                                       f"recorded. Under CUS-94.")
    return ExposureCheck(**base, allowed=False, reason_zh=f"{over_zh}，未附上级书面批准，予以拒绝。依据CUS-94。",
                         reason_en=f"{over_en}; no written approval of the higher authority attached: refused. "
                                   f"Under CUS-94.")


# --------------------------------------------------------------------------------------------------
# CUS-96 · monthly evaluation
# --------------------------------------------------------------------------------------------------

def review_quarter(on: dt.date) -> str | None:
    """The quarter whose review (CUS-96: quarterly review and dynamic adjustment) opens on ``on``: on
    the first day of a quarter, the quarter just ended (2026-10-01 → ``2026-Q3``); else ``None``."""
    if on.day != 1 or on.month not in (1, 4, 7, 10):
        return None
    last = on - dt.timedelta(days=1)
    return f"{last.year:04d}-Q{(last.month - 1) // 3 + 1}"


def evaluation_month(on: dt.date) -> str:
    """The month a monthly evaluation opened on ``on`` covers: the previous month (2026-10-01 →
    ``2026-09``)."""
    last = on.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"
