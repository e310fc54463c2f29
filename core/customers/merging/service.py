"""Merge and undo of customers (CUS-15), the service.

:func:`merge` merges B (``merged_id``) into A (``survivor_id``) in the caller's transaction:

1. every row referring to B in a table with its own id (contacts, phones, addresses, the contact log,
   transactions, points entries, documents, claims, deals, ownership history, visits, events,
   complaints and work orders of later modules...: see :mod:`core.customers.merging.plan`) moves to A;
   the moved ids are recorded per table and column so that an undo moves exactly those back;
2. B's CUS-13 match keys are removed (B never matches a new customer again) and A's are recomputed
   from its phones and identity (:func:`core.customers.duplicates.match_keys`);
3. B's ownership row is saved in the merge record and cleared (a CUS-15 change to the public pool);
   A is re-judged (:func:`core.customers.ownership.service.rejudge`: with B's claims moved, the earliest
   valid claim of the two owns A, CUS-21) and a CUS-15 decision on A names both customers, the owners
   before and the surviving owner;
4. B becomes a tombstone (``merged_into_id`` = A, ``merged_at``): out of lists, search and duplicate
   detection, still answered by ``GET /customers/<B>`` so old links resolve; writes to it are refused.

:func:`undo` — within ``cus.merge.undo_window`` (from the merge, by the calendar) — moves the recorded
rows back to B (rows added to A after the merge stay with A), recomputes both customers' keys, lifts the
tombstone, re-judges both customers' ownership from their own claims and records a CUS-15 decision on
each, the one on A superseding the merge decision.

Rows keyed by the customer itself (no id) stay with the tombstone: ``customer_keys`` (removed and
recomputed as said), ``customer_ownership`` (cleared, re-judged), and the current per-customer state
that A keeps as its own — ``customer_grades``, ``key_accounts``, ``credit_lines``, ``credit_records``,
``customer_flags``, ``customer_secrecy`` and ``customer_secrecy_viewers``, ``paper_archives``,
``customer_staff_contacts``, ``lead_batch_items``, ``redistribution_items``. The clock is the ownership
service's (:mod:`core.customers.ownership.clock`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update

from core.calendar.service import tenant_calendar
from core.customers import ownership_store as store
from core.customers import service as customers
from core.customers.duplicates import match_keys
from core.customers.merging import plan
from core.customers.merging.models import MERGED, UNDONE, CustomerMerge
from core.customers.models import Customer, CustomerKey
from core.customers.ownership import clock
from core.customers.ownership.service import rejudge
from core.customers.policy import cus_policy
from core.customers.staff_facts import users_by_id
from core.db import db
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy import current_tenant_id

RULE = "CUS-15"
#: the merge records themselves refer to customers and never move
OWN_TABLES = frozenset({CustomerMerge.__tablename__})
_CHUNK = 500


def references() -> list[plan.Reference]:
    """The columns referring to a customer, from the metadata (tables added later are included)."""
    return plan.references(db.metadata, exclude=OWN_TABLES)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _owner_snapshot(customer_id: int) -> dict | None:
    row = store.current(customer_id)
    if row is None:
        return None
    return {"owner_id": row.owner_id, "department_id": row.department_id, "state": row.state,
            "since": _iso(row.since), "until": _iso(row.until), "decision_id": row.decision_id}


def _names(*owners: dict | None) -> dict[int, str]:
    ids = [o["owner_id"] for o in owners if o and o.get("owner_id") is not None]
    return {uid: user.display_name for uid, user in users_by_id(ids).items()}


def _rekey(customer: Customer) -> None:
    """Recompute the CUS-13 match keys of ``customer`` from its stored identity and phones."""
    keys = match_keys(customers.candidate_of(customer))
    have = {k.key: k for k in customer.key_rows}
    customer.key_rows = [have.get(k) or CustomerKey(key=k) for k in sorted(keys)]


def _move(source: int, target: int) -> tuple[dict, dict]:
    """Move the rows referring to ``source`` to ``target`` as planned; ``(moved, kept)`` as
    ``{table: {column: [ids]}}`` and ``{table: {column: [[id, reason]]}}``."""
    tenant_id = current_tenant_id()
    moved: dict = {}
    kept: dict = {}
    for ref in references():
        if not ref.movable:
            continue
        table = db.metadata.tables[ref.table]
        column = table.c[ref.column]
        unique_cols = [[table.c[c] for c in cols] for cols in ref.uniques]
        flat = [c for cols in unique_cols for c in cols]
        others = [table.c[o] for o in ref.others]
        result = db.session.execute(select(table.c.id, *others, *flat).where(
            table.c.tenant_id == tenant_id, column == source)).all()
        if not result:
            continue
        rows = []
        for values in result:
            other_values = dict(zip(ref.others, values[1:1 + len(others)]))
            rest, uniques = list(values[1 + len(others):]), []
            for cols in unique_cols:
                uniques.append(tuple(rest[:len(cols)]))
                rest = rest[len(cols):]
            rows.append(plan.Row(values[0], other_values, tuple(uniques)))
        taken: set = set()
        if unique_cols:
            for values in db.session.execute(select(*flat).where(table.c.tenant_id == tenant_id, column == target)):
                rest = list(values)
                for i, cols in enumerate(unique_cols):
                    taken.add((i, tuple(rest[:len(cols)])))
                    rest = rest[len(cols):]
        decided = plan.plan_rows(ref, rows, taken, target, source)
        for start in range(0, len(decided.moved), _CHUNK):
            chunk = decided.moved[start:start + _CHUNK]
            db.session.execute(update(table).where(table.c.tenant_id == tenant_id, table.c.id.in_(chunk),
                                                   column == source).values({ref.column: target}))
        if decided.moved:
            moved.setdefault(ref.table, {})[ref.column] = decided.moved
        if decided.kept:
            kept.setdefault(ref.table, {})[ref.column] = [[i, why] for i, why in decided.kept]
    return moved, kept


def _move_back(record: CustomerMerge) -> dict:
    """Move exactly the recorded rows that are still on A back to B; ``{table: {column: count}}``."""
    tenant_id = current_tenant_id()
    counts: dict = {}
    for table_name, columns in (record.moved or {}).items():
        table = db.metadata.tables.get(table_name)
        if table is None:
            continue  # a plugin table that is gone: nothing to move back
        for column_name, ids in columns.items():
            column = table.c[column_name]
            total = 0
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                result = db.session.execute(update(table).where(
                    table.c.tenant_id == tenant_id, table.c.id.in_(chunk), column == record.survivor_id,
                ).values({column_name: record.merged_id}))
                total += result.rowcount or 0
            counts.setdefault(table_name, {})[column_name] = total
    return counts


def _check_reason(reason, field: str = "reason", required: bool = True) -> str | None:
    reason = (reason or "").strip()
    if not reason:
        if required:
            raise InvalidInput("invalid merge", fields={field: ["a reason is required"]})
        return None
    if len(reason) > 2000:
        raise InvalidInput("invalid merge", fields={field: ["at most 2000 characters"]})
    return reason


def merge(survivor_id: int, merged_id: int, *, reason: str, by: int | None) -> CustomerMerge:
    """CUS-15: merge customer ``merged_id`` (B) into ``survivor_id`` (A). Both must be visible to the
    caller (404 otherwise, as in another tenant); neither may be a tombstone (409); A ≠ B (422)."""
    reason = _check_reason(reason)
    if merged_id == survivor_id:
        raise InvalidInput("invalid merge", fields={"merged_id": ["a customer cannot be merged into itself"]})
    survivor = customers.get_customer(survivor_id)
    try:
        merged = customers.get_customer(merged_id)
    except NotFound:
        raise NotFound("customer to merge not found") from None
    for customer in (survivor, merged):
        if customer.merged_into_id is not None:
            raise Conflict(f"customer {customer.id} was already merged into {customer.merged_into_id}",
                           customer_id=customer.id, merged_into_id=customer.merged_into_id, rule_id=RULE)
    customers._lock_tenant()
    now = clock.now()
    view = cus_policy(now)
    calendar, _cal = tenant_calendar(now)
    try:
        deadline = plan.undo_deadline(calendar, now, view.values["merge"]["undo_window"])
    except ValueError as err:  # a policy with an unreadable window: say so rather than guess
        raise Conflict(f"cus.merge.undo_window: {err}") from None

    before_a, before_b = _owner_snapshot(survivor_id), _owner_snapshot(merged_id)
    merged_keys = sorted(k.key for k in merged.key_rows)
    db.session.flush()
    moved, kept = _move(merged_id, survivor_id)
    db.session.expire_all()

    merged = db.session.get(Customer, (current_tenant_id(), merged_id))
    survivor = db.session.get(Customer, (current_tenant_id(), survivor_id))
    merged.key_rows = []
    merged.merged_into_id, merged.merged_at = survivor_id, now
    _rekey(survivor)
    db.session.flush()

    names = _names(before_a, before_b)
    if before_b is not None and (before_b["owner_id"] is not None or before_b["state"] != "unowned"):
        store.set_owner(merged_id, owner_id=None, state="unowned", rule_id=RULE, at=now, policy=view,
                        reason_zh=f"客户#{merged_id}已并入客户#{survivor_id}（CUS-15），其归属随认领转至#{survivor_id}。",
                        reason_en=f"Customer #{merged_id} was merged into #{survivor_id} (CUS-15); its ownership "
                                  f"moved with its claims to #{survivor_id}.",
                        facts={"survivor_id": survivor_id, "merged_id": merged_id, "owner_before": before_b},
                        outcome={"merged_into_id": survivor_id}, decided_by=by)
    rejudge(survivor_id, as_of=now)
    after = _owner_snapshot(survivor_id)
    names.update(_names(after))
    zh, en = plan.merge_reasons(survivor_id, merged_id, before_a, before_b, after, names)
    decision = decisions.record(
        RULE, "customer", survivor_id, reason_zh=zh, reason_en=en, policy=view, decided_by=by,
        outcome={"survivor_id": survivor_id, "merged_id": merged_id,
                 "owner_id": after["owner_id"] if after else None, "undo_deadline": _iso(deadline)},
        facts={"survivor_id": survivor_id, "merged_id": merged_id, "reason": reason,
               "owner_before": {str(survivor_id): before_a, str(merged_id): before_b},
               "moved_claims": (moved.get("customer_claims") or {}).get("customer_id", [])})
    record = CustomerMerge(survivor_id=survivor_id, merged_id=merged_id, status=MERGED, reason=reason,
                           merged_by=by, merged_at=now, undo_deadline=deadline, moved=moved, kept=kept,
                           merged_keys=merged_keys, survivor_owner_before=before_a, merged_owner_before=before_b,
                           survivor_owner_after=after, decision_id=decision.id)
    db.session.add(record)
    db.session.flush()
    return record


def merges_of(customer_id: int):
    """The statement of the merges the customer took part in (as survivor or as the merged one),
    newest first."""
    return select(CustomerMerge).where(or_(CustomerMerge.survivor_id == customer_id,
                                           CustomerMerge.merged_id == customer_id)).order_by(
        CustomerMerge.merged_at.desc(), CustomerMerge.id.desc())


def get_merge(customer_id: int, merge_id: int) -> CustomerMerge:
    record = db.session.scalars(merges_of(customer_id).where(CustomerMerge.id == merge_id)).first()
    if record is None:
        raise NotFound("merge not found")
    return record


def undo(survivor_id: int, merge_id: int, *, by: int | None, reason: str | None = None) -> CustomerMerge:
    """CUS-15: undo a merge within ``cus.merge.undo_window``: both customers as they were, additions
    made to A after the merge stay with A. 409 after the window (naming the deadline), for a merge
    already undone, or when A has itself been merged since (undo that merge first)."""
    reason = _check_reason(reason, required=False)
    survivor = customers.get_customer(survivor_id)
    record = db.session.scalars(select(CustomerMerge).where(
        CustomerMerge.id == merge_id, CustomerMerge.survivor_id == survivor_id)).first()
    if record is None:
        raise NotFound("merge not found")
    if record.status == UNDONE:
        raise Conflict("the merge was already undone", rule_id=RULE, undone_at=_iso(record.undone_at))
    now = clock.now()
    calendar, _cal = tenant_calendar(now)
    if not plan.undo_allowed(now, record.undo_deadline):
        through = (calendar.local(record.undo_deadline) - dt.timedelta(microseconds=1)).date()
        raise Conflict(f"the undo window of this merge ended at {calendar.local(record.undo_deadline).isoformat()} "
                       f"(undo possible through {through.isoformat()})", rule_id=RULE,
                       deadline=_iso(record.undo_deadline), through=through.isoformat())
    if survivor.merged_into_id is not None:
        raise Conflict(f"customer {survivor_id} has since been merged into {survivor.merged_into_id}; undo that "
                       "merge first", rule_id=RULE, merged_into_id=survivor.merged_into_id)
    customers._lock_tenant()
    view = cus_policy(now)
    db.session.flush()
    counts = _move_back(record)
    db.session.expire_all()
    tenant_id = current_tenant_id()
    survivor = db.session.get(Customer, (tenant_id, survivor_id))
    merged = db.session.get(Customer, (tenant_id, record.merged_id))
    merged.merged_into_id, merged.merged_at = None, None
    _rekey(merged)
    _rekey(survivor)
    db.session.flush()
    rejudge(record.merged_id, as_of=now)
    rejudge(survivor_id, as_of=now)
    owner_a, owner_b = _owner_snapshot(survivor_id), _owner_snapshot(record.merged_id)
    zh, en = plan.undo_reasons(survivor_id, record.merged_id, owner_a, owner_b, _names(owner_a, owner_b))
    facts = {"merge_id": record.id, "survivor_id": survivor_id, "merged_id": record.merged_id,
             "reason": reason, "moved_back": counts}
    outcome = {"owners": {str(survivor_id): owner_a, str(record.merged_id): owner_b}}
    merge_decision = db.session.get(Decision, (tenant_id, record.decision_id)) if record.decision_id else None
    decision = decisions.record(RULE, "customer", survivor_id, outcome=outcome, reason_zh=zh, reason_en=en,
                                facts=facts, policy=view, decided_by=by, supersedes=merge_decision)
    decisions.record(RULE, "customer", record.merged_id, outcome=outcome, reason_zh=zh, reason_en=en,
                     facts=facts, policy=view, decided_by=by)
    record.status, record.undone_at, record.undone_by = UNDONE, now, by
    record.undo_reason, record.undo_decision_id = reason, decision.id
    db.session.flush()
    return record
