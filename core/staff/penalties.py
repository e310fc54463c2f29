"""Penalising an employee or a unit (STF-02/03/10/13/14) and approving the penalty (STF-02/23).

:func:`penalise` is the one function every rule that fines calls (complaint consequences, archive
lending CUS-73, event lists CUS-82, filing CUS-04, arbitration CUS-27, the correction loop STF-11, the
plugins). It prices the offence by the tenant's ``stf`` policy in force at the time of the fact:

1. STF-14 — who: the employee, else the smallest unit named (team, else department), or the unit's
   head when the catalog entry says ``when_unidentified: head``;
2. STF-13 — an offence with a ladder is priced by its n-th occurrence in the period (a late arrival
   within a reclassify band first becomes the other offence); extras add entries;
3. STF-02/03 — otherwise by the catalog (tier by outcome, per-role amount, fixed or range with the
   minimum as proposal, per unit × quantity), an amount set by the calling rule, the points scheme, or
   an open proposal;
4. STF-10 — an offence of a family costs × 2 from the role's threshold in the calendar month (not
   compounding), and the performance-pay deduction is proposed once when the threshold is reached;

then writes through :func:`core.staff.ledger.record_entry` (a proposal, with its decision). The approver
named by the catalog (STF-23) sets an amount within the range with a reason (:func:`set_amount`) and
approves (:func:`approve`); anybody else gets 403. :func:`supervisor_liability` charges the supervisor
who failed to supervise (STF-03).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import func, select

from core.accounts.models import User
from core.accounts.people import People
from core.audit.recorder import json_safe
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.staff import catalog_rules, ledger, liability_rules, repeats_rules
from core.staff.ledger_rules import money
from core.staff.models import StaffEntry
from core.staff.policy import stf_policy

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
#: states in which an entry no longer counts as a penalised occurrence (STF-10, STF-13)
NOT_COUNTING = ("revoked", "reversal")
PERF_PAY_LABEL = "perf_pay_deduction"


def _invalid(field: str, message: str, rule_id: str = "STF-02"):
    return InvalidInput("cannot record the penalty", fields={field: [message]}, rule_id=rule_id)


def _user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = db.session.scalars(select(User).where(User.id == user_id)).first()
    if user is None:
        raise _invalid("user_id", "not a user of this company")
    return user


def _role_for(user: User | None, role: str | None, wanted: set[str]) -> str | None:
    """The role the entry is priced for: the one given, else the first role the user holds that the
    catalog or the doubling names, else the user's first role."""
    if role is not None:
        if not _CODE.match(role):
            raise _invalid("role", "not a role code")
        return role
    held = user.roles if user is not None else []
    for candidate in held:
        if candidate in wanted:
            return candidate
    return held[0] if held else None


def occurrences_before(user_id: int, offences, start: dt.datetime, at: dt.datetime) -> int:
    """How many penalised occurrences of ``offences`` ``user_id`` has from ``start`` up to ``at``
    (entries numbered in their period, not revoked nor reversed)."""
    reversed_ids = select(StaffEntry.reverses_id).where(StaffEntry.reverses_id.is_not(None))
    return db.session.scalar(select(func.count()).select_from(StaffEntry).where(
        StaffEntry.user_id == user_id, StaffEntry.offence.in_(list(offences)),
        StaffEntry.sequence_in_month.is_not(None), StaffEntry.state.not_in(NOT_COUNTING),
        StaffEntry.occurred_at >= start, StaffEntry.occurred_at <= at, StaffEntry.id.not_in(reversed_ids))) or 0


def _family_offences(catalog: dict, family: str) -> list[str]:
    return sorted(code for code, entry in catalog.items() if entry.get("family") == family)


def _yuan(amount: Decimal, unit: str) -> str:
    return f"¥{amount}" if unit == "yuan" else f"{amount} points"


def _yuan_zh(amount: Decimal, unit: str) -> str:
    return f"¥{amount}" if unit == "yuan" else f"{amount}分"


def _label(catalog: dict, offence: str) -> tuple[str, str]:
    entry = catalog.get(offence, {})
    return entry.get("label_zh") or offence, entry.get("label_en") or offence


