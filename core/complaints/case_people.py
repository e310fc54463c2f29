"""Who holds a role or a level of the authority ladder for one case (CMP-41, CMP-42, CMP-50, CMP-55).

The case's department is the one responsible for it: the department it is routed or transferred to
(``handler_department_id``; for a complaint about another department, further escalation goes through
the complained department's head, CMP-41), else the handler's, else the owner's department.

- ``dept_manager`` / ``dept_head``: the nearest department, walking up from the case's, that has a
  head (``departments.head_user_id``) or active ``dept_manager`` holders: all of them.
- any other role: its active holders in the nearest such department, else every active holder.
- ``handler``: the handler, else the owner.

The employee complained about and anyone excluded from the case never appear (CMP-21).
"""
from __future__ import annotations

from core.accounts.people import People
from core.complaints.models import Complaint


def case_department(complaint: Complaint, people: People) -> int | None:
    for department_id in (complaint.handler_department_id, people.department_of(complaint.handler_id),
                          complaint.owner_department_id, people.department_of(complaint.owner_id)):
        if department_id is not None:
            return department_id
    return None


def department_heads(department_id: int | None, people: People) -> list[int]:
    managers = people.holders("dept_manager")
    for dep in people.chain(department_id):
        found = [people.head_of(dep)] if people.head_of(dep) is not None else []
        found += [uid for uid, holder_dep in managers if holder_dep == dep and uid not in found]
        if found:
            return found
    return []


def role_holders(role: str, complaint: Complaint, people: People) -> list[int]:
    """The users who act as ``role`` for ``complaint`` (see module doc), never the excluded."""
    department_id = case_department(complaint, people)
    if role in ("dept_manager", "dept_head"):
        found = department_heads(department_id, people)
    elif role == "handler":
        found = [uid for uid in (complaint.handler_id or complaint.owner_id,) if uid is not None]
    else:
        holders = people.holders(role)
        found = []
        for dep in people.chain(department_id):
            found = [uid for uid, holder_dep in holders if holder_dep == dep]
            if found:
                break
        if not found:
            found = [uid for uid, _ in holders]
    excluded = set(complaint.excluded_user_ids or [])
    return [uid for uid in dict.fromkeys(found) if uid not in excluded]
