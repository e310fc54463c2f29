"""The monthly list of approved penalties, published to HR by the 10th (STF-23).

:func:`publish` compiles the penalties of a payroll month that were approved (approved or any later
state that still counts; revoked and proposed ones are left out) with their amount net of reversals
(a penalty modified on appeal is listed at its new amount), and stores the list as published — a
snapshot, one per month: publishing again returns the same list. The roles of
``stf.publication.hr_roles`` are notified. The job ``stf.penalty_publication`` runs it on the 1st.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.accounts.models import Department, User
from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import NotFound
from core.notifications.service import notify
from core.staff import ledger_rules
from core.staff import slips_publication_rules as rules
from core.staff.appeals_models import SlipAppeal
from core.staff.models import StaffEntry
from core.staff.policy import stf_policy
from core.staff.slips_models import PenaltyPublication, PenaltySlip

SUBJECT = "penalty_publication"


def publications():
    return select(PenaltyPublication).order_by(PenaltyPublication.month.desc())


def get_publication(publication_id: int) -> PenaltyPublication:
    row = db.session.scalars(select(PenaltyPublication).where(PenaltyPublication.id == publication_id)).first()
    if row is None:
        raise NotFound("penalty publication not found")
    return row


def publication_for(month: dt.date) -> PenaltyPublication | None:
    return db.session.scalars(select(PenaltyPublication).where(
        PenaltyPublication.month == ledger_rules.month_start(month))).first()


def _iso(moment: dt.datetime | None, calendar) -> str | None:
    return None if moment is None else calendar.local(moment).isoformat(timespec="minutes")


def compile_items(month: dt.date) -> list[dict]:
    """The approved penalties of ``month`` (payroll month), oldest first, net of their reversals."""
    calendar, _ = tenant_calendar(month)
    entries = list(db.session.scalars(select(StaffEntry).where(
        StaffEntry.kind == "penalty", StaffEntry.payroll_month == ledger_rules.month_start(month),
        StaffEntry.state.in_(rules.LISTED_STATES)).order_by(StaffEntry.occurred_at, StaffEntry.id)))
    ids = [entry.id for entry in entries]
    if not ids:
        return []
    reversed_by = dict(db.session.execute(
        select(StaffEntry.reverses_id, func.sum(StaffEntry.amount))
        .where(StaffEntry.reverses_id.in_(ids)).group_by(StaffEntry.reverses_id)).all())
    slips = {s.staff_entry_id: s for s in db.session.scalars(select(PenaltySlip).where(PenaltySlip.staff_entry_id.in_(ids)))}
    appeals = {a.staff_entry_id: a for a in db.session.scalars(select(SlipAppeal).where(SlipAppeal.staff_entry_id.in_(ids)))}
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({e.user_id for e in entries if e.user_id is not None}))).all())
    departments = dict(db.session.execute(select(Department.id, Department.name).where(
        Department.id.in_({e.department_id for e in entries if e.department_id is not None}))).all())
    items = []
    for entry in entries:
        net = ledger_rules.money(entry.amount + ledger_rules.money(reversed_by.get(entry.id) or 0))
        if net <= 0:
            continue
        slip, appeal = slips.get(entry.id), appeals.get(entry.id)
        items.append({
            "entry_id": entry.id, "user_id": entry.user_id, "employee": names.get(entry.user_id),
            "department_id": entry.department_id, "department": departments.get(entry.department_id),
            "offence": entry.offence, "rule_id": entry.rule_id, "occurred_at": _iso(entry.occurred_at, calendar),
            "amount": format(net, ".2f"), "original_amount": format(entry.amount, ".2f"), "unit": entry.unit,
            "state": entry.state, "approved_at": _iso(entry.approved_at, calendar), "approved_by": entry.approved_by,
            "slip_id": slip.id if slip else None,
            "slip_effective_at": _iso(slip.effective_at, calendar) if slip else None,
            "appeal_outcome": (appeal.outcome or "open") if appeal else None})
    return items


def publish(month: dt.date, *, at: dt.datetime) -> tuple[PenaltyPublication, bool]:
    """Publish ``month``'s list (once): ``(publication, created now)``."""
    month = ledger_rules.month_start(month)
    existing = publication_for(month)
    if existing is not None:
        return existing, False
    items = compile_items(month)
    view = stf_policy(at)
    publication = PenaltyPublication(month=month, due_on=rules.due_on(month), published_at=at, items=items,
                                     entry_count=len(items), totals=rules.totals(items))
    db.session.add(publication)
    db.session.flush()
    totals = publication.totals
    written = decisions.record(
        "STF-23", SUBJECT, publication.id, policy=view,
        outcome={"month": f"{month:%Y-%m}", "entries": len(items), "totals": totals, "due_on": publication.due_on},
        facts={"entry_ids": [item["entry_id"] for item in items], "states": list(rules.LISTED_STATES)},
        reason_zh=f"{month:%Y年%m月}已批准的行政处罚汇总{len(items)}条（合计{totals['yuan']}元、{totals['points']}分），"
                  f"于{publication.due_on:%m月%d日}前公布给人事",
        reason_en=f"Approved penalties of {month:%Y-%m}: {len(items)} ({totals['yuan']} yuan, {totals['points']} "
                  f"points), published to HR by {publication.due_on:%Y-%m-%d}")
    publication.decision_id = written.id
    people = People()
    hr = [user_id for role in view.values["publication"]["hr_roles"] for user_id, _dep in people.holders(role)]
    notify(hr, kind="stf.publication", rule_id="STF-23", subject_type=SUBJECT, subject_id=publication.id,
           dedupe_key=f"STF-23:{month:%Y-%m}", title_zh=f"{month:%Y年%m月}处罚汇总已公布",
           title_en=f"Penalty list of {month:%Y-%m} published")
    return publication, True


def csv_for(publication: PenaltyPublication) -> bytes:
    return rules.csv_bytes(publication.items)


def hr_roles(at: dt.datetime | None = None) -> tuple[str, ...]:
    return tuple(stf_policy(at).values["publication"]["hr_roles"])