def penalise(*, offence: str, occurred_at: dt.datetime, user_id: int | None = None, department_id: int | None = None,
             team_id: int | None = None, subject_type: str | None = None, subject_id: int | None = None,
             quantity: int = 1, outcome: str | None = None, role: str | None = None, minutes_late: int | None = None,
             amount=None, open_amount: bool = False, rule_id: str | None = None, reason_zh: str | None = None,
             reason_en: str | None = None, facts: dict | None = None, dedupe_key: str | None = None,
             created_by: int | None = None) -> list[StaffEntry]:
    """Price and record one occurrence of ``offence`` (see module doc); returns the entries written —
    the penalty (or flag) first, then ladder extras and a performance-pay proposal. ``amount`` is a price
    set by the calling rule (its own setting); ``open_amount`` lets an unpriced offence be proposed at 0
    for the approver to set. With a ``dedupe_key`` already used, the entries written then are returned."""
    if dedupe_key:
        existing = ledger.find_by_dedupe(dedupe_key)
        if existing is not None:
            return [existing, *_derived(dedupe_key)]
    if not isinstance(offence, str) or not _CODE.match(offence) or len(offence) > 80:
        raise _invalid("offence", "an offence code (lower-case letters, digits, underscores)")
    if not isinstance(occurred_at, dt.datetime) or occurred_at.tzinfo is None:
        raise _invalid("occurred_at", "needs a time zone")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise _invalid("quantity", "a whole number of units, at least 1")
    if minutes_late is not None and (isinstance(minutes_late, bool) or not isinstance(minutes_late, int)
                                     or minutes_late < 0):
        raise _invalid("minutes_late", "a whole number of minutes")
    view = stf_policy(occurred_at)
    values = view.values
    catalog, doubling = values["catalog"], values["doubling"]
    calendar, _ = tenant_calendar(occurred_at)
    day = calendar.local_date(occurred_at)

    ladder = values["ladders"].get(offence)
    reclassified_from = None
    if ladder is not None:
        other = repeats_rules.reclassified(ladder, minutes_late)
        if other is not None:
            reclassified_from, offence = offence, other
            ladder = values["ladders"].get(offence)

    entry_cfg = catalog.get(offence, {})
    people = People() if user_id is None else None
    who = liability_rules.liable(user_id, team_id, department_id,
                                 when_unidentified=entry_cfg.get("when_unidentified", "unit"),
                                 head_of=people.head_of if people else None)
    if who is None:
        raise _invalid("user_id", "name the employee, or the unit (team_id or department_id) when nobody is identified",
                       "STF-14")
    user = _user(who.user_id)
    if who.user_id is not None:  # two offences of one employee at once are numbered one after the other
        db.session.execute(select(User.id).where(User.id == who.user_id).with_for_update())
    wanted = set(entry_cfg.get("roles") or {}) | {r for roles in doubling.families.values() for r in roles}
    role = _role_for(user, role, wanted)
    base_facts = {**json_safe(facts or {}), "role": role, "liable": who.basis, "quantity": quantity}
    if outcome is not None:
        base_facts["outcome"] = outcome
    if reclassified_from:
        base_facts["reclassified_from"] = reclassified_from
        base_facts["minutes_late"] = minutes_late
    if who.basis in ("unit", "team", "head"):
        base_facts["nobody_identified"] = True
    common = dict(user_id=who.user_id, department_id=who.department_id, role=role, subject_type=subject_type,
                  subject_id=subject_id, occurred_at=occurred_at, policy=view, created_by=created_by)

    if ladder is not None and amount is None and user is not None:
        return _ladder_entries(ladder, offence, day, calendar, entry_cfg, quantity, common, base_facts,
                               rule_id, reason_zh, reason_en, dedupe_key, catalog, reclassified_from, minutes_late)

    try:
        price = catalog_rules.price(catalog, values["points"], offence, role=role, outcome=outcome,
                                    quantity=quantity, amount=amount, open_amount=open_amount)
    except catalog_rules.PricingError as err:
        raise _invalid(err.field, err.message) from None

    n = threshold = None
    mult = 1
    if user is not None:
        first, _next = repeats_rules.period_bounds("month", day)
        start = calendar.start_of_day(first)
        if price.family:
            threshold = doubling.threshold(price.family, role)
            n = occurrences_before(user.id, _family_offences(catalog, price.family) or [offence], start, occurred_at) + 1
            mult = repeats_rules.multiplier(n, threshold) if price.flag is None else 1
        else:
            n = occurrences_before(user.id, [offence], start, occurred_at) + 1
    allowed = price.range_for(mult)
    base_facts.update({"approver": price.approver, "family": price.family, "threshold": threshold,
                       "pricing": json_safe({"source": price.source, "basis": price.basis, "per": price.per,
                                             "unit_price": price.base, "open": price.source == "open",
                                             "range": list(allowed) if allowed else None})})
    total = money(price.amount * mult)
    zh, en = _reason(price, catalog, n, mult, threshold, who.basis, reason_zh, reason_en, reclassified_from)
    the_rule = rule_id or _rule_of(price, mult, who.basis)
    entry = ledger.record_entry(
        kind="flag" if price.flag else "penalty", offence=offence, rule_id=the_rule, unit=price.unit,
        amount=Decimal("0") if price.flag else total, base_amount=None if price.flag else price.amount,
        multiplier=mult, sequence_in_month=n, label=price.flag, reason_zh=zh, reason_en=en, facts=base_facts,
        dedupe_key=dedupe_key, pay_in_cash_by=calendar.end_of_day(day) if price.cash_same_day else None, **common)
    written = [entry]
    if user is not None and price.family and repeats_rules.perf_pay_due(n, threshold, doubling.perf_pay_deduction):
        written.append(_perf_pay_proposal(entry, price.family, threshold, doubling.perf_pay_deduction, day, common))
    return written


