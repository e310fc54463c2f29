"""Due visits (CUS-61): generation by cadence and holiday, fulfilment by the contact log, overdue
flags, and the per-user lists.

:func:`generate` is what the daily job ``cus.visit_generation`` runs "as of" a moment, in the
tenant's local time: for every customer with a tier in ``cus.visits.scheme`` it creates the visits
of the current month, quarter and year of its tier's cadences, and the holiday visits whose lead
has begun; each by natural key (customer, role, period, slot), so a re-run creates nothing twice.
Each new visit has a ``CUS-61`` decision (why it is due: tier, cadence, policy version). Then
:func:`reconcile` marks visits done by the contact-log entries of their performer in their period,
and :func:`mark_overdue` flags the ones past due and notifies their performer.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, or_, select

from core.calendar.service import tenant_calendar
from core.customers import ownership_store
from core.customers.models import ContactLogEntry, Customer
from core.customers.policy import cus_policy
from core.customers.visits import cadence_rules as rules
from core.customers.visits.models import DueVisit
from core.accounts.people import AGENT, People
from core.customers.grades.service import tiers_of
from core.db import db, utcnow
from core.decisions import service as decisions
from core.notifications.service import notify

CHUNK = 500
OPEN_STATUSES = ("open", "overdue")


def generate(as_of: dt.datetime | None = None, *, progress=None) -> dict:
    """Create the due visits of every tiered customer as of ``as_of`` (default now); then reconcile
    and flag overdue ones. Returns counts."""
    as_of = as_of or utcnow()
    calendar, _cal = tenant_calendar(as_of)
    policy = cus_policy(as_of)
    settings = policy.values["visits"]
    today = calendar.local_date(as_of)
    holiday_settings = settings["holiday"]
    lead = int(holiday_settings["lead"].amount)
    holidays = rules.public_holidays(calendar, today + dt.timedelta(days=1), today + dt.timedelta(days=lead))
    people = People()
    customer_ids = list(db.session.scalars(select(Customer.id).order_by(Customer.id)))
    created = 0
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start:start + CHUNK]
        tiers = tiers_of(chunk, settings["scheme"])
        if tiers:
            created += _create_for(tiers, settings, holidays, today, calendar, policy, people)
        if progress:
            progress(min(start + CHUNK, len(customer_ids)), len(customer_ids), "CUS-61")
    done = reconcile(as_of, people=people)
    overdue = mark_overdue(as_of)
    return {"created": created, "done": done, "overdue": overdue, "as_of": as_of.isoformat()}


def _create_for(tiers: dict[int, str], settings, holidays, today, calendar, policy, people: People) -> int:
    specs = {cid: rules.cadence_visits(tier, settings["matrix"], today)
             + rules.holiday_visits(tier, settings["holiday"], holidays, today) for cid, tier in tiers.items()}
    wanted = [(cid, *spec.key) for cid, items in specs.items() for spec in items]
    if not wanted:
        return 0
    existing = set()
    keys = sorted({k[2] for k in wanted})
    for row in db.session.execute(select(DueVisit.customer_id, DueVisit.role, DueVisit.period_key, DueVisit.slot)
                                  .where(DueVisit.customer_id.in_(list(specs)), DueVisit.period_key.in_(keys))):
        existing.add(tuple(row))
    owners = ownership_store.owner_ids(list(specs))
    new = []
    for cid, items in specs.items():
        for spec in items:
            if (cid, *spec.key) in existing:
                continue
            performer = people.performer(spec.role, owners.get(cid))
            row = DueVisit(customer_id=cid, kind=spec.kind, role=spec.role, per=spec.per, period_key=spec.period_key,
                           slot=spec.slot, times=spec.times, period_first=spec.period_first,
                           period_last=spec.period_last, available_from=spec.available_from, due_on=spec.due_on,
                           due_at=calendar.end_of_day(spec.due_on), mode=spec.mode, tier=spec.tier,
                           holiday=spec.holiday, performer_id=performer, status="open")
            db.session.add(row)
            new.append((row, spec))
    db.session.flush()
    for row, spec in new:
        decision = decisions.record(
            "CUS-61", "due_visit", row.id, policy=policy,
            outcome={"customer_id": row.customer_id, "role": spec.role, "period": spec.period_key, "slot": spec.slot,
                     "due_on": spec.due_on, "mode": spec.mode, "performer_id": row.performer_id},
            facts={"tier": spec.tier, "scheme_tier_rule": "CUS-50", "times": spec.times, "per": spec.per,
                   "owner_id": owners.get(row.customer_id), "holiday": spec.holiday},
            reason_zh=spec.reason_zh, reason_en=spec.reason_en)
        row.decision_id = decision.id
        if spec.kind == "holiday":
            notify([row.performer_id], kind="cus.holiday_visit", rule_id="CUS-61", subject_type="due_visit",
                   subject_id=row.id, dedupe_key=f"CUS-61:holiday:{row.id}", due_at=row.due_at,
                   title_zh=f"节日拜访：{spec.holiday}前请于{spec.due_on.isoformat()}前拜访客户",
                   title_en=(f"Holiday visit before {spec.holiday}: visit the customer through "
                             f"{spec.due_on.isoformat()}"),
                   body_zh=spec.reason_zh, body_en=spec.reason_en)
    db.session.flush()
    return len(new)


def reconcile(as_of: dt.datetime | None = None, *, customer_ids=None, people: People | None = None) -> int:
    """Mark open and overdue visits done by matching contact-log entries (CUS-61); agent visits
    follow the customer's current owner. Returns how many became done."""
    as_of = as_of or utcnow()
    stmt = select(DueVisit).where(DueVisit.status.in_(OPEN_STATUSES))
    if customer_ids is not None:
        stmt = stmt.where(DueVisit.customer_id.in_(list(customer_ids)))
    open_rows = list(db.session.scalars(stmt))
    if not open_rows:
        return 0
    people = people or People()
    calendar, _ = tenant_calendar(as_of)
    owners = ownership_store.owner_ids({r.customer_id for r in open_rows})
    for row in open_rows:
        if row.role == AGENT and row.performer_id != owners.get(row.customer_id):
            row.performer_id = owners.get(row.customer_id)
    done = 0
    by_customer: dict[int, list[DueVisit]] = defaultdict(list)
    for row in open_rows:
        if row.performer_id is not None:
            by_customer[row.customer_id].append(row)
    customers = sorted(by_customer)
    for start in range(0, len(customers), CHUNK):
        chunk = customers[start:start + CHUNK]
        rows = [r for cid in chunk for r in by_customer[cid]]
        done += _match(rows, calendar)
    db.session.flush()
    return done


