"""Pure rules of complaint consequences (CMP-70, CMP-71, CMP-06). No database.

- :func:`intake_events`: the CMP-70 events a case carries from its channel (a staff-noticed grumble
  → ``grumble_noticed``; a complaint to the GM → ``complaint_to_gm``).
- :func:`finding_event` (CMP-06): ``general_error`` and ``discipline`` findings are priced in the
  matrix as ``finding_general_error`` / ``finding_discipline``; ``customer_side`` and
  ``not_substantiated`` have no consequence.
- :func:`liable` (CMP-70): who answers for an event. The "employee concerned" (当事员工) is the
  accused employee; when the case names nobody, the customer's owner (the person who serves the
  customer the grumble is about). The department manager (该顾客所在部门经理) is the head of that
  employee's department, walking up the tree when the employee is the head themself. With no
  employee at all the employee's line goes to the smallest identifiable unit (STF-14): the
  customer's ownership department, else the department handling the case.
- :func:`penalty_lines` (CMP-70): the ledger lines of one event under the matrix row.
- :func:`is_unresolved` (CMP-70): still unresolved at the limit instant.
- :func:`transfer_draw` (CMP-71): the seeded random draw among active staff of other departments,
  with the CUS-30 screening and the CUS-33 seeded shuffle of the customers module.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.customers.assignment.rules import StaffMember, screen_candidates, seeded_shuffle

INTAKE_EVENTS = {"grumble": "grumble_noticed", "to_gm": "complaint_to_gm"}
FINDING_EVENTS = {"general_error": "finding_general_error", "discipline": "finding_discipline"}
NO_CONSEQUENCE_FINDINGS = ("customer_side", "not_substantiated")
#: CMP-06: a breach of discipline starts the disciplinary procedure: a review by a person (never automatic)
DISCIPLINE_FLAG = "disciplinary_procedure"
RESOLVED_STATUSES = ("resolved", "closed")

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "grumble_noticed": ("发现顾客抱怨（未正式投诉）", "a grumble noticed (no formal complaint)"),
    "complaint_to_gm": ("顾客向总经理投诉", "the customer complained to the general manager"),
    "unresolved_after": ("投诉逾期未处理好", "the complaint was not resolved within its limit"),
    "verified_attitude": ("服务态度投诉经查属实", "a verified complaint about attitude"),
    "reasonable_complaint_no_major_impact": ("合理投诉（未造成重大影响）", "a reasonable complaint without major impact"),
    "harm_to_resident_interest": ("损害住户利益", "harm to residents' interests"),
    "acceptor_delay": ("受理人延误", "a delay by the person who took the case"),
    "loss_caused": ("造成损失", "a loss caused"),
    "finding_general_error": ("处理结论：一般过失", "finding: an ordinary mistake"),
    "finding_discipline": ("处理结论：违纪或失职", "finding: a breach of discipline or dereliction"),
}
ROLE_LABELS = {"employee": ("当事员工", "the employee concerned"), "dept_manager": ("部门经理", "the department manager")}
BASIS_LABELS = {"accused": ("被投诉员工", "the accused employee"), "customer_owner": ("客户归属人", "the customer's owner"),
                None: ("未能确定个人，由部门承担", "nobody identified: the department answers")}


def intake_events(channel: str) -> list[str]:
    event = INTAKE_EVENTS.get(channel)
    return [event] if event else []


def finding_event(finding: str | None) -> str | None:
    return FINDING_EVENTS.get(finding or "")


def event_label(event: str) -> tuple[str, str]:
    return EVENT_LABELS.get(event, (event, event))


@dataclass(frozen=True)
class Liable:
    """Who answers for a case's event (CMP-70)."""

    employee_id: int | None
    basis: str | None  # accused | customer_owner | None (a unit answers, STF-14)
    department_id: int | None  # the employee's department, or the unit
    dept_manager_id: int | None

    def as_fact(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "basis": self.basis, "department_id": self.department_id,
                "dept_manager_id": self.dept_manager_id}


