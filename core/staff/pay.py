"""The month's commission scheme and scored pay (STF-41, STF-42, STF-44).

- :func:`draft` / :func:`update` — the department drafts its month's scheme (bases per employee,
  targets or the department's result, its own text); a draft may change, an approved scheme not.
- :func:`approve` — the GM approves; this starts the job ``stf.pay_run`` (once per scheme).
- :func:`run` — score → band (``stf.pay_bands``) → department modifier (``stf.dept_modifier``) → pay
  for each employee of an approved scheme (409 for a draft: STF-44). An employee without a score, with
  a score under appeal or, with ``stf.statement.hold_pay_if_missing``, without a confirmed statement is
  ``held``; :func:`release` computes it when that changes. Run twice, it computes each employee once.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from core.accounts.models import Department, User
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.staff import credit, pay_rules
from core.staff.credit_rules import month_label
from core.staff.pay_models import DEPARTMENT_RESULTS, PayResult, PayScheme
from core.staff.policy import stf_policy
from core.staff.scorecards import scorecard_for
from core.staff.statements import statement_for
from core.staff.statements_rules import pay_held

JOB = "stf.pay_run"
SUBJECT = "staff_pay_result"
RESULT_ZH = {"challenge": "完成挑战目标", "met": "完成目标（未达挑战目标）", "missed": "未完成目标"}
RESULT_EN = {"challenge": "challenge target met", "met": "target met, not the challenge", "missed": "target missed"}
HOLDS = {  # held reason → (rule, zh, en)
    "no_score": ("STF-40", "本月尚无考核得分，绩效工资暂缓计算。", "No score for the month yet: the pay waits."),
    "score_appealed": ("STF-44", "考核得分申诉中，答复前绩效工资暂缓计算。",
                       "The score is under appeal: the pay waits for the answer."),
    "statement_unconfirmed": ("STF-34", "个人业绩确认单尚未确认，本月工资暂缓处理。",
                              "The employee has not confirmed the month's statement: the pay is held."),
}


def get_scheme(scheme_id: int) -> PayScheme:
    scheme = db.session.scalars(select(PayScheme).where(PayScheme.id == scheme_id)).first()
    if scheme is None:
        raise NotFound("pay scheme not found")
    return scheme


def schemes(*, month: dt.date | None = None, department_id: int | None = None, state: str | None = None):
    stmt = select(PayScheme).order_by(PayScheme.month.desc(), PayScheme.department_id)
    if month is not None:
        stmt = stmt.where(PayScheme.month == month.replace(day=1))
    for column, value in ((PayScheme.department_id, department_id), (PayScheme.state, state)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def results(*, user_id: int | None = None, month: dt.date | None = None, scheme_id: int | None = None,
            state: str | None = None):
    stmt = select(PayResult).order_by(PayResult.month.desc(), PayResult.user_id)
    if month is not None:
        stmt = stmt.where(PayResult.month == month.replace(day=1))
    for column, value in ((PayResult.user_id, user_id), (PayResult.scheme_id, scheme_id), (PayResult.state, state)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


# --- the scheme -------------------------------------------------------------------------------------


def _money(value, field: str, errors: dict) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = pay_rules.money(value)
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = ["a number of yuan"]
        return None
    if amount < 0 or amount >= Decimal("1000000000000"):
        errors[field] = ["from 0 to less than 1,000,000,000,000"]
    return amount


def _check(scheme: PayScheme, data: dict) -> None:
    """Validate ``data`` (the fields being set) against ``scheme``; fill the scheme."""
    errors: dict = {}
    if "bases" in data:
        bases, problems = {}, []
        for i, row in enumerate(data["bases"] or ()):
            user_id = row.get("user_id")
            if db.session.scalar(select(User.id).where(User.id == user_id)) is None:
                problems.append(f"[{i}]: user {user_id} is not an employee of this company")
                continue
            if str(user_id) in bases:
                problems.append(f"[{i}]: user {user_id} is listed twice")
            amount = _money(row.get("base"), "base", {})
            if amount is None or amount < 0:
                problems.append(f"[{i}]: the base is a number of yuan, 0 or more")
                continue
            bases[str(user_id)] = str(amount)
        others = db.session.scalars(select(PayScheme).where(PayScheme.month == scheme.month,
                                                            PayScheme.id != (scheme.id or 0)))
        for other in others:
            for user_id in set(bases) & set(other.bases or {}):
                problems.append(f"user {user_id} is in the scheme of department {other.department_id} this month")
        if not bases and not problems:
            problems.append("list at least one employee with their base")
        if problems:
            errors["bases"] = problems
        scheme.bases = bases
    for field in ("target", "challenge_target"):
        if field in data:
            setattr(scheme, field, _money(data[field], field, errors))
    if "department_result" in data:
        if data["department_result"] not in (None, *DEPARTMENT_RESULTS):
            errors["department_result"] = [f"one of {', '.join(DEPARTMENT_RESULTS)}, or none"]
        scheme.department_result = data["department_result"]
    if "note" in data:
        scheme.note = data["note"]
    if scheme.challenge_target is not None and (scheme.target is None or scheme.challenge_target < scheme.target):
        errors.setdefault("challenge_target", ["needs a target, and is not below it"])
    if errors:
        raise InvalidInput("invalid pay scheme", fields=errors, rule_id="STF-44")


def draft(*, department_id: int, month: dt.date, by: int, bases: list, target=None, challenge_target=None,
          department_result: str | None = None, note: str | None = None) -> PayScheme:
    """The department's draft of the month's scheme (one per department and month: 409)."""
    if db.session.scalar(select(Department.id).where(Department.id == department_id)) is None:
        raise InvalidInput("invalid pay scheme", fields={"department_id": ["not a department of this company"]})
    month = month.replace(day=1)
    if db.session.scalar(select(PayScheme.id).where(PayScheme.department_id == department_id,
                                                    PayScheme.month == month)) is not None:
        raise Conflict(f"the department has its scheme for {month_label(month)}; change the draft", rule_id="STF-44")
    scheme = PayScheme(department_id=department_id, month=month, state="draft", drafted_by=by, bases={})
    _check(scheme, {"bases": bases, "target": target, "challenge_target": challenge_target,
                    "department_result": department_result, "note": note})
    db.session.add(scheme)
    db.session.flush()
    return scheme


def update(scheme: PayScheme, data: dict) -> PayScheme:
    if scheme.state != "draft":
        raise Conflict("an approved scheme is not changed", rule_id="STF-44")
    _check(scheme, data)
    db.session.flush()
    return scheme


def approve(scheme: PayScheme, *, by: int) -> PayScheme:
    """STF-44: the GM approves the month's scheme; the pay run starts after commit."""
    from workers.dispatch import enqueue

    if scheme.state != "draft":
        raise Conflict("this scheme is approved already", rule_id="STF-44")
    scheme.state, scheme.approved_by, scheme.approved_at = "approved", by, utcnow()
    db.session.flush()
    scheme.decision_id = decisions.record(
        "STF-44", "staff_pay_scheme", scheme.id, policy=stf_policy(scheme.month), decided_by=by,
        outcome={"state": "approved", "employees": len(scheme.bases)},
        facts={"department_id": scheme.department_id, "month": month_label(scheme.month), "bases": scheme.bases,
               "target": scheme.target, "challenge_target": scheme.challenge_target,
               "department_result": scheme.department_result},
        reason_zh=f"总经理批准{month_label(scheme.month)}提成方案，方案自此生效。",
        reason_en=f"The GM approved the commission scheme of {month_label(scheme.month)}; it applies from now.").id
    scheme.job_id = enqueue(JOB, {"pay_scheme_id": scheme.id}, created_by=by, dedupe_key=f"{JOB}:{scheme.id}").id
    return scheme