def _bounds(row: DueVisit, calendar) -> tuple[dt.datetime, dt.datetime]:
    return calendar.start_of_day(row.period_first), calendar.end_of_day(row.period_last)


def _match(rows: list[DueVisit], calendar) -> int:
    bounds = {r.id: _bounds(r, calendar) for r in rows}
    earliest = min(b[0] for b in bounds.values())
    latest = max(b[1] for b in bounds.values())
    customer_ids = sorted({r.customer_id for r in rows})
    loaded = list(db.session.scalars(select(ContactLogEntry).where(
        ContactLogEntry.customer_id.in_(customer_ids), ContactLogEntry.status == "logged",
        ContactLogEntry.at >= earliest, ContactLogEntry.at < latest,
        ContactLogEntry.channel.in_(rules.MODE_CHANNELS["phone_ok"]))))
    entries = {cid: [] for cid in customer_ids}
    for e in loaded:
        entries[e.customer_id].append(rules.Entry(e.id, e.user_id, e.channel, e.at))
    cadences = {(r.customer_id, r.role, r.period_key) for r in rows}
    used: dict[tuple, set] = defaultdict(set)
    for cid, role, key, entry_id in db.session.execute(
            select(DueVisit.customer_id, DueVisit.role, DueVisit.period_key, DueVisit.contact_entry_id).where(
                DueVisit.customer_id.in_(customer_ids), DueVisit.status == "done",
                DueVisit.contact_entry_id.is_not(None))):
        if (cid, role, key) in cadences:
            used[(cid, role, key)].add(entry_id)
    done = 0
    by_id = {r.id: r for r in rows}
    for customer_id in customer_ids:
        slots = [rules.OpenSlot(r.id, r.performer_id, (r.customer_id, r.role, r.period_key), r.slot, r.mode,
                                *bounds[r.id]) for r in rows if r.customer_id == customer_id]
        for slot_id, entry in rules.match_entries(slots, entries[customer_id], used).items():
            _mark_done(by_id[slot_id], entry)
            done += 1
    return done