def liable(*, accused_id: int | None, customer_owner_id: int | None, department_of: Mapping[int, int | None],
           unit_department_id: int | None, heads_up_from: Mapping[int | None, list[int | None]]) -> Liable:
    """CMP-70 (see module doc). ``department_of``: user → department; ``heads_up_from``: department →
    the heads of it and its parents, nearest first; ``unit_department_id``: the unit when nobody is
    identified."""
    if accused_id is not None:
        employee, basis = accused_id, "accused"
    elif customer_owner_id is not None:
        employee, basis = customer_owner_id, "customer_owner"
    else:
        employee, basis = None, None
    department = department_of.get(employee) if employee is not None else unit_department_id
    manager = next((h for h in heads_up_from.get(department, []) if h is not None and h != employee), None)
    return Liable(employee, basis, department, manager)


@dataclass(frozen=True)
class PenaltyLine:
    role: str  # employee | dept_manager
    user_id: int | None
    department_id: int | None
    amount: Decimal
    unit: str


@dataclass(frozen=True)
class Lines:
    lines: tuple[PenaltyLine, ...]
    missing: tuple[str, ...] = field(default_factory=tuple)  # roles priced but nobody to answer


def penalty_lines(row: Mapping[str, Any] | None, who: Liable) -> Lines:
    """CMP-70: the entries of one event: the employee's amount (on the unit when nobody is identified,
    STF-14) and the department manager's."""
    if not row:
        return Lines(())
    lines, missing = [], []
    unit = row.get("unit") or "yuan"
    if row.get("employee") is not None:
        if who.employee_id is not None or who.department_id is not None:
            lines.append(PenaltyLine("employee", who.employee_id, who.department_id, Decimal(row["employee"]), unit))
        else:
            missing.append("employee")
    if row.get("dept_manager") is not None:
        if who.dept_manager_id is not None:
            lines.append(PenaltyLine("dept_manager", who.dept_manager_id, None, Decimal(row["dept_manager"]), unit))
        else:
            missing.append("dept_manager")
    return Lines(tuple(lines), tuple(missing))


def is_unresolved(*, limit_at: dt.datetime, status: str, resolved_at: dt.datetime | None,
                  closed_at: dt.datetime | None) -> bool:
    """CMP-70: the case was not resolved before its limit instant. A case rejected at acceptance
    (CMP-06) had no grounds: it is never "unresolved"."""
    if status == "rejected":
        return False
    done = [t for t in (resolved_at, closed_at) if t is not None]
    return not done or min(done) >= limit_at


@dataclass(frozen=True)
class TransferDraw:
    """CMP-71: the seeded draw of the customer's new owner."""

    seed: int
    candidates: tuple[int, ...]  # eligible, ascending
    shuffled: tuple[int, ...]
    skipped: tuple[dict, ...]
    winner: int | None


def in_transfer_scope(scope: str, from_department_id: int | None, member_department_id: int | None) -> bool:
    """CMP-71 ``cmp.transfer.scope``: ``other_departments`` keeps staff of a department other than the
    customer's; ``tenant`` anyone."""
    if scope == "tenant":
        return True
    return member_department_id is not None and member_department_id != from_department_id


def transfer_draw(staff: Iterable[StaffMember], *, seed: int, scope: str, from_department_id: int | None,
                  excluded: Iterable[int] = ()) -> TransferDraw:
    """CMP-71: staff outside the scope or excluded (the accused, the current owner) are skipped, the
    rest screened as CUS-30 (active, not on long leave); the eligible ids ascending are shuffled with
    the seed (CUS-33 :func:`seeded_shuffle`) and the first receives the customer."""
    excluded = set(excluded)
    pool, skipped = [], []
    for member in staff:
        if member.id in excluded:
            skipped.append({"candidate": member.id, "reason": "excluded"})
        elif not in_transfer_scope(scope, from_department_id, member.department_id):
            skipped.append({"candidate": member.id, "reason": "same_department"})
        else:
            pool.append(member)
    eligible, screened = screen_candidates(pool)
    skipped.extend(s.as_fact() for s in screened)
    ids = sorted(m.id for m in eligible)
    shuffled = seeded_shuffle(ids, seed)
    return TransferDraw(seed, tuple(ids), tuple(shuffled), tuple(skipped), shuffled[0] if shuffled else None)
