"""The correction loop (STF-11): a violation ordered corrected and not corrected within the limit
(``stf.correction.within``, default 1 working day) counts again — same amount, counting toward the
month's repeats (STF-10) — dated at the end of the missed limit, and again after every further limit
until it is corrected. The daily job ``stf.correction_loop`` writes the repeats (one per limit: dedupe
``STF-11:<order>:<k>``, so a second run writes nothing); recording the correction first writes the
repeats that were due before it and withdraws any dated after it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.calendar import format_duration, parse_duration
from core.calendar.service import tenant_calendar
from core.customers.fact_time import fact_time
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.staff import corrections_rules as rules
from core.staff import ledger, penalties
from core.staff.correction_models import StaffCorrection
from core.staff.ledger_rules import can_move, money
from core.staff.models import StaffEntry
from core.staff.policy import stf_policy


def get_correction(correction_id: int) -> StaffCorrection:
    found = db.session.scalars(select(StaffCorrection).where(StaffCorrection.id == correction_id)).first()
    if found is None:
        raise NotFound("correction order not found")
    return found


def search(*, state: str | None = None, user_id: int | None = None):
    stmt = select(StaffCorrection).order_by(StaffCorrection.ordered_at, StaffCorrection.id)
    if state is not None:
        stmt = stmt.where(StaffCorrection.state == state)
    if user_id is not None:
        stmt = stmt.where(StaffCorrection.user_id == user_id)
    return stmt


def order(entry: StaffEntry, *, ordered_at: dt.datetime | None, by: int | None, within: str | None = None,
          note: str | None = None) -> StaffCorrection:
    """Order the violation of ``entry`` corrected (409 when it is not an employee's penalty or already
    ordered; 422 for a bad time or limit)."""
    if entry.kind != "penalty" or entry.user_id is None or entry.state in penalties.NOT_COUNTING:
        raise Conflict("only an employee's penalty can be ordered corrected", rule_id="STF-11")
    if db.session.scalars(select(StaffCorrection.id).where(StaffCorrection.entry_id == entry.id)).first():
        raise Conflict("this violation is already ordered corrected", rule_id="STF-11")
    ordered_at = fact_time(ordered_at, "ordered_at")
    if ordered_at < entry.occurred_at:
        raise InvalidInput("invalid order", fields={"ordered_at": ["before the violation"]}, rule_id="STF-11")
    view = stf_policy(ordered_at)
    if within is not None:
        try:
            limit_duration = parse_duration(within)
        except ValueError as exc:
            raise InvalidInput("invalid order", fields={"within": [str(exc)]}, rule_id="STF-11") from None
    else:
        limit_duration = view.values["correction"]["within"]
    calendar, _ = tenant_calendar(ordered_at)
    first = rules.current_limit(ordered_at, limit_duration, calendar, 0)
    correction = StaffCorrection(entry_id=entry.id, user_id=entry.user_id, offence=entry.offence, ordered_at=ordered_at,
                                 ordered_by=by, within=format_duration(limit_duration), state="open", repeats=0,
                                 next_check_at=first.end, policy_version=view.version, note=note)
    db.session.add(correction)
    db.session.flush()
    at = calendar.local(ordered_at).strftime("%Y-%m-%d %H:%M")
    decision = decisions.record(
        "STF-11", "staff_correction", correction.id, policy=view, decided_by=by,
        outcome={"through": first.through, "within": correction.within, "entry_id": entry.id},
        facts={"ordered_at": ordered_at, "violation": entry.id, "offence": entry.offence},
        reason_zh=f"{at}责令改正{entry.offence}，限期{correction.within}，即{first.through.isoformat()}前改正；"
                  "逾期未改正视同再次违规（STF-11）。",
        reason_en=f"Ordered corrected at {at}: {entry.offence}, within {correction.within}, i.e. through "
                  f"{first.through.isoformat()}; not corrected in time it counts again (STF-11).")
    correction.decision_id = decision.id
    return correction


def _repeat(correction: StaffCorrection, original: StaffEntry, limit: rules.Limit) -> list[StaffEntry]:
    base = money(original.amount / (original.multiplier or 1))
    return penalties.penalise(
        offence=correction.offence, occurred_at=limit.repeat_at, user_id=correction.user_id, role=original.role,
        subject_type=original.subject_type, subject_id=original.subject_id, amount=base, rule_id="STF-11",
        reason_zh=f"责令改正的{correction.offence}（处罚单#{original.id}）至{limit.through.isoformat()}仍未改正，"
                  f"依据STF-11视同再次违规（第{limit.k}次），罚¥{base}。",
        reason_en=f"{correction.offence} (entry #{original.id}) ordered corrected and still not corrected through "
                  f"{limit.through.isoformat()}: under STF-11 it counts again (repeat {limit.k}), ¥{base}.",
        facts={"correction_id": correction.id, "repeat": limit.k, "through": limit.through,
               "original_entry": original.id},
        dedupe_key=f"STF-11:{correction.id}:{limit.k}")


def advance(correction: StaffCorrection, as_of: dt.datetime) -> list[StaffEntry]:
    """Write the repeats of the limits missed by ``as_of`` (each once) and move to the next limit."""
    within = parse_duration(correction.within)
    calendar, _ = tenant_calendar(correction.ordered_at)
    missed = rules.missed_limits(correction.ordered_at, within, calendar, as_of=as_of,
                                 corrected_at=correction.corrected_at)
    original = ledger.get_entry(correction.entry_id)
    written: list[StaffEntry] = []
    for limit in missed[correction.repeats:]:
        written += _repeat(correction, original, limit)
    correction.repeats = max(correction.repeats, len(missed))
    running = rules.current_limit(correction.ordered_at, within, calendar, correction.repeats)
    correction.next_check_at = running.end if running is not None and correction.state == "open" else None
    db.session.flush()
    return written


def mark_corrected(correction: StaffCorrection, *, corrected_at: dt.datetime | None, by: int | None) -> StaffCorrection:
    """The violation is corrected: the repeats due before ``corrected_at`` are written, any dated after it
    withdrawn (revoked, or reversed once counting), and the loop ends (409 when already corrected)."""
    if correction.state != "open":
        raise Conflict(f"the order is {correction.state}", rule_id="STF-11")
    corrected_at = fact_time(corrected_at, "corrected_at")
    if corrected_at < correction.ordered_at:
        raise InvalidInput("invalid correction", fields={"corrected_at": ["before the order"]}, rule_id="STF-11")
    correction.corrected_at = corrected_at
    advance(correction, corrected_at)
    valid = len(rules.missed_limits(correction.ordered_at, parse_duration(correction.within),
                                    tenant_calendar(correction.ordered_at)[0], as_of=corrected_at,
                                    corrected_at=corrected_at))
    for k, repeat in _repeats_of(correction):
        if k > valid:
            _withdraw(repeat, by)
    correction.repeats = valid
    correction.state, correction.corrected_by, correction.next_check_at = "corrected", by, None
    calendar, _ = tenant_calendar(corrected_at)
    at = calendar.local(corrected_at).strftime("%Y-%m-%d %H:%M")
    decisions.record("STF-11", "staff_correction", correction.id, decided_by=by, policy=stf_policy(correction.ordered_at),
                     outcome={"state": "corrected", "repeats": valid},
                     facts={"corrected_at": corrected_at, "ordered_at": correction.ordered_at},
                     reason_zh=f"{at}已改正，改正循环结束；共计再次违规{valid}次（STF-11）。",
                     reason_en=f"Corrected at {at}: the loop ends after {valid} repeat(s) (STF-11).")
    db.session.flush()
    return correction


def _repeats_of(correction: StaffCorrection) -> list[tuple[int, StaffEntry]]:
    """The repeat entries of an order, with their limit number."""
    prefix = f"STF-11:{correction.id}:"
    rows = db.session.scalars(select(StaffEntry).where(StaffEntry.dedupe_key.startswith(prefix, autoescape=True)))
    found = [(e.dedupe_key[len(prefix):], e) for e in rows]
    return sorted((int(k), e) for k, e in found if k.isdigit())


def _withdraw(entry: StaffEntry, by: int | None) -> None:
    if entry.state in ("revoked", "reversal") or ledger.reversed_amount(entry) >= entry.amount:
        return
    if can_move(entry.state, "revoked"):
        ledger.move(entry, "revoked", by=by, note="corrected before this limit ended (STF-11)")
    else:
        ledger.reverse(entry, by=by, rule_id="STF-11", reason_zh="改正时间早于该期限届满，撤销此次再次违规。",
                       reason_en="Corrected before this limit ended: the repeat is withdrawn.")


def run_loop(as_of: dt.datetime | None = None, progress=None) -> dict:
    """``stf.correction_loop``: every open order whose running limit ended by ``as_of``."""
    as_of = as_of or utcnow()
    due = list(db.session.scalars(select(StaffCorrection).where(
        StaffCorrection.state == "open", StaffCorrection.next_check_at <= as_of)
        .order_by(StaffCorrection.next_check_at, StaffCorrection.id)))
    written = 0
    for n, correction in enumerate(due):
        written += len(advance(correction, as_of))
        if progress:
            progress(n + 1, len(due))
    return {"orders": len(due), "repeats": written, "as_of": as_of.isoformat()}