def _rule_of(price: catalog_rules.Price, mult: int, basis: str) -> str:
    if basis in ("unit", "team", "head"):
        return "STF-14"
    if mult > 1:
        return "STF-10"
    if price.source == "points":
        return "STF-03"
    return "STF-02"


def _reason(price, catalog, n, mult, threshold, basis, reason_zh, reason_en, reclassified_from) -> tuple[str, str]:
    label_zh, label_en = _label(catalog, price.offence)
    qty_zh = f"（{price.quantity}个{price.per}）" if price.quantity > 1 else ""
    qty_en = f" ({price.quantity} × {price.per})" if price.quantity > 1 else ""
    if price.flag:
        tier = price.basis.partition(":")[2] if price.basis.startswith("tier:") else None
        zh = [f"{label_zh}{f'（结果{tier}）' if tier else ''}：依据STF-02记人事审查标记{price.flag}，不自动处理。"]
        en = [f"{label_en}{f' (outcome {tier})' if tier else ''}: HR review flag {price.flag} under STF-02; "
              "nothing automatic."]
    elif price.source == "caller":
        zh = [reason_zh or f"{label_zh}：罚{_yuan_zh(price.amount, price.unit)}{qty_zh}。"]
        en = [reason_en or f"{label_en}: {_yuan(price.amount, price.unit)}{qty_en}."]
        reason_zh = reason_en = None
    elif price.source == "open":
        zh = [f"{label_zh}：未在处罚目录中定价，建议金额待审批人确定。"]
        en = [f"{label_en}: not priced in the catalog; the approver sets the amount."]
    elif price.source == "points":
        zh = [f"{label_zh}：依据STF-03积分制扣{price.amount}分{qty_zh}。"]
        en = [f"{label_en}: {price.amount} points under the STF-03 points scheme{qty_en}."]
    elif price.low is not None:
        zh = [f"{label_zh}：处罚目录范围{_yuan_zh(price.low, price.unit)}–{_yuan_zh(price.high, price.unit)}，"
              f"建议按下限{_yuan_zh(price.amount, price.unit)}{qty_zh}（STF-02）。"]
        en = [f"{label_en}: catalog range {_yuan(price.low, price.unit)}–{_yuan(price.high, price.unit)}, proposal at "
              f"the minimum {_yuan(price.amount, price.unit)}{qty_en} (STF-02)."]
    else:
        zh = [f"{label_zh}：处罚目录定额{_yuan_zh(price.amount, price.unit)}{qty_zh}（STF-02）。"]
        en = [f"{label_en}: catalog amount {_yuan(price.amount, price.unit)}{qty_en} (STF-02)."]
    if reason_zh and reason_en:
        zh.append(reason_zh)
        en.append(reason_en)
    if reclassified_from:
        zh.append(f"迟到超过时限，按{price.offence}处理（STF-13）。")
        en.append(f"Late beyond the band: booked as {price.offence} (STF-13).")
    if mult > 1:
        zh.append(f"本月同类第{n}次（阈值{threshold}），依据STF-10加倍为{_yuan_zh(money(price.amount * mult), price.unit)}。")
        en.append(f"Occurrence {n} of the {price.family} family this month (threshold {threshold}): doubled to "
                  f"{_yuan(money(price.amount * mult), price.unit)} under STF-10.")
    if basis in ("unit", "team"):
        zh.append("无法确定个人，依据STF-14由所在单位承担。")
        en.append("Nobody identified: under STF-14 the unit is liable.")
    elif basis == "head":
        zh.append("无法确定个人，依据STF-14由单位负责人承担。")
        en.append("Nobody identified: under STF-14 the unit's head is liable.")
    return "".join(zh), " ".join(en)


