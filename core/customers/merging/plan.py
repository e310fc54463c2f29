"""CUS-15 merge planning, without I/O: which tables refer to a customer, which rows of the merged
customer (B) move to the survivor (A) and which stay with the tombstone, the undo window, and the
reasons of the decisions in Chinese and English.

The references are read from the SQLAlchemy metadata (every foreign key to ``customers``), never from
a hand-kept list, so a table added later (a plugin's, a new module's) is merged too:

- a table with its own ``id`` (``TenantScoped``) is **movable**: its rows of B are moved to A by id;
- a table keyed by the customer itself (no ``id``: ``customer_keys``, ``customer_ownership``, current
  grades, flags, credit lines, secrecy, paper archive location...) is **kept** with the tombstone;
  the merge service recomputes A's keys and re-judges ownership itself.

A movable row still stays with the tombstone when moving it would break a unique constraint of its
table (A already has the row of the same natural key: the same checklist item, the same survey round,
the same referee) or when it links A and B (a household link or a referral between the two would link
A to itself).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CUSTOMERS = "customers"
#: reasons a row of B stays with the tombstone
KEPT_UNIQUE = "unique"
KEPT_SELF = "self"


@dataclass(frozen=True)
class Reference:
    """One column of ``table`` referring to a customer. ``uniques``: the other columns of each unique
    constraint of the table that includes ``column`` (without ``tenant_id``); ``others``: the other
    columns of the table referring to a customer."""

    table: str
    column: str
    movable: bool
    uniques: tuple[tuple[str, ...], ...] = ()
    others: tuple[str, ...] = ()


def _unique_sets(table) -> list[tuple[str, ...]]:
    sets = [tuple(c.name for c in constraint.columns) for constraint in table.constraints
            if constraint.__class__.__name__ == "UniqueConstraint"]
    sets += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    return sets


def references(metadata, exclude=frozenset()) -> list[Reference]:
    """Every column referring to ``customers`` (composite ``(tenant_id, <column>)`` foreign keys), in
    the metadata's dependency order, except the tables in ``exclude`` (the merge records)."""
    out = []
    for table in metadata.sorted_tables:
        if table.name == CUSTOMERS or table.name in exclude:
            continue
        columns = []
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name != CUSTOMERS:
                continue
            names = [c.name for c in fk.columns if c.name != "tenant_id"]
            if len(names) == 1:
                columns.append(names[0])
        for column in columns:
            uniques = tuple(tuple(c for c in cols if c not in ("tenant_id", column))
                            for cols in _unique_sets(table) if column in cols)
            out.append(Reference(table.name, column, "id" in table.c, uniques,
                                 tuple(c for c in columns if c != column)))
    return out


@dataclass(frozen=True)
class Row:
    """A row of B in one referring column: its id, the values of the other customer columns and of
    each unique set (``Reference.uniques`` order)."""

    id: int
    others: dict = field(default_factory=dict)
    unique_values: tuple[tuple, ...] = ()


@dataclass
class RowPlan:
    moved: list[int] = field(default_factory=list)
    kept: list[tuple[int, str]] = field(default_factory=list)


def plan_rows(ref: Reference, rows: list[Row], survivor_taken: set[tuple[int, tuple]], survivor_id: int,
              merged_id: int) -> RowPlan:
    """Which ``rows`` of B move to A. ``survivor_taken``: ``(unique set index, values)`` of A's rows in
    the same column. A row sharing a unique key with A (NULLs never collide, as in SQL) or naming A or
    B in another customer column stays with the tombstone."""
    plan = RowPlan()
    if not ref.movable:
        return plan
    taken = set(survivor_taken)
    for row in sorted(rows, key=lambda r: r.id):
        if any(value in (survivor_id, merged_id) for value in row.others.values()):
            plan.kept.append((row.id, KEPT_SELF))
            continue
        keys = {(i, values) for i, values in enumerate(row.unique_values) if None not in values}
        if keys & taken:
            plan.kept.append((row.id, KEPT_UNIQUE))
            continue
        taken |= keys
        plan.moved.append(row.id)
    return plan


# --------------------------------------------------------------------------- the undo window


def undo_deadline(calendar, merged_at: dt.datetime, window: str) -> dt.datetime:
    """The end (exclusive, UTC) of ``cus.merge.undo_window`` from the merge, by the duration's unit
    (``30 days``: CAL-05, the period starts the next day and ends 24:00 of its last day)."""
    return calendar.add_duration(merged_at, window).utc


def undo_allowed(now: dt.datetime, deadline: dt.datetime) -> bool:
    return now < deadline


# --------------------------------------------------------------------------- reasons


def _owner(owner: dict | None, names: dict) -> tuple[str, str]:
    if not owner or owner.get("owner_id") is None:
        return "无归属（公共池）", "no owner (public pool)"
    name = names.get(owner["owner_id"]) or f"#{owner['owner_id']}"
    return name, name


def merge_reasons(survivor_id: int, merged_id: int, before_a: dict | None, before_b: dict | None,
                  after: dict | None, names: dict) -> tuple[str, str]:
    """The CUS-15 reasons of a merge: both customers, the owners before and the surviving owner."""
    a_zh, a_en = _owner(before_a, names)
    b_zh, b_en = _owner(before_b, names)
    s_zh, s_en = _owner(after, names)
    zh = (f"客户#{merged_id}合并入客户#{survivor_id}（CUS-15）。合并前归属：#{survivor_id} {a_zh}，"
          f"#{merged_id} {b_zh}；按两者中最早的有效认领（CUS-21），合并后归属{s_zh}。")
    en = (f"Customer #{merged_id} was merged into customer #{survivor_id} (CUS-15). Owners before: "
          f"#{survivor_id} {a_en}, #{merged_id} {b_en}; by the earliest valid claim of the two (CUS-21) "
          f"the surviving owner is {s_en}.")
    return zh, en


def undo_reasons(survivor_id: int, merged_id: int, owner_a: dict | None, owner_b: dict | None,
                 names: dict) -> tuple[str, str]:
    a_zh, a_en = _owner(owner_a, names)
    b_zh, b_en = _owner(owner_b, names)
    zh = (f"撤销客户#{merged_id}并入客户#{survivor_id}的合并（CUS-15），两者恢复原状：#{survivor_id}归属{a_zh}，"
          f"#{merged_id}归属{b_zh}；合并后新增的记录留在#{survivor_id}。")
    en = (f"The merge of customer #{merged_id} into #{survivor_id} was undone (CUS-15); both are restored: "
          f"#{survivor_id} owned by {a_en}, #{merged_id} owned by {b_en}; records added after the merge stay "
          f"with #{survivor_id}.")
    return zh, en
