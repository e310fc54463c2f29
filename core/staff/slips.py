"""Penalty slips (处罚单): issue, the employee's signature, a refusal and its witnesses (STF-20), and
the HR flag of a refusal with evidence and bad attitude (STF-22).

A slip is issued for an approved penalty entry of the staff ledger (:mod:`core.staff.ledger`; one
slip per entry) with the facts, the penalty opinion and the amount. The employee signs it — which
acknowledges receipt, not agreement — and it takes effect then; or a manager records the refusal and
the slip takes effect when the ``stf.slip.witnesses_on_refusal``-th witness signs, at that witness's
time. When the slip takes effect its entry moves ``approved → effective`` (with
``stf.slip.required``, the only way a penalty becomes effective: :func:`require_effective_slip` is
the guard for other code). The appeal window of STF-21 runs from the issue (:mod:`core.staff.appeals`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.staff import appeals_rules, ledger, ledger_rules
from core.staff import slips_rules as rules
from core.staff.models import StaffEntry
from core.staff.policy import stf_policy
from core.staff.slips_models import PenaltySlip, SlipWitness

SUBJECT = "staff_slip"


# ------------------------------------------------------------------------------------ reading

def get_slip(slip_id: int, *, lock: bool = False) -> PenaltySlip:
    """The slip (404); ``lock`` holds its row until commit, so that two signatures are counted in turn."""
    stmt = select(PenaltySlip).where(PenaltySlip.id == slip_id)
    slip = db.session.scalars(stmt.with_for_update() if lock else stmt).first()
    if slip is None:
        raise NotFound("penalty slip not found")
    return slip


def slip_for_entry(entry_id: int) -> PenaltySlip | None:
    return db.session.scalars(select(PenaltySlip).where(PenaltySlip.staff_entry_id == entry_id)).first()


def witnesses_of(slip_id: int) -> list[SlipWitness]:
    return list(db.session.scalars(select(SlipWitness).where(SlipWitness.slip_id == slip_id)
                                   .order_by(SlipWitness.signed_at, SlipWitness.id)))


def slips(*, user_id: int | None = None, state: str | None = None, staff_entry_id: int | None = None):
    """Slips, newest issue first."""
    stmt = select(PenaltySlip)
    for column, value in ((PenaltySlip.user_id, user_id), (PenaltySlip.state, state),
                          (PenaltySlip.staff_entry_id, staff_entry_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(PenaltySlip.issued_at.desc(), PenaltySlip.id.desc())


def _local(moment: dt.datetime) -> str:
    calendar, _ = tenant_calendar(moment)
    return f"{calendar.local(moment):%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------------------------ STF-20

def issue(staff_entry_id: int, *, facts: str, opinion: str, by: int, issued_at: dt.datetime | None = None,
          evidence: list[str] | None = None, amount=None) -> PenaltySlip:
    """Issue the slip of an approved penalty entry. 404 unknown entry; 403 one's own penalty; 422 not
    a penalty of an employee, dated before the offence or stating another amount; 409 not approved, or a slip exists."""
    entry = ledger.get_entry(staff_entry_id)
    if by == entry.user_id:
        raise Forbidden("nobody issues the slip of their own penalty", rule_id="STF-20")
    issued_at = fact_time(issued_at, "issued_at")
    errors: dict[str, list[str]] = {}
    if entry.kind != "penalty":
        errors["staff_entry_id"] = [f"a slip is issued for a penalty, not a {entry.kind}"]
    elif entry.user_id is None:
        errors["staff_entry_id"] = ["a unit's penalty (STF-14) has nobody to sign a slip"]
    if issued_at < entry.occurred_at:
        errors["issued_at"] = ["cannot be before the offence occurred"]
    if amount is not None and ledger_rules.money(amount) != entry.amount:
        errors["amount"] = [f"the slip states the penalty's amount ({entry.amount})"]
    if not (facts or "").strip():
        errors["facts"] = ["state the facts of the violation"]
    if not (opinion or "").strip():
        errors["opinion"] = ["state the penalty opinion"]
    if errors:
        raise InvalidInput("invalid penalty slip", fields=errors, rule_id="STF-20")
    if slip_for_entry(entry.id) is not None:
        raise Conflict("this penalty already has its slip", rule_id="STF-20")
    if entry.state != "approved":
        raise Conflict(f"a slip is issued for an approved penalty; this one is {entry.state}", rule_id="STF-20")
    view = stf_policy(issued_at)
    calendar, _ = tenant_calendar(issued_at)
    window = appeals_rules.window_end(calendar, issued_at, view.values["appeal"]["window"])
    slip = PenaltySlip(staff_entry_id=entry.id, user_id=entry.user_id, facts=facts.strip(), opinion=opinion.strip(),
                       amount=entry.amount, unit=entry.unit, evidence=[e for e in (evidence or []) if e.strip()],
                       issued_at=issued_at, issued_by=by, state="issued", bad_attitude=False,
                       appeal_window_ends_at=window.utc, policy_version=view.version)
    db.session.add(slip)
    db.session.flush()
    unit = "元" if entry.unit == "yuan" else "分"
    issued = decisions.record(
        "STF-20", SUBJECT, slip.id, policy=view, decided_by=by,
        outcome={"state": "issued", "staff_entry_id": entry.id, "amount": entry.amount, "unit": entry.unit},
        facts={"entry": entry.id, "user_id": entry.user_id, "issued_at": issued_at, "offence": entry.offence},
        reason_zh=f"{calendar.local(issued_at):%Y-%m-%d %H:%M}开具处罚单：{entry.offence}，处罚{entry.amount}{unit}；"
                  "员工须签收（签收表示收到，不表示同意），拒签须有见证人签认",
        reason_en=f"Penalty slip issued {calendar.local(issued_at):%Y-%m-%d %H:%M}: {entry.offence}, {entry.amount} "
                  f"{entry.unit}; the employee signs for receipt (not agreement), a refusal needs witnesses")
    slip.decision_id = issued.id
    decisions.record(
        "STF-21", SUBJECT, slip.id, policy=view, decided_by=by,
        outcome={"appeal_window_ends_at": window.utc, "through": window.through},
        facts={"issued_at": issued_at, "window": str(view.values["appeal"]["window"]), "trace": list(window.trace)},
        reason_zh=f"可于{window.through:%Y-%m-%d}24:00前书面申诉（自开具起{view.values['appeal']['window']}）",
        reason_en=f"A written appeal may be made through {window.through:%Y-%m-%d} "
                  f"({view.values['appeal']['window']} from the issue)")
    notify([entry.user_id], kind="stf.slip", rule_id="STF-20", subject_type=SUBJECT, subject_id=slip.id,
           dedupe_key=f"STF-20:issued:{slip.id}", title_zh="处罚单待签收", title_en="A penalty slip to sign",
           body_zh=f"{entry.offence}：{entry.amount}{unit}。可于{window.through:%Y-%m-%d}前书面申诉。",
           body_en=f"{entry.offence}: {entry.amount} {entry.unit}. You may appeal in writing through "
                   f"{window.through:%Y-%m-%d}.", due_at=window.utc)
    return slip


def sign(slip_id: int, *, by: int, signed_at: dt.datetime | None = None) -> PenaltySlip:
    """The employee signs (receipt, not agreement): the slip takes effect at ``signed_at``. 403 anyone
    else; 409 already effective; 422 dated before the issue or the recorded refusal."""
    slip = get_slip(slip_id, lock=True)
    if by != slip.user_id:
        raise Forbidden("only the employee named on the slip signs it; witnesses sign a refused slip",
                        rule_id="STF-20")
    if slip.state == "effective":
        raise Conflict("the slip is already effective", rule_id="STF-20")
    signed_at = fact_time(signed_at, "signed_at")
    if signed_at < (slip.refused_at or slip.issued_at):
        raise InvalidInput("invalid signature", fields={"signed_at": ["cannot be before the slip was issued "
                                                                      "or the refusal recorded"]}, rule_id="STF-20")
    slip.signed_at = signed_at
    _take_effect(slip, signed_at, "signature", by)
    return slip


def refuse(slip_id: int, *, by: int, refused_at: dt.datetime | None = None, note: str | None = None,
           bad_attitude: bool = False, evidence: list[str] | None = None) -> PenaltySlip:
    """A manager present records that the employee refuses to sign; witnesses sign next. With evidence
    (on the slip or given now) and a bad attitude, the STF-22 HR flag is written."""
    slip = get_slip(slip_id, lock=True)
    if by == slip.user_id:
        raise Forbidden("a refusal is recorded by the manager present, not by the employee", rule_id="STF-20")
    if slip.state != "issued":
        raise Conflict(f"only an issued slip can be refused; this one is {slip.state}", rule_id="STF-20")
    refused_at = fact_time(refused_at, "refused_at")
    if refused_at < slip.issued_at:
        raise InvalidInput("invalid refusal", fields={"refused_at": ["cannot be before the slip was issued"]},
                           rule_id="STF-20")
    view = stf_policy(slip.issued_at)
    threshold = rules.witness_threshold(view.values["slip"])
    slip.state, slip.refused_at, slip.refusal_recorded_by = "refused", refused_at, by
    slip.refusal_note = (note or "").strip() or None
    slip.bad_attitude = bool(bad_attitude)
    slip.evidence = [*slip.evidence, *[e for e in (evidence or []) if e.strip()]]
    when = _local(refused_at)
    decisions.record(
        "STF-20", SUBJECT, slip.id, policy=view, decided_by=by,
        outcome={"state": "refused", "witnesses_needed": str(threshold)},
        facts={"refused_at": refused_at, "note": slip.refusal_note, "bad_attitude": slip.bad_attitude},
        reason_zh=f"员工于{when}拒绝签收处罚单；须{threshold}名见证人签认后生效",
        reason_en=f"The employee refused to sign on {when}; the slip takes effect once {threshold} witnesses sign")
    if rules.calls_for_hr_flag(refused=True, bad_attitude=slip.bad_attitude, evidence=slip.evidence):
        _raise_hr_flag(slip, by, view)
    return slip


def _raise_hr_flag(slip: PenaltySlip, by: int, view) -> None:
    """STF-22: the department reports to the company — an HR review flag, decided by a person."""
    when = _local(slip.refused_at)
    flag = ledger.record_entry(
        kind="flag", offence="slip_refused_bad_attitude", rule_id="STF-22", amount=0, user_id=slip.user_id,
        label=rules.HR_FLAG_LABEL, occurred_at=slip.refused_at, subject_type=SUBJECT, subject_id=slip.id,
        facts={"slip": slip.id, "staff_entry_id": slip.staff_entry_id, "evidence": slip.evidence,
               "bad_attitude": True}, policy=view, dedupe_key=f"STF-22:slip:{slip.id}", created_by=by,
        reason_zh=f"证据充分，员工于{when}拒不签收处罚单且态度恶劣：报公司，最后警告或辞退（依劳动合同处理，由人工决定）",
        reason_en=f"With sufficient evidence the employee refused to sign the slip on {when} and behaved badly: "
                  "reported for a final warning or dismissal under the labour contract (a person decides)")
    slip.hr_flag_entry_id = flag.id
    notify(_hr_people(view), kind="stf.hr_flag", rule_id="STF-22", subject_type="staff_entry", subject_id=flag.id,
           dedupe_key=f"STF-22:flag:{flag.id}", title_zh="人事审查：最后警告或辞退",
           title_en="HR review: final warning or dismissal")


def _hr_people(view) -> list[int]:
    people = People()
    return [user_id for role in view.values["publication"]["hr_roles"] for user_id, _dep in people.holders(role)]


def witness(slip_id: int, *, by: int, may_record_others: bool, user_id: int | None = None,
            signed_at: dt.datetime | None = None) -> SlipWitness:
    """A witness signs a refused slip (``user_id`` defaults to the caller; a manager may copy the
    signature of a paper slip). The slip takes effect at the time of the witness who reaches
    ``stf.slip.witnesses_on_refusal``."""
    slip = get_slip(slip_id, lock=True)
    witness_id = by if user_id is None else user_id
    if witness_id != by and not may_record_others:
        raise Forbidden("a witness signs for themself; a manager may record a paper signature", rule_id="STF-20")
    signed_at = fact_time(signed_at, "signed_at")
    errors: dict[str, list[str]] = {}
    if witness_id == slip.user_id:
        errors["user_id"] = ["the employee cannot witness their own refusal"]
    elif not db.session.scalar(select(User.is_active).where(User.id == witness_id)):
        errors["user_id"] = ["not an active user of this company"]
    if slip.refused_at is not None and signed_at < slip.refused_at:
        errors["signed_at"] = ["cannot be before the refusal"]
    if errors:
        raise InvalidInput("invalid witness signature", fields=errors, rule_id="STF-20")
    if slip.state == "issued":
        raise Conflict("the employee has not refused: witnesses sign a refused slip", rule_id="STF-20")
    if slip.state == "effective":
        raise Conflict("the slip is already effective", rule_id="STF-20")
    signed = witnesses_of(slip.id)
    if any(w.user_id == witness_id for w in signed):
        raise Conflict("this witness has already signed", rule_id="STF-20")
    row = SlipWitness(slip_id=slip.id, user_id=witness_id, signed_at=signed_at, recorded_by=by)
    db.session.add(row)
    db.session.flush()
    view = stf_policy(slip.issued_at)
    at = rules.effective_by_witnesses([w.signed_at for w in [*signed, row]], rules.witness_threshold(view.values["slip"]))
    if at is not None:
        _take_effect(slip, at, "witnesses", by)
    return row


def _take_effect(slip: PenaltySlip, at: dt.datetime, how: str, by: int) -> None:
    """The slip is effective at ``at``; its approved entry becomes effective (STF-20)."""
    view = stf_policy(slip.issued_at)
    slip.state, slip.effective_at, slip.effective_by = "effective", at, how
    entry = ledger.get_entry(slip.staff_entry_id)
    before = entry.state
    if entry.state == "approved":
        ledger.move(entry, "effective", by=by, note=f"slip {slip.id}")
    when = _local(at)
    if how == "signature":
        zh, en = f"员工于{when}签收处罚单（签收表示收到，不表示同意），处罚单生效", \
            f"The employee signed the slip on {when} (receipt, not agreement): the slip is effective"
    else:
        witnesses = witnesses_of(slip.id)
        zh = f"员工拒签；见证人签认达到{rules.witness_threshold(view.values['slip'])}名，处罚单于{when}生效"
        en = (f"The employee refused; with {len(witnesses)} witness signatures "
              f"({rules.witness_threshold(view.values['slip'])} needed) the slip is effective on {when}")
    decisions.record(
        "STF-20", SUBJECT, slip.id, policy=view, decided_by=by,
        outcome={"state": "effective", "effective_at": at, "by": how, "entry_state": entry.state},
        facts={"staff_entry_id": entry.id, "entry_state_before": before, "signed_at": slip.signed_at,
               "refused_at": slip.refused_at,
               "witnesses": [{"user_id": w.user_id, "signed_at": w.signed_at} for w in witnesses_of(slip.id)]},
        reason_zh=zh, reason_en=en)
    notify([slip.user_id, slip.issued_by], kind="stf.slip", rule_id="STF-20", subject_type=SUBJECT,
           subject_id=slip.id, dedupe_key=f"STF-20:effective:{slip.id}", title_zh="处罚单已生效",
           title_en="The penalty slip is effective")


def require_effective_slip(entry: StaffEntry) -> None:
    """STF-20 guard for code that makes a penalty effective other than through its slip: 409 when the
    entry has a slip not yet effective, or none while ``stf.slip.required``."""
    if entry.kind != "penalty":
        return
    slip = slip_for_entry(entry.id)
    if slip is not None:
        if slip.state != "effective":
            raise Conflict("this penalty becomes effective through its slip (signature or witnesses)",
                           rule_id="STF-20")
        return
    if stf_policy(entry.occurred_at).values["slip"]["required"]:
        raise Conflict("a penalty becomes effective through its slip: issue one (stf.slip.required)",
                       rule_id="STF-20")