# --- pay --------------------------------------------------------------------------------------------


def _department_result(scheme: PayScheme) -> str | None:
    if scheme.department_result:
        return scheme.department_result
    if scheme.target is None:
        return None
    return pay_rules.department_result(credit.department_performance(scheme.department_id, scheme.month),
                                       scheme.target, scheme.challenge_target)


def _hold_reason(user_id: int, month: dt.date, view) -> str | None:
    card = scorecard_for(user_id, month)
    if card is None:
        return "no_score"
    if card.state == "appealed":
        return "score_appealed"
    statement = statement_for(user_id, month)
    if pay_held(statement.state if statement else None, view.values["statement"]["hold_pay_if_missing"]):
        return "statement_unconfirmed"
    return None


def _compute(scheme: PayScheme, user_id: int, result: PayResult | None) -> PayResult:
    view = stf_policy(scheme.month)
    base = Decimal(scheme.bases[str(user_id)])
    if result is None:
        result = PayResult(scheme_id=scheme.id, user_id=user_id, month=scheme.month, base=base, state="held")
        db.session.add(result)
        db.session.flush()
    previous = decisions.get(result.decision_id) if result.decision_id else None
    label = month_label(scheme.month)
    held = _hold_reason(user_id, scheme.month, view)
    if held is not None and result.state == "held" and result.held_reason == held and previous is not None:
        return result  # held for the same reason: nothing new
    result.computed_at = utcnow()
    if held is not None:
        result.state, result.held_reason, result.pay = "held", held, None
        rule_id, zh, en = HOLDS[held]
        result.decision_id = decisions.record(
            rule_id, SUBJECT, result.id, policy=view, supersedes=previous, outcome={"state": "held", "reason": held},
            facts={"user_id": user_id, "month": label, "scheme_id": scheme.id}, reason_zh=zh, reason_en=en).id
        return result
    card = scorecard_for(user_id, scheme.month)
    department = _department_result(scheme)
    scored = pay_rules.scored_pay(base, card.total, view.values["pay_bands"], department,
                                  view.values["dept_modifier"])
    band = scored.band.label(scored.top)
    score = pay_rules.plain(card.total)
    factor = f"{score}%" if scored.band.factor == pay_rules.SCORE else f"{pay_rules.plain(scored.factor * 100)}%"
    result.state, result.held_reason, result.score = "computed", None, card.total
    result.band, result.factor, result.banded = band, scored.factor, scored.banded
    result.department_result, result.modifier_percent = department, scored.modifier_percent
    result.modifier, result.pay = scored.modifier, scored.pay
    facts = {"user_id": user_id, "month": label, "scheme_id": scheme.id, "scorecard_id": card.id, "score": card.total,
             "base": base, "band": band, "factor": scored.factor, "pay_bands": view.body.get("pay_bands")}
    decision = decisions.record(
        "STF-41", SUBJECT, result.id, policy=view, supersedes=previous, facts=facts,
        outcome={"banded": scored.banded, "pay": scored.pay if department is None else None},
        reason_zh=f"{label}考核得分{score}，落在{band}档，绩效工资 = {base} × {factor} = {scored.banded}元。",
        reason_en=f"Score {score} for {label} falls in the band {band}: performance pay = {base} × {factor} "
                  f"= ¥{scored.banded}.")
    if department is not None:
        sign = "+" if scored.modifier >= 0 else "−"
        decision = decisions.record(
            "STF-42", SUBJECT, result.id, policy=view, supersedes=decision,
            facts={**facts, "department_id": scheme.department_id, "department_result": department,
                   "stated": scheme.department_result is not None, "target": scheme.target,
                   "challenge_target": scheme.challenge_target},
            outcome={"modifier_percent": scored.modifier_percent, "modifier": scored.modifier, "pay": scored.pay},
            reason_zh=f"部门本月{RESULT_ZH[department]}，调整{pay_rules.plain(scored.modifier_percent)}%："
                      f"{scored.banded} {sign} {abs(scored.modifier)} = {scored.pay}元。",
            reason_en=f"The department's month: {RESULT_EN[department]}, {pay_rules.plain(scored.modifier_percent)}%: "
                      f"{scored.banded} {sign} {abs(scored.modifier)} = ¥{scored.pay}.")
    result.decision_id = decision.id
    db.session.flush()
    return result


def run(scheme: PayScheme) -> dict:
    """STF-41/42 for every employee of an approved scheme; those computed before are kept."""
    if scheme.state != "approved":
        raise Conflict("the month's scheme applies only after the GM approves it", rule_id="STF-44")
    existing = {r.user_id: r for r in db.session.scalars(select(PayResult).where(PayResult.scheme_id == scheme.id))}
    for key in sorted(scheme.bases, key=int):
        user_id = int(key)
        result = existing.get(user_id)
        if result is None or result.state == "held":
            existing[user_id] = _compute(scheme, user_id, result)
    rows = sorted(existing.values(), key=lambda r: r.user_id)
    return {"computed": [r.id for r in rows if r.state == "computed"], "held": [r.id for r in rows if r.state == "held"]}


def release(user_id: int, month: dt.date) -> PayResult | None:
    """Compute again an employee's pay of ``month`` when what held it (or its score) changed."""
    result = db.session.scalars(select(PayResult).where(PayResult.user_id == user_id,
                                                        PayResult.month == month.replace(day=1))).first()
    if result is None:
        return None
    card = scorecard_for(user_id, month)
    if result.state == "held" or (card is not None and card.total != result.score):
        return _compute(get_scheme(result.scheme_id), user_id, result)
    return result