def _mark_done(row: DueVisit, entry: rules.Entry) -> None:
    row.status, row.contact_entry_id, row.done_at = "done", entry.id, entry.at
    late = entry.at >= row.due_at
    decisions.record(
        "CUS-61", "due_visit", row.id,
        outcome={"status": "done", "contact_entry_id": entry.id, "late": late},
        facts={"contact": {"id": entry.id, "channel": entry.channel, "at": entry.at, "user_id": entry.user_id},
               "mode": row.mode, "period": row.period_key, "slot": row.slot},
        reason_zh=(f"依据CUS-61，{row.period_key}第{row.slot}次拜访由联系记录#{entry.id}（{entry.channel}）完成"
                   + ("，已逾期。" if late else "。")),
        reason_en=(f"CUS-61: visit {row.slot} of {row.period_key} was made by contact #{entry.id} ({entry.channel})"
                   + (", late." if late else ".")))


def mark_overdue(as_of: dt.datetime | None = None) -> int:
    """Open visits past their due time become overdue; their performer is notified once."""
    as_of = as_of or utcnow()
    rows = list(db.session.scalars(select(DueVisit).where(DueVisit.status == "open", DueVisit.due_at <= as_of)))
    for row in rows:
        row.status, row.overdue_at = "overdue", as_of
        notify([row.performer_id], kind="cus.visit_overdue", rule_id="CUS-61", subject_type="due_visit",
               subject_id=row.id, dedupe_key=f"CUS-61:overdue:{row.id}", due_at=row.due_at,
               title_zh=f"拜访逾期：{row.period_key}第{row.slot}次拜访应于{row.due_on.isoformat()}前完成",
               title_en=f"Visit overdue: visit {row.slot} of {row.period_key} was due through {row.due_on.isoformat()}")
    db.session.flush()
    return len(rows)


def on_contact(entry: ContactLogEntry) -> int:
    """A contact was logged (or confirmed): the visits it fulfils are done at once."""
    if entry.status != "logged" or entry.channel not in rules.MODE_CHANNELS["phone_ok"]:
        return 0
    return reconcile(entry.at, customer_ids=[entry.customer_id])


def due_list(*, user_id: int | None = None, status: str | None = None, customer_id: int | None = None,
             now: dt.datetime | None = None):
    """The statement of due visits (of ``user_id``, or unassigned ones when ``user_id`` is 0), by
    effective status: ``overdue`` includes open visits already past due; no status = open + overdue."""
    now = now or utcnow()
    stmt = select(DueVisit).order_by(DueVisit.due_at, DueVisit.id)
    if user_id == 0:
        stmt = stmt.where(DueVisit.performer_id.is_(None))
    elif user_id is not None:
        stmt = stmt.where(DueVisit.performer_id == user_id)
    if customer_id is not None:
        stmt = stmt.where(DueVisit.customer_id == customer_id)
    past_due = and_(DueVisit.status == "open", DueVisit.due_at <= now)
    if status == "overdue":
        stmt = stmt.where(or_(DueVisit.status == "overdue", past_due))
    elif status == "open":
        stmt = stmt.where(DueVisit.status == "open", DueVisit.due_at > now)
    elif status == "done":
        stmt = stmt.where(DueVisit.status == "done")
    else:
        stmt = stmt.where(DueVisit.status.in_(OPEN_STATUSES))
    return stmt


def effective_status(row: DueVisit, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    return "overdue" if row.status == "open" and row.due_at <= now else row.status