def _ladder_entries(ladder, offence, day, calendar, entry_cfg, quantity, common, base_facts, rule_id, reason_zh,
                    reason_en, dedupe_key, catalog, reclassified_from, minutes_late) -> list[StaffEntry]:
    """STF-13: the n-th occurrence in the ladder's period, priced by its step, with its extras."""
    first, _next = repeats_rules.period_bounds(ladder["period"], day)
    n = occurrences_before(common["user_id"], [offence], calendar.start_of_day(first), common["occurred_at"]) + 1
    step = repeats_rules.ladder_step(ladder, n)
    unit = ladder["unit"]
    label_zh, label_en = _label(catalog, offence)
    period_zh, period_en = ("本年", "this year") if ladder["period"] == "year" else ("本月", "this month")
    facts = {**base_facts, "approver": entry_cfg.get("approver", catalog_rules.DEFAULT_APPROVER),
             "ladder": {"n": n, "step": step.nth, "period": ladder["period"]},
             "pricing": {"source": "ladder", "open": False, "range": None}}
    cash_by = calendar.end_of_day(day) if step.cash_same_day else None
    extra_zh = (reason_zh or "") + (f"迟到{minutes_late}分钟，按{offence}处理。" if reclassified_from else "")
    extra_en = (f" {reason_en}" if reason_en else "") + (
        f" {minutes_late} minutes late: booked as {offence}." if reclassified_from else "")
    if step.flag:
        zh = f"{label_zh}：{period_zh}第{n}次，依据STF-13记人事审查标记{step.flag}（不自动处理）。{extra_zh}"
        en = f"{label_en}: occurrence {n} {period_en}; HR review flag {step.flag} under STF-13 (nothing automatic).{extra_en}"
    else:
        total = money(step.amount * quantity)
        cash_zh = f"，须于{day.isoformat()}当日以现金交财务" if cash_by else ""
        cash_en = f", paid in cash to finance by {day.isoformat()} 24:00" if cash_by else ""
        zh = f"{label_zh}：{period_zh}第{n}次，依据STF-13处罚{_yuan_zh(total, unit)}{cash_zh}。{extra_zh}"
        en = f"{label_en}: occurrence {n} {period_en}, {_yuan(total, unit)} under STF-13{cash_en}.{extra_en}"
    entry = ledger.record_entry(
        kind="flag" if step.flag else "penalty", offence=offence, rule_id=rule_id or "STF-13", unit=unit,
        amount=Decimal("0") if step.flag else money(step.amount * quantity),
        base_amount=None if step.flag else step.amount, sequence_in_month=n, label=step.flag, reason_zh=zh,
        reason_en=en, facts=facts, dedupe_key=dedupe_key, pay_in_cash_by=cash_by, **common)
    written = [entry]
    for extra in step.extras:
        if extra.flag:
            zh = f"{label_zh}：{period_zh}累计{n}次，依据STF-13另记人事审查标记{extra.flag}。"
            en = f"{label_en}: {n} occurrences {period_en}; an additional HR review flag {extra.flag} under STF-13."
        else:
            zh = f"{label_zh}：{period_zh}累计{n}次，依据STF-13另罚{_yuan_zh(extra.amount, unit)}。"
            en = f"{label_en}: {n} occurrences {period_en}; an additional {_yuan(extra.amount, unit)} under STF-13."
        written.append(ledger.record_entry(
            kind="flag" if extra.flag else "penalty", offence=offence, rule_id="STF-13", unit=unit,
            amount=Decimal("0") if extra.flag else extra.amount, label=extra.flag, reason_zh=zh, reason_en=en,
            facts={**facts, "extra_of": entry.id, "ladder": {"n": n, "extra_at": extra.at, "period": ladder["period"]}},
            dedupe_key=f"{dedupe_key}:extra:{extra.at}" if dedupe_key else None, **common))
    return written


def _perf_pay_proposal(entry: StaffEntry, family: str, threshold: int, bounds, day: dt.date, common) -> StaffEntry:
    """STF-10: once the month's threshold is reached, a proposal to deduct 10–30% of the month's
    performance pay (an HR flag for the approver, who chooses the share)."""
    low, high = (f"{b.normalize():f}" for b in bounds)
    month = f"{day.year:04d}-{day.month:02d}"
    return ledger.record_entry(
        kind="flag", offence=entry.offence, rule_id="STF-10", unit="yuan", amount=Decimal("0"), label=PERF_PAY_LABEL,
        reason_zh=f"{month}同类违规（{family}）达到第{threshold}次：依据STF-10建议扣减当月绩效工资{low}%–{high}%，由审批人确定。",
        reason_en=f"{month}: the {family} family reached occurrence {threshold}; under STF-10 a deduction of "
                  f"{low}%–{high}% of the month's performance pay is proposed, the approver chooses.",
        facts={"family": family, "threshold": threshold, "percent_range": [low, high], "entry_id": entry.id,
               "approver": (entry.facts or {}).get("approver", catalog_rules.DEFAULT_APPROVER)},
        dedupe_key=f"STF-10:perf_pay:{entry.user_id}:{family}:{month}", **common)


def _derived(dedupe_key: str) -> list[StaffEntry]:
    return list(db.session.scalars(select(StaffEntry).where(
        StaffEntry.dedupe_key.startswith(f"{dedupe_key}:extra:", autoescape=True)).order_by(StaffEntry.id)))


# ------------------------------------------------------------------------------------ approval (STF-23)

def approver_of(entry: StaffEntry) -> str:
    """STF-23: the role that approves ``entry`` (named by the catalog when it was priced)."""
    return (entry.facts or {}).get("approver") or catalog_rules.DEFAULT_APPROVER


def _check_approver(entry: StaffEntry, by: User) -> str:
    role = approver_of(entry)
    if not by.has_role(role):
        raise Forbidden(f"this penalty is approved by: {role}", rule_id="STF-23")
    if entry.user_id is not None and entry.user_id == by.id:
        raise Forbidden("nobody approves their own penalty", rule_id="STF-23")
    return role


def _proposed(entry: StaffEntry) -> None:
    if entry.kind == "reward" or entry.state == "reversal":
        raise Conflict("only penalties and flags are approved here", rule_id="STF-23")
    if entry.state != "proposed":
        raise Conflict(f"the entry is {entry.state}, no longer a proposal", rule_id="STF-23")


def set_amount(entry: StaffEntry, amount, *, reason: str, by: User) -> StaffEntry:
    """STF-02: the approver sets the amount of a proposal within its range (422 out of range, on a fixed
    amount or without a reason; 403 for anybody but the approver; 409 once approved). The proposal is
    kept in the facts and a decision by the approver supersedes the automatic one."""
    _proposed(entry)
    role = _check_approver(entry, by)
    if not (reason or "").strip():
        raise InvalidInput("a reason is required", fields={"reason": ["say why this amount"]}, rule_id="STF-02")
    value = money(amount)
    pricing = (entry.facts or {}).get("pricing") or {}
    allowed = tuple(Decimal(x) for x in pricing["range"]) if pricing.get("range") else None
    problem = catalog_rules.amount_problem(value, allowed=allowed, open_amount=bool(pricing.get("open")))
    if problem:
        raise InvalidInput(f"amount {problem}", fields={"amount": [problem]}, rule_id="STF-02")
    proposed = entry.amount
    unit = entry.unit
    range_zh = f"（范围{_yuan_zh(allowed[0], unit)}–{_yuan_zh(allowed[1], unit)}）" if allowed else ""
    range_en = f" (range {_yuan(allowed[0], unit)}–{_yuan(allowed[1], unit)})" if allowed else ""
    previous = decisions.get(entry.decision_id) if entry.decision_id else None
    decision = decisions.record(
        "STF-02", "staff_entry", entry.id, decided_by=by.id, supersedes=previous, policy=stf_policy(entry.occurred_at),
        outcome={"amount": value, "proposed": proposed, "unit": unit, "approver_role": role},
        facts={"range": list(allowed) if allowed else None, "reason": reason},
        reason_zh=f"审批人（{role}）将金额由建议的{_yuan_zh(proposed, unit)}定为{_yuan_zh(value, unit)}{range_zh}：{reason}",
        reason_en=f"The approver ({role}) set the amount to {_yuan(value, unit)} from the proposed "
                  f"{_yuan(proposed, unit)}{range_en}: {reason}")
    entry.facts = {**(entry.facts or {}), "proposed_amount": str(proposed), "set_by": by.id, "set_reason": reason}
    entry.amount = value
    if entry.multiplier and entry.multiplier > 1:
        entry.base_amount = money(value / entry.multiplier)
    elif entry.base_amount is not None:
        entry.base_amount = value
    entry.decision_id = decision.id
    db.session.flush()
    return entry


def approve(entry: StaffEntry, *, by: User, amount=None, reason: str | None = None) -> StaffEntry:
    """STF-23: the catalog's approver approves the proposal (setting its amount first when given)."""
    _proposed(entry)
    role = _check_approver(entry, by)
    if amount is not None:
        set_amount(entry, amount, reason=reason or "", by=by)
    ledger.move(entry, "approved", by=by.id, note=reason)
    decisions.record("STF-23", "staff_entry", entry.id, decided_by=by.id, policy=stf_policy(entry.occurred_at),
                     outcome={"state": "approved", "amount": entry.amount, "unit": entry.unit, "approver_role": role},
                     facts={"payroll_month": entry.payroll_month},
                     reason_zh=f"{role}审批通过：{_yuan_zh(entry.amount, entry.unit)}，计入"
                               f"{entry.payroll_month:%Y-%m}工资。",
                     reason_en=f"Approved by the {role}: {_yuan(entry.amount, entry.unit)}, on the pay of "
                               f"{entry.payroll_month:%Y-%m}.")
    return entry


# ------------------------------------------------------------------------- supervisor liability (STF-03)

def supervisor_liability(entry: StaffEntry, *, by: User, supervisor_id: int | None = None,
                         reason: str | None = None) -> StaffEntry:
    """STF-03: the supervisor who failed to supervise the offence of ``entry`` loses its amount ×
    ``stf.points.supervisor_multiplier`` (2 when not set). The supervisor is the one given or the
    employee's supervisor (else department head). 409 when already charged for this entry."""
    if entry.kind != "penalty" or entry.state in NOT_COUNTING or entry.user_id is None:
        raise Conflict("supervisor liability follows a penalty of an employee", rule_id="STF-03")
    if supervisor_id is None:
        found = People().supervisors_of(entry.user_id)
        if not found:
            raise InvalidInput("nobody supervises this employee", fields={"supervisor_id": [
                "name the supervisor: the employee's department has no supervisor nor head"]}, rule_id="STF-03")
        supervisor_id = found[0]
    supervisor = _user(supervisor_id)
    if supervisor.id == entry.user_id:
        raise InvalidInput("invalid supervisor", fields={"supervisor_id": ["not the employee themself"]},
                           rule_id="STF-03")
    key = f"STF-03:{entry.id}:{supervisor.id}"
    if ledger.find_by_dedupe(key) is not None:
        raise Conflict("the supervisor is already charged for this offence", rule_id="STF-03")
    view = stf_policy(entry.occurred_at)
    multiplier = view.values["points"].get("supervisor_multiplier") or liability_rules.DEFAULT_SUPERVISOR_MULTIPLIER
    amount = liability_rules.supervisor_amount(entry.amount, multiplier)
    note_zh, note_en = (f"{reason}", f" {reason}") if reason else ("", "")
    return ledger.record_entry(
        kind="penalty", offence=entry.offence, rule_id="STF-03", unit=entry.unit, amount=amount,
        base_amount=entry.amount, multiplier=multiplier, user_id=supervisor.id, role="supervisor",
        occurred_at=entry.occurred_at, subject_type=entry.subject_type, subject_id=entry.subject_id,
        reason_zh=f"未尽监督责任：{entry.offence}（员工处罚{_yuan_zh(entry.amount, entry.unit)}），依据STF-03"
                  f"主管承担{multiplier}倍，{_yuan_zh(amount, entry.unit)}。{note_zh}",
        reason_en=f"Failed to supervise {entry.offence} (the employee's {_yuan(entry.amount, entry.unit)}): under "
                  f"STF-03 the supervisor bears {multiplier} times, {_yuan(amount, entry.unit)}.{note_en}",
        facts={"supervised_entry": entry.id, "employee_id": entry.user_id, "multiplier": multiplier,
               "approver": approver_of(entry), "pricing": {"source": "supervisor", "open": False, "range": None}},
        dedupe_key=key, policy=view, created_by=by.id)
